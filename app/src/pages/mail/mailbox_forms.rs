//! Mailbox dialogs: add/edit, batch create, CSV import — and the "passwords shown once" list.

use leptos::prelude::*;
use model::mail::{BatchCreate, CreatedMailbox, ImportReport, Mailbox, MailboxInput, format_bytes, parse_size};

use super::widgets::{CheckField, PRIMARY, SECONDARY, SelectField, form_error};
use crate::api::ApiError;
use crate::components::field::{SubmitButton, TextField};
use crate::components::password_rules::PasswordRules;

/// Form state for one mailbox.
#[derive(Clone, Copy)]
pub struct MailboxFormState {
    pub local_part: RwSignal<String>,
    pub domain: RwSignal<String>,
    pub display_name: RwSignal<String>,
    pub password: RwSignal<String>,
    pub quota: RwSignal<String>,
    pub active: RwSignal<bool>,
    /// `Some(address)` while editing.
    pub editing: RwSignal<Option<String>>,
}

impl Default for MailboxFormState {
    fn default() -> Self {
        Self::new()
    }
}

impl MailboxFormState {
    /// A blank form with the usual defaults.
    pub fn new() -> Self {
        Self {
            local_part: RwSignal::new(String::new()),
            domain: RwSignal::new(String::new()),
            display_name: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            quota: RwSignal::new(String::new()),
            active: RwSignal::new(true),
            editing: RwSignal::new(None),
        }
    }

    /// A blank form, in `domain` when one is being filtered on.
    pub fn reset(&self, domain: String) {
        self.local_part.set(String::new());
        self.domain.set(domain);
        self.display_name.set(String::new());
        self.password.set(String::new());
        self.quota.set(String::new());
        self.active.set(true);
        self.editing.set(None);
    }

    /// An existing mailbox for editing (the password field starts empty = unchanged).
    pub fn load(&self, m: &Mailbox) {
        let (local, domain) = m.address.split_once('@').unwrap_or((&m.address, ""));
        self.local_part.set(local.to_owned());
        self.domain.set(domain.to_owned());
        self.display_name.set(m.display_name.clone());
        self.password.set(String::new());
        self.quota.set(if m.quota_bytes == 0 { "0".into() } else { format_bytes(m.quota_bytes) });
        self.active.set(m.active);
        self.editing.set(Some(m.address.clone()));
    }

    /// The input to send, or why a field cannot be read.
    pub fn input(&self) -> Result<MailboxInput, ApiError> {
        let quota_raw = self.quota.get_untracked();
        let quota_bytes = if quota_raw.trim().is_empty() {
            None
        } else {
            Some(parse_size(&quota_raw).ok_or_else(|| {
                ApiError::invalid(
                    "quota",
                    "Enter a size such as 2 GB (0 = no limit), or leave empty for the domain default.",
                )
            })?)
        };
        if self.domain.get_untracked().is_empty() {
            return Err(ApiError::invalid("address", "Choose a domain."));
        }
        let password = Some(self.password.get_untracked()).filter(|p| !p.is_empty());
        Ok(MailboxInput {
            address: format!("{}@{}", self.local_part.get_untracked().trim(), self.domain.get_untracked()),
            display_name: self.display_name.get_untracked(),
            quota_bytes,
            active: self.active.get_untracked(),
            password,
        })
    }
}

