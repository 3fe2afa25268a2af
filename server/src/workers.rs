//! Background housekeeping that keeps the tables small.

use std::time::Duration;

use engine::auth::Authenticator;

/// Every ten minutes: drop dead sessions and sign-in events past retention.
pub fn spawn_housekeeping(auth: Authenticator) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match auth.sessions.purge_expired().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "expired admin sessions purged"),
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
            if let Err(e) = auth.log.purge_old().await {
                tracing::warn!(error = %e, "sign-in log purge failed");
            }
        }
    })
}

/// How often the deliverability worker wakes up to look for due work.
const DELIVERABILITY_TICK: Duration = Duration::from_secs(60);

/// Background deliverability work, each step only when due: DNS re-verification (every few
/// minutes for new domains, hourly later), DKIM keys past their grace period retired, the
/// daily blocklist scan, and renewal of mail-host certificates 30 days before expiry.
pub fn spawn_deliverability(
    state: app::api::state::AppState,
    issuer: Option<engine::tls::AcmeIssuer>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Not at once: start-up (migrations, key files, the first requests) comes first.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + DELIVERABILITY_TICK, DELIVERABILITY_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            deliverability_round(&state, issuer.as_ref()).await;
        }
    })
}

async fn deliverability_round(state: &app::api::state::AppState, issuer: Option<&engine::tls::AcmeIssuer>) {
    let d = &state.deliverability;
    match d.verifier.due().await {
        Ok(domains) => {
            for domain in domains {
                if let Err(e) = d.verifier.verify(&domain).await {
                    tracing::warn!(error = %e, %domain, "DNS re-verification failed");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot list domains due for DNS checks"),
    }
    match d.rotation.retire_due().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(retired = n, "DKIM keys past their grace period retired"),
        Err(e) => tracing::warn!(error = %e, "DKIM retirement failed"),
    }
    let daily_scan_due = match state.dnsbl.last_started().await {
        Ok(last) => last.is_none_or(|t| chrono::Utc::now() - t > chrono::Duration::hours(24)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the last blocklist scan");
            false
        }
    };
    if daily_scan_due {
        match state.dnsbl.targets(d.verifier.server()).await {
            Ok(targets) => match state.dnsbl.scan(&targets, "schedule").await {
                Ok(scan) => tracing::info!(listed = scan.listed, errors = scan.errors, "daily blocklist scan"),
                Err(e) => tracing::warn!(error = %e, "daily blocklist scan failed"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot list blocklist targets"),
        }
    }
    if let Some(issuer) = issuer {
        match state.certificates.due_for_renewal(chrono::Utc::now()).await {
            Ok(hosts) => {
                for host in hosts {
                    match issuer.issue(std::slice::from_ref(&host)).await {
                        Ok((chain, key)) => match state.certificates.store_issued(&host, "mail", &chain, &key).await {
                            Ok(_) => tracing::info!(%host, "mail certificate issued"),
                            Err(e) => tracing::error!(error = %e, %host, "cannot store the issued certificate"),
                        },
                        Err(e) => {
                            tracing::warn!(error = %e, %host, "certificate issuance failed");
                            if let Err(e2) = state.certificates.record_failure(&host, "mail", &e.to_string()).await {
                                tracing::error!(error = %e2, "cannot record the issuance failure");
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list certificates due for renewal"),
        }
    }
}

/// How often the import worker looks for queued imports.
const IMPORT_TICK: Duration = Duration::from_secs(2);

/// Runs queued CSV imports one at a time (several `serve` processes share the queue through
/// `FOR UPDATE SKIP LOCKED`); an import cut short by a restart is picked up again.
pub fn spawn_imports(imports: engine::contacts::Imports) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(IMPORT_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match imports.run_queued().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(imports = n, "contact imports finished"),
                Err(e) => tracing::warn!(error = %e, "contact import worker"),
            }
            match imports.clean_up().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, "import files removed"),
                Err(e) => tracing::warn!(error = %e, "import clean-up"),
            }
        }
    })
}

/// The campaign sending engine of this process (every process runs one; they share the
/// work through the delivery ledger). Restarts itself after a failure such as a lost
/// database; sending `true` on the returned channel stops it after in-flight batches.
pub fn spawn_send_engine(
    pool: sqlx::PgPool,
    config: engine::campaigns::SendEngineConfig,
) -> (tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            let outcome = match engine::campaigns::SendEngine::new(pool.clone(), config.clone()).await {
                Ok(engine) => std::sync::Arc::new(engine).run(stop.clone(), false).await,
                Err(e) => Err(e),
            };
            if *stop.borrow() {
                break;
            }
            if let Err(e) = outcome {
                tracing::error!(error = %e, "sending engine stopped; restarting in 5 s");
            }
            let mut stop = stop.clone();
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
                _ = stop.changed() => break,
            }
        }
    });
    (stop_tx, task)
}

/// The inbound LMTP listener for the bounce domain. A port already taken (a second process
/// on the same host) is logged and skipped: Postfix delivers to whichever process listens,
/// and every process writes to the same database.
pub async fn spawn_lmtp(
    pool: sqlx::PgPool,
    listen: std::net::SocketAddr,
    host: String,
    forward_relay: Option<engine::campaigns::smtp_session::RelayTarget>,
) -> Option<(tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<()>)> {
    let key = match engine::campaigns::secrets::tracking_key(&pool).await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "inbound listener off: cannot read the tracking key");
            return None;
        }
    };
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(%listen, error = %e, "inbound LMTP listener not started (address in use?)");
            return None;
        }
    };
    tracing::info!(%listen, "inbound LMTP listener for bounces and complaints");
    let inbound = std::sync::Arc::new(engine::inbound::Inbound::new(pool, key, forward_relay));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(engine::inbound::lmtp::serve(listener, host, inbound, stop));
    Some((stop_tx, task))
}

/// The tracking event writer of this process: writes the opens, clicks and web views the
/// endpoints queue, in batches. Sending `true` on the returned channel makes it write what is
/// still queued and stop, so a restart loses no event that was answered.
pub fn spawn_event_writer(
    pool: sqlx::PgPool,
    events: engine::tracking::EventReceiver,
) -> (tokio::sync::watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(engine::tracking::EventWriter::run(pool, events, stop));
    (stop_tx, task)
}

/// How often event partitions are checked: next month's exists before it starts, expired
/// months are dropped (whole partitions: no row-by-row delete on a large table).
const EVENT_RETENTION_TICK: Duration = Duration::from_secs(6 * 3600);

/// Keeps `campaign_event`'s monthly partitions: creates this and next month's, drops those
/// older than the retention setting. Rollups are kept, so dashboards keep their history.
pub fn spawn_event_retention(pool: sqlx::PgPool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVENT_RETENTION_TICK);
        loop {
            tick.tick().await;
            if let Err(e) = engine::analytics::retention::ensure_partitions(&pool).await {
                tracing::warn!(error = %e, "cannot create the event partitions");
            }
            match engine::analytics::retention::drop_expired_partitions(&pool).await {
                Ok(dropped) if dropped.is_empty() => {}
                Ok(dropped) => tracing::info!(?dropped, "expired event months dropped"),
                Err(e) => tracing::warn!(error = %e, "event retention failed"),
            }
        }
    })
}
