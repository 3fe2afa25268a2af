//! The template's version history: a slide-over listing every saved version, a preview of
//! the one clicked and a button to restore it.
//!
//! Restoring never rewrites history: the server saves the old content as a new version, so
//! a restore can itself be undone by restoring the version before it.

use leptos::prelude::*;
use model::email::{compile, sample_value};
use model::templates::{SaveOutcome, TemplateVersion, VersionSummary};

use crate::api::templates::{get_template_version, restore_template_version, template_versions};
use crate::components::clock::BrowserClock;
use crate::components::toast::use_toasts;
use crate::pages::format;
use crate::pages::mail::widgets::PRIMARY;

/// The history of template `template_id` while `open`; `on_restored` gets the restored
/// version and the new version the server made of it (the editor loads its content and
/// continues from that version number). The drawer closes after a restore.
#[component]
pub fn HistoryDrawer(
    open: RwSignal<bool>,
    template_id: i64,
    on_restored: Callback<(TemplateVersion, SaveOutcome)>,
) -> impl IntoView {
    let toasts = use_toasts();
    let clock = BrowserClock::new();
    let reload = RwSignal::new(0u32);
    // Loaded again each time the drawer opens: autosaves add versions all the time.
    let versions = LocalResource::new(move || {
        let wanted = open.get();
        reload.track();
        async move { if wanted { Some(template_versions(template_id).await) } else { None } }
    });
    let selected = RwSignal::new(None::<i32>);
    let shown = RwSignal::new(None::<TemplateVersion>);
    let restoring = RwSignal::new(false);
    Effect::new(move |_| {
        if open.get() {
            clock.tick();
        } else {
            selected.set(None);
            shown.set(None);
        }
    });
    let newest = Memo::new(move |_| {
        versions.get().flatten().and_then(Result::ok).and_then(|list| list.iter().map(|v| v.version).max())
    });
    let preview = Memo::new(move |_| shown.with(|v| v.as_ref().map(preview_html)));

    let select = Callback::new(move |version: i32| {
        if selected.get_untracked() == Some(version) {
            return;
        }
        selected.set(Some(version));
        shown.set(None);
        leptos::task::spawn_local(async move {
            let answer = get_template_version(template_id, version).await;
            // Another version may have been clicked meanwhile, or the drawer closed.
            if selected.try_get_untracked() != Some(Some(version)) {
                return;
            }
            match answer {
                Ok(loaded) => {
                    let _ = shown.try_set(Some(loaded));
                }
                Err(e) => {
                    // Back to "choose a version" rather than a preview that never loads.
                    let _ = selected.try_set(None);
                    toasts.report(&e);
                }
            }
        });
    });

    let restore = move |_: leptos::ev::MouseEvent| {
        let Some(version) = shown.get_untracked() else {
            return;
        };
        if restoring.get_untracked() {
            return;
        }
        restoring.set(true);
        leptos::task::spawn_local(async move {
            let answer = restore_template_version(template_id, version.version).await;
            if restoring.try_set(false).is_some() {
                return;
            }
            match answer {
                Ok(outcome) => {
                    toasts.success(format!("Restored version {} as version {}", version.version, outcome.version));
                    let _ = reload.try_update(|n| *n += 1);
                    on_restored.run((version, outcome));
                    let _ = open.try_set(false);
                }
                Err(e) => toasts.report(&e),
            }
        });
    };
    let is_current = move || selected.get().is_some() && selected.get() == newest.get();

    let list = move || {
        match versions.get().flatten() {
        None => view! {
            <div class="space-y-2 p-4" aria-busy="true">
                {(0..4).map(|_| view! { <div class="h-12 animate-pulse rounded-md bg-slate-200/70 dark:bg-slate-800"></div> }).collect_view()}
            </div>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <p class="m-4 rounded-lg bg-rose-50 p-3 text-sm text-rose-700 dark:bg-rose-950 dark:text-rose-200" role="alert">{e.to_string()}</p>
        }
        .into_any(),
        Some(Ok(entries)) if entries.is_empty() => view! {
            <p class="empty-state p-4 text-sm text-slate-500 dark:text-slate-400">"No saved versions yet."</p>
        }
        .into_any(),
        Some(Ok(mut entries)) => {
            entries.sort_by_key(|v| std::cmp::Reverse(v.version));
            let newest = entries.first().map(|v| v.version);
            let rows = entries
                .into_iter()
                .map(|v| {
                    let current = Some(v.version) == newest;
                    version_row(v, current, selected, select, clock)
                })
                .collect_view();
            view! { <ul class="divide-y divide-slate-100 dark:divide-slate-800">{rows}</ul> }.into_any()
        }
    }
    };

    let frame = move || {
        match preview.get() {
        None => view! {
            <div class="flex h-full items-center justify-center text-sm text-slate-500 dark:text-slate-400">"Loading version…"</div>
        }
        .into_any(),
        Some(Err(message)) => view! {
            <p class="rounded-lg bg-amber-50 p-4 text-sm text-amber-800 dark:bg-amber-500/10 dark:text-amber-200" role="alert">{message}</p>
        }
        .into_any(),
        Some(Ok(html)) => {
            let title = format!("Preview of version {}", selected.get_untracked().unwrap_or_default());
            view! {
                <iframe title=title sandbox="" srcdoc=html data-testid="version-preview"
                    class="absolute inset-0 h-full w-full rounded-lg border border-slate-200 bg-white dark:border-slate-700"></iframe>
            }
            .into_any()
        }
    }
    };

    let close = move || open.set(false);
    view! {
        <Show when=move || open.get()>
            <div class="fixed inset-0 z-40 flex justify-end bg-slate-900/40 backdrop-blur-sm" on:click=move |_| close()>
                <div
                    data-testid="history-drawer"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="history-title"
                    tabindex="-1"
                    class="flex h-full w-full max-w-4xl flex-col bg-white shadow-2xl outline-none dark:bg-slate-900 dark:ring-1 dark:ring-slate-700"
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }
                >
                    <header class="flex items-center justify-between gap-4 border-b border-slate-200 px-5 py-4 dark:border-slate-800">
                        <div>
                            <h2 id="history-title" class="text-lg font-semibold text-slate-900 dark:text-white">"Version history"</h2>
                            <p class="text-xs text-slate-500 dark:text-slate-400">
                                "Every save is kept. Restoring saves the old content as a new version; nothing is lost."
                            </p>
                        </div>
                        <button type="button" aria-label="Close" autofocus=true
                            class="rounded-md p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600 dark:hover:bg-slate-800"
                            on:click=move |_| close()>"✕"</button>
                    </header>
                    <div class="flex min-h-0 flex-1 flex-col md:flex-row">
                        <nav aria-label="Versions"
                            class="max-h-56 shrink-0 overflow-y-auto border-b border-slate-200 md:max-h-none md:w-72 md:border-b-0 md:border-r dark:border-slate-800">
                            {list}
                        </nav>
                        <section class="flex min-h-0 flex-1 flex-col" aria-label="Preview">
                            <Show when=move || selected.get().is_some()
                                fallback=|| view! {
                                    <div class="flex flex-1 items-center justify-center p-8 text-center text-sm text-slate-500 dark:text-slate-400">
                                        "Choose a version on the left to preview it."
                                    </div>
                                }>
                                <div class="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-5 py-3 dark:border-slate-800">
                                    <div>
                                        <h3 class="text-sm font-semibold text-slate-900 dark:text-white">
                                            {move || selected.get().map(|n| format!("Version {n}")).unwrap_or_default()}
                                        </h3>
                                        <p class="text-xs text-slate-500 dark:text-slate-400">
                                            "Shown with sample values (first name: Alex); links are placeholders."
                                        </p>
                                    </div>
                                    <button type="button" data-testid="restore-version" class=PRIMARY
                                        disabled=move || shown.with(Option::is_none) || restoring.get() || is_current()
                                        title=move || is_current().then_some("This is the current version")
                                        on:click=restore>
                                        {move || if restoring.get() { "Restoring…" } else { "Restore this version" }}
                                    </button>
                                </div>
                                <div class="relative min-h-[24rem] flex-1 bg-slate-100 p-4 dark:bg-slate-950">
                                    <div class="absolute inset-4">{frame}</div>
                                </div>
                            </Show>
                        </section>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// One version of the list: number, badges, when and by whom; a click previews it.
fn version_row(
    v: VersionSummary,
    current: bool,
    selected: RwSignal<Option<i32>>,
    select: Callback<i32>,
    clock: BrowserClock,
) -> impl IntoView {
    let number = v.version;
    let at = v.saved_at;
    let exact = format!("{} UTC", format::timestamp(&at));
    let when = move || clock.ago(&at).unwrap_or_else(|| format!("{} UTC", format::timestamp(&at)));
    let by = if v.saved_by.trim().is_empty() { "unknown".to_owned() } else { v.saved_by.clone() };
    let is_selected = move || selected.get() == Some(number);
    view! {
        <li>
            <button type="button" data-testid="history-version" data-version=number.to_string()
                aria-current=move || is_selected().then_some("true")
                class=move || {
                    let tone = if is_selected() {
                        "bg-indigo-50 dark:bg-indigo-500/10"
                    } else {
                        "hover:bg-slate-50 dark:hover:bg-slate-800/60"
                    };
                    format!("block w-full px-4 py-3 text-left focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500 {tone}")
                }
                on:click=move |_| select.run(number)>
                <div class="flex flex-wrap items-center gap-1.5">
                    <span class="text-sm font-medium text-slate-900 dark:text-white">{format!("Version {number}")}</span>
                    {current.then(|| view! {
                        <span class="rounded-full bg-emerald-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-300">"Current"</span>
                    })}
                    {v.autosave.then(|| view! {
                        <span data-testid="autosave-badge" class="rounded-full bg-slate-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-800 dark:text-slate-400">"autosave"</span>
                    })}
                </div>
                <div class="mt-0.5 truncate text-xs text-slate-500 dark:text-slate-400">
                    <time datetime=at.to_rfc3339() title=exact>{when}</time>
                    " · "
                    {by}
                </div>
            </button>
        </li>
    }
}

/// The HTML shown for a version: a document rendered for the sample recipient (the same as
/// the editor's preview), or an HTML template as it is. The iframe is sandboxed, so nothing in it runs.
fn preview_html(version: &TemplateVersion) -> Result<String, String> {
    if let Some(doc) = &version.document {
        let compiled = compile(doc).map_err(|e| format!("This version cannot be previewed: {e}"))?;
        let origin = site_origin();
        let lookup = |name: &str| sample_value(name, &origin);
        return Ok(compiled.render_for(&lookup).html);
    }
    version.html.clone().ok_or_else(|| "This version has no content to show.".to_owned())
}

/// This site's address as the browser sees it (`https://mail.example.com`); empty on the
/// server, where the drawer is never open.
fn site_origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        window().location().origin().unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}
