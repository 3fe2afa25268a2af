//! First-run set-up, sign-in, sign-out and "who am I".

use leptos::prelude::*;
use model::SessionUser;

use super::error::ApiError;

/// Creates the first admin account and signs them in. Refused once any admin exists.
#[server(endpoint = "setup")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(password)))]
pub async fn create_first_admin(username: String, password: String) -> Result<SessionUser, ApiError> {
    use super::request::{client_ip, set_session_cookie, state, user_agent};
    super::request::respond(
        async move {
            let st = state()?;
            let user = st.auth.accounts.create_first(&username, &password).await?;
            let ip = client_ip().await?;
            st.auth.log.record(&user.username, &ip, true, "first-run set-up").await?;
            let session = st.auth.sessions.create(user.id, &ip, &user_agent().await).await?;
            set_session_cookie(Some(&session.token), lifetime_secs(&session))?;
            tracing::info!(admin = %user.username, "first admin created");
            Ok(user)
        }
        .await,
    )
}

/// Checks the credentials and sets the session cookie.
#[server(endpoint = "sign_in")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(password)))]
pub async fn sign_in(username: String, password: String) -> Result<SessionUser, ApiError> {
    use super::request::{client_ip, set_session_cookie, state, user_agent};
    super::request::respond(
        async move {
            let st = state()?;
            if username.trim().is_empty() {
                return Err(ApiError::invalid("username", "Enter your username."));
            }
            if password.is_empty() {
                return Err(ApiError::invalid("password", "Enter your password."));
            }
            if password.len() > 1024 {
                return Err(ApiError::InvalidCredentials { attempts_left: 0 });
            }
            let ip = client_ip().await?;
            let (user, session) = st.auth.sign_in(&username, &password, &ip, &user_agent().await).await?;
            set_session_cookie(Some(&session.token), lifetime_secs(&session))?;
            Ok(user)
        }
        .await,
    )
}

/// Ends this browser's session.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    use super::request::{session_token, set_session_cookie, state};
    super::request::respond(
        async move {
            let st = state()?;
            if let Some(token) = session_token().await? {
                st.auth.sessions.revoke(&token).await?;
            }
            set_session_cookie(None, 0)
        }
        .await,
    )
}

/// The signed-in admin, or `None`; the header shows it in the user menu.
#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<SessionUser>, ApiError> {
    super::request::respond(async move { super::request::current_admin().await }.await)
}

#[cfg(feature = "ssr")]
fn lifetime_secs(session: &engine::auth::NewSession) -> u64 {
    u64::try_from((session.expires_at - chrono::Utc::now()).num_seconds()).unwrap_or(0)
}

/// The signed-in admin changes their own password; other browsers are signed out, this one
/// gets a fresh session.
#[server(endpoint = "change_password")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(current_password, new_password)))]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ApiError> {
    use super::request::{client_ip, require_admin, set_session_cookie, state, user_agent};
    super::request::respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            st.auth.accounts.change_own_password(me.id, &current_password, &new_password).await?;
            let session = st.auth.sessions.create(me.id, &client_ip().await?, &user_agent().await).await?;
            set_session_cookie(Some(&session.token), lifetime_secs(&session))?;
            tracing::info!(admin = %me.username, "password changed; other sessions ended");
            Ok(())
        }
        .await,
    )
}
