//! Certificates for the mail host over ACME HTTP-01. Postfix and Dovecot cannot answer
//! TLS-ALPN-01 on their ports, but the web server listens on port 80, so the issuer here
//! publishes each challenge token in [`Http01Challenges`], which the HTTP router serves at
//! `/.well-known/acme-challenge/{token}`. It drives rustls-acme's low-level `acme` module
//! itself (the high-level state only offers one challenge slot and exponential waits of up
//! to 16 s); the caller stores the result with [`super::Certificates::store_issued`].
//!
//! ACME account keys live in the `acme_account` table, one per directory URL, as PKCS#8
//! PEM (`PRIVATE KEY`); the admin host's rustls-acme state shares them through
//! [`super::DbCertCache`], so both paths use one account per CA.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use rcgen::{CertificateParams, DistinguishedName, KeyPair, PKCS_ECDSA_P256_SHA256};
use rustls_acme::acme::{Account, AcmeError, Auth, AuthStatus, Directory, Identifier, OrderStatus, Problem};
use rustls_acme::rustls::pki_types::CertificateDer;
use rustls_acme::rustls::pki_types::pem::PemObject;
use rustls_acme::rustls::{ClientConfig, RootCertStore};
use sqlx::PgPool;
use tokio::time::Instant;

use super::pem::encode;
use crate::deliverability::DeliverabilityError;

/// First wait between two polls of an authorization or order.
const POLL_FIRST: Duration = Duration::from_millis(250);
/// Longest wait between two polls.
const POLL_MAX: Duration = Duration::from_secs(2);
/// A validation or an order that is not done after this long is given up.
const POLL_GIVE_UP: Duration = Duration::from_secs(60);
/// A whole issuance (including HTTP requests to a CA that stopped answering) is abandoned
/// after this long, so the renewal task never hangs.
const ISSUE_TIMEOUT: Duration = Duration::from_secs(180);

/// The HTTP-01 tokens currently published: token → key authorization. Shared between the
/// issuer (which inserts and removes) and the web server's challenge route (which reads).
#[derive(Clone, Debug, Default)]
pub struct Http01Challenges {
    inner: Arc<RwLock<HashMap<String, String>>>,
}

impl Http01Challenges {
    /// Publishes `key_authorization` under `token`.
    pub fn insert(&self, token: impl Into<String>, key_authorization: impl Into<String>) {
        // A poisoned lock only means another thread panicked mid-insert; the map is fine.
        self.inner.write().unwrap_or_else(PoisonError::into_inner).insert(token.into(), key_authorization.into());
    }

    /// Withdraws `token` once its validation is over.
    pub fn remove(&self, token: &str) {
        self.inner.write().unwrap_or_else(PoisonError::into_inner).remove(token);
    }

    /// The body to answer `GET /.well-known/acme-challenge/{token}` with, or `None` (404).
    pub fn get(&self, token: &str) -> Option<String> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).get(token).cloned()
    }

    /// No token is published (tests check that issuance cleans up after itself).
    pub fn is_empty(&self) -> bool {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).is_empty()
    }
}

/// Removes a published token when dropped: after success, failure, or an abandoned future.
struct Published<'a> {
    challenges: &'a Http01Challenges,
    token: String,
}

impl Drop for Published<'_> {
    fn drop(&mut self) {
        self.challenges.remove(&self.token);
    }
}

/// Obtains certificates from one ACME directory over HTTP-01.
#[derive(Clone, Debug)]
pub struct AcmeIssuer {
    directory_url: String,
    client: Arc<ClientConfig>,
    contact: Vec<String>,
    pool: PgPool,
    challenges: Http01Challenges,
}

impl AcmeIssuer {
    /// `contact` holds `mailto:` URLs; `client` comes from [`AcmeIssuer::client_config`];
    /// `challenges` is the map the HTTP router serves.
    pub fn new(
        directory_url: impl Into<String>,
        client: Arc<ClientConfig>,
        contact: Vec<String>,
        pool: PgPool,
        challenges: Http01Challenges,
    ) -> Self {
        Self { directory_url: directory_url.into(), client, contact, pool, challenges }
    }

    /// The directory this issuer talks to (shown on the TLS page).
    pub fn directory_url(&self) -> &str {
        &self.directory_url
    }

    /// The token map, for mounting the challenge route.
    pub fn challenges(&self) -> &Http01Challenges {
        &self.challenges
    }

