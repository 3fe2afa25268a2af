//! The KPI cards: sent, delivered, deliverability, bounces, opens, clicks, click-to-open,
//! unsubscribes and complaints, each with an ⓘ whose tooltip gives the exact formula
//! (`Metric::definition`), because "open rate" means different things in different tools.

use leptos::prelude::*;
use model::analytics::{Metric, Totals};

use super::{TOOLTIP, percent};
use crate::pages::contacts::thousands;

/// The cards, in the order they are shown.
const CARDS: [Metric; 9] = [
    Metric::Sent,
    Metric::Delivered,
    Metric::DeliverabilityRate,
    Metric::BounceRate,
    Metric::OpenRate,
    Metric::ClickRate,
    Metric::ClickToOpen,
    Metric::UnsubscribeRate,
    Metric::ComplaintRate,
];

/// The row of KPI cards for `totals`.
#[component]
pub fn KpiCards(#[prop(into)] totals: Signal<Totals>) -> impl IntoView {
    view! {
        <dl class="grid gap-3 sm:grid-cols-3 xl:grid-cols-5" data-testid="kpi-cards">
            {CARDS.into_iter().map(|metric| view! { <KpiCard metric=metric totals=totals /> }).collect_view()}
        </dl>
    }
}

/// One card: label with its definition, the figure, and the counts behind it.
#[component]
fn KpiCard(metric: Metric, totals: Signal<Totals>) -> impl IntoView {
    let key = metric.key();
    let tip = format!("kpi-tip-{key}");
    let raw = move || totals.with(|t| t.value(metric).map(|v| v.to_string()).unwrap_or_default());
    view! {
        <div data-testid=format!("kpi-{key}") data-value=raw
            class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <dt class="flex items-center gap-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
                {metric.label()}
                <span class="group relative inline-flex">
                    <button type="button" data-testid=format!("kpi-info-{key}") aria-describedby=tip.clone()
                        aria-label=format!("How “{}” is computed", metric.label())
                        class="inline-flex h-4 w-4 cursor-help items-center justify-center rounded-full text-[12px] leading-none text-slate-400 hover:text-indigo-600 focus:text-indigo-600 dark:hover:text-indigo-300 dark:focus:text-indigo-300">
                        {crate::components::icons::info()}
                    </button>
                    <span role="tooltip" id=tip class=TOOLTIP>{metric.definition()}</span>
                </span>
            </dt>
            <dd class="mt-1 text-2xl font-semibold tabular-nums tracking-tight text-slate-900 dark:text-white"
                data-testid=format!("kpi-value-{key}")>
                {move || totals.with(|t| value_text(metric, t))}
            </dd>
            <dd class="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{move || totals.with(|t| detail_text(metric, t))}</dd>
        </div>
    }
}

/// The big figure of a card.
pub fn value_text(metric: Metric, t: &Totals) -> String {
    match metric {
        Metric::Sent => thousands(t.submitted),
        // Without delivery reports "0 delivered" would read as a disaster; it is unknown.
        Metric::Delivered if t.delivered == 0 && t.submitted > 0 => "—".to_owned(),
        Metric::Delivered => thousands(t.delivered),
        _ => percent(t.value(metric)),
    }
}

/// The line under the figure: the counts it was computed from.
pub fn detail_text(metric: Metric, t: &Totals) -> String {
    match metric {
        Metric::Sent if t.failed > 0 => format!("accepted by the relay · {} refused", thousands(t.failed)),
        Metric::Sent => "accepted by the relay".to_owned(),
        Metric::Delivered if t.delivered == 0 && t.submitted > 0 => {
            format!("no delivery reports yet · {} accepted", thousands(t.accepted()))
        }
        Metric::Delivered => format!("of {} accepted", thousands(t.accepted())),
        Metric::DeliverabilityRate => "delivered ÷ accepted".to_owned(),
        Metric::BounceRate | Metric::HardBounceRate | Metric::SoftBounceRate => {
            format!("hard {} · soft {}", percent(t.hard_bounce_rate()), percent(t.soft_bounce_rate()))
        }
        Metric::OpenRate | Metric::MachineOpenShare => format!(
            "{} unique human · machine {} of opens",
            thousands(t.unique_opens_human),
            percent(t.machine_open_share())
        ),
        Metric::ClickRate => format!("{} unique human clicks", thousands(t.unique_clicks_human)),
        Metric::ClickToOpen => "human clicks ÷ human opens".to_owned(),
        Metric::UnsubscribeRate => format!("{} unsubscribed", thousands(t.unsubscribed)),
        Metric::ComplaintRate => format!("{} complaints", thousands(t.complained)),
    }
}
