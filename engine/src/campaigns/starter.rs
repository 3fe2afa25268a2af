//! Starting a campaign: every requirement checked, then — in one transaction — the status
//! moves to `sending` (only from the states the caller names, so two processes starting the
//! same scheduled campaign cannot both win), the tracked links are stored and the audience
//! is written into the delivery ledger.

use model::email::Template;
use sqlx::PgPool;

use super::audience::{Materialised, audience_filter, materialise};
use super::compose::{PreparedCampaign, SenderSettings};
use super::runner::load_signers;
use super::store::{Campaigns, plausible_address};
use super::tracking::TokenKey;
use super::{CampaignError, Result};

/// Starts campaign `id` if it is in one of `from` (e.g. `["draft", "scheduled"]`).
pub async fn start(
    pool: &PgPool,
    key: &TokenKey,
    settings: &SenderSettings,
    id: i64,
    from: &[&str],
) -> Result<Materialised> {
    let campaign = Campaigns::new(pool.clone()).get(id).await?;
    if !from.contains(&campaign.status.as_str()) {
        return Err(CampaignError::State(format!(
            "a campaign that is {} cannot be started",
            campaign.status.label().to_lowercase()
        )));
    }
    let input = &campaign.input;
    if input.subject.is_empty() {
        return Err(CampaignError::invalid("subject", "the campaign needs a subject"));
    }
    Template::parse(&input.subject).map_err(|e| CampaignError::invalid("subject", e.to_string()))?;
    if !plausible_address(&input.from_email) {
        return Err(CampaignError::invalid("from_email", "choose the address the campaign is sent from"));
    }
    let domain = input.from_email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    let active: Option<bool> =
        sqlx::query_scalar("SELECT active FROM mail_domain WHERE name = $1").bind(domain).fetch_optional(pool).await?;
    match active {
        Some(true) => {}
        Some(false) => {
            return Err(CampaignError::invalid("from_email", format!("the mail domain {domain} is disabled")));
        }
        None => {
            return Err(CampaignError::invalid(
                "from_email",
                format!("{domain} is not one of this server's mail domains; add it under Mail → Domains"),
            ));
        }
    }
    let signers = load_signers(pool, domain).await?;
    if signers.is_empty() {
        return Err(CampaignError::invalid(
            "from_email",
            format!("{domain} has no active DKIM key; create one under Deliverability"),
        ));
    }
    if input.audience.is_empty() {
        return Err(CampaignError::invalid("audience", "choose at least one list or segment"));
    }
    let prepared = PreparedCampaign::prepare(&campaign, key.clone(), settings.clone(), signers)?;
    let filter = audience_filter(pool, &input.audience).await?;
    let mut tx = pool.begin().await?;
    let moved = sqlx::query(
        "UPDATE campaign SET status = 'sending', sent_at = now(), finished_at = NULL, waiting_reason = '', \
         updated_at = now() WHERE id = $1 AND status = ANY($2)",
    )
    .bind(id)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(CampaignError::State("the campaign was started or changed by someone else".into()));
    }
    let indexes: Vec<i32> = (0..prepared.links().len()).map(|i| i32::try_from(i).unwrap_or(i32::MAX)).collect();
    sqlx::query("INSERT INTO campaign_link (campaign_id, idx, url) SELECT $1, * FROM unnest($2::int[], $3::text[])")
        .bind(id)
        .bind(&indexes)
        .bind(prepared.links())
        .execute(&mut *tx)
        .await?;
    let summary = materialise(&mut tx, id, &input.audience, &filter).await?;
    if summary.queued == 0 {
        return Err(CampaignError::invalid(
            "audience",
            if summary.suppressed + summary.duplicates > 0 {
                "every recipient of this audience is suppressed or a duplicate".to_owned()
            } else {
                "the audience has no subscribed contacts".to_owned()
            },
        ));
    }
    tx.commit().await?;
    Ok(summary)
}
