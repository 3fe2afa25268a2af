//! Mail domains: add, edit, disable, delete — with their role addresses and DKIM key.

use chrono::{DateTime, Utc};
use model::mail::{DomainInput, MailDomain, format_bytes};
use model::{Page, PageRequest};
use sqlx::{PgPool, Postgres, Transaction};

use super::dkim_keys::DkimKeys;
use super::names::{display_domain, normalize_address, normalize_domain};
use super::{MailError, ROLE_LOCAL_PARTS};
use crate::db::order::order_by;

/// The `mail_domain` table and its rules.
#[derive(Clone, Debug)]
pub struct MailDomains {
    pool: PgPool,
    dkim: DkimKeys,
}

#[derive(sqlx::FromRow)]
struct DomainRow {
    id: i64,
    name: String,
    description: String,
    active: bool,
    max_mailboxes: i32,
    default_quota_bytes: i64,
    total_quota_bytes: i64,
    catch_all: Option<String>,
    created_at: DateTime<Utc>,
    mailbox_count: i64,
    alias_count: i64,
    allocated_quota_bytes: i64,
    used_bytes: i64,
    dkim_selector: Option<String>,
    dkim_public: Option<String>,
}

impl From<DomainRow> for MailDomain {
    fn from(r: DomainRow) -> Self {
        Self {
            id: r.id,
            display_name: display_domain(&r.name),
            name: r.name,
            description: r.description,
            active: r.active,
            max_mailboxes: r.max_mailboxes,
            default_quota_bytes: r.default_quota_bytes,
            total_quota_bytes: r.total_quota_bytes,
            catch_all: r.catch_all,
            mailbox_count: r.mailbox_count,
            alias_count: r.alias_count,
            allocated_quota_bytes: r.allocated_quota_bytes,
            used_bytes: r.used_bytes,
            dkim_selector: r.dkim_selector,
            dkim_record: r.dkim_public,
            created_at: r.created_at,
        }
    }
}

const SELECT: &str = "SELECT d.id, d.name, d.description, d.active, d.max_mailboxes, d.default_quota_bytes, \
       d.total_quota_bytes, d.catch_all, d.created_at, \
       (SELECT count(*) FROM mailbox m WHERE m.domain_id = d.id) AS mailbox_count, \
       (SELECT count(*) FROM mail_alias a WHERE a.domain_id = d.id) AS alias_count, \
       (SELECT COALESCE(sum(m.quota_bytes), 0)::BIGINT FROM mailbox m WHERE m.domain_id = d.id) AS allocated_quota_bytes, \
       (SELECT COALESCE(sum(q.bytes), 0)::BIGINT FROM mailbox m JOIN mail_quota_usage q ON q.username = m.address \
         WHERE m.domain_id = d.id) AS used_bytes, \
       (SELECT k.selector FROM dkim_key k WHERE k.domain_id = d.id AND k.state = 'active' ORDER BY k.created_at DESC LIMIT 1) \
         AS dkim_selector, \
       (SELECT 'v=DKIM1; k=' || CASE k.algorithm WHEN 'ed25519-sha256' THEN 'ed25519' ELSE 'rsa' END || '; p=' || k.public_b64 FROM dkim_key k WHERE k.domain_id = d.id AND k.state = 'active' ORDER BY k.created_at DESC LIMIT 1) \
         AS dkim_public \
     FROM mail_domain d";

/// Checked, normalised form of a [`DomainInput`].
struct Checked {
    name: String,
    description: String,
    active: bool,
    max_mailboxes: i32,
    default_quota_bytes: i64,
    total_quota_bytes: i64,
    catch_all: Option<String>,
}

impl MailDomains {
    /// `dkim` receives the key of every new domain.
    pub fn new(pool: PgPool, dkim: DkimKeys) -> Self {
        Self { pool, dkim }
    }

