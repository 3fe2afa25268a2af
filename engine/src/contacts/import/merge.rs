//! From the staging table into the audience, set-based: the error report, ONE upsert of the
//! contacts, one insert of memberships for all chosen lists, and the new attribute
//! definitions (new contacts carry the import's id instead of a timeline row each). The caller runs them in one transaction, so an import
//! is kept whole or not at all (a cancel or a crash keeps nothing).

use model::contacts::{ColumnTarget, ImportSettings};
use sqlx::PgConnection;

use crate::contacts::Result;
use crate::contacts::segment_sql::list_key;

/// Refused lines into the downloadable report.
const SAVE_ERRORS: &str = "INSERT INTO contact_import_error (import_id, line, reason, content) \
     SELECT $1, line, reason, COALESCE(content, '') FROM contact_import_rows WHERE reason IS NOT NULL \
     ON CONFLICT (import_id, line) DO NOTHING";

/// Ids of the contacts this import touched, with whether each is new.
const CREATE_TOUCHED: &str = "CREATE TEMP TABLE contact_import_touched (id BIGINT NOT NULL, inserted BOOLEAN NOT NULL)";

/// The upsert. Within the file the last line of an address wins (DISTINCT ON, latest line
/// first). An existing contact: with `overwrite` ($1) a non-empty name replaces the stored
/// one and the file's attributes replace stored keys; without it only an empty name is filled
/// and only missing keys are added. Tags are always merged (the stored order first).
/// `xmax = 0` tells an inserted row from an updated one, counted without returning rows.
/// A new contact is written with the list keys ($3) of the memberships `ADD_MEMBERSHIPS`
/// gives it, so the membership insert need not rewrite a million new contacts.
const UPSERT_CONTACTS: &str = "WITH src AS ( \
         SELECT DISTINCT ON (email) email, name, attributes, tags FROM contact_import_rows \
         WHERE reason IS NULL ORDER BY email, line DESC \
     ), up AS ( \
         INSERT INTO contact AS c (email, name, attributes, tags, import_id, list_keys) \
         SELECT email, COALESCE(name, ''), attributes, string_to_array(tags, ','), $2, $3 FROM src \
         ON CONFLICT (email) DO UPDATE SET \
             name = CASE WHEN EXCLUDED.name <> '' AND ($1 OR c.name = '') THEN EXCLUDED.name ELSE c.name END, \
             attributes = CASE WHEN $1 THEN c.attributes || EXCLUDED.attributes \
                 ELSE EXCLUDED.attributes || c.attributes END, \
             tags = CASE WHEN EXCLUDED.tags <@ c.tags THEN c.tags ELSE ARRAY( \
                 SELECT t FROM unnest(c.tags || EXCLUDED.tags) WITH ORDINALITY AS u(t, n) \
                 GROUP BY t ORDER BY min(n)) END, \
             updated_at = now() \
         RETURNING c.id, (c.xmax = 0) AS inserted \
     ) \
     INSERT INTO contact_import_touched (id, inserted) SELECT id, inserted FROM up";

/// New and updated contacts.
const COUNT_TOUCHED: &str = "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) \
     FROM contact_import_touched";

/// Every touched contact onto every chosen list ($1) with the chosen status ($2). An
/// existing membership changes only to move forward: never away from `unsubscribed` (an
/// import must not resubscribe someone who left — consent cannot come from a spreadsheet),
/// never from `subscribed` back to `unconfirmed`; a status already held is left as it is,
/// with its original consent.
const ADD_MEMBERSHIPS: &str = "INSERT INTO list_membership AS m (list_id, contact_id, status, consent_at, consent_source) \
     SELECT l.id, t.id, $2, now(), $3 FROM contact_import_touched t CROSS JOIN unnest($1::bigint[]) AS l(id) \
     ON CONFLICT (list_id, contact_id) DO UPDATE SET status = EXCLUDED.status, consent_at = EXCLUDED.consent_at, \
         consent_source = EXCLUDED.consent_source, updated_at = now() \
     WHERE m.status <> 'unsubscribed' AND m.status <> EXCLUDED.status \
         AND NOT (m.status = 'subscribed' AND EXCLUDED.status = 'unconfirmed')";

