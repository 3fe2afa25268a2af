//! Per-IP sign-in throttling: after `max_failures` failed sign-ins the IP is locked out.
//!
//! State is in PostgreSQL, not memory, so it holds across restarts and across several
//! server processes sharing one database.

use std::time::Duration;

use sqlx::PgPool;

use super::policy::{AuthPolicy, secs};
use crate::Result;

/// The `login_throttle` table and its lockout rule.
#[derive(Clone, Debug)]
pub struct LoginThrottle {
    pool: PgPool,
    policy: AuthPolicy,
}

/// What a failed attempt led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Attempts left before the lockout.
    Remaining(u32),
    /// The IP is now locked for this long.
    LockedFor(Duration),
}

impl LoginThrottle {
    pub fn new(pool: PgPool, policy: AuthPolicy) -> Self {
        Self { pool, policy }
    }

    /// Time left on the IP's lockout, if it is locked.
    pub async fn locked_for(&self, ip: &str) -> Result<Option<Duration>> {
        let left: Option<f64> = sqlx::query_scalar(
            "SELECT extract(epoch FROM locked_until - now())::float8 FROM login_throttle \
             WHERE ip = $1 AND locked_until > now()",
        )
        .bind(ip)
        .fetch_optional(&self.pool)
        .await?;
        Ok(left.map(|s| Duration::from_secs_f64(s.max(0.0))))
    }

    /// Counts one failure; locks the IP when it reaches the limit within the window.
    pub async fn record_failure(&self, ip: &str) -> Result<FailureOutcome> {
        let mut tx = self.pool.begin().await?;
        // A stale window or an expired lockout starts counting afresh.
        let failures: i32 = sqlx::query_scalar(
            "INSERT INTO login_throttle AS t (ip, failures, window_started_at) VALUES ($1, 1, now()) \
             ON CONFLICT (ip) DO UPDATE SET \
               failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2) \
                                 OR t.locked_until <= now() THEN 1 ELSE t.failures + 1 END, \
               window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2) \
                                 OR t.locked_until <= now() THEN now() ELSE t.window_started_at END, \
               locked_until = CASE WHEN t.locked_until <= now() THEN NULL ELSE t.locked_until END \
             RETURNING failures",
        )
        .bind(ip)
        .bind(secs(self.policy.failure_window))
        .fetch_one(&mut *tx)
        .await?;
        let failures = u32::try_from(failures).unwrap_or(u32::MAX);
        let outcome = if failures >= self.policy.max_failures {
            sqlx::query(
                "UPDATE login_throttle SET failures = 0, window_started_at = now(), \
                 locked_until = now() + make_interval(secs => $2) WHERE ip = $1",
            )
            .bind(ip)
            .bind(secs(self.policy.lockout))
            .execute(&mut *tx)
            .await?;
            FailureOutcome::LockedFor(self.policy.lockout)
        } else {
            FailureOutcome::Remaining(self.policy.max_failures - failures)
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Forgets the IP's failures after a successful sign-in.
    pub async fn clear(&self, ip: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_throttle WHERE ip = $1").bind(ip).execute(&self.pool).await?;
        Ok(())
    }

    /// IPs locked right now, for the Overview page.
    pub async fn count_locked(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM login_throttle WHERE locked_until > now()")
            .fetch_one(&self.pool)
            .await?)
    }
}
