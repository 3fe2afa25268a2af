//! The campaign editor (`/campaigns/new`, and `/campaigns/:id` while a campaign is a draft or
//! scheduled): everything a send needs on one page, in the order an admin thinks about it —
//! name, sender, subject and preview line, content, audience, tracking and speed — with a
//! sticky bar to save the draft or go on to review and send.
//!
//! The campaign keeps its own copy of its content: picking a library template copies the
//! template's document or HTML into the campaign, so later edits to the template change
//! nothing already composed (or sent) until the admin reloads it here. HTML can be edited in
//! place; a drag-and-drop design is edited in the template and reloaded.
//!
//! Saving maps every refusal the server names to the input at fault (`ApiError::Invalid`),
//! so a bad sender address is shown under the sender address, not only in a toast.

use std::time::Duration;

use chrono::{DateTime, Utc};
use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use model::campaigns::{AudienceSpec, Campaign, CampaignInput, CampaignStatus};
use model::email::Document;
use model::templates::{Template, TemplateKind, TemplateSummary};

use super::audience::AudiencePicker;
use super::review::ReviewStep;
use crate::api::ApiError;
use crate::api::campaigns::{create_campaign, schedule_campaign, sender_domains, update_campaign};
use crate::api::templates::{get_template, list_templates};
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{AMBER, CARD, GREY, INDIGO, PILL};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, SECONDARY, form_error};

/// Longest preview line the server accepts (the engine's limit).
const MAX_PREHEADER_CHARS: usize = 250;
/// Quiet time after the last content change before the preview renders again, so typing in
/// the HTML source does not re-render the frame per key.
const PREVIEW_DELAY: Duration = Duration::from_millis(300);
/// The inputs a server refusal can name; any other refusal is shown above the save bar.
const FIELDS: [&str; 9] =
    ["name", "from_name", "from_email", "reply_to", "subject", "preheader", "content", "audience", "rate_per_minute"];
/// The "Insert field" menu: key (test id), label, merge tag.
const MERGE_FIELDS: [(&str, &str, &str); 3] = [
    ("first_name", "First name", "{{ first_name }}"),
    ("last_name", "Last name", "{{ last_name }}"),
    ("email", "Email address", "{{ email }}"),
];
/// What "Write HTML" starts from: a valid page with the unsubscribe link the preflight asks for.
const HTML_STARTER: &str = "<!DOCTYPE html>\n<html>\n<body>\n  <p>Hello {{ first_name | default: \"there\" }},</p>\n  <p></p>\n  <p style=\"font-size: 12px; color: #64748b;\">\n    <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>\n  </p>\n</body>\n</html>\n";

/// Field label.
const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-200";
/// Quiet text under a field.
const HINT: &str = "text-xs text-slate-500 dark:text-slate-400";
/// Inline link.
const LINK: &str = "font-medium text-indigo-600 hover:underline dark:text-indigo-300";
/// A checkbox drawn as an on/off switch (still a real checkbox for forms, tests and screen
/// readers; `role="switch"` makes them announce it as one).
const SWITCH: &str = "relative mt-0.5 h-5 w-9 shrink-0 cursor-pointer appearance-none rounded-full bg-slate-300 transition-colors before:absolute before:left-0.5 before:top-0.5 before:h-4 before:w-4 before:rounded-full before:bg-white before:shadow before:transition-transform checked:bg-indigo-600 checked:before:translate-x-4 focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-500/30 dark:bg-slate-600 dark:checked:bg-indigo-500";

/// What happens after a successful save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AfterSave {
    /// "Save draft": stay (a new campaign moves to its own URL).
    Stay,
    /// "Review & send": open the review step.
    Review,
}

/// The form, one signal per input (`Copy`, so every handler can hold it).
#[derive(Clone, Copy)]
struct FormState {
    name: RwSignal<String>,
    from_name: RwSignal<String>,
    /// The part of the sender address before the `@`.
    from_local: RwSignal<String>,
    /// One of the server's mail domains.
    from_domain: RwSignal<String>,
    reply_to: RwSignal<String>,
    subject: RwSignal<String>,
    preheader: RwSignal<String>,
    template_id: RwSignal<Option<i64>>,
    document: RwSignal<Option<Document>>,
    html: RwSignal<Option<String>>,
    audience: RwSignal<AudienceSpec>,
    track_opens: RwSignal<bool>,
    track_clicks: RwSignal<bool>,
    /// Messages per minute as typed; empty means unlimited.
    rate: RwSignal<String>,
}

impl FormState {
    /// The form filled from a saved (or a new, default) campaign.
    fn new(input: CampaignInput) -> Self {
        let (local, domain) = split_address(&input.from_email);
        Self {
            name: RwSignal::new(input.name),
            from_name: RwSignal::new(input.from_name),
            from_local: RwSignal::new(local),
            from_domain: RwSignal::new(domain),
            reply_to: RwSignal::new(input.reply_to),
            subject: RwSignal::new(input.subject),
            preheader: RwSignal::new(input.preheader),
            template_id: RwSignal::new(input.template_id),
            document: RwSignal::new(input.document),
            html: RwSignal::new(input.html),
            audience: RwSignal::new(input.audience),
            track_opens: RwSignal::new(input.track_opens),
            track_clicks: RwSignal::new(input.track_clicks),
            rate: RwSignal::new(if input.rate_per_minute > 0 {
                input.rate_per_minute.to_string()
            } else {
                String::new()
            }),
        }
    }

