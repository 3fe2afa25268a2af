//! The template library (`/templates`): every template as a card with a live thumbnail,
//! sorted by last edit or name, with rename, duplicate and delete, and the way into the
//! "New template" dialog (also from the empty state's starters).

use std::collections::HashMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use model::templates::{NewTemplate, Template, TemplateKind, TemplateSource, TemplateSummary};

use super::new_dialog::{
    LABEL, MAX_NAME_CHARS, NewTemplateDialog, SourceChoice, copy_name, input_class, is_taken, source_sketch,
};
use crate::api::ApiError;
use crate::api::templates::{CreateTemplate, DeleteTemplate, RenameTemplate, list_templates, preview_template};
use crate::components::clock::BrowserClock;
use crate::components::confirm::ConfirmDialog;
use crate::components::icons;
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{AMBER, INDIGO, PILL, load_error};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, ROW_DANGER, SECONDARY, form_error};

/// The grid's column rule, shared by the cards and their loading placeholders so nothing
/// jumps when the data arrives.
const GRID: &str = "grid gap-5 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4";
/// Frame of a card (and of its placeholder).
const CARD_FRAME: &str = "flex flex-col overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";
/// The sort select, styled like the other pages' filters.
const SELECT: &str = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-700 shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200";

/// How the cards are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SortOrder {
    /// Last edited first: the template being worked on is usually the one wanted.
    #[default]
    Recent,
    /// Alphabetical, ignoring case.
    Name,
}

impl SortOrder {
    /// The select's option value.
    fn as_str(self) -> &'static str {
        match self {
            Self::Recent => "recent",
            Self::Name => "name",
        }
    }

    /// The option value back; anything unknown is the default order.
    fn parse(s: &str) -> Self {
        if s == "name" { Self::Name } else { Self::Recent }
    }
}

/// The list in `order` (ties broken by id so the order never flickers).
fn sorted(list: &[TemplateSummary], order: SortOrder) -> Vec<TemplateSummary> {
    let mut out = list.to_vec();
    match order {
        SortOrder::Recent => out.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id))),
        SortOrder::Name => out.sort_by_cached_key(|t| (t.name.to_lowercase(), t.id)),
    }
    out
}

/// A thumbnail's state: `None` while it loads.
type PreviewState = Option<Result<String, ApiError>>;

/// Rendered previews by (template, version), kept for the page's lifetime: reloading the
/// list after a rename or delete rebuilds the cards, and this keeps them from fetching
/// every thumbnail again. A new version (an edit) is a new key, so it is fetched fresh.
#[derive(Clone, Copy)]
struct Previews(StoredValue<HashMap<(i64, i32), ArcRwSignal<PreviewState>>>);

impl Previews {
    /// An empty cache, owned by the page.
    fn new() -> Self {
        Self(StoredValue::new(HashMap::new()))
    }

    /// The preview of `id` at `version`, fetched the first time it is asked for. The fetch
    /// runs in an Effect, so only in the browser: the server render (and the hydration that
    /// must match it) shows the placeholder, and the page never waits for N renders.
    fn get(self, id: i64, version: i32) -> ArcRwSignal<PreviewState> {
        let mut fresh = false;
        let state = self
            .0
            .try_update_value(|cache| {
                cache
                    .entry((id, version))
                    .or_insert_with(|| {
                        fresh = true;
                        ArcRwSignal::new(None)
                    })
                    .clone()
            })
            .unwrap_or_else(|| ArcRwSignal::new(None));
        if fresh {
            let target = state.clone();
            Effect::new(move |_| {
                let target = target.clone();
                leptos::task::spawn_local(async move {
                    let answer = preview_template(id).await;
                    target.set(Some(answer));
                });
            });
        }
        state
    }
}

/// What a card's buttons do and the page state they share; `Copy` so every card gets it.
#[derive(Clone, Copy)]
struct CardActions {
    rename: Callback<TemplateSummary>,
    duplicate: Callback<TemplateSummary>,
    delete: Callback<TemplateSummary>,
    /// The template being duplicated (its button shows progress).
    duplicating: RwSignal<Option<i64>>,
    clock: BrowserClock,
    previews: Previews,
}

