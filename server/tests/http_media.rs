//! The template image library over HTTP, on the real router and a real PostgreSQL: uploads
//! need a session and the site's Origin, are limited to 10 MB and to real images, and the
//! stored files are served publicly, byte for byte, with headers that keep them passive
//! images; no name outside the library's own reaches a file.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, to_bytes};
use axum::extract::ConnectInfo;
use engine::auth::Authenticator;
use engine::templates::MAX_MEDIA_BYTES;
use engine::testing::TestDatabase;
use http::{Request, Response, StatusCode, header};
use server::config::Config;
use tower::ServiceExt;

const HOST: &str = "admin.test:8080";
const SITE: &str = "http://admin.test:8080";
const PASSWORD: &str = "Blue-Harbor-42";

/// A valid 3×2 RGBA PNG (signature, IHDR, one IDAT, IEND, correct CRCs).
const PNG_3X2: [u8; 74] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x9D, 0x74, 0x66, 0x1A, 0x00, 0x00, 0x00, 0x11, 0x49,
    0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x86, 0x19, 0x90, 0x39, 0x00, 0x9B, 0x7E, 0x0B,
    0xF5, 0x0F, 0x5F, 0x26, 0x22, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// Tests of this binary run in parallel; each gets its own data directory.
static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

struct Site {
    _db: TestDatabase,
    router: axum::Router,
    auth: Authenticator,
    data_dir: PathBuf,
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl Site {
    fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// Files in the media directory (none when it does not exist yet).
    fn stored_files(&self) -> usize {
        std::fs::read_dir(self.media_dir()).map(|d| d.count()).unwrap_or(0)
    }
}

async fn site() -> Site {
    let db = TestDatabase::create().await;
    let n = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
    let data_dir = std::env::temp_dir().join(format!("bm-http-media-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let data = data_dir.to_str().expect("utf8 temp dir").to_owned();
    let config = Config::load(None, &|k| (k == "BM_DATA_DIR").then(|| data.clone())).expect("config");
    let auth = Authenticator::new(db.db.pool.clone(), server::auth_policy(&config));
    let state = server::serve::app_state(&config, db.db.clone(), auth.clone()).expect("app state");
    Site { router: server::http::router(state, server::http::Webmail::default()), auth, _db: db, data_dir }
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

/// An upload as the image picker sends it: the raw file as the body.
fn upload(name: &str, bytes: Vec<u8>, origin: Option<&str>, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(format!("/api/media?name={name}"))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/octet-stream");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(bytes)).expect("request")
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).expect("request")
}

async fn bytes(res: Response<Body>) -> Vec<u8> {
    to_bytes(res.into_body(), 16 << 20).await.expect("body").to_vec()
}

async fn json(res: Response<Body>) -> serde_json::Value {
    let body = bytes(res).await;
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)))
}

