//! The default set of public DNS blocklists the blocklist scan checks.
//!
//! A mail server that lands on a blocklist quietly loses deliverability: receivers that
//! consult the list reject or junk its mail, and the admin usually finds out from users.
//! The scan asks each list below about every sending IP and every hosted domain, so a
//! listing shows up in the UI together with the page where it can be looked up and
//! removed.
//!
//! What is deliberately left out:
//! - lists that have shut down (SORBS) or were folded into another (CBL, now part of
//!   Spamhaus ZEN): a dead zone either never answers or, worse, is parked and answers
//!   everything;
//! - lists that need an account or key (Abusix Mail Intelligence, Spamhaus DQS, Invaluement):
//!   they cannot be part of a default that works for everyone;
//! - zones that mix allow- and block-answers in one zone (JunkEmailFilter HostKarma answers
//!   `127.0.0.1` for *trusted* senders): a catalogue entry carries no answer codes, so a
//!   scan reading any answer as a listing would report good reputation as a problem.
//!
//! The operational status reflects what was known in 2025. Blocklists come and go; an
//! entry that starts answering for every query (a sign the zone was abandoned or
//! wildcarded) should be removed here rather than worked around in the scan.

/// One blocklist as the scan queries it.
///
/// Everything the scan and the UI need is static: the list is compiled in so that a fresh
/// install can scan without configuration, and so that tests can check the catalogue as
/// data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlocklistSpec {
    /// What an admin reads in the UI, e.g. "Spamhaus ZEN".
    pub name: &'static str,
    /// The DNS zone queried: lowercase, no trailing dot, unique across the catalogue.
    pub zone: &'static str,
    /// Whether the zone is queried with IPv4 addresses or with domain names.
    pub kind: ListKind,
    /// The list's own lookup / delisting page (https), linked next to a listing so the
    /// admin goes straight to the only place a listing can actually be removed.
    pub delist_url: &'static str,
    /// A list the big mailbox providers and widely deployed filters actually consult.
    /// A listing there costs real deliverability, so the UI ranks these first and
    /// flags them more loudly than the long tail of small lists.
    pub major: bool,
}

/// What a list is keyed by: IPv4 addresses (reversed octets) or domain names.
///
/// The two kinds are queried differently (`4.3.2.1.zone` for the IP `1.2.3.4`, but
/// `example.com.zone` for a domain) and are fed different inputs: IP lists get the
/// server's sending addresses, domain lists get the domains it sends for. Asking an IP
/// list about a domain, or the other way round, yields nothing useful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// Keyed by IPv4 address, octets reversed.
    Ip,
    /// Keyed by domain name (RHSBL / URI blocklists).
    Domain,
}

/// An IP-keyed list.
const fn ip(name: &'static str, zone: &'static str, delist_url: &'static str) -> BlocklistSpec {
    BlocklistSpec { name, zone, kind: ListKind::Ip, delist_url, major: false }
}

/// A domain-keyed list.
const fn domain(name: &'static str, zone: &'static str, delist_url: &'static str) -> BlocklistSpec {
    BlocklistSpec { name, zone, kind: ListKind::Domain, delist_url, major: false }
}

impl BlocklistSpec {
    /// Marks a list as one the big mailbox providers consult.
    const fn major(self) -> Self {
        BlocklistSpec { major: true, ..self }
    }
}

