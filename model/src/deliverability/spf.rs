//! SPF records (RFC 7208): which hosts may send mail for a domain.
//!
//! Parsed into terms so the admin pages can show what a published record allows, warn before
//! it exceeds the ten DNS lookups receivers permit, and write back a canonical record.
//! Macro domain-specs (`%{d}` and friends) are kept as written; nothing here expands them.

use std::fmt::{self, Formatter};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a TXT record is not a usable SPF record; shown to the admin as is.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpfError {
    /// The text does not start with the `v=spf1` version tag.
    #[error("this is not an SPF record: it must start with `v=spf1`")]
    NotSpf,
    /// A term that is neither a known mechanism nor a `name=value` modifier.
    #[error("`{0}` is not an SPF mechanism or modifier")]
    UnknownMechanism(String),
    /// An `ip4:` term whose address does not parse.
    #[error("`{0}` is not a valid IPv4 address")]
    InvalidIp4(String),
    /// An `ip6:` term whose address does not parse.
    #[error("`{0}` is not a valid IPv6 address")]
    InvalidIp6(String),
    /// A `/prefix` that is not a number up to 32 (IPv4) or 128 (IPv6).
    #[error("`{0}` has an invalid prefix length: IPv4 allows /0 to /32, IPv6 /0 to /128")]
    InvalidPrefix(String),
    /// A mechanism or modifier that needs a domain but has none.
    #[error("`{0}` needs a domain")]
    MissingDomain(String),
    /// `redirect=` or `exp=` given twice, which RFC 7208 forbids.
    #[error("the `{0}=` modifier may appear only once")]
    DuplicateModifier(String),
}

/// The result a mechanism yields when it matches; the prefix character in front of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpfQualifier {
    /// `+` (the default): the sender is authorised.
    Pass,
    /// `-`: the sender is not authorised and the mail should be refused.
    Fail,
    /// `~`: probably not authorised; accept but mark.
    SoftFail,
    /// `?`: no statement either way.
    Neutral,
}

impl SpfQualifier {
    /// The character written in front of a mechanism for this qualifier.
    pub fn as_char(self) -> char {
        match self {
            Self::Pass => '+',
            Self::Fail => '-',
            Self::SoftFail => '~',
            Self::Neutral => '?',
        }
    }

    fn from_char(c: char) -> Option<Self> {
        [Self::Pass, Self::Fail, Self::SoftFail, Self::Neutral].into_iter().find(|q| q.as_char() == c)
    }
}

/// One SPF mechanism: the test that decides whether a sending host matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpfMechanism {
    /// Matches every host; normally the last term.
    All,
    /// Matches when the named domain's own SPF record passes.
    Include(String),
    /// Matches the A/AAAA addresses of a domain (this one when `None`), optionally widened.
    A { domain: Option<String>, v4_prefix: Option<u8>, v6_prefix: Option<u8> },
    /// Matches the addresses of a domain's MX hosts (this one when `None`), optionally widened.
    Mx { domain: Option<String>, v4_prefix: Option<u8>, v6_prefix: Option<u8> },
    /// Matches by reverse DNS; discouraged by RFC 7208 but still seen.
    Ptr(Option<String>),
    /// Matches an IPv4 network.
    Ip4 { addr: Ipv4Addr, prefix: u8 },
    /// Matches an IPv6 network.
    Ip6 { addr: Ipv6Addr, prefix: u8 },
    /// Matches when the (usually macro-built) domain has an A record.
    Exists(String),
}

/// One space-separated term of an SPF record, in the order written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpfTerm {
    /// A mechanism with its qualifier.
    Mechanism { qualifier: SpfQualifier, mechanism: SpfMechanism },
    /// `redirect=domain`: use that domain's record when nothing here matched.
    Redirect(String),
    /// `exp=domain`: where receivers find the explanation for a failure.
    Explanation(String),
    /// A modifier receivers ignore; kept so a round trip loses nothing.
    Unknown { name: String, value: String },
}

/// A parsed SPF record, its terms in the order published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfRecord {
    /// The terms after `v=spf1`.
    pub terms: Vec<SpfTerm>,
}

/// Whether a TXT record claims to be SPF (`v=spf1` then a space or the end); used to pick
/// the SPF record out of all TXT records at a name before parsing it.
pub fn is_spf(txt: &str) -> bool {
    let txt = txt.trim();
    txt.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
        && matches!(txt.as_bytes().get(6).copied(), None | Some(b' '))
}

/// Whether a domain-spec uses SPF macros, which only a receiver can expand, so checks that
/// need a concrete domain must skip it.
pub fn has_macros(spec: &str) -> bool {
    spec.contains("%{")
}

