//! The code editor of HTML templates: the pasted HTML in a plain code area with line
//! numbers, a live preview beside it at desktop or phone width, and the email linter's
//! findings under the preview, so problems show while typing rather than at send time.
//!
//! Saving follows the drag-and-drop editor: every save names the version it is based on,
//! an autosave runs two seconds after the last change, Ctrl/Cmd+S or the Save button saves
//! at once, and a save refused because the template was saved elsewhere stops autosaving
//! until the page is reloaded, so this tab never overwrites the other one's work.
//!
//! The code area is a `<textarea>`, not a code-editor library: it works before the bundle
//! has loaded, keeps the browser's own undo and search, and costs nothing in the bundle.
//! Tab indents (Shift+Tab outdents); Escape then Tab leaves the area for keyboard users.

use std::time::Duration;

use leptos::prelude::*;
use model::email::{Document, Escape, Severity, Template as MergeTemplate, lint};
use model::templates::{SaveRequest, Template};

use crate::api::ApiError;
use crate::api::templates::{rename_template, save_template};
use crate::components::toast::use_toasts;
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY};

/// How long after the last keystroke the preview and the linter catch up: short enough to
/// feel live, long enough that a fast typist does not re-render the preview per key.
const PREVIEW_DELAY: Duration = Duration::from_millis(50);
/// How long after the last change an autosave runs.
const AUTOSAVE_DELAY: Duration = Duration::from_secs(2);
/// What one press of Tab inserts (and Shift+Tab removes).
const INDENT: &str = "  ";

/// The width the preview is shown at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// 600 px: the usual width of an email's content column.
    Desktop,
    /// 375 px: a common phone width, where media queries of the email take effect.
    Mobile,
}

impl Device {
    /// The preview frame's width in CSS pixels.
    pub fn width(self) -> u32 {
        match self {
            Self::Desktop => 600,
            Self::Mobile => 375,
        }
    }
}

/// Where saving stands, apart from whether there are unsaved changes (the revision
/// counters tell that).
#[derive(Clone, Debug, PartialEq, Eq)]
enum SaveState {
    /// Nothing running; the last save (if any) succeeded.
    Idle,
    /// A save is on its way to the server.
    Saving,
    /// The last save failed for the reason given; the next change tries again.
    Failed(String),
    /// The template was saved elsewhere: saving stops until the page is reloaded.
    Conflict,
}

