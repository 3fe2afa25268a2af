//! The public endpoints recipients' mail clients reach: the open pixel, tracked clicks, the
//! web view and the unsubscribe page (with the RFC 8058 one-click POST).
//!
//! They sit outside the page guard (recipients have no session) and outside the Origin check
//! (mail providers POST the one-click unsubscribe without an Origin header): the signed token
//! in the path is the only capability. A token that does not verify, or is of another kind
//! than the route (a pixel token replayed as an unsubscribe), is answered 404 like an unknown
//! path. A click redirects only to a URL stored for the campaign, never to anything taken
//! from the request, and a failure is never a redirect.
//!
//! Routes: `GET /t/o/{token}` → 1×1 GIF; `GET|HEAD /t/c/{token}` → 302 to the stored link;
//! `GET /t/v/{token}` → the message as HTML (sandboxed); `GET /u/{token}` → the choice page
//! (never unsubscribes: scanners follow links); `POST /u/{token}` → one-click or the page's
//! form.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::Utc;
use engine::campaigns::SenderSettings;
use engine::campaigns::tracking::{TokenKey, TokenKind, TrackingToken};
use engine::tracking::{
    EventKind, EventSink, LinkCache, TrackedEvent, TrackingError, UnsubscribeScope, UnsubscribeSource, render_web_view,
    subscription_choices, unsubscribe,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use sqlx::PgPool;

use super::media::{BodyError, read_limited};
use super::unsubscribe_page;

/// A transparent 1×1 GIF (43 bytes), the smallest image every mail client shows.
pub const PIXEL_GIF: [u8; 43] = [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];
/// Largest unsubscribe form body read (a list of checkbox values is far smaller).
pub const MAX_FORM_BYTES: usize = 16 * 1024;
/// Tracking answers are per recipient: no shared cache may keep one, and a client must ask
/// again (each open is an event).
const NO_STORE: &str = "no-store, private";
/// The web view is mail content, possibly with scripts an editor pasted: it may show images
/// and inline styles and open links in new windows, but run nothing and load nothing else.
const WEB_VIEW_CSP: &str = "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; \
                            img-src * data:; style-src 'unsafe-inline'";
/// The unsubscribe page: its own inline style and a form posting back to itself, nothing else.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the tracking endpoints need; built once at start-up (the key read from the database).
#[derive(Clone, Debug)]
pub struct TrackingState {
    pub pool: PgPool,
    /// Verifies the tokens in tracking URLs.
    pub key: TokenKey,
    /// Opens, clicks and web views go to the batch writer through it.
    pub sink: EventSink,
    /// The campaigns' stored click targets.
    pub links: LinkCache,
    /// Used to render web views with the same links as the sent message.
    pub settings: SenderSettings,
    /// Take the client IP from `X-Forwarded-For` (`BM_TRUST_PROXY`, behind your own proxy).
    pub trust_proxy: bool,
}

/// The tracking and unsubscribe routes with their state, to be merged outside the guards.
pub fn routes(state: TrackingState) -> Router {
    Router::new()
        .route("/t/o/{token}", get(open_pixel))
        // `get` also answers HEAD (link checkers), with the same handler.
        .route("/t/c/{token}", get(click))
        .route("/t/v/{token}", get(web_view))
        .route("/u/{token}", get(unsubscribe_form).post(unsubscribe_post))
        .with_state(state)
}

/// The socket peer as the server saw it, when served with connect info.
type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

/// `GET /t/o/{token}`: records an open and answers the pixel.
async fn open_pixel(
    State(state): State<TrackingState>,
    token: Result<Path<String>, PathRejection>,
    method: Method,
    headers: HeaderMap,
    peer: Peer,
) -> Response {
    let Some(token) = verified(&state.key, token, TokenKind::Open) else {
        return (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, NO_STORE)]).into_response();
    };
    record(&state, EventKind::Open, &token, None, &method, &headers, peer).await;
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/gif")),
            (header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE)),
        ],
        PIXEL_GIF.as_slice(),
    )
        .into_response()
}

