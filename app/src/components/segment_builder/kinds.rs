//! What the builder offers: the kinds of condition with a sensible starting value each, the
//! operators that fit each attribute type, and the problems it explains in words. Pure
//! functions, so the rules are tested without a browser.

use chrono::NaiveDate;
use model::contacts::{
    AttributeDefinition, AttributeKind, AttributeOp, AttributeValue, ListStatus, SegmentFilter, SegmentProblem,
    TagMode, TimeWindow,
};

/// The kind of a leaf condition, as the kind select names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionKind {
    List,
    Tags,
    Attribute,
    Domain,
    Created,
    LastActivity,
    Opened,
    NeverClicked,
    HardBounced,
}

impl ConditionKind {
    /// The kind select's order.
    pub const ALL: [ConditionKind; 9] = [
        Self::List,
        Self::Tags,
        Self::Attribute,
        Self::Domain,
        Self::Created,
        Self::LastActivity,
        Self::Opened,
        Self::NeverClicked,
        Self::HardBounced,
    ];

    /// The select's option value (stable: tests pick kinds by it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "list",
            Self::Tags => "tags",
            Self::Attribute => "attribute",
            Self::Domain => "domain",
            Self::Created => "created",
            Self::LastActivity => "last_activity",
            Self::Opened => "opened",
            Self::NeverClicked => "never_clicked",
            Self::HardBounced => "hard_bounced",
        }
    }

    /// Reads an option value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the select shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::List => "List membership",
            Self::Tags => "Tags",
            Self::Attribute => "Custom attribute",
            Self::Domain => "Email domain",
            Self::Created => "Added",
            Self::LastActivity => "Last activity",
            Self::Opened => "Opened recent campaigns",
            Self::NeverClicked => "Never clicked",
            Self::HardBounced => "Hard-bounced",
        }
    }

    /// The kind of a leaf; `None` for groups and NOT.
    pub fn of(filter: &SegmentFilter) -> Option<Self> {
        Some(match filter {
            SegmentFilter::And(_) | SegmentFilter::Or(_) | SegmentFilter::Not(_) => return None,
            SegmentFilter::OnList { .. } => Self::List,
            SegmentFilter::Tags { .. } => Self::Tags,
            SegmentFilter::Attribute { .. } => Self::Attribute,
            SegmentFilter::EmailDomain(_) => Self::Domain,
            SegmentFilter::Created(_) => Self::Created,
            SegmentFilter::LastActivity(_) => Self::LastActivity,
            SegmentFilter::OpenedAnyOfLast { .. } => Self::Opened,
            SegmentFilter::NeverClicked => Self::NeverClicked,
            SegmentFilter::HardBounced => Self::HardBounced,
        })
    }

    /// A new condition of this kind, valid where possible so the count starts at once.
    pub fn starter(self, first_list: Option<i64>, first_attribute: Option<&AttributeDefinition>) -> SegmentFilter {
        match self {
            Self::List => {
                SegmentFilter::OnList { list_id: first_list.unwrap_or(0), status: Some(ListStatus::Subscribed) }
            }
            Self::Tags => SegmentFilter::Tags { mode: TagMode::Any, tags: Vec::new() },
            Self::Attribute => SegmentFilter::Attribute {
                key: first_attribute.map(|a| a.key.clone()).unwrap_or_default(),
                op: AttributeOp::Exists,
                value: None,
            },
            Self::Domain => SegmentFilter::EmailDomain(Vec::new()),
            Self::Created => SegmentFilter::Created(TimeWindow::WithinDays(30)),
            Self::LastActivity => SegmentFilter::LastActivity(TimeWindow::WithinDays(90)),
            Self::Opened => SegmentFilter::OpenedAnyOfLast { campaigns: 5 },
            Self::NeverClicked => SegmentFilter::NeverClicked,
            Self::HardBounced => SegmentFilter::HardBounced,
        }
    }
}

/// The operators that make sense for an attribute type (the select offers only these).
pub fn ops_for(kind: AttributeKind) -> &'static [AttributeOp] {
    use AttributeOp as O;
    match kind {
        AttributeKind::Text => &[O::Eq, O::Ne, O::Contains, O::In, O::Exists],
        AttributeKind::Number | AttributeKind::Date => &[O::Eq, O::Ne, O::Gt, O::Lt, O::Exists],
        AttributeKind::Boolean => &[O::Eq, O::Ne, O::Exists],
        AttributeKind::List => &[O::Eq, O::Ne, O::In, O::Exists],
    }
}