    /// What to save, or the first input the browser can already tell is wrong (the server
    /// checks everything again).
    fn input(&self) -> Result<CampaignInput, ApiError> {
        let name = self.name.get_untracked().trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::invalid("name", "Give the campaign a name."));
        }
        let from_email = join_address(&self.from_local.get_untracked(), &self.from_domain.get_untracked())?;
        let preheader = self.preheader.get_untracked().trim().to_owned();
        if preheader.chars().count() > MAX_PREHEADER_CHARS {
            return Err(ApiError::invalid(
                "preheader",
                format!("The preview line can be at most {MAX_PREHEADER_CHARS} characters."),
            ));
        }
        let rate_per_minute = parse_rate(&self.rate.get_untracked())?;
        let document = self.document.get_untracked();
        // Exactly one kind of content: a design wins over stale HTML.
        let html = if document.is_some() { None } else { self.html.get_untracked() };
        Ok(CampaignInput {
            name,
            from_name: self.from_name.get_untracked().trim().to_owned(),
            from_email,
            reply_to: self.reply_to.get_untracked().trim().to_owned(),
            subject: self.subject.get_untracked().trim().to_owned(),
            preheader,
            template_id: self.template_id.get_untracked(),
            document,
            html,
            audience: self.audience.get_untracked(),
            track_opens: self.track_opens.get_untracked(),
            track_clicks: self.track_clicks.get_untracked(),
            rate_per_minute,
        })
    }

    /// Copies a template's current content into the campaign (and its subject hint into an
    /// empty subject when `with_subject`).
    fn apply_template(&self, t: Template, with_subject: bool) {
        if with_subject && self.subject.get_untracked().trim().is_empty() && !t.subject_hint.trim().is_empty() {
            self.subject.set(t.subject_hint.clone());
        }
        self.template_id.set(Some(t.id));
        let is_document = t.document.is_some();
        self.document.set(t.document);
        self.html.set(if is_document { None } else { t.html });
    }
}

/// A new campaign: everything empty, opens and clicks tracked.
fn default_input() -> CampaignInput {
    CampaignInput { track_opens: true, track_clicks: true, ..Default::default() }
}

/// "news@example.com" → ("news", "example.com"); an address without `@` is all local part.
fn split_address(address: &str) -> (String, String) {
    match address.trim().rsplit_once('@') {
        Some((local, domain)) => (local.to_owned(), domain.to_owned()),
        None => (address.trim().to_owned(), String::new()),
    }
}

/// The sender address from its two inputs; empty while no local part is typed (a draft may
/// leave it open).
fn join_address(local: &str, domain: &str) -> Result<String, ApiError> {
    let (local, domain) = (local.trim(), domain.trim());
    if local.is_empty() {
        return Ok(String::new());
    }
    if local.contains('@') {
        return Err(ApiError::invalid(
            "from_email",
            "Type only the part before the @ and choose the domain from the list.",
        ));
    }
    if domain.is_empty() {
        return Err(ApiError::invalid("from_email", "Choose the domain the campaign is sent from."));
    }
    Ok(format!("{local}@{domain}"))
}

/// The sending speed as typed: empty or 0 is unlimited.
fn parse_rate(text: &str) -> Result<i32, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    match text.parse::<i32>() {
        Ok(n) if n >= 0 => Ok(n),
        _ => Err(ApiError::invalid(
            "rate_per_minute",
            "Enter a whole number of messages per minute, or leave it empty for no limit.",
        )),
    }
}

/// `subject` with `tag` appended, separated by a space unless it ends in one already.
fn with_tag(subject: &str, tag: &str) -> String {
    if subject.is_empty() || subject.ends_with(char::is_whitespace) {
        format!("{subject}{tag}")
    } else {
        format!("{subject} {tag}")
    }
}

/// "12.5 KB".
fn kilobytes(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// The content line: what kind of content the campaign holds and how big it is.
fn content_summary(blocks: Option<usize>, html_bytes: Option<usize>) -> String {
    match (blocks, html_bytes) {
        (Some(1), _) => "Designed with the drag-and-drop editor (1 block)".to_owned(),
        (Some(n), _) => format!("Designed with the drag-and-drop editor ({n} blocks)"),
        (None, Some(bytes)) => format!("HTML ({})", kilobytes(bytes)),
        (None, None) => "No content yet".to_owned(),
    }
}

/// The preview frame's HTML: the content merged with the sample recipient (`site_url` set to
/// `origin` so starter images load), or why a design cannot be rendered. HTML whose merge
/// tags cannot be read is shown as typed. `None` without content.
fn render_preview(document: Option<&Document>, html: Option<&str>, origin: &str) -> Option<Result<String, String>> {
    let lookup = |name: &str| model::email::sample_value(name, origin);
    if let Some(doc) = document {
        return Some(model::email::compile(doc).map(|c| c.render_for(&lookup).html).map_err(|e| e.to_string()));
    }
    html.map(|h| {
        Ok(match model::email::compile_html(h) {
            Ok(compiled) => compiled.render_for(&lookup).html,
            Err(_) => h.to_owned(),
        })
    })
}

/// This site's origin in the browser (empty on the server, which never renders the preview).
fn site_origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        window().location().origin().unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

/// `at` as the browser writes dates, in the IANA zone `zone` (UTC when empty); `None` on the
/// server or when the browser does not know the zone.
fn zoned_time(at: DateTime<Utc>, zone: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use web_sys::js_sys::{Date, Function, Object, Reflect};
        let zone = if zone.trim().is_empty() { "UTC" } else { zone.trim() };
        let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        let options = Object::new();
        for (key, value) in [("timeZone", zone), ("dateStyle", "medium"), ("timeStyle", "short")] {
            Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value)).ok()?;
        }
        // Called through Reflect so an unknown zone (a RangeError) is an error, not a panic.
        let to_locale = Reflect::get(&date, &JsValue::from_str("toLocaleString")).ok()?.dyn_into::<Function>().ok()?;
        to_locale.call2(&date, &JsValue::UNDEFINED, &options).ok()?.as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (at, zone);
        None
    }
}

