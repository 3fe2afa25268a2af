//! Dashboard speed over a year of a busy server, measured against a real PostgreSQL:
//!
//! 1. 200 finished campaigns over 12 months from 4 sender domains, 5,000 recipients each
//!    (1,000,000 ledger rows over the 5 providers), with their delivery counters in the
//!    hourly rollup as the ledger trigger would have written them at send time;
//! 2. `BENCH_EVENTS` (default 10,000,000) opens, clicks, web views and unsubscribes
//!    inserted into `campaign_event` by `INSERT … SELECT generate_series` in chunks of
//!    1,000,000, so the rollup trigger fills `campaign_stats_hourly` / `campaign_link_stats`
//!    exactly as in production (each within 7 days of its campaign's send);
//! 3. `Analytics::report` — what the Overview and the campaign report call — for the last
//!    30 days of all campaigns, one campaign, one sender domain, and 12 months by month:
//!    3 warm-up runs, then 50 timed runs each, p50/p95 in ms.
//!
//! Run: `cargo bench -p engine --bench analytics` (`BENCH_EVENTS=1000000` for a smoke run;
//! `BENCH_DATABASE_URL` names a server where the user may CREATE DATABASE, default the
//! product's own embedded PostgreSQL started for the run). Prints a table and
//! `FIGURE <name> <value>` lines.

#[path = "../contacts/setup.rs"]
#[allow(dead_code)]
mod setup;

use std::time::Instant;

use chrono::Utc;
use engine::analytics::Analytics;
use model::analytics::{AnalyticsFilter, Granularity, RangePreset};
use sqlx::PgPool;

/// Campaigns of the year.
const CAMPAIGNS: i64 = 200;
/// Recipients per campaign.
const RECIPIENTS: i64 = 5_000;
/// Events per INSERT statement (one trigger run each).
const CHUNK: i64 = 1_000_000;
/// Timed runs per query.
const RUNS: usize = 50;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run());
}

fn events() -> i64 {
    std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .filter(|&n| n >= 1_000)
        .unwrap_or(10_000_000)
}

