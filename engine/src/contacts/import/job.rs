//! The `contact_import` row: an import's state machine (uploaded → queued → running →
//! finished | failed | cancelled), its progress and its outcome. Every transition is one
//! conditional UPDATE, so two workers or a cancel racing a start cannot both win.

use chrono::{DateTime, Utc};
use model::contacts::{ImportJob, ImportSettings, ImportState};
use sqlx::{PgConnection, PgPool};

use super::reader::ReadSummary;
use crate::contacts::{ContactError, Result};

/// The columns [`JobRecord`] reads, in every query returning a job.
pub const JOB_COLUMNS: &str = "id, file_name, size_bytes, state, phase, bytes_read, rows_read, rows_invalid, \
     contacts_new, contacts_updated, error, created_by, created_at, started_at, finished_at";

/// A running import whose heartbeat is older than this was cut short by a restart.
pub const STALE_AFTER_SECS: i64 = 120;

/// A `contact_import` row as selected with [`JOB_COLUMNS`].
#[derive(sqlx::FromRow)]
pub struct JobRecord {
    id: i64,
    file_name: String,
    size_bytes: i64,
    state: String,
    phase: String,
    bytes_read: i64,
    rows_read: i64,
    rows_invalid: i64,
    contacts_new: i64,
    contacts_updated: i64,
    error: Option<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl From<JobRecord> for ImportJob {
    fn from(r: JobRecord) -> Self {
        Self {
            id: r.id,
            file_name: r.file_name,
            size_bytes: r.size_bytes,
            state: ImportState::parse(&r.state),
            phase: r.phase,
            bytes_read: r.bytes_read,
            rows_read: r.rows_read,
            rows_invalid: r.rows_invalid,
            contacts_new: r.contacts_new,
            contacts_updated: r.contacts_updated,
            error: r.error,
            created_by: r.created_by,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

/// What the run needs besides the settings: where the file is and what it was called.
#[derive(Clone, Debug)]
pub struct JobFile {
    pub file_name: String,
    pub file_path: String,
    pub settings: Option<ImportSettings>,
}

/// One import, or `ImportNotFound`.
pub async fn fetch(pool: &PgPool, id: i64) -> Result<ImportJob> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM contact_import WHERE id = $1");
    let row: Option<JobRecord> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
    row.map(ImportJob::from).ok_or(ContactError::ImportNotFound(id))
}

/// The newest imports first.
pub async fn recent(pool: &PgPool, limit: i64) -> Result<Vec<ImportJob>> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM contact_import ORDER BY id DESC LIMIT $1");
    let rows: Vec<JobRecord> = sqlx::query_as(&sql).bind(limit.clamp(1, 500)).fetch_all(pool).await?;
    Ok(rows.into_iter().map(ImportJob::from).collect())
}

/// The file and the settings of an import.
pub async fn file(pool: &PgPool, id: i64) -> Result<JobFile> {
    let row: Option<(String, String, Option<sqlx::types::Json<ImportSettings>>)> =
        sqlx::query_as("SELECT file_name, file_path, settings FROM contact_import WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let (file_name, file_path, settings) = row.ok_or(ContactError::ImportNotFound(id))?;
    Ok(JobFile { file_name, file_path, settings: settings.map(|s| s.0) })
}

/// The refusal for a transition the import's current state does not allow.
pub async fn state_error(pool: &PgPool, id: i64, action: &'static str) -> ContactError {
    match fetch(pool, id).await {
        Ok(job) => ContactError::ImportState { id, action, state: job.state.as_str().to_owned() },
        Err(e) => e,
    }
}

/// A new row for an upload in progress (the file path is known once the id is).
pub async fn create(pool: &PgPool, file_name: &str, by: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO contact_import (file_name, file_path, created_by) VALUES ($1, '', $2) RETURNING id",
    )
    .bind(file_name)
    .bind(by)
    .fetch_one(pool)
    .await?)
}

/// Records where the upload was stored and how big it is.
pub async fn set_file(pool: &PgPool, id: i64, path: &str, size: i64) -> Result<()> {
    sqlx::query("UPDATE contact_import SET file_path = $2, size_bytes = $3 WHERE id = $1")
        .bind(id)
        .bind(path)
        .bind(size)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets an upload that could not be stored.
pub async fn delete(pool: &PgPool, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM contact_import WHERE id = $1").bind(id).execute(pool).await?;
    Ok(())
}

/// uploaded → queued, with the settings; `None` when the import was not in `uploaded`.
pub async fn queue(pool: &PgPool, id: i64, settings: &ImportSettings) -> Result<Option<ImportJob>> {
    let sql = format!(
        "UPDATE contact_import SET state = 'queued', settings = $2, cancel_requested = false, phase = '' \
         WHERE id = $1 AND state = 'uploaded' RETURNING {JOB_COLUMNS}"
    );
    let row: Option<JobRecord> =
        sqlx::query_as(&sql).bind(id).bind(sqlx::types::Json(settings)).fetch_optional(pool).await?;
    Ok(row.map(ImportJob::from))
}

/// Asks a queued or running import to stop: a queued one is cancelled at once, a running
/// one notices within a fraction of a second. `None` when it was in neither state.
pub async fn request_cancel(pool: &PgPool, id: i64) -> Result<Option<ImportJob>> {
    let sql = format!(
        "UPDATE contact_import SET cancel_requested = true, \
             state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END, \
             finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END, \
             phase = CASE WHEN state = 'queued' THEN '' ELSE 'cancelling' END \
         WHERE id = $1 AND state IN ('queued', 'running') RETURNING {JOB_COLUMNS}"
    );
    let row: Option<JobRecord> = sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
    Ok(row.map(ImportJob::from))
}

/// queued → running for this import; false when it was not queued.
pub async fn claim(pool: &PgPool, id: i64) -> Result<bool> {
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE contact_import SET state = 'running', started_at = now(), heartbeat_at = now(), phase = 'reading' \
         WHERE id = $1 AND state = 'queued' RETURNING id",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(claimed.is_some())
}

/// queued → running for the oldest queued import no other worker holds.
pub async fn claim_next(pool: &PgPool) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE contact_import SET state = 'running', started_at = now(), heartbeat_at = now(), phase = 'reading' \
         WHERE id = (SELECT id FROM contact_import WHERE state = 'queued' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) \
         RETURNING id",
    )
    .fetch_optional(pool)
    .await?)
}

