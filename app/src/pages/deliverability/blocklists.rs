//! Blocklists (DNSBL): whether this server's sending addresses and domains are listed on the
//! blocklists receivers consult, the scans that checked, and which lists are queried.

use leptos::prelude::*;
use leptos_meta::Title;
use model::deliverability::{Blocklist, BlocklistInput, DnsblListing, DnsblOverview, DnsblScan};

use super::{CARD, Head, INDIGO, PILL, TD, card_table, empty_line, load_error, skeleton};
use crate::api::deliverability::{AddBlocklist, RemoveBlocklist, RunDnsblScan, SetBlocklistEnabled, dnsbl_overview};
use crate::components::confirm::ConfirmDialog;
use crate::components::field::TextField;
use crate::components::toast::use_toasts;
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, ROW_DANGER, SelectField, form_error};

/// Header cell of a numeric column.
/// Body cell of a numeric column.
const TD_RIGHT: &str = "px-4 py-3 text-right tabular-nums";
/// The add-list inputs whose server errors are shown under the input itself.
const LIST_FIELDS: [&str; 3] = ["zone", "name", "delist_url"];

/// The Blocklists page: open listings first (what hurts delivery now), then the scans, the
/// ended listings, and the lists with their switches.
#[component]
pub fn BlocklistsPage() -> impl IntoView {
    let toasts = use_toasts();
    let scan = ServerAction::<RunDnsblScan>::new();
    let toggle = ServerAction::<SetBlocklistEnabled>::new();
    let add = ServerAction::<AddBlocklist>::new();
    let remove = ServerAction::<RemoveBlocklist>::new();
    let overview = Resource::new(
        move || (scan.version().get(), toggle.version().get(), add.version().get(), remove.version().get()),
        |_| dnsbl_overview(),
    );
    Effect::new(move |_| match scan.value().get() {
        Some(Ok(o)) => {
            let message = format!("Scan finished: {} listed, {} errors.", o.open.len(), o.last_errors.len());
            if o.open.is_empty() { toasts.success(message) } else { toasts.error(message) }
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(Err(e)) = toggle.value().get() {
            toasts.report(&e);
        }
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => toasts.success("List removed."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let pending_remove = RwSignal::new(None::<Blocklist>);
    let remove_open = RwSignal::new(false);

    let zone = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new("ip".to_owned());
    let delist_url = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = add.value().get() {
            toasts.success(format!("List {} added; the next scan queries it.", name.get_untracked()));
            zone.set(String::new());
            name.set(String::new());
            delist_url.set(String::new());
        }
    });
    let add_error = move || add.value().get().and_then(Result::err);
    let field = move |f: &'static str| Signal::derive(move || add_error().and_then(|e| e.for_field(f)));
    let general = move || add_error().filter(|e| LIST_FIELDS.iter().all(|f| e.for_field(f).is_none()));
    let kinds = Signal::derive(|| {
        vec![("ip".to_owned(), "IP addresses".to_owned()), ("domain".to_owned(), "Domain names".to_owned())]
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddBlocklist {
            input: BlocklistInput {
                zone: zone.get_untracked(),
                name: name.get_untracked(),
                kind: kind.get_untracked(),
                delist_url: delist_url.get_untracked(),
            },
        });
    };
    view! {
        <Title text="Blocklists · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Blocklists"</h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Receivers refuse or junk mail from addresses and domains on DNS blocklists. This server checks its own regularly; scan now after a delisting."</p>
                </div>
                <button type="button" id="scan-now" class=PRIMARY disabled=move || scan.pending().get()
                    on:click=move |_| { scan.dispatch(RunDnsblScan {}); }>
                    <span class="h-4 w-4 animate-spin rounded-full border-2 border-white/40 border-t-white" class:hidden=move || !scan.pending().get()></span>
                    {move || if scan.pending().get() { "Scanning…" } else { "Scan now" }}
                </button>
            </div>
            <Transition fallback=skeleton>
                {move || overview.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(o) => status_view(o),
                })}
            </Transition>
            <section id="blocklist-lists" class=CARD>
                <h2 class="text-base font-semibold">"Lists"</h2>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"The blocklists each scan queries. Major lists are the ones the big mailbox providers consult. Built-in lists can be turned off but not removed."</p>
                <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
                    {move || overview.get().map(|r| match r {
                        Err(e) => view! { <p class="mt-4 text-sm text-rose-600 dark:text-rose-400">{e.to_string()}</p> }.into_any(),
                        Ok(o) => lists_table(o.lists, toggle, pending_remove, remove_open),
                    })}
                </Transition>
                <form id="add-list-form" class="mt-6 space-y-4 border-t border-slate-100 pt-4 dark:border-slate-800" on:submit=submit>
                    <h3 class="text-sm font-semibold">"Add list"</h3>
                    <div class="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
                        <TextField name="zone" label="Zone" value=zone autocomplete="off" hint="For example dnsbl.example.org" error=field("zone") />
                        <TextField name="list_name" label="Name" value=name autocomplete="off" error=field("name") />
                        <SelectField name="list_kind" label="Looks up" value=kind options=kinds />
                        <TextField name="delist_url" label="Delist URL (optional)" value=delist_url autocomplete="off" error=field("delist_url") />
                    </div>
                    {move || form_error(general().map(|e| e.to_string()))}
                    <button type="submit" id="add-list" class=PRIMARY disabled=move || add.pending().get()>
                        {move || if add.pending().get() { "Adding…" } else { "Add list" }}
                    </button>
                </form>
            </section>
        </div>
        <ConfirmDialog open=remove_open
            title=Signal::derive(move || format!("Remove {}?", pending_remove.get().map(|b| b.name).unwrap_or_default()))
            message="Scans stop querying this list. You can add it again later."
            confirm_label="Remove"
            on_confirm=Callback::new(move |_| if let Some(b) = pending_remove.get_untracked() {
                remove.dispatch(RemoveBlocklist { zone: b.zone });
            }) />
    }
}

