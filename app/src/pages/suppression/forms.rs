//! The two ways to add suppressions by hand: typing or pasting addresses, and a CSV file
//! (read by the browser, at most 20 MB) such as another provider's unsubscribe export.

use leptos::prelude::*;

use super::scope::{ScopeChoice, parse_scope_choice};
use crate::api::ApiError;
use crate::components::field::TextField;
use crate::pages::mail::widgets::{PRIMARY, form_error};

/// What the add form sends: the pasted text, the list (`None` = every list) and a note.
#[derive(Clone, Debug)]
pub struct AddRequest {
    pub text: String,
    pub list_id: Option<i64>,
    pub note: String,
}

/// The "Add addresses" form.
#[component]
pub fn AddForm(
    #[prop(into)] lists: Signal<Vec<(i64, String)>>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    on_submit: Callback<AddRequest>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let scope = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit.run(AddRequest {
            text: text.get_untracked(),
            list_id: parse_scope_choice(&scope.get_untracked()),
            note: note.get_untracked(),
        });
    };
    view! {
        <form id="suppress-form" class="space-y-4" on:submit=submit>
            <div class="space-y-1.5">
                <label for="suppress-addresses" class="block text-sm font-medium text-slate-700 dark:text-slate-200">"Addresses"</label>
                <textarea id="suppress-addresses" data-testid="suppress-addresses" rows="6" bind:value=text
                    placeholder="one@example.com\ntwo@example.org, three@example.net"
                    class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-950"></textarea>
                <p class="text-xs text-slate-500 dark:text-slate-400">"One per line, or separated by commas. Invalid addresses are listed in the result and skipped."</p>
            </div>
            <ScopeChoice id="suppress-scope" value=scope lists=lists />
            <TextField name="suppress-note" label="Note (optional)" value=note autocomplete="off"
                hint="Why, for whoever looks later: \"asked by phone\", \"competitor\"…" error=Signal::derive(|| None::<String>) />
            {move || form_error(error.get().map(|e| e.to_string()))}
            <button type="submit" id="suppress-submit" data-testid="suppress-submit" class=PRIMARY
                disabled=move || pending.get() || text.get().trim().is_empty()>
                {move || if pending.get() { "Adding…" } else { "Suppress addresses" }}
            </button>
        </form>
    }
}

/// What the import form sends: the file's text and the list (`None` = every list).
#[derive(Clone, Debug)]
pub struct ImportRequest {
    pub text: String,
    pub list_id: Option<i64>,
}

/// The "Import CSV" form: the browser reads the file (refusing more than 20 MB).
#[component]
pub fn ImportCsvForm(
    #[prop(into)] lists: Signal<Vec<(i64, String)>>,
    #[prop(into)] error: Signal<Option<ApiError>>,
    #[prop(into)] pending: Signal<bool>,
    on_submit: Callback<ImportRequest>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let file_label = RwSignal::new(None::<String>);
    let local_error = RwSignal::new(None::<String>);
    let scope = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit
            .run(ImportRequest { text: text.get_untracked(), list_id: parse_scope_choice(&scope.get_untracked()) });
    };
    view! {
        <form id="suppression-import-form" class="space-y-4" on:submit=submit>
            <p class="text-sm text-slate-500 dark:text-slate-400">
                "Any CSV with the addresses in a column named email (or in the first column), such as an unsubscribe or bounce export from another provider. At most 20 MB."
            </p>
            <input type="file" id="suppression-file" data-testid="suppression-file" accept=".csv,.tsv,.txt,text/csv"
                class="block w-full text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:font-medium file:text-indigo-700 dark:file:bg-indigo-500/10 dark:file:text-indigo-300"
                on:change=move |ev| read_csv(ev, text, file_label, local_error) />
            <p id="suppression-file-info" class="text-xs text-slate-500 dark:text-slate-400" class:hidden=move || file_label.get().is_none()>
                {move || file_label.get().unwrap_or_default()}
            </p>
            <ScopeChoice id="suppression-import-scope" value=scope lists=lists />
            {move || form_error(local_error.get().or_else(|| error.get().map(|e| e.to_string())))}
            <button type="submit" id="suppression-import-submit" data-testid="suppression-import-submit" class=PRIMARY
                disabled=move || pending.get() || text.get().is_empty()>
                {move || if pending.get() { "Importing…" } else { "Import" }}
            </button>
        </form>
    }
}

/// Reads the chosen file into `text` (browser only), or says why not.
fn read_csv(
    ev: leptos::ev::Event,
    text: RwSignal<String>,
    label: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
) {
    error.set(None);
    text.set(String::new());
    label.set(None);
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;

        use crate::api::contacts::suppression::MAX_SUPPRESSION_CSV_BYTES;
        use crate::pages::format;

        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let Some(file) = file else {
            return;
        };
        let size = file.size() as i64;
        if size > MAX_SUPPRESSION_CSV_BYTES as i64 {
            error.set(Some(format!(
                "{} is {}; files of at most {} can be imported here. Split it, or import it as contacts and suppress them from there.",
                file.name(),
                format::bytes(size),
                format::bytes(MAX_SUPPRESSION_CSV_BYTES as i64)
            )));
            return;
        }
        let name = file.name();
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(content) => {
                    let _ = text.try_set(content.as_string().unwrap_or_default());
                    let _ = label.try_set(Some(format!("{name} · {}", format::bytes(size))));
                }
                Err(_) => {
                    let _ = error.try_set(Some(format!("{name} could not be read.")));
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
    }
}
