//! Sending settings: each sender domain's relay (the bundled Postfix or an external
//! smarthost with TLS and login, with a connection test) and warm-up plan, the
//! per-provider speed limits, and the bounce and complaint policy.

use leptos::prelude::*;
use model::bounce_policy::BouncePolicySettings;
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

/// The bounce and complaint policy, for the Sending page's "Bounces and complaints" card.
#[server(endpoint = "sending/bounce-policy", input = Json)]
pub async fn load_bounce_policy() -> Result<BouncePolicySettings, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    use engine::inbound::policy::{PolicyError, load_settings};
    respond(
        async move {
            require_admin().await?;
            let st = state()?;
            Ok(load_settings(&st.db.pool).await.map_err(PolicyError::from)?)
        }
        .await,
    )
}

/// Replaces the bounce and complaint policy and answers what is stored; reports that arrive
/// afterwards follow it at once. An out-of-range number is a field error.
#[server(endpoint = "sending/bounce-policy/save", input = Json)]
pub async fn save_bounce_policy(settings: BouncePolicySettings) -> Result<BouncePolicySettings, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            let saved = engine::inbound::policy::save_settings(&st.db.pool, &settings).await?;
            tracing::info!(
                by = %me.username,
                soft_bounce_limit = saved.soft_bounce_limit,
                soft_bounce_days = saved.soft_bounce_days,
                "bounce policy saved"
            );
            Ok(saved)
        }
        .await,
    )
}
