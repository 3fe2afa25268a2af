//! Lists: who may receive what. The table, and creating, editing and deleting a list.

use leptos::prelude::*;
use model::contacts::{ContactList, ListInput};
use server_fn::codec::Json;

use crate::api::ApiError;

/// Every list with its member counts by status (the Lists page and every list picker).
#[server(endpoint = "contacts/lists/list", input = Json)]
pub async fn list_lists() -> Result<Vec<ContactList>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.lists.list().await?)
        }
        .await,
    )
}

/// Creates a list.
#[server(endpoint = "contacts/lists/create", input = Json)]
pub async fn create_list(input: ListInput) -> Result<ContactList, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let list = state()?.contacts.lists.create(&input).await?;
            tracing::info!(by = %me.username, list = list.id, name = %list.name, "list created");
            Ok(list)
        }
        .await,
    )
}

/// Renames a list or changes its opt-in and visibility.
#[server(endpoint = "contacts/lists/update", input = Json)]
pub async fn update_list(id: i64, input: ListInput) -> Result<ContactList, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let list = state()?.contacts.lists.update(id, &input).await?;
            tracing::info!(by = %me.username, list = list.id, name = %list.name, "list updated");
            Ok(list)
        }
        .await,
    )
}

/// Deletes a list with its memberships (the contacts stay).
#[server(endpoint = "contacts/lists/delete", input = Json)]
pub async fn delete_list(id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.contacts.lists.delete(id).await?;
            tracing::info!(by = %me.username, list = id, "list deleted");
            Ok(())
        }
        .await,
    )
}
