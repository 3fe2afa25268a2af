//! The campaign report's delivery log: every recipient with what the relay and the receiving
//! server said, filterable by state, reason, recipient domain and text, sortable and paged;
//! "By reason" and "By recipient domain" views of the failures; and a CSV export of what is
//! shown. Filters, sort, page and view live in the URL query (`log_*`), so a reload or a
//! shared link shows the same rows. Each failure has a badge whose tooltip explains it.

use leptos::prelude::*;
use model::analytics::{DeliveryLogQuery, DeliveryLogRow, DeliveryLogSort, DomainGroup, ReasonGroup, explain_failure};

use crate::api::analytics::{load_delivery_log, load_failure_groups};
use crate::components::analytics::{FailureBadge, set_query_values};
use crate::components::url_filter::{encode_query, query_value};
use crate::pages::contacts::thousands;
use crate::pages::deliverability::{GREEN, GREY, INDIGO, PILL, TABLE, TBODY, TD, TH, TH_RIGHT, load_error, time};
use crate::pages::format;
use crate::pages::mail::widgets::{ROW_ACTION, SECONDARY};

/// Rows per page.
const PER_PAGE: u32 = 25;
/// The states offered in the filter.
const STATES: [&str; 9] =
    ["delivered", "submitted", "bounced", "failed", "deferred", "complained", "queued", "sending", "skipped"];
/// The frame of the log's tables: wide tables scroll on small screens; on large ones the
/// failure tooltips may overflow the frame instead of being cut off.
const FRAME: &str = "overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm lg:overflow-visible dark:border-slate-800 dark:bg-slate-900";
/// A view tab, and the chosen one.
const TAB: &str = "rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white";
const TAB_ACTIVE: &str =
    "rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-900 shadow-sm dark:bg-slate-900 dark:text-white";
/// The filter inputs.
const INPUT: &str = "block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900";

/// The URL query of the log, tracked.
#[derive(Clone, Copy)]
struct LogUrl {
    state: Memo<String>,
    reason: Memo<String>,
    domain: Memo<String>,
    search: Memo<String>,
    sort: Memo<String>,
    dir: Memo<String>,
    page: Memo<String>,
    view: Memo<String>,
}

impl LogUrl {
    fn read() -> Self {
        Self {
            state: query_value("log_state"),
            reason: query_value("log_reason"),
            domain: query_value("log_domain"),
            search: query_value("log_q"),
            sort: query_value("log_sort"),
            dir: query_value("log_dir"),
            page: query_value("log_page"),
            view: query_value("log_view"),
        }
    }

    /// The server query for `campaign_id`, tracked.
    fn query(&self, campaign_id: i64) -> DeliveryLogQuery {
        let given = |m: Memo<String>| Some(m.get()).filter(|v| !v.is_empty());
        DeliveryLogQuery {
            campaign_id,
            state: given(self.state),
            reason: given(self.reason),
            domain: given(self.domain),
            search: self.search.get(),
            sort: DeliveryLogSort::parse(&self.sort.get()),
            descending: self.dir.get() == "desc",
            page: self.page.get().parse().unwrap_or(1u32).max(1),
            per_page: PER_PAGE,
        }
    }
}

/// Sets filters and goes back to the first page of the recipient list.
fn filter(changes: &[(&str, String)]) {
    let mut all: Vec<(&str, String)> = changes.to_vec();
    all.push(("log_page", String::new()));
    set_query_values(&all);
}

/// The link that downloads what the log shows (all pages) as CSV.
pub fn export_href(q: &DeliveryLogQuery) -> String {
    let pairs = [
        ("state", q.state.clone().unwrap_or_default()),
        ("reason", q.reason.clone().unwrap_or_default()),
        ("domain", q.domain.clone().unwrap_or_default()),
        ("search", q.search.clone()),
    ];
    let query: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode_query(v))).collect();
    let base = format!("/api/campaigns/{}/deliveries.csv", q.campaign_id);
    if query.is_empty() { base } else { format!("{base}?{}", query.join("&")) }
}

