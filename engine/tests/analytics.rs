//! Analytics against the real database: the dashboard's totals, series, providers, top links
//! and filters from rollup rows written directly (as the triggers would), the delivery log's
//! paging, sorting, filters, failure groups and CSV export, and retention by partition.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use engine::analytics::{Analytics, AnalyticsError, retention};
use engine::testing::TestDatabase;
use model::analytics::{AnalyticsFilter, DeliveryLogQuery, DeliveryLogSort, Granularity};
use model::campaigns::Provider;
use sqlx::PgPool;

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).single().expect("valid date")
}

async fn campaign(pool: &PgPool, name: &str, from: &str, status: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO campaign (name, from_email, status, sent_at) VALUES ($1, $2, $3, now()) RETURNING id",
    )
    .bind(name)
    .bind(from)
    .bind(status)
    .fetch_one(pool)
    .await
    .expect("insert campaign")
}

/// One rollup row: (submitted, delivered, bounced_hard, bounced_soft, opens_human,
/// opens_machine, unique_opens_human, clicks_human, unique_clicks_human).
async fn rollup(pool: &PgPool, id: i64, hour: DateTime<Utc>, provider: &str, c: [i64; 9]) {
    sqlx::query(
        "INSERT INTO campaign_stats_hourly (campaign_id, hour, provider, submitted, delivered, bounced_hard, \
             bounced_soft, opens_human, opens_machine, unique_opens, unique_opens_human, clicks_human, unique_clicks, \
             unique_clicks_human) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $12)",
    )
    .bind(id)
    .bind(hour)
    .bind(provider)
    .bind(c[0])
    .bind(c[1])
    .bind(c[2])
    .bind(c[3])
    .bind(c[4])
    .bind(c[5])
    .bind(c[6])
    .bind(c[7])
    .bind(c[8])
    .execute(pool)
    .await
    .expect("insert rollup");
}

fn filter(from: DateTime<Utc>, to: DateTime<Utc>) -> AnalyticsFilter {
    AnalyticsFilter { from, to, campaign_id: None, sender_domain: None }
}

#[tokio::test]
async fn the_dashboard_sums_rollups_by_range_campaign_domain_and_provider() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let a = campaign(pool, "March news", "news@a.example", "finished").await;
    let b = campaign(pool, "Offer", "hi@b.example", "finished").await;
    let _draft = campaign(pool, "Draft", "news@c.example", "draft").await;
    rollup(pool, a, at(10, 10), "gmail", [100, 90, 3, 0, 40, 10, 30, 12, 8]).await;
    rollup(pool, a, at(10, 11), "microsoft", [50, 45, 0, 1, 12, 0, 10, 2, 2]).await;
    rollup(pool, b, at(11, 9), "yahoo", [20, 0, 0, 2, 5, 5, 4, 1, 1]).await;
    // Outside the range.
    rollup(pool, a, at(1, 0) - Duration::days(40), "gmail", [999, 0, 0, 0, 0, 0, 0, 0, 0]).await;
    sqlx::query("INSERT INTO campaign_link (campaign_id, idx, url) VALUES ($1, 0, 'https://a.example/one'), ($1, 1, 'https://a.example/two')")
        .bind(a)
        .execute(pool)
        .await
        .expect("links");
    sqlx::query(
        "INSERT INTO campaign_link_stats (campaign_id, link_index, clicks_human, clicks_machine, unique_clicks_human) \
         VALUES ($1, 0, 3, 1, 2), ($1, 1, 9, 0, 6)",
    )
    .bind(a)
    .execute(pool)
    .await
    .expect("link stats");
    let analytics = Analytics::new(pool.clone());

    let all = analytics.report(&filter(at(10, 0), at(12, 0))).await.expect("report");
    assert_eq!(all.granularity, Granularity::Hour);
    assert_eq!((all.totals.submitted, all.totals.delivered), (170, 135));
    assert_eq!((all.totals.bounced_hard, all.totals.bounced_soft), (3, 3));
    assert_eq!((all.totals.unique_opens_human, all.totals.opens_machine), (44, 15));
    assert_eq!(all.series.len(), 48, "every hour of the range, empty ones too");
    assert_eq!(all.series[10].at, at(10, 10));
    assert_eq!(all.series[10].totals.submitted, 100);
    assert_eq!(all.series[11].totals.submitted, 50);
    assert_eq!(all.series[33].totals.submitted, 20);
    assert_eq!(all.series.iter().map(|p| p.totals.submitted).sum::<i64>(), 170);
    let providers: Vec<(Provider, i64)> = all.providers.iter().map(|p| (p.provider, p.totals.submitted)).collect();
    assert_eq!(
        providers,
        vec![
            (Provider::Gmail, 100),
            (Provider::Microsoft, 50),
            (Provider::Yahoo, 20),
            (Provider::Apple, 0),
            (Provider::Other, 0)
        ]
    );
    assert!(all.top_links.is_empty(), "links only for one campaign");
    assert_eq!(all.sender_domains, vec!["a.example".to_owned(), "b.example".to_owned()]);
    let names: Vec<&str> = all.campaigns.iter().map(|(_, n)| n.as_str()).collect();
    assert!(names.contains(&"March news") && names.contains(&"Offer") && !names.contains(&"Draft"), "{names:?}");
    assert!(!all.any_sending);

    let one = analytics
        .report(&AnalyticsFilter { campaign_id: Some(a), ..filter(at(10, 0), at(12, 0)) })
        .await
        .expect("one campaign");
    assert_eq!(one.totals.submitted, 150);
    assert_eq!(
        one.top_links.iter().map(|l| (l.index, l.unique_clicks_human)).collect::<Vec<_>>(),
        vec![(1, 6), (0, 2)]
    );
    assert_eq!(one.top_links[0].url, "https://a.example/two");

    let domain = analytics
        .report(&AnalyticsFilter { sender_domain: Some(" B.example ".into()), ..filter(at(10, 0), at(12, 0)) })
        .await
        .expect("one domain");
    assert_eq!(domain.totals.submitted, 20);
    assert_eq!(domain.campaigns.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![b]);

    let month = analytics.report(&filter(at(1, 0), at(31, 0))).await.expect("a month");
    assert_eq!(month.granularity, Granularity::Day);
    assert_eq!(month.series.len(), 30);
    assert_eq!(month.series[9].totals.submitted, 150);

    assert!(matches!(analytics.report(&filter(at(12, 0), at(10, 0))).await, Err(AnalyticsError::Invalid(_))));
    let missing = AnalyticsFilter { campaign_id: Some(a + 1000), ..filter(at(10, 0), at(12, 0)) };
    assert!(matches!(analytics.report(&missing).await, Err(AnalyticsError::NotFound(_))));
}

