//! `GET /api/campaigns/{id}/deliveries.csv?state=&reason=&domain=&search=`: a campaign's
//! delivery log (every matching recipient, with the relay's and the receiving server's
//! answers) as a CSV download. A plain route, not a server function, so a million-row log
//! streams from the database to the browser's file without being held in memory; it needs
//! the admin session like every page.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use engine::analytics::AnalyticsError;
use futures::StreamExt;
use futures::channel::oneshot;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use model::analytics::DeliveryLogQuery;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, DuplexStream};

use super::GuardState;
use super::session::signed_in;

/// Bytes buffered between the export task and the response.
const PIPE_BYTES: usize = 256 * 1024;
/// Size of the pieces the response is sent in.
const PIECE_BYTES: usize = 64 * 1024;

/// The delivery log's filters, as the report page puts them in the link.
#[derive(Debug, Default, Deserialize)]
pub struct ExportFilters {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub search: String,
}

/// Answers the CSV, 401 without a live admin session, 404 for an unknown campaign.
pub async fn export(
    State(state): State<GuardState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(filters): Query<ExportFilters>,
) -> Response {
    if signed_in(&state, &headers).await.is_none() {
        return (StatusCode::UNAUTHORIZED, "Sign in to export the delivery log.").into_response();
    }
    let given = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let query = DeliveryLogQuery {
        campaign_id: id,
        state: given(filters.state),
        reason: given(filters.reason),
        domain: given(filters.domain),
        search: filters.search.trim().to_owned(),
        ..DeliveryLogQuery::default()
    };
    let analytics = state.app.analytics.clone();
    let (mut reader, mut writer) = tokio::io::duplex(PIPE_BYTES);
    let (done_tx, done_rx) = oneshot::channel::<Result<u64, AnalyticsError>>();
    tokio::spawn(async move {
        let result = analytics.write_csv(&query, &mut writer).await;
        drop(writer);
        let _ = done_tx.send(result);
    });
    // The export writes nothing before the campaign is found and the first rows are read: an
    // empty first read means it was refused (unknown campaign) or failed, and is answered with
    // its status instead.
    let mut first = vec![0u8; PIECE_BYTES];
    let read = match reader.read(&mut first).await {
        Ok(read) => read,
        Err(e) => {
            tracing::error!(error = %e, "delivery export pipe failed");
            return internal_error();
        }
    };
    if read == 0 {
        return match done_rx.await {
            Ok(Err(e)) => failure(&e),
            _ => internal_error(),
        };
    }
    first.truncate(read);
    let head = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(first)) });
    // Fused: the body may be polled once more after its end, which a bare unfold forbids.
    let rest = futures::stream::unfold(Some((reader, done_rx)), next_piece).fuse();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"campaign-{id}-deliveries.csv\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from_stream(head.chain(rest)),
    )
        .into_response()
}

/// The export pipe and the export task's outcome.
type Pipe = (DuplexStream, oneshot::Receiver<Result<u64, AnalyticsError>>);

/// The next piece of the export; at the end, an error item if the export failed half-way
/// (the browser then shows the download as failed instead of keeping a truncated file).
async fn next_piece(pipe: Option<Pipe>) -> Option<(std::io::Result<Bytes>, Option<Pipe>)> {
    let (mut reader, done) = pipe?;
    let mut piece = vec![0u8; PIECE_BYTES];
    match reader.read(&mut piece).await {
        Ok(0) => match done.await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "delivery export failed half-way");
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

fn internal_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "The export failed; the details are in the server log.").into_response()
}

/// 404 for an unknown campaign, 422 for a bad filter, 500 (logged) for everything else.
fn failure(e: &AnalyticsError) -> Response {
    match e {
        AnalyticsError::NotFound(_) => (StatusCode::NOT_FOUND, e.to_string()).into_response(),
        AnalyticsError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response(),
        _ => {
            tracing::error!(error = %e, "delivery export failed");
            internal_error()
        }
    }
}
