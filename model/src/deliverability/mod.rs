//! The DNS records and policy files that decide whether other providers trust our mail: SPF,
//! DMARC, MTA-STS and TLS-RPT.
//!
//! The parsers live here, without any I/O, so the browser can check a record as the admin types
//! it and the server can check what DNS actually publishes with the same rules and the same
//! messages. Each parser returns an error worded for the admin, naming the offending part.

pub mod dkim;
pub mod dmarc;
pub mod dnsbl;
pub mod mta_sts;
pub mod records;
pub mod spf;
pub mod tls;
pub mod tls_rpt;

pub use dkim::{DkimAlgorithm, DkimKeyInfo, DkimKeyState, RotationRequest};
pub use dmarc::{Alignment, DmarcError, DmarcPolicy, DmarcRecord, is_dmarc};
pub use dnsbl::{Blocklist, BlocklistInput, DnsblError, DnsblListing, DnsblOverview, DnsblScan};
pub use mta_sts::{StsError, StsMode, StsPolicy, StsRecord, is_sts, mx_matches};
pub use records::{
    CheckStatus, DnsPolicy, DomainDnsReport, ExpectedRecord, MTA_STS_MAX_AGE, RecordCheck, RecordHistoryEntry,
    RecordPurpose, RecordType, ServerIdentity, expected_records,
};
pub use spf::{SpfError, SpfMechanism, SpfQualifier, SpfRecord, SpfTerm, has_macros, ip_matches, is_spf};
pub use tls::{CertificateStatus, CustomCertificate, RENEW_BEFORE_DAYS, TlsOverview};
pub use tls_rpt::{TlsRptError, TlsRptRecord, is_tls_rpt};

/// Splits a `name=value; name=value` record (DMARC, MTA-STS, TLS-RPT) into trimmed, non-empty
/// segments, so a trailing `;` or extra spaces are tolerated as receivers tolerate them.
fn tag_segments(txt: &str) -> impl Iterator<Item = &str> {
    txt.split(';').map(str::trim).filter(|segment| !segment.is_empty())
}

/// Splits one `name=value` segment into a lower-cased name and a trimmed value.
fn split_tag(segment: &str) -> Option<(String, &str)> {
    let (name, value) = segment.split_once('=')?;
    Some((name.trim().to_ascii_lowercase(), value.trim()))
}

/// Whether the first tag of `txt` is `v=<version>`, which is how every one of these record
/// types tells itself apart from the other TXT records at the same name.
fn starts_with_version(txt: &str, version: &str) -> bool {
    tag_segments(txt).next().and_then(split_tag).is_some_and(|(name, value)| name == "v" && value == version)
}

/// Whether `uri` is a `mailto:` URI with a plausible `local@domain` address; DMARC and
/// TLS-RPT reports can only be delivered to such addresses.
fn is_mailto(uri: &str) -> bool {
    let Some((scheme, address)) = uri.split_at_checked(7) else { return false };
    scheme.eq_ignore_ascii_case("mailto:")
        && !address.contains(char::is_whitespace)
        && address
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_segments_skip_blanks_and_trim() {
        let segments: Vec<&str> = tag_segments(" v=DMARC1 ;; p=none ; ").collect();
        assert_eq!(segments, ["v=DMARC1", "p=none"]);
    }

    #[test]
    fn version_must_be_the_first_tag() {
        assert!(starts_with_version("v = STSv1; id=1", "STSv1"));
        assert!(!starts_with_version("id=1; v=STSv1", "STSv1"));
        assert!(!starts_with_version("v=STSv2", "STSv1"));
        assert!(!starts_with_version("", "STSv1"));
    }

    #[test]
    fn mailto_needs_an_address() {
        assert!(is_mailto("mailto:dmarc@example.com"));
        assert!(is_mailto("MAILTO:dmarc@example.com"));
        assert!(!is_mailto("mailto:"));
        assert!(!is_mailto("mailto:@example.com"));
        assert!(!is_mailto("mailto:a@b@c"));
        assert!(!is_mailto("dmarc@example.com"));
        assert!(!is_mailto("https://example.com/report"));
    }
}
