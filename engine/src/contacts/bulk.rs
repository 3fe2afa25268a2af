//! Bulk changes to many contacts at once: tag, untag, add to / move between / remove from
//! lists, unsubscribe, delete. Each action is one set-based statement over the selection's
//! condition (no per-contact loop, so "all 240 000 matching" costs one statement), run in one
//! transaction together with the count of the selection, and writes the contacts' timeline
//! in the same statement (data-modifying CTEs).

use chrono::Utc;
use model::contacts::{BulkAction, BulkOutcome, ListStatus, Selection, normalize_tag};
use sea_query::{
    Alias, CommonTableExpression, Expr, InsertStatement, IntoIden, OnConflict, PostgresQueryBuilder, Query,
    QueryStatementBuilder, ReturningClause, SelectStatement, SimpleExpr, TableRef, WithClause,
};
use sea_query_binder::{SqlxBinder, SqlxValues};
use sqlx::{PgPool, Postgres, Transaction};

use super::selection::selection_condition;
use crate::contacts::ContactError;

type Result<T> = std::result::Result<T, ContactError>;

/// A statement and its values, built in full before the transaction starts, so a bad
/// statement never leaves a half-done transaction and only plain SQL and values are held
/// across awaits.
type Bound = (String, SqlxValues);

/// The two statements of a bulk action: the size of the selection and the change itself,
/// which answers how many rows it changed.
struct Plan {
    matched: Bound,
    change: Bound,
}

/// Applies `action` to every contact of `sel` in one transaction. `by` (the admin) is
/// recorded as the consent source of list additions and on the timeline.
///
/// Adding to a list never resubscribes a contact who unsubscribed from it, nor downgrades a
/// subscribed one to unconfirmed: an existing membership only changes from unconfirmed to
/// subscribed, or to unsubscribed (an opt-out is always honoured). Moving keeps each
/// contact's status and consent, under the same rule where the contact is already on the
/// target list.
pub async fn apply_bulk(pool: &PgPool, sel: &Selection, action: &BulkAction, by: &str) -> Result<BulkOutcome> {
    let action = checked(action)?;
    ensure_lists_exist(pool, &action).await?;
    let Plan { matched, change } = plan(selection_condition(pool, sel, Utc::now()).await?, &action, by)?;
    let mut tx = pool.begin().await?;
    sqlx::query(super::segment_sql::WORK_MEM).execute(&mut *tx).await?;
    let matched = count(&mut tx, matched).await?;
    let changed = count(&mut tx, change).await?;
    tx.commit().await?;
    Ok(BulkOutcome { matched, changed })
}

/// Runs a statement that answers a single count.
async fn count(tx: &mut Transaction<'_, Postgres>, (sql, values): Bound) -> Result<i64> {
    let n: i64 = sqlx::query_scalar_with(&sql, values).fetch_one(&mut **tx).await?;
    Ok(n)
}

// ---------------------------------------------------------------------------------------
// Checks

/// The action with its tag normalised; refuses bad tags and a move onto the same list.
fn checked(action: &BulkAction) -> Result<BulkAction> {
    match action {
        BulkAction::AddTag(raw) => Ok(BulkAction::AddTag(tag(raw)?)),
        BulkAction::RemoveTag(raw) => Ok(BulkAction::RemoveTag(tag(raw)?)),
        BulkAction::MoveToList { from, to } if from == to => {
            Err(ContactError::InvalidAction("moving needs two different lists".into()))
        }
        other => Ok(other.clone()),
    }
}

fn tag(raw: &str) -> Result<String> {
    normalize_tag(raw).ok_or_else(|| ContactError::InvalidTag(raw.to_owned()))
}

fn lists_named(action: &BulkAction) -> Vec<i64> {
    match action {
        BulkAction::AddToList { list_id, .. }
        | BulkAction::RemoveFromList(list_id)
        | BulkAction::Unsubscribe(Some(list_id)) => vec![*list_id],
        BulkAction::MoveToList { from, to } => vec![*from, *to],
        _ => Vec::new(),
    }
}

