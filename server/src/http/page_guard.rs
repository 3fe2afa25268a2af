//! Which page a browser may see: the set-up page before the first admin exists, the
//! sign-in page when signed out, admin pages only with a live session. Decided on the
//! server, before rendering, so nothing of an admin page reaches a signed-out visitor.

use std::sync::atomic::Ordering;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{Method, header};

use app::api::request::{SESSION_COOKIE, ValidatedSession, cookie};

use super::GuardState;

/// Where a page request must go instead, if anywhere.
#[derive(Debug, PartialEq, Eq)]
pub enum PageDecision {
    Serve,
    RedirectTo(String),
}

/// The routing rule, separate from I/O so it is tested on its own.
pub fn decide(path_and_query: &str, admins_exist: bool, signed_in: bool) -> PageDecision {
    let path = path_and_query.split('?').next().unwrap_or("/");
    match (admins_exist, path) {
        (false, "/setup") => PageDecision::Serve,
        (false, _) => PageDecision::RedirectTo("/setup".into()),
        (true, "/setup") => PageDecision::RedirectTo("/sign-in".into()),
        (true, "/sign-in") if signed_in => PageDecision::RedirectTo("/".into()),
        (true, "/sign-in") => PageDecision::Serve,
        (true, _) if signed_in => PageDecision::Serve,
        (true, "/") => PageDecision::RedirectTo("/sign-in".into()),
        (true, _) => PageDecision::RedirectTo(format!("/sign-in?next={}", encode_component(path_and_query))),
    }
}

/// Whether a request is for an HTML page (not an asset, API call or health check).
fn is_page(method: &Method, path: &str) -> bool {
    if *method != Method::GET && *method != Method::HEAD {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    !(path.starts_with("/api/") || path.starts_with("/pkg/") || path == "/healthz" || last.contains('.'))
}

fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Middleware applying [`decide`] to every page request.
pub async fn guard(State(state): State<GuardState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !is_page(req.method(), path) {
        return next.run(req).await;
    }
    let path_and_query = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    let admins_exist = if state.setup_done.load(Ordering::Relaxed) {
        true
    } else {
        match state.app.auth.accounts.count().await {
            Ok(n) if n > 0 => {
                state.setup_done.store(true, Ordering::Relaxed);
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::error!(error = %e, "cannot check for admin accounts");
                return (
                    http::StatusCode::SERVICE_UNAVAILABLE,
                    "The database is not reachable; see /healthz and the server log.",
                )
                    .into_response();
            }
        }
    };
    let user = match cookie(req.headers(), SESSION_COOKIE) {
        Some(token) if admins_exist => state.app.auth.sessions.validate(&token).await.ok().flatten(),
        _ => None,
    };
    match decide(&path_and_query, admins_exist, user.is_some()) {
        PageDecision::Serve => {
            let mut req = req;
            if let Some(user) = user {
                // The render's server functions reuse this instead of validating again.
                req.extensions_mut().insert(ValidatedSession(user));
            }
            let mut res = next.run(req).await;
            // Pages show account data: never cache them.
            res.headers_mut().insert(header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
            res
        }
        PageDecision::RedirectTo(to) => Redirect::to(&to).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_set_up_everything_leads_to_set_up() {
        assert_eq!(decide("/", false, false), PageDecision::RedirectTo("/setup".into()));
        assert_eq!(decide("/sign-in", false, false), PageDecision::RedirectTo("/setup".into()));
        assert_eq!(decide("/setup", false, false), PageDecision::Serve);
    }

    #[test]
    fn after_set_up_the_set_up_page_is_gone() {
        assert_eq!(decide("/setup", true, false), PageDecision::RedirectTo("/sign-in".into()));
    }

    #[test]
    fn signed_out_visitors_go_to_sign_in_and_come_back() {
        assert_eq!(decide("/", true, false), PageDecision::RedirectTo("/sign-in".into()));
        assert_eq!(
            decide("/admins?page=2&sort=x", true, false),
            PageDecision::RedirectTo("/sign-in?next=/admins%3Fpage%3D2%26sort%3Dx".into())
        );
        assert_eq!(decide("/admins", true, true), PageDecision::Serve);
    }

    #[test]
    fn signed_in_admins_skip_the_sign_in_page() {
        assert_eq!(decide("/sign-in", true, true), PageDecision::RedirectTo("/".into()));
        assert_eq!(decide("/sign-in", true, false), PageDecision::Serve);
    }

    #[test]
    fn assets_and_api_are_not_pages() {
        assert!(!is_page(&Method::GET, "/pkg/billionmail.wasm"));
        assert!(!is_page(&Method::GET, "/favicon.svg"));
        assert!(!is_page(&Method::POST, "/api/sign_in"));
        assert!(!is_page(&Method::GET, "/healthz"));
        assert!(is_page(&Method::GET, "/admins"));
    }
}
