//! The `campaign` table: drafts as the editor saves them, and the state changes the admin
//! asks for (schedule, pause, resume, cancel, change rate). Starting a campaign — the one
//! change that touches the ledger — lives in `audience.rs`.

use chrono::{DateTime, Utc};
use model::campaigns::{
    AudienceSpec, Campaign, CampaignInput, CampaignStatus, CampaignSummary, DeliveryCounts, DeliveryState,
};
use model::email::{Document, Template};
use sqlx::PgPool;
use sqlx::types::Json;

use super::{CampaignError, Result};

/// Longest campaign name, subject and preheader (characters).
const MAX_NAME_CHARS: usize = 120;
const MAX_SUBJECT_CHARS: usize = 250;
const MAX_PREHEADER_CHARS: usize = 250;
/// Highest target rate accepted (messages per minute): beyond any relay, a typo guard.
pub const MAX_RATE_PER_MINUTE: i32 = 10_000_000;

/// Campaign drafts and the admin's state changes.
#[derive(Clone, Debug)]
pub struct Campaigns {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: i64,
    name: String,
    status: String,
    from_name: String,
    from_email: String,
    reply_to: String,
    subject: String,
    preheader: String,
    template_id: Option<i64>,
    document: Option<Json<Document>>,
    html: Option<String>,
    list_ids: Vec<i64>,
    segment_ids: Vec<i64>,
    exclude_list_ids: Vec<i64>,
    exclude_segment_ids: Vec<i64>,
    track_opens: bool,
    track_clicks: bool,
    rate_per_minute: i32,
    scheduled_at: Option<DateTime<Utc>>,
    time_zone: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    waiting_reason: String,
}

/// Every column the editor needs, in `CampaignRow` order.
const COLUMNS: &str = "id, name, status, from_name, from_email, reply_to, subject, preheader, template_id, \
    document, html, list_ids, segment_ids, exclude_list_ids, exclude_segment_ids, track_opens, track_clicks, \
    rate_per_minute, scheduled_at, time_zone, created_at, updated_at, sent_at, finished_at, waiting_reason";

impl From<CampaignRow> for Campaign {
    fn from(r: CampaignRow) -> Self {
        Campaign {
            id: r.id,
            status: CampaignStatus::parse(&r.status),
            input: CampaignInput {
                name: r.name,
                from_name: r.from_name,
                from_email: r.from_email,
                reply_to: r.reply_to,
                subject: r.subject,
                preheader: r.preheader,
                template_id: r.template_id,
                document: r.document.map(|d| d.0),
                html: r.html,
                audience: AudienceSpec {
                    list_ids: r.list_ids,
                    segment_ids: r.segment_ids,
                    exclude_list_ids: r.exclude_list_ids,
                    exclude_segment_ids: r.exclude_segment_ids,
                },
                track_opens: r.track_opens,
                track_clicks: r.track_clicks,
                rate_per_minute: r.rate_per_minute,
            },
            scheduled_at: r.scheduled_at,
            time_zone: r.time_zone,
            created_at: r.created_at,
            updated_at: r.updated_at,
            sent_at: r.sent_at,
            finished_at: r.finished_at,
            waiting_reason: r.waiting_reason,
        }
    }
}

