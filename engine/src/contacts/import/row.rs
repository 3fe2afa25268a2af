//! One line of the file against the mapping: a contact ready for the staging table, or the
//! reason the line is refused. Every problem of a line is named at once, so the admin fixes
//! the file in one pass.

use std::collections::HashMap;

use model::contacts::{AttributeDefinition, AttributeKind, ColumnTarget, ImportSettings, normalize_tag};

use crate::contacts::ContactError;
use crate::contacts::email::normalize_email;

/// Longest name a contact may have (the contact form's limit).
const MAX_NAME_CHARS: usize = 200;

/// What to do with one column, with the attribute's type already resolved.
#[derive(Clone, Debug, PartialEq)]
enum ColumnPlan {
    Ignore,
    Email,
    Name,
    Tags,
    Attribute { key: String, kind: AttributeKind, options: Vec<String> },
}

/// The mapping compiled once per import: defined attributes keep their kind and choices
/// (the file cannot change a type), new ones use the kind chosen on the mapping screen.
#[derive(Clone, Debug, PartialEq)]
pub struct RowPlan {
    columns: Vec<ColumnPlan>,
    /// Tags added to every row (already normalised).
    extra_tags: Vec<String>,
}

/// A line that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidRow<'p> {
    pub email: String,
    /// `None` when the column is not mapped or the cell is empty (an existing name is kept).
    pub name: Option<String>,
    /// Keys are attribute names (checked by `ImportSettings::check`), so they need no quoting.
    pub attributes: Vec<(&'p str, serde_json::Value)>,
    pub tags: Vec<String>,
}

impl RowPlan {
    /// Compiles `settings` against the attribute definitions that exist now.
    pub fn new(settings: &ImportSettings, defined: &[AttributeDefinition]) -> Self {
        let defined: HashMap<&str, &AttributeDefinition> = defined.iter().map(|d| (d.key.as_str(), d)).collect();
        let columns = settings
            .columns
            .iter()
            .map(|target| match target {
                ColumnTarget::Ignore => ColumnPlan::Ignore,
                ColumnTarget::Email => ColumnPlan::Email,
                ColumnTarget::Name => ColumnPlan::Name,
                ColumnTarget::Tags => ColumnPlan::Tags,
                ColumnTarget::Attribute { key, kind } => match defined.get(key.as_str()) {
                    Some(def) => {
                        ColumnPlan::Attribute { key: key.clone(), kind: def.kind, options: def.options.clone() }
                    }
                    None => ColumnPlan::Attribute { key: key.clone(), kind: *kind, options: Vec::new() },
                },
            })
            .collect();
        let mut extra_tags: Vec<String> = Vec::new();
        for tag in settings.tags.iter().filter_map(|t| normalize_tag(t)) {
            if !extra_tags.contains(&tag) {
                extra_tags.push(tag);
            }
        }
        Self { columns, extra_tags }
    }

    /// Checks one record; `Err` carries the reason shown in the error report.
    pub fn check(&self, record: &csv::ByteRecord) -> Result<ValidRow<'_>, String> {
        let width = self.columns.len();
        let extra_filled = record.iter().skip(width).any(|f| !is_blank(f));
        if record.len() < width || extra_filled {
            return Err(format!("the line has {} fields where the header has {width}", record.len()));
        }
        let mut problems: Vec<String> = Vec::new();
        let mut row = ValidRow { email: String::new(), name: None, attributes: Vec::new(), tags: Vec::new() };
        for (plan, raw) in self.columns.iter().zip(record.iter()) {
            if *plan == ColumnPlan::Ignore {
                continue;
            }
            let Ok(text) = std::str::from_utf8(raw) else {
                problems.push("the line is not valid UTF-8 text (save the file as UTF-8)".to_owned());
                continue;
            };
            if text.contains('\0') {
                problems.push("the line contains a NUL character".to_owned());
                continue;
            }
            if let Err(problem) = apply(plan, text, &mut row) {
                problems.push(problem);
            }
        }
        if !problems.is_empty() {
            problems.dedup();
            return Err(problems.join("; "));
        }
        for tag in &self.extra_tags {
            if !row.tags.contains(tag) {
                row.tags.push(tag.clone());
            }
        }
        Ok(row)
    }
}

/// Puts one cell into `row`, or says what is wrong with it.
fn apply<'p>(plan: &'p ColumnPlan, text: &str, row: &mut ValidRow<'p>) -> Result<(), String> {
    match plan {
        ColumnPlan::Ignore => Ok(()),
        ColumnPlan::Email => {
            row.email = normalize_email(text).map_err(|e| e.to_string())?;
            Ok(())
        }
        ColumnPlan::Name => {
            let name = text.trim();
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(ContactError::NameTooLong.to_string());
            }
            row.name = (!name.is_empty()).then(|| name.to_owned());
            Ok(())
        }
        ColumnPlan::Tags => {
            for piece in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
                let tag = normalize_tag(piece).ok_or_else(|| ContactError::InvalidTag(piece.to_owned()).to_string())?;
                if !row.tags.contains(&tag) {
                    row.tags.push(tag);
                }
            }
            Ok(())
        }
        ColumnPlan::Attribute { key, kind, options } => match kind.parse_value(text, options) {
            Ok(Some(value)) => {
                row.attributes.push((key.as_str(), value));
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(problem) => Err(ContactError::InvalidAttributeValue { key: key.clone(), problem }.to_string()),
        },
    }
}

