//! Domains of the audience that cannot receive mail (no MX, null MX, not existing): the scan
//! that finds them, and what to do with their contacts (suppress, tag, delete).

use leptos::prelude::*;
use model::contacts::{DomainVerdict, InvalidDomain, InvalidDomainAction};

use crate::api::contacts::suppression::{ActOnInvalidDomains, ScanDomains, invalid_domains};
use crate::components::confirm::ConfirmDialog;
use crate::components::toast::use_toasts;
use crate::pages::contacts::{contacts_phrase, thousands};
use crate::pages::deliverability::{
    CARD, GREEN, ORANGE, PILL, RED, SLATE, TABLE, TBODY, TD, TH, TH_RIGHT, empty_line, load_error,
};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY};

/// The tag the "Tag" action gives (the engine uses the same).
const INVALID_TAG: &str = "invalid-domain";

/// The chosen domains with their contact counts (the confirmations say how many contacts).
type Chosen = RwSignal<Vec<(String, i64)>>;

/// The "Invalid domains" card. `act` is the page's action, so the suppression table
/// reloads after "Suppress".
#[component]
pub fn InvalidDomainsCard(act: ServerAction<ActOnInvalidDomains>) -> impl IntoView {
    let toasts = use_toasts();
    let scan = ServerAction::<ScanDomains>::new();
    let domains = Resource::new(move || (scan.version().get(), act.version().get()), |_| invalid_domains());
    let chosen: Chosen = RwSignal::new(Vec::new());
    // The action last confirmed, for the result toast.
    let last_action = RwSignal::new(InvalidDomainAction::Suppress);
    let suppress_open = RwSignal::new(false);
    let tag_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);
    Effect::new(move |_| match scan.value().get() {
        Some(Ok(s)) => {
            chosen.set(Vec::new());
            toasts.success(format!(
                "Checked {} domains: {} cannot receive mail, {} could not be checked.",
                thousands(s.domains_checked),
                thousands(s.invalid),
                thousands(s.unknown)
            ));
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match act.value().get() {
        Some(Ok(n)) => {
            chosen.set(Vec::new());
            let done = match last_action.get_untracked() {
                InvalidDomainAction::Suppress => "suppressed",
                InvalidDomainAction::Tag => "tagged invalid-domain",
                InvalidDomainAction::Delete => "deleted",
            };
            toasts.success(format!("{} {done}.", contacts_phrase(n)));
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let cannot_act = move || chosen.with(Vec::is_empty) || act.pending().get();
    view! {
        <section id="invalid-domains" class=format!("{CARD} space-y-4")>
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div>
                    <h2 class="text-base font-semibold">"Invalid domains"</h2>
                    <p class="mt-1 max-w-2xl text-sm text-slate-500 dark:text-slate-400">
                        "Domains of your contacts whose DNS says they cannot receive mail. Sending to them only produces bounces, which hurts your reputation. The scan looks up every domain in your contacts."
                    </p>
                </div>
                <button type="button" id="scan-domains" data-testid="scan-domains" class=PRIMARY
                    disabled=move || scan.pending().get() on:click=move |_| { scan.dispatch(ScanDomains {}); }>
                    <span class="h-4 w-4 animate-spin rounded-full border-2 border-white/40 border-t-white" class:hidden=move || !scan.pending().get()></span>
                    {move || if scan.pending().get() { "Scanning…" } else { "Scan contact domains" }}
                </button>
            </div>
            <div class="flex flex-wrap items-center gap-2">
                <span class="text-sm text-slate-600 dark:text-slate-300">
                    {move || chosen.with(|c| match c.len() {
                        0 => "Choose domains, then:".to_owned(),
                        1 => "1 domain chosen:".to_owned(),
                        n => format!("{n} domains chosen:"),
                    })}
                </span>
                <button type="button" id="invalid-suppress" class=SECONDARY disabled=cannot_act
                    on:click=move |_| suppress_open.set(true)>"Suppress"</button>
                <button type="button" id="invalid-tag" class=SECONDARY disabled=cannot_act
                    on:click=move |_| tag_open.set(true)>{format!("Tag \"{INVALID_TAG}\"")}</button>
                <button type="button" id="invalid-delete" class=SECONDARY disabled=cannot_act
                    on:click=move |_| delete_open.set(true)>"Delete contacts"</button>
            </div>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || domains.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(list) if list.is_empty() => empty_line("No invalid domains found. Run a scan after importing contacts."),
                    Ok(list) => domains_table(list, chosen),
                })}
            </Transition>
        </section>
        {confirm(InvalidDomainAction::Suppress, suppress_open, chosen, Run { act, last_action })}
        {confirm(InvalidDomainAction::Tag, tag_open, chosen, Run { act, last_action })}
        {confirm(InvalidDomainAction::Delete, delete_open, chosen, Run { act, last_action })}
    }
}

/// What a confirmation runs: the action, and where it notes which one ran.
#[derive(Clone, Copy)]
struct Run {
    act: ServerAction<ActOnInvalidDomains>,
    last_action: RwSignal<InvalidDomainAction>,
}

/// The confirmation of one action, with the number of domains and contacts it touches.
fn confirm(action: InvalidDomainAction, open: RwSignal<bool>, chosen: Chosen, run: Run) -> impl IntoView {
    let counts = move || {
        chosen.with(|c| {
            let domains = match c.len() {
                1 => "1 domain".to_owned(),
                n => format!("{n} domains"),
            };
            (domains, contacts_phrase(c.iter().map(|(_, n)| n).sum()))
        })
    };
    let verb = match action {
        InvalidDomainAction::Suppress => "Suppress",
        InvalidDomainAction::Tag => "Tag",
        InvalidDomainAction::Delete => "Delete",
    };
    let title = Signal::derive(move || {
        let (domains, contacts) = counts();
        format!("{verb} the {contacts} of {domains}?")
    });
    let message = Signal::derive(move || {
        let (_, contacts) = counts();
        match action {
            InvalidDomainAction::Suppress => {
                format!("Adds {contacts} to the suppression list for every list; they stay in your contacts.")
            }
            InvalidDomainAction::Tag => {
                format!(
                    "Gives {contacts} the tag \"{INVALID_TAG}\", so you can review them in the contacts table or build a segment."
                )
            }
            InvalidDomainAction::Delete => {
                format!("Deletes {contacts} and their history. This cannot be undone.")
            }
        }
    });
    view! {
        <ConfirmDialog open=open title=title message=message confirm_label=verb
            on_confirm=Callback::new(move |_| {
                let domains: Vec<String> = chosen.with_untracked(|c| c.iter().map(|(d, _)| d.clone()).collect());
                run.last_action.set(action);
                run.act.dispatch(ActOnInvalidDomains { domains, action });
            }) />
    }
}

/// The domains with a checkbox each and one to choose them all.
fn domains_table(list: Vec<InvalidDomain>, chosen: Chosen) -> AnyView {
    let all: Vec<(String, i64)> = list.iter().map(|d| (d.domain.clone(), d.contacts)).collect();
    let total = all.len();
    let rows = list.into_iter().map(|d| domain_row(d, chosen)).collect_view();
    view! {
        <div class="overflow-x-auto">
            <table id="invalid-domain-list" class=TABLE>
                <thead>
                    <tr>
                        <th scope="col" class=TH>
                            <input type="checkbox" id="invalid-choose-all" aria-label="Choose every domain"
                                class="h-4 w-4 rounded border-slate-300 text-indigo-600 dark:border-slate-600"
                                prop:checked=move || chosen.with(|c| !c.is_empty() && c.len() == total)
                                on:change=move |ev| {
                                    if event_target_checked(&ev) { chosen.set(all.clone()) } else { chosen.set(Vec::new()) }
                                } />
                        </th>
                        <th scope="col" class=TH>"Domain"</th>
                        <th scope="col" class=TH>"Verdict"</th>
                        <th scope="col" class=TH_RIGHT>"Contacts"</th>
                        <th scope="col" class=TH>"Checked (UTC)"</th>
                    </tr>
                </thead>
                <tbody class=TBODY>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One domain.
fn domain_row(d: InvalidDomain, chosen: Chosen) -> impl IntoView {
    let domain = d.domain.clone();
    let contacts = d.contacts;
    let is_chosen = {
        let domain = domain.clone();
        move || chosen.with(|c| c.iter().any(|(x, _)| *x == domain))
    };
    let toggle = {
        let domain = domain.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            chosen.update(|c| {
                c.retain(|(x, _)| *x != domain);
                if on {
                    c.push((domain.clone(), contacts));
                }
            });
        }
    };
    let detail = (!d.detail.is_empty())
        .then(|| view! { <div class="mt-0.5 text-xs text-slate-500 dark:text-slate-400">{d.detail.clone()}</div> });
    view! {
        <tr data-domain=domain.clone()>
            <td class=TD>
                <input type="checkbox" class="invalid-domain-choice h-4 w-4 rounded border-slate-300 text-indigo-600 dark:border-slate-600"
                    aria-label=format!("Choose {domain}") prop:checked=is_chosen on:change=toggle />
            </td>
            <td class=format!("{TD} font-mono text-xs")>{domain.clone()}</td>
            <td class=TD>{verdict_badge(d.verdict)}{detail}</td>
            <td class=format!("{TD} text-right tabular-nums")>{thousands(contacts)}</td>
            <td class=format!("{TD} whitespace-nowrap")>{format::timestamp(&d.checked_at)}</td>
        </tr>
    }
}

/// The scan's verdict as a pill.
fn verdict_badge(v: DomainVerdict) -> AnyView {
    let tone = match v {
        DomainVerdict::Ok => GREEN,
        DomainVerdict::NoMx => ORANGE,
        DomainVerdict::NullMx | DomainVerdict::NxDomain => RED,
        DomainVerdict::Unknown => SLATE,
    };
    view! { <span class=format!("verdict {PILL} {tone}") data-verdict=v.as_str()>{v.label()}</span> }.into_any()
}
