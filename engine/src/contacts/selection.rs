//! Which contacts a table page, an export or a bulk action is about, as one SQL condition over
//! `contact c`: rows ticked by id, the table's search and filter, a saved segment, or a list.

use chrono::{DateTime, Utc};
use model::contacts::{ContactQuery, SegmentFilter, Selection};
use sea_query::{Expr, SimpleExpr};
use sqlx::PgPool;
use sqlx::types::Json;

use super::segment_sql::compile;
use crate::contacts::ContactError;

type Result<T> = std::result::Result<T, ContactError>;

/// Most contacts one request may name by id: beyond that the page sends the query instead
/// ("select all 240 000" acts on the filter), which keeps requests and statements small.
pub const MAX_IDS: usize = 10_000;

/// Resolves a selection to a condition over `contact c`, so exports and bulk actions run as
/// one set-based statement whatever the admin picked. A saved segment is read and checked
/// again (it may predate a rule change).
pub async fn selection_condition(pool: &PgPool, sel: &Selection, now: DateTime<Utc>) -> Result<SimpleExpr> {
    match sel {
        Selection::Ids(ids) => ids_condition(ids),
        Selection::Query(query) => query_condition(query, now),
        Selection::Segment(id) => {
            let filter = saved_filter(pool, *id).await?;
            filter.validate()?;
            Ok(compile(&filter, now))
        }
        Selection::List(list_id) => Ok(compile(&SegmentFilter::OnList { list_id: *list_id, status: None }, now)),
    }
}

/// The contacts table's filter as a condition: the free-text search (address or name, case
/// insensitive) AND the segment filter, each only when given; no filter at all is `TRUE`.
pub fn query_condition(q: &ContactQuery, now: DateTime<Utc>) -> Result<SimpleExpr> {
    let filter = match &q.filter {
        Some(filter) => {
            filter.validate()?;
            Some(compile(filter, now))
        }
        None => None,
    };
    Ok(match (search_condition(&q.search), filter) {
        (Some(search), Some(filter)) => search.and(filter),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => Expr::cust("TRUE"),
    })
}

fn search_condition(text: &str) -> Option<SimpleExpr> {
    let needle = text.trim();
    (!needle.is_empty()).then(|| {
        Expr::cust_with_values(
            "(strpos(c.email, lower($1)) > 0 OR strpos(lower(c.name), lower($1)) > 0)",
            [needle.to_owned()],
        )
    })
}

fn ids_condition(ids: &[i64]) -> Result<SimpleExpr> {
    if ids.len() > MAX_IDS {
        return Err(ContactError::SelectionTooLarge { max: MAX_IDS });
    }
    Ok(Expr::cust_with_values("c.id = ANY($1)", [ids.to_vec()]))
}

async fn saved_filter(pool: &PgPool, id: i64) -> Result<SegmentFilter> {
    let stored: Option<Json<SegmentFilter>> =
        sqlx::query_scalar("SELECT filter FROM segment WHERE id = $1").bind(id).fetch_optional(pool).await?;
    stored.map(|Json(filter)| filter).ok_or(ContactError::SegmentNotFound(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_query::{Alias, PostgresQueryBuilder, Query};

    fn sql_of(q: &ContactQuery) -> String {
        let (sql, _) = Query::select()
            .expr(Expr::cust("c.id"))
            .from_as(Alias::new("contact"), Alias::new("c"))
            .and_where(query_condition(q, Utc::now()).unwrap())
            .build(PostgresQueryBuilder);
        sql
    }

    #[test]
    fn an_empty_query_selects_everyone() {
        assert!(sql_of(&ContactQuery::default()).ends_with("WHERE TRUE"));
        let blank = ContactQuery { search: "   ".into(), filter: None };
        assert!(sql_of(&blank).ends_with("WHERE TRUE"));
    }

    #[test]
    fn search_and_filter_are_both_required() {
        let q = ContactQuery { search: "Ann".into(), filter: Some(SegmentFilter::NeverClicked) };
        let sql = sql_of(&q);
        assert!(sql.contains("strpos(c.email, lower($1))") && sql.contains("c.last_click_at IS NULL"), "{sql}");
        assert!(!sql.contains("Ann"), "{sql}");
    }

    #[test]
    fn an_invalid_filter_is_refused() {
        let q = ContactQuery { search: String::new(), filter: Some(SegmentFilter::And(vec![])) };
        assert!(matches!(query_condition(&q, Utc::now()), Err(ContactError::Segment(_))));
    }

    #[test]
    fn too_many_ids_are_refused() {
        let many: Vec<i64> = std::iter::repeat_n(1, MAX_IDS + 1).collect();
        assert!(ids_condition(&many[..MAX_IDS]).is_ok());
        assert!(matches!(ids_condition(&many), Err(ContactError::SelectionTooLarge { max: MAX_IDS })));
    }
}
