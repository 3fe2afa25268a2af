//! Contacts: the table, one contact's page, list memberships, bulk actions, tags, custom
//! attribute definitions and GDPR erasure.

use leptos::prelude::*;
use model::contacts::{
    AttributeDefinition, BulkAction, BulkOutcome, Contact, ContactDetail, ContactInput, ContactQuery, ContactRow,
    ListStatus, Selection,
};
use model::{Page, SortDirection};
use server_fn::codec::Json;

use crate::api::ApiError;

/// One page of the contacts table, searched and filtered (sort keys: email, name,
/// created_at, last_activity_at).
#[server(endpoint = "contacts/list", input = Json)]
pub async fn list_contacts(
    page: u32,
    per_page: u32,
    sort: String,
    direction: SortDirection,
    query: ContactQuery,
) -> Result<Page<ContactRow>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let req = model::PageRequest { page, per_page, sort, direction };
            Ok(state()?.contacts.book.list(&query, &req).await?)
        }
        .await,
    )
}

/// Everything the contact page shows: the contact, its lists, suppressions and timeline.
#[server(name = LoadContactDetail, endpoint = "contacts/detail", input = Json)]
pub async fn contact_detail(id: i64) -> Result<ContactDetail, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.book.get(id).await?)
        }
        .await,
    )
}

/// Adds a contact by hand and subscribes it to `lists` (consent source "admin: <username>").
#[server(endpoint = "contacts/create", input = Json)]
pub async fn create_contact(input: ContactInput, lists: Vec<i64>) -> Result<Contact, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            let audience = st.contacts;
            // Lists first: a bad list id must not leave a half-made contact behind.
            engine::contacts::Lists::ensure_exist(&st.db.pool, &lists).await?;
            let contact = audience.book.create(&input, &me.username).await?;
            let source = format!("admin: {}", me.username);
            for list_id in &lists {
                audience.book.set_membership(contact.id, *list_id, ListStatus::Subscribed, &source).await?;
            }
            tracing::info!(by = %me.username, contact = contact.id, lists = lists.len(), "contact created");
            Ok(contact)
        }
        .await,
    )
}

/// Edits a contact's address, name, tags and attributes (attributes replace the stored set).
#[server(endpoint = "contacts/update", input = Json)]
pub async fn update_contact(id: i64, input: ContactInput) -> Result<Contact, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let contact = state()?.contacts.book.update(id, &input).await?;
            tracing::info!(by = %me.username, contact = id, "contact updated");
            Ok(contact)
        }
        .await,
    )
}

/// Puts a contact on a list with `status`, or changes its status there.
#[server(endpoint = "contacts/membership/set", input = Json)]
pub async fn set_membership(id: i64, list_id: i64, status: ListStatus) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let source = format!("admin: {}", me.username);
            state()?.contacts.book.set_membership(id, list_id, status, &source).await?;
            tracing::info!(by = %me.username, contact = id, list = list_id, status = status.as_str(), "membership set");
            Ok(())
        }
        .await,
    )
}

/// Takes a contact off a list altogether (no unsubscribe record is kept on that list).
#[server(endpoint = "contacts/membership/remove", input = Json)]
pub async fn remove_membership(id: i64, list_id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.contacts.book.remove_membership(id, list_id).await?;
            tracing::info!(by = %me.username, contact = id, list = list_id, "membership removed");
            Ok(())
        }
        .await,
    )
}

/// Applies one change to the ticked rows or to everything matching the table's filter.
#[server(endpoint = "contacts/bulk", input = Json)]
pub async fn bulk_contacts(selection: Selection, action: BulkAction) -> Result<BulkOutcome, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let outcome = state()?.contacts.book.bulk(&selection, &action, &me.username).await?;
            tracing::info!(by = %me.username, ?action, matched = outcome.matched, changed = outcome.changed,
                "bulk contact action");
            Ok(outcome)
        }
        .await,
    )
}

/// Every tag in use with how many contacts carry it (filters and tag inputs offer them).
#[server(endpoint = "contacts/tags", input = Json)]
pub async fn contact_tags() -> Result<Vec<(String, i64)>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.book.tags().await?)
        }
        .await,
    )
}

/// GDPR erasure: deletes the contact, its memberships and events. Refused unless
/// `confirm_email` is the contact's address, so a slip of the mouse cannot erase anyone.
#[server(endpoint = "contacts/erase", input = Json)]
pub async fn erase_contact(id: i64, confirm_email: String) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let audience = state()?.contacts;
            let detail = audience.book.get(id).await?;
            if !confirm_email.trim().eq_ignore_ascii_case(&detail.contact.email) {
                return Err(ApiError::invalid("confirm", "Type the contact's email address exactly to erase it."));
            }
            audience.book.erase(id).await?;
            // The address itself is not logged: it is what was just erased.
            tracing::info!(by = %me.username, contact = id, "contact erased (GDPR)");
            Ok(())
        }
        .await,
    )
}

/// The custom attribute definitions (the contact form types its inputs by them).
#[server(endpoint = "contacts/attributes/list", input = Json)]
pub async fn list_attributes() -> Result<Vec<AttributeDefinition>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.attributes.list().await?)
        }
        .await,
    )
}

/// Creates or replaces the definition with this key.
#[server(endpoint = "contacts/attributes/save", input = Json)]
pub async fn save_attribute(def: AttributeDefinition) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.contacts.attributes.save(&def).await?;
            tracing::info!(by = %me.username, key = %def.key, kind = def.kind.as_str(), "attribute saved");
            Ok(())
        }
        .await,
    )
}

/// Deletes an attribute definition.
#[server(endpoint = "contacts/attributes/delete", input = Json)]
pub async fn delete_attribute(key: String) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.contacts.attributes.delete(&key).await?;
            tracing::info!(by = %me.username, key = %key, "attribute deleted");
            Ok(())
        }
        .await,
    )
}
