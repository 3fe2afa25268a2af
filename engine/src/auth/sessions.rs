//! Admin sessions: random bearer tokens in a cookie, stored only as SHA-256 hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use model::SessionUser;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::policy::{AuthPolicy, secs};
use crate::Result;

/// A session just created; `token` goes into the cookie and is never stored.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The `admin_sessions` table: creation, validation (with idle timeout), revocation.
#[derive(Clone, Debug)]
pub struct SessionStore {
    pool: PgPool,
    policy: AuthPolicy,
}

/// The stored form of a token: a database leak gives no usable cookie.
fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl SessionStore {
    pub fn new(pool: PgPool, policy: AuthPolicy) -> Self {
        Self { pool, policy }
    }

    /// Starts a session for `admin_id` with a 256-bit random token.
    pub async fn create(&self, admin_id: i64, ip: &str, user_agent: &str) -> Result<NewSession> {
        let raw: [u8; 32] = rand::random();
        let token = URL_SAFE_NO_PAD.encode(raw);
        let user_agent: String = user_agent.chars().take(300).collect();
        let expires_at: DateTime<Utc> = sqlx::query_scalar(
            "INSERT INTO admin_sessions (token_hash, admin_id, expires_at, ip, user_agent) \
             VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5) RETURNING expires_at",
        )
        .bind(token_hash(&token))
        .bind(admin_id)
        .bind(secs(self.policy.session_lifetime))
        .bind(ip)
        .bind(user_agent)
        .fetch_one(&self.pool)
        .await?;
        Ok(NewSession { token, expires_at })
    }

    /// The admin a token belongs to, if the session is neither expired nor idle too long;
    /// a valid call also counts as activity for the idle timeout.
    pub async fn validate(&self, token: &str) -> Result<Option<SessionUser>> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let row: Option<(i64, String)> = sqlx::query_as(
            "UPDATE admin_sessions s SET last_seen_at = now() FROM admins a \
             WHERE s.token_hash = $1 AND a.id = s.admin_id AND s.expires_at > now() \
               AND s.last_seen_at > now() - make_interval(secs => $2) \
             RETURNING a.id, a.username",
        )
        .bind(token_hash(token))
        .bind(secs(self.policy.idle_timeout))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id, username)| SessionUser { id, username }))
    }

    /// Ends one session (sign-out).
    pub async fn revoke(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sessions that would still be accepted now.
    pub async fn count_active(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM admin_sessions WHERE expires_at > now() \
             AND last_seen_at > now() - make_interval(secs => $1)",
        )
        .bind(secs(self.policy.idle_timeout))
        .fetch_one(&self.pool)
        .await?)
    }

    /// Deletes sessions that can no longer be used; returns how many.
    pub async fn purge_expired(&self) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM admin_sessions WHERE expires_at <= now() \
             OR last_seen_at <= now() - make_interval(secs => $1)",
        )
        .bind(secs(self.policy.idle_timeout))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_sha256_and_hides_the_token() {
        let h = token_hash("abc");
        assert_eq!(h.len(), 32);
        assert_ne!(h, b"abc".to_vec());
        assert_eq!(h, token_hash("abc"));
    }
}
