//! Contact files over plain routes (not server functions): the CSV upload of an import, its
//! error report, the CSV export of a selection and one contact's personal data. Files of any
//! size stream through these handlers in both directions — an upload goes to disk as it
//! arrives, an export leaves as the database produces it — which a server function, holding
//! whole values, cannot do. Each needs the admin session like every page; the upload (a POST
//! under /api/) also passes the router's Origin check.
//!
//! Routes: `POST /api/contacts/imports?name=<file name>` (raw file as the body) → JSON
//! `ImportPreview`; `GET /api/contacts/imports/{id}/errors.csv`;
//! `GET /api/contacts/export.csv?selection=<JSON of model::contacts::Selection>`;
//! `GET /api/contacts/{id}/data.json`.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use engine::contacts::ContactError;
use futures::channel::oneshot;
use futures::{StreamExt, TryStreamExt};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use model::contacts::Selection;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, DuplexStream};

use super::GuardState;
use super::session::signed_in;

/// Bytes buffered between the export task and the response.
const EXPORT_PIPE_BYTES: usize = 256 * 1024;
/// Size of the pieces the export response is sent in.
const PIECE_BYTES: usize = 64 * 1024;

/// `?name=` of an upload: the file name as the admin's computer had it.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    pub name: String,
}

/// `?selection=` of an export: a `Selection` as JSON (list, segment, filter or ids).
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    pub selection: String,
}

/// Streams the request body into a new import and answers its preview (columns, first rows,
/// suggested mapping).
pub async fn upload(
    State(state): State<GuardState>,
    headers: HeaderMap,
    Query(query): Query<UploadQuery>,
    body: Body,
) -> Response {
    let Some(user) = signed_in(&state, &headers).await else {
        return unauthorized();
    };
    let stream = Box::pin(body.into_data_stream().map_err(std::io::Error::other));
    match state.app.contacts.imports.upload(&query.name, stream, &user.username).await {
        Ok(preview) => Json(preview).into_response(),
        Err(e) => failure(&e, "contact import upload"),
    }
}

/// The refused lines of an import as `line,reason,content`, streamed.
pub async fn import_errors(State(state): State<GuardState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    if signed_in(&state, &headers).await.is_none() {
        return unauthorized();
    }
    let imports = state.app.contacts.imports.clone();
    streamed_csv(&format!("import-{id}-errors.csv"), "import error report", move |writer| async move {
        imports.write_errors_csv(id, writer).await
    })
    .await
}

/// The selected contacts as CSV, streamed. An invalid selection is answered with its status
/// before any byte of CSV; a failure half-way aborts the download (the browser shows it as
/// failed rather than keeping a truncated file).
pub async fn export(State(state): State<GuardState>, headers: HeaderMap, Query(query): Query<ExportQuery>) -> Response {
    if signed_in(&state, &headers).await.is_none() {
        return unauthorized();
    }
    let selection: Selection = match serde_json::from_str(&query.selection) {
        Ok(selection) => selection,
        Err(e) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, format!("the selection is not valid: {e}")).into_response();
        }
    };
    let exports = state.app.contacts.exports.clone();
    streamed_csv(
        "contacts.csv",
        "contact export",
        move |writer| async move { exports.write_csv(&selection, writer).await },
    )
    .await
}

/// Answers with the CSV `write` produces into a pipe, streamed as it is written. `write`
/// writes its header before its first database row, so the first piece tells a started
/// download from one refused outright (answered with its status instead).
async fn streamed_csv<F, Fut>(file_name: &str, what: &'static str, write: F) -> Response
where
    F: FnOnce(DuplexStream) -> Fut,
    Fut: std::future::Future<Output = Result<u64, ContactError>> + Send + 'static,
{
    let (mut reader, writer) = tokio::io::duplex(EXPORT_PIPE_BYTES);
    let (done_tx, done_rx) = oneshot::channel::<Result<u64, ContactError>>();
    let task = write(writer);
    tokio::spawn(async move {
        let _ = done_tx.send(task.await);
    });
    let mut first = vec![0u8; PIECE_BYTES];
    let read = match reader.read(&mut first).await {
        Ok(read) => read,
        Err(e) => {
            tracing::error!(error = %e, what, "download pipe failed");
            return internal_error();
        }
    };
    if read == 0 {
        return match done_rx.await {
            Ok(Err(e)) => failure(&e, what),
            _ => {
                tracing::error!(what, "download ended without any output");
                internal_error()
            }
        };
    }
    first.truncate(read);
    let head = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(first)) });
    // Fused: the body may be polled once more after its end, which a bare unfold forbids.
    let rest = futures::stream::unfold(Some((reader, done_rx)), next_piece).fuse();
    attachment("text/csv; charset=utf-8", file_name, Body::from_stream(head.chain(rest)))
}

/// The export pipe and the export task's outcome.
type Pipe = (DuplexStream, oneshot::Receiver<Result<u64, ContactError>>);

/// The next piece of an export; at the end, an error item if the export failed.
async fn next_piece(pipe: Option<Pipe>) -> Option<(std::io::Result<Bytes>, Option<Pipe>)> {
    let (mut reader, done) = pipe?;
    let mut piece = vec![0u8; PIECE_BYTES];
    match reader.read(&mut piece).await {
        Ok(0) => match done.await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "download failed half-way");
                Some((Err(std::io::Error::other("the export failed")), None))
            }
            Err(_) => Some((Err(std::io::Error::other("the export stopped")), None)),
        },
        Ok(read) => {
            piece.truncate(read);
            Some((Ok(Bytes::from(piece)), Some((reader, done))))
        }
        Err(e) => Some((Err(e), None)),
    }
}

/// Everything stored about one contact (GDPR access request), as a JSON download.
pub async fn personal_data(State(state): State<GuardState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    if signed_in(&state, &headers).await.is_none() {
        return unauthorized();
    }
    match state.app.contacts.book.personal_data(id).await {
        Ok(data) => match serde_json::to_vec_pretty(&data) {
            Ok(json) => attachment("application/json", &format!("contact-{id}.json"), Body::from(json)),
            Err(e) => {
                tracing::error!(error = %e, "cannot serialise a contact's personal data");
                internal_error()
            }
        },
        Err(e) => failure(&e, "personal data export"),
    }
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "Sign in to work with contact files.").into_response()
}

fn internal_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "The request failed; the details are in the server log.").into_response()
}

/// 404 for a missing import or contact, 422 with the reason for bad input, 500 (logged)
/// for everything else.
fn failure(e: &ContactError, what: &str) -> Response {
    if e.is_not_found() {
        (StatusCode::NOT_FOUND, e.to_string()).into_response()
    } else if e.is_user_error() {
        (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response()
    } else {
        tracing::error!(error = %e, "{what} failed");
        internal_error()
    }
}

/// A download with its file name; never cached.
fn attachment(content_type: &'static str, file_name: &str, body: Body) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}
