//! A group of the builder: AND/OR of its children, NOT, and the buttons that add a condition
//! or a nested group.

use leptos::prelude::*;
use model::contacts::segment::MAX_DEPTH;

use super::condition::ConditionRow;
use super::kinds::ConditionKind;
use super::tree::{EditBody, EditNode};
use super::{BuilderContext, LINK_BUTTON, REMOVE_BUTTON, not_toggle};

/// One group and, recursively, its children. `level` is its nesting depth (the root is 1);
/// `parent` is `None` for the root, which can be neither negated nor removed.
#[component]
pub fn GroupView(
    node: EditNode,
    level: usize,
    parent: Option<RwSignal<Vec<EditNode>>>,
    ctx: BuilderContext,
) -> impl IntoView {
    let EditBody::Group { any, children: kids } = node.body else {
        return ().into_any();
    };
    let id = node.id;
    // A nested group adds a level, and its first condition another.
    let cannot_nest = level + 2 > MAX_DEPTH;
    let nest_title = if cannot_nest { "Groups may be nested at most 8 levels deep" } else { "Add a nested group" };
    let child_level = level + 1;
    let add_condition = move |_: leptos::ev::MouseEvent| {
        let child = EditNode::condition(starter(ctx), ctx.ids);
        kids.update(|v| v.push(child));
    };
    let add_group = move |_: leptos::ev::MouseEvent| {
        let first = EditNode::condition(starter(ctx), ctx.ids);
        // The usual reason to nest is the other combinator: (A AND (B OR C)).
        let group = EditNode::group(!any.get_untracked(), vec![first], ctx.ids);
        kids.update(|v| v.push(group));
    };
    let row = move |child: EditNode| -> AnyView {
        match child.body {
            EditBody::Group { .. } => {
                view! { <GroupView node=child level=child_level parent=Some(kids) ctx=ctx /> }.into_any()
            }
            EditBody::Condition(_) => view! { <ConditionRow node=child parent=kids ctx=ctx /> }.into_any(),
        }
    };
    let remove = parent.map(|p| {
        view! {
            <button type="button" class=REMOVE_BUTTON data-testid="remove-group"
                on:click=move |_| p.update(|v| v.retain(|n| n.id != id))>"Remove group"</button>
        }
    });
    let frame = if level == 1 {
        "segment-group space-y-3"
    } else {
        "segment-group space-y-3 rounded-xl border border-slate-200 bg-slate-50/70 p-3 dark:border-slate-700 dark:bg-slate-800/40"
    };
    view! {
        <div class=frame data-testid="segment-group" data-level=level.to_string()>
            <div class="flex flex-wrap items-center gap-2 text-sm">
                {parent.map(|_| not_toggle(node.negated))}
                <span class="text-slate-600 dark:text-slate-300">"Contacts matching"</span>
                <div class="inline-flex overflow-hidden rounded-lg border border-slate-300 dark:border-slate-600" role="group"
                    aria-label="How the conditions combine">
                    <button type="button" data-testid="group-and" aria-pressed=move || (!any.get()).to_string()
                        class=move || combinator_class(!any.get()) on:click=move |_| any.set(false)>"ALL"</button>
                    <button type="button" data-testid="group-or" aria-pressed=move || any.get().to_string()
                        class=move || combinator_class(any.get()) on:click=move |_| any.set(true)>"ANY"</button>
                </div>
                <span class="text-slate-600 dark:text-slate-300">"of these conditions"</span>
                <span class="flex-1"></span>
                {remove}
            </div>
            <div class="space-y-2 border-l-2 border-indigo-200 pl-3 dark:border-indigo-500/30">
                <For each=move || kids.get() key=|n: &EditNode| n.id children=row />
                <p class="empty-group text-sm text-amber-700 dark:text-amber-300" class:hidden=move || !kids.with(Vec::is_empty)>
                    "Add a condition: an empty group matches no one."
                </p>
            </div>
            <div class="flex flex-wrap gap-2">
                <button type="button" class=LINK_BUTTON data-testid="add-condition" on:click=add_condition>"+ Condition"</button>
                <button type="button" class=LINK_BUTTON data-testid="add-group" disabled=cannot_nest
                    title=nest_title on:click=add_group>"+ Group"</button>
            </div>
        </div>
    }
    .into_any()
}

/// The new condition a button adds: the first list's subscribers when a list exists,
/// otherwise a tag condition.
fn starter(ctx: BuilderContext) -> model::contacts::SegmentFilter {
    let first_list = ctx.lists.with_untracked(|lists| lists.first().map(|(id, _)| *id));
    let kind = if first_list.is_some() { ConditionKind::List } else { ConditionKind::Tags };
    kind.starter(first_list, None)
}

/// The AND/OR buttons: the chosen one filled.
fn combinator_class(chosen: bool) -> &'static str {
    if chosen {
        "bg-indigo-600 px-3 py-1 text-xs font-semibold text-white"
    } else {
        "px-3 py-1 text-xs font-semibold text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
    }
}
