//! Server functions: the admin API. Bodies are thin: check the session, call `engine`,
//! map errors to [`ApiError`]. Origin checks happen before any of them run (server router).

pub mod admins;
pub mod analytics;
pub mod auth;
pub mod campaigns;
pub mod contacts;
pub mod deliverability;
pub mod error;
pub mod mail;
pub mod overview;
#[cfg(feature = "ssr")]
pub mod request;
pub mod sending;
#[cfg(feature = "ssr")]
pub mod state;
pub mod templates;

pub use error::ApiError;
