//! The delivery ledger (`delivery`): workers claim queued recipients in batches with
//! `FOR UPDATE SKIP LOCKED`, so any number of processes share a campaign without sending to
//! anyone twice, and write each batch's SMTP replies back in one statement as soon as the
//! batch is answered — which bounds the duplicates a crash can cause to one batch per
//! connection (replies received, not yet committed).

use std::time::Duration;

use chrono::{DateTime, Utc};
use model::campaigns::{DeliveryCounts, DeliveryState, Provider};
use sqlx::PgPool;

use super::Result;
use super::smtp_session::{SmtpReply, SubmitOutcome};

/// A recipient claimed for sending, with what its message is merged from.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedRecipient {
    /// The ledger row (also the DSN envelope id).
    pub id: i64,
    pub contact_id: Option<i64>,
    pub email: String,
    pub name: String,
    pub attributes: serde_json::Value,
    pub provider: Provider,
    /// Attempts including this one.
    pub attempts: i16,
}

impl ClaimedRecipient {
    /// A merge field's value from the contact: `email`, `name`, `first_name`/`last_name`
    /// (the attribute, else split from the name), or any custom attribute (`plan` or
    /// `contact.plan`).
    pub fn field(&self, name: &str) -> Option<String> {
        let key = name.strip_prefix("contact.").unwrap_or(name);
        match key {
            "email" => return Some(self.email.clone()),
            "name" => return Some(self.name.clone()),
            _ => {}
        }
        if let Some(v) = self.attributes.get(key).and_then(attribute_text) {
            return Some(v);
        }
        let name = self.name.trim();
        match key {
            "first_name" => name.split_whitespace().next().map(str::to_owned),
            "last_name" => name.split_once(char::is_whitespace).map(|(_, rest)| rest.trim().to_owned()),
            _ => None,
        }
    }
}

/// An attribute as text in a message: strings as they are, numbers and booleans written
/// out, lists joined with commas; null and objects count as absent.
fn attribute_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Array(items) => Some(items.iter().filter_map(attribute_text).collect::<Vec<_>>().join(", ")),
        serde_json::Value::Null | serde_json::Value::Object(_) => None,
    }
}

/// When deferred recipients are tried again, and when they are given up.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Wait before attempt 2, 3, …; the last value repeats.
    pub delays: Vec<Duration>,
    /// Attempts before a deferred recipient is marked failed.
    pub max_attempts: i16,
}

impl Default for RetryPolicy {
    /// 5 minutes, 15 minutes, 1 hour, then every 3 hours, for up to 6 attempts (about 10
    /// hours: receivers that greylist or throttle are usually through by then).
    fn default() -> Self {
        Self {
            delays: [5 * 60, 15 * 60, 3600, 3 * 3600].into_iter().map(Duration::from_secs).collect(),
            max_attempts: 6,
        }
    }
}

impl RetryPolicy {
    /// Wait after the `attempts`-th attempt was deferred.
    pub fn delay_after(&self, attempts: i16) -> Duration {
        let i = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
        self.delays.get(i).or(self.delays.last()).copied().unwrap_or(Duration::from_secs(300))
    }
}

/// One recipient's result, as written back to the ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryResult {
    pub id: i64,
    pub outcome: SubmitOutcome,
    pub message_id: String,
    /// Whether the relay took the DSN request.
    pub dsn: bool,
}

/// Claims, results and counts over the `delivery` table.
#[derive(Clone, Debug)]
pub struct DeliveryLedger {
    pool: PgPool,
    retry: RetryPolicy,
}

impl DeliveryLedger {
    /// Shares the pool; `retry` decides what a 4xx reply leads to.
    pub fn new(pool: PgPool, retry: RetryPolicy) -> Self {
        Self { pool, retry }
    }

