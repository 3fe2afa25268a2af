//! Lists ("groups"): name, opt-in mode, visibility, and member counts by status.

use chrono::{DateTime, Utc};
use model::contacts::{ContactList, ListInput, OptIn, Visibility};
use sqlx::PgPool;

use super::{ContactError, Result};

/// The `contact_list` table.
#[derive(Clone, Debug)]
pub struct Lists {
    pool: PgPool,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    name: String,
    description: String,
    opt_in: String,
    visibility: String,
    subscribed: i64,
    unconfirmed: i64,
    unsubscribed: i64,
    created_at: DateTime<Utc>,
}

impl From<ListRow> for ContactList {
    fn from(r: ListRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            opt_in: OptIn::parse(&r.opt_in),
            visibility: Visibility::parse(&r.visibility),
            subscribed: r.subscribed,
            unconfirmed: r.unconfirmed,
            unsubscribed: r.unsubscribed,
            created_at: r.created_at,
        }
    }
}

// Counts come from one grouped scan of the memberships of the lists shown.
const SELECT: &str = "SELECT l.id, l.name, l.description, l.opt_in, l.visibility, \
       COALESCE(n.subscribed, 0) AS subscribed, COALESCE(n.unconfirmed, 0) AS unconfirmed, \
       COALESCE(n.unsubscribed, 0) AS unsubscribed, l.created_at \
     FROM contact_list l LEFT JOIN LATERAL ( \
       SELECT count(*) FILTER (WHERE status = 'subscribed') AS subscribed, \
              count(*) FILTER (WHERE status = 'unconfirmed') AS unconfirmed, \
              count(*) FILTER (WHERE status = 'unsubscribed') AS unsubscribed \
       FROM list_membership m WHERE m.list_id = l.id) n ON true";

fn checked(input: &ListInput) -> Result<ListInput> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(ContactError::ListName);
    }
    Ok(ListInput { name: name.to_owned(), description: input.description.trim().to_owned(), ..*input })
}

fn name_taken(e: sqlx::Error, name: &str) -> ContactError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => ContactError::ListNameTaken(name.to_owned()),
        other => other.into(),
    }
}

impl Lists {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Every list, by name, with its counts.
    pub async fn list(&self) -> Result<Vec<ContactList>> {
        let rows: Vec<ListRow> =
            sqlx::query_as(&format!("{SELECT} ORDER BY lower(l.name)")).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One list.
    pub async fn get(&self, id: i64) -> Result<ContactList> {
        let row: Option<ListRow> =
            sqlx::query_as(&format!("{SELECT} WHERE l.id = $1")).bind(id).fetch_optional(&self.pool).await?;
        row.map(Into::into).ok_or(ContactError::ListNotFound(id))
    }

    /// Creates a list; names are unique case-insensitively.
    pub async fn create(&self, input: &ListInput) -> Result<ContactList> {
        let input = checked(input)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_list (name, description, opt_in, visibility) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.opt_in.as_str())
        .bind(input.visibility.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| name_taken(e, &input.name))?;
        self.get(id).await
    }

    /// Renames or reconfigures a list; members are untouched.
    pub async fn update(&self, id: i64, input: &ListInput) -> Result<ContactList> {
        let input = checked(input)?;
        let done = sqlx::query(
            "UPDATE contact_list SET name = $2, description = $3, opt_in = $4, visibility = $5, updated_at = now() \
             WHERE id = $1",
        )
        .bind(id)
        .bind(&input.name)
        .bind(&input.description)
        .bind(input.opt_in.as_str())
        .bind(input.visibility.as_str())
        .execute(&self.pool)
        .await
        .map_err(|e| name_taken(e, &input.name))?;
        if done.rows_affected() == 0 {
            return Err(ContactError::ListNotFound(id));
        }
        self.get(id).await
    }

    /// Deletes a list and its memberships (contacts stay; per-list suppressions go too).
    pub async fn delete(&self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM contact_list WHERE id = $1").bind(id).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(ContactError::ListNotFound(id));
        }
        Ok(())
    }

    /// Fails with `ListNotFound` unless every id is a list (checked before bulk writes).
    pub async fn ensure_exist(pool: &PgPool, ids: &[i64]) -> Result<()> {
        let found: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM contact_list WHERE id = ANY($1)").bind(ids).fetch_all(pool).await?;
        match ids.iter().find(|id| !found.contains(id)) {
            Some(missing) => Err(ContactError::ListNotFound(*missing)),
            None => Ok(()),
        }
    }
}
