//! The audience side of campaigns: contacts, their lists and the segments that select them.
//! Only the typed segment filter is here so far (shared by the segment builder in the browser
//! and the SQL compiler in the engine, so both accept exactly the same filters).

pub mod segment;

pub use segment::{AttributeOp, AttributeValue, ListStatus, SegmentFilter, SegmentProblem, TagMode, TimeWindow};