/// The page.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let toasts = use_toasts();
    let clock = BrowserClock::new();
    let duplicate = ServerAction::<CreateTemplate>::new();
    let delete = ServerAction::<DeleteTemplate>::new();
    // Bumped by a rename (its action lives in the dialog's form).
    let renamed = RwSignal::new(0u32);
    let templates =
        Resource::new(move || (duplicate.version().get(), delete.version().get(), renamed.get()), |_| list_templates());
    let sort = RwSignal::new(SortOrder::default());
    // The loaded names, for the free names of new templates and copies.
    let names = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(list)) = templates.get() {
            names.set(list.iter().map(|t| t.name.clone()).collect());
        }
    });

    let new_open = RwSignal::new(false);
    let new_choice = RwSignal::new(SourceChoice::Blank);
    let open_new = Callback::new(move |c: SourceChoice| {
        new_choice.set(c);
        new_open.set(true);
    });

    let renaming = RwSignal::new(None::<TemplateSummary>);
    let rename_open = RwSignal::new(false);
    let pending_delete = RwSignal::new(None::<TemplateSummary>);
    let delete_open = RwSignal::new(false);
    let duplicating = RwSignal::new(None::<i64>);

    let actions = CardActions {
        rename: Callback::new(move |t: TemplateSummary| {
            renaming.set(Some(t));
            rename_open.set(true);
        }),
        duplicate: Callback::new(move |t: TemplateSummary| {
            duplicating.set(Some(t.id));
            let name = copy_name(&t.name, &names.get_untracked());
            duplicate.dispatch(CreateTemplate { new: NewTemplate { name, from: TemplateSource::Copy(t.id) } });
        }),
        delete: Callback::new(move |t: TemplateSummary| {
            pending_delete.set(Some(t));
            delete_open.set(true);
        }),
        duplicating,
        clock,
        previews: Previews::new(),
    };

    Effect::new(move |_| match duplicate.value().get() {
        Some(Ok(t)) => {
            duplicating.set(None);
            clock.tick();
            toasts.success(format!("Duplicated as {}.", t.name));
        }
        Some(Err(e)) => {
            duplicating.set(None);
            toasts.report(&e);
        }
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Template deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let on_renamed = Callback::new(move |t: Template| {
        rename_open.set(false);
        clock.tick();
        renamed.update(|n| *n = n.wrapping_add(1));
        toasts.success(format!("Renamed to {}.", t.name));
    });

    let content = move || {
        templates.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(list) if list.is_empty() => empty_state(open_new),
            Ok(list) => library(list, sort, actions),
        })
    };
    view! {
        <Title text="Templates · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Templates"</h1>
                    <p class="mt-1 max-w-3xl text-sm text-slate-500 dark:text-slate-400">
                        "The designs your campaigns start from. Build them from blocks with drag and drop, or bring your own HTML; every save is kept as a version you can go back to."
                    </p>
                </div>
                <button type="button" id="new-template" data-testid="new-template" class=PRIMARY
                    on:click=move |_| open_new.run(SourceChoice::Blank)>
                    <span aria-hidden="true" class="-ml-0.5 text-base leading-none">"+"</span>
                    "New template"
                </button>
            </div>
            <Transition fallback=skeleton_grid>{content}</Transition>
        </div>
        <NewTemplateDialog open=new_open choice=new_choice existing=names />
        <Modal open=rename_open id="rename-template-dialog" title="Rename template">
            {move || renaming.get().map(|t| view! {
                <RenameForm template=t names=names open=rename_open on_renamed=on_renamed />
            })}
        </Modal>
        <ConfirmDialog open=delete_open
            title=Signal::derive(move || format!("Delete {}?", pending_delete.get().map(|t| t.name).unwrap_or_default()))
            message="The template and all its saved versions are deleted. Emails already sent are not affected. This cannot be undone."
            on_confirm=Callback::new(move |_| if let Some(t) = pending_delete.get_untracked() {
                delete.dispatch(DeleteTemplate { id: t.id });
            }) />
    }
}