/// Whether `addr` lies in `net/prefix`, as the `ip4`, `ip6`, `a` and `mx` mechanisms test it.
/// An IPv4-mapped IPv6 address is compared as IPv4; other mixed families never match.
pub fn ip_matches(addr: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => same_prefix(u32::from(a).into(), u32::from(n).into(), 32, prefix),
        (IpAddr::V6(a), IpAddr::V4(_)) => a.to_ipv4_mapped().is_some_and(|a| ip_matches(a.into(), net, prefix)),
        (IpAddr::V6(a), IpAddr::V6(n)) => same_prefix(u128::from(a), u128::from(n), 128, prefix),
        (IpAddr::V4(_), IpAddr::V6(_)) => false,
    }
}

fn same_prefix(a: u128, b: u128, bits: u32, prefix: u8) -> bool {
    let prefix = u32::from(prefix).min(bits);
    prefix == 0 || a >> (bits - prefix) == b >> (bits - prefix)
}

impl SpfRecord {
    /// Parses the text of a TXT record, refusing anything a receiver would treat as a
    /// permanent error.
    pub fn parse(txt: &str) -> Result<Self, SpfError> {
        let txt = txt.trim();
        let Some(body) = txt.get(6..).filter(|_| is_spf(txt)) else { return Err(SpfError::NotSpf) };
        let mut terms: Vec<SpfTerm> = Vec::new();
        for raw in body.split_ascii_whitespace() {
            let term = parse_term(raw)?;
            let duplicate = match term {
                SpfTerm::Redirect(_) => terms.iter().any(|t| matches!(t, SpfTerm::Redirect(_))).then_some("redirect"),
                SpfTerm::Explanation(_) => terms.iter().any(|t| matches!(t, SpfTerm::Explanation(_))).then_some("exp"),
                _ => None,
            };
            if let Some(name) = duplicate {
                return Err(SpfError::DuplicateModifier(name.to_owned()));
            }
            terms.push(term);
        }
        Ok(Self { terms })
    }

    /// The canonical text of this record, ready to publish.
    pub fn to_txt(&self) -> String {
        self.to_string()
    }

    /// How many terms cost a DNS lookup (include, a, mx, ptr, exists, redirect); receivers
    /// fail the record when the total, nested includes counted, exceeds ten.
    pub fn dns_lookup_terms(&self) -> usize {
        self.terms
            .iter()
            .filter(|term| match term {
                SpfTerm::Mechanism { mechanism, .. } => {
                    !matches!(mechanism, SpfMechanism::All | SpfMechanism::Ip4 { .. } | SpfMechanism::Ip6 { .. })
                }
                SpfTerm::Redirect(_) => true,
                SpfTerm::Explanation(_) | SpfTerm::Unknown { .. } => false,
            })
            .count()
    }

    /// The qualifier of the `all` mechanism, which says what happens to everyone not listed.
    pub fn all_qualifier(&self) -> Option<SpfQualifier> {
        self.terms.iter().find_map(|term| match term {
            SpfTerm::Mechanism { qualifier, mechanism: SpfMechanism::All } => Some(*qualifier),
            _ => None,
        })
    }

