//! The suppression list: addresses never sent to, globally or for one list. Kept by address
//! (not by contact) so a deleted and re-imported contact stays suppressed.

use chrono::{DateTime, Utc};
use model::contacts::{
    InvalidDomain, InvalidDomainAction, ScanSummary, Suppression, SuppressionAdded, SuppressionFilter,
    SuppressionReason,
};
use model::{Page, PageRequest, SortDirection};
use sea_query::{Alias, Cond, Expr, JoinType, NullOrdering, Order, PostgresQueryBuilder, Query};
use sea_query_binder::SqlxBinder;
use sqlx::PgPool;

use super::email::normalize_email;
use super::lists::Lists;
use super::{ContactError, Result};
use crate::deliverability::DnsResolver;

/// The `suppression` table, and the invalid-domain scan that feeds it.
#[derive(Clone, Debug)]
pub struct Suppressions {
    pool: PgPool,
}

type Row = (i64, String, Option<i64>, Option<String>, String, String, DateTime<Utc>);

fn from_row((id, email, list_id, list_name, reason, note, created_at): Row) -> Suppression {
    Suppression {
        id,
        email,
        list_id,
        list_name,
        reason: SuppressionReason::parse(&reason).unwrap_or(SuppressionReason::Manual),
        note,
        created_at,
    }
}

const SORTS: &[(&str, &str)] = &[("created_at", "s.created_at"), ("email", "s.email"), ("reason", "s.reason")];

/// The suppressions that apply to one address (global and per list), for the contact page.
pub(crate) async fn for_email(pool: &PgPool, email: &str) -> Result<Vec<Suppression>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.email, s.list_id, l.name, s.reason, s.note, s.created_at FROM suppression s \
         LEFT JOIN contact_list l ON l.id = s.list_id WHERE s.email = $1 ORDER BY s.created_at",
    )
    .bind(email)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

impl Suppressions {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// One page of the suppression table.
    pub async fn list(&self, f: &SuppressionFilter, req: &PageRequest) -> Result<Page<Suppression>> {
        let mut cond = Cond::all();
        let search = f.search.trim().to_lowercase();
        if !search.is_empty() {
            cond = cond.add(Expr::cust_with_values("strpos(s.email, $1) > 0", [search]));
        }
        match f.scope {
            Some(None) => cond = cond.add(Expr::cust("s.list_id IS NULL")),
            Some(Some(id)) => cond = cond.add(Expr::cust_with_values("s.list_id = $1", [id])),
            None => {}
        }
        if let Some(reason) = f.reason {
            cond = cond.add(Expr::cust_with_values("s.reason = $1", [reason.as_str()]));
        }
        let (sql, values) = Query::select()
            .expr(Expr::cust("count(*)"))
            .from_as(Alias::new("suppression"), Alias::new("s"))
            .cond_where(cond.clone())
            .build_sqlx(PostgresQueryBuilder);
        let total: i64 = sqlx::query_scalar_with(&sql, values).fetch_one(&self.pool).await?;
        let sort = SORTS.iter().find(|(k, _)| *k == req.sort).or(SORTS.first()).map_or("s.created_at", |(_, s)| s);
        let (order, nulls) = match req.direction {
            SortDirection::Ascending => (Order::Asc, NullOrdering::First),
            SortDirection::Descending => (Order::Desc, NullOrdering::Last),
        };
        let (sql, values) = Query::select()
            .exprs([
                Expr::cust("s.id"),
                Expr::cust("s.email"),
                Expr::cust("s.list_id"),
                Expr::cust("l.name"),
                Expr::cust("s.reason"),
                Expr::cust("s.note"),
                Expr::cust("s.created_at"),
            ])
            .from_as(Alias::new("suppression"), Alias::new("s"))
            .join_as(JoinType::LeftJoin, Alias::new("contact_list"), Alias::new("l"), Expr::cust("l.id = s.list_id"))
            .cond_where(cond)
            .order_by_expr_with_nulls(Expr::cust(sort), order.clone(), nulls)
            .order_by_expr(Expr::cust("s.id"), order)
            .limit(req.limit().unsigned_abs())
            .offset(req.offset().unsigned_abs())
            .build_sqlx(PostgresQueryBuilder);
        let rows: Vec<Row> = sqlx::query_as_with(&sql, values).fetch_all(&self.pool).await?;
        Ok(Page { rows: rows.into_iter().map(from_row).collect(), total })
    }

