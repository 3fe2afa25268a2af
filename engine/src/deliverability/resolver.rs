//! DNS lookups for verification and blocklist scans, with every outcome kept apart:
//! records, "no records of that type", NXDOMAIN, SERVFAIL/REFUSED, timeout. A check must never
//! read a failed lookup as "fine", so callers get these as values, not as one error.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};

use super::DeliverabilityError;

/// What one lookup returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsAnswer<T> {
    Records(Vec<T>),
    /// The name exists but has no record of this type (NODATA).
    NoRecords,
    NxDomain,
    /// SERVFAIL, REFUSED or another error code, named.
    ServFail(String),
    Timeout,
    /// No connection or another resolver failure.
    Failed(String),
}

impl<T> DnsAnswer<T> {
    /// A sentence naming what went wrong with `name` (for anything but `Records`).
    pub fn describe(&self, name: &str) -> String {
        match self {
            Self::Records(_) => format!("{name} answered"),
            Self::NoRecords => format!("{name} has no record of this type"),
            Self::NxDomain => format!("{name} does not exist (NXDOMAIN)"),
            Self::ServFail(code) => format!("the DNS server answered {code} for {name}"),
            Self::Timeout => format!("no answer for {name} in time (timeout)"),
            Self::Failed(e) => format!("lookup of {name} failed: {e}"),
        }
    }

    /// Maps the records, keeping any failure as is.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> DnsAnswer<U> {
        match self {
            Self::Records(r) => DnsAnswer::Records(r.into_iter().map(f).collect()),
            Self::NoRecords => DnsAnswer::NoRecords,
            Self::NxDomain => DnsAnswer::NxDomain,
            Self::ServFail(c) => DnsAnswer::ServFail(c),
            Self::Timeout => DnsAnswer::Timeout,
            Self::Failed(e) => DnsAnswer::Failed(e),
        }
    }
}

/// Which servers to ask. `System` reads /etc/resolv.conf; a list names servers (port 53
/// unless given), e.g. a local validating resolver or, in tests, dnsmasq on a loopback port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolverChoice {
    System,
    Servers(Vec<SocketAddr>),
}

impl ResolverChoice {
    /// `system` or a comma-separated list of `ip` / `ip:port` / `[v6]:port`.
    pub fn parse(text: &str) -> Result<Self, DeliverabilityError> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("system") {
            return Ok(Self::System);
        }
        let servers = text
            .split(',')
            .map(str::trim)
            .map(|s| {
                s.parse::<SocketAddr>().or_else(|_| s.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53))).map_err(
                    |_| DeliverabilityError::InvalidInput {
                        field: "dns_resolver",
                        message: format!("{s:?} is not an IP address or ip:port"),
                    },
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Servers(servers))
    }
}

/// A resolver without a cache (each check sees what DNS says now).
#[derive(Clone)]
pub struct DnsResolver {
    inner: TokioResolver,
    description: String,
}

impl std::fmt::Debug for DnsResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsResolver").field("servers", &self.description).finish()
    }
}

impl DnsResolver {
    /// Each query waits `timeout` and is tried `1 + retries` times.
    pub fn new(choice: &ResolverChoice, timeout: Duration, retries: usize) -> Result<Self, DeliverabilityError> {
        let provider = TokioRuntimeProvider::default();
        let (mut builder, description) = match choice {
            ResolverChoice::System => {
                let (config, options) = hickory_resolver::system_conf::read_system_conf().map_err(|e| {
                    DeliverabilityError::InvalidInput {
                        field: "dns_resolver",
                        message: format!("/etc/resolv.conf: {e}"),
                    }
                })?;
                (TokioResolver::builder_with_config(config, provider).with_options(options), "system".to_owned())
            }
            ResolverChoice::Servers(servers) => {
                let name_servers = servers
                    .iter()
                    .map(|addr| {
                        let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                        for c in &mut ns.connections {
                            c.port = addr.port();
                        }
                        ns
                    })
                    .collect();
                let text = servers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                (TokioResolver::builder_with_config(ResolverConfig::from_name_servers(name_servers), provider), text)
            }
        };
        let options = builder.options_mut();
        options.timeout = timeout;
        options.attempts = retries;
        options.cache_size = 0;
        options.use_hosts_file = ResolveHosts::Never;
        let inner = builder
            .build()
            .map_err(|e| DeliverabilityError::InvalidInput { field: "dns_resolver", message: e.to_string() })?;
        Ok(Self { inner, description })
    }

    /// The servers asked, for the page footer and logs.
    pub fn description(&self) -> &str {
        &self.description
    }

    fn fqdn(name: &str) -> String {
        if name.ends_with('.') { name.to_owned() } else { format!("{name}.") }
    }

    async fn records(&self, name: &str, rtype: RecordType) -> DnsAnswer<RData> {
        match self.inner.lookup(Self::fqdn(name).as_str(), rtype).await {
            Ok(lookup) => {
                let data: Vec<RData> =
                    lookup.answers().iter().filter(|r| r.record_type() == rtype).map(|r| r.data.clone()).collect();
                if data.is_empty() { DnsAnswer::NoRecords } else { DnsAnswer::Records(data) }
            }
            Err(e) => classify(&e),
        }
    }

