//! A contact as the admin pages and the API see it, with its custom attributes and timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ListStatus;

/// One person on the audience side. `attributes` is a JSON object whose keys follow the
/// [`AttributeDefinition`]s (other keys are kept and shown as text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// A row of the contacts table: the contact plus how many lists it is subscribed to, so
/// the table needs no second request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub tags: Vec<String>,
    pub subscribed_lists: i64,
    pub suppressed: bool,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// What the contact form sends. Attributes replace the stored object as a whole.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactInput {
    pub email: String,
    pub name: String,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub tags: Vec<String>,
}

/// The contact's place on one list, as shown on its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub list_id: i64,
    pub list_name: String,
    pub status: ListStatus,
    pub consent_at: Option<DateTime<Utc>>,
    pub consent_ip: Option<String>,
    pub consent_source: String,
    pub updated_at: DateTime<Utc>,
}

/// Everything the contact page shows in one request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub contact: Contact,
    pub memberships: Vec<Membership>,
    /// Suppressions that apply to this address (global and per list).
    pub suppressions: Vec<super::Suppression>,
    pub timeline: Vec<TimelineEntry>,
}

/// What happened to a contact. Later parts of the product (sending, tracking, bounces)
/// append to the same timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    Imported,
    Updated,
    Subscribed,
    Confirmed,
    Unsubscribed,
    RemovedFromList,
    Tagged,
    Untagged,
    Suppressed,
    Sent,
    Delivered,
    Opened,
    Clicked,
    SoftBounced,
    HardBounced,
    Complained,
}

impl EventKind {
    /// Every kind, in the order the database CHECK lists them.
    pub const ALL: [EventKind; 17] = [
        Self::Created,
        Self::Imported,
        Self::Updated,
        Self::Subscribed,
        Self::Confirmed,
        Self::Unsubscribed,
        Self::RemovedFromList,
        Self::Tagged,
        Self::Untagged,
        Self::Suppressed,
        Self::Sent,
        Self::Delivered,
        Self::Opened,
        Self::Clicked,
        Self::SoftBounced,
        Self::HardBounced,
        Self::Complained,
    ];

    /// The value stored in `contact_event.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Imported => "imported",
            Self::Updated => "updated",
            Self::Subscribed => "subscribed",
            Self::Confirmed => "confirmed",
            Self::Unsubscribed => "unsubscribed",
            Self::RemovedFromList => "removed_from_list",
            Self::Tagged => "tagged",
            Self::Untagged => "untagged",
            Self::Suppressed => "suppressed",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Opened => "opened",
            Self::Clicked => "clicked",
            Self::SoftBounced => "soft_bounced",
            Self::HardBounced => "hard_bounced",
            Self::Complained => "complained",
        }
    }

    /// Reads a stored kind.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How the timeline says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Added",
            Self::Imported => "Imported",
            Self::Updated => "Updated",
            Self::Subscribed => "Subscribed",
            Self::Confirmed => "Confirmed subscription",
            Self::Unsubscribed => "Unsubscribed",
            Self::RemovedFromList => "Removed from list",
            Self::Tagged => "Tagged",
            Self::Untagged => "Tag removed",
            Self::Suppressed => "Suppressed",
            Self::Sent => "Sent",
            Self::Delivered => "Delivered",
            Self::Opened => "Opened",
            Self::Clicked => "Clicked",
            Self::SoftBounced => "Soft bounce",
            Self::HardBounced => "Hard bounce",
            Self::Complained => "Marked as spam",
        }
    }
}

/// One line of a contact's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub list_name: Option<String>,
    pub campaign_name: Option<String>,
    pub detail: String,
}

/// The type the UI edits an attribute as; values are stored as the matching JSON type
/// (dates as `YYYY-MM-DD` strings, list choices as strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeKind {
    Text,
    Number,
    Date,
    Boolean,
    List,
}

impl AttributeKind {
    pub const ALL: [AttributeKind; 5] = [Self::Text, Self::Number, Self::Date, Self::Boolean, Self::List];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Boolean => "boolean",
            Self::List => "list",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Converts what a person typed (or a CSV cell) into the stored JSON value; `None` for an
    /// empty cell, `Err` with the reason when the text does not fit the type.
    pub fn parse_value(self, raw: &str, options: &[String]) -> Result<Option<serde_json::Value>, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        match self {
            Self::Text => Ok(Some(serde_json::Value::String(raw.to_owned()))),
            Self::Number => raw
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(|n| {
                    // Whole numbers are kept as integers so they print without ".0".
                    if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                        serde_json::Value::from(n.as_f64().map_or(0, |f| f as i64))
                    } else {
                        serde_json::Value::Number(n)
                    }
                })
                .map(Some)
                .ok_or_else(|| format!("{raw:?} is not a number")),
            Self::Date => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|d| Some(serde_json::Value::String(d.format("%Y-%m-%d").to_string())))
                .map_err(|_| format!("{raw:?} is not a date (YYYY-MM-DD)")),
            Self::Boolean => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "y" => Ok(Some(serde_json::Value::Bool(true))),
                "false" | "no" | "0" | "n" => Ok(Some(serde_json::Value::Bool(false))),
                _ => Err(format!("{raw:?} is not yes/no")),
            },
            Self::List if options.is_empty() || options.iter().any(|o| o == raw) => {
                Ok(Some(serde_json::Value::String(raw.to_owned())))
            }
            Self::List => Err(format!("{raw:?} is not one of {}", options.join(", "))),
        }
    }
}

/// A named custom attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDefinition {
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    pub options: Vec<String>,
}

/// Attribute keys: what segments, merge tags and CSV headers can refer to.
pub fn is_attribute_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Tags are trimmed, at most 64 characters, no commas (CSV cells list them with commas).
pub fn normalize_tag(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty() && t.chars().count() <= 64 && !t.contains(',')).then(|| t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_typed_from_text() {
        assert_eq!(AttributeKind::Number.parse_value("42", &[]).unwrap(), Some(serde_json::json!(42)));
        assert_eq!(AttributeKind::Number.parse_value("4.5", &[]).unwrap(), Some(serde_json::json!(4.5)));
        assert!(AttributeKind::Number.parse_value("NaN", &[]).is_err());
        assert_eq!(AttributeKind::Date.parse_value("2026-01-31", &[]).unwrap(), Some(serde_json::json!("2026-01-31")));
        assert!(AttributeKind::Date.parse_value("31/01/2026", &[]).is_err());
        assert_eq!(AttributeKind::Boolean.parse_value("Yes", &[]).unwrap(), Some(serde_json::json!(true)));
        assert_eq!(AttributeKind::Text.parse_value("  ", &[]).unwrap(), None);
        let plans = ["free".to_owned(), "pro".to_owned()];
        assert!(AttributeKind::List.parse_value("pro", &plans).is_ok());
        assert!(AttributeKind::List.parse_value("gold", &plans).is_err());
    }

    #[test]
    fn event_kinds_round_trip_through_their_stored_names() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(normalize_tag(" vip "), Some("vip".to_owned()));
        assert_eq!(normalize_tag("a,b"), None);
        assert!(is_attribute_key("plan_2") && !is_attribute_key("bad-key"));
    }
}
