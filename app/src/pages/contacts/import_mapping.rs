//! Step 2 of an import: where each column goes (ignored, email, name, tags, or a custom
//! attribute of a type), which lists the contacts join with which status, whether existing
//! contacts are overwritten, and tags for everyone. Mapping problems are said before the start.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use model::contacts::{
    AttributeDefinition, AttributeKind, ColumnTarget, ImportPreview, ImportSettings, ListStatus, normalize_tag,
};

use crate::api::contacts::contacts::list_attributes;
use crate::api::contacts::imports::StartImport;
use crate::api::contacts::lists::list_lists;
use crate::components::field::TextField;
use crate::pages::deliverability::{CARD, Head, TD, card_table};
use crate::pages::format;
use crate::pages::mail::widgets::{CheckField, PRIMARY, SECONDARY, SelectField, form_error};

/// How many values of each column the table shows.
const SAMPLES: usize = 5;
/// The selects of this form.
const SELECT: &str = "rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900";

/// The admin's choice for one column.
#[derive(Clone, Copy)]
struct ColumnChoice {
    /// `ignore`, `email`, `name`, `tags` or `attribute`.
    target: RwSignal<String>,
    key: RwSignal<String>,
    kind: RwSignal<AttributeKind>,
}

impl ColumnChoice {
    /// Starts from the server's suggestion; an attribute key defaults to the header's name.
    fn new(suggested: &ColumnTarget, header: &str) -> Self {
        let (target, key, kind) = match suggested {
            ColumnTarget::Ignore => ("ignore", attribute_key(header), AttributeKind::Text),
            ColumnTarget::Email => ("email", attribute_key(header), AttributeKind::Text),
            ColumnTarget::Name => ("name", attribute_key(header), AttributeKind::Text),
            ColumnTarget::Tags => ("tags", attribute_key(header), AttributeKind::Text),
            ColumnTarget::Attribute { key, kind } => ("attribute", key.clone(), *kind),
        };
        Self { target: RwSignal::new(target.to_owned()), key: RwSignal::new(key), kind: RwSignal::new(kind) }
    }

    /// The target as the settings carry it (tracked).
    fn to_target(self) -> ColumnTarget {
        match self.target.get().as_str() {
            "email" => ColumnTarget::Email,
            "name" => ColumnTarget::Name,
            "tags" => ColumnTarget::Tags,
            "attribute" => ColumnTarget::Attribute { key: self.key.get().trim().to_owned(), kind: self.kind.get() },
            _ => ColumnTarget::Ignore,
        }
    }
}

/// "First Name" → "first_name": a header as an attribute name.
pub fn attribute_key(header: &str) -> String {
    let key: String =
        header.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    key.trim_matches('_').chars().take(64).collect()
}

/// "map exactly one column to Email" → "Map exactly one column to Email.".
fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| format!("{}{}.", c.to_uppercase(), chars.as_str())).unwrap_or_default()
}

