//! The centred card the set-up and sign-in pages share.

use leptos::prelude::*;

use crate::components::theme::ThemeToggle;

/// Centred card with the product mark, for pages shown before sign-in.
#[component]
pub fn AuthFrame(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="flex min-h-screen flex-col items-center justify-center bg-slate-50 px-4 py-12 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
            <div class="absolute right-4 top-4"><ThemeToggle /></div>
            <div class="mb-8 flex items-center gap-2">
                <span class="grid h-10 w-10 place-items-center rounded-xl bg-indigo-600 text-lg font-bold text-white">"B"</span>
                <span class="text-2xl font-semibold tracking-tight">"BillionMail"</span>
            </div>
            <div class="w-full max-w-md rounded-2xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <h1 class="text-xl font-semibold">{title}</h1>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">{subtitle}</p>
                <div class="mt-6">{children()}</div>
            </div>
        </div>
    }
}

/// A red box for errors that belong to the whole form, announced to screen readers.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || message.get().is_some()>
            <div role="alert" class="form-alert mb-4 rounded-lg border border-rose-300 bg-rose-50 px-4 py-3 text-sm text-rose-800 dark:border-rose-500/40 dark:bg-rose-950 dark:text-rose-200">
                {move || message.get().unwrap_or_default()}
            </div>
        </Show>
    }
}
