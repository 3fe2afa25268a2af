//! Sending: how campaign mail leaves this server. Deliverability depends on more than DNS
//! records: which server hands the mail over (the bundled Postfix or a domain's own relay),
//! how fast a new domain ramps up (a warm-up plan), and how hard one mailbox provider is
//! pushed (provider limits). This page is where the admin sets those three, per sender
//! domain and per provider, and can check a relay before campaigns depend on it.
//!
//! "Today" (for a warm-up plan's day and cap) is the UTC date: the server render reads the
//! server's clock, the browser its own, and the engine counts `sent_today` by UTC day too.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use model::campaigns::{DomainSending, Provider, ProviderLimit, RelayConfig, RelaySecurity, WarmupPlan};

use crate::api::ApiError;
use crate::api::sending::{
    SaveDomainRelay, SaveProviderLimits, SaveWarmup, TestDomainRelay, provider_limits, sending_domains,
};
use crate::components::icons;
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::pages::contacts::thousands;
use crate::pages::deliverability::{AMBER, CARD, GREY, Head, INDIGO, PILL, SLATE, TD, card_table, load_error};
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, SECONDARY, form_error};
use crate::pages::sending_bounces::BounceHandlingCard;

/// A field label.
const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-200";
/// Quiet helper text.
pub(crate) const HINT: &str = "text-sm text-slate-500 dark:text-slate-400";
/// Helper text under a single input.
pub(crate) const FIELD_HINT: &str = "text-xs text-slate-500 dark:text-slate-400";
/// A card's heading.
pub(crate) const HEADING: &str = "text-base font-semibold text-slate-900 dark:text-white";
/// Inline field error under an input.
pub(crate) const FIELD_ERROR: &str = "field-error text-xs font-medium text-rose-600 dark:text-rose-400";
/// A select, styled like the other forms' selects.
const SELECT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";
/// A checkbox, as in the mail pages' `CheckField`.
pub(crate) const CHECKBOX: &str = "mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 dark:border-slate-600";
/// Body cell of the limits table: like `TD`, centred on the input beside it.
const TD_MIDDLE: &str = "px-4 py-3 align-middle";
/// The line above a dialog's buttons.
const DIALOG_FOOTER: &str = "flex justify-end gap-3 border-t border-slate-100 pt-4 dark:border-slate-800";

/// The port a new external relay starts with (submission with STARTTLS).
const DEFAULT_PORT: u16 = 587;
/// Parallel connections a new external relay starts with.
const DEFAULT_CONNECTIONS: i32 = 8;
/// Most parallel connections the engine accepts for one relay.
const MAX_CONNECTIONS: i32 = 64;
/// The security choices, in the order the select lists them.
const SECURITIES: [RelaySecurity; 3] = [RelaySecurity::None, RelaySecurity::StartTls, RelaySecurity::Tls];
/// Days the warm-up preview spells out before "…".
const PREVIEW_DAYS: usize = 2;
/// The relay inputs whose server errors are shown under the input itself.
const RELAY_FIELDS: [&str; 5] = ["host", "port", "max_connections", "username", "password"];
/// The warm-up inputs whose errors are shown under the input itself.
const WARMUP_FIELDS: [&str; 2] = ["started_on", "daily_caps"];
/// The provider-limit field the server names in its errors.
const LIMIT_FIELD: &str = "per_minute";

