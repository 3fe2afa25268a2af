//! Overview: how campaigns perform, is everything healthy, and who has been signing in.
//!
//! The "Campaign performance" section reads the analytics rollups for a date range (presets
//! or custom days), optionally one sender domain or one campaign; its choices live in the URL
//! query like the list pages' filters, so a reload or a shared link shows the same figures.
//! While a campaign is sending it refreshes itself every 10 s (rollups make that cheap).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use model::analytics::{AnalyticsFilter, AnalyticsReport, RangePreset};
use model::{Overview, SignInEvent, SortDirection};

use super::format;
use crate::api::ApiError;
use crate::api::analytics::load_analytics;
use crate::api::overview::{load_overview, sign_in_log};
use crate::components::analytics::{KpiCards, ProviderTable, SeriesChart, TopLinks, set_query_values};
use crate::components::data_table::{Column, DataTable, TableQuery};
use crate::components::icons;
use crate::components::url_filter::{query_value, set_query_value};
use crate::pages::deliverability::load_error;

/// How often the figures are reloaded while a campaign is sending.
const POLL: Duration = Duration::from_secs(10);
/// The pickers and date inputs.
const SELECT: &str = "block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900";
/// A range button, and the chosen one.
const RANGE: &str = "rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white";
const RANGE_ACTIVE: &str =
    "rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-900 shadow-sm dark:bg-slate-900 dark:text-white";