/// Running imports whose worker died (no heartbeat for two minutes) go back to the queue,
/// or to `cancelled` if a cancel was asked for. Nothing of theirs was kept: the merge is one
/// transaction. Returns how many were picked up.
pub async fn requeue_stale(pool: &PgPool) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE contact_import SET \
             state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END, \
             finished_at = CASE WHEN cancel_requested THEN now() ELSE NULL END, \
             phase = '', bytes_read = 0, rows_read = 0, rows_invalid = 0 \
         WHERE state = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $1))",
    )
    .bind(STALE_AFTER_SECS as f64)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Publishes progress and the heartbeat; returns whether a cancel was requested (also when
/// the row is gone).
pub async fn report(pool: &PgPool, id: i64, phase: &str, read: &ReadSummary) -> Result<bool> {
    let cancel: Option<bool> = sqlx::query_scalar(
        "UPDATE contact_import SET bytes_read = $2, rows_read = $3, rows_invalid = $4, phase = $5, heartbeat_at = now() \
         WHERE id = $1 RETURNING cancel_requested",
    )
    .bind(id)
    .bind(to_i64(read.bytes))
    .bind(to_i64(read.rows))
    .bind(to_i64(read.invalid))
    .bind(phase)
    .fetch_optional(pool)
    .await?;
    Ok(cancel.unwrap_or(true))
}

/// Keeps a long statement of a running import from looking like a dead worker.
pub async fn heartbeat(pool: &PgPool, id: i64) -> Result<()> {
    sqlx::query("UPDATE contact_import SET heartbeat_at = now() WHERE id = $1 AND state = 'running'")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Sets the phase shown under the progress bar; returns whether a cancel was requested.
pub async fn phase(pool: &PgPool, id: i64, phase: &str) -> Result<bool> {
    let cancel: Option<bool> = sqlx::query_scalar(
        "UPDATE contact_import SET phase = $2, heartbeat_at = now() WHERE id = $1 RETURNING cancel_requested",
    )
    .bind(id)
    .bind(phase)
    .fetch_optional(pool)
    .await?;
    Ok(cancel.unwrap_or(true))
}

/// Whether a cancel was requested (without writing, for the last check before commit).
pub async fn cancel_requested(pool: &PgPool, id: i64) -> Result<bool> {
    let cancel: Option<bool> = sqlx::query_scalar("SELECT cancel_requested FROM contact_import WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(cancel.unwrap_or(true))
}

/// running → finished, inside the merge transaction so the outcome and the contacts commit
/// together.
/// Returns false when a cancel was committed first (nothing may then be kept); a cancel
/// arriving after this update waits for the commit and then finds the import finished.
pub async fn finish(conn: &mut PgConnection, id: i64, read: &ReadSummary, new: i64, updated: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE contact_import SET state = 'finished', finished_at = now(), heartbeat_at = now(), phase = '', \
             bytes_read = size_bytes, rows_read = $2, rows_invalid = $3, contacts_new = $4, contacts_updated = $5 \
         WHERE id = $1 AND state = 'running' AND NOT cancel_requested",
    )
    .bind(id)
    .bind(to_i64(read.rows))
    .bind(to_i64(read.invalid))
    .bind(new)
    .bind(updated)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// running → cancelled (nothing of the import was kept).
pub async fn mark_cancelled(pool: &PgPool, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE contact_import SET state = 'cancelled', finished_at = now(), phase = '', contacts_new = 0, \
             contacts_updated = 0 WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// running → failed with a readable reason (nothing of the import was kept).
pub async fn mark_failed(pool: &PgPool, id: i64, error: &str) -> Result<()> {
    sqlx::query(
        "UPDATE contact_import SET state = 'failed', finished_at = now(), phase = '', error = $2, contacts_new = 0, \
             contacts_updated = 0 WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