/// The Sending page: sender domains with their relay and warm-up plan (each set in a
/// dialog), and the per-provider speed limits. It exists so an admin can send a domain's
/// campaigns through an outside relay, ramp a new domain up gently, and keep one provider
/// from being flooded, all without touching configuration files.
#[component]
pub fn SendingPage() -> impl IntoView {
    let toasts = use_toasts();
    let save_relay = ServerAction::<SaveDomainRelay>::new();
    let test_relay = ServerAction::<TestDomainRelay>::new();
    let save_warmup = ServerAction::<SaveWarmup>::new();
    let save_limits = ServerAction::<SaveProviderLimits>::new();
    let domains =
        Resource::new(move || (save_relay.version().get(), save_warmup.version().get()), |_| sending_domains());
    let limits = Resource::new(move || save_limits.version().get(), |_| provider_limits());

    let relay = RelayForm::new();
    let relay_open = RwSignal::new(false);
    let relay_error = RwSignal::new(None::<ApiError>);
    // The toast to show once the server has saved the relay (known when it is sent).
    let relay_done = StoredValue::new(String::new());
    let warmup = WarmupForm::new();
    let warmup_open = RwSignal::new(false);
    let warmup_error = RwSignal::new(None::<ApiError>);
    let warmup_done = StoredValue::new(String::new());
    let limits_error = RwSignal::new(None::<ApiError>);

    // Kept here rather than in the forms: those are drawn again after every refetch, and an
    // effect created there would announce the same saved value once more.
    Effect::new(move |_| {
        if let Some(Ok(())) = save_relay.value().get() {
            toasts.success(relay_done.get_value());
            relay_open.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save_warmup.value().get() {
            toasts.success(warmup_done.get_value());
            warmup_open.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save_limits.value().get() {
            toasts.success("Provider limits saved.");
        }
    });

    let open_relay = Callback::new(move |d: DomainSending| {
        relay.load(&d);
        relay_error.set(None);
        save_relay.clear();
        test_relay.clear();
        relay_open.set(true);
    });
    let open_warmup = Callback::new(move |d: DomainSending| {
        warmup.load(&d, today());
        warmup_error.set(None);
        save_warmup.clear();
        warmup_open.set(true);
    });

    let domains_content = move || {
        domains.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(list) if list.is_empty() => no_domains(),
            Ok(list) => domains_table(list, today(), open_relay, open_warmup),
        })
    };
    let limits_content = move || {
        limits.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(list) => limits_form(list, save_limits, limits_error),
        })
    };
    let relay_title = Signal::derive(move || format!("Relay for {}", relay.domain.get()));
    let warmup_title = Signal::derive(move || format!("Warm-up for {}", warmup.domain.get()));

    view! {
        <Title text="Sending · BillionMail" />
        <div class="space-y-6">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Sending"</h1>
                <p class="mt-1 max-w-3xl text-sm text-slate-500 dark:text-slate-400">
                    "How campaign mail leaves this server. Campaigns go through the bundled Postfix unless a sender domain has its own relay. A warm-up plan caps how much a new domain sends each day, so mailbox providers learn to trust it before the volume grows. Provider limits slow down sending to one mailbox provider, such as Gmail or Microsoft."
                </p>
            </div>

            <section id="sender-domains" class=CARD aria-labelledby="sender-domains-title">
                <h2 id="sender-domains-title" class=HEADING>"Sender domains"</h2>
                <p class=format!("mt-1 {HINT}")>
                    "The relay and warm-up plan of each mail domain campaigns are sent from. Days and daily counts are UTC."
                </p>
                <Transition fallback=rows_skeleton>{domains_content}</Transition>
            </section>

            <section id="provider-limits" class=CARD aria-labelledby="provider-limits-title">
                <h2 id="provider-limits-title" class=HEADING>"Provider limits"</h2>
                <p class=format!("mt-1 {HINT}")>
                    "The most messages a minute all campaigns together send to one mailbox provider. The engine also backs off by itself whenever a provider answers 421 or 4.7.x (try again later), whatever the limit here."
                </p>
                <Transition fallback=rows_skeleton>{limits_content}</Transition>
            </section>

            <BounceHandlingCard />
        </div>
        <Modal open=relay_open id="relay-dialog" width="max-w-2xl" title=relay_title>
            <RelayFormBody form=relay save=save_relay test=test_relay local_error=relay_error done=relay_done open=relay_open />
        </Modal>
        <Modal open=warmup_open id="warmup-dialog" title=warmup_title>
            <WarmupFormBody form=warmup save=save_warmup local_error=warmup_error done=warmup_done open=warmup_open />
        </Modal>
    }
}

/// Today's UTC date: the server's clock during the server render, the browser's after.
fn today() -> NaiveDate {
    #[cfg(feature = "ssr")]
    {
        chrono::Utc::now().date_naive()
    }
    #[cfg(not(feature = "ssr"))]
    {
        crate::components::clock::browser_now().map(|t| t.date_naive()).unwrap_or_default()
    }
}

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

/// Grey rows where a card's table will be.
fn rows_skeleton() -> AnyView {
    view! {
        <div class="mt-4 space-y-2" role="status">
            <span class="sr-only">"Loading…"</span>
            {(0..3).map(|_| view! { <div class="h-10 animate-pulse rounded-lg bg-slate-200/60 dark:bg-slate-800"></div> }).collect_view()}
        </div>
    }
    .into_any()
}

/// No mail domain yet: campaigns need one to send from, so point to the Domains page.
fn no_domains() -> AnyView {
    view! {
        <div data-testid="sending-empty"
            class="empty-state mt-4 rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center dark:border-slate-700">
            <div class="mx-auto w-fit rounded-full bg-slate-100 p-3 text-slate-400 dark:bg-slate-800">{icons::globe()}</div>
            <p class="mt-3 text-sm font-semibold text-slate-900 dark:text-white">"No mail domains yet"</p>
            <p class=format!("mt-1 {HINT}")>"Campaigns are sent from an address on one of this server's mail domains."</p>
            <a href="/domains" class=format!("mt-5 {PRIMARY}")>"Add a mail domain first"</a>
        </div>
    }
    .into_any()
}

/// One row per sender domain: its relay, its warm-up state today, and the two dialogs.
fn domains_table(
    list: Vec<DomainSending>,
    today: NaiveDate,
    open_relay: Callback<DomainSending>,
    open_warmup: Callback<DomainSending>,
) -> AnyView {
    let rows = list.into_iter().map(|d| domain_row(d, today, open_relay, open_warmup)).collect_view();
    card_table(
        "sending-domains",
        &[("Domain", Head::Left), ("Relay", Head::Left), ("Warm-up", Head::Left), ("Actions", Head::ScreenReaderOnly)],
        rows,
    )
}

