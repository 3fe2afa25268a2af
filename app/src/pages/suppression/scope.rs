//! The scope of a suppression: every list (global) or one list, as URL filter values, select
//! values and table text.

use leptos::prelude::*;
use model::contacts::{Suppression, SuppressionAdded};

use crate::pages::contacts::thousands;

/// The scope filter of the URL (`scope=`): empty = any, `global` = every-list suppressions
/// only, a number = that list's only.
pub fn parse_scope_filter(raw: &str) -> Option<Option<i64>> {
    match raw {
        "" => None,
        "global" => Some(None),
        id => id.parse::<i64>().ok().map(Some),
    }
}

/// A scope select's value as the list to suppress for: empty = every list.
pub fn parse_scope_choice(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok()
}

/// "All lists", or the list's name.
pub fn scope_text(s: &Suppression) -> String {
    match (s.list_id, &s.list_name) {
        (None, _) => "All lists".to_owned(),
        (Some(_), Some(name)) => name.clone(),
        (Some(id), None) => format!("List #{id}"),
    }
}

/// "3 added, 1 already suppressed, 1 invalid: x (reason)" after adding or importing.
pub fn added_message(r: &SuppressionAdded) -> String {
    let mut parts = vec![format!("{} added", thousands(r.added))];
    if r.already > 0 {
        parts.push(format!("{} already suppressed", thousands(r.already)));
    }
    if !r.invalid.is_empty() {
        let shown: Vec<String> = r.invalid.iter().take(3).map(|(value, why)| format!("{value} ({why})")).collect();
        let more = r.invalid.len().saturating_sub(shown.len());
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        parts.push(format!("{} invalid: {}{tail}", r.invalid.len(), shown.join(", ")));
    }
    format!("{}.", parts.join(", "))
}

/// The select of "for which lists" in the add and import forms.
#[component]
pub fn ScopeChoice(
    id: &'static str,
    value: RwSignal<String>,
    #[prop(into)] lists: Signal<Vec<(i64, String)>>,
) -> impl IntoView {
    view! {
        <div class="space-y-1.5">
            <label for=id class="block text-sm font-medium text-slate-700 dark:text-slate-200">"Suppress for"</label>
            <select id=id data-testid=id
                class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900"
                prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="">"All lists (never send to these addresses)"</option>
                {move || lists.get().into_iter().map(|(list_id, name)| {
                    let v = list_id.to_string();
                    let selected = value.get_untracked() == v;
                    view! { <option value=v selected=selected>{format!("Only the list {name}")}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_values_read_from_the_url() {
        assert_eq!(parse_scope_filter(""), None);
        assert_eq!(parse_scope_filter("global"), Some(None));
        assert_eq!(parse_scope_filter("7"), Some(Some(7)));
        assert_eq!(parse_scope_filter("x"), None);
        assert_eq!(parse_scope_choice(""), None);
        assert_eq!(parse_scope_choice("4"), Some(4));
    }

    #[test]
    fn the_result_says_what_was_added_and_what_was_refused() {
        let r = SuppressionAdded { added: 3, already: 1, invalid: vec![("x".into(), "missing @".into())] };
        assert_eq!(added_message(&r), "3 added, 1 already suppressed, 1 invalid: x (missing @).");
        let only = SuppressionAdded { added: 2, already: 0, invalid: vec![] };
        assert_eq!(added_message(&only), "2 added.");
        let many = SuppressionAdded {
            added: 0,
            already: 0,
            invalid: (0..5).map(|i| (format!("a{i}"), "bad".to_owned())).collect(),
        };
        assert_eq!(added_message(&many), "0 added, 5 invalid: a0 (bad), a1 (bad), a2 (bad) and 2 more.");
    }
}
