//! A segment as a typed filter tree: conditions on list membership, tags, custom attributes,
//! the email domain, dates and engagement, combined with AND/OR/NOT. The engine compiles it to
//! parameterised SQL; this module decides which trees are valid, with messages for the builder.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Deepest nesting of AND/OR/NOT the builder offers (and the compiler accepts).
pub const MAX_DEPTH: usize = 8;
/// Most conditions in one segment: beyond that a list or a tag is the better tool.
pub const MAX_CONDITIONS: usize = 100;

/// A contact's status on one list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListStatus {
    Unconfirmed,
    Subscribed,
    Unsubscribed,
}

/// How a set of tags must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagMode {
    /// At least one of the tags.
    Any,
    /// Every one of the tags.
    All,
    /// None of the tags.
    None,
}

/// Comparison of a custom attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Contains,
    Exists,
    In,
}

/// A typed value to compare an attribute with (the builder knows each attribute's type).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum AttributeValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Boolean(bool),
    List(Vec<String>),
}

/// A window of time relative to "now" at evaluation (send) time, or fixed dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeWindow {
    WithinDays(u32),
    OlderThanDays(u32),
    Between { from: NaiveDate, to: NaiveDate },
}

/// One node of a segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentFilter {
    /// Every child matches.
    And(Vec<SegmentFilter>),
    /// At least one child matches.
    Or(Vec<SegmentFilter>),
    Not(Box<SegmentFilter>),
    /// On the list, with that status when given.
    OnList {
        list_id: i64,
        status: Option<ListStatus>,
    },
    Tags {
        mode: TagMode,
        tags: Vec<String>,
    },
    Attribute {
        key: String,
        op: AttributeOp,
        value: Option<AttributeValue>,
    },
    /// The address's domain is one of these (lower case, ASCII).
    EmailDomain(Vec<String>),
    Created(TimeWindow),
    LastActivity(TimeWindow),
    /// Opened at least one of the installation's `campaigns` most recently sent campaigns
    /// ("engaged lately"; per-contact sends arrive with the delivery ledger).
    OpenedAnyOfLast {
        campaigns: u32,
    },
    NeverClicked,
    HardBounced,
}

/// Why a segment cannot be saved; shown in the builder.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum SegmentProblem {
    #[error("a group needs at least one condition")]
    EmptyGroup,
    #[error("conditions may be nested at most {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("a segment may have at most {MAX_CONDITIONS} conditions")]
    TooManyConditions,
    #[error("pick at least one tag")]
    NoTags,
    #[error("{0:?} is not an attribute name (letters, digits and _, up to 64)")]
    AttributeName(String),
    #[error("{op} needs {needs}")]
    ValueMismatch { op: &'static str, needs: &'static str },
    #[error("{0:?} is not a domain")]
    Domain(String),
    #[error("the window must be at least 1 day, with the start not after the end")]
    Window,
    #[error("count the last 1 to 1000 campaigns")]
    CampaignCount,
}

impl ListStatus {
    /// The value stored in `list_membership.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "unconfirmed",
            Self::Subscribed => "subscribed",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    /// Reads a stored status.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unconfirmed" => Some(Self::Unconfirmed),
            "subscribed" => Some(Self::Subscribed),
            "unsubscribed" => Some(Self::Unsubscribed),
            _ => None,
        }
    }
}

impl AttributeOp {
    /// How the builder names the operator.
    pub fn label(self) -> &'static str {
        match self {
            Self::Eq => "is",
            Self::Ne => "is not",
            Self::Lt => "is less than",
            Self::Gt => "is greater than",
            Self::Contains => "contains",
            Self::Exists => "is set",
            Self::In => "is one of",
        }
    }
}

