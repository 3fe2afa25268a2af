//! The DNS records a mail domain needs, generated from its settings, and the verdict of
//! checking each one against live DNS. Generation is pure (here, so the browser can preview a
//! policy change before saving it); the checks run in the engine.

use std::net::{Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dkim::{DkimKeyInfo, DkimKeyState};
use super::dmarc::{Alignment, DmarcPolicy, DmarcRecord};
use super::mta_sts::StsMode;
use super::tls_rpt::TlsRptRecord;

/// DNS record types the wizard asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordType {
    #[serde(rename = "MX")]
    Mx,
    A,
    #[serde(rename = "AAAA")]
    Aaaa,
    #[serde(rename = "TXT")]
    Txt,
    #[serde(rename = "PTR")]
    Ptr,
    #[serde(rename = "CNAME")]
    Cname,
}

impl RecordType {
    /// As DNS panels spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mx => "MX",
            Self::A => "A",
            Self::Aaaa => "AAAA",
            Self::Txt => "TXT",
            Self::Ptr => "PTR",
            Self::Cname => "CNAME",
        }
    }
}

/// Why a record is needed; decides how it is checked and how it is explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordPurpose {
    /// Where other servers deliver the domain's mail.
    Mx,
    /// The mail host's IPv4 address, which the MX points at.
    MailHostA,
    /// The mail host's IPv6 address.
    MailHostAaaa,
    Spf,
    Dkim,
    Dmarc,
    /// Reverse DNS of a sending IP, which must name the HELO host.
    Ptr,
    /// `_mta-sts` TXT announcing the policy.
    MtaSts,
    /// `mta-sts.<domain>` host that serves the policy file over HTTPS.
    MtaStsHost,
    TlsRpt,
}

impl RecordPurpose {
    /// Short label for the table's first column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Mx => "MX",
            Self::MailHostA => "Mail host (IPv4)",
            Self::MailHostAaaa => "Mail host (IPv6)",
            Self::Spf => "SPF",
            Self::Dkim => "DKIM",
            Self::Dmarc => "DMARC",
            Self::Ptr => "Reverse DNS (PTR)",
            Self::MtaSts => "MTA-STS",
            Self::MtaStsHost => "MTA-STS host",
            Self::TlsRpt => "TLS-RPT",
        }
    }
}

/// One record the admin must publish: where, what type, what value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedRecord {
    /// Stable key of this record within the domain (`spf`, `dkim:bm202611`, `ptr:192.0.2.1`),
    /// under which its status history is kept.
    pub key: String,
    pub purpose: RecordPurpose,
    pub rtype: RecordType,
    /// Fully qualified name, without the trailing dot.
    pub host: String,
    /// The value to publish, exactly as DNS panels want it.
    pub value: String,
    /// Required records decide whether the domain is ready to send; the others are advised.
    pub required: bool,
    /// Why the record exists, in one sentence.
    pub note: String,
}

/// The outcome of checking one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Ok,
    /// Published and working, but weaker than it should be (e.g. DMARC `p=none`).
    Warning,
    /// Nothing published at that name for that type.
    Missing,
    /// Published, but with a different value than ours (another MX, an old DKIM key…).
    Mismatch,
    /// Published but broken: syntax errors, duplicates, too many SPF lookups.
    Invalid,
    /// The name does not exist at all.
    NxDomain,
    /// The DNS server answered SERVFAIL or REFUSED.
    ServFail,
    /// No answer in time.
    Timeout,
    /// Any other resolver failure.
    Error,
}

impl CheckStatus {
    /// What the status column prints.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Warning => "Warning",
            Self::Missing => "Missing",
            Self::Mismatch => "Wrong value",
            Self::Invalid => "Invalid",
            Self::NxDomain => "NXDOMAIN",
            Self::ServFail => "SERVFAIL",
            Self::Timeout => "Timeout",
            Self::Error => "DNS error",
        }
    }

    /// Storage form (matches serde).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Missing => "missing",
            Self::Mismatch => "mismatch",
            Self::Invalid => "invalid",
            Self::NxDomain => "nx_domain",
            Self::ServFail => "serv_fail",
            Self::Timeout => "timeout",
            Self::Error => "error",
        }
    }

    /// Good enough to send: OK or only a warning.
    pub fn is_passing(self) -> bool {
        matches!(self, Self::Ok | Self::Warning)
    }

    /// The check could not see the record at all (the DNS failed, not the record).
    pub fn is_dns_failure(self) -> bool {
        matches!(self, Self::ServFail | Self::Timeout | Self::Error)
    }
}

