//! Why a tracking request or an event batch could not be handled.
//!
//! The public endpoints answer every failure with the same bland 404 or 500, so these
//! variants exist for the log and for callers (inbound unsubscribes, tests) that must tell
//! "no such recipient" from "the database is down".

use thiserror::Error;

use crate::campaigns::CampaignError;

/// Every failure of the tracking module, with the database error kept as the source.
#[derive(Debug, Error)]
pub enum TrackingError {
    /// The token verified but its recipient is gone (campaign deleted, ledger row removed):
    /// answered like a bad token.
    #[error("no recipient #{delivery_id} in campaign #{campaign_id}")]
    NotFound { campaign_id: i64, delivery_id: i64 },
    /// The campaign's content could not be rendered for the web view.
    #[error("{0}")]
    Campaign(#[from] CampaignError),
    /// The event writer has stopped (the server is shutting down), so an event could not be
    /// queued.
    #[error("the event writer has stopped")]
    WriterStopped,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl TrackingError {
    /// Whether the failure means "nothing to act on" (answered 404) rather than a server
    /// fault (answered 500 and logged).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. }) || matches!(self, Self::Campaign(e) if e.is_not_found())
    }
}
