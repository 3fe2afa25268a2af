//! Saved segments: named filters the admin reuses for campaigns, exports and bulk actions,
//! evaluated each time they are used, with the live count the builder shows while editing.

use std::time::Instant;

use chrono::{DateTime, Utc};
use model::contacts::{SavedSegment, SegmentCount, SegmentFilter, SegmentInput};
use sea_query::{Alias, Expr, JoinType, PostgresQueryBuilder, Query};
use sea_query_binder::{SqlxBinder, SqlxValues};
use sqlx::PgPool;
use sqlx::types::Json;

use super::segment_sql::compile;
use crate::contacts::ContactError;

type Result<T> = std::result::Result<T, ContactError>;

/// Longest segment name, as the table's CHECK allows.
const MAX_NAME_CHARS: usize = 120;

/// The `segment` table and its rules: names unique regardless of case, filters valid before
/// they are stored.
#[derive(Clone, Debug)]
pub struct Segments {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct SegmentRow {
    id: i64,
    name: String,
    description: String,
    filter: Json<SegmentFilter>,
    last_count: Option<i64>,
    counted_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl From<SegmentRow> for SavedSegment {
    fn from(r: SegmentRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            filter: r.filter.0,
            last_count: r.last_count,
            counted_at: r.counted_at,
            updated_at: r.updated_at,
        }
    }
}

impl Segments {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Every segment, by name, for the segment list and the audience pickers.
    pub async fn list(&self) -> Result<Vec<SavedSegment>> {
        let rows: Vec<SegmentRow> = sqlx::query_as(
            "SELECT id, name, description, filter, last_count, counted_at, updated_at \
             FROM segment ORDER BY lower(name), id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(SavedSegment::from).collect())
    }

    /// One segment, for the builder.
    pub async fn get(&self, id: i64) -> Result<SavedSegment> {
        let row: Option<SegmentRow> = sqlx::query_as(
            "SELECT id, name, description, filter, last_count, counted_at, updated_at \
             FROM segment WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(SavedSegment::from).ok_or(ContactError::SegmentNotFound(id))
    }

    /// Saves a new segment once its name and filter are valid.
    pub async fn create(&self, input: &SegmentInput) -> Result<SavedSegment> {
        let name = checked_name(input)?;
        let row: SegmentRow = sqlx::query_as(
            "INSERT INTO segment (name, description, filter) VALUES ($1, $2, $3) \
             RETURNING id, name, description, filter, last_count, counted_at, updated_at",
        )
        .bind(&name)
        .bind(input.description.trim())
        .bind(Json(input.filter.clone()))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| name_taken(e, &name))?;
        Ok(row.into())
    }

    /// Replaces a segment's name, description and filter; the stored count is dropped because
    /// it described the old filter.
    pub async fn update(&self, id: i64, input: &SegmentInput) -> Result<SavedSegment> {
        let name = checked_name(input)?;
        let row: Option<SegmentRow> = sqlx::query_as(
            "UPDATE segment SET name = $2, description = $3, filter = $4, last_count = NULL, \
             counted_at = NULL, updated_at = now() WHERE id = $1 \
             RETURNING id, name, description, filter, last_count, counted_at, updated_at",
        )
        .bind(id)
        .bind(&name)
        .bind(input.description.trim())
        .bind(Json(input.filter.clone()))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| name_taken(e, &name))?;
        row.map(SavedSegment::from).ok_or(ContactError::SegmentNotFound(id))
    }

    /// Deletes a segment (contacts are untouched: a segment is only a filter).
    pub async fn delete(&self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM segment WHERE id = $1").bind(id).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(ContactError::SegmentNotFound(id));
        }
        Ok(())
    }

    /// Live count for the builder (matching, sendable = not globally suppressed, millis).
    pub async fn count(&self, filter: &SegmentFilter) -> Result<SegmentCount> {
        filter.validate()?;
        let (sql, values) = count_statement(filter, Utc::now());
        let started = Instant::now();
        let mut tx = self.pool.begin().await?;
        sqlx::query(super::segment_sql::WORK_MEM).execute(&mut *tx).await?;
        let (matching, sendable): (i64, i64) = sqlx::query_as_with(&sql, values).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(SegmentCount { matching, sendable, millis })
    }

