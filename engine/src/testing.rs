//! Test support: a fresh, migrated database per test, dropped when the test ends.
//!
//! Each test gets its own database on the server named by `TEST_DATABASE_URL` (the README
//! test command sets it: CI's PostgreSQL, or the private cluster under ./data otherwise), so
//! tests run in parallel and never see each other's rows.

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::db::{Database, DatabaseMode, migrate};

/// A throw-away database; dropped (forcefully) when this value is dropped.
pub struct TestDatabase {
    pub db: Database,
    /// Connection URL of the test database, for child processes under test.
    pub url: String,
    name: String,
    admin: PgConnectOptions,
}

impl TestDatabase {
    /// Creates and migrates a uniquely named database. Panics with a clear message when no
    /// test server is configured: this is test-only code.
    pub async fn create() -> Self {
        let base = std::env::var("TEST_DATABASE_URL").expect(
            "TEST_DATABASE_URL is not set: run the tests with `make test`, or point it at a \
             PostgreSQL server where this user may CREATE DATABASE",
        );
        let admin: PgConnectOptions = base.parse().expect("TEST_DATABASE_URL is not a valid URL");
        let suffix: u64 = rand::random();
        let name = format!("bm_test_{}_{suffix:x}", std::process::id());
        let mut conn = admin.connect().await.expect("cannot connect to TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
        conn.close().await.ok();
        let options = admin.clone().database(&name);
        let url = database_url(&base, &name);
        let db = Database::connect_with(options, DatabaseMode::External, 5).await.expect("connect test database");
        migrate::run(&db.pool).await.expect("migrate test database");
        Self { db, url, name, admin }
    }
}

/// `base` with its database path replaced by `name` (query string kept).
fn database_url(base: &str, name: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let authority_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = head[authority_end..].find('/').map(|i| i + authority_end).unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..path_start])
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Async work cannot run in Drop; a short-lived runtime on its own thread can.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async move {
                let mut conn = admin.connect().await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn database_url_swaps_only_the_database() {
        assert_eq!(database_url("postgres://u@127.0.0.1:5432/postgres", "x"), "postgres://u@127.0.0.1:5432/x");
        assert_eq!(
            database_url("postgres://billionmail@localhost/postgres?host=/d/pg", "x"),
            "postgres://billionmail@localhost/x?host=/d/pg"
        );
        assert_eq!(database_url("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
