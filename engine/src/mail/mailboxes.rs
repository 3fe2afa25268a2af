//! Mailboxes: create, edit, disable, delete, passwords, batches; quota usage as Dovecot
//! reported it.

use chrono::{DateTime, Utc};
use model::mail::{BatchCreate, CreatedMailbox, Mailbox, MailboxFilter, MailboxInput, format_bytes};
use model::{Page, PageRequest};
use sqlx::{PgPool, Postgres, Transaction};

use super::MailError;
use super::domains::{lock_domain, lock_names, search_needle};
use super::names::{display_address, normalize_address, normalize_domain};
use super::password::{generate_password, hash_mailbox_password};
use crate::db::order::order_by;

/// The `mailbox` table and its rules.
#[derive(Clone, Debug)]
pub struct Mailboxes {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct MailboxRow {
    id: i64,
    address: String,
    domain: String,
    display_name: String,
    quota_bytes: i64,
    used_bytes: i64,
    messages: i64,
    active: bool,
    created_at: DateTime<Utc>,
    password_changed_at: DateTime<Utc>,
}

impl From<MailboxRow> for Mailbox {
    fn from(r: MailboxRow) -> Self {
        Self {
            id: r.id,
            display_address: display_address(&r.address),
            address: r.address,
            domain: r.domain,
            display_name: r.display_name,
            quota_bytes: r.quota_bytes,
            used_bytes: r.used_bytes,
            messages: r.messages,
            active: r.active,
            created_at: r.created_at,
            password_changed_at: r.password_changed_at,
        }
    }
}

const SELECT: &str = "SELECT m.id, m.address, d.name AS domain, m.display_name, m.quota_bytes, \
       COALESCE(q.bytes, 0) AS used_bytes, COALESCE(q.messages, 0) AS messages, m.active, m.created_at, \
       m.password_changed_at \
     FROM mailbox m JOIN mail_domain d ON d.id = m.domain_id LEFT JOIN mail_quota_usage q ON q.username = m.address";

// $1: the search for addresses (IDN as punycode), $3: the same text as typed, for names.
const FILTER: &str = "($1 = '' OR strpos(m.address, $1) > 0 OR strpos(lower(m.display_name), $3) > 0) \
     AND ($2 = '' OR d.name = $2)";

/// A new mailbox, checked and hashed, ready to insert.
pub(crate) struct NewMailbox {
    pub address: String,
    pub display_name: String,
    pub quota_bytes: Option<i64>,
    pub active: bool,
    pub password_hash: String,
}

impl Mailboxes {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Creates one mailbox; the password is checked for strength and stored as `{ARGON2ID}`.
    pub async fn create(&self, input: &MailboxInput) -> Result<Mailbox, MailError> {
        let address = normalize_address(&input.address)?;
        let password = input.password.as_deref().filter(|p| !p.is_empty()).ok_or(MailError::PasswordRequired)?;
        let password_hash = hash_mailbox_password(password, &address).await?;
        let display_name = check_display_name(&input.display_name)?;
        let mut tx = self.pool.begin().await?;
        insert(
            &mut tx,
            NewMailbox {
                address: address.clone(),
                display_name,
                quota_bytes: input.quota_bytes,
                active: input.active,
                password_hash,
            },
        )
        .await?;
        tx.commit().await?;
        self.get(&address).await
    }

