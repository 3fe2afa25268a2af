//! Configuration: built-in defaults, then an optional TOML file, then the environment.
//! Every key is documented in README.md ("Configuration").

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

/// A configuration value that cannot be used, named so the operator can fix it.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid TOML: {source}")]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("{key}={value:?} is invalid: {reason}")]
    Invalid { key: &'static str, value: String, reason: String },
}

/// Log line format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The settings file; every field optional, environment variables win.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    site_root: Option<PathBuf>,
    log: Option<String>,
    log_format: Option<LogFormat>,
    trust_proxy: Option<bool>,
    session_lifetime_hours: Option<u64>,
    session_idle_minutes: Option<u64>,
    db_max_connections: Option<u32>,
    dkim_dir: Option<PathBuf>,
    dkim_gid: Option<u32>,
    mail_host: Option<String>,
    roundcube_url: Option<String>,
    webmail_host: Option<String>,
    mail_db_password: Option<String>,
    sending_ips: Option<String>,
    dns_resolver: Option<String>,
    dns_timeout_ms: Option<u64>,
    dnsbl_concurrency: Option<u64>,
    alert_email: Option<String>,
    smtp_relay: Option<String>,
    acme_directory: Option<String>,
    acme_ca_file: Option<PathBuf>,
    acme_email: Option<String>,
    tls_listen: Option<String>,
    tls_dir: Option<PathBuf>,
    tls_reload: Option<String>,
    mail_tls_hosts: Option<String>,
    bounce_domain: Option<String>,
    rspamd: Option<String>,
    send_connections: Option<u64>,
    lmtp_listen: Option<String>,
}

/// The resolved configuration the server runs with.
#[derive(Clone, Debug)]
pub struct Config {
    /// External PostgreSQL; `None` means the embedded cluster under `data_dir/postgres`.
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `scheme://host[:port]` the admin is reached at, without a trailing slash.
    pub public_url: Option<String>,
    /// Where cargo-leptos put the compiled site (`pkg/` with wasm, js, css).
    pub site_root: PathBuf,
    pub log: String,
    pub log_format: LogFormat,
    pub trust_proxy: bool,
    pub session_lifetime: Duration,
    pub session_idle: Duration,
    pub db_max_connections: u32,
    /// Where DKIM private keys are written for Rspamd (default `data_dir/dkim`).
    pub dkim_dir: PathBuf,
    /// Group id given to DKIM key files (Rspamd's), when Rspamd runs as another user.
    pub dkim_gid: Option<u32>,
    /// Host name mail clients connect to (IMAP/POP3/SMTP), shown on the connection card.
    pub mail_host: String,
    /// RoundCube's HTTP address; when set, `/roundcube/` is proxied to it.
    pub roundcube_url: Option<String>,
    /// A host name of its own for webmail (`webmail.example.com`): RoundCube is then served
    /// at that host's root, a different origin from the admin, and `/roundcube/` redirects
    /// there. Recommended: a script in a hostile message that slipped past RoundCube's
    /// sanitiser could otherwise call the admin API from the admin's own origin.
    pub webmail_host: Option<String>,
    /// When set, the `billionmail_mail` database role (views only) gets this password at
    /// start, so Postfix and Dovecot can log in with it instead of the app's own user.
    pub mail_db_password: Option<String>,
    /// Addresses mail leaves from (PTR, SPF and blocklist checks); empty = what the mail
    /// host resolves to.
    pub sending_ips: Vec<std::net::IpAddr>,
    /// DNS servers for record checks and blocklist scans.
    pub dns_resolver: engine::deliverability::ResolverChoice,
    pub dns_timeout: Duration,
    /// Parallel blocklist lookups.
    pub dnsbl_concurrency: usize,
    /// Where blocklist alerts are mailed (comma-separated); `None` = no alert mail.
    pub alert_email: Option<String>,
    /// `host:port` of the SMTP relay alert mail goes through.
    pub smtp_relay: (String, u16),
    /// ACME directory URL; `None` = automatic TLS off.
    pub acme_directory: Option<String>,
    /// Extra CA (PEM) to trust for the ACME server, e.g. a test CA; `None` = public roots.
    pub acme_ca_file: Option<PathBuf>,
    /// Contact address given to the ACME account.
    pub acme_email: Option<String>,
    /// HTTPS listener for the admin host (TLS-ALPN-01 certificates); `None` = plain HTTP only.
    pub tls_listen: Option<SocketAddr>,
    /// Where certificates for Postfix/Dovecot are written (`<host>/fullchain.pem`, `privkey.pem`).
    pub tls_dir: PathBuf,
    /// Shell command run after a mail certificate changes (reload Postfix and Dovecot).
    pub tls_reload: Option<String>,
    /// Host names Postfix/Dovecot need certificates for (HTTP-01); default the mail host.
    pub mail_tls_hosts: Vec<String>,
    /// Domain of VERP bounce addresses and the mailto unsubscribe address; Postfix routes it
    /// to the engine's inbound listener. Default: the mail host.
    pub bounce_domain: String,
    /// `host:port` of Rspamd's normal worker, asked for the preflight spam score.
    pub rspamd: Option<String>,
    /// Relay connections per sending campaign and process (domains with a relay of their
    /// own use its setting).
    pub send_connections: usize,
    /// Where the inbound LMTP listener (bounces, complaints, replies, mailto unsubscribes
    /// for the bounce domain) accepts Postfix's deliveries; `None` = off (`BM_LMTP_LISTEN=off`).
    pub lmtp_listen: Option<SocketAddr>,
}