/// The toolbar (count and sort) and the grid of cards.
fn library(list: Vec<TemplateSummary>, sort: RwSignal<SortOrder>, actions: CardActions) -> AnyView {
    let heading = match list.len() {
        1 => "1 template".to_owned(),
        n => format!("{n} templates"),
    };
    let by_recent = sort.get_untracked() == SortOrder::Recent;
    view! {
        <section class="space-y-4" aria-labelledby="templates-count">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 id="templates-count" class="text-sm font-medium text-slate-500 dark:text-slate-400">{heading}</h2>
                <label class="flex items-center gap-2 text-sm text-slate-500 dark:text-slate-400">
                    "Sort by"
                    <select id="template-sort" data-testid="template-sort" class=SELECT
                        prop:value=move || sort.get().as_str()
                        on:change=move |ev| sort.set(SortOrder::parse(&event_target_value(&ev)))>
                        <option value="recent" selected=by_recent>"Recently edited"</option>
                        <option value="name" selected=!by_recent>"Name"</option>
                    </select>
                </label>
            </div>
            <div id="template-grid" data-testid="template-grid" class=GRID>
                <For each=move || sorted(&list, sort.get())
                    key=|t: &TemplateSummary| (t.id, t.version, t.name.clone(), t.updated_at)
                    children=move |t: TemplateSummary| template_card(t, actions) />
            </div>
        </section>
    }
    .into_any()
}

/// One template: its thumbnail (a link into the editor), name, kind, age and actions.
fn template_card(t: TemplateSummary, actions: CardActions) -> impl IntoView {
    let id = t.id;
    let href = format!("/templates/{id}");
    let (tone, kind) = match t.kind {
        TemplateKind::Document => (INDIGO, "Drag & drop"),
        TemplateKind::Html => (AMBER, "HTML"),
    };
    let updated = t.updated_at;
    let clock = actions.clock;
    let edited = move || match clock.ago(&updated) {
        Some(ago) => format!("Edited {ago}"),
        None => format!("Edited {} UTC", format::timestamp(&updated)),
    };
    let preview = actions.previews.get(id, t.version);
    let duplicating = actions.duplicating;
    let busy = move || duplicating.get() == Some(id);
    let for_rename = t.clone();
    let for_duplicate = t.clone();
    let for_delete = t.clone();
    view! {
        <article data-testid="template-card" data-template-id=id.to_string() data-kind=t.kind.as_str()
            class=format!("{CARD_FRAME} group transition hover:border-slate-300 hover:shadow-md dark:hover:border-slate-700")>
            <a href=href.clone() data-testid="template-open" aria-label=format!("Edit {}", t.name)
                class="relative block h-60 overflow-hidden border-b border-slate-200 bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500 dark:border-slate-800 dark:bg-slate-800/60">
                {thumbnail(preview)}
                <span aria-hidden="true"
                    class="absolute bottom-3 right-3 rounded-full bg-slate-900/80 px-2.5 py-1 text-xs font-medium text-white opacity-0 shadow-sm transition group-hover:opacity-100 dark:bg-white/90 dark:text-slate-900">
                    "Open editor"
                </span>
            </a>
            <div class="flex flex-1 flex-col gap-1.5 p-4">
                <div class="flex items-start justify-between gap-2">
                    <a href=href title=t.name.clone() data-testid="template-name-link"
                        class="min-w-0 truncate font-medium text-slate-900 hover:text-indigo-600 hover:underline dark:text-white dark:hover:text-indigo-300">
                        {t.name.clone()}
                    </a>
                    <span data-testid="template-kind" class=format!("{PILL} {tone} shrink-0")>{kind}</span>
                </div>
                <p class="text-xs text-slate-500 dark:text-slate-400">
                    <time datetime=updated.to_rfc3339() title=format!("{} UTC", format::timestamp(&updated))>{edited}</time>
                </p>
                <div class="-mx-2 mt-auto flex flex-wrap items-center gap-1 border-t border-slate-100 pt-2 dark:border-slate-800">
                    <button type="button" class=ROW_ACTION data-testid="rename-template" data-action="rename"
                        on:click=move |_| actions.rename.run(for_rename.clone())>"Rename"</button>
                    <button type="button" class=ROW_ACTION data-testid="duplicate-template" data-action="duplicate"
                        disabled=busy
                        on:click=move |_| actions.duplicate.run(for_duplicate.clone())>
                        {move || if busy() { "Duplicating…" } else { "Duplicate" }}
                    </button>
                    <button type="button" class=format!("{ROW_DANGER} ml-auto") data-testid="delete-template" data-action="delete"
                        on:click=move |_| actions.delete.run(for_delete.clone())>"Delete"</button>
                </div>
            </div>
        </article>
    }
}

