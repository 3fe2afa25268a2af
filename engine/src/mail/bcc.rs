//! BCC rules: a copy of everything sent by, or to, an address or a whole domain.

use model::mail::{BccKind, BccRule, BccRuleInput};
use sqlx::PgPool;

use super::MailError;
use super::names::{normalize_address, normalize_domain};

/// The `mail_bcc_rule` table and its rules.
#[derive(Clone, Debug)]
pub struct BccRules {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    domain: String,
    kind: String,
    matches: String,
    bcc_to: String,
    active: bool,
    description: String,
}

impl From<Row> for BccRule {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            domain: r.domain,
            kind: BccKind::parse(&r.kind).unwrap_or_default(),
            matches: r.matches,
            bcc_to: r.bcc_to,
            active: r.active,
            description: r.description,
        }
    }
}

const SELECT: &str = "SELECT b.id, d.name AS domain, b.kind, b.match AS matches, b.bcc_to, b.active, b.description \
     FROM mail_bcc_rule b JOIN mail_domain d ON d.id = b.domain_id";

impl BccRules {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// `matches` is an address or `@domain` in one of our domains; `bcc_to` any address.
    pub async fn create(&self, input: &BccRuleInput) -> Result<BccRule, MailError> {
        let raw = input.matches.trim();
        let (matches, domain) = match raw.strip_prefix('@') {
            Some(d) => {
                let d = normalize_domain(d)?;
                (format!("@{d}"), d)
            }
            None => {
                let a = normalize_address(raw)?;
                let d = a.split_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
                (a, d)
            }
        };
        let bcc_to = normalize_address(&input.bcc_to)?;
        if bcc_to == matches {
            return Err(MailError::Limit("a BCC rule cannot copy an address to itself".into()));
        }
        let domain_id: Option<i64> = sqlx::query_scalar("SELECT id FROM mail_domain WHERE name = $1")
            .bind(&domain)
            .fetch_optional(&self.pool)
            .await?;
        let domain_id = domain_id.ok_or_else(|| MailError::NotOurDomain(domain.clone()))?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO mail_bcc_rule (domain_id, kind, match, bcc_to, active, description) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kind, match) DO NOTHING RETURNING id",
        )
        .bind(domain_id)
        .bind(input.kind.as_str())
        .bind(&matches)
        .bind(&bcc_to)
        .bind(input.active)
        .bind(input.description.trim())
        .fetch_optional(&self.pool)
        .await?;
        let id = id.ok_or(MailError::BccExists(matches))?;
        self.get(id).await
    }

    /// Enables or disables a rule.
    pub async fn set_active(&self, id: i64, active: bool) -> Result<BccRule, MailError> {
        let done = sqlx::query("UPDATE mail_bcc_rule SET active = $2 WHERE id = $1")
            .bind(id)
            .bind(active)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MailError::BccNotFound(id));
        }
        self.get(id).await
    }

    /// Removes a rule.
    pub async fn delete(&self, id: i64) -> Result<(), MailError> {
        let done = sqlx::query("DELETE FROM mail_bcc_rule WHERE id = $1").bind(id).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(MailError::BccNotFound(id));
        }
        Ok(())
    }

    /// One rule.
    pub async fn get(&self, id: i64) -> Result<BccRule, MailError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("{SELECT} WHERE b.id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.map(Into::into).ok_or(MailError::BccNotFound(id))
    }

    /// Every rule (there are few).
    pub async fn list(&self) -> Result<Vec<BccRule>, MailError> {
        let rows: Vec<Row> =
            sqlx::query_as(&format!("{SELECT} ORDER BY d.name, b.kind, b.match")).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
