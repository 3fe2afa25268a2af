//! TLS certificates per host: who issued them, until when, and what went wrong.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Renew this many days before expiry (Let's Encrypt's 90-day certificates renew at 60).
pub const RENEW_BEFORE_DAYS: i64 = 30;

/// One host's certificate as the TLS page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateStatus {
    pub host: String,
    /// `admin` (web, tracking, MTA-STS) or `mail` (Postfix, Dovecot).
    pub purpose: String,
    /// `acme` or `custom`.
    pub source: String,
    /// `pending`, `valid` or `failed`.
    pub status: String,
    pub issuer: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub not_after: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
}

impl CertificateStatus {
    /// Whole days left, negative once expired.
    pub fn days_left(&self, now: DateTime<Utc>) -> Option<i64> {
        self.not_after.map(|t| (t - now).num_days())
    }

    /// Inside the renewal window (or expired).
    pub fn needs_renewal(&self, now: DateTime<Utc>) -> bool {
        self.days_left(now).is_none_or(|d| d < RENEW_BEFORE_DAYS)
    }
}

/// An uploaded certificate: the chain and its private key, both PEM.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomCertificate {
    pub host: String,
    pub chain_pem: String,
    pub key_pem: String,
}

/// The TLS page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsOverview {
    pub certificates: Vec<CertificateStatus>,
    /// The ACME directory in use, or `None` when automatic TLS is off.
    pub acme_directory: Option<String>,
    /// Where PEM files for Postfix and Dovecot are written.
    pub export_dir: String,
}