    /// The TLS client configuration for talking to the CA (ring, no aws-lc). Without
    /// `extra_root_pem` it trusts the Web PKI roots, as a public CA needs; with it, exactly
    /// the certificates in that PEM, for a private CA or a test server such as pebble.
    pub fn client_config(extra_root_pem: Option<&str>) -> Result<Arc<ClientConfig>, DeliverabilityError> {
        let roots = match extra_root_pem {
            None => RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Some(pem_text) => {
                let mut roots = RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(pem_text.as_bytes()) {
                    let cert = cert.map_err(|e| {
                        DeliverabilityError::Certificate(format!("the ACME CA certificate is not valid PEM: {e:?}"))
                    })?;
                    roots.add(cert).map_err(|e| {
                        DeliverabilityError::Certificate(format!("the ACME CA certificate cannot be trusted: {e}"))
                    })?;
                }
                if roots.is_empty() {
                    return Err(DeliverabilityError::Certificate("the ACME CA PEM holds no certificate".into()));
                }
                roots
            }
        };
        let provider = Arc::new(rustls_acme::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| DeliverabilityError::Acme(format!("TLS client setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// Obtains one certificate naming all of `hosts` (the first is the usual name). Returns
    /// the PEM chain (leaf first) and the new private key (PKCS#8 PEM, ECDSA P-256). Tried a
    /// second time when the CA rejected a nonce: nonces go stale between requests, and
    /// rustls-acme does not retry them.
    pub async fn issue(&self, hosts: &[String]) -> Result<(String, String), DeliverabilityError> {
        if hosts.is_empty() {
            return Err(DeliverabilityError::InvalidInput { field: "host", message: "no host to certify".into() });
        }
        match self.issue_within_timeout(hosts).await {
            Err(DeliverabilityError::Acme(message)) if message.contains("badNonce") => {
                tracing::info!(hosts = ?hosts, "ACME server rejected a nonce; trying the issuance once more");
                self.issue_within_timeout(hosts).await
            }
            other => other,
        }
    }

    async fn issue_within_timeout(&self, hosts: &[String]) -> Result<(String, String), DeliverabilityError> {
        tokio::time::timeout(ISSUE_TIMEOUT, self.issue_once(hosts)).await.unwrap_or_else(|_| {
            Err(DeliverabilityError::Acme(format!(
                "gave up after {} s: the ACME server at {} did not finish",
                ISSUE_TIMEOUT.as_secs(),
                self.directory_url
            )))
        })
    }

    async fn issue_once(&self, hosts: &[String]) -> Result<(String, String), DeliverabilityError> {
        let cc = &self.client;
        let account = self.account().await?;
        let (order_url, mut order) =
            account.new_order(cc, hosts.to_vec()).await.map_err(|e| acme_error("creating the order", &e))?;
        let mut key: Option<KeyPair> = None;
        let mut authorized = false;
        let mut backoff = Backoff::new();
        let certificate_url = loop {
            match order.status.clone() {
                OrderStatus::Pending => {
                    if authorized {
                        // All authorizations were valid, the order has not caught up yet.
                        backoff.wait("the order to become ready", order.error.as_ref()).await?;
                    }
                    for url in &order.authorizations {
                        self.authorize(&account, url).await?;
                    }
                    authorized = true;
                }
                OrderStatus::Ready if key.is_none() => {
                    let (csr_der, new_key) = csr(hosts)?;
                    order = account
                        .finalize(cc, order.finalize.as_str(), &csr_der)
                        .await
                        .map_err(|e| acme_error("finalizing the order", &e))?;
                    key = Some(new_key);
                    continue;
                }
                OrderStatus::Ready | OrderStatus::Processing => {
                    backoff.wait("the certificate to be issued", order.error.as_ref()).await?;
                }
                OrderStatus::Valid { certificate } if key.is_some() => break certificate,
                OrderStatus::Valid { .. } => {
                    return Err(DeliverabilityError::Acme(
                        "the ACME server returned an order that was already valid, before our key was sent".into(),
                    ));
                }
                OrderStatus::Invalid => {
                    return Err(DeliverabilityError::Acme(format!(
                        "the order for {} failed{}",
                        hosts.join(", "),
                        order.error.as_ref().map(|p| format!(": {}", problem_text(p))).unwrap_or_default()
                    )));
                }
            }
            order = account.order(cc, order_url.as_str()).await.map_err(|e| acme_error("reading the order", &e))?;
        };
        let chain = account
            .certificate(cc, certificate_url)
            .await
            .map_err(|e| acme_error("downloading the certificate", &e))?;
        let key = key.ok_or_else(|| DeliverabilityError::Acme("no key after finalization".into()))?;
        Ok((chain, key.serialize_pem()))
    }

    /// Loads (or creates and stores) the account key, then registers or looks up the
    /// account; with an existing key the CA returns the existing account.
    async fn account(&self) -> Result<Account, DeliverabilityError> {
        let key = match load_account_key(&self.pool, &self.directory_url).await? {
            Some(key) => key,
            None => {
                store_account_key(&self.pool, &self.directory_url, &Account::generate_key_pair()).await?;
                // Another task may have stored one first: use whichever won.
                load_account_key(&self.pool, &self.directory_url)
                    .await?
                    .ok_or_else(|| DeliverabilityError::Acme("the new account key was not stored".into()))?
            }
        };
        let directory = Directory::discover(&self.client, &self.directory_url)
            .await
            .map_err(|e| acme_error(&format!("reading the directory {}", self.directory_url), &e))?;
        Account::create_with_keypair(&self.client, directory, &self.contact, &key)
            .await
            .map_err(|e| acme_error("registering the account", &e))
    }

    /// Completes one authorization: publishes the HTTP-01 token, asks the CA to validate,
    /// and waits for the verdict. The token is withdrawn afterwards in every case.
    async fn authorize(&self, account: &Account, url: &str) -> Result<(), DeliverabilityError> {
        let auth = account.auth(&self.client, url).await.map_err(|e| acme_error("reading an authorization", &e))?;
        match auth.status {
            AuthStatus::Valid => return Ok(()),
            AuthStatus::Pending => {}
            _ => return Err(auth_failed(&auth)),
        }
        let name = identifier_name(&auth.identifier);
        let (challenge, key_authorization) =
            account.http_01(&auth.challenges).map_err(|e| acme_error(&format!("authorizing {name}"), &e))?;
        self.challenges.insert(challenge.token.clone(), key_authorization);
        let _published = Published { challenges: &self.challenges, token: challenge.token.clone() };
        account
            .challenge(&self.client, challenge.url.as_str())
            .await
            .map_err(|e| acme_error(&format!("starting the validation of {name}"), &e))?;
        let mut backoff = Backoff::new();
        loop {
            backoff.wait(&format!("the validation of {name}"), None).await?;
            let auth = account.auth(&self.client, url).await.map_err(|e| acme_error("reading an authorization", &e))?;
            match auth.status {
                AuthStatus::Valid => return Ok(()),
                AuthStatus::Pending => {}
                _ => return Err(auth_failed(&auth)),
            }
        }
    }
}

/// A CSR for `hosts` with a fresh ECDSA P-256 key, as Let's Encrypt and Postfix both like.
fn csr(hosts: &[String]) -> Result<(Vec<u8>, KeyPair), DeliverabilityError> {
    let rcgen_error = |e: rcgen::Error| DeliverabilityError::Acme(format!("building the certificate request: {e}"));
    let mut params = CertificateParams::new(hosts.to_vec()).map_err(rcgen_error)?;
    params.distinguished_name = DistinguishedName::new();
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(rcgen_error)?;
    let request = params.serialize_request(&key).map_err(rcgen_error)?;
    Ok((request.der().to_vec(), key))
}

/// Waits between polls: 250 ms, doubling to 2 s, for at most a minute in all.
struct Backoff {
    next: Duration,
    deadline: Instant,
}

impl Backoff {
    fn new() -> Self {
        Self { next: POLL_FIRST, deadline: Instant::now() + POLL_GIVE_UP }
    }

    async fn wait(&mut self, waiting_for: &str, problem: Option<&Problem>) -> Result<(), DeliverabilityError> {
        let now = Instant::now();
        if now >= self.deadline {
            return Err(DeliverabilityError::Acme(format!(
                "gave up after {} s waiting for {waiting_for}{}",
                POLL_GIVE_UP.as_secs(),
                problem.map(|p| format!(" (last problem: {})", problem_text(p))).unwrap_or_default()
            )));
        }
        tokio::time::sleep(self.next.min(self.deadline - now)).await;
        self.next = (self.next * 2).min(POLL_MAX);
        Ok(())
    }
}

/// Why an authorization ended up other than valid, with the CA's problem details.
fn auth_failed(auth: &Auth) -> DeliverabilityError {
    let problems: Vec<String> = auth.challenges.iter().filter_map(|c| c.error.as_ref()).map(problem_text).collect();
    let status = format!("{:?}", auth.status).to_lowercase();
    DeliverabilityError::Acme(format!(
        "the validation of {} failed (authorization {status}){}",
        identifier_name(&auth.identifier),
        if problems.is_empty() { String::new() } else { format!(": {}", problems.join("; ")) }
    ))
}

/// The name an identifier stands for (`mail.example.com`), read through its JSON form so a
/// new identifier kind in rustls-acme does not break this match.
fn identifier_name(identifier: &Identifier) -> String {
    serde_json::to_value(identifier)
        .ok()
        .and_then(|v| v.get("value").and_then(|v| v.as_str()).map(str::to_owned))
        .unwrap_or_else(|| format!("{identifier:?}"))
}

/// `urn:ietf:params:acme:error:badNonce: JWS has an invalid anti-replay nonce` →
/// `badNonce: JWS has an invalid anti-replay nonce`.
fn problem_text(problem: &Problem) -> String {
    let kind = problem.typ.as_deref().map(|t| t.trim_start_matches("urn:ietf:params:acme:error:"));
    match (kind, problem.detail.as_deref()) {
        (Some(kind), Some(detail)) => format!("{kind}: {detail}"),
        (Some(kind), None) => kind.to_owned(),
        (None, Some(detail)) => detail.to_owned(),
        (None, None) => "no details given".to_owned(),
    }
}

/// An ACME error with what we were doing, and the server's problem document when the
/// error carries one (rustls-acme keeps it as the body of a non-2xx response).
fn acme_error(doing: &str, error: &AcmeError) -> DeliverabilityError {
    let text = error.to_string();
    let described = problem_in_error_text(&text).unwrap_or(text);
    DeliverabilityError::Acme(format!("{doing}: {described}"))
}

/// Finds the problem document in rustls-acme's `non 2xx http status: 400 "{…}"` message
/// (the HTTP error type itself is private to rustls-acme, its message is not).
fn problem_in_error_text(text: &str) -> Option<String> {
    const MARKER: &str = "non 2xx http status: ";
    let rest = &text[text.find(MARKER)? + MARKER.len()..];
    let (status, quoted_body) = rest.split_once(' ')?;
    // The body is printed with `{:?}`, whose escapes match JSON's for the text a CA sends.
    let body: String = serde_json::from_str(quoted_body).ok()?;
    let problem: Problem = serde_json::from_str(&body).ok()?;
    Some(format!("HTTP {status}: {}", problem_text(&problem)))
}

/// The stored account key for `directory_url` as PKCS#8 DER, if there is one.
pub(crate) async fn load_account_key(
    pool: &PgPool,
    directory_url: &str,
) -> Result<Option<Vec<u8>>, DeliverabilityError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT key_pem FROM acme_account WHERE directory_url = $1")
        .bind(directory_url)
        .fetch_optional(pool)
        .await?;
    let Some(text) = stored else { return Ok(None) };
    let block = pem::parse(text.as_bytes())
        .map_err(|e| DeliverabilityError::Acme(format!("the stored ACME account key is not PEM: {e}")))?;
    if block.tag() != "PRIVATE KEY" {
        return Err(DeliverabilityError::Acme(format!(
            "the stored ACME account key is a {} block, not PKCS#8 PRIVATE KEY",
            block.tag()
        )));
    }
    Ok(Some(block.into_contents()))
}

/// Stores a PKCS#8 DER account key for `directory_url` unless one is stored already (the
/// first key stays: an account key is never replaced behind the CA's back).
pub(crate) async fn store_account_key(
    pool: &PgPool,
    directory_url: &str,
    pkcs8_der: &[u8],
) -> Result<(), DeliverabilityError> {
    let text = encode(&pem::Pem::new("PRIVATE KEY", pkcs8_der.to_vec()));
    sqlx::query("INSERT INTO acme_account (directory_url, key_pem) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(directory_url)
        .bind(text)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_read_out_of_rustls_acme_error_messages() {
        let body = r#"{"type":"urn:ietf:params:acme:error:badNonce","detail":"JWS has an invalid anti-replay nonce","status":400}"#;
        let text = format!("http request error: non 2xx http status: 400 {body:?}");
        assert_eq!(problem_in_error_text(&text).unwrap(), "HTTP 400: badNonce: JWS has an invalid anti-replay nonce");
        assert_eq!(problem_in_error_text("io error: connection refused"), None);
    }

    #[test]
    fn identifiers_are_named_by_their_value() {
        assert_eq!(identifier_name(&Identifier::Dns("mail.example.com".into())), "mail.example.com");
    }

    #[test]
    fn challenge_tokens_are_withdrawn_when_the_guard_goes() {
        let challenges = Http01Challenges::default();
        challenges.insert("tok", "tok.thumb");
        {
            let _published = Published { challenges: &challenges, token: "tok".into() };
            assert_eq!(challenges.get("tok").as_deref(), Some("tok.thumb"));
        }
        assert!(challenges.is_empty());
        assert_eq!(challenges.get("tok"), None);
    }

    #[test]
    fn pebble_style_roots_are_trusted_and_garbage_refused() {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = params.self_signed(&key).unwrap();
        assert!(AcmeIssuer::client_config(Some(ca.pem().as_str())).is_ok());
        assert!(AcmeIssuer::client_config(None).is_ok());
        assert!(AcmeIssuer::client_config(Some("nothing here")).is_err());
    }
}
