//! Saved segments: named filters over the audience, evaluated each time they are used. The
//! list shows each with its last count; the editor builds the filter with the segment
//! builder and counts it live.

pub mod edit;
pub mod list;
mod live_count;

pub use edit::SegmentEditPage;
pub use list::SegmentsPage;
