//! The sending engine against a real relay (Postfix's `smtp-sink`) and the real database:
//! every recipient sent once, signed and tracked; replies stored per recipient; a relay that
//! is down leaves the campaign waiting and resumes; two engines share one campaign with no
//! duplicates; pause, resume and cancel.

use std::sync::Arc;
use std::time::Duration;

use engine::campaign_fixture::{self as fx, SmtpSink};
use engine::campaigns::starter::start;
use engine::campaigns::{Campaigns, RetryPolicy, SendEngine, SendEngineConfig, SenderSettings, secrets};
use engine::testing::TestDatabase;
use model::campaigns::{CampaignStatus, DeliveryCounts};
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;
use tokio::sync::watch;

const DOMAIN: &str = "news.bm-test.example";
const FROM: &str = "hello@news.bm-test.example";

fn settings() -> SenderSettings {
    fx::sender_settings()
}

fn config(port: u16) -> SendEngineConfig {
    let mut c = fx::engine_config(port, 20);
    c.retry = RetryPolicy { delays: vec![Duration::from_millis(300)], max_attempts: 2 };
    c
}

/// Domain, list of `n` contacts and a started campaign; returns its id.
async fn started_campaign(pool: &PgPool, n: i64, algorithm: DkimAlgorithm) -> i64 {
    fx::sender_domain(pool, DOMAIN, algorithm).await.unwrap();
    let list = fx::audience(pool, "Newsletter", n, "example.com").await.unwrap();
    let id = fx::campaign(pool, list, FROM, 20_000).await.unwrap();
    let key = secrets::tracking_key(pool).await.unwrap();
    start(pool, &key, &settings(), id, &["draft"]).await.unwrap();
    id
}

async fn run_until_idle(pool: &PgPool, config: SendEngineConfig) {
    let engine = Arc::new(SendEngine::new(pool.clone(), config).await.unwrap());
    let (_stop_tx, stop) = watch::channel(false);
    tokio::time::timeout(Duration::from_secs(120), engine.run(stop, true)).await.expect("engine finished").unwrap();
}

async fn counts(pool: &PgPool, id: i64) -> DeliveryCounts {
    engine::campaigns::DeliveryLedger::new(pool.clone(), RetryPolicy::default()).counts(id).await.unwrap()
}

async fn status(pool: &PgPool, id: i64) -> (CampaignStatus, String) {
    let c = Campaigns::new(pool.clone()).get(id).await.unwrap();
    (c.status, c.waiting_reason)
}

/// Every message the sink dumped (each record starts with `X-Client-Addr:`).
fn dumped(path: &std::path::Path) -> Vec<String> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            String::new()
        }
    };
    text.split("X-Client-Addr:").skip(1).map(|m| format!("X-Client-Addr:{m}")).collect()
}

/// The recipient of a dumped message (`X-Rcpt-Args: <addr> NOTIFY=…`).
fn rcpt_of(message: &str) -> Option<&str> {
    message.split("X-Rcpt-Args: <").nth(1)?.split('>').next()
}

