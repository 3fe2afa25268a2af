//! One batch of tracked events written in one transaction: the recipients' ledger rows are
//! read (and locked, so two processes never both count a "first" open), each event is
//! classified as a person's or a machine's, the first opens and clicks are recorded on the
//! ledger, the events go into `campaign_event` (whose trigger updates the rollups), and a
//! person's first open or click lands on the contact's timeline.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::campaign_events::{CampaignEventRow, CampaignEventRows, insert_campaign_events};
use super::event_sink::{EventKind, TrackedEvent};
use super::machine::{classify_click, classify_open};

/// How many recipients' last click times the writer remembers between batches (for the
/// "several links within a second" rule); the memory is cleared when it grows past this.
const RECENT_CLICKS_LIMIT: usize = 50_000;

/// A click as the "several links at once" rule sees it: when, and which link.
pub(crate) type ClickMark = (DateTime<Utc>, Option<i32>);

/// The last click (time and link) of recent recipients, carried from one batch to the next so
/// a scanner whose clicks straddle two batches is still seen clicking several links at once.
#[derive(Debug, Default)]
pub(crate) struct RecentClicks {
    by_delivery: HashMap<i64, ClickMark>,
}

impl RecentClicks {
    fn get(&self, delivery_id: i64) -> Option<ClickMark> {
        self.by_delivery.get(&delivery_id).copied()
    }

    /// Remembers the clicks of a committed batch (the latest per recipient).
    pub(crate) fn remember(&mut self, clicks: &[(i64, ClickMark)]) {
        if self.by_delivery.len() + clicks.len() > RECENT_CLICKS_LIMIT {
            self.by_delivery.clear();
        }
        for &(delivery_id, mark) in clicks {
            let slot = self.by_delivery.entry(delivery_id).or_insert(mark);
            if mark.0 >= slot.0 {
                *slot = mark;
            }
        }
    }
}

/// What a committed batch did.
#[derive(Debug, Default)]
pub(crate) struct BatchOutcome {
    /// Events stored in `campaign_event`.
    pub written: usize,
    /// Events whose recipient is unknown or belongs to another campaign than the token said.
    pub dropped: usize,
    /// (delivery, (time, link)) of every GET click written, for [`RecentClicks::remember`].
    pub clicks: Vec<(i64, ClickMark)>,
}

/// A ledger row as far as tracking needs it, with the first-event times as they will be
/// after this batch.
#[derive(sqlx::FromRow)]
struct Recipient {
    id: i64,
    campaign_id: i64,
    contact_id: Option<i64>,
    submitted_at: Option<DateTime<Utc>>,
    first_open_at: Option<DateTime<Utc>>,
    first_human_open_at: Option<DateTime<Utc>>,
    first_click_at: Option<DateTime<Utc>>,
    first_human_click_at: Option<DateTime<Utc>>,
    #[sqlx(skip)]
    changed: bool,
}

/// A person's first open or click, for the contact's timeline.
#[derive(Default)]
struct ContactEvents {
    contact_id: Vec<i64>,
    kind: Vec<String>,
    campaign_id: Vec<i64>,
    link_index: Vec<Option<i32>>,
    at: Vec<DateTime<Utc>>,
}

/// Writes `events` in one transaction; nothing is written when an error is returned, so the
/// caller may simply try the same batch again.
pub(crate) async fn write_batch(
    pool: &PgPool,
    events: &[TrackedEvent],
    recent: &RecentClicks,
) -> Result<BatchOutcome, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut recipients = load_recipients(&mut tx, events).await?;
    let nearest_clicks = nearest_click_gaps(events, recent);

    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| (events[i].at, i));

    let mut outcome = BatchOutcome::default();
    let mut rows = CampaignEventRows::with_capacity(events.len());
    let mut timeline = ContactEvents::default();
    let mut activity: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for i in order {
        let ev = &events[i];
        let Some(r) = recipients.get_mut(&ev.delivery_id).filter(|r| r.campaign_id == ev.campaign_id) else {
            outcome.dropped += 1;
            continue;
        };
        let since_submit = r.submitted_at.map(|s| (ev.at - s).num_seconds());
        let machine = match ev.kind {
            EventKind::Open if ev.head => Some("head-request"),
            EventKind::Open => classify_open(&ev.user_agent, ev.ip, since_submit),
            EventKind::Click => {
                classify_click(&ev.user_agent, ev.ip, ev.head, since_submit, nearest_clicks.get(&i).copied())
            }
            EventKind::WebView => classify_click(&ev.user_agent, ev.ip, ev.head, since_submit, None),
        };
        let human = machine.is_none();
        let (first_any, first_human) = match ev.kind {
            EventKind::Open => {
                mark_first(&mut r.first_open_at, &mut r.first_human_open_at, &mut r.changed, ev.at, human)
            }
            EventKind::Click => {
                mark_first(&mut r.first_click_at, &mut r.first_human_click_at, &mut r.changed, ev.at, human)
            }
            EventKind::WebView => (false, false),
        };
        let link_index = if ev.kind == EventKind::Click { ev.link_index } else { None };
        rows.push(CampaignEventRow {
            occurred_at: ev.at,
            campaign_id: ev.campaign_id,
            delivery_id: ev.delivery_id,
            kind: ev.kind.as_str(),
            machine: !human,
            first_any,
            first_human,
            link_index,
            detail: machine.unwrap_or(""),
        });
        if ev.kind == EventKind::Click && !ev.head {
            outcome.clicks.push((ev.delivery_id, (ev.at, ev.link_index)));
        }
        if let (Some(contact_id), true) = (r.contact_id, human) {
            let last = activity.entry(contact_id).or_insert(ev.at);
            *last = (*last).max(ev.at);
            if let (true, Some(kind)) = (first_human, ev.kind.contact_event_kind()) {
                timeline.contact_id.push(contact_id);
                timeline.kind.push(kind.to_owned());
                timeline.campaign_id.push(ev.campaign_id);
                timeline.link_index.push(link_index);
                timeline.at.push(ev.at);
            }
        }
    }

    update_first_events(&mut tx, &recipients).await?;
    insert_campaign_events(&mut tx, &rows).await?;
    insert_timeline(&mut tx, &timeline).await?;
    update_last_activity(&mut tx, &activity).await?;
    tx.commit().await?;
    outcome.written = rows.len();
    Ok(outcome)
}

