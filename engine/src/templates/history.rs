//! The version history of templates: every save writes the template's row and a version row
//! in one transaction, then prunes the history to [`MAX_VERSIONS`].
//!
//! Pruning rule (also in migrations/0006_templates.sql): when a template has more than
//! [`MAX_VERSIONS`] versions, the oldest autosaves are deleted first; only when the manual
//! saves alone exceed the limit are the oldest manual saves deleted too. The current version
//! is never deleted.

use chrono::{DateTime, Utc};
use model::email::Document;
use model::templates::{TemplateVersion, VersionSummary};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use super::content::Content;
use super::{Result, TemplateError};

/// Versions kept per template.
pub const MAX_VERSIONS: i64 = 100;

#[derive(sqlx::FromRow)]
struct VersionRow {
    template_id: i64,
    version: i32,
    document: Option<Json<Document>>,
    html: Option<String>,
    saved_at: DateTime<Utc>,
    saved_by: String,
    autosave: bool,
}

impl From<VersionRow> for TemplateVersion {
    fn from(r: VersionRow) -> Self {
        Self {
            template_id: r.template_id,
            version: r.version,
            document: r.document.map(|d| d.0),
            html: r.html,
            saved_at: r.saved_at,
            saved_by: r.saved_by,
            autosave: r.autosave,
        }
    }
}

/// The template's kind and current version, locking its row until `conn`'s transaction
/// ends, so concurrent saves of one template take turns and each sees the other's version.
pub async fn lock(conn: &mut PgConnection, id: i64) -> Result<(String, i32)> {
    let row: Option<(String, i32)> =
        sqlx::query_as("SELECT kind, version FROM email_template WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.ok_or(TemplateError::NotFound(id))
}

/// Makes `content` version `version` of template `id` (whose row the caller locked or just
/// inserted): the template's row, the version row, then the pruning. Returns the save time.
pub async fn record(
    conn: &mut PgConnection,
    id: i64,
    version: i32,
    content: &Content,
    by: &str,
    autosave: bool,
) -> Result<DateTime<Utc>> {
    sqlx::query(
        "UPDATE email_template SET version = $2, document = $3, html = $4, block_count = $5, updated_at = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(version)
    .bind(content.document().map(Json))
    .bind(content.html())
    .bind(content.block_count())
    .execute(&mut *conn)
    .await?;
    let saved_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO email_template_version (template_id, version, document, html, saved_by, autosave) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING saved_at",
    )
    .bind(id)
    .bind(version)
    .bind(content.document().map(Json))
    .bind(content.html())
    .bind(by)
    .bind(autosave)
    .fetch_one(&mut *conn)
    .await?;
    prune(conn, id, version).await?;
    Ok(saved_at)
}

/// Deletes the versions beyond [`MAX_VERSIONS`] by the rule in the module doc: ordered
/// autosaves first (`true` sorts after `false`, hence DESC), oldest first within each.
pub async fn prune(conn: &mut PgConnection, id: i64, current: i32) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM email_template_version WHERE template_id = $1 AND version IN ( \
           SELECT version FROM email_template_version \
           WHERE template_id = $1 AND version <> $2 \
           ORDER BY autosave DESC, version ASC \
           LIMIT GREATEST((SELECT count(*) FROM email_template_version WHERE template_id = $1) - $3, 0))",
    )
    .bind(id)
    .bind(current)
    .bind(MAX_VERSIONS)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A template's history, newest first.
pub async fn list(pool: &PgPool, id: i64) -> Result<Vec<VersionSummary>> {
    let rows: Vec<(i32, DateTime<Utc>, String, bool)> = sqlx::query_as(
        "SELECT version, saved_at, saved_by, autosave FROM email_template_version \
         WHERE template_id = $1 ORDER BY version DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    // Every template has at least its current version, so no rows means no template.
    if rows.is_empty() {
        return Err(TemplateError::NotFound(id));
    }
    Ok(rows
        .into_iter()
        .map(|(version, saved_at, saved_by, autosave)| VersionSummary { version, saved_at, saved_by, autosave })
        .collect())
}

/// One version with its content.
pub async fn get(pool: &PgPool, id: i64, version: i32) -> Result<TemplateVersion> {
    let row: Option<VersionRow> = sqlx::query_as(
        "SELECT template_id, version, document, html, saved_at, saved_by, autosave \
         FROM email_template_version WHERE template_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(pool)
    .await?;
    if let Some(row) = row {
        return Ok(row.into());
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM email_template WHERE id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await?;
    Err(if exists { TemplateError::VersionNotFound { id, version } } else { TemplateError::NotFound(id) })
}
