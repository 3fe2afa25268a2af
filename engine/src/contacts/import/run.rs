//! The import itself, once claimed: stream the file into a staging table with COPY while
//! publishing progress (and noticing a cancel) every 250 ms, then merge the staging table
//! into the audience in one transaction. It runs on a connection of its own, outside the
//! pool, so the session-private staging table dies with it whatever happens.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use model::contacts::{ImportJob, ImportSettings};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;

use super::copy::{COPY_STAGING, CREATE_STAGING};
use super::reader::{ReadProgress, ReadSummary, encode_file};
use super::row::RowPlan;
use super::sniff::FileShape;
use super::{job, merge, upload};
use crate::contacts::attributes::load as load_attributes;
use crate::contacts::{ContactError, Result};

/// How often progress is written and a cancel looked for while reading.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How often a running import proves it is alive (well inside `job::STALE_AFTER_SECS`).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(20);
/// Chunks in flight between the reading thread and the database (bounded memory).
const CHANNEL_CHUNKS: usize = 4;

/// How a run that did not fail ended.
enum Outcome {
    Finished,
    Cancelled,
}

/// Runs a claimed (`running`) import to its end state and returns the job as it ended.
/// Failures are recorded on the job, not returned; `Err` means even that was impossible
/// (the database is unreachable), and the job is then picked up again later.
pub async fn execute(pool: &PgPool, id: i64) -> Result<ImportJob> {
    let heartbeat = Heartbeat::start(pool.clone(), id);
    let outcome = import(pool, id).await;
    drop(heartbeat);
    match outcome {
        Ok(Outcome::Finished) => tracing::info!(import = id, "contact import finished"),
        Ok(Outcome::Cancelled) => {
            tracing::info!(import = id, "contact import cancelled");
            job::mark_cancelled(pool, id).await?;
        }
        Err(e) => {
            tracing::warn!(import = id, error = %e, "contact import failed");
            job::mark_failed(pool, id, &e.to_string()).await?;
        }
    }
    if let Ok(file) = job::file(pool, id).await {
        upload::remove(Path::new(&file.file_path)).await;
    }
    job::fetch(pool, id).await
}

/// Keeps `heartbeat_at` fresh while the import runs, including during statements that take
/// minutes; stops when dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Heartbeat {
    fn start(pool: PgPool, id: i64) -> Self {
        Self(tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = job::heartbeat(&pool, id).await {
                    tracing::warn!(import = id, error = %e, "cannot record an import's heartbeat");
                }
            }
        }))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Checks the file against the settings, then stages and merges it.
async fn import(pool: &PgPool, id: i64) -> Result<Outcome> {
    let file = job::file(pool, id).await?;
    let settings =
        file.settings.ok_or_else(|| ContactError::Mapping("the import was never started with a mapping".into()))?;
    let path = Path::new(&file.file_path);
    let shape = upload::sniff_file(path).await?.shape;
    check_width(&settings, &shape)?;
    let plan = RowPlan::new(&settings, &load_attributes(pool).await?);
    let mut conn = dedicated_connection(pool).await?;
    let started = Instant::now();
    let outcome = match stage(pool, &mut conn, id, path, shape, plan).await {
        Ok(Some(read)) => {
            phase_done(id, "reading and staging", started);
            merge_staged(pool, &mut conn, id, &settings, &file.file_name, &read).await
        }
        Ok(None) => Ok(Outcome::Cancelled),
        Err(e) => Err(e),
    };
    // Closing drops the staging table; after a failed COPY the connection may be unusable,
    // which closing does not mind.
    let _ = conn.close().await;
    outcome
}

/// The mapping must have one target per column of the file.
pub fn check_width(settings: &ImportSettings, shape: &FileShape) -> Result<()> {
    if settings.columns.len() == shape.width {
        return Ok(());
    }
    Err(ContactError::Mapping(format!(
        "the file has {} columns but the mapping names {}",
        shape.width,
        settings.columns.len()
    )))
}

