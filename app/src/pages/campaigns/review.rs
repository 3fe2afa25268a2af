//! The campaign editor's last step, "Review & send": after the draft is saved the admin sees
//! everything that decides whether the campaign goes out well (the preflight checks, the
//! audience size and the message exactly as the first recipient gets it), can send it to a
//! few real inboxes first, and then starts it now or schedules it. Sending cannot be undone,
//! so this step exists to make that one click an informed one: a failing check disables the
//! send, and sending now asks for confirmation.
//!
//! The preflight is loaded once on mount (and again on "Run again"). The test-send and send
//! panels keep their own state outside the loading boundary, so re-running the checks never
//! clears typed addresses, test results or the chosen schedule.
//!
//! Schedules are chosen in the browser's own time zone (or UTC). The browser converts the
//! local date and time to UTC itself (`Date` knows its zone's daylight-saving rules), so no
//! time-zone database is needed in wasm; the zone's IANA name is stored with the schedule.

use chrono::{DateTime, NaiveDateTime, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use model::campaigns::{Preflight, PreflightCheck, PreflightStatus, RecipientCount, SpamSymbol, TestSendResult};

use crate::api::campaigns::{ScheduleCampaign, SendTestCampaign, StartCampaign, campaign_preflight};
use crate::components::clock::browser_now;
use crate::components::confirm::ConfirmDialog;
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{CARD, load_error};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY};

/// Most addresses one test send may go to (the server refuses more).
const MAX_TEST_ADDRESSES: usize = 10;
/// Gmail clips messages whose HTML is larger than this.
const GMAIL_CLIP_BYTES: usize = 102 * 1024;
/// The zone select's value for the browser's own time zone.
const BROWSER_ZONE: &str = "browser";
/// The zone select's value (and the stored zone name) for UTC.
const UTC_ZONE: &str = "UTC";
/// Why the send buttons are disabled while a check fails.
const BLOCKED_REASON: &str = "Fix the failing checks first";

/// A field label.
const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-200";
/// Quiet helper text.
const HINT: &str = "text-sm text-slate-500 dark:text-slate-400";
/// A card's heading.
const HEADING: &str = "text-base font-semibold text-slate-900 dark:text-white";
/// A select, styled like the other forms' selects.
const SELECT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";
/// Inline field error under an input.
const FIELD_ERROR: &str = "field-error text-xs font-medium text-rose-600 dark:text-rose-400";
/// Body cell of the spam-rule table.
const SYMBOL_TD: &str = "px-3 py-1.5 align-top";

/// A text input, red-bordered while it has an error (as in the other forms).
fn input_class(has_error: bool) -> String {
    let tone = if has_error {
        "border-rose-500 focus:border-rose-500 focus:ring-rose-500/30"
    } else {
        "border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-slate-700"
    };
    format!(
        "block w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm outline-none placeholder:text-slate-400 focus:ring-4 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500 {tone}"
    )
}

/// The width the preview imitates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum PreviewWidth {
    /// Webmail and desktop clients: the usual 600 px email width.
    #[default]
    Desktop,
    /// A phone screen, where columns stack.
    Phone,
}

impl PreviewWidth {
    /// Both, in the order the toggle shows them.
    const ALL: [PreviewWidth; 2] = [Self::Desktop, Self::Phone];

    /// Frame width in CSS pixels.
    fn px(self) -> u32 {
        match self {
            Self::Desktop => 600,
            Self::Phone => 375,
        }
    }

    /// Stable key, in `data-testid="preview-<key>"`.
    fn key(self) -> &'static str {
        match self {
            Self::Desktop => "desktop",
            Self::Phone => "phone",
        }
    }

    /// The toggle's text.
    fn label(self) -> &'static str {
        match self {
            Self::Desktop => "Desktop",
            Self::Phone => "Phone",
        }
    }
}

/// Send now, or let the campaign start by itself later.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SendMode {
    #[default]
    Now,
    Later,
}

/// What the send panel needs from the last preflight.
#[derive(Clone, Debug, PartialEq)]
struct SendFacts {
    subject: String,
    sendable: i64,
    blocked: bool,
}

impl SendFacts {
    fn of(p: &Preflight) -> Self {
        Self { subject: p.sample_subject.clone(), sendable: p.recipients.sendable, blocked: p.blocked() }
    }
}

