//! The settings a mailbox user types into a mail client, shown on a card to copy.

use serde::{Deserialize, Serialize};

/// How a client secures one service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Security {
    /// TLS from the first byte (ports 993, 995, 465).
    Tls,
    /// Plain connect, then STARTTLS before login (ports 143, 110, 587).
    StartTls,
}

impl Security {
    /// The label mail clients use.
    pub fn label(self) -> &'static str {
        match self {
            Self::Tls => "SSL/TLS",
            Self::StartTls => "STARTTLS",
        }
    }
}

/// One row of the card: "IMAP — mail.example.com — 993 — SSL/TLS".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEndpoint {
    pub service: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// Everything a user needs to set up a mail client; the login is the full address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSettings {
    pub endpoints: Vec<ServiceEndpoint>,
    /// Webmail address, when RoundCube is configured.
    pub webmail_url: Option<String>,
}
