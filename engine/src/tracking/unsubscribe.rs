//! Unsubscribing one recipient of a campaign: from the one-click `List-Unsubscribe-Post`
//! (RFC 8058), the unsubscribe page, the mailto address and complaints.
//!
//! Unlike opens and clicks this is written at once, in one transaction, before the answer:
//! a recipient who was told "you are unsubscribed" must never get the next campaign because
//! an in-memory queue was lost. Every change is idempotent (a second request changes nothing
//! and says so), and suppression rows are written by address, so they hold even if the
//! contact is deleted and imported again.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::TrackingError;
use super::campaign_events::{CampaignEventRow, CampaignEventRows, insert_campaign_events};

/// Which subscriptions a request ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnsubscribeScope {
    /// The lists the campaign was sent to (what "unsubscribe" under one newsletter means);
    /// everything when the campaign went to segments only, since no list can be named.
    CampaignLists,
    /// These lists (the choices on the unsubscribe page).
    Lists(Vec<i64>),
    /// Every list, and a global suppression of the address.
    Everything,
}

/// Where the request came from, recorded on the contact's timeline and the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsubscribeSource {
    /// RFC 8058 one-click POST from the mailbox provider's "unsubscribe" button.
    OneClick,
    /// The unsubscribe page.
    Page,
    /// A message to the `List-Unsubscribe` mailto address.
    Mailto,
    /// A spam complaint (feedback loop).
    Complaint,
}

impl UnsubscribeSource {
    /// The text stored in event details.
    pub fn as_str(self) -> &'static str {
        match self {
            UnsubscribeSource::OneClick => "one-click",
            UnsubscribeSource::Page => "page",
            UnsubscribeSource::Mailto => "mailto",
            UnsubscribeSource::Complaint => "complaint",
        }
    }
}

/// What an unsubscribe changed, for the confirmation page and the inbound report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsubscribeOutcome {
    /// The recipient's address.
    pub email: String,
    /// Names of the lists this request unsubscribed the address from.
    pub lists: Vec<String>,
    /// The address is now suppressed for every list.
    pub everything: bool,
    /// Nothing changed: the address was already unsubscribed from what was asked.
    pub already: bool,
}

/// What the unsubscribe page offers a recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionChoices {
    pub email: String,
    pub campaign_name: String,
    /// The contact's lists that may be shown publicly: public lists and the lists of this
    /// campaign (private lists are covered by "everything" without naming them).
    pub lists: Vec<ListChoice>,
    /// The address is already suppressed globally.
    pub unsubscribed_everywhere: bool,
}

/// One list on the unsubscribe page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListChoice {
    pub id: i64,
    pub name: String,
    /// `subscribed`, `unconfirmed` or `unsubscribed`.
    pub status: String,
    /// The campaign was sent to this list (pre-checked on the page).
    pub in_this_campaign: bool,
}

/// The ledger row and campaign an unsubscribe is about.
struct Recipient {
    email: String,
    contact_id: Option<i64>,
    unsubscribed_at: Option<DateTime<Utc>>,
    campaign_name: String,
    campaign_lists: Vec<i64>,
}