#[tokio::test]
async fn a_campaign_reaches_every_recipient_once_signed_and_tracked() {
    let dir = fx::dump_dir("once").unwrap();
    let dump = dir.join("dump");
    let Some(sink) = SmtpSink::start(&["-D", &dump.to_string_lossy()]).await else { return };
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    fx::sender_domain(pool, DOMAIN, DkimAlgorithm::Ed25519).await.unwrap();
    let list = fx::audience(pool, "Newsletter", 60, "example.com").await.unwrap();
    // Two suppressed addresses (one globally, one for this list) and a Gmail duplicate pair.
    sqlx::query("INSERT INTO suppression (email, reason) VALUES ('user1@example.com', 'unsubscribe')")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO suppression (email, list_id, reason) VALUES ('user2@example.com', $1, 'manual')")
        .bind(list)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO contact (email, name) VALUES ('ann.lee@gmail.com', 'Ann'), ('annlee+news@gmail.com', 'Ann')",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO list_membership (list_id, contact_id, status) SELECT $1, id, 'subscribed' FROM contact WHERE domain = 'gmail.com'",
    )
    .bind(list)
    .execute(pool)
    .await
    .unwrap();
    let id = fx::campaign(pool, list, FROM, 20_000).await.unwrap();
    let key = secrets::tracking_key(pool).await.unwrap();
    let started = start(pool, &key, &settings(), id, &["draft"]).await.unwrap();
    assert_eq!((started.queued, started.suppressed, started.duplicates), (59, 2, 1), "{started:?}");

    run_until_idle(pool, config(sink.port)).await;

    let c = counts(pool, id).await;
    assert_eq!((c.submitted, c.skipped, c.remaining(), c.failed), (59, 3, 0, 0), "{c:?}");
    assert_eq!(status(pool, id).await.0, CampaignStatus::Finished);
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT reason FROM delivery WHERE state = 'skipped' ORDER BY reason")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(reasons, ["duplicate of ann.lee@gmail.com", "suppressed: manual", "suppressed: unsubscribe"]);
    let stored: (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE smtp_code = 250 AND dsn), count(DISTINCT message_id) FROM delivery WHERE state = 'submitted'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(stored, (59, 59));

    let mut messages = Vec::new();
    for _ in 0..100 {
        messages = dumped(&dump);
        if messages.len() >= 59 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(messages.len(), 59, "each recipient exactly once");
    let mut rcpts: Vec<&str> = messages.iter().filter_map(|m| rcpt_of(m)).collect();
    rcpts.sort_unstable();
    rcpts.dedup();
    assert_eq!(rcpts.len(), 59);
    // Soft line breaks of quoted-printable undone, so URLs read whole.
    let first = messages[0].replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    for needle in [
        "ret=hdrs",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "List-Unsubscribe: <mailto:unsubscribe+",
        "Feedback-ID: ",
        "DKIM-Signature: v=1; a=ed25519-sha256",
        "https://bm.example.test/t/c/",
        "https://bm.example.test/t/o/",
        " <bounce+",
    ] {
        assert!(first.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()), "{needle} missing in:\n{first}");
    }
    // The signature verifies as the receiving server would check it (keys from the database).
    let checks = engine::mail::dkim_verify::verify_with_stored_keys(pool, messages[0].as_bytes()).await.unwrap();
    assert!(!checks.is_empty() && checks.iter().all(|c| c.pass), "{checks:?}");
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM campaign_link WHERE campaign_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(links, 10, "ten distinct article links are tracked; the unsubscribe link is not");
    drop(sink);
}

#[tokio::test]
async fn rejections_fail_and_deferrals_retry_then_fail_with_the_reply_stored() {
    let Some(reject) = SmtpSink::start(&["-f", "rcpt"]).await else { return };
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let id = started_campaign(pool, 10, DkimAlgorithm::Ed25519).await;
    run_until_idle(pool, config(reject.port)).await;
    let c = counts(pool, id).await;
    assert_eq!((c.failed, c.remaining()), (10, 0), "{c:?}");
    let reply: String = sqlx::query_scalar("SELECT smtp_reply FROM delivery LIMIT 1").fetch_one(pool).await.unwrap();
    assert!(reply.starts_with("500 5.3.0"), "{reply}");
    assert_eq!(status(pool, id).await.0, CampaignStatus::Finished);

    let Some(soft) = SmtpSink::start(&["-r", "rcpt"]).await else { return };
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let id = started_campaign(pool, 5, DkimAlgorithm::Ed25519).await;
    run_until_idle(pool, config(soft.port)).await;
    assert_eq!(status(pool, id).await.0, CampaignStatus::Finished);
    let rows: Vec<(String, i16, String)> =
        sqlx::query_as("SELECT state, attempts, reason FROM delivery ORDER BY id").fetch_all(pool).await.unwrap();
    assert_eq!(rows.len(), 5);
    for (state, attempts, reason) in rows {
        assert_eq!((state.as_str(), attempts), ("failed", 2));
        assert_eq!(reason, "still deferred after 2 attempts");
    }
}