/// The delivery log of one campaign with its grouped views.
#[component]
pub fn DeliveryLog(campaign_id: i64) -> impl IntoView {
    let url = LogUrl::read();
    let query = Memo::new(move |_| url.query(campaign_id));
    let log = Resource::new(move || query.get(), load_delivery_log);
    let groups = Resource::new(move || (), move |_| load_failure_groups(campaign_id));
    let tab = move |key: &'static str, label: &'static str, testid: &'static str| {
        let active = move || url.view.get() == key;
        view! {
            <button type="button" role="tab" data-testid=testid aria-selected=move || active().to_string()
                class=move || if active() { TAB_ACTIVE } else { TAB }
                on:click=move |_| set_query_values(&[("log_view", key.to_owned())])>{label}</button>
        }
    };
    let content = move || {
        match url.view.get().as_str() {
        "reasons" => view! {
            <Transition fallback=|| ()>
                {move || groups.get().map(|r| match r {
                    Ok((reasons, _)) => reason_table(reasons),
                    Err(e) => load_error(&e),
                })}
            </Transition>
        }
        .into_any(),
        "domains" => view! {
            <Transition fallback=|| ()>
                {move || groups.get().map(|r| match r {
                    Ok((_, domains)) => domain_table(domains),
                    Err(e) => load_error(&e),
                })}
            </Transition>
        }
        .into_any(),
        _ => view! {
            <Filters url=url />
            <Transition fallback=|| view! { <div class="h-40 animate-pulse rounded-xl bg-slate-200/60 dark:bg-slate-800"></div> }>
                {move || log.get().map(|r| match r {
                    Ok(page) => recipients_table(page.rows, page.total, url),
                    Err(e) => load_error(&e),
                })}
            </Transition>
        }
        .into_any(),
    }
    };
    view! {
        <section class="space-y-4" data-testid="delivery-log" aria-labelledby="delivery-log-heading">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 id="delivery-log-heading" class="text-base font-semibold">"Delivery log"</h2>
                <div class="flex flex-wrap items-center gap-3">
                    <div class="inline-flex gap-1 rounded-lg bg-slate-100 p-1 dark:bg-slate-800" role="tablist" aria-label="Delivery log view">
                        {tab("", "Recipients", "tab-recipients")}
                        {tab("reasons", "By reason", "tab-by-reason")}
                        {tab("domains", "By recipient domain", "tab-by-domain")}
                    </div>
                    <a data-testid="delivery-export" class=SECONDARY href=move || export_href(&query.get()) download="">
                        "Export CSV"
                    </a>
                </div>
            </div>
            {content}
        </section>
    }
}

