//! Server functions of the deliverability pages: DNS records and their checks, DKIM
//! rotation, blocklist scans and TLS certificates. Every one needs a signed-in admin.

use leptos::prelude::*;
use model::deliverability::{
    BlocklistInput, CustomCertificate, DnsPolicy, DnsblOverview, DomainDnsReport, RecordHistoryEntry, RotationRequest,
    TlsOverview,
};
use server_fn::codec::Json;

use crate::api::ApiError;

/// The records of `domain` with their last verdicts (no DNS lookups).
#[server(endpoint = "deliverability/dns/report", input = Json)]
pub async fn dns_report(domain: String) -> Result<DomainDnsReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.deliverability.verifier.report(&domain).await?)
        }
        .await,
    )
}

/// Checks every record of `domain` now, then returns the report.
#[server(endpoint = "deliverability/dns/verify", input = Json)]
pub async fn verify_dns(domain: String) -> Result<DomainDnsReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let st = state()?;
            st.deliverability.verifier.verify(&domain).await?;
            Ok(st.deliverability.verifier.report(&domain).await?)
        }
        .await,
    )
}

/// Status changes of `domain`'s records, newest first.
#[server(endpoint = "deliverability/dns/history", input = Json)]
pub async fn dns_history(domain: String) -> Result<Vec<RecordHistoryEntry>, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.deliverability.verifier.history(&domain, 200).await?)
        }
        .await,
    )
}

/// Saves the DMARC/SPF/MTA-STS/TLS-RPT choices of `domain`.
#[server(endpoint = "deliverability/dns/policy", input = Json)]
pub async fn save_dns_policy(domain: String, policy: DnsPolicy) -> Result<DomainDnsReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            st.deliverability.save_policy(&domain, &policy).await?;
            tracing::info!(by = %me.username, %domain, "DNS policy saved");
            Ok(st.deliverability.verifier.report(&domain).await?)
        }
        .await,
    )
}

/// Generates the next DKIM key of `domain`, to be published beside the active one.
#[server(endpoint = "deliverability/dkim/rotate", input = Json)]
pub async fn start_dkim_rotation(domain: String, request: RotationRequest) -> Result<DomainDnsReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            let grace = request.grace_days.unwrap_or(engine::deliverability::DEFAULT_GRACE_DAYS);
            let key = st.deliverability.start_rotation(&domain, request.algorithm, grace).await?;
            tracing::info!(by = %me.username, %domain, selector = %key.selector, "DKIM rotation started");
            Ok(st.deliverability.verifier.report(&domain).await?)
        }
        .await,
    )
}

/// Signs with the pending key now (`force`: even before DNS shows it).
#[server(endpoint = "deliverability/dkim/switch", input = Json)]
pub async fn switch_dkim_key(domain: String, force: bool) -> Result<DomainDnsReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            let key = st.deliverability.switch_key(&domain, force).await?;
            tracing::info!(by = %me.username, %domain, selector = %key.selector, force, "DKIM key switched");
            Ok(st.deliverability.verifier.report(&domain).await?)
        }
        .await,
    )
}

/// Abandons the pending key of `domain`.
#[server(endpoint = "deliverability/dkim/cancel", input = Json)]
pub async fn cancel_dkim_rotation(domain: String) -> Result<DomainDnsReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let st = state()?;
            st.deliverability.cancel_rotation(&domain).await?;
            Ok(st.deliverability.verifier.report(&domain).await?)
        }
        .await,
    )
}

/// The Blacklist page.
#[server(name = LoadDnsblOverview, endpoint = "deliverability/dnsbl/overview", input = Json)]
pub async fn dnsbl_overview() -> Result<DnsblOverview, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let st = state()?;
            let targets = st.dnsbl.targets(st.deliverability.verifier.server()).await?;
            Ok(st.dnsbl.overview(targets, &st.blocklists).await?)
        }
        .await,
    )
}

/// Scans every target now and returns the updated page.
#[server(endpoint = "deliverability/dnsbl/scan", input = Json)]
pub async fn run_dnsbl_scan() -> Result<DnsblOverview, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            let targets = st.dnsbl.targets(st.deliverability.verifier.server()).await?;
            let scan = st.dnsbl.scan(&targets, "manual").await?;
            tracing::info!(by = %me.username, listed = scan.listed, errors = scan.errors, "blocklist scan");
            Ok(st.dnsbl.overview(targets, &st.blocklists).await?)
        }
        .await,
    )
}

/// Turns a blocklist on or off.
#[server(endpoint = "deliverability/dnsbl/enable", input = Json)]
pub async fn set_blocklist_enabled(zone: String, enabled: bool) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.blocklists.set_enabled(&zone, enabled).await?)
        }
        .await,
    )
}

/// Adds a blocklist of the admin's own.
#[server(endpoint = "deliverability/dnsbl/add", input = Json)]
pub async fn add_blocklist(input: BlocklistInput) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            state()?.blocklists.add(&input).await?;
            Ok(())
        }
        .await,
    )
}

/// Deletes a blocklist the admin added.
#[server(endpoint = "deliverability/dnsbl/remove", input = Json)]
pub async fn remove_blocklist(zone: String) -> Result<(), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.blocklists.remove(&zone).await?)
        }
        .await,
    )
}

/// Certificates per host.
#[server(name = LoadTlsOverview, endpoint = "deliverability/tls/overview", input = Json)]
pub async fn tls_overview() -> Result<TlsOverview, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            let st = state()?;
            Ok(TlsOverview {
                certificates: st.certificates.list().await?,
                acme_directory: st.acme_directory.clone(),
                export_dir: st.certificates.export_dir().display().to_string(),
            })
        }
        .await,
    )
}

/// Installs an uploaded certificate and key for a host.
#[server(endpoint = "deliverability/tls/upload", input = Json)]
pub async fn upload_certificate(certificate: CustomCertificate) -> Result<TlsOverview, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            let me = require_admin().await?;
            let st = state()?;
            let status = st.certificates.upload_custom(certificate).await?;
            tracing::info!(by = %me.username, host = %status.host, "custom certificate installed");
            Ok(TlsOverview {
                certificates: st.certificates.list().await?,
                acme_directory: st.acme_directory.clone(),
                export_dir: st.certificates.export_dir().display().to_string(),
            })
        }
        .await,
    )
}
