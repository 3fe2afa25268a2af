//! Tracked opens, clicks and unsubscribes against a real PostgreSQL: events go through the
//! in-memory sink and are written in batches; the first-open/first-click flags on the ledger
//! and the events, the hourly and per-link rollups kept by triggers, the contact timeline,
//! machine opens and scanner clicks; the durable, idempotent unsubscribe; a month partition
//! created on demand; the web view rendered per recipient.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use engine::campaign_fixture as fx;
use engine::campaigns::secrets;
use engine::campaigns::starter::start;
use engine::testing::TestDatabase;
use engine::tracking::{
    EventKind, EventSink, EventWriter, TrackedEvent, UnsubscribeScope, UnsubscribeSource, render_web_view,
    subscription_choices, unsubscribe,
};
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;
use tokio::sync::watch;

const DOMAIN: &str = "news.bm-test.example";
const FROM: &str = "hello@news.bm-test.example";
const SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                      Version/17.4 Safari/605.1.15";

/// A started campaign whose recipients were all submitted an hour ago.
struct Sent {
    campaign_id: i64,
    list_id: i64,
    /// (delivery id, contact id), by delivery id.
    recipients: Vec<(i64, i64)>,
}

async fn sent_campaign(pool: &PgPool, n: i64) -> Sent {
    fx::sender_domain(pool, DOMAIN, DkimAlgorithm::Ed25519).await.unwrap();
    let list_id = fx::audience(pool, "Newsletter", n, "example.com").await.unwrap();
    let campaign_id = fx::campaign(pool, list_id, FROM, 5_000).await.unwrap();
    let key = secrets::tracking_key(pool).await.unwrap();
    start(pool, &key, &fx::sender_settings(), campaign_id, &["draft"]).await.unwrap();
    sqlx::query(
        "UPDATE delivery SET state = 'submitted', submitted_at = now() - interval '1 hour' WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .execute(pool)
    .await
    .unwrap();
    let recipients: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, contact_id FROM delivery WHERE campaign_id = $1 ORDER BY id")
            .bind(campaign_id)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(recipients.len(), usize::try_from(n).unwrap());
    Sent { campaign_id, list_id, recipients }
}

/// A time `secs` from now, whole seconds (what PostgreSQL gives back exactly).
fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(Utc::now().timestamp() + secs, 0).unwrap()
}

fn event(kind: EventKind, campaign_id: i64, delivery_id: i64, when: DateTime<Utc>) -> TrackedEvent {
    TrackedEvent {
        kind,
        campaign_id,
        delivery_id,
        link_index: None,
        at: when,
        user_agent: SAFARI.into(),
        ip: Some(IpAddr::from([203, 0, 113, 10])),
        head: false,
    }
}

fn click(campaign_id: i64, delivery_id: i64, link: i32, when: DateTime<Utc>, user_agent: &str) -> TrackedEvent {
    TrackedEvent {
        link_index: Some(link),
        user_agent: user_agent.into(),
        ..event(EventKind::Click, campaign_id, delivery_id, when)
    }
}

/// Runs a writer, records `events` through a sink, stops the writer (which drains) and
/// returns the counters (received, written, batches, dropped).
async fn write_all(pool: &PgPool, events: Vec<TrackedEvent>) -> (u64, u64, u64, u64) {
    let (sink, receiver) = EventSink::channel();
    let (stop_tx, stop) = watch::channel(false);
    let writer = tokio::spawn(EventWriter::run(pool.clone(), receiver, stop));
    for e in events {
        sink.record(e).await.unwrap();
    }
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(60), writer).await.expect("writer drained in time").unwrap();
    sink.stats().snapshot()
}

