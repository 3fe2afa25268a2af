//! DMARC records (RFC 7489): what receivers do with mail that fails SPF and DKIM alignment,
//! and where they send reports about it.
//!
//! Parsed so the admin pages can show the policy in force, check a record before it is
//! published and build the recommended one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{is_mailto, split_tag, starts_with_version, tag_segments};

/// The report interval receivers assume when `ri=` is absent: one day, in seconds.
const DEFAULT_REPORT_INTERVAL: u32 = 86_400;

/// Why a TXT record is not a usable DMARC record; shown to the admin as is.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum DmarcError {
    /// The first tag is not `v=DMARC1`, so receivers ignore the record.
    #[error("this is not a DMARC record: it must start with `v=DMARC1`")]
    NotDmarc,
    /// The required `p=` tag is absent.
    #[error("the `p=` tag (the policy: none, quarantine or reject) is required")]
    MissingPolicy,
    /// A `p=` or `sp=` value other than none, quarantine or reject.
    #[error("`{0}` is not a DMARC policy: use none, quarantine or reject")]
    UnknownPolicy(String),
    /// A `pct=` value that is not a whole number from 0 to 100.
    #[error("`pct={0}` must be a whole number from 0 to 100")]
    InvalidPercent(String),
    /// A `ri=` value that is not a whole number of seconds.
    #[error("`ri={0}` must be a whole number of seconds")]
    InvalidInterval(String),
    /// An `adkim=` or `aspf=` value other than r or s.
    #[error("`{0}` must be r (relaxed) or s (strict)")]
    InvalidAlignment(String),
    /// An `fo=` value that is not a `:`-separated list of 0, 1, d and s.
    #[error("`fo={0}` must list failure options 0, 1, d or s, separated by colons")]
    InvalidFailureOptions(String),
    /// A `rua=` or `ruf=` entry that is not a `mailto:` address.
    #[error("`{uri}` in `{tag}=` must be a mailto: address, like mailto:dmarc@example.com")]
    InvalidReportUri { tag: String, uri: String },
    /// The same tag given twice, which makes the record ambiguous.
    #[error("the `{0}=` tag may appear only once")]
    DuplicateTag(String),
    /// A segment between semicolons that is not `name=value`.
    #[error("`{0}` is not a name=value tag")]
    MalformedTag(String),
}

/// What receivers should do with mail that fails DMARC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmarcPolicy {
    /// Deliver as usual; only report. The safe first step.
    None,
    /// Deliver to spam.
    Quarantine,
    /// Refuse during the SMTP session.
    Reject,
}

impl DmarcPolicy {
    /// The value as written in the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Quarantine => "quarantine",
            Self::Reject => "reject",
        }
    }
}

impl fmt::Display for DmarcPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DmarcPolicy {
    type Err = DmarcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::None, Self::Quarantine, Self::Reject]
            .into_iter()
            .find(|policy| s.trim().eq_ignore_ascii_case(policy.as_str()))
            .ok_or_else(|| DmarcError::UnknownPolicy(s.to_owned()))
    }
}

/// How closely the SPF or DKIM domain must match the From domain to count as aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    /// `r` (the default): the same organisational domain is enough.
    Relaxed,
    /// `s`: the domains must be identical.
    Strict,
}

/// A parsed DMARC record; absent optional tags hold the defaults RFC 7489 gives them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarcRecord {
    /// `p=`: the policy for the domain itself.
    pub policy: DmarcPolicy,
    /// `sp=`: the policy for subdomains; `None` means the same as `policy`.
    pub subdomain_policy: Option<DmarcPolicy>,
    /// `pct=`: the share of failing mail the policy applies to (default 100).
    pub percent: u8,
    /// `rua=`: where aggregate reports go, as `mailto:` URIs without size limits.
    pub rua: Vec<String>,
    /// `ruf=`: where failure reports go, as `mailto:` URIs without size limits.
    pub ruf: Vec<String>,
    /// `adkim=`: DKIM alignment mode (default relaxed).
    pub adkim: Alignment,
    /// `aspf=`: SPF alignment mode (default relaxed).
    pub aspf: Alignment,
    /// `fo=`: when failure reports are wanted (default `0`).
    pub failure_options: String,
    /// `ri=`: requested seconds between aggregate reports (default 86400).
    pub report_interval: u32,
}

/// Whether a TXT record claims to be DMARC (`v=DMARC1` first); used to pick it out of the
/// TXT records at `_dmarc.<domain>` before parsing it.
pub fn is_dmarc(txt: &str) -> bool {
    starts_with_version(txt, "DMARC1")
}

