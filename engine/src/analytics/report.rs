//! The dashboard: totals, a time series, a per-provider table and the top links, summed from
//! `campaign_stats_hourly` / `campaign_link_stats` for a time range, optionally one campaign
//! or the campaigns of one sender domain. A year of a busy server is a few hundred thousand
//! rollup rows, so every figure is one indexed aggregate, whatever the number of events.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use model::analytics::{AnalyticsFilter, AnalyticsReport, Granularity, LinkRow, ProviderRow, SeriesPoint, Totals};
use model::campaigns::Provider;
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};

use super::{Analytics, AnalyticsError, Result};

/// Most points a series may have (a custom range of years at hour granularity cannot ask
/// for millions).
const MAX_BUCKETS: usize = 2_000;
/// Links listed in "top links".
const TOP_LINKS: i64 = 20;
/// Campaigns offered in the picker.
const PICKER_CAMPAIGNS: i64 = 500;

/// Every counter of the rollup, summed; `SUM` of bigint is numeric in PostgreSQL, hence the casts.
const SUMS: &str = "COALESCE(SUM(s.submitted), 0)::bigint AS submitted, \
    COALESCE(SUM(s.failed), 0)::bigint AS failed, \
    COALESCE(SUM(s.deferred), 0)::bigint AS deferred, \
    COALESCE(SUM(s.delivered), 0)::bigint AS delivered, \
    COALESCE(SUM(s.bounced_hard), 0)::bigint AS bounced_hard, \
    COALESCE(SUM(s.bounced_soft), 0)::bigint AS bounced_soft, \
    COALESCE(SUM(s.complained), 0)::bigint AS complained, \
    COALESCE(SUM(s.opens_human), 0)::bigint AS opens_human, \
    COALESCE(SUM(s.opens_machine), 0)::bigint AS opens_machine, \
    COALESCE(SUM(s.unique_opens), 0)::bigint AS unique_opens, \
    COALESCE(SUM(s.unique_opens_human), 0)::bigint AS unique_opens_human, \
    COALESCE(SUM(s.clicks_human), 0)::bigint AS clicks_human, \
    COALESCE(SUM(s.clicks_machine), 0)::bigint AS clicks_machine, \
    COALESCE(SUM(s.unique_clicks), 0)::bigint AS unique_clicks, \
    COALESCE(SUM(s.unique_clicks_human), 0)::bigint AS unique_clicks_human, \
    COALESCE(SUM(s.unsubscribed), 0)::bigint AS unsubscribed";

/// The summed counters as a row.
#[derive(Debug, FromRow)]
struct Counters {
    submitted: i64,
    failed: i64,
    deferred: i64,
    delivered: i64,
    bounced_hard: i64,
    bounced_soft: i64,
    complained: i64,
    opens_human: i64,
    opens_machine: i64,
    unique_opens: i64,
    unique_opens_human: i64,
    clicks_human: i64,
    clicks_machine: i64,
    unique_clicks: i64,
    unique_clicks_human: i64,
    unsubscribed: i64,
}

impl From<Counters> for Totals {
    fn from(c: Counters) -> Self {
        Totals {
            submitted: c.submitted,
            failed: c.failed,
            deferred: c.deferred,
            delivered: c.delivered,
            bounced_hard: c.bounced_hard,
            bounced_soft: c.bounced_soft,
            complained: c.complained,
            opens_human: c.opens_human,
            opens_machine: c.opens_machine,
            unique_opens: c.unique_opens,
            unique_opens_human: c.unique_opens_human,
            clicks_human: c.clicks_human,
            clicks_machine: c.clicks_machine,
            unique_clicks: c.unique_clicks,
            unique_clicks_human: c.unique_clicks_human,
            unsubscribed: c.unsubscribed,
        }
    }
}

/// One bucket of the series.
#[derive(Debug, FromRow)]
struct Bucket {
    at: DateTime<Utc>,
    #[sqlx(flatten)]
    counters: Counters,
}

/// One provider's counters.
#[derive(Debug, FromRow)]
struct ProviderCounters {
    provider: String,
    #[sqlx(flatten)]
    counters: Counters,
}

/// A filter checked and normalised (domain trimmed and lower-cased, empty = none).
#[derive(Clone, Debug)]
struct Checked {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    campaign_id: Option<i64>,
    sender_domain: Option<String>,
}

impl Checked {
    fn of(f: &AnalyticsFilter) -> Result<Self> {
        if f.to <= f.from {
            return Err(AnalyticsError::Invalid("the time range must end after it starts".into()));
        }
        let domain = f.sender_domain.as_deref().map(|d| d.trim().to_lowercase()).filter(|d| !d.is_empty());
        Ok(Self { from: f.from, to: f.to, campaign_id: f.campaign_id, sender_domain: domain })
    }

    /// `FROM … WHERE …` over the rollup with every filter as a bound value.
    fn push_from(&self, q: &mut QueryBuilder<'_, Postgres>) {
        q.push(" FROM campaign_stats_hourly s WHERE s.hour >= ");
        q.push_bind(self.from);
        q.push(" AND s.hour < ");
        q.push_bind(self.to);
        if let Some(id) = self.campaign_id {
            q.push(" AND s.campaign_id = ");
            q.push_bind(id);
        }
        if let Some(domain) = &self.sender_domain {
            q.push(" AND s.campaign_id IN (SELECT id FROM campaign WHERE split_part(from_email, '@', 2) = ");
            q.push_bind(domain.clone());
            q.push(")");
        }
    }
}

