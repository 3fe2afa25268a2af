//! The sign-in flow: throttle check, constant-effort password check, session, log.

use model::SessionUser;
use sqlx::PgPool;
use thiserror::Error;

use super::admins::AdminAccounts;
use super::password_hash;
use super::policy::AuthPolicy;
use super::sessions::{NewSession, SessionStore};
use super::sign_in_log::SignInLog;
use super::throttle::{FailureOutcome, LoginThrottle};
use crate::EngineError;

/// Why a sign-in was refused. Wrong username and wrong password are deliberately the same.
#[derive(Debug, Error)]
pub enum SignInError {
    #[error("wrong username or password")]
    InvalidCredentials { attempts_left: u32 },
    #[error("too many failed sign-ins from this address; try again in {retry_after_secs} s")]
    Locked { retry_after_secs: u64 },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> Self {
        Self::Engine(e.into())
    }
}

/// Everything admin authentication needs, built once from the pool and the policy.
#[derive(Clone, Debug)]
pub struct Authenticator {
    pub accounts: AdminAccounts,
    pub sessions: SessionStore,
    pub throttle: LoginThrottle,
    pub log: SignInLog,
}

impl Authenticator {
    pub fn new(pool: PgPool, policy: AuthPolicy) -> Self {
        Self {
            accounts: AdminAccounts::new(pool.clone(), policy.clone()),
            sessions: SessionStore::new(pool.clone(), policy.clone()),
            throttle: LoginThrottle::new(pool.clone(), policy),
            log: SignInLog::new(pool),
        }
    }

    /// Checks the credentials from `ip` and opens a session when they are right.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<(SessionUser, NewSession), SignInError> {
        if let Some(left) = self.throttle.locked_for(ip).await? {
            self.log.record(username, ip, false, "locked out").await?;
            return Err(SignInError::Locked { retry_after_secs: left.as_secs().max(1) });
        }
        let stored = self.accounts.credentials(username).await?;
        let verified = match &stored {
            Some(c) => password_hash::verify(password, &c.password_hash).await,
            None => {
                password_hash::verify(password, &password_hash::decoy_hash().await).await;
                false
            }
        };
        let reason = if stored.is_some() { "wrong password" } else { "unknown user" };
        let Some(account) = stored.filter(|_| verified) else {
            self.log.record(username, ip, false, reason).await?;
            return Err(match self.throttle.record_failure(ip).await? {
                FailureOutcome::Remaining(attempts_left) => SignInError::InvalidCredentials { attempts_left },
                FailureOutcome::LockedFor(d) => SignInError::Locked { retry_after_secs: d.as_secs().max(1) },
            });
        };
        self.throttle.clear(ip).await?;
        self.accounts.record_sign_in(account.id).await?;
        let session = self.sessions.create(account.id, ip, user_agent).await?;
        self.log.record(&account.username, ip, true, "").await?;
        Ok((SessionUser { id: account.id, username: account.username }, session))
    }
}
