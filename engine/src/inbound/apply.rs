//! Applying one parsed report to the recipient it is about: the ledger row's state and DSN
//! details, the contact's timeline, the campaign's events (and so its rollups), and the
//! suppression rules — all in one transaction, so a report is either fully counted or (after
//! a failure) retried by Postfix and counted once.

use sqlx::{PgPool, Postgres, Transaction};

use super::InboundError;
use super::policy::BouncePolicy;
use crate::bounces::{BounceClass, BounceReport, RecipientResult, ReportKind};

/// The ledger row a report is about.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeliveryRef {
    pub id: i64,
    pub campaign_id: i64,
    pub contact_id: Option<i64>,
    pub email: String,
    pub state: String,
}

impl DeliveryRef {
    /// Row `delivery_id` of campaign `campaign_id`, if it exists.
    pub async fn load(pool: &PgPool, campaign_id: i64, delivery_id: i64) -> Result<Option<Self>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, campaign_id, contact_id, email, state FROM delivery WHERE id = $1 AND campaign_id = $2",
        )
        .bind(delivery_id)
        .bind(campaign_id)
        .fetch_optional(pool)
        .await
    }

    /// The row whose stored Message-ID is exactly `message_id` (reports without our VERP
    /// address name the original message instead).
    pub async fn by_message_id(pool: &PgPool, message_id: &str) -> Result<Option<Self>, sqlx::Error> {
        let Some((delivery, campaign)) = super::address::ids_from_message_id(message_id) else {
            return Ok(None);
        };
        let bare = message_id.trim().trim_start_matches('<').trim_end_matches('>');
        sqlx::query_as(
            "SELECT id, campaign_id, contact_id, email, state FROM delivery \
             WHERE id = $1 AND campaign_id = $2 AND trim(both '<>' from message_id) = $3",
        )
        .bind(delivery)
        .bind(campaign)
        .bind(bare)
        .fetch_optional(pool)
        .await
    }
}

/// What applying a report did, in words stored on the `inbound_report` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub outcome: String,
    /// The report was a complaint and the policy says to unsubscribe the recipient.
    pub unsubscribe: bool,
}

/// The result in `report` that is about `d` (its address), else the first one.
pub fn result_for<'a>(report: &'a BounceReport, d: &DeliveryRef) -> Option<&'a RecipientResult> {
    report.recipients.iter().find(|r| r.recipient.eq_ignore_ascii_case(&d.email)).or_else(|| report.recipients.first())
}

/// Records `report` against `d`.
pub async fn apply(
    pool: &PgPool,
    policy: &BouncePolicy,
    d: &DeliveryRef,
    report: &BounceReport,
) -> Result<Applied, InboundError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT ensure_campaign_event_partition(now())").execute(&mut *tx).await?;
    let result = result_for(report, d);
    let applied = match (report.kind, result) {
        (ReportKind::AutoReply, _) => {
            event(&mut tx, d, "auto_reply", false, "").await?;
            Applied { outcome: "auto-reply recorded".into(), unsubscribe: false }
        }
        (ReportKind::Complaint, r) => complaint(&mut tx, policy, d, r).await?,
        (_, Some(r)) if r.class == BounceClass::Delivered => delivered(&mut tx, d, r).await?,
        (_, Some(r)) if r.action.eq_ignore_ascii_case("delayed") => delayed(&mut tx, d, r).await?,
        (_, Some(r)) => bounced(&mut tx, policy, d, r).await?,
        (_, None) => Applied { outcome: "no recipient result in the report".into(), unsubscribe: false },
    };
    tx.commit().await?;
    Ok(applied)
}

type Tx<'a> = Transaction<'a, Postgres>;