/// A sender domain's row.
fn domain_row(
    d: DomainSending,
    today: NaiveDate,
    open_relay: Callback<DomainSending>,
    open_warmup: Callback<DomainSending>,
) -> impl IntoView {
    let key = d.domain.clone();
    let name = d.domain.clone();
    let relay_testid = format!("relay-{}", d.domain);
    let warmup_testid = format!("warmup-{}", d.domain);
    let relay = relay_pill(d.relay.as_ref());
    let warmup = warmup_cell(d.warmup.as_ref(), today, d.sent_today);
    let for_relay = d.clone();
    let for_warmup = d;
    view! {
        <tr data-domain=key>
            <td class=format!("{TD} font-medium text-slate-900 dark:text-white")>{name}</td>
            <td class=TD>{relay}</td>
            <td class=TD>{warmup}</td>
            <td class=format!("{TD} text-right")>
                <div class="flex justify-end gap-1 whitespace-nowrap">
                    <button type="button" class=ROW_ACTION data-testid=relay_testid
                        on:click=move |_| open_relay.run(for_relay.clone())>"Relay…"</button>
                    <button type="button" class=ROW_ACTION data-testid=warmup_testid
                        on:click=move |_| open_warmup.run(for_warmup.clone())>"Warm-up…"</button>
                </div>
            </td>
        </tr>
    }
}

/// "None" / "STARTTLS" / "TLS": the security select's words.
fn security_label(s: RelaySecurity) -> &'static str {
    match s {
        RelaySecurity::None => "None",
        RelaySecurity::StartTls => "STARTTLS",
        RelaySecurity::Tls => "TLS",
    }
}

/// The usual port for a security choice (465 is TLS from the first byte, 587 submission
/// with STARTTLS, 25 plain SMTP).
fn suggested_port(s: RelaySecurity) -> u16 {
    match s {
        RelaySecurity::None => 25,
        RelaySecurity::StartTls => 587,
        RelaySecurity::Tls => 465,
    }
}

/// Whether the port is empty or still one of the usual ones, so changing the security may
/// replace it (a port the admin typed is left alone).
fn is_default_port(port: &str) -> bool {
    matches!(port.trim(), "" | "25" | "465" | "587")
}

/// "smtp.example.com:587 · STARTTLS · login": where an external relay is and how it is used.
fn relay_summary(r: &RelayConfig) -> String {
    let security = match r.security {
        RelaySecurity::None => "no TLS",
        other => security_label(other),
    };
    let login = if r.username.trim().is_empty() { "" } else { " · login" };
    format!("{}:{} · {security}{login}", r.host, r.port)
}

/// Pill for a domain's relay: the bundled Postfix, or the external relay (amber when a
/// login would cross the network unencrypted).
fn relay_pill(relay: Option<&RelayConfig>) -> AnyView {
    match relay {
        None => view! {
            <span class=format!("relay-status {PILL} {SLATE}") data-relay="bundled">"Bundled Postfix"</span>
        }
        .into_any(),
        Some(r) => {
            let clear_login = r.security == RelaySecurity::None && !r.username.trim().is_empty();
            let tone = if clear_login { AMBER } else { INDIGO };
            let title =
                clear_login.then_some("The login is sent unencrypted: choose STARTTLS or TLS if the relay offers it.");
            view! {
                <span class=format!("relay-status {PILL} {tone}") data-relay="external" title=title>{relay_summary(r)}</span>
            }
            .into_any()
        }
    }
}

/// Where a warm-up plan stands on `today`, and whether today's cap has been reached.
fn warmup_summary(plan: &WarmupPlan, today: NaiveDate, sent_today: i64) -> (String, bool) {
    let days = plan.daily_caps.len();
    let sent = format!("sent today {}", thousands(sent_today));
    if today < plan.started_on {
        let paused = if plan.enabled { "" } else { " · paused" };
        return (format!("Starts {} · {days} days{paused}", plan.started_on.format("%Y-%m-%d")), false);
    }
    let day = (today - plan.started_on).num_days() + 1;
    let within = day <= i64::try_from(days).unwrap_or(i64::MAX);
    let position = if within { format!("Day {day} of {days}") } else { format!("Plan over (day {day})") };
    if !plan.enabled {
        return (format!("Paused · {} · {sent}", position.to_lowercase()), false);
    }
    match plan.cap_on(today) {
        Some(cap) => {
            let reached = sent_today >= i64::from(cap);
            let note = if reached { " · cap reached" } else { "" };
            (format!("{position} · cap today {} · {sent}{note}", thousands(i64::from(cap))), reached)
        }
        None => (format!("{position} · no cap today · {sent}"), false),
    }
}

/// The warm-up column: "Off", or the plan's day, today's cap and what was sent.
fn warmup_cell(plan: Option<&WarmupPlan>, today: NaiveDate, sent_today: i64) -> AnyView {
    let Some(plan) = plan else {
        return view! { <span class=format!("warmup-status {PILL} {GREY}") data-warmup="off">"Off"</span> }.into_any();
    };
    let (text, reached) = warmup_summary(plan, today, sent_today);
    let state = if !plan.enabled {
        "paused"
    } else if reached {
        "capped"
    } else {
        "on"
    };
    let tone = if reached {
        "font-medium text-amber-700 dark:text-amber-300"
    } else if plan.enabled {
        "text-slate-700 dark:text-slate-200"
    } else {
        "text-slate-500 dark:text-slate-400"
    };
    view! { <span class=format!("warmup-status text-sm {tone}") data-warmup=state>{text}</span> }.into_any()
}

