//! "View in browser": the message as one recipient received it, rendered again from the
//! campaign and the recipient's ledger row and contact, so nothing per recipient has to be
//! stored at send time.

use model::campaigns::Provider;
use sqlx::PgPool;

use super::TrackingError;
use crate::campaigns::compose::PreparedCampaign;
use crate::campaigns::ledger::ClaimedRecipient;
use crate::campaigns::tracking::TokenKey;
use crate::campaigns::{Campaigns, SenderSettings};

/// The personalised HTML of campaign `campaign_id` for recipient `delivery_id`, with the same
/// tracked links and unsubscribe URL as the sent message; `None` when either is gone.
///
/// The open pixel is left out: a web view is counted as its own event, and the page would
/// otherwise count an open for every visit.
pub async fn render_web_view(
    pool: &PgPool,
    key: &TokenKey,
    settings: SenderSettings,
    campaign_id: i64,
    delivery_id: i64,
) -> Result<Option<String>, TrackingError> {
    let Some(recipient) = recipient(pool, campaign_id, delivery_id).await? else {
        return Ok(None);
    };
    let mut campaign = match Campaigns::new(pool.clone()).get(campaign_id).await {
        Ok(campaign) => campaign,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    campaign.input.track_opens = false;
    let prepared = PreparedCampaign::prepare(&campaign, key.clone(), settings, vec![])?;
    let (_subject, html) = prepared.sample_parts(&recipient);
    Ok(Some(html))
}

/// The ledger row and contact fields a message is merged from, as the sender saw them.
async fn recipient(pool: &PgPool, campaign_id: i64, delivery_id: i64) -> Result<Option<ClaimedRecipient>, sqlx::Error> {
    type Row = (i64, Option<i64>, String, String, i16, Option<String>, Option<serde_json::Value>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT d.id, d.contact_id, d.email, d.provider, d.attempts, c.name, c.attributes \
         FROM delivery d LEFT JOIN contact c ON c.id = d.contact_id \
         WHERE d.id = $1 AND d.campaign_id = $2",
    )
    .bind(delivery_id)
    .bind(campaign_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(id, contact_id, email, provider, attempts, name, attributes)| ClaimedRecipient {
        id,
        contact_id,
        email,
        name: name.unwrap_or_default(),
        attributes: attributes.unwrap_or(serde_json::Value::Null),
        provider: Provider::parse(&provider),
        attempts,
    }))
}
