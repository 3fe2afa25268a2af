//! Mailboxes: a login (IMAP, POP3, SMTP submission, webmail) and a place mail is stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One mailbox in the Mailboxes table. The password hash never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    pub id: i64,
    /// ASCII address (the login name).
    pub address: String,
    /// The address with its domain in Unicode.
    pub display_address: String,
    pub domain: String,
    pub display_name: String,
    /// 0 = no limit.
    pub quota_bytes: i64,
    /// As Dovecot last reported; 0 before the first delivery.
    pub used_bytes: i64,
    pub messages: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

/// What the mailbox form sends. On create `password` is required; on edit `None` keeps the
/// current one. `quota_bytes: None` takes the domain's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxInput {
    pub address: String,
    pub display_name: String,
    pub quota_bytes: Option<i64>,
    pub active: bool,
    pub password: Option<String>,
}

/// Search and domain filter of the Mailboxes table (both optional in a URL query).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailboxFilter {
    /// Substring of the address or display name.
    pub search: String,
    /// ASCII domain name; empty = all domains.
    pub domain: String,
}

/// "Create `prefix1`…`prefixN` in a domain", for classrooms, events and shared desks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCreate {
    pub domain: String,
    pub prefix: String,
    pub start: u32,
    pub count: u32,
    pub quota_bytes: Option<i64>,
}

/// The most mailboxes one batch may create.
pub const MAX_BATCH: u32 = 1000;

/// A mailbox made by a batch or an import with a generated password. The password is shown
/// to the admin once, in this response, and is stored only as a hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedMailbox {
    pub address: String,
    pub password: String,
}

/// Why one CSV line was not imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowError {
    /// 1-based line number in the file, header included.
    pub line: u64,
    pub address: String,
    pub reason: String,
}

/// Outcome of a mailbox CSV import: good rows are kept even when others are bad.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: Vec<CreatedMailbox>,
    pub updated: u64,
    pub errors: Vec<ImportRowError>,
}
