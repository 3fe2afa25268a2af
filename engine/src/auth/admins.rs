//! Admin accounts: creation (first-run set-up, CLI, Admins page), password reset, removal.

use model::{AdminAccount, Page, PageRequest, PasswordProblem, SessionUser, UsernameProblem};
use sqlx::PgPool;
use thiserror::Error;

use super::password_hash;
use super::policy::{AuthPolicy, secs};
use crate::EngineError;
use crate::db::order::order_by;

/// Why an account change was refused; each variant is shown to the admin as is.
#[derive(Debug, Error)]
pub enum AdminError {
    #[error("username {0}")]
    InvalidUsername(UsernameProblem),
    #[error("password {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    WeakPassword(Vec<PasswordProblem>),
    #[error("an admin named {0:?} already exists")]
    UsernameTaken(String),
    #[error("set-up is already done: an admin account exists, sign in instead")]
    AlreadySetUp,
    #[error("no admin named {0:?}")]
    NotFound(String),
    #[error("the last admin account cannot be deleted")]
    LastAdmin,
    #[error("you cannot delete the account you are signed in with")]
    DeletingSelf,
    #[error("the current password is not right")]
    WrongCurrentPassword,
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<sqlx::Error> for AdminError {
    fn from(e: sqlx::Error) -> Self {
        Self::Engine(e.into())
    }
}

/// The stored credentials of one admin, for sign-in only.
#[derive(Debug, sqlx::FromRow)]
pub struct StoredCredentials {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

/// The `admins` table and its rules.
#[derive(Clone, Debug)]
pub struct AdminAccounts {
    pool: PgPool,
    policy: AuthPolicy,
}

/// Advisory-lock key that serialises first-run set-up across processes.
const SETUP_LOCK: i64 = 0x626d_5f73_6574_7570; // "bm_setup"

impl AdminAccounts {
    /// The policy decides which sessions count as active in the list.
    pub fn new(pool: PgPool, policy: AuthPolicy) -> Self {
        Self { pool, policy }
    }

