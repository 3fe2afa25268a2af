//! The 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path that is not a page; links back to the Overview.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found · BillionMail" />
        <div class="flex min-h-[60vh] flex-col items-center justify-center text-center">
            <p class="text-sm font-semibold text-indigo-600 dark:text-indigo-400">"404"</p>
            <h1 class="mt-2 text-2xl font-semibold">"This page does not exist"</h1>
            <p class="mt-2 text-sm text-slate-500 dark:text-slate-400">"The address may be mistyped, or the page was moved."</p>
            <a href="/" class="mt-6 rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500">"Back to Overview"</a>
        </div>
    }
}
