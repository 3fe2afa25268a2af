//! CSV/TSV imports of contacts, for files of any size.
//!
//! The life of an import: the browser streams the file to disk ([`Imports::upload`], which
//! answers with a preview and a suggested mapping), the admin confirms the mapping and options
//! ([`Imports::start`], state `queued`), a background worker runs it ([`Imports::run_queued`]):
//! the file is parsed on a blocking thread, each line checked, and everything — good lines
//! and refused ones with their reason — is streamed with `COPY` into a temporary staging
//! table; then one transaction writes the error report, upserts the contacts in ONE
//! statement, adds them to the chosen lists, records "imported" on their timelines and
//! defines the new attributes. Progress is published every 250 ms; a cancel is honoured
//! within that time while reading and between the merge steps, and rolls everything back.
//!
//! Rules worth knowing: the last line of an address wins within a file; an existing contact
//! keeps its name and attributes unless "overwrite" is chosen (tags are always merged); an
//! import never resubscribes a list member who unsubscribed; the uploaded file is removed
//! when its import ends (finished, failed or cancelled).

mod copy;
mod job;
mod merge;
mod reader;
mod row;
mod run;
mod sniff;
mod upload;

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use model::contacts::{ImportJob, ImportPreview, ImportRowError, ImportSettings, ImportState, normalize_tag};
use sqlx::PgPool;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::attributes::load as load_attributes;

/// Bytes of the error report gathered before they are written out.
const ERRORS_FLUSH_BYTES: usize = 64 * 1024;
use super::lists::Lists;
use super::{ContactError, Result};

/// Uploads, their mapping, the background runs and their reports.
#[derive(Clone, Debug)]
pub struct Imports {
    pool: PgPool,
    /// Where uploaded files wait for their import.
    dir: PathBuf,
}

impl Imports {
    /// Imports over `pool`, keeping uploads in `dir` (created on first upload).
    pub fn new(pool: PgPool, dir: PathBuf) -> Self {
        Self { pool, dir }
    }

    /// Streams an upload to `<dir>/<id>.csv` (no size limit but the disk), creates the row,
    /// returns the preview. An empty file is refused.
    pub async fn upload<S>(&self, file_name: &str, body: S, by: &str) -> Result<ImportPreview>
    where
        S: Stream<Item = std::result::Result<Bytes, std::io::Error>> + Unpin + Send,
    {
        let name = upload::clean_file_name(file_name);
        tokio::fs::create_dir_all(&self.dir).await?;
        let id = job::create(&self.pool, &name, by).await?;
        let path = self.dir.join(format!("{id}.csv"));
        let size = match upload::save(&path, body).await {
            Ok(size) if size > 0 => size,
            Ok(_) => {
                self.discard(id, &path).await;
                return Err(ContactError::Csv("the file is empty".into()));
            }
            Err(e) => {
                self.discard(id, &path).await;
                return Err(e.into());
            }
        };
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        job::set_file(&self.pool, id, &path.to_string_lossy(), size).await?;
        self.preview(id).await
    }

    /// Removes an upload that failed half-way (file and row).
    async fn discard(&self, id: i64, path: &Path) {
        upload::remove(path).await;
        if let Err(e) = job::delete(&self.pool, id).await {
            tracing::warn!(import = id, error = %e, "cannot remove a failed upload");
        }
    }

    /// The first rows and a suggested mapping, while the file is still kept (until the
    /// import ends).
    pub async fn preview(&self, id: i64) -> Result<ImportPreview> {
        let job = job::fetch(&self.pool, id).await?;
        if !matches!(job.state, ImportState::Uploaded | ImportState::Queued | ImportState::Running) {
            return Err(ContactError::ImportState { id, action: "previewed", state: job.state.as_str().to_owned() });
        }
        let file = job::file(&self.pool, id).await?;
        let sniffed = upload::sniff_file(Path::new(&file.file_path)).await?;
        let defined = load_attributes(&self.pool).await?;
        Ok(ImportPreview {
            import_id: id,
            file_name: job.file_name,
            size_bytes: job.size_bytes,
            delimiter: char::from(sniffed.shape.delimiter),
            suggested: sniff::suggest(&sniffed, &defined),
            header: sniffed.header,
            rows: sniffed.rows,
        })
    }

    /// Checks the mapping and options and queues the import (only from `uploaded`).
    pub async fn start(&self, id: i64, settings: &ImportSettings) -> Result<ImportJob> {
        settings.check().map_err(ContactError::Mapping)?;
        let mut settings = settings.clone();
        settings.tags = normalize_tags(&settings.tags)?;
        settings.list_ids.sort_unstable();
        settings.list_ids.dedup();
        Lists::ensure_exist(&self.pool, &settings.list_ids).await?;
        let job = job::fetch(&self.pool, id).await?;
        if job.state != ImportState::Uploaded {
            return Err(ContactError::ImportState { id, action: "started", state: job.state.as_str().to_owned() });
        }
        let file = job::file(&self.pool, id).await?;
        let shape = upload::sniff_file(Path::new(&file.file_path)).await?.shape;
        run::check_width(&settings, &shape)?;
        match job::queue(&self.pool, id, &settings).await? {
            Some(job) => Ok(job),
            None => Err(job::state_error(&self.pool, id, "started").await),
        }
    }

    /// One import with its progress.
    pub async fn job(&self, id: i64) -> Result<ImportJob> {
        job::fetch(&self.pool, id).await
    }

    /// The newest imports (at most 500).
    pub async fn recent(&self, limit: i64) -> Result<Vec<ImportJob>> {
        job::recent(&self.pool, limit).await
    }

