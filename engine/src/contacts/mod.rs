//! The audience: contacts, lists, custom attributes, saved segments, the suppression list,
//! CSV imports and exports. Segments and every "whole filter result" action compile the
//! shared `model::contacts::SegmentFilter` to parameterised SQL (sea-query), so the count in
//! the builder, the export and the send-time evaluation select the same contacts.

pub mod attributes;
pub mod book;
pub mod bulk;
pub mod domain_scan;
pub mod email;
pub mod error;
pub mod export;
pub mod import;
pub mod lists;
pub mod segment_sql;
pub mod segments;
pub mod selection;
pub mod suppression;

use std::path::PathBuf;

pub use attributes::Attributes;
pub use book::ContactBook;
pub use bulk::apply_bulk;
pub use email::normalize_email;
pub use error::ContactError;
pub use export::Exports;
pub use import::Imports;
pub use lists::Lists;
pub use segments::Segments;
pub use suppression::Suppressions;

/// Shorthand for this module's results.
pub type Result<T, E = ContactError> = std::result::Result<T, E>;

/// Every audience service over one pool, as the admin API, the workers and the CLI use them.
#[derive(Clone, Debug)]
pub struct Audience {
    pub book: ContactBook,
    pub lists: Lists,
    pub attributes: Attributes,
    pub segments: Segments,
    pub suppressions: Suppressions,
    pub imports: Imports,
    pub exports: Exports,
}

impl Audience {
    /// `import_dir` holds uploaded CSV files until their import has run.
    pub fn new(pool: sqlx::PgPool, import_dir: PathBuf) -> Self {
        Self {
            book: ContactBook::new(pool.clone()),
            lists: Lists::new(pool.clone()),
            attributes: Attributes::new(pool.clone()),
            segments: Segments::new(pool.clone()),
            suppressions: Suppressions::new(pool.clone()),
            imports: Imports::new(pool.clone(), import_dir),
            exports: Exports::new(pool),
        }
    }
}
