//! `GET /api/mail/mailboxes.csv?domain=&search=`: the Mailboxes table as a CSV download.
//! A plain route (not a server function) so the browser's own download handling streams
//! it to a file; it needs the same admin session as every page.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use model::mail::MailboxFilter;

use app::api::request::{SESSION_COOKIE, cookie};

use super::GuardState;

/// Answers the CSV, or 401 without a live admin session.
pub async fn export(
    State(state): State<GuardState>,
    headers: HeaderMap,
    Query(filter): Query<MailboxFilter>,
) -> Response {
    let signed_in = match cookie(&headers, SESSION_COOKIE) {
        Some(token) => state.app.auth.sessions.validate(&token).await.ok().flatten().is_some(),
        None => false,
    };
    if !signed_in {
        return (StatusCode::UNAUTHORIZED, "Sign in to export mailboxes.").into_response();
    }
    match state.app.mail.mailboxes.export_csv(&filter).await {
        Ok(csv) => {
            let name = if filter.domain.is_empty() {
                "mailboxes.csv".to_owned()
            } else {
                format!("mailboxes-{}.csv", filter.domain)
            };
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"mailboxes.csv\""));
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
                csv,
            )
                .into_response()
        }
        Err(e) if e.is_user_error() => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "mailbox export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The export failed; the details are in the server log.").into_response()
        }
    }
}
