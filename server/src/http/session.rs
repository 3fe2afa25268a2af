//! The admin session of a plain (non-server-function) route: file uploads and downloads
//! check it themselves, since they do not go through the page guard's render.

use http::HeaderMap;
use model::SessionUser;

use app::api::request::{SESSION_COOKIE, cookie};

use super::GuardState;

/// The admin behind the session cookie, if the session is live. A database failure counts
/// as signed out (the route answers 401) but is logged, so an outage is not mistaken for
/// expired sessions.
pub async fn signed_in(state: &GuardState, headers: &HeaderMap) -> Option<SessionUser> {
    let token = cookie(headers, SESSION_COOKIE)?;
    match state.app.auth.sessions.validate(&token).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(error = %e, "cannot validate a session");
            None
        }
    }
}