    /// Cancels a queued import at once, or asks a running one to stop and roll back
    /// (it reports `cancelled` within a second or, mid-merge, after the current step).
    pub async fn cancel(&self, id: i64) -> Result<ImportJob> {
        let Some(job) = job::request_cancel(&self.pool, id).await? else {
            return Err(job::state_error(&self.pool, id, "cancelled").await);
        };
        if job.state == ImportState::Cancelled {
            let file = job::file(&self.pool, id).await?;
            upload::remove(Path::new(&file.file_path)).await;
        }
        Ok(job)
    }

    /// The first refused lines, in file order.
    pub async fn errors(&self, id: i64, limit: i64) -> Result<Vec<ImportRowError>> {
        job::fetch(&self.pool, id).await?;
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT line, reason FROM contact_import_error WHERE import_id = $1 ORDER BY line LIMIT $2")
                .bind(id)
                .bind(limit.clamp(0, 10_000))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(line, reason)| ImportRowError { line, reason }).collect())
    }

    /// Every refused line as CSV (`line,reason,content`), for the admin to fix and re-import.
    pub async fn errors_csv(&self, id: i64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_errors_csv(id, &mut out).await?;
        Ok(out)
    }

    /// The same report streamed to `out` (a million refused lines must not sit in memory);
    /// an unknown import fails before any byte is written. Returns the number of lines.
    pub async fn write_errors_csv<W: AsyncWrite + Unpin + Send>(&self, id: i64, mut out: W) -> Result<u64> {
        job::fetch(&self.pool, id).await?;
        let mut rows = sqlx::query_as::<_, (i64, String, String)>(
            "SELECT line, reason, content FROM contact_import_error WHERE import_id = $1 ORDER BY line",
        )
        .bind(id)
        .fetch(&self.pool);
        let csv_error = |e: csv::Error| ContactError::Io(e.into());
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(ERRORS_FLUSH_BYTES + 4096));
        writer.write_record(["line", "reason", "content"]).map_err(csv_error)?;
        let mut lines = 0;
        while let Some((line, reason, content)) = rows.try_next().await? {
            writer.write_record([line.to_string().as_str(), reason.as_str(), content.as_str()]).map_err(csv_error)?;
            lines += 1;
            if writer.get_ref().len() >= ERRORS_FLUSH_BYTES {
                let full = std::mem::replace(
                    &mut writer,
                    csv::Writer::from_writer(Vec::with_capacity(ERRORS_FLUSH_BYTES + 4096)),
                );
                out.write_all(&full.into_inner().map_err(|e| ContactError::Io(e.into_error()))?).await?;
            }
        }
        let rest = writer.into_inner().map_err(|e| ContactError::Io(e.into_error()))?;
        out.write_all(&rest).await?;
        out.flush().await?;
        Ok(lines)
    }

    /// Housekeeping: uploads never started within a day, and the files of imports that ended
    /// (finished, failed, cancelled — also by a restart), are deleted from disk; the refused
    /// lines of imports older than 30 days are dropped (they quote personal data). Returns
    /// how many files were removed.
    pub async fn clean_up(&self) -> Result<usize> {
        let abandoned: Vec<(i64, String)> = sqlx::query_as(
            "DELETE FROM contact_import WHERE state = 'uploaded' AND created_at < now() - interval '1 day' \
             RETURNING id, file_path",
        )
        .fetch_all(&self.pool)
        .await?;
        let ended: Vec<(i64, String)> = sqlx::query_as(
            "UPDATE contact_import SET file_path = '' \
             WHERE state IN ('finished', 'failed', 'cancelled') AND file_path <> '' RETURNING id, file_path",
        )
        .fetch_all(&self.pool)
        .await?;
        sqlx::query(
            "DELETE FROM contact_import_error e USING contact_import i \
             WHERE e.import_id = i.id AND i.created_at < now() - interval '30 days'",
        )
        .execute(&self.pool)
        .await?;
        let mut removed = 0;
        for (_, path) in abandoned.iter().chain(&ended).filter(|(_, p)| !p.is_empty()) {
            match tokio::fs::remove_file(path).await {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(removed)
    }

    /// Runs queued imports one at a time until none is left (the worker calls it every few
    /// seconds); first puts back in the queue the imports a restart cut short. Returns how
    /// many ran.
    pub async fn run_queued(&self) -> Result<usize> {
        let requeued = job::requeue_stale(&self.pool).await?;
        if requeued > 0 {
            tracing::info!(imports = requeued, "contact imports cut short by a restart are queued again");
        }
        let mut ran = 0;
        while let Some(id) = job::claim_next(&self.pool).await? {
            run::execute(&self.pool, id).await?;
            ran += 1;
        }
        Ok(ran)
    }

    /// The import itself (also used by the benchmark and the CLI): runs a queued import now
    /// and returns the job as it ended. An import that already ended is returned as it is.
    pub async fn run(&self, id: i64) -> Result<ImportJob> {
        if job::claim(&self.pool, id).await? {
            return run::execute(&self.pool, id).await;
        }
        let job = job::fetch(&self.pool, id).await?;
        match job.state {
            ImportState::Finished | ImportState::Failed | ImportState::Cancelled => Ok(job),
            other => Err(ContactError::ImportState { id, action: "run", state: other.as_str().to_owned() }),
        }
    }
}

/// The extra tags of the options, normalised; a tag that cannot be one is refused.
fn normalize_tags(raw: &[String]) -> Result<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw {
        let tag = normalize_tag(t).ok_or_else(|| ContactError::InvalidTag(t.clone()))?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}