/// Frame of an input or select without its width, red while the field has an error.
fn field_frame(has_error: bool) -> String {
    let tone = if has_error {
        "border-rose-500 focus:border-rose-500 focus:ring-rose-500/30"
    } else {
        "border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-slate-700"
    };
    format!(
        "rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm outline-none placeholder:text-slate-400 focus:ring-4 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500 {tone}"
    )
}

/// A full-width input frame.
fn input_class(has_error: bool) -> String {
    format!("block w-full {}", field_frame(has_error))
}

/// The message of the save error about `field`, for the line under that input.
fn field_error(errors: RwSignal<Option<ApiError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || errors.get().and_then(|e| e.for_field(field)))
}

/// The preheader counter's colour: red past the limit.
fn counter_class(chars: usize) -> &'static str {
    if chars > MAX_PREHEADER_CHARS {
        "text-xs font-medium tabular-nums text-rose-600 dark:text-rose-400"
    } else {
        "text-xs tabular-nums text-slate-500 dark:text-slate-400"
    }
}

/// The red line under a field (hidden while there is no error), `id` `{field id}-error`.
fn error_line(id: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p id=format!("{id}-error") class="field-error text-xs font-medium text-rose-600 dark:text-rose-400" role="alert"
            class:hidden=move || error.get().is_none()>
            {move || error.get().unwrap_or_default()}
        </p>
    }
}

/// A labelled one-line input; `id` is also its test id.
fn text_field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    input_type: &'static str,
    placeholder: &'static str,
    hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="space-y-1.5">
            <label for=id class=LABEL>{label}</label>
            <input id=id data-testid=id type=input_type autocomplete="off" placeholder=placeholder
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=format!("{id}-error")
                class=move || input_class(error.get().is_some())
                bind:value=value />
            {hint.map(|h| view! { <p class=HINT>{h}</p> })}
            {error_line(id, error)}
        </div>
    }
}

/// An on/off setting with a one-line explanation.
fn toggle(id: &'static str, label: &'static str, explanation: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label for=id class="flex cursor-pointer items-start justify-between gap-4 rounded-lg border border-slate-200 p-3 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800/50">
            <span>
                <span class="block text-sm font-medium text-slate-800 dark:text-slate-100">{label}</span>
                <span class=format!("mt-0.5 block {HINT}")>{explanation}</span>
            </span>
            <input id=id data-testid=id type="checkbox" role="switch" class=SWITCH bind:checked=value />
        </label>
    }
}

/// One section of the form as a card: heading, a line on what it is for, then the fields.
fn card(id: &'static str, title: &'static str, about: &'static str, body: impl IntoView) -> impl IntoView {
    let heading_id = format!("{id}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <section id=id class=CARD aria-labelledby=labelled_by>
            <h2 id=heading_id class="text-base font-semibold text-slate-900 dark:text-white">{title}</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">{about}</p>
            <div class="mt-5">{body}</div>
        </section>
    }
}