/// A record with what DNS returned and, when it is not OK, what is wrong and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCheck {
    pub record: ExpectedRecord,
    pub status: CheckStatus,
    /// Values found at the name (for the "found" column), already formatted.
    pub found: Vec<String>,
    /// What is wrong, e.g. "SPF needs 11 DNS lookups, the limit is 10".
    pub problem: Option<String>,
    /// What to do about it.
    pub fix: Option<String>,
    /// How long the lookups for this record took, in milliseconds.
    pub elapsed_ms: u32,
    pub checked_at: DateTime<Utc>,
}

impl RecordCheck {
    /// A check with status `status` and nothing else filled in (the engine stamps the time).
    pub fn new(record: ExpectedRecord, status: CheckStatus) -> Self {
        Self {
            record,
            status,
            found: Vec::new(),
            problem: None,
            fix: None,
            elapsed_ms: 0,
            checked_at: DateTime::UNIX_EPOCH,
        }
    }

    /// Adds what was wrong and how to fix it.
    pub fn explain(mut self, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        self.problem = Some(problem.into());
        let fix = fix.into();
        self.fix = (!fix.is_empty()).then_some(fix);
        self
    }

    /// Records the values seen.
    pub fn with_found(mut self, found: Vec<String>) -> Self {
        self.found = found;
        self
    }
}

/// The admin's choices for a domain's policy records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsPolicy {
    pub dmarc_policy: DmarcPolicy,
    pub dmarc_pct: u8,
    /// Addresses (no `mailto:`) for DMARC aggregate reports.
    pub dmarc_rua: Vec<String>,
    /// Addresses for DMARC failure reports.
    pub dmarc_ruf: Vec<String>,
    /// Outside relays that also send for the domain, as SPF `include:` domains.
    pub spf_includes: Vec<String>,
    pub mta_sts_mode: StsMode,
    /// Addresses for TLS-RPT reports; empty = postmaster of the domain.
    pub tls_rpt_rua: Vec<String>,
    /// Current MTA-STS policy id (changes with the policy).
    pub mta_sts_id: String,
}

impl Default for DnsPolicy {
    fn default() -> Self {
        Self {
            dmarc_policy: DmarcPolicy::Quarantine,
            dmarc_pct: 100,
            dmarc_rua: Vec::new(),
            dmarc_ruf: Vec::new(),
            spf_includes: Vec::new(),
            mta_sts_mode: StsMode::Testing,
            tls_rpt_rua: Vec::new(),
            mta_sts_id: String::from("1"),
        }
    }
}

/// How this server appears on the network, which the records must point at.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerIdentity {
    /// MX target and HELO name (`mail.example.com`).
    pub mail_host: String,
    /// Host that serves the admin, tracking links and MTA-STS policies.
    pub web_host: String,
    /// Addresses mail leaves from. Empty = unknown (the checks then use what the mail host
    /// resolves to).
    pub ipv4: Vec<Ipv4Addr>,
    pub ipv6: Vec<Ipv6Addr>,
}

/// Seven days: long enough to ride out an outage of the policy host, short enough to fix a
/// wrong policy within a week.
pub const MTA_STS_MAX_AGE: u32 = 604_800;

