//! The sending engine inside real `billionmail serve` processes: killed with SIGKILL in the
//! middle of a campaign and restarted, it skips no one and repeats at most the batches whose
//! replies were not yet committed; two processes on one database share a campaign with no
//! duplicates. The relay is Postfix's `smtp-sink`, dumping every message it receives.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use engine::campaign_fixture::{self as fx, SmtpSink};
use engine::campaigns::secrets;
use engine::campaigns::starter::start;
use engine::testing::TestDatabase;
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;

const BIN: &str = env!("CARGO_BIN_EXE_billionmail");
/// Connections × batch size of the default engine: the most one crash may repeat.
const DUPLICATE_BOUND: usize = 8 * 50;

fn serve(database_url: &str, sink_port: u16, data: &std::path::Path) -> Child {
    let port = fx::free_port();
    Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("BM_LISTEN", format!("127.0.0.1:{port}"))
        .env("BM_DATA_DIR", data)
        .env("BM_SMTP_RELAY", format!("127.0.0.1:{sink_port}"))
        .env("BM_MAIL_HOST", "mail.bm-test.example")
        .env("BM_PUBLIC_URL", "https://bm.example.test")
        .env("BM_RSPAMD", "off")
        .env("BM_DNS_RESOLVER", "127.0.0.1:1")
        .env("BM_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start billionmail serve")
}

async fn campaign(pool: &PgPool, n: i64) -> i64 {
    fx::sender_domain(pool, "news.bm-test.example", DkimAlgorithm::Ed25519).await.unwrap();
    let list = fx::audience(pool, "Newsletter", n, "example.com").await.unwrap();
    let id = fx::campaign(pool, list, "hello@news.bm-test.example", 20_000).await.unwrap();
    let key = secrets::tracking_key(pool).await.unwrap();
    start(pool, &key, &fx::sender_settings(), id, &["draft"]).await.unwrap();
    id
}

async fn submitted(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM delivery WHERE state = 'submitted'").fetch_one(pool).await.unwrap()
}

async fn wait_finished(pool: &PgPool, id: i64) {
    let started = Instant::now();
    loop {
        let status: String =
            sqlx::query_scalar("SELECT status FROM campaign WHERE id = $1").bind(id).fetch_one(pool).await.unwrap();
        if status == "finished" {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "campaign still {status} after 2 minutes");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How many times the sink received each recipient, once the dump holds `at_least` messages.
async fn received(dump: &std::path::Path, at_least: usize) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for _ in 0..200 {
        let text = String::from_utf8_lossy(&std::fs::read(dump).unwrap_or_default()).into_owned();
        seen.clear();
        for rcpt in text.split("X-Rcpt-Args: <").skip(1).filter_map(|m| m.split('>').next()) {
            *seen.entry(rcpt.to_owned()).or_insert(0usize) += 1;
        }
        if seen.values().sum::<usize>() >= at_least {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_mid_campaign_skips_no_one_and_repeats_at_most_a_batch_per_connection() {
    let dir = fx::dump_dir("crash").unwrap();
    let dump = dir.join("dump");
    let Some(sink) = SmtpSink::start(&["-D", &dump.to_string_lossy()]).await else { return };
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let n = 3000;
    let id = campaign(pool, n).await;
    let data = tempdir("crash");
    // Three kills at different points of the campaign, each followed by a restart.
    let mut kills = Vec::new();
    for threshold in [300, 1200, 2200] {
        let mut server = serve(&t.url, sink.port, &data);
        let started = Instant::now();
        while submitted(pool).await < threshold {
            assert!(started.elapsed() < Duration::from_secs(60), "no progress before the kill at {threshold}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill().expect("SIGKILL");
        server.wait().ok();
        kills.push(submitted(pool).await);
    }
    let mut server = serve(&t.url, sink.port, &data);
    wait_finished(pool, id).await;
    server.kill().ok();
    server.wait().ok();

    let (done, remaining): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE state = 'submitted'), count(*) FILTER (WHERE state IN ('queued', 'sending', 'deferred')) \
         FROM delivery WHERE campaign_id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((done, remaining), (n, 0));
    let seen = received(&dump, n as usize).await;
    let skipped = (1..=n).filter(|i| !seen.contains_key(&format!("user{i}@example.com"))).count();
    let duplicates: usize = seen.values().map(|c| c - 1).sum();
    println!("FIGURE kill_restart_kills 3 (after {kills:?} submitted)");
    println!("FIGURE kill_restart_skipped {skipped}");
    println!("FIGURE kill_restart_duplicates {duplicates}");
    assert_eq!(skipped, 0, "a recipient was never sent to");
    assert!(duplicates <= 3 * DUPLICATE_BOUND, "{duplicates} duplicates for 3 kills");
    drop(sink);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_share_a_campaign_without_duplicates() {
    let dir = fx::dump_dir("two").unwrap();
    let dump = dir.join("dump");
    let Some(sink) = SmtpSink::start(&["-D", &dump.to_string_lossy()]).await else { return };
    let t = TestDatabase::create().await;
    let pool = &t.db.pool;
    let n = 3000;
    let id = campaign(pool, n).await;
    let (a, b) = (tempdir("two-a"), tempdir("two-b"));
    let mut first = serve(&t.url, sink.port, &a);
    let mut second = serve(&t.url, sink.port, &b);
    wait_finished(pool, id).await;
    first.kill().ok();
    second.kill().ok();
    first.wait().ok();
    second.wait().ok();
    let seen = received(&dump, n as usize).await;
    let total: usize = seen.values().sum();
    assert_eq!((seen.len(), total), (n as usize, n as usize), "every recipient exactly once");
    // Each process prepares the campaign with its own Message-ID salt: both did part of it.
    let salts: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT split_part(split_part(message_id, '@', 1), '.', 3)) FROM delivery WHERE campaign_id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(salts, 2, "both processes sent part of the campaign");
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bm-send-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
