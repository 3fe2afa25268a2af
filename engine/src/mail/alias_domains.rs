//! Alias domains: `anything@alias.example` is delivered as `anything@target.example`.

use model::mail::{AliasDomain, AliasDomainInput};
use sqlx::PgPool;

use super::MailError;
use super::domains::lock_names;
use super::names::{display_domain, normalize_domain};

/// The `mail_alias_domain` table and its rules.
#[derive(Clone, Debug)]
pub struct AliasDomains {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    target_domain: String,
    active: bool,
}

impl From<Row> for AliasDomain {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            display_name: display_domain(&r.name),
            name: r.name,
            target_domain: r.target_domain,
            active: r.active,
        }
    }
}

const SELECT: &str = "SELECT a.id, a.name, t.name AS target_domain, a.active \
     FROM mail_alias_domain a JOIN mail_domain t ON t.id = a.target_domain_id";

impl AliasDomains {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Adds an alias domain; it may not be a mail domain itself, and its target must be one.
    pub async fn create(&self, input: &AliasDomainInput) -> Result<AliasDomain, MailError> {
        let name = normalize_domain(&input.name)?;
        let target = normalize_domain(&input.target_domain)?;
        let mut tx = self.pool.begin().await?;
        lock_names(&mut tx).await?;
        let is_domain: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mail_domain WHERE name = $1)")
            .bind(&name)
            .fetch_one(&mut *tx)
            .await?;
        if is_domain {
            return Err(MailError::DomainExists(name));
        }
        let target_id: Option<i64> = sqlx::query_scalar("SELECT id FROM mail_domain WHERE name = $1")
            .bind(&target)
            .fetch_optional(&mut *tx)
            .await?;
        let target_id = target_id.ok_or_else(|| MailError::NotOurDomain(target.clone()))?;
        let inserted = sqlx::query(
            "INSERT INTO mail_alias_domain (name, target_domain_id, active) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&name)
        .bind(target_id)
        .bind(input.active)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(MailError::AliasDomainExists(name));
        }
        tx.commit().await?;
        self.get(&name).await
    }

    /// Enables or disables an alias domain.
    pub async fn set_active(&self, name: &str, active: bool) -> Result<AliasDomain, MailError> {
        let name = normalize_domain(name)?;
        let done = sqlx::query("UPDATE mail_alias_domain SET active = $2 WHERE name = $1")
            .bind(&name)
            .bind(active)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MailError::AliasDomainNotFound(name));
        }
        self.get(&name).await
    }

    /// Removes an alias domain (mail to it is then refused).
    pub async fn delete(&self, name: &str) -> Result<(), MailError> {
        let name = normalize_domain(name)?;
        let done = sqlx::query("DELETE FROM mail_alias_domain WHERE name = $1").bind(&name).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(MailError::AliasDomainNotFound(name));
        }
        Ok(())
    }

    /// One alias domain.
    pub async fn get(&self, name: &str) -> Result<AliasDomain, MailError> {
        let name = normalize_domain(name)?;
        let row: Option<Row> =
            sqlx::query_as(&format!("{SELECT} WHERE a.name = $1")).bind(&name).fetch_optional(&self.pool).await?;
        row.map(Into::into).ok_or(MailError::AliasDomainNotFound(name))
    }

    /// Every alias domain, by name (there are few).
    pub async fn list(&self) -> Result<Vec<AliasDomain>, MailError> {
        let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY a.name")).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
