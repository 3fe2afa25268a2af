//! The public tracking endpoints on the real router and a real PostgreSQL, as a recipient's
//! mail client meets them: no session, no Origin header. The pixel and redirects answer only
//! for tokens this install signed, a click goes only to the campaign's stored URL (never a
//! redirect on failure), the unsubscribe page changes nothing until its form is posted, and
//! the RFC 8058 one-click POST unsubscribes at once. Events reach the database through the
//! event writer.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use engine::campaign_fixture as fx;
use engine::campaigns::secrets;
use engine::campaigns::starter::start;
use engine::campaigns::tracking::{TokenKey, TokenKind, TrackingToken};
use engine::testing::TestDatabase;
use engine::tracking::SinkStats;
use http::{Request, Response, StatusCode, header};
use model::deliverability::DkimAlgorithm;
use server::config::Config;
use sqlx::PgPool;
use tower::ServiceExt;

const DOMAIN: &str = "news.bm-test.example";
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

struct Site {
    db: TestDatabase,
    router: axum::Router,
    key: TokenKey,
    stats: std::sync::Arc<SinkStats>,
    stop_events: tokio::sync::watch::Sender<bool>,
    event_writer: tokio::task::JoinHandle<()>,
    campaign_id: i64,
    list_id: i64,
    /// (delivery id, contact id), by delivery id.
    recipients: Vec<(i64, i64)>,
}

impl Site {
    fn pool(&self) -> &PgPool {
        &self.db.db.pool
    }

    fn token(&self, kind: TokenKind, recipient: usize, link: u32) -> String {
        let (delivery_id, _) = self.recipients[recipient];
        self.key.sign(&TrackingToken { kind, campaign_id: self.campaign_id, delivery_id, link })
    }

    /// Stops the event writer (which writes what is queued) and waits for it.
    async fn flush_events(self) -> TestDatabase {
        self.stop_events.send(true).expect("writer listening");
        tokio::time::timeout(Duration::from_secs(60), self.event_writer).await.expect("writer drained").expect("task");
        self.db
    }
}

/// A campaign of three recipients, started and submitted an hour ago, behind the router the
/// server runs (with the tracking endpoints and a running event writer).
async fn site() -> Site {
    let db = TestDatabase::create().await;
    let pool = db.db.pool.clone();
    fx::sender_domain(&pool, DOMAIN, DkimAlgorithm::Ed25519).await.expect("sender domain");
    let list_id = fx::audience(&pool, "Newsletter", 3, "example.com").await.expect("audience");
    let campaign_id = fx::campaign(&pool, list_id, "hello@news.bm-test.example", 5_000).await.expect("campaign");
    let key = secrets::tracking_key(&pool).await.expect("key");
    start(&pool, &key, &fx::sender_settings(), campaign_id, &["draft"]).await.expect("start");
    sqlx::query(
        "UPDATE delivery SET state = 'submitted', submitted_at = now() - interval '1 hour' WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .execute(&pool)
    .await
    .expect("submitted");
    let recipients: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, contact_id FROM delivery WHERE campaign_id = $1 ORDER BY id")
            .bind(campaign_id)
            .fetch_all(&pool)
            .await
            .expect("recipients");

    let config = Config::load(None, &|_| None).expect("config");
    let auth = engine::auth::Authenticator::new(pool.clone(), server::auth_policy(&config));
    let state = server::serve::app_state(&config, db.db.clone(), auth).expect("app state");
    let (tracking, events) = server::serve::tracking_state(&config, &pool).await.expect("tracking state");
    let stats = tracking.sink.stats();
    let (stop_events, event_writer) = server::workers::spawn_event_writer(pool.clone(), events);
    let router = server::http::router_with_tracking(state, server::http::Webmail::default(), tracking);
    Site { db, router, key, stats, stop_events, event_writer, campaign_id, list_id, recipients }
}

async fn send(site: &Site, mut req: Request<Body>) -> Response<Body> {
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([198, 51, 100, 9], 40000))));
    site.router.clone().oneshot(req).await.expect("router answers")
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).header(header::USER_AGENT, BROWSER).body(Body::empty()).expect("request")
}

/// A form POST as a mail provider or browser sends it: no Origin, no cookie.
fn post_form(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, BROWSER)
        .body(Body::from(body.to_owned()))
        .expect("request")
}

async fn body_bytes(res: Response<Body>) -> Vec<u8> {
    to_bytes(res.into_body(), 1 << 20).await.expect("body").to_vec()
}

async fn text(res: Response<Body>) -> String {
    String::from_utf8_lossy(&body_bytes(res).await).into_owned()
}