/// The "major list" pill.
fn major_badge() -> AnyView {
    view! { <span class=format!("major {PILL} {INDIGO}")>"major"</span> }.into_any()
}

/// What was scanned, the verdict (clean or the open listings), unanswered queries, the
/// recent scans and the ended listings.
fn status_view(o: DnsblOverview) -> AnyView {
    let DnsblOverview { targets, lists, open, history, scans, last_errors, running } = o;
    let enabled = lists.iter().filter(|l| l.enabled).count();
    let verdict = if !open.is_empty() {
        view! { <div id="dnsbl-listings" class="space-y-3">{open.into_iter().map(listing_card).collect_view()}</div> }
            .into_any()
    } else if scans.is_empty() {
        view! {
            <div id="dnsbl-unscanned" class="rounded-xl border border-slate-200 bg-slate-50 p-4 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300">
                "No scan has run yet. Scan now to check every enabled list."
            </div>
        }
        .into_any()
    } else {
        view! {
            <div id="dnsbl-clean" class="rounded-xl border border-emerald-200 bg-emerald-50 p-4 text-sm font-semibold text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950/40 dark:text-emerald-200">
                {format!("Clean on all {enabled} enabled lists")}
            </div>
        }
        .into_any()
    };
    let errors = (!last_errors.is_empty()).then(|| {
        let text = last_errors.iter().map(|e| format!("{} on {} ({})", e.target, e.zone, e.error)).collect::<Vec<_>>().join("; ");
        view! {
            <p id="dnsbl-errors" class="rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
                {format!("Could not check: {text}. These count as neither clean nor listed; the next scan tries again.")}
            </p>
        }
    });
    let running_note = running.then(|| {
        view! {
            <p id="scan-running" class="text-sm text-slate-500 dark:text-slate-400">"A scan is running now; these are the results of the previous one."</p>
        }
    });
    let target_pills = if targets.is_empty() {
        empty_line("Nothing to scan yet: this server's sending address and domains are not known.")
    } else {
        view! {
            <div class="mt-3 flex flex-wrap gap-2">
                {targets.into_iter().map(|t| view! {
                    <span class="dnsbl-target rounded-full bg-slate-100 px-2.5 py-1 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-200">{t}</span>
                }).collect_view()}
            </div>
        }
        .into_any()
    };
    view! {
        <div class="space-y-6">
            <section id="dnsbl-targets" class=CARD>
                <h2 class="text-base font-semibold">"Scanned"</h2>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"This server's sending addresses and the domains it sends for, each looked up on every enabled list of its kind."</p>
                {target_pills}
            </section>
            {running_note}
            {verdict}
            {errors}
            <section id="dnsbl-scan-list" class=CARD>
                <h2 class="text-base font-semibold">"Recent scans"</h2>
                {scans_table(scans)}
            </section>
            <section id="dnsbl-history" class=CARD>
                <h2 class="text-base font-semibold">"Listing history"</h2>
                {history_table(history)}
            </section>
        </div>
    }
    .into_any()
}