/// The mapping form for an uploaded file; `on_restart` goes back to choosing a file.
#[component]
pub fn MappingForm(preview: ImportPreview, on_restart: Callback<()>) -> impl IntoView {
    let navigate = use_navigate();
    let import_id = preview.import_id;
    let columns = StoredValue::new(
        preview
            .header
            .iter()
            .enumerate()
            .map(|(i, h)| ColumnChoice::new(preview.suggested.get(i).unwrap_or(&ColumnTarget::Ignore), h))
            .collect::<Vec<_>>(),
    );
    let lists = LocalResource::new(list_lists);
    let defined = LocalResource::new(list_attributes);
    let definitions = Signal::derive(move || defined.get().and_then(Result::ok).unwrap_or_default());
    let chosen_lists = RwSignal::new(Vec::<i64>::new());
    let status = RwSignal::new("subscribed".to_owned());
    let overwrite = RwSignal::new(false);
    let tags = RwSignal::new(String::new());
    let settings = move || ImportSettings {
        columns: columns.with_value(|cols| cols.iter().copied().map(ColumnChoice::to_target).collect()),
        list_ids: chosen_lists.get(),
        status: ListStatus::parse(&status.get()).unwrap_or(ListStatus::Subscribed),
        overwrite: overwrite.get(),
        tags: tags.get().split(',').filter_map(normalize_tag).collect(),
    };
    let problem = Memo::new(move |_| settings().check().err().map(|e| sentence(&e)));
    let start = ServerAction::<StartImport>::new();
    Effect::new(move |_| {
        if let Some(Ok(job)) = start.value().get() {
            navigate(&format!("/contacts/import/{}", job.id), Default::default());
        }
    });
    let error = move || problem.get().or_else(|| start.value().get().and_then(Result::err).map(|e| e.to_string()));
    let statuses = Signal::derive(|| {
        vec![
            ("subscribed".to_owned(), "Subscribed".to_owned()),
            ("unconfirmed".to_owned(), "Unconfirmed (waiting for double opt-in)".to_owned()),
            ("unsubscribed".to_owned(), "Unsubscribed".to_owned()),
        ]
    });
    let rows = columns
        .get_value()
        .into_iter()
        .enumerate()
        .map(|(i, choice)| {
            let header = preview.header.get(i).cloned().unwrap_or_default();
            let samples: Vec<String> =
                preview.rows.iter().take(SAMPLES).map(|r| r.get(i).cloned().unwrap_or_default()).collect();
            column_row(i, header, samples, choice, definitions)
        })
        .collect_view();
    let delimiter = match preview.delimiter {
        ',' => "comma",
        ';' => "semicolon",
        '\t' => "tab",
        '|' => "pipe",
        _ => "other",
    };
    let summary = format!(
        "{} · {} · {} columns, separated by {delimiter}",
        preview.file_name,
        format::bytes(preview.size_bytes),
        preview.header.len()
    );
    let list_boxes = move || {
        let all = lists.get().and_then(Result::ok).unwrap_or_default();
        if all.is_empty() {
            return view! { <p class="text-sm text-slate-500 dark:text-slate-400">"No lists yet: contacts are imported without a list."</p> }.into_any();
        }
        all.into_iter()
            .map(|l| {
                let id = l.id;
                view! {
                    <label class="flex items-center gap-2 text-sm">
                        <input type="checkbox" class="import-list h-4 w-4 rounded border-slate-300 text-indigo-600 dark:border-slate-600"
                            data-list=id.to_string()
                            prop:checked=move || chosen_lists.with(|c| c.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen_lists.update(|c| {
                                    c.retain(|x| *x != id);
                                    if on {
                                        c.push(id);
                                    }
                                });
                            } />
                        <span>{l.name}</span>
                    </label>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section id="import-mapping" class=format!("{CARD} space-y-4")>
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div>
                    <h2 class="text-base font-semibold">"2. Map the columns"</h2>
                    <p id="import-file-summary" class="mt-1 text-sm text-slate-500 dark:text-slate-400">{summary}</p>
                </div>
                <button type="button" id="choose-another-file" class=SECONDARY on:click=move |_| on_restart.run(())>"Choose another file"</button>
            </div>
            {card_table(
                "mapping-table",
                &[("Column", Head::Left), ("First values", Head::Left), ("Import as", Head::Left)],
                rows,
            )}
            <datalist id="attribute-keys">
                {move || definitions.get().into_iter().map(|d| view! { <option value=d.key>{d.label}</option> }).collect_view()}
            </datalist>
        </section>
        <section id="import-options" class=format!("{CARD} space-y-5")>
            <h2 class="text-base font-semibold">"3. Options"</h2>
            <fieldset class="space-y-2">
                <legend class="text-sm font-medium text-slate-700 dark:text-slate-200">"Add the contacts to these lists"</legend>
                <div id="import-lists" class="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">{list_boxes}</div>
            </fieldset>
            <div class="grid gap-4 sm:grid-cols-2">
                <SelectField name="import-status" label="Status on those lists" value=status options=statuses />
                <TextField name="import-tags" label="Tags to add (optional)" value=tags autocomplete="off"
                    hint="Comma-separated; added to every imported contact" error=Signal::derive(|| None::<String>) />
            </div>
            <CheckField name="import-overwrite" label="Overwrite existing contacts" value=overwrite
                hint="When an address is already a contact, replace its name and attributes with the file's values. Off: only empty fields are filled. Tags and lists are always added, never removed." />
            <div id="mapping-error">{move || form_error(error())}</div>
            <button type="button" id="start-import" data-testid="start-import" class=PRIMARY
                disabled=move || problem.get().is_some() || start.pending().get()
                on:click=move |_| {
                    start.dispatch(StartImport { id: import_id, settings: settings() });
                }>
                {move || if start.pending().get() { "Starting…" } else { "Start import" }}
            </button>
        </section>
    }
}

/// One column: its header, first values, and where it goes.
fn column_row(
    i: usize,
    header: String,
    samples: Vec<String>,
    choice: ColumnChoice,
    definitions: Signal<Vec<AttributeDefinition>>,
) -> impl IntoView {
    let current = choice.target.get_untracked();
    let targets =
        [("ignore", "Ignore"), ("email", "Email"), ("name", "Name"), ("tags", "Tags"), ("attribute", "Attribute")]
            .into_iter()
            .map(|(v, l)| {
                let selected = v == current;
                view! { <option value=v selected=selected>{l}</option> }
            })
            .collect_view();
    let kind_now = choice.kind.get_untracked();
    let kinds = AttributeKind::ALL
        .into_iter()
        .map(|k| {
            let selected = k == kind_now;
            view! { <option value=k.as_str() selected=selected>{k.as_str()}</option> }
        })
        .collect_view();
    let samples = samples
        .into_iter()
        .map(|s| view! { <li class="max-w-xs truncate font-mono text-xs">{if s.is_empty() { "—".to_owned() } else { s }}</li> })
        .collect_view();
    // A defined attribute's type is taken from its definition.
    let pick_key = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        if let Some(kind) = definitions.with_untracked(|defs| defs.iter().find(|d| d.key == key.trim()).map(|d| d.kind))
        {
            choice.kind.set(kind);
        }
        choice.key.set(key);
    };
    view! {
        <tr data-column=i.to_string()>
            <td class=format!("{TD} font-medium text-slate-900 dark:text-white")>{header}</td>
            <td class=TD><ul class="space-y-0.5 text-slate-600 dark:text-slate-300">{samples}</ul></td>
            <td class=TD>
                <div class="flex flex-wrap items-center gap-2">
                    <select id=format!("mapping-target-{i}") data-testid=format!("mapping-target-{i}") class=SELECT
                        aria-label="Import as" prop:value=move || choice.target.get()
                        on:change=move |ev| choice.target.set(event_target_value(&ev))>
                        {targets}
                    </select>
                    <span class="flex flex-wrap items-center gap-2" class:hidden=move || choice.target.get() != "attribute">
                        <input type="text" id=format!("mapping-key-{i}") data-testid=format!("mapping-key-{i}") list="attribute-keys"
                            class=format!("{SELECT} w-40 font-mono") aria-label="Attribute name" placeholder="attribute_name"
                            prop:value=move || choice.key.get() on:input=pick_key />
                        <select id=format!("mapping-kind-{i}") data-testid=format!("mapping-kind-{i}") class=SELECT
                            aria-label="Attribute type" prop:value=move || choice.kind.get().as_str().to_owned()
                            on:change=move |ev| choice.kind.set(AttributeKind::parse(&event_target_value(&ev)).unwrap_or(AttributeKind::Text))>
                            {kinds}
                        </select>
                    </span>
                </div>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_become_attribute_names() {
        assert_eq!(attribute_key(" First Name "), "first_name");
        assert_eq!(attribute_key("Plan (2026)"), "plan__2026");
        assert_eq!(attribute_key("***"), "");
        assert_eq!(sentence("map exactly one column to Email"), "Map exactly one column to Email.");
    }
}