/// "50, 100, 200": caps as the textarea shows them (no thousands separators: the comma
/// separates days).
fn join_caps(caps: &[i32]) -> String {
    caps.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

/// Reads the caps as typed: whole numbers of at least 1, separated by commas, semicolons or
/// white space; the error says which entry is wrong.
fn parse_caps(text: &str) -> Result<Vec<i32>, String> {
    let mut caps = Vec::new();
    for item in text.split([',', ';', ' ', '\n', '\r', '\t']).map(str::trim).filter(|s| !s.is_empty()) {
        match item.parse::<i32>() {
            Ok(n) if n >= 1 => caps.push(n),
            Ok(_) => return Err(format!("Each day's cap must be at least 1 message; {item} is not.")),
            Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => {
                return Err(format!("{item} is too large for a daily cap."));
            }
            Err(_) => {
                return Err(format!(
                    "\u{201c}{item}\u{201d} is not a whole number. List the caps as numbers separated by commas, e.g. 50, 100, 200."
                ));
            }
        }
    }
    if caps.is_empty() {
        return Err("Enter at least one daily cap, or use the standard plan.".to_owned());
    }
    Ok(caps)
}

/// "Day 1: 50 · Day 2: 100 · … · then 100 000 a day from day 12": the plan in one line.
fn caps_preview(caps: &[i32]) -> String {
    let Some((&last, before)) = caps.split_last() else {
        return String::new();
    };
    let mut parts: Vec<String> = before
        .iter()
        .take(PREVIEW_DAYS)
        .enumerate()
        .map(|(i, cap)| format!("Day {}: {}", i + 1, thousands(i64::from(*cap))))
        .collect();
    if before.len() > PREVIEW_DAYS {
        parts.push("…".to_owned());
    }
    let last = thousands(i64::from(last));
    parts.push(if before.is_empty() {
        format!("{last} a day from day 1")
    } else {
        format!("then {last} a day from day {}", caps.len())
    });
    parts.join(" · ")
}

/// A date as the date input holds it.
fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// What the relay dialog holds, one signal per input (numbers as typed).
#[derive(Clone, Copy)]
struct RelayForm {
    domain: RwSignal<String>,
    /// False: the bundled Postfix.
    external: RwSignal<bool>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    security: RwSignal<RelaySecurity>,
    username: RwSignal<String>,
    /// Empty keeps the stored password.
    password: RwSignal<String>,
    has_password: RwSignal<bool>,
    connections: RwSignal<String>,
}

impl RelayForm {
    /// An empty form with a new relay's defaults.
    fn new() -> Self {
        Self {
            domain: RwSignal::new(String::new()),
            external: RwSignal::new(false),
            host: RwSignal::new(String::new()),
            port: RwSignal::new(DEFAULT_PORT.to_string()),
            security: RwSignal::new(RelaySecurity::StartTls),
            username: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            has_password: RwSignal::new(false),
            connections: RwSignal::new(DEFAULT_CONNECTIONS.to_string()),
        }
    }

    /// Fills the form from a domain's relay, or with the defaults when it has none.
    fn load(&self, d: &DomainSending) {
        self.domain.set(d.domain.clone());
        self.password.set(String::new());
        match &d.relay {
            Some(r) => {
                self.external.set(true);
                self.host.set(r.host.clone());
                self.port.set(r.port.to_string());
                self.security.set(r.security);
                self.username.set(r.username.clone());
                self.has_password.set(r.has_password);
                self.connections.set(r.max_connections.to_string());
            }
            None => {
                self.external.set(false);
                self.host.set(String::new());
                self.port.set(DEFAULT_PORT.to_string());
                self.security.set(RelaySecurity::StartTls);
                self.username.set(String::new());
                self.has_password.set(false);
                self.connections.set(DEFAULT_CONNECTIONS.to_string());
            }
        }
    }

    /// Changes the security, and the port with it while the port is still a usual one.
    fn pick_security(&self, next: RelaySecurity) {
        if is_default_port(&self.port.get_untracked()) {
            self.port.set(suggested_port(next).to_string());
        }
        self.security.set(next);
    }

    /// The relay to test or save, or the input that cannot be read (the server checks the
    /// rest with the same field names).
    fn config(&self) -> Result<RelayConfig, ApiError> {
        let host = self.host.get_untracked().trim().to_owned();
        if host.is_empty() {
            return Err(ApiError::invalid("host", "Enter the relay's host name, e.g. smtp.example.com."));
        }
        let port = self
            .port
            .get_untracked()
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| ApiError::invalid("port", "Enter the relay's port (587, 465 or 25)."))?;
        let max_connections = self
            .connections
            .get_untracked()
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=MAX_CONNECTIONS).contains(n))
            .ok_or_else(|| {
                ApiError::invalid("max_connections", format!("Enter between 1 and {MAX_CONNECTIONS} connections."))
            })?;
        Ok(RelayConfig {
            host,
            port,
            security: self.security.get_untracked(),
            username: self.username.get_untracked().trim().to_owned(),
            password: self.password.get_untracked(),
            has_password: self.has_password.get_untracked(),
            max_connections,
        })
    }
}

