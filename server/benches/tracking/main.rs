//! Speed of the public tracking endpoints over real HTTP, against a ceiling measured side by
//! side in the same process, and proof that no answered open or click is lost on its way to
//! the database:
//!
//! 1. a scratch database (`BENCH_DATABASE_URL` or `TEST_DATABASE_URL`, a server where the user
//!    may CREATE DATABASE; else the product's own embedded PostgreSQL started for the run
//!    under the bench directory, as the engine benches do);
//! 2. a campaign to `BENCH_RECIPIENTS` (default 20,000) contacts, started (ledger rows and
//!    stored links written) and marked submitted an hour ago, so opens are no "prefetches";
//! 3. the server's own tracking routes, with the state `serve::tracking_state` builds for
//!    `billionmail serve`, and `GET /ceiling`: the same 43-byte GIF answer with no token, no
//!    database and no channel, i.e. what axum, hyper, the loopback and wrk cost on this
//!    machine. Served in-process on 127.0.0.1 with connect info, with the real event writer;
//! 4. `wrk -t2 -c64 -d10s --latency` with a generated Lua script per endpoint, in one run:
//!    ceiling, opens (one pre-signed pixel path per recipient, cycled, so each recipient opens
//!    several times), clicks (the campaign's stored links in turn), ceiling again. The ceiling
//!    is measured first and last because the machine is noisy: the two bracket the others and
//!    their spread says how far the ratios can be trusted;
//! 5. the event writer is stopped (it drains its queue), then every 200 pixel and 302 click
//!    the server answered must be one `campaign_event` row and be counted in
//!    `campaign_stats_hourly` (filled by the rollup trigger).
//!
//! Run: `cargo bench -p server --bench tracking` (knobs: `BENCH_RECIPIENTS`, `BENCH_SECONDS`,
//! `BENCH_CONNECTIONS`, `BENCH_THREADS`, `BENCH_WRK`, `BENCH_DIR`, `BENCH_KEEP`; `RUST_LOG`
//! for the server's logs, default `warn`). Prints a table and `FIGURE <name> <value>` lines;
//! exits 1 when an event was lost or an endpoint gave another status than it must.

mod setup;
mod wrk;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::campaigns::tracking::{TokenKind, TrackingToken};
use engine::tracking::SinkStats;

use setup::{Answered, Statuses, campaign, cpu_seconds, fresh_database, router, vm_hwm_kb};
use wrk::{Wrk, WrkResult, knob};

/// What fetches the pixel: a person's mail client.
const THUNDERBIRD: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0";
/// What follows a link: the browser the mail client hands it to.
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
/// Pause after wrk exits before the per-run server counts are read, so requests in flight when
/// wrk closed its connections are in them (the lost-event check uses the totals at the end,
/// which need no pause).
const SETTLE: Duration = Duration::from_millis(500);
/// Longest wait for the event writer to catch up or drain.
const WRITER_PATIENCE: Duration = Duration::from_secs(300);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let code = runtime.block_on(run());
    // The aborted server task and the pool's connections must not hold the exit up.
    runtime.shutdown_timeout(Duration::from_secs(5));
    std::process::exit(code);
}

