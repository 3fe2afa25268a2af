//! Mail domains: what the mail server accepts mail for, with its limits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One domain in the Domains table, with usage figures beside its limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailDomain {
    pub id: i64,
    /// ASCII (punycode) name, what DNS and the daemons use.
    pub name: String,
    /// The same name in Unicode, what people read.
    pub display_name: String,
    pub description: String,
    pub active: bool,
    /// 0 = no limit.
    pub max_mailboxes: i32,
    /// Quota a new mailbox gets unless told otherwise; 0 = no limit.
    pub default_quota_bytes: i64,
    /// Upper bound on the sum of the domain's mailbox quotas; 0 = no limit.
    pub total_quota_bytes: i64,
    pub catch_all: Option<String>,
    pub mailbox_count: i64,
    pub alias_count: i64,
    /// Sum of the quotas given to its mailboxes.
    pub allocated_quota_bytes: i64,
    /// What its mailboxes hold, as Dovecot last reported.
    pub used_bytes: i64,
    pub dkim_selector: Option<String>,
    /// The DKIM TXT record to publish at `<selector>._domainkey.<name>`.
    pub dkim_record: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What the domain form sends. On edit, `name` must match the stored domain (renaming a
/// domain would orphan every mailbox path and DNS record, so it is not offered).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInput {
    pub name: String,
    pub description: String,
    pub active: bool,
    pub max_mailboxes: i32,
    pub default_quota_bytes: i64,
    pub total_quota_bytes: i64,
    /// Empty or `None` = no catch-all.
    pub catch_all: Option<String>,
}

impl Default for DomainInput {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            active: true,
            max_mailboxes: 0,
            default_quota_bytes: 1024 * 1024 * 1024,
            total_quota_bytes: 0,
            catch_all: None,
        }
    }
}
