//! The sending engine's loop: every process runs one. It keeps its worker registration,
//! re-queues what dead workers held, starts scheduled campaigns when they are due, and for
//! each sending campaign runs a few relay connections that claim a batch, render and sign
//! it, submit it pipelined, and write the replies back — until the campaign is paused,
//! cancelled or has no recipient left.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use model::campaigns::{CampaignStatus, Provider};
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::compose::{PreparedCampaign, SenderSettings};
use super::dkim_signer::DkimSigning;
use super::ledger::{ClaimedRecipient, DeliveryLedger, DeliveryResult, RetryPolicy};
use super::smtp_session::{RelaySecurity, RelaySession, RelayTarget, Submission, SubmitOutcome};
use super::store::Campaigns;
use super::throttle::{ProviderGate, RateLimiter};
use super::tracking::TokenKey;
use super::workers::{SendWorker, reclaim_dead};
use super::{CampaignError, Result, secrets, sending_setup, starter};

/// How this process sends.
#[derive(Clone, Debug)]
pub struct SendEngineConfig {
    pub settings: SenderSettings,
    /// The relay for sender domains without a `sending_relay` row (the bundled Postfix).
    pub default_relay: RelayTarget,
    /// Relay connections per sending campaign and process when the relay row does not say.
    pub connections: usize,
    /// Recipients claimed, rendered and submitted together on one connection. This is also
    /// the most a crash can duplicate per connection (replies received, not yet committed).
    pub batch_size: usize,
    pub retry: RetryPolicy,
    /// How often the loop looks for work and campaigns re-read their controls.
    pub poll: Duration,
}

impl SendEngineConfig {
    /// Defaults around `default_relay`: 8 connections (enough that signing on every core
    /// overlaps the round trips of the others; measured by the send benchmark), batches of
    /// 50, 1 s poll.
    pub fn new(settings: SenderSettings, default_relay: RelayTarget) -> Self {
        Self {
            settings,
            default_relay,
            connections: 8,
            batch_size: 50,
            retry: RetryPolicy::default(),
            poll: Duration::from_secs(1),
        }
    }
}

/// One process's sending engine.
pub struct SendEngine {
    pool: PgPool,
    config: SendEngineConfig,
    ledger: DeliveryLedger,
    key: TokenKey,
}

impl SendEngine {
    /// Loads the install's token key (created on first use).
    pub async fn new(pool: PgPool, config: SendEngineConfig) -> Result<Self> {
        let key = secrets::tracking_key(&pool).await?;
        let ledger = DeliveryLedger::new(pool.clone(), config.retry.clone());
        Ok(Self { pool, config, ledger, key })
    }