/// The email drawn small: rendered at 600 × 800 in a sandboxed frame (no scripts, no
/// forms, no access to this page) and scaled down, on a "sheet" centred in the card.
/// Hidden from assistive technology and the pointer: the link around it is what is used.
fn thumbnail(preview: ArcRwSignal<PreviewState>) -> impl IntoView {
    let body = move || {
        match preview.get() {
        None => view! {
            <div class="space-y-3 p-6">
                <div class="h-4 w-1/3 animate-pulse rounded bg-slate-200"></div>
                <div class="h-24 animate-pulse rounded bg-slate-100"></div>
                <div class="h-3 w-full animate-pulse rounded bg-slate-100"></div>
                <div class="h-3 w-5/6 animate-pulse rounded bg-slate-100"></div>
                <div class="h-3 w-2/3 animate-pulse rounded bg-slate-100"></div>
            </div>
        }
        .into_any(),
        Some(Err(_)) => view! {
            <div class="flex h-[336px] items-start justify-center pt-24 text-xs text-slate-400">"Preview unavailable"</div>
        }
        .into_any(),
        Some(Ok(html)) => view! {
            <div class="origin-top-left" style="width: 600px; height: 800px; transform: scale(0.42);">
                <iframe sandbox="" srcdoc=html tabindex="-1" title="Template preview" data-testid="template-thumbnail"
                    class="block h-full w-full border-0 bg-white"></iframe>
            </div>
        }
        .into_any(),
    }
    };
    view! {
        <div aria-hidden="true"
            class="pointer-events-none absolute left-1/2 top-4 h-[336px] w-[252px] -translate-x-1/2 select-none overflow-hidden rounded-t-md bg-white shadow-md ring-1 ring-slate-900/5 dark:ring-white/10">
            {body}
        </div>
    }
}

/// No template yet: what to do, with the starters and a blank canvas one click away.
fn empty_state(open_new: Callback<SourceChoice>) -> AnyView {
    let starts = SourceChoice::ALL
        .into_iter()
        .filter(|c| *c != SourceChoice::Html)
        .map(|c| {
            view! {
                <button type="button" data-testid=format!("empty-start-{}", c.key())
                    class="flex items-start gap-3 rounded-xl border border-slate-200 bg-white p-3 text-left shadow-sm transition hover:border-indigo-300 hover:shadow-md focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:hover:border-indigo-500/60"
                    on:click=move |_| open_new.run(c)>
                    {source_sketch(c)}
                    <span class="min-w-0">
                        <span class="block text-sm font-semibold text-slate-900 dark:text-white">
                            {if c == SourceChoice::Blank { "Blank canvas" } else { c.label() }}
                        </span>
                        <span class="mt-0.5 block text-xs leading-relaxed text-slate-500 dark:text-slate-400">{c.description()}</span>
                    </span>
                </button>
            }
        })
        .collect_view();
    view! {
        <section id="templates-empty" data-testid="templates-empty"
            class="empty-state rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 dark:border-slate-700 dark:bg-slate-900">
            <div class="mx-auto max-w-xl text-center">
                <div class="mx-auto w-fit rounded-full bg-indigo-50 p-3 text-indigo-500 dark:bg-indigo-500/10 dark:text-indigo-300">{icons::layout()}</div>
                <h2 class="mt-3 text-base font-semibold text-slate-900 dark:text-white">"No templates yet"</h2>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                    "Start from a designed starter or a blank canvas. Everything in it can be changed afterwards, and campaigns reuse the template you make."
                </p>
            </div>
            <div class="mx-auto mt-8 grid max-w-4xl gap-3 sm:grid-cols-2 lg:grid-cols-4">{starts}</div>
            <p class="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
                "Designed your email elsewhere? "
                <button type="button" data-testid="empty-start-html"
                    class="font-medium text-indigo-600 hover:underline dark:text-indigo-300"
                    on:click=move |_| open_new.run(SourceChoice::Html)>"Paste its HTML"</button>
            </p>
        </section>
    }
    .into_any()
}