    /// Claims up to `limit` due recipients of `campaign_id` for `worker_id`, oldest first,
    /// leaving out providers in `held` (throttled or backing off). Rows other workers hold
    /// locked are skipped, never waited for.
    pub async fn claim(
        &self,
        campaign_id: i64,
        worker_id: i32,
        limit: i64,
        held: &[Provider],
    ) -> Result<Vec<ClaimedRecipient>> {
        let held: Vec<&str> = held.iter().map(|p| p.as_str()).collect();
        type Row = (i64, Option<i64>, String, String, i16, Option<String>, Option<serde_json::Value>);
        let rows: Vec<Row> = sqlx::query_as(
            "WITH picked AS ( \
                 SELECT id FROM delivery \
                 WHERE campaign_id = $1 AND state IN ('queued', 'deferred') \
                   AND (next_attempt_at IS NULL OR next_attempt_at <= now()) AND provider <> ALL($4) \
                 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED), \
             claimed AS ( \
                 UPDATE delivery d SET state = 'sending', worker_id = $2, attempts = d.attempts + 1, updated_at = now() \
                 FROM picked WHERE d.id = picked.id \
                 RETURNING d.id, d.contact_id, d.email, d.provider, d.attempts) \
             SELECT k.id, k.contact_id, k.email, k.provider, k.attempts, c.name, c.attributes \
             FROM claimed k LEFT JOIN contact c ON c.id = k.contact_id ORDER BY k.id",
        )
        .bind(campaign_id)
        .bind(worker_id)
        .bind(limit)
        .bind(&held)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, contact_id, email, provider, attempts, name, attributes)| ClaimedRecipient {
                id,
                contact_id,
                email,
                name: name.unwrap_or_default(),
                attributes: attributes.unwrap_or(serde_json::Value::Null),
                provider: Provider::parse(&provider),
                attempts,
            })
            .collect())
    }

    /// Writes a batch's replies in one statement: 2xx → submitted, 4xx → deferred until the
    /// retry delay (failed once attempts run out), 5xx → failed. Only rows this worker still
    /// holds are written.
    pub async fn record(&self, worker_id: i32, claimed: &[ClaimedRecipient], results: &[DeliveryResult]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let mut ids = Vec::with_capacity(results.len());
        let mut states = Vec::with_capacity(results.len());
        let mut codes: Vec<i16> = Vec::with_capacity(results.len());
        let mut statuses: Vec<Option<String>> = Vec::with_capacity(results.len());
        let mut replies = Vec::with_capacity(results.len());
        let mut next: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(results.len());
        let mut reasons = Vec::with_capacity(results.len());
        let mut dsn = Vec::with_capacity(results.len());
        let mut message_ids = Vec::with_capacity(results.len());
        for r in results {
            let attempts = claimed.iter().find(|c| c.id == r.id).map_or(1, |c| c.attempts);
            let (state, reply, retry_at, reason) = match &r.outcome {
                SubmitOutcome::Accepted(reply) => (DeliveryState::Submitted, reply, None, String::new()),
                SubmitOutcome::Rejected(reply) => (DeliveryState::Failed, reply, None, "rejected by the relay".into()),
                SubmitOutcome::Deferred(reply) if attempts >= self.retry.max_attempts => {
                    (DeliveryState::Failed, reply, None, format!("still deferred after {attempts} attempts"))
                }
                SubmitOutcome::Deferred(reply) => {
                    let wait = chrono::Duration::from_std(self.retry.delay_after(attempts)).unwrap_or_default();
                    (DeliveryState::Deferred, reply, Some(now + wait), String::new())
                }
            };
            ids.push(r.id);
            states.push(state.as_str());
            codes.push(i16::try_from(reply.code).unwrap_or(i16::MAX));
            statuses.push(reply.enhanced.clone());
            replies.push(reply_text(reply));
            next.push(retry_at);
            reasons.push(reason);
            dsn.push(r.dsn);
            message_ids.push(r.message_id.as_str());
        }
        sqlx::query(
            "UPDATE delivery d SET state = u.state, smtp_code = u.code, smtp_status = u.status, smtp_reply = u.reply, \
                 next_attempt_at = u.next_at, reason = u.reason, dsn = u.dsn, message_id = u.mid, worker_id = NULL, \
                 submitted_at = CASE WHEN u.state = 'submitted' THEN now() ELSE d.submitted_at END, updated_at = now() \
             FROM unnest($1::bigint[], $2::text[], $3::int2[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], \
                         $8::bool[], $9::text[]) AS u(id, state, code, status, reply, next_at, reason, dsn, mid) \
             WHERE d.id = u.id AND d.state = 'sending' AND d.worker_id = $10",
        )
        .bind(&ids)
        .bind(&states)
        .bind(&codes)
        .bind(&statuses)
        .bind(&replies)
        .bind(&next)
        .bind(&reasons)
        .bind(&dsn)
        .bind(&message_ids)
        .bind(worker_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Puts claimed rows that were not (knowingly) submitted back in the queue, without
    /// counting the attempt: a broken connection or a stop is not the recipient's fault.
    pub async fn release(&self, worker_id: i32, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE delivery SET state = CASE WHEN attempts > 1 THEN 'deferred' ELSE 'queued' END, \
                 attempts = greatest(attempts - 1, 0), worker_id = NULL, updated_at = now() \
             WHERE id = ANY($1) AND state = 'sending' AND worker_id = $2",
        )
        .bind(ids)
        .bind(worker_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Recipients per state.
    pub async fn counts(&self, campaign_id: i64) -> Result<DeliveryCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, count(*) FROM delivery WHERE campaign_id = $1 GROUP BY state")
                .bind(campaign_id)
                .fetch_all(&self.pool)
                .await?;
        let mut counts = DeliveryCounts::default();
        for (state, n) in rows {
            if let Some(state) = DeliveryState::parse(&state) {
                counts.add(state, n);
            }
        }
        Ok(counts)
    }

    /// Messages submitted in the last minute (the live rate).
    pub async fn submitted_last_minute(&self, campaign_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM delivery WHERE campaign_id = $1 AND state <> 'sending' \
             AND submitted_at > now() - interval '1 minute'",
        )
        .bind(campaign_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// Marks the campaign finished if, and only if, no recipient is pending; true when it did.
    pub async fn finish_if_done(&self, campaign_id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE campaign SET status = 'finished', finished_at = now(), waiting_reason = '', updated_at = now() \
             WHERE id = $1 AND status = 'sending' AND NOT EXISTS ( \
                 SELECT 1 FROM delivery WHERE campaign_id = $1 AND state IN ('queued', 'sending', 'deferred'))",
        )
        .bind(campaign_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// When the next deferred recipient of the campaign is due (None: nothing deferred).
    pub async fn next_due(&self, campaign_id: i64) -> Result<Option<DateTime<Utc>>> {
        Ok(sqlx::query_scalar(
            "SELECT min(next_attempt_at) FROM delivery WHERE campaign_id = $1 AND state = 'deferred'",
        )
        .bind(campaign_id)
        .fetch_one(&self.pool)
        .await?)
    }
}

/// The reply as stored: code, enhanced status and text on one line.
fn reply_text(reply: &SmtpReply) -> String {
    let mut s = reply.code.to_string();
    if let Some(e) = &reply.enhanced
        && !reply.text.starts_with(e.as_str())
    {
        s.push(' ');
        s.push_str(e);
    }
    if !reply.text.is_empty() {
        s.push(' ');
        s.push_str(&reply.text);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn recipient(name: &str, attributes: serde_json::Value) -> ClaimedRecipient {
        ClaimedRecipient {
            id: 1,
            contact_id: Some(1),
            email: "ann@example.com".into(),
            name: name.into(),
            attributes,
            provider: Provider::Other,
            attempts: 1,
        }
    }

    #[test]
    fn merge_fields_come_from_the_contact_and_its_attributes() {
        let r = recipient("Ann Lee Smith", json!({"plan": "pro", "seats": 3, "vip": true, "tags": ["a", "b"]}));
        assert_eq!(r.field("email").as_deref(), Some("ann@example.com"));
        assert_eq!(r.field("first_name").as_deref(), Some("Ann"));
        assert_eq!(r.field("last_name").as_deref(), Some("Lee Smith"));
        assert_eq!(r.field("contact.plan").as_deref(), Some("pro"));
        assert_eq!(r.field("seats").as_deref(), Some("3"));
        assert_eq!(r.field("vip").as_deref(), Some("true"));
        assert_eq!(r.field("tags").as_deref(), Some("a, b"));
        assert_eq!(r.field("missing"), None);
        let named = recipient("Ann", json!({"first_name": "Annie"}));
        assert_eq!(named.field("first_name").as_deref(), Some("Annie"));
        assert_eq!(named.field("last_name"), None);
    }

    #[test]
    fn retry_delays_grow_then_repeat() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_after(1), Duration::from_secs(300));
        assert_eq!(p.delay_after(4), Duration::from_secs(3 * 3600));
        assert_eq!(p.delay_after(9), Duration::from_secs(3 * 3600));
    }

    #[test]
    fn stored_replies_keep_code_status_and_text() {
        let r = SmtpReply { code: 550, enhanced: Some("5.1.1".into()), text: "5.1.1 no such user".into() };
        assert_eq!(reply_text(&r), "550 5.1.1 no such user");
        let r = SmtpReply { code: 250, enhanced: None, text: "Ok".into() };
        assert_eq!(reply_text(&r), "250 Ok");
    }
}
