//! The frame every signed-in page lives in: sidebar, header with user menu and theme
//! toggle, and the page outlet.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

use super::icons;
use super::theme::ThemeToggle;
use super::toast::use_toasts;
use crate::api::auth::{SignOut, current_user};
use crate::nav::Section;

/// Sidebar + header + page.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let location = use_location();
    // Close the mobile menu after navigating.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <div class="min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
            <div class="fixed inset-0 z-30 bg-slate-900/40 lg:hidden" class:hidden=move || !menu_open.get()
                on:click=move |_| menu_open.set(false)></div>
            <aside
                class=move || {
                    let shift = if menu_open.get() { "translate-x-0" } else { "-translate-x-full" };
                    format!("fixed inset-y-0 left-0 z-40 flex w-64 flex-col border-r border-slate-200 bg-white transition-transform dark:border-slate-800 dark:bg-slate-900 lg:translate-x-0 {shift}")
                }
                aria-label="Main navigation"
            >
                <a href="/" class="flex h-16 items-center gap-2 border-b border-slate-200 px-6 dark:border-slate-800">
                    <span class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-sm font-bold text-white">"B"</span>
                    <span class="text-lg font-semibold tracking-tight">"BillionMail"</span>
                </a>
                <nav class="flex-1 space-y-1 p-3">
                    {Section::ALL.into_iter().map(|s| view! {
                        <a
                            href=s.path()
                            class=move || {
                                let base = "flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium";
                                if s.owns(&location.pathname.get()) {
                                    format!("{base} bg-indigo-50 text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300")
                                } else {
                                    format!("{base} text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white")
                                }
                            }
                            aria-current=move || s.owns(&location.pathname.get()).then_some("page")
                        >
                            {s.icon()}
                            {s.label()}
                        </a>
                    }).collect_view()}
                </nav>
                <p class="border-t border-slate-200 px-6 py-4 text-xs text-slate-400 dark:border-slate-800">
                    {concat!("BillionMail ", env!("CARGO_PKG_VERSION"))}
                </p>
            </aside>
            <div class="lg:pl-64">
                <header class="sticky top-0 z-20 flex h-16 items-center gap-3 border-b border-slate-200 bg-white/80 px-4 backdrop-blur dark:border-slate-800 dark:bg-slate-900/80 sm:px-6">
                    <button type="button" class="rounded-lg p-2 text-slate-500 hover:bg-slate-100 dark:hover:bg-slate-800 lg:hidden"
                        aria-label="Open menu" on:click=move |_| menu_open.update(|o| *o = !*o)>
                        {icons::menu()}
                    </button>
                    <div class="flex-1"></div>
                    <ThemeToggle />
                    <UserMenu />
                </header>
                <main class="mx-auto max-w-7xl px-4 py-8 sm:px-6 lg:px-8">
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

/// The signed-in admin's name with a sign-out action.
#[component]
fn UserMenu() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let open = RwSignal::new(false);
    let sign_out = ServerAction::<SignOut>::new();
    let toasts = use_toasts();
    Effect::new(move |_| match sign_out.value().get() {
        Some(Ok(())) => {
            #[cfg(feature = "hydrate")]
            {
                let _ = window().location().set_href("/sign-in");
            }
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let name = move || user.get().and_then(Result::ok).flatten().map(|u| u.username).unwrap_or_default();
    view! {
        <div class="relative">
            <button type="button" id="user-menu"
                class="flex items-center gap-2 rounded-lg px-2 py-1.5 text-sm font-medium hover:bg-slate-100 dark:hover:bg-slate-800"
                aria-haspopup="menu" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                <span class="grid h-8 w-8 place-items-center rounded-full bg-indigo-100 text-sm font-semibold uppercase text-indigo-700 dark:bg-indigo-500/20 dark:text-indigo-200">
                    <Transition fallback=|| "·">{move || name().chars().next().map(String::from)}</Transition>
                </span>
                <span class="hidden sm:inline"><Transition fallback=|| "">{name}</Transition></span>
            </button>
            <div role="menu" class="absolute right-0 mt-2 w-48 rounded-lg border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-900"
                class:hidden=move || !open.get()>
                <a href="/account" role="menuitem" id="account-link"
                    class="flex w-full items-center gap-2 px-4 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
                    on:click=move |_| open.set(false)>
                    {icons::key()} "Change password"
                </a>
                <button type="button" role="menuitem" id="sign-out"
                    class="flex w-full items-center gap-2 px-4 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
                    on:click=move |_| { open.set(false); sign_out.dispatch(SignOut {}); }>
                    {icons::sign_out()} "Sign out"
                </button>
            </div>
        </div>
    }
}
