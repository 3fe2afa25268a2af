//! Live campaign progress as Server-Sent Events (`GET /api/campaigns/{id}/progress`): one
//! `CampaignProgress` JSON event at once and then every second, ending after the event that
//! shows the campaign finished or cancelled. A plain route because a server function answers
//! once; the admin session is checked like every page's.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use model::campaigns::CampaignStatus;

use super::GuardState;
use super::session::signed_in;

/// Time between two progress events.
const INTERVAL: Duration = Duration::from_secs(1);

/// The event stream of campaign `id`.
pub async fn progress(State(state): State<GuardState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    if signed_in(&state, &headers).await.is_none() {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    }
    let outbox = state.app.outbox.clone();
    if let Err(e) = outbox.progress(id).await {
        return if e.is_not_found() {
            (StatusCode::NOT_FOUND, e.to_string()).into_response()
        } else {
            tracing::error!(error = %e, campaign = id, "campaign progress");
            (StatusCode::INTERNAL_SERVER_ERROR, "the progress could not be read").into_response()
        };
    }
    let events = futures::stream::unfold((outbox, true, false), move |(outbox, first, done)| async move {
        if done {
            return None;
        }
        if !first {
            tokio::time::sleep(INTERVAL).await;
        }
        let progress = match outbox.progress(id).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, campaign = id, "campaign progress stream ended");
                return None;
            }
        };
        let over = matches!(progress.status, CampaignStatus::Finished | CampaignStatus::Cancelled);
        let event = Event::default().json_data(&progress).ok()?;
        Some((Ok::<_, Infallible>(event), (outbox, false, over)))
    });
    Sse::new(events).keep_alive(KeepAlive::default()).into_response()
}
