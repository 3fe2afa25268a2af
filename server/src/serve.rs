//! `billionmail serve`: the long-running server.

use std::net::SocketAddr;

use app::api::state::{AppState, SiteSecurity};
use engine::auth::Authenticator;
use leptos::config::LeptosOptions;

use crate::config::Config;
use crate::database::OpenDatabase;

/// Why the server could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Setup(String),
}

/// Leptos settings derived from our configuration (no Cargo.toml needed at run time).
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("billionmail")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .build()
}

/// The state every request sees.
pub fn app_state(config: &Config, db: engine::db::Database, auth: Authenticator) -> Result<AppState, ServeError> {
    let mail = mail_admin(config, &db);
    let resolver = engine::deliverability::DnsResolver::new(&config.dns_resolver, config.dns_timeout, 1)
        .map_err(|e| ServeError::Setup(format!("DNS resolver: {e}")))?;
    let rotation = engine::deliverability::DkimRotation::new(db.pool.clone(), mail.dkim.clone());
    let verifier = engine::deliverability::DnsVerifier::new(
        db.pool.clone(),
        resolver.clone(),
        server_identity(config),
        rotation.clone(),
    );
    let alerts = match &config.alert_email {
        Some(to) => Some(
            engine::dnsbl::AlertMailer::new(
                &config.smtp_relay.0,
                config.smtp_relay.1,
                &format!("BillionMail <billionmail@{}>", config.mail_host),
                to,
            )
            .map_err(|e| ServeError::Setup(format!("BM_ALERT_EMAIL: {e}")))?,
        ),
        None => None,
    };
    Ok(AppState {
        leptos_options: leptos_options(config),
        db: db.clone(),
        auth,
        mail,
        deliverability: engine::deliverability::Deliverability::new(db.pool.clone(), verifier, rotation),
        blocklists: engine::dnsbl::Blocklists::new(db.pool.clone()),
        dnsbl: engine::dnsbl::DnsblScanner::new(db.pool.clone(), resolver, config.dnsbl_concurrency, alerts),
        certificates: engine::tls::Certificates::new(
            db.pool.clone(),
            config.tls_dir.clone(),
            config.tls_reload.clone(),
        ),
        contacts: engine::contacts::Audience::new(db.pool.clone(), config.data_dir.join("imports")),
        templates: engine::templates::TemplateLibrary::new(db.pool.clone(), media_dir(config)),
        outbox: engine::campaigns::Outbox::new(
            db.pool.clone(),
            sender_settings(config),
            default_relay(config),
            config.rspamd.clone(),
        ),
        analytics: engine::analytics::Analytics::new(db.pool.clone()),
        acme_directory: config.acme_directory.clone(),
        acme_challenges: engine::tls::Http01Challenges::default(),
        site: SiteSecurity {
            public_origin: config.public_url.clone(),
            secure_cookies: config.secure_cookies(),
            trust_proxy: config.trust_proxy,
        },
        started_at: chrono::Utc::now(),
    })
}

/// Where campaign messages point: the public tracking origin and the bounce domain.
pub fn sender_settings(config: &Config) -> engine::campaigns::SenderSettings {
    engine::campaigns::SenderSettings {
        public_url: config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen)),
        bounce_domain: config.bounce_domain.clone(),
    }
}

/// The relay campaigns use unless their sender domain has one configured: the bundled
/// Postfix (`BM_SMTP_RELAY`), trusted by network, so no TLS or login.
pub fn default_relay(config: &Config) -> engine::campaigns::smtp_session::RelayTarget {
    engine::campaigns::smtp_session::RelayTarget {
        host: config.smtp_relay.0.clone(),
        port: config.smtp_relay.1,
        security: engine::campaigns::smtp_session::RelaySecurity::None,
        username: None,
        password: None,
        helo_name: config.mail_host.clone(),
        timeout: std::time::Duration::from_secs(60),
    }
}

/// The sending engine's settings for this process.
pub fn send_engine_config(config: &Config) -> engine::campaigns::SendEngineConfig {
    let mut c = engine::campaigns::SendEngineConfig::new(sender_settings(config), default_relay(config));
    c.connections = config.send_connections;
    c
}

/// The state of the public tracking endpoints, and the receiving end of their event channel
/// (for the event writer). The tracking key is read (or created) in the database now, so
/// every process on the database verifies the same links.
pub async fn tracking_state(
    config: &Config,
    pool: &sqlx::PgPool,
) -> Result<(crate::http::tracking::TrackingState, engine::tracking::EventReceiver), ServeError> {
    let key = engine::campaigns::secrets::tracking_key(pool)
        .await
        .map_err(|e| ServeError::Setup(format!("cannot read the tracking key: {e}")))?;
    let (sink, events) = engine::tracking::EventSink::channel();
    let state = crate::http::tracking::TrackingState {
        pool: pool.clone(),
        key,
        sink,
        links: engine::tracking::LinkCache::new(pool.clone()),
        settings: sender_settings(config),
        trust_proxy: config.trust_proxy,
    };
    Ok((state, events))
}

/// Where uploaded template images are kept (`<data dir>/media`), served at `/media/`; one
/// function so the state and the start-up check agree on the place.
pub fn media_dir(config: &Config) -> std::path::PathBuf {
    config.data_dir.join("media")
}