/// The code editor of an HTML template (`kind == Html`): toolbar, code area with line
/// numbers, live preview and lint results. `template` is the template as loaded; its
/// version is the first save's `expected_version`.
#[component]
pub fn HtmlEditor(template: Template) -> impl IntoView {
    let toasts = use_toasts();
    let id = template.id;
    let initial = template.html.unwrap_or_default();
    let html = RwSignal::new(initial.clone());
    // What the preview and the linter show: `html`, PREVIEW_DELAY after it last changed.
    let shown = RwSignal::new(initial.clone());
    let name = RwSignal::new(template.name.clone());
    let name_input = RwSignal::new(template.name.clone());
    let initial_name = template.name;
    let version = RwSignal::new(template.version);
    let revision = RwSignal::new(0u64);
    let saved_revision = RwSignal::new(0u64);
    let status = RwSignal::new(SaveState::Idle);
    let device = RwSignal::new(Device::Desktop);
    let in_flight = StoredValue::new(false);
    // A save asked for while another was running: Some(autosave?), run when it ends.
    let pending = StoredValue::new(None::<bool>);
    let kick = RwSignal::new(None::<bool>);
    // Escape pressed: the next Tab moves focus out of the code area instead of indenting.
    let tab_leaves = StoredValue::new(false);
    let code_ref = NodeRef::<leptos::html::Textarea>::new();
    let gutter_ref = NodeRef::<leptos::html::Div>::new();

    let dirty = Memo::new(move |_| revision.get() != saved_revision.get());

    let save = move |autosave: bool| {
        let (Some(rev), Some(saved)) = (revision.try_get_untracked(), saved_revision.try_get_untracked()) else {
            return;
        };
        let Some(state) = status.try_get_untracked() else {
            return;
        };
        if state == SaveState::Conflict {
            if !autosave {
                toasts.error("This template was saved elsewhere. Reload it to see those changes before saving again.");
            }
            return;
        }
        if rev == saved && !matches!(state, SaveState::Failed(_)) {
            if !autosave {
                toasts.success("All changes are saved.");
            }
            return;
        }
        if in_flight.try_get_value().unwrap_or(true) {
            // A manual save wins over an autosave asked for at the same time.
            let _ = pending.try_update_value(|p| *p = Some(p.map_or(autosave, |earlier| earlier && autosave)));
            return;
        }
        let (Some(content), Some(expected)) = (html.try_get_untracked(), version.try_get_untracked()) else {
            return;
        };
        let request =
            SaveRequest { template_id: id, expected_version: expected, document: None, html: Some(content), autosave };
        in_flight.set_value(true);
        status.set(SaveState::Saving);
        leptos::task::spawn_local(async move {
            let result = save_template(request).await;
            let _ = in_flight.try_set_value(false);
            match result {
                Ok(outcome) => {
                    let _ = version.try_set(outcome.version);
                    let _ = saved_revision.try_set(rev);
                    let _ = status.try_set(SaveState::Idle);
                    if !autosave {
                        toasts.success("Template saved.");
                    }
                }
                Err(ApiError::Conflict(message)) => {
                    let _ = pending.try_set_value(None);
                    let _ = status.try_set(SaveState::Conflict);
                    toasts.error(message);
                    return;
                }
                Err(e) => {
                    let _ = status.try_set(SaveState::Failed(e.to_string()));
                    // Autosave failures show in the status line; only a manual save (or
                    // an ended session) interrupts with a toast.
                    if !autosave || matches!(e, ApiError::Unauthorized) {
                        toasts.report(&e);
                    }
                }
            }
            if let Some(Some(next)) = pending.try_update_value(Option::take) {
                let _ = kick.try_set(Some(next));
            }
        });
    };

    // A save asked for during another one runs as soon as that one ends.
    Effect::new(move |_| {
        if let Some(autosave) = kick.get() {
            save(autosave);
        }
    });

    // Autosave: AUTOSAVE_DELAY after the last change; re-armed when a save ends with
    // changes made meanwhile (saved_revision moves, revision is still ahead).
    let autosave_generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let rev = revision.get();
        let saved = saved_revision.get();
        let this = autosave_generation.get_value() + 1;
        autosave_generation.set_value(this);
        if rev == saved {
            return;
        }
        set_timeout(
            move || {
                if autosave_generation.try_get_value() == Some(this) {
                    save(true);
                }
            },
            AUTOSAVE_DELAY,
        );
    });

    // The preview catches up PREVIEW_DELAY after the last keystroke.
    let preview_generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        html.track();
        let this = preview_generation.get_value() + 1;
        preview_generation.set_value(this);
        set_timeout(
            move || {
                if preview_generation.try_get_value() != Some(this) {
                    return;
                }
                if let Some(current) = html.try_get_untracked()
                    && shown.try_with_untracked(|s| *s != current).unwrap_or(false)
                {
                    let _ = shown.try_set(current);
                }
            },
            PREVIEW_DELAY,
        );
    });

    // Leaving the page with unsaved changes: one last autosave, so navigating away inside
    // the two seconds loses nothing.
    #[cfg(feature = "hydrate")]
    on_cleanup(move || {
        let (Some(rev), Some(saved), Some(state)) =
            (revision.try_get_untracked(), saved_revision.try_get_untracked(), status.try_get_untracked())
        else {
            return;
        };
        if rev == saved || state == SaveState::Conflict {
            return;
        }
        let (Some(content), Some(expected)) = (html.try_get_untracked(), version.try_get_untracked()) else {
            return;
        };
        let request = SaveRequest {
            template_id: id,
            expected_version: expected,
            document: None,
            html: Some(content),
            autosave: true,
        };
        leptos::task::spawn_local(async move {
            let _ = save_template(request).await;
        });
    });

    let changed = move |content: String| {
        html.set(content);
        revision.update(|r| *r += 1);
        if matches!(status.get_untracked(), SaveState::Failed(_)) {
            status.set(SaveState::Idle);
        }
    };

    // The gutter has no scrollbar of its own: it follows the code area.
    let sync_gutter = move || {
        #[cfg(feature = "hydrate")]
        {
            if let (Some(area), Some(gutter)) = (code_ref.get_untracked(), gutter_ref.get_untracked()) {
                gutter.set_scroll_top(area.scroll_top());
            }
        }
    };

    let on_code_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if key == "Escape" {
            tab_leaves.set_value(true);
            return;
        }
        let leave = tab_leaves.get_value();
        tab_leaves.set_value(false);
        let indents = key == "Tab" && !leave && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key();
        #[cfg(feature = "hydrate")]
        if indents && let Some(area) = code_ref.get_untracked() {
            ev.prevent_default();
            let text = area.value();
            let start = area.selection_start().ok().flatten().unwrap_or(0);
            let end = area.selection_end().ok().flatten().unwrap_or(start);
            let edit = indent(&text, start, end, ev.shift_key());
            if edit.text != text {
                area.set_value(&edit.text);
                changed(edit.text);
            }
            let _ = area.set_selection_range(edit.start, edit.end);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = indents;
    };

    // Ctrl/Cmd+S anywhere in the editor (code, name field, buttons).
    let on_editor_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key() && ev.key().eq_ignore_ascii_case("s") {
            ev.prevent_default();
            save(false);
        }
    };

    let rename = move || {
        let wanted = name_input.get_untracked().trim().to_owned();
        let current = name.get_untracked();
        if wanted == current {
            name_input.set(current);
            return;
        }
        if wanted.is_empty() {
            name_input.set(current);
            toasts.error("A template needs a name.");
            return;
        }
        leptos::task::spawn_local(async move {
            match rename_template(id, wanted).await {
                Ok(t) => {
                    let _ = name.try_set(t.name.clone());
                    let _ = name_input.try_set(t.name);
                    toasts.success("Template renamed.");
                }
                Err(e) => {
                    let _ = name_input.try_set(current);
                    toasts.report(&e);
                }
            }
        });
    };

    let lines = Memo::new(move |_| html.with(|h| line_count(h)));
    let gutter_text = move || line_numbers(lines.get());
    let preview = Memo::new(move |_| shown.with(|s| preview_html(s)));
    let merge_problem = Memo::new(move |_| shown.with(|s| MergeTemplate::parse(s).err().map(|e| e.to_string())));
    let issues = Memo::new(move |_| shown.with(|s| lint(s, &Document::default())));
    let size = Memo::new(move |_| shown.with(String::len));

    let status_view = move || {
        let state = status.get();
        let (tone, text, key) = match (&state, dirty.get()) {
            (SaveState::Conflict, _) => (
                "text-rose-600 dark:text-rose-400",
                "Conflict: changed elsewhere — reload to continue".to_owned(),
                "conflict",
            ),
            (SaveState::Saving, _) => ("text-slate-500 dark:text-slate-400", "Saving…".to_owned(), "saving"),
            (SaveState::Failed(reason), _) => {
                ("text-rose-600 dark:text-rose-400", format!("Not saved: {reason}"), "error")
            }
            (SaveState::Idle, true) => ("text-amber-700 dark:text-amber-300", "Unsaved changes".to_owned(), "unsaved"),
            (SaveState::Idle, false) => {
                ("text-slate-500 dark:text-slate-400", format!("Saved · version {}", version.get()), "saved")
            }
        };
        view! {
            <span data-testid="save-status" data-state=key role="status" aria-live="polite"
                class=format!("truncate text-sm {tone}")>
                {text}
            </span>
        }
    };

    let reload_link = move || {
        (status.get() == SaveState::Conflict).then(|| {
            view! {
                <a href=format!("/templates/{id}") rel="external" data-testid="reload" class=SECONDARY>"Reload"</a>
            }
        })
    };

    let device_button = move |which: Device, label: &'static str, testid: &'static str| {
        view! {
            <button type="button" data-testid=testid aria-pressed=move || (device.get() == which).to_string()
                class=move || {
                    if device.get() == which {
                        "rounded-md bg-white px-3 py-1 text-xs font-semibold text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white"
                    } else {
                        "rounded-md px-3 py-1 text-xs font-medium text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
                    }
                }
                on:click=move |_| device.set(which)>
                {label}
            </button>
        }
    };

    let lint_view = move || {
        let problem = merge_problem.get();
        let found = issues.get();
        if problem.is_none() && found.is_empty() {
            return view! {
                <p data-testid="lint-clean" class="text-sm text-emerald-700 dark:text-emerald-300">
                    "No problems found."
                </p>
            }
            .into_any();
        }
        let merge_row = problem.map(|p| {
            issue_row(Severity::Error, format!("A merge tag cannot be read: {p}. Merge tags are shown as typed."))
        });
        let rows = found.iter().map(|i| issue_row(i.severity, sentence(&i.message))).collect_view();
        view! { <ul data-testid="lint-list" class="space-y-2">{merge_row}{rows}</ul> }.into_any()
    };

    let lint_summary = move || {
        let found = issues.get();
        let errors = found.iter().filter(|i| i.is_error()).count() + usize::from(merge_problem.with(Option::is_some));
        let warnings = found.iter().filter(|i| i.severity == Severity::Warning).count();
        summary(errors, warnings)
    };

    let saving = move || status.get() == SaveState::Saving;

    view! {
        <div data-testid="html-editor" class="flex flex-col gap-4" on:keydown=on_editor_keydown>
            <header class="flex flex-wrap items-center gap-3 rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                <a href="/templates" data-testid="back"
                    class="text-sm text-indigo-600 hover:underline dark:text-indigo-300">"← Templates"</a>
                <label class="sr-only" for="template-name">"Template name"</label>
                <input id="template-name" data-testid="template-name" type="text" maxlength="120" autocomplete="off"
                    class="min-w-0 flex-1 rounded-md border border-transparent bg-transparent px-2 py-1 text-lg font-semibold text-slate-900 hover:border-slate-300 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 dark:text-white dark:hover:border-slate-700"
                    value=initial_name
                    prop:value=move || name_input.get()
                    on:input=move |ev| name_input.set(event_target_value(&ev))
                    on:change=move |_| rename() />
                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                    "HTML"
                </span>
                {status_view}
                {reload_link}
                <div role="group" aria-label="Preview width"
                    class="flex items-center gap-1 rounded-lg bg-slate-100 p-1 dark:bg-slate-800">
                    {device_button(Device::Desktop, "Desktop", "device-desktop")}
                    {device_button(Device::Mobile, "Mobile", "device-mobile")}
                </div>
                <button type="button" data-testid="save" class=PRIMARY disabled=saving
                    title="Save (Ctrl+S or ⌘S)" on:click=move |_| save(false)>
                    {move || if saving() { "Saving…" } else { "Save" }}
                </button>
            </header>

            <div class="grid min-h-0 gap-4 xl:grid-cols-2">
                <section aria-label="HTML code"
                    class="flex h-[70vh] min-h-[420px] flex-col overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-950">
                    <div class="flex items-center justify-between border-b border-slate-200 px-4 py-2 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
                        <span>"HTML"</span>
                        <span>"Tab indents · Esc then Tab leaves · Ctrl+S saves"</span>
                    </div>
                    <div class="flex min-h-0 flex-1 font-mono text-[13px] leading-5">
                        <div node_ref=gutter_ref aria-hidden="true"
                            class="shrink-0 select-none overflow-hidden border-r border-slate-200 bg-slate-50 px-3 pt-3 pb-12 text-right text-slate-400 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-500">
                            <pre class="font-mono text-[13px] leading-5">{gutter_text}</pre>
                        </div>
                        <textarea node_ref=code_ref data-testid="html-code" spellcheck="false" wrap="off"
                            autocapitalize="off" autocomplete="off" aria-label="HTML code"
                            class="min-h-0 flex-1 resize-none overflow-auto whitespace-pre bg-transparent p-3 font-mono text-[13px] leading-5 text-slate-800 caret-indigo-600 outline-none [tab-size:2] dark:text-slate-100 dark:caret-indigo-400"
                            on:input=move |ev| changed(event_target_value(&ev))
                            on:scroll=move |_| sync_gutter()
                            on:keydown=on_code_keydown>{initial}</textarea>
                    </div>
                </section>

                <section aria-label="Preview" class="flex min-w-0 flex-col gap-4">
                    <div class="flex h-[70vh] min-h-[420px] overflow-auto rounded-xl border border-slate-200 bg-slate-100 p-4 dark:border-slate-800 dark:bg-slate-900/60">
                        <iframe data-testid="preview-frame" title="Preview" sandbox=""
                            class="mx-auto h-full shrink-0 rounded-md bg-white shadow-md ring-1 ring-slate-200 transition-[width] dark:ring-slate-700"
                            style:width=move || format!("{}px", device.get().width())
                            srcdoc=move || preview.get()></iframe>
                    </div>
                    <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                        <div class="mb-3 flex flex-wrap items-baseline justify-between gap-2">
                            <h2 class="text-sm font-semibold text-slate-900 dark:text-white">"Checks"</h2>
                            <p data-testid="lint-summary" class="text-xs text-slate-500 dark:text-slate-400">
                                {lint_summary}
                                " · "
                                {move || format!("{} of HTML (Gmail clips at {})", format::bytes(size.get() as i64), format::bytes(model::email::GMAIL_CLIP_BYTES as i64))}
                            </p>
                        </div>
                        {lint_view}
                        <p class="mt-3 text-xs text-slate-500 dark:text-slate-400">
                            "The preview fills merge tags with sample values; images and links need absolute URLs (or {{ site_url }}) to work in an inbox."
                        </p>
                    </div>
                </section>
            </div>
        </div>
    }
}

