//! The PostgreSQL database every part of the product keeps its state in.

pub mod embedded;
pub mod migrate;
pub mod order;
pub mod tuning;

use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

use crate::Result;

/// Whether the database is the private cluster under `./data` or one the operator runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseMode {
    Embedded,
    External,
}

impl DatabaseMode {
    /// Label shown on the Overview page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Embedded => "embedded",
            Self::External => "external",
        }
    }
}

/// A connection pool plus how it was obtained; cheap to clone and share.
#[derive(Clone, Debug)]
pub struct Database {
    pub pool: PgPool,
    pub mode: DatabaseMode,
}

impl Database {
    /// Connects to `url` with a pool sized for a small server.
    pub async fn connect(url: &str, mode: DatabaseMode, max_connections: u32) -> Result<Self> {
        Self::connect_with(url.parse()?, mode, max_connections).await
    }

    /// Like [`Database::connect`], from already-parsed options.
    pub async fn connect_with(options: PgConnectOptions, mode: DatabaseMode, max_connections: u32) -> Result<Self> {
        let options = options
            .application_name("billionmail")
            // JIT compilation costs 50–200 ms per statement once a plan looks expensive (a
            // segment count over a million contacts does); these queries never run long
            // enough to win that back.
            .options([("jit", "off")])
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self { pool, mode })
    }

    /// Round-trip time of a trivial query, or the error that made it fail.
    pub async fn ping(&self) -> Result<Duration> {
        let start = Instant::now();
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(start.elapsed())
    }
}