/// The campaign form. `campaign` is the saved campaign (a draft or a scheduled one) or
/// `None` for a new one; the first save of a new one moves to `/campaigns/{id}`.
#[component]
pub fn CampaignEditor(campaign: Option<Campaign>) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let is_new = campaign.is_none();
    let saved_id = RwSignal::new(campaign.as_ref().map(|c| c.id));
    let status = RwSignal::new(campaign.as_ref().map_or(CampaignStatus::Draft, |c| c.status));
    let schedule = campaign
        .as_ref()
        .filter(|c| c.status == CampaignStatus::Scheduled)
        .and_then(|c| c.scheduled_at.map(|at| (at, c.time_zone.clone())));
    let page_title = match &campaign {
        Some(c) if !c.input.name.trim().is_empty() => format!("{} · Campaigns", c.input.name.trim()),
        Some(_) => "Edit campaign · BillionMail".to_owned(),
        None => "New campaign · BillionMail".to_owned(),
    };
    let heading = if is_new { "New campaign" } else { "Edit campaign" };
    let form = FormState::new(campaign.map(|c| c.input).unwrap_or_else(default_input));

    let errors = RwSignal::new(None::<ApiError>);
    let general_error =
        move || errors.get().filter(|e| FIELDS.iter().all(|f| e.for_field(f).is_none())).map(|e| e.to_string());
    let pending = RwSignal::new(None::<AfterSave>);
    let review_open = RwSignal::new(false);

    // Navigation goes through a signal so the save handlers stay `Copy`.
    let go_to = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(href) = go_to.get() {
            navigate(&href, NavigateOptions { replace: true, ..Default::default() });
        }
    });
    // A new campaign saved by "Review & send" moves to its own URL once the review closes
    // without sending, so a reload opens the draft rather than an empty form.
    Effect::new(move |was_open: Option<bool>| {
        let open = review_open.get();
        if is_new
            && was_open == Some(true)
            && !open
            && let Some(id) = saved_id.get_untracked()
        {
            go_to.set(Some(format!("/campaigns/{id}")));
        }
        open
    });

    let save = move |after: AfterSave| {
        if pending.get_untracked().is_some() {
            return;
        }
        errors.set(None);
        let input = match form.input() {
            Ok(input) => input,
            Err(e) => {
                toasts.error(e.to_string());
                errors.set(Some(e));
                return;
            }
        };
        pending.set(Some(after));
        let existing = saved_id.get_untracked();
        leptos::task::spawn_local(async move {
            let result = match existing {
                Some(id) => update_campaign(id, input).await,
                None => create_campaign(input).await,
            };
            let _ = pending.try_set(None);
            match result {
                Ok(c) => {
                    let _ = saved_id.try_set(Some(c.id));
                    let _ = status.try_set(c.status);
                    match after {
                        AfterSave::Stay => {
                            if c.status == CampaignStatus::Scheduled {
                                toasts.success("Changes saved. The campaign is still scheduled.");
                            } else {
                                toasts.success("Draft saved.");
                            }
                            if existing.is_none() {
                                let _ = go_to.try_set(Some(format!("/campaigns/{}", c.id)));
                            }
                        }
                        AfterSave::Review => {
                            let _ = review_open.try_set(true);
                        }
                    }
                }
                Err(e) => {
                    toasts.report(&e);
                    let _ = errors.try_set(Some(e));
                }
            }
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save(AfterSave::Stay);
    };
    let on_done = Callback::new(move |_: ()| {
        let Some(id) = saved_id.get_untracked() else {
            return;
        };
        // A full load, so the report page starts with fresh data and its progress stream.
        #[cfg(feature = "hydrate")]
        {
            let _ = window().location().set_href(&format!("/campaigns/{id}"));
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = id;
        }
    });

    let unscheduling = RwSignal::new(false);
    let unschedule = move |_: MouseEvent| {
        let Some(id) = saved_id.get_untracked() else {
            return;
        };
        unscheduling.set(true);
        leptos::task::spawn_local(async move {
            let result = schedule_campaign(id, None, String::new()).await;
            let _ = unscheduling.try_set(false);
            match result {
                Ok(c) => {
                    let _ = status.try_set(c.status);
                    toasts.success("Unscheduled. The campaign is a draft again.");
                }
                Err(e) => toasts.report(&e),
            }
        });
    };
    let banner = schedule.map(|(at, zone)| scheduled_banner(at, zone, status, unscheduling, unschedule));

    let saving = move || pending.get().is_some();
    let save_label = move || if pending.get() == Some(AfterSave::Stay) { "Saving…" } else { "Save draft" };
    let review_label = move || if pending.get() == Some(AfterSave::Review) { "Saving…" } else { "Review & send" };
    let status_pill = move || {
        let s = status.get();
        let tone = if s == CampaignStatus::Scheduled { INDIGO } else { GREY };
        view! { <span data-testid="campaign-status" class=format!("{PILL} {tone}")>{s.label()}</span> }
    };

    view! {
        <Title text=page_title />
        <div class="space-y-6">
            <div>
                <a href="/campaigns" class="text-sm text-indigo-600 hover:underline dark:text-indigo-300">"← Campaigns"</a>
                <div class="mt-2 flex flex-wrap items-center gap-3">
                    <h1 class="text-2xl font-semibold tracking-tight">{heading}</h1>
                    {status_pill}
                </div>
                <p class="mt-1 max-w-3xl text-sm text-slate-500 dark:text-slate-400">
                    "Write the message, choose who gets it, then review and send. Until it is started the campaign is a draft you can change freely."
                </p>
            </div>
            {banner}
            <form id="campaign-form" class="space-y-6" novalidate=true on:submit=on_submit>
                {card("campaign-details", "Details", "Only you and other admins see the name.", view! {
                    <div class="max-w-xl">
                        {text_field("campaign-name", "Name", form.name, field_error(errors, "name"), "text",
                            "Spring newsletter", None)}
                    </div>
                })}
                {card("campaign-sender", "Sender", "Who the campaign comes from, as recipients see it in their inbox.",
                    view! { <SenderFields form=form errors=errors /> })}
                {card("campaign-message", "Message", "The subject and the preview line inbox lists show after it.",
                    view! { <MessageFields form=form errors=errors /> })}
                {card("campaign-content", "Content", "What the email says and looks like.",
                    view! { <ContentFields form=form error={field_error(errors, "content")} /> })}
                {card("campaign-audience", "Audience", "Who receives the campaign.", view! {
                    <div class="space-y-3">
                        <AudiencePicker audience=form.audience />
                        {error_line("campaign-audience", field_error(errors, "audience"))}
                    </div>
                })}
                {card("campaign-tracking", "Tracking & speed", "What is measured, and how fast the campaign goes out.",
                    view! { <TrackingFields form=form rate_error={field_error(errors, "rate_per_minute")} /> })}
                <div class="sticky bottom-0 z-10 -mx-4 border-t border-slate-200 bg-white/90 px-4 py-3 backdrop-blur sm:-mx-6 sm:px-6 lg:-mx-8 lg:px-8 dark:border-slate-800 dark:bg-slate-900/90">
                    <div class="flex flex-wrap items-center justify-end gap-3">
                        <div class="mr-auto min-w-0">{move || form_error(general_error())}</div>
                        <button type="submit" id="save-draft" data-testid="save-draft" class=SECONDARY disabled=saving>
                            {save_label}
                        </button>
                        <button type="button" id="review-send" data-testid="review-send" class=PRIMARY disabled=saving
                            on:click=move |_| save(AfterSave::Review)>
                            {review_label}
                        </button>
                    </div>
                </div>
            </form>
        </div>
        <Modal open=review_open id="campaign-review" title="Review & send" width="max-w-4xl">
            {move || saved_id.get().map(|id| view! { <ReviewStep campaign_id=id on_done=on_done /> })}
        </Modal>
    }
}

/// "Scheduled for 12 Jun 2026, 09:00 (Europe/Berlin)" with the way back to a draft. The time
/// is first written in UTC (the server has no zone database) and rewritten in the campaign's
/// zone once the browser runs.
fn scheduled_banner(
    at: DateTime<Utc>,
    zone: String,
    status: RwSignal<CampaignStatus>,
    busy: RwSignal<bool>,
    on_unschedule: impl Fn(MouseEvent) + 'static,
) -> impl IntoView {
    let zone_label = if zone.trim().is_empty() { "UTC".to_owned() } else { zone.trim().to_owned() };
    let when = RwSignal::new(format!("{} UTC", format::timestamp(&at)));
    Effect::new(move |_| {
        if let Some(local) = zoned_time(at, &zone) {
            when.set(local);
        }
    });
    view! {
        <div data-testid="scheduled-banner" role="status"
            class="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900 dark:border-indigo-500/30 dark:bg-indigo-500/10 dark:text-indigo-100"
            class:hidden={move || status.get() != CampaignStatus::Scheduled}>
            <div>
                <p class="font-semibold">"Scheduled for "{move || when.get()}" ("{zone_label}")"</p>
                <p class="mt-0.5 text-indigo-800/80 dark:text-indigo-200/80">
                    "It starts by itself at that time, with the content saved by then. Unschedule to keep it as a draft."
                </p>
            </div>
            <button type="button" data-testid="unschedule" class=SECONDARY disabled=move || busy.get() on:click=on_unschedule>
                {move || if busy.get() { "Unscheduling…" } else { "Unschedule" }}
            </button>
        </div>
    }
}

/// From name, the sender address (local part @ one of the server's domains), reply-to.
#[component]
fn SenderFields(form: FormState, errors: RwSignal<Option<ApiError>>) -> impl IntoView {
    let domains = LocalResource::new(sender_domains);
    // A new campaign (or one saved without a sender) starts on the first domain.
    Effect::new(move |_| {
        if let Some(Ok(list)) = domains.get()
            && form.from_domain.get_untracked().is_empty()
            && let Some(first) = list.first()
        {
            form.from_domain.set(first.clone());
        }
    });
    // The active domains, plus the saved one when it is no longer active (so it stays
    // visible rather than silently changing), as (domain, active).
    let options = move || {
        let mut list: Vec<(String, bool)> =
            domains.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|d| (d, true)).collect();
        let current = form.from_domain.get();
        let loaded = domains.get().is_some();
        if !current.is_empty() && !list.iter().any(|(d, _)| *d == current) {
            list.push((current, !loaded));
        }
        list
    };
    let option_views = move || {
        let current = form.from_domain.get();
        let placeholder =
            current.is_empty().then(|| view! { <option value="" selected=true>"Choose a domain…"</option> });
        let rows = options()
            .into_iter()
            .map(|(d, active)| {
                let selected = d == current;
                let label = if active { d.clone() } else { format!("{d} (not an active domain)") };
                view! { <option value=d selected=selected>{label}</option> }
            })
            .collect_view();
        (placeholder, rows)
    };
    let no_domains = move || matches!(domains.get(), Some(Ok(list)) if list.is_empty());
    let domain_problem = move || match domains.get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let from_error = field_error(errors, "from_email");
    view! {
        <div class="grid gap-5 sm:grid-cols-2">
            {text_field("from-name", "From name", form.from_name, field_error(errors, "from_name"), "text", "Acme News",
                Some("Shown as the sender in the inbox; your company or your own name works best."))}
            <div class="space-y-1.5">
                <label for="from-local" class=LABEL>"From address"</label>
                <div class="flex items-center gap-2">
                    <input id="from-local" data-testid="from-local" type="text" autocomplete="off" placeholder="news"
                        aria-invalid=move || if from_error.get().is_some() { "true" } else { "false" }
                        aria-describedby="from-local-error"
                        class=move || format!("min-w-0 flex-1 {}", field_frame(from_error.get().is_some()))
                        bind:value=form.from_local />
                    <span class="text-sm font-medium text-slate-500 dark:text-slate-400" aria-hidden="true">"@"</span>
                    <select id="from-domain" data-testid="from-domain" aria-label="Sender domain"
                        class=move || format!("max-w-[60%] shrink-0 {}", field_frame(from_error.get().is_some()))
                        prop:value=move || form.from_domain.get()
                        on:change=move |ev| form.from_domain.set(event_target_value(&ev))>
                        {option_views}
                    </select>
                </div>
                {move || no_domains().then(|| view! {
                    <p data-testid="no-sender-domains" class="rounded-lg bg-amber-50 px-3 py-2 text-xs text-amber-800 dark:bg-amber-500/10 dark:text-amber-200">
                        "Add a mail domain under Mail → Domains first. "
                        <a href="/domains" class=LINK>"Go to Domains"</a>
                    </p>
                })}
                {move || domain_problem().map(|m| view! { <p class="text-xs text-rose-600 dark:text-rose-400">{m}</p> })}
                {error_line("from-local", from_error)}
            </div>
            {text_field("reply-to", "Reply-to (optional)", form.reply_to, field_error(errors, "reply_to"), "email",
                "support@example.com", Some("Where replies go when not to the From address."))}
        </div>
    }
}

