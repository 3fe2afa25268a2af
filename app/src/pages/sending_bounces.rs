//! The "Bounces and complaints" card of the Sending page: what a hard bounce, repeated soft
//! bounces and a complaint do to a recipient, whether replies to the bounce address are
//! forwarded, and how long raw open/click events are kept. It exists so the admin can tune
//! how quickly dead or unwilling addresses stop being mailed without editing the database.
//!
//! The form keeps what the admin typed after a save (the server answers the same values), so
//! it is drawn once; a refused save leaves the inputs as they were, with the error under the
//! input at fault.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use model::bounce_policy::{BouncePolicySettings, MAX_RETENTION_MONTHS, MAX_SOFT_BOUNCE_DAYS, MAX_SOFT_BOUNCE_LIMIT};

use crate::api::ApiError;
use crate::api::sending::{SaveBouncePolicy, load_bounce_policy};
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{CARD, load_error};
use crate::pages::mail::widgets::{PRIMARY, form_error};
use crate::pages::sending::{CHECKBOX, FIELD_ERROR, FIELD_HINT, HEADING, HINT};

/// The words around the inline number inputs.
const SENTENCE: &str = "flex flex-wrap items-center gap-2 text-sm font-medium text-slate-700 dark:text-slate-200";
/// The field names the server's errors use, which this card shows under their input.
const LIMIT_FIELD: &str = "soft_bounce_limit";
const DAYS_FIELD: &str = "soft_bounce_days";
const RETENTION_FIELD: &str = "event_retention_months";
const FIELDS: [&str; 3] = [LIMIT_FIELD, DAYS_FIELD, RETENTION_FIELD];

/// The bounce and complaint policy card, placed at the end of the Sending page. It owns its
/// load and save (nothing else on the page depends on the policy) and announces a successful
/// save with a toast.
#[component]
pub fn BounceHandlingCard() -> impl IntoView {
    let toasts = use_toasts();
    let save = ServerAction::<SaveBouncePolicy>::new();
    // Loaded once: after a save the inputs already hold the stored values.
    let policy = Resource::new(|| (), |_| load_bounce_policy());
    let local_error = RwSignal::new(None::<ApiError>);

    // Here rather than in the form, so one save is announced once.
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            toasts.success("Bounce handling saved.");
        }
    });

    let content = move || {
        policy.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(settings) => policy_form(&settings, save, local_error),
        })
    };
    view! {
        <section id="bounce-handling" class=CARD aria-labelledby="bounce-handling-title">
            <h2 id="bounce-handling-title" class=HEADING>"Bounces and complaints"</h2>
            <p class=format!("mt-1 max-w-3xl {HINT}")>
                "Reports come back to the bounce domain and are applied at once; sender-side refusals such as blocklists never suppress a recipient."
            </p>
            <Transition fallback=form_skeleton>{content}</Transition>
        </section>
    }
}

/// Grey lines where the form will be.
fn form_skeleton() -> AnyView {
    view! {
        <div class="mt-4 space-y-3" role="status">
            <span class="sr-only">"Loading…"</span>
            {(0..4).map(|_| view! { <div class="h-6 w-2/3 animate-pulse rounded bg-slate-200/60 dark:bg-slate-800"></div> }).collect_view()}
        </div>
    }
    .into_any()
}

/// What the form holds, one signal per input (numbers as typed).
#[derive(Clone, Copy)]
struct PolicyForm {
    suppress_hard: RwSignal<bool>,
    soft_limit: RwSignal<String>,
    soft_days: RwSignal<String>,
    complaint: RwSignal<bool>,
    forward: RwSignal<bool>,
    retention: RwSignal<String>,
}

impl PolicyForm {
    /// A form showing the stored settings.
    fn new(s: &BouncePolicySettings) -> Self {
        Self {
            suppress_hard: RwSignal::new(s.suppress_hard),
            soft_limit: RwSignal::new(s.soft_bounce_limit.to_string()),
            soft_days: RwSignal::new(s.soft_bounce_days.to_string()),
            complaint: RwSignal::new(s.complaint_unsubscribes),
            forward: RwSignal::new(s.forward_replies),
            retention: RwSignal::new(s.event_retention_months.to_string()),
        }
    }

    /// The settings to save, or the input that cannot be read or is out of range (checked
    /// with the model's rules, so the server would say the same).
    fn settings(&self) -> Result<BouncePolicySettings, ApiError> {
        let settings = BouncePolicySettings {
            suppress_hard: self.suppress_hard.get_untracked(),
            soft_bounce_limit: read_number(LIMIT_FIELD, &self.soft_limit.get_untracked(), "soft bounces")?,
            soft_bounce_days: read_number(DAYS_FIELD, &self.soft_days.get_untracked(), "days")?,
            complaint_unsubscribes: self.complaint.get_untracked(),
            forward_replies: self.forward.get_untracked(),
            event_retention_months: read_number(RETENTION_FIELD, &self.retention.get_untracked(), "months")?,
        };
        settings.validate().map_err(|p| ApiError::invalid(p.field, sentence(&p.message)))?;
        Ok(settings)
    }
}

/// A number input's value as a whole number, or the field error saying what to type.
fn read_number(field: &str, text: &str, what: &str) -> Result<i32, ApiError> {
    text.trim().parse::<i32>().map_err(|_| ApiError::invalid(field, format!("Enter a whole number of {what}.")))
}

