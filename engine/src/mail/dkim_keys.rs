//! DKIM signing keys: generated here, kept in the database, and written as files for Rspamd
//! (`<domain>.<selector>.key` plus `selectors.map`, one `domain selector` per line), which
//! signs mail from mailbox users with them. The database is the source of truth; the files
//! are rewritten from it at start-up and after every change, so a fresh volume heals itself.

use std::path::{Path, PathBuf};

use model::deliverability::DkimAlgorithm;
use rsa::RsaPrivateKey;
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::EncodePublicKey;
use sqlx::{PgPool, Postgres, Transaction};

use super::MailError;
use crate::key_files::write_atomically;

/// Size of generated RSA keys (RFC 8301 recommends 2048; 1024 is no longer accepted).
const RSA_BITS: usize = 2048;

/// A freshly generated key pair, ready to store and publish.
#[derive(Clone, Debug)]
pub struct GeneratedKey {
    pub selector: String,
    pub algorithm: DkimAlgorithm,
    /// RSA: PKCS#1 PEM. Ed25519: base64 of seed and public key (64 bytes), the one-line
    /// form Rspamd reads.
    pub private_pem: String,
    /// The `p=` of the DNS record: base64 DER SubjectPublicKeyInfo for RSA, the raw 32-byte
    /// public key for Ed25519 (RFC 8463).
    pub public_b64: String,
}

/// Where key files live, and the writer that keeps them in step with the database.
#[derive(Clone, Debug)]
pub struct DkimKeys {
    dir: PathBuf,
    /// Group given to key files, so Rspamd (running as its own user) can read them.
    group: Option<u32>,
}

impl DkimKeys {
    /// `dir` is shared with Rspamd (compose volume `dkim`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), group: None }
    }

    /// Key files get group `gid` (Rspamd's) and mode 0640.
    pub fn with_group(mut self, gid: Option<u32>) -> Self {
        self.group = gid;
        self
    }

    /// The directory Rspamd reads.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A new RSA-2048 key with a date-stamped selector (`bm202611`), so a later rotation can
    /// publish the next one beside it.
    pub async fn generate() -> Result<GeneratedKey, MailError> {
        Self::generate_with(DkimAlgorithm::Rsa, &[]).await
    }

    /// A new key of `algorithm` whose selector (`bm202611`, then `bm202611b`, …) is not in
    /// `taken`: a rotation in the same month still gets a fresh DNS name.
    pub async fn generate_with(algorithm: DkimAlgorithm, taken: &[String]) -> Result<GeneratedKey, MailError> {
        let base = format!("bm{}", chrono::Utc::now().format("%Y%m"));
        let selector = std::iter::once(base.clone())
            .chain(('b'..='z').map(|c| format!("{base}{c}")))
            .find(|s| !taken.contains(s))
            .ok_or_else(|| MailError::Dkim("too many keys this month; retire some first".into()))?;
        tokio::task::spawn_blocking(move || match algorithm {
            DkimAlgorithm::Rsa => generate_rsa(selector),
            DkimAlgorithm::Ed25519 => Ok(generate_ed25519(selector)),
        })
        .await
        .map_err(|e| MailError::Dkim(e.to_string()))?
    }

    /// Stores `key` as the active key of `domain_id` inside the caller's transaction.
    pub async fn store(
        tx: &mut Transaction<'_, Postgres>,
        domain_id: i64,
        key: &GeneratedKey,
    ) -> Result<(), MailError> {
        Self::store_as(tx, domain_id, key, model::deliverability::DkimKeyState::Active).await.map(|_| ())
    }

    /// Stores `key` in `state` (a rotation stores the next key as pending); returns its id.
    pub async fn store_as(
        tx: &mut Transaction<'_, Postgres>,
        domain_id: i64,
        key: &GeneratedKey,
        state: model::deliverability::DkimKeyState,
    ) -> Result<i64, MailError> {
        let id = sqlx::query_scalar(
            "INSERT INTO dkim_key (domain_id, selector, algorithm, private_pem, public_b64, state, activated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'active' THEN now() END) RETURNING id",
        )
        .bind(domain_id)
        .bind(&key.selector)
        .bind(key.algorithm.signature_name())
        .bind(&key.private_pem)
        .bind(&key.public_b64)
        .bind(state.as_str())
        .fetch_one(&mut **tx)
        .await?;
        Ok(id)
    }

    /// Rewrites every key file and the selector map from the database; removes key files of
    /// domains that no longer exist. Each file is written to a temporary name and renamed,
    /// so Rspamd never reads half a key.
    pub async fn sync_files(&self, pool: &PgPool) -> Result<(), MailError> {
        let keys: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT DISTINCT ON (d.name) d.name, k.selector, k.private_pem \
             FROM dkim_key k JOIN mail_domain d ON d.id = k.domain_id \
             WHERE k.state = 'active' ORDER BY d.name, k.created_at DESC",
        )
        .fetch_all(pool)
        .await?;
        tokio::fs::create_dir_all(&self.dir).await?;
        let mut wanted = Vec::with_capacity(keys.len());
        let mut map = String::new();
        for (domain, selector, pem) in &keys {
            let name = format!("{domain}.{selector}.key");
            write_atomically(&self.dir.join(&name), pem.as_bytes(), 0o640, self.group).await?;
            map.push_str(&format!("{domain} {selector}\n"));
            wanted.push(name);
        }
        write_atomically(&self.dir.join("selectors.map"), map.as_bytes(), 0o644, None).await?;
        let mut entries = tokio::fs::read_dir(&self.dir).await?;
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".key") && !wanted.contains(&name) {
                tokio::fs::remove_file(entry.path()).await?;
            }
        }
        Ok(())
    }
}

