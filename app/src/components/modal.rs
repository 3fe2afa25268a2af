//! A dialog that holds a form: closes on Escape, backdrop click or its Close button.

use leptos::prelude::*;

/// Shows `children` in a centred panel while `open` is true.
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// Dialog id (tests and `aria-labelledby`).
    id: &'static str,
    #[prop(default = "max-w-lg")] width: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let children = StoredValue::new(children);
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex items-start justify-center overflow-y-auto bg-slate-900/50 p-4 backdrop-blur-sm sm:items-center"
                on:click=move |_| open.set(false)>
                <div role="dialog" aria-modal="true" aria-labelledby=title_id.clone() id=id
                    class=format!("my-8 w-full {width} rounded-xl bg-white p-6 shadow-2xl dark:bg-slate-900 dark:ring-1 dark:ring-slate-700")
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
                    <div class="flex items-start justify-between gap-4">
                        <h2 id=title_id.clone() class="text-lg font-semibold text-slate-900 dark:text-white">{move || title.get()}</h2>
                        <button type="button" aria-label="Close" class="rounded-md p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600 dark:hover:bg-slate-800"
                            on:click=move |_| open.set(false)>"✕"</button>
                    </div>
                    <div class="mt-4">{move || children.with_value(|c| c())}</div>
                </div>
            </div>
        </Show>
    }
}
