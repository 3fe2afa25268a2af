//! A domain's DNS page (`/domains/:name/dns`): every record the domain needs with the verdict
//! of its last check, DKIM key rotation, the policy behind the SPF, DMARC, MTA-STS and TLS-RPT
//! records, and the history of status changes.
//!
//! All times shown are the server's (check times, next run); the page never reads the clock.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::deliverability::{DkimKeyState, DomainDnsReport};

use super::dkim_card::DkimCard;
use super::history_card::HistoryCard;
use super::policy_card::PolicyCard;
use super::records_table::records_table;
use super::{AMBER, GREEN, RED, load_error, skeleton};
use crate::api::deliverability::{
    CancelDkimRotation, SaveDnsPolicy, StartDkimRotation, SwitchDkimKey, VerifyDns, dns_history, dns_report,
};
use crate::components::toast::use_toasts;
use crate::pages::format;
use crate::pages::mail::widgets::PRIMARY;

/// The DNS page of one domain: what to publish, whether DNS serves it, and the choices behind
/// it, so the admin can get a new domain to "ready to send" without outside tools.
#[component]
pub fn DomainDnsPage() -> impl IntoView {
    let params = use_params_map();
    let domain = Memo::new(move |_| params.with(|p| p.get("name").unwrap_or_default()));
    let toasts = use_toasts();
    let verify = ServerAction::<VerifyDns>::new();
    let save = ServerAction::<SaveDnsPolicy>::new();
    let rotate = ServerAction::<StartDkimRotation>::new();
    let switch_key = ServerAction::<SwitchDkimKey>::new();
    let cancel = ServerAction::<CancelDkimRotation>::new();
    // Saves and rotations reload the page only when they succeed: a refused one must leave the
    // admin's input in its form, next to the error.
    let changed = RwSignal::new(0u32);
    let key = move || {
        (domain.get(), verify.version().get(), switch_key.version().get(), cancel.version().get(), changed.get())
    };
    let report = Resource::new(key, |(d, ..)| dns_report(d));
    let history = Resource::new(key, |(d, ..)| dns_history(d));
    Effect::new(move |_| match verify.value().get() {
        Some(Ok(r)) => match problems(&r) {
            0 => toasts.success("All records OK."),
            1 => toasts.error("1 problem found."),
            n => toasts.error(format!("{n} problems found.")),
        },
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            changed.update(|n| *n += 1);
            toasts.success("DNS policy saved. Publish the changed records, then check again.");
        }
    });
    Effect::new(move |_| match rotate.value().get() {
        Some(Ok(r)) => {
            changed.update(|n| *n += 1);
            let selector = selector_in(&r, DkimKeyState::Pending);
            toasts.success(format!("New DKIM key {selector} created. Publish its record below."));
        }
        Some(Err(e)) if e.for_field("grace_days").is_none() => toasts.report(&e),
        _ => {}
    });
    Effect::new(move |_| match switch_key.value().get() {
        Some(Ok(r)) => {
            toasts.success(format!("Outgoing mail is now signed with key {}.", selector_in(&r, DkimKeyState::Active)))
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match cancel.value().get() {
        Some(Ok(_)) => toasts.success("Rotation cancelled; the current key keeps signing."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let title = format!("DNS of {} · BillionMail", domain.get_untracked());
    view! {
        <Title text=title />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <a href="/domains" class="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-300">"← Domains"</a>
                    <h1 class="mt-1 text-2xl font-semibold tracking-tight">
                        <Transition fallback=move || view! { <span>{domain.get_untracked()}</span> }>
                            <span id="domain-name">{move || report.get().map(|r| r.map(|r| r.display_name).unwrap_or_else(|_| domain.get()))}</span>
                        </Transition>
                    </h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"The DNS records this domain needs, checked against live DNS. Publish them at your DNS provider, then check again."</p>
                </div>
                <button type="button" id="check-now" class=PRIMARY disabled=move || verify.pending().get()
                    on:click=move |_| { verify.dispatch(VerifyDns { domain: domain.get_untracked() }); }>
                    <span class="h-4 w-4 animate-spin rounded-full border-2 border-white/40 border-t-white" class:hidden=move || !verify.pending().get()></span>
                    {move || if verify.pending().get() { "Checking…" } else { "Check now" }}
                </button>
            </div>
            <Transition fallback=skeleton>
                {move || report.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(r) => {
                        let head = summary(&r);
                        let DomainDnsReport { domain, keys, records, policy, mta_sts_policy, .. } = r;
                        view! {
                            <div class="space-y-6">
                                {head}
                                {records_table(records, toasts)}
                                <DkimCard domain=domain.clone() keys=keys rotate=rotate switch_key=switch_key cancel=cancel />
                                <PolicyCard domain=domain policy=policy mta_sts_policy=mta_sts_policy save=save />
                            </div>
                        }
                        .into_any()
                    }
                })}
            </Transition>
            <HistoryCard history=history />
        </div>
    }
}

/// Records whose last check did not pass (or that were never checked), required or not.
fn problems(r: &DomainDnsReport) -> usize {
    r.records.iter().filter(|(_, check)| check.as_ref().is_none_or(|c| !c.status.is_passing())).count()
}

/// Required records that failed their last check, and required records never checked.
fn attention(r: &DomainDnsReport) -> (usize, usize) {
    let required = || r.records.iter().filter(|(record, _)| record.required);
    let failing = required().filter(|(_, check)| check.as_ref().is_some_and(|c| !c.status.is_passing())).count();
    let unchecked = required().filter(|(_, check)| check.is_none()).count();
    (failing, unchecked)
}

/// The selector of the key in `state`, for the toasts after a rotation step.
fn selector_in(r: &DomainDnsReport, state: DkimKeyState) -> String {
    r.keys.iter().find(|k| k.state == state).map(|k| k.selector.clone()).unwrap_or_default()
}

/// The pill that says whether the domain can send, with the last and next check times.
fn summary(r: &DomainDnsReport) -> AnyView {
    let big = "inline-flex items-center rounded-full px-3 py-1 text-sm font-semibold";
    let pill = match r.all_ok_since {
        Some(since) => view! {
            <span id="dns-summary" data-ready="true" class=format!("{big} {GREEN}")
                title=format!("Every required record has passed since {} UTC", format::timestamp(&since))>"Ready to send"</span>
        }
        .into_any(),
        None => {
            let (failing, unchecked) = attention(r);
            let tone = if failing > 0 { RED } else { AMBER };
            let text = match failing + unchecked {
                0 => "Not verified yet".to_owned(),
                1 => "1 record needs attention".to_owned(),
                n => format!("{n} records need attention"),
            };
            view! { <span id="dns-summary" data-ready="false" class=format!("{big} {tone}")>{text}</span> }.into_any()
        }
    };
    let checked = match r.checked_at {
        Some(t) => format!("Last checked {} UTC", format::timestamp(&t)),
        None => "Not checked yet".to_owned(),
    };
    let next = r.next_check_at.map(|t| format!("Next automatic check {} UTC", format::timestamp(&t)));
    view! {
        <div class="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-500 dark:text-slate-400">
            {pill}
            <span id="last-checked">{checked}</span>
            {next.map(|n| view! { <span id="next-check">{n}</span> })}
        </div>
    }
    .into_any()
}