    /// Creates `prefix<start>`…`prefix<start+count-1>` in one transaction (all or nothing),
    /// each with a generated password returned once.
    pub async fn batch_create(&self, batch: &BatchCreate) -> Result<Vec<CreatedMailbox>, MailError> {
        if batch.count == 0 || batch.count > model::mail::mailbox::MAX_BATCH {
            return Err(MailError::Limit(format!(
                "a batch creates 1 to {} mailboxes",
                model::mail::mailbox::MAX_BATCH
            )));
        }
        let domain = normalize_domain(&batch.domain)?;
        let last =
            batch.start.checked_add(batch.count - 1).ok_or_else(|| MailError::Limit("numbers too large".into()))?;
        let mut planned = Vec::with_capacity(batch.count as usize);
        for n in batch.start..=last {
            let address = normalize_address(&format!("{}{n}@{domain}", batch.prefix.trim()))?;
            let password = generate_password();
            let password_hash = hash_mailbox_password(&password, &address).await?;
            planned.push((CreatedMailbox { address: address.clone(), password }, password_hash));
        }
        let mut tx = self.pool.begin().await?;
        let mut created = Vec::with_capacity(planned.len());
        for (made, password_hash) in planned {
            insert(
                &mut tx,
                NewMailbox {
                    address: made.address.clone(),
                    display_name: String::new(),
                    quota_bytes: batch.quota_bytes,
                    active: true,
                    password_hash,
                },
            )
            .await?;
            created.push(made);
        }
        tx.commit().await?;
        Ok(created)
    }

    /// Changes name, quota, state and (when given) the password of a mailbox.
    pub async fn update(&self, address: &str, input: &MailboxInput) -> Result<Mailbox, MailError> {
        let address = normalize_address(address)?;
        if normalize_address(&input.address)? != address {
            return Err(MailError::Limit(
                "a mailbox's address cannot change; add an alias for the new address instead".into(),
            ));
        }
        let display_name = check_display_name(&input.display_name)?;
        let password_hash = match input.password.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(hash_mailbox_password(p, &address).await?),
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        update_row(
            &mut tx,
            &address,
            Some(&display_name),
            input.quota_bytes,
            Some(input.active),
            password_hash.as_deref(),
        )
        .await?;
        tx.commit().await?;
        self.get(&address).await
    }

    /// Sets a new password (admin reset); it is never stored or shown in clear.
    pub async fn set_password(&self, address: &str, password: &str) -> Result<(), MailError> {
        let address = normalize_address(address)?;
        let hash = hash_mailbox_password(password, &address).await?;
        let done = sqlx::query(
            "UPDATE mailbox SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE address = $1",
        )
        .bind(&address)
        .bind(&hash)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(MailError::MailboxNotFound(address));
        }
        Ok(())
    }