/// The operator's select value.
pub fn op_key(op: AttributeOp) -> &'static str {
    match op {
        AttributeOp::Eq => "eq",
        AttributeOp::Ne => "ne",
        AttributeOp::Lt => "lt",
        AttributeOp::Gt => "gt",
        AttributeOp::Contains => "contains",
        AttributeOp::Exists => "exists",
        AttributeOp::In => "in",
    }
}

/// Reads an operator's select value.
pub fn parse_op(s: &str) -> Option<AttributeOp> {
    use AttributeOp as O;
    [O::Eq, O::Ne, O::Lt, O::Gt, O::Contains, O::Exists, O::In].into_iter().find(|op| op_key(*op) == s)
}

/// How the operator reads for this type ("is before" for dates).
pub fn op_label(kind: AttributeKind, op: AttributeOp) -> &'static str {
    match (kind, op) {
        (AttributeKind::Date, AttributeOp::Lt) => "is before",
        (AttributeKind::Date, AttributeOp::Gt) => "is after",
        _ => op.label(),
    }
}

/// The typed value for what was typed; `None` when it does not read as that type (the
/// validation then says what the operator needs).
pub fn attribute_value(kind: AttributeKind, op: AttributeOp, raw: &str) -> Option<AttributeValue> {
    let raw = raw.trim();
    match op {
        AttributeOp::Exists => None,
        AttributeOp::In => Some(AttributeValue::List(split_list(raw))),
        _ if raw.is_empty() => None,
        _ => match kind {
            AttributeKind::Text | AttributeKind::List => Some(AttributeValue::Text(raw.to_owned())),
            AttributeKind::Number => raw.parse::<f64>().ok().filter(|n| n.is_finite()).map(AttributeValue::Number),
            AttributeKind::Date => NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().map(AttributeValue::Date),
            AttributeKind::Boolean => match raw {
                "true" => Some(AttributeValue::Boolean(true)),
                "false" => Some(AttributeValue::Boolean(false)),
                _ => None,
            },
        },
    }
}

/// The text an input shows for a stored value (the inverse of [`attribute_value`]).
pub fn value_text(value: Option<&AttributeValue>) -> String {
    match value {
        None => String::new(),
        Some(AttributeValue::Text(t)) => t.clone(),
        Some(AttributeValue::Number(n)) => n.to_string(),
        Some(AttributeValue::Date(d)) => d.format("%Y-%m-%d").to_string(),
        Some(AttributeValue::Boolean(b)) => b.to_string(),
        Some(AttributeValue::List(items)) => items.join(", "),
    }
}

/// The type a stored value was written as, for an attribute that has no definition.
pub fn kind_of_value(value: Option<&AttributeValue>) -> AttributeKind {
    match value {
        Some(AttributeValue::Number(_)) => AttributeKind::Number,
        Some(AttributeValue::Date(_)) => AttributeKind::Date,
        Some(AttributeValue::Boolean(_)) => AttributeKind::Boolean,
        _ => AttributeKind::Text,
    }
}

/// "gmail.com, Yahoo.com ," → ["gmail.com", "yahoo.com"].
pub fn split_domains(raw: &str) -> Vec<String> {
    split_list(raw).into_iter().map(|d| d.to_ascii_lowercase()).collect()
}

/// Comma-separated values, trimmed, without empty ones.
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Why this one condition cannot be used yet, in words fit for the row, or `None`.
pub fn leaf_problem(filter: &SegmentFilter) -> Option<String> {
    match filter {
        SegmentFilter::OnList { list_id, .. } if *list_id <= 0 => Some("Choose a list.".to_owned()),
        SegmentFilter::EmailDomain(domains) if domains.is_empty() => Some("Enter at least one domain.".to_owned()),
        other => other.validate().err().map(|p| sentence(&p)),
    }
}

