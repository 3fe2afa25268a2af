//! Admin authentication: accounts, password hashes, sessions and sign-in throttling.

pub mod admins;
pub mod password_hash;
pub mod policy;
pub mod sessions;
pub mod sign_in;
pub mod sign_in_log;
pub mod throttle;

pub use admins::{AdminAccounts, AdminError};
pub use policy::AuthPolicy;
pub use sessions::{NewSession, SessionStore};
pub use sign_in::{Authenticator, SignInError};
pub use sign_in_log::SignInLog;
pub use throttle::LoginThrottle;