/// The "Review & send" step the campaign editor shows after saving the draft: preflight
/// checks, preview, test send, and send now or schedule. `on_done` runs once the campaign
/// has been started or scheduled (the editor then closes the step and moves on).
#[component]
pub fn ReviewStep(campaign_id: i64, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let preflight = Resource::new(|| (), move |_| campaign_preflight(campaign_id));
    // True while the checks run again (the previous results stay on screen meanwhile).
    let checking = RwSignal::new(false);
    let facts = RwSignal::new(None::<SendFacts>);
    Effect::new(move |_| match preflight.get() {
        Some(Ok(p)) => facts.set(Some(SendFacts::of(&p))),
        Some(Err(_)) => facts.set(None),
        None => {}
    });
    let width = RwSignal::new(PreviewWidth::default());

    // Test send.
    let addresses = RwSignal::new(String::new());
    let test_error = RwSignal::new(None::<String>);
    let test_results = RwSignal::new(Vec::<TestSendResult>::new());
    let test = ServerAction::<SendTestCampaign>::new();
    Effect::new(move |_| match test.value().get() {
        Some(Ok(results)) => test_results.set(results),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let send_test = move |ev: SubmitEvent| {
        ev.prevent_default();
        test_error.set(None);
        let list = parse_addresses(&addresses.get_untracked());
        if list.is_empty() {
            test_error.set(Some("Enter at least one address.".to_owned()));
            return;
        }
        if list.len() > MAX_TEST_ADDRESSES {
            test_error.set(Some(format!(
                "A test goes to at most {MAX_TEST_ADDRESSES} addresses; you entered {}.",
                list.len()
            )));
            return;
        }
        test.dispatch(SendTestCampaign { id: campaign_id, addresses: list });
    };
    let testing = move || test.pending().get();

    // Send now or schedule.
    let mode = RwSignal::new(SendMode::default());
    let at = RwSignal::new(String::new());
    let zone = RwSignal::new(UTC_ZONE.to_owned());
    let browser_zone = RwSignal::new(None::<String>);
    // Effects run only in the browser: the server render offers UTC alone, the browser then
    // adds its own zone and picks it.
    Effect::new(move |_| {
        if let Some(name) = browser_zone_name().filter(|n| n != UTC_ZONE) {
            browser_zone.set(Some(name));
            zone.set(BROWSER_ZONE.to_owned());
        }
    });
    let schedule_error = RwSignal::new(None::<String>);
    // "2026-03-01 09:30 (Europe/Berlin)", kept for the toast once the server agrees.
    let scheduled_label = StoredValue::new(String::new());
    let start = ServerAction::<StartCampaign>::new();
    let schedule = ServerAction::<ScheduleCampaign>::new();
    let confirm_open = RwSignal::new(false);
    Effect::new(move |_| match start.value().get() {
        Some(Ok(_)) => {
            toasts.success("Sending started.");
            on_done.run(());
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match schedule.value().get() {
        Some(Ok(_)) => {
            toasts.success(format!("Scheduled for {}.", scheduled_label.get_value()));
            on_done.run(());
        }
        Some(Err(e)) => match e.for_field("scheduled_at") {
            Some(message) => schedule_error.set(Some(message)),
            None => toasts.report(&e),
        },
        None => {}
    });
    let busy = move || start.pending().get() || schedule.pending().get();
    let blocked = move || facts.with(|f| f.as_ref().is_some_and(|f| f.blocked));
    let can_send = move || facts.with(Option::is_some) && !checking.get() && !blocked() && !busy();
    let sendable = move || facts.with(|f| f.as_ref().map(|f| f.sendable));
    let on_schedule = move |_: leptos::ev::MouseEvent| {
        schedule_error.set(None);
        let Some(local) = parse_local(&at.get_untracked()) else {
            schedule_error.set(Some("Choose a date and time.".to_owned()));
            return;
        };
        let choice = zone.get_untracked();
        let Some(utc) = to_utc(local, &choice) else {
            schedule_error.set(Some("This date and time does not exist in the chosen time zone.".to_owned()));
            return;
        };
        if browser_now().is_some_and(|now| utc <= now) {
            schedule_error.set(Some("Choose a time in the future.".to_owned()));
            return;
        }
        let name = zone_name(&choice, browser_zone.get_untracked());
        scheduled_label.set_value(format!("{} ({name})", local.format("%Y-%m-%d %H:%M")));
        schedule.dispatch(ScheduleCampaign { id: campaign_id, at: Some(utc), time_zone: name });
    };
    let utc_hint = move || {
        let choice = zone.get();
        if choice != BROWSER_ZONE {
            return None;
        }
        let utc = parse_local(&at.get()).and_then(|local| to_utc(local, &choice))?;
        Some(format!("That is {} UTC.", format::timestamp(&utc)))
    };
    let send_label = move || match (start.pending().get(), sendable()) {
        (true, _) => "Starting…".to_owned(),
        (false, Some(n)) => format!("Send now to {}", recipients(n)),
        (false, None) => "Send now".to_owned(),
    };
    let send_button = move || match mode.get() {
        SendMode::Now => view! {
            <button type="button" data-testid="send-now" class=PRIMARY disabled=move || !can_send()
                on:click=move |_| confirm_open.set(true)>
                {send_label}
            </button>
        }
        .into_any(),
        SendMode::Later => view! {
            <button type="button" data-testid="schedule" class=PRIMARY disabled=move || !can_send()
                on:click=on_schedule>
                {move || if schedule.pending().get() { "Scheduling…" } else { "Schedule" }}
            </button>
        }
        .into_any(),
    };
    let send_reason = move || {
        let (key, text, tone) = if checking.get() {
            ("checking", "Running the checks…", HINT)
        } else if facts.with(Option::is_none) {
            ("unchecked", "The checks must finish before sending.", HINT)
        } else if blocked() {
            ("blocked", BLOCKED_REASON, "text-sm font-medium text-rose-700 dark:text-rose-300")
        } else {
            return None;
        };
        Some(view! { <p data-testid="send-reason" data-reason=key class=tone>{text}</p> })
    };
    let confirm_message = Signal::derive(move || {
        facts.with(|f| match f {
            Some(f) => {
                format!("Send \u{201c}{}\u{201d} to {} now? This cannot be undone.", f.subject, recipients(f.sendable))
            }
            None => "Send this campaign now? This cannot be undone.".to_owned(),
        })
    });

    let checks_content = move || {
        preflight.get().map(|r| match r {
            Ok(p) => checks_body(p),
            Err(e) => load_error(&e),
        })
    };
    let preview_content = move || {
        preflight.get().map(|r| match r {
            Ok(p) => preview_body(p, width),
            Err(_) => view! {
                <p class=format!("mt-4 {HINT}")>"The preview appears once the checks have run."</p>
            }
            .into_any(),
        })
    };
    let checks_frame =
        move || if checking.get() { "mt-4 opacity-60 transition-opacity" } else { "mt-4 transition-opacity" };
    let width_buttons = PreviewWidth::ALL.into_iter().map(|w| width_button(w, width)).collect_view();
    let test_results_view = move || {
        test_results.with(|results| {
            (!results.is_empty()).then(|| {
                let rows = results.iter().cloned().map(test_result_row).collect_view();
                view! {
                    <ul data-testid="test-results" class="mt-4 divide-y divide-slate-100 border-t border-slate-100 dark:divide-slate-800 dark:border-slate-800">
                        {rows}
                    </ul>
                }
            })
        })
    };

    view! {
        <div data-testid="review-step" class="grid items-start gap-6 lg:grid-cols-2">
            <section class=CARD data-testid="review-preflight" aria-labelledby="review-preflight-title">
                <div class="flex flex-wrap items-start justify-between gap-3">
                    <div>
                        <h2 id="review-preflight-title" class=HEADING>"Preflight checks"</h2>
                        <p class=format!("mt-1 {HINT}")>"What receiving servers and spam filters will look at."</p>
                    </div>
                    <button type="button" data-testid="preflight-rerun" class=SECONDARY
                        disabled=move || checking.get()
                        on:click=move |_| preflight.refetch()>
                        {move || if checking.get() { "Checking…" } else { "Run again" }}
                    </button>
                </div>
                <div class=checks_frame>
                    <Transition fallback=checks_skeleton set_pending=checking>{checks_content}</Transition>
                </div>
            </section>

            <section class=CARD data-testid="review-preview" aria-labelledby="review-preview-title">
                <div class="flex flex-wrap items-center justify-between gap-3">
                    <h2 id="review-preview-title" class=HEADING>"Preview"</h2>
                    <div role="group" aria-label="Preview width" class="flex rounded-lg bg-slate-100 p-0.5 dark:bg-slate-800">
                        {width_buttons}
                    </div>
                </div>
                <Transition fallback=preview_skeleton>{preview_content}</Transition>
            </section>

            <section class=CARD data-testid="review-test" aria-labelledby="review-test-title">
                <h2 id="review-test-title" class=HEADING>"Send a test"</h2>
                <p class=format!("mt-1 {HINT}")>
                    "Check the message in real inboxes first. Tests are marked “[Test]”, are not tracked and do not count as sent."
                </p>
                <form class="mt-4 space-y-1.5" on:submit=send_test novalidate=true>
                    <label for="test-addresses" class=LABEL>"Addresses"</label>
                    <div class="flex flex-col gap-3 sm:flex-row sm:items-start">
                        <input id="test-addresses" name="addresses" type="text" data-testid="test-addresses"
                            autocomplete="off" spellcheck="false"
                            placeholder="you@example.com, colleague@example.com"
                            aria-invalid=move || if test_error.get().is_some() { "true" } else { "false" }
                            aria-describedby="test-addresses-hint test-addresses-error"
                            class=move || format!("{} sm:flex-1", input_class(test_error.get().is_some()))
                            bind:value=addresses />
                        <button type="submit" data-testid="send-test" class=format!("{SECONDARY} shrink-0") disabled=testing>
                            <span class="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600 dark:border-slate-600 dark:border-t-indigo-400"
                                class:hidden=move || !testing()></span>
                            {move || if testing() { "Sending…" } else { "Send test" }}
                        </button>
                    </div>
                    <p id="test-addresses-hint" class="text-xs text-slate-500 dark:text-slate-400">
                        {format!("Up to {MAX_TEST_ADDRESSES} addresses, separated by commas or spaces.")}
                    </p>
                    <p id="test-addresses-error" class=FIELD_ERROR class:hidden=move || test_error.get().is_none()>
                        {move || test_error.get().unwrap_or_default()}
                    </p>
                </form>
                {test_results_view}
            </section>

            <section class=CARD data-testid="review-send" aria-labelledby="review-send-title">
                <h2 id="review-send-title" class=HEADING>"Send"</h2>
                <fieldset class="mt-4 space-y-3">
                    <legend class="sr-only">"When to send"</legend>
                    {mode_choice("send-now-option", "Send now", "Sending starts as soon as you confirm.",
                        SendMode::Now, mode)}
                    {mode_choice("schedule-option", "Schedule for later",
                        "The campaign starts by itself at the time you choose; until then you can still change it.",
                        SendMode::Later, mode)}
                </fieldset>
                <Show when=move || mode.get() == SendMode::Later>
                    <div class="mt-4 space-y-2">
                        <div class="grid gap-4 sm:grid-cols-2">
                            <div class="space-y-1.5">
                                <label for="schedule-at" class=LABEL>"Date and time"</label>
                                <input id="schedule-at" name="scheduled_at" type="datetime-local" data-testid="schedule-at"
                                    aria-invalid=move || if schedule_error.get().is_some() { "true" } else { "false" }
                                    aria-describedby="schedule-at-error schedule-at-utc"
                                    class=move || input_class(schedule_error.get().is_some())
                                    bind:value=at />
                            </div>
                            <div class="space-y-1.5">
                                <label for="schedule-zone" class=LABEL>"Time zone"</label>
                                <select id="schedule-zone" name="time_zone" data-testid="schedule-zone" class=SELECT
                                    prop:value=move || zone.get()
                                    on:change=move |ev| zone.set(event_target_value(&ev))>
                                    {move || browser_zone.get().map(|name| view! {
                                        <option value=BROWSER_ZONE selected=move || zone.get() == BROWSER_ZONE>
                                            {format!("{name} (this browser)")}
                                        </option>
                                    })}
                                    <option value=UTC_ZONE selected=move || zone.get() == UTC_ZONE>"UTC"</option>
                                </select>
                            </div>
                        </div>
                        <p id="schedule-at-utc" data-testid="schedule-utc" class="text-xs text-slate-500 dark:text-slate-400">
                            {utc_hint}
                        </p>
                        <p id="schedule-at-error" class=FIELD_ERROR class:hidden=move || schedule_error.get().is_none()>
                            {move || schedule_error.get().unwrap_or_default()}
                        </p>
                    </div>
                </Show>
                <div class="mt-5 flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4 dark:border-slate-800">
                    {send_button}
                    {send_reason}
                </div>
            </section>
        </div>
        <ConfirmDialog open=confirm_open
            title="Send this campaign now?"
            message=confirm_message
            confirm_label="Send now"
            on_confirm=Callback::new(move |_| {
                start.dispatch(StartCampaign { id: campaign_id });
            }) />
    }
}

/// The audience size, the verdict over all checks, and one row per check.
fn checks_body(p: Preflight) -> AnyView {
    let Preflight { checks, recipients: count, .. } = p;
    let summary = summary_banner(&checks);
    let audience = audience_line(count);
    let rows = checks.into_iter().map(check_row).collect_view();
    view! {
        <div>
            {audience}
            {summary}
            <ul data-testid="preflight-checks" class="mt-2 divide-y divide-slate-100 dark:divide-slate-800">{rows}</ul>
        </div>
    }
    .into_any()
}

/// "1 234 recipients", large, and how many matching contacts are left out as suppressed.
fn audience_line(count: RecipientCount) -> AnyView {
    let suppressed = (count.matching - count.sendable).max(0);
    let note = (suppressed > 0).then(|| {
        let verb = if suppressed == 1 { "is" } else { "are" };
        view! {
            <p class="text-xs text-slate-500 dark:text-slate-400">
                {format!("{} match the audience; {suppressed} of them {verb} suppressed and will not get it.", count.matching)}
            </p>
        }
    });
    let noun = if count.sendable == 1 { " recipient" } else { " recipients" };
    view! {
        <div class="mb-4">
            <p data-testid="review-recipients" class="text-slate-700 dark:text-slate-200">
                <span class="text-2xl font-semibold tabular-nums text-slate-900 dark:text-white">{count.sendable}</span>
                {noun}
            </p>
            {note}
        </div>
    }
    .into_any()
}

/// The one-line verdict: all passed (green), warnings only (amber) or blocked (red).
fn summary_banner(checks: &[PreflightCheck]) -> AnyView {
    let fails = checks.iter().filter(|c| c.status == PreflightStatus::Fail).count();
    let warns = checks.iter().filter(|c| c.status == PreflightStatus::Warn).count();
    let (status, text) = summary_text(fails, warns);
    let tone = match status {
        PreflightStatus::Fail => "bg-rose-50 text-rose-800 dark:bg-rose-500/10 dark:text-rose-200",
        PreflightStatus::Warn => "bg-amber-50 text-amber-800 dark:bg-amber-500/10 dark:text-amber-200",
        _ => "bg-emerald-50 text-emerald-800 dark:bg-emerald-500/10 dark:text-emerald-200",
    };
    view! {
        <p data-testid="preflight-summary" data-status=status_key(status) role="status"
            class=format!("flex items-center gap-2 rounded-lg px-3 py-2 text-sm font-semibold {tone}")>
            <span class=status_colour(status)>{status_icon(status)}</span>
            {text}
        </p>
    }
    .into_any()
}

/// The verdict's status and words for `fails` failing and `warns` warning checks.
fn summary_text(fails: usize, warns: usize) -> (PreflightStatus, String) {
    match (fails, warns) {
        (0, 0) => (PreflightStatus::Pass, "All checks passed".to_owned()),
        (0, 1) => (PreflightStatus::Warn, "1 warning".to_owned()),
        (0, n) => (PreflightStatus::Warn, format!("{n} warnings")),
        (1, _) => (PreflightStatus::Fail, "1 problem blocks sending".to_owned()),
        (n, _) => (PreflightStatus::Fail, format!("{n} problems block sending")),
    }
}

/// One check: its verdict icon, label and detail, and for the spam score the rules that
/// fired.
fn check_row(check: PreflightCheck) -> AnyView {
    let status = check.status;
    let testid = format!("preflight-check-{}", check.key);
    let symbols = (!check.symbols.is_empty()).then(|| symbols_table(check.symbols, status == PreflightStatus::Fail));
    view! {
        <li data-testid=testid data-status=status_key(status) class="flex items-start gap-3 py-3">
            <span class=format!("mt-0.5 {}", status_colour(status))>
                {status_icon(status)}
                <span class="sr-only">{status_label(status)}</span>
            </span>
            <div class="min-w-0 flex-1">
                <p class="text-sm font-semibold text-slate-900 dark:text-white">{check.label}</p>
                <p class="mt-0.5 break-words text-sm text-slate-600 dark:text-slate-300">{check.detail}</p>
                {symbols}
            </div>
        </li>
    }
    .into_any()
}

/// The Rspamd rules behind the spam score, in the order the server gave them, folded away.
fn symbols_table(symbols: Vec<SpamSymbol>, open: bool) -> AnyView {
    let summary = match symbols.len() {
        1 => "1 spam-filter rule matched".to_owned(),
        n => format!("{n} spam-filter rules matched"),
    };
    let rows = symbols
        .into_iter()
        .map(|s| {
            let tone = score_tone(s.score);
            let description = if s.description.trim().is_empty() { "—".to_owned() } else { s.description };
            let key = s.name.clone();
            view! {
                <tr data-symbol=key>
                    <td class=format!("{SYMBOL_TD} break-all font-mono text-xs")>{s.name}</td>
                    <td class=format!("{SYMBOL_TD} whitespace-nowrap text-right font-mono text-xs tabular-nums {tone}")>
                        {signed_score(s.score)}
                    </td>
                    <td class=format!("{SYMBOL_TD} text-xs")>{description}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details data-testid="spam-symbols" class="mt-2" open=open>
            <summary class="cursor-pointer select-none text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-300">
                {summary}
            </summary>
            <div class="mt-2 overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
                <table class="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
                    <thead class="bg-slate-50 dark:bg-slate-900/60">
                        <tr>
                            <th scope="col" class="px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Rule"</th>
                            <th scope="col" class="px-3 py-2 text-right text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Score"</th>
                            <th scope="col" class="px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Description"</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100 text-slate-700 dark:divide-slate-800 dark:text-slate-200">{rows}</tbody>
                </table>
            </div>
        </details>
    }
    .into_any()
}

/// "+2.50", "-0.10": a rule's weight with its sign (positive rules push towards spam).
fn signed_score(score: f64) -> String {
    format!("{score:+.2}")
}

/// Red for rules that add to the score, green for ones that lower it.
fn score_tone(score: f64) -> &'static str {
    if score > 0.0 {
        "text-rose-700 dark:text-rose-300"
    } else if score < 0.0 {
        "text-emerald-700 dark:text-emerald-300"
    } else {
        "text-slate-500 dark:text-slate-400"
    }
}

/// The subject above the message as the first recipient gets it, in a sandboxed frame (no
/// scripts, forms or access to this page) at the chosen width, and the HTML size.
fn preview_body(p: Preflight, width: RwSignal<PreviewWidth>) -> AnyView {
    let Preflight { sample_subject, sample_html, html_bytes, .. } = p;
    let subject = if sample_subject.trim().is_empty() {
        view! { <span class="italic text-slate-400">"(no subject)"</span> }.into_any()
    } else {
        view! { <span>{sample_subject}</span> }.into_any()
    };
    let (size_text, size_tone) = size_note(html_bytes);
    // Created with the HTML already in `srcdoc`: Chromium can drop a `srcdoc` set while the
    // frame still loads its first (empty) document, which leaves the preview blank.
    let frame = if sample_html.is_empty() {
        view! {
            <div class="flex h-[600px] items-center justify-center text-sm text-slate-400">"This campaign has no content yet."</div>
        }
        .into_any()
    } else {
        view! {
            <iframe sandbox="" srcdoc=sample_html title="Email preview" data-testid="review-preview-frame"
                class="block h-[600px] w-full border-0 bg-white"></iframe>
        }
        .into_any()
    };
    view! {
        <div class="mt-4">
            <p class="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">"Subject"</p>
            <p data-testid="review-subject" class="mt-0.5 break-words text-sm font-semibold text-slate-900 dark:text-white">{subject}</p>
        </div>
        <div class="mt-3 overflow-x-auto rounded-lg bg-slate-100 p-3 dark:bg-slate-950">
            <div data-testid="review-preview-width" data-width=move || width.get().key()
                class="mx-auto overflow-hidden rounded-md bg-white shadow-sm ring-1 ring-slate-900/10 dark:ring-slate-700"
                style=move || format!("width:{}px;", width.get().px())>
                {frame}
            </div>
        </div>
        <p data-testid="review-size" class=format!("mt-2 text-xs {size_tone}")>{size_text}</p>
    }
    .into_any()
}

/// "HTML size: 34 KB", with Gmail's clipping limit named when the message is over it.
fn size_note(html_bytes: usize) -> (String, &'static str) {
    let size = if html_bytes < 1024 { "under 1 KB".to_owned() } else { format!("{} KB", html_bytes / 1024) };
    if html_bytes > GMAIL_CLIP_BYTES {
        (
            format!("HTML size: {size}. Gmail clips messages over 102 KB and hides the rest behind a link."),
            "font-medium text-amber-700 dark:text-amber-300",
        )
    } else {
        (format!("HTML size: {size}"), "text-slate-500 dark:text-slate-400")
    }
}

/// One button of the desktop/phone toggle.
fn width_button(w: PreviewWidth, current: RwSignal<PreviewWidth>) -> impl IntoView {
    let active = move || current.get() == w;
    view! {
        <button type="button" data-testid=format!("preview-{}", w.key())
            aria-pressed=move || active().to_string()
            title=format!("{} px wide", w.px())
            class=move || {
                if active() {
                    "rounded-md bg-white px-2.5 py-1 text-xs font-semibold text-slate-900 shadow-sm dark:bg-slate-600 dark:text-white"
                } else {
                    "rounded-md px-2.5 py-1 text-xs font-medium text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-100"
                }
            }
            on:click=move |_| current.set(w)>
            {w.label()}
        </button>
    }
}

/// One address of a test send: accepted (green) or refused (red), with the relay's reply.
fn test_result_row(r: TestSendResult) -> AnyView {
    let testid = format!("test-result-{}", r.address);
    let (status, verdict, tone) = if r.accepted {
        (PreflightStatus::Pass, "Accepted", "text-emerald-700 dark:text-emerald-300")
    } else {
        (PreflightStatus::Fail, "Refused", "text-rose-700 dark:text-rose-300")
    };
    view! {
        <li data-testid=testid data-accepted=r.accepted.to_string() class="flex items-start gap-3 py-2.5">
            <span class=format!("mt-0.5 {}", status_colour(status))>{status_icon(status)}</span>
            <div class="min-w-0 flex-1 text-sm">
                <p class="break-all font-medium text-slate-900 dark:text-white">{r.address}</p>
                <p class=format!("break-words {tone}")>{format!("{verdict}: {}", r.reply)}</p>
            </div>
        </li>
    }
    .into_any()
}

/// A radio button with a title and an explanation (as in the list form).
fn mode_choice(
    id: &'static str,
    title: &'static str,
    explanation: &'static str,
    value: SendMode,
    mode: RwSignal<SendMode>,
) -> impl IntoView {
    view! {
        <label class="flex cursor-pointer items-start gap-3 rounded-lg border border-slate-200 p-3 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800/50">
            <input type="radio" name="send-when" id=id data-testid=id
                class="mt-0.5 h-4 w-4 border-slate-300 text-indigo-600 dark:border-slate-600"
                prop:checked=move || mode.get() == value
                on:change=move |_| mode.set(value) />
            <span>
                <span class="font-medium text-slate-800 dark:text-slate-100">{title}</span>
                <span class=format!("block {HINT}")>{explanation}</span>
            </span>
        </label>
    }
}

/// Grey bars where the checks will be.
fn checks_skeleton() -> AnyView {
    view! {
        <div class="space-y-3" role="status">
            <span class="sr-only">"Running the checks…"</span>
            <div class="h-8 w-1/3 animate-pulse rounded bg-slate-200/60 dark:bg-slate-800"></div>
            {(0..5).map(|_| view! { <div class="h-12 animate-pulse rounded-lg bg-slate-200/60 dark:bg-slate-800"></div> }).collect_view()}
        </div>
    }
    .into_any()
}

/// A grey sheet where the preview will be.
fn preview_skeleton() -> AnyView {
    view! {
        <div class="mt-4 space-y-3" aria-hidden="true">
            <div class="h-4 w-1/2 animate-pulse rounded bg-slate-200/60 dark:bg-slate-800"></div>
            <div class="h-[600px] animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800/60"></div>
        </div>
    }
    .into_any()
}

/// `data-status` value of a verdict.
fn status_key(status: PreflightStatus) -> &'static str {
    match status {
        PreflightStatus::Pass => "pass",
        PreflightStatus::Warn => "warn",
        PreflightStatus::Fail => "fail",
        PreflightStatus::Skipped => "skipped",
    }
}

/// The verdict in words, for screen readers (the icon says it to everyone else).
fn status_label(status: PreflightStatus) -> &'static str {
    match status {
        PreflightStatus::Pass => "Passed",
        PreflightStatus::Warn => "Warning",
        PreflightStatus::Fail => "Failed",
        PreflightStatus::Skipped => "Not checked",
    }
}

/// Icon colour of a verdict.
fn status_colour(status: PreflightStatus) -> &'static str {
    match status {
        PreflightStatus::Pass => "text-emerald-600 dark:text-emerald-400",
        PreflightStatus::Warn => "text-amber-500 dark:text-amber-400",
        PreflightStatus::Fail => "text-rose-600 dark:text-rose-400",
        PreflightStatus::Skipped => "text-slate-400 dark:text-slate-500",
    }
}

/// Check circle, warning triangle, x circle or minus circle (outline, like `components::icons`).
fn status_icon(status: PreflightStatus) -> AnyView {
    const CIRCLE: &str = "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18";
    let d = match status {
        PreflightStatus::Pass => format!("{CIRCLE}M8.5 12.5l2.5 2.5 4.5-5"),
        PreflightStatus::Warn => {
            "M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0zM12 9v4M12 17h.01".to_owned()
        }
        PreflightStatus::Fail => format!("{CIRCLE}M15 9l-6 6M9 9l6 6"),
        PreflightStatus::Skipped => format!("{CIRCLE}M8 12h8"),
    };
    view! {
        <svg class="h-5 w-5 shrink-0" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"
            stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d=d></path>
        </svg>
    }
    .into_any()
}

/// "1 recipient", "250 recipients".
fn recipients(n: i64) -> String {
    if n == 1 { "1 recipient".to_owned() } else { format!("{n} recipients") }
}

/// The addresses typed for a test: split at commas, semicolons and white space, blanks
/// dropped, repeats (ignoring case) kept once, in the order typed.
fn parse_addresses(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        let address = part.trim();
        if address.is_empty() || out.iter().any(|a| a.eq_ignore_ascii_case(address)) {
            continue;
        }
        out.push(address.to_owned());
    }
    out
}

/// A `datetime-local` input's value ("2026-03-01T09:30", seconds optional).
fn parse_local(value: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
}

/// The instant a local date and time stands for in the chosen zone (`None` when the browser
/// cannot tell, which on the server it never can).
fn to_utc(local: NaiveDateTime, choice: &str) -> Option<DateTime<Utc>> {
    if choice == BROWSER_ZONE { browser_local_to_utc(local) } else { Some(local.and_utc()) }
}

/// The zone name stored with the schedule: the browser's IANA name, or "UTC".
fn zone_name(choice: &str, browser: Option<String>) -> String {
    match browser {
        Some(name) if choice == BROWSER_ZONE => name,
        _ => UTC_ZONE.to_owned(),
    }
}

/// "UTC+02:00" from `Date.getTimezoneOffset()` (minutes to add to local time to get UTC,
/// so positive west of Greenwich): the zone's name when the browser does not say it.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn offset_label(js_offset_minutes: f64) -> String {
    let east = if js_offset_minutes.is_finite() { -(js_offset_minutes.round() as i64) } else { 0 };
    let sign = if east < 0 { '-' } else { '+' };
    let minutes = east.abs();
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The browser's IANA time zone ("Europe/Berlin"), or its current offset when it does not
/// name one; `None` on the server.
#[cfg(feature = "hydrate")]
fn browser_zone_name() -> Option<String> {
    use leptos::wasm_bindgen::JsValue;
    use web_sys::js_sys::{Array, Date, Intl, Object, Reflect};
    let options = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
    let named = Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|name| !name.trim().is_empty());
    Some(named.unwrap_or_else(|| offset_label(Date::new_0().get_timezone_offset())))
}

