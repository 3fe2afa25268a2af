//! Automatic TLS: the ACME client set up from the configuration, and the HTTPS listener for
//! the admin host whose certificate comes from TLS-ALPN-01 (validated on that same
//! listener). Mail-host certificates (HTTP-01) are renewed by the deliverability worker.

use std::net::SocketAddr;
use std::sync::Arc;

use app::api::state::AppState;
use futures::StreamExt;

use crate::config::Config;
use crate::serve::ServeError;

/// The ACME client pieces shared by the HTTPS listener and the renewal worker.
pub struct AcmeSetup {
    pub issuer: engine::tls::AcmeIssuer,
    client: Arc<rustls_acme::futures_rustls::rustls::ClientConfig>,
    directory: String,
    contact: Vec<String>,
}

impl AcmeSetup {
    /// `None` when `BM_ACME_DIRECTORY` is not set (automatic TLS off).
    pub fn from_config(config: &Config, state: &AppState) -> Result<Option<Self>, ServeError> {
        let Some(directory) = &config.acme_directory else { return Ok(None) };
        let ca = match &config.acme_ca_file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| ServeError::Setup(format!("BM_ACME_CA_FILE {}: {e}", path.display())))?,
            ),
            None => None,
        };
        let client = engine::tls::AcmeIssuer::client_config(ca.as_deref())
            .map_err(|e| ServeError::Setup(format!("ACME client: {e}")))?;
        let contact: Vec<String> = config.acme_email.iter().map(|e| format!("mailto:{e}")).collect();
        let issuer = engine::tls::AcmeIssuer::new(
            directory.clone(),
            client.clone(),
            contact.clone(),
            state.db.pool.clone(),
            state.acme_challenges.clone(),
        );
        Ok(Some(Self { issuer, client, directory: directory.clone(), contact }))
    }
}

/// Serves `router` over HTTPS on `addr` with a certificate for the web host obtained (and
/// renewed) by TLS-ALPN-01.
pub async fn spawn_https(
    acme: &AcmeSetup,
    config: &Config,
    state: &AppState,
    addr: SocketAddr,
    router: axum::Router,
) -> Result<tokio::task::JoinHandle<()>, ServeError> {
    let host = config.web_host();
    if let Err(e) = state.certificates.ensure_host(&host, "admin").await {
        tracing::warn!(error = %e, %host, "cannot record the admin host's certificate");
    }
    // The MTA-STS policy hosts of the domains with MTA-STS on are served here too, so the
    // certificate must name them; a domain added later is included at the next start.
    let mta_sts_hosts: Vec<String> = sqlx::query_scalar(
        "SELECT 'mta-sts.' || d.name FROM mail_domain d LEFT JOIN domain_dns_policy p ON p.domain_id = d.id \
         WHERE d.active AND COALESCE(p.mta_sts_mode, 'testing') <> 'none' ORDER BY d.name",
    )
    .fetch_all(&state.db.pool)
    .await
    .unwrap_or_else(|e| {
        tracing::warn!(error = %e, "cannot list the MTA-STS hosts for the certificate");
        Vec::new()
    });
    let mut acme_state = engine::tls::admin_acme_state(
        &host,
        &mta_sts_hosts,
        &acme.directory,
        &acme.contact,
        acme.client.clone(),
        state.db.pool.clone(),
    );
    let acceptor = acme_state.axum_acceptor(acme_state.default_rustls_config());
    let certificates = state.certificates.clone();
    let events_host = host.clone();
    tokio::spawn(async move {
        while let Some(event) = acme_state.next().await {
            match event {
                Ok(ok) => tracing::info!(host = %events_host, event = ?ok, "ACME"),
                Err(err) => {
                    tracing::warn!(host = %events_host, error = ?err, "ACME");
                    if let Err(e) = certificates.record_failure(&events_host, "admin", &format!("{err:?}")).await {
                        tracing::error!(error = %e, "cannot record the ACME failure");
                    }
                }
            }
        }
    });
    let listener = std::net::TcpListener::bind(addr).map_err(|source| ServeError::Bind { addr, source })?;
    listener.set_nonblocking(true)?;
    tracing::info!(%addr, %host, "HTTPS listener with automatic certificate");
    let server = axum_server::from_tcp(listener)?;
    Ok(tokio::spawn(async move {
        if let Err(e) =
            server.acceptor(acceptor).serve(router.into_make_service_with_connect_info::<SocketAddr>()).await
        {
            tracing::error!(error = %e, "HTTPS listener stopped");
        }
    }))
}
