//! One module per page.

pub mod account;
pub mod admins;
pub mod auth_frame;
pub mod campaigns;
pub mod contacts;
pub mod deliverability;
pub mod format;
pub mod mail;
pub mod not_found;
pub mod overview;
pub mod segments;
pub mod sending;
pub mod sending_bounces;
pub mod setup;
pub mod sign_in;
pub mod suppression;
pub mod templates;
