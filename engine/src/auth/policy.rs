//! The timing rules of admin sign-in, in one place so tests can shorten them.

use std::time::Duration;

/// Session lifetime and lockout rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthPolicy {
    /// A session ends this long after sign-in, however active it is.
    pub session_lifetime: Duration,
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// Failed sign-ins from one IP that trigger a lockout.
    pub max_failures: u32,
    /// Failures older than this are forgotten.
    pub failure_window: Duration,
    /// How long a locked IP must wait.
    pub lockout: Duration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            session_lifetime: Duration::from_secs(7 * 24 * 3600),
            idle_timeout: Duration::from_secs(2 * 3600),
            max_failures: 5,
            failure_window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(5 * 60),
        }
    }
}

/// A `Duration` as a PostgreSQL interval literal in seconds, for binding as `$n::float8`.
pub(crate) fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
