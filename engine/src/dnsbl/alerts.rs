//! Alert mail for new blocklist listings, sent through the relay the server already uses
//! (the bundled Postfix by default), so the admin hears about a listing without opening the
//! admin.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use model::deliverability::DnsblListing;

use crate::deliverability::DeliverabilityError;

/// Where alerts go and through which relay.
#[derive(Clone, Debug)]
pub struct AlertMailer {
    relay_host: String,
    relay_port: u16,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl AlertMailer {
    /// `to` is a comma-separated list of addresses; `from` the sender shown.
    pub fn new(relay_host: &str, relay_port: u16, from: &str, to: &str) -> Result<Self, DeliverabilityError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| DeliverabilityError::InvalidInput { field: "alert_from", message: format!("{from}: {e}") })?;
        let to = to
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse::<Mailbox>().map_err(|e| DeliverabilityError::InvalidInput {
                    field: "alert_email",
                    message: format!("{a}: {e}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err(DeliverabilityError::InvalidInput { field: "alert_email", message: "no address".into() });
        }
        Ok(Self { relay_host: relay_host.to_owned(), relay_port, from, to })
    }

    /// One message listing every new listing with its removal page.
    pub async fn send_listings(&self, listings: &[DnsblListing]) -> Result<(), DeliverabilityError> {
        let subject = match listings {
            [one] => format!("BillionMail: {} is listed on {}", one.target, one.list_name),
            many => format!("BillionMail: {} new blocklist listings", many.len()),
        };
        let mut body = String::from("A blocklist scan found new listings:\n\n");
        for l in listings {
            body.push_str(&format!(
                "- {} is listed on {} ({}) since {}\n  answer {}{}\n  delist: {}\n",
                l.target,
                l.list_name,
                l.zone,
                l.first_seen.format("%Y-%m-%d %H:%M UTC"),
                l.answer,
                if l.reason.is_empty() { String::new() } else { format!(" — {}", l.reason) },
                if l.delist_url.is_empty() { "see the list's website" } else { &l.delist_url },
            ));
        }
        body.push_str(
            "\nMail to receivers that use these lists may be rejected or junked until the listing is removed.\n",
        );
        self.send(&subject, body).await
    }

    async fn send(&self, subject: &str, body: String) -> Result<(), DeliverabilityError> {
        let mut builder = Message::builder().from(self.from.clone()).subject(subject);
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let message = builder.body(body).map_err(|e| DeliverabilityError::Alert(e.to_string()))?;
        // The relay is local or trusted by network (like the send engine's), so no TLS/auth.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.relay_host)
            .port(self.relay_port)
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        transport.send(message).await.map_err(|e| DeliverabilityError::Alert(e.to_string()))?;
        Ok(())
    }
}
