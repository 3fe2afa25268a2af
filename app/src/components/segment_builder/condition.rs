//! One condition row: NOT, the kind select, the kind's own inputs, remove, and the
//! condition's problem in words. The simple editors (list, domain, campaigns) are here; tags,
//! attributes and time windows have their own files.

use leptos::prelude::*;
use model::contacts::{ListStatus, SegmentFilter};

use super::attribute::AttributeEditor;
use super::kinds::{ConditionKind, leaf_problem, split_domains};
use super::tags::tags_editor;
use super::tree::{EditBody, EditNode};
use super::value_inputs::WindowEditor;
use super::{BuilderContext, INPUT, REMOVE_BUTTON, not_toggle};

/// A leaf condition of a group (`parent` is that group's children).
#[component]
pub fn ConditionRow(node: EditNode, parent: RwSignal<Vec<EditNode>>, ctx: BuilderContext) -> impl IntoView {
    let EditBody::Condition(leaf) = node.body else {
        return ().into_any();
    };
    let id = node.id;
    let kind = Memo::new(move |_| leaf.with(ConditionKind::of));
    let problem = Memo::new(move |_| leaf.with(leaf_problem));
    let initial = kind.get_untracked();
    let change_kind = move |ev: leptos::ev::Event| {
        if let Some(next) = ConditionKind::parse(&event_target_value(&ev))
            && kind.get_untracked() != Some(next)
        {
            let first_list = ctx.lists.with_untracked(|l| l.first().map(|(id, _)| *id));
            let first_attribute = ctx.attributes.with_untracked(|a| a.first().cloned());
            leaf.set(next.starter(first_list, first_attribute.as_ref()));
        }
    };
    let options = ConditionKind::ALL
        .into_iter()
        .map(|k| {
            let selected = initial == Some(k);
            view! { <option value=k.as_str() selected=selected>{k.label()}</option> }
        })
        .collect_view();
    let editor = move || kind.get().map(|k| editor_for(k, leaf, ctx, id));
    view! {
        <div class="segment-condition rounded-lg border border-slate-200 bg-white p-2.5 dark:border-slate-700 dark:bg-slate-900"
            data-testid="segment-condition">
            <div class="flex flex-wrap items-center gap-2">
                {not_toggle(node.negated)}
                <select class=INPUT data-testid="condition-kind" aria-label="Condition"
                    prop:value=move || kind.get().map(ConditionKind::as_str).unwrap_or_default().to_owned()
                    on:change=change_kind>
                    {options}
                </select>
                {editor}
                <span class="flex-1"></span>
                <button type="button" class=REMOVE_BUTTON data-testid="remove-condition" aria-label="Remove condition"
                    on:click=move |_| parent.update(|v| v.retain(|n| n.id != id))>"Remove"</button>
            </div>
            <p class="condition-problem mt-1.5 text-xs font-medium text-rose-600 dark:text-rose-400"
                class:hidden=move || problem.get().is_none()>
                {move || problem.get().unwrap_or_default()}
            </p>
        </div>
    }
    .into_any()
}

/// The inputs of one kind of condition.
fn editor_for(kind: ConditionKind, leaf: RwSignal<SegmentFilter>, ctx: BuilderContext, id: u64) -> AnyView {
    match kind {
        ConditionKind::List => list_editor(leaf, ctx),
        ConditionKind::Tags => tags_editor(leaf, ctx, id),
        ConditionKind::Attribute => view! { <AttributeEditor leaf=leaf ctx=ctx /> }.into_any(),
        ConditionKind::Domain => domain_editor(leaf),
        ConditionKind::Created | ConditionKind::LastActivity => view! { <WindowEditor leaf=leaf /> }.into_any(),
        ConditionKind::Opened => campaigns_editor(leaf),
        ConditionKind::NeverClicked => hint("has never clicked a link in a campaign"),
        ConditionKind::HardBounced => hint("an earlier message bounced permanently"),
    }
}

/// A kind without inputs says what it means instead.
fn hint(text: &'static str) -> AnyView {
    view! { <span class="text-sm text-slate-500 dark:text-slate-400">{text}</span> }.into_any()
}