/// What the warm-up dialog holds (the start date and caps as typed).
#[derive(Clone, Copy)]
struct WarmupForm {
    domain: RwSignal<String>,
    /// False: no plan, no daily cap.
    on: RwSignal<bool>,
    start: RwSignal<String>,
    caps: RwSignal<String>,
    enabled: RwSignal<bool>,
}

impl WarmupForm {
    /// An empty form.
    fn new() -> Self {
        Self {
            domain: RwSignal::new(String::new()),
            on: RwSignal::new(false),
            start: RwSignal::new(String::new()),
            caps: RwSignal::new(String::new()),
            enabled: RwSignal::new(true),
        }
    }

    /// Fills the form from a domain's plan; without one, the standard plan starting `today`
    /// is ready for when the toggle is turned on.
    fn load(&self, d: &DomainSending, today: NaiveDate) {
        self.domain.set(d.domain.clone());
        match &d.warmup {
            Some(p) => {
                self.on.set(true);
                self.start.set(p.started_on.format("%Y-%m-%d").to_string());
                self.caps.set(join_caps(&p.daily_caps));
                self.enabled.set(p.enabled);
            }
            None => {
                self.on.set(false);
                self.start.set(today.format("%Y-%m-%d").to_string());
                self.caps.set(join_caps(&WarmupPlan::standard(today).daily_caps));
                self.enabled.set(true);
            }
        }
    }

    /// Replaces the caps with the standard plan's.
    fn use_standard(&self) {
        let start = parse_date(&self.start.get_untracked()).unwrap_or_else(today);
        self.caps.set(join_caps(&WarmupPlan::standard(start).daily_caps));
    }

    /// The plan to save (`None` with the toggle off), or the input that cannot be read.
    fn plan(&self) -> Result<Option<WarmupPlan>, ApiError> {
        if !self.on.get_untracked() {
            return Ok(None);
        }
        let started_on = parse_date(&self.start.get_untracked())
            .ok_or_else(|| ApiError::invalid("started_on", "Choose the day the plan starts."))?;
        let daily_caps = parse_caps(&self.caps.get_untracked()).map_err(|m| ApiError::invalid("daily_caps", m))?;
        Ok(Some(WarmupPlan { started_on, daily_caps, enabled: self.enabled.get_untracked() }))
    }
}

