//! Typed errors of the bounce parser's internal steps.
//!
//! The public entry points never fail (a message that cannot be read is simply
//! "not a bounce"), but the steps inside return these so each failure is explicit and
//! testable instead of being an `Option` with no explanation.

use thiserror::Error;

/// Why one step of bounce parsing could not produce a value.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BounceError {
    /// The bytes are not an RFC 5322 message (no header section).
    #[error("not an RFC 5322 message")]
    NotAMessage,
    /// A status code is not of the RFC 3463 form `class.subject.detail`.
    #[error("not an RFC 3463 status code: {0:?}")]
    BadStatus(String),
    /// A JSON notification (Amazon SES) could not be read.
    #[error("unreadable JSON notification: {0}")]
    BadJson(String),
    /// The message has no part in the format a parser looked for.
    #[error("no {0} part found")]
    MissingPart(&'static str),
}
