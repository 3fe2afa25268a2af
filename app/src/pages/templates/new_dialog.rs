//! The "New template" dialog: a name and what to start from (a blank canvas, one of the
//! designed starters, or pasted HTML); creating opens the new template in its editor.
//!
//! Also the naming rules the library shares with it: free names are picked against the
//! loaded list the way the server does, so the name shown is the name the template gets.

use std::collections::HashSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use model::email::Starter;
use model::templates::{NewTemplate, TemplateSource};

use crate::api::ApiError;
use crate::api::templates::CreateTemplate;
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY, form_error};

/// Longest template name the server accepts (the table's CHECK), checked here first so the
/// admin hears about it before a round trip.
pub const MAX_NAME_CHARS: usize = 120;

/// Label style of the dialogs' fields, as `components::field::TextField` draws it.
pub(super) const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-200";

/// What a new template starts from, as the dialog offers it. A UI-side mirror of
/// [`TemplateSource`] without the pasted text (kept in its own field while the admin types)
/// and without "copy" (the library's Duplicate, not a dialog choice).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SourceChoice {
    /// The empty document: settings and a footer.
    #[default]
    Blank,
    /// One of the designed starters.
    Starter(Starter),
    /// HTML designed elsewhere, edited in the code editor.
    Html,
}

impl SourceChoice {
    /// Every choice, in the order the dialog shows them.
    pub const ALL: [SourceChoice; 5] = [
        Self::Blank,
        Self::Starter(Starter::Newsletter),
        Self::Starter(Starter::Announcement),
        Self::Starter(Starter::PlainLetter),
        Self::Html,
    ];

    /// Stable key for test ids and data attributes (`source-<key>`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Blank => "blank",
            Self::Starter(s) => s.as_str(),
            Self::Html => "html",
        }
    }

    /// Title on the choice's card.
    pub fn label(self) -> &'static str {
        match self {
            Self::Blank => "Blank",
            Self::Starter(s) => s.label(),
            Self::Html => "Paste HTML",
        }
    }

    /// One line under the title, saying what the admin gets.
    pub fn description(self) -> &'static str {
        match self {
            Self::Blank => "An empty canvas with a footer; drag in the blocks you need.",
            Self::Starter(s) => s.description(),
            Self::Html => "Bring a design made elsewhere and edit its code; merge tags like {{ first_name }} work.",
        }
    }

    /// The name the server gives a template from this source when none is typed (before
    /// " (2)", " (3)"… make it unique), so the dialog can show it as the placeholder.
    pub fn default_name(self) -> &'static str {
        match self {
            Self::Blank => "Untitled template",
            Self::Starter(s) => s.label(),
            Self::Html => "HTML template",
        }
    }
}

/// True when `name` is already used, ignoring case and surrounding spaces as the server's
/// unique index does.
pub fn is_taken(name: &str, taken: &[String]) -> bool {
    let wanted = name.trim().to_lowercase();
    taken.iter().any(|t| t.trim().to_lowercase() == wanted)
}

/// `base` when free, else `base (2)`, `base (3)`…: the server's rule for names it derives,
/// so the placeholder shows the name an unnamed template will get.
pub fn unique_name(base: &str, taken: &[String]) -> String {
    first_free(base, taken, |n| if n == 1 { String::new() } else { format!(" ({n})") })
}

/// `<name> (copy)`, else `<name> (copy 2)`, `<name> (copy 3)`…, for Duplicate. Copying a
/// copy numbers it rather than stacking suffixes ("News (copy)" → "News (copy 2)").
pub fn copy_name(source: &str, taken: &[String]) -> String {
    first_free(strip_copy_suffix(source), taken, |n| if n == 1 { " (copy)".to_owned() } else { format!(" (copy {n})") })
}

/// The first `base + suffix(n)`, n = 1, 2…, that is free; the base is shortened so every
/// candidate fits [`MAX_NAME_CHARS`]. An empty base becomes "Untitled template".
fn first_free(base: &str, taken: &[String], suffix: impl Fn(u64) -> String) -> String {
    let base = base.trim();
    let base = if base.is_empty() { "Untitled template" } else { base };
    let taken: HashSet<String> = taken.iter().map(|t| t.trim().to_lowercase()).collect();
    let mut n: u64 = 1;
    loop {
        let tail = suffix(n);
        let room = MAX_NAME_CHARS.saturating_sub(tail.chars().count());
        let head: String = base.chars().take(room).collect();
        let candidate = format!("{}{tail}", head.trim_end());
        if !taken.contains(&candidate.to_lowercase()) {
            return candidate;
        }
        n += 1;
    }
}

