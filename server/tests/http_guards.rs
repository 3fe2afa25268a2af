//! The HTTP surface a browser (or an attacker) meets: server functions behind the Origin
//! check, session cookies, page redirects and the health check, on the real router and a
//! real PostgreSQL.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use engine::auth::Authenticator;
use engine::testing::TestDatabase;
use http::{Request, Response, StatusCode, header};
use server::config::Config;
use tower::ServiceExt;

const HOST: &str = "admin.test:8080";
const SITE: &str = "http://admin.test:8080";
const PASSWORD: &str = "Blue-Harbor-42";

struct Site {
    _db: TestDatabase,
    router: axum::Router,
    auth: Authenticator,
}

async fn site(env: &[(&str, &str)]) -> Site {
    let db = TestDatabase::create().await;
    let vars: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let config = Config::load(None, &|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).expect("config");
    let auth = Authenticator::new(db.db.pool.clone(), server::auth_policy(&config));
    let state = server::serve::app_state(&config, db.db.clone(), auth.clone()).expect("app state");
    Site { router: server::http::router(state, server::http::Webmail::default()), auth, _db: db }
}

async fn send(site: &Site, mut req: Request<Body>) -> Response<Body> {
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([198, 51, 100, 9], 40000))));
    site.router.clone().oneshot(req).await.expect("router answers")
}

fn post(path: &str, origin: Option<&str>, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_owned())).expect("request")
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).expect("request")
}

async fn text(res: Response<Body>) -> String {
    String::from_utf8_lossy(&to_bytes(res.into_body(), 1 << 20).await.expect("body")).into_owned()
}

