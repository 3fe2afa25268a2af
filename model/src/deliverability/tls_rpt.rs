//! TLS-RPT records (RFC 8460): where senders report failures to reach our MX hosts over TLS,
//! which is how an admin learns that MTA-STS or a certificate is breaking delivery.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{is_mailto, split_tag, starts_with_version, tag_segments};

/// Why a TXT record is not a usable TLS-RPT record; shown to the admin as is.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum TlsRptError {
    /// The first tag is not `v=TLSRPTv1`.
    #[error("this is not a TLS-RPT record: it must start with `v=TLSRPTv1`")]
    NotTlsRpt,
    /// No `rua=` tag, or one without any address, so reports have nowhere to go.
    #[error("the `rua=` tag is required: where senders send TLS reports")]
    MissingRua,
    /// A `rua=` entry that is neither a `mailto:` nor an `https:` URI.
    #[error("`{0}` must be a mailto: address or an https:// URL")]
    InvalidUri(String),
    /// A tag given twice.
    #[error("the `{0}=` tag may appear only once")]
    DuplicateTag(String),
    /// A segment between semicolons that is not `name=value`.
    #[error("`{0}` is not a name=value tag")]
    MalformedTag(String),
}

/// A parsed `_smtp._tls.<domain>` record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsRptRecord {
    /// Where reports go: `mailto:` or `https://` URIs, in the order written.
    pub rua: Vec<String>,
}

/// Whether a TXT record claims to be TLS-RPT (`v=TLSRPTv1` first); used to pick it out of the
/// TXT records at `_smtp._tls.<domain>` before parsing it.
pub fn is_tls_rpt(txt: &str) -> bool {
    starts_with_version(txt, "TLSRPTv1")
}

impl TlsRptRecord {
    /// Parses the text of a TXT record; unknown extension tags are ignored, as RFC 8460 says.
    pub fn parse(txt: &str) -> Result<Self, TlsRptError> {
        if !is_tls_rpt(txt) {
            return Err(TlsRptError::NotTlsRpt);
        }
        let mut rua: Option<Vec<String>> = None;
        let mut seen = vec!["v".to_owned()];
        for segment in tag_segments(txt).skip(1) {
            let (name, value) = split_tag(segment).ok_or_else(|| TlsRptError::MalformedTag(segment.to_owned()))?;
            if seen.contains(&name) {
                return Err(TlsRptError::DuplicateTag(name));
            }
            if name == "rua" {
                rua = Some(parse_uris(value)?);
            }
            seen.push(name);
        }
        match rua {
            Some(rua) if !rua.is_empty() => Ok(Self { rua }),
            _ => Err(TlsRptError::MissingRua),
        }
    }

    /// The canonical record text, ready to publish.
    pub fn to_txt(&self) -> String {
        format!("v=TLSRPTv1; rua={}", self.rua.join(","))
    }
}

fn parse_uris(value: &str) -> Result<Vec<String>, TlsRptError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|uri| !uri.is_empty())
        .map(|uri| {
            if is_https(uri) || is_mailto(uri) {
                Ok(uri.to_owned())
            } else {
                Err(TlsRptError::InvalidUri(uri.to_owned()))
            }
        })
        .collect()
}

/// `https://` followed by a host, without spaces: where an HTTPS report endpoint is posted.
fn is_https(uri: &str) -> bool {
    uri.split_at_checked(8).is_some_and(|(scheme, rest)| {
        scheme.eq_ignore_ascii_case("https://")
            && !rest.starts_with(['/', '?', '#'])
            && !rest.is_empty()
            && !uri.contains(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_with_mail_and_https_round_trips() {
        let txt = "v=TLSRPTv1; rua=mailto:tls@example.com, https://reports.example.com/tlsrpt ;";
        let record = TlsRptRecord::parse(txt).expect("valid");
        assert_eq!(record.rua, ["mailto:tls@example.com", "https://reports.example.com/tlsrpt"]);
        assert_eq!(record.to_txt(), "v=TLSRPTv1; rua=mailto:tls@example.com,https://reports.example.com/tlsrpt");
        assert_eq!(TlsRptRecord::parse(&record.to_txt()), Ok(record));
    }

    #[test]
    fn version_must_come_first() {
        assert!(is_tls_rpt("v=TLSRPTv1; rua=mailto:a@example.com"));
        assert!(!is_tls_rpt("rua=mailto:a@example.com; v=TLSRPTv1"));
        assert!(!is_tls_rpt("v=STSv1; id=1"));
        assert_eq!(TlsRptRecord::parse("v=TLSRPTv2; rua=mailto:a@example.com"), Err(TlsRptError::NotTlsRpt));
    }

    #[test]
    fn rua_is_required_and_not_empty() {
        assert_eq!(TlsRptRecord::parse("v=TLSRPTv1"), Err(TlsRptError::MissingRua));
        assert_eq!(TlsRptRecord::parse("v=TLSRPTv1; rua="), Err(TlsRptError::MissingRua));
        assert_eq!(TlsRptRecord::parse("v=TLSRPTv1; ext=1"), Err(TlsRptError::MissingRua));
    }

    #[test]
    fn bad_uris_and_tags_are_named() {
        let err = |txt: &str| TlsRptRecord::parse(txt).expect_err(txt);
        assert_eq!(err("v=TLSRPTv1; rua=http://example.com/r"), TlsRptError::InvalidUri("http://example.com/r".into()));
        assert_eq!(err("v=TLSRPTv1; rua=https://"), TlsRptError::InvalidUri("https://".into()));
        assert_eq!(err("v=TLSRPTv1; rua=tls@example.com"), TlsRptError::InvalidUri("tls@example.com".into()));
        assert_eq!(
            err("v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com"),
            TlsRptError::DuplicateTag("rua".into())
        );
        assert_eq!(err("v=TLSRPTv1; rua"), TlsRptError::MalformedTag("rua".into()));
        assert_eq!(
            err("v=TLSRPTv1; rua=ftp://x").to_string(),
            "`ftp://x` must be a mailto: address or an https:// URL"
        );
    }
}