/// 30 recipients: 20 delivered at example.com, 5 unknown users and 3 Spamhaus blocks bounced,
/// 2 refused by the relay.
async fn ledger(pool: &PgPool, id: i64) {
    let insert = |sql: &'static str| sqlx::query(sql).bind(id).execute(pool);
    insert(
        "INSERT INTO delivery (campaign_id, email, state, provider, smtp_code, smtp_reply, submitted_at, reported_at, \
             bounce_class, bounce_reason, dsn_status) \
         SELECT $1, 'ok' || g || '@example.com', 'delivered', 'gmail', 250, '250 2.0.0 Ok', \
             now() - interval '1 hour', now() - interval '1 hour' + g * interval '1 second', 'delivered', 'delivered', '2.0.0' \
         FROM generate_series(1, 20) g",
    )
    .await
    .expect("delivered");
    insert(
        "INSERT INTO delivery (campaign_id, email, state, provider, smtp_code, submitted_at, reported_at, bounce_class, \
             bounce_reason, dsn_status, diagnostic, remote_mta) \
         SELECT $1, 'gone' || g || '@example.org', 'bounced', 'other', 250, now() - interval '1 hour', now(), 'hard', \
             'userunknown', '5.1.1', '550 5.1.1 user unknown', 'mx.example.org' \
         FROM generate_series(1, 5) g",
    )
    .await
    .expect("unknown users");
    insert(
        "INSERT INTO delivery (campaign_id, email, state, provider, smtp_code, submitted_at, reported_at, bounce_class, \
             bounce_reason, dsn_status, diagnostic) \
         SELECT $1, 'listed' || g || '@example.net', 'bounced', 'microsoft', 250, now() - interval '1 hour', now(), \
             'soft', 'blocked', '5.7.1', 'Service unavailable; client [192.0.2.10] blocked using zen.spamhaus.org' \
         FROM generate_series(1, 3) g",
    )
    .await
    .expect("blocked");
    insert(
        "INSERT INTO delivery (campaign_id, email, state, provider, smtp_code, smtp_status, smtp_reply, reason) \
         SELECT $1, 'refused' || g || '@example.org', 'failed', 'other', 550, '5.7.1', '=550 relay refused 50%', \
             'relay refused' \
         FROM generate_series(1, 2) g",
    )
    .await
    .expect("failed");
}

fn query(id: i64) -> DeliveryLogQuery {
    DeliveryLogQuery { campaign_id: id, page: 1, per_page: 10, ..DeliveryLogQuery::default() }
}