/// Placeholder cards while the list loads, laid out like the real grid.
fn skeleton_grid() -> AnyView {
    view! {
        <div class=GRID role="status">
            <span class="sr-only">"Loading templates…"</span>
            {(0..4).map(|_| view! {
                <div class=CARD_FRAME aria-hidden="true">
                    <div class="h-60 animate-pulse bg-slate-100 dark:bg-slate-800/60"></div>
                    <div class="space-y-2 p-4">
                        <div class="h-4 w-2/3 animate-pulse rounded bg-slate-200 dark:bg-slate-800"></div>
                        <div class="h-3 w-1/3 animate-pulse rounded bg-slate-200 dark:bg-slate-800"></div>
                    </div>
                </div>
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// The rename dialog's form, built anew each time it opens, with the current name filled in.
#[component]
fn RenameForm(
    template: TemplateSummary,
    names: RwSignal<Vec<String>>,
    open: RwSignal<bool>,
    on_renamed: Callback<Template>,
) -> impl IntoView {
    let toasts = use_toasts();
    let action = ServerAction::<RenameTemplate>::new();
    let id = template.id;
    let current = template.name;
    let value = RwSignal::new(current.clone());
    let local_error = RwSignal::new(None::<String>);
    let server_error = Signal::derive(move || action.value().get().and_then(Result::err));
    let name_error =
        Signal::derive(move || local_error.get().or_else(|| server_error.get().and_then(|e| e.for_field("name"))));
    let general_error = move || server_error.get().filter(|e| e.for_field("name").is_none()).map(|e| e.to_string());
    Effect::new(move |_| match action.value().get() {
        Some(Ok(t)) => on_renamed.run(t),
        Some(Err(e @ ApiError::Unauthorized)) => toasts.report(&e),
        _ => {}
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let name = value.get_untracked().trim().to_owned();
        if name.is_empty() {
            local_error.set(Some("Give the template a name.".to_owned()));
            return;
        }
        if name.chars().count() > MAX_NAME_CHARS {
            local_error.set(Some(format!("A template name may be at most {MAX_NAME_CHARS} characters.")));
            return;
        }
        if name == current {
            open.set(false);
            return;
        }
        // Its own name (in another case) is not "taken".
        let others: Vec<String> =
            names.get_untracked().into_iter().filter(|n| n.to_lowercase() != current.to_lowercase()).collect();
        if is_taken(&name, &others) {
            local_error.set(Some(format!("A template named \u{201c}{name}\u{201d} already exists.")));
            return;
        }
        action.dispatch(RenameTemplate { id, name });
    };
    let pending = move || action.pending().get();
    view! {
        <form class="space-y-5" on:submit=submit novalidate=true>
            <div class="space-y-1.5">
                <label for="rename-name" class=LABEL>"Name"</label>
                <input id="rename-name" name="name" type="text" data-testid="rename-name" autocomplete="off" autofocus=true
                    aria-invalid=move || if name_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="rename-name-error"
                    class=move || input_class(name_error.get().is_some())
                    bind:value=value />
                <p id="rename-name-error" class="field-error text-xs font-medium text-rose-600 dark:text-rose-400"
                    class:hidden=move || name_error.get().is_none()>
                    {move || name_error.get().unwrap_or_default()}
                </p>
            </div>
            {move || form_error(general_error())}
            <div class="flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
                <button type="button" class=SECONDARY on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" data-testid="rename-save" class=PRIMARY disabled=pending>
                    {move || if pending() { "Saving…" } else { "Rename" }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn summary(id: i64, name: &str, minute: u32) -> TemplateSummary {
        TemplateSummary {
            id,
            name: name.to_owned(),
            kind: TemplateKind::Document,
            version: 1,
            updated_at: Utc.with_ymd_and_hms(2026, 3, 1, 10, minute, 0).single().expect("valid date"),
            block_count: Some(3),
        }
    }

    fn ids(list: &[TemplateSummary]) -> Vec<i64> {
        list.iter().map(|t| t.id).collect()
    }

    #[test]
    fn recent_first_then_by_name_ignoring_case() {
        let list = vec![summary(1, "beta", 5), summary(2, "Alpha", 9), summary(3, "gamma", 5)];
        assert_eq!(ids(&sorted(&list, SortOrder::Recent)), vec![2, 3, 1]);
        assert_eq!(ids(&sorted(&list, SortOrder::Name)), vec![2, 1, 3]);
    }

    #[test]
    fn sort_orders_round_trip_through_the_select() {
        for order in [SortOrder::Recent, SortOrder::Name] {
            assert_eq!(SortOrder::parse(order.as_str()), order);
        }
        assert_eq!(SortOrder::parse("bogus"), SortOrder::Recent);
    }
}