/// A cell of spaces only (a trailing delimiter, a spreadsheet's empty column).
pub fn is_blank(field: &[u8]) -> bool {
    field.iter().all(u8::is_ascii_whitespace)
}

/// A record of blank cells only: skipped without counting, like an empty line.
pub fn is_blank_record(record: &csv::ByteRecord) -> bool {
    record.iter().all(is_blank)
}

#[cfg(test)]
mod tests {
    use model::contacts::ListStatus;
    use serde_json::json;

    use super::*;

    fn settings() -> ImportSettings {
        ImportSettings {
            columns: vec![
                ColumnTarget::Email,
                ColumnTarget::Name,
                ColumnTarget::Tags,
                ColumnTarget::Attribute { key: "age".into(), kind: AttributeKind::Number },
                ColumnTarget::Attribute { key: "plan".into(), kind: AttributeKind::Text },
                ColumnTarget::Ignore,
            ],
            list_ids: vec![],
            status: ListStatus::Subscribed,
            overwrite: false,
            tags: vec![" imported ".into(), "vip".into()],
        }
    }

    fn plan() -> RowPlan {
        let plan_def = AttributeDefinition {
            key: "plan".into(),
            label: String::new(),
            kind: AttributeKind::List,
            options: vec!["free".into(), "pro".into()],
        };
        RowPlan::new(&settings(), &[plan_def])
    }

    fn record(fields: &[&str]) -> csv::ByteRecord {
        csv::ByteRecord::from(fields.to_vec())
    }

    #[test]
    fn a_good_line_becomes_a_normalised_contact_with_the_extra_tags() {
        let plan = plan();
        let row = plan.check(&record(&["Ann@Example.COM", " Ann Lee ", "vip; news", "42", "pro", "x"])).unwrap();
        assert_eq!(row.email, "ann@example.com");
        assert_eq!(row.name.as_deref(), Some("Ann Lee"));
        assert_eq!(row.tags, vec!["vip", "news", "imported"]);
        assert_eq!(row.attributes, vec![("age", json!(42)), ("plan", json!("pro"))]);
        let row = plan.check(&record(&["b@example.com", "", "", "", "", ""])).unwrap();
        assert_eq!((row.name, row.attributes.len()), (None, 0));
    }

    #[test]
    fn every_problem_of_a_line_is_named() {
        let plan = plan();
        let reason = plan.check(&record(&["not-an-address", "Ann", "", "forty", "gold", ""])).unwrap_err();
        assert!(reason.contains("not a valid email address"), "{reason}");
        assert!(reason.contains("attribute age"), "{reason}");
        assert!(reason.contains("attribute plan"), "{reason}");
        let long = "x".repeat(201);
        assert!(plan.check(&record(&["a@example.com", &long, "", "", "", ""])).unwrap_err().contains("200"));
        let bad_tag = "t".repeat(65);
        assert!(plan.check(&record(&["a@example.com", "", &bad_tag, "", "", ""])).unwrap_err().contains("not a tag"));
    }

    #[test]
    fn the_field_count_must_match_the_header_but_trailing_empty_cells_are_fine() {
        let plan = plan();
        let short = plan.check(&record(&["a@example.com", "Ann"])).unwrap_err();
        assert_eq!(short, "the line has 2 fields where the header has 6");
        assert!(plan.check(&record(&["a@example.com", "", "", "", "", "", " ", ""])).is_ok());
        let long = plan.check(&record(&["a@example.com", "", "", "", "", "", "extra"])).unwrap_err();
        assert_eq!(long, "the line has 7 fields where the header has 6");
    }

    #[test]
    fn bytes_that_are_not_utf8_or_nul_are_refused() {
        let plan = plan();
        let mut latin1 = csv::ByteRecord::new();
        for f in [&b"a@example.com"[..], b"Andr\xe9", b"", b"", b"", b""] {
            latin1.push_field(f);
        }
        assert!(plan.check(&latin1).unwrap_err().contains("UTF-8"));
        assert!(plan.check(&record(&["a@example.com", "A\0", "", "", "", ""])).unwrap_err().contains("NUL"));
        // An ignored column may hold anything.
        let mut ignored = record(&["a@example.com", "", "", "", ""]);
        ignored.push_field(b"\xff\0");
        assert!(plan.check(&ignored).is_ok());
    }
}