#[tokio::test]
async fn the_delivery_log_pages_filters_groups_and_exports() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let id = campaign(pool, "Log", "news@a.example", "finished").await;
    ledger(pool, id).await;
    let analytics = Analytics::new(pool.clone());

    let first = analytics.delivery_log(&query(id)).await.expect("page 1");
    assert_eq!((first.total, first.rows.len()), (30, 10));
    let last = analytics.delivery_log(&DeliveryLogQuery { page: 3, ..query(id) }).await.expect("page 3");
    assert_eq!(last.rows.len(), 10);
    let beyond = analytics.delivery_log(&DeliveryLogQuery { page: 4, ..query(id) }).await.expect("page 4");
    assert_eq!((beyond.total, beyond.rows.len()), (30, 0));
    let delayed = first.rows.iter().find(|r| r.email == "ok1@example.com").expect("first delivered row");
    assert_eq!(delayed.delay_seconds, Some(1));

    let count = |q: DeliveryLogQuery| {
        let analytics = analytics.clone();
        async move { analytics.delivery_log(&DeliveryLogQuery { per_page: 200, ..q }).await.expect("log").total }
    };
    assert_eq!(count(DeliveryLogQuery { state: Some("bounced".into()), ..query(id) }).await, 8);
    assert_eq!(count(DeliveryLogQuery { reason: Some("userunknown".into()), ..query(id) }).await, 5);
    assert_eq!(count(DeliveryLogQuery { reason: Some("undetermined".into()), ..query(id) }).await, 2);
    assert_eq!(count(DeliveryLogQuery { domain: Some("EXAMPLE.org".into()), ..query(id) }).await, 7);
    assert_eq!(count(DeliveryLogQuery { search: "spamhaus".into(), ..query(id) }).await, 3);
    assert_eq!(count(DeliveryLogQuery { search: "50%".into(), ..query(id) }).await, 2);
    assert_eq!(count(DeliveryLogQuery { search: "%".into(), ..query(id) }).await, 2, "% is literal");

    let by_email = analytics
        .delivery_log(&DeliveryLogQuery { sort: DeliveryLogSort::Email, descending: true, ..query(id) })
        .await
        .expect("sorted");
    assert_eq!(by_email.rows[0].email, "refused2@example.org");
    let by_delay = analytics
        .delivery_log(&DeliveryLogQuery { sort: DeliveryLogSort::Delay, descending: true, ..query(id) })
        .await
        .expect("by delay");
    assert!(by_delay.rows[0].delay_seconds.unwrap_or(0) >= 3000, "{:?}", by_delay.rows[0]);

    let (reasons, domains) = analytics.failure_groups(id).await.expect("groups");
    let reasons: Vec<(String, String, i64)> = reasons.into_iter().map(|g| (g.class, g.reason, g.count)).collect();
    assert_eq!(
        reasons,
        vec![
            ("hard".to_owned(), "userunknown".to_owned(), 5),
            ("soft".to_owned(), "blocked".to_owned(), 3),
            ("failed".to_owned(), "undetermined".to_owned(), 2),
        ]
    );
    assert_eq!(domains[0].domain, "example.org");
    assert_eq!((domains[0].total, domains[0].bounced, domains[0].failed), (7, 5, 2));
    assert!(domains.iter().any(|d| d.domain == "example.com" && d.delivered == 20));

    let csv =
        String::from_utf8(analytics.export_csv(&DeliveryLogQuery { per_page: 1, ..query(id) }).await.expect("csv"))
            .expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 31, "header and every row, paging ignored");
    assert!(lines[0].starts_with("email,state,provider"));
    assert!(csv.contains("Sending IP listed on Spamhaus"));
    assert!(csv.contains("'=550 relay refused"), "formula-looking text is made inert");
    let bounced =
        analytics.export_csv(&DeliveryLogQuery { state: Some("bounced".into()), ..query(id) }).await.expect("csv");
    assert_eq!(String::from_utf8_lossy(&bounced).lines().count(), 9);
    assert!(matches!(analytics.delivery_log(&query(id + 1000)).await, Err(AnalyticsError::NotFound(_))));
}

#[tokio::test]
async fn retention_drops_only_partitions_older_than_the_policy() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    sqlx::query("SELECT ensure_campaign_event_partition('2020-01-15T00:00:00Z'::timestamptz)")
        .execute(pool)
        .await
        .expect("old partition");
    retention::ensure_partitions(pool).await.expect("current partitions");
    let dropped = retention::drop_expired_partitions(pool).await.expect("retention");
    assert_eq!(dropped, vec!["campaign_event_2020_01".to_owned()]);
    let left: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'campaign_event' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("partitions");
    let this_month = retention::partition_name(Utc::now().date_naive().with_day0(0).expect("first of month"));
    assert!(left.contains(&this_month), "{left:?}");
    assert!(retention::drop_expired_partitions(pool).await.expect("again").is_empty());
}
