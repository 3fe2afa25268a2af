//! Server-side state shared by every request (server functions and page renders).

use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use engine::auth::Authenticator;
use engine::db::Database;
use engine::mail::MailAdmin;
use leptos::config::LeptosOptions;

/// How the site is reached, which decides cookie and Origin rules.
#[derive(Clone, Debug, Default)]
pub struct SiteSecurity {
    /// `scheme://host[:port]` users reach the admin at (`BM_PUBLIC_URL`); when unset the
    /// request's own Host header is the site.
    pub public_origin: Option<String>,
    /// Mark the session cookie `Secure` (served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client IP from `X-Forwarded-For` (only behind a reverse proxy you run).
    pub trust_proxy: bool,
}

/// Everything a server function or page render needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub auth: Authenticator,
    pub mail: MailAdmin,
    /// DNS records, checks and DKIM rotation.
    pub deliverability: engine::deliverability::Deliverability,
    pub blocklists: engine::dnsbl::Blocklists,
    pub dnsbl: engine::dnsbl::DnsblScanner,
    pub certificates: engine::tls::Certificates,
    /// Contacts, lists, segments, imports, exports and the suppression list.
    pub contacts: engine::contacts::Audience,
    /// Email templates with their version history, and the image library they use; the
    /// template list, both editors and the image picker go through it.
    pub templates: engine::templates::TemplateLibrary,
    /// Campaigns: drafts, preflight, test sends, start and controls, progress.
    pub outbox: engine::campaigns::Outbox,
    /// Dashboards, the delivery log and its CSV export, read from the rollups.
    pub analytics: engine::analytics::Analytics,
    /// The ACME directory in use; `None` = automatic TLS is off.
    pub acme_directory: Option<String>,
    /// Pending ACME HTTP-01 answers, served at `/.well-known/acme-challenge/`.
    pub acme_challenges: engine::tls::Http01Challenges,
    pub site: SiteSecurity,
    pub started_at: DateTime<Utc>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