/// One open listing: where, since when, what the list says, and where to ask for removal.
fn listing_card(l: DnsblListing) -> impl IntoView {
    let answer =
        if l.reason.is_empty() { format!("Answer {}", l.answer) } else { format!("Answer {}: {}", l.answer, l.reason) };
    let headline = format!("{} is listed on {} since {} UTC", l.target, l.list_name, format::timestamp(&l.first_seen));
    let last_seen = format!("Last seen {} UTC", format::timestamp(&l.last_seen));
    let delist = (!l.delist_url.is_empty()).then(|| {
        let url = l.delist_url.clone();
        view! {
            <a class="delist-link mt-2 inline-block text-sm font-semibold text-rose-700 underline hover:text-rose-900 dark:text-rose-300 dark:hover:text-rose-100"
                href=url target="_blank" rel="noopener noreferrer">"Delist here"</a>
        }
    });
    view! {
        <div class="listing rounded-xl border border-rose-200 bg-rose-50 p-4 dark:border-rose-900 dark:bg-rose-950/40"
            data-target=l.target.clone() data-zone=l.zone.clone() data-major=l.major.to_string()>
            <div class="flex flex-wrap items-center gap-2">
                <p class="font-semibold text-rose-800 dark:text-rose-200">{headline}</p>
                {l.major.then(major_badge)}
            </div>
            <p class="mt-1 break-words text-sm text-rose-700 dark:text-rose-300">{answer}</p>
            <p class="mt-1 text-xs text-rose-700/80 dark:text-rose-300/80">{last_seen}</p>
            {delist}
        </div>
    }
}

/// "Scheduled" / "Manual".
fn trigger_label(trigger: &str) -> String {
    match trigger {
        "schedule" => "Scheduled".to_owned(),
        "manual" => "Manual".to_owned(),
        other => other.to_owned(),
    }
}

/// The latest scans, newest first.
fn scans_table(scans: Vec<DnsblScan>) -> AnyView {
    if scans.is_empty() {
        return empty_line("No scans yet.");
    }
    let rows = scans
        .into_iter()
        .map(|s| {
            let duration = match (s.finished_at, s.duration_ms) {
                (None, _) => "running".to_owned(),
                (Some(_), Some(ms)) => format!("{:.1} s", f64::from(ms) / 1000.0),
                (Some(_), None) => "—".to_owned(),
            };
            let listed_tone = if s.listed > 0 { "font-semibold text-rose-600 dark:text-rose-400" } else { "" };
            let errors_tone = if s.errors > 0 { "font-semibold text-amber-700 dark:text-amber-300" } else { "" };
            view! {
                <tr data-scan=s.id.to_string()>
                    <td class=format!("{TD} whitespace-nowrap")>{format::timestamp(&s.started_at)}</td>
                    <td class=TD>{trigger_label(&s.trigger)}</td>
                    <td class=format!("{TD} whitespace-nowrap")>{duration}</td>
                    <td class=TD_RIGHT>{s.queries}</td>
                    <td class=format!("{TD_RIGHT} {listed_tone}")>{s.listed}</td>
                    <td class=format!("{TD_RIGHT} {errors_tone}")>{s.errors}</td>
                </tr>
            }
        })
        .collect_view();
    card_table(
        "dnsbl-scans",
        &[
            ("Started (UTC)", Head::Left),
            ("Trigger", Head::Left),
            ("Duration", Head::Left),
            ("Queries", Head::Right),
            ("Listed", Head::Right),
            ("Errors", Head::Right),
        ],
        rows,
    )
}

