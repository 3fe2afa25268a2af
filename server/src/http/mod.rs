//! The HTTP router: Leptos pages and server functions, health check, static files, and
//! the guards in front of them.

pub mod health;
pub mod mailbox_export;
pub mod origin;
pub mod page_guard;
pub mod roundcube;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use app::api::state::AppState;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use http::{HeaderValue, header};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// State of the guards: the app state plus a cache of "an admin exists" (never unset,
/// because the last admin cannot be deleted).
#[derive(Clone)]
pub struct GuardState {
    pub app: AppState,
    pub setup_done: Arc<AtomicBool>,
}

/// Builds the complete router for `state`.
pub fn router(state: AppState, roundcube_url: Option<String>) -> Router {
    let guard_state = GuardState { app: state.clone(), setup_done: Arc::new(AtomicBool::new(false)) };
    let routes = generate_route_list(app::App);
    let options = state.leptos_options.clone();
    let health = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/mail/mailboxes.csv", get(mailbox_export::export))
        .with_state(guard_state.clone());
    let https = state.site.secure_cookies;
    let app_router = Router::new()
        .leptos_routes(&state, routes, move || app::shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .with_state(state)
        .merge(health)
        .layer(from_fn_with_state(guard_state.clone(), page_guard::guard))
        .layer(from_fn_with_state(guard_state, origin::guard));
    // Webmail is its own site under /roundcube/: outside the page guard, with its own
    // security headers, and the admin cookie stripped.
    let webmail = match roundcube_url {
        Some(url) => {
            let proxy = roundcube::RoundcubeProxy::new(url, https);
            Router::new()
                .route(roundcube::PREFIX, get(|| async { axum::response::Redirect::permanent("/roundcube/") }))
                .route("/roundcube/", axum::routing::any(roundcube::proxy))
                .route("/roundcube/{*rest}", axum::routing::any(roundcube::proxy))
                .with_state(proxy)
        }
        None => Router::new(),
    };
    webmail
        .merge(app_router)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"),
        ))
}
