//! Admin accounts as the UI sees them (never with a password hash).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The signed-in admin, as shown in the header's user menu.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
}

/// One admin account in the Admins table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminAccount {
    pub id: i64,
    pub username: String,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// Sessions that are neither expired nor idle-timed-out.
    pub active_sessions: i64,
    /// Whether this is the account of the admin looking at the list (who cannot delete it).
    pub is_you: bool,
}

/// One sign-in attempt, kept so an admin can see who tried to get in and from where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInEvent {
    pub id: i64,
    /// The username as typed; may not exist.
    pub username: String,
    pub ip: String,
    pub succeeded: bool,
    /// Why it failed (`wrong password`, `locked out`…); empty on success.
    pub reason: String,
    pub at: DateTime<Utc>,
}
