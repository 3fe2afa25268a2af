//! Campaign sending speed, measured in one run against real peers:
//!
//! 1. the ceilings, side by side on the same machine: `openssl speed -multi <cores>` RSA-2048
//!    and Ed25519 signs per second (the signing ceiling), and Postfix's `smtp-source` pushing
//!    the same number of 20 KB messages into the same `smtp-sink` (the raw SMTP ceiling);
//! 2. for RSA-2048 and for Ed25519: a campaign of `BENCH_RECIPIENTS` (default 100,000)
//!    contacts — personalised ~20 KB HTML, open and click tracking on, DKIM-signed — started
//!    (audience written to the ledger) and sent by the real `SendEngine` into `smtp-sink` on
//!    loopback, with the engine's CPU time, the sink's CPU time and the engine's peak RSS.
//!
//! Run: `cargo bench -p engine --bench send` (`BENCH_RECIPIENTS=5000` for a smoke run;
//! `BENCH_DATABASE_URL` names a server where the user may CREATE DATABASE, default the
//! product's own embedded PostgreSQL started for the run). Prints a table and
//! `FIGURE <name> <value>` lines.

#[path = "../contacts/setup.rs"]
#[allow(dead_code)]
mod setup;

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::campaign_fixture::{self as fx, SMTP_SOURCE, SmtpSink};
use engine::campaigns::smtp_session::{RelaySecurity, RelayTarget};
use engine::campaigns::starter::start;
use engine::campaigns::{DeliveryLedger, RetryPolicy, SendEngine, SendEngineConfig, SenderSettings, secrets};
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;

/// Bytes of HTML in each message before personalisation.
const HTML_BYTES: usize = 20_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run());
}

