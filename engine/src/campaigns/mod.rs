//! Campaigns and the sending engine: drafts the admin composes, the start that writes the
//! audience into the delivery ledger, and the workers that render, DKIM-sign and submit one
//! message per recipient to the relay, storing every SMTP reply.
//!
//! Wire-format pieces are pure and tested on their own (`mime`, `tracking`, `links`,
//! `dkim_signer`); `smtp_session` is the only module that talks SMTP; `ledger` and `workers`
//! hold every rule that keeps crashes and several processes from skipping or repeating a
//! recipient.

pub mod audience;
pub mod compose;
pub mod dkim_signer;
pub mod error;
pub mod ledger;
pub mod links;
pub mod mime;
pub mod outbox;
pub mod preflight;
pub mod runner;
pub mod secrets;
pub mod sending_setup;
pub mod smtp_session;
pub mod starter;
pub mod store;
pub mod throttle;
pub mod tracking;
pub mod workers;

pub use compose::SenderSettings;
pub use error::CampaignError;
pub use ledger::{DeliveryLedger, RetryPolicy};
pub use outbox::Outbox;
pub use runner::{SendEngine, SendEngineConfig};
pub use sending_setup::SendingSetup;
pub use store::Campaigns;

/// Shorthand for this module's results.
pub type Result<T, E = CampaignError> = std::result::Result<T, E>;