/// Records an event at `at` as first of its kind (any source) and first from a person when
/// the ledger has none yet; events are visited oldest first, so the earliest one wins.
fn mark_first(
    first_any: &mut Option<DateTime<Utc>>,
    first_human: &mut Option<DateTime<Utc>>,
    changed: &mut bool,
    at: DateTime<Utc>,
    human: bool,
) -> (bool, bool) {
    let any = first_any.is_none();
    if any {
        *first_any = Some(at);
        *changed = true;
    }
    let person = human && first_human.is_none();
    if person {
        *first_human = Some(at);
        *changed = true;
    }
    (any, person)
}

/// A click in a batch: when, which link, and its index in the batch.
type ClickAt = (DateTime<Utc>, Option<i32>, usize);

/// For each click (by index in `events`), the time in seconds to the nearest click of the
/// same recipient on another link: in this batch before or after it, or the last one of an
/// earlier batch. HEAD requests (machine anyway) and repeated clicks of one link (a person
/// double-clicking) do not count, so a person is never flagged for them.
fn nearest_click_gaps(events: &[TrackedEvent], recent: &RecentClicks) -> HashMap<usize, f64> {
    let mut by_delivery: HashMap<i64, Vec<ClickAt>> = HashMap::new();
    for (i, ev) in events.iter().enumerate().filter(|(_, ev)| ev.kind == EventKind::Click && !ev.head) {
        by_delivery.entry(ev.delivery_id).or_default().push((ev.at, ev.link_index, i));
    }
    let gap = |a: DateTime<Utc>, b: DateTime<Utc>| ((a - b).num_milliseconds().abs() as f64) / 1000.0;
    let mut out = HashMap::new();
    for (delivery_id, clicks) in by_delivery {
        let earlier = recent.get(delivery_id);
        for &(at, link, i) in &clicks {
            let in_batch = clicks.iter().filter(|c| c.1 != link).map(|c| c.0);
            let before = earlier.filter(|e| e.1 != link).map(|e| e.0);
            if let Some(nearest) = in_batch.chain(before).map(|t| gap(at, t)).reduce(f64::min) {
                out.insert(i, nearest);
            }
        }
    }
    out
}

