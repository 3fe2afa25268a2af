//! Filters kept in the URL query (`?q=…&domain=…`) like the table's paging, so a reload or a
//! shared link shows the same view; changing one returns the table to page 1.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The current value of query key `key`, tracked.
pub fn query_value(key: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(key).unwrap_or_default()))
}

/// Replaces `key` in the URL (dropping `page`), without a new history entry per keystroke.
pub fn set_query_value(key: &str, value: &str) {
    let query = use_query_map().get_untracked();
    let mut pairs: Vec<(String, String)> =
        query.into_iter().map(|(k, v)| (k.to_string(), v)).filter(|(k, _)| k != key && k != "page").collect();
    if !value.is_empty() {
        pairs.push((key.to_owned(), value.to_owned()));
    }
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode_query(k), encode_query(v))).collect();
    let href = if encoded.is_empty() { "?".to_owned() } else { format!("?{}", encoded.join("&")) };
    use_navigate()(&href, NavigateOptions { replace: true, scroll: false, ..Default::default() });
}

/// Percent-encodes a query key or value (everything but unreserved characters and `@`).
pub fn encode_query(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A search box bound to query key `key`.
#[component]
pub fn SearchBox(key: &'static str, placeholder: &'static str) -> impl IntoView {
    let value = query_value(key);
    view! {
        <label class="relative block w-full sm:w-72">
            <span class="sr-only">{placeholder}</span>
            <input type="search" name=key placeholder=placeholder
                class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900"
                prop:value=move || value.get()
                on:change=move |ev| set_query_value(key, &event_target_value(&ev)) />
        </label>
    }
}
