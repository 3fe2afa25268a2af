//! Who receives a campaign: the lists and saved segments it goes to, the ones it must skip,
//! and a live count of the recipients that selection means right now, so the admin sees the
//! size of a send before starting it (and notices an empty or unexpectedly large audience).
//!
//! The count is asked for 400 ms after the last change, only in the browser; a late answer
//! to an older selection is dropped, so the number always belongs to what is ticked.

use std::time::Duration;

use leptos::prelude::*;
use model::campaigns::{AudienceSpec, RecipientCount};
use model::contacts::{ContactList, SavedSegment};

use crate::api::ApiError;
use crate::api::campaigns::count_recipients;
use crate::api::contacts::lists::list_lists;
use crate::api::contacts::segments::list_segments;
use crate::pages::contacts::thousands;

/// Quiet time after the last change before the count is asked for, so ticking five lists in
/// a row sends one query, not five.
const DEBOUNCE: Duration = Duration::from_millis(400);

/// Heading of a group ("Send to", "Don't send to").
const GROUP_TITLE: &str = "text-sm font-semibold text-slate-900 dark:text-white";
/// Small uppercase heading of a column ("Lists", "Segments").
const COLUMN_TITLE: &str = "text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
/// Quiet explanatory text.
const HINT: &str = "text-sm text-slate-500 dark:text-slate-400";
/// Inline link.
const LINK: &str = "font-medium text-indigo-600 hover:underline dark:text-indigo-300";

/// Which kind of source a checkbox picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    List,
    Segment,
}

/// Whether a checkbox adds recipients or keeps them out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Include,
    Exclude,
}

impl Side {
    fn other(self) -> Self {
        match self {
            Self::Include => Self::Exclude,
            Self::Exclude => Self::Include,
        }
    }
}

/// The ids `kind` on `side` of the audience.
fn chosen(spec: &AudienceSpec, kind: Kind, side: Side) -> &[i64] {
    match (kind, side) {
        (Kind::List, Side::Include) => spec.list_ids.as_slice(),
        (Kind::Segment, Side::Include) => spec.segment_ids.as_slice(),
        (Kind::List, Side::Exclude) => spec.exclude_list_ids.as_slice(),
        (Kind::Segment, Side::Exclude) => spec.exclude_segment_ids.as_slice(),
    }
}

fn chosen_mut(spec: &mut AudienceSpec, kind: Kind, side: Side) -> &mut Vec<i64> {
    match (kind, side) {
        (Kind::List, Side::Include) => &mut spec.list_ids,
        (Kind::Segment, Side::Include) => &mut spec.segment_ids,
        (Kind::List, Side::Exclude) => &mut spec.exclude_list_ids,
        (Kind::Segment, Side::Exclude) => &mut spec.exclude_segment_ids,
    }
}

/// Ticks or unticks `id`. A source is never on both sides: ticking it on one side takes it
/// off the other (including and excluding the same list would send to nobody from it).
fn set_choice(spec: &mut AudienceSpec, kind: Kind, side: Side, id: i64, on: bool) {
    if on {
        let ids = chosen_mut(spec, kind, side);
        if !ids.contains(&id) {
            ids.push(id);
        }
        chosen_mut(spec, kind, side.other()).retain(|x| *x != id);
    } else {
        chosen_mut(spec, kind, side).retain(|x| *x != id);
    }
}

/// The checkbox's test id: `audience-list-3`, `exclude-segment-7`, …
fn test_id(kind: Kind, side: Side, id: i64) -> String {
    let prefix = match side {
        Side::Include => "audience",
        Side::Exclude => "exclude",
    };
    let noun = match kind {
        Kind::List => "list",
        Kind::Segment => "segment",
    };
    format!("{prefix}-{noun}-{id}")
}

/// Chosen ids that name no existing list or segment (deleted since the campaign was saved).
fn unknown_ids(spec: &AudienceSpec, lists: &[i64], segments: &[i64]) -> usize {
    let gone = |ids: &[i64], known: &[i64]| ids.iter().filter(|id| !known.contains(*id)).count();
    gone(&spec.list_ids, lists)
        + gone(&spec.exclude_list_ids, lists)
        + gone(&spec.segment_ids, segments)
        + gone(&spec.exclude_segment_ids, segments)
}

/// "1 recipient", "12 345 recipients".
fn recipients_phrase(n: i64) -> String {
    if n == 1 { "1 recipient".to_owned() } else { format!("{} recipients", thousands(n)) }
}

