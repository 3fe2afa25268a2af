//! The coarse outcome class of one recipient result.

use serde::Serialize;

/// What a recipient result means for list hygiene, the one decision the sender acts on.
///
/// The fine-grained [`super::BounceReason`] says *why*; this class says *what to do*: suppress
/// (hard), retry or watch (soft), unsubscribe (complaint), ignore (auto-reply, delivered), or
/// look by hand (undetermined).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BounceClass {
    /// The address will never accept mail (unknown user or domain, moved, null MX).
    #[serde(rename = "hard")]
    Hard,
    /// A failure that may go away (full mailbox, blocklisting, policy, timeouts).
    #[serde(rename = "soft")]
    Soft,
    /// An ARF feedback report: the recipient marked the mail as unwanted.
    #[serde(rename = "complaint")]
    Complaint,
    /// An RFC 3834 automatic reply (out of office); the message was delivered.
    #[serde(rename = "auto-reply")]
    AutoReply,
    /// A success DSN: the message was delivered.
    #[serde(rename = "delivered")]
    Delivered,
    /// The report said too little to decide.
    #[serde(rename = "undetermined")]
    Undetermined,
}

impl BounceClass {
    /// The stable lower-case name, the same as the serde name, for storage and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Hard => "hard",
            Self::Soft => "soft",
            Self::Complaint => "complaint",
            Self::AutoReply => "auto-reply",
            Self::Delivered => "delivered",
            Self::Undetermined => "undetermined",
        }
    }
}

impl std::fmt::Display for BounceClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_match_as_str() {
        for class in [
            BounceClass::Hard,
            BounceClass::Soft,
            BounceClass::Complaint,
            BounceClass::AutoReply,
            BounceClass::Delivered,
            BounceClass::Undetermined,
        ] {
            let json = serde_json::to_string(&class).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", class.as_str()));
        }
    }
}
