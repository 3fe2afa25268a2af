//! Campaigns: the list, the editor's load and save, the live recipient count, preflight,
//! test sends, and the controls (start now, schedule, pause, resume, cancel, rate). Live
//! progress while sending is streamed by the server at `/api/campaigns/{id}/progress` (SSE);
//! [`campaign_progress`] is the same snapshot on demand.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use model::campaigns::{
    AudienceSpec, Campaign, CampaignInput, CampaignProgress, CampaignSummary, Preflight, RecipientCount, TestSendResult,
};
use server_fn::codec::Json;

use crate::api::ApiError;

/// Every campaign, newest first, with its ledger counts.
#[server(endpoint = "campaigns/list", input = Json)]
pub async fn list_campaigns() -> Result<Vec<CampaignSummary>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.campaigns.list().await?)
        }
        .await,
    )
}

/// One campaign for the editor and the report.
#[server(endpoint = "campaigns/get", input = Json)]
pub async fn get_campaign(id: i64) -> Result<Campaign, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.campaigns.get(id).await?)
        }
        .await,
    )
}

/// A new draft (fields may be incomplete; starting checks them all).
#[server(endpoint = "campaigns/create", input = Json)]
pub async fn create_campaign(input: CampaignInput) -> Result<Campaign, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let c = state()?.outbox.campaigns.create(&input).await?;
            tracing::info!(by = %me.username, campaign = c.id, name = %c.input.name, "campaign created");
            Ok(c)
        }
        .await,
    )
}

/// Saves the editor; refused once the campaign has started.
#[server(endpoint = "campaigns/update", input = Json)]
pub async fn update_campaign(id: i64, input: CampaignInput) -> Result<Campaign, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.campaigns.update(id, &input).await?)
        }
        .await,
    )
}

/// A new draft with the same content and audience ("… (copy)").
#[server(endpoint = "campaigns/duplicate", input = Json)]
pub async fn duplicate_campaign(id: i64) -> Result<Campaign, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let campaigns = &state()?.outbox.campaigns;
            let mut input = campaigns.get(id).await?.input;
            input.name = copy_name(&input.name);
            let c = campaigns.create(&input).await?;
            tracing::info!(by = %me.username, campaign = c.id, from = id, "campaign duplicated");
            Ok(c)
        }
        .await,
    )
}

/// "Name (copy)", kept within the 120-character limit.
pub fn copy_name(name: &str) -> String {
    let base: String = name.chars().take(113).collect();
    format!("{} (copy)", base.trim_end())
}

/// Deletes a draft, or a finished or cancelled campaign with its delivery log.
#[server(endpoint = "campaigns/delete", input = Json)]
pub async fn delete_campaign(id: i64) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            state()?.outbox.campaigns.delete(id).await?;
            tracing::info!(by = %me.username, campaign = id, "campaign deleted");
            Ok(())
        }
        .await,
    )
}

/// The live count beside the audience picker.
#[server(endpoint = "campaigns/recipients", input = Json)]
pub async fn count_recipients(audience: AudienceSpec) -> Result<RecipientCount, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.recipient_count(&audience).await?)
        }
        .await,
    )
}

/// Active mail domains, for the sender address picker.
#[server(endpoint = "campaigns/sender-domains", input = Json)]
pub async fn sender_domains() -> Result<Vec<String>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.sender_domains().await?)
        }
        .await,
    )
}

/// Every preflight check with the message as the first recipient gets it.
#[server(endpoint = "campaigns/preflight", input = Json)]
pub async fn campaign_preflight(id: i64) -> Result<Preflight, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.preflight(id).await?)
        }
        .await,
    )
}

/// Sends the campaign (untracked, subject marked "[Test]") to up to ten addresses.
#[server(endpoint = "campaigns/test", input = Json)]
pub async fn send_test_campaign(id: i64, addresses: Vec<String>) -> Result<Vec<TestSendResult>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let results = state()?.outbox.send_test(id, &addresses).await?;
            tracing::info!(by = %me.username, campaign = id, to = addresses.len(), "test send");
            Ok(results)
        }
        .await,
    )
}

/// Starts sending now (refused while a preflight check fails).
#[server(endpoint = "campaigns/start", input = Json)]
pub async fn start_campaign(id: i64) -> Result<CampaignProgress, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let outbox = &state()?.outbox;
            let m = outbox.start_now(id).await?;
            tracing::info!(by = %me.username, campaign = id, queued = m.queued, suppressed = m.suppressed, "campaign started");
            Ok(outbox.progress(id).await?)
        }
        .await,
    )
}

/// Schedules a draft for `at` (chosen in `time_zone`), or back to draft with `None`.
#[server(endpoint = "campaigns/schedule", input = Json)]
pub async fn schedule_campaign(id: i64, at: Option<DateTime<Utc>>, time_zone: String) -> Result<Campaign, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let outbox = &state()?.outbox;
            if let Some(at) = at {
                if at < Utc::now() - chrono::Duration::minutes(1) {
                    return Err(ApiError::invalid("scheduled_at", "Choose a time in the future."));
                }
                let failing: Vec<String> = outbox
                    .preflight(id)
                    .await?
                    .checks
                    .into_iter()
                    .filter(|c| c.status == model::campaigns::PreflightStatus::Fail)
                    .map(|c| c.label)
                    .collect();
                if !failing.is_empty() {
                    return Err(ApiError::Conflict(format!(
                        "Fix these checks before scheduling: {}.",
                        failing.join(", ")
                    )));
                }
            }
            let c = outbox.campaigns.schedule(id, at, &time_zone).await?;
            tracing::info!(by = %me.username, campaign = id, at = ?at, "campaign scheduled");
            Ok(c)
        }
        .await,
    )
}

/// What the report page's control buttons ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignAction {
    Pause,
    Resume,
    Cancel,
}

/// Pause, resume or cancel.
#[server(endpoint = "campaigns/control", input = Json)]
pub async fn control_campaign(id: i64, action: CampaignAction) -> Result<Campaign, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let campaigns = &state()?.outbox.campaigns;
            let c = match action {
                CampaignAction::Pause => campaigns.pause(id).await?,
                CampaignAction::Resume => campaigns.resume(id).await?,
                CampaignAction::Cancel => campaigns.cancel(id).await?,
            };
            tracing::info!(by = %me.username, campaign = id, ?action, "campaign control");
            Ok(c)
        }
        .await,
    )
}

/// Changes the target rate (messages per minute, 0 = unlimited), also while sending.
#[server(endpoint = "campaigns/rate", input = Json)]
pub async fn set_campaign_rate(id: i64, rate_per_minute: i32) -> Result<Campaign, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.campaigns.set_rate(id, rate_per_minute).await?)
        }
        .await,
    )
}

/// The progress snapshot (the SSE stream pushes the same every second).
#[server(endpoint = "campaigns/progress", input = Json)]
pub async fn get_campaign_progress(id: i64) -> Result<CampaignProgress, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.outbox.progress(id).await?)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn copies_are_named_within_the_limit() {
        assert_eq!(super::copy_name("Launch"), "Launch (copy)");
        assert_eq!(super::copy_name(&"x".repeat(120)).chars().count(), 120);
    }
}
