//! Background housekeeping that keeps the tables small.

use std::time::Duration;

use engine::auth::Authenticator;

/// Every ten minutes: drop dead sessions and sign-in events past retention.
pub fn spawn_housekeeping(auth: Authenticator) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            match auth.sessions.purge_expired().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "expired admin sessions purged"),
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
            if let Err(e) = auth.log.purge_old().await {
                tracing::warn!(error = %e, "sign-in log purge failed");
            }
        }
    })
}
