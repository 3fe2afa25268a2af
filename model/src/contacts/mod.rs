//! The audience side of campaigns: contacts, lists, tags, custom attributes, segments,
//! imports and the suppression list. The types are shared by the admin pages (wasm) and the
//! engine, so both accept exactly the same filters, mappings and actions.

pub mod bulk;
pub mod contact;
pub mod email;
pub mod import;
pub mod lists;
pub mod saved;
pub mod segment;
pub mod suppression;

pub use bulk::{BulkAction, BulkOutcome, ContactQuery, Selection};
pub use contact::{
    AttributeDefinition, AttributeKind, Contact, ContactDetail, ContactInput, ContactRow, EventKind, Membership,
    TimelineEntry, is_attribute_key, normalize_tag,
};
pub use email::{email_domain, normalize_contact_email};
pub use import::{ColumnTarget, ImportJob, ImportPreview, ImportRowError, ImportSettings, ImportState};
pub use lists::{ContactList, ListInput, OptIn, Visibility};
pub use saved::{SavedSegment, SegmentCount, SegmentInput};
pub use segment::{AttributeOp, AttributeValue, ListStatus, SegmentFilter, SegmentProblem, TagMode, TimeWindow};
pub use suppression::{
    DomainVerdict, InvalidDomain, InvalidDomainAction, ScanSummary, Suppression, SuppressionAdded, SuppressionFilter,
    SuppressionReason, split_addresses,
};