/// The blocklists a scan checks unless the admin changes the selection.
///
/// Major lists come first, then IP lists, then domain lists; the UI does its own sorting,
/// the order here only keeps the catalogue readable.
pub const DEFAULT_LISTS: &[BlocklistSpec] = &[
    // Lists the big providers and mainstream filters consult.
    ip("Spamhaus ZEN", "zen.spamhaus.org", "https://check.spamhaus.org/").major(),
    domain("Spamhaus DBL", "dbl.spamhaus.org", "https://check.spamhaus.org/").major(),
    ip("Barracuda BRBL", "b.barracudacentral.org", "https://www.barracudacentral.org/rbl/removal-request").major(),
    ip("SpamCop", "bl.spamcop.net", "https://www.spamcop.net/bl.shtml").major(),
    domain("SURBL multi", "multi.surbl.org", "https://surbl.org/surbl-analysis").major(),
    domain("URIBL multi", "multi.uribl.com", "https://admin.uribl.com/").major(),
    // IP lists.
    ip("UCEPROTECT Level 1", "dnsbl-1.uceprotect.net", "https://www.uceprotect.net/en/rblcheck.php"),
    ip("UCEPROTECT Level 2", "dnsbl-2.uceprotect.net", "https://www.uceprotect.net/en/rblcheck.php"),
    ip("UCEPROTECT Level 3", "dnsbl-3.uceprotect.net", "https://www.uceprotect.net/en/rblcheck.php"),
    ip("Backscatterer.org", "ips.backscatterer.org", "https://www.backscatterer.org/"),
    ip("PSBL (Passive Spam Block List)", "psbl.surriel.com", "https://psbl.org/"),
    ip("Mailspike BL", "bl.mailspike.net", "https://mailspike.org/iplookup.html"),
    ip("DroneBL", "dnsbl.dronebl.org", "https://dronebl.org/lookup"),
    ip("s5h.net", "all.s5h.net", "https://www.usenix.org.uk/content/rbl.html"),
    ip("GBUdb Truncate", "truncate.gbudb.net", "https://www.gbudb.com/truncate/"),
    ip("NiX Spam", "ix.dnsbl.manitu.net", "https://www.dnsbl.manitu.net/"),
    ip("0spam", "bl.0spam.org", "https://0spam.org/"),
    ip("SPFBL", "dnsbl.spfbl.net", "https://spfbl.net/en/"),
    ip("blocklist.de", "bl.blocklist.de", "https://www.blocklist.de/en/delist.html"),
    ip("WPBL", "db.wpbl.info", "https://wpbl.info/"),
    ip("Anonmails DNSBL", "spam.dnsbl.anonmails.de", "https://anonmails.de/dnsbl.php"),
    ip("NordSpam BL", "bl.nordspam.com", "https://www.nordspam.com/"),
    ip("SwiNOG DNSRBL", "dnsrbl.swinog.ch", "https://antispam.imp.ch/"),
    ip("InterServer RBL", "rbl.interserver.net", "https://rbl.interserver.net/"),
    ip("Suomispam BL", "bl.suomispam.net", "https://suomispam.net/"),
    ip("SEM Backscatter", "backscatter.spameatingmonkey.net", "https://spameatingmonkey.com/lookup"),
    ip("SEM Black", "bl.spameatingmonkey.net", "https://spameatingmonkey.com/lookup"),
    ip("SpamRATS Spam", "spam.spamrats.com", "https://www.spamrats.com/lookup.php"),
    ip("SpamRATS Dyna", "dyna.spamrats.com", "https://www.spamrats.com/lookup.php"),
    ip("SpamRATS NoPtr", "noptr.spamrats.com", "https://www.spamrats.com/lookup.php"),
    ip("Realtime BLacklist", "rbl.realtimeblacklist.com", "https://realtimeblacklist.com/"),
    ip("MXRBL", "bl.mxrbl.com", "https://mxrbl.com/"),
    ip("ZapBL", "dnsbl.zapbl.net", "https://zapbl.net/"),
    ip("Schulte RBL", "rbl.schulte.org", "https://rbl.schulte.org/"),
    ip("LashBack UBL", "ubl.unsubscore.com", "https://blacklist.lashback.com/"),
    // Domain lists.
    domain("NordSpam DBL", "dbl.nordspam.com", "https://www.nordspam.com/"),
    domain("Suomispam DBL", "dbl.suomispam.net", "https://suomispam.net/"),
    domain("SEM Fresh", "fresh.spameatingmonkey.net", "https://spameatingmonkey.com/lookup"),
    domain("SEM URIBL", "uribl.spameatingmonkey.net", "https://spameatingmonkey.com/lookup"),
    domain("ZapBL RHSBL", "rhsbl.zapbl.net", "https://zapbl.net/"),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// A zone a resolver would accept: at least two labels, each 1-63 characters of
    /// `[a-z0-9-]` not starting or ending with a hyphen, no trailing dot.
    fn plausible_zone(zone: &str) -> bool {
        let labels: Vec<&str> = zone.split('.').collect();
        zone.len() <= 200
            && labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            })
    }

    #[test]
    fn there_are_exactly_forty() {
        assert_eq!(DEFAULT_LISTS.len(), 40);
    }

    #[test]
    fn zones_are_unique_and_plausible() {
        let mut seen = HashSet::new();
        for spec in DEFAULT_LISTS {
            assert!(plausible_zone(spec.zone), "implausible zone {:?}", spec.zone);
            assert!(seen.insert(spec.zone), "duplicate zone {:?}", spec.zone);
        }
    }

    #[test]
    fn names_are_present_and_unique() {
        let mut seen = HashSet::new();
        for spec in DEFAULT_LISTS {
            assert!(!spec.name.trim().is_empty(), "empty name for {}", spec.zone);
            assert!(seen.insert(spec.name), "duplicate name {:?}", spec.name);
        }
    }

    #[test]
    fn delist_urls_are_https() {
        for spec in DEFAULT_LISTS {
            assert!(spec.delist_url.starts_with("https://"), "{} has {:?}", spec.zone, spec.delist_url);
            assert!(spec.delist_url.len() > "https://".len(), "{} has an empty delist url", spec.zone);
        }
    }

    #[test]
    fn both_kinds_are_covered() {
        let domains = DEFAULT_LISTS.iter().filter(|s| s.kind == ListKind::Domain).count();
        assert!(domains >= 5, "only {domains} domain lists");
        assert!(DEFAULT_LISTS.iter().any(|s| s.kind == ListKind::Ip));
    }

    #[test]
    fn spamhaus_zen_is_present_and_major() {
        let zen = DEFAULT_LISTS.iter().find(|s| s.zone == "zen.spamhaus.org").expect("Spamhaus ZEN is listed");
        assert!(zen.major);
        assert_eq!(zen.kind, ListKind::Ip);
        assert_eq!(zen.name, "Spamhaus ZEN");
    }

    #[test]
    fn spamhaus_dbl_is_a_major_domain_list() {
        let dbl = DEFAULT_LISTS.iter().find(|s| s.zone == "dbl.spamhaus.org").expect("Spamhaus DBL is listed");
        assert!(dbl.major);
        assert_eq!(dbl.kind, ListKind::Domain);
    }

    #[test]
    fn dead_lists_stay_out() {
        for spec in DEFAULT_LISTS {
            assert!(!spec.zone.ends_with("sorbs.net"), "SORBS is shut down: {}", spec.zone);
        }
    }
}
