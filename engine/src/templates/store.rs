//! Templates: create (blank, from a starter, from pasted HTML, as a copy), rename, delete,
//! and the editor's saves with optimistic concurrency and a version history.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use model::email::Document;
use model::templates::{
    NewTemplate, SaveOutcome, SaveRequest, Template, TemplateInput, TemplateKind, TemplateSource, TemplateSummary,
    TemplateVersion, VersionSummary,
};
use sqlx::PgPool;
use sqlx::types::Json;

use super::content::Content;
use super::names::{checked_name, checked_subject_hint, name_prefix, unique_name};
use super::{Result, TemplateError, history};

/// Attempts at a derived name when another admin takes the chosen one at the same moment.
const NAME_ATTEMPTS: usize = 3;

/// The `email_template` table and its history: names unique regardless of case, content
/// that always renders, and no save ever lost to a concurrent one.
#[derive(Clone, Debug)]
pub struct Templates {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct TemplateRow {
    id: i64,
    name: String,
    kind: String,
    document: Option<Json<Document>>,
    html: Option<String>,
    subject_hint: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<TemplateRow> for Template {
    fn from(r: TemplateRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            kind: TemplateKind::parse(&r.kind),
            document: r.document.map(|d| d.0),
            html: r.html,
            subject_hint: r.subject_hint,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    kind: String,
    version: i32,
    block_count: Option<i32>,
    updated_at: DateTime<Utc>,
}

impl From<SummaryRow> for TemplateSummary {
    fn from(r: SummaryRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            kind: TemplateKind::parse(&r.kind),
            version: r.version,
            updated_at: r.updated_at,
            block_count: r.block_count.and_then(|n| usize::try_from(n).ok()),
        }
    }
}

const SELECT: &str =
    "SELECT id, name, kind, document, html, subject_hint, version, created_at, updated_at FROM email_template";

/// A new template's checked parts, before its name is settled.
struct Draft {
    content: Content,
    subject_hint: String,
}

impl Templates {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Every template, most recently changed first, for the template list.
    pub async fn list(&self) -> Result<Vec<TemplateSummary>> {
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT id, name, kind, version, block_count, updated_at FROM email_template \
             ORDER BY updated_at DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(TemplateSummary::from).collect())
    }

    /// One template with its current content, for the editor.
    pub async fn get(&self, id: i64) -> Result<Template> {
        let row: Option<TemplateRow> =
            sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.map(Template::from).ok_or(TemplateError::NotFound(id))
    }

    /// The "new template" dialog. A blank `name` is derived from the source ("Untitled
    /// template", the starter's label, "HTML template", "<name> (copy)") and made unique with
    /// " (2)", " (3)"…, so starting from a starter or duplicating never asks for a name first;
    /// a name typed by the admin is used as given and refused when taken.
    pub async fn create(&self, new: NewTemplate, by: &str) -> Result<Template> {
        let (base, draft) = match new.from {
            TemplateSource::Blank => ("Untitled template".to_owned(), Self::draft(Some(Document::blank()), None, "")?),
            TemplateSource::Starter(starter) => {
                (starter.label().to_owned(), Self::draft(Some(starter.document()), None, "")?)
            }
            TemplateSource::Html(html) => ("HTML template".to_owned(), Self::draft(None, Some(html), "")?),
            TemplateSource::Copy(source) => {
                let t = self.get(source).await?;
                (format!("{} (copy)", t.name), Self::draft(t.document, t.html, &t.subject_hint)?)
            }
        };
        if !new.name.trim().is_empty() {
            let name = checked_name(&new.name)?;
            return self.insert(&name, &draft, by).await.map_err(|e| name_taken(e, &name));
        }
        let mut last = TemplateError::Name;
        for _ in 0..NAME_ATTEMPTS {
            let name = self.free_name(&base).await?;
            let inserted = self.insert(&name, &draft, by).await;
            match inserted {
                Err(e) if is_unique_violation(&e) => last = TemplateError::NameTaken(name),
                other => return other,
            }
        }
        Err(last)
    }

    /// Creates a template with exactly the given name and content (API clients, imports).
    pub async fn create_with(&self, input: TemplateInput, by: &str) -> Result<Template> {
        let name = checked_name(&input.name)?;
        let draft = Self::draft(input.document, input.html, &input.subject_hint)?;
        draft.content.require_kind(input.kind)?;
        self.insert(&name, &draft, by).await.map_err(|e| name_taken(e, &name))
    }

    /// Renames a template; its content and version are untouched, so open editors keep
    /// saving without a conflict.
    pub async fn rename(&self, id: i64, name: &str) -> Result<Template> {
        let name = checked_name(name)?;
        let done = sqlx::query("UPDATE email_template SET name = $2, updated_at = now() WHERE id = $1")
            .bind(id)
            .bind(&name)
            .execute(&self.pool)
            .await
            .map_err(|e| name_taken(e.into(), &name))?;
        if done.rows_affected() == 0 {
            return Err(TemplateError::NotFound(id));
        }
        self.get(id).await
    }