/// One lint finding, coloured by severity.
fn issue_row(severity: Severity, message: String) -> AnyView {
    let (key, label, tone) = match severity {
        Severity::Error => (
            "error",
            "Error",
            "border-rose-200 bg-rose-50 text-rose-800 dark:border-rose-900/60 dark:bg-rose-950/50 dark:text-rose-200",
        ),
        Severity::Warning => (
            "warning",
            "Warning",
            "border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-200",
        ),
    };
    view! {
        <li data-testid="lint-issue" data-severity=key
            class=format!("flex items-start gap-2 rounded-lg border px-3 py-2 text-sm {tone}")>
            <span class="mt-0.5 shrink-0 text-xs font-semibold uppercase tracking-wide">{label}</span>
            <span class="min-w-0 break-words">{message}</span>
        </li>
    }
    .into_any()
}

/// "2 errors · 1 warning", "No problems".
fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match (errors, warnings) {
        (0, 0) => "No problems".to_owned(),
        (e, 0) => plural(e, "error", "errors"),
        (0, w) => plural(w, "warning", "warnings"),
        (e, w) => format!("{} · {}", plural(e, "error", "errors"), plural(w, "warning", "warnings")),
    }
}

/// A linter message as a sentence: capital first letter and a full stop.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The values merge tags show in the preview: the sample recipient of every preview, with
/// an empty `site_url`, so `{{ site_url }}/static/…` becomes a path that the preview (a
/// `srcdoc` frame, which takes the page's base URL) loads from this site.
fn sample_value(name: &str) -> Option<String> {
    model::email::sample_value(name, "")
}