async fn run() {
    let total_events = events();
    let dir = std::env::temp_dir().join("bm-bench-analytics");
    std::fs::create_dir_all(&dir).expect("bench directory");
    let db = setup::fresh_database(&dir).await;
    println!("analytics benchmark: {total_events} events, {CAMPAIGNS} campaigns, database on {}", db.server);

    let started = Instant::now();
    let first_campaign = campaigns_and_ledger(&db.pool).await;
    println!("campaigns, ledger and delivery rollups: {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut done = 0;
    while done < total_events {
        let n = CHUNK.min(total_events - done);
        let chunk = Instant::now();
        insert_events(&db.pool, first_campaign, done, n).await;
        done += n;
        println!("  {done} events ({:.1} s for this chunk)", chunk.elapsed().as_secs_f64());
    }
    let load_s = started.elapsed().as_secs_f64();
    sqlx::query("ANALYZE").execute(&db.pool).await.expect("analyze");
    let counts = row_counts(&db.pool).await;
    println!(
        "loaded {} events in {load_s:.1} s ({:.0} events/s, rollup trigger included): {} rollup rows, {} link rows, {} ledger rows",
        counts.0,
        counts.0 as f64 / load_s.max(0.001),
        counts.1,
        counts.2,
        counts.3
    );

    let analytics = Analytics::new(db.pool.clone());
    let now = Utc::now();
    let (from30, to30) = RangePreset::Last30Days.resolve(now, None, None);
    let (from12, to12) = RangePreset::Last12Months.resolve(now, None, None);
    // Campaign #5 of the year was sent about 11 days ago: inside the 30-day window.
    let one = first_campaign + 5;
    let cases = [
        (
            "last 30 days, all campaigns",
            AnalyticsFilter { from: from30, to: to30, campaign_id: None, sender_domain: None },
        ),
        (
            "last 30 days, one campaign",
            AnalyticsFilter { from: from30, to: to30, campaign_id: Some(one), sender_domain: None },
        ),
        (
            "last 30 days, one sender domain",
            AnalyticsFilter {
                from: from30,
                to: to30,
                campaign_id: None,
                sender_domain: Some("d1.bench.example".into()),
            },
        ),
        (
            "12 months by month, all campaigns",
            AnalyticsFilter { from: from12, to: to12, campaign_id: None, sender_domain: None },
        ),
    ];
    println!();
    println!("{:<36} {:>10} {:>10} {:>12} {:>8}", "Analytics::report", "p50 ms", "p95 ms", "submitted", "points");
    for (i, (name, filter)) in cases.iter().enumerate() {
        for _ in 0..3 {
            analytics.report(filter).await.expect("warm-up report");
        }
        let mut times = Vec::with_capacity(RUNS);
        let mut last = None;
        for _ in 0..RUNS {
            let t = Instant::now();
            let report = analytics.report(filter).await.expect("report");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            last = Some(report);
        }
        times.sort_by(f64::total_cmp);
        let (p50, p95) = (percentile(&times, 0.50), percentile(&times, 0.95));
        let (submitted, points, granularity) =
            last.map(|r| (r.totals.submitted, r.series.len(), r.granularity)).unwrap_or((0, 0, Granularity::Hour));
        println!("{name:<36} {p50:>10.1} {p95:>10.1} {submitted:>12} {points:>5} {}", granularity.as_str());
        println!("FIGURE analytics_report_{}_p50_ms {p50:.2}", i + 1);
        println!("FIGURE analytics_report_{}_p95_ms {p95:.2}", i + 1);
    }
    println!("FIGURE analytics_events {}", counts.0);
    println!("FIGURE analytics_rollup_rows {}", counts.1);
    println!();
    println!("Rerun: cargo bench -p engine --bench analytics   (BENCH_EVENTS=1000000 for a smoke run;");
    println!("       BENCH_DATABASE_URL=postgres://… to use another server; BENCH_KEEP=1 keeps the database)");
    db.finish().await;
}

/// The value below which `q` of the sorted `times` fall.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The campaigns (campaign k sent (k + 1) × 43 h ago, so 200 cover about a year), their
/// ledger (`RECIPIENTS` each, providers round-robin, 2 % hard and 1 % soft bounces, the rest
/// delivered), the month partitions, and the delivery counters the ledger trigger would have
/// written in the send hour. Returns the first campaign id (ids are consecutive).
async fn campaigns_and_ledger(pool: &PgPool) -> i64 {
    let first: i64 = sqlx::query_scalar(
        "INSERT INTO campaign (name, status, from_email, subject, sent_at, finished_at) \
         SELECT 'Campaign ' || k, 'finished', 'news@d' || (k % 4) || '.bench.example', 'Subject ' || k, \
             date_trunc('hour', now()) - (k + 1) * interval '43 hours', \
             date_trunc('hour', now()) - (k + 1) * interval '43 hours' + interval '2 hours' \
         FROM generate_series(0, $1 - 1) k ORDER BY k RETURNING id",
    )
    .bind(CAMPAIGNS)
    .fetch_all(pool)
    .await
    .expect("campaigns")
    .into_iter()
    .min()
    .unwrap_or(1);
    sqlx::query(
        "INSERT INTO delivery (campaign_id, email, state, provider, smtp_code, submitted_at, bounce_class) \
         SELECT c.id, 'r' || r || '@' || (ARRAY['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'example.org'])[r % 5 + 1], \
             CASE WHEN r % 100 < 2 THEN 'bounced' WHEN r % 100 = 2 THEN 'bounced' ELSE 'delivered' END, \
             (ARRAY['gmail', 'microsoft', 'yahoo', 'apple', 'other'])[r % 5 + 1], 250, c.sent_at, \
             CASE WHEN r % 100 < 2 THEN 'hard' WHEN r % 100 = 2 THEN 'soft' ELSE 'delivered' END \
         FROM campaign c, generate_series(0, $1 - 1) r ORDER BY c.id, r",
    )
    .bind(RECIPIENTS)
    .execute(pool)
    .await
    .expect("ledger");
    sqlx::query(
        "SELECT ensure_campaign_event_partition(now() - g * interval '1 month') FROM generate_series(-1, 13) g",
    )
    .execute(pool)
    .await
    .expect("partitions");
    sqlx::query(
        "INSERT INTO campaign_stats_hourly (campaign_id, hour, provider, submitted, delivered, bounced_hard, bounced_soft) \
         SELECT campaign_id, date_trunc('hour', submitted_at), provider, count(*), \
             count(*) FILTER (WHERE state = 'delivered'), count(*) FILTER (WHERE bounce_class = 'hard'), \
             count(*) FILTER (WHERE bounce_class = 'soft') \
         FROM delivery GROUP BY 1, 2, 3",
    )
    .execute(pool)
    .await
    .expect("delivery rollups");
    first
}

/// Events `offset .. offset + n` of the deterministic stream: event g belongs to campaign
/// g % 200 and to recipient (g / 200) % 5000 of it, happens within 7 days of the send;
/// 60 % opens (1 in 7 by a machine), 30 % clicks on one of 5 links, the rest web views and
/// a few unsubscribes. The first event of each recipient counts as its unique one.
async fn insert_events(pool: &PgPool, first_campaign: i64, offset: i64, n: i64) {
    sqlx::query(
        "INSERT INTO campaign_event (occurred_at, campaign_id, delivery_id, kind, machine, first_any, first_human, link_index) \
         SELECT date_trunc('hour', now()) - ((g % $4) + 1) * interval '43 hours' + ((g * 7919) % 604800) * interval '1 second', \
             $3 + g % $4, \
             d0.id + (g % $4) * $5 + (g / $4) % $5, \
             CASE WHEN g % 10 < 6 THEN 'open' WHEN g % 10 < 9 THEN 'click' WHEN g % 50 = 9 THEN 'unsubscribe' ELSE 'web_view' END, \
             g % 7 = 0, \
             g / $4 < $5, \
             g / $4 < $5 AND g % 7 <> 0, \
             CASE WHEN g % 10 BETWEEN 6 AND 8 THEN (g % 5)::int END \
         FROM generate_series($1, $1 + $2 - 1) g, (SELECT min(id) AS id FROM delivery) d0",
    )
    .bind(offset)
    .bind(n)
    .bind(first_campaign)
    .bind(CAMPAIGNS)
    .bind(RECIPIENTS)
    .execute(pool)
    .await
    .expect("events");
}

/// Raw events, rollup rows, link rows and ledger rows, for the report.
async fn row_counts(pool: &PgPool) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM campaign_event), (SELECT count(*) FROM campaign_stats_hourly), \
                (SELECT count(*) FROM campaign_link_stats), (SELECT count(*) FROM delivery)",
    )
    .fetch_one(pool)
    .await
    .expect("row counts")
}
