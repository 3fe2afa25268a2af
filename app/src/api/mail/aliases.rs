//! Aliases and forwards, alias domains and BCC rules.

use leptos::prelude::*;
use model::mail::{Alias, AliasDomain, AliasDomainInput, AliasInput, BccRule, BccRuleInput};
use model::{Page, SortDirection};
use server_fn::codec::Json;

use crate::api::ApiError;

/// One page of the Aliases table.
#[server(endpoint = "mail/aliases/list", input = Json)]
pub async fn list_aliases(
    page: u32,
    per_page: u32,
    sort: String,
    direction: SortDirection,
    search: String,
    domain: String,
) -> Result<Page<Alias>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let req = model::PageRequest { page, per_page, sort, direction };
            Ok(state()?.mail.aliases.list(&req, &search, &domain).await?)
        }
        .await,
    )
}

/// Adds an alias or forward.
#[server(endpoint = "mail/aliases/create", input = Json)]
pub async fn create_alias(input: AliasInput) -> Result<Alias, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let a = state()?.mail.aliases.create(&input).await?;
            tracing::info!(by = %me.username, alias = %a.address, "alias created");
            Ok(a)
        }
        .await,
    )
}

/// Replaces an alias's targets and settings.
#[server(endpoint = "mail/aliases/update", input = Json)]
pub async fn update_alias(address: String, input: AliasInput) -> Result<Alias, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let a = state()?.mail.aliases.update(&address, &input).await?;
            tracing::info!(by = %me.username, alias = %a.address, "alias updated");
            Ok(a)
        }
        .await,
    )
}

/// Enables or disables an alias.
#[server(endpoint = "mail/aliases/set-active", input = Json)]
pub async fn set_alias_active(address: String, active: bool) -> Result<Alias, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.mail.aliases.set_active(&address, active).await?)
        }
        .await,
    )
}

/// Deletes an alias.
#[server(endpoint = "mail/aliases/delete", input = Json)]
pub async fn delete_alias(address: String) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.mail.aliases.delete(&address).await?;
            tracing::info!(by = %me.username, alias = %address, "alias deleted");
            Ok(())
        }
        .await,
    )
}

/// Every alias domain.
#[server(endpoint = "mail/alias-domains/list", input = Json)]
pub async fn list_alias_domains() -> Result<Vec<AliasDomain>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.mail.alias_domains.list().await?)
        }
        .await,
    )
}

/// Adds an alias domain.
#[server(endpoint = "mail/alias-domains/create", input = Json)]
pub async fn create_alias_domain(input: AliasDomainInput) -> Result<AliasDomain, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let d = state()?.mail.alias_domains.create(&input).await?;
            tracing::info!(by = %me.username, alias_domain = %d.name, target = %d.target_domain, "alias domain created");
            Ok(d)
        }
        .await,
    )
}

/// Removes an alias domain.
#[server(endpoint = "mail/alias-domains/delete", input = Json)]
pub async fn delete_alias_domain(name: String) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.mail.alias_domains.delete(&name).await?)
        }
        .await,
    )
}

/// Every BCC rule.
#[server(endpoint = "mail/bcc/list", input = Json)]
pub async fn list_bcc_rules() -> Result<Vec<BccRule>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.mail.bcc.list().await?)
        }
        .await,
    )
}

/// Adds a BCC rule.
#[server(endpoint = "mail/bcc/create", input = Json)]
pub async fn create_bcc_rule(input: BccRuleInput) -> Result<BccRule, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let r = state()?.mail.bcc.create(&input).await?;
            tracing::info!(by = %me.username, matches = %r.matches, bcc_to = %r.bcc_to, "BCC rule created");
            Ok(r)
        }
        .await,
    )
}

/// Removes a BCC rule.
#[server(endpoint = "mail/bcc/delete", input = Json)]
pub async fn delete_bcc_rule(id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.mail.bcc.delete(id).await?)
        }
        .await,
    )
}
