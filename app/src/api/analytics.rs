//! Campaign analytics: the dashboard (Overview and campaign report), the delivery log and its
//! failure groups. The CSV export of the log is a plain route (`server::http::delivery_export`)
//! so the browser streams it to a file.

use leptos::prelude::*;
use model::analytics::{AnalyticsFilter, AnalyticsReport, DeliveryLogPage, DeliveryLogQuery, DomainGroup, ReasonGroup};
use server_fn::codec::Json;

use crate::api::ApiError;

/// Totals, series, providers and top links for a range, campaign or sender domain.
#[server(endpoint = "analytics/report", input = Json)]
pub async fn load_analytics(filter: AnalyticsFilter) -> Result<AnalyticsReport, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.analytics.report(&filter).await?)
        }
        .await,
    )
}

/// One sorted, filtered page of a campaign's delivery log.
#[server(endpoint = "analytics/delivery-log", input = Json)]
pub async fn load_delivery_log(query: DeliveryLogQuery) -> Result<DeliveryLogPage, ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.analytics.delivery_log(&query).await?)
        }
        .await,
    )
}

/// A campaign's failures grouped by reason and its recipients grouped by domain.
#[server(endpoint = "analytics/failure-groups", input = Json)]
pub async fn load_failure_groups(campaign_id: i64) -> Result<(Vec<ReasonGroup>, Vec<DomainGroup>), ApiError> {
    use crate::api::request::{require_admin, respond, state};
    respond(
        async move {
            require_admin().await?;
            Ok(state()?.analytics.failure_groups(campaign_id).await?)
        }
        .await,
    )
}

/// Analytics refusals: a missing campaign is a 404, a bad filter names the field at fault,
/// database and I/O failures are logged and answered without their details.
#[cfg(feature = "ssr")]
impl From<engine::analytics::AnalyticsError> for ApiError {
    fn from(e: engine::analytics::AnalyticsError) -> Self {
        use engine::analytics::AnalyticsError as A;
        match e {
            A::NotFound(_) => Self::NotFound(format!("{}.", capitalise(&e.to_string()))),
            A::Invalid(message) => Self::invalid("filter", format!("{}.", capitalise(&message))),
            A::Csv(_) | A::Io(_) | A::Database(_) => {
                tracing::error!(error = %e, "analytics");
                Self::Internal("a database error occurred; the details are in the server log".into())
            }
        }
    }
}

/// The message with a capital first letter, read as a sentence in a toast.
#[cfg(feature = "ssr")]
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
