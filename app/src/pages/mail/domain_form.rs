//! The add/edit domain form.

use leptos::prelude::*;
use model::mail::{DomainInput, MailDomain, format_bytes, parse_size};

use super::widgets::{CheckField, form_error};
use crate::api::ApiError;
use crate::components::field::{SubmitButton, TextField};

/// Form state, one signal per field (sizes as typed: "2 GB").
#[derive(Clone, Copy)]
pub struct DomainFormState {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub active: RwSignal<bool>,
    pub max_mailboxes: RwSignal<String>,
    pub default_quota: RwSignal<String>,
    pub total_quota: RwSignal<String>,
    pub catch_all: RwSignal<String>,
    /// `Some(name)` while editing that domain.
    pub editing: RwSignal<Option<String>>,
}

impl Default for DomainFormState {
    fn default() -> Self {
        Self::new()
    }
}

impl DomainFormState {
    /// A blank form with the usual defaults.
    pub fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            active: RwSignal::new(true),
            max_mailboxes: RwSignal::new("0".into()),
            default_quota: RwSignal::new("1 GB".into()),
            total_quota: RwSignal::new("0".into()),
            catch_all: RwSignal::new(String::new()),
            editing: RwSignal::new(None),
        }
    }

    /// Empties the form for a new domain.
    pub fn reset(&self) {
        let fresh = Self::new();
        self.name.set(fresh.name.get_untracked());
        self.description.set(String::new());
        self.active.set(true);
        self.max_mailboxes.set("0".into());
        self.default_quota.set("1 GB".into());
        self.total_quota.set("0".into());
        self.catch_all.set(String::new());
        self.editing.set(None);
    }

    /// Loads an existing domain for editing.
    pub fn load(&self, d: &MailDomain) {
        self.name.set(d.display_name.clone());
        self.description.set(d.description.clone());
        self.active.set(d.active);
        self.max_mailboxes.set(d.max_mailboxes.to_string());
        self.default_quota.set(format_bytes(d.default_quota_bytes));
        self.total_quota.set(if d.total_quota_bytes == 0 { "0".into() } else { format_bytes(d.total_quota_bytes) });
        self.catch_all.set(d.catch_all.clone().unwrap_or_default());
        self.editing.set(Some(d.name.clone()));
    }

    /// The input to send, or the field that cannot be read.
    pub fn input(&self) -> Result<DomainInput, ApiError> {
        let max_mailboxes = self
            .max_mailboxes
            .get_untracked()
            .trim()
            .parse::<i32>()
            .map_err(|_| ApiError::invalid("max_mailboxes", "Enter a whole number (0 = no limit)."))?;
        let default_quota_bytes = parse_size(&self.default_quota.get_untracked())
            .ok_or_else(|| ApiError::invalid("default_quota", "Enter a size such as 1 GB or 500 MB (0 = no limit)."))?;
        let total_quota_bytes = parse_size(&self.total_quota.get_untracked())
            .ok_or_else(|| ApiError::invalid("total_quota", "Enter a size such as 50 GB (0 = no limit)."))?;
        let catch_all = Some(self.catch_all.get_untracked()).filter(|c| !c.trim().is_empty());
        Ok(DomainInput {
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            active: self.active.get_untracked(),
            max_mailboxes,
            default_quota_bytes,
            total_quota_bytes,
            catch_all,
        })
    }
}

/// The fields and submit button; `error` is the last failure (field errors show inline).
#[component]
pub fn DomainForm(
    state: DomainFormState,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    on_submit: Callback<()>,
) -> impl IntoView {
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    let general = move || {
        error.get().filter(|e| {
            !["name", "address", "max_mailboxes", "default_quota", "total_quota", "quota"]
                .iter()
                .any(|f| e.for_field(f).is_some())
        })
    };
    view! {
        <form id="domain-form" class="space-y-4" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); on_submit.run(()); }>
            <Show when=move || state.editing.get().is_none() fallback=move || view! {
                <p class="text-sm text-slate-600 dark:text-slate-300">"Domain " <strong class="font-semibold">{move || state.name.get()}</strong> " (a domain's name cannot change)."</p>
            }>
                <TextField name="name" label="Domain name" value=state.name autocomplete="off" autofocus=true
                    hint="For example example.com. International names (bücher.de) are fine."
                    error=field("name") />
            </Show>
            <TextField name="description" label="Description (optional)" value=state.description error=Signal::derive(|| None::<String>) />
            <div class="grid gap-4 sm:grid-cols-3">
                <TextField name="max_mailboxes" label="Max mailboxes" value=state.max_mailboxes hint="0 = no limit" error=field("max_mailboxes") />
                <TextField name="default_quota" label="Default quota" value=state.default_quota hint="Per new mailbox" error=field("default_quota") />
                <TextField name="total_quota" label="Total quota" value=state.total_quota hint="All mailboxes; 0 = none" error=Signal::derive(move || field("total_quota").get().or_else(|| field("quota").get())) />
            </div>
            <TextField name="catch_all" label="Catch-all address (optional)" value=state.catch_all autocomplete="off"
                hint="Receives mail sent to addresses of this domain that do not exist. Leave empty to reject such mail."
                error=field("address") />
            <CheckField name="active" label="Active" value=state.active hint="A disabled domain receives nothing and its users cannot log in." />
            {move || form_error(general().map(|e| e.to_string()))}
            <SubmitButton label="Save domain" pending_label="Saving…" pending=pending />
        </form>
    }
}
