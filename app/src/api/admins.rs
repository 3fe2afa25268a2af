//! The Admins page: list, add, delete admin accounts.

use leptos::prelude::*;
use model::{AdminAccount, Page, SessionUser, SortDirection};

use super::error::ApiError;

/// One page of admin accounts.
#[server(endpoint = "admins/list")]
pub async fn list_admins(
    page: u32,
    per_page: u32,
    sort: String,
    direction: SortDirection,
) -> Result<Page<AdminAccount>, ApiError> {
    use super::request::{require_admin, state};
    super::request::respond(
        async move {
            let me = require_admin().await?;
            let req = model::PageRequest { page, per_page, sort, direction };
            let mut admins = state()?.auth.accounts.list(&req).await?;
            for a in &mut admins.rows {
                a.is_you = a.id == me.id;
            }
            Ok(admins)
        }
        .await,
    )
}

/// Adds an admin account.
#[server(endpoint = "admins/create")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(password)))]
pub async fn create_admin(username: String, password: String) -> Result<SessionUser, ApiError> {
    use super::request::{require_admin, state};
    super::request::respond(
        async move {
            let me = require_admin().await?;
            let created = state()?.auth.accounts.create(&username, &password).await?;
            tracing::info!(by = %me.username, admin = %created.username, "admin created");
            Ok(created)
        }
        .await,
    )
}

/// Deletes an admin account (never the last one, never oneself).
#[server(endpoint = "admins/delete")]
pub async fn delete_admin(id: i64) -> Result<(), ApiError> {
    use super::request::{require_admin, state};
    super::request::respond(
        async move {
            let me = require_admin().await?;
            state()?.auth.accounts.delete(id, me.id).await?;
            tracing::info!(by = %me.username, admin_id = id, "admin deleted");
            Ok(())
        }
        .await,
    )
}
