//! What the admin API does with campaigns beyond editing drafts: the live recipient count,
//! the preflight, test sends, starting now (refused while a preflight check fails) and the
//! live progress the report page streams.

use std::sync::Arc;

use model::campaigns::{Campaign, CampaignProgress, Preflight, PreflightStatus, RecipientCount, TestSendResult};
use model::email::{Template, compile, compile_html};
use sqlx::PgPool;
use tokio::sync::OnceCell;

use super::audience::{self, Materialised, audience_filter};
use super::compose::{PreparedCampaign, SenderSettings};
use super::ledger::{ClaimedRecipient, DeliveryLedger, RetryPolicy};
use super::links::prepare_html;
use super::preflight::{self, check};
use super::runner::{load_signers, relay_for};
use super::sending_setup::SendingSetup;
use super::smtp_session::{RelaySession, RelayTarget, Submission, SubmitOutcome};
use super::store::{Campaigns, plausible_address};
use super::tracking::TokenKey;
use super::{CampaignError, Result, secrets, starter};

/// Addresses one test send may go to.
pub const MAX_TEST_ADDRESSES: usize = 10;

/// Campaign operations of the admin API, over one pool.
#[derive(Clone, Debug)]
pub struct Outbox {
    pool: PgPool,
    pub campaigns: Campaigns,
    /// Relays, warm-up plans and provider limits.
    pub setup: SendingSetup,
    settings: SenderSettings,
    default_relay: RelayTarget,
    /// `host:port` of Rspamd's normal worker for the spam-score check.
    rspamd: Option<String>,
    key: Arc<OnceCell<TokenKey>>,
}

impl Outbox {
    /// `default_relay` is where domains without a relay of their own send (the bundled
    /// Postfix); `rspamd` the scanner the preflight asks, if any.
    pub fn new(pool: PgPool, settings: SenderSettings, default_relay: RelayTarget, rspamd: Option<String>) -> Self {
        Self {
            campaigns: Campaigns::new(pool.clone()),
            setup: SendingSetup::new(pool.clone()),
            pool,
            settings,
            default_relay,
            rspamd,
            key: Arc::new(OnceCell::new()),
        }
    }

    /// The addresses messages point at (tracking origin, bounce domain).
    pub fn settings(&self) -> &SenderSettings {
        &self.settings
    }

    async fn key(&self) -> Result<TokenKey> {
        Ok(self.key.get_or_try_init(|| secrets::tracking_key(&self.pool)).await?.clone())
    }

    /// Tests a relay form with this server's EHLO name.
    pub async fn test_relay(&self, domain: &str, relay: &model::campaigns::RelayConfig) -> Result<String> {
        self.setup.test_relay(domain, relay, &self.default_relay.helo_name).await
    }

    /// Active mail domains, for the sender address picker.
    pub async fn sender_domains(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM mail_domain WHERE active ORDER BY name").fetch_all(&self.pool).await?)
    }

    /// The editor's live count.
    pub async fn recipient_count(&self, spec: &model::campaigns::AudienceSpec) -> Result<RecipientCount> {
        audience::count(&self.pool, spec).await
    }

    /// Starts a draft or scheduled campaign now, unless a preflight check fails.
    pub async fn start_now(&self, id: i64) -> Result<Materialised> {
        let pre = self.preflight(id).await?;
        let failing: Vec<&str> =
            pre.checks.iter().filter(|c| c.status == PreflightStatus::Fail).map(|c| c.label.as_str()).collect();
        if !failing.is_empty() {
            return Err(CampaignError::State(format!(
                "the campaign cannot be sent until these checks pass: {}",
                failing.join(", ")
            )));
        }
        starter::start(&self.pool, &self.key().await?, &self.settings, id, &["draft", "scheduled"]).await
    }

    /// Counts per state, the rate of the last minute and the estimated finish.
    pub async fn progress(&self, id: i64) -> Result<CampaignProgress> {
        let campaign = self.campaigns.get(id).await?;
        let ledger = DeliveryLedger::new(self.pool.clone(), RetryPolicy::default());
        let counts = ledger.counts(id).await?;
        let rate = ledger.submitted_last_minute(id).await?;
        Ok(CampaignProgress {
            id,
            status: campaign.status,
            counts,
            rate_per_minute: rate,
            target_rate_per_minute: campaign.input.rate_per_minute,
            eta_seconds: CampaignProgress::estimate(counts.remaining(), rate),
            waiting_reason: campaign.waiting_reason,
        })
    }

