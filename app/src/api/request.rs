//! Reading the current HTTP request inside a server function: session, client IP, cookies.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use http::{HeaderMap, HeaderValue};
use leptos::prelude::*;
use model::SessionUser;

use super::error::ApiError;
use super::state::AppState;

/// Name of the admin session cookie.
pub const SESSION_COOKIE: &str = "bm_session";

/// The shared state, or an internal error if the router forgot to provide it.
pub fn state() -> Result<AppState, ApiError> {
    use_context::<AppState>().ok_or_else(|| ApiError::Internal("application state is missing".into()))
}

/// Headers of the request being served.
pub async fn headers() -> Result<HeaderMap, ApiError> {
    leptos_axum::extract::<HeaderMap>().await.map_err(|e| ApiError::Internal(e.to_string()))
}

/// The admin the page guard found for this request. Only the server puts it in the
/// request's extensions (a client cannot), after validating the session cookie.
#[derive(Clone, Debug)]
pub struct ValidatedSession(pub SessionUser);

/// The value of cookie `name` in `headers`, if present.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The signed-in admin, or `Unauthorized`. Every admin server function starts with this.
pub async fn require_admin() -> Result<SessionUser, ApiError> {
    current_admin().await?.ok_or(ApiError::Unauthorized)
}

/// The signed-in admin, if the request carries a live session.
pub async fn current_admin() -> Result<Option<SessionUser>, ApiError> {
    // During a page render the page guard has already validated (and touched) the session.
    if let Some(parts) = use_context::<http::request::Parts>()
        && let Some(ValidatedSession(user)) = parts.extensions.get::<ValidatedSession>()
    {
        return Ok(Some(user.clone()));
    }
    let st = state()?;
    let headers = headers().await?;
    match cookie(&headers, SESSION_COOKIE) {
        Some(token) => Ok(st.auth.sessions.validate(&token).await?),
        None => Ok(None),
    }
}

/// The session token the request carries, if any.
pub async fn session_token() -> Result<Option<String>, ApiError> {
    Ok(cookie(&headers().await?, SESSION_COOKIE))
}

/// The address a trusted reverse proxy saw: the last `X-Forwarded-For` entry. Earlier
/// entries come from the client and could be forged to dodge the per-IP lockout.
pub fn forwarded_client(header: &str) -> Option<&str> {
    header.rsplit(',').next().map(str::trim).filter(|v| !v.is_empty())
}

/// The client's IP: the socket peer, or what the trusted proxy saw (`BM_TRUST_PROXY`).
pub async fn client_ip() -> Result<String, ApiError> {
    let st = state()?;
    let headers = headers().await?;
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(forwarded_client);
    if st.site.trust_proxy
        && let Some(ip) = forwarded
    {
        return Ok(ip.to_owned());
    }
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|ConnectInfo(a)| a.ip().to_string());
    Ok(peer.unwrap_or_else(|| "unknown".into()))
}

/// The browser's User-Agent, for the session list.
pub async fn user_agent() -> String {
    headers()
        .await
        .ok()
        .and_then(|h| h.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_default()
}

/// Passes a server function's result through, giving an error its HTTP status.
pub fn respond<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(e) = &result
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(e.status());
    }
    result
}

/// Sets (or, with `None`, clears) the session cookie on the response.
pub fn set_session_cookie(token: Option<&str>, max_age_secs: u64) -> Result<(), ApiError> {
    let st = state()?;
    let secure = if st.site.secure_cookies { "; Secure" } else { "" };
    let value = match token {
        Some(t) => format!("{SESSION_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    let header = HeaderValue::from_str(&value).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(SET_COOKIE, header);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_several() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("theme=dark; bm_session=abc123; other=1"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc123"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn forged_leading_hops_do_not_change_the_client_address() {
        assert_eq!(forwarded_client("6.6.6.6, 203.0.113.9"), Some("203.0.113.9"));
        assert_eq!(forwarded_client("203.0.113.9"), Some("203.0.113.9"));
        assert_eq!(forwarded_client(" , "), None);
    }

    #[test]
    fn cookie_name_must_match_exactly() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("xbm_session=evil"));
        assert_eq!(cookie(&h, SESSION_COOKIE), None);
    }
}
