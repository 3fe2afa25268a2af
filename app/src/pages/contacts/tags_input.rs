//! Tags as removable chips plus a text box (Enter or comma adds), suggesting tags in use.

use leptos::prelude::*;
use model::contacts::normalize_tag;

use super::controls::{INPUT, LABEL};

/// Adds the tags in `raw` (comma-separated) to `tags`, each once; returns what could not be
/// read as a tag (too long), so the box can keep it with an explanation.
pub fn add_tags(tags: &mut Vec<String>, raw: &str) -> Vec<String> {
    let mut refused = Vec::new();
    for part in raw.split(',').filter(|p| !p.trim().is_empty()) {
        match normalize_tag(part) {
            Some(t) if !tags.contains(&t) => tags.push(t),
            Some(_) => {}
            None => refused.push(part.trim().to_owned()),
        }
    }
    refused
}

/// The tags of a form with what is still typed in the box (the form calls this on submit, so
/// a tag typed but not yet "entered" is not lost).
pub fn tags_with_draft(tags: RwSignal<Vec<String>>, draft: RwSignal<String>) -> Vec<String> {
    let mut all = tags.get_untracked();
    let _ = add_tags(&mut all, &draft.get_untracked());
    all
}

/// The chips and the box.
#[component]
pub fn TagsInput(
    /// Id of the text box (its datalist is `<id>-options`).
    id: &'static str,
    label: &'static str,
    tags: RwSignal<Vec<String>>,
    /// What is typed but not yet added.
    draft: RwSignal<String>,
    /// Tags in use, offered while typing.
    #[prop(into)]
    suggestions: Signal<Vec<String>>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let refused = RwSignal::new(None::<String>);
    let list_id = format!("{id}-options");
    let commit = move || {
        let raw = draft.get_untracked();
        let mut bad = Vec::new();
        tags.update(|t| bad = add_tags(t, &raw));
        if bad.is_empty() {
            draft.set(String::new());
            refused.set(None);
        } else {
            draft.set(bad.join(", "));
            refused.set(Some("A tag is 1 to 64 characters.".to_owned()));
        }
    };
    view! {
        <div class="space-y-1.5">
            <label for=id class=LABEL>{label}</label>
            <div class="flex flex-wrap items-center gap-1.5" data-testid=format!("{id}-chips")>
                {move || tags.get().into_iter().map(|t| {
                    let remove = t.clone();
                    view! {
                        <span class="tag-chip inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pl-2 pr-1 text-xs font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">
                            {t.clone()}
                            <button type="button" class="rounded-full px-1 hover:bg-indigo-100 dark:hover:bg-indigo-500/20"
                                aria-label=format!("Remove tag {t}")
                                on:click=move |_| tags.update(|all| all.retain(|x| *x != remove))>"×"</button>
                        </span>
                    }
                }).collect_view()}
            </div>
            <input id=id name=id type="text" list=list_id.clone() autocomplete="off" class=INPUT
                placeholder="Type a tag, then Enter"
                bind:value=draft
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" || ev.key() == "," {
                        ev.prevent_default();
                        commit();
                    }
                }
                on:blur=move |_| commit() />
            <datalist id=list_id>
                {move || suggestions.get().into_iter().map(|t| view! { <option value=t></option> }).collect_view()}
            </datalist>
            <p class="field-error text-xs font-medium text-rose-600 dark:text-rose-400"
                class:hidden=move || refused.get().is_none() && error.get().is_none()>
                {move || refused.get().or_else(|| error.get()).unwrap_or_default()}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_tags_are_split_trimmed_and_added_once() {
        let mut tags = vec!["vip".to_owned()];
        let refused = add_tags(&mut tags, " vip, beta ,, news ");
        assert_eq!(tags, ["vip", "beta", "news"]);
        assert!(refused.is_empty());
    }

    #[test]
    fn overlong_tags_are_refused_not_dropped_silently() {
        let mut tags = Vec::new();
        let long = "x".repeat(65);
        assert_eq!(add_tags(&mut tags, &format!("ok,{long}")), [long]);
        assert_eq!(tags, ["ok"]);
    }
}