    /// Stamps the admin's last successful sign-in (shown in the Admins table).
    pub async fn record_sign_in(&self, id: i64) -> crate::Result<()> {
        sqlx::query("UPDATE admins SET last_sign_in_at = now() WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Number of admin accounts; zero means the product still needs its first-run set-up.
    pub async fn count(&self) -> Result<i64, AdminError> {
        Ok(sqlx::query_scalar("SELECT count(*) FROM admins").fetch_one(&self.pool).await?)
    }

    /// Creates the very first admin; refused once any admin exists, even under a race of
    /// two browsers submitting the set-up form at once.
    pub async fn create_first(&self, username: &str, password: &str) -> Result<SessionUser, AdminError> {
        let (username, hash) = Self::checked(username, password).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(SETUP_LOCK).execute(&mut *tx).await?;
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM admins").fetch_one(&mut *tx).await?;
        if existing > 0 {
            return Err(AdminError::AlreadySetUp);
        }
        let id = Self::insert(&mut tx, &username, &hash).await?;
        tx.commit().await?;
        Ok(SessionUser { id, username })
    }

    /// Creates another admin (from the Admins page or the CLI).
    pub async fn create(&self, username: &str, password: &str) -> Result<SessionUser, AdminError> {
        let (username, hash) = Self::checked(username, password).await?;
        let mut tx = self.pool.begin().await?;
        let id = Self::insert(&mut tx, &username, &hash).await?;
        tx.commit().await?;
        Ok(SessionUser { id, username })
    }

    /// Sets a new password and signs the admin out everywhere.
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<(), AdminError> {
        let name = username.trim().to_lowercase();
        let problems = model::check_password(password, &name);
        if !problems.is_empty() {
            return Err(AdminError::WeakPassword(problems));
        }
        let hash = password_hash::hash(password).await?;
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar("UPDATE admins SET password_hash = $2 WHERE username = $1 RETURNING id")
                .bind(&name)
                .bind(&hash)
                .fetch_optional(&mut *tx)
                .await?;
        let id = id.ok_or_else(|| AdminError::NotFound(name.clone()))?;
        sqlx::query("DELETE FROM admin_sessions WHERE admin_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An admin changes their own password: the current one must be right. Every session
    /// of the account ends (the caller opens a fresh one for the browser that asked).
    pub async fn change_own_password(&self, id: i64, current: &str, new: &str) -> Result<(), AdminError> {
        let stored: Option<(String, String)> =
            sqlx::query_as("SELECT username, password_hash FROM admins WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let (username, hash) = stored.ok_or_else(|| AdminError::NotFound(format!("#{id}")))?;
        if !password_hash::verify(current, &hash).await {
            return Err(AdminError::WrongCurrentPassword);
        }
        self.reset_password(&username, new).await
    }

    /// Deletes an admin (and, by cascade, their sessions); never the last one or oneself.
    pub async fn delete(&self, id: i64, acting_admin: i64) -> Result<(), AdminError> {
        if id == acting_admin {
            return Err(AdminError::DeletingSelf);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(SETUP_LOCK).execute(&mut *tx).await?;
        let total: i64 = sqlx::query_scalar("SELECT count(*) FROM admins").fetch_one(&mut *tx).await?;
        if total <= 1 {
            return Err(AdminError::LastAdmin);
        }
        let deleted = sqlx::query("DELETE FROM admins WHERE id = $1").bind(id).execute(&mut *tx).await?;
        if deleted.rows_affected() == 0 {
            return Err(AdminError::NotFound(format!("#{id}")));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Credentials for a sign-in attempt; the username is matched case-insensitively.
    pub async fn credentials(&self, username: &str) -> crate::Result<Option<StoredCredentials>> {
        Ok(sqlx::query_as("SELECT id, username, password_hash FROM admins WHERE username = lower(btrim($1))")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// One page of the Admins table; `sort` is mapped to SQL through a fixed whitelist.
    pub async fn list(&self, req: &PageRequest) -> Result<Page<AdminAccount>, AdminError> {
        let order = order_by(
            req,
            &[
                ("username", "a.username"),
                ("created_at", "a.created_at"),
                ("last_sign_in_at", "a.last_sign_in_at"),
                ("active_sessions", "active_sessions"),
            ],
            "a.id",
        );
        // Only whitelisted identifiers are formatted in; every value is bound.
        let sql = format!(
            "SELECT a.id, a.username, a.created_at, a.last_sign_in_at, \
                    (SELECT count(*) FROM admin_sessions s WHERE s.admin_id = a.id AND s.expires_at > now() \
                       AND s.last_seen_at > now() - make_interval(secs => $3)) AS active_sessions \
             FROM admins a {order} LIMIT $1 OFFSET $2"
        );
        let rows: Vec<AdminRow> = sqlx::query_as(&sql)
            .bind(req.limit())
            .bind(req.offset())
            .bind(secs(self.policy.idle_timeout))
            .fetch_all(&self.pool)
            .await?;
        let total = self.count().await?;
        Ok(Page { rows: rows.into_iter().map(Into::into).collect(), total })
    }

    async fn checked(username: &str, password: &str) -> Result<(String, String), AdminError> {
        let username = model::check_username(username).map_err(AdminError::InvalidUsername)?;
        let problems = model::check_password(password, &username);
        if !problems.is_empty() {
            return Err(AdminError::WeakPassword(problems));
        }
        let hash = password_hash::hash(password).await?;
        Ok((username, hash))
    }

    async fn insert(
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        username: &str,
        hash: &str,
    ) -> Result<i64, AdminError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO admins (username, password_hash) VALUES ($1, $2) \
             ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(username)
        .bind(hash)
        .fetch_optional(&mut **tx)
        .await?;
        id.ok_or_else(|| AdminError::UsernameTaken(username.to_owned()))
    }
}

#[derive(sqlx::FromRow)]
struct AdminRow {
    id: i64,
    username: String,
    created_at: chrono::DateTime<chrono::Utc>,
    last_sign_in_at: Option<chrono::DateTime<chrono::Utc>>,
    active_sessions: i64,
}

impl From<AdminRow> for AdminAccount {
    fn from(r: AdminRow) -> Self {
        Self {
            id: r.id,
            username: r.username,
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
            active_sessions: r.active_sessions,
            is_you: false,
        }
    }
}
