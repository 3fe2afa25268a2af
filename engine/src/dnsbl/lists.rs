//! The blocklists the scan queries: the curated catalog, seeded at start (new entries added,
//! names and links refreshed, the admin's on/off choice kept), plus lists the admin adds.

use model::deliverability::{Blocklist, BlocklistInput};
use sqlx::PgPool;

use super::catalog::{DEFAULT_LISTS, ListKind};
use crate::deliverability::DeliverabilityError;

/// Reads and edits the `dnsbl_list` table.
#[derive(Clone, Debug)]
pub struct Blocklists {
    pool: PgPool,
}

type ListRow = (String, String, String, String, bool, bool, bool);

fn to_model(r: ListRow) -> Blocklist {
    Blocklist { zone: r.0, name: r.1, kind: r.2, delist_url: r.3, major: r.4, enabled: r.5, builtin: r.6 }
}

impl Blocklists {
    /// Over the application pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Brings the catalog into the table without touching the admin's `enabled` choices.
    pub async fn seed_catalog(&self) -> Result<(), DeliverabilityError> {
        let zones: Vec<&str> = DEFAULT_LISTS.iter().map(|l| l.zone).collect();
        let names: Vec<&str> = DEFAULT_LISTS.iter().map(|l| l.name).collect();
        let kinds: Vec<&str> =
            DEFAULT_LISTS.iter().map(|l| if l.kind == ListKind::Ip { "ip" } else { "domain" }).collect();
        let urls: Vec<&str> = DEFAULT_LISTS.iter().map(|l| l.delist_url).collect();
        let major: Vec<bool> = DEFAULT_LISTS.iter().map(|l| l.major).collect();
        sqlx::query(
            "INSERT INTO dnsbl_list (zone, name, kind, delist_url, major, builtin) \
             SELECT z, n, k, u, m, TRUE FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[]) \
               AS t(z, n, k, u, m) \
             ON CONFLICT (zone) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, \
               delist_url = EXCLUDED.delist_url, major = EXCLUDED.major, builtin = TRUE",
        )
        .bind(&zones)
        .bind(&names)
        .bind(&kinds)
        .bind(&urls)
        .bind(&major)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every list, major ones first.
    pub async fn all(&self) -> Result<Vec<Blocklist>, DeliverabilityError> {
        let rows: Vec<ListRow> = sqlx::query_as(
            "SELECT zone, name, kind, delist_url, major, enabled, builtin FROM dnsbl_list \
             ORDER BY major DESC, name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(to_model).collect())
    }

    /// Turns a list on or off.
    pub async fn set_enabled(&self, zone: &str, enabled: bool) -> Result<(), DeliverabilityError> {
        let done = sqlx::query("UPDATE dnsbl_list SET enabled = $2 WHERE zone = $1")
            .bind(zone)
            .bind(enabled)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(DeliverabilityError::BlocklistNotFound(zone.to_owned()));
        }
        Ok(())
    }

    /// Adds a list of the admin's own (a private or regional list).
    pub async fn add(&self, input: &BlocklistInput) -> Result<Blocklist, DeliverabilityError> {
        let zone = input.zone.trim().trim_end_matches('.').to_ascii_lowercase();
        model::mail::check_domain_ascii(&zone)
            .map_err(|p| DeliverabilityError::InvalidInput { field: "zone", message: p.to_string() })?;
        let name = input.name.trim();
        if name.is_empty() {
            return Err(DeliverabilityError::InvalidInput { field: "name", message: "is empty".into() });
        }
        if input.kind != "ip" && input.kind != "domain" {
            return Err(DeliverabilityError::InvalidInput { field: "kind", message: "must be ip or domain".into() });
        }
        let url = input.delist_url.trim();
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(DeliverabilityError::InvalidInput {
                field: "delist_url",
                message: "must start with https://".into(),
            });
        }
        let row: Option<ListRow> = sqlx::query_as(
            "INSERT INTO dnsbl_list (zone, name, kind, delist_url) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (zone) DO NOTHING \
             RETURNING zone, name, kind, delist_url, major, enabled, builtin",
        )
        .bind(&zone)
        .bind(name)
        .bind(&input.kind)
        .bind(url)
        .fetch_optional(&self.pool)
        .await?;
        row.map(to_model)
            .ok_or(DeliverabilityError::InvalidInput { field: "zone", message: "is already a list".into() })
    }

    /// Deletes a list the admin added (catalog lists can only be disabled).
    pub async fn remove(&self, zone: &str) -> Result<(), DeliverabilityError> {
        let done = sqlx::query("DELETE FROM dnsbl_list WHERE zone = $1 AND NOT builtin")
            .bind(zone)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(DeliverabilityError::BlocklistNotFound(zone.to_owned()));
        }
        Ok(())
    }
}
