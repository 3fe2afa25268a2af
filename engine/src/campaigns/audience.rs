//! Who a campaign goes to: its lists and segments minus exclusions, as one
//! `SegmentFilter` compiled by the contacts code (so the editor's live count, the segment
//! builder and the send select the same contacts), and the start that writes that audience
//! into the delivery ledger in one transaction.

use chrono::Utc;
use model::campaigns::{AudienceSpec, RecipientCount};
use model::contacts::{ListStatus, SegmentFilter};
use sea_query::{Alias, Expr, JoinType, PostgresQueryBuilder, Query};
use sea_query_binder::SqlxBinder;
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};

use super::ledger::ClaimedRecipient;
use super::{CampaignError, Result};
use crate::contacts::segment_sql::{WORK_MEM, compile};

/// Ledger rows written at start, by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Materialised {
    pub queued: i64,
    pub suppressed: i64,
    pub duplicates: i64,
}

/// The audience as one filter: subscribed on any list or in any segment, and in none of the
/// exclusions (any membership of an excluded list counts).
pub async fn audience_filter(pool: &PgPool, spec: &AudienceSpec) -> Result<SegmentFilter> {
    let segment = |ids: &[i64]| {
        let ids = ids.to_vec();
        async move {
            let found: Vec<(i64, Json<SegmentFilter>)> =
                sqlx::query_as("SELECT id, filter FROM segment WHERE id = ANY($1)").bind(&ids).fetch_all(pool).await?;
            if let Some(missing) = ids.iter().find(|id| !found.iter().any(|(f, _)| f == *id)) {
                return Err(CampaignError::invalid("audience", format!("segment #{missing} no longer exists")));
            }
            Ok(found.into_iter().map(|(_, f)| f.0).collect::<Vec<_>>())
        }
    };
    let mut include: Vec<SegmentFilter> = spec
        .list_ids
        .iter()
        .map(|&list_id| SegmentFilter::OnList { list_id, status: Some(ListStatus::Subscribed) })
        .collect();
    include.extend(segment(&spec.segment_ids).await?);
    let mut exclude: Vec<SegmentFilter> =
        spec.exclude_list_ids.iter().map(|&list_id| SegmentFilter::OnList { list_id, status: None }).collect();
    exclude.extend(segment(&spec.exclude_segment_ids).await?);
    let mut all = vec![SegmentFilter::Or(include)];
    if !exclude.is_empty() {
        all.push(SegmentFilter::Not(Box::new(SegmentFilter::Or(exclude))));
    }
    Ok(SegmentFilter::And(all))
}

/// The live count of the campaign editor.
pub async fn count(pool: &PgPool, spec: &AudienceSpec) -> Result<RecipientCount> {
    if spec.is_empty() {
        return Ok(RecipientCount::default());
    }
    let filter = audience_filter(pool, spec).await?;
    let (sql, values) = Query::select()
        .expr(Expr::cust("count(*)"))
        .expr(Expr::cust("count(*) FILTER (WHERE s.email IS NULL)"))
        .from_as(Alias::new("contact"), Alias::new("c"))
        .join_as(
            JoinType::LeftJoin,
            Alias::new("suppression"),
            Alias::new("s"),
            Expr::cust("s.email = c.email AND s.list_id IS NULL"),
        )
        .and_where(compile(&filter, Utc::now()))
        .build_sqlx(PostgresQueryBuilder);
    let mut tx = pool.begin().await?;
    sqlx::query(WORK_MEM).execute(&mut *tx).await?;
    let (matching, sendable): (i64, i64) = sqlx::query_as_with(&sql, values).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(RecipientCount { matching, sendable })
}