/// Where DNS records must point, from the configuration.
pub fn server_identity(config: &Config) -> model::deliverability::ServerIdentity {
    let mut identity = model::deliverability::ServerIdentity {
        mail_host: config.mail_host.clone(),
        web_host: config.web_host(),
        ..Default::default()
    };
    for ip in &config.sending_ips {
        match ip {
            std::net::IpAddr::V4(v4) => identity.ipv4.push(*v4),
            std::net::IpAddr::V6(v6) => identity.ipv6.push(*v6),
        }
    }
    identity
}

/// The mail-server services, with the key directory and host names from `config`.
pub fn mail_admin(config: &Config, db: &engine::db::Database) -> engine::mail::MailAdmin {
    let webmail_url = config.roundcube_url.as_ref().map(|_| match &config.webmail_host {
        Some(host) => {
            let scheme = if config.secure_cookies() { "https" } else { "http" };
            format!("{scheme}://{host}/")
        }
        None => {
            let base = config.public_url.clone().unwrap_or_else(|| format!("http://{}", config.listen));
            format!("{base}/roundcube/")
        }
    });
    engine::mail::MailAdmin::new(
        db.pool.clone(),
        engine::mail::DkimKeys::new(&config.dkim_dir).with_group(config.dkim_gid),
        engine::mail::MailEndpoints { host: config.mail_host.clone(), webmail_url },
    )
}

/// Serves until SIGINT/SIGTERM, then shuts down gracefully.
pub async fn run(config: &Config, open: &OpenDatabase, auth: Authenticator) -> Result<(), ServeError> {
    // Bound first: with `BM_LISTEN=…:0` the real port is only known now, and tracking links
    // (without BM_PUBLIC_URL) must point at the port recipients can actually reach.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr()?;
    let bound = Config { listen: addr, ..config.clone() };
    let config = &bound;
    let state = app_state(config, open.db.clone(), auth.clone())?;
    if let Err(e) = state.blocklists.seed_catalog().await {
        tracing::error!(error = %e, "cannot seed the blocklist catalog");
    }
    // Key files follow the database: a fresh or wiped key volume is rewritten at start.
    if let Err(e) = state.mail.dkim.sync_files(&open.db.pool).await {
        tracing::error!(error = %e, dir = %config.dkim_dir.display(), "cannot write DKIM key files for Rspamd");
    }
    if let Some(password) = &config.mail_db_password {
        match engine::mail::daemon_role::enable_login(&open.db.pool, password).await {
            Ok(()) => tracing::info!(role = engine::mail::daemon_role::ROLE, "mail daemons' database login enabled"),
            Err(e) => tracing::error!(error = %e, "cannot enable the mail daemons' database login"),
        }
    }
    // The image library writes its directory on the first upload; creating it now surfaces a
    // data directory the server cannot write to at start rather than at an admin's upload.
    let media = media_dir(config);
    if let Err(e) = tokio::fs::create_dir_all(&media).await {
        tracing::error!(error = %e, dir = %media.display(), "cannot create the template image directory");
    }
    // Every host that needs a certificate shows on the Certificates page, issued or not.
    for host in &config.mail_tls_hosts {
        if let Err(e) = state.certificates.ensure_host(host, "mail").await {
            tracing::warn!(error = %e, %host, "cannot record the mail host's certificate");
        }
    }
    let housekeeping = crate::workers::spawn_housekeeping(auth);
    let acme = crate::tls::AcmeSetup::from_config(config, &state)?;
    let deliverability = crate::workers::spawn_deliverability(state.clone(), acme.as_ref().map(|a| a.issuer.clone()));
    let imports = crate::workers::spawn_imports(state.contacts.imports.clone());
    let retention = crate::workers::spawn_event_retention(open.db.pool.clone());
    let (stop_sending, sending) = crate::workers::spawn_send_engine(open.db.pool.clone(), send_engine_config(config));
    let lmtp = match config.lmtp_listen {
        Some(addr) => {
            crate::workers::spawn_lmtp(
                open.db.pool.clone(),
                addr,
                config.mail_host.clone(),
                Some(default_relay(config)),
            )
            .await
        }
        None => None,
    };
    let (tracking, events) = tracking_state(config, &open.db.pool).await?;
    let (stop_events, event_writer) = crate::workers::spawn_event_writer(open.db.pool.clone(), events);
    let router = crate::http::router_with_tracking(state.clone(), crate::http::Webmail::from_config(config), tracking);
    let https = match (&acme, config.tls_listen) {
        (Some(acme), Some(addr)) => Some(crate::tls::spawn_https(acme, config, &state, addr, router.clone()).await?),
        _ => None,
    };
    tracing::info!(%addr, "BillionMail is listening; open http://{addr}/");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    // Batches in flight finish and are recorded before the process exits.
    let _ = stop_sending.send(true);
    if tokio::time::timeout(std::time::Duration::from_secs(30), sending).await.is_err() {
        tracing::warn!(
            "the sending engine did not stop within 30 s; unrecorded batches will be re-queued at next start"
        );
    }
    if let Some((stop, task)) = lmtp {
        let _ = stop.send(true);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
    }
    // Events answered before the listener closed are written before the process exits.
    let _ = stop_events.send(true);
    if tokio::time::timeout(std::time::Duration::from_secs(30), event_writer).await.is_err() {
        tracing::warn!("the tracking event writer did not finish within 30 s; queued events were lost");
    }
    housekeeping.abort();
    deliverability.abort();
    imports.abort();
    retention.abort();
    if let Some(h) = https {
        h.abort();
    }
    tracing::info!("server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutdown requested");
}