    fn check(input: &DomainInput) -> Result<Checked, MailError> {
        let name = normalize_domain(&input.name)?;
        let catch_all = match input.catch_all.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(a) => Some(normalize_address(a)?),
        };
        if input.max_mailboxes < 0 || input.default_quota_bytes < 0 || input.total_quota_bytes < 0 {
            return Err(MailError::Limit("limits and quotas cannot be negative".into()));
        }
        if input.total_quota_bytes > 0 {
            if input.default_quota_bytes == 0 {
                return Err(MailError::UnlimitedInLimitedDomain { domain: name });
            }
            if input.default_quota_bytes > input.total_quota_bytes {
                return Err(MailError::Limit(format!(
                    "the default mailbox quota ({}) is larger than the domain's total ({})",
                    format_bytes(input.default_quota_bytes),
                    format_bytes(input.total_quota_bytes)
                )));
            }
        }
        if input.description.chars().count() > 500 {
            return Err(MailError::Limit("the description is limited to 500 characters".into()));
        }
        Ok(Checked {
            name,
            description: input.description.trim().to_owned(),
            active: input.active,
            max_mailboxes: input.max_mailboxes,
            default_quota_bytes: input.default_quota_bytes,
            total_quota_bytes: input.total_quota_bytes,
            catch_all,
        })
    }

    /// Adds a domain with its role aliases (postmaster@, abuse@) and a DKIM key.
    pub async fn create(&self, input: &DomainInput) -> Result<MailDomain, MailError> {
        let c = Self::check(input)?;
        let key = DkimKeys::generate().await?;
        let mut tx = self.pool.begin().await?;
        lock_names(&mut tx).await?;
        let is_alias: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mail_alias_domain WHERE name = $1)")
            .bind(&c.name)
            .fetch_one(&mut *tx)
            .await?;
        if is_alias {
            return Err(MailError::AliasDomainExists(c.name));
        }
        let own_catch_all = c.catch_all.as_deref().is_some_and(|a| a.ends_with(&format!("@{}", c.name)));
        if own_catch_all {
            // Nothing exists in a domain that is being created.
            return Err(MailError::UnknownLocalTarget {
                target: c.catch_all.clone().unwrap_or_default(),
                domain: c.name,
            });
        }
        check_catch_all(&mut tx, c.catch_all.as_deref()).await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO mail_domain (name, description, active, max_mailboxes, default_quota_bytes, \
               total_quota_bytes, catch_all) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.active)
        .bind(c.max_mailboxes)
        .bind(c.default_quota_bytes)
        .bind(c.total_quota_bytes)
        .bind(&c.catch_all)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or_else(|| MailError::DomainExists(c.name.clone()))?;
        for local in ROLE_LOCAL_PARTS {
            sqlx::query("INSERT INTO mail_alias (domain_id, address, description, is_role) VALUES ($1, $2, $3, TRUE)")
                .bind(id)
                .bind(format!("{local}@{}", c.name))
                .bind(format!("RFC 2142 role address ({local})"))
                .execute(&mut *tx)
                .await?;
        }
        DkimKeys::store(&mut tx, id, &key).await?;
        tx.commit().await?;
        self.dkim.sync_files(&self.pool).await?;
        self.get(&c.name).await
    }

    /// Changes a domain's settings. Limits cannot drop below what is already in use.
    pub async fn update(&self, name: &str, input: &DomainInput) -> Result<MailDomain, MailError> {
        let stored = normalize_domain(name)?;
        let c = Self::check(input)?;
        if c.name != stored {
            return Err(MailError::Rename);
        }
        let mut tx = self.pool.begin().await?;
        lock_names(&mut tx).await?;
        let id = lock_domain(&mut tx, &stored).await?;
        check_catch_all(&mut tx, c.catch_all.as_deref()).await?;
        let (count, allocated): (i64, i64) =
            sqlx::query_as("SELECT count(*), COALESCE(sum(quota_bytes), 0)::BIGINT FROM mailbox WHERE domain_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if c.max_mailboxes > 0 && i64::from(c.max_mailboxes) < count {
            return Err(MailError::Limit(format!(
                "{stored} already has {count} mailboxes, more than the new limit of {}",
                c.max_mailboxes
            )));
        }
        if c.total_quota_bytes > 0 {
            let unlimited: i64 =
                sqlx::query_scalar("SELECT count(*) FROM mailbox WHERE domain_id = $1 AND quota_bytes = 0")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if unlimited > 0 {
                return Err(MailError::Limit(format!(
                    "{unlimited} mailbox(es) of {stored} have no quota; give them one before setting a total"
                )));
            }
            if allocated > c.total_quota_bytes {
                return Err(MailError::Limit(format!(
                    "mailboxes of {stored} already hold {} of quota, more than the new total of {}",
                    format_bytes(allocated),
                    format_bytes(c.total_quota_bytes)
                )));
            }
        }
        sqlx::query(
            "UPDATE mail_domain SET description = $2, active = $3, max_mailboxes = $4, default_quota_bytes = $5, \
               total_quota_bytes = $6, catch_all = $7, updated_at = now() WHERE id = $1",
        )
        .bind(id)
        .bind(&c.description)
        .bind(c.active)
        .bind(c.max_mailboxes)
        .bind(c.default_quota_bytes)
        .bind(c.total_quota_bytes)
        .bind(&c.catch_all)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.get(&stored).await
    }

    /// Enables or disables a domain: a disabled one receives nothing and nobody in it can log in.
    pub async fn set_active(&self, name: &str, active: bool) -> Result<MailDomain, MailError> {
        let name = normalize_domain(name)?;
        let done = sqlx::query("UPDATE mail_domain SET active = $2, updated_at = now() WHERE name = $1")
            .bind(&name)
            .bind(active)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MailError::DomainNotFound(name));
        }
        self.get(&name).await
    }

    /// Deletes a domain with everything in it. With mailboxes present, `confirm` must be the
    /// domain's name (ASCII or Unicode form), so one click cannot destroy them.
    pub async fn delete(&self, name: &str, confirm: Option<&str>) -> Result<(), MailError> {
        let name = normalize_domain(name)?;
        let mut tx = self.pool.begin().await?;
        let id = lock_domain(&mut tx, &name).await?;
        let mailboxes: i64 = sqlx::query_scalar("SELECT count(*) FROM mailbox WHERE domain_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if mailboxes > 0 {
            let confirmed = confirm.and_then(|c| normalize_domain(c).ok()).is_some_and(|c| c == name);
            if !confirmed {
                return Err(MailError::ConfirmationRequired { domain: display_domain(&name), mailboxes });
            }
        }
        sqlx::query("DELETE FROM mail_quota_usage q USING mailbox m WHERE m.domain_id = $1 AND q.username = m.address")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM mail_domain WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        self.dkim.sync_files(&self.pool).await?;
        Ok(())
    }

    /// One domain by name (ASCII or Unicode).
    pub async fn get(&self, name: &str) -> Result<MailDomain, MailError> {
        let name = normalize_domain(name)?;
        let row: Option<DomainRow> =
            sqlx::query_as(&format!("{SELECT} WHERE d.name = $1")).bind(&name).fetch_optional(&self.pool).await?;
        row.map(Into::into).ok_or(MailError::DomainNotFound(name))
    }

    /// Every domain name, for pickers (ASCII, sorted).
    pub async fn names(&self) -> Result<Vec<String>, MailError> {
        Ok(sqlx::query_scalar("SELECT name FROM mail_domain ORDER BY name").fetch_all(&self.pool).await?)
    }

    /// One page of the Domains table; `search` matches part of the name.
    pub async fn list(&self, req: &PageRequest, search: &str) -> Result<Page<MailDomain>, MailError> {
        let order = order_by(
            req,
            &[
                ("name", "d.name"),
                ("mailboxes", "mailbox_count"),
                ("used", "used_bytes"),
                ("created_at", "d.created_at"),
                ("active", "d.active"),
            ],
            "d.id",
        );
        let needle = search_needle(search);
        let sql = format!("{SELECT} WHERE ($1 = '' OR strpos(d.name, $1) > 0) {order} LIMIT $2 OFFSET $3");
        let rows: Vec<DomainRow> =
            sqlx::query_as(&sql).bind(&needle).bind(req.limit()).bind(req.offset()).fetch_all(&self.pool).await?;
        let total: i64 =
            sqlx::query_scalar("SELECT count(*) FROM mail_domain d WHERE ($1 = '' OR strpos(d.name, $1) > 0)")
                .bind(&needle)
                .fetch_one(&self.pool)
                .await?;
        Ok(Page { rows: rows.into_iter().map(Into::into).collect(), total })
    }
}

