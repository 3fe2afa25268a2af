//! The path from a tracking request to the database: handlers hand each open, click or web
//! view to an [`EventSink`] (a bounded in-memory channel) and answer at once; one
//! [`EventWriter`] per process takes the events in batches and writes each batch in one
//! transaction.
//!
//! A campaign's opens arrive in bursts of thousands a second; one transaction per pixel would
//! make the database the bottleneck of a GIF. The channel is bounded and `record` waits for
//! room instead of dropping, so a slow database slows the pixels down rather than losing
//! events; a failed batch is kept and retried with back-off, and on shutdown the writer
//! drains the channel before returning.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::TrackingError;
use super::event_batch::{RecentClicks, write_batch};

/// Events the channel holds before `record` waits (about 30 MB at the longest user agents).
pub const CHANNEL_CAPACITY: usize = 65_536;
/// Most events written in one transaction.
pub const MAX_BATCH: usize = 2_000;
/// How long the writer waits for more events after the first of a batch arrived.
pub const BATCH_WINDOW: Duration = Duration::from_millis(100);
/// Longest user agent kept (bytes); the rest says nothing the classifier uses.
pub const MAX_USER_AGENT_BYTES: usize = 300;
/// Longest wait between attempts to write a batch while the database is unavailable.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Attempts per batch while draining at shutdown (the process is about to exit).
const DRAIN_ATTEMPTS: u32 = 3;

/// What a recipient did, as the endpoints see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The open pixel was fetched.
    Open,
    /// A tracked link was followed.
    Click,
    /// The "view in browser" page was shown.
    WebView,
}

impl EventKind {
    /// The `campaign_event.kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Open => "open",
            EventKind::Click => "click",
            EventKind::WebView => "web_view",
        }
    }

    /// The `contact_event.kind` a person's first event of this kind adds to the contact's
    /// timeline; web views have none.
    pub fn contact_event_kind(self) -> Option<&'static str> {
        match self {
            EventKind::Open => Some("opened"),
            EventKind::Click => Some("clicked"),
            EventKind::WebView => None,
        }
    }
}

/// One request to a tracking endpoint, with what the classifier needs to tell a person from
/// a mail-privacy proxy or a link scanner.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackedEvent {
    pub kind: EventKind,
    /// From the verified token; checked against the ledger row when written.
    pub campaign_id: i64,
    pub delivery_id: i64,
    /// The link followed (clicks only).
    pub link_index: Option<i32>,
    pub at: DateTime<Utc>,
    /// Cut to [`MAX_USER_AGENT_BYTES`] by [`EventSink::record`].
    pub user_agent: String,
    pub ip: Option<IpAddr>,
    /// A HEAD request (never a browser following a link).
    pub head: bool,
}

/// Counters of the event path, shared by the sink and the writer, so the benchmark and the
/// tests can see how many events arrived, were written and in how many transactions.
#[derive(Debug, Default)]
pub struct SinkStats {
    /// Events accepted by [`EventSink::record`].
    pub received: AtomicU64,
    /// Events stored in `campaign_event`.
    pub written: AtomicU64,
    /// Transactions committed.
    pub batches: AtomicU64,
    /// Events dropped because their recipient does not exist in the token's campaign.
    pub dropped: AtomicU64,
}

impl SinkStats {
    /// `(received, written, batches, dropped)` as read now.
    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            self.received.load(Ordering::Relaxed),
            self.written.load(Ordering::Relaxed),
            self.batches.load(Ordering::Relaxed),
            self.dropped.load(Ordering::Relaxed),
        )
    }
}

/// The handlers' end of the event channel; cheap to clone.
#[derive(Clone, Debug)]
pub struct EventSink {
    tx: mpsc::Sender<TrackedEvent>,
    stats: Arc<SinkStats>,
}

/// The writer's end of the event channel, made together with its [`EventSink`].
#[derive(Debug)]
pub struct EventReceiver {
    rx: mpsc::Receiver<TrackedEvent>,
    stats: Arc<SinkStats>,
}

impl EventSink {
    /// A sink and its receiver with room for [`CHANNEL_CAPACITY`] events.
    pub fn channel() -> (EventSink, EventReceiver) {
        Self::with_capacity(CHANNEL_CAPACITY)
    }

    /// As [`channel`](Self::channel) with another capacity (tests use a tiny one to see
    /// back-pressure); at least 1.
    pub fn with_capacity(capacity: usize) -> (EventSink, EventReceiver) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let stats = Arc::new(SinkStats::default());
        (EventSink { tx, stats: stats.clone() }, EventReceiver { rx, stats })
    }

    /// Queues `event` for the writer, waiting while the channel is full (never dropping it).
    /// Fails only when the writer has stopped.
    pub async fn record(&self, mut event: TrackedEvent) -> Result<(), TrackingError> {
        truncate_at_char_boundary(&mut event.user_agent, MAX_USER_AGENT_BYTES);
        self.tx.send(event).await.map_err(|_| TrackingError::WriterStopped)?;
        self.stats.received.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// The counters of this channel.
    pub fn stats(&self) -> Arc<SinkStats> {
        self.stats.clone()
    }
}

/// Writes the events of one channel to the database in batches.
pub struct EventWriter {
    pool: PgPool,
    events: EventReceiver,
    recent_clicks: RecentClicks,
}

