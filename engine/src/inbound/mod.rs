//! Inbound reports: everything Postfix receives for the bounce domain comes here over LMTP.
//!
//! - `bounce+<token>@…` (the VERP envelope sender of every campaign message): delivery status
//!   notifications (delivered, delayed, failed), ARF complaints, auto-replies, and people who
//!   reply to the bounce address. The signed token names the ledger row, so even an
//!   unparsable report is tied to the right recipient.
//! - `unsubscribe+<token>@…`: the mailto half of `List-Unsubscribe`.
//! - anything else: stored for the admin to see, tied to a recipient when the returned
//!   original carries one of our Message-IDs.
//!
//! Every message is kept in `inbound_report` with what the parser made of it.

pub mod address;
pub mod apply;
mod error;
pub mod lmtp;
pub mod policy;

use std::sync::Arc;

use sqlx::PgPool;

pub use error::InboundError;
pub use lmtp::{MessageSink, SinkReply};
pub use policy::BouncePolicy;

use self::address::InboundAddress;
use self::apply::{Applied, DeliveryRef};
use crate::bounces::{self, BounceReport, ReportKind};
use crate::campaigns::smtp_session::{RelaySession, RelayTarget, Submission, SubmitOutcome};
use crate::campaigns::tracking::TokenKey;
use crate::tracking::{UnsubscribeScope, UnsubscribeSource, unsubscribe};

/// Raw messages larger than this are stored without their bytes.
const MAX_STORED_RAW: usize = 256 * 1024;

/// The report intake: classifies the address, parses, applies, records.
#[derive(Clone)]
pub struct Inbound {
    pool: PgPool,
    key: TokenKey,
    /// Where replies to campaigns are forwarded (the sender's mailbox is on this server, so
    /// the bundled Postfix); `None` keeps them in `inbound_report` only.
    forward_relay: Option<Arc<RelayTarget>>,
}

/// What became of one inbound message (also the LMTP reply text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntakeOutcome {
    pub kind: &'static str,
    pub delivery_id: Option<i64>,
    pub outcome: String,
}

impl Inbound {
    /// An intake using the install's tracking key.
    pub fn new(pool: PgPool, key: TokenKey, forward_relay: Option<RelayTarget>) -> Self {
        Self { pool, key, forward_relay: forward_relay.map(Arc::new) }
    }

    /// Processes one message for one envelope recipient and records it.
    pub async fn receive(&self, mail_from: &str, rcpt_to: &str, raw: &[u8]) -> Result<IntakeOutcome, InboundError> {
        let address = InboundAddress::classify(&self.key, rcpt_to);
        let (outcome, campaign_id, report) = match address {
            InboundAddress::Unsubscribe(t) => {
                let done = unsubscribe(
                    &self.pool,
                    t.campaign_id,
                    t.delivery_id,
                    UnsubscribeScope::CampaignLists,
                    UnsubscribeSource::Mailto,
                )
                .await
                .map_err(|e| InboundError::Unsubscribe(e.to_string()))?;
                let outcome = IntakeOutcome {
                    kind: "unsubscribe",
                    delivery_id: Some(t.delivery_id),
                    outcome: if done.already {
                        format!("{} was already unsubscribed", done.email)
                    } else {
                        format!("{} unsubscribed by mail", done.email)
                    },
                };
                (outcome, Some(t.campaign_id), None)
            }
            InboundAddress::Bounce(t) => {
                let report = bounces::parse_report(raw);
                let delivery = DeliveryRef::load(&self.pool, t.campaign_id, t.delivery_id).await?;
                let outcome = self.report_about(delivery, &report, mail_from, raw).await?;
                (outcome, Some(t.campaign_id), Some(report))
            }
            InboundAddress::Other => {
                let report = bounces::parse_report(raw);
                let delivery = match &report.original_message_id {
                    Some(id) => DeliveryRef::by_message_id(&self.pool, id).await?,
                    None => None,
                };
                let campaign = delivery.as_ref().map(|d| d.campaign_id);
                let outcome = match delivery {
                    Some(d) => self.report_about(Some(d), &report, mail_from, raw).await?,
                    None => IntakeOutcome {
                        kind: kind_name(report.kind),
                        delivery_id: None,
                        outcome: "not about a message of ours; kept for the admin".into(),
                    },
                };
                (outcome, campaign, Some(report))
            }
        };
        self.record(mail_from, rcpt_to, raw, &outcome, campaign_id, report.as_ref()).await?;
        Ok(outcome)
    }

