//! Small controls the audience pages share: compact selects for toolbars, checkboxes, pills
//! and the option lists every list/status picker offers.

use leptos::prelude::*;
use model::contacts::{ContactList, ListStatus};

use crate::api::ApiError;
use crate::api::contacts::contacts::contact_tags;
use crate::api::contacts::lists::list_lists;
use crate::pages::deliverability::{INDIGO, PILL, RED};

/// A text input outside a `TextField` (toolbars, tag inputs), styled like one.
pub const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100";
/// A compact select, styled like the Mailboxes domain filter.
pub const SELECT: &str = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900";
/// A checkbox, as in the mail pages' `CheckField`.
pub const CHECKBOX: &str = "h-4 w-4 rounded border-slate-300 text-indigo-600 disabled:opacity-50 dark:border-slate-600";
/// A section label above a group of inputs.
pub const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-200";
/// Quiet helper text under a heading or field.
pub const HINT: &str = "text-sm text-slate-500 dark:text-slate-400";

/// A select whose label is for screen readers only (toolbars and filter rows).
#[component]
pub fn InlineSelect(
    /// Element id (tests use it).
    id: &'static str,
    /// Accessible name.
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    /// First option, with the empty value ("All lists", "Every list"…).
    #[prop(optional)]
    any_label: Option<&'static str>,
    #[prop(optional, into)] disabled: Option<Signal<bool>>,
    /// Called after a change (filters write the URL from here).
    #[prop(optional)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    view! {
        <label class="text-sm">
            <span class="sr-only">{label}</span>
            <select id=id name=id class=SELECT
                disabled=move || disabled.map(|d| d.get()).unwrap_or(false)
                prop:value=move || value.get()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    value.set(v.clone());
                    if let Some(cb) = on_change {
                        cb.run(v);
                    }
                }>
                {any_label.map(|l| view! { <option value="">{l}</option> })}
                {move || options.get().into_iter().map(|(v, l)| {
                    let selected = value.get_untracked() == v;
                    view! { <option value=v.clone() selected=selected>{l}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// The three membership statuses as select options, in the order people think of them.
pub fn status_options() -> Vec<(String, String)> {
    [ListStatus::Subscribed, ListStatus::Unconfirmed, ListStatus::Unsubscribed]
        .into_iter()
        .map(|s| (s.as_str().to_owned(), status_label(s).to_owned()))
        .collect()
}

/// How a membership status is written in the UI.
pub fn status_label(status: ListStatus) -> &'static str {
    match status {
        ListStatus::Subscribed => "Subscribed",
        ListStatus::Unconfirmed => "Unconfirmed",
        ListStatus::Unsubscribed => "Unsubscribed",
    }
}

/// Lists as `(id, name)` select options.
pub fn list_options(lists: &[ContactList]) -> Vec<(String, String)> {
    lists.iter().map(|l| (l.id.to_string(), l.name.clone())).collect()
}

/// The lists, loaded in the browser.
pub type ListsResource = LocalResource<Result<Vec<ContactList>, ApiError>>;
/// The tags in use with their counts, loaded in the browser.
pub type TagsResource = LocalResource<Result<Vec<(String, i64)>, ApiError>>;
/// Select options as `(value, label)`.
pub type Options = Signal<Vec<(String, String)>>;

/// Every list as `(id, name)` options, loaded in the browser (pickers need no server render);
/// refetch the resource after a change that creates or renames lists.
pub fn use_list_options() -> (ListsResource, Options) {
    let lists = LocalResource::new(list_lists);
    let options =
        Signal::derive(move || lists.get().and_then(Result::ok).map(|l| list_options(&l)).unwrap_or_default());
    (lists, options)
}

/// Every tag in use, for suggestions; refetch the resource after tags change.
pub fn use_known_tags() -> (TagsResource, Signal<Vec<String>>) {
    let counts = LocalResource::new(contact_tags);
    let tags = Signal::derive(move || {
        counts
            .get()
            .and_then(Result::ok)
            .map(|t| t.into_iter().map(|(tag, _)| tag).collect::<Vec<String>>())
            .unwrap_or_default()
    });
    (counts, tags)
}

/// The name of list `id` among `options`, or "list #id" when it is not (yet) loaded.
pub fn list_name(options: &[(String, String)], id: i64) -> String {
    let key = id.to_string();
    options.iter().find(|(v, _)| *v == key).map(|(_, l)| l.clone()).unwrap_or_else(|| format!("list #{id}"))
}

/// A pill in one of the shared tones.
pub fn pill(tone: &'static str, text: impl Into<String>) -> AnyView {
    let text: String = text.into();
    view! { <span class=format!("{PILL} {tone}")>{text}</span> }.into_any()
}

/// The red "suppressed" pill of the table and the contact header.
pub fn suppressed_pill() -> AnyView {
    view! { <span class=format!("suppressed-badge {PILL} {RED}")>"suppressed"</span> }.into_any()
}

/// A tag chip.
pub fn tag_chip(tag: String) -> AnyView {
    view! { <span class=format!("tag-chip {PILL} {INDIGO}")>{tag}</span> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_lists_are_named_by_id() {
        let options = vec![("3".to_owned(), "Newsletter".to_owned())];
        assert_eq!(list_name(&options, 3), "Newsletter");
        assert_eq!(list_name(&options, 4), "list #4");
    }

    #[test]
    fn statuses_offer_every_value_once() {
        let values: Vec<String> = status_options().into_iter().map(|(v, _)| v).collect();
        assert_eq!(values, ["subscribed", "unconfirmed", "unsubscribed"]);
        assert!(values.iter().all(|v| ListStatus::parse(v).is_some()));
    }
}
