//! Checks the DKIM signatures of a message against the keys this server generated, without
//! DNS: support staff can confirm that what Rspamd signs verifies before DNS is even set up
//! (`billionmail mail verify-dkim FILE`), and the mail-stack test proves it end to end.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt};
use serde::Serialize;
use sqlx::PgPool;

use super::MailError;

/// The verdict on one `DKIM-Signature` header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DkimCheck {
    /// `d=` of the signature.
    pub domain: String,
    /// `s=` of the signature.
    pub selector: String,
    pub pass: bool,
    /// `pass`, or why not (`fail: …`, `no key stored for …`).
    pub result: String,
}

struct MapCache<K, V>(Mutex<HashMap<K, V>>);

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for MapCache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.remove(name)
    }

    fn insert(&self, key: K, value: V, _: Instant) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(key, value);
        }
    }
}

/// Verifies every DKIM signature of `raw` with the keys in the `dkim_key` table.
pub async fn verify_with_stored_keys(pool: &PgPool, raw: &[u8]) -> Result<Vec<DkimCheck>, MailError> {
    let message = AuthenticatedMessage::parse(raw)
        .ok_or_else(|| MailError::Dkim("the file is not an RFC 5322 message".into()))?;
    let cache: MapCache<Box<str>, Txt> = MapCache(Mutex::new(HashMap::new()));
    let mut missing = Vec::new();
    for header in &message.dkim_headers {
        let signature = &header.header;
        let key: Option<String> = sqlx::query_scalar(
            "SELECT 'v=DKIM1; k=' || CASE k.algorithm WHEN 'ed25519-sha256' THEN 'ed25519' ELSE 'rsa' END \
                    || '; p=' || k.public_b64 FROM dkim_key k JOIN mail_domain d ON d.id = k.domain_id \
             WHERE d.name = lower($1) AND k.selector = $2",
        )
        .bind(&signature.d)
        .bind(&signature.s)
        .fetch_optional(pool)
        .await?;
        match key {
            Some(txt) => {
                let record = DomainKey::parse(txt.as_bytes())
                    .map_err(|e| MailError::Dkim(format!("stored key for {} is unreadable: {e}", signature.d)))?;
                let name = format!("{}._domainkey.{}.", signature.s, signature.d.to_lowercase());
                cache.insert(name.into_boxed_str(), Txt::from(record), Instant::now() + Duration::from_secs(60));
            }
            None => missing.push((signature.d.clone(), signature.s.clone())),
        }
    }
    if message.dkim_headers.is_empty() {
        return Ok(Vec::new());
    }
    let authenticator = MessageAuthenticator::new_cloudflare().map_err(|e| MailError::Dkim(e.to_string()))?;
    let outputs = authenticator.verify_dkim(Parameters::new(&message).with_txt_cache(&cache)).await;
    Ok(outputs
        .iter()
        .map(|out| {
            let (domain, selector) = out.signature().map(|s| (s.d.clone(), s.s.clone())).unwrap_or_default();
            let pass = matches!(out.result(), DkimResult::Pass);
            let result = if missing.contains(&(domain.clone(), selector.clone())) {
                format!("no key stored for selector {selector} of {domain}")
            } else if pass {
                "pass".to_owned()
            } else {
                format!("{:?}", out.result()).to_lowercase()
            };
            DkimCheck { domain, selector, pass, result }
        })
        .collect())
}
