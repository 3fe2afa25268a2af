//! Server functions of the mail server pages. Every one needs a signed-in admin and takes
//! its input as JSON (nested forms such as alias targets stay typed end to end).

pub mod aliases;
pub mod domains;
pub mod mailboxes;
