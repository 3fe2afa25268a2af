//! Install-wide secrets kept in the database (`app_secret`): generated on first use, so no
//! two installs share one and every process on the database signs with the same key.

use rand::RngCore;
use sqlx::PgPool;

use super::tracking::TokenKey;

/// Name of the key that signs tracking links, unsubscribe links and VERP addresses.
const TRACKING_KEY: &str = "tracking_token_key";

/// The tracking-token key, created (32 random bytes) the first time any process asks.
pub async fn tracking_key(pool: &PgPool) -> Result<TokenKey, sqlx::Error> {
    let bytes = secret(pool, TRACKING_KEY).await?;
    let mut key = [0u8; 32];
    // A stored value of another length (never written by this code) is widened or cut.
    for (dst, src) in key.iter_mut().zip(bytes.iter().cycle()) {
        *dst = *src;
    }
    Ok(TokenKey::from_bytes(key))
}

/// The 32-byte secret `name`; racing first callers agree on one value (ON CONFLICT).
async fn secret(pool: &PgPool, name: &str) -> Result<Vec<u8>, sqlx::Error> {
    if let Some(value) =
        sqlx::query_scalar("SELECT value FROM app_secret WHERE name = $1").bind(name).fetch_optional(pool).await?
    {
        return Ok(value);
    }
    let mut fresh = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    sqlx::query("INSERT INTO app_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(&fresh)
        .execute(pool)
        .await?;
    sqlx::query_scalar("SELECT value FROM app_secret WHERE name = $1").bind(name).fetch_one(pool).await
}

#[cfg(test)]
mod tests {
    use crate::testing::TestDatabase;

    #[tokio::test]
    async fn the_key_is_created_once_and_then_reused() {
        let t = TestDatabase::create().await;
        let a = super::secret(&t.db.pool, "k").await.unwrap();
        let b = super::secret(&t.db.pool, "k").await.unwrap();
        assert_eq!(a.len(), 32);
        assert_eq!(a, b);
        assert_ne!(a, super::secret(&t.db.pool, "other").await.unwrap());
    }
}
