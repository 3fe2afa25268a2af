//! Aliases and forwards: one address, many targets, with no loops.

use std::collections::{HashMap, HashSet};

use model::mail::{Alias, AliasInput};
use model::{Page, PageRequest};
use sqlx::{PgPool, Postgres, Transaction};

use super::MailError;
use super::domains::{lock_names, search_needle};
use super::names::{display_address, normalize_address, normalize_domain};
use crate::db::order::order_by;

/// Most targets one alias may have (a mailing list belongs in a list manager).
pub const MAX_TARGETS: usize = 200;

/// The `mail_alias` tables and their rules.
#[derive(Clone, Debug)]
pub struct Aliases {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct AliasRow {
    id: i64,
    address: String,
    domain: String,
    targets: Vec<String>,
    description: String,
    active: bool,
    is_role: bool,
    is_forward: bool,
}

impl From<AliasRow> for Alias {
    fn from(r: AliasRow) -> Self {
        Self {
            id: r.id,
            display_address: display_address(&r.address),
            address: r.address,
            domain: r.domain,
            targets: r.targets,
            description: r.description,
            active: r.active,
            is_role: r.is_role,
            is_forward: r.is_forward,
        }
    }
}

const SELECT: &str = "SELECT a.id, a.address, d.name AS domain, \
       COALESCE(ARRAY(SELECT t.target FROM mail_alias_target t WHERE t.alias_id = a.id ORDER BY t.target), '{}') AS targets, \
       a.description, a.active, a.is_role, EXISTS (SELECT 1 FROM mailbox m WHERE m.address = a.address) AS is_forward \
     FROM mail_alias a JOIN mail_domain d ON d.id = a.domain_id";

const FILTER: &str = "($1 = '' OR strpos(a.address, $1) > 0 \
       OR EXISTS (SELECT 1 FROM mail_alias_target t WHERE t.alias_id = a.id AND strpos(t.target, $1) > 0)) \
     AND ($2 = '' OR d.name = $2)";

struct Checked {
    address: String,
    domain: String,
    targets: Vec<String>,
    description: String,
    active: bool,
}

impl Aliases {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    fn check(input: &AliasInput) -> Result<Checked, MailError> {
        let address = normalize_address(&input.address)?;
        let domain = address.split_once('@').map(|(_, d)| d.to_owned()).unwrap_or_default();
        let mut targets = Vec::new();
        for raw in input.targets.iter().flat_map(|t| t.split([',', '\n', ';', ' '])).filter(|t| !t.trim().is_empty()) {
            let target = normalize_address(raw).map_err(|e| match e {
                MailError::InvalidAddress { value, problem } => MailError::InvalidTarget { value, problem },
                other => other,
            })?;
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        if targets.is_empty() {
            return Err(MailError::NoTargets);
        }
        if targets.len() > MAX_TARGETS {
            return Err(MailError::TooManyTargets(MAX_TARGETS));
        }
        if input.description.chars().count() > 500 {
            return Err(MailError::Limit("the description is limited to 500 characters".into()));
        }
        Ok(Checked { address, domain, targets, description: input.description.trim().to_owned(), active: input.active })
    }

    /// Adds an alias (or, on a mailbox's own address, a forward).
    pub async fn create(&self, input: &AliasInput) -> Result<Alias, MailError> {
        let c = Self::check(input)?;
        let mut tx = self.pool.begin().await?;
        lock_names(&mut tx).await?;
        let domain_id = local_domain_id(&mut tx, &c.domain).await?;
        validate_targets(&mut tx, &c).await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO mail_alias (domain_id, address, description, active) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (address) DO NOTHING RETURNING id",
        )
        .bind(domain_id)
        .bind(&c.address)
        .bind(&c.description)
        .bind(c.active)
        .fetch_optional(&mut *tx)
        .await?;
        let id = id.ok_or_else(|| MailError::AddressTaken { address: c.address.clone(), used_by: "alias" })?;
        replace_targets(&mut tx, id, &c.targets).await?;
        tx.commit().await?;
        self.get(&c.address).await
    }