/// The loaded lists; `None` while loading.
type Lists = LocalResource<Result<Vec<ContactList>, ApiError>>;
/// The loaded saved segments; `None` while loading.
type Segments = LocalResource<Result<Vec<SavedSegment>, ApiError>>;

/// The audience part of the campaign editor: "Send to" and "Don't send to" lists and saved
/// segments as checkboxes, and the live recipient count beside them. Edits `audience` in
/// place; the editor saves it with the rest of the campaign.
#[component]
pub fn AudiencePicker(audience: RwSignal<AudienceSpec>) -> impl IntoView {
    let lists: Lists = LocalResource::new(list_lists);
    let segments: Segments = LocalResource::new(list_segments);

    let missing = move || {
        let (Some(Ok(ls)), Some(Ok(ss))) = (lists.get(), segments.get()) else {
            return 0;
        };
        let list_ids: Vec<i64> = ls.iter().map(|l| l.id).collect();
        let segment_ids: Vec<i64> = ss.iter().map(|s| s.id).collect();
        audience.with(|a| unknown_ids(a, &list_ids, &segment_ids))
    };
    let drop_missing = move |_: leptos::ev::MouseEvent| {
        let (Some(Ok(ls)), Some(Ok(ss))) = (lists.get_untracked(), segments.get_untracked()) else {
            return;
        };
        let list_ids: Vec<i64> = ls.iter().map(|l| l.id).collect();
        let segment_ids: Vec<i64> = ss.iter().map(|s| s.id).collect();
        audience.update(|a| {
            a.list_ids.retain(|id| list_ids.contains(id));
            a.exclude_list_ids.retain(|id| list_ids.contains(id));
            a.segment_ids.retain(|id| segment_ids.contains(id));
            a.exclude_segment_ids.retain(|id| segment_ids.contains(id));
        });
    };
    let missing_note = move || {
        let n = missing();
        (n > 0).then(|| {
            let text = if n == 1 {
                "1 chosen list or segment no longer exists.".to_owned()
            } else {
                format!("{n} chosen lists or segments no longer exist.")
            };
            view! {
                <p data-testid="audience-missing"
                    class="flex flex-wrap items-center gap-2 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800 dark:bg-amber-500/10 dark:text-amber-200">
                    {text}
                    <button type="button" data-testid="audience-drop-missing" class=LINK on:click=drop_missing>
                        "Remove them"
                    </button>
                </p>
            }
        })
    };

    view! {
        <div class="grid items-start gap-6 lg:grid-cols-3">
            <div class="space-y-6 lg:col-span-2">
                {missing_note}
                <fieldset class="space-y-3">
                    <legend class=GROUP_TITLE>"Send to"</legend>
                    <p class=HINT>
                        "Subscribed members of any ticked list and everyone a ticked segment matches. Each address gets the campaign once."
                    </p>
                    {group(Side::Include, lists, segments, audience)}
                </fieldset>
                <fieldset class="space-y-3 border-t border-slate-100 pt-6 dark:border-slate-800">
                    <legend class=GROUP_TITLE>"Don't send to"</legend>
                    <p class=HINT>
                        "Anyone on these lists or in these segments is left out, even when a list or segment above includes them."
                    </p>
                    {group(Side::Exclude, lists, segments, audience)}
                </fieldset>
            </div>
            <RecipientCountBox audience=audience />
        </div>
    }
}

