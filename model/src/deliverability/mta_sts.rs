//! MTA-STS (RFC 8461): the `_mta-sts` TXT record and the policy file served at
//! `https://mta-sts.<domain>/.well-known/mta-sts.txt`, which together ask senders to deliver to
//! our MX hosts over verified TLS only.
//!
//! The server writes the policy file from [`StsPolicy::to_text`] and the DNS checks compare
//! what is published against it, so both directions live here.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{split_tag, starts_with_version, tag_segments};

/// The longest `max_age` RFC 8461 allows (about one year, in seconds); senders cap it there.
pub const MAX_POLICY_AGE: u32 = 31_557_600;

/// Why an MTA-STS record or policy file is unusable; shown to the admin as is.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum StsError {
    /// The TXT record does not start with `v=STSv1`.
    #[error("this is not an MTA-STS record: it must start with `v=STSv1`")]
    NotSts,
    /// The TXT record has no `id=` tag.
    #[error("the `id=` tag is required; change it whenever the policy changes")]
    MissingId,
    /// An `id=` that is not 1 to 32 letters and digits.
    #[error("`id={0}` must be 1 to 32 letters and digits")]
    InvalidId(String),
    /// A segment of the TXT record that is not `name=value`.
    #[error("`{0}` is not a name=value tag")]
    MalformedTag(String),
    /// A line of the policy file that is not `name: value`.
    #[error("`{0}` is not a `name: value` line")]
    MalformedLine(String),
    /// A tag or policy field that may appear once appears again.
    #[error("`{0}` may appear only once")]
    Duplicate(String),
    /// A required policy field (`version`, `mode` or `max_age`) is absent.
    #[error("the policy needs a `{0}:` line")]
    MissingField(String),
    /// A policy `version` other than `STSv1`.
    #[error("`version: {0}` is not supported: use STSv1")]
    UnsupportedVersion(String),
    /// A policy `mode` other than enforce, testing or none.
    #[error("`mode: {0}` is not an MTA-STS mode: use enforce, testing or none")]
    UnknownMode(String),
    /// A `max_age` that is not a number of seconds up to [`MAX_POLICY_AGE`].
    #[error("`max_age: {0}` must be a whole number of seconds, at most 31557600 (one year)")]
    InvalidMaxAge(String),
    /// An `mx` line that is neither a host name nor a `*.` wildcard.
    #[error("`mx: {0}` must be a host name like mail.example.com or a wildcard like *.example.com")]
    InvalidMx(String),
    /// A policy in `enforce` or `testing` mode without any `mx` line, which no MX can satisfy.
    #[error("a policy in enforce or testing mode needs at least one `mx:` line")]
    MissingMx,
}

/// The `_mta-sts.<domain>` TXT record; senders refetch the policy when its `id` changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsRecord {
    /// Opaque policy version: 1 to 32 letters and digits.
    pub id: String,
}

/// Whether a TXT record claims to be MTA-STS (`v=STSv1` first); used to pick it out of the
/// TXT records at `_mta-sts.<domain>` before parsing it.
pub fn is_sts(txt: &str) -> bool {
    starts_with_version(txt, "STSv1")
}

impl StsRecord {
    /// Parses the text of a TXT record; unknown extension tags are ignored, as RFC 8461 says.
    pub fn parse(txt: &str) -> Result<Self, StsError> {
        if !is_sts(txt) {
            return Err(StsError::NotSts);
        }
        let mut id = None;
        for segment in tag_segments(txt).skip(1) {
            let (name, value) = split_tag(segment).ok_or_else(|| StsError::MalformedTag(segment.to_owned()))?;
            match name.as_str() {
                "v" => return Err(StsError::Duplicate("v".to_owned())),
                "id" if value.is_empty() || value.len() > 32 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                    return Err(StsError::InvalidId(value.to_owned()));
                }
                "id" => set_once(&mut id, "id", value.to_owned())?,
                _ => {}
            }
        }
        Ok(Self { id: id.ok_or(StsError::MissingId)? })
    }

    /// The canonical record text, ready to publish.
    pub fn to_txt(&self) -> String {
        format!("v=STSv1; id={}", self.id)
    }
}