/// "News (copy)" and "News (copy 3)" → "News"; other names unchanged.
fn strip_copy_suffix(name: &str) -> &str {
    let name = name.trim();
    if let Some(stem) = name.strip_suffix(" (copy)") {
        return stem;
    }
    if let Some(inner) = name.strip_suffix(')')
        && let Some((stem, n)) = inner.rsplit_once(" (copy ")
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return stem;
    }
    name
}

/// The dialog. The page opens it (header button, or an empty-state starter with `choice`
/// preselected); every opening starts with an empty form because the form is built anew
/// each time the modal shows.
#[component]
pub fn NewTemplateDialog(
    open: RwSignal<bool>,
    /// The selected source; the page sets it before opening to preselect one.
    choice: RwSignal<SourceChoice>,
    /// Names already used, to show the name an unnamed template gets and to refuse a
    /// typed name that is taken before asking the server.
    #[prop(into)]
    existing: Signal<Vec<String>>,
) -> impl IntoView {
    view! {
        <Modal open=open id="new-template-dialog" title="New template" width="max-w-2xl">
            <NewTemplateForm open=open choice=choice existing=existing />
        </Modal>
    }
}

/// The dialog's form: fresh signals and a fresh action on every opening.
#[component]
fn NewTemplateForm(
    open: RwSignal<bool>,
    choice: RwSignal<SourceChoice>,
    existing: Signal<Vec<String>>,
) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let create = ServerAction::<CreateTemplate>::new();
    let name = RwSignal::new(String::new());
    let html = RwSignal::new(String::new());
    // A problem found before sending: (field, message).
    let local_error = RwSignal::new(None::<(&'static str, String)>);
    let server_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let field_error = move |field: &'static str| {
        Signal::derive(move || match local_error.get() {
            Some((f, message)) if f == field => Some(message),
            Some(_) => None,
            None => server_error.get().and_then(|e| e.for_field(field)),
        })
    };
    let name_error = field_error("name");
    let html_error = field_error("content");
    let general_error = move || {
        server_error
            .get()
            .filter(|e| e.for_field("name").is_none() && e.for_field("content").is_none())
            .map(|e| e.to_string())
    };
    Effect::new(move |_| match create.value().get() {
        Some(Ok(t)) => {
            toasts.success(format!("Template {} created.", t.name));
            navigate(&format!("/templates/{}", t.id), Default::default());
            open.set(false);
        }
        // An ended session goes to the sign-in page; other errors show in the form.
        Some(Err(e @ ApiError::Unauthorized)) => toasts.report(&e),
        _ => {}
    });
    let placeholder = move || unique_name(choice.get().default_name(), &existing.get());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let typed = name.get_untracked().trim().to_owned();
        if typed.chars().count() > MAX_NAME_CHARS {
            local_error.set(Some(("name", format!("A template name may be at most {MAX_NAME_CHARS} characters."))));
            return;
        }
        if !typed.is_empty() && is_taken(&typed, &existing.get_untracked()) {
            local_error.set(Some(("name", format!("A template named \u{201c}{typed}\u{201d} already exists."))));
            return;
        }
        let from = match choice.get_untracked() {
            SourceChoice::Blank => TemplateSource::Blank,
            SourceChoice::Starter(s) => TemplateSource::Starter(s),
            SourceChoice::Html => {
                let pasted = html.get_untracked();
                if pasted.trim().is_empty() {
                    local_error.set(Some(("content", "Paste the HTML of your email.".to_owned())));
                    return;
                }
                TemplateSource::Html(pasted)
            }
        };
        // An empty name is left to the server, which derives it from the source and makes
        // it unique there (no race with another admin creating the same name meanwhile).
        create.dispatch(CreateTemplate { new: NewTemplate { name: typed, from } });
    };
    let pending = move || create.pending().get();
    view! {
        <form class="space-y-5" on:submit=submit novalidate=true>
            <div class="space-y-1.5">
                <label for="template-name" class=LABEL>"Name"</label>
                <input id="template-name" name="name" type="text" data-testid="template-name" autocomplete="off" autofocus=true
                    placeholder=placeholder
                    aria-invalid=move || if name_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="template-name-hint template-name-error"
                    class=move || input_class(name_error.get().is_some())
                    bind:value=name />
                <p id="template-name-hint" class="text-xs text-slate-500 dark:text-slate-400">
                    "Only you and other admins see it. Leave it empty to use the name shown."
                </p>
                <p id="template-name-error" class="field-error text-xs font-medium text-rose-600 dark:text-rose-400"
                    class:hidden=move || name_error.get().is_none()>
                    {move || name_error.get().unwrap_or_default()}
                </p>
            </div>
            <fieldset>
                <legend class=LABEL>"Start from"</legend>
                <div role="radiogroup" aria-label="Start from" class="mt-2 grid gap-3 sm:grid-cols-2">
                    {SourceChoice::ALL.into_iter().map(|c| source_card(c, choice)).collect_view()}
                </div>
            </fieldset>
            <Show when=move || choice.get() == SourceChoice::Html>
                <div class="space-y-1.5">
                    <label for="template-html" class=LABEL>"HTML"</label>
                    <textarea id="template-html" name="html" data-testid="template-html" rows="10" spellcheck="false"
                        placeholder="<!DOCTYPE html>\n<html>\n  <body>…</body>\n</html>"
                        aria-invalid=move || if html_error.get().is_some() { "true" } else { "false" }
                        aria-describedby="template-html-error"
                        class=move || format!("{} font-mono text-xs", input_class(html_error.get().is_some()))
                        bind:value=html></textarea>
                    <p id="template-html-error" class="field-error text-xs font-medium text-rose-600 dark:text-rose-400"
                        class:hidden=move || html_error.get().is_none()>
                        {move || html_error.get().unwrap_or_default()}
                    </p>
                </div>
            </Show>
            {move || form_error(general_error())}
            <div class="flex flex-col-reverse gap-3 border-t border-slate-200 pt-4 sm:flex-row sm:justify-end dark:border-slate-800">
                <button type="button" class=SECONDARY on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" data-testid="create-template" class=PRIMARY disabled=pending>
                    <span class="h-4 w-4 animate-spin rounded-full border-2 border-white/40 border-t-white" class:hidden=move || !pending()></span>
                    {move || if pending() { "Creating…" } else { "Create template" }}
                </button>
            </div>
        </form>
    }
}