/// One group ("Send to" or "Don't send to"): lists on the left, segments on the right.
fn group(side: Side, lists: Lists, segments: Segments, audience: RwSignal<AudienceSpec>) -> impl IntoView {
    let list_rows = move || {
        lists.get().map(|r| match r {
            Err(e) => load_problem(&e),
            Ok(ls) if ls.is_empty() => match side {
                Side::Include => view! {
                    <p data-testid="audience-no-lists" class=HINT>
                        "No lists yet. "
                        <a href="/lists" class=LINK>"Create a list first"</a>
                        ", then add or import contacts into it."
                    </p>
                }
                .into_any(),
                Side::Exclude => view! { <p class=HINT>"No lists to leave out."</p> }.into_any(),
            },
            Ok(ls) => ls
                .into_iter()
                .map(|l| {
                    let detail = format!("{} subscribed", thousands(l.subscribed));
                    choice_row(Kind::List, side, l.id, l.name, detail, audience)
                })
                .collect_view()
                .into_any(),
        })
    };
    let segment_rows = move || {
        segments.get().map(|r| match r {
            Err(e) => load_problem(&e),
            Ok(ss) if ss.is_empty() => match side {
                Side::Include => view! {
                    <p data-testid="audience-no-segments" class=HINT>
                        "No saved segments. "
                        <a href="/segments/new" class=LINK>"Build a segment"</a>
                        " to send to contacts by their tags, fields or activity."
                    </p>
                }
                .into_any(),
                Side::Exclude => view! { <p class=HINT>"No segments to leave out."</p> }.into_any(),
            },
            Ok(ss) => ss
                .into_iter()
                .map(|s| {
                    let detail = match s.last_count {
                        Some(1) => "1 contact".to_owned(),
                        Some(n) => format!("{} contacts", thousands(n)),
                        None => "not counted yet".to_owned(),
                    };
                    choice_row(Kind::Segment, side, s.id, s.name, detail, audience)
                })
                .collect_view()
                .into_any(),
        })
    };
    let loading = || view! { <p class=HINT>"Loading…"</p> };
    view! {
        <div class="grid gap-5 sm:grid-cols-2">
            <div>
                <h3 class=COLUMN_TITLE>"Lists"</h3>
                <div class="mt-2 max-h-72 space-y-2 overflow-y-auto pr-1">
                    {move || list_rows().unwrap_or_else(|| loading().into_any())}
                </div>
            </div>
            <div>
                <h3 class=COLUMN_TITLE>"Segments"</h3>
                <div class="mt-2 max-h-72 space-y-2 overflow-y-auto pr-1">
                    {move || segment_rows().unwrap_or_else(|| loading().into_any())}
                </div>
            </div>
        </div>
    }
}

/// One checkbox row: name on the left, its size on the right.
fn choice_row(
    kind: Kind,
    side: Side,
    id: i64,
    name: String,
    detail: String,
    audience: RwSignal<AudienceSpec>,
) -> AnyView {
    let checked = move || audience.with(|a| chosen(a, kind, side).contains(&id));
    let row_class = move || {
        let tone = match (checked(), side) {
            (true, Side::Include) => {
                "border-indigo-300 bg-indigo-50/60 dark:border-indigo-500/50 dark:bg-indigo-500/10"
            }
            (true, Side::Exclude) => "border-rose-300 bg-rose-50/60 dark:border-rose-500/50 dark:bg-rose-500/10",
            (false, _) => "border-slate-200 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800/50",
        };
        format!("flex cursor-pointer items-center gap-3 rounded-lg border px-3 py-2 text-sm transition {tone}")
    };
    let check_class = match side {
        Side::Include => "h-4 w-4 shrink-0 rounded border-slate-300 text-indigo-600 dark:border-slate-600",
        Side::Exclude => "h-4 w-4 shrink-0 rounded border-slate-300 text-rose-600 dark:border-slate-600",
    };
    let title = name.clone();
    view! {
        <label class=row_class>
            <input type="checkbox" data-testid=test_id(kind, side, id) class=check_class
                prop:checked=checked
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    audience.update(|a| set_choice(a, kind, side, id, on));
                } />
            <span class="min-w-0 flex-1 truncate font-medium text-slate-800 dark:text-slate-100" title=title>{name}</span>
            <span class="shrink-0 text-xs tabular-nums text-slate-500 dark:text-slate-400">{detail}</span>
        </label>
    }
    .into_any()
}

/// A list or segment load that failed, in place of its rows.
fn load_problem(e: &ApiError) -> AnyView {
    view! { <p class="text-sm text-rose-600 dark:text-rose-400" role="alert">{e.to_string()}</p> }.into_any()
}