fn check_value(op: AttributeOp, value: Option<&AttributeValue>) -> Result<(), SegmentProblem> {
    use AttributeValue as V;
    let mismatch = |needs| Err(SegmentProblem::ValueMismatch { op: op.label(), needs });
    match (op, value) {
        (AttributeOp::Exists, None) => Ok(()),
        (AttributeOp::Exists, Some(_)) => mismatch("no value"),
        (_, None) => mismatch("a value"),
        (AttributeOp::Lt | AttributeOp::Gt, Some(V::Number(n))) if n.is_finite() => Ok(()),
        (AttributeOp::Lt | AttributeOp::Gt, Some(V::Date(_))) => Ok(()),
        (AttributeOp::Lt | AttributeOp::Gt, _) => mismatch("a number or a date"),
        (AttributeOp::Contains, Some(V::Text(t))) if !t.is_empty() => Ok(()),
        (AttributeOp::Contains, _) => mismatch("some text"),
        (AttributeOp::In, Some(V::List(items))) if !items.is_empty() => Ok(()),
        (AttributeOp::In, _) => mismatch("a list of values"),
        (AttributeOp::Eq | AttributeOp::Ne, Some(V::Number(n))) if !n.is_finite() => mismatch("a finite number"),
        (AttributeOp::Eq | AttributeOp::Ne, Some(V::List(_))) => mismatch("a single value"),
        (AttributeOp::Eq | AttributeOp::Ne, Some(_)) => Ok(()),
    }
}

fn check_window(window: &TimeWindow) -> Result<(), SegmentProblem> {
    match window {
        TimeWindow::WithinDays(0) | TimeWindow::OlderThanDays(0) => Err(SegmentProblem::Window),
        TimeWindow::Between { from, to } if from > to => Err(SegmentProblem::Window),
        _ => Ok(()),
    }
}

impl SegmentFilter {
    /// Checks the whole tree: structure limits and every condition's own rules.
    pub fn validate(&self) -> Result<(), SegmentProblem> {
        if self.depth() > MAX_DEPTH {
            return Err(SegmentProblem::TooDeep);
        }
        if self.condition_count() > MAX_CONDITIONS {
            return Err(SegmentProblem::TooManyConditions);
        }
        self.check_node()
    }

    fn check_node(&self) -> Result<(), SegmentProblem> {
        match self {
            Self::And(children) | Self::Or(children) => {
                if children.is_empty() {
                    return Err(SegmentProblem::EmptyGroup);
                }
                children.iter().try_for_each(Self::check_node)
            }
            Self::Not(inner) => inner.check_node(),
            Self::OnList { .. } | Self::NeverClicked | Self::HardBounced => Ok(()),
            Self::Tags { tags, .. } if tags.iter().all(|t| t.trim().is_empty()) => Err(SegmentProblem::NoTags),
            Self::Tags { .. } => Ok(()),
            Self::Attribute { key, op, value } => {
                let valid_key =
                    !key.is_empty() && key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid_key {
                    return Err(SegmentProblem::AttributeName(key.clone()));
                }
                check_value(*op, value.as_ref())
            }
            Self::EmailDomain(domains) => {
                if domains.is_empty() {
                    return Err(SegmentProblem::EmptyGroup);
                }
                domains.iter().try_for_each(|d| {
                    crate::mail::check_domain_ascii(d).map(|_| ()).map_err(|_| SegmentProblem::Domain(d.clone()))
                })
            }
            Self::Created(w) | Self::LastActivity(w) => check_window(w),
            Self::OpenedAnyOfLast { campaigns } if (1..=1000).contains(campaigns) => Ok(()),
            Self::OpenedAnyOfLast { .. } => Err(SegmentProblem::CampaignCount),
        }
    }

    /// Nesting depth (a single condition is 1).
    pub fn depth(&self) -> usize {
        match self {
            Self::And(children) | Self::Or(children) => 1 + children.iter().map(Self::depth).max().unwrap_or(0),
            Self::Not(inner) => 1 + inner.depth(),
            _ => 1,
        }
    }