    /// Suppresses addresses (already suppressed ones are counted, not duplicated; invalid
    /// ones are returned with the reason and the rest are still added).
    pub async fn add(
        &self,
        emails: &[String],
        list_id: Option<i64>,
        reason: SuppressionReason,
        note: &str,
    ) -> Result<SuppressionAdded> {
        if let Some(id) = list_id {
            Lists::ensure_exist(&self.pool, &[id]).await?;
        }
        let mut out = SuppressionAdded::default();
        let mut valid: Vec<String> = Vec::with_capacity(emails.len());
        let mut seen = std::collections::HashSet::with_capacity(emails.len());
        for raw in emails {
            match normalize_email(raw) {
                Ok(e) if seen.insert(e.clone()) => valid.push(e),
                Ok(_) => out.already += 1,
                Err(ContactError::InvalidEmail { problem, .. }) => out.invalid.push((raw.clone(), problem.to_string())),
                Err(e) => return Err(e),
            }
        }
        let mut tx = self.pool.begin().await?;
        for chunk in valid.chunks(5000) {
            let added: i64 = sqlx::query_scalar(
                "WITH ins AS (INSERT INTO suppression (email, list_id, reason, note) \
                   SELECT e, $2, $3, $4 FROM unnest($1::text[]) e ON CONFLICT DO NOTHING RETURNING email), \
                 ev AS (INSERT INTO contact_event (contact_id, kind, list_id, detail) \
                   SELECT c.id, 'suppressed', $2, $3 FROM contact c JOIN ins ON ins.email = c.email) \
                 SELECT count(*) FROM ins",
            )
            .bind(chunk)
            .bind(list_id)
            .bind(reason.as_str())
            .bind(note.trim())
            .fetch_one(&mut *tx)
            .await?;
            out.added += added;
            out.already += chunk.len() as i64 - added;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Lifts one suppression.
    pub async fn remove(&self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM suppression WHERE id = $1").bind(id).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(ContactError::SuppressionNotFound(id));
        }
        Ok(())
    }

    /// Imports a suppression CSV: the first cell of each line that looks like an address
    /// (so exports of other tools, with or without a header, work as they are).
    pub async fn import_csv(&self, text: &str, list_id: Option<i64>) -> Result<SuppressionAdded> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut emails = Vec::new();
        let mut invalid = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| ContactError::Csv(e.to_string()))?;
            match record.iter().find(|cell| cell.contains('@')) {
                Some(cell) => emails.push(cell.to_owned()),
                None if i == 0 => {} // a header line
                None if record.iter().all(|c| c.trim().is_empty()) => {}
                None => invalid.push((format!("line {}", i + 1), "no email address on this line".to_owned())),
            }
        }
        let mut out = self.add(&emails, list_id, SuppressionReason::Import, "CSV import").await?;
        out.invalid.extend(invalid);
        Ok(out)
    }

    /// Domains of the audience found unable to receive mail, with their contact counts.
    pub async fn invalid_domains(&self) -> Result<Vec<InvalidDomain>> {
        super::domain_scan::invalid_domains(&self.pool).await
    }

    /// Looks up the MX of every domain the audience uses and records the verdicts.
    pub async fn scan_domains(&self, resolver: &DnsResolver) -> Result<ScanSummary> {
        super::domain_scan::scan(&self.pool, resolver).await
    }

    /// Suppresses, tags or deletes the contacts of domains the last scan found invalid.
    /// Domains not recorded as invalid are ignored, so the action cannot reach good ones.
    pub async fn act_on_invalid(&self, domains: &[String], action: InvalidDomainAction) -> Result<i64> {
        super::domain_scan::act(&self.pool, domains, action).await
    }
}
