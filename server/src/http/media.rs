//! The template image library over plain routes: the editor's upload and the public image
//! files emails show.
//!
//! An upload is a raw file body, not a server function: the picker sends the file as it is
//! (no base64 or form encoding inflating it by a third), and the size limit is enforced
//! while the body arrives, before more than [`MAX_MEDIA_BYTES`] is ever held. It needs the
//! admin session and, being a POST under `/api/`, passes the router's Origin check.
//!
//! The images themselves are public: every recipient's mail client loads them, signed in
//! nowhere. Only names the library generates are served (see
//! [`engine::templates::media::is_stored_name`]), so no request can reach another file, and
//! the answer is locked down as a passive image (no sniffing, no scripts, sandboxed).
//!
//! Routes: `POST /api/media?name=<file name>` (raw image as the body) → 201 JSON
//! `model::templates::MediaFile`, or `{"error": "..."}` with 400, 401, 413 or 500;
//! `GET /media/{stored_name}` → the image, or 404.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use engine::templates::media::is_stored_name;
use engine::templates::{MAX_MEDIA_BYTES, Media, TemplateError};
use futures::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use thiserror::Error;

use super::GuardState;
use super::session::signed_in;

/// Images never change under their name (a new upload gets a new name), so clients and
/// proxies may keep them for a year without asking again.
const IMMUTABLE_CACHE: &str = "public, max-age=31536000, immutable";
/// An image is never a document: nothing in it may run or load anything, even when opened
/// directly in a tab.
const IMAGE_CSP: &str = "default-src 'none'; sandbox";

/// `?name=` of an upload: the file name as the admin's computer had it (display only; the
/// stored name is generated).
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    pub name: String,
}

/// Why an upload's body could not be read in full, kept apart from the library's own
/// refusals because it is answered before the library sees any byte.
#[derive(Debug, Error)]
pub enum BodyError {
    /// More than [`MAX_MEDIA_BYTES`] arrived (or were announced by `Content-Length`).
    #[error("an image may be at most {} MB", MAX_MEDIA_BYTES / (1024 * 1024))]
    TooLarge,
    /// The connection failed or was cut while the body was arriving.
    #[error("the upload was interrupted: {0}")]
    Interrupted(#[source] axum::Error),
}

/// Stores the image in the request body under the name in `?name=` and answers its library
/// entry (201). The same bytes uploaded again answer the entry already stored.
pub async fn upload(
    State(state): State<GuardState>,
    headers: HeaderMap,
    Query(query): Query<UploadQuery>,
    body: Body,
) -> Response {
    let Some(user) = signed_in(&state, &headers).await else {
        return json_error(StatusCode::UNAUTHORIZED, "Sign in to upload images.");
    };
    let bytes = match read_limited(&headers, body, MAX_MEDIA_BYTES).await {
        Ok(bytes) => bytes,
        Err(e @ BodyError::TooLarge) => return json_error(StatusCode::PAYLOAD_TOO_LARGE, &sentence(&e.to_string())),
        Err(e @ BodyError::Interrupted(_)) => {
            tracing::warn!(error = %e, "image upload interrupted");
            return json_error(StatusCode::BAD_REQUEST, &sentence(&e.to_string()));
        }
    };
    match state.app.templates.media.store(&query.name, &bytes, &user.username).await {
        Ok(file) => {
            tracing::info!(id = file.id, url = %file.url, by = %user.username, "image uploaded");
            (StatusCode::CREATED, Json(file)).into_response()
        }
        Err(e) => failure(&e),
    }
}

/// Serves a library image by its stored name, to anyone: mail clients load these without a
/// session. Unknown, malformed or missing names all answer 404 alike.
pub async fn serve(State(media): State<Media>, stored_name: Result<Path<String>, PathRejection>) -> Response {
    let Ok(Path(stored_name)) = stored_name else {
        return not_found();
    };
    let (Some(path), Some(content_type)) = (media.path_of(&stored_name), content_type(&stored_name)) else {
        return not_found();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE_CACHE)),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
                (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(IMAGE_CSP)),
            ],
            bytes,
        )
            .into_response(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => not_found(),
        Err(e) => {
            tracing::error!(error = %e, file = %stored_name, "cannot read an image file");
            (StatusCode::INTERNAL_SERVER_ERROR, "The image cannot be read; the details are in the server log.")
                .into_response()
        }
    }
}

/// The `Content-Type` of a stored name, by its extension; only the four formats the library
/// accepts have one.
pub fn content_type(stored_name: &str) -> Option<&'static str> {
    if !is_stored_name(stored_name) {
        return None;
    }
    match stored_name.rsplit_once('.')?.1 {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

/// The whole body, refused as soon as it is known to exceed `limit`: at once when
/// `Content-Length` says so, otherwise when the running count passes it, so an oversized
/// upload never occupies more than `limit` bytes of memory.
pub async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, BodyError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(BodyError::TooLarge);
    }
    let capacity = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0).min(limit);
    let mut bytes = Vec::with_capacity(capacity);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(BodyError::Interrupted)?;
        if bytes.len().saturating_add(chunk.len()) > limit {
            return Err(BodyError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// 413 for a too-large image, 404 for a missing one, 400 with the reason for other bad
/// input (not an image), 500 (logged) for disk or database failures.
fn failure(e: &TemplateError) -> Response {
    let status = if matches!(e, TemplateError::MediaTooLarge { .. }) {
        StatusCode::PAYLOAD_TOO_LARGE
    } else if e.is_not_found() {
        StatusCode::NOT_FOUND
    } else if e.is_user_error() {
        StatusCode::BAD_REQUEST
    } else {
        tracing::error!(error = %e, "image upload failed");
        return json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The image could not be stored; the details are in the server log.",
        );
    };
    json_error(status, &sentence(&e.to_string()))
}

/// `{"error": message}` with `status`: the one error shape the image picker reads.
fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "No such image.").into_response()
}

/// A library message as a sentence: capital first letter, full stop at the end.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_names_have_a_content_type() {
        let stem = "0123456789abcdef".repeat(2);
        assert_eq!(content_type(&format!("{stem}.png")), Some("image/png"));
        assert_eq!(content_type(&format!("{stem}.jpg")), Some("image/jpeg"));
        assert_eq!(content_type(&format!("{stem}.gif")), Some("image/gif"));
        assert_eq!(content_type(&format!("{stem}.webp")), Some("image/webp"));
        assert_eq!(content_type(&format!("{stem}.svg")), None);
        assert_eq!(content_type("../etc/passwd"), None);
        assert_eq!(content_type(""), None);
    }

    #[test]
    fn messages_become_sentences() {
        assert_eq!(sentence("an image may be at most 10 MB"), "An image may be at most 10 MB.");
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), ".");
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused() {
        let headers = HeaderMap::new();
        let ok = read_limited(&headers, Body::from(vec![1u8; 10]), 10).await;
        assert_eq!(ok.ok().map(|b| b.len()), Some(10));
        let over = read_limited(&headers, Body::from(vec![1u8; 11]), 10).await;
        assert!(matches!(over, Err(BodyError::TooLarge)));
        let mut declared = HeaderMap::new();
        declared.insert(header::CONTENT_LENGTH, HeaderValue::from_static("11"));
        let announced = read_limited(&declared, Body::empty(), 10).await;
        assert!(matches!(announced, Err(BodyError::TooLarge)));
    }
}
