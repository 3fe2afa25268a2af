//! The segment builder: an AND/OR tree of conditions on list membership, tags, custom
//! attributes, the email domain, dates and engagement, with NOT on any condition or group.
//! It edits a `RwSignal<SegmentFilter>` (the live count and the save read that signal) and
//! explains problems next to the condition they belong to, without asking the server.
//!
//! Used by the segment editor and by the contacts table's filter, so both select the same
//! contacts in the same words.

mod attribute;
mod condition;
mod group;
pub mod kinds;
mod tags;
pub mod tree;
mod value_inputs;

use leptos::prelude::*;
use model::contacts::{AttributeDefinition, SegmentFilter, SegmentProblem};

use self::group::GroupView;
use self::kinds::sentence;
pub use self::kinds::tree_problem;
use self::tree::{EditNode, IdSource};
use crate::api::contacts::contacts::{contact_tags, list_attributes};
use crate::api::contacts::lists::list_lists;

/// What the conditions can pick from (lists, existing tags, attribute definitions), loaded
/// once per builder, plus the key source of its rows.
#[derive(Clone, Copy)]
pub struct BuilderContext {
    /// Keys of new rows.
    pub ids: IdSource,
    /// `(id, name)` of every list.
    pub lists: Signal<Vec<(i64, String)>>,
    /// Every tag in use, for the tag input's suggestions.
    pub tags: Signal<Vec<String>>,
    pub attributes: Signal<Vec<AttributeDefinition>>,
}

/// Inputs and selects inside a condition row (smaller than form fields).
pub const INPUT: &str = "rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";
/// Quiet text buttons of the builder ("+ Condition").
pub const LINK_BUTTON: &str = "rounded-md px-2 py-1 text-xs font-semibold text-indigo-600 hover:bg-indigo-50 disabled:cursor-not-allowed disabled:opacity-40 dark:text-indigo-300 dark:hover:bg-indigo-950";
/// Remove buttons of the builder.
pub const REMOVE_BUTTON: &str =
    "rounded-md px-2 py-1 text-xs font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-rose-950";

/// Edits `filter` in place. The root is always an AND/OR group; a filter set from outside
/// (a loaded segment) replaces what is shown.
#[component]
pub fn SegmentBuilder(filter: RwSignal<SegmentFilter>) -> impl IntoView {
    let ids = IdSource::new();
    let root = EditNode::root(&filter.get_untracked(), ids);
    let lists = LocalResource::new(list_lists);
    let tags = LocalResource::new(contact_tags);
    let attributes = LocalResource::new(list_attributes);
    let ctx = BuilderContext {
        ids,
        lists: Signal::derive(move || {
            lists
                .get()
                .and_then(Result::ok)
                .map(|ls| ls.into_iter().map(|l| (l.id, l.name)).collect::<Vec<(i64, String)>>())
                .unwrap_or_default()
        }),
        tags: Signal::derive(move || {
            tags.get()
                .and_then(Result::ok)
                .map(|ts| ts.into_iter().map(|(t, _)| t).collect::<Vec<String>>())
                .unwrap_or_default()
        }),
        attributes: Signal::derive(move || attributes.get().and_then(Result::ok).unwrap_or_default()),
    };
    let built = Memo::new(move |_| root.to_filter());
    // Edits flow out to `filter`…
    Effect::new(move |_| {
        let next = built.get();
        if filter.with_untracked(|current| *current != next) {
            filter.set(next);
        }
    });
    // …and a filter set from outside flows in (an edit's own echo compares equal).
    Effect::new(move |_| {
        let outside = filter.get();
        if built.with_untracked(|b| *b != outside) {
            root.replace_root(&outside, ids);
        }
    });
    // Problems of one condition show on its row; the limits of the whole tree show here.
    let structure = Memo::new(move |_| {
        filter.with(|f| match f.validate() {
            Err(p @ (SegmentProblem::TooDeep | SegmentProblem::TooManyConditions)) => Some(sentence(&p)),
            _ => None,
        })
    });
    view! {
        <div id="segment-builder" class="space-y-3">
            <GroupView node=root level=1 parent=None ctx=ctx />
            <p id="segment-structure-problem" role="alert" class="text-sm font-medium text-rose-600 dark:text-rose-400"
                class:hidden=move || structure.get().is_none()>
                {move || structure.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// The NOT switch of a condition or group.
fn not_toggle(negated: RwSignal<bool>) -> impl IntoView {
    view! {
        <button type="button" data-testid="toggle-not" title="Match contacts for whom this is NOT true"
            aria-pressed=move || negated.get().to_string()
            class=move || {
                let tone = if negated.get() {
                    "border-rose-500 bg-rose-600 text-white"
                } else {
                    "border-slate-300 text-slate-500 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-400 dark:hover:bg-slate-800"
                };
                format!("rounded-md border px-2 py-1 text-xs font-bold tracking-wide {tone}")
            }
            on:click=move |_| negated.update(|n| *n = !*n)>
            "NOT"
        </button>
    }
}
