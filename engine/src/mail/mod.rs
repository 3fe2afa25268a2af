//! The mail server's data: domains, mailboxes, aliases, alias domains, BCC rules and DKIM
//! keys. Postfix and Dovecot read the result through the `mail_*` SQL views
//! (migrations/0002), so every rule that keeps those views sane — no loops, no duplicate
//! addresses, limits respected — is enforced here, in one transaction per change.

pub mod alias_domains;
pub mod aliases;
pub mod bcc;
pub mod connection;
pub mod dkim_keys;
pub mod dkim_verify;
pub mod domains;
pub mod error;
pub mod mailbox_csv;
pub mod mailboxes;
pub mod names;
pub mod password;

pub use alias_domains::AliasDomains;
pub use aliases::Aliases;
pub use bcc::BccRules;
pub use connection::MailEndpoints;
pub use dkim_keys::DkimKeys;
pub use domains::MailDomains;
pub use error::MailError;
pub use mailboxes::Mailboxes;

/// Role addresses every mail domain gets (RFC 2142: postmaster for SMTP, abuse for
/// complaints). They deliver to the domain's first mailbox until the admin changes them.
pub const ROLE_LOCAL_PARTS: &[&str] = &["postmaster", "abuse"];
