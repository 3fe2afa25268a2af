//! CSV/TSV contact imports. The file itself is uploaded by a plain streaming POST to
//! `/api/contacts/imports` (no size limit but the disk); these functions handle what comes
//! after: the preview, the mapping, the progress and the refused lines.

use leptos::prelude::*;
use model::contacts::{ImportJob, ImportPreview, ImportRowError, ImportSettings};
use server_fn::codec::Json;

use crate::api::ApiError;

/// How many refused lines the progress page lists (the CSV report has them all).
pub const SHOWN_ERRORS: i64 = 100;

/// The header, first rows and suggested mapping of an uploaded file, so a mapping screen can
/// be reopened after a reload.
#[server(name = LoadImportPreview, endpoint = "contacts/import/preview", input = Json)]
pub async fn import_preview(id: i64) -> Result<ImportPreview, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.imports.preview(id).await?)
        }
        .await,
    )
}

/// Queues an uploaded file for import with the admin's mapping. A mapping that would make
/// every row fail is refused here (field `mapping`) before anything is queued.
#[server(endpoint = "contacts/import/start", input = Json)]
pub async fn start_import(id: i64, settings: ImportSettings) -> Result<ImportJob, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            settings.check().map_err(|e| ApiError::invalid("mapping", capitalised(&e)))?;
            let job = state()?.contacts.imports.start(id, &settings).await?;
            tracing::info!(by = %me.username, import = id, file = %job.file_name, "import queued");
            Ok(job)
        }
        .await,
    )
}

/// An import's progress, polled by the progress page while it runs.
#[server(name = LoadImportJob, endpoint = "contacts/import/job", input = Json)]
pub async fn import_job(id: i64) -> Result<ImportJob, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.imports.job(id).await?)
        }
        .await,
    )
}

/// The latest imports, newest first, for the table under the upload form.
#[server(endpoint = "contacts/import/recent", input = Json)]
pub async fn recent_imports() -> Result<Vec<ImportJob>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.imports.recent(20).await?)
        }
        .await,
    )
}

/// Stops a queued or running import; nothing from it is kept (an import commits whole).
#[server(endpoint = "contacts/import/cancel", input = Json)]
pub async fn cancel_import(id: i64) -> Result<ImportJob, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let job = state()?.contacts.imports.cancel(id).await?;
            tracing::info!(by = %me.username, import = id, "import cancelled");
            Ok(job)
        }
        .await,
    )
}

/// The first refused lines of an import, with the reason each was refused.
#[server(endpoint = "contacts/import/errors", input = Json)]
pub async fn import_errors(id: i64) -> Result<Vec<ImportRowError>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.imports.errors(id, SHOWN_ERRORS).await?)
        }
        .await,
    )
}

/// "map exactly one column…" → "Map exactly one column….".
#[cfg(feature = "ssr")]
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}
