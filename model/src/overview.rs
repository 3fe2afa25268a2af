//! The Overview page's figures: what an operator checks first every morning.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Live state of the PostgreSQL database the product keeps everything in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatabaseHealth {
    pub reachable: bool,
    /// `server_version` as PostgreSQL reports it.
    pub version: String,
    pub size_bytes: i64,
    /// Round trip of a trivial query, in milliseconds.
    pub latency_ms: f64,
    /// `embedded` (private cluster under ./data) or `external` (DATABASE_URL).
    pub mode: String,
    pub applied_migrations: i64,
}

/// Everything the Overview page shows, fetched in one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub version: String,
    pub started_at: DateTime<Utc>,
    /// Seconds since start, computed on the server (the browser's clock may be wrong).
    pub uptime_secs: i64,
    pub database: DatabaseHealth,
    pub admin_count: i64,
    pub active_sessions: i64,
    pub failed_sign_ins_24h: i64,
    pub locked_ips: i64,
    /// Sign-in attempts per hour over the last 24 hours, oldest first: (successes, failures).
    pub sign_ins_by_hour: Vec<(i64, i64)>,
}
