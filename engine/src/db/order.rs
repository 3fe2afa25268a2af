//! `ORDER BY` clauses for the admin's sortable tables, built only from whitelisted columns.

use model::{PageRequest, SortDirection};

/// `ORDER BY <column> <dir>, <tiebreak> <dir>` for `req`: `req.sort` is looked up in
/// `columns` (sort key → SQL expression); an unknown key sorts by the first entry. Nothing
/// the client sent is ever formatted into SQL, so the result is safe to splice in.
pub fn order_by(req: &PageRequest, columns: &[(&str, &'static str)], tiebreak: &str) -> String {
    let column = columns.iter().find(|(key, _)| *key == req.sort).or(columns.first()).map_or("1", |(_, sql)| sql);
    let direction = match req.direction {
        SortDirection::Ascending => "ASC NULLS FIRST",
        SortDirection::Descending => "DESC NULLS LAST",
    };
    format!("ORDER BY {column} {direction}, {tiebreak} {direction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(sort: &str, direction: SortDirection) -> PageRequest {
        PageRequest { page: 1, per_page: 10, sort: sort.into(), direction }
    }

    const COLUMNS: &[(&str, &str)] = &[("name", "a.username"), ("created", "a.created_at")];

    #[test]
    fn known_keys_map_to_their_sql() {
        assert_eq!(
            order_by(&req("created", SortDirection::Descending), COLUMNS, "a.id"),
            "ORDER BY a.created_at DESC NULLS LAST, a.id DESC NULLS LAST"
        );
    }

    #[test]
    fn unknown_or_hostile_keys_fall_back_to_the_first_column() {
        let hostile = req("1; DROP TABLE admins --", SortDirection::Ascending);
        assert_eq!(order_by(&hostile, COLUMNS, "a.id"), "ORDER BY a.username ASC NULLS FIRST, a.id ASC NULLS FIRST");
    }
}
