//! `/roundcube/…` → the RoundCube container (`BM_ROUNDCUBE_URL`), prefix stripped.
//!
//! Webmail runs on the admin's host name, so the browser sends it the admin session cookie;
//! that cookie is removed before the request leaves, and RoundCube can never set it. The
//! admin's frame and script rules are relaxed for these responses only, because RoundCube
//! shows messages in same-origin frames.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, Uri, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use app::api::request::SESSION_COOKIE;

/// The mount point in the admin's URL space.
pub const PREFIX: &str = "/roundcube";

/// Upstream address and a pooled HTTP/1 client.
#[derive(Clone)]
pub struct RoundcubeProxy {
    upstream: String,
    /// Whether browsers reach us over HTTPS (told to RoundCube as `X-Forwarded-Proto`).
    https: bool,
    /// The path prefix stripped before forwarding (`/roundcube`), or none on a webmail host.
    prefix: Option<&'static str>,
    client: Client<HttpConnector, Body>,
}

impl RoundcubeProxy {
    /// `upstream` is `http://host:port` (no trailing slash).
    pub fn new(upstream: String, https: bool, prefix: Option<&'static str>) -> Self {
        Self { upstream, https, prefix, client: Client::builder(TokioExecutor::new()).build(HttpConnector::new()) }
    }
}

/// The `Cookie` header without the admin session cookie (`None` when nothing is left).
pub fn strip_session_cookie(value: &str) -> Option<String> {
    let kept: Vec<&str> = value
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.split('=').next().map(str::trim) != Some(SESSION_COOKIE))
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

/// Whether the request's `Host` (port ignored, case-insensitive) is `host`.
pub fn is_host(headers: &http::HeaderMap, host: &str) -> bool {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| {
            h.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(h, |(name, _)| name)
        })
        .is_some_and(|name| name.eq_ignore_ascii_case(host.split(':').next().unwrap_or(host)))
}

/// A root-relative redirect from RoundCube, moved under the prefix.
pub fn rewrite_location(location: &str) -> String {
    if location.starts_with('/') && !location.starts_with("//") && !location.starts_with(&format!("{PREFIX}/")) {
        format!("{PREFIX}{location}")
    } else {
        location.to_owned()
    }
}

/// Forwards one request and relays the answer.
pub async fn proxy(State(proxy): State<RoundcubeProxy>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path();
    let rest = proxy.prefix.and_then(|p| path.strip_prefix(p)).unwrap_or(path);
    let rest = if rest.is_empty() { "/" } else { rest };
    let query = parts.uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let uri: Uri = match format!("{}{rest}{query}", proxy.upstream).parse() {
        Ok(u) => u,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad webmail path").into_response(),
    };
    let host = parts.headers.get(header::HOST).cloned();
    let cookie = parts.headers.get(header::COOKIE).and_then(|v| v.to_str().ok()).and_then(strip_session_cookie);
    parts.headers.remove(header::COOKIE);
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        parts.headers.insert(header::COOKIE, c);
    }
    parts.headers.remove(header::AUTHORIZATION);
    // RoundCube (billionmail.inc.php) trusts forwarding headers from this proxy, so whatever
    // the client sent under those names is replaced by what this server knows.
    for name in
        ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix", "x-real-ip"]
    {
        parts.headers.remove(name);
    }
    if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>()
        && let Ok(v) = HeaderValue::from_str(&peer.ip().to_string())
    {
        parts.headers.insert("x-forwarded-for", v);
    }
    if let Some(h) = host {
        parts.headers.insert("x-forwarded-host", h);
    }
    if let Some(prefix) = proxy.prefix.and_then(|p| HeaderValue::from_str(p).ok()) {
        parts.headers.insert("x-forwarded-prefix", prefix);
    }
    parts.headers.insert("x-forwarded-proto", HeaderValue::from_static(if proxy.https { "https" } else { "http" }));
    parts.uri = uri;
    let upstream_req = Request::from_parts(parts, body);
    match proxy.client.request(upstream_req).await {
        Ok(res) => {
            let (mut parts, body) = res.into_parts();
            if let Some(loc) = parts.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
                && proxy.prefix.is_some()
                && let Ok(v) = HeaderValue::from_str(&rewrite_location(loc))
            {
                parts.headers.insert(header::LOCATION, v);
            }
            let cookies: Vec<HeaderValue> = parts
                .headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter(|v| v.to_str().map_or(true, |s| s.split('=').next().map(str::trim) != Some(SESSION_COOKIE)))
                .cloned()
                .collect();
            parts.headers.remove(header::SET_COOKIE);
            for c in cookies {
                parts.headers.append(header::SET_COOKIE, c);
            }
            parts.headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
            parts.headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("frame-ancestors 'self'; object-src 'none'"),
            );
            Response::from_parts(parts, Body::new(body))
        }
        Err(e) => {
            tracing::warn!(error = %e, upstream = %proxy.upstream, "webmail unreachable");
            (StatusCode::BAD_GATEWAY, "Webmail (RoundCube) is not reachable right now.").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_session_never_reaches_roundcube() {
        let header = format!("roundcube_sessid=abc; {SESSION_COOKIE}=secret; theme=dark");
        assert_eq!(strip_session_cookie(&header).as_deref(), Some("roundcube_sessid=abc; theme=dark"));
        assert_eq!(strip_session_cookie(&format!("{SESSION_COOKIE}=secret")), None);
    }

    #[test]
    fn redirects_stay_under_the_prefix() {
        assert_eq!(rewrite_location("/?_task=mail"), "/roundcube/?_task=mail");
        assert_eq!(rewrite_location("/roundcube/?_task=mail"), "/roundcube/?_task=mail");
        assert_eq!(rewrite_location("./?_task=mail"), "./?_task=mail");
        assert_eq!(rewrite_location("//evil.example/"), "//evil.example/");
    }
}
