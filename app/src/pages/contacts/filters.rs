//! The contacts table's quick filters (list, status on that list, tag), kept in the URL like
//! the search box, and how they and a saved segment become the table's [`ContactQuery`].

use leptos::prelude::*;
use model::contacts::{ContactQuery, ListStatus, SegmentFilter, TagMode};

use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::controls::{InlineSelect, status_options};
use crate::components::url_filter::{encode_query, query_value};

/// What the quick filters ask for; empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuickFilter {
    pub list: Option<i64>,
    /// Only meaningful with a list: the status on that list.
    pub status: Option<ListStatus>,
    pub tag: Option<String>,
}

impl QuickFilter {
    /// Reads `?list=&status=&tag=` (tracked); unreadable values are ignored.
    pub fn from_url() -> Memo<QuickFilter> {
        let list = query_value("list");
        let status = query_value("status");
        let tag = query_value("tag");
        Memo::new(move |_| QuickFilter {
            list: list.get().parse().ok(),
            status: ListStatus::parse(&status.get()),
            tag: Some(tag.get()).filter(|t| !t.trim().is_empty()),
        })
    }

    /// The conditions these filters add to the query.
    pub fn conditions(&self) -> Vec<SegmentFilter> {
        let mut out = Vec::new();
        if let Some(list_id) = self.list {
            out.push(SegmentFilter::OnList { list_id, status: self.status });
        }
        if let Some(tag) = &self.tag {
            out.push(SegmentFilter::Tags { mode: TagMode::Any, tags: vec![tag.clone()] });
        }
        out
    }

    /// No quick filter is set.
    pub fn is_empty(&self) -> bool {
        self.conditions().is_empty()
    }
}

/// The query the table shows: the search text, and the segment's filter AND the quick filters.
pub fn contact_query(search: &str, quick: &QuickFilter, segment: Option<&SegmentFilter>) -> ContactQuery {
    let quick = quick.conditions();
    let filter = match segment.cloned() {
        // A segment that is already an AND group takes the quick filters as siblings, so its
        // depth (at most 8 levels) does not grow by one and stop it from being shown.
        Some(SegmentFilter::And(mut children)) => {
            children.extend(quick);
            Some(SegmentFilter::And(children))
        }
        Some(other) if quick.is_empty() => Some(other),
        Some(other) => Some(SegmentFilter::And(std::iter::once(other).chain(quick).collect())),
        None if quick.is_empty() => None,
        None => Some(SegmentFilter::And(quick)),
    };
    ContactQuery { search: search.trim().to_owned(), filter }
}

/// Replaces several query keys at once (dropping `page`), like `set_query_value` does for one:
/// two navigations in a row would each start from the URL before the other.
pub fn set_query_values(changes: &[(&str, &str)]) {
    let query = use_query_map().get_untracked();
    let mut pairs: Vec<(String, String)> = query
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .filter(|(k, _)| k != "page" && !changes.iter().any(|(c, _)| *c == k.as_str()))
        .collect();
    pairs.extend(changes.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let encoded: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode_query(k), encode_query(v))).collect();
    let href = if encoded.is_empty() { "?".to_owned() } else { format!("?{}", encoded.join("&")) };
    use_navigate()(&href, NavigateOptions { replace: true, scroll: false, ..Default::default() });
}

/// The filter row's selects; each writes its key to the URL (which resets the page).
#[component]
pub fn QuickFilters(
    #[prop(into)] lists: Signal<Vec<(String, String)>>,
    #[prop(into)] tags: Signal<Vec<String>>,
) -> impl IntoView {
    let url_list = query_value("list");
    let url_status = query_value("status");
    let url_tag = query_value("tag");
    let list = RwSignal::new(url_list.get_untracked());
    let status = RwSignal::new(url_status.get_untracked());
    let tag = RwSignal::new(url_tag.get_untracked());
    // Follow the URL (back button, "Clear filters", links from the Lists page).
    Effect::new(move |_| list.set(url_list.get()));
    Effect::new(move |_| status.set(url_status.get()));
    Effect::new(move |_| tag.set(url_tag.get()));
    let tag_options = Signal::derive(move || tags.get().into_iter().map(|t| (t.clone(), t)).collect::<Vec<_>>());
    view! {
        <div class="flex flex-wrap items-center gap-3" id="quick-filters">
            <InlineSelect id="filter-list" label="List" value=list options=lists any_label="All lists"
                on_change=Callback::new(move |v: String| {
                    // A status only means something on a list.
                    if v.is_empty() {
                        set_query_values(&[("list", ""), ("status", "")]);
                    } else {
                        set_query_values(&[("list", v.as_str())]);
                    }
                }) />
            <InlineSelect id="filter-status" label="Status on the list" value=status options=Signal::derive(status_options)
                any_label="Any status" disabled=Signal::derive(move || list.get().is_empty())
                on_change=Callback::new(move |v: String| set_query_values(&[("status", v.as_str())])) />
            <InlineSelect id="filter-tag" label="Tag" value=tag options=tag_options any_label="Any tag"
                on_change=Callback::new(move |v: String| set_query_values(&[("tag", v.as_str())])) />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_filter_means_no_condition() {
        let q = contact_query("  ann ", &QuickFilter::default(), None);
        assert_eq!(q, ContactQuery { search: "ann".into(), filter: None });
    }

    #[test]
    fn quick_filters_and_the_segment_are_combined_with_and() {
        let quick = QuickFilter { list: Some(3), status: Some(ListStatus::Subscribed), tag: Some("vip".into()) };
        let q = contact_query("", &quick, Some(&SegmentFilter::NeverClicked));
        assert_eq!(
            q.filter,
            Some(SegmentFilter::And(vec![
                SegmentFilter::NeverClicked,
                SegmentFilter::OnList { list_id: 3, status: Some(ListStatus::Subscribed) },
                SegmentFilter::Tags { mode: TagMode::Any, tags: vec!["vip".into()] },
            ]))
        );
        assert!(q.filter.as_ref().is_some_and(|f| f.validate().is_ok()));
    }

    #[test]
    fn a_status_without_a_list_is_ignored() {
        let quick = QuickFilter { list: None, status: Some(ListStatus::Unsubscribed), tag: None };
        assert!(quick.is_empty());
    }
}