/// (opens_human, opens_machine, unique_opens, unique_opens_human) over all hours.
async fn open_rollup(pool: &PgPool, campaign_id: i64) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT COALESCE(sum(opens_human), 0)::bigint, COALESCE(sum(opens_machine), 0)::bigint, \
                COALESCE(sum(unique_opens), 0)::bigint, COALESCE(sum(unique_opens_human), 0)::bigint \
         FROM campaign_stats_hourly WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn opens_are_written_in_batches_with_first_flags_and_rollups() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let s = sent_campaign(pool, 3).await;
    let c = s.campaign_id;
    let [(d1, contact1), (d2, contact2), (d3, contact3)] = s.recipients[..] else { panic!("three recipients") };
    let t0 = at(-1800);
    let apple = TrackedEvent { ip: Some(IpAddr::from([17, 58, 0, 1])), ..event(EventKind::Open, c, d1, t0) };
    let events = vec![
        // Apple's proxy first, then the person twice; events may arrive out of order.
        event(EventKind::Open, c, d1, t0 + TimeDelta::seconds(20)),
        apple,
        event(EventKind::Open, c, d1, t0 + TimeDelta::seconds(10)),
        event(EventKind::Open, c, d2, t0 + TimeDelta::seconds(5)),
    ];
    let (received, written, batches, dropped) = write_all(pool, events).await;
    assert_eq!((received, written, dropped), (4, 4, 0));
    assert!(batches >= 1);

    let rows: Vec<(i64, bool, bool, bool, String)> = sqlx::query_as(
        "SELECT delivery_id, machine, first_any, first_human, detail FROM campaign_event \
         WHERE campaign_id = $1 AND kind = 'open' ORDER BY occurred_at, id",
    )
    .bind(c)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (d1, true, true, false, "apple-mpp".to_owned()),
            (d2, false, true, true, String::new()),
            (d1, false, false, true, String::new()),
            (d1, false, false, false, String::new()),
        ]
    );

    type Firsts = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let firsts = |id: i64| async move {
        sqlx::query_as::<_, Firsts>("SELECT first_open_at, first_human_open_at FROM delivery WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(firsts(d1).await, (Some(t0), Some(t0 + TimeDelta::seconds(10))));
    assert_eq!(firsts(d2).await, (Some(t0 + TimeDelta::seconds(5)), Some(t0 + TimeDelta::seconds(5))));
    assert_eq!(firsts(d3).await, (None, None));

    assert_eq!(open_rollup(pool, c).await, (3, 1, 2, 2));

    let opened = "SELECT count(*) FROM contact_event WHERE contact_id = $1 AND kind = 'opened'";
    assert_eq!(count(pool, opened, contact1).await, 1);
    assert_eq!(count(pool, opened, contact2).await, 1);
    assert_eq!(count(pool, opened, contact3).await, 0);
    let activity = |id: i64| async move {
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>("SELECT last_activity_at FROM contact WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(activity(contact1).await, Some(t0 + TimeDelta::seconds(20)));
    assert_eq!(activity(contact3).await, None);

    // A later batch: the same people again are no longer unique; a machine-only recipient
    // opening for real now counts as a unique human open.
    let later = vec![
        event(EventKind::Open, c, d2, t0 + TimeDelta::seconds(100)),
        TrackedEvent {
            user_agent: "Mozilla/5.0".into(),
            ..event(EventKind::Open, c, d3, t0 + TimeDelta::seconds(100))
        },
        event(EventKind::Open, c, d3, t0 + TimeDelta::seconds(200)),
    ];
    let (_, written, _, _) = write_all(pool, later).await;
    assert_eq!(written, 3);
    assert_eq!(open_rollup(pool, c).await, (5, 2, 3, 3));
    assert_eq!(count(pool, opened, contact2).await, 1);
    assert_eq!(count(pool, opened, contact3).await, 1);
}

#[tokio::test]
async fn many_events_share_few_transactions() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let s = sent_campaign(pool, 50).await;
    let t0 = at(-600);
    let events: Vec<TrackedEvent> = (0..2_000)
        .map(|i| {
            let (d, _) = s.recipients[i % s.recipients.len()];
            event(EventKind::Open, s.campaign_id, d, t0 + TimeDelta::milliseconds(i64::try_from(i).unwrap()))
        })
        .collect();
    let (received, written, batches, dropped) = write_all(pool, events).await;
    assert_eq!((received, written, dropped), (2_000, 2_000, 0));
    assert!(batches * 10 <= written, "{batches} transactions for {written} events");
    assert_eq!(count(pool, "SELECT count(*) FROM campaign_event WHERE campaign_id = $1", s.campaign_id).await, 2_000);
    assert_eq!(open_rollup(pool, s.campaign_id).await.3, 50);
}

#[tokio::test]
async fn clicks_roll_up_per_link_and_scanners_are_machine() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let s = sent_campaign(pool, 3).await;
    let c = s.campaign_id;
    let [(d1, contact1), (d2, contact2), (d3, _)] = s.recipients[..] else { panic!("three recipients") };
    let t0 = at(-1200);
    let events = vec![
        click(c, d1, 0, t0, SAFARI),
        click(c, d1, 0, t0 + TimeDelta::seconds(60), SAFARI),
        click(c, d2, 1, t0 + TimeDelta::seconds(1), "Mimecast URL Protect"),
        // Two links within a third of a second: a scanner walking the message.
        click(c, d3, 0, t0 + TimeDelta::seconds(100), SAFARI),
        click(c, d3, 1, t0 + TimeDelta::milliseconds(100_300), SAFARI),
        TrackedEvent { head: true, ..click(c, d1, 1, t0 + TimeDelta::seconds(300), SAFARI) },
    ];
    let (_, written, _, _) = write_all(pool, events).await;
    assert_eq!(written, 6);

    let links: Vec<(i32, i64, i64, i64)> = sqlx::query_as(
        "SELECT link_index, clicks_human, clicks_machine, unique_clicks_human FROM campaign_link_stats \
         WHERE campaign_id = $1 ORDER BY link_index",
    )
    .bind(c)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(links, [(0, 2, 1, 1), (1, 0, 3, 0)]);

    let (clicks_human, clicks_machine, unique_clicks, unique_clicks_human): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT sum(clicks_human)::bigint, sum(clicks_machine)::bigint, sum(unique_clicks)::bigint, \
                sum(unique_clicks_human)::bigint FROM campaign_stats_hourly WHERE campaign_id = $1",
    )
    .bind(c)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((clicks_human, clicks_machine, unique_clicks, unique_clicks_human), (2, 4, 3, 1));

    let details: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM campaign_event WHERE campaign_id = $1 AND machine ORDER BY occurred_at, id",
    )
    .bind(c)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(details, ["scanner:mimecast", "rapid-clicks", "rapid-clicks", "head-request"]);

    let first_url: String = sqlx::query_scalar("SELECT url FROM campaign_link WHERE campaign_id = $1 AND idx = 0")
        .bind(c)
        .fetch_one(pool)
        .await
        .unwrap();
    let clicked: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM contact_event WHERE contact_id = $1 AND kind = 'clicked'")
            .bind(contact1)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(clicked, [first_url]);
    assert_eq!(
        count(pool, "SELECT count(*) FROM contact_event WHERE contact_id = $1 AND kind = 'clicked'", contact2).await,
        0
    );
    let (first_click, first_human_click): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT first_click_at, first_human_click_at FROM delivery WHERE id = $1")
            .bind(d2)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((first_click, first_human_click), (Some(t0 + TimeDelta::seconds(1)), None));
}

