//! The bounce parser alone, compiled from the engine's sources so the fuzz build does not
//! pull in the whole `engine` crate (database, SMTP, DKIM, …).

#[path = "../../src/bounces/mod.rs"]
pub mod bounces;
