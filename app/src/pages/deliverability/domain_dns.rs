//! A domain's DNS page (`/domains/:name/dns`): every record the domain needs with the verdict
//! of its last check, DKIM key rotation, the policy behind the SPF, DMARC, MTA-STS and TLS-RPT
//! records, and the history of status changes.
//!
//! All times shown are the server's (check times, next run); the page never reads the clock.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::deliverability::{
    CheckStatus, DkimAlgorithm, DkimKeyInfo, DkimKeyState, DmarcPolicy, DnsPolicy, DomainDnsReport, ExpectedRecord,
    RecordCheck, RecordHistoryEntry, RotationRequest, StsMode,
};

use super::{
    AMBER, CARD, GREEN, GREY, INDIGO, ORANGE, PILL, RED, SLATE, TABLE, TABLE_FRAME, TBODY, TD, TH, empty_line,
    load_error, skeleton, time,
};
use crate::api::ApiError;
use crate::api::deliverability::{
    CancelDkimRotation, SaveDnsPolicy, StartDkimRotation, SwitchDkimKey, VerifyDns, dns_history, dns_report,
};
use crate::components::confirm::ConfirmDialog;
use crate::components::field::TextField;
use crate::components::toast::{Toasts, use_toasts};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, SECONDARY, SelectField, form_error};

/// Outlined red button for abandoning something (less final than a delete).
const DANGER_OUTLINE: &str = "inline-flex items-center justify-center gap-2 rounded-lg border border-rose-300 bg-white px-4 py-2 text-sm font-medium text-rose-700 shadow-sm hover:bg-rose-50 disabled:opacity-60 dark:border-rose-800 dark:bg-slate-900 dark:text-rose-300 dark:hover:bg-rose-950";

/// The policy inputs whose server errors are shown under the input itself.
const POLICY_FIELDS: [&str; 5] = ["dmarc_pct", "dmarc_rua", "dmarc_ruf", "spf_includes", "tls_rpt_rua"];

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

/// Colour of a check verdict: green passes, amber passes with a warning, red is wrong, orange
/// is a name that does not exist, slate is a lookup that failed.
fn status_tone(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Ok => GREEN,
        CheckStatus::Warning => AMBER,
        CheckStatus::Missing | CheckStatus::Mismatch | CheckStatus::Invalid => RED,
        CheckStatus::NxDomain => ORANGE,
        CheckStatus::ServFail | CheckStatus::Timeout | CheckStatus::Error => SLATE,
    }
}

/// The verdict pill; `None` is a record that was never checked.
fn check_badge(status: Option<CheckStatus>) -> AnyView {
    let (tone, label, key) = match status {
        None => (GREY, "Not checked yet", "unchecked"),
        Some(s) => (status_tone(s), s.label(), s.as_str()),
    };
    view! { <span class=format!("status-badge {PILL} {tone}") data-status=key>{label}</span> }.into_any()
}

/// The records table: one `<tbody>` per record, so a record's detail line stays with it.
fn records_table(records: Vec<(ExpectedRecord, Option<RecordCheck>)>, toasts: Toasts) -> AnyView {
    if records.is_empty() {
        return empty_line("No records to publish for this domain.");
    }
    let rows = records.into_iter().map(|(record, check)| record_row(record, check, toasts)).collect_view();
    view! {
        <div class=TABLE_FRAME>
            <table id="dns-records" class=TABLE>
                <caption class="sr-only">"DNS records to publish"</caption>
                <thead class="bg-slate-50 dark:bg-slate-900/60">
                    <tr>
                        <th scope="col" class=TH>"Record"</th>
                        <th scope="col" class=TH>"Type"</th>
                        <th scope="col" class=TH>"Host"</th>
                        <th scope="col" class=TH>"Value"</th>
                        <th scope="col" class=TH>"Status"</th>
                    </tr>
                </thead>
                {rows}
            </table>
        </div>
    }
    .into_any()
}

