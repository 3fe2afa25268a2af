//! "Scan invalid domains": which domains of the audience cannot receive mail at all (no MX
//! and no address record, RFC 7505 null MX, or no such domain). Sending to them only earns
//! bounces, so the admin can suppress, tag or delete those contacts.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use model::contacts::{DomainVerdict, InvalidDomain, InvalidDomainAction, ScanSummary};
use sqlx::PgPool;

use super::Result;
use crate::deliverability::{DnsAnswer, DnsResolver};

/// Lookups in flight at once.
const CONCURRENCY: usize = 32;

/// What DNS says about one domain, and why.
pub async fn check_domain(resolver: &DnsResolver, domain: &str) -> (DomainVerdict, String) {
    match resolver.mx(domain).await {
        DnsAnswer::Records(mx) if mx.len() == 1 && (mx[0].1.is_empty() || mx[0].1 == ".") => {
            (DomainVerdict::NullMx, format!("{domain} publishes a null MX (RFC 7505)"))
        }
        DnsAnswer::Records(mx) if !mx.is_empty() => {
            (DomainVerdict::Ok, mx.iter().map(|(p, h)| format!("{p} {h}")).collect::<Vec<_>>().join(", "))
        }
        DnsAnswer::Records(_) | DnsAnswer::NoRecords => address_fallback(resolver, domain).await,
        // Some servers (dnsmasq's `address=`) answer NXDOMAIN for the MX of a name that has
        // an A record; the address lookup settles whether the domain exists.
        DnsAnswer::NxDomain => match address_fallback(resolver, domain).await {
            (DomainVerdict::NoMx, _) => (DomainVerdict::NxDomain, format!("{domain} does not exist")),
            other => other,
        },
        other => (DomainVerdict::Unknown, other.describe(domain)),
    }
}

/// RFC 5321 §5.1: without MX records mail goes to the domain's own address.
async fn address_fallback(resolver: &DnsResolver, domain: &str) -> (DomainVerdict, String) {
    match resolver.a(domain).await {
        DnsAnswer::Records(a) if !a.is_empty() => (DomainVerdict::Ok, format!("no MX; delivers to A {}", a[0])),
        DnsAnswer::Records(_) | DnsAnswer::NoRecords | DnsAnswer::NxDomain => match resolver.aaaa(domain).await {
            DnsAnswer::Records(a) if !a.is_empty() => (DomainVerdict::Ok, format!("no MX; delivers to AAAA {}", a[0])),
            DnsAnswer::Timeout | DnsAnswer::ServFail(_) | DnsAnswer::Failed(_) => {
                (DomainVerdict::Unknown, format!("{domain}: the AAAA lookup failed"))
            }
            _ => (DomainVerdict::NoMx, format!("{domain} has no MX and no address record")),
        },
        other => (DomainVerdict::Unknown, other.describe(domain)),
    }
}

/// Checks every domain in use and records the verdicts.
pub async fn scan(pool: &PgPool, resolver: &DnsResolver) -> Result<ScanSummary> {
    let domains: Vec<String> = sqlx::query_scalar("SELECT DISTINCT domain FROM contact").fetch_all(pool).await?;
    let results: Vec<(String, DomainVerdict, String)> = futures::stream::iter(domains)
        .map(|d| async move {
            let (verdict, detail) = check_domain(resolver, &d).await;
            (d, verdict, detail)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut summary = ScanSummary { domains_checked: results.len() as i64, ..ScanSummary::default() };
    let (mut names, mut verdicts, mut details) = (Vec::new(), Vec::new(), Vec::new());
    for (d, v, detail) in results {
        summary.invalid += i64::from(v.is_invalid());
        summary.unknown += i64::from(v == DomainVerdict::Unknown);
        names.push(d);
        verdicts.push(v.as_str());
        details.push(detail);
    }
    sqlx::query(
        "INSERT INTO email_domain_check (domain, verdict, detail, checked_at) \
         SELECT * , now() FROM unnest($1::text[], $2::text[], $3::text[]) \
         ON CONFLICT (domain) DO UPDATE SET verdict = EXCLUDED.verdict, detail = EXCLUDED.detail, \
           checked_at = EXCLUDED.checked_at",
    )
    .bind(&names)
    .bind(&verdicts)
    .bind(&details)
    .execute(pool)
    .await?;
    Ok(summary)
}

/// The invalid domains of the last scan that still have contacts.
pub async fn invalid_domains(pool: &PgPool) -> Result<Vec<InvalidDomain>> {
    let rows: Vec<(String, String, String, i64, DateTime<Utc>)> = sqlx::query_as(
        "SELECT d.domain, d.verdict, d.detail, count(c.id), d.checked_at FROM email_domain_check d \
         JOIN contact c ON c.domain = d.domain WHERE d.verdict IN ('no_mx', 'null_mx', 'nxdomain') \
         GROUP BY d.domain ORDER BY count(c.id) DESC, d.domain",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(domain, verdict, detail, contacts, checked_at)| InvalidDomain {
            domain,
            verdict: DomainVerdict::parse(&verdict),
            detail,
            contacts,
            checked_at,
        })
        .collect())
}

/// Applies `action` to the contacts of `domains` that the scan recorded as invalid.
pub async fn act(pool: &PgPool, domains: &[String], action: InvalidDomainAction) -> Result<i64> {
    const INVALID: &str = "SELECT domain FROM email_domain_check \
                           WHERE domain = ANY($1) AND verdict IN ('no_mx', 'null_mx', 'nxdomain')";
    let sql = match action {
        InvalidDomainAction::Suppress => format!(
            "WITH ins AS (INSERT INTO suppression (email, reason, note) \
               SELECT c.email, 'invalid_domain', 'domain cannot receive mail' FROM contact c \
               WHERE c.domain IN ({INVALID}) ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM ins"
        ),
        InvalidDomainAction::Tag => format!(
            "WITH upd AS (UPDATE contact c SET tags = array_append(c.tags, 'invalid-domain'), updated_at = now() \
               WHERE c.domain IN ({INVALID}) AND NOT c.tags @> ARRAY['invalid-domain'] RETURNING 1) \
             SELECT count(*) FROM upd"
        ),
        InvalidDomainAction::Delete => {
            format!(
                "WITH del AS (DELETE FROM contact c WHERE c.domain IN ({INVALID}) RETURNING 1) SELECT count(*) FROM del"
            )
        }
    };
    Ok(sqlx::query_scalar(&sql).bind(domains).fetch_one(pool).await?)
}
