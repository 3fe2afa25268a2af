//! Labelled form inputs with inline validation messages.

use leptos::prelude::*;

/// A text-like input (text, password, …) bound to a signal, with a hint and an error line.
///
/// The error is shown under the field and linked with `aria-describedby` so screen readers
/// announce it; the border turns red while it is present.
#[component]
pub fn TextField(
    /// Form field name, also the id and the key server errors use.
    name: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-hint");
    let described = format!("{error_id} {hint_id}");
    view! {
        <div class="space-y-1.5">
            <label for=name class="block text-sm font-medium text-slate-700 dark:text-slate-200">{label}</label>
            <input
                id=name
                name=name
                type=input_type
                autocomplete=autocomplete
                autofocus=autofocus
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
                class=move || {
                    let tone = if error.get().is_some() {
                        "border-rose-500 focus:border-rose-500 focus:ring-rose-500/30"
                    } else {
                        "border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-slate-700"
                    };
                    format!("block w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm outline-none focus:ring-4 dark:bg-slate-900 dark:text-slate-100 {tone}")
                }
                bind:value=value
            />
            {hint.map(|h| view! { <p id=hint_id.clone() class="text-xs text-slate-500 dark:text-slate-400">{h}</p> })}
            <p id=error_id class="field-error text-xs font-medium text-rose-600 dark:text-rose-400" class:hidden=move || error.get().is_none()>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// A full-width primary submit button that shows progress while `pending`.
#[component]
pub fn SubmitButton(
    label: &'static str,
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            disabled=move || pending.get()
            class="flex w-full items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-4 focus:ring-indigo-500/30 disabled:cursor-wait disabled:opacity-70"
        >
            <span class="h-4 w-4 animate-spin rounded-full border-2 border-white/40 border-t-white" class:hidden=move || !pending.get()></span>
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}
