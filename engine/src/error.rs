//! The engine's one error type: callers map it to HTTP statuses or CLI exit messages.

use thiserror::Error;

/// Shorthand used across the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// Everything that can go wrong inside the engine, phrased for the person who must fix it.
#[derive(Debug, Error)]
pub enum EngineError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("embedded PostgreSQL: {0}")]
    EmbeddedPostgres(String),
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
