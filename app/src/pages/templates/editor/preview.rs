//! The live preview: the document rendered exactly as it will be sent (MJML → HTML in the
//! browser, the same code the server runs), merged with a sample recipient, in a sandboxed
//! iframe at desktop or phone width, with the pre-send linter's findings underneath.
//!
//! Rendering follows every revision, but a burst of changes renders once: a render is
//! scheduled on a zero-delay timer and later changes ride along while one is pending. The
//! iframe's `data-revision` says which revision it shows.

use std::time::Duration;

use leptos::prelude::*;
use model::email::{Compiled, LintIssue, Severity, compile, lint, sample_value};

/// The preview's device, re-exported so `preview::Device` names it where the preview is used.
pub use super::modes::Device;
use super::state::use_editor;

/// Delay before a scheduled render: zero, so the preview follows a keystroke as soon as the
/// browser is idle, while changes made in the same task still render once.
const RENDER_DELAY: Duration = Duration::ZERO;
/// Quiet time before the linter runs: it scans the whole HTML, which typing need not wait for.
const LINT_DELAY: Duration = Duration::from_millis(400);

/// The rendered email of the surrounding editor at `device` width, with its lint summary.
#[component]
pub fn LivePreview(#[prop(into)] device: Signal<Device>) -> impl IntoView {
    let ctx = use_editor();
    let html = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let shown = RwSignal::new(None::<u64>);
    let issues = RwSignal::new(None::<Vec<LintIssue>>);
    let pending = StoredValue::new(false);
    let last = StoredValue::new(None::<Compiled>);
    let lint_timer = StoredValue::new(None::<TimeoutHandle>);

    let run_lint = move || {
        let _ = lint_timer.try_set_value(None);
        let found = last.try_with_value(|compiled| {
            compiled.as_ref().and_then(|c| ctx.doc.try_with_untracked(|doc| lint(&c.html_source(), doc)))
        });
        if let Some(Some(found)) = found {
            let _ = issues.try_set(Some(found));
        }
    };
    let render = move || {
        if pending.try_set_value(false).is_some() {
            return; // the preview is gone
        }
        let Some(revision) = ctx.revision.try_get_untracked() else {
            return;
        };
        let Some(result) = ctx.doc.try_with_untracked(compile) else {
            return;
        };
        match result {
            Ok(compiled) => {
                let site_url = site_url();
                let message = compiled.render_for(&|name: &str| sample_value(name, &site_url));
                let _ = last.try_set_value(Some(compiled));
                if html.with_untracked(|current| *current != message.html) {
                    html.set(message.html);
                }
                if error.with_untracked(Option::is_some) {
                    error.set(None);
                }
                if let Some(Some(handle)) = lint_timer.try_get_value() {
                    handle.clear();
                }
                let _ = lint_timer.try_set_value(set_timeout_with_handle(run_lint, LINT_DELAY).ok());
            }
            Err(e) => {
                let _ = last.try_set_value(None);
                error.set(Some(e.to_string()));
                issues.set(None);
            }
        }
        shown.set(Some(revision));
    };
    // Effects run only in the browser, so the server never renders MJML for the preview.
    Effect::new(move |_| {
        ctx.revision.track();
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        set_timeout(render, RENDER_DELAY);
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = lint_timer.try_get_value() {
            handle.clear();
        }
    });

    let width = Memo::new(move |_| {
        let document_width = ctx.doc.with(|d| d.settings.width);
        device.get().frame_width(document_width)
    });
    // The frame stays mounted under an error (hidden), so it keeps its last good render and
    // its identity for whoever watches its `srcdoc`.
    let frame_class = move || {
        let shape = match device.get() {
            Device::Desktop => {
                "mx-auto h-full shrink-0 overflow-hidden rounded-lg bg-white shadow-md ring-1 ring-slate-900/10 dark:ring-slate-700"
            }
            Device::Mobile => {
                "mx-auto h-[min(760px,100%)] shrink-0 overflow-hidden rounded-[2.25rem] border-[10px] border-slate-800 bg-white shadow-xl dark:border-slate-700"
            }
        };
        if error.with(Option::is_some) { format!("{shape} invisible") } else { shape.to_owned() }
    };
    let revision_attr = move || shown.get().map(|r| r.to_string()).unwrap_or_default();

    view! {
        <div class="flex h-full min-h-0 flex-col bg-slate-100 dark:bg-slate-950" data-testid="preview">
            <div class="relative flex min-h-0 flex-1 overflow-auto p-4">
                <div class=frame_class data-device=move || device.get().key()>
                    // Created with its first render already in `srcdoc`: Chromium can drop a
                    // `srcdoc` change made while the frame is still loading its first (empty)
                    // document, which left the preview blank.
                    <Show when=move || html.with(|h| !h.is_empty())>
                        <iframe
                            sandbox=""
                            title="Email preview"
                            data-testid="preview-frame"
                            data-revision=revision_attr
                            class="block h-full border-0 bg-white"
                            style=move || format!("width:{}px;", width.get())
                            srcdoc=move || html.get()
                        ></iframe>
                    </Show>
                </div>
                {move || error.get().map(|message| view! {
                    <div role="alert" data-testid="preview-error" data-revision=revision_attr
                        class="absolute inset-x-4 top-4 rounded-lg border border-rose-300 bg-rose-50 p-4 text-sm text-rose-800 shadow-lg dark:border-rose-500/40 dark:bg-rose-950 dark:text-rose-100">
                        <p class="font-semibold">"The email cannot be rendered"</p>
                        <p class="mt-1 break-words">{message}</p>
                    </div>
                })}
                {move || shown.with(Option::is_none).then(|| view! {
                    <p class="absolute inset-x-0 top-1/3 text-center text-sm text-slate-400">"Rendering preview…"</p>
                })}
            </div>
            <LintSummary issues=issues />
        </div>
    }
}

