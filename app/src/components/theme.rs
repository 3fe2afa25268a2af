//! Dark mode: follows the system until the user picks, then remembers the choice.

use leptos::prelude::*;

/// Runs in `<head>` before the first paint so a dark-mode user never sees a white flash.
pub const THEME_BOOT_SCRIPT: &str = "(function(){try{var t=localStorage.getItem('bm-theme');\
if(t==='dark'||(!t&&window.matchMedia('(prefers-color-scheme: dark)').matches)){\
document.documentElement.classList.add('dark');}}catch(e){}})();";

/// Header button that flips light/dark and stores the choice in `localStorage`.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(false);
    // Only the browser knows the real state; read it once hydrated.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let is_dark = document().document_element().map(|e| e.class_list().contains("dark")).unwrap_or(false);
            dark.set(is_dark);
        }
    });
    let toggle = move |_| {
        let next = !dark.get_untracked();
        dark.set(next);
        #[cfg(feature = "hydrate")]
        {
            if let Some(root) = document().document_element() {
                let _ = if next { root.class_list().add_1("dark") } else { root.class_list().remove_1("dark") };
            }
            if let Ok(Some(storage)) = window().local_storage() {
                let _ = storage.set_item("bm-theme", if next { "dark" } else { "light" });
            }
        }
    };
    view! {
        <button
            type="button"
            id="theme-toggle"
            class="rounded-lg p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white"
            aria-label=move || if dark.get() { "Switch to light mode" } else { "Switch to dark mode" }
            title=move || if dark.get() { "Light mode" } else { "Dark mode" }
            on:click=toggle
        >
            {move || if dark.get() { super::icons::sun() } else { super::icons::moon() }}
        </button>
    }
}