/// The HTML the preview frame shows: merge tags filled with sample values, or the code as
/// typed when a merge tag cannot be read (the linter says which).
fn preview_html(source: &str) -> String {
    match MergeTemplate::parse(source) {
        Ok(template) => template.render(&sample_value, Escape::Html),
        Err(_) => source.to_owned(),
    }
}

/// Lines of `text` as the code area shows them (a trailing newline starts an empty line).
fn line_count(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count() + 1
}

/// The gutter's text: "1\n2\n…\nn".
fn line_numbers(count: usize) -> String {
    let mut out = String::with_capacity(count * 4);
    for n in 1..=count.max(1) {
        if n > 1 {
            out.push('\n');
        }
        out.push_str(&n.to_string());
    }
    out
}

/// The code area after a press of Tab: its text and selection. Offsets are in UTF-16 code
/// units, as `selectionStart`/`selectionEnd` count them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Indented {
    text: String,
    start: u32,
    end: u32,
}

/// Tab in the code area: inserts [`INDENT`] at the caret (replacing a selection within one
/// line); with a selection over several lines, or with `outdent` (Shift+Tab), indents or
/// outdents every line the selection touches and keeps those lines selected.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn indent(text: &str, start: u32, end: u32, outdent: bool) -> Indented {
    let (start, end) = if start <= end { (start, end) } else { (end, start) };
    let s = byte_offset(text, start);
    let e = byte_offset(text, end);
    let start = utf16_len(&text[..s]);
    let end = utf16_len(&text[..e]);
    if !outdent && !text[s..e].contains('\n') {
        let mut out = String::with_capacity(text.len() + INDENT.len());
        out.push_str(&text[..s]);
        out.push_str(INDENT);
        out.push_str(&text[e..]);
        let caret = start + utf16_len(INDENT);
        return Indented { text: out, start: caret, end: caret };
    }
    let first = text[..s].rfind('\n').map_or(0, |i| i + 1);
    // A selection ending at the very start of a line does not take that line along.
    let last = if e > s && text[..e].ends_with('\n') { e - 1 } else { e };
    let stop = text[last..].find('\n').map_or(text.len(), |i| last + i);
    let mut region = String::with_capacity(stop - first + INDENT.len() * 8);
    let mut first_delta: i64 = 0;
    let mut total: i64 = 0;
    for (n, line) in text[first..stop].split('\n').enumerate() {
        if n > 0 {
            region.push('\n');
        }
        let delta = if outdent {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let removed = spaces.min(INDENT.len());
            region.push_str(&line[removed..]);
            -i64::try_from(removed).unwrap_or(0)
        } else {
            region.push_str(INDENT);
            region.push_str(line);
            i64::from(utf16_len(INDENT))
        };
        if n == 0 {
            first_delta = delta;
        }
        total += delta;
    }
    let mut out = String::with_capacity(text.len() + region.len());
    out.push_str(&text[..first]);
    out.push_str(&region);
    out.push_str(&text[stop..]);
    let line_start = i64::from(utf16_len(&text[..first]));
    let new_start = (i64::from(start) + first_delta).max(line_start);
    let new_end = (i64::from(end) + total).max(new_start);
    Indented {
        text: out,
        start: u32::try_from(new_start).unwrap_or(0),
        end: u32::try_from(new_end).unwrap_or(u32::MAX),
    }
}

