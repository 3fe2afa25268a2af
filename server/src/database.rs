//! Opening the database the configuration names: an external URL, or the embedded cluster.

use engine::db::embedded::EmbeddedPostgres;
use engine::db::{Database, DatabaseMode, migrate};

use crate::cli::PostgresAction;
use crate::config::Config;

/// An open database plus the embedded cluster to stop on exit, if one was started.
pub struct OpenDatabase {
    pub db: Database,
    embedded: Option<EmbeddedPostgres>,
}

impl OpenDatabase {
    /// Connects (starting the embedded cluster when there is no `DATABASE_URL`) and runs
    /// pending migrations.
    pub async fn open(config: &Config) -> Result<Self, engine::EngineError> {
        let (url, mode, mut embedded) = match &config.database_url {
            Some(url) => (url.clone(), DatabaseMode::External, None),
            None => {
                let mut pg = EmbeddedPostgres::locate(&config.data_dir.join("postgres"))?;
                let url = pg.start().await?;
                (url, DatabaseMode::Embedded, Some(pg))
            }
        };
        let db = match Database::connect(&url, mode, config.db_max_connections).await {
            Ok(db) => db,
            Err(e) => {
                if let Some(pg) = embedded.as_mut() {
                    pg.stop().await.ok();
                }
                return Err(e);
            }
        };
        let mut this = Self { db, embedded };
        match migrate::run(&this.db.pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(applied = n, "database migrated"),
            Err(e) => {
                this.close().await;
                return Err(e);
            }
        }
        Ok(this)
    }

    /// Closes the pool and stops the embedded cluster if this process started it.
    pub async fn close(&mut self) {
        self.db.pool.close().await;
        if let Some(pg) = self.embedded.as_mut()
            && let Err(e) = pg.stop().await
        {
            tracing::error!(error = %e, "could not stop the embedded PostgreSQL");
        }
    }
}

/// `billionmail postgres start|stop`: manage the embedded cluster without serving.
pub async fn embedded_command(config: &Config, action: &PostgresAction) -> Result<String, engine::EngineError> {
    let mut pg = EmbeddedPostgres::locate(&config.data_dir.join("postgres"))?;
    match action {
        PostgresAction::Start => {
            // Nothing stops it on drop: it keeps running, which is the point of this command.
            pg.start().await
        }
        PostgresAction::Stop => {
            pg.stop_any().await?;
            Ok("embedded PostgreSQL stopped".into())
        }
    }
}
