//! Why an inbound report could not be stored; every variant is temporary from Postfix's point
//! of view (the LMTP reply asks it to retry), because a lost bounce means a dead address is
//! mailed again.

use thiserror::Error;

/// A report that could not be processed now.
#[derive(Debug, Error)]
pub enum InboundError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsubscribe failed: {0}")]
    Unsubscribe(String),
}