/// The add/edit mailbox form.
#[component]
pub fn MailboxForm(
    state: MailboxFormState,
    #[prop(into)] domains: Signal<Vec<(String, String)>>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    on_submit: Callback<()>,
) -> impl IntoView {
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    let general =
        move || error.get().filter(|e| !["address", "password", "quota"].iter().any(|f| e.for_field(f).is_some()));
    let problems = Signal::derive(move || {
        let p = state.password.get();
        if p.is_empty() { Vec::new() } else { model::check_password(&p, &state.local_part.get()) }
    });
    view! {
        <form id="mailbox-form" class="space-y-4" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); on_submit.run(()); }>
            <Show when=move || state.editing.get().is_none() fallback=move || view! {
                <p class="text-sm text-slate-600 dark:text-slate-300">"Mailbox " <strong class="font-mono">{move || state.editing.get().unwrap_or_default()}</strong></p>
            }>
                <div class="grid gap-4 sm:grid-cols-2">
                    <TextField name="local_part" label="Address" value=state.local_part autocomplete="off" autofocus=true hint="The part before @" error=field("address") />
                    <SelectField name="domain" label="Domain" value=state.domain options=domains any_label="Choose a domain…" />
                </div>
            </Show>
            <TextField name="display_name" label="Name (optional)" value=state.display_name error=Signal::derive(|| None::<String>) />
            <TextField name="mailbox_password" label=if state.editing.get_untracked().is_some() { "New password (leave empty to keep)" } else { "Password" }
                value=state.password input_type="password" autocomplete="new-password"
                hint="Stored only as an argon2id hash: it cannot be shown again." error=field("password") />
            <Show when=move || !state.password.get().is_empty()>
                <PasswordRules problems=problems />
            </Show>
            <TextField name="quota" label="Quota" value=state.quota hint="Such as 2 GB; empty = the domain's default; 0 = no limit" error=field("quota") />
            <CheckField name="mailbox_active" label="Active" value=state.active hint="A disabled mailbox cannot log in; mail to it is refused (or goes to the catch-all)." />
            {move || form_error(general().map(|e| e.to_string()))}
            <SubmitButton label="Save mailbox" pending_label="Saving…" pending=pending />
        </form>
    }
}

/// The batch-create form.
#[component]
pub fn BatchForm(
    #[prop(into)] domains: Signal<Vec<(String, String)>>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    on_submit: Callback<BatchCreate>,
) -> impl IntoView {
    let domain = RwSignal::new(String::new());
    let prefix = RwSignal::new("user".to_owned());
    let start = RwSignal::new("1".to_owned());
    let count = RwSignal::new("10".to_owned());
    let quota = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<String>);
    view! {
        <form id="batch-form" class="space-y-4" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            local_error.set(None);
            let start_n = start.get_untracked().trim().parse::<u32>();
            let count_n = count.get_untracked().trim().parse::<u32>();
            let quota_raw = quota.get_untracked();
            let quota_bytes = if quota_raw.trim().is_empty() { Ok(None) } else { parse_size(&quota_raw).map(Some).ok_or(()) };
            match (start_n, count_n, quota_bytes) {
                (Ok(start), Ok(count), Ok(quota_bytes)) => on_submit.run(BatchCreate { domain: domain.get_untracked(), prefix: prefix.get_untracked(), start, count, quota_bytes }),
                _ => local_error.set(Some("Start and count must be whole numbers, and the quota a size such as 1 GB.".into())),
            }
        }>
            <p class="text-sm text-slate-500 dark:text-slate-400">"Creates prefix1, prefix2, … with generated passwords, shown once when done. All or nothing: if one address is taken, none is created."</p>
            <SelectField name="batch_domain" label="Domain" value=domain options=domains any_label="Choose a domain…" />
            <div class="grid gap-4 sm:grid-cols-3">
                <TextField name="prefix" label="Prefix" value=prefix error=Signal::derive(|| None::<String>) />
                <TextField name="start" label="First number" value=start error=Signal::derive(|| None::<String>) />
                <TextField name="count" label="How many" value=count hint="Up to 1000" error=Signal::derive(|| None::<String>) />
            </div>
            <TextField name="batch_quota" label="Quota (optional)" value=quota hint="Empty = the domain's default" error=Signal::derive(|| None::<String>) />
            {move || form_error(local_error.get().or_else(|| error.get().map(|e| e.to_string())))}
            <SubmitButton label="Create mailboxes" pending_label="Creating… (hashing passwords)" pending=pending />
        </form>
    }
}

