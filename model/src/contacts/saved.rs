//! Saved segments: a named filter, evaluated each time it is used.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SegmentFilter;

/// A segment in the segment list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSegment {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub filter: SegmentFilter,
    pub last_count: Option<i64>,
    pub counted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// The segment form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentInput {
    pub name: String,
    pub description: String,
    pub filter: SegmentFilter,
}

/// A live count for the builder: how many match, how many of those can be sent to, and how
/// long the database took (shown so a slow filter is noticed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    pub matching: i64,
    /// Matching contacts that are not suppressed globally.
    pub sendable: i64,
    pub millis: u64,
}
