//! Verifies all records of a domain at once (lookups run concurrently), keeps the latest
//! verdict per record and a history of every change, and moves a DKIM rotation forward when
//! DNS serves the next key.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use model::deliverability::{
    CheckStatus, DkimKeyState, DomainDnsReport, ExpectedRecord, MTA_STS_MAX_AGE, RecordCheck, RecordHistoryEntry,
    RecordPurpose, ServerIdentity, StsMode, StsPolicy, expected_records,
};
use sqlx::PgPool;

use super::checks::{CheckContext, check};
use super::dkim_rotation::DkimRotation;
use super::resolver::{DnsAnswer, DnsResolver};
use super::{DeliverabilityError, policy};

/// How often a domain is re-checked: new or not yet fully good ones often, the rest hourly.
pub const NEW_DOMAIN_INTERVAL_MINUTES: i64 = 5;
/// Interval once a domain has been all good for a day.
pub const SETTLED_INTERVAL_MINUTES: i64 = 60;

/// The domain verifier.
#[derive(Clone, Debug)]
pub struct DnsVerifier {
    pool: PgPool,
    resolver: DnsResolver,
    server: ServerIdentity,
    rotation: DkimRotation,
}

impl DnsVerifier {
    /// `server` says where the records must point (mail host, web host, sending addresses).
    pub fn new(pool: PgPool, resolver: DnsResolver, server: ServerIdentity, rotation: DkimRotation) -> Self {
        Self { pool, resolver, server, rotation }
    }

    /// The resolver in use (shared with the blocklist scan).
    pub fn resolver(&self) -> &DnsResolver {
        &self.resolver
    }

    /// Where records must point.
    pub fn server(&self) -> &ServerIdentity {
        &self.server
    }

    async fn domain(&self, name: &str) -> Result<(i64, String, DateTime<Utc>), DeliverabilityError> {
        let row: Option<(i64, String, DateTime<Utc>)> =
            sqlx::query_as("SELECT id, name, created_at FROM mail_domain WHERE name = lower($1)")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.ok_or_else(|| DeliverabilityError::DomainNotFound(name.to_owned()))
    }

    /// Addresses to check PTR and SPF for: configured ones, else what the mail host resolves to.
    async fn sending_ips(&self) -> Vec<IpAddr> {
        let mut ips: Vec<IpAddr> = self.server.ipv4.iter().copied().map(IpAddr::V4).collect();
        ips.extend(self.server.ipv6.iter().copied().map(IpAddr::V6));
        if ips.is_empty()
            && let DnsAnswer::Records(found) = self.resolver.a(&self.server.mail_host).await
        {
            ips.extend(found.into_iter().map(IpAddr::V4));
        }
        ips
    }

    /// The identity as the records see it: configured addresses, or discovered ones so the
    /// PTR rows appear even when no address is configured.
    async fn effective_server(&self) -> (ServerIdentity, Vec<IpAddr>) {
        let ips = self.sending_ips().await;
        let mut server = self.server.clone();
        if server.ipv4.is_empty() && server.ipv6.is_empty() {
            for ip in &ips {
                if let IpAddr::V4(v4) = ip {
                    server.ipv4.push(*v4);
                }
            }
        }
        (server, ips)
    }

    /// Checks every record of `domain` now and stores the results.
    pub async fn verify(&self, domain: &str) -> Result<Vec<RecordCheck>, DeliverabilityError> {
        let (domain_id, name, _) = self.domain(domain).await?;
        let policy = policy::load(&self.pool, domain_id).await?;
        let keys = self.rotation.keys(domain_id).await?;
        let (server, ips) = self.effective_server().await;
        let records = expected_records(&name, &policy, &server, &keys);
        let ctx = CheckContext {
            resolver: &self.resolver,
            domain: &name,
            policy: &policy,
            server: &server,
            keys: &keys,
            sending_ips: &ips,
        };
        let checks: Vec<RecordCheck> = futures::future::join_all(records.into_iter().map(|r| check(&ctx, r))).await;
        self.store(domain_id, &checks).await?;
        // A pending DKIM key that DNS now serves lets the rotation switch to it.
        let mut seen_pending = false;
        for c in &checks {
            if c.record.purpose == RecordPurpose::Dkim && c.status == CheckStatus::Ok {
                let selector = c.record.key.trim_start_matches("dkim:");
                self.rotation.mark_seen_in_dns(domain_id, selector).await?;
                seen_pending |= keys.iter().any(|k| k.selector == selector && k.state == DkimKeyState::Pending);
            }
        }
        if seen_pending {
            self.rotation.switch_verified().await?;
        }
        Ok(checks)
    }

