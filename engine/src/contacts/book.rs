//! Contacts one at a time: the table, the detail page, the form, list memberships, and the
//! privacy duties (export one person's data, erase it).

use chrono::{DateTime, Utc};
use model::contacts::{
    BulkAction, BulkOutcome, Contact, ContactDetail, ContactInput, ContactQuery, ContactRow, EventKind, ListStatus,
    Membership, Selection, TimelineEntry, normalize_tag,
};
use model::{Page, PageRequest, SortDirection};
use sea_query::{Alias, Expr, NullOrdering, Order, PostgresQueryBuilder, Query};
use sea_query_binder::SqlxBinder;
use sqlx::{PgPool, Postgres, Transaction};

use super::attributes::{check_values, load as load_attributes};
use super::email::normalize_email;
use super::selection::query_condition;
use super::suppression::for_email as suppressions_for;
use super::{ContactError, Result, apply_bulk};

/// The `contact` table and the rows hanging off it.
#[derive(Clone, Debug)]
pub struct ContactBook {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct ContactRecord {
    id: i64,
    email: String,
    name: String,
    attributes: sqlx::types::Json<serde_json::Map<String, serde_json::Value>>,
    tags: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_activity_at: Option<DateTime<Utc>>,
}

impl From<ContactRecord> for Contact {
    fn from(r: ContactRecord) -> Self {
        Self {
            id: r.id,
            email: r.email,
            name: r.name,
            attributes: r.attributes.0,
            tags: r.tags,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_activity_at: r.last_activity_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct TableRow {
    id: i64,
    email: String,
    name: String,
    tags: Vec<String>,
    subscribed_lists: i64,
    suppressed: bool,
    created_at: DateTime<Utc>,
    last_activity_at: Option<DateTime<Utc>>,
}

/// Sort keys of the contacts table → SQL (a whitelist: nothing the client sends is spliced).
const SORTS: &[(&str, &str)] = &[
    ("created_at", "c.created_at"),
    ("email", "c.email"),
    ("name", "lower(c.name)"),
    ("last_activity_at", "c.last_activity_at"),
];

const SELECT_CONTACT: &str =
    "SELECT id, email, name, attributes, tags, created_at, updated_at, last_activity_at FROM contact";

/// A contact's form input, checked and normalised.
struct CheckedInput {
    email: String,
    name: String,
    attributes: serde_json::Value,
    tags: Vec<String>,
}

async fn check_input(pool: &PgPool, input: &ContactInput) -> Result<CheckedInput> {
    let email = normalize_email(&input.email)?;
    let name = input.name.trim().to_owned();
    if name.chars().count() > 200 {
        return Err(ContactError::NameTooLong);
    }
    let mut tags = Vec::with_capacity(input.tags.len());
    for raw in &input.tags {
        let tag = normalize_tag(raw).ok_or_else(|| ContactError::InvalidTag(raw.clone()))?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let defs = load_attributes(pool).await?;
    check_values(&input.attributes, &defs)?;
    let attributes: serde_json::Map<String, serde_json::Value> =
        input.attributes.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
    Ok(CheckedInput { email, name, attributes: serde_json::Value::Object(attributes), tags })
}

fn email_taken(e: sqlx::Error, email: &str) -> ContactError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => ContactError::EmailTaken(email.to_owned()),
        other => other.into(),
    }
}

/// Appends one line to a contact's timeline inside `tx`.
pub(crate) async fn record_event(
    tx: &mut Transaction<'_, Postgres>,
    contact_id: i64,
    kind: EventKind,
    list_id: Option<i64>,
    detail: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO contact_event (contact_id, kind, list_id, detail) VALUES ($1, $2, $3, $4)")
        .bind(contact_id)
        .bind(kind.as_str())
        .bind(list_id)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl ContactBook {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// One page of the contacts table for a search and filter.
    pub async fn list(&self, q: &ContactQuery, req: &PageRequest) -> Result<Page<ContactRow>> {
        let cond = query_condition(q, Utc::now())?;
        let (sql, values) = Query::select()
            .expr(Expr::cust("count(*)"))
            .from_as(Alias::new("contact"), Alias::new("c"))
            .and_where(cond.clone())
            .build_sqlx(PostgresQueryBuilder);
        let total: i64 = sqlx::query_scalar_with(&sql, values).fetch_one(&self.pool).await?;

        let sort = SORTS.iter().find(|(k, _)| *k == req.sort).or(SORTS.first()).map_or("c.created_at", |(_, s)| s);
        let order = match req.direction {
            SortDirection::Ascending => Order::Asc,
            SortDirection::Descending => Order::Desc,
        };
        let mut select = Query::select();
        select
            .exprs([
                Expr::cust("c.id"),
                Expr::cust("c.email"),
                Expr::cust("c.name"),
                Expr::cust("c.tags"),
                Expr::cust("c.created_at"),
                Expr::cust("c.last_activity_at"),
            ])
            .expr_as(
                // Subscribed memberships are the list keys ending in status code 2 (migration 0005).
                Expr::cust("(SELECT count(*) FROM unnest(c.list_keys) AS k WHERE k % 4 = 2)"),
                Alias::new("subscribed_lists"),
            )
            .expr_as(
                Expr::cust("EXISTS (SELECT 1 FROM suppression s WHERE s.email = c.email AND s.list_id IS NULL)"),
                Alias::new("suppressed"),
            )
            .from_as(Alias::new("contact"), Alias::new("c"))
            .and_where(cond);
        // Only the nullable column gets a NULLS clause ("never active" last either way); the
        // others keep the default so the (column, id) indexes serve the page without a sort.
        if sort == "c.last_activity_at" {
            select.order_by_expr_with_nulls(Expr::cust(sort), order.clone(), NullOrdering::Last);
        } else {
            select.order_by_expr(Expr::cust(sort), order.clone());
        }
        let (sql, values) = select
            .order_by_expr(Expr::cust("c.id"), order)
            .limit(req.limit().unsigned_abs())
            .offset(req.offset().unsigned_abs())
            .build_sqlx(PostgresQueryBuilder);
        let rows: Vec<TableRow> = sqlx::query_as_with(&sql, values).fetch_all(&self.pool).await?;
        let rows = rows
            .into_iter()
            .map(|r| ContactRow {
                id: r.id,
                email: r.email,
                name: r.name,
                tags: r.tags,
                subscribed_lists: r.subscribed_lists,
                suppressed: r.suppressed,
                created_at: r.created_at,
                last_activity_at: r.last_activity_at,
            })
            .collect();
        Ok(Page { rows, total })
    }

    async fn contact(&self, id: i64) -> Result<Contact> {
        let row: Option<ContactRecord> =
            sqlx::query_as(&format!("{SELECT_CONTACT} WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.map(Into::into).ok_or(ContactError::ContactNotFound(id))
    }

    /// Everything the contact page shows.
    pub async fn get(&self, id: i64) -> Result<ContactDetail> {
        let contact = self.contact(id).await?;
        let memberships = self.memberships(id).await?;
        let suppressions = suppressions_for(&self.pool, &contact.email).await?;
        let timeline = self.timeline(id, 200).await?;
        Ok(ContactDetail { contact, memberships, suppressions, timeline })
    }

    async fn memberships(&self, id: i64) -> Result<Vec<Membership>> {
        type Row = (i64, String, String, Option<DateTime<Utc>>, Option<String>, String, DateTime<Utc>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT l.id, l.name, m.status, m.consent_at, host(m.consent_ip), m.consent_source, m.updated_at \
             FROM list_membership m JOIN contact_list l ON l.id = m.list_id WHERE m.contact_id = $1 \
             ORDER BY lower(l.name)",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(list_id, list_name, status, consent_at, consent_ip, consent_source, updated_at)| Membership {
                list_id,
                list_name,
                status: ListStatus::parse(&status).unwrap_or(ListStatus::Unconfirmed),
                consent_at,
                consent_ip,
                consent_source,
                updated_at,
            })
            .collect())
    }

    async fn timeline(&self, id: i64, limit: i64) -> Result<Vec<TimelineEntry>> {
        type Row = (String, DateTime<Utc>, Option<String>, Option<String>, String);
        // Events, plus the import that created the contact (kept on the contact, not as one
        // event row per imported contact).
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT kind, at, list_name, campaign_name, detail FROM ( \
               SELECT e.kind, e.at, l.name AS list_name, k.name AS campaign_name, e.detail, e.id FROM contact_event e \
               LEFT JOIN contact_list l ON l.id = e.list_id LEFT JOIN campaign k ON k.id = e.campaign_id \
               WHERE e.contact_id = $1 \
               UNION ALL \
               SELECT 'imported', c.created_at, NULL, NULL, i.file_name, 0 FROM contact c \
               JOIN contact_import i ON i.id = c.import_id WHERE c.id = $1 \
             ) t ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, at, list_name, campaign_name, detail)| {
                Some(TimelineEntry { kind: EventKind::parse(&kind)?, at, list_name, campaign_name, detail })
            })
            .collect())
    }

