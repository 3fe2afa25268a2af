//! The admin (web) host's certificate over TLS-ALPN-01, served in-process by rustls-acme's
//! `AcmeState` on the HTTPS listener itself, so no port 80 round-trip is needed. Its cache is
//! the certificate table (not a directory): the TLS page then shows the admin certificate
//! like any other, a restart reuses it, and the account key is shared with the mail host's
//! HTTP-01 issuer.

use std::sync::Arc;

use async_trait::async_trait;
use rustls_acme::rustls::ClientConfig;
use rustls_acme::{AccountCache, AcmeConfig, AcmeState, CertCache};
use sqlx::PgPool;

use super::acme_http01::{load_account_key, store_account_key};
use super::certificates::{PURPOSE_ADMIN, checked_chain, store};
use super::pem::{join_key_bundle, split_key_bundle};
use crate::deliverability::DeliverabilityError;

/// The rustls-acme state of the admin host, with the database as its cache.
pub type AdminAcmeState = AcmeState<DeliverabilityError, DeliverabilityError>;

/// rustls-acme's certificate and account cache over `tls_certificate` (purpose `admin`,
/// source `acme`) and `acme_account`.
#[derive(Clone, Debug)]
pub struct DbCertCache {
    pool: PgPool,
    host: String,
}

impl DbCertCache {
    /// The cache for `host`'s certificate (lower case, as the table keys it).
    pub fn new(pool: PgPool, host: impl Into<String>) -> Self {
        Self { pool, host: host.into().trim().trim_end_matches('.').to_ascii_lowercase() }
    }
}

#[async_trait]
impl CertCache for DbCertCache {
    type EC = DeliverabilityError;

    /// The stored ACME certificate as rustls-acme's bundle (key PEM, then the chain). A
    /// custom certificate is not offered: rustls-acme would take it for its own and renew
    /// it; serving a custom certificate is the listener's business.
    /// A stored certificate that does not cover every name now asked for (a domain added
    /// since, whose `mta-sts.` host must be served) is not offered, so a new one is ordered.
    async fn load_cert(&self, domains: &[String], _directory_url: &str) -> Result<Option<Vec<u8>>, Self::EC> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT key_pem, chain_pem FROM tls_certificate WHERE host = $1 AND source = 'acme'")
                .bind(&self.host)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some((Some(key_pem), Some(chain_pem))) => {
                let names = super::pem::parse_chain(&chain_pem).map(|c| c.names).unwrap_or_default();
                if domains.iter().all(|d| super::pem::covers(&names, d)) {
                    Some(join_key_bundle(&key_pem, &chain_pem).into_bytes())
                } else {
                    tracing::info!(host = %self.host, "the stored certificate lacks names now served; ordering a new one");
                    None
                }
            }
            _ => None,
        })
    }

    /// Splits the new bundle into key and chain and stores them as the host's valid ACME
    /// certificate (a custom certificate uploaded meanwhile is kept).
    async fn store_cert(&self, _domains: &[String], _directory_url: &str, cert: &[u8]) -> Result<(), Self::EC> {
        let bundle = std::str::from_utf8(cert)
            .map_err(|_| DeliverabilityError::Certificate("the ACME certificate bundle is not UTF-8 PEM".into()))?;
        let (key_pem, chain_pem) = split_key_bundle(bundle)?;
        let parsed = checked_chain(&self.host, &chain_pem, &key_pem)?;
        let stored = store(&self.pool, &self.host, PURPOSE_ADMIN, "acme", &chain_pem, &key_pem, &parsed).await?;
        if !stored {
            tracing::info!(host = %self.host, "the admin host has a custom certificate; the ACME one is not stored");
        }
        Ok(())
    }
}

#[async_trait]
impl AccountCache for DbCertCache {
    type EA = DeliverabilityError;

    /// The account key for the directory (one per CA, whatever the contacts).
    async fn load_account(&self, _contact: &[String], directory_url: &str) -> Result<Option<Vec<u8>>, Self::EA> {
        load_account_key(&self.pool, directory_url).await
    }

    /// Keeps a newly generated account key (an existing one is never replaced).
    async fn store_account(&self, _contact: &[String], directory_url: &str, account: &[u8]) -> Result<(), Self::EA> {
        store_account_key(&self.pool, directory_url, account).await
    }
}

/// The admin host's ACME state: TLS-ALPN-01 (rustls-acme's default) against
/// `directory_url`, cached in the database, for `host` plus `extra_names` (the
/// `mta-sts.<domain>` hosts whose policy this server serves over HTTPS). The caller must keep
/// polling it as a stream (it does its work only while polled) and hand
/// `state.axum_acceptor(…)` to the HTTPS listener, which then answers validation handshakes
/// and serves the certificate.
pub fn admin_acme_state(
    host: &str,
    extra_names: &[String],
    directory_url: &str,
    contact: &[String],
    client: Arc<ClientConfig>,
    pool: PgPool,
) -> AdminAcmeState {
    let cache = DbCertCache::new(pool, host);
    let mut names = vec![cache.host.clone()];
    for name in extra_names {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    AcmeConfig::new_with_client_config(names, client).directory(directory_url).contact(contact).cache(cache).state()
}
