//! The Overview page's data.

use leptos::prelude::*;
use model::{Overview, Page, SignInEvent, SortDirection};

use super::error::ApiError;

/// Health and activity figures for the Overview page.
#[server(endpoint = "overview")]
pub async fn load_overview() -> Result<Overview, ApiError> {
    use super::request::{require_admin, state};
    super::request::respond(
        async move {
            require_admin().await?;
            let st = state()?;
            Ok(engine::overview::overview(&st.db, &st.auth, st.started_at).await?)
        }
        .await,
    )
}

/// One page of the sign-in log.
#[server(endpoint = "sign_in_log")]
pub async fn sign_in_log(
    page: u32,
    per_page: u32,
    sort: String,
    direction: SortDirection,
) -> Result<Page<SignInEvent>, ApiError> {
    use super::request::{require_admin, state};
    super::request::respond(
        async move {
            require_admin().await?;
            let req = model::PageRequest { page, per_page, sort, direction };
            Ok(state()?.auth.log.page(&req).await?)
        }
        .await,
    )
}
