//! The host names and ports mail clients connect to, for the "connection settings" card.

use model::mail::{ConnectionSettings, Security, ServiceEndpoint};

/// Public names of the mail services, from configuration (`BM_MAIL_HOST`).
#[derive(Clone, Debug)]
pub struct MailEndpoints {
    pub host: String,
    pub webmail_url: Option<String>,
}

impl MailEndpoints {
    /// The standard ports of the bundled Postfix and Dovecot (compose.yaml publishes these).
    pub fn settings(&self) -> ConnectionSettings {
        let endpoint = |service: &str, port, security| ServiceEndpoint {
            service: service.into(),
            host: self.host.clone(),
            port,
            security,
        };
        ConnectionSettings {
            endpoints: vec![
                endpoint("IMAP", 993, Security::Tls),
                endpoint("IMAP", 143, Security::StartTls),
                endpoint("POP3", 995, Security::Tls),
                endpoint("POP3", 110, Security::StartTls),
                endpoint("SMTP (sending)", 465, Security::Tls),
                endpoint("SMTP (sending)", 587, Security::StartTls),
            ],
            webmail_url: self.webmail_url.clone(),
        }
    }
}
