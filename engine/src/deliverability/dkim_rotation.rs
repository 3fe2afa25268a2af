//! DKIM key rotation without a gap: the next key is published beside the active one, signing
//! switches to it once DNS serves it, and the old key stays published for a grace period so
//! mail already in flight still verifies, then it is retired.

use chrono::{Duration, Utc};
use model::deliverability::{DkimAlgorithm, DkimKeyInfo, DkimKeyState};
use sqlx::PgPool;

use super::DeliverabilityError;
use crate::mail::DkimKeys;

/// Default days an old key stays in DNS after the switch: longer than any retry schedule of
/// a receiving queue (5 days in Postfix), so no queued message loses its key.
pub const DEFAULT_GRACE_DAYS: u32 = 7;

/// The rotation steps over the key table, keeping Rspamd's key files in step.
#[derive(Clone, Debug)]
pub struct DkimRotation {
    pool: PgPool,
    files: DkimKeys,
}

type KeyRow = (
    i64,
    String,
    String,
    String,
    String,
    chrono::DateTime<Utc>,
    Option<chrono::DateTime<Utc>>,
    Option<chrono::DateTime<Utc>>,
    Option<chrono::DateTime<Utc>>,
);

fn key_info(row: KeyRow) -> DkimKeyInfo {
    let (id, selector, algorithm, public_b64, state, created_at, dns_verified_at, activated_at, retire_at) = row;
    DkimKeyInfo {
        id,
        selector,
        algorithm: DkimAlgorithm::from_signature_name(&algorithm).unwrap_or_default(),
        public_b64,
        state: DkimKeyState::parse(&state).unwrap_or(DkimKeyState::Retired),
        created_at,
        dns_verified_at,
        activated_at,
        retire_at,
    }
}

impl DkimRotation {
    /// `files` is the writer of Rspamd's key directory.
    pub fn new(pool: PgPool, files: DkimKeys) -> Self {
        Self { pool, files }
    }

    /// Every key of a domain, oldest first (retired ones included, for the history).
    pub async fn keys(&self, domain_id: i64) -> Result<Vec<DkimKeyInfo>, DeliverabilityError> {
        let rows: Vec<KeyRow> = sqlx::query_as(
            "SELECT id, selector, algorithm, public_b64, state, created_at, dns_verified_at, activated_at, retire_at \
             FROM dkim_key WHERE domain_id = $1 ORDER BY created_at, id",
        )
        .bind(domain_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(key_info).collect())
    }

    /// Generates the next key (pending) to be published beside the active one.
    pub async fn start(
        &self,
        domain_id: i64,
        algorithm: DkimAlgorithm,
        grace_days: u32,
    ) -> Result<DkimKeyInfo, DeliverabilityError> {
        if grace_days > 365 {
            return Err(DeliverabilityError::InvalidInput {
                field: "grace_days",
                message: "must be between 0 and 365 days".into(),
            });
        }
        let existing = self.keys(domain_id).await?;
        if let Some(pending) = existing.iter().find(|k| k.state == DkimKeyState::Pending) {
            return Err(DeliverabilityError::RotationInProgress(pending.selector.clone()));
        }
        let taken: Vec<String> = existing.iter().map(|k| k.selector.clone()).collect();
        let key = DkimKeys::generate_with(algorithm, &taken).await?;
        let mut tx = self.pool.begin().await?;
        let id = DkimKeys::store_as(&mut tx, domain_id, &key, DkimKeyState::Pending).await?;
        sqlx::query("UPDATE dkim_key SET grace_days = $2 WHERE id = $1")
            .bind(id)
            .bind(i32::try_from(grace_days).unwrap_or(7))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let keys = self.keys(domain_id).await?;
        keys.into_iter().find(|k| k.id == id).ok_or(DeliverabilityError::NoPendingKey)
    }

    /// Drops the pending key (it was never used to sign).
    pub async fn cancel(&self, domain_id: i64) -> Result<(), DeliverabilityError> {
        let done = sqlx::query("DELETE FROM dkim_key WHERE domain_id = $1 AND state = 'pending'")
            .bind(domain_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(DeliverabilityError::NoPendingKey);
        }
        Ok(())
    }

    /// Notes that DNS served the key `selector` of the domain (first time only).
    pub async fn mark_seen_in_dns(&self, domain_id: i64, selector: &str) -> Result<(), DeliverabilityError> {
        sqlx::query(
            "UPDATE dkim_key SET dns_verified_at = now() \
             WHERE domain_id = $1 AND selector = $2 AND dns_verified_at IS NULL",
        )
        .bind(domain_id)
        .bind(selector)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Makes the pending key the signing key; the active one starts retiring. Without
    /// `force`, the pending key must have been seen in DNS.
    pub async fn switch(&self, domain_id: i64, force: bool) -> Result<DkimKeyInfo, DeliverabilityError> {
        let mut tx = self.pool.begin().await?;
        let pending: Option<(i64, String, Option<chrono::DateTime<Utc>>, i32)> = sqlx::query_as(
            "SELECT k.id, k.selector || '._domainkey.' || d.name, k.dns_verified_at, k.grace_days \
             FROM dkim_key k JOIN mail_domain d ON d.id = k.domain_id \
             WHERE k.domain_id = $1 AND k.state = 'pending' FOR UPDATE OF k",
        )
        .bind(domain_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (id, host, verified, grace) = pending.ok_or(DeliverabilityError::NoPendingKey)?;
        if verified.is_none() && !force {
            return Err(DeliverabilityError::NotYetInDns { host });
        }
        let retire_at = Utc::now() + Duration::days(i64::from(grace));
        sqlx::query("UPDATE dkim_key SET state = 'retiring', retire_at = $2 WHERE domain_id = $1 AND state = 'active'")
            .bind(domain_id)
            .bind(retire_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE dkim_key SET state = 'active', activated_at = now() WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.files.sync_files(&self.pool).await?;
        tracing::info!(domain_id, key = id, "DKIM signing switched to the new key");
        let keys = self.keys(domain_id).await?;
        keys.into_iter().find(|k| k.id == id).ok_or(DeliverabilityError::NoPendingKey)
    }

    /// Switches every domain whose pending key DNS now serves. Returns how many switched.
    pub async fn switch_verified(&self) -> Result<usize, DeliverabilityError> {
        let domains: Vec<i64> = sqlx::query_scalar(
            "SELECT domain_id FROM dkim_key WHERE state = 'pending' AND dns_verified_at IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut switched = 0;
        for domain_id in domains {
            match self.switch(domain_id, false).await {
                Ok(_) => switched += 1,
                Err(DeliverabilityError::NoPendingKey) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(switched)
    }

    /// Retires keys whose grace period is over. Returns how many were retired.
    pub async fn retire_due(&self) -> Result<u64, DeliverabilityError> {
        let done = sqlx::query("UPDATE dkim_key SET state = 'retired' WHERE state = 'retiring' AND retire_at <= now()")
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
