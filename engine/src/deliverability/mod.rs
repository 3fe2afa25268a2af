//! Deliverability: the DNS records each domain needs and their live status, DKIM key
//! rotation, and the policy choices behind the records. Blocklist scans live in
//! [`crate::dnsbl`], certificates in [`crate::tls`].

pub mod checks;
pub mod dkim_rotation;
pub mod error;
pub mod policy;
pub mod resolver;
pub mod spf_eval;
pub mod verifier;

pub use dkim_rotation::{DEFAULT_GRACE_DAYS, DkimRotation};
pub use error::DeliverabilityError;
pub use resolver::{DnsAnswer, DnsResolver, ResolverChoice};
pub use verifier::DnsVerifier;

use model::deliverability::DnsPolicy;
use sqlx::PgPool;

/// Everything the DNS page and the background checks use, over one pool and one resolver.
#[derive(Clone, Debug)]
pub struct Deliverability {
    pool: PgPool,
    pub verifier: DnsVerifier,
    pub rotation: DkimRotation,
}

impl Deliverability {
    /// Bundles the services.
    pub fn new(pool: PgPool, verifier: DnsVerifier, rotation: DkimRotation) -> Self {
        Self { pool, verifier, rotation }
    }

    /// The resolver the checks use, shared with other DNS work (the audience domain scan).
    pub fn resolver(&self) -> &DnsResolver {
        self.verifier.resolver()
    }

    async fn domain_id(&self, domain: &str) -> Result<i64, DeliverabilityError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM mail_domain WHERE name = lower($1)")
            .bind(domain)
            .fetch_optional(&self.pool)
            .await?;
        id.ok_or_else(|| DeliverabilityError::DomainNotFound(domain.to_owned()))
    }

    /// Stores the admin's policy choices for `domain`.
    pub async fn save_policy(&self, domain: &str, policy: &DnsPolicy) -> Result<DnsPolicy, DeliverabilityError> {
        let id = self.domain_id(domain).await?;
        policy::save(&self.pool, id, policy).await
    }

    /// Starts a DKIM rotation for `domain`.
    pub async fn start_rotation(
        &self,
        domain: &str,
        algorithm: model::deliverability::DkimAlgorithm,
        grace_days: u32,
    ) -> Result<model::deliverability::DkimKeyInfo, DeliverabilityError> {
        let id = self.domain_id(domain).await?;
        self.rotation.start(id, algorithm, grace_days).await
    }

    /// Switches `domain` to its pending key (`force` skips the DNS check).
    pub async fn switch_key(
        &self,
        domain: &str,
        force: bool,
    ) -> Result<model::deliverability::DkimKeyInfo, DeliverabilityError> {
        let id = self.domain_id(domain).await?;
        self.rotation.switch(id, force).await
    }

    /// Abandons the pending key of `domain`.
    pub async fn cancel_rotation(&self, domain: &str) -> Result<(), DeliverabilityError> {
        let id = self.domain_id(domain).await?;
        self.rotation.cancel(id).await
    }
}
