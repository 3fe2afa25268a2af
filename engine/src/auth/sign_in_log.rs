//! The sign-in log: every attempt, so an admin can see who tried to get in and from where.

use model::{Page, PageRequest, SignInEvent};
use sqlx::PgPool;

use crate::Result;
use crate::db::order::order_by;

/// How long attempts are kept.
pub const RETENTION_DAYS: i32 = 90;

/// The `sign_in_events` table.
#[derive(Clone, Debug)]
pub struct SignInLog {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    username: String,
    ip: String,
    succeeded: bool,
    reason: String,
    at: chrono::DateTime<chrono::Utc>,
}

impl SignInLog {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Records one attempt; the username is kept as typed (bounded), never interpreted.
    pub async fn record(&self, username: &str, ip: &str, succeeded: bool, reason: &str) -> Result<()> {
        let username: String = username.chars().take(200).collect();
        sqlx::query("INSERT INTO sign_in_events (username, ip, succeeded, reason) VALUES ($1, $2, $3, $4)")
            .bind(username)
            .bind(ip)
            .bind(succeeded)
            .bind(reason)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One page of the log; `sort` is mapped through a whitelist.
    pub async fn page(&self, req: &PageRequest) -> Result<Page<SignInEvent>> {
        let order =
            order_by(req, &[("at", "at"), ("username", "username"), ("ip", "ip"), ("succeeded", "succeeded")], "id");
        let sql =
            format!("SELECT id, username, ip, succeeded, reason, at FROM sign_in_events {order} LIMIT $1 OFFSET $2");
        let rows: Vec<EventRow> =
            sqlx::query_as(&sql).bind(req.limit()).bind(req.offset()).fetch_all(&self.pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_in_events").fetch_one(&self.pool).await?;
        let rows = rows
            .into_iter()
            .map(|r| SignInEvent {
                id: r.id,
                username: r.username,
                ip: r.ip,
                succeeded: r.succeeded,
                reason: r.reason,
                at: r.at,
            })
            .collect();
        Ok(Page { rows, total })
    }

    /// (successes, failures) per hour for the last 24 hours, oldest first, gaps as zeros.
    pub async fn hourly_last_day(&self) -> Result<Vec<(i64, i64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT count(e.id) FILTER (WHERE e.succeeded), count(e.id) FILTER (WHERE NOT e.succeeded) \
             FROM generate_series(date_trunc('hour', now()) - interval '23 hours', date_trunc('hour', now()), \
                                  interval '1 hour') AS h(hour) \
             LEFT JOIN sign_in_events e ON date_trunc('hour', e.at) = h.hour \
             GROUP BY h.hour ORDER BY h.hour",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// Failed attempts in the last 24 hours.
    pub async fn failures_last_day(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM sign_in_events WHERE NOT succeeded AND at > now() - interval '1 day'",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Drops attempts older than the retention period.
    pub async fn purge_old(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sign_in_events WHERE at < now() - make_interval(days => $1)")
            .bind(RETENTION_DAYS)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