/// Writes the DSN details of `r` on the row, moving it to `state` when it is in one of `from`.
/// Returns whether the state changed.
async fn set_state(
    tx: &mut Tx<'_>,
    d: &DeliveryRef,
    state: &str,
    from: &[&str],
    r: &RecipientResult,
) -> Result<bool, sqlx::Error> {
    let from: Vec<String> = from.iter().map(|s| (*s).to_owned()).collect();
    let changed: Option<(i64,)> = sqlx::query_as(
        "UPDATE delivery SET state = $2, dsn_action = NULLIF($4, ''), dsn_status = NULLIF($5, ''), \
            remote_mta = NULLIF($6, ''), diagnostic = NULLIF($7, ''), bounce_class = $8, bounce_reason = $9, \
            reported_at = now(), submitted_at = COALESCE(submitted_at, now()), updated_at = now() \
         WHERE id = $1 AND state = ANY($3) RETURNING id",
    )
    .bind(d.id)
    .bind(state)
    .bind(&from)
    .bind(&r.action)
    .bind(&r.status)
    .bind(&r.remote_mta)
    .bind(&r.diagnostic)
    .bind(r.class.as_str())
    .bind(r.reason.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(changed.is_some())
}

async fn delivered(tx: &mut Tx<'_>, d: &DeliveryRef, r: &RecipientResult) -> Result<Applied, InboundError> {
    let changed = set_state(tx, d, "delivered", &["submitted", "sending"], r).await?;
    if changed {
        event(tx, d, "delivered", true, &r.remote_mta).await?;
        timeline(tx, d, "delivered", &describe(r)).await?;
    }
    Ok(Applied {
        outcome: if changed { "delivered".into() } else { format!("delivery notice ignored (row is {})", d.state) },
        unsubscribe: false,
    })
}

/// A "delayed" notice: the receiving side is still trying, so the row keeps its state (a
/// `deferred` state would make the engine send again); the details show why it is slow.
async fn delayed(tx: &mut Tx<'_>, d: &DeliveryRef, r: &RecipientResult) -> Result<Applied, InboundError> {
    sqlx::query(
        "UPDATE delivery SET dsn_action = 'delayed', dsn_status = NULLIF($2, ''), remote_mta = NULLIF($3, ''), \
            diagnostic = NULLIF($4, ''), reported_at = now(), updated_at = now() \
         WHERE id = $1 AND state IN ('submitted', 'sending')",
    )
    .bind(d.id)
    .bind(&r.status)
    .bind(&r.remote_mta)
    .bind(&r.diagnostic)
    .execute(&mut **tx)
    .await?;
    event(tx, d, "deferred", false, &format!("{} {}", r.status, r.reason.as_str())).await?;
    Ok(Applied { outcome: format!("delayed: {}", describe(r)), unsubscribe: false })
}

async fn bounced(
    tx: &mut Tx<'_>,
    policy: &BouncePolicy,
    d: &DeliveryRef,
    r: &RecipientResult,
) -> Result<Applied, InboundError> {
    // A receiving server may accept first and bounce later, so "delivered" can still bounce.
    let changed = set_state(tx, d, "bounced", &["submitted", "sending", "delivered"], r).await?;
    if !changed {
        return Ok(Applied { outcome: format!("bounce ignored (row is {})", d.state), unsubscribe: false });
    }
    let hard = r.class == BounceClass::Hard;
    event(tx, d, "bounce", true, &format!("{}/{}", r.class.as_str(), r.reason.as_str())).await?;
    timeline(tx, d, if hard { "hard_bounced" } else { "soft_bounced" }, &describe(r)).await?;
    let mut outcome = format!("{} bounce: {}", r.class.as_str(), describe(r));
    // Sender-side refusals (blocklists, rate limits, authentication) say nothing about the
    // address: they are the sender's problem to fix and never suppress the recipient.
    if r.reason.says_nothing_about_recipient() {
        outcome.push_str("; the reason is on the sending side, the address is kept");
        return Ok(Applied { outcome, unsubscribe: false });
    }
    if hard && policy.suppress_hard {
        if suppress(tx, &d.email, "hard_bounce", &format!("campaign {}: {}", d.campaign_id, describe(r))).await? {
            timeline(tx, d, "suppressed", "hard bounce").await?;
        }
        outcome.push_str("; suppressed");
    } else if !hard {
        let (recent,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM delivery WHERE email = $1 AND state = 'bounced' AND bounce_class <> 'hard' \
             AND reported_at > now() - make_interval(days => $2)",
        )
        .bind(&d.email)
        .bind(policy.soft_bounce_days)
        .fetch_one(&mut **tx)
        .await?;
        if recent >= i64::from(policy.soft_bounce_limit) {
            let note = format!("{recent} soft bounces within {} days", policy.soft_bounce_days);
            if suppress(tx, &d.email, "soft_bounce", &note).await? {
                timeline(tx, d, "suppressed", &note).await?;
            }
            outcome.push_str(&format!("; suppressed after {note}"));
        } else {
            outcome.push_str(&format!("; {recent} of {} soft bounces allowed", policy.soft_bounce_limit));
        }
    }
    Ok(Applied { outcome, unsubscribe: false })
}

async fn complaint(
    tx: &mut Tx<'_>,
    policy: &BouncePolicy,
    d: &DeliveryRef,
    r: Option<&RecipientResult>,
) -> Result<Applied, InboundError> {
    let feedback = r.and_then(|r| r.feedback_type.clone()).unwrap_or_else(|| "abuse".into());
    let changed: Option<(i64,)> = sqlx::query_as(
        "UPDATE delivery SET state = 'complained', bounce_class = 'complaint', bounce_reason = 'feedback', \
            diagnostic = $2, reported_at = now(), updated_at = now() \
         WHERE id = $1 AND state IN ('submitted', 'sending', 'delivered', 'bounced') RETURNING id",
    )
    .bind(d.id)
    .bind(format!("complaint ({feedback})"))
    .fetch_optional(&mut **tx)
    .await?;
    event(tx, d, "complaint", changed.is_some(), &feedback).await?;
    if changed.is_some() {
        timeline(tx, d, "complained", &format!("feedback type {feedback}")).await?;
        if suppress(tx, &d.email, "complaint", &format!("campaign {}: {feedback} report", d.campaign_id)).await? {
            timeline(tx, d, "suppressed", "complaint").await?;
        }
    }
    Ok(Applied {
        outcome: format!("complaint ({feedback}); suppressed"),
        unsubscribe: changed.is_some() && policy.complaint_unsubscribes,
    })
}

/// "5.1.1 userunknown: <remote text>" for timelines and the report log.
fn describe(r: &RecipientResult) -> String {
    let mut s = String::new();
    if !r.status.is_empty() {
        s.push_str(&r.status);
        s.push(' ');
    }
    s.push_str(r.reason.as_str());
    if !r.diagnostic.is_empty() {
        s.push_str(": ");
        s.extend(r.diagnostic.chars().take(300));
    }
    s
}

/// A global suppression; `false` when the address was already suppressed.
async fn suppress(tx: &mut Tx<'_>, email: &str, reason: &str, note: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO suppression (email, reason, note) VALUES (lower($1), $2, $3) \
         ON CONFLICT (email) WHERE list_id IS NULL DO NOTHING",
    )
    .bind(email)
    .bind(reason)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

async fn timeline(tx: &mut Tx<'_>, d: &DeliveryRef, kind: &str, detail: &str) -> Result<(), sqlx::Error> {
    let Some(contact) = d.contact_id else { return Ok(()) };
    sqlx::query(
        "INSERT INTO contact_event (contact_id, kind, campaign_id, detail) \
         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM contact WHERE id = $1)",
    )
    .bind(contact)
    .bind(kind)
    .bind(d.campaign_id)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn event(tx: &mut Tx<'_>, d: &DeliveryRef, kind: &str, first: bool, detail: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO campaign_event (occurred_at, campaign_id, delivery_id, kind, first_any, first_human, detail) \
         VALUES (now(), $1, $2, $3, $4, $4, $5)",
    )
    .bind(d.campaign_id)
    .bind(d.id)
    .bind(kind)
    .bind(first)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
