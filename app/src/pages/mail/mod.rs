//! The mail server pages: Domains, Mailboxes, Aliases & forwards.

pub mod aliases;
pub mod connection_card;
pub mod domain_form;
pub mod domains;
pub mod mailbox_forms;
pub mod mailboxes;
pub mod widgets;