/// Lets this transaction's membership statements skip the triggers that keep
/// `contact.list_keys` (migration 0005): the import writes the keys itself, set-based.
const KEYS_BY_CALLER: &str = "SET LOCAL billionmail.list_keys_by_caller = 'on'";
const KEYS_BY_TRIGGER: &str = "SET LOCAL billionmail.list_keys_by_caller = 'off'";

/// Contacts that existed before the import get their keys recomputed from their memberships
/// (new ones were written with theirs). The upsert holds their row locks, so a concurrent
/// membership change waits and then applies its own change on top of this result.
const REKEY_UPDATED: &str = "UPDATE contact c SET list_keys = k.keys FROM ( \
         SELECT t.id, COALESCE(array_agg(list_key(m.list_id, m.status) ORDER BY list_key(m.list_id, m.status)) \
             FILTER (WHERE m.list_id IS NOT NULL), '{}') AS keys \
         FROM contact_import_touched t LEFT JOIN list_membership m ON m.contact_id = t.id \
         WHERE NOT t.inserted GROUP BY t.id \
     ) k WHERE c.id = k.id AND c.list_keys IS DISTINCT FROM k.keys";

/// Mapped attributes nobody defined yet, with the kind chosen on the mapping screen.
const DEFINE_ATTRIBUTES: &str = "INSERT INTO contact_attribute (key, kind) \
     SELECT key, kind FROM unnest($1::text[], $2::text[]) AS a(key, kind) ON CONFLICT (key) DO NOTHING";

/// Stores the refused lines of import `id`.
pub async fn save_errors(conn: &mut PgConnection, id: i64) -> Result<u64> {
    Ok(sqlx::query(SAVE_ERRORS).bind(id).execute(conn).await?.rows_affected())
}

/// Upserts the valid lines; returns (new, updated) contacts.
/// New contacts remember import `id` (their timeline shows "Imported <file>" from it).
pub async fn upsert_contacts(conn: &mut PgConnection, id: i64, settings: &ImportSettings) -> Result<(i64, i64)> {
    let mut keys: Vec<i64> =
        settings.list_ids.iter().filter_map(|&list_id| list_key(list_id, settings.status)).collect();
    keys.sort_unstable();
    keys.dedup();
    sqlx::query(CREATE_TOUCHED).execute(&mut *conn).await?;
    sqlx::query(UPSERT_CONTACTS).bind(settings.overwrite).bind(id).bind(keys).execute(&mut *conn).await?;
    Ok(sqlx::query_as(COUNT_TOUCHED).fetch_one(&mut *conn).await?)
}

/// Adds the touched contacts to the chosen lists and brings the list keys of the `updated`
/// contacts that already existed up to date (none to do for a file of new addresses).
pub async fn add_memberships(
    conn: &mut PgConnection,
    settings: &ImportSettings,
    file_name: &str,
    updated: i64,
) -> Result<u64> {
    if settings.list_ids.is_empty() {
        return Ok(0);
    }
    // The planner knows nothing of a temporary table until it is analysed.
    sqlx::query("ANALYZE contact_import_touched").execute(&mut *conn).await?;
    sqlx::query(KEYS_BY_CALLER).execute(&mut *conn).await?;
    let done = sqlx::query(ADD_MEMBERSHIPS)
        .bind(&settings.list_ids)
        .bind(settings.status.as_str())
        .bind(format!("import: {file_name}"))
        .execute(&mut *conn)
        .await?;
    sqlx::query(KEYS_BY_TRIGGER).execute(&mut *conn).await?;
    if updated > 0 {
        sqlx::query(REKEY_UPDATED).execute(&mut *conn).await?;
    }
    Ok(done.rows_affected())
}

/// Defines the mapped attributes that do not exist yet.
pub async fn define_attributes(conn: &mut PgConnection, settings: &ImportSettings) -> Result<()> {
    let (keys, kinds): (Vec<String>, Vec<String>) = settings
        .columns
        .iter()
        .filter_map(|c| match c {
            ColumnTarget::Attribute { key, kind } => Some((key.clone(), kind.as_str().to_owned())),
            _ => None,
        })
        .unzip();
    if keys.is_empty() {
        return Ok(());
    }
    sqlx::query(DEFINE_ATTRIBUTES).bind(&keys).bind(&kinds).execute(conn).await?;
    Ok(())
}
