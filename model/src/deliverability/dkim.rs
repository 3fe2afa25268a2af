//! DKIM keys as the admin sees them: algorithm, selector and where each key is in its
//! rotation (next → active → retiring → retired).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Signing algorithm. RSA-2048 is what every receiver verifies; Ed25519 (RFC 8463) is
/// smaller and faster but not yet verified by the largest mailbox providers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DkimAlgorithm {
    #[default]
    Rsa,
    Ed25519,
}

impl DkimAlgorithm {
    /// The `a=` tag of signatures and the database column.
    pub fn signature_name(self) -> &'static str {
        match self {
            Self::Rsa => "rsa-sha256",
            Self::Ed25519 => "ed25519-sha256",
        }
    }

    /// The `k=` tag of the DNS record.
    pub fn key_type(self) -> &'static str {
        match self {
            Self::Rsa => "rsa",
            Self::Ed25519 => "ed25519",
        }
    }

    /// Inverse of [`Self::signature_name`].
    pub fn from_signature_name(name: &str) -> Option<Self> {
        match name {
            "rsa-sha256" => Some(Self::Rsa),
            "ed25519-sha256" => Some(Self::Ed25519),
            _ => None,
        }
    }
}

/// Where a key is in its rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DkimKeyState {
    /// Generated; waiting to be seen in DNS before signing switches to it.
    Pending,
    /// Signing outgoing mail.
    Active,
    /// Replaced; still published until `retire_at` so mail already sent verifies.
    Retiring,
    /// Gone from DNS and from the signer.
    Retired,
}

impl DkimKeyState {
    /// Storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Retiring => "retiring",
            Self::Retired => "retired",
        }
    }

    /// Inverse of [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "active" => Some(Self::Active),
            "retiring" => Some(Self::Retiring),
            "retired" => Some(Self::Retired),
            _ => None,
        }
    }

    /// Keys whose record must be in DNS now.
    pub fn is_published(self) -> bool {
        !matches!(self, Self::Retired)
    }
}

/// One key of a domain (never the private half).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimKeyInfo {
    pub id: i64,
    pub selector: String,
    pub algorithm: DkimAlgorithm,
    /// The `p=` value.
    pub public_b64: String,
    pub state: DkimKeyState,
    pub created_at: DateTime<Utc>,
    /// When DNS was first seen serving this key.
    pub dns_verified_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    /// For a retiring key: when it leaves DNS and the signer.
    pub retire_at: Option<DateTime<Utc>>,
}

impl DkimKeyInfo {
    /// The TXT value to publish at `<selector>._domainkey.<domain>`.
    pub fn dns_value(&self) -> String {
        format!("v=DKIM1; k={}; p={}", self.algorithm.key_type(), self.public_b64)
    }
}

/// What the admin asks for when starting a rotation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationRequest {
    pub algorithm: DkimAlgorithm,
    /// Days the old key stays published after the switch (default 7).
    pub grace_days: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_round_trip() {
        for a in [DkimAlgorithm::Rsa, DkimAlgorithm::Ed25519] {
            assert_eq!(DkimAlgorithm::from_signature_name(a.signature_name()), Some(a));
        }
        assert_eq!(DkimAlgorithm::from_signature_name("rsa-sha1"), None);
    }

    #[test]
    fn only_retired_keys_leave_dns() {
        for s in [DkimKeyState::Pending, DkimKeyState::Active, DkimKeyState::Retiring, DkimKeyState::Retired] {
            assert_eq!(DkimKeyState::parse(s.as_str()), Some(s));
            assert_eq!(s.is_published(), s != DkimKeyState::Retired);
        }
    }
}
