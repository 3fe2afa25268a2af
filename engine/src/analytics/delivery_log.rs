//! The delivery log of one campaign: every recipient with the relay's answer and what the
//! receiving server reported later, filtered, sorted by whitelisted columns and paged; the
//! failures grouped by reason and by recipient domain; and all matching rows as CSV.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use model::analytics::{
    DeliveryLogPage, DeliveryLogQuery, DeliveryLogRow, DeliveryLogSort, DomainGroup, ReasonGroup, explain_failure,
};
use model::paging::MAX_PAGE_SIZE;
use sqlx::{FromRow, Postgres, QueryBuilder};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::{Analytics, Result};
use crate::contacts::export::inert;

/// The row's columns; the delay is computed so it can be shown and sorted on.
const COLUMNS: &str = "d.id, d.email, d.state, d.provider, d.smtp_code, d.smtp_status, d.smtp_reply, d.dsn_action, \
    d.dsn_status, d.remote_mta, d.diagnostic, d.bounce_class, d.bounce_reason, d.submitted_at, d.reported_at, \
    EXTRACT(EPOCH FROM (d.reported_at - d.submitted_at))::bigint AS delay_seconds";
/// A failure's reason as shown and filtered on; `'undetermined'` is `model::analytics::UNDETERMINED`.
const REASON: &str = "COALESCE(NULLIF(d.bounce_reason, ''), 'undetermined')";
/// The ledger states that are failures worth explaining.
const FAILURE_STATES: &str = "('failed', 'bounced', 'complained', 'deferred')";
/// Groups listed per view (a campaign to thousands of domains shows the worst ones).
const MAX_GROUPS: i64 = 200;
/// Bytes of CSV gathered before they are handed to the writer.
const CSV_CHUNK: usize = 64 * 1024;
/// The export's header line.
const CSV_HEADER: [&str; 16] = [
    "email",
    "state",
    "provider",
    "smtp_code",
    "smtp_status",
    "smtp_reply",
    "dsn_action",
    "dsn_status",
    "remote_mta",
    "diagnostic",
    "bounce_class",
    "bounce_reason",
    "submitted_at",
    "reported_at",
    "delay_seconds",
    "explanation",
];

/// One ledger row as read.
#[derive(Debug, FromRow)]
struct LogRow {
    id: i64,
    email: String,
    state: String,
    provider: String,
    smtp_code: Option<i16>,
    smtp_status: Option<String>,
    smtp_reply: Option<String>,
    dsn_action: Option<String>,
    dsn_status: Option<String>,
    remote_mta: Option<String>,
    diagnostic: Option<String>,
    bounce_class: Option<String>,
    bounce_reason: Option<String>,
    submitted_at: Option<DateTime<Utc>>,
    reported_at: Option<DateTime<Utc>>,
    delay_seconds: Option<i64>,
}

impl From<LogRow> for DeliveryLogRow {
    fn from(r: LogRow) -> Self {
        DeliveryLogRow {
            id: r.id,
            email: r.email,
            state: r.state,
            provider: r.provider,
            smtp_code: r.smtp_code,
            smtp_status: r.smtp_status,
            smtp_reply: r.smtp_reply,
            dsn_action: r.dsn_action,
            dsn_status: r.dsn_status,
            remote_mta: r.remote_mta,
            diagnostic: r.diagnostic,
            bounce_class: r.bounce_class,
            bounce_reason: r.bounce_reason,
            submitted_at: r.submitted_at,
            reported_at: r.reported_at,
            delay_seconds: r.delay_seconds,
        }
    }
}

/// The SQL a sort key orders by: the whitelist between the URL and the query text.
fn order_column(sort: DeliveryLogSort) -> &'static str {
    match sort {
        DeliveryLogSort::Id => "d.id",
        DeliveryLogSort::Email => "d.email",
        DeliveryLogSort::State => "d.state",
        DeliveryLogSort::Provider => "d.provider",
        DeliveryLogSort::SmtpCode => "d.smtp_code",
        DeliveryLogSort::Reason => REASON,
        DeliveryLogSort::SubmittedAt => "d.submitted_at",
        DeliveryLogSort::ReportedAt => "d.reported_at",
        DeliveryLogSort::Delay => "(d.reported_at - d.submitted_at)",
    }
}

