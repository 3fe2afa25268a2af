//! The mail server as the admin sees it: domains, mailboxes, aliases, alias domains, BCC
//! rules, and the syntax rules for the names they use.
//!
//! Names cross this boundary already normalised by the server (ASCII, lower case, IDN as
//! punycode) together with their Unicode form for display.

pub mod address;
pub mod alias;
pub mod connection;
pub mod domain;
pub mod mailbox;
pub mod quota;

pub use address::{AddressProblem, check_address, check_domain_ascii, check_local_part, split_address};
pub use alias::{Alias, AliasDomain, AliasDomainInput, AliasInput, BccKind, BccRule, BccRuleInput};
pub use connection::{ConnectionSettings, Security, ServiceEndpoint};
pub use domain::{DomainInput, MailDomain};
pub use mailbox::{BatchCreate, CreatedMailbox, ImportReport, ImportRowError, Mailbox, MailboxFilter, MailboxInput};
pub use quota::{format_bytes, parse_size};
