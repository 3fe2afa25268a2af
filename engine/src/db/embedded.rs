//! The embedded default: a private PostgreSQL cluster under `./data/postgres`.
//!
//! A first-time user runs one command and gets a working product without installing or
//! configuring a database server. The cluster listens on a unix socket inside its own data
//! directory only (no TCP port, nothing to clash with), is created with the machine's
//! `initdb`, started and stopped with `pg_ctl`. PostgreSQL refuses to run as root, so a root
//! process runs those tools as the `postgres` system user (override: `BM_EMBEDDED_PG_USER`).
//! Each start sizes the server for the machine (`tuning.rs`).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sqlx::Connection;
use tokio::process::Command;

use crate::{EngineError, Result};

/// Database and role created inside the private cluster.
pub const DATABASE_NAME: &str = "billionmail";

/// A private PostgreSQL cluster the product created and may have started.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<String>,
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Finds `initdb`/`pg_ctl` for a cluster in `data_dir`, or says what to install.
    pub fn locate(data_dir: &Path) -> Result<Self> {
        let bin_dir = find_postgres_bin_dir().ok_or_else(|| {
            EngineError::EmbeddedPostgres(
                "PostgreSQL server programs (initdb, pg_ctl) were not found on PATH or in \
                 /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: `apt-get install \
                 postgresql`) or set DATABASE_URL to an existing PostgreSQL database."
                    .into(),
            )
        })?;
        let data_dir = std::path::absolute(data_dir)?;
        let run_as = if running_as_root() {
            Some(std::env::var("BM_EMBEDDED_PG_USER").unwrap_or_else(|_| "postgres".into()))
        } else {
            None
        };
        Ok(Self { data_dir, bin_dir, run_as, started_here: false })
    }

    /// Where the cluster lives (also the unix socket directory).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Creates the cluster on first use, starts it unless it already runs, creates the
    /// product's database, and returns its connection URL.
    pub async fn start(&mut self) -> Result<String> {
        if !self.data_dir.join("PG_VERSION").exists() {
            self.init().await?;
        }
        if !self.is_running().await? {
            if let Some(memory) = super::tuning::total_memory() {
                super::tuning::write(&self.data_dir, memory)?;
            }
            let log = self.data_dir.join("server.log");
            let options = format!(
                "-c listen_addresses='' -c unix_socket_directories='{}' -c max_connections=60",
                self.data_dir.display()
            );
            let out = self
                .pg_command("pg_ctl")
                .arg("start")
                .arg("-w")
                .arg("-t")
                .arg("60")
                .arg("-D")
                .arg(&self.data_dir)
                .arg("-l")
                .arg(&log)
                .arg("-o")
                .arg(options)
                .output()
                .await?;
            if !out.status.success() {
                let tail = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: String = tail.lines().rev().take(5).collect::<Vec<_>>().join("\n");
                return Err(EngineError::EmbeddedPostgres(format!(
                    "pg_ctl start failed: {}{}\n{tail}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            self.started_here = true;
            tracing::info!(dir = %self.data_dir.display(), "embedded PostgreSQL started");
        }
        self.ensure_database().await?;
        Ok(self.url(DATABASE_NAME))
    }

    /// Stops the cluster if this process started it; a cluster someone else started is left
    /// running for them.
    pub async fn stop(&mut self) -> Result<()> {
        if !self.started_here {
            return Ok(());
        }
        self.stop_any().await
    }

    /// Stops the cluster whoever started it (no-op when it is not running).
    pub async fn stop_any(&mut self) -> Result<()> {
        if !self.is_running().await? {
            return Ok(());
        }
        let out =
            self.pg_command("pg_ctl").args(["stop", "-w", "-m", "fast", "-D"]).arg(&self.data_dir).output().await?;
        if !out.status.success() {
            return Err(EngineError::EmbeddedPostgres(format!(
                "pg_ctl stop failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        self.started_here = false;
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }

    /// Connection URL of `database` over the cluster's unix socket.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{DATABASE_NAME}@localhost/{database}?host={}", self.data_dir.display())
    }

    async fn init(&self) -> Result<()> {
        std::fs::create_dir_all(&self.data_dir)?;
        if let Some(user) = &self.run_as {
            let out = Command::new("chown").arg(user).arg(&self.data_dir).output().await?;
            if !out.status.success() {
                return Err(EngineError::EmbeddedPostgres(format!(
                    "cannot hand {} to the `{user}` user (PostgreSQL refuses to run as root): {}",
                    self.data_dir.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
        }
        let out = self
            .pg_command("initdb")
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-U", DATABASE_NAME, "--auth=trust", "--encoding=UTF8", "--no-instructions"])
            .output()
            .await?;
        if !out.status.success() {
            return Err(EngineError::EmbeddedPostgres(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        tracing::info!(dir = %self.data_dir.display(), "embedded PostgreSQL cluster created");
        Ok(())
    }

    async fn is_running(&self) -> Result<bool> {
        let out = self.pg_command("pg_ctl").arg("status").arg("-D").arg(&self.data_dir).output().await?;
        // pg_ctl status: 0 = running, 3 = not running, 4 = no usable data directory.
        Ok(out.status.code() == Some(0))
    }

    async fn ensure_database(&self) -> Result<()> {
        let mut conn = sqlx::PgConnection::connect(&self.url("postgres")).await?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(DATABASE_NAME)
            .fetch_one(&mut conn)
            .await?;
        if !exists {
            sqlx::query(&format!("CREATE DATABASE {DATABASE_NAME}")).execute(&mut conn).await?;
        }
        conn.close().await?;
        Ok(())
    }

    fn pg_command(&self, program: &str) -> Command {
        let path = self.bin_dir.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(path);
                c
            }
            None => Command::new(path),
        };
        // All paths are absolute; "/" is a working directory the `postgres` user can enter.
        cmd.env("LC_ALL", "C.UTF-8").current_dir("/");
        cmd
    }
}

/// Whether this process has root's effective uid (then PostgreSQL must run as another user).
fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// The directory holding `initdb` and `pg_ctl`: `BM_PG_BIN_DIR`, then PATH, then the newest
/// Debian layout `/usr/lib/postgresql/<major>/bin`.
fn find_postgres_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(dir) = std::env::var("BM_PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return has_tools(&dir).then_some(dir);
    }
    if let Some(path) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&path).find(|d| has_tools(d))
    {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_tools(&bin).then_some((major, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