/// `text` with LIKE's wildcards escaped, so a search for `50%` finds exactly that.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The value of an optional filter, `None` when empty.
fn given(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// `FROM … WHERE …` of the log with every filter as a bound value. A reason filter keeps to
/// failures (delivered rows have no reason).
fn push_where(q: &mut QueryBuilder<'_, Postgres>, query: &DeliveryLogQuery) {
    q.push(" FROM delivery d WHERE d.campaign_id = ");
    q.push_bind(query.campaign_id);
    if let Some(state) = given(&query.state) {
        q.push(" AND d.state = ");
        q.push_bind(state);
    }
    if let Some(reason) = given(&query.reason) {
        q.push(format!(" AND d.state IN {FAILURE_STATES} AND {REASON} = "));
        q.push_bind(reason.to_lowercase());
    }
    if let Some(domain) = given(&query.domain) {
        q.push(" AND lower(split_part(d.email, '@', 2)) = ");
        q.push_bind(domain.to_lowercase());
    }
    let search = query.search.trim();
    if !search.is_empty() {
        let pattern = format!("%{}%", escape_like(search));
        q.push(" AND (d.email ILIKE ");
        q.push_bind(pattern.clone());
        q.push(" OR d.smtp_reply ILIKE ");
        q.push_bind(pattern.clone());
        q.push(" OR d.diagnostic ILIKE ");
        q.push_bind(pattern);
        q.push(")");
    }
}

/// `ORDER BY` of the log: the chosen column, missing values last, ties in ledger order.
fn push_order(q: &mut QueryBuilder<'_, Postgres>, query: &DeliveryLogQuery) {
    let dir = if query.descending { "DESC" } else { "ASC" };
    q.push(format!(" ORDER BY {} {dir} NULLS LAST, d.id {dir}", order_column(query.sort)));
}

impl Analytics {
    /// One sorted page of the log and the number of matching rows.
    pub async fn delivery_log(&self, query: &DeliveryLogQuery) -> Result<DeliveryLogPage> {
        self.require_campaign(query.campaign_id).await?;
        let per_page = i64::from(query.per_page.clamp(1, MAX_PAGE_SIZE));
        let offset = i64::from(query.page.max(1) - 1) * per_page;
        let mut count = QueryBuilder::<Postgres>::new("SELECT count(*)");
        push_where(&mut count, query);
        let total: i64 = count.build_query_scalar::<i64>().fetch_one(&self.pool).await?;
        let mut q = QueryBuilder::<Postgres>::new(format!("SELECT {COLUMNS}"));
        push_where(&mut q, query);
        push_order(&mut q, query);
        q.push(" LIMIT ");
        q.push_bind(per_page);
        q.push(" OFFSET ");
        q.push_bind(offset);
        let rows: Vec<LogRow> = q.build_query_as().fetch_all(&self.pool).await?;
        Ok(DeliveryLogPage { rows: rows.into_iter().map(DeliveryLogRow::from).collect(), total })
    }

    /// The campaign's failures by class and reason (most frequent first) and its recipients by
    /// domain (most failures first).
    pub async fn failure_groups(&self, campaign_id: i64) -> Result<(Vec<ReasonGroup>, Vec<DomainGroup>)> {
        self.require_campaign(campaign_id).await?;
        let reasons: Vec<(String, String, i64, String)> = sqlx::query_as(&format!(
            "SELECT COALESCE(NULLIF(d.bounce_class, ''), d.state) AS class, {REASON} AS reason, count(*) AS n, \
                    COALESCE(min(COALESCE(NULLIF(d.diagnostic, ''), NULLIF(d.smtp_reply, ''), NULLIF(d.reason, ''))), '') \
             FROM delivery d WHERE d.campaign_id = $1 AND d.state IN {FAILURE_STATES} \
             GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT $2"
        ))
        .bind(campaign_id)
        .bind(MAX_GROUPS)
        .fetch_all(&self.pool)
        .await?;
        let domains: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT lower(split_part(d.email, '@', 2)) AS domain, count(*) AS total, \
                    count(*) FILTER (WHERE d.state = 'delivered'), \
                    count(*) FILTER (WHERE d.state = 'bounced'), \
                    count(*) FILTER (WHERE d.state = 'failed'), \
                    count(*) FILTER (WHERE d.state = 'complained') \
             FROM delivery d WHERE d.campaign_id = $1 AND d.state <> 'skipped' \
             GROUP BY 1 \
             ORDER BY count(*) FILTER (WHERE d.state IN ('bounced', 'failed', 'complained')) DESC, 2 DESC, 1 \
             LIMIT $2",
        )
        .bind(campaign_id)
        .bind(MAX_GROUPS)
        .fetch_all(&self.pool)
        .await?;
        Ok((
            reasons
                .into_iter()
                .map(|(class, reason, count, example)| ReasonGroup { class, reason, count, example })
                .collect(),
            domains
                .into_iter()
                .map(|(domain, total, delivered, bounced, failed, complained)| DomainGroup {
                    domain,
                    total,
                    delivered,
                    bounced,
                    failed,
                    complained,
                })
                .collect(),
        ))
    }

    /// Every row matching `query`'s filters (paging ignored) as CSV into `out`, in the query's
    /// order, streamed from the database in chunks so a million-recipient campaign never sits
    /// in memory. Text from remote servers is made inert for spreadsheets. Returns the rows
    /// written.
    pub async fn write_csv<W: AsyncWrite + Unpin>(&self, query: &DeliveryLogQuery, out: &mut W) -> Result<u64> {
        self.require_campaign(query.campaign_id).await?;
        let mut q = QueryBuilder::<Postgres>::new(format!("SELECT {COLUMNS}"));
        push_where(&mut q, query);
        push_order(&mut q, query);
        let mut csv = csv::Writer::from_writer(Vec::with_capacity(CSV_CHUNK * 2));
        csv.write_record(CSV_HEADER)?;
        let mut written = 0u64;
        let mut rows = q.build_query_as::<LogRow>().fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            let row = DeliveryLogRow::from(row);
            csv.write_record(csv_record(&row).iter().map(|c| inert(c).into_owned()))?;
            written += 1;
            csv.flush()?;
            if csv.get_ref().len() >= CSV_CHUNK {
                let chunk = std::mem::replace(&mut csv, csv::Writer::from_writer(Vec::with_capacity(CSV_CHUNK * 2)))
                    .into_inner()
                    .map_err(|e| e.into_error())?;
                out.write_all(&chunk).await?;
            }
        }
        let rest = csv.into_inner().map_err(|e| e.into_error())?;
        out.write_all(&rest).await?;
        out.flush().await?;
        Ok(written)
    }

    /// [`write_csv`](Self::write_csv) into memory (tests, small campaigns).
    pub async fn export_csv(&self, query: &DeliveryLogQuery) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_csv(query, &mut out).await?;
        Ok(out)
    }
}

/// The export's cells of one row, in `CSV_HEADER` order.
fn csv_record(r: &DeliveryLogRow) -> [String; 16] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let time = |t: &Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let explanation = if r.is_failure() {
        explain_failure(&r.status(), r.bounce_reason.as_deref().unwrap_or_default(), &r.remote_text()).title
    } else {
        String::new()
    };
    [
        r.email.clone(),
        r.state.clone(),
        r.provider.clone(),
        r.smtp_code.map(|c| c.to_string()).unwrap_or_default(),
        text(&r.smtp_status),
        text(&r.smtp_reply),
        text(&r.dsn_action),
        text(&r.dsn_status),
        text(&r.remote_mta),
        text(&r.diagnostic),
        text(&r.bounce_class),
        text(&r.bounce_reason),
        time(&r.submitted_at),
        time(&r.reported_at),
        r.delay_seconds.map(|s| s.to_string()).unwrap_or_default(),
        explanation,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_search_match_literally() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn every_sort_key_maps_to_a_fixed_column() {
        for s in DeliveryLogSort::ALL {
            assert!(!order_column(s).contains('$'));
        }
        assert_eq!(order_column(DeliveryLogSort::parse("'; DROP TABLE delivery; --")), "d.id");
    }
}
