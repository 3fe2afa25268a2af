//! The Segments page: every saved segment with its last count, links to edit it and to see
//! its contacts, a re-count, and delete.

use leptos::prelude::*;
use leptos_meta::Title;
use model::contacts::SavedSegment;

use crate::api::contacts::segments::{CountSavedSegment, DeleteSegment, list_segments};
use crate::components::clock::BrowserClock;
use crate::components::confirm::ConfirmDialog;
use crate::components::toast::use_toasts;
use crate::pages::contacts::{contacts_phrase, thousands};
use crate::pages::deliverability::{CARD, Head, TD, card_table, load_error, skeleton};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, ROW_DANGER};

/// What a row's buttons change: which segment is being counted or deleted.
#[derive(Clone, Copy)]
struct RowActions {
    recount: ServerAction<CountSavedSegment>,
    /// The segment whose count is running (its button shows progress).
    counting: RwSignal<Option<i64>>,
    pending_delete: RwSignal<Option<SavedSegment>>,
    delete_open: RwSignal<bool>,
    clock: BrowserClock,
}

/// The Segments page.
#[component]
pub fn SegmentsPage() -> impl IntoView {
    let toasts = use_toasts();
    let clock = BrowserClock::new();
    let delete = ServerAction::<DeleteSegment>::new();
    let recount = ServerAction::<CountSavedSegment>::new();
    let segments = Resource::new(move || (delete.version().get(), recount.version().get()), |_| list_segments());
    let actions = RowActions {
        recount,
        counting: RwSignal::new(None),
        pending_delete: RwSignal::new(None),
        delete_open: RwSignal::new(false),
        clock,
    };
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Segment deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match recount.value().get() {
        Some(Ok(c)) => {
            actions.counting.set(None);
            clock.tick();
            toasts.success(format!("{} match; {} can be sent to.", contacts_phrase(c.matching), thousands(c.sendable)));
        }
        Some(Err(e)) => {
            actions.counting.set(None);
            toasts.report(&e);
        }
        None => {}
    });
    view! {
        <Title text="Segments · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Segments"</h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                        "Saved filters over your contacts. A segment is evaluated each time it is used, so contacts who match later are included."
                    </p>
                </div>
                <a id="new-segment" href="/segments/new" class=PRIMARY>"New segment"</a>
            </div>
            <Transition fallback=skeleton>
                {move || segments.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(list) if list.is_empty() => empty_state(),
                    Ok(list) => segments_table(list, actions),
                })}
            </Transition>
        </div>
        <ConfirmDialog open=actions.delete_open
            title=Signal::derive(move || format!("Delete segment {}?", actions.pending_delete.get().map(|s| s.name).unwrap_or_default()))
            message="The segment's filter is deleted; the contacts it matched are not touched. Campaigns that used it keep the recipients they already had."
            on_confirm=Callback::new(move |_| if let Some(s) = actions.pending_delete.get_untracked() {
                delete.dispatch(DeleteSegment { id: s.id });
            }) />
    }
}

/// No segment yet: what segments are for, and the way to make one.
fn empty_state() -> AnyView {
    view! {
        <section id="segments-empty" class=format!("{CARD} empty-state text-center")>
            <h2 class="text-base font-semibold text-slate-900 dark:text-white">"No segments yet"</h2>
            <p class="mx-auto mt-2 max-w-xl text-sm text-slate-500 dark:text-slate-400">
                "A segment picks contacts by what you know about them: the lists they are on, their tags and attributes, their email domain, when they joined and how they engage. For example: subscribed to Newsletter, tagged vip, and active in the last 90 days. Send a campaign to a segment, or open its contacts to act on them together."
            </p>
            <a href="/segments/new" class=format!("{PRIMARY} mt-4")>"Create your first segment"</a>
        </section>
    }
    .into_any()
}

/// The segments with their counts and row actions.
fn segments_table(list: Vec<SavedSegment>, actions: RowActions) -> AnyView {
    let heading = match list.len() {
        1 => "1 segment".to_owned(),
        n => format!("{n} segments"),
    };
    let rows = list.into_iter().map(|s| segment_row(s, actions)).collect_view();
    view! {
        <section class=CARD>
            <h2 class="text-base font-semibold">{heading}</h2>
            {card_table(
                "segments-table",
                &[
                    ("Segment", Head::Left),
                    ("Contacts", Head::Right),
                    ("Updated (UTC)", Head::Left),
                    ("Actions", Head::ScreenReaderOnly),
                ],
                rows,
            )}
        </section>
    }
    .into_any()
}

/// One segment: name and description, last count and its age, and the actions.
fn segment_row(s: SavedSegment, actions: RowActions) -> impl IntoView {
    let id = s.id;
    let clock = actions.clock;
    let count = s.last_count.map(thousands).unwrap_or_else(|| "—".to_owned());
    let counted = s.counted_at.map(|at| {
        move || match clock.ago(&at) {
            Some(ago) => format!("counted {ago}"),
            None => format!("counted {} UTC", format::timestamp(&at)),
        }
    });
    let counted_label = match counted {
        Some(text) => view! { <span>{text}</span> }.into_any(),
        None => view! { <span>"not counted yet"</span> }.into_any(),
    };
    let for_delete = s.clone();
    let description = (!s.description.is_empty()).then(|| {
        view! { <div class="mt-0.5 max-w-md truncate text-xs text-slate-500 dark:text-slate-400">{s.description.clone()}</div> }
    });
    view! {
        <tr data-segment=id.to_string()>
            <td class=TD>
                <a href=format!("/segments/{id}") class="segment-name font-medium text-indigo-600 hover:underline dark:text-indigo-300">{s.name.clone()}</a>
                {description}
            </td>
            <td class=format!("{TD} text-right")>
                <div class="segment-count font-medium tabular-nums text-slate-900 dark:text-white">{count}</div>
                <div class="text-xs text-slate-500 dark:text-slate-400">{counted_label}</div>
            </td>
            <td class=format!("{TD} whitespace-nowrap")>{format::timestamp(&s.updated_at)}</td>
            <td class=format!("{TD} text-right")>
                <div class="flex justify-end gap-1 whitespace-nowrap">
                    <a class=ROW_ACTION data-action="contacts" href=format!("/contacts?segment={id}")>"View contacts"</a>
                    <button type="button" class=ROW_ACTION data-action="recount"
                        disabled=move || actions.counting.get() == Some(id)
                        on:click=move |_| {
                            actions.counting.set(Some(id));
                            actions.recount.dispatch(CountSavedSegment { id });
                        }>
                        {move || if actions.counting.get() == Some(id) { "Counting…" } else { "Refresh count" }}
                    </button>
                    <button type="button" class=ROW_DANGER data-action="delete" on:click=move |_| {
                        actions.pending_delete.set(Some(for_delete.clone()));
                        actions.delete_open.set(true);
                    }>"Delete"</button>
                </div>
            </td>
        </tr>
    }
}
