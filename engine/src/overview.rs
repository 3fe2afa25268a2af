//! Figures for the Overview page, gathered in one place so the page needs one round trip.

use chrono::{DateTime, Utc};
use model::{DatabaseHealth, Overview};

use crate::Result;
use crate::auth::Authenticator;
use crate::db::{Database, migrate};

/// Database health as the Overview and `/healthz` report it; never fails, it says
/// `reachable: false` instead.
pub async fn database_health(db: &Database) -> DatabaseHealth {
    let mode = db.mode.label().to_owned();
    let latency = match db.ping().await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "database unreachable");
            return DatabaseHealth {
                reachable: false,
                version: String::new(),
                size_bytes: 0,
                latency_ms: 0.0,
                mode,
                applied_migrations: 0,
            };
        }
    };
    let details: Result<(String, i64)> = async {
        Ok(sqlx::query_as("SELECT current_setting('server_version'), pg_database_size(current_database())")
            .fetch_one(&db.pool)
            .await?)
    }
    .await;
    let (version, size_bytes) = details.unwrap_or_default();
    DatabaseHealth {
        reachable: true,
        version,
        size_bytes,
        latency_ms: latency.as_secs_f64() * 1000.0,
        mode,
        applied_migrations: migrate::applied_count(&db.pool).await.unwrap_or(0),
    }
}

/// Everything the Overview page shows.
pub async fn overview(db: &Database, auth: &Authenticator, started_at: DateTime<Utc>) -> Result<Overview> {
    let database = database_health(db).await;
    let admin_count: i64 = sqlx::query_scalar("SELECT count(*) FROM admins").fetch_one(&db.pool).await?;
    Ok(Overview {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at,
        uptime_secs: (chrono::Utc::now() - started_at).num_seconds().max(0),
        database,
        admin_count,
        active_sessions: auth.sessions.count_active().await?,
        failed_sign_ins_24h: auth.log.failures_last_day().await?,
        locked_ips: auth.throttle.count_locked().await?,
        sign_ins_by_hour: auth.log.hourly_last_day().await?,
    })
}