    /// Applies a parsed report to its ledger row, or forwards a person's reply.
    async fn report_about(
        &self,
        delivery: Option<DeliveryRef>,
        report: &BounceReport,
        mail_from: &str,
        raw: &[u8],
    ) -> Result<IntakeOutcome, InboundError> {
        let Some(d) = delivery else {
            return Ok(IntakeOutcome {
                kind: kind_name(report.kind),
                delivery_id: None,
                outcome: "the recipient it names no longer exists".into(),
            });
        };
        if report.kind == ReportKind::NotABounce {
            let outcome = self.forward_reply(&d, mail_from, raw).await;
            return Ok(IntakeOutcome { kind: "reply", delivery_id: Some(d.id), outcome });
        }
        // A report that arrives while the engine is still recording the submission (a local
        // bounce can be faster than the batch's commit) waits for that commit briefly.
        let d = self.settled(d).await?;
        let policy = BouncePolicy::load(&self.pool).await?;
        let Applied { outcome, unsubscribe: unsubscribe_too } = apply::apply(&self.pool, &policy, &d, report).await?;
        if unsubscribe_too {
            unsubscribe(&self.pool, d.campaign_id, d.id, UnsubscribeScope::Everything, UnsubscribeSource::Complaint)
                .await
                .map_err(|e| InboundError::Unsubscribe(e.to_string()))?;
        }
        Ok(IntakeOutcome { kind: kind_name(report.kind), delivery_id: Some(d.id), outcome })
    }

    async fn settled(&self, d: DeliveryRef) -> Result<DeliveryRef, InboundError> {
        let mut d = d;
        for _ in 0..50 {
            if d.state != "sending" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            match DeliveryRef::load(&self.pool, d.campaign_id, d.id).await? {
                Some(now) => d = now,
                None => break,
            }
        }
        Ok(d)
    }

    /// Sends a person's reply on to the campaign's reply-to (or sender) mailbox with the null
    /// envelope sender, so a failure can never loop back here.
    async fn forward_reply(&self, d: &DeliveryRef, mail_from: &str, raw: &[u8]) -> String {
        let policy = BouncePolicy::load(&self.pool).await.unwrap_or_default();
        let Some(relay) = self.forward_relay.as_deref().filter(|_| policy.forward_replies) else {
            return "reply kept (forwarding is off)".into();
        };
        let target: Option<(String, String)> =
            sqlx::query_as("SELECT reply_to, from_email FROM campaign WHERE id = $1")
                .bind(d.campaign_id)
                .fetch_optional(&self.pool)
                .await
                .ok()
                .flatten();
        let Some(to) = target.map(|(reply_to, from)| if reply_to.trim().is_empty() { from } else { reply_to }) else {
            return "reply kept (the campaign is gone)".into();
        };
        let mut message =
            format!("X-BillionMail-Reply-From: <{}>\r\n", mail_from.replace(['\r', '\n'], "")).into_bytes();
        message.extend_from_slice(raw);
        let result = match RelaySession::connect(relay).await {
            Ok(mut session) => {
                let sent = session
                    .send_batch(&[Submission { mail_from: "", rcpt_to: &to, envid: "", message: &message }])
                    .await;
                session.quit().await;
                match sent.outcomes.first() {
                    Some(SubmitOutcome::Accepted(_)) => Ok(()),
                    Some(SubmitOutcome::Deferred(r) | SubmitOutcome::Rejected(r)) => Err(r.to_string()),
                    None => Err(sent.broken.map_or_else(|| "not sent".into(), |e| e.to_string())),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(()) => format!("reply forwarded to {to}"),
            Err(e) => {
                tracing::warn!(campaign = d.campaign_id, error = %e, "reply forwarding failed");
                format!("reply kept; forwarding to {to} failed: {e}")
            }
        }
    }

    async fn record(
        &self,
        mail_from: &str,
        rcpt_to: &str,
        raw: &[u8],
        outcome: &IntakeOutcome,
        campaign_id: Option<i64>,
        report: Option<&BounceReport>,
    ) -> Result<(), sqlx::Error> {
        let results = report.map_or_else(|| serde_json::json!([]), |r| serde_json::json!(r.recipients));
        sqlx::query(
            "INSERT INTO inbound_report (rcpt_to, mail_from, kind, campaign_id, delivery_id, results, outcome, size_bytes, raw) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(rcpt_to)
        .bind(mail_from)
        .bind(outcome.kind)
        .bind(campaign_id)
        .bind(outcome.delivery_id)
        .bind(results)
        .bind(&outcome.outcome)
        .bind(i32::try_from(raw.len()).unwrap_or(i32::MAX))
        .bind((raw.len() <= MAX_STORED_RAW).then_some(raw))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

fn kind_name(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Dsn => "dsn",
        ReportKind::Complaint => "complaint",
        ReportKind::AutoReply => "auto-reply",
        ReportKind::NonStandard => "non-standard",
        ReportKind::NotABounce => "not-a-bounce",
    }
}

impl MessageSink for Inbound {
    async fn deliver(&self, mail_from: &str, rcpt_to: &str, raw: &[u8]) -> SinkReply {
        match self.receive(mail_from, rcpt_to, raw).await {
            Ok(o) => SinkReply::Accepted(o.outcome),
            Err(e) => {
                tracing::error!(error = %e, rcpt = rcpt_to, "inbound report not stored; Postfix will retry");
                SinkReply::Retry("cannot store the report now".into())
            }
        }
    }
}