/// `GET|HEAD /t/c/{token}`: records a click and redirects to the campaign's stored URL.
async fn click(
    State(state): State<TrackingState>,
    token: Result<Path<String>, PathRejection>,
    method: Method,
    headers: HeaderMap,
    peer: Peer,
) -> Response {
    let Some(token) = verified(&state.key, token, TokenKind::Click) else {
        return unknown_link();
    };
    let url = match state.links.url(token.campaign_id, token.link).await {
        Ok(Some(url)) => url,
        Ok(None) => return unknown_link(),
        Err(e) => return server_error(&e, "cannot read a campaign's links"),
    };
    let Some(location) = location(&url) else {
        return unknown_link();
    };
    let link_index = i32::try_from(token.link).ok();
    record(&state, EventKind::Click, &token, link_index, &method, &headers, peer).await;
    (StatusCode::FOUND, [(header::LOCATION, location), (header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE))])
        .into_response()
}

/// `GET /t/v/{token}`: the message as the recipient received it, sandboxed.
async fn web_view(
    State(state): State<TrackingState>,
    token: Result<Path<String>, PathRejection>,
    method: Method,
    headers: HeaderMap,
    peer: Peer,
) -> Response {
    let Some(token) = verified(&state.key, token, TokenKind::WebView) else {
        return unknown_message();
    };
    let rendered =
        render_web_view(&state.pool, &state.key, state.settings.clone(), token.campaign_id, token.delivery_id).await;
    let html = match rendered {
        Ok(Some(html)) => html,
        Ok(None) => return unknown_message(),
        Err(e) if e.is_not_found() => return unknown_message(),
        Err(e) => return server_error(&e, "cannot render a web view"),
    };
    record(&state, EventKind::WebView, &token, None, &method, &headers, peer).await;
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(WEB_VIEW_CSP)),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE)),
            (header::HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex")),
        ],
        html,
    )
        .into_response()
}

/// `GET /u/{token}`: the lists the recipient is on, to choose from. Changes nothing.
async fn unsubscribe_form(State(state): State<TrackingState>, token: Result<Path<String>, PathRejection>) -> Response {
    let Some(token) = verified(&state.key, token, TokenKind::Unsubscribe) else {
        return page(StatusCode::NOT_FOUND, unsubscribe_page::not_found_page());
    };
    match subscription_choices(&state.pool, token.campaign_id, token.delivery_id).await {
        Ok(choices) => page(StatusCode::OK, unsubscribe_page::choices_page(&choices, None)),
        Err(e) if e.is_not_found() => page(StatusCode::NOT_FOUND, unsubscribe_page::not_found_page()),
        Err(e) => server_error(&e, "cannot load unsubscribe choices"),
    }
}

/// `POST /u/{token}`: the one-click unsubscribe (RFC 8058, answered in plain text) or the
/// page's form (`list=<id>` repeated, `everything=on`), answered with what changed.
async fn unsubscribe_post(
    State(state): State<TrackingState>,
    token: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(token) = verified(&state.key, token, TokenKind::Unsubscribe) else {
        return page(StatusCode::NOT_FOUND, unsubscribe_page::not_found_page());
    };
    let bytes = match read_limited(&headers, body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response(),
        Err(BodyError::Interrupted(_)) => return (StatusCode::BAD_REQUEST, "The form was cut short.").into_response(),
    };
    let form = unsubscribe_page::parse_form(&bytes);
    let (campaign_id, delivery_id) = (token.campaign_id, token.delivery_id);
    if unsubscribe_page::is_one_click(&headers, &bytes, &form) {
        return match unsubscribe(
            &state.pool,
            campaign_id,
            delivery_id,
            UnsubscribeScope::CampaignLists,
            UnsubscribeSource::OneClick,
        )
        .await
        {
            Ok(outcome) => {
                tracing::info!(campaign_id, delivery_id, already = outcome.already, "one-click unsubscribe");
                (StatusCode::OK, [(header::CACHE_CONTROL, NO_STORE)], "unsubscribed").into_response()
            }
            Err(e) if e.is_not_found() => (StatusCode::NOT_FOUND, "Unknown recipient.").into_response(),
            Err(e) => server_error(&e, "one-click unsubscribe failed"),
        };
    }
    let Some(scope) = unsubscribe_page::chosen_scope(&form) else {
        return match subscription_choices(&state.pool, campaign_id, delivery_id).await {
            Ok(choices) => page(
                StatusCode::BAD_REQUEST,
                unsubscribe_page::choices_page(
                    &choices,
                    Some("Choose at least one list, or unsubscribe from everything."),
                ),
            ),
            Err(e) if e.is_not_found() => page(StatusCode::NOT_FOUND, unsubscribe_page::not_found_page()),
            Err(e) => server_error(&e, "cannot load unsubscribe choices"),
        };
    };
    match unsubscribe(&state.pool, campaign_id, delivery_id, scope, UnsubscribeSource::Page).await {
        Ok(outcome) => {
            tracing::info!(campaign_id, delivery_id, already = outcome.already, "unsubscribed from the page");
            page(StatusCode::OK, unsubscribe_page::done_page(&outcome))
        }
        Err(e) if e.is_not_found() => page(StatusCode::NOT_FOUND, unsubscribe_page::not_found_page()),
        Err(e) => server_error(&e, "unsubscribe failed"),
    }
}