impl Campaigns {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Every campaign, newest first, with its ledger counts (one grouped scan of the ledger
    /// rows of the listed campaigns).
    pub async fn list(&self) -> Result<Vec<CampaignSummary>> {
        type Row = (i64, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, name, subject, status, created_at, scheduled_at, sent_at FROM campaign \
                 ORDER BY created_at DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let counts: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT campaign_id, state, count(*) FROM delivery WHERE campaign_id = ANY($1) GROUP BY 1, 2",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, subject, status, created_at, scheduled_at, sent_at)| {
                let mut c = DeliveryCounts::default();
                for (_, state, n) in counts.iter().filter(|x| x.0 == id) {
                    if let Some(state) = DeliveryState::parse(state) {
                        c.add(state, *n);
                    }
                }
                CampaignSummary {
                    id,
                    name,
                    subject,
                    status: CampaignStatus::parse(&status),
                    created_at,
                    scheduled_at,
                    sent_at,
                    counts: c,
                }
            })
            .collect())
    }

    /// One campaign for the editor or the report.
    pub async fn get(&self, id: i64) -> Result<Campaign> {
        let row: Option<CampaignRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaign WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(Campaign::from).ok_or(CampaignError::NotFound(id))
    }

    /// A new draft; fields may be incomplete (the start checks them all).
    pub async fn create(&self, input: &CampaignInput) -> Result<Campaign> {
        let input = checked(input)?;
        let id: i64 = sqlx::query_scalar("INSERT INTO campaign (name) VALUES ($1) RETURNING id")
            .bind(&input.name)
            .fetch_one(&self.pool)
            .await?;
        self.write(id, &input).await?;
        self.get(id).await
    }

    /// Saves the editor's fields; refused once the campaign has started (the ledger and the
    /// messages already sent are fixed by then).
    pub async fn update(&self, id: i64, input: &CampaignInput) -> Result<Campaign> {
        let input = checked(input)?;
        let current = self.get(id).await?;
        if !current.status.is_editable() {
            return Err(CampaignError::State(format!(
                "a campaign that is {} cannot be edited; duplicate it to send a new version",
                current.status.label().to_lowercase()
            )));
        }
        self.write(id, &input).await?;
        self.get(id).await
    }

    async fn write(&self, id: i64, c: &CampaignInput) -> Result<()> {
        let done = sqlx::query(
            "UPDATE campaign SET name = $2, from_name = $3, from_email = $4, reply_to = $5, subject = $6, \
             preheader = $7, template_id = $8, document = $9, html = $10, list_ids = $11, segment_ids = $12, \
             exclude_list_ids = $13, exclude_segment_ids = $14, track_opens = $15, track_clicks = $16, \
             rate_per_minute = $17, updated_at = now() WHERE id = $1 AND status IN ('draft', 'scheduled')",
        )
        .bind(id)
        .bind(&c.name)
        .bind(&c.from_name)
        .bind(&c.from_email)
        .bind(&c.reply_to)
        .bind(&c.subject)
        .bind(&c.preheader)
        .bind(c.template_id)
        .bind(c.document.as_ref().map(Json))
        .bind(&c.html)
        .bind(&c.audience.list_ids)
        .bind(&c.audience.segment_ids)
        .bind(&c.audience.exclude_list_ids)
        .bind(&c.audience.exclude_segment_ids)
        .bind(c.track_opens)
        .bind(c.track_clicks)
        .bind(c.rate_per_minute)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(CampaignError::State("the campaign started while it was being edited".into()));
        }
        Ok(())
    }

    /// Deletes a campaign that never started, or a finished or cancelled one with its ledger.
    pub async fn delete(&self, id: i64) -> Result<()> {
        let status = self.get(id).await?.status;
        if matches!(status, CampaignStatus::Sending | CampaignStatus::Paused) {
            return Err(CampaignError::State("cancel the campaign before deleting it".into()));
        }
        sqlx::query("DELETE FROM campaign WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Schedules a draft to start by itself at `at` (shown back in `time_zone`); `None`
    /// returns a scheduled campaign to draft.
    pub async fn schedule(&self, id: i64, at: Option<DateTime<Utc>>, time_zone: &str) -> Result<Campaign> {
        let (status, from) = match at {
            Some(_) => ("scheduled", ["draft", "scheduled"]),
            None => ("draft", ["scheduled", "scheduled"]),
        };
        let zone = if time_zone.trim().is_empty() { "UTC" } else { time_zone.trim() };
        let done = sqlx::query(
            "UPDATE campaign SET status = $2, scheduled_at = $3, time_zone = $4, updated_at = now() \
             WHERE id = $1 AND status = ANY($5)",
        )
        .bind(id)
        .bind(status)
        .bind(at)
        .bind(zone)
        .bind(&from[..])
        .execute(&self.pool)
        .await?;
        self.require_changed(id, done.rows_affected(), "only a draft can be scheduled").await
    }

    /// Stops claiming new recipients; messages already handed to a connection finish.
    pub async fn pause(&self, id: i64) -> Result<Campaign> {
        self.transition(id, &["sending"], "paused", "only a sending campaign can be paused").await
    }

    /// Continues a paused campaign where it stopped.
    pub async fn resume(&self, id: i64) -> Result<Campaign> {
        self.transition(id, &["paused"], "sending", "only a paused campaign can be resumed").await
    }

    /// Stops for good: recipients not yet sent are marked skipped ("campaign cancelled"), so
    /// the report never shows them as pending or as sent.
    pub async fn cancel(&self, id: i64) -> Result<Campaign> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE campaign SET status = 'cancelled', finished_at = now(), waiting_reason = '', updated_at = now() \
             WHERE id = $1 AND status IN ('scheduled', 'sending', 'paused')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            sqlx::query(
                "UPDATE delivery SET state = 'skipped', reason = 'campaign cancelled', updated_at = now() \
                 WHERE campaign_id = $1 AND state IN ('queued', 'deferred')",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.require_changed(id, done.rows_affected(), "only a scheduled, sending or paused campaign can be cancelled")
            .await
    }

    /// Changes the target rate, also while sending (workers pick it up within a second).
    pub async fn set_rate(&self, id: i64, rate_per_minute: i32) -> Result<Campaign> {
        if !(0..=MAX_RATE_PER_MINUTE).contains(&rate_per_minute) {
            return Err(CampaignError::invalid(
                "rate_per_minute",
                format!("the rate must be between 0 (unlimited) and {MAX_RATE_PER_MINUTE} messages a minute"),
            ));
        }
        let done = sqlx::query("UPDATE campaign SET rate_per_minute = $2, updated_at = now() WHERE id = $1")
            .bind(id)
            .bind(rate_per_minute)
            .execute(&self.pool)
            .await?;
        self.require_changed(id, done.rows_affected(), "").await
    }

    async fn transition(&self, id: i64, from: &[&str], to: &str, refusal: &str) -> Result<Campaign> {
        let done =
            sqlx::query("UPDATE campaign SET status = $2, updated_at = now() WHERE id = $1 AND status = ANY($3)")
                .bind(id)
                .bind(to)
                .bind(from)
                .execute(&self.pool)
                .await?;
        self.require_changed(id, done.rows_affected(), refusal).await
    }

    /// The campaign after a conditional update: not found, refused (it exists but was in
    /// another state), or the new state.
    async fn require_changed(&self, id: i64, affected: u64, refusal: &str) -> Result<Campaign> {
        let campaign = self.get(id).await?;
        if affected == 0 {
            return Err(CampaignError::State(format!(
                "{refusal} (this one is {})",
                campaign.status.label().to_lowercase()
            )));
        }
        Ok(campaign)
    }
}

/// The input trimmed and checked field by field (a draft may leave fields empty).
pub fn checked(input: &CampaignInput) -> Result<CampaignInput> {
    let mut c = input.clone();
    c.name = c.name.trim().to_owned();
    c.from_name = c.from_name.trim().to_owned();
    c.from_email = c.from_email.trim().to_lowercase();
    c.reply_to = c.reply_to.trim().to_owned();
    c.subject = c.subject.trim().to_owned();
    c.preheader = c.preheader.trim().to_owned();
    let chars = c.name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(CampaignError::invalid(
            "name",
            format!("a campaign needs a name of 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if c.from_name.chars().count() > MAX_NAME_CHARS || c.from_name.contains(['\r', '\n']) {
        return Err(CampaignError::invalid("from_name", "the sender name is too long or has a line break"));
    }
    for (field, value) in [("from_email", &c.from_email), ("reply_to", &c.reply_to)] {
        if !value.is_empty() && !plausible_address(value) {
            return Err(CampaignError::invalid(field, format!("{value:?} is not an email address")));
        }
    }
    for (field, value, max) in
        [("subject", &c.subject, MAX_SUBJECT_CHARS), ("preheader", &c.preheader, MAX_PREHEADER_CHARS)]
    {
        if value.chars().count() > max || value.contains(['\r', '\n']) {
            return Err(CampaignError::invalid(field, format!("at most {max} characters on one line")));
        }
        Template::parse(value).map_err(|e| CampaignError::invalid(field, e.to_string()))?;
    }
    if c.document.is_some() && c.html.is_some() {
        return Err(CampaignError::invalid("content", "a campaign has either a designed document or HTML, not both"));
    }
    if !(0..=MAX_RATE_PER_MINUTE).contains(&c.rate_per_minute) {
        return Err(CampaignError::invalid("rate_per_minute", "the rate must be 0 (unlimited) or a positive number"));
    }
    Ok(c)
}

/// `local@domain` with no spaces, brackets or line breaks: enough to refuse typos before the
/// address ever reaches a header or an SMTP command.
pub fn plausible_address(addr: &str) -> bool {
    match addr.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.len() <= 64
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && addr.len() <= 254
                && !addr.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CampaignInput {
        CampaignInput { name: " Launch ".into(), from_email: "News@Example.com".into(), ..Default::default() }
    }

    #[test]
    fn fields_are_trimmed_and_the_sender_lower_cased() {
        let c = checked(&input()).unwrap();
        assert_eq!((c.name.as_str(), c.from_email.as_str()), ("Launch", "news@example.com"));
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |c: CampaignInput| match checked(&c) {
            Err(CampaignError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(CampaignInput { name: " ".into(), ..input() }), "name");
        assert_eq!(field(CampaignInput { from_email: "nobody".into(), ..input() }), "from_email");
        assert_eq!(field(CampaignInput { reply_to: "a b@c.d".into(), ..input() }), "reply_to");
        assert_eq!(field(CampaignInput { subject: "Hi {{ name".into(), ..input() }), "subject");
        assert_eq!(field(CampaignInput { subject: "a\r\nBcc: x@y.z".into(), ..input() }), "subject");
        assert_eq!(field(CampaignInput { preheader: "x".repeat(251), ..input() }), "preheader");
        assert_eq!(field(CampaignInput { rate_per_minute: -1, ..input() }), "rate_per_minute");
        assert_eq!(
            field(CampaignInput { document: Some(Document::default()), html: Some("<p>".into()), ..input() }),
            "content"
        );
    }

    #[test]
    fn addresses_are_checked_for_header_safety() {
        assert!(plausible_address("a.b+c@news.example.com"));
        for bad in ["a@b", "@b.c", "a b@c.d", "a@b.c>", "a@.b.c", "a\n@b.c"] {
            assert!(!plausible_address(bad), "{bad}");
        }
    }
}