/// Classes of a text input or textarea, red while it has an error (as `TextField`).
pub(super) fn input_class(has_error: bool) -> String {
    let tone = if has_error {
        "border-rose-500 focus:border-rose-500 focus:ring-rose-500/30"
    } else {
        "border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-slate-700"
    };
    format!(
        "block w-full rounded-lg border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm outline-none placeholder:text-slate-400 focus:ring-4 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500 {tone}"
    )
}

/// One selectable source: a small sketch of the design, its name and what it is.
fn source_card(c: SourceChoice, choice: RwSignal<SourceChoice>) -> impl IntoView {
    let selected = move || choice.get() == c;
    let span = if c == SourceChoice::Html { "sm:col-span-2" } else { "" };
    view! {
        <button type="button" role="radio" data-testid=format!("source-{}", c.key()) data-source=c.key()
            aria-checked=move || selected().to_string()
            class=move || {
                let tone = if selected() {
                    "border-indigo-500 bg-indigo-50/70 ring-2 ring-indigo-500/30 dark:border-indigo-400 dark:bg-indigo-500/10"
                } else {
                    "border-slate-200 bg-white hover:border-slate-300 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:border-slate-600 dark:hover:bg-slate-800/60"
                };
                format!("flex w-full items-start gap-3 rounded-xl border p-3 text-left transition focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-500/30 {span} {tone}")
            }
            on:click=move |_| choice.set(c)>
            {source_sketch(c)}
            <span class="min-w-0 flex-1">
                <span class="flex items-center justify-between gap-2">
                    <span class="text-sm font-semibold text-slate-900 dark:text-white">{c.label()}</span>
                    <span aria-hidden="true"
                        class=move || if selected() {
                            "flex h-4 w-4 shrink-0 items-center justify-center rounded-full bg-indigo-600 dark:bg-indigo-400"
                        } else {
                            "h-4 w-4 shrink-0 rounded-full border border-slate-300 dark:border-slate-600"
                        }>
                        <span class="h-1.5 w-1.5 rounded-full bg-white dark:bg-slate-900" class:hidden=move || !selected()></span>
                    </span>
                </span>
                <span class="mt-1 block text-xs leading-relaxed text-slate-500 dark:text-slate-400">{c.description()}</span>
            </span>
        </button>
    }
}

