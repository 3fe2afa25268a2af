//! TLS certificates per host name. The admin (web) host gets its certificate in-process
//! over ACME TLS-ALPN-01 ([`admin_acme_state`], cached in the database by [`DbCertCache`]);
//! mail hosts get theirs over HTTP-01 ([`AcmeIssuer`], tokens served from
//! [`Http01Challenges`]) and exported as PEM files for Postfix and Dovecot
//! ([`Certificates`]). The admin may upload a certificate of their own for any host instead.
//! Only the ring crypto provider is used (no aws-lc).

pub mod acme_http01;
pub mod admin_cache;
pub mod certificates;
pub mod pem;

pub use self::acme_http01::{AcmeIssuer, Http01Challenges};
pub use self::admin_cache::{AdminAcmeState, DbCertCache, admin_acme_state};
pub use self::certificates::{Certificates, PURPOSE_ADMIN, PURPOSE_MAIL, RETRY_BACKOFF};
pub use self::pem::{ParsedChain, check_key_matches, covers, parse_chain};
