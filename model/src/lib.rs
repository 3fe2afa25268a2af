//! Typed models shared by the browser (wasm) and the server.
//!
//! Everything here compiles to `wasm32-unknown-unknown`: no I/O, no tokio, no sqlx.
//! Validation lives here so the sign-in and set-up forms show the same errors inline
//! that the server enforces.

pub mod admin;
pub mod analytics;
pub mod bounce_policy;
pub mod campaigns;
pub mod contacts;
pub mod deliverability;
pub mod email;
pub mod mail;
pub mod overview;
pub mod paging;
pub mod password;
pub mod templates;
pub mod username;

pub use admin::{AdminAccount, SessionUser, SignInEvent};
pub use overview::{DatabaseHealth, Overview};
pub use paging::{Page, PageRequest, SortDirection};
pub use password::{PasswordProblem, check_password};
pub use username::{UsernameProblem, check_username};