/// One record: what to publish where, its verdict, and (when it is not fine) what DNS served,
/// what is wrong and how to fix it.
fn record_row(record: ExpectedRecord, check: Option<RecordCheck>, toasts: Toasts) -> impl IntoView {
    let status = check.as_ref().map(|c| c.status);
    let detail = check.filter(|c| !c.status.is_passing() || c.problem.is_some()).map(detail_row);
    let value = record.value.clone();
    let hint = if record.required { "required" } else { "recommended" };
    let copy_label = format!("Copy the {} value", record.purpose.label());
    view! {
        <tbody class="text-slate-700 dark:text-slate-200">
            <tr data-record=record.key.clone() class="hover:bg-slate-50 dark:hover:bg-slate-800/50">
                <td class=TD title=record.note.clone()>
                    <div class="whitespace-nowrap font-medium text-slate-900 dark:text-white">{record.purpose.label()}</div>
                    <div class="text-xs text-slate-500 dark:text-slate-400">{hint}</div>
                </td>
                <td class=format!("{TD} font-mono text-xs")>{record.rtype.as_str()}</td>
                <td class=TD><span class="record-host break-all font-mono text-xs">{record.host.clone()}</span></td>
                <td class=TD>
                    <div class="flex min-w-64 max-w-xl items-start gap-2">
                        <span class="record-value line-clamp-3 min-w-0 flex-1 break-all font-mono text-xs" title=record.value.clone()>{record.value.clone()}</span>
                        <button type="button" class=ROW_ACTION data-action="copy" aria-label=copy_label
                            on:click=move |_| copy_to_clipboard(value.clone(), toasts)>"Copy"</button>
                    </div>
                </td>
                <td class=TD>{check_badge(status)}</td>
            </tr>
            {detail}
        </tbody>
    }
}

/// The line under a record that is not fine: found values, the problem, the fix.
fn detail_row(check: RecordCheck) -> impl IntoView {
    let problem_tone = if check.status.is_passing() {
        "text-amber-800 dark:text-amber-300"
    } else {
        "text-rose-700 dark:text-rose-300"
    };
    let found = if check.found.is_empty() {
        view! { <span class="italic">"nothing"</span> }.into_any()
    } else {
        check
            .found
            .into_iter()
            .map(|f| view! { <span class="block break-all font-mono">{f}</span> })
            .collect_view()
            .into_any()
    };
    view! {
        <tr class="record-detail" data-detail=check.record.key.clone()>
            <td colspan="5" class="px-4 pb-3 pt-0 text-xs text-slate-600 dark:text-slate-300">
                <div class="space-y-1 rounded-lg bg-slate-50 px-3 py-2 dark:bg-slate-800/60">
                    <div class="record-found flex gap-1"><span class="shrink-0 font-semibold">"Found:"</span><div class="min-w-0">{found}</div></div>
                    {check.problem.map(|p| view! { <p class=format!("record-problem font-semibold {problem_tone}")>{p}</p> })}
                    {check.fix.map(|f| view! { <p class="record-fix"><span class="font-semibold">"Fix: "</span><span>{f}</span></p> })}
                </div>
            </td>
        </tr>
    }
}

/// Copies `text` to the clipboard and confirms it in a toast. Browser only; the clipboard API
/// exists only on HTTPS (or localhost), so a failure tells the admin to copy by hand.
fn copy_to_clipboard(text: String, toasts: Toasts) {
    #[cfg(feature = "hydrate")]
    {
        const FAILED: &str = "Could not copy: select the value and copy it by hand.";
        match clipboard_write(&text) {
            Ok(promise) => leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(_) => toasts.success("Copied."),
                    Err(_) => toasts.error(FAILED),
                }
            }),
            Err(_) => toasts.error(FAILED),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (text, toasts);
    }
}

