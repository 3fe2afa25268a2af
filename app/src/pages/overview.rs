//! Overview: is everything healthy, and who has been signing in.

use leptos::prelude::*;
use leptos_meta::Title;
use model::{Overview, SignInEvent, SortDirection};

use super::format;
use crate::api::overview::{load_overview, sign_in_log};
use crate::components::data_table::{Column, DataTable, TableQuery};
use crate::components::icons;

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
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Health of this server and recent admin activity."</p>
            </div>
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
