//! Aliases and forwards, alias domains and BCC rules: where mail goes besides a mailbox.

use serde::{Deserialize, Serialize};

/// One address delivering to one or more targets (mailboxes here or anywhere else).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub id: i64,
    pub address: String,
    pub display_address: String,
    pub domain: String,
    pub targets: Vec<String>,
    pub description: String,
    pub active: bool,
    /// `postmaster@`, `abuse@`… created with the domain (RFC 2142).
    pub is_role: bool,
    /// The address is also a mailbox: mail is forwarded (kept only if listed as a target).
    pub is_forward: bool,
}

/// What the alias form sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasInput {
    pub address: String,
    pub targets: Vec<String>,
    pub description: String,
    pub active: bool,
}

/// Another domain whose mail goes to the same local parts of a target domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasDomain {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub target_domain: String,
    pub active: bool,
}

/// What the alias-domain form sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasDomainInput {
    pub name: String,
    pub target_domain: String,
    pub active: bool,
}

/// Whether a BCC rule matches the sender or the recipient of a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BccKind {
    #[default]
    Sender,
    Recipient,
}

impl BccKind {
    /// The value stored in the database and read by Postfix's map.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sender => "sender",
            Self::Recipient => "recipient",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sender" => Some(Self::Sender),
            "recipient" => Some(Self::Recipient),
            _ => None,
        }
    }
}

/// "Send a copy of every message from/to X to Y" (archiving, supervision).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BccRule {
    pub id: i64,
    pub domain: String,
    pub kind: BccKind,
    /// An address, or `@domain` for the whole domain.
    pub matches: String,
    pub bcc_to: String,
    pub active: bool,
    pub description: String,
}

/// What the BCC form sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BccRuleInput {
    pub kind: BccKind,
    pub matches: String,
    pub bcc_to: String,
    pub active: bool,
    pub description: String,
}