/// `navigator.clipboard.writeText(text)`, looked up dynamically so no extra `web-sys`
/// features are needed (and a missing clipboard is an error, not a panic).
#[cfg(feature = "hydrate")]
fn clipboard_write(text: &str) -> Result<web_sys::js_sys::Promise, leptos::wasm_bindgen::JsValue> {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys::{Function, Promise, Reflect};
    let navigator = Reflect::get(&window(), &JsValue::from_str("navigator"))?;
    let clipboard = Reflect::get(&navigator, &JsValue::from_str("clipboard"))?;
    let write = Reflect::get(&clipboard, &JsValue::from_str("writeText"))?.dyn_into::<Function>()?;
    write.call1(&clipboard, &JsValue::from_str(text))?.dyn_into::<Promise>()
}

/// Pill for where a DKIM key is in its rotation.
fn key_state_badge(state: DkimKeyState) -> AnyView {
    let tone = match state {
        DkimKeyState::Pending => AMBER,
        DkimKeyState::Active => GREEN,
        DkimKeyState::Retiring => INDIGO,
        DkimKeyState::Retired => GREY,
    };
    view! { <span class=format!("key-state {PILL} {tone}") data-state=state.as_str()>{state.as_str()}</span> }
        .into_any()
}

/// One DKIM key of the keys table.
fn key_row(k: DkimKeyInfo) -> impl IntoView {
    let algorithm = match k.algorithm {
        DkimAlgorithm::Rsa => "RSA",
        DkimAlgorithm::Ed25519 => "Ed25519",
    };
    view! {
        <tr data-selector=k.selector.clone()>
            <td class=format!("{TD} font-mono text-xs")>{k.selector.clone()}</td>
            <td class=TD>{algorithm}</td>
            <td class=TD>{key_state_badge(k.state)}</td>
            <td class=format!("{TD} whitespace-nowrap")>{time(Some(k.created_at))}</td>
            <td class=format!("{TD} whitespace-nowrap")>{time(k.dns_verified_at)}</td>
            <td class=format!("{TD} whitespace-nowrap")>{time(k.retire_at)}</td>
        </tr>
    }
}