/// Subject (with the merge-field menu) and preheader (with its counter).
#[component]
fn MessageFields(form: FormState, errors: RwSignal<Option<ApiError>>) -> impl IntoView {
    let subject_error = field_error(errors, "subject");
    let preheader_error = field_error(errors, "preheader");
    let menu_open = RwSignal::new(false);
    let preheader_chars = move || form.preheader.with(|p| p.chars().count());
    let menu_items = MERGE_FIELDS
        .into_iter()
        .map(|(key, label, tag)| {
            view! {
                <button type="button" role="menuitem" data-testid=format!("insert-field-{key}")
                    class="flex w-full items-center justify-between gap-3 px-3 py-1.5 text-left text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
                    on:click=move |_| {
                        form.subject.update(|s| *s = with_tag(s, tag));
                        menu_open.set(false);
                    }>
                    <span>{label}</span>
                    <span class="font-mono text-xs text-slate-400">{tag}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="max-w-3xl space-y-5">
            <div class="space-y-1.5">
                <div class="flex items-end justify-between gap-3">
                    <label for="subject" class=LABEL>"Subject"</label>
                    <div class="relative">
                        <button type="button" data-testid="insert-field" aria-haspopup="menu"
                            aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                            class=ROW_ACTION on:click=move |_| menu_open.update(|o| *o = !*o)>
                            "Insert field ▾"
                        </button>
                        <div role="menu" aria-label="Insert field"
                            class="absolute right-0 z-20 mt-1 w-60 rounded-lg border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900"
                            class:hidden=move || !menu_open.get()>
                            {menu_items}
                        </div>
                    </div>
                </div>
                <input id="subject" data-testid="subject" type="text" autocomplete="off" placeholder="What's new this spring"
                    aria-invalid=move || if subject_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="subject-hint subject-error"
                    class=move || input_class(subject_error.get().is_some())
                    bind:value=form.subject />
                <p id="subject-hint" class=HINT>
                    "Merge tags work here: "
                    <code class="rounded bg-slate-100 px-1 font-mono dark:bg-slate-800">"{{ first_name | default: \"there\" }}"</code>
                    " becomes each contact's first name, or “there” when it is empty."
                </p>
                {error_line("subject", subject_error)}
            </div>
            <div class="space-y-1.5">
                <div class="flex items-end justify-between gap-3">
                    <label for="preheader" class=LABEL>"Preheader"</label>
                    <span data-testid="preheader-count" class=move || counter_class(preheader_chars())>
                        {move || format!("{}/{MAX_PREHEADER_CHARS}", preheader_chars())}
                    </span>
                </div>
                <input id="preheader" data-testid="preheader" type="text" autocomplete="off" maxlength="250"
                    placeholder="A short teaser shown after the subject"
                    aria-invalid=move || if preheader_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="preheader-hint preheader-error"
                    class=move || input_class(preheader_error.get().is_some())
                    bind:value=form.preheader />
                <p id="preheader-hint" class=HINT>
                    "The grey line many inboxes show after the subject. Left empty, they show the first words of the email instead."
                </p>
                {error_line("preheader", preheader_error)}
            </div>
        </div>
    }
}

/// The campaign's own copy of its content: where it came from, how big it is, the template
/// picker, HTML editing in place, and a preview.
#[component]
fn ContentFields(form: FormState, error: Signal<Option<String>>) -> impl IntoView {
    let toasts = use_toasts();
    let picker_open = RwSignal::new(false);
    let editing_html = RwSignal::new(false);
    // Bumped when content is replaced wholesale, so an open HTML editor shows the new text.
    let content_version = RwSignal::new(0u32);
    let has_document = Memo::new(move |_| form.document.with(Option::is_some));
    let has_html = Memo::new(move |_| form.html.with(Option::is_some));
    let summary = move || {
        content_summary(
            form.document.with(|d| d.as_ref().map(Document::block_count)),
            form.html.with(|h| h.as_ref().map(String::len)),
        )
    };

    let replaces = Signal::derive(move || has_document.get() || has_html.get());
    let on_pick = Callback::new(move |t: Template| {
        form.apply_template(t, true);
        content_version.update(|v| *v = v.wrapping_add(1));
    });

    let reloading = RwSignal::new(false);
    let reload = move |_: MouseEvent| {
        let Some(id) = form.template_id.get_untracked() else {
            return;
        };
        reloading.set(true);
        leptos::task::spawn_local(async move {
            let result = get_template(id).await;
            let _ = reloading.try_set(false);
            match result {
                Ok(t) => {
                    form.apply_template(t, false);
                    let _ = content_version.try_update(|v| *v = v.wrapping_add(1));
                    toasts.success("Reloaded the template's current content.");
                }
                Err(e) => toasts.report(&e),
            }
        });
    };
    let start_html = move |_: MouseEvent| {
        form.template_id.set(None);
        form.document.set(None);
        form.html.set(Some(HTML_STARTER.to_owned()));
        content_version.update(|v| *v = v.wrapping_add(1));
        editing_html.set(true);
    };

    // The preview follows the content PREVIEW_DELAY after its last change, in the browser
    // only (Effects never run on the server), rendered with the sample recipient.
    let preview = RwSignal::new(None::<Result<String, String>>);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        form.document.track();
        form.html.track();
        let this = generation.get_value() + 1;
        generation.set_value(this);
        set_timeout(
            move || {
                if generation.try_get_value() != Some(this) {
                    return;
                }
                let origin = site_origin();
                let rendered = form.document.try_with_untracked(|d| {
                    form.html.try_with_untracked(|h| render_preview(d.as_ref(), h.as_deref(), &origin))
                });
                if let Some(Some(rendered)) = rendered {
                    let _ = preview.try_set(rendered);
                }
            },
            PREVIEW_DELAY,
        );
    });

    let document_actions = move || {
        has_document.get().then(|| {
            let template = form.template_id.get();
            view! {
                <div class="space-y-1.5">
                    <div class="flex flex-wrap items-center gap-2">
                        {template.map(|id| view! {
                            <a href=format!("/templates/{id}") data-testid="edit-template-link" class=SECONDARY>
                                "Edit the template"
                            </a>
                            <button type="button" data-testid="reload-template" class=SECONDARY
                                disabled=move || reloading.get() on:click=reload>
                                {move || if reloading.get() { "Reloading…" } else { "Reload from template" }}
                            </button>
                        })}
                    </div>
                    <p class=HINT>
                        "The campaign keeps its own copy of the design. After changing the template, reload it here to use the changes."
                    </p>
                </div>
            }
        })
    };
    let html_editor = move || {
        content_version.track();
        (editing_html.get() && has_html.get()).then(|| {
            let initial = form.html.get_untracked().unwrap_or_default();
            view! {
                <div class="space-y-1.5">
                    <label for="html-source" class=LABEL>"HTML"</label>
                    <textarea id="html-source" data-testid="html-source" rows="20" spellcheck="false"
                        class=format!("{} font-mono text-xs leading-relaxed", input_class(false))
                        prop:value=initial
                        on:input=move |ev| form.html.set(Some(event_target_value(&ev)))></textarea>
                    <p class=HINT>
                        "This edits the campaign's own copy; the template in the library stays as it is. Merge tags such as {{ first_name }} and {{ unsubscribe_url }} work here too."
                    </p>
                </div>
            }
        })
    };
    let preview_view = move || match preview.get() {
        Some(Ok(html)) => view! {
            <iframe sandbox="" srcdoc=html title="Campaign preview" data-testid="content-preview" tabindex="-1"
                class="block h-[560px] w-full border-0 bg-white"></iframe>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <p class="p-4 text-sm text-rose-600 dark:text-rose-400" role="alert">
                {format!("This design cannot be rendered: {e}.")}
            </p>
        }
        .into_any(),
        None if has_document.get() || has_html.get() => view! {
            <p class="p-4 text-sm text-slate-500 dark:text-slate-400">"Rendering the preview…"</p>
        }
        .into_any(),
        None => view! {
            <p class="p-8 text-center text-sm text-slate-500 dark:text-slate-400">
                "Choose a template or write HTML; the preview appears here."
            </p>
        }
        .into_any(),
    };

    let kind_class = move || {
        let tone = if has_document.get() {
            INDIGO
        } else if has_html.get() {
            AMBER
        } else {
            GREY
        };
        format!("{PILL} {tone}")
    };
    let kind_label = move || {
        if has_document.get() {
            "Design"
        } else if has_html.get() {
            "HTML"
        } else {
            "Empty"
        }
    };

    view! {
        <div class="grid items-start gap-6 lg:grid-cols-2">
            <div class="space-y-4">
                <div class="flex items-center gap-3 rounded-lg border border-dashed border-slate-300 px-4 py-3 dark:border-slate-700">
                    <span class=kind_class>{kind_label}</span>
                    <p data-testid="content-summary" class="text-sm font-medium text-slate-800 dark:text-slate-100">{summary}</p>
                </div>
                <div class="flex flex-wrap gap-2">
                    <button type="button" data-testid="choose-template" class=SECONDARY on:click=move |_| picker_open.set(true)>
                        "Choose a template"
                    </button>
                    {move || (!has_document.get() && !has_html.get()).then(|| view! {
                        <button type="button" data-testid="start-html" class=SECONDARY on:click=start_html>"Write HTML"</button>
                    })}
                    {move || has_html.get().then(|| view! {
                        <button type="button" data-testid="edit-html" class=SECONDARY
                            aria-expanded=move || if editing_html.get() { "true" } else { "false" }
                            on:click=move |_| editing_html.update(|e| *e = !*e)>
                            {move || if editing_html.get() { "Hide HTML" } else { "Edit HTML" }}
                        </button>
                    })}
                </div>
                {document_actions}
                {html_editor}
                {error_line("campaign-content", error)}
            </div>
            <div class="overflow-hidden rounded-lg border border-slate-200 bg-slate-50 dark:border-slate-700 dark:bg-slate-800/40">
                <div class="border-b border-slate-200 px-4 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:border-slate-700 dark:text-slate-400">
                    "Preview · sample recipient"
                </div>
                {preview_view}
            </div>
        </div>
        <Modal open=picker_open id="template-picker" title="Choose a template" width="max-w-2xl">
            <TemplatePicker open=picker_open on_pick=on_pick replaces=replaces />
        </Modal>
    }
}