/// The records `domain` needs: one list, in the order the table shows them.
pub fn expected_records(
    domain: &str,
    policy: &DnsPolicy,
    server: &ServerIdentity,
    keys: &[DkimKeyInfo],
) -> Vec<ExpectedRecord> {
    let mut out = Vec::new();
    let record = |key: String, purpose, rtype, host: String, value: String, required, note: &str| ExpectedRecord {
        key,
        purpose,
        rtype,
        host,
        value,
        required,
        note: note.to_owned(),
    };
    out.push(record(
        "mx".into(),
        RecordPurpose::Mx,
        RecordType::Mx,
        domain.to_owned(),
        format!("10 {}", server.mail_host),
        true,
        "Tells other servers to deliver this domain's mail to this server.",
    ));
    let addresses = if server.ipv4.is_empty() {
        vec!["<this server's IPv4 address>".to_owned()]
    } else {
        server.ipv4.iter().map(ToString::to_string).collect()
    };
    for (i, address) in addresses.into_iter().enumerate() {
        let key = if i == 0 { "a".to_owned() } else { format!("a:{i}") };
        out.push(record(
            key,
            RecordPurpose::MailHostA,
            RecordType::A,
            server.mail_host.clone(),
            address,
            true,
            "The mail host's address, which the MX record names.",
        ));
    }
    for ip in &server.ipv6 {
        out.push(record(
            format!("aaaa:{ip}"),
            RecordPurpose::MailHostAaaa,
            RecordType::Aaaa,
            server.mail_host.clone(),
            ip.to_string(),
            true,
            "The mail host's IPv6 address; receivers that connect over IPv6 check it.",
        ));
    }
    out.push(record(
        "spf".into(),
        RecordPurpose::Spf,
        RecordType::Txt,
        domain.to_owned(),
        spf_value(server, policy),
        true,
        "Lists the servers allowed to send mail from this domain (one SPF record only).",
    ));
    for key in keys.iter().filter(|k| k.state.is_published()) {
        let note = match key.state {
            DkimKeyState::Pending => "Next DKIM key: publish it now, signing switches to it once DNS shows it.",
            DkimKeyState::Retiring => "Previous DKIM key: keep it until it is retired, so mail in flight verifies.",
            _ => "Public half of the key this server signs outgoing mail with.",
        };
        out.push(record(
            format!("dkim:{}", key.selector),
            RecordPurpose::Dkim,
            RecordType::Txt,
            format!("{}._domainkey.{domain}", key.selector),
            key.dns_value(),
            key.state == DkimKeyState::Active,
            note,
        ));
    }
    out.push(record(
        "dmarc".into(),
        RecordPurpose::Dmarc,
        RecordType::Txt,
        format!("_dmarc.{domain}"),
        dmarc_record(policy).to_txt(),
        true,
        "Tells receivers what to do with mail that fails SPF and DKIM, and where to report it.",
    ));
    for ip in server.ipv4.iter().map(|ip| ip.to_string()).chain(server.ipv6.iter().map(|ip| ip.to_string())) {
        out.push(record(
            format!("ptr:{ip}"),
            RecordPurpose::Ptr,
            RecordType::Ptr,
            ip,
            server.mail_host.clone(),
            true,
            "Reverse DNS of the sending address must name the HELO host; set it at your hosting provider.",
        ));
    }
    if policy.mta_sts_mode != StsMode::None {
        out.push(record(
            "mta_sts".into(),
            RecordPurpose::MtaSts,
            RecordType::Txt,
            format!("_mta-sts.{domain}"),
            format!("v=STSv1; id={}", policy.mta_sts_id),
            false,
            "Asks senders to require TLS when delivering to this domain (RFC 8461).",
        ));
        out.push(record(
            "mta_sts_host".into(),
            RecordPurpose::MtaStsHost,
            RecordType::Cname,
            format!("mta-sts.{domain}"),
            server.web_host.clone(),
            false,
            "Serves the MTA-STS policy file; this server answers for it (with its certificate).",
        ));
    }
    out.push(record(
        "tls_rpt".into(),
        RecordPurpose::TlsRpt,
        RecordType::Txt,
        format!("_smtp._tls.{domain}"),
        tls_rpt_record(domain, policy).to_txt(),
        false,
        "Where senders report TLS failures delivering to this domain (RFC 8460).",
    ));
    out
}

/// `v=spf1 mx ip4:… include:… -all`: the MX covers inbound-and-outbound single-server set-ups,
/// the explicit addresses survive an MX change, the includes cover outside relays.
pub fn spf_value(server: &ServerIdentity, policy: &DnsPolicy) -> String {
    let mut value = String::from("v=spf1 mx");
    for ip in &server.ipv4 {
        value.push_str(&format!(" ip4:{ip}"));
    }
    for ip in &server.ipv6 {
        value.push_str(&format!(" ip6:{ip}"));
    }
    for include in &policy.spf_includes {
        value.push_str(&format!(" include:{include}"));
    }
    value.push_str(" -all");
    value
}

/// The DMARC record for the admin's choices (relaxed alignment: subdomain senders such as a
/// bounce host still align).
pub fn dmarc_record(policy: &DnsPolicy) -> DmarcRecord {
    DmarcRecord {
        policy: policy.dmarc_policy,
        subdomain_policy: None,
        percent: policy.dmarc_pct,
        rua: policy.dmarc_rua.iter().map(|a| format!("mailto:{a}")).collect(),
        ruf: policy.dmarc_ruf.iter().map(|a| format!("mailto:{a}")).collect(),
        adkim: Alignment::Relaxed,
        aspf: Alignment::Relaxed,
        failure_options: "0".into(),
        report_interval: 86_400,
    }
}

/// The TLS-RPT record; reports go to postmaster@ unless the admin chose addresses.
pub fn tls_rpt_record(domain: &str, policy: &DnsPolicy) -> TlsRptRecord {
    let rua = if policy.tls_rpt_rua.is_empty() {
        vec![format!("mailto:postmaster@{domain}")]
    } else {
        policy.tls_rpt_rua.iter().map(|a| format!("mailto:{a}")).collect()
    };
    TlsRptRecord { rua }
}

