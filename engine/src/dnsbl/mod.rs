//! Blocklist (DNSBL) scans: every sending IP and every hosted domain is looked up on each
//! enabled list, in parallel with a bound, so a listing is noticed the day it happens and the
//! admin gets the list's name, the date and the page to request removal.

pub mod alerts;
pub mod catalog;
pub mod lists;
pub mod query;
pub mod scan;

pub use alerts::AlertMailer;
pub use catalog::{BlocklistSpec, DEFAULT_LISTS, ListKind};
pub use lists::Blocklists;
pub use query::{QueryOutcome, query_name};
pub use scan::DnsblScanner;
