//! The suppression list: addresses never sent to, added by hand, from a CSV file, or from
//! the scan that finds audience domains which cannot receive mail.

use leptos::prelude::*;
use model::contacts::{
    InvalidDomain, InvalidDomainAction, ScanSummary, Suppression, SuppressionAdded, SuppressionFilter,
};
use model::{Page, SortDirection};
use server_fn::codec::Json;

use crate::api::ApiError;

/// Largest suppression CSV accepted as text (the page refuses bigger files before sending).
pub const MAX_SUPPRESSION_CSV_BYTES: usize = 20_000_000;

/// One page of the suppression table, searched and filtered.
#[server(endpoint = "contacts/suppressions/list", input = Json)]
pub async fn list_suppressions(
    page: u32,
    per_page: u32,
    sort: String,
    direction: SortDirection,
    filter: SuppressionFilter,
) -> Result<Page<Suppression>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let req = model::PageRequest { page, per_page, sort, direction };
            Ok(state()?.contacts.suppressions.list(&filter, &req).await?)
        }
        .await,
    )
}

/// Suppresses typed or pasted addresses (separated by new lines, commas, semicolons or
/// spaces) for every list (`list_id` None) or one list.
#[server(endpoint = "contacts/suppressions/add", input = Json)]
pub async fn add_suppressions(text: String, list_id: Option<i64>, note: String) -> Result<SuppressionAdded, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    use model::contacts::SuppressionReason;
    respond(
        async move {
            let me = require_admin().await?;
            let emails = model::contacts::split_addresses(&text);
            if emails.is_empty() {
                return Err(ApiError::invalid("addresses", "Enter at least one address."));
            }
            let added =
                state()?.contacts.suppressions.add(&emails, list_id, SuppressionReason::Manual, note.trim()).await?;
            tracing::info!(by = %me.username, added = added.added, already = added.already,
                invalid = added.invalid.len(), ?list_id, "suppressions added");
            Ok(added)
        }
        .await,
    )
}

/// Lets mail reach an address again (for the scope of this one suppression).
#[server(endpoint = "contacts/suppressions/remove", input = Json)]
pub async fn remove_suppression(id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.contacts.suppressions.remove(id).await?;
            tracing::info!(by = %me.username, suppression = id, "suppression removed");
            Ok(())
        }
        .await,
    )
}

/// Suppresses every address of a CSV file the browser read as text (another provider's
/// unsubscribe or bounce export).
#[server(endpoint = "contacts/suppressions/import", input = Json)]
pub async fn import_suppression_csv(text: String, list_id: Option<i64>) -> Result<SuppressionAdded, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            if text.len() > MAX_SUPPRESSION_CSV_BYTES {
                return Err(ApiError::invalid("file", "The file is larger than 20 MB; split it into smaller files."));
            }
            let added = state()?.contacts.suppressions.import_csv(&text, list_id).await?;
            tracing::info!(by = %me.username, added = added.added, already = added.already,
                invalid = added.invalid.len(), ?list_id, "suppressions imported");
            Ok(added)
        }
        .await,
    )
}

/// Domains of the audience the last scan found unable to receive mail.
#[server(endpoint = "contacts/suppressions/invalid-domains", input = Json)]
pub async fn invalid_domains() -> Result<Vec<InvalidDomain>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.contacts.suppressions.invalid_domains().await?)
        }
        .await,
    )
}

/// Looks up the MX (or address) records of every domain in the audience now.
#[server(endpoint = "contacts/suppressions/scan-domains", input = Json)]
pub async fn scan_domains() -> Result<ScanSummary, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            let summary = st.contacts.suppressions.scan_domains(st.deliverability.resolver()).await?;
            tracing::info!(by = %me.username, checked = summary.domains_checked, invalid = summary.invalid,
                unknown = summary.unknown, "audience domains scanned");
            Ok(summary)
        }
        .await,
    )
}

/// Suppresses, tags or deletes the contacts of the chosen invalid domains; returns how many
/// contacts were affected.
#[server(endpoint = "contacts/suppressions/invalid-domains/act", input = Json)]
pub async fn act_on_invalid_domains(domains: Vec<String>, action: InvalidDomainAction) -> Result<i64, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            if domains.is_empty() {
                return Err(ApiError::invalid("domains", "Choose at least one domain."));
            }
            let n = state()?.contacts.suppressions.act_on_invalid(&domains, action).await?;
            tracing::info!(by = %me.username, domains = domains.len(), ?action, contacts = n, "invalid domains handled");
            Ok(n)
        }
        .await,
    )
}