#[tokio::test]
async fn a_relay_that_is_down_keeps_messages_queued_and_sending_resumes_by_itself() {
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();
    let id = started_campaign(&pool, 30, DkimAlgorithm::Ed25519).await;
    let port = fx::free_port();
    let engine = Arc::new(SendEngine::new(pool.clone(), config(port)).await.unwrap());
    let (_stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(engine.run(stop, true));
    let mut waiting = String::new();
    for _ in 0..100 {
        waiting = status(&pool, id).await.1;
        if waiting.starts_with("waiting for relay") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(waiting.starts_with("waiting for relay: cannot connect"), "{waiting:?}");
    assert_eq!(counts(&pool, id).await.queued, 30, "nothing was claimed while the relay was down");
    let Some(_sink) = SmtpSink::start_on(port, &[]).await else { return };
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("resumed").unwrap().unwrap();
    let c = counts(&pool, id).await;
    assert_eq!((c.submitted, c.remaining()), (30, 0));
    assert_eq!(status(&pool, id).await, (CampaignStatus::Finished, String::new()));
}

#[tokio::test]
async fn two_engines_share_a_campaign_without_duplicates() {
    let dir = fx::dump_dir("shared").unwrap();
    let dump = dir.join("dump");
    let Some(sink) = SmtpSink::start(&["-D", &dump.to_string_lossy()]).await else { return };
    let t = TestDatabase::create().await;
    let id = started_campaign(&t.db.pool, 400, DkimAlgorithm::Ed25519).await;
    // Two engines, each with its own pool and worker registration, as two processes would.
    let other = engine::db::Database::connect(&t.url, engine::db::DatabaseMode::External, 5).await.unwrap();
    let mut slow = config(sink.port);
    slow.batch_size = 7;
    let (a, b) = tokio::join!(run_until_idle(&t.db.pool, config(sink.port)), run_until_idle(&other.pool, slow));
    let ((), ()) = (a, b);
    let c = counts(&t.db.pool, id).await;
    assert_eq!((c.submitted, c.remaining()), (400, 0), "{c:?}");
    let workers: i64 =
        sqlx::query_scalar("SELECT count(DISTINCT worker_id) FROM delivery").fetch_one(&t.db.pool).await.unwrap();
    assert_eq!(workers, 0, "every row was released by its worker");
    let mut messages = Vec::new();
    for _ in 0..100 {
        messages = dumped(&dump);
        if messages.len() >= 400 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut rcpts: Vec<String> = messages.iter().filter_map(|m| rcpt_of(m).map(str::to_owned)).collect();
    let total = rcpts.len();
    rcpts.sort_unstable();
    rcpts.dedup();
    assert_eq!((total, rcpts.len()), (400, 400), "no recipient twice, none skipped");
}

#[tokio::test]
async fn pause_holds_sending_resume_continues_and_cancel_skips_the_rest() {
    let Some(sink) = SmtpSink::start(&[]).await else { return };
    let t = TestDatabase::create().await;
    let pool = t.db.pool.clone();
    let id = started_campaign(&pool, 200, DkimAlgorithm::Ed25519).await;
    let campaigns = Campaigns::new(pool.clone());
    campaigns.set_rate(id, 1200).await.unwrap(); // 20 a second
    let engine = Arc::new(SendEngine::new(pool.clone(), config(sink.port)).await.unwrap());
    let (stop_tx, stop) = watch::channel(false);
    let run = tokio::spawn(engine.run(stop, false));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    campaigns.pause(id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let paused = counts(&pool, id).await;
    assert!(paused.submitted > 0 && paused.submitted < 200, "{paused:?}");
    assert_eq!(paused.sending, 0, "in-flight batches finished");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(counts(&pool, id).await.submitted, paused.submitted, "nothing is sent while paused");
    campaigns.resume(id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let resumed = counts(&pool, id).await;
    assert!(resumed.submitted > paused.submitted, "{resumed:?}");
    campaigns.cancel(id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let c = counts(&pool, id).await;
    assert_eq!(c.remaining(), 0, "{c:?}");
    assert_eq!(c.submitted + c.skipped, 200);
    let cancelled: i64 = sqlx::query_scalar("SELECT count(*) FROM delivery WHERE reason = 'campaign cancelled'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(cancelled, c.skipped);
    assert_eq!(status(&pool, id).await.0, CampaignStatus::Cancelled);
    stop_tx.send(true).unwrap();
    run.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_dead_worker_is_recognised_even_when_another_database_has_a_live_worker_with_its_id() {
    use engine::campaigns::workers::{SendWorker, reclaim_dead};
    let a = TestDatabase::create().await;
    let b = TestDatabase::create().await;
    let live = SendWorker::register(&a.db.pool).await.unwrap();
    let dead = SendWorker::register(&b.db.pool).await.unwrap();
    assert_eq!(live.id, dead.id, "both databases number their workers from 1");
    started_campaign(&b.db.pool, 3, DkimAlgorithm::Ed25519).await;
    sqlx::query("UPDATE delivery SET state = 'sending', worker_id = $1, attempts = 1")
        .bind(dead.id)
        .execute(&b.db.pool)
        .await
        .unwrap();
    // The process "dies": its lock connection closes without unregistering.
    drop(dead);
    let mut requeued = 0;
    for _ in 0..50 {
        requeued += reclaim_dead(&b.db.pool).await.unwrap();
        if requeued == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(requeued, 3, "a live worker #1 of another database must not keep these rows");
    drop(live);
}