/// Signs in through the API and returns the `name=value` cookie pair.
async fn sign_in(site: &Site) -> String {
    let res = send(site, post("/api/sign_in", Some(SITE), &format!("username=alice&password={PASSWORD}"), None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set = res.headers().get(header::SET_COOKIE).expect("cookie set").to_str().expect("ascii").to_owned();
    set.split(';').next().expect("pair").to_owned()
}

#[tokio::test]
async fn sign_in_sets_an_httponly_strict_cookie() {
    let s = site(&[]).await;
    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let res = send(&s, post("/api/sign_in", Some(SITE), &format!("username=alice&password={PASSWORD}"), None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers().get(header::SET_COOKIE).expect("cookie").to_str().expect("ascii").to_owned();
    assert!(cookie.starts_with("bm_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Secure"), "plain-HTTP site must not set Secure: {cookie}");
}

#[tokio::test]
async fn https_public_url_makes_the_cookie_secure() {
    let s = site(&[("BM_PUBLIC_URL", "https://mail.example.com")]).await;
    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let req =
        post("/api/sign_in", Some("https://mail.example.com"), &format!("username=alice&password={PASSWORD}"), None);
    let res = send(&s, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers().get(header::SET_COOKIE).expect("cookie").to_str().expect("ascii").to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn forged_or_missing_origin_is_refused_before_anything_runs() {
    let s = site(&[]).await;
    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let cookie = sign_in(&s).await;
    for origin in [Some("http://evil.example"), Some("null"), Some("http://admin.test:9999"), None] {
        let res =
            send(&s, post("/api/admins/create", origin, "username=mallory&password=Mallory-Pass-123", Some(&cookie)))
                .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "origin {origin:?}");
        assert_eq!(text(res).await, "\"ForeignOrigin\"");
    }
    assert_eq!(s.auth.accounts.count().await.expect("count"), 1, "nothing was created");
    // The same request from the site itself works.
    let res =
        send(&s, post("/api/admins/create", Some(SITE), "username=bob&password=Mallory-Pass-123", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(s.auth.accounts.count().await.expect("count"), 2);
}

#[tokio::test]
async fn admin_api_needs_a_session() {
    let s = site(&[]).await;
    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let res = send(&s, post("/api/overview", Some(SITE), "", None)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(text(res).await, "\"Unauthorized\"");
    let res = send(&s, post("/api/overview", Some(SITE), "", Some("bm_session=forged-token"))).await;
    assert_eq!(text(res).await, "\"Unauthorized\"");
}

#[tokio::test]
async fn wrong_password_then_lockout_over_http() {
    let s = site(&[]).await;
    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    for _ in 0..4 {
        let res = send(&s, post("/api/sign_in", Some(SITE), "username=alice&password=wrong", None)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(text(res).await.contains("InvalidCredentials"));
    }
    let res = send(&s, post("/api/sign_in", Some(SITE), "username=alice&password=wrong", None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(text(res).await.contains("\"Locked\""));
    let res = send(&s, post("/api/sign_in", Some(SITE), &format!("username=alice&password={PASSWORD}"), None)).await;
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    assert!(text(res).await.contains("\"Locked\""));
}

#[tokio::test]
async fn injection_in_the_username_field_is_harmless() {
    let s = site(&[]).await;
    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let body = "username=alice%27%20OR%20%271%27%3D%271&password=x";
    let res = send(&s, post("/api/sign_in", Some(SITE), body, None)).await;
    assert!(text(res).await.contains("InvalidCredentials"));
    let cookie = sign_in(&s).await;
    let body = "username=%3Cscript%3Ealert(1)%3C%2Fscript%3E&password=Mallory-Pass-123";
    let res = send(&s, post("/api/admins/create", Some(SITE), body, Some(&cookie))).await;
    let answer = text(res).await;
    assert!(answer.contains("Invalid") && answer.contains("username"), "{answer}");
    // The raw attempt shows up escaped in the server-rendered page, never as markup.
    let _ = send(
        &s,
        post("/api/sign_in", Some(SITE), "username=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&password=x", None),
    )
    .await;
    let page = text(send(&s, get("/", Some(&cookie))).await).await;
    assert!(!page.contains("<img src=x onerror"), "unescaped markup in page");
}

#[tokio::test]
async fn pages_redirect_by_set_up_and_session_state() {
    let s = site(&[]).await;
    let res = send(&s, get("/admins", None)).await;
    assert_eq!(res.headers()[header::LOCATION], "/setup");
    let res = send(&s, get("/setup", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(text(res).await.contains("Create the first admin account"));

    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let res = send(&s, get("/setup", None)).await;
    assert_eq!(res.headers()[header::LOCATION], "/sign-in");
    let res = send(&s, get("/admins?page=2", None)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/sign-in?next=/admins%3Fpage%3D2");

    let cookie = sign_in(&s).await;
    let res = send(&s, get("/admins", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(res.headers()[header::X_FRAME_OPTIONS], "DENY");
    let res = send(&s, get("/sign-in", Some(&cookie))).await;
    assert_eq!(res.headers()[header::LOCATION], "/");

    // After sign-out the same cookie opens nothing.
    let res = send(&s, post("/api/sign_out", Some(SITE), "", Some(&cookie))).await;
    assert!(res.headers()[header::SET_COOKIE].to_str().expect("ascii").contains("Max-Age=0"));
    let res = send(&s, get("/admins", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn set_up_over_http_signs_the_first_admin_in_once() {
    let s = site(&[]).await;
    let res = send(&s, post("/api/setup", Some(SITE), &format!("username=alice&password={PASSWORD}"), None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get(header::SET_COOKIE).is_some());
    let res = send(&s, post("/api/setup", Some(SITE), &format!("username=eve&password={PASSWORD}"), None)).await;
    assert!(text(res).await.contains("Conflict"));
    assert_eq!(s.auth.accounts.count().await.expect("count"), 1);
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let s = site(&[]).await;
    let res = send(&s, get("/healthz", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["reachable"], true);
    assert!(body["database"]["applied_migrations"].as_i64().unwrap_or(0) >= 1);
}

fn post_json(path: &str, body: &str, cookie: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, SITE)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .expect("request")
}

#[tokio::test]
async fn mail_server_functions_need_a_session_and_answer_422_on_bad_input() {
    let dkim = std::env::temp_dir().join(format!("bm-http-dkim-{}", std::process::id()));
    let s = site(&[("BM_DKIM_DIR", dkim.to_str().expect("utf8"))]).await;
    s.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let domain = r#"{"input":{"name":"Example.ORG","description":"","active":true,"max_mailboxes":0,"default_quota_bytes":0,"total_quota_bytes":0,"catch_all":null}}"#;
    // Without a session: 401, and nothing is created.
    let res = send(&s, post_json("/api/mail/domains/create", domain, "bm_session=forged")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let cookie = sign_in(&s).await;
    let res = send(&s, post_json("/api/mail/domains/create", domain, &cookie)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", text(res).await);
    let res = send(&s, post_json("/api/mail/domains/create", domain, &cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("already a mail domain"));
    let mailbox = r#"{"input":{"address":"anna@example.org","display_name":"Anna, \"A\"","quota_bytes":null,"active":true,"password":"Quiet-River-2024"}}"#;
    let res = send(&s, post_json("/api/mail/mailboxes/create", mailbox, &cookie)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", text(res).await);

    // The CSV export needs the session too, and never carries password hashes.
    let res = send(&s, get("/api/mail/mailboxes.csv", None)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = send(&s, get("/api/mail/mailboxes.csv?domain=example.org&search=", Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::CONTENT_TYPE).expect("type"), "text/csv; charset=utf-8");
    let csv = text(res).await;
    assert!(csv.starts_with("address,display_name,"), "{csv}");
    assert!(csv.contains("anna@example.org,\"Anna, \"\"A\"\"\""), "{csv}");
    assert!(!csv.contains("ARGON2ID"));
    let _ = std::fs::remove_dir_all(dkim);
}

/// A stand-in for RoundCube: echoes what reached it, and tries to set the admin cookie.
async fn fake_roundcube() -> String {
    use axum::response::IntoResponse;
    async fn echo(req: axum::extract::Request) -> axum::response::Response {
        let h = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
        let body = format!(
            "path={} cookie={} xff={} prefix={} proto={}",
            req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/"),
            h("cookie"),
            h("x-forwarded-for"),
            h("x-forwarded-prefix"),
            h("x-forwarded-proto")
        );
        ([(header::SET_COOKIE, "bm_session=planted; Path=/"), (header::LOCATION, "/?_task=mail")], body).into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, axum::Router::new().fallback(echo)).await;
    });
    format!("http://{addr}")
}

async fn webmail_site(webmail: server::http::Webmail) -> Site {
    let db = TestDatabase::create().await;
    let config = Config::load(None, &|_| None).expect("config");
    let auth = Authenticator::new(db.db.pool.clone(), server::auth_policy(&config));
    let state = server::serve::app_state(&config, db.db.clone(), auth.clone()).expect("app state");
    Site { router: server::http::router(state, webmail), auth, _db: db }
}

#[tokio::test]
async fn roundcube_under_the_prefix_never_sees_or_sets_the_admin_cookie() {
    let upstream = fake_roundcube().await;
    let s = webmail_site(server::http::Webmail { upstream: Some(upstream), host: None }).await;
    let req = Request::get("/roundcube/?_task=login")
        .header(header::HOST, HOST)
        .header(header::COOKIE, "bm_session=secret; roundcube_sessid=abc")
        .header("x-forwarded-for", "6.6.6.6")
        .body(Body::empty())
        .expect("request");
    let res = send(&s, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::LOCATION).expect("location"), "/roundcube/?_task=mail");
    assert_eq!(res.headers().get(header::X_FRAME_OPTIONS).expect("xfo"), "SAMEORIGIN");
    assert!(
        res.headers().get_all(header::SET_COOKIE).iter().all(|c| !c.to_str().unwrap_or("").starts_with("bm_session"))
    );
    let body = text(res).await;
    assert_eq!(body, "path=/?_task=login cookie=roundcube_sessid=abc xff=198.51.100.9 prefix=/roundcube proto=http");
}

#[tokio::test]
async fn a_webmail_host_gets_roundcube_at_its_root_and_the_admin_prefix_redirects_there() {
    let upstream = fake_roundcube().await;
    let s = webmail_site(server::http::Webmail { upstream: Some(upstream), host: Some("webmail.test".into()) }).await;
    let req =
        Request::get("/?_task=login").header(header::HOST, "WEBMAIL.test:8080").body(Body::empty()).expect("request");
    let res = send(&s, req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::LOCATION).expect("location"), "/?_task=mail", "no prefix rewrite at a root");
    assert_eq!(text(res).await, "path=/?_task=login cookie=- xff=198.51.100.9 prefix=- proto=http");
    let res = send(&s, get("/roundcube/", None)).await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers().get(header::LOCATION).expect("location"), "http://webmail.test/");
}