/// The list and the status on it (any status when none is chosen).
fn list_editor(leaf: RwSignal<SegmentFilter>, ctx: BuilderContext) -> AnyView {
    let current = move || {
        leaf.with(|f| match f {
            SegmentFilter::OnList { list_id, status } => (*list_id, *status),
            _ => (0, None),
        })
    };
    let (list0, status0) = leaf.with_untracked(|f| match f {
        SegmentFilter::OnList { list_id, status } => (*list_id, *status),
        _ => (0, None),
    });
    let set_list = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev).parse::<i64>().unwrap_or(0);
        leaf.update(|f| {
            if let SegmentFilter::OnList { list_id, .. } = f {
                *list_id = chosen;
            }
        });
    };
    let set_status = move |ev: leptos::ev::Event| {
        let chosen = ListStatus::parse(&event_target_value(&ev));
        leaf.update(|f| {
            if let SegmentFilter::OnList { status, .. } = f {
                *status = chosen;
            }
        });
    };
    let list_options = move || {
        let lists = ctx.lists.get();
        // A list deleted since the segment was saved stays visible, so the admin sees why it matches no one.
        let missing = (list0 > 0 && !lists.iter().any(|(id, _)| *id == list0)).then(
            || view! { <option value=list0.to_string() selected=true>{format!("Deleted list #{list0}")}</option> },
        );
        let known = lists
            .into_iter()
            .map(|(id, name)| {
                let selected = id == list0;
                view! { <option value=id.to_string() selected=selected>{name}</option> }
            })
            .collect_view();
        (missing, known)
    };
    let statuses = [
        ("", "with any status"),
        ("subscribed", "subscribed"),
        ("unconfirmed", "unconfirmed"),
        ("unsubscribed", "unsubscribed"),
    ];
    let status_now = status0.map(ListStatus::as_str).unwrap_or_default();
    let none_chosen = list0 == 0;
    view! {
        <span class="text-sm text-slate-600 dark:text-slate-300">"is on"</span>
        <select class=INPUT data-testid="condition-list" aria-label="List"
            prop:value=move || current().0.to_string() on:change=set_list>
            <option value="0" selected=none_chosen>"Choose a list…"</option>
            {list_options}
        </select>
        <select class=INPUT data-testid="condition-list-status" aria-label="Status on the list"
            prop:value=move || current().1.map(ListStatus::as_str).unwrap_or_default().to_owned() on:change=set_status>
            {statuses.into_iter().map(|(v, l)| {
                let selected = v == status_now;
                view! { <option value=v selected=selected>{l}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}

/// Email domains, comma-separated.
fn domain_editor(leaf: RwSignal<SegmentFilter>) -> AnyView {
    let initial = leaf.with_untracked(|f| match f {
        SegmentFilter::EmailDomain(domains) => domains.join(", "),
        _ => String::new(),
    });
    view! {
        <span class="text-sm text-slate-600 dark:text-slate-300">"is at"</span>
        <input type="text" class=format!("{INPUT} min-w-64") data-testid="condition-domains" value=initial
            placeholder="gmail.com, yahoo.com" aria-label="Email domains, separated by commas"
            on:input=move |ev| leaf.set(SegmentFilter::EmailDomain(split_domains(&event_target_value(&ev)))) />
    }
    .into_any()
}

/// "opened at least one of the last N campaigns".
fn campaigns_editor(leaf: RwSignal<SegmentFilter>) -> AnyView {
    let initial = leaf.with_untracked(|f| match f {
        SegmentFilter::OpenedAnyOfLast { campaigns } => *campaigns,
        _ => 5,
    });
    view! {
        <span class="text-sm text-slate-600 dark:text-slate-300">"opened at least one of the last"</span>
        <input type="number" min="1" max="1000" class=format!("{INPUT} w-24") data-testid="condition-campaigns"
            value=initial.to_string() aria-label="Number of campaigns"
            on:input=move |ev| {
                let campaigns = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                leaf.set(SegmentFilter::OpenedAnyOfLast { campaigns });
            } />
        <span class="text-sm text-slate-600 dark:text-slate-300">"campaigns sent to them"</span>
    }
    .into_any()
}
