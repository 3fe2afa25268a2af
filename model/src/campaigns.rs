//! Campaigns as the admin composes them and as the sending engine reports on them: shared
//! by the campaign pages (wasm) and the engine, so the editor validates with the same rules
//! the server applies and progress is shown in the engine's own terms.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::email::Document;

/// Where a campaign is in its life; only the engine moves it past `Draft`/`Scheduled`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    #[default]
    Draft,
    /// Starts by itself at `scheduled_at`.
    Scheduled,
    Sending,
    /// Stopped by the admin; resumes where it stopped.
    Paused,
    /// Stopped for good; recipients not yet sent to stay unsent.
    Cancelled,
    /// Every recipient has a final state.
    Finished,
}

impl CampaignStatus {
    /// The `campaign.status` column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Paused => "paused",
            Self::Cancelled => "cancelled",
            Self::Finished => "finished",
        }
    }

    /// Reads a column value; unknown text is treated as a draft (never sent by mistake).
    pub fn parse(s: &str) -> Self {
        match s {
            "scheduled" => Self::Scheduled,
            "sending" => Self::Sending,
            "paused" => Self::Paused,
            "cancelled" => Self::Cancelled,
            "finished" => Self::Finished,
            _ => Self::Draft,
        }
    }

    /// Content and audience can still change (after start the ledger is fixed).
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Scheduled)
    }

    /// Label shown in lists and badges.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Scheduled => "Scheduled",
            Self::Sending => "Sending",
            Self::Paused => "Paused",
            Self::Cancelled => "Cancelled",
            Self::Finished => "Finished",
        }
    }
}

/// Where one recipient's message is (the delivery ledger's state machine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Queued,
    /// Claimed by a worker, being submitted.
    Sending,
    /// The relay accepted it.
    Submitted,
    /// The relay answered 4xx; retried later.
    Deferred,
    /// The relay answered 5xx or attempts ran out.
    Failed,
    /// Never sent: suppressed or a duplicate address.
    Skipped,
    /// A delivery status notification says the receiving server accepted it.
    Delivered,
    Bounced,
    Complained,
}

impl DeliveryState {
    /// The `delivery.state` column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Submitted => "submitted",
            Self::Deferred => "deferred",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Delivered => "delivered",
            Self::Bounced => "bounced",
            Self::Complained => "complained",
        }
    }

    /// Reads a column value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "sending" => Self::Sending,
            "submitted" => Self::Submitted,
            "deferred" => Self::Deferred,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            "delivered" => Self::Delivered,
            "bounced" => Self::Bounced,
            "complained" => Self::Complained,
            _ => return None,
        })
    }

    /// Still owed a send attempt (a campaign cannot finish while any row is in one of these).
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::Sending | Self::Deferred)
    }
}

/// The mailbox provider behind a recipient's domain (per-provider limits and reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Gmail,
    Microsoft,
    Yahoo,
    Apple,
    Other,
}

impl Provider {
    /// Every provider, in the order reports list them.
    pub const ALL: [Provider; 5] = [Self::Gmail, Self::Microsoft, Self::Yahoo, Self::Apple, Self::Other];

    /// The `delivery.provider` column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gmail => "gmail",
            Self::Microsoft => "microsoft",
            Self::Yahoo => "yahoo",
            Self::Apple => "apple",
            Self::Other => "other",
        }
    }

    /// Reads a column value; anything unknown is `Other`.
    pub fn parse(s: &str) -> Self {
        match s {
            "gmail" => Self::Gmail,
            "microsoft" => Self::Microsoft,
            "yahoo" => Self::Yahoo,
            "apple" => Self::Apple,
            _ => Self::Other,
        }
    }

    /// Name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Gmail => "Gmail",
            Self::Microsoft => "Microsoft",
            Self::Yahoo => "Yahoo",
            Self::Apple => "Apple",
            Self::Other => "Other",
        }
    }
}

/// Who receives a campaign: members (subscribed) of any of the lists or matches of any of
/// the segments, minus members of the excluded lists and matches of the excluded segments.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceSpec {
    pub list_ids: Vec<i64>,
    pub segment_ids: Vec<i64>,
    pub exclude_list_ids: Vec<i64>,
    pub exclude_segment_ids: Vec<i64>,
}

impl AudienceSpec {
    /// Nothing chosen yet (a campaign cannot start without an audience).
    pub fn is_empty(&self) -> bool {
        self.list_ids.is_empty() && self.segment_ids.is_empty()
    }
}

/// What the campaign editor saves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignInput {
    pub name: String,
    pub from_name: String,
    /// An address on one of the server's mail domains.
    pub from_email: String,
    pub reply_to: String,
    /// May contain merge tags.
    pub subject: String,
    /// The inbox preview line after the subject; may contain merge tags.
    pub preheader: String,
    pub template_id: Option<i64>,
    /// The campaign's own copy of the content: exactly one of the two once chosen.
    pub document: Option<Document>,
    pub html: Option<String>,
    pub audience: AudienceSpec,
    pub track_opens: bool,
    pub track_clicks: bool,
    /// Messages per minute; 0 = as fast as the relay accepts.
    pub rate_per_minute: i32,
}