/// Signs in through the API and returns the `name=value` cookie pair.
async fn sign_in(site: &Site) -> String {
    site.auth.accounts.create_first("alice", PASSWORD).await.expect("admin");
    let res = send(site, post("/api/sign_in", Some(SITE), &format!("username=alice&password={PASSWORD}"), None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set = res.headers().get(header::SET_COOKIE).expect("cookie set").to_str().expect("ascii").to_owned();
    set.split(';').next().expect("pair").to_owned()
}

/// The `{"error": ...}` message of a refused upload.
async fn error_message(res: Response<Body>) -> String {
    let body = json(res).await;
    body["error"].as_str().unwrap_or_else(|| panic!("no error message in {body}")).to_owned()
}

#[tokio::test]
async fn uploads_need_a_session_and_the_sites_origin() {
    let s = site().await;
    let res = send(&s, upload("logo.png", PNG_3X2.to_vec(), Some(SITE), None)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(error_message(res).await.contains("Sign in"));
    let res = send(&s, upload("logo.png", PNG_3X2.to_vec(), Some(SITE), Some("bm_session=forged-token"))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let cookie = sign_in(&s).await;
    for origin in [Some("http://evil.example"), None] {
        let res = send(&s, upload("logo.png", PNG_3X2.to_vec(), origin, Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    assert_eq!(s.stored_files(), 0, "nothing was stored");
}

#[tokio::test]
async fn an_uploaded_png_is_served_publicly_byte_for_byte() {
    let s = site().await;
    let cookie = sign_in(&s).await;
    let res = send(&s, upload("logo%20final.png", PNG_3X2.to_vec(), Some(SITE), Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let file = json(res).await;
    assert_eq!(file["file_name"], "logo final.png");
    assert_eq!(file["content_type"], "image/png");
    assert_eq!(file["size_bytes"], PNG_3X2.len());
    assert_eq!((file["width"].as_i64(), file["height"].as_i64()), (Some(3), Some(2)));
    let url = file["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with("/media/") && url.ends_with(".png"), "{url}");

    // No session: mail clients load it as anyone.
    let res = send(&s, get(&url, None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h[header::CONTENT_TYPE], "image/png");
    assert_eq!(h[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CONTENT_SECURITY_POLICY], "default-src 'none'; sandbox");
    assert_eq!(bytes(res).await, PNG_3X2);

    // The same bytes again are the same library entry.
    let res = send(&s, upload("copy.png", PNG_3X2.to_vec(), Some(SITE), Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json(res).await["url"], url.as_str());
    assert_eq!(s.stored_files(), 1);
}

#[tokio::test]
async fn names_outside_the_library_are_not_found() {
    let s = site().await;
    let cookie = sign_in(&s).await;
    // Something to reach for, next to the media directory.
    std::fs::create_dir_all(s.media_dir()).expect("media dir");
    std::fs::write(s.data_dir.join("secret.png"), PNG_3X2).expect("secret file");
    let a32 = "a".repeat(32);
    let paths = [
        "/media/..%2Fsecret.png".to_owned(),
        "/media/%2E%2E%2Fsecret.png".to_owned(),
        "/media/..%5Csecret.png".to_owned(),
        "/media/secret.png".to_owned(),
        "/media/%FF%FE.png".to_owned(),
        "/media/nothing".to_owned(),
        format!("/media/{}.png", "A".repeat(32)),
        format!("/media/{a32}.svg"),
        format!("/media/{a32}.png.png"),
        // Well-formed, but no such file.
        format!("/media/{a32}.png"),
    ];
    for path in &paths {
        for cookie in [None, Some(cookie.as_str())] {
            let res = send(&s, get(path, cookie)).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path} (signed in: {})", cookie.is_some());
            assert!(bytes(res).await != PNG_3X2, "{path} served the secret");
        }
    }
}

#[tokio::test]
async fn oversized_uploads_are_refused_with_413() {
    let s = site().await;
    let cookie = sign_in(&s).await;
    let mut huge = PNG_3X2.to_vec();
    huge.resize(MAX_MEDIA_BYTES + 1, 0);
    // Counted as it arrives (no Content-Length)…
    let res = send(&s, upload("huge.png", huge.clone(), Some(SITE), Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_message(res).await.contains("10 MB"));
    // …and refused up front when announced.
    let mut req = upload("huge.png", huge, Some(SITE), Some(&cookie));
    req.headers_mut().insert(header::CONTENT_LENGTH, (MAX_MEDIA_BYTES + 1).into());
    let res = send(&s, req).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Exactly the limit is not refused for its size.
    let mut at_limit = PNG_3X2.to_vec();
    at_limit.resize(MAX_MEDIA_BYTES, 0);
    let res = send(&s, upload("big.png", at_limit, Some(SITE), Some(&cookie))).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(s.stored_files(), 1);
}

#[tokio::test]
async fn files_that_are_not_images_are_refused_with_400() {
    let s = site().await;
    let cookie = sign_in(&s).await;
    for (name, body) in [
        ("notes.png", b"just some text, named like a picture".to_vec()),
        ("page.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()),
        ("empty.png", Vec::new()),
    ] {
        let res = send(&s, upload(name, body, Some(SITE), Some(&cookie))).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name}");
        let message = error_message(res).await;
        assert!(message.contains("is not a PNG, JPEG, GIF or WebP image"), "{name}: {message}");
    }
    assert_eq!(s.stored_files(), 0);
}
