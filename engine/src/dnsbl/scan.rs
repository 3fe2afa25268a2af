//! A scan: every target against every enabled list of its kind, at most `concurrency`
//! lookups at once, then one transaction that records the results, opens listings that are
//! new, closes those that are gone, and returns the new ones for the alert.

use std::time::Instant;

use futures::StreamExt;
use model::deliverability::{DnsblError, DnsblListing, DnsblOverview, DnsblScan, ServerIdentity};
use sqlx::PgPool;

use super::alerts::AlertMailer;
use super::lists::Blocklists;
use super::query::{QueryOutcome, lookup, query_name};
use crate::deliverability::DeliverabilityError;
use crate::deliverability::resolver::DnsResolver;

/// Default parallel lookups: enough to finish 40 lists × a few targets in seconds, few
/// enough not to look like abuse to the lists' servers.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Runs scans and reads their history.
#[derive(Clone, Debug)]
pub struct DnsblScanner {
    pool: PgPool,
    resolver: DnsResolver,
    concurrency: usize,
    alerts: Option<AlertMailer>,
}

type ScanRow = (
    i64,
    String,
    chrono::DateTime<chrono::Utc>,
    Option<chrono::DateTime<chrono::Utc>>,
    i32,
    i32,
    i32,
    i32,
    Option<i32>,
);

fn scan_model(r: ScanRow) -> DnsblScan {
    DnsblScan {
        id: r.0,
        trigger: r.1,
        started_at: r.2,
        finished_at: r.3,
        targets: r.4,
        queries: r.5,
        listed: r.6,
        errors: r.7,
        duration_ms: r.8,
    }
}

type ListingRow = (
    String,
    String,
    String,
    String,
    bool,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
    Option<chrono::DateTime<chrono::Utc>>,
    String,
    String,
);

fn listing_model(r: ListingRow) -> DnsblListing {
    DnsblListing {
        target: r.0,
        zone: r.1,
        list_name: r.2,
        delist_url: r.3,
        major: r.4,
        first_seen: r.5,
        last_seen: r.6,
        delisted_at: r.7,
        answer: r.8,
        reason: r.9,
    }
}

const LISTING_SELECT: &str = "SELECT l.target, l.zone, COALESCE(b.name, l.zone), COALESCE(b.delist_url, ''), \
       COALESCE(b.major, FALSE), l.first_seen, l.last_seen, l.delisted_at, l.answer, l.reason \
     FROM dnsbl_listing l LEFT JOIN dnsbl_list b ON b.zone = l.zone";

impl DnsblScanner {
    /// `alerts` receives new listings; `None` = no alert mail configured.
    pub fn new(pool: PgPool, resolver: DnsResolver, concurrency: usize, alerts: Option<AlertMailer>) -> Self {
        Self { pool, resolver, concurrency: concurrency.max(1), alerts }
    }

    /// The sending addresses (configured, or what the mail host resolves to) and every
    /// active mail domain.
    pub async fn targets(&self, server: &ServerIdentity) -> Result<Vec<String>, DeliverabilityError> {
        let mut targets: Vec<String> = server.ipv4.iter().map(ToString::to_string).collect();
        targets.extend(server.ipv6.iter().map(ToString::to_string));
        if targets.is_empty()
            && let crate::deliverability::DnsAnswer::Records(ips) = self.resolver.a(&server.mail_host).await
        {
            targets.extend(ips.iter().map(ToString::to_string));
        }
        let domains: Vec<String> =
            sqlx::query_scalar("SELECT name FROM mail_domain WHERE active ORDER BY name").fetch_all(&self.pool).await?;
        targets.extend(domains);
        Ok(targets)
    }