/// A `data:` URL of `address,password` lines, so the admin can save the list once.
fn credentials_csv_href(created: &[CreatedMailbox]) -> String {
    let mut csv = String::from("address,password\n");
    for c in created.iter().filter(|c| !c.password.is_empty()) {
        csv.push_str(&format!("{},{}\n", c.address, c.password));
    }
    let encoded: String = csv
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("data:text/csv;charset=utf-8,{encoded}")
}

/// The generated passwords, shown this once with a download link.
#[component]
pub fn CreatedList(created: Vec<CreatedMailbox>) -> impl IntoView {
    let with_password: Vec<CreatedMailbox> = created.into_iter().filter(|c| !c.password.is_empty()).collect();
    if with_password.is_empty() {
        return ().into_any();
    }
    let href = credentials_csv_href(&with_password);
    view! {
        <div class="created-list space-y-3">
            <p class="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 dark:bg-amber-950 dark:text-amber-200">
                "These passwords are shown only now. Save them or hand them out before closing."
            </p>
            <div class="max-h-64 overflow-auto rounded-lg border border-slate-200 dark:border-slate-800">
                <table class="min-w-full text-sm">
                    <thead class="bg-slate-50 dark:bg-slate-800/50"><tr>
                        <th class="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-500">"Address"</th>
                        <th class="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-500">"Password"</th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                        {with_password.into_iter().map(|c| view! {
                            <tr><td class="px-3 py-1.5 font-mono">{c.address}</td><td class="select-all px-3 py-1.5 font-mono">{c.password}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <a class=SECONDARY href=href download="mailbox-passwords.csv">"Download as CSV"</a>
        </div>
    }
    .into_any()
}

/// Reads the chosen file into `into` (browser only).
fn read_file(ev: leptos::ev::Event, into: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            leptos::task::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    into.set(text.as_string().unwrap_or_default());
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, into);
    }
}

/// The CSV import form and its report.
#[component]
pub fn ImportForm(
    #[prop(into)] report: Signal<Option<ImportReport>>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    on_submit: Callback<String>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    view! {
        <form id="import-form" class="space-y-4" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); on_submit.run(text.get_untracked()); }>
            <p class="text-sm text-slate-500 dark:text-slate-400">
                "Columns by header name: " <code class="font-mono">"address"</code> " (required), " <code class="font-mono">"name"</code> ", "
                <code class="font-mono">"password"</code> " (generated when empty), " <code class="font-mono">"quota"</code> " (2 GB), "
                <code class="font-mono">"active"</code> " (yes/no). Known addresses are updated. Good rows are kept even when others fail."
            </p>
            <input type="file" accept=".csv,.tsv,.txt,text/csv" id="import-file"
                class="block w-full text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:font-medium file:text-indigo-700 dark:file:bg-indigo-500/10 dark:file:text-indigo-300"
                on:change=move |ev| read_file(ev, text) />
            <textarea id="import-text" name="csv" rows="6" placeholder="…or paste CSV here: address,name,quota"
                class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"
                bind:value=text></textarea>
            {move || form_error(error.get().map(|e| e.to_string()))}
            <button type="submit" class=PRIMARY disabled=move || pending.get() || text.get().trim().is_empty()>
                {move || if pending.get() { "Importing…" } else { "Import" }}
            </button>
            {move || report.get().map(|r| view! {
                <div id="import-report" class="space-y-3 border-t border-slate-200 pt-4 dark:border-slate-800">
                    <p class="text-sm font-medium">{format!("{} created, {} updated, {} failed.", r.created.len(), r.updated, r.errors.len())}</p>
                    {(!r.errors.is_empty()).then(|| view! {
                        <ul class="max-h-40 space-y-1 overflow-auto text-xs text-rose-700 dark:text-rose-300">
                            {r.errors.iter().map(|e| view! { <li>{format!("Line {}: {} — {}", e.line, e.address, e.reason)}</li> }).collect_view()}
                        </ul>
                    })}
                    <CreatedList created=r.created.clone() />
                </div>
            })}
        </form>
    }
}