impl EventWriter {
    /// Runs until `stop` turns true (or its sender is dropped) or every sink is gone, then
    /// writes what is still queued and returns. Database errors never end it: the batch is
    /// kept and tried again after a growing pause.
    pub async fn run(pool: PgPool, events: EventReceiver, mut stop: watch::Receiver<bool>) {
        let mut writer = EventWriter { pool, events, recent_clicks: RecentClicks::default() };
        let mut pending: Vec<TrackedEvent> = Vec::new();
        let mut failures: u32 = 0;
        loop {
            if *stop.borrow() {
                break;
            }
            if pending.is_empty() {
                tokio::select! {
                    received = writer.events.rx.recv() => match received {
                        Some(event) => pending.push(event),
                        None => break,
                    },
                    changed = stop.changed() => {
                        if changed.is_err() {
                            break;
                        }
                        continue;
                    }
                }
                writer.fill(&mut pending).await;
            }
            match writer.write(&pending).await {
                Ok(()) => {
                    pending.clear();
                    failures = 0;
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let pause = backoff(failures);
                    tracing::warn!(error = %e, events = pending.len(), retry_in = ?pause,
                        "cannot write tracking events; keeping them and retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        changed = stop.changed() => {
                            if changed.is_err() {
                                break;
                            }
                        }
                    }
                }
            }
        }
        writer.drain(pending).await;
    }

    /// Adds events to `pending` until it holds [`MAX_BATCH`] or [`BATCH_WINDOW`] has passed.
    async fn fill(&mut self, pending: &mut Vec<TrackedEvent>) {
        let deadline = Instant::now() + BATCH_WINDOW;
        while pending.len() < MAX_BATCH {
            match tokio::time::timeout_at(deadline, self.events.rx.recv()).await {
                Ok(Some(event)) => pending.push(event),
                Ok(None) | Err(_) => break,
            }
        }
    }

    /// Writes one batch and updates the counters.
    async fn write(&mut self, batch: &[TrackedEvent]) -> Result<(), sqlx::Error> {
        let outcome = write_batch(&self.pool, batch, &self.recent_clicks).await?;
        self.recent_clicks.remember(&outcome.clicks);
        let stats = &self.events.stats;
        stats.written.fetch_add(as_u64(outcome.written), Ordering::Relaxed);
        stats.dropped.fetch_add(as_u64(outcome.dropped), Ordering::Relaxed);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        if outcome.dropped > 0 {
            tracing::debug!(dropped = outcome.dropped, "tracking events for unknown recipients dropped");
        }
        Ok(())
    }

    /// Shutdown: refuses new events, then writes `pending` and everything still queued, a
    /// few attempts per batch; what cannot be written is logged as lost.
    async fn drain(&mut self, mut pending: Vec<TrackedEvent>) {
        self.events.rx.close();
        loop {
            while pending.len() < MAX_BATCH {
                match self.events.rx.recv().await {
                    Some(event) => pending.push(event),
                    None => break,
                }
            }
            if pending.is_empty() {
                return;
            }
            let mut attempt = 0;
            loop {
                attempt += 1;
                match self.write(&pending).await {
                    Ok(()) => break,
                    Err(e) if attempt >= DRAIN_ATTEMPTS => {
                        tracing::error!(error = %e, events = pending.len(), "tracking events lost at shutdown");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot write tracking events at shutdown; retrying");
                        tokio::time::sleep(backoff(attempt)).await;
                    }
                }
            }
            pending.clear();
        }
    }
}

/// Pause after `failures` failed attempts in a row: 0.5 s doubling up to [`MAX_BACKOFF`].
fn backoff(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1).min(10);
    Duration::from_millis(500u64.saturating_mul(1u64 << exponent)).min(MAX_BACKOFF)
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Cuts `text` to at most `max` bytes without splitting a character.
fn truncate_at_char_boundary(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(user_agent: &str) -> TrackedEvent {
        TrackedEvent {
            kind: EventKind::Open,
            campaign_id: 1,
            delivery_id: 2,
            link_index: None,
            at: Utc::now(),
            user_agent: user_agent.into(),
            ip: None,
            head: false,
        }
    }

    #[test]
    fn user_agents_are_cut_on_a_character_boundary() {
        let mut s = "é".repeat(200);
        truncate_at_char_boundary(&mut s, 301);
        assert_eq!(s.len(), 300);
        let mut short = "abc".to_owned();
        truncate_at_char_boundary(&mut short, 300);
        assert_eq!(short, "abc");
    }

    #[test]
    fn backoff_grows_to_a_cap() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(4), Duration::from_secs(4));
        assert_eq!(backoff(100), MAX_BACKOFF);
    }

    #[tokio::test]
    async fn record_waits_for_room_instead_of_dropping() {
        let (sink, mut receiver) = EventSink::with_capacity(1);
        sink.record(event("a")).await.unwrap();
        let second = tokio::time::timeout(Duration::from_millis(50), sink.record(event("b"))).await;
        assert!(second.is_err(), "a full channel must make record wait");
        assert_eq!(receiver.rx.recv().await.map(|e| e.user_agent), Some("a".to_owned()));
        sink.record(event("c")).await.unwrap();
        assert_eq!(receiver.rx.recv().await.map(|e| e.user_agent), Some("c".to_owned()));
        assert_eq!(sink.stats().received.load(Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn user_agents_are_truncated_when_recorded() {
        let (sink, mut receiver) = EventSink::channel();
        sink.record(event(&"x".repeat(1000))).await.unwrap();
        assert_eq!(receiver.rx.recv().await.map(|e| e.user_agent.len()), Some(MAX_USER_AGENT_BYTES));
    }

    #[tokio::test]
    async fn record_fails_once_the_writer_is_gone() {
        let (sink, receiver) = EventSink::channel();
        drop(receiver);
        assert!(matches!(sink.record(event("a")).await, Err(TrackingError::WriterStopped)));
    }
}