/// The token in the path if this key signed it and it is of `kind`.
fn verified(key: &TokenKey, token: Result<Path<String>, PathRejection>, kind: TokenKind) -> Option<TrackingToken> {
    let Path(text) = token.ok()?;
    key.verify(&text).filter(|t| t.kind == kind)
}

/// Queues the event for the batch writer; a failure (shutting down) is logged, never shown to
/// the recipient.
async fn record(
    state: &TrackingState,
    kind: EventKind,
    token: &TrackingToken,
    link_index: Option<i32>,
    method: &Method,
    headers: &HeaderMap,
    peer: Peer,
) {
    let user_agent = headers.get(header::USER_AGENT).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let event = TrackedEvent {
        kind,
        campaign_id: token.campaign_id,
        delivery_id: token.delivery_id,
        link_index,
        at: Utc::now(),
        user_agent: user_agent.unwrap_or_default(),
        ip: client_ip(state.trust_proxy, headers, peer),
        head: *method == Method::HEAD,
    };
    if let Err(e) = state.sink.record(event).await {
        tracing::warn!(error = %e, kind = kind.as_str(), "tracking event not recorded");
    }
}

/// The client's address: the last `X-Forwarded-For` entry (the one our own proxy added) when
/// the proxy is trusted, else the socket peer; `None` when neither is known.
fn client_ip(trust_proxy: bool, headers: &HeaderMap, peer: Peer) -> Option<IpAddr> {
    if trust_proxy {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    peer.map(|Extension(ConnectInfo(addr))| addr.ip())
}

/// `url` as a `Location` value: bytes outside printable ASCII (spaces, non-ASCII text) are
/// percent-encoded, as browsers do when they follow such a link.
fn location(url: &str) -> Option<HeaderValue> {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    HeaderValue::from_str(&out).ok()
}

fn page(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP)),
            (header::CACHE_CONTROL, HeaderValue::from_static(NO_STORE)),
            (header::HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex")),
        ],
        html,
    )
        .into_response()
}

fn unknown_link() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, NO_STORE)], "This link is not valid.").into_response()
}

fn unknown_message() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, NO_STORE)], "This message is not available.").into_response()
}

/// 500 with a bland text; the cause goes to the log.
fn server_error(e: &TrackingError, what: &str) -> Response {
    tracing::error!(error = %e, "{what}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CACHE_CONTROL, NO_STORE)],
        "Something went wrong; please try again later.",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pixel_is_a_43_byte_gif() {
        assert_eq!(PIXEL_GIF.len(), 43);
        assert!(PIXEL_GIF.starts_with(b"GIF89a"));
        assert_eq!(PIXEL_GIF.last(), Some(&0x3b));
    }

    #[test]
    fn locations_percent_encode_spaces_and_non_ascii() {
        let v = location("https://example.com/a b/é?x=1").and_then(|v| v.to_str().ok().map(str::to_owned));
        assert_eq!(v.as_deref(), Some("https://example.com/a%20b/%C3%A9?x=1"));
    }

    #[test]
    fn the_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 17.1.2.3"));
        let peer = || Some(Extension(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4000)))));
        assert_eq!(client_ip(true, &headers, peer()), Some(IpAddr::from([17, 1, 2, 3])));
        assert_eq!(client_ip(false, &headers, peer()), Some(IpAddr::from([192, 0, 2, 1])));
        assert_eq!(client_ip(false, &HeaderMap::new(), None), None);
    }
}
