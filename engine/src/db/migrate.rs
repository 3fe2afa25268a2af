//! Schema migrations, embedded in the binary from the workspace's `migrations/` folder.

use sqlx::PgPool;

use crate::Result;

/// The migrations compiled into this build.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Brings the schema up to date; safe to run at every start and from several processes
/// (sqlx holds an advisory lock while it migrates).
pub async fn run(pool: &PgPool) -> Result<usize> {
    let before = applied_count(pool).await.unwrap_or(0);
    MIGRATOR.run(pool).await?;
    let after = applied_count(pool).await?;
    Ok(usize::try_from(after - before).unwrap_or(0))
}

/// Migrations applied so far (0 before the first run).
pub async fn applied_count(pool: &PgPool) -> Result<i64> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(pool).await?;
    if !exists {
        return Ok(0);
    }
    Ok(sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(pool).await?)
}