    /// Runs until `stop` turns true (then lets in-flight batches finish and unregisters), or
    /// with `until_idle`, until no campaign is sending or due (the CLI and the benchmark).
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>, until_idle: bool) -> Result<()> {
        let mut worker = SendWorker::register(&self.pool).await?;
        let (halt_tx, halt_rx) = watch::channel(false);
        let mut running: HashMap<i64, JoinHandle<()>> = HashMap::new();
        loop {
            if !worker.is_alive().await {
                tracing::warn!("the send worker lost its database connection; registering again");
                let _ = halt_tx.send(true);
                for (_, task) in running.drain() {
                    let _ = task.await;
                }
                let _ = halt_tx.send(false);
                worker = SendWorker::register(&self.pool).await?;
            }
            if let Err(e) = self.tick(worker.id, &mut running, &halt_rx).await {
                tracing::warn!("send engine: {e}");
            }
            running.retain(|_, task| !task.is_finished());
            if until_idle && running.is_empty() && !self.has_work().await? {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                break;
            }
        }
        let _ = halt_tx.send(true);
        for (_, task) in running.drain() {
            let _ = task.await;
        }
        worker.retire(&self.pool).await
    }

    /// One pass: re-queue dead workers' rows, start due campaigns, run sending ones.
    async fn tick(
        self: &Arc<Self>,
        worker_id: i32,
        running: &mut HashMap<i64, JoinHandle<()>>,
        halt: &watch::Receiver<bool>,
    ) -> Result<()> {
        let reclaimed = reclaim_dead(&self.pool).await?;
        if reclaimed > 0 {
            tracing::info!("re-queued {reclaimed} recipients held by a stopped sender");
        }
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM campaign WHERE status = 'scheduled' AND scheduled_at <= now() ORDER BY scheduled_at",
        )
        .fetch_all(&self.pool)
        .await?;
        for id in due {
            match starter::start(&self.pool, &self.key, &self.config.settings, id, &["scheduled"]).await {
                Ok(m) => tracing::info!("scheduled campaign #{id} started: {} recipients queued", m.queued),
                // Another process started it first, or it cannot start: it stays as it is
                // and the reason is shown on the campaign.
                Err(CampaignError::State(_)) => {}
                Err(e) => {
                    tracing::warn!("scheduled campaign #{id} could not start: {e}");
                    let _ = sqlx::query("UPDATE campaign SET waiting_reason = $2 WHERE id = $1")
                        .bind(id)
                        .bind(e.to_string())
                        .execute(&self.pool)
                        .await;
                }
            }
        }
        let sending: Vec<i64> = sqlx::query_scalar("SELECT id FROM campaign WHERE status = 'sending' ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        for id in sending {
            if running.get(&id).is_some_and(|t| !t.is_finished()) {
                continue;
            }
            let engine = Arc::clone(self);
            let halt = halt.clone();
            running.insert(
                id,
                tokio::spawn(async move {
                    if let Err(e) = engine.send_campaign(id, worker_id, halt).await {
                        tracing::warn!("campaign #{id}: {e}");
                        engine.set_waiting(id, &e.to_string()).await;
                    }
                }),
            );
        }
        Ok(())
    }

    async fn has_work(&self) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM campaign WHERE status = 'sending' \
                 OR (status = 'scheduled' AND scheduled_at <= now()))",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    async fn set_waiting(&self, id: i64, reason: &str) {
        let _ =
            sqlx::query("UPDATE campaign SET waiting_reason = $2 WHERE id = $1 AND waiting_reason IS DISTINCT FROM $2")
                .bind(id)
                .bind(reason)
                .execute(&self.pool)
                .await;
    }

    /// Sends one campaign from this process until it is no longer `sending` here.
    async fn send_campaign(self: &Arc<Self>, id: i64, worker_id: i32, halt: watch::Receiver<bool>) -> Result<()> {
        let campaign = Campaigns::new(self.pool.clone()).get(id).await?;
        let domain = campaign.input.from_email.rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
        let signers = load_signers(&self.pool, &domain).await?;
        let (relay, connections) =
            relay_for(&self.pool, &domain, &self.config.default_relay, self.config.connections).await?;
        let prepared =
            Arc::new(PreparedCampaign::prepare(&campaign, self.key.clone(), self.config.settings.clone(), signers)?);
        let limits: Vec<(String, i32)> =
            sqlx::query_as("SELECT provider, per_minute FROM provider_limit").fetch_all(&self.pool).await?;
        let limits: Vec<(Provider, u32)> =
            limits.into_iter().map(|(p, n)| (Provider::parse(&p), u32::try_from(n).unwrap_or(0))).collect();
        let shared = Arc::new(CampaignRun {
            prepared,
            relay,
            rate: RateLimiter::new(u32::try_from(campaign.input.rate_per_minute).unwrap_or(0)),
            gate: ProviderGate::new(&limits),
            warmup: sending_setup::warmup_plan(&self.pool, &domain)
                .await?
                .map(|plan| sending_setup::WarmupGate::new(&domain, plan)),
            worker_id,
            batch_size: self.config.batch_size,
        });
        loop {
            let (go_tx, go_rx) = watch::channel(true);
            let mut connections_running = Vec::new();
            for _ in 0..connections {
                let engine = Arc::clone(self);
                let run = Arc::clone(&shared);
                let go = go_rx.clone();
                connections_running.push(tokio::spawn(async move { engine.connection_loop(&run, go).await }));
            }
            // Controls: re-read status and rate while the connections work.
            let mut halt = halt.clone();
            let status = loop {
                let all_done = connections_running.iter().all(|t| t.is_finished());
                let (status, rate): (String, i32) =
                    sqlx::query_as("SELECT status, rate_per_minute FROM campaign WHERE id = $1")
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                let status = CampaignStatus::parse(&status);
                shared.rate.set_rate(u32::try_from(rate).unwrap_or(0));
                if status != CampaignStatus::Sending || *halt.borrow() || all_done {
                    break status;
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.config.poll.min(Duration::from_millis(500))) => {}
                    _ = halt.changed() => {}
                }
            };
            let _ = go_tx.send(false);
            for task in connections_running {
                let _ = task.await;
            }
            if status != CampaignStatus::Sending || *halt.borrow() {
                return Ok(());
            }
            if self.ledger.finish_if_done(id).await? {
                tracing::info!("campaign #{id} finished");
                return Ok(());
            }
            // Work left is held by other processes or deferred until later.
            let mut halt = halt.clone();
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll) => {}
                _ = halt.changed() => {}
            }
        }
    }

    /// One relay connection's work: claim, render, submit, record; until told to stop or
    /// nothing is left to claim.
    async fn connection_loop(&self, run: &CampaignRun, go: watch::Receiver<bool>) {
        let campaign_id = run.prepared.id;
        let mut session: Option<RelaySession> = None;
        let mut connect_failures: u32 = 0;
        let mut capped = false;
        let mut scratch = Vec::with_capacity(64 * 1024);
        while *go.borrow() {
            if session.as_ref().is_none_or(|s| !s.is_usable()) {
                match RelaySession::connect(&run.relay).await {
                    Ok(s) => {
                        if connect_failures > 0 {
                            self.set_waiting(campaign_id, "").await;
                        }
                        connect_failures = 0;
                        session = Some(s);
                    }
                    Err(e) => {
                        connect_failures += 1;
                        self.set_waiting(campaign_id, &format!("waiting for relay: {e}")).await;
                        let wait = Duration::from_secs(1 << connect_failures.min(5)).min(Duration::from_secs(30));
                        if !sleep_unless_stopped(wait, &go).await {
                            break;
                        }
                        continue;
                    }
                }
            }
            let want = match run.rate.take(run.batch_size) {
                Ok(n) => n,
                Err(wait) => {
                    if !sleep_unless_stopped(wait, &go).await {
                        break;
                    }
                    continue;
                }
            };
            let want = match &run.warmup {
                Some(gate) => {
                    match gate.allow(&self.pool, want).await {
                        Ok(n) => {
                            if std::mem::take(&mut capped) {
                                self.set_waiting(campaign_id, "").await;
                            }
                            n
                        }
                        Err(cap) => {
                            capped = true;
                            self.set_waiting(
                            campaign_id,
                            &format!("warm-up: today's cap of {cap} messages is reached; sending continues tomorrow (UTC)"),
                        )
                        .await;
                            if !sleep_unless_stopped(Duration::from_secs(30), &go).await {
                                break;
                            }
                            continue;
                        }
                    }
                }
                None => want,
            };
            let held = run.gate.held();
            let claimed = match self.ledger.claim(campaign_id, run.worker_id, want as i64, &held).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("campaign #{campaign_id}: claiming recipients failed: {e}");
                    if !sleep_unless_stopped(Duration::from_secs(1), &go).await {
                        break;
                    }
                    continue;
                }
            };
            if claimed.is_empty() {
                break;
            }
            let Some(s) = session.as_mut() else { break };
            if let Err(e) = self.submit_batch(run, s, &claimed, &mut scratch).await {
                tracing::warn!("campaign #{campaign_id}: {e}");
                self.set_waiting(campaign_id, &e.to_string()).await;
                session = None;
                if !sleep_unless_stopped(Duration::from_secs(2), &go).await {
                    break;
                }
            }
        }
        if let Some(s) = session {
            s.quit().await;
        }
    }

    /// Renders, submits and records one claimed batch; anything not answered goes back to
    /// the queue. An error means the session is unusable.
    async fn submit_batch(
        &self,
        run: &CampaignRun,
        session: &mut RelaySession,
        claimed: &[ClaimedRecipient],
        scratch: &mut Vec<u8>,
    ) -> Result<()> {
        // Rendering and signing are CPU work: they run on the blocking pool, so the runtime's
        // threads keep answering SMTP replies and database results for the other connections.
        let prepared = Arc::clone(&run.prepared);
        let batch = claimed.to_vec();
        let mut buffer = std::mem::take(scratch);
        let rendered = tokio::task::spawn_blocking(move || {
            let mut messages = Vec::with_capacity(batch.len());
            for r in &batch {
                let mut bytes = Vec::with_capacity(buffer.capacity() + 1024);
                let envelope = prepared.render(r, &mut buffer, &mut bytes)?;
                messages.push((bytes, envelope.mail_from, envelope.message_id, r.id.to_string()));
            }
            Ok::<_, CampaignError>((messages, buffer))
        })
        .await
        .map_err(|e| CampaignError::Content(format!("rendering stopped: {e}")))
        .and_then(|r| r);
        let messages = match rendered {
            Ok((messages, buffer)) => {
                *scratch = buffer;
                messages
            }
            Err(e) => {
                let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
                self.ledger.release(run.worker_id, &ids).await?;
                return Err(e);
            }
        };
        let submissions: Vec<Submission<'_>> = claimed
            .iter()
            .zip(&messages)
            .map(|(r, (bytes, mail_from, _, envid))| Submission { mail_from, rcpt_to: &r.email, envid, message: bytes })
            .collect();
        let result = session.send_batch(&submissions).await;
        let dsn = session.supports_dsn();
        let results: Vec<DeliveryResult> = claimed
            .iter()
            .zip(&messages)
            .zip(result.outcomes)
            .map(|((r, (_, _, message_id, _)), outcome)| {
                match &outcome {
                    SubmitOutcome::Accepted(_) => {
                        run.gate.spend(r.provider);
                        run.gate.accepted(r.provider);
                    }
                    SubmitOutcome::Deferred(reply) => {
                        run.gate.deferred(r.provider, reply);
                    }
                    SubmitOutcome::Rejected(_) => {}
                }
                DeliveryResult { id: r.id, outcome, message_id: message_id.clone(), dsn }
            })
            .collect();
        self.ledger.record(run.worker_id, claimed, &results).await?;
        let unanswered: Vec<i64> = claimed.iter().skip(results.len()).map(|r| r.id).collect();
        self.ledger.release(run.worker_id, &unanswered).await?;
        match result.broken {
            Some(e) => Err(CampaignError::Relay(e)),
            None => Ok(()),
        }
    }
}