/// The byte index of the UTF-16 offset `units` in `text` (clamped to its end, and to a
/// character boundary).
fn byte_offset(text: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += u32::try_from(c.len_utf16()).unwrap_or(2);
    }
    text.len()
}

/// Length of `text` in UTF-16 code units.
fn utf16_len(text: &str) -> u32 {
    u32::try_from(text.encode_utf16().count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_inserts_two_spaces_at_the_caret() {
        let edit = indent("<p>x</p>", 3, 3, false);
        assert_eq!(edit, Indented { text: "<p>  x</p>".into(), start: 5, end: 5 });
        // A selection within one line is replaced.
        let edit = indent("abcdef", 1, 4, false);
        assert_eq!(edit, Indented { text: "a  ef".into(), start: 3, end: 3 });
    }

    #[test]
    fn tab_over_several_lines_indents_each_and_shift_tab_outdents() {
        let text = "<ul>\n<li>a</li>\n<li>b</li>\n</ul>";
        // From inside line 2 to inside line 3.
        let edit = indent(text, 7, 20, false);
        assert_eq!(edit.text, "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>");
        assert_eq!((edit.start, edit.end), (9, 24));
        let back = indent(&edit.text, edit.start, edit.end, true);
        assert_eq!(back.text, text);
        assert_eq!((back.start, back.end), (7, 20));
    }

    #[test]
    fn a_selection_ending_at_a_line_start_leaves_that_line_alone() {
        let edit = indent("a\nb\nc", 0, 4, false);
        assert_eq!(edit.text, "  a\n  b\nc");
        assert_eq!((edit.start, edit.end), (2, 8));
    }

    #[test]
    fn shift_tab_removes_at_most_two_spaces_and_keeps_the_caret_on_its_line() {
        let edit = indent("x\n   y", 3, 3, true);
        assert_eq!(edit.text, "x\n y");
        assert_eq!((edit.start, edit.end), (2, 2));
        let edit = indent("nothing", 2, 2, true);
        assert_eq!(edit, Indented { text: "nothing".into(), start: 2, end: 2 });
    }

    #[test]
    fn offsets_count_utf16_units() {
        // "é" is one unit, "😀" two.
        let text = "é😀\nz";
        assert_eq!(byte_offset(text, 1), 2);
        assert_eq!(byte_offset(text, 3), 6);
        assert_eq!(byte_offset(text, 99), text.len());
        let edit = indent(text, 3, 3, false);
        assert_eq!(edit.text, "é😀  \nz");
        assert_eq!((edit.start, edit.end), (5, 5));
    }

    #[test]
    fn gutter_numbers_every_line() {
        assert_eq!(line_count(""), 1);
        assert_eq!(line_count("a\nb\n"), 3);
        assert_eq!(line_numbers(3), "1\n2\n3");
        assert_eq!(line_numbers(0), "1");
    }

    #[test]
    fn preview_fills_merge_tags_and_site_relative_images() {
        let html = "<p>Hi {{ first_name }}</p><img alt=\"x\" src=\"{{ site_url }}/static/starters/hero.png\">";
        let shown = preview_html(html);
        assert!(shown.contains("Hi Alex"), "{shown}");
        assert!(shown.contains("src=\"/static/starters/hero.png\""), "{shown}");
    }

    #[test]
    fn lint_findings_read_as_sentences_and_are_counted() {
        let issues = lint("<p onclick=\"x()\">Hi</p><img src=\"https://x.test/a.png\">", &Document::default());
        assert!(issues.iter().any(|i| i.is_error()), "{issues:?}");
        assert!(issues.iter().any(|i| i.severity == Severity::Warning), "{issues:?}");
        assert_eq!(sentence("scripts are not allowed in email"), "Scripts are not allowed in email.");
        assert_eq!(summary(0, 0), "No problems");
        assert_eq!(summary(1, 2), "1 error · 2 warnings");
        assert_eq!(summary(0, 1), "1 warning");
    }
}
