//! Why a campaign could not be saved, started or sent, phrased for the admin who must act.

use thiserror::Error;

use super::dkim_signer::DkimSignError;
use super::smtp_session::SmtpSessionError;

/// Every refusal names what was wrong; nothing is written when one is returned.
#[derive(Debug, Error)]
pub enum CampaignError {
    #[error("no campaign #{0}")]
    NotFound(i64),
    /// A field of the editor is wrong; `field` names the input the UI highlights.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    /// The action does not fit the campaign's state (e.g. editing one that is sending).
    #[error("{0}")]
    State(String),
    /// The content cannot be rendered (broken merge tag, invalid document).
    #[error("the content cannot be sent: {0}")]
    Content(String),
    #[error("{0}")]
    Dkim(#[from] DkimSignError),
    #[error("{0}")]
    Relay(#[from] SmtpSessionError),
    #[error("segment: {0}")]
    Segment(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl CampaignError {
    /// Bad input or a wrong state (answered 4xx) as opposed to the server failing (5xx).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Self::Database(_))
    }

    /// Not found (answered 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound(_))
    }

    /// Shorthand for a field error.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }
}
