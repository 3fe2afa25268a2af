//! Which contacts a table, an export or a bulk action is about, and what to do to them.

use serde::{Deserialize, Serialize};

use super::{ListStatus, SegmentFilter};

/// The contacts table's filter: free text (address or name) and an optional segment filter
/// built in the same builder as saved segments.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactQuery {
    pub search: String,
    pub filter: Option<SegmentFilter>,
}

/// The contacts an action applies to: rows ticked on the page, or every contact matching the
/// query (so "select all 240 000" does not send 240 000 ids).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    Ids(Vec<i64>),
    Query(ContactQuery),
    /// A saved segment.
    Segment(i64),
    /// Every contact on a list, any status.
    List(i64),
}

/// A bulk change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    AddTag(String),
    RemoveTag(String),
    /// Adds to a list (existing members keep their status unless `status` is Subscribed and
    /// they had not unsubscribed).
    AddToList {
        list_id: i64,
        status: ListStatus,
    },
    /// Moves from one list to another, keeping the status and consent.
    MoveToList {
        from: i64,
        to: i64,
    },
    RemoveFromList(i64),
    /// Unsubscribes from one list, or from every list when `None`.
    Unsubscribe(Option<i64>),
    Delete,
}

/// How many contacts a bulk action changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub matched: i64,
    pub changed: i64,
}