    /// Every check, with the message as the first recipient of the audience gets it.
    pub async fn preflight(&self, id: i64) -> Result<Preflight> {
        let campaign = self.campaigns.get(id).await?;
        let input = &campaign.input;
        let mut checks = Vec::new();
        let domain = input.from_email.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
        let active: Option<bool> = sqlx::query_scalar("SELECT active FROM mail_domain WHERE name = $1")
            .bind(&domain)
            .fetch_optional(&self.pool)
            .await?;
        let sender_ok = plausible_address(&input.from_email) && active == Some(true);
        checks.push(check(
            "sender_domain",
            "Sender",
            if sender_ok { PreflightStatus::Pass } else { PreflightStatus::Fail },
            match active {
                _ if !plausible_address(&input.from_email) => "choose the address the campaign is sent from".to_owned(),
                Some(true) => format!("{} is on {domain}, a mail domain of this server", input.from_email),
                Some(false) => format!("the mail domain {domain} is disabled"),
                None => format!("{domain} is not one of this server's mail domains; add it under Mail → Domains"),
            },
        ));
        checks.push(check(
            "subject",
            "Subject",
            if input.subject.is_empty() { PreflightStatus::Fail } else { PreflightStatus::Pass },
            if input.subject.is_empty() {
                "the campaign needs a subject".to_owned()
            } else {
                format!("{:?}", input.subject)
            },
        ));
        let signers = if sender_ok { load_signers(&self.pool, &domain).await? } else { Vec::new() };
        if sender_ok {
            let selectors: Vec<String> = signers.iter().map(|s| s.selector().to_owned()).collect();
            checks.extend(preflight::dns_checks(&self.pool, &domain, &selectors).await?);
        }
        checks.push(check(
            "list_unsubscribe",
            "List-Unsubscribe headers",
            PreflightStatus::Pass,
            "every message carries List-Unsubscribe (mailto and one-click https) and List-Unsubscribe-Post (RFC 8058)",
        ));
        let recipients = if input.audience.is_empty() {
            RecipientCount::default()
        } else {
            audience::count(&self.pool, &input.audience).await?
        };
        checks.push(check(
            "audience",
            "Audience",
            if recipients.sendable > 0 { PreflightStatus::Pass } else { PreflightStatus::Fail },
            if input.audience.is_empty() {
                "choose at least one list or segment".to_owned()
            } else {
                match recipients.matching - recipients.sendable {
                    0 => format!("{} recipients", recipients.sendable),
                    suppressed => format!(
                        "{} recipients ({} selected, {suppressed} suppressed)",
                        recipients.sendable, recipients.matching
                    ),
                }
            },
        ));
        // Content: compile as the engine will, and render for a sample recipient.
        let compiled = match (&input.document, &input.html) {
            (Some(doc), _) => compile(doc).map_err(|e| e.to_string()),
            (None, Some(html)) => compile_html(html).map_err(|e| e.to_string()),
            (None, None) => Err("the campaign has no content yet".to_owned()),
        };
        let compiled = match compiled {
            Ok(c) => c,
            Err(e) => {
                checks.push(check("content", "Content", PreflightStatus::Fail, e));
                return Ok(Preflight {
                    checks,
                    recipients,
                    sample_subject: input.subject.clone(),
                    sample_html: String::new(),
                    html_bytes: 0,
                });
            }
        };
        checks.push(preflight::unsubscribe_check(&compiled.merge_names()));
        let all_links = prepare_html(compiled.html(), true, false, "")
            .map_err(|e| CampaignError::invalid("content", e.to_string()))?
            .links;
        checks.push(preflight::links_check(&all_links));
        let subject = Template::parse(&input.subject).map_err(|e| CampaignError::invalid("subject", e.to_string()))?;
        let preheader =
            Template::parse(&input.preheader).map_err(|e| CampaignError::invalid("preheader", e.to_string()))?;
        if !input.audience.is_empty() {
            let filter = audience_filter(&self.pool, &input.audience).await?;
            checks.push(
                preflight::merge_field_check(
                    &self.pool,
                    &filter,
                    &[&subject, &preheader, compiled.html(), compiled.text()],
                )
                .await?,
            );
        }
        let sample = self.sample_recipient(&campaign).await?;
        let prepared = PreparedCampaign::prepare(&campaign, self.key().await?, self.settings.clone(), signers)?;
        let (mut scratch, mut message) = (Vec::new(), Vec::new());
        let envelope = prepared.render(&sample, &mut scratch, &mut message)?;
        let (sample_subject, sample_html) = prepared.sample_parts(&sample);
        checks.push(preflight::size_check(sample_html.len()));
        checks.push(preflight::spam_check(self.rspamd.as_deref(), &message, &envelope.mail_from, &sample.email).await);
        Ok(Preflight { checks, recipients, sample_subject, html_bytes: sample_html.len(), sample_html })
    }

