//! The BillionMail engine: everything the server does that is neither HTTP nor UI.
//!
//! It owns the database (connection, embedded cluster, migrations) and the admin
//! authentication rules. The `app` server functions and the `server` binary call into it;
//! it never depends on them, so every rule here is testable without a browser.

pub mod analytics;
pub mod auth;
pub mod bounces;
pub mod campaign_fixture;
pub mod campaigns;
pub mod contacts;
pub mod db;
pub mod deliverability;
pub mod dnsbl;
pub mod error;
pub mod inbound;
pub mod key_files;
pub mod mail;
pub mod overview;
pub mod templates;
pub mod testing;
pub mod tls;
pub mod tracking;

pub use error::{EngineError, Result};