    /// TXT records, each one's strings joined (as SPF/DKIM/DMARC read them).
    pub async fn txt(&self, name: &str) -> DnsAnswer<String> {
        match self.records(name, RecordType::TXT).await {
            DnsAnswer::Records(data) => DnsAnswer::Records(
                data.into_iter()
                    .filter_map(|d| match d {
                        RData::TXT(t) => Some(t.txt_data.iter().map(|s| String::from_utf8_lossy(s)).collect()),
                        _ => None,
                    })
                    .collect(),
            ),
            other => other.map(|_| String::new()),
        }
    }

    /// MX records as (preference, exchange without the trailing dot, lower case).
    pub async fn mx(&self, name: &str) -> DnsAnswer<(u16, String)> {
        match self.records(name, RecordType::MX).await {
            DnsAnswer::Records(data) => {
                let mut out: Vec<(u16, String)> = data
                    .into_iter()
                    .filter_map(|d| match d {
                        RData::MX(mx) => Some((mx.preference, bare(&mx.exchange.to_ascii()))),
                        _ => None,
                    })
                    .collect();
                out.sort();
                DnsAnswer::Records(out)
            }
            other => other.map(|_| (0, String::new())),
        }
    }

    /// IPv4 addresses (following CNAMEs).
    pub async fn a(&self, name: &str) -> DnsAnswer<Ipv4Addr> {
        match self.records(name, RecordType::A).await {
            DnsAnswer::Records(data) => DnsAnswer::Records(
                data.into_iter()
                    .filter_map(|d| match d {
                        RData::A(a) => Some(a.0),
                        _ => None,
                    })
                    .collect(),
            ),
            other => other.map(|_| Ipv4Addr::UNSPECIFIED),
        }
    }

    /// IPv6 addresses (following CNAMEs).
    pub async fn aaaa(&self, name: &str) -> DnsAnswer<Ipv6Addr> {
        match self.records(name, RecordType::AAAA).await {
            DnsAnswer::Records(data) => DnsAnswer::Records(
                data.into_iter()
                    .filter_map(|d| match d {
                        RData::AAAA(a) => Some(a.0),
                        _ => None,
                    })
                    .collect(),
            ),
            other => other.map(|_| Ipv6Addr::UNSPECIFIED),
        }
    }

    /// The CNAME target of `name`, if it is an alias.
    pub async fn cname(&self, name: &str) -> DnsAnswer<String> {
        match self.records(name, RecordType::CNAME).await {
            DnsAnswer::Records(data) => DnsAnswer::Records(
                data.into_iter()
                    .filter_map(|d| match d {
                        RData::CNAME(c) => Some(bare(&c.0.to_ascii())),
                        _ => None,
                    })
                    .collect(),
            ),
            other => other.map(|_| String::new()),
        }
    }

    /// Reverse DNS names of `ip`.
    pub async fn ptr(&self, ip: IpAddr) -> DnsAnswer<String> {
        let name = reverse_name(ip);
        match self.records(&name, RecordType::PTR).await {
            DnsAnswer::Records(data) => DnsAnswer::Records(
                data.into_iter()
                    .filter_map(|d| match d {
                        RData::PTR(p) => Some(bare(&p.0.to_ascii())),
                        _ => None,
                    })
                    .collect(),
            ),
            other => other.map(|_| String::new()),
        }
    }
}

/// `x.y.z.w.in-addr.arpa` / nibble `ip6.arpa` name of an address.
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut out = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                out.push_str(&format!("{:x}.{:x}.", byte & 0xf, byte >> 4));
            }
            out.push_str("ip6.arpa");
            out
        }
    }
}

fn bare(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn classify<T>(error: &NetError) -> DnsAnswer<T> {
    match error {
        NetError::Dns(DnsError::NoRecordsFound(nr)) if nr.response_code == ResponseCode::NXDomain => {
            DnsAnswer::NxDomain
        }
        NetError::Dns(DnsError::NoRecordsFound(_)) => DnsAnswer::NoRecords,
        NetError::Dns(DnsError::ResponseCode(code)) => DnsAnswer::ServFail(code.to_str().to_uppercase()),
        NetError::Timeout => DnsAnswer::Timeout,
        other => DnsAnswer::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_choice_reads_system_and_server_lists() {
        assert_eq!(ResolverChoice::parse("system").unwrap(), ResolverChoice::System);
        assert_eq!(ResolverChoice::parse("").unwrap(), ResolverChoice::System);
        assert_eq!(
            ResolverChoice::parse("127.0.0.1:5353, 9.9.9.9").unwrap(),
            ResolverChoice::Servers(vec!["127.0.0.1:5353".parse().unwrap(), "9.9.9.9:53".parse().unwrap()])
        );
        assert!(ResolverChoice::parse("dns.example").is_err());
    }

    #[test]
    fn reverse_names_for_both_families() {
        assert_eq!(reverse_name("192.0.2.10".parse().unwrap()), "10.2.0.192.in-addr.arpa");
        let v6 = reverse_name("2001:db8::1".parse().unwrap());
        assert!(v6.starts_with("1.0.0.0.") && v6.ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"), "{v6}");
    }
}
