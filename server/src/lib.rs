//! The `billionmail` server as a library, so integration tests can build the same router
//! and configuration the binary uses.

// Leptos view types nest deeply in release builds (no type erasure there).
#![recursion_limit = "256"]

pub mod admin_cli;
pub mod bounce_cli;
pub mod cli;
pub mod config;
pub mod database;
pub mod dns_cli;
pub mod http;
pub mod logging;
pub mod mail_cli;
pub mod serve;
pub mod tls;
pub mod workers;

use engine::auth::AuthPolicy;

/// The sign-in rules with the configured session lifetimes.
pub fn auth_policy(config: &config::Config) -> AuthPolicy {
    AuthPolicy { session_lifetime: config.session_lifetime, idle_timeout: config.session_idle, ..AuthPolicy::default() }
}