/// A connection like the pool's, but not taken from it: a long import does not hold a pool
/// slot, and its temporary tables never leak into another request's session.
async fn dedicated_connection(pool: &PgPool) -> Result<PgConnection> {
    let options = pool.connect_options();
    let mut conn = PgConnection::connect_with(&options).await?;
    // Memory of the database session (not of this process): a million staged rows are about
    // 200 MB, so with 64 MB the staging table and the de-duplicating sort went through temp
    // files, and an import's time varied by 40 % with the disk. Imports run one at a time, so
    // this is spent once; PostgreSQL still spills to disk beyond it.
    sqlx::query("SET work_mem = '256MB'").execute(&mut conn).await?;
    sqlx::query("SET temp_buffers = '256MB'").execute(&mut conn).await?;
    Ok(conn)
}

/// Streams the file into the staging table. `None` when a cancel was seen.
async fn stage(
    pool: &PgPool,
    conn: &mut PgConnection,
    id: i64,
    path: &Path,
    shape: FileShape,
    plan: RowPlan,
) -> Result<Option<ReadSummary>> {
    sqlx::query(CREATE_STAGING).execute(&mut *conn).await?;
    let progress = Arc::new(ReadProgress::default());
    let (sender, mut chunks) = mpsc::channel::<Vec<u8>>(CHANNEL_CHUNKS);
    let reading = {
        let progress = Arc::clone(&progress);
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || encode_file(&path, &shape, &plan, &sender, &progress))
    };
    let mut copy = conn.copy_in_raw(COPY_STAGING).await?;
    let mut last_report = Instant::now();
    let mut cancelled = false;
    while let Some(chunk) = chunks.recv().await {
        copy.send(chunk).await?;
        if last_report.elapsed() >= PROGRESS_EVERY {
            last_report = Instant::now();
            if job::report(pool, id, "reading", &progress.snapshot()).await? {
                cancelled = true;
                break;
            }
        }
    }
    // Closing the channel stops the reading thread if it is still going.
    drop(chunks);
    let read = reading.await.map_err(|e| ContactError::Io(std::io::Error::other(e.to_string())))?;
    if cancelled {
        let _ = copy.abort("import cancelled").await;
        return Ok(None);
    }
    let read = read?;
    copy.finish().await?;
    if job::report(pool, id, "reading", &read).await? {
        return Ok(None);
    }
    Ok(Some(read))
}

/// Moves the staged rows into the audience in one transaction, checking for a cancel
/// between steps; a cancel rolls everything back.
async fn merge_staged(
    pool: &PgPool,
    conn: &mut PgConnection,
    id: i64,
    settings: &ImportSettings,
    file_name: &str,
    read: &ReadSummary,
) -> Result<Outcome> {
    let mut tx = conn.begin().await?;
    if job::phase(pool, id, "saving the error report").await? {
        return Ok(Outcome::Cancelled);
    }
    let started = Instant::now();
    sqlx::query("ANALYZE contact_import_rows").execute(&mut *tx).await?;
    merge::save_errors(&mut tx, id).await?;
    phase_done(id, "error report", started);
    if job::phase(pool, id, "saving contacts").await? {
        return Ok(Outcome::Cancelled);
    }
    let started = Instant::now();
    let (new, updated) = merge::upsert_contacts(&mut tx, id, settings).await?;
    phase_done(id, "contact upsert", started);
    if job::phase(pool, id, "adding to lists").await? {
        return Ok(Outcome::Cancelled);
    }
    let started = Instant::now();
    merge::add_memberships(&mut tx, settings, file_name, updated).await?;
    merge::define_attributes(&mut tx, settings).await?;
    phase_done(id, "list memberships", started);
    if job::cancel_requested(pool, id).await? {
        return Ok(Outcome::Cancelled);
    }
    if !job::finish(&mut tx, id, read, new, updated).await? {
        return Ok(Outcome::Cancelled);
    }
    let started = Instant::now();
    tx.commit().await?;
    phase_done(id, "commit", started);
    Ok(Outcome::Finished)
}

/// Logs how long a phase of import `id` took: where a slow import's time went.
fn phase_done(id: i64, phase: &str, started: Instant) {
    tracing::info!(import = id, phase, seconds = started.elapsed().as_secs_f64(), "import phase done");
}