/// A missing list is a 404 for the admin, not a foreign-key error.
async fn ensure_lists_exist(pool: &PgPool, action: &BulkAction) -> Result<()> {
    for id in lists_named(action) {
        let found: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM contact_list WHERE id = $1)")
            .bind(id)
            .fetch_one(pool)
            .await?;
        if !found {
            return Err(ContactError::ListNotFound(id));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Statements

fn plan(cond: SimpleExpr, action: &BulkAction, by: &str) -> Result<Plan> {
    let matched = count_selected(cond.clone());
    let source = format!("bulk: {by}");
    let change = match action {
        BulkAction::AddTag(tag) => retag(cond, tag, Retag::Add)?,
        BulkAction::RemoveTag(tag) => retag(cond, tag, Retag::Remove)?,
        BulkAction::AddToList { list_id, status } => add_to_list(cond, *list_id, *status, &source)?,
        BulkAction::MoveToList { from, to } => move_to_list(cond, *from, *to, &source)?,
        BulkAction::RemoveFromList(list_id) => remove_from_list(cond, *list_id, &source)?,
        BulkAction::Unsubscribe(list_id) => unsubscribe(cond, *list_id, &source)?,
        BulkAction::Delete => delete_contacts(cond),
    };
    Ok(Plan { matched, change })
}

fn contact_as_c() -> TableRef {
    TableRef::TableAlias(Alias::new("contact").into_iden(), Alias::new("c").into_iden())
}

fn count_selected(cond: SimpleExpr) -> Bound {
    Query::select()
        .expr(Expr::cust("count(*)"))
        .from_as(Alias::new("contact"), Alias::new("c"))
        .and_where(cond)
        .build_sqlx(PostgresQueryBuilder)
}

/// `SELECT c.id FROM contact c WHERE <cond>`, for statements on other tables.
fn selected_ids(cond: SimpleExpr) -> SelectStatement {
    Query::select().expr(Expr::cust("c.id")).from_as(Alias::new("contact"), Alias::new("c")).and_where(cond).to_owned()
}

/// `list_membership.contact_id IN (<selected ids>)`.
fn member_selected(cond: SimpleExpr) -> SimpleExpr {
    Expr::col((Alias::new("list_membership"), Alias::new("contact_id"))).in_subquery(selected_ids(cond))
}

fn returning(sql: &'static str) -> ReturningClause {
    Query::returning().expr(Expr::cust(sql))
}

fn cte<Q: QueryStatementBuilder>(name: &str, statement: Q) -> CommonTableExpression {
    CommonTableExpression::new().query(statement).table_name(Alias::new(name)).to_owned()
}

/// `WITH <ctes> SELECT count(*) FROM <count_from>`: every CTE runs (PostgreSQL executes
/// data-modifying CTEs whether read or not) and the statement answers the rows changed.
fn counted(ctes: Vec<CommonTableExpression>, count_from: &str) -> Bound {
    let mut with = WithClause::new();
    for table in ctes {
        with.cte(table);
    }
    let total = Query::select().expr(Expr::cust("count(*)")).from(Alias::new(count_from)).to_owned();
    with.query(total).build_sqlx(PostgresQueryBuilder)
}

/// Timeline rows for the rows a CTE returned (`contact_id`, `list_id`, `kind`; rows whose
/// kind is NULL are not logged).
fn events_from(cte_name: &str, detail: &str) -> Result<InsertStatement> {
    let col = |c: &str| Expr::col((Alias::new(cte_name), Alias::new(c)));
    let source = Query::select()
        .expr(col("contact_id"))
        .expr(col("kind"))
        .expr(col("list_id"))
        .expr(Expr::val(detail))
        .from(Alias::new(cte_name))
        .and_where(col("kind").is_not_null())
        .to_owned();
    let mut insert = Query::insert();
    insert.into_table(Alias::new("contact_event")).columns([
        Alias::new("contact_id"),
        Alias::new("kind"),
        Alias::new("list_id"),
        Alias::new("detail"),
    ]);
    insert.select_from(source).map_err(statement_bug)?;
    Ok(insert)
}

/// Column and value counts are fixed in this file; a mismatch is a programming error,
/// reported as a server error rather than a panic.
fn statement_bug(e: sea_query::error::Error) -> ContactError {
    ContactError::Database(sqlx::Error::Protocol(format!("bulk statement could not be built: {e}")))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Retag {
    Add,
    Remove,
}

/// Only contacts whose tags actually change are updated and logged.
fn retag(cond: SimpleExpr, tag: &str, how: Retag) -> Result<Bound> {
    let has_tag = Expr::cust_with_values("c.tags @> $1", [vec![tag.to_owned()]]);
    let (new_tags, scope, returned) = match how {
        Retag::Add => (
            Expr::cust_with_values("array_append(c.tags, $1)", [tag]),
            cond.and(has_tag.not()),
            "c.id AS contact_id, NULL::bigint AS list_id, 'tagged'::text AS kind",
        ),
        Retag::Remove => (
            Expr::cust_with_values("array_remove(c.tags, $1)", [tag]),
            cond.and(has_tag),
            "c.id AS contact_id, NULL::bigint AS list_id, 'untagged'::text AS kind",
        ),
    };
    let update = Query::update()
        .table(contact_as_c())
        .value(Alias::new("tags"), new_tags)
        .value(Alias::new("updated_at"), Expr::cust("now()"))
        .and_where(scope)
        .returning(returning(returned))
        .to_owned();
    Ok(counted(vec![cte("changed", update), cte("logged", events_from("changed", tag)?)], "changed"))
}

/// On a conflict with an existing membership, change it only from unconfirmed to
/// subscribed, or to unsubscribed; never back from unsubscribed, never down to unconfirmed.
fn keep_opt_outs() -> OnConflict {
    OnConflict::columns([Alias::new("list_id"), Alias::new("contact_id")])
        .update_column(Alias::new("status"))
        .value(Alias::new("updated_at"), Expr::cust("now()"))
        .action_and_where(Expr::cust(
            "list_membership.status <> excluded.status AND (excluded.status = 'unsubscribed' \
             OR (excluded.status = 'subscribed' AND list_membership.status = 'unconfirmed'))",
        ))
        .to_owned()
}

/// What an insert into `list_membership` logs: the resulting status, unless unconfirmed.
const MEMBERSHIP_SET: &str = "contact_id, list_id, NULLIF(status, 'unconfirmed') AS kind";

fn add_to_list(cond: SimpleExpr, list_id: i64, status: ListStatus, source: &str) -> Result<Bound> {
    let selected = Query::select()
        .expr(Expr::val(list_id))
        .expr(Expr::cust("c.id"))
        .expr(Expr::val(status.as_str()))
        .expr(Expr::cust("now()"))
        .expr(Expr::val(source))
        .from_as(Alias::new("contact"), Alias::new("c"))
        .and_where(cond)
        .to_owned();
    let mut insert = Query::insert();
    insert.into_table(Alias::new("list_membership")).columns([
        Alias::new("list_id"),
        Alias::new("contact_id"),
        Alias::new("status"),
        Alias::new("consent_at"),
        Alias::new("consent_source"),
    ]);
    insert.select_from(selected).map_err(statement_bug)?;
    insert.on_conflict(keep_opt_outs()).returning(returning(MEMBERSHIP_SET));
    Ok(counted(vec![cte("changed", insert), cte("logged", events_from("changed", source)?)], "changed"))
}

/// One statement: the memberships of `from` are deleted and re-inserted on `to` from the
/// deleted rows, so the selection is evaluated once, before anything moved.
fn move_to_list(cond: SimpleExpr, from: i64, to: i64, source: &str) -> Result<Bound> {
    let moved = Query::delete()
        .from_table(Alias::new("list_membership"))
        .and_where(Expr::cust_with_values("list_membership.list_id = $1", [from]).and(member_selected(cond)))
        .returning(returning(
            "contact_id, list_id, status, consent_at, consent_ip, consent_source, \
             'removed_from_list'::text AS kind",
        ))
        .to_owned();
    let col = |c: &str| Expr::col((Alias::new("moved"), Alias::new(c)));
    let copied_rows = Query::select()
        .expr(Expr::val(to))
        .expr(col("contact_id"))
        .expr(col("status"))
        .expr(col("consent_at"))
        .expr(col("consent_ip"))
        .expr(col("consent_source"))
        .from(Alias::new("moved"))
        .to_owned();
    let mut copied = Query::insert();
    copied.into_table(Alias::new("list_membership")).columns([
        Alias::new("list_id"),
        Alias::new("contact_id"),
        Alias::new("status"),
        Alias::new("consent_at"),
        Alias::new("consent_ip"),
        Alias::new("consent_source"),
    ]);
    copied.select_from(copied_rows).map_err(statement_bug)?;
    copied.on_conflict(keep_opt_outs()).returning(returning(MEMBERSHIP_SET));
    Ok(counted(
        vec![
            cte("moved", moved),
            cte("copied", copied),
            cte("logged_moved", events_from("moved", source)?),
            cte("logged_copied", events_from("copied", source)?),
        ],
        "moved",
    ))
}

fn remove_from_list(cond: SimpleExpr, list_id: i64, source: &str) -> Result<Bound> {
    let removed = Query::delete()
        .from_table(Alias::new("list_membership"))
        .and_where(Expr::cust_with_values("list_membership.list_id = $1", [list_id]).and(member_selected(cond)))
        .returning(returning("contact_id, list_id, 'removed_from_list'::text AS kind"))
        .to_owned();
    Ok(counted(vec![cte("changed", removed), cte("logged", events_from("changed", source)?)], "changed"))
}

/// Unsubscribes from one list or from all; memberships already unsubscribed are left alone
/// (and not counted).
fn unsubscribe(cond: SimpleExpr, list_id: Option<i64>, source: &str) -> Result<Bound> {
    let mut scope = Expr::cust("list_membership.status <> 'unsubscribed'").and(member_selected(cond));
    if let Some(list_id) = list_id {
        scope = scope.and(Expr::cust_with_values("list_membership.list_id = $1", [list_id]));
    }
    let update = Query::update()
        .table(Alias::new("list_membership"))
        .value(Alias::new("status"), Expr::cust("'unsubscribed'"))
        .value(Alias::new("updated_at"), Expr::cust("now()"))
        .and_where(scope)
        .returning(returning("contact_id, list_id, 'unsubscribed'::text AS kind"))
        .to_owned();
    Ok(counted(vec![cte("changed", update), cte("logged", events_from("changed", source)?)], "changed"))
}

/// Deletes the contacts; memberships and timelines go with them (ON DELETE CASCADE), the
/// suppression list (kept by address) stays.
fn delete_contacts(cond: SimpleExpr) -> Bound {
    let deleted = Query::delete()
        .from_table(contact_as_c())
        .and_where(cond)
        .returning(returning("c.id AS contact_id"))
        .to_owned();
    counted(vec![cte("changed", deleted)], "changed")
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str = "x'; DROP TABLE contact; --";

    fn all() -> SimpleExpr {
        Expr::cust("TRUE")
    }

    #[test]
    fn tags_are_checked_and_moves_need_two_lists() {
        assert_eq!(checked(&BulkAction::AddTag("  vip ".into())).unwrap(), BulkAction::AddTag("vip".into()));
        assert!(
            matches!(checked(&BulkAction::RemoveTag("a,b".into())), Err(ContactError::InvalidTag(t)) if t == "a,b")
        );
        assert!(matches!(checked(&BulkAction::AddTag(" ".into())), Err(ContactError::InvalidTag(_))));
        assert!(matches!(checked(&BulkAction::MoveToList { from: 3, to: 3 }), Err(ContactError::InvalidAction(_))));
        assert_eq!(lists_named(&BulkAction::MoveToList { from: 1, to: 2 }), [1, 2]);
        assert!(lists_named(&BulkAction::Unsubscribe(None)).is_empty());
    }

    #[test]
    fn every_action_binds_its_values_and_answers_a_count() {
        let actions = [
            BulkAction::AddTag(EVIL.into()),
            BulkAction::RemoveTag(EVIL.into()),
            BulkAction::AddToList { list_id: 1, status: ListStatus::Subscribed },
            BulkAction::MoveToList { from: 1, to: 2 },
            BulkAction::RemoveFromList(1),
            BulkAction::Unsubscribe(Some(1)),
            BulkAction::Unsubscribe(None),
            BulkAction::Delete,
        ];
        for action in actions {
            let Plan { matched, change } = plan(all(), &action, EVIL).unwrap();
            assert!(matched.0.starts_with("SELECT count(*) FROM \"contact\" AS \"c\""), "{}", matched.0);
            let (sql, _) = change;
            let counts_changes =
                sql.ends_with("SELECT count(*) FROM \"changed\"") || sql.ends_with("SELECT count(*) FROM \"moved\"");
            assert!(sql.starts_with("WITH ") && counts_changes, "{sql}");
            assert!(!sql.contains("DROP"), "{action:?}: {sql}");
        }
    }

    #[test]
    fn adding_to_a_list_keeps_opt_outs() {
        let Plan { change: (sql, _), .. } =
            plan(all(), &BulkAction::AddToList { list_id: 1, status: ListStatus::Subscribed }, "alice").unwrap();
        assert!(
            sql.contains(
                "ON CONFLICT (\"list_id\", \"contact_id\") DO UPDATE SET \"status\" = \"excluded\".\"status\""
            ),
            "{sql}"
        );
        assert!(
            sql.contains("WHERE list_membership.status <> excluded.status AND (excluded.status = 'unsubscribed'"),
            "{sql}"
        );
        assert!(sql.contains("INSERT INTO \"contact_event\""), "{sql}");
    }
}
