//! What the tracking benchmark stands on: its scratch database, the campaign whose links it
//! requests, the router it serves (the server's tracking routes beside a ceiling route) and
//! readings of this process from /proc.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use engine::campaign_fixture as fx;
use engine::campaigns::starter::start;
use engine::db::embedded::EmbeddedPostgres;
use engine::db::{Database, DatabaseMode, migrate};
use http::{HeaderValue, StatusCode, header};
use model::deliverability::DkimAlgorithm;
use server::http::tracking::PIXEL_GIF;
use sqlx::{Connection, PgConnection, PgPool};

/// The benchmark's database (dropped first if a previous run left it).
const DATABASE: &str = "bm_bench_tracking";
/// The campaign's sender domain (gets a DKIM key: `start` checks the domain is set up).
const SENDER: &str = "news.bench-tracking.example";

/// A started campaign to `n` contacts, every recipient submitted an hour ago (an open within
/// 2 s of submission counts as a prefetch, a click within 5 s as a scanner); returns its id,
/// its delivery ids and the indexes of its stored web links.
pub async fn campaign(pool: &PgPool, n: i64) -> (i64, Vec<i64>, Vec<u32>) {
    fx::sender_domain(pool, SENDER, DkimAlgorithm::Ed25519).await.expect("sender domain");
    let list = fx::audience(pool, "Bench", n, "bench-recipients.example").await.expect("audience");
    let id = fx::campaign(pool, list, &format!("news@{SENDER}"), 20_000).await.expect("campaign");
    let key = engine::campaigns::secrets::tracking_key(pool).await.expect("tracking key");
    let started = start(pool, &key, &fx::sender_settings(), id, &["draft"]).await.expect("start the campaign");
    assert_eq!(started.queued, n, "every contact queued");
    sqlx::query(
        "UPDATE delivery SET state = 'submitted', smtp_code = 250, submitted_at = now() - interval '1 hour' \
         WHERE campaign_id = $1",
    )
    .bind(id)
    .execute(pool)
    .await
    .expect("mark submitted");
    let deliveries: Vec<i64> = sqlx::query_scalar("SELECT id FROM delivery WHERE campaign_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(pool)
        .await
        .expect("delivery ids");
    // The redirect goes only to web links; clicks on others would be 404s, not measurements.
    let links: Vec<i32> =
        sqlx::query_scalar("SELECT idx FROM campaign_link WHERE campaign_id = $1 AND url ~* '^https?://' ORDER BY idx")
            .bind(id)
            .fetch_all(pool)
            .await
            .expect("link indexes");
    let links: Vec<u32> = links.into_iter().filter_map(|i| u32::try_from(i).ok()).collect();
    assert!(!links.is_empty(), "the fixture newsletter has tracked links");
    // Events land in monthly partitions: this month's must exist whatever the date.
    engine::analytics::retention::ensure_partitions(pool).await.expect("event partitions");
    (id, deliveries, links)
}

/// The tracking routes as the server merges them and the ceiling beside them, each counting
/// the statuses it answers into its own [`Answered`] (so a late answer is never put down to
/// the wrong endpoint). The count is a synchronous map, the same cost on every route.
pub fn router(
    tracking: server::http::tracking::TrackingState,
    tracking_answers: Arc<Answered>,
    ceiling_answers: Arc<Answered>,
) -> Router {
    counted(Router::new().route("/ceiling", get(ceiling)), ceiling_answers)
        .merge(counted(server::http::tracking::routes(tracking), tracking_answers))
}

fn counted(router: Router, answers: Arc<Answered>) -> Router {
    router.layer(tower::util::MapResponseLayer::new(move |res: Response| {
        answers.note(res.status());
        res
    }))
}

/// `GET /ceiling`: the pixel's exact answer (type, cache header, 43 bytes) without the work.
async fn ceiling() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/gif")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store, private")),
        ],
        PIXEL_GIF.as_slice(),
    )
        .into_response()
}

