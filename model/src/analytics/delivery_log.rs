//! The campaign report's delivery log: one row per recipient with what the relay and the
//! receiving server said, and the failures grouped by reason and by recipient domain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The reason shown (and filtered on) for a failure no parser could classify.
pub const UNDETERMINED: &str = "undetermined";

/// The column the log is sorted by; the engine maps each to SQL through a whitelist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryLogSort {
    #[default]
    Id,
    Email,
    State,
    Provider,
    SmtpCode,
    Reason,
    SubmittedAt,
    ReportedAt,
    Delay,
}

impl DeliveryLogSort {
    /// Every sortable column.
    pub const ALL: [Self; 9] = [
        Self::Id,
        Self::Email,
        Self::State,
        Self::Provider,
        Self::SmtpCode,
        Self::Reason,
        Self::SubmittedAt,
        Self::ReportedAt,
        Self::Delay,
    ];

    /// The URL query value.
    pub fn key(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Email => "email",
            Self::State => "state",
            Self::Provider => "provider",
            Self::SmtpCode => "smtp_code",
            Self::Reason => "reason",
            Self::SubmittedAt => "submitted_at",
            Self::ReportedAt => "reported_at",
            Self::Delay => "delay",
        }
    }

    /// The query value back; anything unknown is the ledger order.
    pub fn parse(s: &str) -> Self {
        Self::ALL.into_iter().find(|k| k.key() == s).unwrap_or_default()
    }
}

/// What the delivery log shows: one campaign, optional filters, one sorted page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLogQuery {
    pub campaign_id: i64,
    /// A ledger state (`bounced`, `failed`…).
    pub state: Option<String>,
    /// A bounce reason (`userunknown`…) or [`UNDETERMINED`].
    pub reason: Option<String>,
    /// The recipient's domain.
    pub domain: Option<String>,
    /// Part of the address, the relay's reply or the diagnostic.
    pub search: String,
    pub sort: DeliveryLogSort,
    pub descending: bool,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// One recipient of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLogRow {
    pub id: i64,
    pub email: String,
    pub state: String,
    pub provider: String,
    /// The relay's answer to the submission.
    pub smtp_code: Option<i16>,
    pub smtp_status: Option<String>,
    pub smtp_reply: Option<String>,
    /// From the delivery status notification, when one came back.
    pub dsn_action: Option<String>,
    pub dsn_status: Option<String>,
    pub remote_mta: Option<String>,
    /// The receiving server's own words.
    pub diagnostic: Option<String>,
    pub bounce_class: Option<String>,
    pub bounce_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    /// Seconds from submission to the report.
    pub delay_seconds: Option<i64>,
}

impl DeliveryLogRow {
    /// Whether the row is a failure worth explaining (badge with a tooltip).
    pub fn is_failure(&self) -> bool {
        matches!(self.state.as_str(), "failed" | "bounced" | "complained" | "deferred")
    }

    /// The most precise status known: the DSN's, else the relay's enhanced code, else the
    /// relay's reply code.
    pub fn status(&self) -> String {
        self.dsn_status
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| self.smtp_status.clone().filter(|s| !s.is_empty()))
            .or_else(|| self.smtp_code.map(|c| c.to_string()))
            .unwrap_or_default()
    }

    /// The remote server's text: the DSN diagnostic, else the relay's reply.
    pub fn remote_text(&self) -> String {
        self.diagnostic.clone().filter(|s| !s.is_empty()).or_else(|| self.smtp_reply.clone()).unwrap_or_default()
    }
}

/// One page of the log and how many rows match in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLogPage {
    pub rows: Vec<DeliveryLogRow>,
    pub total: i64,
}

/// Failures of one class and reason, with one of the remote servers' texts as an example.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonGroup {
    /// hard | soft | complaint | … or the ledger state when no report classified it.
    pub class: String,
    pub reason: String,
    pub count: i64,
    pub example: String,
}

/// What happened at one recipient domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainGroup {
    pub domain: String,
    pub total: i64,
    pub delivered: i64,
    pub bounced: i64,
    pub failed: i64,
    pub complained: i64,
}