    /// Enables or disables login and delivery; Dovecot sees it at its next lookup.
    pub async fn set_active(&self, address: &str, active: bool) -> Result<Mailbox, MailError> {
        let address = normalize_address(address)?;
        let done = sqlx::query("UPDATE mailbox SET active = $2, updated_at = now() WHERE address = $1")
            .bind(&address)
            .bind(active)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MailError::MailboxNotFound(address));
        }
        self.get(&address).await
    }

    /// Deletes a mailbox and takes it out of every alias's targets (an alias left with no
    /// target stops accepting mail until it gets one).
    pub async fn delete(&self, address: &str) -> Result<(), MailError> {
        let address = normalize_address(address)?;
        let mut tx = self.pool.begin().await?;
        lock_names(&mut tx).await?;
        let done = sqlx::query("DELETE FROM mailbox WHERE address = $1").bind(&address).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(MailError::MailboxNotFound(address));
        }
        sqlx::query("DELETE FROM mail_alias_target WHERE target = $1").bind(&address).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM mail_quota_usage WHERE username = $1").bind(&address).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One mailbox by address.
    pub async fn get(&self, address: &str) -> Result<Mailbox, MailError> {
        let address = normalize_address(address)?;
        let row: Option<MailboxRow> =
            sqlx::query_as(&format!("{SELECT} WHERE m.address = $1")).bind(&address).fetch_optional(&self.pool).await?;
        row.map(Into::into).ok_or(MailError::MailboxNotFound(address))
    }

    /// One page of the Mailboxes table, searched and filtered by domain.
    pub async fn list(&self, filter: &MailboxFilter, req: &PageRequest) -> Result<Page<Mailbox>, MailError> {
        let order = order_by(
            req,
            &[
                ("address", "m.address"),
                ("name", "lower(m.display_name)"),
                ("quota", "m.quota_bytes"),
                ("used", "used_bytes"),
                ("created_at", "m.created_at"),
                ("active", "m.active"),
            ],
            "m.id",
        );
        let search = search_needle(&filter.search);
        let typed = filter.search.trim().to_lowercase();
        let domain = if filter.domain.trim().is_empty() { String::new() } else { normalize_domain(&filter.domain)? };
        let rows: Vec<MailboxRow> = sqlx::query_as(&format!("{SELECT} WHERE {FILTER} {order} LIMIT $4 OFFSET $5"))
            .bind(&search)
            .bind(&domain)
            .bind(&typed)
            .bind(req.limit())
            .bind(req.offset())
            .fetch_all(&self.pool)
            .await?;
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM mailbox m JOIN mail_domain d ON d.id = m.domain_id WHERE {FILTER}"
        ))
        .bind(&search)
        .bind(&domain)
        .bind(&typed)
        .fetch_one(&self.pool)
        .await?;
        Ok(Page { rows: rows.into_iter().map(Into::into).collect(), total })
    }

    /// Every mailbox matching `filter`, for the CSV export (address order).
    pub async fn all(&self, filter: &MailboxFilter) -> Result<Vec<Mailbox>, MailError> {
        let search = search_needle(&filter.search);
        let typed = filter.search.trim().to_lowercase();
        let domain = if filter.domain.trim().is_empty() { String::new() } else { normalize_domain(&filter.domain)? };
        let rows: Vec<MailboxRow> = sqlx::query_as(&format!("{SELECT} WHERE {FILTER} ORDER BY m.address"))
            .bind(&search)
            .bind(&domain)
            .bind(&typed)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Shares the pool with the CSV importer.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }
}

pub(crate) fn check_display_name(name: &str) -> Result<String, MailError> {
    let name = name.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(MailError::Limit(
            "the display name is limited to 200 characters, without control characters".into(),
        ));
    }
    Ok(name.to_owned())
}

/// Inserts one mailbox inside `tx`, enforcing the domain's limits; also gives the domain's
/// role aliases that still have no target this mailbox as their target.
pub(crate) async fn insert(tx: &mut Transaction<'_, Postgres>, new: NewMailbox) -> Result<i64, MailError> {
    lock_names(tx).await?;
    let (local, domain) = new.address.split_once('@').unwrap_or((&new.address, ""));
    let domain_id = match lock_domain(tx, domain).await {
        Ok(id) => id,
        Err(MailError::DomainNotFound(d)) => {
            let alias: Option<String> = sqlx::query_scalar(
                "SELECT t.name FROM mail_alias_domain a JOIN mail_domain t ON t.id = a.target_domain_id WHERE a.name = $1",
            )
            .bind(&d)
            .fetch_optional(&mut **tx)
            .await?;
            return Err(match alias {
                Some(target) => {
                    MailError::Limit(format!("{d} is an alias domain of {target}; create the mailbox in {target}"))
                }
                None => MailError::NotOurDomain(d),
            });
        }
        Err(e) => return Err(e),
    };
    let (max, default_quota, total_quota): (i32, i64, i64) =
        sqlx::query_as("SELECT max_mailboxes, default_quota_bytes, total_quota_bytes FROM mail_domain WHERE id = $1")
            .bind(domain_id)
            .fetch_one(&mut **tx)
            .await?;
    let alias_exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mail_alias WHERE address = $1)")
        .bind(&new.address)
        .fetch_one(&mut **tx)
        .await?;
    if alias_exists {
        return Err(MailError::AddressTaken { address: new.address, used_by: "alias" });
    }
    let (count, allocated): (i64, i64) =
        sqlx::query_as("SELECT count(*), COALESCE(sum(quota_bytes), 0)::BIGINT FROM mailbox WHERE domain_id = $1")
            .bind(domain_id)
            .fetch_one(&mut **tx)
            .await?;
    if max > 0 && count >= i64::from(max) {
        return Err(MailError::MailboxLimit { domain: domain.to_owned(), max });
    }
    let quota = new.quota_bytes.unwrap_or(default_quota);
    check_quota(domain, quota, total_quota, allocated)?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO mailbox (domain_id, local_part, address, display_name, password_hash, quota_bytes, active) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (address) DO NOTHING RETURNING id",
    )
    .bind(domain_id)
    .bind(local)
    .bind(&new.address)
    .bind(&new.display_name)
    .bind(&new.password_hash)
    .bind(quota)
    .bind(new.active)
    .fetch_optional(&mut **tx)
    .await?;
    let id = id.ok_or_else(|| MailError::AddressTaken { address: new.address.clone(), used_by: "mailbox" })?;
    sqlx::query(
        "INSERT INTO mail_alias_target (alias_id, target) \
         SELECT a.id, $2 FROM mail_alias a WHERE a.domain_id = $1 AND a.is_role \
           AND NOT EXISTS (SELECT 1 FROM mail_alias_target t WHERE t.alias_id = a.id)",
    )
    .bind(domain_id)
    .bind(&new.address)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Updates one mailbox inside `tx`; `None` keeps a field as it is. The quota is checked