/// A campaign as the editor and the report show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub status: CampaignStatus,
    pub input: CampaignInput,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// IANA zone the schedule was chosen in, shown back to the admin.
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When sending started.
    pub sent_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why a sending campaign is not moving (relay down, warm-up cap), or empty.
    pub waiting_reason: String,
}

/// Recipients per ledger state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryCounts {
    pub queued: i64,
    pub sending: i64,
    pub submitted: i64,
    pub deferred: i64,
    pub failed: i64,
    pub skipped: i64,
    pub delivered: i64,
    pub bounced: i64,
    pub complained: i64,
}

impl DeliveryCounts {
    /// Every ledger row (recipients after de-duplication, skipped ones included).
    pub fn total(&self) -> i64 {
        self.queued
            + self.sending
            + self.submitted
            + self.deferred
            + self.failed
            + self.skipped
            + self.delivered
            + self.bounced
            + self.complained
    }

    /// Rows that will still be sent.
    pub fn remaining(&self) -> i64 {
        self.queued + self.sending + self.deferred
    }

    /// Rows handed to the relay (whatever happened after).
    pub fn sent(&self) -> i64 {
        self.submitted + self.delivered + self.bounced + self.complained
    }

    /// Adds `n` rows of `state`.
    pub fn add(&mut self, state: DeliveryState, n: i64) {
        let slot = match state {
            DeliveryState::Queued => &mut self.queued,
            DeliveryState::Sending => &mut self.sending,
            DeliveryState::Submitted => &mut self.submitted,
            DeliveryState::Deferred => &mut self.deferred,
            DeliveryState::Failed => &mut self.failed,
            DeliveryState::Skipped => &mut self.skipped,
            DeliveryState::Delivered => &mut self.delivered,
            DeliveryState::Bounced => &mut self.bounced,
            DeliveryState::Complained => &mut self.complained,
        };
        *slot += n;
    }
}

/// One line of the campaign list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub id: i64,
    pub name: String,
    pub subject: String,
    pub status: CampaignStatus,
    pub created_at: DateTime<Utc>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub counts: DeliveryCounts,
}

/// The live progress of a sending campaign (pushed over SSE about once a second).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignProgress {
    pub id: i64,
    pub status: CampaignStatus,
    pub counts: DeliveryCounts,
    /// Messages submitted in the last minute.
    pub rate_per_minute: i64,
    /// The admin's target (0 = unlimited).
    pub target_rate_per_minute: i32,
    /// Estimated seconds until every pending recipient is sent, at the current rate.
    pub eta_seconds: Option<i64>,
    pub waiting_reason: String,
}

impl CampaignProgress {
    /// The estimate shown beside the progress bar: remaining work at the current rate.
    pub fn estimate(remaining: i64, rate_per_minute: i64) -> Option<i64> {
        if remaining == 0 {
            return Some(0);
        }
        (rate_per_minute > 0).then(|| (remaining * 60 + rate_per_minute - 1) / rate_per_minute)
    }
}

/// Recipients the campaign editor shows while the audience is chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientCount {
    /// Contacts the audience selects.
    pub matching: i64,
    /// Of those, not suppressed for every list (what will be sent, before per-list
    /// suppressions and duplicates).
    pub sendable: i64,
}

/// Verdict of one preflight check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreflightStatus {
    Pass,
    /// Worth fixing, does not block the send.
    Warn,
    /// Blocks the send until fixed.
    Fail,
    /// Could not be checked (e.g. Rspamd not reachable).
    Skipped,
}

/// A rule Rspamd's scan matched, with its weight, so the admin sees why the score is high.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpamSymbol {
    pub name: String,
    pub score: f64,
    pub description: String,
}

/// One line of the preflight list shown before a campaign is sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreflightCheck {
    /// Stable key for tests and links (`sender_domain`, `dkim`, `spf`, `dmarc`, `unsubscribe`,
    /// `list_unsubscribe`, `size`, `links`, `merge_fields`, `spam_score`, `audience`, …).
    pub key: String,
    pub label: String,
    pub status: PreflightStatus,
    /// What was found, and what to do about it when it is not a pass.
    pub detail: String,
    /// The Rspamd symbols that fired (spam score check only), highest score first.
    pub symbols: Vec<SpamSymbol>,
}

/// Everything the preflight step shows: the checks, the audience size and the message as
/// the first recipient will get it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preflight {
    pub checks: Vec<PreflightCheck>,
    pub recipients: RecipientCount,
    pub sample_subject: String,
    /// The HTML as a sample recipient gets it (shown in a sandboxed iframe).
    pub sample_html: String,
    /// Size of the HTML part in bytes (Gmail clips above 102 KB).
    pub html_bytes: usize,
}

impl Preflight {
    /// A failed check blocks the send.
    pub fn blocked(&self) -> bool {
        self.checks.iter().any(|c| c.status == PreflightStatus::Fail)
    }
}

/// What happened to one address of a test send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSendResult {
    pub address: String,
    pub accepted: bool,
    /// The relay's reply, or why nothing was sent.
    pub reply: String,
}