impl DmarcRecord {
    /// Parses the text of a TXT record. Unknown tags are ignored, as receivers ignore them.
    pub fn parse(txt: &str) -> Result<Self, DmarcError> {
        if !is_dmarc(txt) {
            return Err(DmarcError::NotDmarc);
        }
        let mut policy: Option<DmarcPolicy> = None;
        let mut record = Self {
            policy: DmarcPolicy::None,
            subdomain_policy: None,
            percent: 100,
            rua: Vec::new(),
            ruf: Vec::new(),
            adkim: Alignment::Relaxed,
            aspf: Alignment::Relaxed,
            failure_options: "0".to_owned(),
            report_interval: DEFAULT_REPORT_INTERVAL,
        };
        let mut seen: Vec<String> = Vec::new();
        for segment in tag_segments(txt) {
            let (name, value) = split_tag(segment).ok_or_else(|| DmarcError::MalformedTag(segment.to_owned()))?;
            if seen.contains(&name) {
                return Err(DmarcError::DuplicateTag(name));
            }
            match name.as_str() {
                "p" => policy = Some(parse_policy(&name, value)?),
                "sp" => record.subdomain_policy = Some(parse_policy(&name, value)?),
                "pct" => {
                    record.percent = parse_digits::<u8>(value)
                        .filter(|percent| *percent <= 100)
                        .ok_or_else(|| DmarcError::InvalidPercent(value.to_owned()))?;
                }
                "rua" => record.rua = parse_uris(&name, value)?,
                "ruf" => record.ruf = parse_uris(&name, value)?,
                "adkim" => record.adkim = parse_alignment(&name, value)?,
                "aspf" => record.aspf = parse_alignment(&name, value)?,
                "fo" => record.failure_options = parse_failure_options(value)?,
                "ri" => {
                    record.report_interval =
                        parse_digits::<u32>(value).ok_or_else(|| DmarcError::InvalidInterval(value.to_owned()))?;
                }
                _ => {}
            }
            seen.push(name);
        }
        record.policy = policy.ok_or(DmarcError::MissingPolicy)?;
        Ok(record)
    }

    /// The canonical record text, leaving out tags that hold their default value.
    pub fn to_txt(&self) -> String {
        let mut tags = vec!["v=DMARC1".to_owned(), format!("p={}", self.policy)];
        if let Some(subdomain_policy) = self.subdomain_policy {
            tags.push(format!("sp={subdomain_policy}"));
        }
        if self.percent != 100 {
            tags.push(format!("pct={}", self.percent));
        }
        if !self.rua.is_empty() {
            tags.push(format!("rua={}", self.rua.join(",")));
        }
        if !self.ruf.is_empty() {
            tags.push(format!("ruf={}", self.ruf.join(",")));
        }
        if self.adkim == Alignment::Strict {
            tags.push("adkim=s".to_owned());
        }
        if self.aspf == Alignment::Strict {
            tags.push("aspf=s".to_owned());
        }
        if self.failure_options != "0" {
            tags.push(format!("fo={}", self.failure_options));
        }
        if self.report_interval != DEFAULT_REPORT_INTERVAL {
            tags.push(format!("ri={}", self.report_interval));
        }
        tags.join("; ")
    }
}

fn parse_policy(name: &str, value: &str) -> Result<DmarcPolicy, DmarcError> {
    value.parse::<DmarcPolicy>().map_err(|_| DmarcError::UnknownPolicy(format!("{name}={value}")))
}

fn parse_alignment(name: &str, value: &str) -> Result<Alignment, DmarcError> {
    match value.to_ascii_lowercase().as_str() {
        "r" => Ok(Alignment::Relaxed),
        "s" => Ok(Alignment::Strict),
        _ => Err(DmarcError::InvalidAlignment(format!("{name}={value}"))),
    }
}

/// A plain decimal number: no sign, no spaces, which `str::parse` alone would let through.
fn parse_digits<T: FromStr>(value: &str) -> Option<T> {
    let digits_only = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if digits_only { value.parse().ok() } else { None }
}

fn parse_failure_options(value: &str) -> Result<String, DmarcError> {
    let options: Vec<String> = value.split(':').map(|option| option.trim().to_ascii_lowercase()).collect();
    if options.iter().all(|option| matches!(option.as_str(), "0" | "1" | "d" | "s")) {
        Ok(options.join(":"))
    } else {
        Err(DmarcError::InvalidFailureOptions(value.to_owned()))
    }
}

/// Parses a comma-separated list of report URIs, dropping any `!size` limit.
fn parse_uris(tag: &str, value: &str) -> Result<Vec<String>, DmarcError> {
    let mut uris = Vec::new();
    for uri in value.split(',').map(str::trim).filter(|uri| !uri.is_empty()) {
        let address = match uri.rsplit_once('!') {
            Some((address, limit)) if is_size_limit(limit) => address,
            _ => uri,
        };
        if !is_mailto(address) || address.contains('!') {
            return Err(DmarcError::InvalidReportUri { tag: tag.to_owned(), uri: uri.to_owned() });
        }
        let mailbox = &address[7..];
        uris.push(format!("mailto:{mailbox}"));
    }
    Ok(uris)
}