fn recipients() -> i64 {
    std::env::var("BENCH_RECIPIENTS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .filter(|&n| n >= 100)
        .unwrap_or(100_000)
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

async fn run() {
    let n = recipients();
    let dir = std::env::temp_dir().join("bm-bench-send");
    std::fs::create_dir_all(&dir).expect("bench directory");
    let db = setup::fresh_database(&dir).await;
    println!("send benchmark: {n} recipients, {} cores, database on {}", cores(), db.server);

    let rsa_ceiling = openssl_signs("rsa2048");
    let ed_ceiling = openssl_signs("ed25519");
    println!("openssl speed -multi {}: RSA-2048 {rsa_ceiling:.0} signs/s, Ed25519 {ed_ceiling:.0} signs/s", cores());

    let sink = SmtpSink::start(&[]).await.expect("smtp-sink (Debian package postfix) must be installed");
    let source = smtp_source(sink.port, n, 4);
    println!("smtp-source: {n} messages of 20 KB over 4 sessions in {source:.2} s = {:.0} msg/s", n as f64 / source);

    let list = fx::audience(&db.pool, "Bench", n, "bench-recipients.example").await.expect("audience");
    let mut rows = Vec::new();
    for (label, algorithm, ceiling) in
        [("RSA-2048", DkimAlgorithm::Rsa, rsa_ceiling), ("Ed25519", DkimAlgorithm::Ed25519, ed_ceiling)]
    {
        let domain = format!("{}.bench-sender.example", label.to_lowercase().replace('-', ""));
        fx::sender_domain(&db.pool, &domain, algorithm).await.expect("sender domain");
        phase_costs(&db.pool, &domain, label).await;
        let result = send_campaign(&db.pool, list, &format!("news@{domain}"), &sink, n).await;
        let rate = result.sent as f64 / result.seconds;
        println!(
            "{label}: {} sent in {:.2} s = {rate:.0} msg/s (start {:.2} s); engine CPU {:.1} s ({:.0} %), sink CPU {:.1} s, \
             engine peak RSS {:.1} MB; {:.0} % of the signing ceiling, {:.0} % of smtp-source",
            result.sent,
            result.seconds,
            result.start_seconds,
            result.engine_cpu,
            100.0 * result.engine_cpu / result.seconds,
            result.sink_cpu,
            result.peak_rss_kb as f64 / 1024.0,
            100.0 * rate / ceiling,
            100.0 * rate / (n as f64 / source),
        );
        rows.push((label, rate, ceiling, result));
    }

    println!();
    println!(
        "| DKIM | messages/s | signing ceiling (signs/s, {} cores) | % of it | smtp-source msg/s | % of it | engine CPU | peak RSS |",
        cores()
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, rate, ceiling, r) in &rows {
        println!(
            "| {label} | {rate:.0} | {ceiling:.0} | {:.0} % | {:.0} | {:.0} % | {:.1} s | {:.1} MB |",
            100.0 * rate / ceiling,
            n as f64 / source,
            100.0 * rate * source / n as f64,
            r.engine_cpu,
            r.peak_rss_kb as f64 / 1024.0
        );
    }
    for (label, rate, ceiling, r) in &rows {
        let key = label.to_lowercase().replace('-', "");
        println!("FIGURE send_{key}_msgs_per_s {rate:.0}");
        println!("FIGURE send_{key}_pct_of_signing_ceiling {:.1}", 100.0 * rate / ceiling);
        println!("FIGURE send_{key}_pct_of_smtp_source {:.1}", 100.0 * rate * source / n as f64);
        println!("FIGURE send_{key}_peak_rss_mb {:.1}", r.peak_rss_kb as f64 / 1024.0);
    }
    println!("FIGURE smtp_source_msgs_per_s {:.0}", n as f64 / source);
    drop(sink);
    db.finish().await;
}

struct SendResult {
    sent: i64,
    seconds: f64,
    start_seconds: f64,
    engine_cpu: f64,
    sink_cpu: f64,
    peak_rss_kb: u64,
}

/// Starts a campaign to `list` and runs a fresh engine until it has sent everything.
async fn send_campaign(pool: &PgPool, list: i64, from: &str, sink: &SmtpSink, n: i64) -> SendResult {
    let settings = SenderSettings {
        public_url: "https://mail.bench-sender.example".into(),
        bounce_domain: "bounce.bench-sender.example".into(),
    };
    let id = fx::campaign(pool, list, from, HTML_BYTES).await.expect("campaign");
    let key = secrets::tracking_key(pool).await.expect("token key");
    let started = Instant::now();
    let m = start(pool, &key, &settings, id, &["draft"]).await.expect("start");
    let start_seconds = started.elapsed().as_secs_f64();
    assert_eq!(m.queued, n, "every contact queued");
    let relay = RelayTarget {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: RelaySecurity::None,
        username: None,
        password: None,
        helo_name: "bench-sender.example".into(),
        timeout: Duration::from_secs(30),
    };
    let mut config = SendEngineConfig::new(settings, relay);
    config.poll = Duration::from_millis(100);
    // Knobs for exploring; the figures are taken with the defaults.
    if let Some(c) = std::env::var("BENCH_CONNECTIONS").ok().and_then(|v| v.parse().ok()) {
        config.connections = c;
    }
    if let Some(b) = std::env::var("BENCH_BATCH").ok().and_then(|v| v.parse().ok()) {
        config.batch_size = b;
    }
    let engine = Arc::new(SendEngine::new(pool.clone(), config).await.expect("engine"));
    // Measure sending, not the set-up's aftermath: statistics current, dirty pages written.
    sqlx::query("VACUUM ANALYZE").execute(pool).await.expect("vacuum");
    sqlx::query("CHECKPOINT").execute(pool).await.expect("checkpoint");
    // Peak RSS from here on: the engine's, not the set-up's.
    std::fs::write("/proc/self/clear_refs", "5").ok();
    let cpu_before = cpu_seconds("self");
    let sink_before = sink.pid().map(|p| cpu_seconds(&p.to_string())).unwrap_or_default();
    let t = Instant::now();
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    engine.run(stop, true).await.expect("engine run");
    let seconds = t.elapsed().as_secs_f64();
    let counts = DeliveryLedger::new(pool.clone(), RetryPolicy::default()).counts(id).await.expect("counts");
    assert_eq!((counts.submitted, counts.remaining()), (n, 0), "every recipient submitted: {counts:?}");
    SendResult {
        sent: counts.submitted,
        seconds,
        start_seconds,
        engine_cpu: cpu_seconds("self") - cpu_before,
        sink_cpu: sink.pid().map(|p| cpu_seconds(&p.to_string())).unwrap_or_default() - sink_before,
        peak_rss_kb: setup::vm_hwm_kb(),
    }
}

/// Single-thread cost per message of building it (merge + MIME) and of signing it, so the
/// report can say where the engine's CPU goes.
async fn phase_costs(pool: &PgPool, domain: &str, label: &str) {
    use engine::campaigns::compose::PreparedCampaign;
    use engine::campaigns::ledger::ClaimedRecipient;
    let list: i64 = sqlx::query_scalar("SELECT id FROM contact_list LIMIT 1").fetch_one(pool).await.expect("list");
    let id = fx::campaign(pool, list, &format!("news@{domain}"), HTML_BYTES).await.expect("campaign");
    let campaign = engine::campaigns::Campaigns::new(pool.clone()).get(id).await.expect("campaign");
    let key = secrets::tracking_key(pool).await.expect("key");
    let settings = SenderSettings { public_url: "https://m.example".into(), bounce_domain: "b.example".into() };
    let signers = engine::campaigns::runner::load_signers(pool, domain).await.expect("signers");
    let unsigned = PreparedCampaign::prepare(&campaign, key.clone(), settings.clone(), Vec::new()).expect("prepare");
    let signed = PreparedCampaign::prepare(&campaign, key, settings, signers).expect("prepare");
    let r = ClaimedRecipient {
        id: 12345,
        contact_id: Some(1),
        email: "user1@bench-recipients.example".into(),
        name: "User 1 Example".into(),
        attributes: serde_json::json!({"plan": "pro", "seats": 3}),
        provider: model::campaigns::Provider::Other,
        attempts: 1,
    };
    let (mut scratch, mut out) = (Vec::new(), Vec::new());
    let mut time = |p: &PreparedCampaign| {
        let rounds = 2000;
        let t = Instant::now();
        for _ in 0..rounds {
            p.render(&r, &mut scratch, &mut out).expect("render");
        }
        t.elapsed().as_secs_f64() * 1e6 / f64::from(rounds)
    };
    let build = time(&unsigned);
    let total = time(&signed);
    println!(
        "{label}: per message on one core: merge + MIME {build:.0} µs, DKIM signing {:.0} µs ({} bytes)",
        total - build,
        out.len()
    );
    sqlx::query("DELETE FROM campaign WHERE id = $1").bind(id).execute(pool).await.expect("clean up");
}

/// User + system CPU seconds of process `pid` ("self" for this one), from /proc.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start at state (field 3).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    ticks / 100.0
}

/// Signs per second of `algorithm` over every core, from `openssl speed -multi`.
fn openssl_signs(algorithm: &str) -> f64 {
    let out = std::process::Command::new("openssl")
        .args(["speed", "-multi", &cores().to_string(), "-seconds", "3", algorithm])
        .stderr(Stdio::null())
        .output()
        .expect("openssl speed");
    let text = String::from_utf8_lossy(&out.stdout);
    // The result line: "rsa 2048 bits 0.000393s 0.000012s … 2544.3 83333.2 …" or
    // "253 bits EdDSA (Ed25519) 0.0000s 0.0001s 23455.1 8000.3": the first number that is
    // not a time (no trailing "s") is signs per second.
    text.lines()
        .rev()
        .filter(|l| l.contains("bits") && (l.contains("rsa") || l.contains("Ed25519")))
        .filter_map(|l| {
            let tail = l.rsplit_once(')').map(|(_, t)| t).unwrap_or(l.split_once("bits").map(|(_, t)| t).unwrap_or(""));
            tail.split_whitespace().find(|w| !w.ends_with('s')).and_then(|w| w.parse::<f64>().ok())
        })
        .next()
        .unwrap_or(f64::NAN)
}

/// Seconds for `smtp-source` to push `n` 20 KB messages over `sessions` kept-open sessions.
fn smtp_source(port: u16, n: i64, sessions: usize) -> f64 {
    let t = Instant::now();
    let status = std::process::Command::new(SMTP_SOURCE)
        .args(["-d", "-s", &sessions.to_string(), "-l", "20480", "-m", &n.to_string()])
        .args(["-f", "bench@bench-sender.example", "-t", "rcpt@bench-recipients.example"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .status()
        .expect("smtp-source (Debian package postfix)");
    assert!(status.success(), "smtp-source failed");
    t.elapsed().as_secs_f64()
}