/// The ledger rows the events name, locked in id order (a consistent order, so two writers
/// never deadlock on each other) until the batch commits.
async fn load_recipients(
    conn: &mut PgConnection,
    events: &[TrackedEvent],
) -> Result<HashMap<i64, Recipient>, sqlx::Error> {
    let mut ids: Vec<i64> = events.iter().map(|e| e.delivery_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<Recipient> = sqlx::query_as(
        "SELECT id, campaign_id, contact_id, submitted_at, first_open_at, first_human_open_at, first_click_at, \
             first_human_click_at \
         FROM delivery WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// Writes the new first-open and first-click times with one statement; COALESCE keeps a time
/// another process wrote first.
async fn update_first_events(conn: &mut PgConnection, recipients: &HashMap<i64, Recipient>) -> Result<(), sqlx::Error> {
    let mut changed: Vec<&Recipient> = recipients.values().filter(|r| r.changed).collect();
    if changed.is_empty() {
        return Ok(());
    }
    changed.sort_by_key(|r| r.id);
    let ids: Vec<i64> = changed.iter().map(|r| r.id).collect();
    let column = |f: fn(&Recipient) -> Option<DateTime<Utc>>| changed.iter().map(|&r| f(r)).collect::<Vec<_>>();
    let first_open = column(|r| r.first_open_at);
    let first_human_open = column(|r| r.first_human_open_at);
    let first_click = column(|r| r.first_click_at);
    let first_human_click = column(|r| r.first_human_click_at);
    sqlx::query(
        "UPDATE delivery d SET \
             first_open_at = COALESCE(d.first_open_at, u.fo), \
             first_human_open_at = COALESCE(d.first_human_open_at, u.fho), \
             first_click_at = COALESCE(d.first_click_at, u.fc), \
             first_human_click_at = COALESCE(d.first_human_click_at, u.fhc) \
         FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) \
             AS u(id, fo, fho, fc, fhc) \
         WHERE d.id = u.id",
    )
    .bind(&ids)
    .bind(&first_open)
    .bind(&first_human_open)
    .bind(&first_click)
    .bind(&first_human_click)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person's first open or click on the contact's timeline (the clicked URL as detail).
/// Contacts deleted since the send are skipped rather than failing the batch.
async fn insert_timeline(conn: &mut PgConnection, t: &ContactEvents) -> Result<(), sqlx::Error> {
    if t.contact_id.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO contact_event (contact_id, kind, campaign_id, detail, at) \
         SELECT u.contact_id, u.kind, u.campaign_id, COALESCE(l.url, ''), u.at \
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::integer[], $5::timestamptz[]) \
             AS u(contact_id, kind, campaign_id, link_index, at) \
         JOIN contact c ON c.id = u.contact_id \
         LEFT JOIN campaign_link l ON l.campaign_id = u.campaign_id AND l.idx = u.link_index",
    )
    .bind(&t.contact_id)
    .bind(&t.kind)
    .bind(&t.campaign_id)
    .bind(&t.link_index)
    .bind(&t.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves each contact's `last_activity_at` forward to its newest human event of the batch.
async fn update_last_activity(
    conn: &mut PgConnection,
    activity: &HashMap<i64, DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    if activity.is_empty() {
        return Ok(());
    }
    let mut pairs: Vec<(i64, DateTime<Utc>)> = activity.iter().map(|(&id, &at)| (id, at)).collect();
    pairs.sort_unstable_by_key(|p| p.0);
    let (ids, times): (Vec<i64>, Vec<DateTime<Utc>>) = pairs.into_iter().unzip();
    sqlx::query(
        "UPDATE contact c SET last_activity_at = GREATEST(c.last_activity_at, u.at) \
         FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, at) \
         WHERE c.id = u.id AND (c.last_activity_at IS NULL OR c.last_activity_at < u.at)",
    )
    .bind(&ids)
    .bind(&times)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn click(delivery_id: i64, link: i32, millis: i64) -> TrackedEvent {
        TrackedEvent {
            kind: EventKind::Click,
            campaign_id: 1,
            delivery_id,
            link_index: Some(link),
            at: Utc.timestamp_millis_opt(1_700_000_000_000 + millis).single().unwrap_or_default(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0".into(),
            ip: None,
            head: false,
        }
    }

    #[test]
    fn the_earliest_event_is_first_and_a_machine_is_never_first_human() {
        let t = |s: i64| Utc.timestamp_opt(1_700_000_000 + s, 0).single().unwrap_or_default();
        let (mut any, mut person, mut changed) = (None, None, false);
        assert_eq!(mark_first(&mut any, &mut person, &mut changed, t(1), false), (true, false));
        assert_eq!(mark_first(&mut any, &mut person, &mut changed, t(2), true), (false, true));
        assert_eq!(mark_first(&mut any, &mut person, &mut changed, t(3), true), (false, false));
        assert_eq!((any, person, changed), (Some(t(1)), Some(t(2)), true));
    }

    #[test]
    fn click_gaps_look_both_ways_and_into_the_previous_batch() {
        // Delivery 7: links 0, 1 and 2 at 0 ms, 300 ms and 5 s; delivery 8: one click, 0.5 s
        // after another link in a previous batch.
        let events = [click(7, 0, 0), click(7, 1, 300), click(7, 2, 5_000), click(8, 0, 1_000)];
        let mut recent = RecentClicks::default();
        recent.remember(&[(8, (events[3].at - chrono::TimeDelta::milliseconds(500), Some(3)))]);
        let gaps = nearest_click_gaps(&events, &recent);
        assert_eq!(gaps.get(&0), Some(&0.3));
        assert_eq!(gaps.get(&1), Some(&0.3));
        assert_eq!(gaps.get(&2), Some(&4.7));
        assert_eq!(gaps.get(&3), Some(&0.5));
    }

    #[test]
    fn double_clicks_lone_clicks_and_head_requests_have_no_gap() {
        let head = TrackedEvent { head: true, ..click(9, 1, 100) };
        let events = [click(9, 0, 0), click(9, 0, 200), head, click(10, 0, 0)];
        assert!(nearest_click_gaps(&events, &RecentClicks::default()).is_empty());
    }
}
