//! A modal confirmation for destructive actions, optionally requiring the user to type a
//! word (for deletions that take a lot with them).

use leptos::prelude::*;

/// Asks "are you sure?"; `on_confirm` runs only on an explicit confirmation.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(default = "Delete")] confirm_label: &'static str,
    /// When set, the confirm button stays disabled until this text is typed.
    #[prop(optional, into)]
    require_text: Option<Signal<String>>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let can_confirm = move || require_text.map(|t| typed.get() == t.get()).unwrap_or(true);
    let close = move || {
        open.set(false);
        typed.set(String::new());
    };
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/50 p-4 backdrop-blur-sm"
                on:click=move |_| close()>
                <div
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="confirm-title"
                    class="w-full max-w-md rounded-xl bg-white p-6 shadow-2xl dark:bg-slate-900 dark:ring-1 dark:ring-slate-700"
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }
                >
                    <h2 id="confirm-title" class="text-lg font-semibold text-slate-900 dark:text-white">{move || title.get()}</h2>
                    <p class="mt-2 text-sm text-slate-600 dark:text-slate-300">{move || message.get()}</p>
                    {require_text.map(|t| view! {
                        <label class="mt-4 block text-sm text-slate-700 dark:text-slate-200">
                            "Type " <code class="rounded bg-slate-100 px-1 font-mono dark:bg-slate-800">{move || t.get()}</code> " to confirm"
                            <input class="mt-1.5 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-950"
                                bind:value=typed />
                        </label>
                    })}
                    <div class="mt-6 flex justify-end gap-3">
                        <button type="button"
                            class="rounded-lg border border-slate-300 px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
                            on:click=move |_| close()>"Cancel"</button>
                        <button type="button" id="confirm-button"
                            class="rounded-lg bg-rose-600 px-4 py-2 text-sm font-semibold text-white hover:bg-rose-500 disabled:opacity-50"
                            disabled=move || !can_confirm()
                            on:click=move |_| { close(); on_confirm.run(()); }>
                            {confirm_label}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
