//! SPF evaluation against live DNS (RFC 7208 `check_host`), counting the DNS-querying terms
//! across includes and redirects, because a record over the limit of 10 is a permanent error
//! at every receiver even when it looks fine.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use model::deliverability::spf::{SpfMechanism, SpfQualifier, SpfRecord, SpfTerm, has_macros, ip_matches, is_spf};

use super::resolver::{DnsAnswer, DnsResolver};

/// RFC 7208 §4.6.4: at most 10 terms that cause DNS lookups.
pub const LOOKUP_LIMIT: usize = 10;
/// RFC 7208 §4.6.4: at most 2 lookups that return nothing.
pub const VOID_LOOKUP_LIMIT: usize = 2;

/// The result of `check_host` for one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpfResult {
    Pass,
    Fail,
    SoftFail,
    Neutral,
    /// No SPF record at all.
    None,
    PermError(String),
    TempError(String),
}

impl SpfResult {
    /// Lower-case name as in `Received-SPF`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::SoftFail => "softfail",
            Self::Neutral => "neutral",
            Self::None => "none",
            Self::PermError(_) => "permerror",
            Self::TempError(_) => "temperror",
        }
    }
}

fn from_qualifier(q: SpfQualifier) -> SpfResult {
    match q {
        SpfQualifier::Pass => SpfResult::Pass,
        SpfQualifier::Fail => SpfResult::Fail,
        SpfQualifier::SoftFail => SpfResult::SoftFail,
        SpfQualifier::Neutral => SpfResult::Neutral,
    }
}

/// Evaluates SPF for several addresses with one budget per address (as a receiver would).
pub struct SpfEvaluator<'a> {
    resolver: &'a DnsResolver,
    lookups: usize,
    voids: usize,
}

type Eval<'b> = Pin<Box<dyn Future<Output = SpfResult> + Send + 'b>>;

/// The SPF record published at `domain`: `Ok(None)` when none, `Err` for a DNS failure or
/// more than one record.
pub async fn fetch_record(resolver: &DnsResolver, domain: &str) -> Result<Option<SpfRecord>, SpfResult> {
    let txt = match resolver.txt(domain).await {
        DnsAnswer::Records(txt) => txt,
        DnsAnswer::NoRecords | DnsAnswer::NxDomain => return Ok(None),
        other => return Err(SpfResult::TempError(other.describe(domain))),
    };
    let spf: Vec<&String> = txt.iter().filter(|t| is_spf(t)).collect();
    match spf.as_slice() {
        [] => Ok(None),
        [one] => SpfRecord::parse(one).map(Some).map_err(|e| SpfResult::PermError(format!("{domain}: {e}"))),
        _ => Err(SpfResult::PermError(format!("{domain} has {} SPF records", spf.len()))),
    }
}

impl<'a> SpfEvaluator<'a> {
    /// A fresh budget.
    pub fn new(resolver: &'a DnsResolver) -> Self {
        Self { resolver, lookups: 0, voids: 0 }
    }

    /// `check_host(ip, domain)`.
    pub async fn check_host(&mut self, ip: IpAddr, domain: &str) -> SpfResult {
        self.lookups = 0;
        self.voids = 0;
        self.check(ip, domain.to_owned()).await
    }

