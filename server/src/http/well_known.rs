//! `/.well-known/` endpoints other servers fetch without a session: the MTA-STS policy of a
//! hosted domain (RFC 8461, at `mta-sts.<domain>`) and ACME HTTP-01 challenge answers.

use app::api::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode, header};

/// `GET /.well-known/mta-sts.txt`: the policy of the domain named by the Host header
/// (`mta-sts.example.com`); 404 for any other host or a domain with MTA-STS off.
pub async fn mta_sts(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    match state.deliverability.verifier.mta_sts_policy(host).await {
        Ok(Some(policy)) => {
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "max-age=300")], policy)
                .into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, %host, "MTA-STS policy");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /.well-known/acme-challenge/{token}`: the key authorisation of a pending HTTP-01
/// challenge for one of the mail hosts; 404 for anything else.
pub async fn acme_challenge(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.acme_challenges.get(&token) {
        Some(key_auth) => ([(header::CONTENT_TYPE, "application/octet-stream")], key_auth).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