/// A domain's records with their latest verdicts, as the DNS page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainDnsReport {
    pub domain_id: i64,
    pub domain: String,
    pub display_name: String,
    pub policy: DnsPolicy,
    pub server: ServerIdentity,
    pub keys: Vec<DkimKeyInfo>,
    /// Every expected record with its last check, or `None` where it was never checked.
    pub records: Vec<(ExpectedRecord, Option<RecordCheck>)>,
    pub checked_at: Option<DateTime<Utc>>,
    /// Since when every required record has passed; `None` = not (yet) ready.
    pub all_ok_since: Option<DateTime<Utc>>,
    /// When the background check runs next.
    pub next_check_at: Option<DateTime<Utc>>,
    /// The MTA-STS policy file `server` serves at `mta-sts.<domain>/.well-known/mta-sts.txt`.
    pub mta_sts_policy: Option<String>,
}

/// One change of a record's status, for the history list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHistoryEntry {
    pub record_key: String,
    pub status: CheckStatus,
    pub problem: Option<String>,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deliverability::dkim::DkimAlgorithm;

    fn server() -> ServerIdentity {
        ServerIdentity {
            mail_host: "mail.example.com".into(),
            web_host: "admin.example.com".into(),
            ipv4: vec![Ipv4Addr::new(192, 0, 2, 10)],
            ipv6: vec!["2001:db8::10".parse().unwrap()],
        }
    }

    fn key(selector: &str, state: DkimKeyState) -> DkimKeyInfo {
        DkimKeyInfo {
            id: 1,
            selector: selector.into(),
            algorithm: DkimAlgorithm::Rsa,
            public_b64: "MIIB".into(),
            state,
            created_at: DateTime::UNIX_EPOCH,
            dns_verified_at: None,
            activated_at: None,
            retire_at: None,
        }
    }

    #[test]
    fn every_record_kind_is_generated_with_fully_qualified_names() {
        let records = expected_records(
            "example.com",
            &DnsPolicy::default(),
            &server(),
            &[key("bm202611", DkimKeyState::Active), key("old", DkimKeyState::Retired)],
        );
        let keys: Vec<&str> = records.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "mx",
                "a",
                "aaaa:2001:db8::10",
                "spf",
                "dkim:bm202611",
                "dmarc",
                "ptr:192.0.2.10",
                "ptr:2001:db8::10",
                "mta_sts",
                "mta_sts_host",
                "tls_rpt"
            ]
        );
        let find = |k: &str| records.iter().find(|r| r.key == k).unwrap();
        assert_eq!(find("mx").value, "10 mail.example.com");
        assert_eq!(find("spf").value, "v=spf1 mx ip4:192.0.2.10 ip6:2001:db8::10 -all");
        assert_eq!(find("dkim:bm202611").host, "bm202611._domainkey.example.com");
        assert_eq!(find("dkim:bm202611").value, "v=DKIM1; k=rsa; p=MIIB");
        assert_eq!(find("dmarc").value, "v=DMARC1; p=quarantine");
        assert_eq!(find("tls_rpt").value, "v=TLSRPTv1; rua=mailto:postmaster@example.com");
        assert_eq!(find("mta_sts_host").value, "admin.example.com");
    }

    #[test]
    fn pending_and_retiring_keys_are_published_beside_the_active_one() {
        let records = expected_records(
            "example.com",
            &DnsPolicy::default(),
            &server(),
            &[key("a1", DkimKeyState::Retiring), key("a2", DkimKeyState::Active), key("a3", DkimKeyState::Pending)],
        );
        let dkim: Vec<(&str, bool)> =
            records.iter().filter(|r| r.purpose == RecordPurpose::Dkim).map(|r| (r.key.as_str(), r.required)).collect();
        assert_eq!(dkim, [("dkim:a1", false), ("dkim:a2", true), ("dkim:a3", false)]);
    }

    #[test]
    fn relays_and_report_addresses_come_from_the_policy() {
        let policy = DnsPolicy {
            dmarc_policy: DmarcPolicy::Reject,
            dmarc_rua: vec!["dmarc@example.com".into()],
            spf_includes: vec!["_spf.relay.example".into()],
            mta_sts_mode: StsMode::None,
            ..DnsPolicy::default()
        };
        let records = expected_records("example.com", &policy, &ServerIdentity::default(), &[]);
        let find = |k: &str| records.iter().find(|r| r.key == k);
        assert_eq!(find("spf").unwrap().value, "v=spf1 mx include:_spf.relay.example -all");
        assert_eq!(find("dmarc").unwrap().value, "v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
        assert!(find("mta_sts").is_none(), "mode none publishes no MTA-STS record");
        assert!(find("a").unwrap().value.contains("IPv4"), "unknown address is spelled out");
    }
}