#[tokio::test]
async fn events_naming_another_campaign_are_dropped() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let s = sent_campaign(pool, 1).await;
    let (d1, _) = s.recipients[0];
    let forged = event(EventKind::Open, s.campaign_id + 1000, d1, at(-60));
    let missing = event(EventKind::Open, s.campaign_id, d1 + 1000, at(-60));
    let (received, written, _, dropped) = write_all(pool, vec![forged, missing]).await;
    assert_eq!((received, written, dropped), (2, 0, 2));
    assert_eq!(count(pool, "SELECT count(*) FROM campaign_event WHERE delivery_id = $1", d1).await, 0);
}

#[tokio::test]
async fn an_event_in_a_month_without_partition_creates_it() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let s = sent_campaign(pool, 1).await;
    let (d1, _) = s.recipients[0];
    // The migration creates this month's and next month's partitions; 70 days ahead is later.
    let far = at(70 * 86_400);
    let partition = "SELECT to_regclass('campaign_event_' || to_char(date_trunc('month', $1 AT TIME ZONE 'UTC'), \
                     'YYYY_MM')) IS NOT NULL";
    let exists = |when: DateTime<Utc>| async move {
        sqlx::query_scalar::<_, bool>(partition).bind(when).fetch_one(pool).await.unwrap()
    };
    assert!(!exists(far).await);
    let (_, written, _, dropped) = write_all(pool, vec![event(EventKind::Open, s.campaign_id, d1, far)]).await;
    assert_eq!((written, dropped), (1, 0));
    assert!(exists(far).await);
    assert_eq!(count(pool, "SELECT count(*) FROM campaign_event WHERE delivery_id = $1", d1).await, 1);
}

