//! The DKIM card of the DNS page: the domain's keys and the rotation controls.

use leptos::prelude::*;
use model::deliverability::{DkimAlgorithm, DkimKeyInfo, DkimKeyState, RotationRequest};

use super::{AMBER, CARD, GREEN, GREY, Head, INDIGO, PILL, TD, card_table, empty_line, time};
use crate::api::deliverability::{CancelDkimRotation, StartDkimRotation, SwitchDkimKey};
use crate::components::confirm::ConfirmDialog;
use crate::components::field::TextField;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY, SelectField};

/// Outlined red button for abandoning something (less final than a delete).
pub(super) const DANGER_OUTLINE: &str = "inline-flex items-center justify-center gap-2 rounded-lg border border-rose-300 bg-white px-4 py-2 text-sm font-medium text-rose-700 shadow-sm hover:bg-rose-50 disabled:opacity-60 dark:border-rose-800 dark:bg-slate-900 dark:text-rose-300 dark:hover:bg-rose-950";

/// Pill for where a DKIM key is in its rotation.
pub(super) fn key_state_badge(state: DkimKeyState) -> AnyView {
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
pub(super) fn key_row(k: DkimKeyInfo) -> impl IntoView {
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
pub(super) fn DkimCard(
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
        card_table(
            "dkim-key-list",
            &[
                ("Selector", Head::Left),
                ("Algorithm", Head::Left),
                ("State", Head::Left),
                ("Created (UTC)", Head::Left),
                ("Seen in DNS", Head::Left),
                ("Retires", Head::Left),
            ],
            rows,
        )
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
pub(super) fn pending_controls(
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
pub(super) fn RotateForm(domain: String, rotate: ServerAction<StartDkimRotation>) -> impl IntoView {
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