/// A catch-all in one of our own domains must reach an existing mailbox or alias; otherwise
/// Postfix would accept mail for every unknown address and then bounce it (backscatter).
async fn check_catch_all(tx: &mut Transaction<'_, Postgres>, catch_all: Option<&str>) -> Result<(), MailError> {
    let Some(target) = catch_all else { return Ok(()) };
    let domain = target.split_once('@').map_or("", |(_, d)| d);
    let (local, exists): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM mail_domain WHERE name = $2) OR EXISTS (SELECT 1 FROM mail_alias_domain WHERE name = $2), \
                EXISTS (SELECT 1 FROM mailbox WHERE address = $1) OR EXISTS (SELECT 1 FROM mail_alias WHERE address = $1)",
    )
    .bind(target)
    .bind(domain)
    .fetch_one(&mut **tx)
    .await?;
    if local && !exists {
        return Err(MailError::UnknownLocalTarget { target: target.to_owned(), domain: domain.to_owned() });
    }
    Ok(())
}

/// The lower-case, punycode-where-possible form of a search box entry.
pub(crate) fn search_needle(search: &str) -> String {
    let s = search.trim().to_lowercase();
    if s.is_ascii() {
        return s;
    }
    // A Unicode domain fragment: compare against the stored punycode of whole labels.
    idna::domain_to_ascii(&s).unwrap_or(s)
}

/// Locks the domain row (serialising mailbox limits and quota sums) and returns its id.
pub(crate) async fn lock_domain(tx: &mut Transaction<'_, Postgres>, name: &str) -> Result<i64, MailError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM mail_domain WHERE name = $1 FOR UPDATE")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    id.ok_or_else(|| MailError::DomainNotFound(name.to_owned()))
}

/// Serialises changes to the address space (domains, alias domains, aliases, mailboxes) so
/// uniqueness across tables and loop checks see a stable picture.
pub(crate) async fn lock_names(tx: &mut Transaction<'_, Postgres>) -> Result<(), MailError> {
    const NAMES_LOCK: i64 = 0x626d_5f6e_616d_6573; // "bm_names"
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(NAMES_LOCK).execute(&mut **tx).await?;
    Ok(())
}