impl Config {
    /// Loads defaults, then `file` (or `./billionmail.toml` if it exists), then `BM_*` /
    /// `DATABASE_URL` from `env`.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let default_file = Path::new("billionmail.toml");
        let path = file.map(Path::to_path_buf).or_else(|| default_file.exists().then(|| default_file.to_path_buf()));
        let fc = match path {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| ConfigError::Read { path: path.clone(), source })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse { path, source })?
            }
            None => FileConfig::default(),
        };
        let listen_raw = env("BM_LISTEN").or(fc.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_raw.parse().map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
            key: "BM_LISTEN",
            value: listen_raw.clone(),
            reason: format!("{e}; expected host:port such as 0.0.0.0:8080"),
        })?;
        let public_url = env("BM_PUBLIC_URL").or(fc.public_url).map(|u| u.trim_end_matches('/').to_owned());
        if let Some(u) = &public_url
            && (!(u.starts_with("http://") || u.starts_with("https://"))
                || u[u.find("://").map_or(0, |i| i + 3)..].contains('/'))
        {
            return Err(ConfigError::Invalid {
                key: "BM_PUBLIC_URL",
                value: u.clone(),
                reason: "expected scheme://host[:port] with no path, e.g. https://mail.example.com".into(),
            });
        }
        let log_format = match env("BM_LOG_FORMAT") {
            Some(v) if v.eq_ignore_ascii_case("json") => LogFormat::Json,
            Some(v) if v.eq_ignore_ascii_case("text") => LogFormat::Text,
            Some(v) => {
                return Err(ConfigError::Invalid {
                    key: "BM_LOG_FORMAT",
                    value: v,
                    reason: "expected text or json".into(),
                });
            }
            None => fc.log_format.unwrap_or_default(),
        };
        let trust_proxy = match env("BM_TRUST_PROXY") {
            Some(v) => parse_bool("BM_TRUST_PROXY", &v)?,
            None => fc.trust_proxy.unwrap_or(false),
        };
        let hours = number(env, "BM_SESSION_LIFETIME_HOURS", fc.session_lifetime_hours, 168)?;
        let idle = number(env, "BM_SESSION_IDLE_MINUTES", fc.session_idle_minutes, 120)?;
        let max_conn = number(env, "BM_DB_MAX_CONNECTIONS", fc.db_max_connections.map(u64::from), 10)?;
        let data_dir: PathBuf = env("BM_DATA_DIR").map(PathBuf::from).or(fc.data_dir).unwrap_or_else(|| "data".into());
        let roundcube_url = env("BM_ROUNDCUBE_URL")
            .or(fc.roundcube_url)
            .filter(|u| !u.is_empty())
            .map(|u| u.trim_end_matches('/').to_owned());
        if let Some(u) = &roundcube_url
            && !u.starts_with("http://")
        {
            return Err(ConfigError::Invalid {
                key: "BM_ROUNDCUBE_URL",
                value: u.clone(),
                reason: "expected the plain-HTTP address of the RoundCube container, e.g. http://roundcube:80".into(),
            });
        }
        let mail_host = env("BM_MAIL_HOST")
            .or(fc.mail_host)
            .or_else(|| {
                public_url
                    .as_deref()
                    .and_then(|u| u.split("://").nth(1))
                    .map(|h| h.split(':').next().unwrap_or(h).to_owned())
            })
            .unwrap_or_else(|| "localhost".into());
        let dkim_gid = match env("BM_DKIM_GID") {
            Some(v) => Some(v.trim().parse::<u32>().map_err(|e| ConfigError::Invalid {
                key: "BM_DKIM_GID",
                value: v.clone(),
                reason: format!("{e}; expected a numeric group id"),
            })?),
            None => fc.dkim_gid,
        };
        let sending_ips = match env("BM_SENDING_IPS").or(fc.sending_ips) {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| ConfigError::Invalid {
                        key: "BM_SENDING_IPS",
                        value: list.clone(),
                        reason: format!("{s:?} is not an IP address"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let resolver_raw = env("BM_DNS_RESOLVER").or(fc.dns_resolver).unwrap_or_else(|| "system".into());
        let dns_resolver = engine::deliverability::ResolverChoice::parse(&resolver_raw).map_err(|e| {
            ConfigError::Invalid { key: "BM_DNS_RESOLVER", value: resolver_raw.clone(), reason: e.to_string() }
        })?;
        let dns_timeout_ms = number(env, "BM_DNS_TIMEOUT_MS", fc.dns_timeout_ms, 3000)?;
        let dnsbl_concurrency = number(env, "BM_DNSBL_CONCURRENCY", fc.dnsbl_concurrency, 16)?;
        let relay_raw = env("BM_SMTP_RELAY").or(fc.smtp_relay).unwrap_or_else(|| "127.0.0.1:25".into());
        let smtp_relay = match relay_raw.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() => (
                host.trim_matches(['[', ']']).to_owned(),
                port.parse::<u16>().map_err(|_| ConfigError::Invalid {
                    key: "BM_SMTP_RELAY",
                    value: relay_raw.clone(),
                    reason: "expected host:port".into(),
                })?,
            ),
            _ => (relay_raw.clone(), 25),
        };
        let tls_listen = match env("BM_TLS_LISTEN").or(fc.tls_listen).filter(|v| !v.is_empty()) {
            Some(v) => Some(v.parse().map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                key: "BM_TLS_LISTEN",
                value: v.clone(),
                reason: format!("{e}; expected host:port such as 0.0.0.0:443"),
            })?),
            None => None,
        };
        let lmtp_listen = match env("BM_LMTP_LISTEN").or(fc.lmtp_listen).map(|v| v.trim().to_owned()) {
            Some(v) if v.is_empty() || v == "off" => None,
            Some(v) => Some(v.parse().map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                key: "BM_LMTP_LISTEN",
                value: v.clone(),
                reason: format!("{e}; expected host:port such as 127.0.0.1:2424, or off"),
            })?),
            None => Some(SocketAddr::from(([127, 0, 0, 1], 2424))),
        };
        let acme_directory = env("BM_ACME_DIRECTORY").or(fc.acme_directory).filter(|u| !u.is_empty());
        if let Some(u) = &acme_directory
            && !u.starts_with("https://")
        {
            return Err(ConfigError::Invalid {
                key: "BM_ACME_DIRECTORY",
                value: u.clone(),
                reason: "expected an https:// ACME directory URL".into(),
            });
        }
        let mail_tls_hosts = env("BM_MAIL_TLS_HOSTS")
            .or(fc.mail_tls_hosts)
            .map(|l| l.split(',').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()).collect())
            .unwrap_or_else(|| vec![mail_host.clone()]);
        let bounce_domain = env("BM_BOUNCE_DOMAIN")
            .or(fc.bounce_domain)
            .map(|d| d.trim().to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| mail_host.clone());
        let rspamd = match env("BM_RSPAMD").or(fc.rspamd) {
            Some(v) if v.trim().is_empty() || v.trim() == "off" => None,
            Some(v) => Some(v.trim().trim_start_matches("http://").trim_end_matches('/').to_owned()),
            None => Some("127.0.0.1:11333".to_owned()),
        };
        let send_connections = number(env, "BM_SEND_CONNECTIONS", fc.send_connections, 8)?;
        Ok(Self {
            bounce_domain,
            rspamd,
            send_connections: usize::try_from(send_connections).unwrap_or(8).clamp(1, 64),
            sending_ips,
            dns_resolver,
            dns_timeout: Duration::from_millis(dns_timeout_ms),
            dnsbl_concurrency: usize::try_from(dnsbl_concurrency).unwrap_or(16).min(256),
            alert_email: env("BM_ALERT_EMAIL").or(fc.alert_email).filter(|a| !a.trim().is_empty()),
            smtp_relay,
            acme_directory,
            acme_ca_file: env("BM_ACME_CA_FILE").map(PathBuf::from).or(fc.acme_ca_file),
            acme_email: env("BM_ACME_EMAIL").or(fc.acme_email).filter(|a| !a.is_empty()),
            tls_listen,
            lmtp_listen,
            tls_dir: env("BM_TLS_DIR").map(PathBuf::from).or(fc.tls_dir).unwrap_or_else(|| data_dir.join("tls")),
            tls_reload: env("BM_TLS_RELOAD").or(fc.tls_reload).filter(|c| !c.trim().is_empty()),
            mail_tls_hosts,
            dkim_gid,
            dkim_dir: env("BM_DKIM_DIR").map(PathBuf::from).or(fc.dkim_dir).unwrap_or_else(|| data_dir.join("dkim")),
            mail_host,
            roundcube_url,
            mail_db_password: env("BM_MAIL_DB_PASSWORD").or(fc.mail_db_password).filter(|p| !p.is_empty()),
            webmail_host: env("BM_WEBMAIL_HOST")
                .or(fc.webmail_host)
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty()),
            database_url: env("DATABASE_URL").or(fc.database_url).filter(|u| !u.is_empty()),
            listen,
            data_dir,
            public_url,
            site_root: env("BM_SITE_ROOT").map(PathBuf::from).or(fc.site_root).unwrap_or_else(|| "target/site".into()),
            log: env("BM_LOG").or(fc.log).unwrap_or_else(|| "info,sqlx=warn".into()),
            log_format,
            trust_proxy,
            session_lifetime: Duration::from_secs(hours * 3600),
            session_idle: Duration::from_secs(idle * 60),
            db_max_connections: u32::try_from(max_conn).unwrap_or(10).max(2),
        })
    }

    /// Host of the public URL (admin, tracking links, MTA-STS policies), else the mail host.
    pub fn web_host(&self) -> String {
        self.public_url
            .as_deref()
            .and_then(|u| u.split("://").nth(1))
            .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase())
            .unwrap_or_else(|| self.mail_host.clone())
    }

    /// Whether cookies must be `Secure`: the public URL is HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }
}