    /// Replaces an alias's targets, description and state.
    pub async fn update(&self, address: &str, input: &AliasInput) -> Result<Alias, MailError> {
        let address = normalize_address(address)?;
        let c = Self::check(input)?;
        if c.address != address {
            return Err(MailError::Limit("an alias's address cannot change; add a new alias instead".into()));
        }
        let mut tx = self.pool.begin().await?;
        lock_names(&mut tx).await?;
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM mail_alias WHERE address = $1")
            .bind(&address)
            .fetch_optional(&mut *tx)
            .await?;
        let id = id.ok_or_else(|| MailError::AliasNotFound(address.clone()))?;
        validate_targets(&mut tx, &c).await?;
        sqlx::query("UPDATE mail_alias SET description = $2, active = $3, updated_at = now() WHERE id = $1")
            .bind(id)
            .bind(&c.description)
            .bind(c.active)
            .execute(&mut *tx)
            .await?;
        replace_targets(&mut tx, id, &c.targets).await?;
        tx.commit().await?;
        self.get(&address).await
    }

    /// Enables or disables an alias without losing its targets.
    pub async fn set_active(&self, address: &str, active: bool) -> Result<Alias, MailError> {
        let address = normalize_address(address)?;
        let done = sqlx::query("UPDATE mail_alias SET active = $2, updated_at = now() WHERE address = $1")
            .bind(&address)
            .bind(active)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(MailError::AliasNotFound(address));
        }
        self.get(&address).await
    }

    /// Deletes an alias.
    pub async fn delete(&self, address: &str) -> Result<(), MailError> {
        let address = normalize_address(address)?;
        let done = sqlx::query("DELETE FROM mail_alias WHERE address = $1").bind(&address).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(MailError::AliasNotFound(address));
        }
        Ok(())
    }

    /// One alias by address.
    pub async fn get(&self, address: &str) -> Result<Alias, MailError> {
        let address = normalize_address(address)?;
        let row: Option<AliasRow> =
            sqlx::query_as(&format!("{SELECT} WHERE a.address = $1")).bind(&address).fetch_optional(&self.pool).await?;
        row.map(Into::into).ok_or(MailError::AliasNotFound(address))
    }

    /// One page of the Aliases table; `search` matches the address or any target.
    pub async fn list(&self, req: &PageRequest, search: &str, domain: &str) -> Result<Page<Alias>, MailError> {
        let order = order_by(req, &[("address", "a.address"), ("domain", "d.name"), ("active", "a.active")], "a.id");
        let search = search_needle(search);
        let domain = if domain.trim().is_empty() { String::new() } else { normalize_domain(domain)? };
        let rows: Vec<AliasRow> = sqlx::query_as(&format!("{SELECT} WHERE {FILTER} {order} LIMIT $3 OFFSET $4"))
            .bind(&search)
            .bind(&domain)
            .bind(req.limit())
            .bind(req.offset())
            .fetch_all(&self.pool)
            .await?;
        let total: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM mail_alias a JOIN mail_domain d ON d.id = a.domain_id WHERE {FILTER}"
        ))
        .bind(&search)
        .bind(&domain)
        .fetch_one(&self.pool)
        .await?;
        Ok(Page { rows: rows.into_iter().map(Into::into).collect(), total })
    }
}

/// The id of a real (not alias) mail domain, or a precise refusal.
async fn local_domain_id(tx: &mut Transaction<'_, Postgres>, domain: &str) -> Result<i64, MailError> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM mail_domain WHERE name = $1").bind(domain).fetch_optional(&mut **tx).await?;
    if let Some(id) = id {
        return Ok(id);
    }
    let target: Option<String> = sqlx::query_scalar(
        "SELECT t.name FROM mail_alias_domain a JOIN mail_domain t ON t.id = a.target_domain_id WHERE a.name = $1",
    )
    .bind(domain)
    .fetch_optional(&mut **tx)
    .await?;
    Err(match target {
        Some(t) => MailError::Limit(format!("{domain} is an alias domain of {t}; add the alias in {t}")),
        None => MailError::NotOurDomain(domain.to_owned()),
    })
}