/// "No problems found", or the count of errors and warnings with the messages in a
/// collapsible list.
#[component]
fn LintSummary(issues: RwSignal<Option<Vec<LintIssue>>>) -> impl IntoView {
    let counts = move || {
        issues.with(|found| {
            found.as_ref().map(|list| {
                let errors = list.iter().filter(|i| i.is_error()).count();
                (errors, list.len() - errors)
            })
        })
    };
    let summary = move || match counts() {
        None => "Checking…".to_owned(),
        Some((0, 0)) => "No problems found".to_owned(),
        Some((errors, warnings)) => format!("{} · {}", plural(errors, "error"), plural(warnings, "warning")),
    };
    let tone = move || match counts() {
        Some((errors, _)) if errors > 0 => "text-rose-700 dark:text-rose-300",
        Some((_, warnings)) if warnings > 0 => "text-amber-700 dark:text-amber-300",
        Some(_) => "text-emerald-700 dark:text-emerald-300",
        None => "text-slate-500 dark:text-slate-400",
    };
    let items = move || {
        issues.with(|found| {
            found
                .iter()
                .flatten()
                .map(|issue| {
                    let (badge, label) = match issue.severity {
                        Severity::Error => ("bg-rose-100 text-rose-700 dark:bg-rose-500/10 dark:text-rose-300", "Error"),
                        Severity::Warning => {
                            ("bg-amber-100 text-amber-800 dark:bg-amber-500/10 dark:text-amber-300", "Warning")
                        }
                    };
                    let message = issue.message.clone();
                    view! {
                        <li class="flex items-start gap-2" data-testid="lint-issue">
                            <span class=format!("shrink-0 rounded-full px-2 py-0.5 text-[11px] font-medium {badge}")>{label}</span>
                            <span class="min-w-0 break-words">{message}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let has_items = move || counts().is_some_and(|(e, w)| e + w > 0);
    view! {
        <details class="shrink-0 border-t border-slate-200 bg-white px-4 py-2 text-sm dark:border-slate-800 dark:bg-slate-900"
            data-testid="lint-summary">
            <summary class=move || format!("cursor-pointer select-none font-medium {}", tone())>{summary}</summary>
            <Show when=has_items fallback=|| view! {
                <p class="mt-2 text-xs text-slate-500 dark:text-slate-400">
                    "The checks run before sending: size (Gmail clips messages over 102 KB), missing alt text, scripts and relative links."
                </p>
            }>
                <ul class="mt-2 max-h-40 space-y-1.5 overflow-y-auto text-xs text-slate-700 dark:text-slate-200">{items}</ul>
            </Show>
        </details>
    }
}

/// "1 error", "3 warnings".
fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// The admin site's own address, which is what `{{ site_url }}` becomes in the preview (the
/// images that ship with the product are served from it).
fn site_url() -> String {
    #[cfg(feature = "hydrate")]
    {
        window().location().origin().unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}
