//! Mailboxes: list, create, edit, passwords, batches, CSV import, connection settings.

use leptos::prelude::*;
use model::mail::{
    BatchCreate, ConnectionSettings, CreatedMailbox, ImportReport, Mailbox, MailboxFilter, MailboxInput,
};
use model::{Page, SortDirection};
use server_fn::codec::Json;

use crate::api::ApiError;

/// One page of the Mailboxes table, searched and filtered.
#[server(endpoint = "mail/mailboxes/list", input = Json)]
pub async fn list_mailboxes(
    page: u32,
    per_page: u32,
    sort: String,
    direction: SortDirection,
    filter: MailboxFilter,
) -> Result<Page<Mailbox>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let req = model::PageRequest { page, per_page, sort, direction };
            Ok(state()?.mail.mailboxes.list(&filter, &req).await?)
        }
        .await,
    )
}

/// Creates a mailbox.
#[server(endpoint = "mail/mailboxes/create", input = Json)]
pub async fn create_mailbox(input: MailboxInput) -> Result<Mailbox, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let m = state()?.mail.mailboxes.create(&input).await?;
            tracing::info!(by = %me.username, mailbox = %m.address, "mailbox created");
            Ok(m)
        }
        .await,
    )
}

/// Edits a mailbox (a non-empty password replaces the current one).
#[server(endpoint = "mail/mailboxes/update", input = Json)]
pub async fn update_mailbox(address: String, input: MailboxInput) -> Result<Mailbox, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let m = state()?.mail.mailboxes.update(&address, &input).await?;
            tracing::info!(by = %me.username, mailbox = %m.address, "mailbox updated");
            Ok(m)
        }
        .await,
    )
}

/// Enables or disables a mailbox.
#[server(endpoint = "mail/mailboxes/set-active", input = Json)]
pub async fn set_mailbox_active(address: String, active: bool) -> Result<Mailbox, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let m = state()?.mail.mailboxes.set_active(&address, active).await?;
            tracing::info!(by = %me.username, mailbox = %m.address, active, "mailbox state changed");
            Ok(m)
        }
        .await,
    )
}

/// Resets a mailbox's password.
#[server(endpoint = "mail/mailboxes/set-password", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(skip(password)))]
pub async fn set_mailbox_password(address: String, password: String) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.mail.mailboxes.set_password(&address, &password).await?;
            tracing::info!(by = %me.username, mailbox = %address, "mailbox password reset");
            Ok(())
        }
        .await,
    )
}

/// Deletes a mailbox.
#[server(endpoint = "mail/mailboxes/delete", input = Json)]
pub async fn delete_mailbox(address: String) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.mail.mailboxes.delete(&address).await?;
            tracing::info!(by = %me.username, mailbox = %address, "mailbox deleted");
            Ok(())
        }
        .await,
    )
}

/// Creates numbered mailboxes with generated passwords (returned this once).
#[server(endpoint = "mail/mailboxes/batch", input = Json)]
pub async fn batch_create_mailboxes(batch: BatchCreate) -> Result<Vec<CreatedMailbox>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let made = state()?.mail.mailboxes.batch_create(&batch).await?;
            tracing::info!(by = %me.username, domain = %batch.domain, count = made.len(), "mailboxes batch-created");
            Ok(made)
        }
        .await,
    )
}

/// Imports mailboxes from CSV text.
#[server(endpoint = "mail/mailboxes/import", input = Json)]
pub async fn import_mailboxes(csv: String) -> Result<ImportReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let report = state()?.mail.mailboxes.import_csv(&csv).await?;
            tracing::info!(by = %me.username, created = report.created.len(), updated = report.updated,
                errors = report.errors.len(), "mailboxes imported");
            Ok(report)
        }
        .await,
    )
}

/// What to type into a mail client.
#[server(endpoint = "mail/connection", input = Json)]
pub async fn load_connection_settings() -> Result<ConnectionSettings, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.mail.endpoints.settings())
        }
        .await,
    )
}