/// Listings that ended, newest first.
fn history_table(history: Vec<DnsblListing>) -> AnyView {
    if history.is_empty() {
        return empty_line("No ended listings.");
    }
    let rows = history
        .into_iter()
        .map(|l| {
            let period = format!("{} → {}", format::timestamp(&l.first_seen), super::time(l.delisted_at));
            view! {
                <tr data-zone=l.zone.clone()>
                    <td class=format!("{TD} font-mono text-xs")>{l.target.clone()}</td>
                    <td class=TD>{l.list_name.clone()}</td>
                    <td class=format!("{TD} whitespace-nowrap")>{period}</td>
                </tr>
            }
        })
        .collect_view();
    card_table(
        "dnsbl-history-list",
        &[("Target", Head::Left), ("List", Head::Left), ("Listed (UTC)", Head::Left)],
        rows,
    )
}

/// "IP addresses" / "Domain names".
fn kind_label(kind: &str) -> String {
    match kind {
        "ip" => "IP addresses".to_owned(),
        "domain" => "Domain names".to_owned(),
        other => other.to_owned(),
    }
}

/// The lists with an on/off switch each, and a remove button for the admin's own lists.
fn lists_table(
    lists: Vec<Blocklist>,
    toggle: ServerAction<SetBlocklistEnabled>,
    pending_remove: RwSignal<Option<Blocklist>>,
    remove_open: RwSignal<bool>,
) -> AnyView {
    if lists.is_empty() {
        return empty_line("No lists. Add one below.");
    }
    let rows = lists
        .into_iter()
        .map(|l| {
            let zone = l.zone.clone();
            let enabled = l.enabled;
            let switch_label = format!("Query {}", l.name);
            let delist = (!l.delist_url.is_empty()).then(|| {
                let url = l.delist_url.clone();
                view! {
                    <a class="text-sm text-indigo-600 hover:underline dark:text-indigo-300" href=url target="_blank" rel="noopener noreferrer">"Delist form"</a>
                }
            });
            let remove_button = (!l.builtin).then(|| {
                let for_remove = l.clone();
                view! {
                    <button type="button" class=ROW_DANGER data-action="remove"
                        on:click=move |_| { pending_remove.set(Some(for_remove.clone())); remove_open.set(true); }>"Remove"</button>
                }
            });
            view! {
                <tr data-zone=l.zone.clone() data-enabled=enabled.to_string()>
                    <td class=TD>
                        <input type="checkbox" class="list-enabled h-4 w-4 rounded border-slate-300 text-indigo-600 dark:border-slate-600"
                            checked=enabled aria-label=switch_label
                            on:change=move |_| { toggle.dispatch(SetBlocklistEnabled { zone: zone.clone(), enabled: !enabled }); } />
                    </td>
                    <td class=TD>
                        <div class="font-medium text-slate-900 dark:text-white">{l.name.clone()}</div>
                        <div class="font-mono text-xs text-slate-500 dark:text-slate-400">{l.zone.clone()}</div>
                    </td>
                    <td class=format!("{TD} whitespace-nowrap")>{kind_label(&l.kind)}</td>
                    <td class=TD>{l.major.then(major_badge)}</td>
                    <td class=TD>{delist}</td>
                    <td class=format!("{TD} text-right")>{remove_button}</td>
                </tr>
            }
        })
        .collect_view();
    card_table(
        "dnsbl-lists",
        &[
            ("On", Head::Left),
            ("List", Head::Left),
            ("Looks up", Head::Left),
            ("Weight", Head::Left),
            ("Delisting", Head::Left),
            ("Actions", Head::ScreenReaderOnly),
        ],
        rows,
    )
}