/// "keep raw events for 1 to 120 months" → "Keep raw events for 1 to 120 months.".
fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| format!("{}{}.", c.to_uppercase(), chars.as_str())).unwrap_or_default()
}

/// A number input, red-bordered while it has an error (the Sending page's input look,
/// narrow enough to sit inside a sentence).
fn number_class(has_error: bool) -> String {
    let tone = if has_error {
        "border-rose-500 focus:border-rose-500 focus:ring-rose-500/30"
    } else {
        "border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-slate-700"
    };
    format!(
        "block w-20 rounded-lg border bg-white px-3 py-1.5 text-right text-sm tabular-nums text-slate-900 shadow-sm outline-none focus:ring-4 dark:bg-slate-900 dark:text-slate-100 {tone}"
    )
}

/// A number input inside a sentence; `id` is also its `data-testid`, `name` the server's
/// field name, `label` what a screen reader announces for it.
fn number_input(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    max: i32,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let max = max.to_string();
    view! {
        <input id=id name=name type="number" min="1" max=max step="1" inputmode="numeric" data-testid=id
            aria-label=label
            aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
            aria-describedby=error_id
            class=move || number_class(error.get().is_some())
            bind:value=value />
    }
}

/// The error line under an input (hidden while there is none).
fn error_line(id: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p id=format!("{id}-error") class=FIELD_ERROR class:hidden=move || error.get().is_none()>
            {move || error.get().unwrap_or_default()}
        </p>
    }
}

/// A labelled checkbox; `id` is also its `data-testid`.
fn checkbox(id: &'static str, name: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="flex items-start gap-3 text-sm">
            <input type="checkbox" id=id name=name data-testid=id class=CHECKBOX bind:checked=value />
            <span class="font-medium text-slate-700 dark:text-slate-200">{label}</span>
        </label>
    }
}

/// The policy form: the three switches, the soft-bounce rule and the retention, and Save.
fn policy_form(
    stored: &BouncePolicySettings,
    save: ServerAction<SaveBouncePolicy>,
    local_error: RwSignal<Option<ApiError>>,
) -> AnyView {
    let form = PolicyForm::new(stored);
    let fault = Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let field = move |name: &'static str| Signal::derive(move || fault.get().and_then(|e| e.for_field(name)));
    let limit_error = field(LIMIT_FIELD);
    let days_error = field(DAYS_FIELD);
    let retention_error = field(RETENTION_FIELD);
    let general =
        move || fault.get().filter(|e| FIELDS.iter().all(|f| e.for_field(f).is_none())).map(|e| e.to_string());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        match form.settings() {
            Err(e) => local_error.set(Some(e)),
            Ok(settings) => {
                save.dispatch(SaveBouncePolicy { settings });
            }
        }
    };
    let saving = move || save.pending().get();
    view! {
        <form id="bounce-policy-form" class="mt-4 space-y-5" novalidate=true on:submit=submit>
            {checkbox("policy-suppress-hard", "suppress_hard", "Suppress an address after one hard bounce", form.suppress_hard)}
            <div class="space-y-1.5">
                <div class=SENTENCE>
                    <span>"Suppress after"</span>
                    {number_input("policy-soft-limit", LIMIT_FIELD, "Soft bounces before an address is suppressed",
                        MAX_SOFT_BOUNCE_LIMIT, form.soft_limit, limit_error)}
                    <span>"soft bounces within"</span>
                    {number_input("policy-soft-days", DAYS_FIELD, "Days the soft bounces are counted in",
                        MAX_SOFT_BOUNCE_DAYS, form.soft_days, days_error)}
                    <span>"days"</span>
                </div>
                <p class=FIELD_HINT>
                    "A soft bounce is a temporary failure, such as a full mailbox; one alone says little, several in a row mean the address no longer takes mail."
                </p>
                {error_line("policy-soft-limit", limit_error)}
                {error_line("policy-soft-days", days_error)}
            </div>
            {checkbox("policy-complaint", "complaint_unsubscribes", "A complaint unsubscribes the person from every list", form.complaint)}
            {checkbox("policy-forward", "forward_replies", "Forward replies sent to the bounce address to the campaign's reply-to", form.forward)}
            <div class="space-y-1.5">
                <div class=SENTENCE>
                    <span>"Keep raw open/click events for"</span>
                    {number_input("policy-retention", RETENTION_FIELD, "Months raw open and click events are kept",
                        MAX_RETENTION_MONTHS, form.retention, retention_error)}
                    <span>"months"</span>
                    <span class="font-normal text-slate-500 dark:text-slate-400">"(charts keep their history)"</span>
                </div>
                {error_line("policy-retention", retention_error)}
            </div>
            {move || form_error(general())}
            <button type="submit" data-testid="policy-save" class=PRIMARY disabled=saving>
                {move || if saving() { "Saving…" } else { "Save" }}
            </button>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_typed_and_a_bad_one_names_its_field() {
        assert_eq!(read_number(LIMIT_FIELD, " 5 ", "soft bounces"), Ok(5));
        let e = read_number(DAYS_FIELD, "3.5", "days").unwrap_err();
        assert_eq!(e.for_field(DAYS_FIELD).as_deref(), Some("Enter a whole number of days."));
        assert!(read_number(RETENTION_FIELD, "", "months").is_err());
    }

    #[test]
    fn model_messages_become_sentences() {
        assert_eq!(sentence("keep raw events for 1 to 120 months"), "Keep raw events for 1 to 120 months.");
        assert_eq!(sentence(""), "");
    }
}