/// Unsubscribes the recipient `delivery_id` of `campaign_id` from `scope`, in one
/// transaction: memberships set to `unsubscribed`, suppression rows (per list, or global for
/// everything), a timeline entry, the ledger's `unsubscribed_at` and an `unsubscribe` event
/// (counted once per recipient by the rollups). `NotFound` when the recipient does not exist.
pub async fn unsubscribe(
    pool: &PgPool,
    campaign_id: i64,
    delivery_id: i64,
    scope: UnsubscribeScope,
    source: UnsubscribeSource,
) -> Result<UnsubscribeOutcome, TrackingError> {
    let mut tx = pool.begin().await?;
    let r = recipient(&mut tx, campaign_id, delivery_id, true).await?;
    let memberships: Vec<i64> = match r.contact_id {
        Some(contact_id) => {
            sqlx::query_scalar("SELECT list_id FROM list_membership WHERE contact_id = $1")
                .bind(contact_id)
                .fetch_all(&mut *tx)
                .await?
        }
        None => Vec::new(),
    };
    // The campaign's lists when it was sent to lists that still exist; otherwise (segments
    // only, or its lists deleted) no list can be named and everything is stopped.
    let campaign_scope = scope == UnsubscribeScope::CampaignLists;
    let mut everything = scope == UnsubscribeScope::Everything;
    let mut targets = match scope {
        UnsubscribeScope::CampaignLists => lists_named(&mut tx, &r.campaign_lists).await?,
        UnsubscribeScope::Lists(ids) => {
            let offered: Vec<i64> =
                ids.into_iter().filter(|id| memberships.contains(id) || r.campaign_lists.contains(id)).collect();
            lists_named(&mut tx, &offered).await?
        }
        UnsubscribeScope::Everything => Vec::new(),
    };
    if campaign_scope && targets.is_empty() {
        everything = true;
    }
    if everything {
        targets = lists_named(&mut tx, &memberships).await?;
    }
    let target_ids: Vec<i64> = targets.iter().map(|t| t.0).collect();
    let now = Utc::now();
    let note = source.as_str();

    let left: Vec<i64> = match r.contact_id {
        Some(contact_id) if !target_ids.is_empty() => {
            sqlx::query_scalar(
                "UPDATE list_membership SET status = 'unsubscribed', updated_at = $3 \
                 WHERE contact_id = $1 AND list_id = ANY($2) AND status <> 'unsubscribed' RETURNING list_id",
            )
            .bind(contact_id)
            .bind(&target_ids)
            .bind(now)
            .fetch_all(&mut *tx)
            .await?
        }
        _ => Vec::new(),
    };
    let (suppressed_lists, suppressed_globally): (Vec<i64>, bool) = if everything {
        let inserted = sqlx::query(
            "INSERT INTO suppression (email, list_id, reason, note) VALUES (lower($1), NULL, 'unsubscribe', $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&r.email)
        .bind(note)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        (Vec::new(), inserted > 0)
    } else {
        let lists: Vec<Option<i64>> = sqlx::query_scalar(
            "INSERT INTO suppression (email, list_id, reason, note) \
             SELECT lower($1), l, 'unsubscribe', $3 FROM unnest($2::bigint[]) AS l \
             ON CONFLICT DO NOTHING RETURNING list_id",
        )
        .bind(&r.email)
        .bind(&target_ids)
        .bind(note)
        .fetch_all(&mut *tx)
        .await?;
        (lists.into_iter().flatten().collect(), false)
    };
    let names: Vec<String> = targets
        .iter()
        .filter(|(id, _)| left.contains(id) || suppressed_lists.contains(id))
        .map(|(_, name)| name.clone())
        .collect();
    let already = left.is_empty() && suppressed_lists.is_empty() && !suppressed_globally;

    if !already && let Some(contact_id) = r.contact_id {
        let what = if everything { "everything".to_owned() } else { names.join(", ") };
        sqlx::query(
            "INSERT INTO contact_event (contact_id, kind, campaign_id, detail, at) \
             SELECT id, 'unsubscribed', $2, $3, $4 FROM contact WHERE id = $1",
        )
        .bind(contact_id)
        .bind(campaign_id)
        .bind(format!("{note}: {what}"))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    // The recipient's first unsubscribe from this campaign (an empty choice is none).
    let first = r.unsubscribed_at.is_none() && (everything || !targets.is_empty());
    if first {
        sqlx::query("UPDATE delivery SET unsubscribed_at = COALESCE(unsubscribed_at, $2) WHERE id = $1")
            .bind(delivery_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    if first || !already {
        let mut rows = CampaignEventRows::with_capacity(1);
        rows.push(CampaignEventRow {
            occurred_at: now,
            campaign_id,
            delivery_id,
            kind: "unsubscribe",
            machine: false,
            first_any: first,
            first_human: first,
            link_index: None,
            detail: note,
        });
        insert_campaign_events(&mut tx, &rows).await?;
    }
    tx.commit().await?;
    Ok(UnsubscribeOutcome { email: r.email, lists: names, everything, already })
}

/// The lists among `ids` that exist, with their names, by name (a campaign may name a
/// deleted list, a form any number).
async fn lists_named(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as("SELECT id, name FROM contact_list WHERE id = ANY($1) ORDER BY lower(name), id")
        .bind(ids)
        .fetch_all(conn)
        .await
}

/// The address, the campaign and the contact's lists, for the unsubscribe page.
/// `NotFound` when the recipient does not exist.
pub async fn subscription_choices(
    pool: &PgPool,
    campaign_id: i64,
    delivery_id: i64,
) -> Result<SubscriptionChoices, TrackingError> {
    let mut conn = pool.acquire().await?;
    let r = recipient(&mut conn, campaign_id, delivery_id, false).await?;
    let lists: Vec<(i64, String, String, String)> = match r.contact_id {
        Some(contact_id) => {
            sqlx::query_as(
                "SELECT l.id, l.name, m.status, l.visibility FROM list_membership m \
                 JOIN contact_list l ON l.id = m.list_id WHERE m.contact_id = $1 ORDER BY lower(l.name), l.id",
            )
            .bind(contact_id)
            .fetch_all(&mut *conn)
            .await?
        }
        None => Vec::new(),
    };
    let unsubscribed_everywhere: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM suppression WHERE email = lower($1) AND list_id IS NULL)")
            .bind(&r.email)
            .fetch_one(&mut *conn)
            .await?;
    let lists = lists
        .into_iter()
        .filter_map(|(id, name, status, visibility)| {
            let in_this_campaign = r.campaign_lists.contains(&id);
            (in_this_campaign || visibility == "public").then_some(ListChoice { id, name, status, in_this_campaign })
        })
        .collect();
    Ok(SubscriptionChoices { email: r.email, campaign_name: r.campaign_name, lists, unsubscribed_everywhere })
}

/// Reads (and with `lock`, locks until the transaction ends, so two unsubscribes of one
/// recipient serialise) the ledger row and its campaign.
async fn recipient(
    conn: &mut PgConnection,
    campaign_id: i64,
    delivery_id: i64,
    lock: bool,
) -> Result<Recipient, TrackingError> {
    let sql = if lock {
        "SELECT d.email, d.contact_id, d.unsubscribed_at, c.name, c.list_ids FROM delivery d \
         JOIN campaign c ON c.id = d.campaign_id WHERE d.id = $1 AND d.campaign_id = $2 FOR NO KEY UPDATE OF d"
    } else {
        "SELECT d.email, d.contact_id, d.unsubscribed_at, c.name, c.list_ids FROM delivery d \
         JOIN campaign c ON c.id = d.campaign_id WHERE d.id = $1 AND d.campaign_id = $2"
    };
    type Row = (String, Option<i64>, Option<DateTime<Utc>>, String, Vec<i64>);
    let row: Option<Row> = sqlx::query_as(sql).bind(delivery_id).bind(campaign_id).fetch_optional(conn).await?;
    let (email, contact_id, unsubscribed_at, campaign_name, campaign_lists) =
        row.ok_or(TrackingError::NotFound { campaign_id, delivery_id })?;
    Ok(Recipient { email, contact_id, unsubscribed_at, campaign_name, campaign_lists })
}