async fn replace_targets(tx: &mut Transaction<'_, Postgres>, id: i64, targets: &[String]) -> Result<(), MailError> {
    sqlx::query("DELETE FROM mail_alias_target WHERE alias_id = $1").bind(id).execute(&mut **tx).await?;
    sqlx::query("INSERT INTO mail_alias_target (alias_id, target) SELECT $1, unnest($2::TEXT[])")
        .bind(id)
        .bind(targets)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Local targets must exist; no chain of aliases may lead back to the alias itself.
async fn validate_targets(tx: &mut Transaction<'_, Postgres>, c: &Checked) -> Result<(), MailError> {
    let is_mailbox: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mailbox WHERE address = $1)")
        .bind(&c.address)
        .fetch_one(&mut **tx)
        .await?;
    if c.targets.iter().all(|t| *t == c.address) {
        return Err(MailError::SelfAlias);
    }
    if c.targets.contains(&c.address) && !is_mailbox {
        return Err(MailError::AliasLoop(vec![c.address.clone(), c.address.clone()]));
    }
    // The whole local address space, small enough to hold: domains, alias domains, aliases.
    let domains: HashMap<String, Option<String>> =
        sqlx::query_as::<_, (String, Option<String>)>("SELECT name, catch_all FROM mail_domain")
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    let alias_domains: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT a.name, t.name FROM mail_alias_domain a JOIN mail_domain t ON t.id = a.target_domain_id",
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .collect();
    let canonical = |address: &str| -> String {
        match address.split_once('@') {
            Some((local, domain)) => match alias_domains.get(domain) {
                Some(target) => format!("{local}@{target}"),
                None => address.to_owned(),
            },
            None => address.to_owned(),
        }
    };
    let mut graph: HashMap<String, Vec<String>> = HashMap::new();
    let edges: Vec<(String, String)> =
        sqlx::query_as("SELECT a.address, t.target FROM mail_alias a JOIN mail_alias_target t ON t.alias_id = a.id")
            .fetch_all(&mut **tx)
            .await?;
    for (from, to) in edges {
        if from != c.address {
            graph.entry(from).or_default().push(canonical(&to));
        }
    }
    graph.insert(c.address.clone(), c.targets.iter().map(|t| canonical(t)).filter(|t| *t != c.address).collect());
    for target in &c.targets {
        let resolved = canonical(target);
        let domain = resolved.split_once('@').map(|(_, d)| d).unwrap_or_default();
        if let Some(catch_all) = domains.get(domain) {
            let exists: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM mailbox WHERE address = $1) OR EXISTS (SELECT 1 FROM mail_alias WHERE address = $1)",
            )
            .bind(&resolved)
            .fetch_one(&mut **tx)
            .await?;
            if !exists && catch_all.is_none() && resolved != c.address {
                return Err(MailError::UnknownLocalTarget { target: target.clone(), domain: domain.to_owned() });
            }
        }
    }
    if let Some(path) = find_cycle(&graph, &c.address) {
        return Err(MailError::AliasLoop(path.into_iter().map(|a| display_address(&a)).collect()));
    }
    Ok(())
}

/// A path `start → … → start` through `graph`, if one exists (iterative DFS).
fn find_cycle(graph: &HashMap<String, Vec<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack: Vec<(String, usize)> = vec![(start.to_owned(), 0)];
    let mut on_path: Vec<String> = vec![start.to_owned()];
    let mut done: HashSet<String> = HashSet::new();
    while let Some((node, next)) = stack.pop() {
        let children = graph.get(&node).map(Vec::as_slice).unwrap_or_default();
        if next < children.len() {
            stack.push((node.clone(), next + 1));
            let child = &children[next];
            if child == start {
                let mut path = on_path.clone();
                path.push(start.to_owned());
                return Some(path);
            }
            if !done.contains(child) && !on_path.contains(child) && graph.contains_key(child) {
                on_path.push(child.clone());
                stack.push((child.clone(), 0));
            }
        } else {
            done.insert(node);
            on_path.pop();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        edges.iter().map(|(a, t)| ((*a).to_owned(), t.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    #[test]
    fn cycles_are_found_with_their_path() {
        let g = graph(&[("a", &["b"]), ("b", &["c", "x"]), ("c", &["a"])]);
        assert_eq!(find_cycle(&g, "a"), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    }

    #[test]
    fn diamonds_and_external_targets_are_not_cycles() {
        let g = graph(&[("a", &["b", "c"]), ("b", &["d"]), ("c", &["d"]), ("d", &["ext@else.org"])]);
        assert_eq!(find_cycle(&g, "a"), None);
    }
}