    /// Sets the subject line suggested to campaigns made from the template (not versioned:
    /// it is not part of the design).
    pub async fn set_subject_hint(&self, id: i64, hint: &str) -> Result<()> {
        let hint = checked_subject_hint(hint)?;
        let done = sqlx::query("UPDATE email_template SET subject_hint = $2, updated_at = now() WHERE id = $1")
            .bind(id)
            .bind(&hint)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(TemplateError::NotFound(id));
        }
        Ok(())
    }

    /// Deletes a template and its whole history.
    pub async fn delete(&self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM email_template WHERE id = $1").bind(id).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(TemplateError::NotFound(id));
        }
        Ok(())
    }

    /// Stores the editor's content as the next version. Refused with `VersionConflict` when
    /// the template was saved since the editor loaded `expected_version` (another tab, another
    /// admin), and with `Invalid` when the content does not render; nothing is written then.
    /// The content is checked before the row is locked, so rendering a large document never
    /// holds up other saves.
    pub async fn save(&self, request: SaveRequest, by: &str) -> Result<SaveOutcome> {
        let content = Content::new(request.document, request.html)?;
        let id = request.template_id;
        let mut tx = self.pool.begin().await?;
        let (kind, current) = history::lock(&mut tx, id).await?;
        if current != request.expected_version {
            return Err(TemplateError::VersionConflict { expected: request.expected_version, current });
        }
        content.require_kind(TemplateKind::parse(&kind))?;
        let version = current.saturating_add(1);
        let saved_at = history::record(&mut tx, id, version, &content, by, request.autosave).await?;
        tx.commit().await?;
        Ok(SaveOutcome { version, saved_at })
    }

    /// A template's history, newest first.
    pub async fn versions(&self, id: i64) -> Result<Vec<VersionSummary>> {
        history::list(&self.pool, id).await
    }

    /// One version's content, to preview before restoring it.
    pub async fn version(&self, id: i64, version: i32) -> Result<TemplateVersion> {
        history::get(&self.pool, id, version).await
    }

    /// Makes an old version's content current again, as a new manual save: history is never
    /// rewritten, so the versions after it stay restorable too. Open editors see a conflict
    /// on their next save, as with any other save.
    pub async fn restore(&self, id: i64, version: i32, by: &str) -> Result<SaveOutcome> {
        let old = history::get(&self.pool, id, version).await?;
        let content = Content::new(old.document, old.html)?;
        let mut tx = self.pool.begin().await?;
        let (kind, current) = history::lock(&mut tx, id).await?;
        content.require_kind(TemplateKind::parse(&kind))?;
        let version = current.saturating_add(1);
        let saved_at = history::record(&mut tx, id, version, &content, by, false).await?;
        tx.commit().await?;
        Ok(SaveOutcome { version, saved_at })
    }

    fn draft(document: Option<Document>, html: Option<String>, subject_hint: &str) -> Result<Draft> {
        Ok(Draft { content: Content::new(document, html)?, subject_hint: checked_subject_hint(subject_hint)? })
    }

    /// The template's row and its version 1, in one transaction.
    async fn insert(&self, name: &str, draft: &Draft, by: &str) -> Result<Template> {
        let content = &draft.content;
        let mut tx = self.pool.begin().await?;
        let row: TemplateRow = sqlx::query_as(
            "INSERT INTO email_template (name, kind, document, html, subject_hint, block_count, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             RETURNING id, name, kind, document, html, subject_hint, version, created_at, updated_at",
        )
        .bind(name)
        .bind(content.kind().as_str())
        .bind(content.document().map(Json))
        .bind(content.html())
        .bind(&draft.subject_hint)
        .bind(content.block_count())
        .bind(by)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO email_template_version (template_id, version, document, html, saved_by, autosave) \
             VALUES ($1, $2, $3, $4, $5, false)",
        )
        .bind(row.id)
        .bind(row.version)
        .bind(content.document().map(Json))
        .bind(content.html())
        .bind(by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// `base`, or the first free `base (n)`, by the names taken now.
    async fn free_name(&self, base: &str) -> Result<String> {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM email_template WHERE starts_with(lower(name), lower($1))")
                .bind(name_prefix(base))
                .fetch_all(&self.pool)
                .await?;
        let taken: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        Ok(unique_name(base, &taken))
    }
}

fn is_unique_violation(e: &TemplateError) -> bool {
    matches!(e, TemplateError::Database(sqlx::Error::Database(db)) if db.is_unique_violation())
}

/// The unique index on `lower(name)` is the only one a create or rename can hit.
fn name_taken(e: TemplateError, name: &str) -> TemplateError {
    if is_unique_violation(&e) { TemplateError::NameTaken(name.to_owned()) } else { e }
}