async fn run() -> i32 {
    let log_filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into());
    server::logging::init(&log_filter, server::config::LogFormat::Text);
    let n = i64::try_from(knob("BENCH_RECIPIENTS", 20_000, 100)).unwrap_or(20_000);
    let wrk = Wrk::from_env();
    let dir = std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("bm-bench-tracking"));
    std::fs::create_dir_all(&dir).expect("create the bench directory");
    let db = fresh_database(&dir).await;
    let pool = db.pool.clone();
    let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1);
    println!(
        "tracking benchmark: {n} recipients; wrk -t{} -c{} -d{}s; {cores} cores shared by server, wrk and \
         PostgreSQL; database on {}",
        wrk.threads, wrk.connections, wrk.seconds, db.server
    );

    let started = Instant::now();
    let (campaign_id, deliveries, links) = campaign(&pool, n).await;
    println!("campaign started: {} recipients, {} links, in {:.1} s", deliveries.len(), links.len(), secs(started));

    // The state and writer exactly as `billionmail serve` makes them (default configuration).
    let config = server::config::Config::load(None, &|_| None).expect("default configuration");
    let (tracking, events) = server::serve::tracking_state(&config, &pool).await.expect("tracking state");
    let key = tracking.key.clone();
    let stats = tracking.sink.stats();
    let (stop_events, writer) = server::workers::spawn_event_writer(pool.clone(), events);
    let (tracking_answers, ceiling_answers) = (Arc::new(Answered::default()), Arc::new(Answered::default()));
    let app = router(tracking, tracking_answers.clone(), ceiling_answers.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    let serving =
        tokio::spawn(
            async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await },
        );

    let scripts = dir.join("wrk");
    std::fs::create_dir_all(&scripts).expect("create the script directory");
    let sign = |kind: TokenKind, delivery_id: i64, link: u32| {
        key.sign(&TrackingToken { kind, campaign_id, delivery_id, link })
    };
    let open_paths: Vec<String> = deliveries.iter().map(|&d| format!("/t/o/{}", sign(TokenKind::Open, d, 0))).collect();
    let click_paths: Vec<String> = deliveries
        .iter()
        .enumerate()
        .map(|(i, &d)| format!("/t/c/{}", sign(TokenKind::Click, d, links[i % links.len()])))
        .collect();
    let ceiling = wrk.script(&scripts, "ceiling", &["/ceiling".to_owned()], 200, THUNDERBIRD);
    let open = wrk.script(&scripts, "open", &open_paths, 200, THUNDERBIRD);
    let click = wrk.script(&scripts, "click", &click_paths, 302, FIREFOX);

    // Measure the endpoints, not the set-up's aftermath: statistics current, dirty pages
    // written (CHECKPOINT needs a privileged role on a foreign server: skipped if refused).
    sqlx::query("VACUUM ANALYZE").execute(&pool).await.expect("vacuum");
    sqlx::query("CHECKPOINT").execute(&pool).await.ok();
    // Peak RSS from here on: the serving process's, not the fixture's.
    std::fs::write("/proc/self/clear_refs", "5").ok();

    let first = measure("ceiling (first)", &wrk, &ceiling, port, &ceiling_answers, &stats).await;
    let opens = measure("open pixel", &wrk, &open, port, &tracking_answers, &stats).await;
    let clicks = measure("click", &wrk, &click, port, &tracking_answers, &stats).await;
    let last = measure("ceiling (last)", &wrk, &ceiling, port, &ceiling_answers, &stats).await;

    // Stop the writer as `serve` does at shutdown: it writes everything still queued. Every
    // tracking request has long been answered (the last ceiling run came after them), so the
    // totals below are final and no handler can still be waiting to queue an event.
    let t = Instant::now();
    let _ = stop_events.send(true);
    let drained = matches!(tokio::time::timeout(WRITER_PATIENCE, writer).await, Ok(Ok(())));
    let drain_s = secs(t);
    serving.abort();
    let peak_rss_mb = vm_hwm_kb() as f64 / 1024.0;
    let (received, written, batches, dropped) = stats.snapshot();
    println!(
        "event writer: {received} received, {written} written in {batches} transactions ({:.0} a batch), \
         {dropped} dropped; drained in {drain_s:.2} s{}",
        written as f64 / batches.max(1) as f64,
        if drained { "" } else { " — DID NOT FINISH" }
    );

    let (rows_open, rows_click): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE kind = 'open'), count(*) FILTER (WHERE kind = 'click') \
         FROM campaign_event WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(&pool)
    .await
    .expect("count events");
    let (rollup_open, rollup_click, machine_open, machine_click): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(sum(opens_human + opens_machine), 0)::bigint, \
             COALESCE(sum(clicks_human + clicks_machine), 0)::bigint, \
             COALESCE(sum(opens_machine), 0)::bigint, COALESCE(sum(clicks_machine), 0)::bigint \
         FROM campaign_stats_hourly WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(&pool)
    .await
    .expect("sum the rollup");
    let answers = tracking_answers.snapshot();
    let checks = [
        Check { kind: "open", answered: answers.ok, rows: rows_open, rollup: rollup_open, machine: machine_open },
        Check {
            kind: "click",
            answered: answers.found,
            rows: rows_click,
            rollup: rollup_click,
            machine: machine_click,
        },
    ];
    for (c, m) in checks.iter().zip([&opens, &clicks]) {
        println!(
            "{}: server answered {} ({} reached wrk, {} in flight when it stopped); campaign_event {}; \
             rollup {} ({} as machine); lost {}, extra {}",
            c.kind,
            c.answered,
            m.client.good,
            (m.server.ok + m.server.found).saturating_sub(m.client.good),
            c.rows,
            c.rollup,
            c.machine,
            c.lost(),
            c.extra()
        );
    }
    let lost: i64 = checks.iter().map(Check::lost).sum();
    let extra: i64 = checks.iter().map(Check::extra).sum();
    let runs = [&first, &opens, &clicks, &last];
    let wrong_status =
        runs.iter().map(|m| m.client.bad_status).sum::<u64>() + answers.other + ceiling_answers.snapshot().other;

    let ceiling_rps = (first.client.rps() + last.client.rps()) / 2.0;
    let spread = (first.client.rps() - last.client.rps()).abs() / ceiling_rps.max(1e-9);
    println!();
    println!(
        "| endpoint | req/s | vs ceiling | p50 ms | p90 ms | p99 ms | p99.9 ms | mean ms | max ms | errors | server CPU |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for m in runs {
        let c = &m.client;
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {:.0} % |",
            m.label,
            c.rps(),
            c.rps() / ceiling_rps.max(1e-9),
            c.p50_ms,
            c.p90_ms,
            c.p99_ms,
            c.p999_ms,
            c.mean_ms,
            c.max_ms,
            c.errors(),
            m.cpu_pct
        );
    }
    if spread > 0.10 {
        println!(
            "note: the two ceiling runs differ by {:.0} %; the machine was noisy, read the ratios loosely",
            spread * 100.0
        );
    }
    println!();
    // (name, value, decimals)
    let figures: [(&str, f64, usize); 17] = [
        ("tracking_open_rps", opens.client.rps(), 0),
        ("tracking_open_p99_ms", opens.client.p99_ms, 3),
        ("tracking_click_rps", clicks.client.rps(), 0),
        ("tracking_click_p99_ms", clicks.client.p99_ms, 3),
        ("tracking_ceiling_rps", ceiling_rps, 0),
        ("tracking_ceiling_first_rps", first.client.rps(), 0),
        ("tracking_ceiling_last_rps", last.client.rps(), 0),
        ("tracking_ceiling_p99_ms", (first.client.p99_ms + last.client.p99_ms) / 2.0, 3),
        ("tracking_open_vs_ceiling", opens.client.rps() / ceiling_rps.max(1e-9), 3),
        ("tracking_click_vs_ceiling", clicks.client.rps() / ceiling_rps.max(1e-9), 3),
        ("tracking_lost_events", lost as f64, 0),
        ("tracking_extra_events", extra as f64, 0),
        ("tracking_wrong_status", wrong_status as f64, 0),
        ("tracking_writer_batches", batches as f64, 0),
        ("tracking_writer_written", written as f64, 0),
        ("tracking_writer_drain_s", drain_s, 2),
        ("tracking_peak_rss_mb", peak_rss_mb, 1),
    ];
    for (name, value, decimals) in figures {
        println!("FIGURE {name} {value:.decimals$}");
    }
    db.finish().await;
    if lost != 0 || extra != 0 || wrong_status != 0 || !drained {
        eprintln!(
            "FAILED: {lost} events lost, {extra} unexpected, {wrong_status} wrong statuses, writer drained: {drained}"
        );
        return 1;
    }
    0
}

