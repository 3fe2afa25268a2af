//! The admin's DNS policy choices per domain (DMARC policy and report addresses, relays in
//! SPF, MTA-STS mode, TLS-RPT addresses), validated before they are stored.

use model::deliverability::{DmarcPolicy, DnsPolicy, StsMode};
use sqlx::PgPool;

use super::DeliverabilityError;

type PolicyRow = (String, i16, Vec<String>, Vec<String>, Vec<String>, String, Vec<String>, String);

/// Reads the stored choices, defaults where the domain has none yet.
pub async fn load(pool: &PgPool, domain_id: i64) -> Result<DnsPolicy, DeliverabilityError> {
    let row: Option<PolicyRow> = sqlx::query_as(
        "SELECT dmarc_policy, dmarc_pct, dmarc_rua, dmarc_ruf, spf_includes, mta_sts_mode, tls_rpt_rua, mta_sts_id \
         FROM domain_dns_policy WHERE domain_id = $1",
    )
    .bind(domain_id)
    .fetch_optional(pool)
    .await?;
    let Some((dmarc, pct, rua, ruf, includes, sts, rpt, sts_id)) = row else {
        let created: Option<chrono::DateTime<chrono::Utc>> =
            sqlx::query_scalar("SELECT created_at FROM mail_domain WHERE id = $1")
                .bind(domain_id)
                .fetch_optional(pool)
                .await?;
        let id = created.map(|t| t.format("%Y%m%d%H%M%S").to_string()).unwrap_or_else(|| "1".into());
        return Ok(DnsPolicy { mta_sts_id: id, ..DnsPolicy::default() });
    };
    Ok(DnsPolicy {
        dmarc_policy: dmarc.parse().unwrap_or(DmarcPolicy::Quarantine),
        dmarc_pct: u8::try_from(pct).unwrap_or(100),
        dmarc_rua: rua,
        dmarc_ruf: ruf,
        spf_includes: includes,
        mta_sts_mode: match sts.as_str() {
            "none" => StsMode::None,
            "enforce" => StsMode::Enforce,
            _ => StsMode::Testing,
        },
        tls_rpt_rua: rpt,
        mta_sts_id: sts_id,
    })
}

fn clean_addresses(field: &'static str, list: &[String]) -> Result<Vec<String>, DeliverabilityError> {
    let mut out = Vec::new();
    for raw in list {
        let address = raw.trim().trim_start_matches("mailto:").to_ascii_lowercase();
        if address.is_empty() {
            continue;
        }
        model::mail::check_address(&address)
            .map_err(|p| DeliverabilityError::InvalidInput { field, message: format!("{address}: {p}") })?;
        if !out.contains(&address) {
            out.push(address);
        }
    }
    Ok(out)
}

/// Validates and stores `policy`; a changed MTA-STS mode gets a new policy id so senders
/// fetch the new policy.
pub async fn save(pool: &PgPool, domain_id: i64, policy: &DnsPolicy) -> Result<DnsPolicy, DeliverabilityError> {
    if policy.dmarc_pct > 100 {
        return Err(DeliverabilityError::InvalidInput { field: "dmarc_pct", message: "must be 0 to 100".into() });
    }
    let rua = clean_addresses("dmarc_rua", &policy.dmarc_rua)?;
    let ruf = clean_addresses("dmarc_ruf", &policy.dmarc_ruf)?;
    let rpt = clean_addresses("tls_rpt_rua", &policy.tls_rpt_rua)?;
    let mut includes = Vec::new();
    for raw in &policy.spf_includes {
        let include = raw.trim().trim_start_matches("include:").trim_end_matches('.').to_ascii_lowercase();
        if include.is_empty() {
            continue;
        }
        model::mail::check_domain_ascii(&include).map_err(|p| DeliverabilityError::InvalidInput {
            field: "spf_includes",
            message: format!("{include}: {p}"),
        })?;
        if !includes.contains(&include) {
            includes.push(include);
        }
    }
    if includes.len() > 8 {
        return Err(DeliverabilityError::InvalidInput {
            field: "spf_includes",
            message: "at most 8 relays: SPF allows 10 DNS lookups in all".into(),
        });
    }
    let previous = load(pool, domain_id).await?;
    let new_id = if previous.mta_sts_mode != policy.mta_sts_mode {
        chrono::Utc::now().format("%Y%m%d%H%M%S").to_string()
    } else {
        previous.mta_sts_id
    };
    sqlx::query(
        "INSERT INTO domain_dns_policy (domain_id, dmarc_policy, dmarc_pct, dmarc_rua, dmarc_ruf, spf_includes, \
           mta_sts_mode, tls_rpt_rua, mta_sts_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) \
         ON CONFLICT (domain_id) DO UPDATE SET dmarc_policy = EXCLUDED.dmarc_policy, dmarc_pct = EXCLUDED.dmarc_pct, \
           dmarc_rua = EXCLUDED.dmarc_rua, dmarc_ruf = EXCLUDED.dmarc_ruf, spf_includes = EXCLUDED.spf_includes, \
           mta_sts_mode = EXCLUDED.mta_sts_mode, tls_rpt_rua = EXCLUDED.tls_rpt_rua, \
           mta_sts_id = EXCLUDED.mta_sts_id, updated_at = now()",
    )
    .bind(domain_id)
    .bind(policy.dmarc_policy.as_str())
    .bind(i16::from(policy.dmarc_pct))
    .bind(&rua)
    .bind(&ruf)
    .bind(&includes)
    .bind(policy.mta_sts_mode.as_str())
    .bind(&rpt)
    .bind(&new_id)
    .execute(pool)
    .await?;
    load(pool, domain_id).await
}