    /// Adds a contact by hand.
    pub async fn create(&self, input: &ContactInput, by: &str) -> Result<Contact> {
        let c = check_input(&self.pool, input).await?;
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact (email, name, attributes, tags) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&c.email)
        .bind(&c.name)
        .bind(&c.attributes)
        .bind(&c.tags)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| email_taken(e, &c.email))?;
        record_event(&mut tx, id, EventKind::Created, None, &format!("by {by}")).await?;
        tx.commit().await?;
        self.contact(id).await
    }

    /// Replaces a contact's address, name, attributes and tags.
    pub async fn update(&self, id: i64, input: &ContactInput) -> Result<Contact> {
        let c = check_input(&self.pool, input).await?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE contact SET email = $2, name = $3, attributes = $4, tags = $5, updated_at = now() WHERE id = $1",
        )
        .bind(id)
        .bind(&c.email)
        .bind(&c.name)
        .bind(&c.attributes)
        .bind(&c.tags)
        .execute(&mut *tx)
        .await
        .map_err(|e| email_taken(e, &c.email))?;
        if done.rows_affected() == 0 {
            return Err(ContactError::ContactNotFound(id));
        }
        record_event(&mut tx, id, EventKind::Updated, None, "").await?;
        tx.commit().await?;
        self.contact(id).await
    }

    /// Puts the contact on a list with `status` (or changes its status there). Consent time
    /// and source are recorded when it becomes subscribed.
    pub async fn set_membership(&self, id: i64, list_id: i64, status: ListStatus, source: &str) -> Result<()> {
        self.contact(id).await?;
        super::lists::Lists::ensure_exist(&self.pool, &[list_id]).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO list_membership (list_id, contact_id, status, consent_at, consent_source) \
             VALUES ($1, $2, $3, CASE WHEN $3 = 'subscribed' THEN now() END, $4) \
             ON CONFLICT (list_id, contact_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now(), \
               consent_at = CASE WHEN EXCLUDED.status = 'subscribed' AND list_membership.status <> 'subscribed' \
                                 THEN now() ELSE list_membership.consent_at END, \
               consent_source = CASE WHEN EXCLUDED.status = 'subscribed' AND list_membership.status <> 'subscribed' \
                                 THEN EXCLUDED.consent_source ELSE list_membership.consent_source END",
        )
        .bind(list_id)
        .bind(id)
        .bind(status.as_str())
        .bind(source)
        .execute(&mut *tx)
        .await?;
        let (kind, detail) = match status {
            ListStatus::Subscribed => (EventKind::Subscribed, source.to_owned()),
            ListStatus::Unconfirmed => (EventKind::Subscribed, format!("awaiting confirmation; {source}")),
            ListStatus::Unsubscribed => (EventKind::Unsubscribed, source.to_owned()),
        };
        record_event(&mut tx, id, kind, Some(list_id), &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the contact off a list (no unsubscribe is recorded: use the status for that).
    pub async fn remove_membership(&self, id: i64, list_id: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM list_membership WHERE contact_id = $1 AND list_id = $2")
            .bind(id)
            .bind(list_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(ContactError::ListNotFound(list_id));
        }
        record_event(&mut tx, id, EventKind::RemovedFromList, Some(list_id), "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// A bulk action on a selection or a whole filter result.
    pub async fn bulk(&self, sel: &Selection, action: &BulkAction, by: &str) -> Result<BulkOutcome> {
        apply_bulk(&self.pool, sel, action, by).await
    }

    /// Every tag in use with how many contacts carry it, for pickers and the filter bar.
    pub async fn tags(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as("SELECT t, count(*) FROM contact, unnest(tags) t GROUP BY t ORDER BY t")
            .fetch_all(&self.pool)
            .await?)
    }

    /// GDPR erasure: the contact, its memberships, timeline and any import-error line that
    /// quotes the address are deleted in one transaction. A suppression of the address is
    /// kept (it is what stops the address being mailed again if it is re-imported).
    pub async fn erase(&self, id: i64) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let email: Option<String> = sqlx::query_scalar("DELETE FROM contact WHERE id = $1 RETURNING email")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let email = email.ok_or(ContactError::ContactNotFound(id))?;
        sqlx::query("DELETE FROM contact_import_error WHERE strpos(lower(content), $1) > 0")
            .bind(&email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(email)
    }

    /// GDPR access: everything stored about one contact, as JSON.
    pub async fn personal_data(&self, id: i64) -> Result<serde_json::Value> {
        let detail = self.get(id).await?;
        let all_events = self.timeline(id, i64::MAX).await?;
        Ok(serde_json::json!({
            "contact": detail.contact,
            "lists": detail.memberships,
            "suppressions": detail.suppressions,
            "events": all_events,
            "exported_at": Utc::now(),
        }))
    }
}