/// Why the whole filter cannot be counted or saved, or `None`: the structure limits first,
/// then the first condition with a problem, then the first empty group.
pub fn tree_problem(filter: &SegmentFilter) -> Option<String> {
    match filter.validate() {
        Err(p @ (SegmentProblem::TooDeep | SegmentProblem::TooManyConditions)) => Some(sentence(&p)),
        result => first_leaf_problem(filter).or_else(|| result.err().map(|p| sentence(&p))),
    }
}

fn first_leaf_problem(filter: &SegmentFilter) -> Option<String> {
    match filter {
        SegmentFilter::And(children) | SegmentFilter::Or(children) => children.iter().find_map(first_leaf_problem),
        SegmentFilter::Not(inner) => first_leaf_problem(inner),
        leaf => leaf_problem(leaf),
    }
}

/// "pick at least one tag" → "Pick at least one tag.".
pub fn sentence(problem: &SegmentProblem) -> String {
    let text = problem.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_starts_as_a_condition_of_that_kind() {
        for kind in ConditionKind::ALL {
            assert_eq!(ConditionKind::of(&kind.starter(Some(3), None)), Some(kind));
            assert_eq!(ConditionKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ConditionKind::of(&SegmentFilter::And(vec![])), None);
    }

    #[test]
    fn starters_with_a_list_at_hand_are_valid() {
        for kind in [ConditionKind::List, ConditionKind::Created, ConditionKind::Opened, ConditionKind::HardBounced] {
            assert_eq!(leaf_problem(&kind.starter(Some(3), None)), None, "{kind:?}");
        }
        assert_eq!(leaf_problem(&ConditionKind::List.starter(None, None)).as_deref(), Some("Choose a list."));
        assert_eq!(leaf_problem(&ConditionKind::Tags.starter(None, None)).as_deref(), Some("Pick at least one tag."));
    }

    #[test]
    fn typed_text_becomes_a_typed_value_and_back() {
        use AttributeKind as K;
        use AttributeOp as O;
        assert_eq!(attribute_value(K::Number, O::Gt, " 100 "), Some(AttributeValue::Number(100.0)));
        assert_eq!(attribute_value(K::Number, O::Gt, "abc"), None);
        assert_eq!(attribute_value(K::Text, O::Exists, "x"), None);
        assert_eq!(attribute_value(K::Text, O::Eq, "  "), None);
        assert_eq!(attribute_value(K::Boolean, O::Eq, "false"), Some(AttributeValue::Boolean(false)));
        assert_eq!(
            attribute_value(K::List, O::In, "free, pro,"),
            Some(AttributeValue::List(vec!["free".into(), "pro".into()]))
        );
        let date = attribute_value(K::Date, O::Lt, "2026-01-31");
        assert_eq!(value_text(date.as_ref()), "2026-01-31");
        assert_eq!(value_text(Some(&AttributeValue::Number(100.0))), "100");
        assert_eq!(kind_of_value(date.as_ref()), K::Date);
    }

    #[test]
    fn operators_fit_the_attribute_type() {
        assert!(!ops_for(AttributeKind::Boolean).contains(&AttributeOp::Gt));
        assert!(ops_for(AttributeKind::Text).contains(&AttributeOp::Contains));
        for op in ops_for(AttributeKind::Text) {
            assert_eq!(parse_op(op_key(*op)), Some(*op));
        }
        assert_eq!(op_label(AttributeKind::Date, AttributeOp::Lt), "is before");
    }

    #[test]
    fn the_first_problem_is_named_in_words() {
        let f = SegmentFilter::And(vec![
            SegmentFilter::HardBounced,
            SegmentFilter::Or(vec![SegmentFilter::EmailDomain(vec![])]),
            SegmentFilter::Or(vec![]),
        ]);
        assert_eq!(tree_problem(&f).as_deref(), Some("Enter at least one domain."));
        let empty = SegmentFilter::And(vec![SegmentFilter::Or(vec![])]);
        assert_eq!(tree_problem(&empty).as_deref(), Some("A group needs at least one condition."));
        assert_eq!(tree_problem(&SegmentFilter::And(vec![SegmentFilter::NeverClicked])), None);
        assert_eq!(split_domains(" Gmail.com, ,yahoo.com"), vec!["gmail.com", "yahoo.com"]);
    }
}