    /// The first contact of the audience (so the preview shows real values), or a sample
    /// person when the audience is empty.
    async fn sample_recipient(&self, campaign: &Campaign) -> Result<ClaimedRecipient> {
        let spec = &campaign.input.audience;
        if !spec.is_empty() {
            let filter = audience_filter(&self.pool, spec).await?;
            if let Some(r) = audience::first_contact(&self.pool, &filter).await? {
                return Ok(r);
            }
        }
        let field = |f: &str| model::email::sample_value(f, &self.settings.public_url).unwrap_or_default();
        Ok(ClaimedRecipient {
            id: 0,
            contact_id: None,
            email: field("email"),
            name: format!("{} {}", field("first_name"), field("last_name")),
            attributes: serde_json::Value::Null,
            provider: model::campaigns::Provider::Other,
            attempts: 0,
        })
    }

    /// Sends the campaign as the first recipient would get it — without tracking, subject
    /// marked "[Test]" — to up to ten addresses, through the sender domain's relay.
    pub async fn send_test(&self, id: i64, addresses: &[String]) -> Result<Vec<TestSendResult>> {
        let mut campaign = self.campaigns.get(id).await?;
        let addresses: Vec<String> =
            addresses.iter().map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty()).collect();
        if addresses.is_empty() || addresses.len() > MAX_TEST_ADDRESSES {
            return Err(CampaignError::invalid("test_addresses", format!("enter 1 to {MAX_TEST_ADDRESSES} addresses")));
        }
        if let Some(bad) = addresses.iter().find(|a| !plausible_address(a)) {
            return Err(CampaignError::invalid("test_addresses", format!("{bad:?} is not an email address")));
        }
        let input = &mut campaign.input;
        if !plausible_address(&input.from_email) {
            return Err(CampaignError::invalid("from_email", "choose the address the campaign is sent from"));
        }
        input.track_clicks = false;
        input.track_opens = false;
        input.subject = format!("[Test] {}", input.subject);
        let domain = input.from_email.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
        let from = input.from_email.clone();
        let signers = load_signers(&self.pool, &domain).await?;
        let sample = self.sample_recipient(&campaign).await?;
        let prepared = PreparedCampaign::prepare(&campaign, self.key().await?, self.settings.clone(), signers)?;
        let (relay, _) = relay_for(&self.pool, &domain, &self.default_relay, 1).await?;
        let mut messages = Vec::new();
        for to in &addresses {
            let r = ClaimedRecipient { email: to.clone(), ..sample.clone() };
            let (mut scratch, mut bytes) = (Vec::new(), Vec::new());
            prepared.render(&r, &mut scratch, &mut bytes)?;
            messages.push(bytes);
        }
        let mut session = RelaySession::connect(&relay).await?;
        let batch: Vec<Submission<'_>> = addresses
            .iter()
            .zip(&messages)
            .map(|(to, m)| Submission { mail_from: &from, rcpt_to: to, envid: "", message: m })
            .collect();
        let result = session.send_batch(&batch).await;
        session.quit().await;
        let mut out: Vec<TestSendResult> = addresses
            .iter()
            .zip(result.outcomes)
            .map(|(address, outcome)| match outcome {
                SubmitOutcome::Accepted(r) => {
                    TestSendResult { address: address.clone(), accepted: true, reply: r.to_string() }
                }
                SubmitOutcome::Deferred(r) | SubmitOutcome::Rejected(r) => {
                    TestSendResult { address: address.clone(), accepted: false, reply: r.to_string() }
                }
            })
            .collect();
        for address in addresses.iter().skip(out.len()) {
            let reply = result.broken.as_ref().map_or_else(|| "not sent".to_owned(), ToString::to_string);
            out.push(TestSendResult { address: address.clone(), accepted: false, reply });
        }
        Ok(out)
    }
}
