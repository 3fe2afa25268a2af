//! Blocklist (DNSBL) scans as the admin sees them: which lists are queried, what each scan
//! found, and the listings that are open now.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One blocklist the scan may query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocklist {
    pub zone: String,
    pub name: String,
    /// `ip` lists are keyed by reversed addresses, `domain` lists by names.
    pub kind: String,
    pub delist_url: String,
    /// Consulted by the big mailbox providers: a listing here hurts most.
    pub major: bool,
    pub enabled: bool,
    /// From the curated catalog (can be disabled, not deleted).
    pub builtin: bool,
}

/// A blocklist the admin adds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlocklistInput {
    pub zone: String,
    pub name: String,
    pub kind: String,
    pub delist_url: String,
}

/// One run over every target and enabled list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsblScan {
    pub id: i64,
    /// `schedule` or `manual`.
    pub trigger: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub targets: i32,
    pub queries: i32,
    pub listed: i32,
    pub errors: i32,
    pub duration_ms: Option<i32>,
}

/// A target found on a list: open while `delisted_at` is `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsblListing {
    pub target: String,
    pub zone: String,
    pub list_name: String,
    pub delist_url: String,
    pub major: bool,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub delisted_at: Option<DateTime<Utc>>,
    /// The A answer, e.g. `127.0.0.2`.
    pub answer: String,
    /// The list's TXT explanation, when it gives one.
    pub reason: String,
}

/// A query the last scan could not answer (timeout, SERVFAIL…): not "clean", not "listed".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsblError {
    pub target: String,
    pub zone: String,
    pub error: String,
}

/// The Blacklist page: lists, the targets scanned, open listings, recent scans and history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsblOverview {
    /// Sending IPs and domains the scan checks.
    pub targets: Vec<String>,
    pub lists: Vec<Blocklist>,
    pub open: Vec<DnsblListing>,
    /// Listings that ended, newest first.
    pub history: Vec<DnsblListing>,
    pub scans: Vec<DnsblScan>,
    /// Unanswered queries of the latest finished scan.
    pub last_errors: Vec<DnsblError>,
    pub running: bool,
}