/// `10`, `10k`, `10m`, `10g` or `10t`: the largest report the receiver may send.
fn is_size_limit(limit: &str) -> bool {
    let digits = limit.strip_suffix(['k', 'm', 'g', 't', 'K', 'M', 'G', 'T']).unwrap_or(limit);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_record_gets_rfc_defaults() {
        let record = DmarcRecord::parse("v=DMARC1; p=none").expect("valid");
        assert_eq!(record.policy, DmarcPolicy::None);
        assert_eq!(record.subdomain_policy, None);
        assert_eq!(record.percent, 100);
        assert_eq!((record.adkim, record.aspf), (Alignment::Relaxed, Alignment::Relaxed));
        assert_eq!(record.failure_options, "0");
        assert_eq!(record.report_interval, 86_400);
        assert_eq!(record.to_txt(), "v=DMARC1; p=none");
    }

    #[test]
    fn full_record_parses_tolerantly_and_prints_canonically() {
        let txt = "v=DMARC1 ;P=Reject;  sp = quarantine; pct=50; rua=mailto:a@example.com!10m, MAILTO:b@example.net ; \
                   ruf=mailto:f@example.com; adkim=s; aspf=S; fo=1:d; ri=3600; x-future=1;";
        let record = DmarcRecord::parse(txt).expect("valid");
        assert_eq!(record.policy, DmarcPolicy::Reject);
        assert_eq!(record.subdomain_policy, Some(DmarcPolicy::Quarantine));
        assert_eq!(record.rua, ["mailto:a@example.com", "mailto:b@example.net"]);
        assert_eq!(
            record.to_txt(),
            "v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:a@example.com,mailto:b@example.net; \
             ruf=mailto:f@example.com; adkim=s; aspf=s; fo=1:d; ri=3600"
        );
        assert_eq!(DmarcRecord::parse(&record.to_txt()), Ok(record));
    }

    #[test]
    fn version_must_come_first_and_policy_is_required() {
        assert!(is_dmarc("v=DMARC1; p=none"));
        assert!(!is_dmarc("p=none; v=DMARC1"));
        assert!(!is_dmarc("v=spf1 -all"));
        assert_eq!(DmarcRecord::parse("p=none; v=DMARC1"), Err(DmarcError::NotDmarc));
        assert_eq!(DmarcRecord::parse("v=DMARC1; rua=mailto:a@example.com"), Err(DmarcError::MissingPolicy));
        assert!(DmarcError::MissingPolicy.to_string().contains("`p=`"));
    }

    #[test]
    fn bad_values_name_the_tag_and_value() {
        let err = |txt: &str| DmarcRecord::parse(txt).expect_err(txt);
        assert_eq!(err("v=DMARC1; p=rejct"), DmarcError::UnknownPolicy("p=rejct".into()));
        assert_eq!(err("v=DMARC1; p=none; sp=all"), DmarcError::UnknownPolicy("sp=all".into()));
        assert_eq!(err("v=DMARC1; p=none; pct=101"), DmarcError::InvalidPercent("101".into()));
        assert_eq!(err("v=DMARC1; p=none; pct=half"), DmarcError::InvalidPercent("half".into()));
        assert_eq!(err("v=DMARC1; p=none; pct=+5"), DmarcError::InvalidPercent("+5".into()));
        assert_eq!(err("v=DMARC1; p=none; ri=daily"), DmarcError::InvalidInterval("daily".into()));
        assert_eq!(err("v=DMARC1; p=none; adkim=x"), DmarcError::InvalidAlignment("adkim=x".into()));
        assert_eq!(err("v=DMARC1; p=none; fo=2"), DmarcError::InvalidFailureOptions("2".into()));
        assert_eq!(err("v=DMARC1; p=none; quarantine"), DmarcError::MalformedTag("quarantine".into()));
    }

    #[test]
    fn report_uris_must_be_mailto() {
        let err = DmarcRecord::parse("v=DMARC1; p=none; rua=mailto:a@example.com,https://example.com/r")
            .expect_err("https is not allowed in DMARC");
        assert_eq!(err, DmarcError::InvalidReportUri { tag: "rua".into(), uri: "https://example.com/r".into() });
        assert_eq!(
            err.to_string(),
            "`https://example.com/r` in `rua=` must be a mailto: address, like mailto:dmarc@example.com"
        );
        let bad_limit = DmarcRecord::parse("v=DMARC1; p=none; ruf=mailto:a@example.com!big");
        assert_eq!(
            bad_limit,
            Err(DmarcError::InvalidReportUri { tag: "ruf".into(), uri: "mailto:a@example.com!big".into() })
        );
    }

    #[test]
    fn duplicate_tags_are_refused() {
        let twice = DmarcRecord::parse("v=DMARC1; p=none; P=reject");
        assert_eq!(twice, Err(DmarcError::DuplicateTag("p".into())));
        let twice = DmarcRecord::parse("v=DMARC1; p=none; v=DMARC1");
        assert_eq!(twice, Err(DmarcError::DuplicateTag("v".into())));
    }

    #[test]
    fn policy_converts_to_and_from_text() {
        for policy in [DmarcPolicy::None, DmarcPolicy::Quarantine, DmarcPolicy::Reject] {
            assert_eq!(policy.to_string().parse::<DmarcPolicy>(), Ok(policy));
        }
        assert_eq!("REJECT".parse::<DmarcPolicy>(), Ok(DmarcPolicy::Reject));
        assert_eq!("block".parse::<DmarcPolicy>(), Err(DmarcError::UnknownPolicy("block".into())));
    }
}