/// The library's templates to copy into the campaign; fetched each time the dialog opens.
#[component]
fn TemplatePicker(open: RwSignal<bool>, on_pick: Callback<Template>, replaces: Signal<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let templates = LocalResource::new(list_templates);
    let picking = RwSignal::new(None::<i64>);
    let pick = move |id: i64| {
        if picking.get_untracked().is_some() {
            return;
        }
        picking.set(Some(id));
        leptos::task::spawn_local(async move {
            let result = get_template(id).await;
            let _ = picking.try_set(None);
            match result {
                Ok(t) => {
                    let name = t.name.clone();
                    on_pick.run(t);
                    open.set(false);
                    toasts.success(format!("Copied \u{201c}{name}\u{201d} into the campaign."));
                }
                Err(e) => toasts.report(&e),
            }
        });
    };
    let rows = move || {
        templates.get().map(|r| match r {
            Err(e) => view! { <p class="text-sm text-rose-600 dark:text-rose-400" role="alert">{e.to_string()}</p> }
                .into_any(),
            Ok(list) if list.is_empty() => view! {
                <p data-testid="no-templates" class="text-sm text-slate-500 dark:text-slate-400">
                    "No templates yet. "
                    <a href="/templates" class=LINK>"Create one under Templates"</a>
                    ", then come back to pick it."
                </p>
            }
            .into_any(),
            Ok(list) => view! {
                <ul class="max-h-[60vh] space-y-2 overflow-y-auto pr-1">
                    {list.into_iter().map(|t| template_option(t, picking, pick)).collect_view()}
                </ul>
            }
            .into_any(),
        })
    };
    view! {
        <div class="space-y-4">
            <p class="text-sm text-slate-500 dark:text-slate-400">
                "The campaign gets its own copy of the template's content; later changes to the template do not affect it until you reload."
            </p>
            {move || replaces.get().then(|| view! {
                <p class="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 dark:bg-amber-500/10 dark:text-amber-200">
                    "Picking a template replaces the campaign's current content."
                </p>
            })}
            {move || rows().unwrap_or_else(|| view! { <p class="text-sm text-slate-500 dark:text-slate-400">"Loading templates…"</p> }.into_any())}
        </div>
    }
}

