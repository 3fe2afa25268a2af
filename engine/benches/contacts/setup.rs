//! The benchmark's own database, created fresh on every run, and its knobs. Without
//! `BENCH_DATABASE_URL` it lives in the product's own embedded PostgreSQL (a cluster under
//! the bench directory, configured as `billionmail serve` configures its own), so the figures
//! are those of the product as shipped; with it, on whatever server that names.

use std::path::PathBuf;

use engine::db::embedded::EmbeddedPostgres;
use engine::db::{Database, DatabaseMode, migrate};
use sqlx::{Connection, PgConnection, PgPool};

/// Name of the database the benchmark creates (dropped first if it exists).
pub const DATABASE: &str = "bm_bench_contacts";
/// The benchmark database.
pub struct BenchDb {
    pub url: String,
    pub pool: PgPool,
    /// The cluster started for the run, if no server was named.
    pub embedded: Option<EmbeddedPostgres>,
    /// What the figures were measured on, for the report.
    pub server: String,
}

impl BenchDb {
    /// Stops and removes the cluster the run started (it holds a few GB), unless
    /// `BENCH_KEEP` is set: then it keeps running for a look with psql.
    pub async fn finish(mut self) {
        self.pool.close().await;
        if std::env::var_os("BENCH_KEEP").is_some() {
            println!("BENCH_KEEP: the database stays at {}", self.url);
            return;
        }
        if let Some(mut cluster) = self.embedded.take() {
            cluster.stop().await.expect("stop the embedded PostgreSQL");
            std::fs::remove_dir_all(cluster.data_dir()).ok();
        }
    }
}

/// Rows of the generated file: `BENCH_ROWS`, default one million.
pub fn bench_rows() -> u64 {
    std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .filter(|&n| n >= 100)
        .unwrap_or(1_000_000)
}

/// Where generated, uploaded and exported files go: `BENCH_DIR` or a temp folder.
pub fn work_dir() -> PathBuf {
    let dir = std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("bm-bench-contacts"));
    std::fs::create_dir_all(&dir).expect("create the bench directory");
    dir
}

/// Drops and re-creates the benchmark database, migrates it and connects.
pub async fn fresh_database(dir: &std::path::Path) -> BenchDb {
    let (base, embedded, server) = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => (url, None, "the server BENCH_DATABASE_URL names".to_owned()),
        Err(_) => {
            let data = dir.join("postgres");
            let mut cluster = EmbeddedPostgres::locate(&data).expect("find initdb/pg_ctl");
            // A cluster a BENCH_KEEP run left behind is stopped before its files go.
            cluster.stop_any().await.expect("stop the previous run's PostgreSQL");
            std::fs::remove_dir_all(&data).ok();
            cluster.start().await.expect("start the embedded PostgreSQL");
            let settings = std::fs::read_to_string(data.join(engine::db::tuning::SETTINGS_FILE)).unwrap_or_default();
            let sized: Vec<&str> = settings.lines().filter(|l| !l.starts_with('#')).collect();
            (
                cluster.url("postgres"),
                Some(cluster),
                format!("the product's embedded PostgreSQL ({})", sized.join(", ")),
            )
        }
    };
    let mut admin = PgConnection::connect(&base).await.expect("connect to BENCH_DATABASE_URL");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")).execute(&mut admin).await.expect("drop");
    sqlx::query(&format!("CREATE DATABASE {DATABASE}")).execute(&mut admin).await.expect("create database");
    admin.close().await.ok();
    let url = with_database(&base, DATABASE);
    let db = Database::connect(&url, DatabaseMode::External, 8).await.expect("connect to the bench database");
    migrate::run(&db.pool).await.expect("migrate the bench database");
    BenchDb { url, pool: db.pool, embedded, server }
}

/// `base` with its database path replaced by `name` (query string kept).
pub fn with_database(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let authority_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = head[authority_end..].find('/').map(|i| i + authority_end).unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..path_start])
}

/// Peak resident memory of this process so far (VmHWM), in kB.
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
