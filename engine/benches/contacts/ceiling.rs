//! The ceiling: PostgreSQL's own `psql \copy` of the same valid rows into a bare table of
//! ten text columns — no parsing of values, no checks, no indexes. Our import does all of
//! those, so its time is reported as a multiple of this one.

use std::path::Path;
use std::time::Instant;

use sqlx::PgPool;

/// Creates the bare table and times `psql \copy` into it (the psql process from start to
/// exit), in seconds.
pub async fn psql_copy(pool: &PgPool, url: &str, file: &Path) -> f64 {
    let columns: Vec<String> = super::generate::HEADER.iter().map(|c| format!("{c} text")).collect();
    sqlx::query(&format!("CREATE TABLE bare ({})", columns.join(", "))).execute(pool).await.expect("create bare table");
    let copy =
        format!("\\copy bare FROM '{}' WITH (FORMAT csv, HEADER true)", file.display().to_string().replace('\'', "''"));
    let start = Instant::now();
    let out = tokio::process::Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(&copy)
        .output()
        .await
        .expect("run psql (install the PostgreSQL client)");
    let seconds = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
    let copied: i64 = sqlx::query_scalar("SELECT count(*) FROM bare").fetch_one(pool).await.expect("count");
    println!("psql copied {copied} rows");
    sqlx::query("DROP TABLE bare").execute(pool).await.expect("drop bare table");
    seconds
}
