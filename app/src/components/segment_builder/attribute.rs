//! A custom-attribute condition: the attribute (a defined one, or any key typed by hand with
//! its type), an operator that fits the type, and a typed value.

use leptos::prelude::*;
use model::contacts::{AttributeKind, AttributeOp, SegmentFilter};

use super::kinds::{attribute_value, kind_of_value, op_key, op_label, ops_for, parse_op, value_text};
use super::value_inputs::value_input;
use super::{BuilderContext, INPUT};

/// The select value of "a key that has no definition".
const OTHER: &str = "__other__";

/// Edits an `Attribute` condition through local inputs and writes the typed condition back
/// on every change.
#[component]
pub fn AttributeEditor(leaf: RwSignal<SegmentFilter>, ctx: BuilderContext) -> impl IntoView {
    let (key0, op0, value0) = leaf.with_untracked(|f| match f {
        SegmentFilter::Attribute { key, op, value } => (key.clone(), *op, value.clone()),
        _ => (String::new(), AttributeOp::Exists, None),
    });
    let key = RwSignal::new(key0);
    // Chose "Other attribute…" (a key typed by hand).
    let typing = RwSignal::new(false);
    let free_kind = RwSignal::new(kind_of_value(value0.as_ref()));
    let op = RwSignal::new(op0);
    let raw = RwSignal::new(value_text(value0.as_ref()));
    let definition = Memo::new(move |_| {
        let k = key.get();
        ctx.attributes.with(|defs| defs.iter().find(|d| d.key == k).cloned())
    });
    let kind = Memo::new(move |_| definition.with(|d| d.as_ref().map(|d| d.kind)).unwrap_or_else(|| free_kind.get()));
    let choices = Memo::new(move |_| definition.with(|d| d.as_ref().map(|d| d.options.clone()).unwrap_or_default()));
    // A key without a definition (typed, or saved before its definition was removed) is shown
    // in the text input rather than the select.
    let free = move || typing.get() || (definition.with(Option::is_none) && !key.with(String::is_empty));
    // An operator the new type does not have falls back to the type's first.
    Effect::new(move |_| {
        let allowed = ops_for(kind.get());
        if !allowed.contains(&op.get_untracked())
            && let Some(first) = allowed.first()
        {
            op.set(*first);
        }
    });
    Effect::new(move |_| {
        let next = SegmentFilter::Attribute {
            key: key.get().trim().to_owned(),
            op: op.get(),
            value: attribute_value(kind.get(), op.get(), &raw.get()),
        };
        if leaf.with_untracked(|current| *current != next) {
            leaf.set(next);
        }
    });
    let pick_key = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        if chosen == OTHER {
            typing.set(true);
            key.set(String::new());
        } else {
            typing.set(false);
            key.set(chosen);
        }
    };
    let key_options = move || {
        // Only a change of the definitions redraws the options; the choice itself is the prop.
        let current = untrack(move || if free() { OTHER.to_owned() } else { key.get() });
        let none = current.is_empty();
        let other = current == OTHER;
        let defined = ctx
            .attributes
            .get()
            .into_iter()
            .map(|d| {
                let selected = d.key == current;
                let label = if d.label.is_empty() { d.key.clone() } else { format!("{} ({})", d.label, d.key) };
                view! { <option value=d.key selected=selected>{label}</option> }
            })
            .collect_view();
        view! {
            <option value="" selected=none>"Choose an attribute…"</option>
            {defined}
            <option value=OTHER selected=other>"Other attribute…"</option>
        }
    };
    let op_options = move || {
        let k = kind.get();
        let current = op.get_untracked();
        ops_for(k)
            .iter()
            .map(|o| {
                let selected = *o == current;
                view! { <option value=op_key(*o) selected=selected>{op_label(k, *o)}</option> }
            })
            .collect_view()
    };
    let free_kinds = [AttributeKind::Text, AttributeKind::Number, AttributeKind::Date, AttributeKind::Boolean];
    let kind_select = move || {
        let current = free_kind.get_untracked();
        let options = free_kinds
            .into_iter()
            .map(|k| {
                let selected = k == current;
                view! { <option value=k.as_str() selected=selected>{k.as_str()}</option> }
            })
            .collect_view();
        view! {
            <select class=INPUT data-testid="condition-attribute-kind" aria-label="Type of the attribute"
                prop:value=move || free_kind.get().as_str().to_owned()
                on:change=move |ev| free_kind.set(AttributeKind::parse(&event_target_value(&ev)).unwrap_or(AttributeKind::Text))>
                {options}
            </select>
        }
    };
    view! {
        <select class=INPUT data-testid="condition-attribute" aria-label="Attribute"
            prop:value=move || if free() { OTHER.to_owned() } else { key.get() } on:change=pick_key>
            {key_options}
        </select>
        <Show when=free>
            <input type="text" class=format!("{INPUT} w-36 font-mono") data-testid="condition-attribute-key"
                placeholder="attribute_name" aria-label="Attribute name" bind:value=key />
            {kind_select}
        </Show>
        <select class=INPUT data-testid="condition-operator" aria-label="Comparison"
            prop:value=move || op_key(op.get()).to_owned()
            on:change=move |ev| {
                if let Some(chosen) = parse_op(&event_target_value(&ev)) {
                    op.set(chosen);
                }
            }>
            {op_options}
        </select>
        {move || value_input(kind.get(), op.get(), raw, choices.get())}
    }
}