/// Responses the server produced, by status. The lost-event check compares the database with
/// these rather than with what wrk received: when its time is up wrk drops the requests in
/// flight, whose events the server may already have queued. A handler queues its event and
/// returns its status in the same poll, so an answer counted here always had its event queued
/// (unless queueing failed, which is exactly a lost event). The tracking routes' 200s are
/// pixels and their 302s clicks: the benchmark requests nothing else from them.
#[derive(Debug, Default)]
pub struct Answered {
    ok: AtomicU64,
    found: AtomicU64,
    other: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Statuses {
    pub ok: u64,
    pub found: u64,
    pub other: u64,
}

impl Answered {
    fn note(&self, status: StatusCode) {
        let counter = match status {
            StatusCode::OK => &self.ok,
            StatusCode::FOUND => &self.found,
            _ => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Statuses {
        Statuses {
            ok: self.ok.load(Ordering::Relaxed),
            found: self.found.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
        }
    }
}

impl Statuses {
    pub fn since(self, before: Statuses) -> Statuses {
        Statuses { ok: self.ok - before.ok, found: self.found - before.found, other: self.other - before.other }
    }
}

/// The benchmark database and where it lives.
pub struct BenchDb {
    pub pool: PgPool,
    /// The server's own database URL, to drop the benchmark database at the end.
    admin_url: String,
    /// The cluster started for the run, if no server was named.
    embedded: Option<EmbeddedPostgres>,
    /// What the figures were measured on, for the report.
    pub server: String,
}

/// Drops and re-creates the benchmark database, migrates it and connects with the server's
/// default pool size (`BM_DB_MAX_CONNECTIONS`, 10).
pub async fn fresh_database(dir: &Path) -> BenchDb {
    let named = std::env::var("BENCH_DATABASE_URL").or_else(|_| std::env::var("TEST_DATABASE_URL")).ok();
    let (admin_url, embedded, server) = match named {
        Some(url) => (url, None, "the server BENCH_DATABASE_URL / TEST_DATABASE_URL names".to_owned()),
        None => {
            let data = dir.join("postgres");
            let mut cluster = EmbeddedPostgres::locate(&data).expect("find initdb/pg_ctl (or set TEST_DATABASE_URL)");
            // A cluster a BENCH_KEEP run left behind is stopped before its files go.
            cluster.stop_any().await.expect("stop the previous run's PostgreSQL");
            std::fs::remove_dir_all(&data).ok();
            cluster.start().await.expect("start the embedded PostgreSQL");
            (cluster.url("postgres"), Some(cluster), "the product's embedded PostgreSQL".to_owned())
        }
    };
    let mut admin = PgConnection::connect(&admin_url).await.expect("connect to the database server");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")).execute(&mut admin).await.expect("drop");
    sqlx::query(&format!("CREATE DATABASE {DATABASE}")).execute(&mut admin).await.expect("create database");
    admin.close().await.ok();
    let url = with_database(&admin_url, DATABASE);
    let db = Database::connect(&url, DatabaseMode::External, 10).await.expect("connect to the bench database");
    migrate::run(&db.pool).await.expect("migrate the bench database");
    BenchDb { pool: db.pool, admin_url, embedded, server }
}

impl BenchDb {
    /// Drops the database (or stops and removes the cluster the run started), unless
    /// `BENCH_KEEP` is set: then it stays for a look with psql.
    pub async fn finish(mut self) {
        self.pool.close().await;
        if std::env::var_os("BENCH_KEEP").is_some() {
            println!("BENCH_KEEP: the database stays at {}", with_database(&self.admin_url, DATABASE));
            return;
        }
        if let Some(mut cluster) = self.embedded.take() {
            cluster.stop().await.expect("stop the embedded PostgreSQL");
            std::fs::remove_dir_all(cluster.data_dir()).ok();
        } else if let Ok(mut admin) = PgConnection::connect(&self.admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)");
            sqlx::query(&sql).execute(&mut admin).await.ok();
            admin.close().await.ok();
        }
    }
}

/// `base` with its database path replaced by `name` (query string kept).
fn with_database(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let authority_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = head[authority_end..].find('/').map(|i| i + authority_end).unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..path_start])
}

/// User + system CPU seconds of this process (every thread), from /proc.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces) start at state (field 3).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<f64>().ok()).sum();
    ticks / 100.0
}

/// Peak resident memory of this process since the last `clear_refs` (VmHWM), in kB.
pub fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
