//! Custom attribute definitions (a collapsible card on the Lists page): the names segments,
//! merge tags and CSV columns can use, with the type the contact form edits each as.

use leptos::prelude::*;
use model::contacts::{AttributeDefinition, AttributeKind, is_attribute_key};

use super::controls::HINT;
use crate::api::ApiError;
use crate::api::contacts::contacts::{DeleteAttribute, SaveAttribute, list_attributes};
use crate::components::confirm::ConfirmDialog;
use crate::components::field::{SubmitButton, TextField};
use crate::components::toast::use_toasts;
use crate::pages::deliverability::{CARD, Head, TD, card_table, empty_line, load_error};
use crate::pages::mail::widgets::{ROW_ACTION, ROW_DANGER, SECONDARY, SelectField, form_error};

/// How a kind is named in the UI.
fn kind_label(kind: AttributeKind) -> &'static str {
    match kind {
        AttributeKind::Text => "Text",
        AttributeKind::Number => "Number",
        AttributeKind::Date => "Date",
        AttributeKind::Boolean => "Yes/no",
        AttributeKind::List => "Choice from a list",
    }
}

/// Choices typed one per line (or comma-separated), trimmed, each once.
pub fn parse_options(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in raw.split(['\n', ',']).map(str::trim).filter(|o| !o.is_empty()) {
        if !out.iter().any(|x| x == o) {
            out.push(o.to_owned());
        }
    }
    out
}

/// The definition the form describes, or the field that is wrong.
fn definition(key: &str, label: &str, kind: &str, options: &str) -> Result<AttributeDefinition, ApiError> {
    let key = key.trim();
    if !is_attribute_key(key) {
        return Err(ApiError::invalid("key", "Use letters, digits and _ only, up to 64 characters."));
    }
    let kind = AttributeKind::parse(kind).ok_or_else(|| ApiError::invalid("kind", "Choose a type."))?;
    let options = if kind == AttributeKind::List { parse_options(options) } else { Vec::new() };
    if kind == AttributeKind::List && options.is_empty() {
        return Err(ApiError::invalid("options", "A choice attribute needs at least one choice."));
    }
    Ok(AttributeDefinition { key: key.to_owned(), label: label.trim().to_owned(), kind, options })
}

