//! The fine-grained bounce reason, using sisimai's vocabulary.

use serde::Serialize;

use super::BounceClass;

/// Why one recipient's delivery failed (or what the report was instead of a failure).
///
/// The names are sisimai's 36 reason values, so results can be compared with that mature
/// parser and with the corpus built from it. Each reason maps to a [`BounceClass`] and to a
/// coarse UI category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BounceReason {
    /// The local part of the address does not exist.
    UserUnknown,
    /// The domain does not exist or has no usable mail host.
    HostUnknown,
    /// The mailbox has moved and mail is not forwarded.
    HasMoved,
    /// The destination accepts no mail at all (null MX, refuses everything).
    NotAccept,
    /// The mailbox is full or over quota.
    MailboxFull,
    /// The message is larger than the destination accepts.
    MesgTooBig,
    /// An administrative limit of the destination was exceeded.
    ExceedLimit,
    /// The account is suspended, disabled or inactive.
    Suspend,
    /// The destination's disk is full.
    SystemFull,
    /// The sending IP address or host is blocked.
    Blocked,
    /// Rejected for the sending IP's or domain's reputation.
    BadReputation,
    /// The sending IP has no or a mismatching PTR record.
    RequirePtr,
    /// Sending too fast: a rate limit was hit.
    Speeding,
    /// Too many concurrent connections.
    TooManyConn,
    /// SPF, DKIM or DMARC failed.
    AuthFailure,
    /// A STARTTLS problem.
    FailedStartTls,
    /// A content, sender or usage policy of the destination.
    PolicyViolation,
    /// The envelope sender or its domain was rejected.
    Rejected,
    /// Relaying denied.
    NoRelaying,
    /// A security check failed on the destination.
    SecurityError,
    /// The message does not comply with RFC 5322.
    NotCompliantRfc,
    /// An SMTP command had a syntax error.
    SyntaxError,
    /// Header format, MIME structure or encoding was rejected.
    ContentError,
    /// Rejected by a recipient-side filter or rule.
    Filtered,
    /// Rejected as spam.
    SpamDetected,
    /// Rejected by a virus scanner.
    VirusDetected,
    /// On the sending service's suppression list.
    Suppressed,
    /// The delivery time expired (queue lifetime exceeded).
    Expired,
    /// DNS failure, unreachable host, loop or another network problem.
    NetworkError,
    /// An error on the destination system.
    SystemError,
    /// A local mailer program exited with an error.
    MailerError,
    /// An ARF complaint, not a bounce.
    Feedback,
    /// An RFC 3834 auto-reply, not a bounce.
    Vacation,
    /// Too little information to decide.
    OnHold,
    /// No reason could be detected.
    Undefined,
    /// A success DSN.
    Delivered,
}

/// Every reason, for tables and tests.
pub const ALL_REASONS: [BounceReason; 36] = [
    BounceReason::UserUnknown,
    BounceReason::HostUnknown,
    BounceReason::HasMoved,
    BounceReason::NotAccept,
    BounceReason::MailboxFull,
    BounceReason::MesgTooBig,
    BounceReason::ExceedLimit,
    BounceReason::Suspend,
    BounceReason::SystemFull,
    BounceReason::Blocked,
    BounceReason::BadReputation,
    BounceReason::RequirePtr,
    BounceReason::Speeding,
    BounceReason::TooManyConn,
    BounceReason::AuthFailure,
    BounceReason::FailedStartTls,
    BounceReason::PolicyViolation,
    BounceReason::Rejected,
    BounceReason::NoRelaying,
    BounceReason::SecurityError,
    BounceReason::NotCompliantRfc,
    BounceReason::SyntaxError,
    BounceReason::ContentError,
    BounceReason::Filtered,
    BounceReason::SpamDetected,
    BounceReason::VirusDetected,
    BounceReason::Suppressed,
    BounceReason::Expired,
    BounceReason::NetworkError,
    BounceReason::SystemError,
    BounceReason::MailerError,
    BounceReason::Feedback,
    BounceReason::Vacation,
    BounceReason::OnHold,
    BounceReason::Undefined,
    BounceReason::Delivered,
];