/// A labelled input with its hint and error line (`TextField`'s look, with a test id).
#[component]
fn InputField(
    /// Element id and `data-testid`.
    id: &'static str,
    /// Form field name, as the server's errors name it.
    name: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<Signal<String>>,
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional)] max: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = format!("{error_id} {hint_id}");
    view! {
        <div class="space-y-1.5">
            <label for=id class=LABEL>{label}</label>
            <input id=id name=name data-testid=id type=input_type autocomplete=autocomplete min=min max=max
                placeholder=move || placeholder.map(|p| p.get())
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
                class=move || input_class(error.get().is_some())
                bind:value=value />
            {hint.map(|h| view! { <p id=hint_id class=FIELD_HINT>{h}</p> })}
            <p id=error_id class=FIELD_ERROR class:hidden=move || error.get().is_none()>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// A radio button with a title and an explanation (as in the list form).
fn choice(
    id: &'static str,
    title: &'static str,
    explanation: &'static str,
    checked: Signal<bool>,
    on_pick: Callback<()>,
) -> impl IntoView {
    view! {
        <label class="flex cursor-pointer items-start gap-3 rounded-lg border border-slate-200 p-3 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800/50">
            <input type="radio" name="relay-mode" id=id data-testid=id
                class="mt-0.5 h-4 w-4 border-slate-300 text-indigo-600 dark:border-slate-600"
                prop:checked=move || checked.get()
                on:change=move |_| on_pick.run(()) />
            <span>
                <span class="font-medium text-slate-800 dark:text-slate-100">{title}</span>
                <span class=format!("block {HINT}")>{explanation}</span>
            </span>
        </label>
    }
}

/// The relay dialog's form: bundled or external, the relay's address, security and login,
/// a connection test, and save. Success (toast, close) is handled by the page.
#[component]
fn RelayFormBody(
    form: RelayForm,
    save: ServerAction<SaveDomainRelay>,
    test: ServerAction<TestDomainRelay>,
    /// A form value that could not be read (set before anything is sent).
    local_error: RwSignal<Option<ApiError>>,
    /// The toast the page shows once the save succeeds.
    done: StoredValue<String>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let fault = Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let field = move |name: &'static str| Signal::derive(move || fault.get().and_then(|e| e.for_field(name)));
    let general =
        move || fault.get().filter(|e| RELAY_FIELDS.iter().all(|f| e.for_field(f).is_none())).map(|e| e.to_string());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let domain = form.domain.get_untracked();
        if !form.external.get_untracked() {
            done.set_value(format!("Campaigns from {domain} now go through the bundled Postfix."));
            save.dispatch(SaveDomainRelay { domain, relay: None });
            return;
        }
        match form.config() {
            Err(e) => local_error.set(Some(e)),
            Ok(config) => {
                done.set_value(format!("Campaigns from {domain} now go through {}:{}.", config.host, config.port));
                save.dispatch(SaveDomainRelay { domain, relay: Some(config) });
            }
        }
    };
    let run_test = move |_: leptos::ev::MouseEvent| {
        local_error.set(None);
        match form.config() {
            Err(e) => local_error.set(Some(e)),
            Ok(config) => {
                test.dispatch(TestDomainRelay { domain: form.domain.get_untracked(), relay: config });
            }
        }
    };
    let testing = move || test.pending().get();
    let saving = move || save.pending().get();
    let test_result = move || {
        if test.pending().get() {
            return None;
        }
        test.value().get().map(|r| match r {
            Ok(answer) => view! {
                <div data-testid="relay-test-result" data-ok="true" role="status"
                    class="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950/40 dark:text-emerald-200">
                    <p class="font-medium">"The relay answered"</p>
                    <pre class="mt-1 whitespace-pre-wrap break-words font-mono text-xs">{answer}</pre>
                </div>
            }
            .into_any(),
            Err(e) => view! {
                <div data-testid="relay-test-result" data-ok="false" role="alert"
                    class="rounded-lg border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-200">
                    <p class="font-medium">"The test failed"</p>
                    <p class="mt-1 break-words">{e.to_string()}</p>
                </div>
            }
            .into_any(),
        })
    };
    let password_placeholder = Signal::derive(move || {
        if form.has_password.get() { "stored — leave empty to keep".to_owned() } else { String::new() }
    });
    let security_options = move || {
        SECURITIES
            .into_iter()
            .map(|s| {
                view! { <option value=s.as_str() selected={move || form.security.get() == s}>{security_label(s)}</option> }
            })
            .collect_view()
    };
    let dns_href = move || format!("/domains/{}/dns", form.domain.get());
    view! {
        <form id="relay-form" class="space-y-5" novalidate=true on:submit=submit>
            <fieldset class="space-y-3">
                <legend class="sr-only">"How campaigns from this domain are sent"</legend>
                {choice("relay-bundled", "Bundled Postfix (default)",
                    "Campaigns go to this server's own Postfix, which delivers them straight to the recipients' mail servers.",
                    Signal::derive(move || !form.external.get()), Callback::new(move |_| form.external.set(false)))}
                {choice("relay-external", "External relay",
                    "Campaigns go through another SMTP server: Amazon SES, Mailgun, your company's relay…",
                    Signal::derive(move || form.external.get()), Callback::new(move |_| form.external.set(true)))}
            </fieldset>
            <Show when=move || form.external.get()>
                <div class="space-y-4 border-t border-slate-100 pt-4 dark:border-slate-800">
                    <div class="grid gap-4 sm:grid-cols-3">
                        <div class="sm:col-span-2">
                            <InputField id="relay-host" name="host" label="Host" value=form.host error=field("host")
                                hint="For example smtp.example.com" />
                        </div>
                        <InputField id="relay-port" name="port" label="Port" value=form.port error=field("port")
                            input_type="number" min="1" max="65535" />
                    </div>
                    <div class="grid gap-4 sm:grid-cols-2">
                        <div class="space-y-1.5">
                            <label for="relay-security" class=LABEL>"Security"</label>
                            <select id="relay-security" name="security" data-testid="relay-security" class=SELECT
                                prop:value=move || form.security.get().as_str()
                                on:change=move |ev| form.pick_security(RelaySecurity::parse(&event_target_value(&ev)))>
                                {security_options}
                            </select>
                            <p class=FIELD_HINT>"STARTTLS usually on 587, TLS on 465."</p>
                        </div>
                        <InputField id="relay-connections" name="max_connections" label="Connections"
                            value=form.connections error=field("max_connections")
                            input_type="number" min="1" max="64" hint="Parallel connections per sending campaign, 1 to 64." />
                    </div>
                    <div class="grid gap-4 sm:grid-cols-2">
                        <InputField id="relay-username" name="username" label="Username" value=form.username
                            error=field("username") hint="Leave empty for a relay without login." />
                        <InputField id="relay-password" name="password" label="Password" value=form.password
                            error=field("password") input_type="password" autocomplete="new-password"
                            placeholder=password_placeholder />
                    </div>
                    <p class=FIELD_HINT>
                        "The relay must accept mail from this domain, and receivers must see it as allowed to send for it: add the relay's SPF include in the "
                        <a class="font-medium text-indigo-600 hover:underline dark:text-indigo-300" href=dns_href>"domain's DNS policy"</a>
                        "."
                    </p>
                    <div class="space-y-3">
                        <button type="button" data-testid="relay-test" class=SECONDARY disabled=testing on:click=run_test>
                            <span class="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600 dark:border-slate-600 dark:border-t-indigo-400"
                                class:hidden=move || !testing()></span>
                            {move || if testing() { "Testing…" } else { "Test connection" }}
                        </button>
                        {test_result}
                    </div>
                </div>
            </Show>
            {move || form_error(general())}
            <div class=DIALOG_FOOTER>
                <button type="button" class=SECONDARY on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" data-testid="relay-save" class=PRIMARY disabled=saving>
                    {move || if saving() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </form>
    }
}

/// The warm-up dialog's form: the toggle, start date, daily caps (with the standard plan one
/// click away and a one-line preview) and the enabled switch. Success is handled by the page.
#[component]
fn WarmupFormBody(
    form: WarmupForm,
    save: ServerAction<SaveWarmup>,
    /// A form value that could not be read (set before anything is sent).
    local_error: RwSignal<Option<ApiError>>,
    /// The toast the page shows once the save succeeds.
    done: StoredValue<String>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let fault = Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let field = move |name: &'static str| Signal::derive(move || fault.get().and_then(|e| e.for_field(name)));
    let caps_error = field("daily_caps");
    let general =
        move || fault.get().filter(|e| WARMUP_FIELDS.iter().all(|f| e.for_field(f).is_none())).map(|e| e.to_string());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let domain = form.domain.get_untracked();
        match form.plan() {
            Err(e) => local_error.set(Some(e)),
            Ok(plan) => {
                let message = match &plan {
                    None => format!("Warm-up for {domain} turned off: no daily cap."),
                    Some(p) if p.enabled => {
                        format!("Warm-up plan for {domain} saved: {} days from {}.", p.daily_caps.len(), p.started_on)
                    }
                    Some(_) => format!("Warm-up plan for {domain} saved, paused."),
                };
                done.set_value(message);
                save.dispatch(SaveWarmup { domain, plan });
            }
        }
    };
    let preview = move || parse_caps(&form.caps.get()).ok().map(|caps| caps_preview(&caps)).unwrap_or_default();
    let saving = move || save.pending().get();
    let on = form.on;
    let enabled = form.enabled;
    let caps = form.caps;
    view! {
        <form id="warmup-form" class="space-y-5" novalidate=true on:submit=submit>
            <label class="flex items-start gap-3 text-sm">
                <input type="checkbox" id="warmup-on" name="warmup" data-testid="warmup-on" class=CHECKBOX bind:checked=on />
                <span>
                    <span class="font-medium text-slate-700 dark:text-slate-200">"Use a warm-up plan"</span>
                    <span class=format!("block {FIELD_HINT}")>
                        "Caps how many campaign messages this domain sends a day, raising the cap day by day, so providers get used to its mail before the volume grows. Without a plan there is no daily cap."
                    </span>
                </span>
            </label>
            <Show when=move || on.get()>
                <div class="space-y-4 border-t border-slate-100 pt-4 dark:border-slate-800">
                    <div class="sm:w-56">
                        <InputField id="warmup-start" name="started_on" label="Start date" value=form.start
                            error=field("started_on") input_type="date" hint="Day 1 of the plan (UTC)." />
                    </div>
                    <div class="space-y-1.5">
                        <div class="flex flex-wrap items-end justify-between gap-2">
                            <label for="warmup-caps" class=LABEL>"Daily caps"</label>
                            <button type="button" data-testid="warmup-standard" class=ROW_ACTION
                                on:click=move |_| form.use_standard()>"Use the standard plan"</button>
                        </div>
                        <textarea id="warmup-caps" name="daily_caps" data-testid="warmup-caps" rows="3" spellcheck="false"
                            placeholder="50, 100, 200, 400, …"
                            aria-invalid=move || if caps_error.get().is_some() { "true" } else { "false" }
                            aria-describedby="warmup-caps-hint warmup-caps-preview warmup-caps-error"
                            class=move || input_class(caps_error.get().is_some())
                            bind:value=caps></textarea>
                        <p id="warmup-caps-hint" class=FIELD_HINT>
                            "Messages per day, day 1 first, separated by commas. After the last day, its cap applies every day."
                        </p>
                        <p id="warmup-caps-preview" data-testid="warmup-preview" class="text-xs font-medium text-slate-600 dark:text-slate-300">
                            {preview}
                        </p>
                        <p id="warmup-caps-error" class=FIELD_ERROR class:hidden=move || caps_error.get().is_none()>
                            {move || caps_error.get().unwrap_or_default()}
                        </p>
                    </div>
                    <label class="flex items-start gap-3 text-sm">
                        <input type="checkbox" id="warmup-enabled" name="enabled" data-testid="warmup-enabled" class=CHECKBOX
                            bind:checked=enabled />
                        <span>
                            <span class="font-medium text-slate-700 dark:text-slate-200">"Enabled"</span>
                            <span class=format!("block {FIELD_HINT}")>"Untick to stop applying the caps for now and keep the plan."</span>
                        </span>
                    </label>
                </div>
            </Show>
            {move || form_error(general())}
            <div class=DIALOG_FOOTER>
                <button type="button" class=SECONDARY on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" data-testid="warmup-save" class=PRIMARY disabled=saving>
                    {move || if saving() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </form>
    }
}

/// The provider-limits form: one number per provider (0 = no limit) and Save. Drawn again
/// with the saved values after each save; the success toast comes from the page.
fn limits_form(
    limits: Vec<ProviderLimit>,
    save: ServerAction<SaveProviderLimits>,
    local_error: RwSignal<Option<ApiError>>,
) -> AnyView {
    let inputs: Vec<(Provider, RwSignal<String>)> = Provider::ALL
        .iter()
        .map(|&p| {
            let current = limits.iter().find(|l| l.provider == p).map_or(0, |l| l.per_minute);
            (p, RwSignal::new(current.to_string()))
        })
        .collect();
    // The provider whose input could not be read, so its input turns red.
    let bad = RwSignal::new(None::<Provider>);
    let fault = Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let limit_error = move || fault.get().and_then(|e| e.for_field(LIMIT_FIELD));
    let general = move || fault.get().filter(|e| e.for_field(LIMIT_FIELD).is_none()).map(|e| e.to_string());
    let for_submit = inputs.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        bad.set(None);
        let mut out = Vec::with_capacity(for_submit.len());
        for (provider, value) in &for_submit {
            let text = value.get_untracked();
            let text = text.trim();
            // An emptied input means no limit, like 0.
            let parsed = if text.is_empty() { Some(0) } else { text.parse::<i32>().ok().filter(|n| *n >= 0) };
            let Some(per_minute) = parsed else {
                bad.set(Some(*provider));
                local_error.set(Some(ApiError::invalid(
                    LIMIT_FIELD,
                    format!("{}: enter a whole number of messages per minute (0 = no limit).", provider.label()),
                )));
                return;
            };
            out.push(ProviderLimit { provider: *provider, per_minute });
        }
        save.dispatch(SaveProviderLimits { limits: out });
    };
    let rows = inputs.into_iter().map(|(provider, value)| limit_row(provider, value, bad)).collect_view();
    let saving = move || save.pending().get();
    view! {
        <form id="limits-form" class="space-y-4" novalidate=true on:submit=submit>
            {card_table(
                "provider-limits-table",
                &[("Provider", Head::Left), ("Messages per minute (0 = no limit)", Head::Right)],
                rows,
            )}
            <p id="limits-error" class=FIELD_ERROR class:hidden=move || limit_error().is_none()>
                {move || limit_error().unwrap_or_default()}
            </p>
            {move || form_error(general())}
            <button type="submit" data-testid="limits-save" class=PRIMARY disabled=saving>
                {move || if saving() { "Saving…" } else { "Save limits" }}
            </button>
        </form>
    }
    .into_any()
}

