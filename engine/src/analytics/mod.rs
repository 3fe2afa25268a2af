//! Campaign analytics: the dashboards' figures read from the hourly rollups the triggers of
//! migration 0008 keep (never from the raw `campaign_event` rows, which may be hundreds of
//! millions), the per-recipient delivery log with its failure groups and CSV export, and the
//! retention of raw events by whole monthly partitions.
//!
//! All SQL of the area is in these files; filters are bound values, never spliced text.

pub mod delivery_log;
pub mod report;
pub mod retention;

use sqlx::PgPool;
use thiserror::Error;

/// Why an analytics request could not be answered.
#[derive(Debug, Error)]
pub enum AnalyticsError {
    #[error("no campaign #{0}")]
    NotFound(i64),
    /// The filter makes no sense (an empty or reversed time range, a page size of 0…).
    #[error("{0}")]
    Invalid(String),
    #[error("CSV export failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the export failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl AnalyticsError {
    /// Bad input (answered 4xx) as opposed to the server failing (5xx).
    pub fn is_user_error(&self) -> bool {
        matches!(self, Self::NotFound(_) | Self::Invalid(_))
    }
}

/// Shorthand for this module's results.
pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;

/// The analytics queries over one pool; cheap to clone (the admin API holds one in its state).
#[derive(Clone, Debug)]
pub struct Analytics {
    pool: PgPool,
}

impl Analytics {
    /// Reads through `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The pool, for callers that run retention on the same database.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// `NotFound` unless campaign `id` exists (the report of a deleted campaign is a 404,
    /// not an empty page).
    async fn require_campaign(&self, id: i64) -> Result<()> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM campaign WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        found.map(|_| ()).ok_or(AnalyticsError::NotFound(id))
    }
}
