//! Mail domains: list, create, edit, enable/disable, delete.

use leptos::prelude::*;
use model::mail::{DomainInput, MailDomain};
use model::{Page, SortDirection};
use server_fn::codec::Json;

use crate::api::ApiError;

/// One page of the Domains table.
#[server(endpoint = "mail/domains/list", input = Json)]
pub async fn list_domains(
    page: u32,
    per_page: u32,
    sort: String,
    direction: SortDirection,
    search: String,
) -> Result<Page<MailDomain>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let req = model::PageRequest { page, per_page, sort, direction };
            Ok(state()?.mail.domains.list(&req, &search).await?)
        }
        .await,
    )
}

/// `(ascii, unicode)` names of every domain, for the domain pickers.
#[server(endpoint = "mail/domains/names", input = Json)]
pub async fn domain_names() -> Result<Vec<(String, String)>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let names = state()?.mail.domains.names().await?;
            Ok(names.into_iter().map(|n| (n.clone(), engine::mail::names::display_domain(&n))).collect())
        }
        .await,
    )
}

/// Adds a domain (with postmaster@/abuse@ and a DKIM key).
#[server(endpoint = "mail/domains/create", input = Json)]
pub async fn create_domain(input: DomainInput) -> Result<MailDomain, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let d = state()?.mail.domains.create(&input).await?;
            tracing::info!(by = %me.username, domain = %d.name, "mail domain created");
            Ok(d)
        }
        .await,
    )
}

/// Changes a domain's settings.
#[server(endpoint = "mail/domains/update", input = Json)]
pub async fn update_domain(name: String, input: DomainInput) -> Result<MailDomain, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let d = state()?.mail.domains.update(&name, &input).await?;
            tracing::info!(by = %me.username, domain = %d.name, "mail domain updated");
            Ok(d)
        }
        .await,
    )
}

/// Enables or disables a domain.
#[server(endpoint = "mail/domains/set-active", input = Json)]
pub async fn set_domain_active(name: String, active: bool) -> Result<MailDomain, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let d = state()?.mail.domains.set_active(&name, active).await?;
            tracing::info!(by = %me.username, domain = %d.name, active, "mail domain state changed");
            Ok(d)
        }
        .await,
    )
}

/// Deletes a domain; with mailboxes, `confirm` must be its name.
#[server(endpoint = "mail/domains/delete", input = Json)]
pub async fn delete_domain(name: String, confirm: Option<String>) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.mail.domains.delete(&name, confirm.as_deref()).await?;
            tracing::info!(by = %me.username, domain = %name, "mail domain deleted");
            Ok(())
        }
        .await,
    )
}
