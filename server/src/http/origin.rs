//! CSRF defence: a state-changing request must come from this site's own pages.
//!
//! Browsers always send `Origin` on cross-site and same-site POSTs; a request without it, or
//! with another site's, is refused before any server function runs.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{Method, StatusCode, header};

use app::api::ApiError;

use super::GuardState;

/// Whether `origin` is the site: equal to the configured public origin, or, without one,
/// naming the same host[:port] as the request's `Host` header.
pub fn origin_allowed(origin: Option<&str>, host: Option<&str>, public_origin: Option<&str>) -> bool {
    let Some(origin) = origin.map(|o| o.trim_end_matches('/')) else { return false };
    if origin == "null" {
        return false;
    }
    if let Some(public) = public_origin {
        return origin.eq_ignore_ascii_case(public);
    }
    let Some(authority) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    host.is_some_and(|h| h.eq_ignore_ascii_case(authority))
}

/// Refuses non-GET requests to `/api/` whose Origin is not this site (403, JSON error).
pub async fn guard(State(state): State<GuardState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if origin_allowed(origin, host, state.app.site.public_origin.as_deref()) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), origin = origin.unwrap_or("(none)"), "refused request from a foreign origin");
    let body = serde_json::to_string(&ApiError::ForeignOrigin).unwrap_or_default();
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], Body::from(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn same_host_is_allowed() {
        assert!(origin_allowed(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"), None));
        assert!(origin_allowed(Some("https://Mail.Example.com"), Some("mail.example.com"), None));
    }

    #[test]
    fn other_or_missing_origins_are_refused() {
        assert!(!origin_allowed(Some("http://evil.example"), Some("127.0.0.1:8080"), None));
        assert!(!origin_allowed(Some("http://127.0.0.1:9999"), Some("127.0.0.1:8080"), None));
        assert!(!origin_allowed(None, Some("127.0.0.1:8080"), None));
        assert!(!origin_allowed(Some("null"), Some("127.0.0.1:8080"), None));
        assert!(!origin_allowed(Some("ftp://127.0.0.1:8080"), Some("127.0.0.1:8080"), None));
    }

    #[test]
    fn configured_public_url_is_authoritative() {
        let public = Some("https://mail.example.com");
        assert!(origin_allowed(Some("https://mail.example.com"), Some("internal:8080"), public));
        // A spoofed Host header does not help when the public URL is configured.
        assert!(!origin_allowed(Some("https://evil.example"), Some("evil.example"), public));
    }
}
