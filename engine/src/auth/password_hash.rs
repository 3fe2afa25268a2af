//! argon2id password hashes in PHC format (`$argon2id$v=19$m=…`).
//!
//! The same string format is what Dovecot's `{ARGON2ID}` scheme reads, so mailbox passwords
//! (a later feature) share this module. Hashing is CPU-heavy, so it runs on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;

use crate::{EngineError, Result};

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `password` with a fresh random salt.
pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| EngineError::PasswordHash(e.to_string()))
    })
    .await
    .map_err(|e| EngineError::PasswordHash(e.to_string()))?
}

/// Checks `password` against a stored PHC hash; a malformed hash never matches.
pub async fn verify(password: &str, stored: &str) -> bool {
    let password = password.to_owned();
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, verified against when the username does not exist so that
/// a wrong username takes as long as a wrong password (no account enumeration by timing).
pub(crate) async fn decoy_hash() -> String {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_init(|| async {
            let random: [u8; 16] = rand::random();
            hash(&format!("{random:?}")).await.unwrap_or_default()
        })
        .await
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_is_argon2id_phc_and_verifies() {
        let h = hash("Blue-Harbor-42").await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("Blue-Harbor-42", &h).await);
        assert!(!verify("blue-harbor-42", &h).await);
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ() {
        let a = hash("same-Password-1").await.expect("hash");
        let b = hash("same-Password-1").await.expect("hash");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn garbage_hash_never_matches() {
        assert!(!verify("x", "not a hash").await);
    }

    #[tokio::test]
    async fn decoy_hash_parses_so_it_costs_a_real_verification() {
        let decoy = decoy_hash().await;
        assert!(PasswordHash::new(&decoy).is_ok());
        assert!(!verify("", &decoy).await);
    }
}