/// One template in the picker: name, kind, size and last edit; a click copies it.
fn template_option(
    t: TemplateSummary,
    picking: RwSignal<Option<i64>>,
    pick: impl Fn(i64) + Copy + 'static,
) -> impl IntoView {
    let id = t.id;
    let (tone, kind) = match t.kind {
        TemplateKind::Document => (INDIGO, "Drag & drop"),
        TemplateKind::Html => (AMBER, "HTML"),
    };
    let detail = match t.block_count {
        Some(1) => format!("1 block · edited {} UTC", format::timestamp(&t.updated_at)),
        Some(n) => format!("{n} blocks · edited {} UTC", format::timestamp(&t.updated_at)),
        None => format!("Edited {} UTC", format::timestamp(&t.updated_at)),
    };
    let title = t.name.clone();
    view! {
        <li>
            <button type="button" data-testid=format!("template-option-{id}")
                class="flex w-full items-center gap-3 rounded-lg border border-slate-200 px-4 py-3 text-left transition hover:border-indigo-300 hover:bg-indigo-50/50 focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-500/30 disabled:cursor-wait disabled:opacity-60 dark:border-slate-700 dark:hover:border-indigo-500/50 dark:hover:bg-indigo-500/10"
                disabled=move || picking.get().is_some()
                on:click=move |_| pick(id)>
                <span class="min-w-0 flex-1">
                    <span class="block truncate text-sm font-medium text-slate-900 dark:text-white" title=title>{t.name}</span>
                    <span class="block text-xs text-slate-500 dark:text-slate-400">{detail}</span>
                </span>
                <span class="h-4 w-4 shrink-0 animate-spin rounded-full border-2 border-indigo-200 border-t-indigo-600 dark:border-indigo-900 dark:border-t-indigo-400"
                    aria-label="Copying" class:hidden={move || picking.get() != Some(id)}></span>
                <span class=format!("{PILL} {tone} shrink-0")>{kind}</span>
            </button>
        </li>
    }
}

