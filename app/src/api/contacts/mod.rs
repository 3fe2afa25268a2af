//! Server functions of the audience pages (contacts, lists, attributes, segments, imports,
//! suppression). Every one needs a signed-in admin and takes its input as JSON, so filters and
//! bulk actions stay typed end to end.

#[allow(clippy::module_inception)]
pub mod contacts;
pub mod imports;
pub mod lists;
pub mod segments;
pub mod suppression;