    /// Scans `targets` against every enabled list. A scan already running (started in the
    /// last 10 minutes, not finished) refuses a second one.
    pub async fn scan(&self, targets: &[String], trigger: &str) -> Result<DnsblScan, DeliverabilityError> {
        let started = Instant::now();
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(7741001)").execute(&mut *tx).await?;
        let running: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM dnsbl_scan WHERE finished_at IS NULL \
                            AND started_at > now() - interval '10 minutes')",
        )
        .fetch_one(&mut *tx)
        .await?;
        if running {
            return Err(DeliverabilityError::ScanRunning);
        }
        let scan_id: i64 = sqlx::query_scalar("INSERT INTO dnsbl_scan (trigger) VALUES ($1) RETURNING id")
            .bind(trigger)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;

        let result = self.run(scan_id, targets).await;
        let elapsed = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match result {
            Ok((queries, listed, errors, new_listings)) => {
                let row: ScanRow = sqlx::query_as(
                    "UPDATE dnsbl_scan SET finished_at = now(), targets = $2, queries = $3, listed = $4, \
                       errors = $5, duration_ms = $6 WHERE id = $1 \
                     RETURNING id, trigger, started_at, finished_at, targets, queries, listed, errors, duration_ms",
                )
                .bind(scan_id)
                .bind(i32::try_from(targets.len()).unwrap_or(i32::MAX))
                .bind(queries)
                .bind(listed)
                .bind(errors)
                .bind(elapsed)
                .fetch_one(&self.pool)
                .await?;
                if !new_listings.is_empty() {
                    self.alert(&new_listings).await;
                }
                Ok(scan_model(row))
            }
            Err(e) => {
                sqlx::query("UPDATE dnsbl_scan SET finished_at = now(), duration_ms = $2 WHERE id = $1")
                    .bind(scan_id)
                    .bind(elapsed)
                    .execute(&self.pool)
                    .await?;
                Err(e)
            }
        }
    }

    async fn run(
        &self,
        scan_id: i64,
        targets: &[String],
    ) -> Result<(i32, i32, i32, Vec<DnsblListing>), DeliverabilityError> {
        let lists: Vec<(String, String)> =
            sqlx::query_as("SELECT zone, kind FROM dnsbl_list WHERE enabled ORDER BY zone")
                .fetch_all(&self.pool)
                .await?;
        let mut jobs = Vec::new();
        for target in targets {
            for (zone, kind) in &lists {
                if let Some(name) = query_name(target, zone, kind == "ip") {
                    jobs.push((target.clone(), zone.clone(), name));
                }
            }
        }
        let resolver = &self.resolver;
        let outcomes: Vec<(String, String, QueryOutcome)> = futures::stream::iter(jobs)
            .map(|(target, zone, name)| async move {
                let outcome = lookup(resolver, &name).await;
                (target, zone, outcome)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;

        let (mut t, mut z, mut o, mut a, mut r) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut listed, mut errors) = (0, 0);
        for (target, zone, outcome) in &outcomes {
            let (kind, answer, reason) = match outcome {
                QueryOutcome::Clean => ("clean", "", ""),
                QueryOutcome::Listed { answer, reason } => {
                    listed += 1;
                    ("listed", answer.as_str(), reason.as_str())
                }
                QueryOutcome::Error(e) => {
                    errors += 1;
                    ("error", "", e.as_str())
                }
            };
            t.push(target.as_str());
            z.push(zone.as_str());
            o.push(kind);
            a.push(answer);
            r.push(reason);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO dnsbl_result (scan_id, target, zone, outcome, answer, reason) \
             SELECT $1, t, z, o, a, r FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) \
               AS x(t, z, o, a, r)",
        )
        .bind(scan_id)
        .bind(&t)
        .bind(&z)
        .bind(&o)
        .bind(&a)
        .bind(&r)
        .execute(&mut *tx)
        .await?;
        // Listings seen again get a new last_seen; new ones are opened.
        sqlx::query(
            "INSERT INTO dnsbl_listing (target, zone, answer, reason) \
             SELECT target, zone, answer, reason FROM dnsbl_result WHERE scan_id = $1 AND outcome = 'listed' \
             ON CONFLICT (target, zone) WHERE delisted_at IS NULL \
             DO UPDATE SET last_seen = now(), answer = EXCLUDED.answer, reason = EXCLUDED.reason",
        )
        .bind(scan_id)
        .execute(&mut *tx)
        .await?;
        // A clean answer closes a listing; an unanswered query leaves it as it was.
        sqlx::query(
            "UPDATE dnsbl_listing l SET delisted_at = now() FROM dnsbl_result r \
             WHERE r.scan_id = $1 AND r.outcome = 'clean' AND l.delisted_at IS NULL \
               AND l.target = r.target AND l.zone = r.zone",
        )
        .bind(scan_id)
        .execute(&mut *tx)
        .await?;
        let fresh: Vec<ListingRow> = sqlx::query_as(&format!(
            "{LISTING_SELECT} WHERE l.delisted_at IS NULL AND NOT l.alerted ORDER BY l.target, l.zone"
        ))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let queries = i32::try_from(outcomes.len()).unwrap_or(i32::MAX);
        Ok((queries, listed, errors, fresh.into_iter().map(listing_model).collect()))
    }

    async fn alert(&self, listings: &[DnsblListing]) {
        let Some(mailer) = &self.alerts else { return };
        match mailer.send_listings(listings).await {
            Ok(()) => {
                let targets: Vec<&str> = listings.iter().map(|l| l.target.as_str()).collect();
                let zones: Vec<&str> = listings.iter().map(|l| l.zone.as_str()).collect();
                let marked = sqlx::query(
                    "UPDATE dnsbl_listing SET alerted = TRUE WHERE delisted_at IS NULL AND (target, zone) IN \
                     (SELECT * FROM UNNEST($1::text[], $2::text[]))",
                )
                .bind(&targets)
                .bind(&zones)
                .execute(&self.pool)
                .await;
                if let Err(e) = marked {
                    tracing::warn!(error = %e, "cannot mark blocklist alerts as sent");
                }
            }
            // Not marked: the next scan tries again.
            Err(e) => tracing::warn!(error = %e, "blocklist alert mail failed"),
        }
    }

    /// When the last scheduled or manual scan started, to schedule the daily one.
    pub async fn last_started(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>, DeliverabilityError> {
        Ok(sqlx::query_scalar("SELECT max(started_at) FROM dnsbl_scan").fetch_one(&self.pool).await?)
    }

    /// Everything the Blacklist page shows.
    pub async fn overview(
        &self,
        targets: Vec<String>,
        lists: &Blocklists,
    ) -> Result<DnsblOverview, DeliverabilityError> {
        let open: Vec<ListingRow> = sqlx::query_as(&format!(
            "{LISTING_SELECT} WHERE l.delisted_at IS NULL ORDER BY COALESCE(b.major, FALSE) DESC, l.first_seen"
        ))
        .fetch_all(&self.pool)
        .await?;
        let history: Vec<ListingRow> = sqlx::query_as(&format!(
            "{LISTING_SELECT} WHERE l.delisted_at IS NOT NULL ORDER BY l.delisted_at DESC LIMIT 50"
        ))
        .fetch_all(&self.pool)
        .await?;
        let scans: Vec<ScanRow> = sqlx::query_as(
            "SELECT id, trigger, started_at, finished_at, targets, queries, listed, errors, duration_ms \
             FROM dnsbl_scan ORDER BY id DESC LIMIT 30",
        )
        .fetch_all(&self.pool)
        .await?;
        let last_finished = scans.iter().find(|s| s.3.is_some()).map(|s| s.0);
        let last_errors: Vec<(String, String, String)> = match last_finished {
            Some(id) => {
                sqlx::query_as(
                    "SELECT target, zone, reason FROM dnsbl_result WHERE scan_id = $1 AND outcome = 'error' \
                     ORDER BY zone, target",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?
            }
            None => Vec::new(),
        };
        // A scan cut short by a restart never finishes; after 10 minutes it no longer counts.
        let running =
            scans.first().is_some_and(|s| s.3.is_none() && chrono::Utc::now() - s.2 < chrono::Duration::minutes(10));
        Ok(DnsblOverview {
            targets,
            lists: lists.all().await?,
            open: open.into_iter().map(listing_model).collect(),
            history: history.into_iter().map(listing_model).collect(),
            scans: scans.into_iter().map(scan_model).collect(),
            last_errors: last_errors
                .into_iter()
                .map(|(target, zone, error)| DnsblError { target, zone, error })
                .collect(),
            running,
        })
    }
}