/// A thumbnail-sized drawing of what a source looks like, so the choices can be told apart
/// at a glance (plain shapes, no image requests). Shared with the library's empty state.
pub fn source_sketch(c: SourceChoice) -> AnyView {
    const LINE: &str = "h-1 rounded-sm bg-slate-300 dark:bg-slate-600";
    const BOX: &str = "rounded-sm bg-slate-200 dark:bg-slate-700";
    let inner = match c {
        SourceChoice::Blank => view! {
            <div class="flex h-full items-center justify-center rounded-sm border border-dashed border-slate-300 text-sm leading-none text-slate-400 dark:border-slate-600 dark:text-slate-500">"+"</div>
        }
        .into_any(),
        SourceChoice::Starter(Starter::Newsletter) => view! {
            <div class="flex h-full flex-col gap-1">
                <div class="h-1.5 w-4 rounded-sm bg-indigo-400 dark:bg-indigo-400/80"></div>
                <div class=format!("{LINE} w-full")></div>
                <div class="flex flex-1 gap-1">
                    <div class=format!("{BOX} flex-1")></div>
                    <div class=format!("{BOX} flex-1")></div>
                </div>
                <div class=format!("{LINE} w-2/3")></div>
            </div>
        }
        .into_any(),
        SourceChoice::Starter(Starter::Announcement) => view! {
            <div class="flex h-full flex-col items-center gap-1">
                <div class="h-1.5 w-3/4 rounded-sm bg-slate-400 dark:bg-slate-500"></div>
                <div class="w-full flex-1 rounded-sm bg-indigo-200 dark:bg-indigo-500/40"></div>
                <div class="h-1.5 w-1/2 rounded-sm bg-indigo-500 dark:bg-indigo-400"></div>
            </div>
        }
        .into_any(),
        SourceChoice::Starter(Starter::PlainLetter) => view! {
            <div class="flex h-full flex-col gap-1 pt-0.5">
                <div class=format!("{LINE} w-1/2")></div>
                <div class=format!("{LINE} w-full")></div>
                <div class=format!("{LINE} w-full")></div>
                <div class=format!("{LINE} w-5/6")></div>
                <div class=format!("{LINE} w-full")></div>
                <div class=format!("{LINE} w-1/3")></div>
            </div>
        }
        .into_any(),
        SourceChoice::Html => view! {
            <div class="flex h-full items-center justify-center font-mono text-[11px] font-semibold text-indigo-500 dark:text-indigo-300">"</>"</div>
        }
        .into_any(),
    };
    view! {
        <div aria-hidden="true"
            class="h-14 w-11 shrink-0 rounded-md border border-slate-200 bg-white p-1.5 shadow-sm dark:border-slate-700 dark:bg-slate-800">
            {inner}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn free_names_follow_the_servers_numbering() {
        assert_eq!(unique_name("Newsletter", &[]), "Newsletter");
        assert_eq!(unique_name("Newsletter", &names(&["newsletter"])), "Newsletter (2)");
        assert_eq!(unique_name("Newsletter", &names(&["Newsletter", "Newsletter (2)"])), "Newsletter (3)");
        assert_eq!(unique_name("  ", &[]), "Untitled template");
    }

    #[test]
    fn copies_are_numbered_instead_of_stacked() {
        assert_eq!(copy_name("News", &names(&["News"])), "News (copy)");
        assert_eq!(copy_name("News", &names(&["News", "News (copy)"])), "News (copy 2)");
        assert_eq!(copy_name("News (copy)", &names(&["News", "News (copy)"])), "News (copy 2)");
        assert_eq!(copy_name("News (copy 2)", &names(&["News (copy)", "News (copy 2)"])), "News (copy 3)");
        assert_eq!(strip_copy_suffix("Offer (copy x)"), "Offer (copy x)");
        assert_eq!(strip_copy_suffix("(copy)"), "(copy)");
    }

    #[test]
    fn long_names_are_shortened_to_fit_the_suffix() {
        let long = "x".repeat(200);
        let copy = copy_name(&long, &[]);
        assert_eq!(copy.chars().count(), MAX_NAME_CHARS);
        assert!(copy.ends_with(" (copy)"));
        let taken = vec!["x".repeat(MAX_NAME_CHARS)];
        let unique = unique_name(&long, &taken);
        assert_eq!(unique.chars().count(), MAX_NAME_CHARS);
        assert!(unique.ends_with(" (2)"));
    }

    #[test]
    fn taken_names_ignore_case_and_spaces() {
        let list = names(&["Spring sale"]);
        assert!(is_taken(" spring SALE ", &list));
        assert!(!is_taken("Spring sale 2", &list));
    }

    #[test]
    fn every_choice_has_a_distinct_key() {
        let keys: HashSet<&str> = SourceChoice::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(keys.len(), SourceChoice::ALL.len());
        assert_eq!(SourceChoice::Starter(Starter::PlainLetter).key(), "plain_letter");
        assert_eq!(SourceChoice::Html.default_name(), "HTML template");
    }
}
