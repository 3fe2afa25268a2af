//! How mail leaves, per sender domain and per destination: an external relay instead of the
//! bundled Postfix (host, port, TLS, login, connections) with a connection test, a warm-up
//! plan whose daily cap grows while a new domain builds its reputation, and per-provider
//! speed limits across all campaigns.

use chrono::{NaiveDate, Utc};
use model::campaigns::{DomainSending, Provider, ProviderLimit, RelayConfig, RelaySecurity, WarmupPlan};
use sqlx::PgPool;

use super::smtp_session::{self, RelayTarget};
use super::{CampaignError, Result};

/// Longest warm-up plan accepted (days).
const MAX_PLAN_DAYS: usize = 366;

/// The sending set-up tables.
#[derive(Clone, Debug)]
pub struct SendingSetup {
    pool: PgPool,
}

impl SendingSetup {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Every mail domain with its relay, warm-up plan and today's count.
    pub async fn domains(&self) -> Result<Vec<DomainSending>> {
        type Row = (
            String,
            Option<String>,
            Option<i32>,
            Option<String>,
            Option<String>,
            Option<bool>,
            Option<i32>,
            Option<NaiveDate>,
            Option<Vec<i32>>,
            Option<bool>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT d.name, r.host, r.port, r.security, r.username, r.password IS NOT NULL AND r.password <> '', \
                    r.max_connections, w.started_on, w.daily_caps, w.enabled \
             FROM mail_domain d LEFT JOIN sending_relay r ON r.domain_id = d.id \
             LEFT JOIN warmup_plan w ON w.domain_id = d.id ORDER BY d.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (domain, host, port, security, username, has_password, max, started, caps, enabled) in rows {
            let relay = host.map(|host| RelayConfig {
                host,
                port: port.and_then(|p| u16::try_from(p).ok()).unwrap_or(587),
                security: RelaySecurity::parse(security.as_deref().unwrap_or("")),
                username: username.unwrap_or_default(),
                password: String::new(),
                has_password: has_password.unwrap_or(false),
                max_connections: max.unwrap_or(8),
            });
            let warmup = match (started, caps) {
                (Some(started_on), Some(daily_caps)) => {
                    Some(WarmupPlan { started_on, daily_caps, enabled: enabled.unwrap_or(true) })
                }
                _ => None,
            };
            let sent_today = sent_today(&self.pool, &domain).await?;
            out.push(DomainSending { domain, relay, warmup, sent_today });
        }
        Ok(out)
    }

    /// Sets (or with `None` removes, back to the bundled Postfix) a domain's relay. An empty
    /// password keeps the stored one.
    pub async fn set_relay(&self, domain: &str, relay: Option<&RelayConfig>) -> Result<()> {
        let id = domain_id(&self.pool, domain).await?;
        let Some(r) = relay else {
            sqlx::query("DELETE FROM sending_relay WHERE domain_id = $1").bind(id).execute(&self.pool).await?;
            return Ok(());
        };
        check_relay(r)?;
        sqlx::query(
            "INSERT INTO sending_relay (domain_id, host, port, security, username, password, max_connections) \
             VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7) \
             ON CONFLICT (domain_id) DO UPDATE SET host = $2, port = $3, security = $4, username = NULLIF($5, ''), \
                 password = COALESCE(NULLIF($6, ''), CASE WHEN $5 = '' THEN NULL ELSE sending_relay.password END), \
                 max_connections = $7, updated_at = now()",
        )
        .bind(id)
        .bind(r.host.trim())
        .bind(i32::from(r.port))
        .bind(r.security.as_str())
        .bind(r.username.trim())
        .bind(&r.password)
        .bind(r.max_connections)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Connects to the relay as a campaign would (TLS, login) and says what it offers; the
    /// stored password is used when the form leaves it empty.
    pub async fn test_relay(&self, domain: &str, relay: &RelayConfig, helo_name: &str) -> Result<String> {
        check_relay(relay)?;
        let mut password = relay.password.clone();
        if password.is_empty() && !relay.username.trim().is_empty() {
            password = sqlx::query_scalar(
                "SELECT r.password FROM sending_relay r JOIN mail_domain d ON d.id = r.domain_id WHERE d.name = $1",
            )
            .bind(domain)
            .fetch_optional(&self.pool)
            .await?
            .flatten()
            .unwrap_or_default();
        }
        let target = RelayTarget {
            host: relay.host.trim().to_owned(),
            port: relay.port,
            security: match relay.security {
                RelaySecurity::None => smtp_session::RelaySecurity::None,
                RelaySecurity::StartTls => smtp_session::RelaySecurity::StartTls,
                RelaySecurity::Tls => smtp_session::RelaySecurity::Tls,
            },
            username: Some(relay.username.trim().to_owned()).filter(|u| !u.is_empty()),
            password: Some(password).filter(|p| !p.is_empty()),
            helo_name: helo_name.to_owned(),
            timeout: std::time::Duration::from_secs(15),
        };
        Ok(smtp_session::test_relay(&target).await?)
    }

    /// Sets (or with `None` removes) a domain's warm-up plan.
    pub async fn set_warmup(&self, domain: &str, plan: Option<&WarmupPlan>) -> Result<()> {
        let id = domain_id(&self.pool, domain).await?;
        let Some(p) = plan else {
            sqlx::query("DELETE FROM warmup_plan WHERE domain_id = $1").bind(id).execute(&self.pool).await?;
            return Ok(());
        };
        if p.daily_caps.is_empty() || p.daily_caps.len() > MAX_PLAN_DAYS || p.daily_caps.iter().any(|c| *c < 1) {
            return Err(CampaignError::invalid(
                "daily_caps",
                format!("give 1 to {MAX_PLAN_DAYS} daily caps, each at least 1 message"),
            ));
        }
        sqlx::query(
            "INSERT INTO warmup_plan (domain_id, started_on, daily_caps, enabled) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (domain_id) DO UPDATE SET started_on = $2, daily_caps = $3, enabled = $4",
        )
        .bind(id)
        .bind(p.started_on)
        .bind(&p.daily_caps)
        .bind(p.enabled)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The per-provider limits (every provider, 0 = none).
    pub async fn provider_limits(&self) -> Result<Vec<ProviderLimit>> {
        let rows: Vec<(String, i32)> =
            sqlx::query_as("SELECT provider, per_minute FROM provider_limit").fetch_all(&self.pool).await?;
        Ok(Provider::ALL
            .iter()
            .map(|&provider| ProviderLimit {
                provider,
                per_minute: rows.iter().find(|(p, _)| *p == provider.as_str()).map_or(0, |(_, n)| *n),
            })
            .collect())
    }

    /// Replaces the per-provider limits (running campaigns pick them up when they restart
    /// their connections, at the latest at their next start).
    pub async fn set_provider_limits(&self, limits: &[ProviderLimit]) -> Result<()> {
        if let Some(bad) = limits.iter().find(|l| l.per_minute < 0) {
            return Err(CampaignError::invalid(
                "per_minute",
                format!("{}: a limit cannot be negative", bad.provider.label()),
            ));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM provider_limit").execute(&mut *tx).await?;
        for l in limits.iter().filter(|l| l.per_minute > 0) {
            sqlx::query("INSERT INTO provider_limit (provider, per_minute) VALUES ($1, $2)")
                .bind(l.provider.as_str())
                .bind(l.per_minute)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A relay form's values, checked.
fn check_relay(r: &RelayConfig) -> Result<()> {
    let host = r.host.trim();
    if host.is_empty() || host.len() > 253 || host.contains(|c: char| c.is_whitespace() || c == '/' || c == ':') {
        return Err(CampaignError::invalid("host", "enter the relay's host name, e.g. smtp.example.com"));
    }
    if r.port == 0 {
        return Err(CampaignError::invalid("port", "enter the relay's port (587, 465 or 25)"));
    }
    if !(1..=64).contains(&r.max_connections) {
        return Err(CampaignError::invalid("max_connections", "between 1 and 64 connections"));
    }
    if r.username.contains(['\r', '\n']) || r.password.contains(['\r', '\n']) {
        return Err(CampaignError::invalid("username", "the login cannot contain line breaks"));
    }
    Ok(())
}

async fn domain_id(pool: &PgPool, domain: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM mail_domain WHERE name = $1")
        .bind(domain.trim().to_lowercase())
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| CampaignError::invalid("domain", format!("{domain} is not one of this server's mail domains")))
}

/// The warm-up plan of a sender domain, if it has one.
pub async fn warmup_plan(pool: &PgPool, domain: &str) -> Result<Option<WarmupPlan>> {
    let row: Option<(NaiveDate, Vec<i32>, bool)> = sqlx::query_as(
        "SELECT w.started_on, w.daily_caps, w.enabled FROM warmup_plan w JOIN mail_domain d ON d.id = w.domain_id \
         WHERE d.name = $1",
    )
    .bind(domain)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(started_on, daily_caps, enabled)| WarmupPlan { started_on, daily_caps, enabled }))
}

/// Messages submitted today (UTC) from campaigns sent as `domain`.
pub async fn sent_today(pool: &PgPool, domain: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM delivery d JOIN campaign c ON c.id = d.campaign_id \
         WHERE split_part(c.from_email, '@', 2) = $1 AND d.submitted_at >= $2",
    )
    .bind(domain)
    .bind(Utc::now().date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
    .fetch_one(pool)
    .await?)
}

/// A domain's warm-up cap as the connections of one campaign draw from it: today's cap minus
/// what was submitted today, re-read from the ledger every few seconds (other campaigns and
/// processes count too) and drawn down locally in between.
#[derive(Debug)]
pub struct WarmupGate {
    domain: String,
    plan: WarmupPlan,
    state: tokio::sync::Mutex<(Option<std::time::Instant>, i64)>,
}

/// How long a counted allowance is trusted before the ledger is asked again.
const WARMUP_REFRESH: std::time::Duration = std::time::Duration::from_secs(3);

impl WarmupGate {
    /// The gate of `domain` under `plan`.
    pub fn new(domain: &str, plan: WarmupPlan) -> Self {
        Self { domain: domain.to_owned(), plan, state: tokio::sync::Mutex::new((None, 0)) }
    }

    /// How many of `want` may be claimed now; `Err(cap)` when today's cap is used up.
    pub async fn allow(&self, pool: &PgPool, want: usize) -> Result<usize, i32> {
        let Some(cap) = self.plan.cap_on(Utc::now().date_naive()) else { return Ok(want) };
        let mut state = self.state.lock().await;
        if state.0.is_none_or(|t| t.elapsed() > WARMUP_REFRESH) {
            // On a database error keep the last count (refreshed on the next call).
            if let Ok(sent) = sent_today(pool, &self.domain).await {
                *state = (Some(std::time::Instant::now()), i64::from(cap) - sent);
            }
        }
        let n = usize::try_from(state.1.max(0)).unwrap_or(0).min(want);
        if n == 0 {
            return Err(cap);
        }
        state.1 -= i64::try_from(n).unwrap_or(0);
        Ok(n)
    }
}
