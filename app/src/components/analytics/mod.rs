//! The pieces the Overview's "Campaign performance" section and the campaign report share:
//! KPI cards with their definitions, the time-series chart, the per-provider table, the top
//! links and the failure badge of the delivery log. Both pages feed them an
//! `AnalyticsReport`, so a figure means the same thing wherever it is shown.

pub mod failure_badge;
pub mod kpi;
pub mod provider_table;
pub mod series_chart;
pub mod top_links;

pub use failure_badge::FailureBadge;
pub use kpi::KpiCards;
pub use provider_table::ProviderTable;
pub use series_chart::SeriesChart;
pub use top_links::TopLinks;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::url_filter::encode_query;

/// Replaces several URL query keys at once (one navigation, so none of the changes is lost;
/// an empty value removes its key), without a new history entry: the dashboards' filters,
/// sort and page live in the URL like the list pages'.
pub fn set_query_values(changes: &[(&str, String)]) {
    let query = use_query_map().get_untracked();
    let mut pairs: Vec<(String, String)> = query
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .filter(|(k, _)| !changes.iter().any(|(c, _)| *c == k.as_str()))
        .collect();
    pairs.extend(changes.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_owned(), v.clone())));
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode_query(k), encode_query(v))).collect();
    let href = if encoded.is_empty() { "?".to_owned() } else { format!("?{}", encoded.join("&")) };
    use_navigate()(&href, NavigateOptions { replace: true, scroll: false, ..Default::default() });
}

/// "12.3 %" (two decimals under 1 %, where complaint rates live), or "—" when the rate has
/// no denominator yet.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        None => "—".to_owned(),
        Some(r) => {
            let p = r * 100.0;
            if p > 0.0 && p < 1.0 { format!("{p:.2} %") } else { format!("{p:.1} %") }
        }
    }
}

/// The classes of an ⓘ tooltip: hidden until its trigger (the `group`) is hovered or focused.
pub const TOOLTIP: &str = "pointer-events-none invisible absolute left-1/2 top-full z-30 mt-2 w-72 -translate-x-1/2 \
    rounded-lg bg-slate-900 px-3 py-2 text-left text-xs font-normal normal-case leading-snug tracking-normal text-white \
    opacity-0 shadow-lg transition-opacity group-hover:visible group-hover:opacity-100 group-focus-within:visible \
    group-focus-within:opacity-100 dark:bg-slate-700";

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_keep_small_rates_readable() {
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(0.25)), "25.0 %");
        assert_eq!(percent(Some(0.0008)), "0.08 %");
        assert_eq!(percent(Some(0.0)), "0.0 %");
    }
}