/// against the domain's total.
pub(crate) async fn update_row(
    tx: &mut Transaction<'_, Postgres>,
    address: &str,
    display_name: Option<&str>,
    quota_bytes: Option<i64>,
    active: Option<bool>,
    password_hash: Option<&str>,
) -> Result<(), MailError> {
    let domain = address.split_once('@').map_or("", |(_, d)| d);
    let domain_id = lock_domain(tx, domain).await?;
    let current: Option<i64> = sqlx::query_scalar("SELECT quota_bytes FROM mailbox WHERE address = $1")
        .bind(address)
        .fetch_optional(&mut **tx)
        .await?;
    let current = current.ok_or_else(|| MailError::MailboxNotFound(address.to_owned()))?;
    let quota = quota_bytes.unwrap_or(current);
    if quota < 0 {
        return Err(MailError::Limit("a quota cannot be negative".into()));
    }
    let (total_quota, allocated): (i64, i64) = sqlx::query_as(
        "SELECT d.total_quota_bytes, COALESCE((SELECT sum(quota_bytes) FROM mailbox WHERE domain_id = d.id), 0)::BIGINT \
         FROM mail_domain d WHERE d.id = $1",
    )
    .bind(domain_id)
    .fetch_one(&mut **tx)
    .await?;
    check_quota(domain, quota, total_quota, allocated - current)?;
    sqlx::query(
        "UPDATE mailbox SET display_name = COALESCE($2, display_name), quota_bytes = $3, active = COALESCE($4, active), \
           password_hash = COALESCE($5, password_hash), \
           password_changed_at = CASE WHEN $5 IS NULL THEN password_changed_at ELSE now() END, updated_at = now() \
         WHERE address = $1",
    )
    .bind(address)
    .bind(display_name)
    .bind(quota)
    .bind(active)
    .bind(password_hash)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn check_quota(domain: &str, quota: i64, total: i64, allocated_to_others: i64) -> Result<(), MailError> {
    if quota < 0 {
        return Err(MailError::Limit("a quota cannot be negative".into()));
    }
    if total > 0 {
        if quota == 0 {
            return Err(MailError::UnlimitedInLimitedDomain { domain: domain.to_owned() });
        }
        if allocated_to_others.checked_add(quota).is_none_or(|sum| sum > total) {
            return Err(MailError::DomainQuotaExceeded {
                domain: domain.to_owned(),
                total: format_bytes(total),
                allocated: format_bytes(allocated_to_others),
                requested: format_bytes(quota),
            });
        }
    }
    Ok(())
}