/// The domain's DKIM keys and the rotation controls: start a rotation, or finish or abandon
/// the one under way.
#[component]
fn DkimCard(
    domain: String,
    keys: Vec<DkimKeyInfo>,
    rotate: ServerAction<StartDkimRotation>,
    switch_key: ServerAction<SwitchDkimKey>,
    cancel: ServerAction<CancelDkimRotation>,
) -> impl IntoView {
    let pending = keys.iter().find(|k| k.state == DkimKeyState::Pending).map(|k| k.selector.clone());
    let table = if keys.is_empty() {
        empty_line("No DKIM key yet: rotate to create one.")
    } else {
        let rows = keys.into_iter().map(key_row).collect_view();
        view! {
            <div class="mt-4 overflow-x-auto">
                <table id="dkim-key-list" class=TABLE>
                    <thead>
                        <tr>
                            <th scope="col" class=TH>"Selector"</th>
                            <th scope="col" class=TH>"Algorithm"</th>
                            <th scope="col" class=TH>"State"</th>
                            <th scope="col" class=TH>"Created (UTC)"</th>
                            <th scope="col" class=TH>"Seen in DNS"</th>
                            <th scope="col" class=TH>"Retires"</th>
                        </tr>
                    </thead>
                    <tbody class=TBODY>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let controls = match pending {
        Some(selector) => pending_controls(domain, selector, switch_key, cancel),
        None => view! { <RotateForm domain=domain rotate=rotate /> }.into_any(),
    };
    view! {
        <section id="dkim-keys" class=CARD>
            <h2 class="text-base font-semibold">"DKIM keys"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Outgoing mail is signed with the active key. A rotation publishes a new key first, switches to it once DNS serves it, and keeps the old key published for a grace period so mail in transit still verifies."</p>
            {table}
            <div class="mt-4 border-t border-slate-100 pt-4 dark:border-slate-800">{controls}</div>
        </section>
    }
}

/// While a new key waits for DNS: what to do, and the ways to finish or abandon the rotation.
fn pending_controls(
    domain: String,
    selector: String,
    switch_key: ServerAction<SwitchDkimKey>,
    cancel: ServerAction<CancelDkimRotation>,
) -> AnyView {
    let force_open = RwSignal::new(false);
    let busy = move || switch_key.pending().get() || cancel.pending().get();
    let for_switch = domain.clone();
    let for_cancel = domain.clone();
    let for_force = domain;
    view! {
        <div id="dkim-pending" class="space-y-3 rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950/40 dark:text-amber-100">
            <p>{format!("New key {selector} is waiting. Publish the new record above; signing switches automatically once DNS serves it.")}</p>
            <div class="flex flex-wrap gap-2">
                <button type="button" id="switch-now" class=SECONDARY disabled=busy
                    on:click=move |_| { switch_key.dispatch(SwitchDkimKey { domain: for_switch.clone(), force: false }); }>"Switch now"</button>
                <button type="button" id="force-switch" class=SECONDARY disabled=busy
                    on:click=move |_| force_open.set(true)>"Switch without waiting for DNS"</button>
                <button type="button" id="cancel-rotation" class=DANGER_OUTLINE disabled=busy
                    on:click=move |_| { cancel.dispatch(CancelDkimRotation { domain: for_cancel.clone() }); }>"Cancel rotation"</button>
            </div>
        </div>
        <ConfirmDialog open=force_open
            title="Switch before DNS serves the new key?"
            message="Receivers that cannot find the new key yet treat the signatures as broken, and DMARC may then send the mail to spam or refuse it. Switch early only if you know the record is published."
            confirm_label="Switch anyway"
            on_confirm=Callback::new(move |_| { switch_key.dispatch(SwitchDkimKey { domain: for_force.clone(), force: true }); }) />
    }
    .into_any()
}

/// Starts a rotation: the algorithm of the new key and how long the old one stays published.
#[component]
fn RotateForm(domain: String, rotate: ServerAction<StartDkimRotation>) -> impl IntoView {
    let algorithm = RwSignal::new("rsa".to_owned());
    let grace = RwSignal::new("7".to_owned());
    let local_error = RwSignal::new(None::<String>);
    let grace_error = Signal::derive(move || {
        local_error.get().or_else(|| rotate.value().get().and_then(Result::err).and_then(|e| e.for_field("grace_days")))
    });
    let options = Signal::derive(|| {
        vec![
            ("rsa".to_owned(), "RSA-2048 (recommended)".to_owned()),
            ("ed25519".to_owned(), "Ed25519 (not verified by Gmail or Microsoft yet)".to_owned()),
        ]
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let Ok(days) = grace.get_untracked().trim().parse::<u32>() else {
            local_error.set(Some("Enter a whole number of days, 0 to 365.".to_owned()));
            return;
        };
        let chosen = if algorithm.get_untracked() == "ed25519" { DkimAlgorithm::Ed25519 } else { DkimAlgorithm::Rsa };
        rotate.dispatch(StartDkimRotation {
            domain: domain.clone(),
            request: RotationRequest { algorithm: chosen, grace_days: Some(days) },
        });
    };
    view! {
        <form id="rotate-form" class="space-y-3" on:submit=submit>
            <h3 class="text-sm font-semibold">"Rotate key"</h3>
            <div class="grid gap-4 sm:grid-cols-2">
                <SelectField name="dkim_algorithm" label="Algorithm" value=algorithm options=options />
                <TextField name="grace_days" label="Keep the old key published (days)" input_type="number" value=grace error=grace_error />
            </div>
            <p class="text-xs text-amber-700 dark:text-amber-300" class:hidden=move || algorithm.get() != "ed25519">
                "Ed25519 signatures are not verified by Gmail or Microsoft yet: there, mail signed only with Ed25519 counts as unsigned."
            </p>
            <button type="submit" id="rotate-key" class=PRIMARY disabled=move || rotate.pending().get()>
                {move || if rotate.pending().get() { "Generating…" } else { "Rotate key" }}
            </button>
        </form>
    }
}

/// Splits a comma- (or space-) separated list as typed into its non-empty entries.
fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\n', '\t']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The MTA-STS mode chosen in the select.
fn sts_mode(value: &str) -> StsMode {
    match value {
        "none" => StsMode::None,
        "enforce" => StsMode::Enforce,
        _ => StsMode::Testing,
    }
}

/// The choices behind the SPF, DMARC, MTA-STS and TLS-RPT records, and the MTA-STS policy
/// file this server serves for the domain.
#[component]
fn PolicyCard(
    domain: String,
    policy: DnsPolicy,
    mta_sts_policy: Option<String>,
    save: ServerAction<SaveDnsPolicy>,
) -> impl IntoView {
    let dmarc = RwSignal::new(policy.dmarc_policy.as_str().to_owned());
    let pct = RwSignal::new(policy.dmarc_pct.to_string());
    let rua = RwSignal::new(policy.dmarc_rua.join(", "));
    let ruf = RwSignal::new(policy.dmarc_ruf.join(", "));
    let includes = RwSignal::new(policy.spf_includes.join(", "));
    let sts = RwSignal::new(policy.mta_sts_mode.as_str().to_owned());
    let rpt = RwSignal::new(policy.tls_rpt_rua.join(", "));
    let sts_id = policy.mta_sts_id;
    let local_error = RwSignal::new(None::<ApiError>);
    let error = Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    let general = move || error.get().filter(|e| POLICY_FIELDS.iter().all(|f| e.for_field(f).is_none()));
    let dmarc_options = Signal::derive(|| {
        vec![
            ("none".to_owned(), "none: only report".to_owned()),
            ("quarantine".to_owned(), "quarantine: to spam".to_owned()),
            ("reject".to_owned(), "reject: refuse".to_owned()),
        ]
    });
    let sts_options = Signal::derive(|| {
        vec![
            ("none".to_owned(), "none: no policy".to_owned()),
            ("testing".to_owned(), "testing: report failures".to_owned()),
            ("enforce".to_owned(), "enforce: TLS required".to_owned()),
        ]
    });
    let url = format!("https://mta-sts.{domain}/.well-known/mta-sts.txt");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let Ok(dmarc_pct) = pct.get_untracked().trim().parse::<u8>() else {
            local_error.set(Some(ApiError::invalid("dmarc_pct", "Enter a whole number from 0 to 100.")));
            return;
        };
        let policy = DnsPolicy {
            dmarc_policy: dmarc.get_untracked().parse().unwrap_or(DmarcPolicy::Quarantine),
            dmarc_pct,
            dmarc_rua: split_list(&rua.get_untracked()),
            dmarc_ruf: split_list(&ruf.get_untracked()),
            spf_includes: split_list(&includes.get_untracked()),
            mta_sts_mode: sts_mode(&sts.get_untracked()),
            tls_rpt_rua: split_list(&rpt.get_untracked()),
            mta_sts_id: sts_id.clone(),
        };
        save.dispatch(SaveDnsPolicy { domain: domain.clone(), policy });
    };
    let policy_file = match mta_sts_policy {
        Some(text) => view! {
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                "Served by this server at "
                <a id="mta-sts-url" class="break-all font-mono text-indigo-600 hover:underline dark:text-indigo-300" href=url.clone() target="_blank" rel="noopener noreferrer">{url.clone()}</a>
                " once the MTA-STS host record above points here."
            </p>
            <pre id="mta-sts-policy" class="mt-2 overflow-x-auto rounded-lg bg-slate-100 px-3 py-2 font-mono text-xs dark:bg-slate-800">{text}</pre>
        }
        .into_any(),
        None => view! {
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"No policy file is served while the MTA-STS mode is none."</p>
        }
        .into_any(),
    };
    view! {
        <section id="dns-policy" class=CARD>
            <h2 class="text-base font-semibold">"Policy"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"What the SPF, DMARC, MTA-STS and TLS-RPT records above say. Saving changes the values to publish."</p>
            <form id="policy-form" class="mt-4 space-y-4" on:submit=submit>
                <div class="grid gap-4 sm:grid-cols-2">
                    <SelectField name="dmarc_policy" label="DMARC policy" value=dmarc options=dmarc_options />
                    <TextField name="dmarc_pct" label="DMARC applies to (%)" input_type="number" value=pct
                        hint="Share of failing mail the policy applies to; 100 for all." error=field("dmarc_pct") />
                    <TextField name="dmarc_rua" label="Aggregate report addresses" value=rua autocomplete="off"
                        hint="Comma-separated. Receivers send daily summaries here." error=field("dmarc_rua") />
                    <TextField name="dmarc_ruf" label="Failure report addresses" value=ruf autocomplete="off"
                        hint="Comma-separated. Few receivers send these." error=field("dmarc_ruf") />
                    <TextField name="spf_includes" label="Outside relays (SPF include)" value=includes autocomplete="off"
                        hint="Comma-separated domains of other services that send as this domain, e.g. _spf.example.net." error=field("spf_includes") />
                    <SelectField name="mta_sts_mode" label="MTA-STS mode" value=sts options=sts_options />
                    <TextField name="tls_rpt_rua" label="TLS-RPT report addresses" value=rpt autocomplete="off"
                        hint="Comma-separated. Empty: postmaster of this domain." error=field("tls_rpt_rua") />
                </div>
                {move || form_error(general().map(|e| e.to_string()))}
                <button type="submit" id="save-policy" class=PRIMARY disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save policy" }}
                </button>
            </form>
            <div class="mt-6 border-t border-slate-100 pt-4 dark:border-slate-800">
                <h3 class="text-sm font-semibold">"MTA-STS policy file"</h3>
                {policy_file}
            </div>
        </section>
    }
}

/// The latest status changes of the domain's records.
#[component]
fn HistoryCard(history: Resource<Result<Vec<RecordHistoryEntry>, ApiError>>) -> impl IntoView {
    view! {
        <section id="dns-history" class=CARD>
            <h2 class="text-base font-semibold">"History"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Each change of a record's status, newest first (last 50). Times are UTC."</p>
            <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
                {move || history.get().map(|r| match r {
                    Err(e) => view! { <p class="mt-4 text-sm text-rose-600 dark:text-rose-400">{e.to_string()}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => empty_line("No changes recorded yet: the first check fills this in."),
                    Ok(rows) => view! {
                        <div class="mt-4 overflow-x-auto">
                            <table id="dns-history-list" class=TABLE>
                                <thead>
                                    <tr>
                                        <th scope="col" class=TH>"When"</th>
                                        <th scope="col" class=TH>"Record"</th>
                                        <th scope="col" class=TH>"Status"</th>
                                        <th scope="col" class=TH>"Problem"</th>
                                    </tr>
                                </thead>
                                <tbody class=TBODY>
                                    {rows.into_iter().take(50).map(|h| view! {
                                        <tr data-history=h.record_key.clone()>
                                            <td class=format!("{TD} whitespace-nowrap")>{format::timestamp(&h.at)}</td>
                                            <td class=format!("{TD} font-mono text-xs")>{h.record_key.clone()}</td>
                                            <td class=TD>{check_badge(Some(h.status))}</td>
                                            <td class=format!("{TD} text-xs")>{h.problem.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                })}
            </Transition>
        </section>
    }
}