fn generate_rsa(selector: String) -> Result<GeneratedKey, MailError> {
    let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS).map_err(|e| MailError::Dkim(e.to_string()))?;
    let private_pem = private.to_pkcs1_pem(LineEnding::LF).map_err(|e| MailError::Dkim(e.to_string()))?.to_string();
    let public_der = private.to_public_key().to_public_key_der().map_err(|e| MailError::Dkim(e.to_string()))?;
    use base64::Engine as _;
    let public_b64 = base64::engine::general_purpose::STANDARD.encode(public_der.as_bytes());
    Ok(GeneratedKey { selector, algorithm: DkimAlgorithm::Rsa, private_pem, public_b64 })
}

fn generate_ed25519(selector: String) -> GeneratedKey {
    use base64::Engine as _;
    let seed: [u8; 32] = rand::random();
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let public = signing.verifying_key().to_bytes();
    let mut pair = Vec::with_capacity(64);
    pair.extend_from_slice(&seed);
    pair.extend_from_slice(&public);
    let b64 = base64::engine::general_purpose::STANDARD;
    GeneratedKey {
        selector,
        algorithm: DkimAlgorithm::Ed25519,
        private_pem: format!("{}\n", b64.encode(&pair)),
        public_b64: b64.encode(public),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ed25519_keys_publish_the_raw_public_key_and_skip_taken_selectors() {
        let first = format!("bm{}", chrono::Utc::now().format("%Y%m"));
        let key = DkimKeys::generate_with(DkimAlgorithm::Ed25519, std::slice::from_ref(&first)).await.unwrap();
        assert_eq!(key.selector, format!("{first}b"));
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        assert_eq!(b64.decode(&key.public_b64).unwrap().len(), 32);
        let pair = b64.decode(key.private_pem.trim()).unwrap();
        assert_eq!(pair.len(), 64);
        assert_eq!(&pair[32..], b64.decode(&key.public_b64).unwrap().as_slice());
    }

    #[tokio::test]
    async fn generated_keys_are_rsa_2048_with_a_dated_selector() {
        let key = DkimKeys::generate().await.unwrap();
        assert!(key.selector.starts_with("bm") && key.selector.len() == 8, "{}", key.selector);
        assert!(key.private_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD.decode(&key.public_b64).unwrap();
        // SubjectPublicKeyInfo of a 2048-bit RSA key is 294 bytes.
        assert_eq!(der.len(), 294);
    }
}