#[cfg(not(feature = "hydrate"))]
fn browser_zone_name() -> Option<String> {
    None
}

/// A date and time on the browser's wall clock as UTC. `Date` applies the browser zone's
/// offset for that very date (daylight saving included), not today's.
#[cfg(feature = "hydrate")]
fn browser_local_to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    use chrono::{Datelike, Timelike};
    use web_sys::js_sys::Date;
    let year = u32::try_from(local.year()).ok()?;
    let date = Date::new_with_year_month_day_hr_min(
        year,
        local.month0() as i32,
        local.day() as i32,
        local.hour() as i32,
        local.minute() as i32,
    );
    let millis = date.get_time();
    if !millis.is_finite() {
        return None;
    }
    DateTime::from_timestamp_millis(millis as i64 + i64::from(local.second()) * 1000)
}

#[cfg(not(feature = "hydrate"))]
fn browser_local_to_utc(_local: NaiveDateTime) -> Option<DateTime<Utc>> {
    None
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn addresses_split_at_commas_and_spaces_once_each() {
        assert_eq!(
            parse_addresses(" a@x.org, b@y.org;c@z.org\n A@X.org ,, "),
            vec!["a@x.org".to_owned(), "b@y.org".to_owned(), "c@z.org".to_owned()]
        );
        assert!(parse_addresses(" , ").is_empty());
    }

    #[test]
    fn the_summary_names_the_worst_verdict() {
        assert_eq!(summary_text(0, 0), (PreflightStatus::Pass, "All checks passed".to_owned()));
        assert_eq!(summary_text(0, 1), (PreflightStatus::Warn, "1 warning".to_owned()));
        assert_eq!(summary_text(0, 3), (PreflightStatus::Warn, "3 warnings".to_owned()));
        assert_eq!(summary_text(1, 2), (PreflightStatus::Fail, "1 problem blocks sending".to_owned()));
        assert_eq!(summary_text(2, 0), (PreflightStatus::Fail, "2 problems block sending".to_owned()));
    }

    #[test]
    fn scores_carry_their_sign() {
        assert_eq!(signed_score(2.5), "+2.50");
        assert_eq!(signed_score(-0.1), "-0.10");
    }

    #[test]
    fn datetime_local_values_parse_with_or_without_seconds() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).single().expect("valid date");
        assert_eq!(parse_local("2026-03-01T09:30").map(|l| l.and_utc()), Some(t));
        assert_eq!(parse_local("2026-03-01T09:30:00").map(|l| l.and_utc()), Some(t));
        assert_eq!(parse_local(""), None);
        assert_eq!(to_utc(parse_local("2026-03-01T09:30").expect("parses"), UTC_ZONE), Some(t));
    }

    #[test]
    fn zone_names_and_offsets() {
        assert_eq!(zone_name(BROWSER_ZONE, Some("Europe/Berlin".to_owned())), "Europe/Berlin");
        assert_eq!(zone_name(UTC_ZONE, Some("Europe/Berlin".to_owned())), "UTC");
        assert_eq!(zone_name(BROWSER_ZONE, None), "UTC");
        assert_eq!(offset_label(-120.0), "UTC+02:00");
        assert_eq!(offset_label(330.0), "UTC-05:30");
        assert_eq!(offset_label(0.0), "UTC+00:00");
    }

    #[test]
    fn sizes_and_counts_read_naturally() {
        assert_eq!(size_note(500).0, "HTML size: under 1 KB");
        assert_eq!(size_note(34 * 1024 + 10).0, "HTML size: 34 KB");
        assert!(size_note(110 * 1024).0.contains("Gmail clips"));
        assert_eq!(recipients(1), "1 recipient");
        assert_eq!(recipients(250), "250 recipients");
    }
}
