//! Mailbox passwords in Dovecot's `{ARGON2ID}` scheme: the PHC string the admin hashes use,
//! prefixed with the scheme name Dovecot dispatches on. Never reversible, never shown again.

use rand::Rng;

use super::MailError;
use crate::auth::password_hash;

/// Dovecot's scheme prefix for argon2id PHC strings (verified by libsodium).
pub const SCHEME_PREFIX: &str = "{ARGON2ID}";

/// Checks the strength rules (the address counts as the username) and hashes.
pub async fn hash_mailbox_password(password: &str, address: &str) -> Result<String, MailError> {
    let local = address.split('@').next().unwrap_or(address);
    let problems = model::check_password(password, local);
    if !problems.is_empty() {
        return Err(MailError::WeakPassword(problems));
    }
    Ok(format!("{SCHEME_PREFIX}{}", password_hash::hash(password).await?))
}

/// Whether `password` matches a stored `{ARGON2ID}…` hash.
pub async fn verify_mailbox_password(password: &str, stored: &str) -> bool {
    match stored.strip_prefix(SCHEME_PREFIX) {
        Some(phc) => password_hash::verify(password, phc).await,
        None => false,
    }
}

/// A random 20-character password (letters, digits, a few symbols) for batch-created and
/// imported mailboxes; it always meets the strength rules.
pub fn generate_password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const ALL: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.";
    let mut rng = rand::rngs::OsRng;
    let mut out: Vec<u8> = (0..17).map(|_| ALL[rng.gen_range(0..ALL.len())]).collect();
    for class in [LOWER, UPPER, DIGITS] {
        let at = rng.gen_range(0..=out.len());
        out.insert(at, class[rng.gen_range(0..class.len())]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_carry_the_dovecot_scheme_and_verify() {
        let hash = hash_mailbox_password("Correct-Horse-9-battery", "anna@example.com").await.unwrap();
        assert!(hash.starts_with("{ARGON2ID}$argon2id$v=19$"), "{hash}");
        assert!(verify_mailbox_password("Correct-Horse-9-battery", &hash).await);
        assert!(!verify_mailbox_password("wrong", &hash).await);
        assert!(!verify_mailbox_password("Correct-Horse-9-battery", hash.trim_start_matches(SCHEME_PREFIX)).await);
    }

    #[tokio::test]
    async fn weak_passwords_are_refused() {
        assert!(matches!(hash_mailbox_password("short", "a@example.com").await, Err(MailError::WeakPassword(_))));
    }

    #[test]
    fn generated_passwords_pass_the_rules() {
        for _ in 0..50 {
            let p = generate_password();
            assert_eq!(p.len(), 20);
            assert!(model::check_password(&p, "user").is_empty(), "{p}");
        }
    }
}