/// How senders treat a failed TLS check against the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StsMode {
    /// Refuse to deliver over a connection that fails the policy.
    Enforce,
    /// Deliver anyway but report the failure (TLS-RPT); the safe first step.
    Testing,
    /// No policy: senders forget any cached one.
    None,
}

impl StsMode {
    /// The value as written in the policy file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Testing => "testing",
            Self::None => "none",
        }
    }
}

impl fmt::Display for StsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The policy file body: which MX hosts senders may deliver to, and for how long to cache it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StsPolicy {
    /// What senders do when TLS to an MX fails the policy.
    pub mode: StsMode,
    /// Allowed MX host names or `*.` wildcards, in the order written.
    pub mx: Vec<String>,
    /// Seconds senders may cache the policy.
    pub max_age: u32,
}

impl StsPolicy {
    /// The exact file body to serve, with the CRLF line endings RFC 8461 specifies.
    pub fn to_text(&self) -> String {
        let mut lines = vec!["version: STSv1".to_owned(), format!("mode: {}", self.mode)];
        lines.extend(self.mx.iter().map(|mx| format!("mx: {mx}")));
        lines.push(format!("max_age: {}", self.max_age));
        lines.iter().map(|line| format!("{line}\r\n")).collect()
    }

    /// Parses a policy file as fetched (LF or CRLF line endings); unknown fields are ignored.
    pub fn parse(text: &str) -> Result<Self, StsError> {
        let (mut version, mut mode, mut max_age) = (None, None, None);
        let mut mx = Vec::new();
        for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
            let (name, value) = line.split_once(':').ok_or_else(|| StsError::MalformedLine(line.to_owned()))?;
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "version" if value != "STSv1" => return Err(StsError::UnsupportedVersion(value.to_owned())),
                "version" => set_once(&mut version, "version", ())?,
                "mode" => set_once(&mut mode, "mode", parse_mode(value)?)?,
                "max_age" => set_once(&mut max_age, "max_age", parse_max_age(value)?)?,
                "mx" if is_mx_pattern(value) => mx.push(value.to_ascii_lowercase()),
                "mx" => return Err(StsError::InvalidMx(value.to_owned())),
                _ => {}
            }
        }
        if version.is_none() {
            return Err(StsError::MissingField("version".to_owned()));
        }
        let mode = mode.ok_or_else(|| StsError::MissingField("mode".to_owned()))?;
        let max_age = max_age.ok_or_else(|| StsError::MissingField("max_age".to_owned()))?;
        if mx.is_empty() && mode != StsMode::None {
            return Err(StsError::MissingMx);
        }
        Ok(Self { mode, mx, max_age })
    }
}

/// Whether an MX host name is allowed by a policy `mx` pattern: equal ignoring case and a
/// trailing dot, or `*.example.com` matching exactly one extra label (`mx1.example.com`).
pub fn mx_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.trim_end_matches('.'), host.trim_end_matches('.'));
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest.eq_ignore_ascii_case(suffix))
        }
        None => host.eq_ignore_ascii_case(pattern),
    }
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), StsError> {
    match slot.replace(value) {
        Some(_) => Err(StsError::Duplicate(name.to_owned())),
        None => Ok(()),
    }
}

fn parse_mode(value: &str) -> Result<StsMode, StsError> {
    [StsMode::Enforce, StsMode::Testing, StsMode::None]
        .into_iter()
        .find(|mode| mode.as_str() == value)
        .ok_or_else(|| StsError::UnknownMode(value.to_owned()))
}

fn parse_max_age(value: &str) -> Result<u32, StsError> {
    Some(value)
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|age| *age <= MAX_POLICY_AGE)
        .ok_or_else(|| StsError::InvalidMaxAge(value.to_owned()))
}

