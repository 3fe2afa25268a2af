//! Sending settings: each sender domain's relay (the bundled Postfix or an external
//! smarthost with TLS and login, with a connection test) and warm-up plan, and the
//! per-provider speed limits.

use leptos::prelude::*;
use model::campaigns::{DomainSending, ProviderLimit, RelayConfig, WarmupPlan};
use server_fn::codec::Json;

use crate::api::ApiError;

/// Every mail domain with its relay, warm-up plan and today's count.
#[server(endpoint = "sending/domains", input = Json)]
pub async fn sending_domains() -> Result<Vec<DomainSending>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.setup.domains().await?)
        }
        .await,
    )
}

/// Sets a domain's relay; `None` goes back to the bundled Postfix. An empty password keeps
/// the stored one.
#[server(endpoint = "sending/relay", input = Json)]
pub async fn save_domain_relay(domain: String, relay: Option<RelayConfig>) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.outbox.setup.set_relay(&domain, relay.as_ref()).await?;
            tracing::info!(by = %me.username, %domain, external = relay.is_some(), "sending relay saved");
            Ok(())
        }
        .await,
    )
}

/// Connects to the relay as a campaign would and answers what it offers.
#[server(endpoint = "sending/relay-test", input = Json)]
pub async fn test_domain_relay(domain: String, relay: RelayConfig) -> Result<String, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.test_relay(&domain, &relay).await?)
        }
        .await,
    )
}

/// Sets a domain's warm-up plan; `None` removes it (no daily cap).
#[server(endpoint = "sending/warmup", input = Json)]
pub async fn save_warmup(domain: String, plan: Option<WarmupPlan>) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.outbox.setup.set_warmup(&domain, plan.as_ref()).await?;
            tracing::info!(by = %me.username, %domain, on = plan.is_some(), "warm-up plan saved");
            Ok(())
        }
        .await,
    )
}

/// The per-provider limits (messages a minute, 0 = none).
#[server(endpoint = "sending/provider-limits", input = Json)]
pub async fn provider_limits() -> Result<Vec<ProviderLimit>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.setup.provider_limits().await?)
        }
        .await,
    )
}

/// Replaces the per-provider limits.
#[server(endpoint = "sending/provider-limits/save", input = Json)]
pub async fn save_provider_limits(limits: Vec<ProviderLimit>) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.outbox.setup.set_provider_limits(&limits).await?;
            tracing::info!(by = %me.username, "provider limits saved");
            Ok(())
        }
        .await,
    )
}