    /// PostgreSQL's plan for counting `filter` (`EXPLAIN`, not run), one line per node: what
    /// support and the benchmark look at when a count is slow.
    pub async fn plan(&self, filter: &SegmentFilter) -> Result<Vec<String>> {
        filter.validate()?;
        let (sql, values) = count_statement(filter, Utc::now());
        let mut tx = self.pool.begin().await?;
        sqlx::query(super::segment_sql::WORK_MEM).execute(&mut *tx).await?;
        let lines: Vec<String> =
            sqlx::query_scalar_with(&format!("EXPLAIN (COSTS false) {sql}"), values).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(lines)
    }

    /// Counts a saved segment and stores last_count/counted_at.
    pub async fn count_saved(&self, id: i64) -> Result<SegmentCount> {
        let segment = self.get(id).await?;
        let count = self.count(&segment.filter).await?;
        sqlx::query("UPDATE segment SET last_count = $2, counted_at = now() WHERE id = $1")
            .bind(id)
            .bind(count.matching)
            .execute(&self.pool)
            .await?;
        Ok(count)
    }
}

/// The trimmed name, once name and filter pass the rules.
fn checked_name(input: &SegmentInput) -> Result<String> {
    let name = input.name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(ContactError::SegmentName);
    }
    input.filter.validate()?;
    Ok(name.to_owned())
}

/// The unique index on `lower(name)` is the only one a create or update can hit.
fn name_taken(e: sqlx::Error, name: &str) -> ContactError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => ContactError::SegmentNameTaken(name.to_owned()),
        other => ContactError::Database(other),
    }
}

/// One pass over the matching contacts counts both numbers; "sendable" leaves out addresses
/// suppressed for every list (per-list suppressions depend on the campaign's list).
fn count_statement(filter: &SegmentFilter, now: DateTime<Utc>) -> (String, SqlxValues) {
    Query::select()
        .expr_as(Expr::cust("count(*)"), Alias::new("matching"))
        .expr_as(Expr::cust("count(*) FILTER (WHERE s.email IS NULL)"), Alias::new("sendable"))
        .from_as(Alias::new("contact"), Alias::new("c"))
        // A hash join with the global suppressions (unique per address), not a probe per row.
        .join_as(
            JoinType::LeftJoin,
            Alias::new("suppression"),
            Alias::new("s"),
            Expr::cust("s.email = c.email AND s.list_id IS NULL"),
        )
        .and_where(compile(filter, now))
        .build_sqlx(PostgresQueryBuilder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::contacts::TagMode;

    fn input(name: &str, filter: SegmentFilter) -> SegmentInput {
        SegmentInput { name: name.into(), description: String::new(), filter }
    }

    #[test]
    fn names_are_trimmed_and_limited() {
        let ok = SegmentFilter::NeverClicked;
        assert_eq!(checked_name(&input("  VIP  ", ok.clone())).unwrap(), "VIP");
        assert!(matches!(checked_name(&input("   ", ok.clone())), Err(ContactError::SegmentName)));
        assert!(checked_name(&input(&"é".repeat(120), ok.clone())).is_ok());
        assert!(matches!(checked_name(&input(&"é".repeat(121), ok)), Err(ContactError::SegmentName)));
        let bad = SegmentFilter::Tags { mode: TagMode::Any, tags: vec![" ".into()] };
        assert!(matches!(checked_name(&input("x", bad)), Err(ContactError::Segment(_))));
    }

    #[test]
    fn the_count_is_one_statement_with_both_aggregates() {
        let (sql, _) = count_statement(&SegmentFilter::HardBounced, Utc::now());
        assert!(sql.starts_with("SELECT count(*) AS \"matching\", count(*) FILTER (WHERE s.email IS NULL)"), "{sql}");
        assert!(sql.contains("LEFT JOIN \"suppression\" AS \"s\""), "{sql}");
        assert!(sql.contains("FROM \"contact\" AS \"c\" LEFT JOIN"), "{sql}");
    }
}
