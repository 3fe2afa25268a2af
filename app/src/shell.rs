//! The HTML document around the app (rendered on the server only).

use leptos::prelude::*;
use leptos_meta::MetaTags;

use crate::app::App;
use crate::components::theme::THEME_BOOT_SCRIPT;

/// `<html>` with head, stylesheet, hydration scripts and the app body.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <script inner_html=THEME_BOOT_SCRIPT></script>
                <link rel="stylesheet" href=css />
                // ECharts for the analytics charts (copied from the npm package at build); deferred,
                // so it never blocks the first paint and runs before the app hydrates.
                <script src="/echarts.min.js" defer></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="bg-slate-50 antialiased dark:bg-slate-950">
                <App />
            </body>
        </html>
    }
}