    /// Conditions (leaves) in the tree.
    pub fn condition_count(&self) -> usize {
        match self {
            Self::And(children) | Self::Or(children) => children.iter().map(Self::condition_count).sum(),
            Self::Not(inner) => inner.condition_count(),
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(op: AttributeOp, value: Option<AttributeValue>) -> SegmentFilter {
        SegmentFilter::Attribute { key: "plan".into(), op, value }
    }

    #[test]
    fn a_nested_segment_round_trips_through_json() {
        let segment = SegmentFilter::And(vec![
            SegmentFilter::OnList { list_id: 3, status: Some(ListStatus::Subscribed) },
            SegmentFilter::Or(vec![
                SegmentFilter::Tags { mode: TagMode::Any, tags: vec!["vip".into()] },
                attr(AttributeOp::Gt, Some(AttributeValue::Number(100.0))),
            ]),
            SegmentFilter::Not(Box::new(SegmentFilter::HardBounced)),
            SegmentFilter::LastActivity(TimeWindow::WithinDays(90)),
        ]);
        assert_eq!(segment.validate(), Ok(()));
        assert_eq!((segment.depth(), segment.condition_count()), (3, 5));
        let json = serde_json::to_string(&segment).unwrap();
        assert!(json.contains(r#"{"on_list":{"list_id":3,"status":"subscribed"}}"#), "{json}");
        assert!(json.contains(r#"{"type":"number","value":100.0}"#), "{json}");
        let back: SegmentFilter = serde_json::from_str(&json).unwrap();
        assert_eq!(back, segment);
    }

    #[test]
    fn operators_take_only_values_that_make_sense() {
        use AttributeOp as O;
        use AttributeValue as V;
        assert_eq!(attr(O::Exists, None).validate(), Ok(()));
        assert!(attr(O::Exists, Some(V::Boolean(true))).validate().is_err());
        assert!(attr(O::Eq, None).validate().is_err());
        assert!(attr(O::Lt, Some(V::Text("x".into()))).validate().is_err());
        assert_eq!(attr(O::Lt, Some(V::Date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()))).validate(), Ok(()));
        assert!(attr(O::Gt, Some(V::Number(f64::NAN))).validate().is_err());
        assert!(attr(O::In, Some(V::List(vec![]))).validate().is_err());
        assert_eq!(attr(O::In, Some(V::List(vec!["pro".into()]))).validate(), Ok(()));
        assert!(attr(O::Contains, Some(V::Text(String::new()))).validate().is_err());
        let bad_key = SegmentFilter::Attribute { key: "plan; drop".into(), op: O::Exists, value: None };
        assert_eq!(bad_key.validate(), Err(SegmentProblem::AttributeName("plan; drop".into())));
    }

    #[test]
    fn structure_limits_and_empty_groups_are_refused() {
        assert_eq!(SegmentFilter::And(vec![]).validate(), Err(SegmentProblem::EmptyGroup));
        let mut deep = SegmentFilter::NeverClicked;
        for _ in 0..MAX_DEPTH {
            deep = SegmentFilter::Not(Box::new(deep));
        }
        assert_eq!(deep.validate(), Err(SegmentProblem::TooDeep));
        let wide = SegmentFilter::Or(vec![SegmentFilter::NeverClicked; MAX_CONDITIONS + 1]);
        assert_eq!(wide.validate(), Err(SegmentProblem::TooManyConditions));
    }

    #[test]
    fn domains_windows_and_counts_are_checked() {
        assert!(SegmentFilter::EmailDomain(vec!["gmail.com".into()]).validate().is_ok());
        assert_eq!(
            SegmentFilter::EmailDomain(vec!["not a domain".into()]).validate(),
            Err(SegmentProblem::Domain("not a domain".into()))
        );
        assert_eq!(SegmentFilter::Created(TimeWindow::WithinDays(0)).validate(), Err(SegmentProblem::Window));
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        assert_eq!(
            SegmentFilter::Created(TimeWindow::Between { from: day(5), to: day(2) }).validate(),
            Err(SegmentProblem::Window)
        );
        assert_eq!(SegmentFilter::OpenedAnyOfLast { campaigns: 0 }.validate(), Err(SegmentProblem::CampaignCount));
        assert!(SegmentFilter::Tags { mode: TagMode::None, tags: vec![" ".into()] }.validate().is_err());
    }
}
