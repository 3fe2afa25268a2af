//! `/healthz`: for load balancers, container healthchecks and humans.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use super::GuardState;

/// 200 with database details when PostgreSQL answers, 503 when it does not.
pub async fn healthz(State(state): State<GuardState>) -> Response {
    let db = engine::overview::database_health(&state.app.db).await;
    let status = if db.reachable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if db.reachable { "ok" } else { "unavailable" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": {
            "reachable": db.reachable,
            "mode": db.mode,
            "latency_ms": db.latency_ms,
            "server_version": db.version,
            "applied_migrations": db.applied_migrations,
        },
    });
    (status, Json(body)).into_response()
}