/// The live recipient count: what the audience means right now, re-counted after changes.
#[component]
fn RecipientCountBox(audience: RwSignal<AudienceSpec>) -> impl IntoView {
    let result = RwSignal::new(None::<Result<RecipientCount, ApiError>>);
    let counting = RwSignal::new(false);
    // Each change gets a number; only the latest one's answer is shown.
    let generation = StoredValue::new(0u64);
    // Effects run only in the browser, so the timer and the query never run on the server.
    Effect::new(move |_| {
        let current = audience.get();
        let this = generation.get_value() + 1;
        generation.set_value(this);
        if current.is_empty() {
            counting.set(false);
            result.set(None);
            return;
        }
        counting.set(true);
        set_timeout(
            move || {
                if generation.try_get_value() != Some(this) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = count_recipients(current).await;
                    if generation.try_get_value() == Some(this) {
                        let _ = result.try_set(Some(answer));
                        let _ = counting.try_set(false);
                    }
                });
            },
            DEBOUNCE,
        );
    });
    let empty = move || audience.with(AudienceSpec::is_empty);
    let body = move || {
        if empty() {
            return view! {
                <p data-testid="recipient-count-empty" class="text-sm font-medium text-amber-700 dark:text-amber-300">
                    "Choose at least one list or segment"
                </p>
            }
            .into_any();
        }
        match result.get() {
            None => view! { <p class=HINT>"Counting…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <p class="text-sm font-medium text-rose-600 dark:text-rose-400" role="alert">{e.to_string()}</p>
            }
            .into_any(),
            Some(Ok(c)) => {
                let suppressed = (c.matching - c.sendable).max(0);
                view! {
                    <p class="text-2xl font-semibold tabular-nums text-slate-900 dark:text-white"
                        data-testid="recipient-count-sendable">
                        {format!("≈ {}", recipients_phrase(c.sendable))}
                    </p>
                    <p class="mt-1 text-sm tabular-nums text-slate-600 dark:text-slate-300">
                        {format!("{} selected, {} suppressed", thousands(c.matching), thousands(suppressed))}
                    </p>
                }
                .into_any()
            }
        }
    };
    let data_matching = move || result.get().and_then(Result::ok).map(|c| c.matching.to_string()).unwrap_or_default();
    let data_sendable = move || result.get().and_then(Result::ok).map(|c| c.sendable.to_string()).unwrap_or_default();
    view! {
        <aside data-testid="recipient-count" aria-live="polite"
            data-matching=data_matching data-sendable=data_sendable
            data-counting=move || if counting.get() { "true" } else { "false" }
            class="rounded-xl border border-slate-200 bg-slate-50 p-4 dark:border-slate-700 dark:bg-slate-800/40 lg:sticky lg:top-24">
            <div class="flex items-center justify-between gap-3">
                <h3 class=COLUMN_TITLE>"Recipients"</h3>
                <span aria-label="Counting"
                    class="h-4 w-4 animate-spin rounded-full border-2 border-indigo-200 border-t-indigo-600 dark:border-indigo-900 dark:border-t-indigo-400"
                    class:hidden=move || !counting.get()></span>
            </div>
            <div class=move || if counting.get() { "mt-3 opacity-50 transition-opacity" } else { "mt-3 transition-opacity" }>
                {body}
            </div>
            <p class="mt-3 text-xs text-slate-500 dark:text-slate-400">
                "Suppressed addresses (unsubscribed, bounced, complained or blocked) are never sent to."
            </p>
        </aside>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticking_one_side_takes_the_source_off_the_other() {
        let mut a = AudienceSpec::default();
        set_choice(&mut a, Kind::List, Side::Include, 3, true);
        set_choice(&mut a, Kind::List, Side::Include, 3, true);
        assert_eq!(a.list_ids, vec![3]);
        set_choice(&mut a, Kind::List, Side::Exclude, 3, true);
        assert_eq!((a.list_ids.clone(), a.exclude_list_ids.clone()), (vec![], vec![3]));
        set_choice(&mut a, Kind::Segment, Side::Include, 3, true);
        assert_eq!((a.segment_ids.clone(), a.exclude_list_ids.clone()), (vec![3], vec![3]));
        set_choice(&mut a, Kind::Segment, Side::Include, 3, false);
        assert!(a.segment_ids.is_empty());
    }

    #[test]
    fn test_ids_name_side_kind_and_id() {
        assert_eq!(test_id(Kind::List, Side::Include, 4), "audience-list-4");
        assert_eq!(test_id(Kind::Segment, Side::Include, 5), "audience-segment-5");
        assert_eq!(test_id(Kind::List, Side::Exclude, 6), "exclude-list-6");
        assert_eq!(test_id(Kind::Segment, Side::Exclude, 7), "exclude-segment-7");
    }

    #[test]
    fn deleted_sources_are_counted() {
        let a = AudienceSpec {
            list_ids: vec![1, 2],
            segment_ids: vec![9],
            exclude_list_ids: vec![5],
            exclude_segment_ids: vec![],
        };
        assert_eq!(unknown_ids(&a, &[1, 5], &[9]), 1);
        assert_eq!(unknown_ids(&a, &[], &[]), 4);
    }

    #[test]
    fn recipients_read_naturally() {
        assert_eq!(recipients_phrase(1), "1 recipient");
        assert_eq!(recipients_phrase(12_345), "12\u{a0}345 recipients");
    }
}