fn parse_bool(key: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid { key, value: v.into(), reason: "expected true or false".into() }),
    }
}

fn number(
    env: &dyn Fn(&str) -> Option<String>,
    key: &'static str,
    file: Option<u64>,
    default: u64,
) -> Result<u64, ConfigError> {
    match env(key) {
        Some(v) => v.parse::<u64>().ok().filter(|n| *n > 0).ok_or(ConfigError::Invalid {
            key,
            value: v,
            reason: "expected a positive whole number".into(),
        }),
        None => Ok(file.unwrap_or(default)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)], file: Option<&str>) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let path = file.map(|text| {
            let p = std::env::temp_dir().join(format!("bm-config-{}-{}.toml", std::process::id(), rand_suffix()));
            std::fs::write(&p, text).expect("write temp config");
            p
        });
        Config::load(path.as_deref(), &|k| map.get(k).cloned())
    }

    fn rand_suffix() -> u128 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
    }

    #[test]
    fn defaults_use_the_embedded_database_on_loopback() {
        let c = load(&[], None).expect("defaults");
        assert!(c.database_url.is_none());
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.session_idle, Duration::from_secs(7200));
        assert!(!c.secure_cookies());
    }

    #[test]
    fn environment_overrides_the_file() {
        let c = load(&[("BM_LISTEN", "0.0.0.0:9000")], Some("listen = \"127.0.0.1:7000\"\nlog_format = \"json\"\n"))
            .expect("config");
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn unknown_file_keys_are_reported() {
        let e = load(&[], Some("lisen = \"x\"\n")).expect_err("typo must fail");
        assert!(e.to_string().contains("lisen"), "{e}");
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = load(&[("BM_LISTEN", "nope")], None).expect_err("bad addr");
        assert!(e.to_string().starts_with("BM_LISTEN="), "{e}");
        let e = load(&[("BM_PUBLIC_URL", "https://x.example/admin")], None).expect_err("path");
        assert!(e.to_string().contains("BM_PUBLIC_URL"), "{e}");
        let e = load(&[("BM_SESSION_IDLE_MINUTES", "0")], None).expect_err("zero");
        assert!(e.to_string().contains("positive"), "{e}");
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let c = load(&[("BM_PUBLIC_URL", "https://mail.example.com/")], None).expect("config");
        assert_eq!(c.public_url.as_deref(), Some("https://mail.example.com"));
        assert!(c.secure_cookies());
    }
}
