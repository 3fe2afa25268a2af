//! Small pieces the mail pages share: status badges, checkboxes, selects, buttons.

use leptos::prelude::*;

/// "Active" / "Disabled" pill.
pub fn status_badge(active: bool) -> AnyView {
    if active {
        view! { <span class="status-badge rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-300">"Active"</span> }.into_any()
    } else {
        view! { <span class="status-badge rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-600 dark:bg-slate-700 dark:text-slate-300">"Disabled"</span> }.into_any()
    }
}

/// A small neutral pill (role address, forward, selector…).
pub fn tag(text: String) -> AnyView {
    view! { <span class="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">{text}</span> }.into_any()
}

/// A labelled checkbox bound to a signal.
#[component]
pub fn CheckField(
    name: &'static str,
    label: &'static str,
    value: RwSignal<bool>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label class="flex items-start gap-3 text-sm">
            <input type="checkbox" name=name class="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 dark:border-slate-600" bind:checked=value />
            <span>
                <span class="font-medium text-slate-700 dark:text-slate-200">{label}</span>
                {hint.map(|h| view! { <span class="block text-xs text-slate-500 dark:text-slate-400">{h}</span> })}
            </span>
        </label>
    }
}

/// A labelled select over `(value, label)` options.
#[component]
pub fn SelectField(
    name: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional)] any_label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="space-y-1.5">
            <label for=name class="block text-sm font-medium text-slate-700 dark:text-slate-200">{label}</label>
            <select id=name name=name
                class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900"
                prop:value=move || value.get()
                on:change=move |ev| value.set(event_target_value(&ev))>
                {any_label.map(|l| view! { <option value="">{l}</option> })}
                {move || options.get().into_iter().map(|(v, l)| {
                    let selected = value.get_untracked() == v;
                    view! { <option value=v.clone() selected=selected>{l}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// Primary (indigo) button for page actions.
pub const PRIMARY: &str = "inline-flex items-center justify-center gap-2 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-4 focus:ring-indigo-500/30 disabled:opacity-60";
/// Secondary (outlined) button.
pub const SECONDARY: &str = "inline-flex items-center justify-center gap-2 rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800";
/// Row action link-button.
pub const ROW_ACTION: &str = "rounded-md px-2 py-1 text-xs font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-950";
/// Destructive row action.
pub const ROW_DANGER: &str =
    "rounded-md px-2 py-1 text-xs font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-rose-950";

/// A form-wide error that belongs to no single field.
pub fn form_error(message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class="form-error rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700 dark:bg-rose-950 dark:text-rose-300" role="alert">{m}</p> })
}