/// Health cards, a 24-hour sign-in chart and the sign-in log.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_overview());
    let query = TableQuery::new("log_", "at", SortDirection::Descending, 10);
    let log = Resource::new(move || query.request(), |r| sign_in_log(r.page, r.per_page, r.sort, r.direction));
    let columns = vec![
        Column::new("at", "When", |e: &SignInEvent| format::timestamp(&e.at).into_any()).sortable(),
        Column::new("username", "Username", |e: &SignInEvent| {
            view! { <span class="font-medium">{e.username.clone()}</span> }.into_any()
        })
        .sortable(),
        Column::new("ip", "Address", |e: &SignInEvent| {
            view! { <span class="font-mono text-xs">{e.ip.clone()}</span> }.into_any()
        })
        .sortable(),
        Column::new("succeeded", "Result", |e: &SignInEvent| {
            if e.succeeded {
                view! { <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-300">"Signed in"</span> }.into_any()
            } else {
                view! { <span class="rounded-full bg-rose-100 px-2 py-0.5 text-xs font-medium text-rose-700 dark:bg-rose-500/10 dark:text-rose-300">{format!("Refused: {}", e.reason)}</span> }.into_any()
            }
        })
        .sortable(),
    ];
    view! {
        <Title text="Overview · BillionMail" />
        <div class="space-y-8">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Overview"</h1>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"How your campaigns perform, the health of this server and recent admin activity."</p>
            </div>
            <CampaignPerformance />
            <Transition fallback=|| view! { <div class="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">{(0..4).map(|_| view! { <div class="h-32 animate-pulse rounded-xl bg-slate-200/60 dark:bg-slate-800"></div> }).collect_view()}</div> }>
                {move || data.get().map(|r| match r {
                    Ok(o) => view! { <Cards o=o.clone() /> <SignInChart hours=o.sign_ins_by_hour /> }.into_any(),
                    Err(e) => view! { <p class="rounded-lg bg-rose-50 p-4 text-sm text-rose-700 dark:bg-rose-950 dark:text-rose-200">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <section class="space-y-3">
                <div class="flex items-baseline justify-between">
                    <h2 class="text-lg font-semibold">"Sign-in activity"</h2>
                    <span class="text-xs text-slate-500 dark:text-slate-400">"Times are UTC"</span>
                </div>
                <DataTable caption="Sign-in attempts" columns=columns query=query data=log
                    empty_title="No sign-in attempts yet"
                    empty_hint="Every sign-in to this admin, successful or not, will be listed here with its address." />
            </section>
        </div>
    }
}

#[component]
fn Cards(o: Overview) -> impl IntoView {
    let db = o.database.clone();
    let db_status = if db.reachable {
        view! { <span class="inline-flex items-center gap-1.5 text-emerald-600 dark:text-emerald-400"><span class="h-2 w-2 rounded-full bg-emerald-500"></span>"Reachable"</span> }.into_any()
    } else {
        view! { <span class="inline-flex items-center gap-1.5 text-rose-600 dark:text-rose-400"><span class="h-2 w-2 rounded-full bg-rose-500"></span>"Unreachable"</span> }.into_any()
    };
    view! {
        <div class="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
            <Card icon=icons::database() title="Database" value=db_status
                detail=format!("PostgreSQL {} · {} · {:.1} ms · {}", db.version.split_whitespace().next().unwrap_or_default(), format::bytes(db.size_bytes), db.latency_ms, db.mode) />
            <Card icon=icons::users() title="Admins" value=o.admin_count.to_string().into_any()
                detail=format!("{} active session{}", o.active_sessions, if o.active_sessions == 1 { "" } else { "s" }) />
            <Card icon=icons::shield() title="Failed sign-ins (24 h)" value=o.failed_sign_ins_24h.to_string().into_any()
                detail=format!("{} address{} locked out now", o.locked_ips, if o.locked_ips == 1 { "" } else { "es" }) />
            <Card icon=icons::gauge() title="Server" value=format!("v{}", o.version).into_any()
                detail=format!("Up {} · since {} UTC", format::duration(o.uptime_secs), format::timestamp(&o.started_at)) />
        </div>
    }
}

#[component]
fn Card(icon: AnyView, title: &'static str, value: AnyView, detail: String) -> impl IntoView {
    view! {
        <div class="stat-card rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="flex items-center gap-2 text-sm font-medium text-slate-500 dark:text-slate-400">{icon}{title}</div>
            <div class="mt-3 text-2xl font-semibold tracking-tight">{value}</div>
            <p class="mt-1 text-xs text-slate-500 dark:text-slate-400">{detail}</p>
        </div>
    }
}

/// Stacked bars of successful and refused sign-ins per hour.
#[component]
fn SignInChart(hours: Vec<(i64, i64)>) -> impl IntoView {
    let peak = hours.iter().map(|(ok, bad)| ok + bad).max().unwrap_or(0).max(1);
    let total_ok: i64 = hours.iter().map(|(ok, _)| ok).sum();
    let total_bad: i64 = hours.iter().map(|(_, bad)| bad).sum();
    let count = hours.len();
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 class="text-sm font-semibold">"Sign-ins, last 24 hours"</h2>
                <div class="flex gap-4 text-xs text-slate-500 dark:text-slate-400">
                    <span class="flex items-center gap-1.5"><span class="h-2.5 w-2.5 rounded-sm bg-indigo-500"></span>{format!("{total_ok} signed in")}</span>
                    <span class="flex items-center gap-1.5"><span class="h-2.5 w-2.5 rounded-sm bg-rose-400"></span>{format!("{total_bad} refused")}</span>
                </div>
            </div>
            <div class="mt-4 flex h-32 items-end gap-1" role="img"
                aria-label=format!("{total_ok} successful and {total_bad} refused sign-ins in the last 24 hours")>
                {hours.into_iter().enumerate().map(|(i, (ok, bad))| {
                    let pct = |n: i64| format!("height: {}%", n * 100 / peak);
                    let label = format!("{} h ago: {ok} signed in, {bad} refused", count - 1 - i);
                    view! {
                        <div class="group flex h-full flex-1 flex-col justify-end" title=label>
                            <div class="w-full rounded-t-sm bg-rose-400" style=pct(bad)></div>
                            <div class="w-full bg-indigo-500" style=pct(ok)></div>
                            <div class="h-px w-full bg-slate-200 dark:bg-slate-700"></div>
                        </div>
                    }
                }).collect_view()}
            </div>
            <div class="mt-1 flex justify-between text-[10px] text-slate-400"><span>"24 h ago"</span><span>"now"</span></div>
        </section>
    }
}

/// The filter the URL describes, with "now" from the server's clock while rendering there and
/// the browser's after (the fetch runs on one side only, so both agree on what is shown).
fn filter_from_url(range: &str, from: &str, to: &str, campaign: &str, domain: &str) -> AnalyticsFilter {
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (from, to) = RangePreset::parse(range).resolve(now(), day(from), day(to));
    AnalyticsFilter {
        from,
        to,
        campaign_id: campaign.parse().ok(),
        sender_domain: Some(domain.trim().to_owned()).filter(|d| !d.is_empty()),
    }
}

/// The current time: the server's during the server render, the browser's after.
pub fn now() -> DateTime<Utc> {
    #[cfg(feature = "ssr")]
    {
        Utc::now()
    }
    #[cfg(not(feature = "ssr"))]
    {
        crate::components::clock::browser_now().unwrap_or_default()
    }
}

/// Date range, pickers, KPI cards, the activity chart, providers and top links.
#[component]
fn CampaignPerformance() -> impl IntoView {
    let range = query_value("range");
    let from = query_value("from");
    let to = query_value("to");
    let campaign = query_value("campaign");
    let domain = query_value("domain");
    // Bumped every 10 s while a campaign is sending.
    let poll = RwSignal::new(0u32);
    let report = Resource::new(
        move || (range.get(), from.get(), to.get(), campaign.get(), domain.get(), poll.get()),
        |(range, from, to, campaign, domain, _)| async move {
            load_analytics(filter_from_url(&range, &from, &to, &campaign, &domain)).await
        },
    );
    let sending = Memo::new(move |_| match report.get() {
        Some(Ok(r)) => Some(r.any_sending),
        Some(Err(ApiError::Unauthorized)) => Some(false),
        _ => None,
    });
    // Effects run only in the browser, so no timer exists on the server.
    let poller = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| match sending.get() {
        Some(true) if poller.get_value().is_none() => {
            let reload = move || {
                let _ = poll.try_update(|n| *n = n.wrapping_add(1));
            };
            poller.set_value(set_interval_with_handle(reload, POLL).ok());
        }
        Some(false) => {
            if let Some(handle) = poller.get_value() {
                handle.clear();
                poller.set_value(None);
            }
        }
        _ => {}
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = poller.try_get_value() {
            handle.clear();
        }
    });
    let preset = Memo::new(move |_| RangePreset::parse(&range.get()));
    let buttons = RangePreset::ALL
        .into_iter()
        .map(|p| {
            view! {
                <button type="button" data-testid=format!("range-{}", p.key())
                    class=move || if preset.get() == p { RANGE_ACTIVE } else { RANGE }
                    aria-pressed=move || (preset.get() == p).to_string()
                    on:click=move |_| set_query_value("range", p.key())>{p.label()}</button>
            }
        })
        .collect_view();
    let skeleton = || {
        view! {
            <div class="grid gap-3 sm:grid-cols-3 xl:grid-cols-5">
                {(0..5).map(|_| view! { <div class="h-24 animate-pulse rounded-xl bg-slate-200/60 dark:bg-slate-800"></div> }).collect_view()}
            </div>
        }
    };
    view! {
        <section class="space-y-4" data-testid="analytics-section" aria-labelledby="analytics-heading">
            <div class="flex flex-wrap items-end justify-between gap-3">
                <div>
                    <h2 id="analytics-heading" class="text-lg font-semibold">"Campaign performance"</h2>
                    <p class="text-sm text-slate-500 dark:text-slate-400">"Sends, deliveries and engagement of your campaigns. Times are UTC."</p>
                </div>
                <div class="inline-flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1 dark:bg-slate-800" role="group" aria-label="Date range">
                    {buttons}
                </div>
            </div>
            <Show when=move || preset.get() == RangePreset::Custom>
                <div class="flex flex-wrap items-end gap-3" data-testid="range-custom-dates">
                    <label class="space-y-1 text-sm">
                        <span class="block font-medium text-slate-700 dark:text-slate-200">"From"</span>
                        <input type="date" class=SELECT prop:value=move || from.get()
                            on:change=move |ev| set_query_value("from", &event_target_value(&ev)) />
                    </label>
                    <label class="space-y-1 text-sm">
                        <span class="block font-medium text-slate-700 dark:text-slate-200">"To (inclusive)"</span>
                        <input type="date" class=SELECT prop:value=move || to.get()
                            on:change=move |ev| set_query_value("to", &event_target_value(&ev)) />
                    </label>
                </div>
            </Show>
            <Transition fallback=skeleton>
                {move || report.get().map(|r| match r {
                    Ok(rep) => dashboard(rep, campaign, domain),
                    Err(e) => load_error(&e),
                })}
            </Transition>
        </section>
    }
}

/// The pickers and the figures of one report (or what to do when there are none).
fn dashboard(rep: AnalyticsReport, campaign: Memo<String>, domain: Memo<String>) -> AnyView {
    let picked = rep.campaigns.iter().any(|(id, _)| campaign.get_untracked() == id.to_string());
    let domains = rep.sender_domains.clone();
    let campaigns = rep.campaigns.clone();
    let pickers = view! {
        <div class="flex flex-wrap gap-3">
            <label class="text-sm">
                <span class="sr-only">"Sender domain"</span>
                <select class=SELECT data-testid="analytics-domain" prop:value=move || domain.get()
                    on:change=move |ev| set_query_values(&[("domain", event_target_value(&ev)), ("campaign", String::new())])>
                    <option value="">"All sender domains"</option>
                    {domains.into_iter().map(|d| {
                        let selected = domain.get_untracked() == d;
                        view! { <option value=d.clone() selected=selected>{d.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="text-sm">
                <span class="sr-only">"Campaign"</span>
                <select class=SELECT data-testid="analytics-campaign" prop:value=move || campaign.get()
                    on:change=move |ev| set_query_value("campaign", &event_target_value(&ev))>
                    <option value="">"All campaigns"</option>
                    {campaigns.into_iter().map(|(id, name)| {
                        let selected = campaign.get_untracked() == id.to_string();
                        view! { <option value=id.to_string() selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
        </div>
    };
    if rep.totals.is_empty() {
        return view! {
            {pickers}
            <div class="empty-state rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center dark:border-slate-700 dark:bg-slate-900"
                data-testid="analytics-empty">
                <p class="text-sm font-semibold text-slate-900 dark:text-white">"No campaign has been sent in this period"</p>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                    "Create one under " <a href="/campaigns" class="font-medium text-indigo-600 hover:underline dark:text-indigo-300">"Campaigns"</a>
                    ", or choose a longer period above."
                </p>
            </div>
        }
        .into_any();
    }
    let links = picked.then(|| view! { <TopLinks links=rep.top_links.clone() /> });
    view! {
        {pickers}
        <KpiCards totals=rep.totals />
        <SeriesChart id="overview-series-chart" series=rep.series granularity=rep.granularity />
        <div class="grid gap-6 2xl:grid-cols-2">
            <ProviderTable rows=rep.providers />
            {links}
        </div>
    }
    .into_any()
}