    /// The domains pulled in with `include:`, to follow when counting lookups.
    pub fn includes(&self) -> Vec<&str> {
        self.terms
            .iter()
            .filter_map(|term| match term {
                SpfTerm::Mechanism { mechanism: SpfMechanism::Include(domain), .. } => Some(domain.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The `redirect=` domain, if any.
    pub fn redirect(&self) -> Option<&str> {
        self.terms.iter().find_map(|term| match term {
            SpfTerm::Redirect(domain) => Some(domain.as_str()),
            _ => None,
        })
    }
}

fn parse_term(term: &str) -> Result<SpfTerm, SpfError> {
    if let Some((name, value)) = term.split_once('=').filter(|(name, _)| is_modifier_name(name)) {
        return match name.to_ascii_lowercase().as_str() {
            "redirect" | "exp" if value.is_empty() => Err(SpfError::MissingDomain(term.to_owned())),
            "redirect" => Ok(SpfTerm::Redirect(value.to_owned())),
            "exp" => Ok(SpfTerm::Explanation(value.to_owned())),
            _ => Ok(SpfTerm::Unknown { name: name.to_owned(), value: value.to_owned() }),
        };
    }
    let (qualifier, body) = match term.chars().next().and_then(SpfQualifier::from_char) {
        Some(qualifier) => (qualifier, &term[1..]),
        None => (SpfQualifier::Pass, term),
    };
    let (name, rest) = body.split_at(body.find([':', '/']).unwrap_or(body.len()));
    let mechanism = match name.to_ascii_lowercase().as_str() {
        "all" if rest.is_empty() => SpfMechanism::All,
        "include" => SpfMechanism::Include(required_domain(term, rest)?),
        "exists" => SpfMechanism::Exists(required_domain(term, rest)?),
        "ptr" => SpfMechanism::Ptr(optional_domain(term, rest)?),
        "a" => {
            let (domain, v4_prefix, v6_prefix) = domain_and_cidr(term, rest)?;
            SpfMechanism::A { domain, v4_prefix, v6_prefix }
        }
        "mx" => {
            let (domain, v4_prefix, v6_prefix) = domain_and_cidr(term, rest)?;
            SpfMechanism::Mx { domain, v4_prefix, v6_prefix }
        }
        "ip4" => {
            let (addr, prefix) = network(term, rest, 32, SpfError::InvalidIp4)?;
            SpfMechanism::Ip4 { addr, prefix }
        }
        "ip6" => {
            let (addr, prefix) = network(term, rest, 128, SpfError::InvalidIp6)?;
            SpfMechanism::Ip6 { addr, prefix }
        }
        _ => return Err(SpfError::UnknownMechanism(term.to_owned())),
    };
    Ok(SpfTerm::Mechanism { qualifier, mechanism })
}

/// RFC 7208 modifier names: a letter, then letters, digits, `-`, `_` or `.`.
fn is_modifier_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn optional_domain(term: &str, rest: &str) -> Result<Option<String>, SpfError> {
    if rest.is_empty() {
        return Ok(None);
    }
    match rest.strip_prefix(':') {
        Some("") => Err(SpfError::MissingDomain(term.to_owned())),
        Some(domain) => Ok(Some(domain.to_owned())),
        None => Err(SpfError::UnknownMechanism(term.to_owned())),
    }
}

fn required_domain(term: &str, rest: &str) -> Result<String, SpfError> {
    optional_domain(term, rest)?.ok_or_else(|| SpfError::MissingDomain(term.to_owned()))
}

/// Splits `[:domain][/v4][//v6]`. The CIDR part starts at the first `/` after the last macro,
/// since a macro may itself contain `/` as a delimiter (`%{d/}`).
/// The optional domain and the IPv4/IPv6 prefix lengths of an `a` or `mx` term.
type DomainAndCidr = (Option<String>, Option<u8>, Option<u8>);

fn domain_and_cidr(term: &str, rest: &str) -> Result<DomainAndCidr, SpfError> {
    let after_macros = rest.rfind('}').map_or(0, |i| i + 1);
    let cidr_start = rest[after_macros..].find('/').map_or(rest.len(), |i| after_macros + i);
    let (domain, cidr) = rest.split_at(cidr_start);
    let domain = optional_domain(term, domain)?;
    let (v4, v6) = match cidr.strip_prefix('/') {
        None => (None, None),
        Some(tail) => match tail.strip_prefix('/') {
            Some(v6) => (None, Some(v6)),
            None => tail.split_once("//").map_or((Some(tail), None), |(v4, v6)| (Some(v4), Some(v6))),
        },
    };
    let bad = || SpfError::InvalidPrefix(term.to_owned());
    let v4_prefix = v4.map(|p| parse_prefix(p, 32).ok_or_else(bad)).transpose()?;
    let v6_prefix = v6.map(|p| parse_prefix(p, 128).ok_or_else(bad)).transpose()?;
    Ok((domain, v4_prefix, v6_prefix))
}

/// Parses `:addr[/prefix]` of `ip4`/`ip6`; the prefix defaults to the whole address.
fn network<T: FromStr>(term: &str, rest: &str, max: u8, invalid: fn(String) -> SpfError) -> Result<(T, u8), SpfError> {
    let value = rest.strip_prefix(':').ok_or_else(|| invalid(term.to_owned()))?;
    let (addr, prefix) = value.split_once('/').map_or((value, None), |(addr, prefix)| (addr, Some(prefix)));
    let addr = addr.parse::<T>().map_err(|_| invalid(term.to_owned()))?;
    let prefix = match prefix {
        Some(digits) => parse_prefix(digits, max).ok_or_else(|| SpfError::InvalidPrefix(term.to_owned()))?,
        None => max,
    };
    Ok((addr, prefix))
}

fn parse_prefix(digits: &str, max: u8) -> Option<u8> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|prefix| *prefix <= max)
}

fn write_host(f: &mut Formatter<'_>, name: &str, domain: Option<&str>, v4: Option<u8>, v6: Option<u8>) -> fmt::Result {
    let domain = domain.map(|domain| format!(":{domain}")).unwrap_or_default();
    let v4 = v4.map(|prefix| format!("/{prefix}")).unwrap_or_default();
    let v6 = v6.map(|prefix| format!("//{prefix}")).unwrap_or_default();
    write!(f, "{name}{domain}{v4}{v6}")
}

impl fmt::Display for SpfMechanism {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Include(domain) => write!(f, "include:{domain}"),
            Self::A { domain, v4_prefix, v6_prefix } => write_host(f, "a", domain.as_deref(), *v4_prefix, *v6_prefix),
            Self::Mx { domain, v4_prefix, v6_prefix } => write_host(f, "mx", domain.as_deref(), *v4_prefix, *v6_prefix),
            Self::Ptr(domain) => write_host(f, "ptr", domain.as_deref(), None, None),
            Self::Ip4 { addr, prefix: 32 } => write!(f, "ip4:{addr}"),
            Self::Ip4 { addr, prefix } => write!(f, "ip4:{addr}/{prefix}"),
            Self::Ip6 { addr, prefix: 128 } => write!(f, "ip6:{addr}"),
            Self::Ip6 { addr, prefix } => write!(f, "ip6:{addr}/{prefix}"),
            Self::Exists(domain) => write!(f, "exists:{domain}"),
        }
    }
}