/// State, search, and the reason and domain filters set from the grouped views.
#[component]
fn Filters(url: LogUrl) -> impl IntoView {
    let chip = move |label: &'static str, key: &'static str, value: Memo<String>| {
        move || {
            let v = value.get();
            (!v.is_empty()).then(|| {
                view! {
                    <span class=format!("{PILL} {INDIGO} gap-1")>
                        {format!("{label}: {v}")}
                        <button type="button" class="ml-1 font-semibold" aria-label=format!("Clear the {label} filter")
                            on:click=move |_| filter(&[(key, String::new())])>"×"</button>
                    </span>
                }
            })
        }
    };
    view! {
        <div class="flex flex-wrap items-center gap-3">
            <label class="text-sm">
                <span class="sr-only">"State"</span>
                <select class=INPUT data-testid="log-state" prop:value=move || url.state.get()
                    on:change=move |ev| filter(&[("log_state", event_target_value(&ev))])>
                    <option value="">"All states"</option>
                    {STATES.into_iter().map(|s| {
                        let selected = url.state.get_untracked() == s;
                        view! { <option value=s selected=selected>{s}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="w-full text-sm sm:w-72">
                <span class="sr-only">"Search addresses and server replies"</span>
                <input type="search" class=format!("{INPUT} w-full") data-testid="log-search"
                    placeholder="Search address or server reply" prop:value=move || url.search.get()
                    on:change=move |ev| filter(&[("log_q", event_target_value(&ev))]) />
            </label>
            {chip("reason", "log_reason", url.reason)}
            {chip("domain", "log_domain", url.domain)}
        </div>
    }
}

/// A sortable column header.
fn header(label: &'static str, key: DeliveryLogSort, url: LogUrl, right: bool) -> impl IntoView {
    let active = move || DeliveryLogSort::parse(&url.sort.get()) == key;
    let desc = move || url.dir.get() == "desc";
    let aria = move || match (active(), desc()) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let next = move || {
        let dir = if active() && !desc() { "desc" } else { "asc" };
        filter(&[("log_sort", key.key().to_owned()), ("log_dir", dir.to_owned())]);
    };
    view! {
        <th scope="col" class=if right { TH_RIGHT } else { TH } aria-sort=aria>
            <button type="button" data-sort=key.key() on:click=move |_| next()
                class="inline-flex items-center gap-1 font-semibold uppercase tracking-wide hover:text-slate-900 dark:hover:text-white">
                {label}
                <span aria-hidden="true" class=move || if active() { "text-indigo-500" } else { "opacity-40" }>
                    {move || match (active(), desc()) { (false, _) => "↕", (true, false) => "↑", (true, true) => "↓" }}
                </span>
            </button>
        </th>
    }
}

/// "42 s", "3 min", or a dash.
fn delay(secs: Option<i64>) -> String {
    match secs {
        Some(s) if s < 60 => format!("{} s", s.max(0)),
        Some(s) => format::duration(s),
        None => "—".to_owned(),
    }
}

/// The state of a row that is not a failure.
fn state_pill(state: &str) -> AnyView {
    let tone = if state == "delivered" { GREEN } else { GREY };
    view! { <span class=format!("{PILL} {tone}")>{state.to_owned()}</span> }.into_any()
}

/// One page of recipients with the pager.
fn recipients_table(rows: Vec<DeliveryLogRow>, total: i64, url: LogUrl) -> AnyView {
    let page = i64::from(url.page.get_untracked().parse::<u32>().unwrap_or(1).max(1));
    let per = i64::from(PER_PAGE);
    let pages = ((total + per - 1) / per).max(1);
    let first = if rows.is_empty() { 0 } else { (page - 1) * per + 1 };
    let last = (page - 1) * per + rows.len() as i64;
    let go = move |p: i64| set_query_values(&[("log_page", p.to_string())]);
    let body = if rows.is_empty() {
        view! {
            <tr><td colspan="7" class="px-4 py-10 text-center text-sm text-slate-500 dark:text-slate-400">
                "No recipient matches these filters."
            </td></tr>
        }
        .into_any()
    } else {
        rows.into_iter()
            .map(|row| {
                let status = if row.is_failure() { view! { <FailureBadge row=row.clone() /> }.into_any() } else { state_pill(&row.state) };
                let reply = row.smtp_code.map(|c| c.to_string()).unwrap_or_default();
                let reply_text = row.smtp_reply.clone().unwrap_or_default();
                view! {
                    <tr data-testid="delivery-row" data-state=row.state.clone() class="hover:bg-slate-50 dark:hover:bg-slate-800/50">
                        <td class=format!("{TD} font-medium break-all")>{row.email.clone()}</td>
                        <td class=TD>{status}</td>
                        <td class=TD>{row.provider.clone()}</td>
                        <td class=format!("{TD} max-w-xs truncate font-mono text-xs") title=reply_text.clone()>{format!("{reply} {reply_text}")}</td>
                        <td class=TD>{row.bounce_reason.clone().unwrap_or_default()}</td>
                        <td class=format!("{TD} whitespace-nowrap tabular-nums")>{time(row.submitted_at)}</td>
                        <td class=format!("{TD} text-right tabular-nums")>{delay(row.delay_seconds)}</td>
                    </tr>
                }
                .into_any()
            })
            .collect_view()
            .into_any()
    };
    let link = "rounded-lg border border-slate-300 px-3 py-1.5 font-medium hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-40 dark:border-slate-700 dark:hover:bg-slate-800";
    view! {
        <div class=FRAME>
            <table class=TABLE>
                <caption class="sr-only">"Recipients of this campaign and what happened to their message"</caption>
                <thead class="bg-slate-50 dark:bg-slate-900/60">
                    <tr>
                        {header("Recipient", DeliveryLogSort::Email, url, false)}
                        {header("Status", DeliveryLogSort::State, url, false)}
                        {header("Provider", DeliveryLogSort::Provider, url, false)}
                        {header("Relay reply", DeliveryLogSort::SmtpCode, url, false)}
                        {header("Reason", DeliveryLogSort::Reason, url, false)}
                        {header("Submitted (UTC)", DeliveryLogSort::SubmittedAt, url, false)}
                        {header("Delay", DeliveryLogSort::Delay, url, true)}
                    </tr>
                </thead>
                <tbody class=TBODY>{body}</tbody>
            </table>
            <div class="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm text-slate-500 dark:border-slate-800 dark:text-slate-400">
                <p data-testid="log-summary">{format!("{first}–{last} of {}", thousands(total))}</p>
                <div class="flex items-center gap-2">
                    <span class="hidden sm:inline">{format!("Page {page} of {pages}")}</span>
                    <button type="button" class=link disabled={page <= 1} on:click=move |_| go(page - 1)>"Previous"</button>
                    <button type="button" class=link disabled={page >= pages} on:click=move |_| go(page + 1)>"Next"</button>
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// The failures by class and reason, each with what it means and a way to list its recipients.
fn reason_table(groups: Vec<ReasonGroup>) -> AnyView {
    let body = if groups.is_empty() {
        view! { <tr><td colspan="5" class="px-4 py-8 text-center text-sm text-slate-500 dark:text-slate-400">"No recipient failed."</td></tr> }.into_any()
    } else {
        groups
            .into_iter()
            .map(|g| {
                let meaning = explain_failure("", &g.reason, &g.example).title;
                let reason = g.reason.clone();
                view! {
                    <tr data-reason=g.reason.clone()>
                        <td class=TD><span class=format!("{PILL} {GREY}")>{g.class.clone()}</span></td>
                        <td class=TD><span class="font-medium">{g.reason.clone()}</span><span class="block text-xs text-slate-500 dark:text-slate-400">{meaning}</span></td>
                        <td class=format!("{TD} text-right tabular-nums")>{thousands(g.count)}</td>
                        <td class=format!("{TD} max-w-md truncate font-mono text-xs") title=g.example.clone()>{g.example.clone()}</td>
                        <td class=format!("{TD} text-right")>
                            <button type="button" class=ROW_ACTION
                                on:click=move |_| filter(&[("log_reason", reason.clone()), ("log_view", String::new())])>"Show recipients"</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class=FRAME>
            <table class=TABLE data-testid="group-by-reason">
                <caption class="sr-only">"Failures grouped by reason"</caption>
                <thead class="bg-slate-50 dark:bg-slate-900/60">
                    <tr>
                        <th scope="col" class=TH>"Class"</th>
                        <th scope="col" class=TH>"Reason"</th>
                        <th scope="col" class=TH_RIGHT>"Recipients"</th>
                        <th scope="col" class=TH>"Example reply"</th>
                        <th scope="col" class=TH><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class=TBODY>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Recipients by domain, the domains with most failures first.
fn domain_table(groups: Vec<DomainGroup>) -> AnyView {
    let body = groups
        .into_iter()
        .map(|g| {
            let domain = g.domain.clone();
            let num = format!("{TD} text-right tabular-nums");
            view! {
                <tr data-domain=g.domain.clone()>
                    <td class=format!("{TD} font-medium")>{g.domain.clone()}</td>
                    <td class=num.clone()>{thousands(g.total)}</td>
                    <td class=num.clone()>{thousands(g.delivered)}</td>
                    <td class=num.clone()>{thousands(g.bounced)}</td>
                    <td class=num.clone()>{thousands(g.failed)}</td>
                    <td class=num>{thousands(g.complained)}</td>
                    <td class=format!("{TD} text-right")>
                        <button type="button" class=ROW_ACTION
                            on:click=move |_| filter(&[("log_domain", domain.clone()), ("log_view", String::new())])>"Show recipients"</button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class=FRAME>
            <table class=TABLE data-testid="group-by-domain">
                <caption class="sr-only">"Recipients grouped by their domain"</caption>
                <thead class="bg-slate-50 dark:bg-slate-900/60">
                    <tr>
                        <th scope="col" class=TH>"Domain"</th>
                        <th scope="col" class=TH_RIGHT>"Recipients"</th>
                        <th scope="col" class=TH_RIGHT>"Delivered"</th>
                        <th scope="col" class=TH_RIGHT>"Bounced"</th>
                        <th scope="col" class=TH_RIGHT>"Failed"</th>
                        <th scope="col" class=TH_RIGHT>"Complaints"</th>
                        <th scope="col" class=TH><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class=TBODY>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_link_carries_the_filters() {
        let mut q = DeliveryLogQuery { campaign_id: 7, ..DeliveryLogQuery::default() };
        assert_eq!(export_href(&q), "/api/campaigns/7/deliveries.csv");
        q.state = Some("bounced".into());
        q.search = "a b".into();
        assert_eq!(export_href(&q), "/api/campaigns/7/deliveries.csv?state=bounced&search=a%20b");
    }
}