    fn check<'b>(&'b mut self, ip: IpAddr, domain: String) -> Eval<'b>
    where
        'a: 'b,
    {
        Box::pin(async move {
            let record = match fetch_record(self.resolver, &domain).await {
                Ok(Some(r)) => r,
                Ok(None) => return SpfResult::None,
                Err(e) => return e,
            };
            let mut redirect = None;
            for term in &record.terms {
                match term {
                    SpfTerm::Mechanism { qualifier, mechanism } => match self.matches(ip, &domain, mechanism).await {
                        Ok(true) => return from_qualifier(*qualifier),
                        Ok(false) => {}
                        Err(e) => return e,
                    },
                    SpfTerm::Redirect(target) => redirect = Some(target.clone()),
                    _ => {}
                }
            }
            match redirect {
                Some(target) => {
                    if let Err(e) = self.count(&target) {
                        return e;
                    }
                    match self.check(ip, target.clone()).await {
                        SpfResult::None => SpfResult::PermError(format!("redirect={target} has no SPF record")),
                        other => other,
                    }
                }
                None => SpfResult::Neutral,
            }
        })
    }

    fn count(&mut self, spec: &str) -> Result<(), SpfResult> {
        self.lookups += 1;
        if self.lookups > LOOKUP_LIMIT {
            return Err(SpfResult::PermError(format!("more than {LOOKUP_LIMIT} DNS lookups (at {spec})")));
        }
        if has_macros(spec) {
            return Err(SpfResult::PermError(format!("macros are not checked here ({spec})")));
        }
        Ok(())
    }

    fn void(&mut self) -> Result<(), SpfResult> {
        self.voids += 1;
        if self.voids > VOID_LOOKUP_LIMIT {
            return Err(SpfResult::PermError(format!("more than {VOID_LOOKUP_LIMIT} lookups returned nothing")));
        }
        Ok(())
    }

    async fn addresses(&mut self, host: &str) -> Result<Vec<IpAddr>, SpfResult> {
        let mut out = Vec::new();
        match self.resolver.a(host).await {
            DnsAnswer::Records(v4) => out.extend(v4.into_iter().map(IpAddr::V4)),
            DnsAnswer::NoRecords | DnsAnswer::NxDomain => {}
            other => return Err(SpfResult::TempError(other.describe(host))),
        }
        match self.resolver.aaaa(host).await {
            DnsAnswer::Records(v6) => out.extend(v6.into_iter().map(IpAddr::V6)),
            DnsAnswer::NoRecords | DnsAnswer::NxDomain => {}
            other => return Err(SpfResult::TempError(other.describe(host))),
        }
        if out.is_empty() {
            self.void()?;
        }
        Ok(out)
    }

    fn prefix_for(ip: IpAddr, v4: Option<u8>, v6: Option<u8>) -> u8 {
        match ip {
            IpAddr::V4(_) => v4.unwrap_or(32),
            IpAddr::V6(_) => v6.unwrap_or(128),
        }
    }

    async fn matches(&mut self, ip: IpAddr, domain: &str, mechanism: &SpfMechanism) -> Result<bool, SpfResult> {
        match mechanism {
            SpfMechanism::All => Ok(true),
            SpfMechanism::Ip4 { addr, prefix } => Ok(ip_matches(ip, IpAddr::V4(*addr), *prefix)),
            SpfMechanism::Ip6 { addr, prefix } => Ok(ip_matches(ip, IpAddr::V6(*addr), *prefix)),
            SpfMechanism::Include(target) => {
                self.count(target)?;
                match self.check(ip, target.clone()).await {
                    SpfResult::Pass => Ok(true),
                    SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Ok(false),
                    SpfResult::None => Err(SpfResult::PermError(format!("include:{target} has no SPF record"))),
                    e => Err(e),
                }
            }
            SpfMechanism::A { domain: target, v4_prefix, v6_prefix } => {
                let host = target.clone().unwrap_or_else(|| domain.to_owned());
                self.count(&host)?;
                let prefix = Self::prefix_for(ip, *v4_prefix, *v6_prefix);
                Ok(self.addresses(&host).await?.into_iter().any(|a| ip_matches(ip, a, prefix)))
            }
            SpfMechanism::Mx { domain: target, v4_prefix, v6_prefix } => {
                let host = target.clone().unwrap_or_else(|| domain.to_owned());
                self.count(&host)?;
                let exchanges = match self.resolver.mx(&host).await {
                    DnsAnswer::Records(mx) => mx,
                    DnsAnswer::NoRecords | DnsAnswer::NxDomain => {
                        self.void()?;
                        Vec::new()
                    }
                    other => return Err(SpfResult::TempError(other.describe(&host))),
                };
                if exchanges.len() > 10 {
                    return Err(SpfResult::PermError(format!("{host} has more than 10 MX hosts")));
                }
                let prefix = Self::prefix_for(ip, *v4_prefix, *v6_prefix);
                for (_, exchange) in exchanges {
                    if self.addresses(&exchange).await?.into_iter().any(|a| ip_matches(ip, a, prefix)) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            SpfMechanism::Ptr(target) => {
                // Deprecated (RFC 7208 §5.5) and slow; counted, never matched here.
                self.count(target.as_deref().unwrap_or(domain))?;
                Ok(false)
            }
            SpfMechanism::Exists(target) => {
                self.count(target)?;
                match self.resolver.a(target).await {
                    DnsAnswer::Records(r) => Ok(!r.is_empty()),
                    DnsAnswer::NoRecords | DnsAnswer::NxDomain => {
                        self.void()?;
                        Ok(false)
                    }
                    other => Err(SpfResult::TempError(other.describe(target))),
                }
            }
        }
    }
}

/// How many DNS-querying terms the whole tree under `domain` uses (includes and redirects
/// followed), whatever the sending address: the figure receivers hold against the limit.
pub async fn count_lookups(resolver: &DnsResolver, record: &SpfRecord) -> Result<usize, String> {
    let mut total = 0;
    let mut queue: Vec<(String, usize)> = Vec::new();
    total += record.dns_lookup_terms();
    for target in record.includes().into_iter().chain(record.redirect()) {
        queue.push((target.to_owned(), 1));
    }
    while let Some((domain, depth)) = queue.pop() {
        if depth > 10 || total > 50 {
            break;
        }
        if has_macros(&domain) {
            continue;
        }
        match fetch_record(resolver, &domain).await {
            Ok(Some(r)) => {
                total += r.dns_lookup_terms();
                for target in r.includes().into_iter().chain(r.redirect()) {
                    queue.push((target.to_owned(), depth + 1));
                }
            }
            Ok(None) => return Err(format!("include:{domain} has no SPF record")),
            Err(SpfResult::PermError(e) | SpfResult::TempError(e)) => return Err(e),
            Err(other) => return Err(other.name().to_owned()),
        }
    }
    Ok(total)
}
