//! One campaign made ready to send, and each recipient's message built from it.
//!
//! [`PreparedCampaign::prepare`] does the per-campaign work once (compile the content, find
//! and number the tracked links, parse subject and preheader, load the DKIM keys); per
//! recipient, [`PreparedCampaign::render`] only merges values, writes the MIME message and
//! signs it. Every process prepares the same campaign to the same links, so a click token
//! made by one process resolves through the `campaign_link` rows another wrote.

use std::sync::Arc;

use chrono::Utc;
use model::campaigns::Campaign;
use model::email::{Compiled, Escape, Template, compile, compile_html};

use super::dkim_signer::DkimSigning;
use super::ledger::ClaimedRecipient;
use super::links::{OPEN_URL_TAG, TrackedHtml, click_index, prepare_html};
use super::mime::{OutgoingMessage, SIGNED_HEADERS, write_message};
use super::tracking::{TokenKey, TokenKind, TrackingToken};
use super::{CampaignError, Result};

/// Install-wide addresses the messages point at.
#[derive(Clone, Debug)]
pub struct SenderSettings {
    /// Origin of the public tracking and unsubscribe endpoints, e.g. `https://mail.example.com`.
    pub public_url: String,
    /// Domain of VERP bounce addresses and the mailto unsubscribe address (routed by Postfix
    /// to the engine's inbound listener).
    pub bounce_domain: String,
}

/// A campaign compiled for sending; shared (Arc) by every connection of a process.
pub struct PreparedCampaign {
    pub id: i64,
    from_name: String,
    from_email: String,
    reply_to: String,
    subject: Template,
    html: TrackedHtml,
    text: Template,
    key: TokenKey,
    settings: SenderSettings,
    signers: Vec<Arc<DkimSigning>>,
    feedback_id: String,
    /// Random per preparation, so Message-IDs never repeat across installs or restarts.
    message_id_salt: u32,
}

/// What the SMTP envelope needs besides the message bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// VERP bounce address of this recipient.
    pub mail_from: String,
    pub message_id: String,
}

impl PreparedCampaign {
    /// Compiles `campaign`'s content and checks everything a message needs; `signers` are the
    /// sender domain's active DKIM keys (each message carries one signature per key).
    pub fn prepare(
        campaign: &Campaign,
        key: TokenKey,
        settings: SenderSettings,
        signers: Vec<Arc<DkimSigning>>,
    ) -> Result<Self> {
        let input = &campaign.input;
        let compiled: Compiled = match (&input.document, &input.html) {
            (Some(doc), _) => compile(doc).map_err(|e| CampaignError::Content(e.to_string()))?,
            (None, Some(html)) => compile_html(html).map_err(|e| CampaignError::Content(e.to_string()))?,
            (None, None) => return Err(CampaignError::invalid("content", "the campaign has no content yet")),
        };
        let html = prepare_html(compiled.html(), input.track_clicks, input.track_opens, &input.preheader)
            .map_err(|e| CampaignError::invalid("preheader", e.to_string()))?;
        let subject = Template::parse(&input.subject).map_err(|e| CampaignError::invalid("subject", e.to_string()))?;
        let domain = input.from_email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default().to_owned();
        Ok(Self {
            id: campaign.id,
            from_name: input.from_name.clone(),
            from_email: input.from_email.clone(),
            reply_to: input.reply_to.clone(),
            subject,
            html,
            text: compiled.text().clone(),
            key,
            settings,
            signers,
            // Gmail's Feedback Loop format (a:b:c:SenderId): campaign, kind, sender domain.
            feedback_id: format!("{}:campaign:{domain}:billionmail", campaign.id),
            message_id_salt: rand::random(),
        })
    }

    /// The tracked links, by index, as `campaign_link` stores them.
    pub fn links(&self) -> &[String] {
        &self.html.links
    }

    /// Writes `r`'s complete, signed message into `out` (cleared first) and returns its
    /// envelope. Only merging, MIME writing and signing happen here.
    pub fn render(&self, r: &ClaimedRecipient, scratch: &mut Vec<u8>, out: &mut Vec<u8>) -> Result<Envelope> {
        // The unsubscribe URL appears in the body and the header: signed once.
        let unsubscribe_url = self.value_for(r, "unsubscribe_url").unwrap_or_default();
        let lookup = |name: &str| match name {
            "unsubscribe_url" | "preferences_url" => Some(unsubscribe_url.clone()),
            _ => self.value_for(r, name),
        };
        let html = self.html.template.render(&lookup, Escape::Html);
        let text = self.text.render(&lookup, Escape::None);
        let subject = self.subject.render(&lookup, Escape::None);
        let message_id = format!("{}.{}.{:08x}@{}", r.id, self.id, self.message_id_salt, self.sender_domain());
        let list_unsubscribe = format!(
            "<mailto:{}>, <{unsubscribe_url}>",
            self.key.unsubscribe_address(self.id, r.id, &self.settings.bounce_domain)
        );
        let campaign_header = self.id.to_string();
        let extra = [("X-BM-Campaign", campaign_header.as_str())];
        let msg = OutgoingMessage {
            from_name: &self.from_name,
            from_email: &self.from_email,
            reply_to: (!self.reply_to.is_empty()).then_some(self.reply_to.as_str()),
            to_name: &r.name,
            to_email: &r.email,
            subject: &subject,
            message_id: &message_id,
            date: Utc::now(),
            list_unsubscribe: &list_unsubscribe,
            list_unsubscribe_post: true,
            feedback_id: &self.feedback_id,
            extra_headers: &extra,
            html: &html,
            text: &text,
        };
        scratch.clear();
        write_message(&msg, u64::try_from(r.id).unwrap_or_default(), scratch);
        out.clear();
        for signer in &self.signers {
            out.extend_from_slice(signer.sign(scratch, SIGNED_HEADERS)?.as_bytes());
        }
        out.extend_from_slice(scratch);
        Ok(Envelope { mail_from: self.key.verp_address(self.id, r.id, &self.settings.bounce_domain), message_id })
    }

    /// A merge field's value for `r`: the engine's own links (signed per recipient), else
    /// the contact's fields.
    fn value_for(&self, r: &ClaimedRecipient, name: &str) -> Option<String> {
        let token = |kind, link| self.key.sign(&TrackingToken { kind, campaign_id: self.id, delivery_id: r.id, link });
        let base = self.settings.public_url.trim_end_matches('/');
        if let Some(n) = click_index(name) {
            return Some(format!("{base}/t/c/{}", token(TokenKind::Click, u32::try_from(n).ok()?)));
        }
        match name {
            OPEN_URL_TAG => Some(format!("{base}/t/o/{}", token(TokenKind::Open, 0))),
            "unsubscribe_url" | "preferences_url" => Some(format!("{base}/u/{}", token(TokenKind::Unsubscribe, 0))),
            "web_view_url" => Some(format!("{base}/t/v/{}", token(TokenKind::WebView, 0))),
            "site_url" => Some(base.to_owned()),
            _ => r.field(name),
        }
    }

    /// Subject and HTML as `r` sees them (the preflight preview), with the same merge values
    /// as the sent message.
    pub fn sample_parts(&self, r: &ClaimedRecipient) -> (String, String) {
        let lookup = |name: &str| self.value_for(r, name);
        (self.subject.render(&lookup, Escape::None), self.html.template.render(&lookup, Escape::Html))
    }

    fn sender_domain(&self) -> &str {
        self.from_email.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost")
    }
}