impl fmt::Display for SpfTerm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mechanism { qualifier: SpfQualifier::Pass, mechanism } => write!(f, "{mechanism}"),
            Self::Mechanism { qualifier, mechanism } => write!(f, "{}{mechanism}", qualifier.as_char()),
            Self::Redirect(domain) => write!(f, "redirect={domain}"),
            Self::Explanation(domain) => write!(f, "exp={domain}"),
            Self::Unknown { name, value } => write!(f, "{name}={value}"),
        }
    }
}

impl fmt::Display for SpfRecord {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("v=spf1")?;
        self.terms.iter().try_for_each(|term| write!(f, " {term}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mechanism(term: &SpfTerm) -> &SpfMechanism {
        match term {
            SpfTerm::Mechanism { mechanism, .. } => mechanism,
            other => panic!("not a mechanism: {other:?}"),
        }
    }

    #[test]
    fn typical_record_parses_and_round_trips() {
        let txt = "v=spf1 mx a:mail.example.com/24//64 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com ~all";
        let record = SpfRecord::parse(txt).expect("valid record");
        assert_eq!(record.terms.len(), 6);
        assert_eq!(
            mechanism(&record.terms[1]),
            &SpfMechanism::A { domain: Some("mail.example.com".into()), v4_prefix: Some(24), v6_prefix: Some(64) }
        );
        assert_eq!(mechanism(&record.terms[2]), &SpfMechanism::Ip4 { addr: Ipv4Addr::new(192, 0, 2, 0), prefix: 24 });
        assert_eq!(record.to_txt(), txt);
        assert_eq!(SpfRecord::parse(&record.to_txt()), Ok(record));
    }

    #[test]
    fn canonical_text_drops_plus_and_full_prefixes_and_lowercases_names() {
        let record = SpfRecord::parse("V=SPF1  +MX  IP4:192.0.2.1/32 ip6:2001:DB8:0::1 Redirect=_spf.example.com")
            .expect("valid");
        assert_eq!(record.to_txt(), "v=spf1 mx ip4:192.0.2.1 ip6:2001:db8::1 redirect=_spf.example.com");
    }

    #[test]
    fn helpers_report_all_includes_redirect_and_lookup_count() {
        let record = SpfRecord::parse(
            "v=spf1 a mx ptr exists:%{i}.x.example include:a.example include:b.example ip4:192.0.2.1 -all",
        )
        .expect("valid");
        assert_eq!(record.all_qualifier(), Some(SpfQualifier::Fail));
        assert_eq!(record.includes(), ["a.example", "b.example"]);
        assert_eq!(record.redirect(), None);
        assert_eq!(record.dns_lookup_terms(), 6);
        let redirect = SpfRecord::parse("v=spf1 redirect=_spf.example.com").expect("valid");
        assert_eq!(redirect.redirect(), Some("_spf.example.com"));
        assert_eq!(redirect.all_qualifier(), None);
        assert_eq!(redirect.dns_lookup_terms(), 1);
    }

    #[test]
    fn macros_and_unknown_modifiers_are_kept_as_written() {
        let record =
            SpfRecord::parse("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} a:%{d/}.example/24 foo=bar").expect("valid");
        assert_eq!(mechanism(&record.terms[0]), &SpfMechanism::Exists("%{ir}.%{l1r+-}._spf.%{d}".into()));
        assert_eq!(
            mechanism(&record.terms[1]),
            &SpfMechanism::A { domain: Some("%{d/}.example".into()), v4_prefix: Some(24), v6_prefix: None }
        );
        assert_eq!(record.terms[2], SpfTerm::Unknown { name: "foo".into(), value: "bar".into() });
        assert!(has_macros("%{d}.example.com"));
        assert!(!has_macros("example.com"));
    }

    #[test]
    fn only_v_spf1_followed_by_space_or_end_is_spf() {
        assert!(is_spf("v=spf1"));
        assert!(is_spf("v=spf1 -all"));
        assert!(is_spf("  V=SPF1 mx"));
        assert!(!is_spf("v=spf10 -all"));
        assert!(!is_spf("v=DMARC1; p=none"));
        assert_eq!(SpfRecord::parse("v=spf2.0/pra mx"), Err(SpfError::NotSpf));
        assert_eq!(SpfRecord::parse(""), Err(SpfError::NotSpf));
    }

    #[test]
    fn bad_terms_name_the_offending_term() {
        let err = |txt: &str| SpfRecord::parse(txt).expect_err(txt);
        assert_eq!(err("v=spf1 ip4:300.1.1.1"), SpfError::InvalidIp4("ip4:300.1.1.1".into()));
        assert_eq!(err("v=spf1 ip4:300.1.1.1").to_string(), "`ip4:300.1.1.1` is not a valid IPv4 address");
        assert_eq!(err("v=spf1 ip4"), SpfError::InvalidIp4("ip4".into()));
        assert_eq!(err("v=spf1 ip6:2001:db8::g"), SpfError::InvalidIp6("ip6:2001:db8::g".into()));
        assert_eq!(err("v=spf1 ip4:192.0.2.0/33"), SpfError::InvalidPrefix("ip4:192.0.2.0/33".into()));
        assert_eq!(err("v=spf1 ip6:2001:db8::/129"), SpfError::InvalidPrefix("ip6:2001:db8::/129".into()));
        assert_eq!(err("v=spf1 a/+24"), SpfError::InvalidPrefix("a/+24".into()));
        assert_eq!(err("v=spf1 mx//"), SpfError::InvalidPrefix("mx//".into()));
        assert_eq!(err("v=spf1 include"), SpfError::MissingDomain("include".into()));
        assert_eq!(err("v=spf1 exists:"), SpfError::MissingDomain("exists:".into()));
        assert_eq!(err("v=spf1 redirect="), SpfError::MissingDomain("redirect=".into()));
        assert_eq!(err("v=spf1 allow"), SpfError::UnknownMechanism("allow".into()));
        assert_eq!(err("v=spf1 -all/24"), SpfError::UnknownMechanism("-all/24".into()));
        assert_eq!(err("v=spf1 =x"), SpfError::UnknownMechanism("=x".into()));
    }

    #[test]
    fn redirect_and_exp_may_appear_only_once() {
        let twice = SpfRecord::parse("v=spf1 redirect=a.example REDIRECT=b.example");
        assert_eq!(twice, Err(SpfError::DuplicateModifier("redirect".into())));
        let twice = SpfRecord::parse("v=spf1 exp=a.example -all exp=b.example");
        assert_eq!(twice, Err(SpfError::DuplicateModifier("exp".into())));
    }

    #[test]
    fn ip_matches_compares_network_prefixes() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("address");
        assert!(ip_matches(ip("192.0.2.77"), ip("192.0.2.0"), 24));
        assert!(!ip_matches(ip("192.0.3.1"), ip("192.0.2.0"), 24));
        assert!(ip_matches(ip("203.0.113.9"), ip("0.0.0.0"), 0));
        assert!(ip_matches(ip("192.0.2.1"), ip("192.0.2.1"), 32));
        assert!(!ip_matches(ip("192.0.2.2"), ip("192.0.2.1"), 32));
        assert!(ip_matches(ip("2001:db8:1::5"), ip("2001:db8::"), 32));
        assert!(!ip_matches(ip("2001:db9::1"), ip("2001:db8::"), 32));
        assert!(ip_matches(ip("::ffff:192.0.2.7"), ip("192.0.2.0"), 24));
        assert!(!ip_matches(ip("192.0.2.7"), ip("::"), 0));
    }
}