/// A host name of letters, digits, hyphens and dots, optionally behind a leading `*.`.
fn is_mx_pattern(value: &str) -> bool {
    let host = value.strip_prefix("*.").unwrap_or(value);
    !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> StsPolicy {
        StsPolicy { mode: StsMode::Enforce, mx: vec!["mail.example.com".into()], max_age: 604_800 }
    }

    #[test]
    fn record_parses_id_and_ignores_extensions() {
        let record = StsRecord::parse("v=STSv1; id=20240131T120000; ext=1;").expect("valid");
        assert_eq!(record.id, "20240131T120000");
        assert_eq!(record.to_txt(), "v=STSv1; id=20240131T120000");
        assert_eq!(StsRecord::parse(&record.to_txt()), Ok(record));
        assert!(is_sts("v=STSv1;id=1"));
        assert!(!is_sts("id=1; v=STSv1"));
    }

    #[test]
    fn record_errors_are_typed() {
        assert_eq!(StsRecord::parse("id=1; v=STSv1"), Err(StsError::NotSts));
        assert_eq!(StsRecord::parse("v=STSv1"), Err(StsError::MissingId));
        assert_eq!(StsRecord::parse("v=STSv1; id=2024-01-31"), Err(StsError::InvalidId("2024-01-31".into())));
        assert_eq!(StsRecord::parse("v=STSv1; id="), Err(StsError::InvalidId(String::new())));
        assert_eq!(
            StsRecord::parse(&format!("v=STSv1; id={}", "a".repeat(33))),
            Err(StsError::InvalidId("a".repeat(33)))
        );
        assert_eq!(StsRecord::parse("v=STSv1; id=1; id=2"), Err(StsError::Duplicate("id".into())));
        assert_eq!(StsRecord::parse("v=STSv1; id=1; v=STSv1"), Err(StsError::Duplicate("v".into())));
        assert_eq!(StsRecord::parse("v=STSv1; id"), Err(StsError::MalformedTag("id".into())));
    }

    #[test]
    fn policy_text_is_exact_with_crlf() {
        assert_eq!(
            policy().to_text(),
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
        );
    }

    #[test]
    fn policy_parses_lf_and_crlf_alike() {
        assert_eq!(StsPolicy::parse(&policy().to_text()), Ok(policy()));
        let lf = "version: STSv1\nmode: testing\nmx: mail.example.com\nmx: *.backup.example.net\nmax_age:86400\nx: y\n";
        let parsed = StsPolicy::parse(lf).expect("valid");
        assert_eq!(parsed.mode, StsMode::Testing);
        assert_eq!(parsed.mx, ["mail.example.com", "*.backup.example.net"]);
        assert_eq!(parsed.max_age, 86_400);
        let none = StsPolicy::parse("version: STSv1\nmode: none\nmax_age: 86400").expect("mode none needs no mx");
        assert!(none.mx.is_empty());
    }

    #[test]
    fn policy_errors_name_the_field() {
        let err = |text: &str| StsPolicy::parse(text).expect_err(text);
        assert_eq!(err("mode: enforce\nmx: a.example\nmax_age: 1"), StsError::MissingField("version".into()));
        assert_eq!(err("version: STSv2\nmode: enforce"), StsError::UnsupportedVersion("STSv2".into()));
        assert_eq!(err("version: STSv1\nmode: strict"), StsError::UnknownMode("strict".into()));
        assert_eq!(err("version: STSv1\nmode: none\nmax_age: -1"), StsError::InvalidMaxAge("-1".into()));
        assert_eq!(err("version: STSv1\nmode: none\nmax_age: 31557601"), StsError::InvalidMaxAge("31557601".into()));
        assert_eq!(err("version: STSv1\nmode: none\nmode: none"), StsError::Duplicate("mode".into()));
        assert_eq!(err("version: STSv1\nmode: enforce\nmax_age: 1"), StsError::MissingMx);
        assert_eq!(err("version: STSv1\nmode: enforce\nmx: mail example"), StsError::InvalidMx("mail example".into()));
        assert_eq!(err("version: STSv1\nmode enforce"), StsError::MalformedLine("mode enforce".into()));
        assert_eq!(err("version: STSv1\nmx: a.example\nmax_age: 1"), StsError::MissingField("mode".into()));
    }

    #[test]
    fn wildcard_matches_exactly_one_left_label() {
        assert!(mx_matches("mail.example.com", "MAIL.example.com."));
        assert!(!mx_matches("mail.example.com", "mail2.example.com"));
        assert!(mx_matches("*.example.com", "mx1.example.com"));
        assert!(!mx_matches("*.example.com", "example.com"));
        assert!(!mx_matches("*.example.com", "a.mx1.example.com"));
        assert!(!mx_matches("*.example.com", ".example.com"));
    }
}
