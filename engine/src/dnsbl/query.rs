//! One blocklist lookup: the name to ask and how to read the answer. Lists answer with an
//! address in 127.0.0.0/8 for a listing and NXDOMAIN for "not listed"; some answer special
//! codes for refused queries (Spamhaus 127.255.255.x for queries through public resolvers),
//! which must read as "could not check", never as "listed" or "clean".

use std::net::{IpAddr, Ipv4Addr};

use crate::deliverability::resolver::{DnsAnswer, DnsResolver};

/// What one (target, list) lookup found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryOutcome {
    Clean,
    /// Listed, with the A answer and the TXT reason (may be empty).
    Listed {
        answer: String,
        reason: String,
    },
    /// Not answered usefully: timeout, SERVFAIL, refused query, nonsense answer.
    Error(String),
}

/// The name to look up: reversed IPv4 octets or the domain, under the list's zone.
/// `None` for a target the list cannot take (IPv6 on an IPv4 list).
pub fn query_name(target: &str, zone: &str, ip_list: bool) -> Option<String> {
    if ip_list {
        match target.parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) => {
                let [a, b, c, d] = v4.octets();
                Some(format!("{d}.{c}.{b}.{a}.{zone}"))
            }
            IpAddr::V6(_) => None,
        }
    } else if target.parse::<IpAddr>().is_ok() {
        None
    } else {
        Some(format!("{target}.{zone}"))
    }
}

/// Return codes that mean "your query was refused" rather than "listed".
fn is_refusal(ip: Ipv4Addr) -> bool {
    let [a, b, c, d] = ip.octets();
    // Spamhaus: 127.255.255.252–255 (typo / public resolver / excessive queries);
    // SURBL/URIBL: 127.0.0.1 means the query was blocked; Spamhaus DBL 127.0.1.255.
    (a == 127 && b == 255 && c == 255) || ip == Ipv4Addr::new(127, 0, 0, 1) || (a, b, c, d) == (127, 0, 1, 255)
}

/// Looks `name` up and reads the answer.
pub async fn lookup(resolver: &DnsResolver, name: &str) -> QueryOutcome {
    match resolver.a(name).await {
        DnsAnswer::Records(ips) => {
            if let Some(bad) = ips.iter().find(|ip| ip.octets()[0] != 127) {
                return QueryOutcome::Error(format!(
                    "answered {bad}, outside 127.0.0.0/8: the list looks dead or wildcarded"
                ));
            }
            if let Some(refused) = ips.iter().find(|ip| is_refusal(**ip)) {
                return QueryOutcome::Error(format!("the list refused the query (answer {refused})"));
            }
            let answer = ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let reason = match resolver.txt(name).await {
                DnsAnswer::Records(txt) => txt.join(" "),
                _ => String::new(),
            };
            QueryOutcome::Listed { answer, reason }
        }
        DnsAnswer::NxDomain | DnsAnswer::NoRecords => QueryOutcome::Clean,
        other => QueryOutcome::Error(other.describe(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_targets_are_reversed_under_the_zone() {
        assert_eq!(query_name("192.0.2.10", "zen.spamhaus.org", true).as_deref(), Some("10.2.0.192.zen.spamhaus.org"));
        assert_eq!(
            query_name("example.com", "dbl.spamhaus.org", false).as_deref(),
            Some("example.com.dbl.spamhaus.org")
        );
    }

    #[test]
    fn targets_of_the_wrong_kind_are_skipped() {
        assert_eq!(query_name("2001:db8::1", "zen.spamhaus.org", true), None);
        assert_eq!(query_name("example.com", "zen.spamhaus.org", true), None);
        assert_eq!(query_name("192.0.2.1", "dbl.spamhaus.org", false), None);
    }

    #[test]
    fn refusal_codes_are_not_listings() {
        assert!(is_refusal(Ipv4Addr::new(127, 255, 255, 254)));
        assert!(is_refusal(Ipv4Addr::new(127, 0, 0, 1)));
        assert!(!is_refusal(Ipv4Addr::new(127, 0, 0, 2)));
        assert!(!is_refusal(Ipv4Addr::new(127, 0, 1, 2)));
    }
}
