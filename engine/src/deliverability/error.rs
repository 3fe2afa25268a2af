//! Why a deliverability action (DNS policy, DKIM rotation, blocklists, certificates) was
//! refused or failed, phrased for the admin.

use thiserror::Error;

use crate::EngineError;
use crate::mail::MailError;

/// One error type for the deliverability area; user errors name the field they concern.
#[derive(Debug, Error)]
pub enum DeliverabilityError {
    #[error("no mail domain {0}")]
    DomainNotFound(String),
    #[error("{field}: {message}")]
    InvalidInput { field: &'static str, message: String },
    #[error("a key rotation is already under way (next selector {0}); finish or cancel it first")]
    RotationInProgress(String),
    #[error("no key rotation is under way")]
    NoPendingKey,
    #[error("{host} does not serve the new key yet; publish it and wait for DNS, or switch anyway")]
    NotYetInDns { host: String },
    #[error("no blocklist {0}")]
    BlocklistNotFound(String),
    #[error("a blocklist scan is already running")]
    ScanRunning,
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("ACME: {0}")]
    Acme(String),
    #[error("alert mail: {0}")]
    Alert(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<sqlx::Error> for DeliverabilityError {
    fn from(e: sqlx::Error) -> Self {
        Self::Engine(e.into())
    }
}

impl From<std::io::Error> for DeliverabilityError {
    fn from(e: std::io::Error) -> Self {
        Self::Engine(e.into())
    }
}

impl DeliverabilityError {
    /// The admin must change something (HTTP 422), as opposed to a server fault.
    pub fn is_user_error(&self) -> bool {
        match self {
            Self::Mail(e) => e.is_user_error(),
            Self::Engine(_) | Self::Acme(_) | Self::Alert(_) | Self::Internal(_) => false,
            _ => true,
        }
    }

    /// The thing acted on does not exist (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Mail(e) => e.is_not_found(),
            Self::DomainNotFound(_) | Self::BlocklistNotFound(_) => true,
            _ => false,
        }
    }
}
