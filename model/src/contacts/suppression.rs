//! The suppression list: addresses that are never sent to, and why.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why an address is suppressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    Manual,
    Unsubscribe,
    HardBounce,
    Complaint,
    Import,
    InvalidDomain,
}

impl SuppressionReason {
    pub const ALL: [SuppressionReason; 6] =
        [Self::Manual, Self::Unsubscribe, Self::HardBounce, Self::Complaint, Self::Import, Self::InvalidDomain];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Unsubscribe => "unsubscribe",
            Self::HardBounce => "hard_bounce",
            Self::Complaint => "complaint",
            Self::Import => "import",
            Self::InvalidDomain => "invalid_domain",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Manual => "Added by hand",
            Self::Unsubscribe => "Unsubscribed",
            Self::HardBounce => "Hard bounce",
            Self::Complaint => "Spam complaint",
            Self::Import => "Imported",
            Self::InvalidDomain => "Domain cannot receive mail",
        }
    }
}

/// One suppressed address; `list_id` None means every list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub id: i64,
    pub email: String,
    pub list_id: Option<i64>,
    pub list_name: Option<String>,
    pub reason: SuppressionReason,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// The suppression table's filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionFilter {
    pub search: String,
    /// `Some(None)` = global only, `Some(Some(id))` = that list only, `None` = all.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present_option")]
    pub scope: Option<Option<i64>>,
    pub reason: Option<SuppressionReason>,
}

/// Reads a present field (even `null`) as `Some`, so "global only" (`Some(None)`) survives
/// the JSON round trip instead of collapsing into "all" (`None`, field absent).
fn present_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// What a domain scan found for a domain of the audience.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainVerdict {
    Ok,
    /// No MX and no address record: mail cannot be delivered.
    NoMx,
    /// RFC 7505 "null MX": the domain says it accepts no mail.
    NullMx,
    NxDomain,
    /// The lookup failed (timeout, SERVFAIL); nothing is concluded.
    Unknown,
}

impl DomainVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::NoMx => "no_mx",
            Self::NullMx => "null_mx",
            Self::NxDomain => "nxdomain",
            Self::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "ok" => Self::Ok,
            "no_mx" => Self::NoMx,
            "null_mx" => Self::NullMx,
            "nxdomain" => Self::NxDomain,
            _ => Self::Unknown,
        }
    }
    /// Mail to this domain cannot be delivered.
    pub fn is_invalid(self) -> bool {
        matches!(self, Self::NoMx | Self::NullMx | Self::NxDomain)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "Accepts mail",
            Self::NoMx => "No MX or address record",
            Self::NullMx => "Null MX: accepts no mail",
            Self::NxDomain => "Domain does not exist",
            Self::Unknown => "Could not check",
        }
    }
}

/// A domain of the audience that cannot receive mail, with how many contacts use it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidDomain {
    pub domain: String,
    pub verdict: DomainVerdict,
    pub detail: String,
    pub contacts: i64,
    pub checked_at: DateTime<Utc>,
}

/// What to do with the contacts of invalid domains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidDomainAction {
    Suppress,
    Tag,
    Delete,
}

/// The addresses of a pasted block (one per line, or separated by commas, semicolons or
/// spaces), in order, without empty pieces; the form and the server split the same way.
pub fn split_addresses(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What adding or importing suppressions did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionAdded {
    pub added: i64,
    pub already: i64,
    /// Refused entries with the reason.
    pub invalid: Vec<(String, String)>,
}

/// What a scan of the audience's domains found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub domains_checked: i64,
    pub invalid: i64,
    pub unknown: i64,
}

#[cfg(test)]
mod tests {
    use super::split_addresses;

    #[test]
    fn pasted_addresses_split_on_lines_commas_and_spaces() {
        assert_eq!(
            split_addresses("a@x.org, b@y.org\n\nc@z.org;d@w.org  e@v.org\r\n"),
            vec!["a@x.org", "b@y.org", "c@z.org", "d@w.org", "e@v.org"]
        );
        assert!(split_addresses(" \n, ").is_empty());
    }
}