/// `token` with one character changed (to another base64url character).
fn tampered(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

fn received(site: &Site) -> u64 {
    site.stats.received.load(std::sync::atomic::Ordering::Relaxed)
}

#[tokio::test]
async fn the_pixel_is_a_gif_for_signed_tokens_only() {
    let s = site().await;
    let token = s.token(TokenKind::Open, 0, 0);
    let res = send(&s, get(&format!("/t/o/{token}"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/gif");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store, private");
    let gif = body_bytes(res).await;
    assert_eq!(gif.len(), 43);
    assert!(gif.starts_with(b"GIF89a"));
    assert_eq!(received(&s), 1);

    for bad in [
        format!("/t/o/{}", tampered(&token)),
        // A valid token of another kind is no pixel token.
        format!("/t/o/{}", s.token(TokenKind::Click, 0, 0)),
        "/t/o/not-a-token".to_owned(),
    ] {
        let res = send(&s, get(&bad)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        assert!(body_bytes(res).await.is_empty(), "{bad}");
    }
    assert_eq!(received(&s), 1);

    let (delivery_id, _) = s.recipients[0];
    let db = s.flush_events().await;
    let (kind, first_human): (String, bool) =
        sqlx::query_as("SELECT kind, first_human FROM campaign_event WHERE delivery_id = $1")
            .bind(delivery_id)
            .fetch_one(&db.db.pool)
            .await
            .expect("the open was written");
    assert_eq!((kind.as_str(), first_human), ("open", true));
}

#[tokio::test]
async fn clicks_redirect_only_to_stored_links() {
    let s = site().await;
    let url: String = sqlx::query_scalar("SELECT url FROM campaign_link WHERE campaign_id = $1 AND idx = 1")
        .bind(s.campaign_id)
        .fetch_one(s.pool())
        .await
        .expect("link 1");
    let token = s.token(TokenKind::Click, 1, 1);
    let res = send(&s, get(&format!("/t/c/{token}?to=https://evil.example/"))).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], url.as_str());

    // Link checkers use HEAD: same answer, recorded as a machine click.
    let head = Request::head(format!("/t/c/{token}")).body(Body::empty()).expect("request");
    let res = send(&s, head).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], url.as_str());

    for bad in [
        format!("/t/c/{}", tampered(&token)),
        format!("/t/c/{}", s.token(TokenKind::Click, 1, 999)),
        format!("/t/c/{}", s.token(TokenKind::Open, 1, 1)),
        "/t/c/AAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
    ] {
        let res = send(&s, get(&bad)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        assert!(res.headers().get(header::LOCATION).is_none(), "{bad}");
        assert!(!text(res).await.is_empty(), "{bad}");
    }
    assert_eq!(received(&s), 2);

    let campaign_id = s.campaign_id;
    let db = s.flush_events().await;
    let links: Vec<(i32, i64, i64)> = sqlx::query_as(
        "SELECT link_index, clicks_human, clicks_machine FROM campaign_link_stats WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_all(&db.db.pool)
    .await
    .expect("link stats");
    assert_eq!(links, [(1, 1, 1)]);
}

#[tokio::test]
async fn the_web_view_is_sandboxed_html() {
    let s = site().await;
    let res = send(&s, get(&format!("/t/v/{}", s.token(TokenKind::WebView, 2, 0)))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii").to_owned();
    assert!(csp.starts_with("sandbox allow-popups allow-popups-to-escape-sandbox;"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(res.headers()[header::X_FRAME_OPTIONS], "DENY");
    let html = text(res).await;
    assert!(html.contains("Your pro plan has 3 seats"));
    let res = send(&s, get(&format!("/t/v/{}", s.token(TokenKind::Unsubscribe, 2, 0)))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_unsubscribe_page_changes_nothing_until_posted() {
    let s = site().await;
    let token = s.token(TokenKind::Unsubscribe, 0, 0);
    let (_, contact_id) = s.recipients[0];
    let res = send(&s, get(&format!("/u/{token}"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().expect("ascii").starts_with("text/html"));
    let html = text(res).await;
    assert!(html.contains("data-testid=\"unsubscribe-form\""));
    assert!(html.contains(&format!("data-testid=\"unsubscribe-list-{}\" checked", s.list_id)), "{html}");
    assert!(html.contains("data-testid=\"unsubscribe-everything\""));
    assert!(html.contains("data-testid=\"unsubscribe-submit\""));
    assert!(html.contains("user1@example.com"));
    assert_eq!(membership(&s, contact_id).await, "subscribed");
    assert_eq!(suppressions(s.pool()).await, 0);

    // A pixel token is no unsubscribe token; a tampered one is unknown.
    for bad in [s.token(TokenKind::Open, 0, 0), tampered(&token)] {
        let res = send(&s, post_form(&format!("/u/{bad}"), "List-Unsubscribe=One-Click")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(membership(&s, contact_id).await, "subscribed");
}

#[tokio::test]
async fn one_click_unsubscribes_without_origin_or_session() {
    let s = site().await;
    let token = s.token(TokenKind::Unsubscribe, 0, 0);
    let (_, contact_id) = s.recipients[0];
    let res = send(&s, post_form(&format!("/u/{token}"), "List-Unsubscribe=One-Click")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(text(res).await, "unsubscribed");
    assert_eq!(membership(&s, contact_id).await, "unsubscribed");
    assert_eq!(suppressions(s.pool()).await, 1);
    // Repeating it is harmless.
    let res = send(&s, post_form(&format!("/u/{token}"), "List-Unsubscribe=One-Click")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(suppressions(s.pool()).await, 1);
}

#[tokio::test]
async fn the_page_form_unsubscribes_from_the_chosen_lists() {
    let s = site().await;
    let token = s.token(TokenKind::Unsubscribe, 1, 0);
    let (_, contact_id) = s.recipients[1];
    let res = send(&s, post_form(&format!("/u/{token}"), "")).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(text(res).await.contains("data-testid=\"unsubscribe-form\""));
    assert_eq!(membership(&s, contact_id).await, "subscribed");

    let res = send(&s, post_form(&format!("/u/{token}"), &format!("list={}", s.list_id))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = text(res).await;
    assert!(html.contains("data-testid=\"unsubscribe-done\""), "{html}");
    assert!(html.contains("<li>Newsletter</li>"), "{html}");
    assert_eq!(membership(&s, contact_id).await, "unsubscribed");
}

async fn membership(s: &Site, contact_id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM list_membership WHERE list_id = $1 AND contact_id = $2")
        .bind(s.list_id)
        .bind(contact_id)
        .fetch_one(s.pool())
        .await
        .expect("membership")
}

async fn suppressions(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM suppression WHERE reason = 'unsubscribe'")
        .fetch_one(pool)
        .await
        .expect("count")
}