/// Open and click tracking, and the sending speed.
#[component]
fn TrackingFields(form: FormState, rate_error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div class="grid gap-5 lg:grid-cols-2">
            <div class="space-y-3">
                {toggle("track-opens", "Track opens",
                    "Adds an invisible image that reports when the email is opened. Some mail apps load images on their own or block them, so opens are an estimate.",
                    form.track_opens)}
                {toggle("track-clicks", "Track clicks",
                    "Links pass through this server first, so the report shows who clicked which link.",
                    form.track_clicks)}
            </div>
            <div class="space-y-1.5">
                <label for="rate" class=LABEL>"Sending speed"</label>
                <div class="flex items-center gap-2">
                    <input id="rate" data-testid="rate" type="number" min="0" step="1" inputmode="numeric" autocomplete="off"
                        placeholder="Unlimited"
                        aria-invalid=move || if rate_error.get().is_some() { "true" } else { "false" }
                        aria-describedby="rate-hint rate-error"
                        class=move || format!("w-48 {}", field_frame(rate_error.get().is_some()))
                        bind:value=form.rate />
                    <span class="text-sm text-slate-500 dark:text-slate-400">"messages per minute"</span>
                </div>
                <p id="rate-hint" class=HINT>
                    "Leave empty (or 0) to send as fast as the relay accepts. A lower rate spreads the load and is gentler on a new domain's reputation; it can also be changed while sending."
                </p>
                {error_line("rate", rate_error)}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_addresses_split_and_join() {
        assert_eq!(split_address("news@example.com"), ("news".to_owned(), "example.com".to_owned()));
        assert_eq!(split_address(""), (String::new(), String::new()));
        assert_eq!(split_address("news"), ("news".to_owned(), String::new()));
        assert_eq!(join_address(" news ", "example.com").ok().as_deref(), Some("news@example.com"));
        assert_eq!(join_address("", "example.com").ok().as_deref(), Some(""));
        let field = |r: Result<String, ApiError>| r.err().and_then(|e| e.for_field("from_email"));
        assert!(field(join_address("news", "")).is_some());
        assert!(field(join_address("a@b", "example.com")).is_some());
    }

    #[test]
    fn empty_rate_is_unlimited_and_junk_is_refused() {
        assert_eq!(parse_rate("").ok(), Some(0));
        assert_eq!(parse_rate(" 600 ").ok(), Some(600));
        assert!(parse_rate("-1").is_err());
        assert!(parse_rate("fast").is_err());
    }

    #[test]
    fn merge_tags_are_appended_with_one_space() {
        assert_eq!(with_tag("", "{{ email }}"), "{{ email }}");
        assert_eq!(with_tag("Hi", "{{ first_name }}"), "Hi {{ first_name }}");
        assert_eq!(with_tag("Hi ", "{{ first_name }}"), "Hi {{ first_name }}");
    }

    #[test]
    fn content_is_summarised_by_kind_and_size() {
        assert_eq!(content_summary(Some(1), None), "Designed with the drag-and-drop editor (1 block)");
        assert_eq!(content_summary(Some(7), None), "Designed with the drag-and-drop editor (7 blocks)");
        assert_eq!(content_summary(None, Some(2048)), "HTML (2.0 KB)");
        assert_eq!(content_summary(None, None), "No content yet");
    }

    #[test]
    fn html_preview_fills_merge_tags_and_keeps_unreadable_html() {
        let shown = render_preview(None, Some("<p>Hi {{ first_name }}</p>"), "").and_then(Result::ok);
        assert_eq!(shown.as_deref(), Some("<p>Hi Alex</p>"));
        let broken = render_preview(None, Some("<p>{{ first_name</p>"), "").and_then(Result::ok);
        assert_eq!(broken.as_deref(), Some("<p>{{ first_name</p>"));
        assert_eq!(render_preview(None, None, ""), None);
    }

    #[test]
    fn new_campaigns_track_by_default() {
        let input = default_input();
        assert!(input.track_opens && input.track_clicks);
        assert_eq!(input.rate_per_minute, 0);
    }
}
