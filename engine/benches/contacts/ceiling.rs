//! The ceiling: PostgreSQL's own `psql \copy` of the same valid rows into a bare table of
//! ten text columns — no parsing of values, no checks, no indexes. Our import does all of
//! those, so its time is reported as a multiple of this one.
//!
//! Between the two, the schema's floor: the same valid rows, already in the database, written
//! by two plain SQL statements into copies of `contact` and `list_membership` with all their
//! indexes and constraints — the least any importer pays to land them in this schema, before
//! reading, checking, de-duplicating or merging anything.

use std::path::Path;
use std::time::Instant;

use sqlx::PgPool;

/// The two reference times, in seconds.
pub struct Ceiling {
    /// `psql \copy` into the bare table.
    pub copy_s: f64,
    /// The schema's floor (module comment).
    pub floor_s: f64,
}

/// Creates the bare table, times `psql \copy` into it (the psql process from start to exit)
/// and then the schema's floor from it.
pub async fn measure(pool: &PgPool, url: &str, file: &Path, list_id: i64) -> Ceiling {
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
    let floor_s = schema_floor(pool, list_id).await;
    sqlx::query("DROP TABLE bare").execute(pool).await.expect("drop bare table");
    Ceiling { copy_s: seconds, floor_s }
}

/// Times the floor: typed rows from `bare` into `floor_contact`, then one membership each
/// into `floor_membership` (both `LIKE … INCLUDING ALL`: same columns, defaults, checks and
/// indexes as the real tables), in one transaction; the tables are dropped afterwards.
async fn schema_floor(pool: &PgPool, list_id: i64) -> f64 {
    for sql in [
        "CREATE TABLE floor_contact (LIKE contact INCLUDING ALL)",
        "CREATE TABLE floor_membership (LIKE list_membership INCLUDING ALL)",
        "VACUUM ANALYZE bare",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
    let start = Instant::now();
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query(
        "INSERT INTO floor_contact (email, name, attributes, tags, list_keys) \
         SELECT lower(email), name, jsonb_strip_nulls(jsonb_build_object('plan', plan, 'country', country, \
             'age', age::numeric, 'signup_date', signup_date, 'vip', vip = 'yes', 'score', score::numeric, \
             'city', city)), COALESCE(string_to_array(NULLIF(tags, ''), ','), '{}'), ARRAY[list_key($1, 'subscribed')] FROM bare",
    )
    .bind(list_id)
    .execute(&mut *tx)
    .await
    .expect("floor: contacts");
    sqlx::query(
        "INSERT INTO floor_membership (list_id, contact_id, status, consent_at, consent_source) \
         SELECT $1, id, 'subscribed', now(), 'floor' FROM floor_contact",
    )
    .bind(list_id)
    .execute(&mut *tx)
    .await
    .expect("floor: memberships");
    tx.commit().await.expect("commit the floor");
    let seconds = start.elapsed().as_secs_f64();
    for sql in ["DROP TABLE floor_contact", "DROP TABLE floor_membership"] {
        sqlx::query(sql).execute(pool).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
    seconds
}
