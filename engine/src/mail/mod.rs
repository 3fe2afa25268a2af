//! The mail server's data: domains, mailboxes, aliases, alias domains, BCC rules and DKIM
//! keys. Postfix and Dovecot read the result through the `mail_*` SQL views
//! (migrations/0002), so every rule that keeps those views sane — no loops, no duplicate
//! addresses, limits respected — is enforced here, in one transaction per change.

pub mod alias_domains;
pub mod aliases;
pub mod bcc;
pub mod connection;
pub mod daemon_role;
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

/// Every mail-server service over one pool, as the admin API and the CLI use them.
#[derive(Clone, Debug)]
pub struct MailAdmin {
    pub domains: MailDomains,
    pub mailboxes: Mailboxes,
    pub aliases: Aliases,
    pub alias_domains: AliasDomains,
    pub bcc: BccRules,
    pub dkim: DkimKeys,
    pub endpoints: MailEndpoints,
}

impl MailAdmin {
    /// `dkim` is the key directory Rspamd reads; `endpoints` what clients connect to.
    pub fn new(pool: sqlx::PgPool, dkim: DkimKeys, endpoints: MailEndpoints) -> Self {
        Self {
            domains: MailDomains::new(pool.clone(), dkim.clone()),
            mailboxes: Mailboxes::new(pool.clone()),
            aliases: Aliases::new(pool.clone()),
            alias_domains: AliasDomains::new(pool.clone()),
            bcc: BccRules::new(pool),
            dkim,
            endpoints,
        }
    }
}