impl Analytics {
    /// Everything one dashboard shows for `filter`, in `Granularity::for_range` buckets.
    pub async fn report(&self, filter: &AnalyticsFilter) -> Result<AnalyticsReport> {
        let f = Checked::of(filter)?;
        if let Some(id) = f.campaign_id {
            self.require_campaign(id).await?;
        }
        let granularity = Granularity::for_range(f.from, f.to);
        let (series, providers, top_links, sender_domains, campaigns, any_sending) = tokio::try_join!(
            series(&self.pool, &f, granularity),
            providers(&self.pool, &f),
            top_links(&self.pool, f.campaign_id),
            sender_domains(&self.pool),
            picker_campaigns(&self.pool, f.sender_domain.as_deref()),
            any_sending(&self.pool),
        )?;
        let mut totals = Totals::default();
        for p in &providers {
            totals.add(&p.totals);
        }
        Ok(AnalyticsReport {
            granularity,
            totals,
            series,
            providers,
            top_links,
            sender_domains,
            campaigns,
            any_sending,
        })
    }
}

/// Every bucket of the range in order, empty ones as zeros (a chart with gaps would draw a
/// quiet day as a line between its neighbours).
async fn series(pool: &PgPool, f: &Checked, granularity: Granularity) -> Result<Vec<SeriesPoint>> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT date_trunc(");
    q.push_bind(granularity.as_str());
    q.push(", s.hour, 'UTC') AS at, ");
    q.push(SUMS);
    f.push_from(&mut q);
    q.push(" GROUP BY 1 ORDER BY 1");
    let rows: Vec<Bucket> = q.build_query_as().fetch_all(pool).await?;
    let mut by_start: HashMap<DateTime<Utc>, Totals> = HashMap::with_capacity(rows.len());
    for b in rows {
        by_start.entry(b.at).or_default().add(&Totals::from(b.counters));
    }
    Ok(granularity
        .buckets(f.from, f.to, MAX_BUCKETS)
        .into_iter()
        .map(|at| SeriesPoint { at, totals: by_start.remove(&at).unwrap_or_default() })
        .collect())
}

/// One row per provider of `Provider::ALL`, empty ones included (the table always lists all five).
async fn providers(pool: &PgPool, f: &Checked) -> Result<Vec<ProviderRow>> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT s.provider, ");
    q.push(SUMS);
    f.push_from(&mut q);
    q.push(" GROUP BY s.provider");
    let rows: Vec<ProviderCounters> = q.build_query_as().fetch_all(pool).await?;
    let mut out: Vec<ProviderRow> =
        Provider::ALL.iter().map(|&provider| ProviderRow { provider, totals: Totals::default() }).collect();
    for r in rows {
        let provider = Provider::parse(&r.provider);
        if let Some(row) = out.iter_mut().find(|row| row.provider == provider) {
            row.totals.add(&Totals::from(r.counters));
        }
    }
    Ok(out)
}

/// The most clicked links of one campaign (none without a campaign: link indexes are per
/// campaign). Link clicks are not kept per hour, so they cover the campaign's whole life.
async fn top_links(pool: &PgPool, campaign_id: Option<i64>) -> Result<Vec<LinkRow>> {
    let Some(id) = campaign_id else {
        return Ok(Vec::new());
    };
    let rows: Vec<(i32, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT l.link_index, COALESCE(cl.url, ''), l.clicks_human, l.clicks_machine, l.unique_clicks_human \
         FROM campaign_link_stats l \
         LEFT JOIN campaign_link cl ON cl.campaign_id = l.campaign_id AND cl.idx = l.link_index \
         WHERE l.campaign_id = $1 \
         ORDER BY l.unique_clicks_human DESC, l.clicks_human DESC, l.link_index LIMIT $2",
    )
    .bind(id)
    .bind(TOP_LINKS)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(index, url, clicks_human, clicks_machine, unique_clicks_human)| LinkRow {
            index,
            url,
            clicks_human,
            clicks_machine,
            unique_clicks_human,
        })
        .collect())
}

/// Domains campaigns have been sent from, for the sender-domain picker.
async fn sender_domains(pool: &PgPool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT split_part(from_email, '@', 2) AS domain FROM campaign \
         WHERE status NOT IN ('draft', 'scheduled') AND from_email LIKE '%@%' ORDER BY 1",
    )
    .fetch_all(pool)
    .await?)
}

/// Started campaigns (of `domain`, if given), newest first, for the campaign picker.
async fn picker_campaigns(pool: &PgPool, domain: Option<&str>) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM campaign \
         WHERE status NOT IN ('draft', 'scheduled') \
           AND ($1::text IS NULL OR split_part(from_email, '@', 2) = $1) \
         ORDER BY COALESCE(sent_at, created_at) DESC, id DESC LIMIT $2",
    )
    .bind(domain)
    .bind(PICKER_CAMPAIGNS)
    .fetch_all(pool)
    .await?)
}

/// Whether any campaign is sending (the dashboards then refresh themselves).
async fn any_sending(pool: &PgPool) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaign WHERE status = 'sending')").fetch_one(pool).await?)
}