/// The card: definitions, their form, delete.
#[component]
pub fn AttributesCard() -> impl IntoView {
    let toasts = use_toasts();
    let save = ServerAction::<SaveAttribute>::new();
    let delete = ServerAction::<DeleteAttribute>::new();
    let defs = Resource::new(move || (save.version().get(), delete.version().get()), |_| list_attributes());
    let key = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let kind = RwSignal::new(AttributeKind::Text.as_str().to_owned());
    let options = RwSignal::new(String::new());
    let editing = RwSignal::new(false);
    let local_error = RwSignal::new(None::<ApiError>);
    let error = Signal::derive(move || local_error.get().or_else(|| save.value().get().and_then(Result::err)));
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    let reset = move || {
        key.set(String::new());
        label.set(String::new());
        kind.set(AttributeKind::Text.as_str().to_owned());
        options.set(String::new());
        editing.set(false);
        local_error.set(None);
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            toasts.success(format!("Attribute {} saved.", key.get_untracked()));
            reset();
        }
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Attribute definition deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let pending_delete = RwSignal::new(None::<String>);
    let delete_open = RwSignal::new(false);
    let on_edit = Callback::new(move |d: AttributeDefinition| {
        key.set(d.key);
        label.set(d.label);
        kind.set(d.kind.as_str().to_owned());
        options.set(d.options.join("\n"));
        editing.set(true);
        local_error.set(None);
        save.clear();
    });
    let on_delete = Callback::new(move |k: String| {
        pending_delete.set(Some(k));
        delete_open.set(true);
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        match definition(&key.get_untracked(), &label.get_untracked(), &kind.get_untracked(), &options.get_untracked())
        {
            Ok(def) => {
                save.dispatch(SaveAttribute { def });
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    let kinds = Signal::derive(|| {
        AttributeKind::ALL.into_iter().map(|k| (k.as_str().to_owned(), kind_label(k).to_owned())).collect::<Vec<_>>()
    });
    let general = move || {
        error.get().filter(|e| !["key", "options"].iter().any(|f| e.for_field(f).is_some())).map(|e| e.to_string())
    };
    let table = move || {
        defs.get().map(|r| match r {
            Err(e) => load_error(&e),
            Ok(rows) if rows.is_empty() => empty_line("No custom attributes yet. Add one below, such as plan or city."),
            Ok(rows) => definitions_table(rows, on_edit, on_delete),
        })
    };
    view! {
        <details id="attributes-card" class=format!("group {CARD}")>
            <summary class="cursor-pointer list-none text-base font-semibold">
                <span>"Custom attributes"</span>
                <span class="ml-2 text-sm font-normal text-slate-500 group-open:hidden">"Show"</span>
            </summary>
            <p class=format!("mt-1 {HINT}")>"Extra fields on every contact, such as plan or city. Segments filter on them, campaigns insert them, CSV imports fill them; the contact form edits each with an input of its type."</p>
            <Suspense fallback=|| ()>{table}</Suspense>
            <form id="attribute-form" class="mt-5 grid gap-4 border-t border-slate-100 pt-4 sm:grid-cols-2 dark:border-slate-800" on:submit=submit>
                <Show when=move || !editing.get() fallback=move || view! {
                    <p class="text-sm text-slate-600 dark:text-slate-300">"Attribute " <strong class="font-mono">{move || key.get()}</strong></p>
                }>
                    <TextField name="attribute_key" label="Key" value=key autocomplete="off" hint="Letters, digits and _; used in segments, merge tags and CSV headers" error=field("key") />
                </Show>
                <TextField name="attribute_label" label="Label" value=label autocomplete="off" hint="How the contact form names it" error=field("label") />
                <SelectField name="attribute_kind" label="Type" value=kind options=kinds />
                <Show when=move || kind.get() == AttributeKind::List.as_str()>
                    <div class="space-y-1.5">
                        <label for="attribute_options" class="block text-sm font-medium text-slate-700 dark:text-slate-200">"Choices"</label>
                        <textarea id="attribute_options" name="attribute_options" rows="3" bind:value=options placeholder="one per line"
                            class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"></textarea>
                        <p class="field-error text-xs font-medium text-rose-600 dark:text-rose-400">{move || field("options").get().unwrap_or_default()}</p>
                    </div>
                </Show>
                <div class="sm:col-span-2">{move || form_error(general())}</div>
                <div class="flex gap-2 sm:col-span-2">
                    <div class="w-48"><SubmitButton label="Save attribute" pending_label="Saving…" pending=save.pending() /></div>
                    <Show when=move || editing.get()>
                        <button type="button" class=SECONDARY on:click=move |_| reset()>"Cancel"</button>
                    </Show>
                </div>
            </form>
        </details>
        <ConfirmDialog open=delete_open
            title=Signal::derive(move || format!("Delete attribute {}?", pending_delete.get().unwrap_or_default()))
            message="Only the definition goes: values already stored on contacts stay and are shown as plain text."
            on_confirm=Callback::new(move |_| if let Some(key) = pending_delete.get_untracked() {
                delete.dispatch(DeleteAttribute { key });
            }) />
    }
}

/// The definitions as a table.
fn definitions_table(
    rows: Vec<AttributeDefinition>,
    on_edit: Callback<AttributeDefinition>,
    on_delete: Callback<String>,
) -> AnyView {
    let body = rows
        .into_iter()
        .map(|d| {
            let for_edit = d.clone();
            let key = d.key.clone();
            let kind = if d.kind == AttributeKind::List {
                format!("{}: {}", kind_label(d.kind), d.options.join(", "))
            } else {
                kind_label(d.kind).to_owned()
            };
            view! {
                <tr data-key=d.key.clone()>
                    <td class=format!("{TD} font-mono")>{d.key.clone()}</td>
                    <td class=TD>{d.label.clone()}</td>
                    <td class=TD>{kind}</td>
                    <td class=format!("{TD} text-right")>
                        <div class="flex justify-end gap-1 whitespace-nowrap">
                            <button type="button" class=ROW_ACTION data-action="edit" on:click=move |_| on_edit.run(for_edit.clone())>"Edit"</button>
                            <button type="button" class=ROW_DANGER data-action="delete" on:click=move |_| on_delete.run(key.clone())>"Delete"</button>
                        </div>
                    </td>
                </tr>
            }
        })
        .collect_view();
    card_table(
        "attributes-table",
        &[("Key", Head::Left), ("Label", Head::Left), ("Type", Head::Left), ("Actions", Head::ScreenReaderOnly)],
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_read_one_per_line_or_comma() {
        assert_eq!(parse_options("free\n pro ,pro\n\nteam"), ["free", "pro", "team"]);
    }

    #[test]
    fn the_form_is_checked_before_it_is_sent() {
        assert_eq!(definition("bad-key", "", "text", "").map_err(|e| e.for_field("key").is_some()), Err(true));
        assert_eq!(definition("plan", "", "list", " ").map_err(|e| e.for_field("options").is_some()), Err(true));
        let def = definition(" plan ", " Plan ", "list", "free\npro").expect("valid");
        assert_eq!(
            def,
            AttributeDefinition {
                key: "plan".into(),
                label: "Plan".into(),
                kind: AttributeKind::List,
                options: vec!["free".into(), "pro".into()],
            }
        );
        assert!(definition("age", "", "number", "ignored").is_ok_and(|d| d.options.is_empty()));
    }
}