/// What every connection of one campaign shares in this process.
struct CampaignRun {
    prepared: Arc<PreparedCampaign>,
    relay: RelayTarget,
    rate: RateLimiter,
    gate: ProviderGate,
    /// The sender domain's warm-up cap, if it has a plan.
    warmup: Option<sending_setup::WarmupGate>,
    worker_id: i32,
    batch_size: usize,
}

/// Sleeps `wait` unless `go` turns false first; false when stopped.
async fn sleep_unless_stopped(wait: Duration, go: &watch::Receiver<bool>) -> bool {
    let mut go = go.clone();
    tokio::select! {
        _ = tokio::time::sleep(wait) => {}
        _ = go.changed() => {}
    }
    *go.borrow()
}

/// The relay and connection count for a sender domain: its `sending_relay` row, else
/// `default` with `connections`.
pub async fn relay_for(
    pool: &PgPool,
    domain: &str,
    default: &RelayTarget,
    connections: usize,
) -> Result<(RelayTarget, usize)> {
    type Row = (String, i32, String, Option<String>, Option<String>, i32);
    let row: Option<Row> = sqlx::query_as(
        "SELECT r.host, r.port, r.security, r.username, r.password, r.max_connections \
         FROM sending_relay r JOIN mail_domain d ON d.id = r.domain_id WHERE d.name = $1",
    )
    .bind(domain)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some((host, port, security, username, password, max)) => (
            RelayTarget {
                host,
                port: u16::try_from(port).unwrap_or(25),
                security: match security.as_str() {
                    "tls" => RelaySecurity::Tls,
                    "start_tls" => RelaySecurity::StartTls,
                    _ => RelaySecurity::None,
                },
                username,
                password,
                ..default.clone()
            },
            usize::try_from(max).unwrap_or(1).max(1),
        ),
        None => (default.clone(), connections.max(1)),
    })
}

/// The sender domain's active DKIM keys, ready to sign.
pub async fn load_signers(pool: &PgPool, domain: &str) -> Result<Vec<Arc<DkimSigning>>> {
    let keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT k.selector, k.algorithm, k.private_pem FROM dkim_key k JOIN mail_domain d ON d.id = k.domain_id \
         WHERE d.name = $1 AND k.state = 'active' ORDER BY k.created_at",
    )
    .bind(domain)
    .fetch_all(pool)
    .await?;
    keys.into_iter()
        .map(|(selector, algorithm, pem)| {
            let algorithm = DkimAlgorithm::from_signature_name(&algorithm).unwrap_or(DkimAlgorithm::Rsa);
            Ok(Arc::new(DkimSigning::from_stored(domain, &selector, algorithm, &pem)?))
        })
        .collect()
}
