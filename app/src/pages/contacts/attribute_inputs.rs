//! Custom attributes on the contact form: one input per defined attribute, typed by its
//! kind (text, number, date, yes/no, choice), and plain text boxes for keys nobody defined.

use leptos::prelude::*;
use model::contacts::{AttributeDefinition, AttributeKind};
use serde_json::{Map, Value};

use super::controls::{CHECKBOX, INPUT, LABEL, SELECT};

/// One attribute being edited; `raw` is what the input holds ("" = not set).
#[derive(Clone)]
pub struct AttrField {
    pub key: String,
    pub label: String,
    /// `None` for a key stored on the contact but not defined: edited as text.
    pub kind: Option<AttributeKind>,
    pub options: Vec<String>,
    pub raw: RwSignal<String>,
    /// The stored value, kept as it is when an undefined key's text is not touched.
    pub original: Option<Value>,
    pub error: RwSignal<Option<String>>,
}

/// A stored value as the input shows it.
pub fn display_value(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    }
}

/// Fields for the defined attributes (in definition order), then the other stored keys.
pub fn attr_fields(definitions: &[AttributeDefinition], stored: &Map<String, Value>) -> Vec<AttrField> {
    let field = |key: &str, label: &str, kind: Option<AttributeKind>, options: Vec<String>| AttrField {
        key: key.to_owned(),
        label: label.to_owned(),
        kind,
        options,
        raw: RwSignal::new(display_value(stored.get(key))),
        original: stored.get(key).cloned(),
        error: RwSignal::new(None),
    };
    let mut out: Vec<AttrField> = definitions
        .iter()
        .map(|d| {
            let label = if d.label.is_empty() { d.key.as_str() } else { d.label.as_str() };
            field(d.key.as_str(), label, Some(d.kind), d.options.clone())
        })
        .collect();
    let mut extra: Vec<&String> = stored.keys().filter(|k| !definitions.iter().any(|d| d.key == **k)).collect();
    extra.sort();
    out.extend(extra.into_iter().map(|k| field(k.as_str(), k.as_str(), None, Vec::new())));
    out
}

/// Converts one field to its stored value: `Ok(None)` = not set, `Err` = the reason.
pub fn field_value(
    kind: Option<AttributeKind>,
    options: &[String],
    raw: &str,
    original: Option<&Value>,
) -> Result<Option<Value>, String> {
    match kind {
        Some(kind) => kind.parse_value(raw, options),
        // An untouched undefined key keeps its stored JSON type.
        None if raw == display_value(original) => Ok(original.cloned()),
        None if raw.trim().is_empty() => Ok(None),
        None => Ok(Some(Value::String(raw.trim().to_owned()))),
    }
}

/// The attributes object to send, or `None` after marking the fields that cannot be read.
pub fn collect_attributes(fields: &[AttrField]) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    let mut ok = true;
    for f in fields {
        match field_value(f.kind, &f.options, &f.raw.get_untracked(), f.original.as_ref()) {
            Ok(value) => {
                f.error.set(None);
                if let Some(v) = value {
                    out.insert(f.key.clone(), v);
                }
            }
            Err(e) => {
                f.error.set(Some(e));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// The inputs, two per row on wide screens.
#[component]
pub fn AttributeInputs(fields: Vec<AttrField>) -> impl IntoView {
    if fields.is_empty() {
        return view! {
            <p class="text-sm text-slate-500 dark:text-slate-400">"No custom attributes. Define some on the Lists page."</p>
        }
        .into_any();
    }
    view! {
        <div class="grid gap-4 sm:grid-cols-2" id="contact-attributes">
            {fields.into_iter().map(attribute_input).collect_view()}
        </div>
    }
    .into_any()
}

/// One labelled input of the right type.
fn attribute_input(f: AttrField) -> AnyView {
    let id = format!("attr-{}", f.key);
    let raw = f.raw;
    let error = f.error;
    let input = match f.kind {
        Some(AttributeKind::Boolean) => view! {
            <input type="checkbox" id=id.clone() data-key=f.key.clone() class=CHECKBOX
                prop:checked=move || raw.get() == "true"
                on:change=move |ev| raw.set(event_target_checked(&ev).to_string()) />
        }
        .into_any(),
        Some(AttributeKind::List) => {
            let options = f.options;
            view! {
                <select id=id.clone() data-key=f.key.clone() class=format!("block w-full {SELECT}")
                    prop:value=move || raw.get() on:change=move |ev| raw.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {options.into_iter().map(|o| {
                        let selected = raw.get_untracked() == o;
                        let value = o.clone();
                        view! { <option value=value selected=selected>{o}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        kind => {
            let input_type = match kind {
                Some(AttributeKind::Number) => "number",
                Some(AttributeKind::Date) => "date",
                _ => "text",
            };
            view! {
                <input type=input_type id=id.clone() data-key=f.key.clone() class=INPUT step="any" bind:value=raw />
            }
            .into_any()
        }
    };
    let hint = match f.kind {
        None => Some("Not a defined attribute: kept as text"),
        Some(AttributeKind::Boolean) => Some("Ticked = yes"),
        _ => None,
    };
    view! {
        <div class="space-y-1.5">
            <label for=id class=LABEL>{f.label} <span class="ml-1 font-mono text-xs font-normal text-slate-400">{f.key}</span></label>
            {input}
            {hint.map(|h| view! { <p class="text-xs text-slate-500 dark:text-slate-400">{h}</p> })}
            <p class="field-error text-xs font-medium text-rose-600 dark:text-rose-400" class:hidden=move || error.get().is_none()>
                {move || error.get().unwrap_or_default()}
            </p>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defined_attributes_are_typed_and_undefined_ones_kept() {
        assert_eq!(field_value(Some(AttributeKind::Number), &[], "42", None), Ok(Some(json!(42))));
        assert!(field_value(Some(AttributeKind::Number), &[], "lots", None).is_err());
        assert_eq!(field_value(Some(AttributeKind::Boolean), &[], "", None), Ok(None));
        // An untouched undefined key keeps its JSON type; an edited one becomes text.
        let stored = json!([1, 2]);
        assert_eq!(field_value(None, &[], "[1,2]", Some(&stored)), Ok(Some(stored.clone())));
        assert_eq!(field_value(None, &[], "three", Some(&stored)), Ok(Some(json!("three"))));
        assert_eq!(field_value(None, &[], " ", Some(&stored)), Ok(None));
    }

    #[test]
    fn stored_values_are_shown_as_the_inputs_expect() {
        assert_eq!(display_value(Some(&json!("2026-01-31"))), "2026-01-31");
        assert_eq!(display_value(Some(&json!(true))), "true");
        assert_eq!(display_value(Some(&json!(4.5))), "4.5");
        assert_eq!(display_value(None), "");
    }
}