/// One provider's limit input.
fn limit_row(provider: Provider, value: RwSignal<String>, bad: RwSignal<Option<Provider>>) -> impl IntoView {
    let id = format!("limit-{}", provider.as_str());
    let testid = id.clone();
    let label_for = id.clone();
    let aria = format!("{}: messages per minute (0 = no limit)", provider.label());
    let is_bad = move || bad.get() == Some(provider);
    view! {
        <tr data-provider=provider.as_str()>
            <td class=format!("{TD_MIDDLE} font-medium text-slate-900 dark:text-white")>
                <label for=label_for>{provider.label()}</label>
            </td>
            <td class=format!("{TD_MIDDLE} text-right")>
                <div class="ml-auto w-32">
                    <input id=id name="per_minute" type="number" min="0" step="1" inputmode="numeric" data-testid=testid
                        aria-label=aria
                        aria-invalid=move || if is_bad() { "true" } else { "false" }
                        aria-describedby="limits-error"
                        class=move || format!("{} text-right tabular-nums", input_class(is_bad()))
                        bind:value=value />
                </div>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn caps_parse_with_commas_and_name_the_bad_entry() {
        assert_eq!(parse_caps("50, 100,200\n400"), Ok(vec![50, 100, 200, 400]));
        assert!(parse_caps("50, abc").is_err_and(|m| m.contains("abc")));
        assert!(parse_caps("50, 0").is_err_and(|m| m.contains("at least 1")));
        assert!(parse_caps(" , ").is_err());
    }

    #[test]
    fn preview_spells_out_the_first_days_and_the_final_cap() {
        let standard = WarmupPlan::standard(date(2026, 11, 1)).daily_caps;
        let line = caps_preview(&standard);
        assert!(line.starts_with("Day 1: 50 · Day 2: 100 · … · then "), "{line}");
        assert!(line.ends_with(&format!("a day from day {}", standard.len())), "{line}");
        assert_eq!(caps_preview(&[500]), "500 a day from day 1");
        assert_eq!(caps_preview(&[]), "");
    }

    #[test]
    fn warm_up_summary_counts_days_from_one() {
        let plan = WarmupPlan { started_on: date(2026, 11, 1), daily_caps: vec![50, 100, 200], enabled: true };
        let (text, reached) = warmup_summary(&plan, date(2026, 11, 2), 20);
        assert_eq!(text, "Day 2 of 3 · cap today 100 · sent today 20");
        assert!(!reached);
        let (text, reached) = warmup_summary(&plan, date(2026, 11, 10), 200);
        assert!(text.starts_with("Plan over (day 10) · cap today 200"), "{text}");
        assert!(reached);
        assert!(warmup_summary(&plan, date(2026, 10, 30), 0).0.starts_with("Starts 2026-11-01"));
    }

    #[test]
    fn relay_summary_reads_like_the_pill() {
        let r = RelayConfig {
            host: "smtp.example.com".into(),
            port: 587,
            security: RelaySecurity::StartTls,
            username: "bm".into(),
            max_connections: 8,
            ..RelayConfig::default()
        };
        assert_eq!(relay_summary(&r), "smtp.example.com:587 · STARTTLS · login");
        assert!(is_default_port("587") && !is_default_port("2525"));
        assert_eq!(suggested_port(RelaySecurity::Tls), 465);
    }
}