    async fn store(&self, domain_id: i64, checks: &[RecordCheck]) -> Result<(), DeliverabilityError> {
        let mut tx = self.pool.begin().await?;
        let previous: Vec<(String, String)> =
            sqlx::query_as("SELECT record_key, status FROM dns_record_status WHERE domain_id = $1 FOR UPDATE")
                .bind(domain_id)
                .fetch_all(&mut *tx)
                .await?;
        for c in checks {
            let status = c.status.as_str();
            let changed = !previous.iter().any(|(k, s)| k == &c.record.key && s == status);
            let detail = serde_json::to_value(c).map_err(|e| DeliverabilityError::Internal(e.to_string()))?;
            sqlx::query(
                "INSERT INTO dns_record_status (domain_id, record_key, status, detail, checked_at, status_since) \
                 VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT (domain_id, record_key) DO UPDATE SET detail = EXCLUDED.detail, \
                   checked_at = EXCLUDED.checked_at, \
                   status_since = CASE WHEN dns_record_status.status = EXCLUDED.status \
                                  THEN dns_record_status.status_since ELSE EXCLUDED.checked_at END, \
                   status = EXCLUDED.status",
            )
            .bind(domain_id)
            .bind(&c.record.key)
            .bind(status)
            .bind(detail)
            .bind(c.checked_at)
            .execute(&mut *tx)
            .await?;
            if changed {
                sqlx::query(
                    "INSERT INTO dns_record_history (domain_id, record_key, status, problem, at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(domain_id)
                .bind(&c.record.key)
                .bind(status)
                .bind(&c.problem)
                .bind(c.checked_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        // Records no longer expected (a retired key, a removed address) leave the table.
        let keys: Vec<&str> = checks.iter().map(|c| c.record.key.as_str()).collect();
        sqlx::query("DELETE FROM dns_record_status WHERE domain_id = $1 AND NOT (record_key = ANY($2))")
            .bind(domain_id)
            .bind(&keys)
            .execute(&mut *tx)
            .await?;
        let all_ok = checks.iter().filter(|c| c.record.required).all(|c| c.status.is_passing());
        sqlx::query(
            "UPDATE mail_domain SET dns_checked_at = now(), \
               dns_all_ok_since = CASE WHEN $2 THEN COALESCE(dns_all_ok_since, now()) END WHERE id = $1",
        )
        .bind(domain_id)
        .bind(all_ok)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The records of `domain` with their last stored verdicts (no lookups).
    pub async fn report(&self, domain: &str) -> Result<DomainDnsReport, DeliverabilityError> {
        let (domain_id, name, created_at) = self.domain(domain).await?;
        let policy = policy::load(&self.pool, domain_id).await?;
        let keys = self.rotation.keys(domain_id).await?;
        let stored: Vec<(String, serde_json::Value)> =
            sqlx::query_as("SELECT record_key, detail FROM dns_record_status WHERE domain_id = $1")
                .bind(domain_id)
                .fetch_all(&self.pool)
                .await?;
        let (checked_at, all_ok_since): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
            sqlx::query_as("SELECT dns_checked_at, dns_all_ok_since FROM mail_domain WHERE id = $1")
                .bind(domain_id)
                .fetch_one(&self.pool)
                .await?;
        // Addresses discovered at the last check show up through the stored PTR rows.
        let mut server = self.server.clone();
        if server.ipv4.is_empty() && server.ipv6.is_empty() {
            for (key, _) in &stored {
                if let Some(Ok(IpAddr::V4(v4))) = key.strip_prefix("ptr:").map(str::parse::<IpAddr>) {
                    server.ipv4.push(v4);
                }
            }
        }
        let expected: Vec<ExpectedRecord> = expected_records(&name, &policy, &server, &keys);
        let records = expected
            .into_iter()
            .map(|r| {
                let check = stored
                    .iter()
                    .find(|(k, _)| k == &r.key)
                    .and_then(|(_, d)| serde_json::from_value::<RecordCheck>(d.clone()).ok())
                    // A stored verdict for an older value of the record does not count.
                    .filter(|c| c.record.value == r.value && c.record.host == r.host);
                (r, check)
            })
            .collect();
        let display_name = crate::mail::names::display_domain(&name);
        let next_check_at = checked_at.map(|t| t + Duration::minutes(interval_minutes(created_at, all_ok_since)));
        Ok(DomainDnsReport {
            domain_id,
            domain: name.clone(),
            display_name,
            mta_sts_policy: self.mta_sts_policy_for(&policy),
            policy,
            server,
            keys,
            records,
            checked_at,
            all_ok_since,
            next_check_at,
        })
    }

    fn mta_sts_policy_for(&self, policy: &model::deliverability::DnsPolicy) -> Option<String> {
        (policy.mta_sts_mode != StsMode::None).then(|| {
            StsPolicy { mode: policy.mta_sts_mode, mx: vec![self.server.mail_host.clone()], max_age: MTA_STS_MAX_AGE }
                .to_text()
        })
    }

    /// The MTA-STS policy file for a request to `host` (`mta-sts.<domain>`), if one is served.
    pub async fn mta_sts_policy(&self, host: &str) -> Result<Option<String>, DeliverabilityError> {
        let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        let Some(domain) = host.strip_prefix("mta-sts.") else { return Ok(None) };
        let Ok((domain_id, _, _)) = self.domain(domain).await else { return Ok(None) };
        let policy = policy::load(&self.pool, domain_id).await?;
        Ok(self.mta_sts_policy_for(&policy))
    }

    /// Status changes of a domain's records, newest first.
    pub async fn history(&self, domain: &str, limit: i64) -> Result<Vec<RecordHistoryEntry>, DeliverabilityError> {
        let (domain_id, _, _) = self.domain(domain).await?;
        let rows: Vec<(String, String, Option<String>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT record_key, status, problem, at FROM dns_record_history WHERE domain_id = $1 \
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(domain_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(record_key, status, problem, at)| RecordHistoryEntry {
                record_key,
                status: serde_json::from_value(serde_json::Value::String(status)).unwrap_or(CheckStatus::Error),
                problem,
                at,
            })
            .collect())
    }

    /// Active domains whose next check is due.
    pub async fn due(&self) -> Result<Vec<String>, DeliverabilityError> {
        Ok(sqlx::query_scalar(
            "SELECT name FROM mail_domain WHERE active AND (dns_checked_at IS NULL \
               OR ((dns_all_ok_since IS NULL OR created_at > now() - interval '1 day') \
                   AND dns_checked_at <= now() - make_interval(mins => $1)) \
               OR dns_checked_at <= now() - make_interval(mins => $2)) \
             ORDER BY dns_checked_at NULLS FIRST, name",
        )
        .bind(i32::try_from(NEW_DOMAIN_INTERVAL_MINUTES).unwrap_or(5))
        .bind(i32::try_from(SETTLED_INTERVAL_MINUTES).unwrap_or(60))
        .fetch_all(&self.pool)
        .await?)
    }
}

fn interval_minutes(created_at: DateTime<Utc>, all_ok_since: Option<DateTime<Utc>>) -> i64 {
    if all_ok_since.is_none() || created_at > Utc::now() - Duration::days(1) {
        NEW_DOMAIN_INTERVAL_MINUTES
    } else {
        SETTLED_INTERVAL_MINUTES
    }
}