impl BounceReason {
    /// The sisimai name, identical to the serde name; the value stored and shown.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::UserUnknown => "userunknown",
            Self::HostUnknown => "hostunknown",
            Self::HasMoved => "hasmoved",
            Self::NotAccept => "notaccept",
            Self::MailboxFull => "mailboxfull",
            Self::MesgTooBig => "mesgtoobig",
            Self::ExceedLimit => "exceedlimit",
            Self::Suspend => "suspend",
            Self::SystemFull => "systemfull",
            Self::Blocked => "blocked",
            Self::BadReputation => "badreputation",
            Self::RequirePtr => "requireptr",
            Self::Speeding => "speeding",
            Self::TooManyConn => "toomanyconn",
            Self::AuthFailure => "authfailure",
            Self::FailedStartTls => "failedstarttls",
            Self::PolicyViolation => "policyviolation",
            Self::Rejected => "rejected",
            Self::NoRelaying => "norelaying",
            Self::SecurityError => "securityerror",
            Self::NotCompliantRfc => "notcompliantrfc",
            Self::SyntaxError => "syntaxerror",
            Self::ContentError => "contenterror",
            Self::Filtered => "filtered",
            Self::SpamDetected => "spamdetected",
            Self::VirusDetected => "virusdetected",
            Self::Suppressed => "suppressed",
            Self::Expired => "expired",
            Self::NetworkError => "networkerror",
            Self::SystemError => "systemerror",
            Self::MailerError => "mailererror",
            Self::Feedback => "feedback",
            Self::Vacation => "vacation",
            Self::OnHold => "onhold",
            Self::Undefined => "undefined",
            Self::Delivered => "delivered",
        }
    }

    /// Parses a sisimai name (also the newer aliases `ratelimited` and `emailtoolarge`).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "ratelimited" => return Some(Self::Speeding),
            "emailtoolarge" => return Some(Self::MesgTooBig),
            _ => {}
        }
        ALL_REASONS.iter().copied().find(|r| r.as_str() == name)
    }

    /// The coarse group shown in the UI's failure explanations.
    pub fn category(&self) -> &'static str {
        match self {
            Self::UserUnknown | Self::HostUnknown | Self::HasMoved | Self::NotAccept => "address",
            Self::MailboxFull | Self::Suspend => "mailbox",
            Self::MesgTooBig | Self::ExceedLimit => "size",
            Self::SystemFull | Self::SyntaxError | Self::SystemError | Self::MailerError => "infrastructure",
            Self::Blocked | Self::BadReputation | Self::RequirePtr | Self::Speeding | Self::TooManyConn => "reputation",
            Self::AuthFailure | Self::FailedStartTls => "authentication",
            Self::PolicyViolation | Self::Rejected | Self::NoRelaying | Self::SecurityError | Self::NotCompliantRfc => {
                "policy"
            }
            Self::ContentError | Self::Filtered | Self::SpamDetected | Self::VirusDetected => "content",
            Self::Suppressed => "suppression",
            Self::Expired | Self::NetworkError => "transient",
            Self::Feedback => "feedback",
            Self::Vacation => "auto-reply",
            Self::OnHold | Self::Undefined => "unknown",
            Self::Delivered => "success",
        }
    }

    /// The class this reason implies; `reply_code` only matters for `notaccept`, which is
    /// permanent unless the server answered with a 4xx code. Pass the RFC 3463 status
    /// (`4.0.0`) when there is no reply code: its class digit says the same.
    pub fn class(&self, reply_code: &str) -> BounceClass {
        match self {
            Self::UserUnknown | Self::HostUnknown | Self::HasMoved => BounceClass::Hard,
            Self::NotAccept => {
                if reply_code.trim().starts_with('4') {
                    BounceClass::Soft
                } else {
                    BounceClass::Hard
                }
            }
            Self::Feedback => BounceClass::Complaint,
            Self::Vacation => BounceClass::AutoReply,
            Self::Delivered => BounceClass::Delivered,
            Self::OnHold | Self::Undefined => BounceClass::Undetermined,
            _ => BounceClass::Soft,
        }
    }

    /// True for sender-side failures (DNS, IP reputation, rate, TLS): they say nothing about
    /// the recipient address, so they must never suppress it.
    pub fn says_nothing_about_recipient(&self) -> bool {
        matches!(
            self,
            Self::Blocked
                | Self::BadReputation
                | Self::RequirePtr
                | Self::AuthFailure
                | Self::Speeding
                | Self::TooManyConn
                | Self::Rejected
                | Self::NoRelaying
                | Self::FailedStartTls
        )
    }
}

impl std::fmt::Display for BounceReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for reason in ALL_REASONS {
            assert_eq!(BounceReason::from_name(reason.as_str()), Some(reason));
            let json = serde_json::to_string(&reason).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
        }
    }

    #[test]
    fn notaccept_depends_on_reply_code() {
        assert_eq!(BounceReason::NotAccept.class("550"), BounceClass::Hard);
        assert_eq!(BounceReason::NotAccept.class(""), BounceClass::Hard);
        assert_eq!(BounceReason::NotAccept.class("421"), BounceClass::Soft);
        assert_eq!(BounceReason::NotAccept.class("4.0.0"), BounceClass::Soft);
    }

    #[test]
    fn classes_follow_the_mapping() {
        assert_eq!(BounceReason::UserUnknown.class(""), BounceClass::Hard);
        assert_eq!(BounceReason::MailboxFull.class("552"), BounceClass::Soft);
        assert_eq!(BounceReason::Feedback.class(""), BounceClass::Complaint);
        assert_eq!(BounceReason::Vacation.class(""), BounceClass::AutoReply);
        assert_eq!(BounceReason::OnHold.class(""), BounceClass::Undetermined);
        assert!(BounceReason::Blocked.says_nothing_about_recipient());
        assert!(!BounceReason::UserUnknown.says_nothing_about_recipient());
    }
}
