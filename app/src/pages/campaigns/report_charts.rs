//! The campaign report's performance section: KPI cards, the activity chart (hour by hour for
//! the first days of the campaign), the per-provider table and the top links, read from the
//! rollups. While the campaign is sending it refreshes itself every 10 s.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use model::analytics::{AnalyticsFilter, Granularity};

use crate::api::analytics::load_analytics;
use crate::components::analytics::{KpiCards, ProviderTable, SeriesChart, TopLinks};
use crate::pages::deliverability::load_error;
use crate::pages::overview::now;

/// How often the figures are reloaded while the campaign is sending.
const POLL: Duration = Duration::from_secs(10);

/// The range of a campaign's report: from the hour it started until the current hour
/// (at least a day, so a new campaign's chart is not one point).
pub fn campaign_range(started: Option<DateTime<Utc>>, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = Granularity::Hour.next(Granularity::Hour.truncate(now));
    let start = Granularity::Hour.truncate(started.unwrap_or(now)).min(end - chrono::Duration::hours(24));
    (start, end)
}

/// Performance of one campaign since it started.
#[component]
pub fn CampaignAnalytics(
    campaign_id: i64,
    /// When sending started (`None`: the last day).
    started: Option<DateTime<Utc>>,
    /// Whether the campaign is sending right now (the figures then follow it).
    #[prop(into)]
    sending: Signal<bool>,
) -> impl IntoView {
    let poll = RwSignal::new(0u32);
    let report = Resource::new(
        move || poll.get(),
        move |_| async move {
            let (from, to) = campaign_range(started, now());
            load_analytics(AnalyticsFilter { from, to, campaign_id: Some(campaign_id), sender_domain: None }).await
        },
    );
    // Effects run only in the browser, so no timer exists on the server.
    let poller = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| {
        let live = sending.get();
        match poller.get_value() {
            None if live => {
                let reload = move || {
                    let _ = poll.try_update(|n| *n = n.wrapping_add(1));
                };
                poller.set_value(set_interval_with_handle(reload, POLL).ok());
            }
            Some(handle) if !live => {
                handle.clear();
                poller.set_value(None);
                // One last read, so the figures include the end of the send.
                poll.update(|n| *n = n.wrapping_add(1));
            }
            _ => {}
        }
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = poller.try_get_value() {
            handle.clear();
        }
    });
    let skeleton = || {
        view! {
            <div class="grid gap-3 sm:grid-cols-3 xl:grid-cols-5">
                {(0..5).map(|_| view! { <div class="h-24 animate-pulse rounded-xl bg-slate-200/60 dark:bg-slate-800"></div> }).collect_view()}
            </div>
        }
    };
    view! {
        <section class="space-y-4" data-testid="campaign-analytics" aria-labelledby="campaign-analytics-heading">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="campaign-analytics-heading" class="text-base font-semibold">"Performance"</h2>
                <span class="text-xs text-slate-500 dark:text-slate-400">"Opens and clicks by people; machine opens counted apart"</span>
            </div>
            <Transition fallback=skeleton>
                {move || report.get().map(|r| match r {
                    Ok(rep) => view! {
                        <div class="space-y-6">
                            <KpiCards totals=rep.totals />
                            <SeriesChart id="campaign-series-chart" series=rep.series granularity=rep.granularity />
                            <div class="grid gap-6 2xl:grid-cols-2">
                                <ProviderTable rows=rep.providers />
                                <TopLinks links=rep.top_links />
                            </div>
                        </div>
                    }
                    .into_any(),
                    Err(e) => load_error(&e),
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_campaign_report_covers_its_start_to_now_and_at_least_a_day() {
        let t = |d, h, m| Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).single().expect("valid date");
        assert_eq!(campaign_range(Some(t(10, 9, 30)), t(12, 14, 5)), (t(10, 9, 0), t(12, 15, 0)));
        assert_eq!(campaign_range(Some(t(12, 13, 0)), t(12, 14, 5)), (t(11, 15, 0), t(12, 15, 0)));
        assert_eq!(campaign_range(None, t(12, 14, 5)).1, t(12, 15, 0));
    }
}