/// One wrk run and what the server saw during it.
struct Measured {
    label: &'static str,
    client: WrkResult,
    server: Statuses,
    /// This process's CPU over the run, in % of one core (wrk and PostgreSQL not included).
    cpu_pct: f64,
}

/// Runs wrk once, then waits until the event writer has written what the run queued, so the
/// next run does not pay for this one's backlog (the writer keeps running: nothing stops).
async fn measure(
    label: &'static str,
    wrk: &Wrk,
    script: &Path,
    port: u16,
    answered: &Answered,
    stats: &SinkStats,
) -> Measured {
    let before = answered.snapshot();
    let cpu = cpu_seconds();
    let t = Instant::now();
    let client = wrk.run(script, port).await;
    let cpu_pct = 100.0 * (cpu_seconds() - cpu) / secs(t).max(1e-9);
    tokio::time::sleep(SETTLE).await;
    let server = answered.snapshot().since(before);
    let (received, written, _, dropped) = stats.snapshot();
    let backlog = received.saturating_sub(written + dropped);
    let t = Instant::now();
    loop {
        let (received, written, _, dropped) = stats.snapshot();
        if written + dropped >= received || t.elapsed() >= WRITER_PATIENCE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "{label}: {} requests in {:.1} s = {:.0} req/s; p50 {:.2} p90 {:.2} p99 {:.2} p99.9 {:.2} ms; wrk: {} expected, \
         {} other statuses ({} ≥ 400), {} socket errors; server: 200×{} 302×{} other×{}; server CPU {cpu_pct:.0} %; \
         writer backlog {backlog} at the end, written {:.2} s later",
        client.requests,
        client.seconds,
        client.rps(),
        client.p50_ms,
        client.p90_ms,
        client.p99_ms,
        client.p999_ms,
        client.good,
        client.bad_status,
        client.status_errors,
        client.socket_errors,
        server.ok,
        server.found,
        server.other,
        secs(t)
    );
    Measured { label, client, server, cpu_pct }
}

/// How one kind of event fared from the answer to the rollup.
struct Check {
    kind: &'static str,
    /// Answers the server gave with the event's status (200 pixel, 302 click).
    answered: u64,
    /// `campaign_event` rows of the kind.
    rows: i64,
    /// The kind's human + machine counters summed over `campaign_stats_hourly`.
    rollup: i64,
    machine: i64,
}

impl Check {
    fn answered_i64(&self) -> i64 {
        i64::try_from(self.answered).unwrap_or(i64::MAX)
    }

    /// Answers with no row, or rows the rollup did not count.
    fn lost(&self) -> i64 {
        (self.answered_i64() - self.rows.min(self.rollup)).max(0)
    }

    /// Rows or counts with no answer behind them (a double write would show here).
    fn extra(&self) -> i64 {
        (self.rows.max(self.rollup) - self.answered_i64()).max(0)
    }
}

fn secs(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}