#[tokio::test]
async fn unsubscribing_is_durable_and_idempotent() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let s = sent_campaign(pool, 2).await;
    let c = s.campaign_id;
    let (d1, contact1) = s.recipients[0];
    let email: String =
        sqlx::query_scalar("SELECT email FROM delivery WHERE id = $1").bind(d1).fetch_one(pool).await.unwrap();

    let first = unsubscribe(pool, c, d1, UnsubscribeScope::CampaignLists, UnsubscribeSource::OneClick).await.unwrap();
    assert_eq!(first.email, email);
    assert_eq!(first.lists, ["Newsletter"]);
    assert!(!first.everything && !first.already);

    let status: String =
        sqlx::query_scalar("SELECT status FROM list_membership WHERE list_id = $1 AND contact_id = $2")
            .bind(s.list_id)
            .bind(contact1)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(status, "unsubscribed");
    let suppressions = |list: Option<i64>| {
        let email = email.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM suppression WHERE email = $1 AND reason = 'unsubscribe' \
                 AND list_id IS NOT DISTINCT FROM $2",
            )
            .bind(email)
            .bind(list)
            .fetch_one(pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(suppressions(Some(s.list_id)).await, 1);
    assert_eq!(suppressions(None).await, 0);
    let timeline = "SELECT count(*) FROM contact_event WHERE contact_id = $1 AND kind = 'unsubscribed'";
    assert_eq!(count(pool, timeline, contact1).await, 1);
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM contact_event WHERE contact_id = $1 AND kind = 'unsubscribed'")
            .bind(contact1)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(detail, "one-click: Newsletter");
    let unsubscribed_at: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT unsubscribed_at FROM delivery WHERE id = $1")
            .bind(d1)
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(unsubscribed_at.is_some());
    let rollup = "SELECT COALESCE(sum(unsubscribed), 0)::bigint FROM campaign_stats_hourly WHERE campaign_id = $1";
    assert_eq!(count(pool, rollup, c).await, 1);

    // The same request again changes nothing and says so.
    let again = unsubscribe(pool, c, d1, UnsubscribeScope::CampaignLists, UnsubscribeSource::OneClick).await.unwrap();
    assert!(again.already);
    assert!(again.lists.is_empty());
    assert_eq!(suppressions(Some(s.list_id)).await, 1);
    assert_eq!(count(pool, timeline, contact1).await, 1);
    assert_eq!(count(pool, rollup, c).await, 1);
    assert_eq!(unsubscribe_events(pool, d1).await, 1);

    // Everything from the page: a global suppression, still one unsubscribe in the rollup.
    let all = unsubscribe(pool, c, d1, UnsubscribeScope::Everything, UnsubscribeSource::Page).await.unwrap();
    assert!(all.everything && !all.already);
    assert_eq!(suppressions(None).await, 1);
    assert_eq!(count(pool, timeline, contact1).await, 2);
    assert_eq!(count(pool, rollup, c).await, 1);
    let choices = subscription_choices(pool, c, d1).await.unwrap();
    assert!(choices.unsubscribed_everywhere);
    assert_eq!(choices.lists.len(), 1);
    assert_eq!(choices.lists[0].status, "unsubscribed");
    assert!(choices.lists[0].in_this_campaign);

    // The other recipient is untouched; an unknown recipient is NotFound.
    let (d2, contact2) = s.recipients[1];
    assert_eq!(count(pool, timeline, contact2).await, 0);
    assert_eq!(unsubscribe_events(pool, d2).await, 0);
    let missing = unsubscribe(pool, c + 1, d2, UnsubscribeScope::Everything, UnsubscribeSource::Page).await;
    assert!(missing.is_err_and(|e| e.is_not_found()));
}

async fn unsubscribe_events(pool: &PgPool, delivery_id: i64) -> i64 {
    count(pool, "SELECT count(*) FROM campaign_event WHERE delivery_id = $1 AND kind = 'unsubscribe'", delivery_id)
        .await
}

#[tokio::test]
async fn the_web_view_is_the_recipients_message_without_the_pixel() {
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let s = sent_campaign(pool, 2).await;
    let key = secrets::tracking_key(pool).await.unwrap();
    let (d2, _) = s.recipients[1];
    let html = render_web_view(pool, &key, fx::sender_settings(), s.campaign_id, d2).await.unwrap().expect("rendered");
    // The fixture's second contact: "User 2 Example", plan "pro", 2 seats.
    let start_of = || html.chars().take(600).collect::<String>();
    assert!(html.contains("Hello User,"), "{}", start_of());
    assert!(html.contains("Your pro plan has 2 seats"), "{}", start_of());
    assert!(html.contains("https://bm.example.test/t/c/"));
    assert!(html.contains("https://bm.example.test/u/"));
    assert!(!html.contains("/t/o/"));
    assert!(render_web_view(pool, &key, fx::sender_settings(), s.campaign_id + 1, d2).await.unwrap().is_none());
}
