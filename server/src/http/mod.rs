//! The HTTP router: Leptos pages and server functions, health check, static files, the
//! template image library, the public tracking and unsubscribe endpoints, and the guards in
//! front of them.

pub mod campaign_progress;
pub mod contact_files;
pub mod delivery_export;
pub mod health;
pub mod mailbox_export;
pub mod media;
pub mod origin;
pub mod page_guard;
pub mod roundcube;
mod session;
pub mod tracking;
pub mod unsubscribe_page;
pub mod well_known;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use app::api::state::AppState;
use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
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

/// Where webmail is served from, if RoundCube is configured.
#[derive(Clone, Debug, Default)]
pub struct Webmail {
    /// RoundCube's plain-HTTP address.
    pub upstream: Option<String>,
    /// A separate host for webmail (served at its root); `None` = under `/roundcube/`.
    pub host: Option<String>,
}

impl Webmail {
    /// From `BM_ROUNDCUBE_URL` and `BM_WEBMAIL_HOST`.
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self { upstream: config.roundcube_url.clone(), host: config.webmail_host.clone() }
    }
}

/// Builds the complete router for `state`, without the public tracking endpoints (tests of
/// the admin surface need no tracking key or event writer).
pub fn router(state: AppState, webmail: Webmail) -> Router {
    site_router(state, webmail, None)
}

/// The router the server runs: [`router`] plus the open pixel, click, web-view and
/// unsubscribe endpoints, which sit outside the page guard and the Origin check (recipients
/// have no session, and mail providers POST one-click unsubscribes without an Origin).
pub fn router_with_tracking(state: AppState, webmail: Webmail, tracking: tracking::TrackingState) -> Router {
    site_router(state, webmail, Some(tracking))
}

fn site_router(state: AppState, webmail: Webmail, tracking_state: Option<tracking::TrackingState>) -> Router {
    let guard_state = GuardState { app: state.clone(), setup_done: Arc::new(AtomicBool::new(false)) };
    let routes = generate_route_list(app::App);
    let options = state.leptos_options.clone();
    let health = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/mail/mailboxes.csv", get(mailbox_export::export))
        .route("/api/campaigns/{id}/progress", get(campaign_progress::progress))
        .route("/api/campaigns/{id}/deliveries.csv", get(delivery_export::export))
        .route("/api/contacts/imports", post(contact_files::upload))
        .route("/api/contacts/imports/{id}/errors.csv", get(contact_files::import_errors))
        .route("/api/contacts/export.csv", get(contact_files::export))
        .route("/api/contacts/{id}/data.json", get(contact_files::personal_data))
        .route("/api/media", post(media::upload))
        .with_state(guard_state.clone());
    // Library images are loaded by recipients' mail clients, signed in nowhere: outside the
    // page guard (which would redirect them to sign-in) and GET only, so no Origin check.
    let media_files =
        Router::new().route("/media/{stored_name}", get(media::serve)).with_state(state.templates.media.clone());
    let https = state.site.secure_cookies;
    let well_known_state = state.clone();
    let app_router = Router::new()
        .leptos_routes(&state, routes, move || app::shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .with_state(state)
        .merge(health)
        .layer(from_fn_with_state(guard_state.clone(), page_guard::guard))
        .layer(from_fn_with_state(guard_state, origin::guard));
    // Webmail is its own site under /roundcube/: outside the page guard, with its own
    // security headers, and the admin cookie stripped.
    let webmail_routes = match (webmail.upstream.clone(), webmail.host.clone()) {
        (Some(url), None) => {
            let proxy = roundcube::RoundcubeProxy::new(url, https, Some(roundcube::PREFIX));
            Router::new()
                .route(roundcube::PREFIX, get(|| async { axum::response::Redirect::permanent("/roundcube/") }))
                .route("/roundcube/", axum::routing::any(roundcube::proxy))
                .route("/roundcube/{*rest}", axum::routing::any(roundcube::proxy))
                .with_state(proxy)
        }
        (Some(_), Some(host)) => {
            let scheme = if https { "https" } else { "http" };
            let to = format!("{scheme}://{host}/");
            let redirect = move || {
                let to = to.clone();
                async move { axum::response::Redirect::permanent(&to) }
            };
            Router::new()
                .route(roundcube::PREFIX, get(redirect.clone()))
                .route("/roundcube/", get(redirect.clone()))
                .route("/roundcube/{*rest}", get(redirect))
        }
        _ => Router::new(),
    };
    let webmail_host = match (&webmail.host, webmail.upstream.clone()) {
        (Some(host), Some(url)) => Some((host.clone(), roundcube::RoundcubeProxy::new(url, https, None))),
        _ => None,
    };
    // Fetched by other servers (MTA-STS senders, the ACME CA) without a session.
    let well_known = Router::new()
        .route("/.well-known/mta-sts.txt", get(well_known::mta_sts))
        .route("/.well-known/acme-challenge/{token}", get(well_known::acme_challenge))
        .with_state(well_known_state);
    // Reached from recipients' mail clients; the signed token in the path is the capability.
    let tracking_routes = tracking_state.map(tracking::routes).unwrap_or_default();
    let site = webmail_routes.merge(well_known).merge(media_files).merge(tracking_routes).merge(app_router);
    // Requests for the webmail host never reach the admin: they go to RoundCube at its root.
    let site = match webmail_host {
        Some((host, proxy)) => {
            site.layer(axum::middleware::from_fn(move |req: axum::extract::Request, next: axum::middleware::Next| {
                let host = host.clone();
                let proxy = proxy.clone();
                async move {
                    if roundcube::is_host(req.headers(), &host) {
                        roundcube::proxy(axum::extract::State(proxy), req).await
                    } else {
                        next.run(req).await
                    }
                }
            }))
        }
        None => site,
    };
    site.layer(CompressionLayer::new())
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