/// How the connection to a relay is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelaySecurity {
    /// Plain SMTP (the bundled Postfix on the private network).
    #[default]
    None,
    /// STARTTLS on a submission port (587).
    StartTls,
    /// TLS from the first byte (465).
    Tls,
}

impl RelaySecurity {
    /// The `sending_relay.security` column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::StartTls => "start_tls",
            Self::Tls => "tls",
        }
    }

    /// Reads a column value; unknown text is plain SMTP.
    pub fn parse(s: &str) -> Self {
        match s {
            "start_tls" => Self::StartTls,
            "tls" => Self::Tls,
            _ => Self::None,
        }
    }
}

/// An external relay (smarthost) a sender domain's campaigns go through instead of the
/// bundled Postfix: SES, Mailgun, a company relay…
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayConfig {
    pub host: String,
    pub port: u16,
    pub security: RelaySecurity,
    /// Empty = no login.
    pub username: String,
    /// Write-only: never sent back to the browser; empty on save keeps the stored one.
    pub password: String,
    /// Whether a password is stored (the form shows "stored; leave empty to keep").
    pub has_password: bool,
    /// Parallel connections per sending campaign and process.
    pub max_connections: i32,
}

/// A new domain's growing daily cap: day N of the plan allows `daily_caps[N]` messages,
/// the last cap once the plan is over.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarmupPlan {
    pub started_on: chrono::NaiveDate,
    pub daily_caps: Vec<i32>,
    pub enabled: bool,
}

impl WarmupPlan {
    /// The cap of `day` (None before the plan starts or when disabled: no cap).
    pub fn cap_on(&self, day: chrono::NaiveDate) -> Option<i32> {
        if !self.enabled || day < self.started_on {
            return None;
        }
        let n = usize::try_from((day - self.started_on).num_days()).ok()?;
        self.daily_caps.get(n).or(self.daily_caps.last()).copied()
    }

    /// A common schedule: 50 on the first day, doubling to 100,000 over about two weeks.
    pub fn standard(started_on: chrono::NaiveDate) -> Self {
        let mut caps = Vec::new();
        let mut cap = 50;
        while cap < 100_000 {
            caps.push(cap);
            cap *= 2;
        }
        caps.push(100_000);
        Self { started_on, daily_caps: caps, enabled: true }
    }
}

/// One sender domain's sending set-up, as the Sending settings page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSending {
    pub domain: String,
    /// `None` = the bundled Postfix.
    pub relay: Option<RelayConfig>,
    pub warmup: Option<WarmupPlan>,
    /// Messages submitted today (UTC) from this domain, against the warm-up cap.
    pub sent_today: i64,
}

/// A per-provider speed limit across all campaigns (0 = none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLimit {
    pub provider: Provider,
    pub per_minute: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_states_round_trip_through_their_column_values() {
        for s in [
            CampaignStatus::Draft,
            CampaignStatus::Scheduled,
            CampaignStatus::Sending,
            CampaignStatus::Paused,
            CampaignStatus::Cancelled,
            CampaignStatus::Finished,
        ] {
            assert_eq!(CampaignStatus::parse(s.as_str()), s);
        }
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()), p);
        }
        assert_eq!(DeliveryState::parse("delivered"), Some(DeliveryState::Delivered));
        assert_eq!(DeliveryState::parse("nonsense"), None);
    }

    #[test]
    fn counts_split_into_sent_remaining_and_total() {
        let mut c = DeliveryCounts::default();
        c.add(DeliveryState::Queued, 5);
        c.add(DeliveryState::Deferred, 1);
        c.add(DeliveryState::Submitted, 3);
        c.add(DeliveryState::Delivered, 2);
        c.add(DeliveryState::Skipped, 4);
        assert_eq!((c.total(), c.remaining(), c.sent()), (15, 6, 5));
    }

    #[test]
    fn warm_up_caps_grow_by_day_and_stay_at_the_last() {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let plan = WarmupPlan { started_on: start, daily_caps: vec![50, 100, 200], enabled: true };
        assert_eq!(plan.cap_on(start - chrono::Days::new(1)), None);
        assert_eq!(plan.cap_on(start), Some(50));
        assert_eq!(plan.cap_on(start + chrono::Days::new(2)), Some(200));
        assert_eq!(plan.cap_on(start + chrono::Days::new(30)), Some(200));
        assert_eq!(WarmupPlan { enabled: false, ..plan }.cap_on(start), None);
        let standard = WarmupPlan::standard(start);
        assert_eq!((standard.daily_caps[0], standard.daily_caps.last().copied()), (50, Some(100_000)));
    }

    #[test]
    fn estimate_is_unknown_without_a_rate_and_zero_when_done() {
        assert_eq!(CampaignProgress::estimate(0, 0), Some(0));
        assert_eq!(CampaignProgress::estimate(100, 0), None);
        assert_eq!(CampaignProgress::estimate(100, 60), Some(100));
        assert_eq!(CampaignProgress::estimate(1, 120), Some(1));
    }
}