/// The audience's first contact (lowest id), as the preflight preview and test sends
/// personalise with.
pub async fn first_contact(pool: &PgPool, filter: &SegmentFilter) -> Result<Option<ClaimedRecipient>> {
    let (sql, values) = Query::select()
        .expr(Expr::cust("c.id"))
        .expr(Expr::cust("c.email"))
        .expr(Expr::cust("c.name"))
        .expr(Expr::cust("c.attributes"))
        .from_as(Alias::new("contact"), Alias::new("c"))
        .and_where(compile(filter, Utc::now()))
        .order_by_expr(Expr::cust("c.id"), sea_query::Order::Asc)
        .limit(1)
        .build_sqlx(PostgresQueryBuilder);
    let row: Option<(i64, String, String, serde_json::Value)> =
        sqlx::query_as_with(&sql, values).fetch_optional(pool).await?;
    Ok(row.map(|(id, email, name, attributes)| ClaimedRecipient {
        id: 0,
        contact_id: Some(id),
        email,
        name,
        attributes,
        provider: model::campaigns::Provider::Other,
        attempts: 0,
    }))
}

/// Writes the audience into the ledger inside `tx`: one queued row per contact, then marks
/// suppressed addresses (globally, or for one of the campaign's lists), hard-bounced contacts
/// and duplicate mailboxes (Gmail ignores dots and `+tags`) as skipped with the reason.
pub async fn materialise(
    tx: &mut Transaction<'_, Postgres>,
    campaign_id: i64,
    spec: &AudienceSpec,
    filter: &SegmentFilter,
) -> Result<Materialised> {
    sqlx::query(WORK_MEM).execute(&mut **tx).await?;
    let (select, values) = Query::select()
        .expr(Expr::val(campaign_id))
        .expr(Expr::cust("c.id"))
        .expr(Expr::cust("c.email"))
        .expr(Expr::cust("'queued'"))
        .expr(Expr::cust("provider_of(c.domain, d.detail)"))
        .from_as(Alias::new("contact"), Alias::new("c"))
        .join_as(
            JoinType::LeftJoin,
            Alias::new("email_domain_check"),
            Alias::new("d"),
            Expr::cust("d.domain = c.domain"),
        )
        .and_where(compile(filter, Utc::now()))
        .build_sqlx(PostgresQueryBuilder);
    let sql = format!("INSERT INTO delivery (campaign_id, contact_id, email, state, provider) {select} ORDER BY c.id");
    let inserted = sqlx::query_with(&sql, values).execute(&mut **tx).await?.rows_affected();
    let suppressed = sqlx::query(
        "UPDATE delivery d SET state = 'skipped', reason = x.reason \
         FROM (SELECT d2.id, \
                      CASE WHEN c.hard_bounced_at IS NOT NULL AND s.reason IS NULL THEN 'suppressed: hard bounce' \
                           ELSE 'suppressed: ' || replace(s.reason, '_', ' ') END AS reason \
               FROM delivery d2 \
               LEFT JOIN LATERAL (SELECT reason FROM suppression s \
                                  WHERE s.email = d2.email AND (s.list_id IS NULL OR s.list_id = ANY($2)) \
                                  ORDER BY s.list_id NULLS FIRST LIMIT 1) s ON true \
               LEFT JOIN contact c ON c.id = d2.contact_id \
               WHERE d2.campaign_id = $1 AND (s.reason IS NOT NULL OR c.hard_bounced_at IS NOT NULL)) x \
         WHERE d.id = x.id",
    )
    .bind(campaign_id)
    .bind(&spec.list_ids)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let duplicates = sqlx::query(
        "UPDATE delivery d SET state = 'skipped', reason = 'duplicate of ' || x.first \
         FROM (SELECT id, first_value(email) OVER w AS first, row_number() OVER w AS n \
               FROM (SELECT id, email, \
                            regexp_replace(split_part(email, '@', 1), '\\+.*$', '') AS local, \
                            split_part(email, '@', 2) AS domain \
                     FROM delivery WHERE campaign_id = $1 AND state = 'queued' \
                       AND split_part(email, '@', 2) IN ('gmail.com', 'googlemail.com')) g \
               WINDOW w AS (PARTITION BY replace(local, '.', '') ORDER BY id)) x \
         WHERE d.id = x.id AND x.n > 1",
    )
    .bind(campaign_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(Materialised {
        queued: as_i64(inserted.saturating_sub(suppressed).saturating_sub(duplicates)),
        suppressed: as_i64(suppressed),
        duplicates: as_i64(duplicates),
    })
}
