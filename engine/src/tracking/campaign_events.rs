//! Writing rows into the month-partitioned `campaign_event` table.
//!
//! Rows go in with one `INSERT … SELECT FROM unnest(…)` per batch, which also fires the
//! rollup trigger once per batch. A row dated in a month whose partition does not exist yet
//! (the first event after a month starts, or a clock far ahead) fails with "no partition of
//! relation … found for row"; the insert then creates the missing partitions and is tried
//! once more, inside a savepoint so the caller's transaction survives the first failure.

use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection};

/// SQLSTATE PostgreSQL answers when no partition accepts a row (`check_violation`).
const NO_PARTITION_SQLSTATE: &str = "23514";

/// Columns of a batch of `campaign_event` rows, one vector per column (all the same length),
/// as the `unnest` insert binds them.
#[derive(Debug, Default)]
pub struct CampaignEventRows {
    pub occurred_at: Vec<DateTime<Utc>>,
    pub campaign_id: Vec<i64>,
    pub delivery_id: Vec<i64>,
    /// `open`, `click`, `web_view`, `unsubscribe`, `delivered`, `bounce`, …
    pub kind: Vec<String>,
    pub machine: Vec<bool>,
    pub first_any: Vec<bool>,
    pub first_human: Vec<bool>,
    pub link_index: Vec<Option<i32>>,
    pub detail: Vec<String>,
}

/// One `campaign_event` row, for [`CampaignEventRows::push`].
#[derive(Debug, Clone)]
pub struct CampaignEventRow<'a> {
    pub occurred_at: DateTime<Utc>,
    pub campaign_id: i64,
    pub delivery_id: i64,
    pub kind: &'a str,
    pub machine: bool,
    pub first_any: bool,
    pub first_human: bool,
    pub link_index: Option<i32>,
    pub detail: &'a str,
}

impl CampaignEventRows {
    /// Room for `n` rows.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            occurred_at: Vec::with_capacity(n),
            campaign_id: Vec::with_capacity(n),
            delivery_id: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            machine: Vec::with_capacity(n),
            first_any: Vec::with_capacity(n),
            first_human: Vec::with_capacity(n),
            link_index: Vec::with_capacity(n),
            detail: Vec::with_capacity(n),
        }
    }

    /// Appends one row to every column.
    pub fn push(&mut self, row: CampaignEventRow<'_>) {
        self.occurred_at.push(row.occurred_at);
        self.campaign_id.push(row.campaign_id);
        self.delivery_id.push(row.delivery_id);
        self.kind.push(row.kind.to_owned());
        self.machine.push(row.machine);
        self.first_any.push(row.first_any);
        self.first_human.push(row.first_human);
        self.link_index.push(row.link_index);
        self.detail.push(row.detail.to_owned());
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.occurred_at.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.occurred_at.is_empty()
    }
}

/// Inserts `rows` on `conn` (inside the caller's transaction), creating missing month
/// partitions and retrying once when PostgreSQL finds no partition for a row.
pub async fn insert_campaign_events(conn: &mut PgConnection, rows: &CampaignEventRows) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    {
        let mut savepoint = Connection::begin(&mut *conn).await?;
        let attempt = insert(&mut savepoint, rows).await;
        match attempt {
            Ok(()) => return savepoint.commit().await,
            Err(e) if is_missing_partition(&e) => {
                savepoint.rollback().await?;
                tracing::info!("creating the campaign_event partition for a new month");
            }
            Err(e) => return Err(e),
        }
    }
    ensure_partitions(&mut *conn, &rows.occurred_at).await?;
    insert(conn, rows).await
}

/// Creates (if missing) the month partition of each distinct month in `times`.
pub async fn ensure_partitions(conn: &mut PgConnection, times: &[DateTime<Utc>]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "SELECT ensure_campaign_event_partition(m) \
         FROM (SELECT DISTINCT date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m \
               FROM unnest($1::timestamptz[]) AS t) months",
    )
    .bind(times)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `e` is PostgreSQL refusing a row no partition accepts.
pub fn is_missing_partition(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.code().as_deref() == Some(NO_PARTITION_SQLSTATE) && d.message().contains("no partition"))
}

async fn insert(conn: &mut PgConnection, rows: &CampaignEventRows) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO campaign_event (occurred_at, campaign_id, delivery_id, kind, machine, first_any, first_human, \
             link_index, detail) \
         SELECT * FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[], $4::text[], $5::boolean[], \
             $6::boolean[], $7::boolean[], $8::integer[], $9::text[])",
    )
    .bind(&rows.occurred_at)
    .bind(&rows.campaign_id)
    .bind(&rows.delivery_id)
    .bind(&rows.kind)
    .bind(&rows.machine)
    .bind(&rows.first_any)
    .bind(&rows.first_human)
    .bind(&rows.link_index)
    .bind(&rows.detail)
    .execute(conn)
    .await?;
    Ok(())
}
