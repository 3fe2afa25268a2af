//! The Contacts page (`/contacts`): search, quick filters and saved segments in the URL,
//! selection with "select all matching", bulk actions, add by hand, import and export.

use leptos::prelude::*;
use leptos_meta::Title;
use model::contacts::{BulkAction, ContactRow, SavedSegment, Selection};
use model::{Page, PageRequest, SortDirection};

use super::add_contact::AddContactForm;
use super::bulk_bar::{BulkBar, bulk_message};
use super::columns::contact_columns;
use super::controls::{use_known_tags, use_list_options};
use super::filters::{QuickFilter, QuickFilters, contact_query};
use super::selection::{Picked, SelectionBar};
use crate::api::ApiError;
use crate::api::contacts::contacts::{BulkContacts, CreateContact, list_contacts};
use crate::api::contacts::segments::get_segment;
use crate::components::data_table::{DataTable, TableQuery};
use crate::components::icons;
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::components::url_filter::{SearchBox, encode_query, query_value};
use crate::pages::deliverability::{load_error, skeleton};
use crate::pages::mail::widgets::{PRIMARY, ROW_ACTION, SECONDARY};

/// Contacts per table page.
const PER_PAGE: u32 = 25;

/// One page of the table for the URL's search, quick filters and segment.
async fn load_page(
    r: PageRequest,
    search: String,
    quick: QuickFilter,
    segment: Option<i64>,
) -> Result<Page<ContactRow>, ApiError> {
    let segment_filter = match segment {
        Some(id) => Some(get_segment(id).await?.filter),
        None => None,
    };
    let query = contact_query(&search, &quick, segment_filter.as_ref());
    list_contacts(r.page, r.per_page, r.sort, r.direction, query).await
}

/// The saved segment named by `?segment=`, if any.
async fn load_segment(segment: Option<i64>) -> Result<Option<SavedSegment>, ApiError> {
    match segment {
        Some(id) => get_segment(id).await.map(Some),
        None => Ok(None),
    }
}

/// What "everything in view" is: the query, or the segment by id when its filter could not
/// be loaded (the server then resolves it).
fn view_selection(
    search: &str,
    quick: &QuickFilter,
    segment_id: Option<i64>,
    segment: Option<&SavedSegment>,
) -> Selection {
    match (segment_id, segment) {
        (Some(id), None) => Selection::Segment(id),
        (_, seg) => Selection::Query(contact_query(search, quick, seg.map(|s| &s.filter))),
    }
}

/// The page.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let toasts = use_toasts();
    let query = TableQuery::new("", "created_at", SortDirection::Descending, PER_PAGE);
    let search = query_value("q");
    let quick = QuickFilter::from_url();
    let segment_param = query_value("segment");
    let segment_id = Memo::new(move |_| segment_param.get().parse::<i64>().ok());
    let filtered = move || !search.get().trim().is_empty() || !quick.get().is_empty() || segment_id.get().is_some();
    let bulk = ServerAction::<BulkContacts>::new();
    let create = ServerAction::<CreateContact>::new();
    let contacts = Resource::new(
        move || {
            (
                query.request(),
                search.get(),
                quick.get(),
                segment_id.get(),
                (bulk.version().get(), create.version().get()),
            )
        },
        |(r, q, quick, segment, _)| load_page(r, q, quick, segment),
    );
    let segment = Resource::new(move || segment_id.get(), load_segment);
    let (all_lists, list_opts) = use_list_options();
    let (tag_counts, known_tags) = use_known_tags();

    let picked = RwSignal::new(Picked::Nothing);
    // A new filter is a new set of contacts: what was ticked no longer applies.
    Effect::new(move |_| {
        search.track();
        quick.track();
        segment_id.track();
        picked.set(Picked::Nothing);
    });
    let last_action = StoredValue::new(None::<BulkAction>);
    let on_apply = Callback::new(move |action: BulkAction| {
        if let Some(selection) = picked.with_untracked(Picked::selection) {
            last_action.set_value(Some(action.clone()));
            bulk.dispatch(BulkContacts { selection, action });
        }
    });
    Effect::new(move |_| match bulk.value().get() {
        Some(Ok(outcome)) => {
            let message = last_action
                .with_value(|a| a.as_ref().map(|a| bulk_message(a, outcome, &list_opts.get_untracked())))
                .unwrap_or_else(|| "Done.".to_owned());
            toasts.success(message);
            picked.set(Picked::Nothing);
            tag_counts.refetch();
            all_lists.refetch();
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let add_open = RwSignal::new(false);
    let open_add = Callback::new(move |_: ()| {
        create.clear();
        add_open.set(true);
    });
    Effect::new(move |_| {
        if let Some(Ok(c)) = create.value().get() {
            toasts.success(format!("{} added.", c.email));
            add_open.set(false);
            tag_counts.refetch();
            all_lists.refetch();
        }
    });

    let loaded_segment = move || segment.get().and_then(Result::ok).flatten();
    let export_link = move || {
        let selection = picked.with(Picked::selection).unwrap_or_else(|| {
            view_selection(&search.get(), &quick.get(), segment_id.get(), loaded_segment().as_ref())
        });
        let json = serde_json::to_string(&selection).unwrap_or_default();
        view! {
            <a id="export-contacts" data-testid="export-contacts" class=SECONDARY download
                href=format!("/api/contacts/export.csv?selection={}", encode_query(&json))
                title="The selected contacts, or all that match the filters">"Export CSV"</a>
        }
    };
    let segment_banner = move || {
        segment.get().map(|r| match r {
            Ok(Some(s)) => view! {
                <div id="segment-banner" data-testid="segment-banner"
                    class="flex flex-wrap items-center gap-2 rounded-lg bg-indigo-50 px-4 py-2 text-sm text-indigo-900 dark:bg-indigo-500/10 dark:text-indigo-200">
                    <span>"Showing segment "<strong>{s.name}</strong></span>
                    <a href="/contacts" class=ROW_ACTION>"Show all contacts"</a>
                </div>
            }
            .into_any(),
            Ok(None) => ().into_any(),
            Err(e) => load_error(&e),
        })
    };
    let selection_bar = move || {
        let seg = loaded_segment();
        let query = (segment_id.get().is_none() || seg.is_some())
            .then(|| contact_query(&search.get(), &quick.get(), seg.as_ref().map(|s| &s.filter)));
        contacts.get().and_then(Result::ok).filter(|p| p.total > 0).map(|page| {
            let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
            view! { <SelectionBar picked=picked page_ids=ids total=page.total query=query /> }
        })
    };
    let table = move || {
        contacts.get().map(|r| match r {
            Ok(page) if page.total == 0 && filtered_untracked(search, quick, segment_id) => no_match(),
            Ok(page) if page.total == 0 => no_contacts(open_add),
            _ => view! {
                <DataTable caption="Contacts" columns=contact_columns(picked) query=query data=contacts
                    empty_title="Nothing on this page" empty_hint="Go back to the first page." />
            }
            .into_any(),
        })
    };
    view! {
        <Title text="Contacts · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Contacts"</h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"The people campaigns go to. Lists hold their consent; tags and attributes describe them."</p>
                </div>
                <div class="flex flex-wrap gap-2">
                    <button type="button" id="add-contact" data-testid="add-contact" class=PRIMARY on:click=move |_| open_add.run(())>"Add contact"</button>
                    <a id="import-contacts" data-testid="import-contacts" class=SECONDARY href="/contacts/import">"Import"</a>
                    <Transition fallback=|| ()>{export_link}</Transition>
                </div>
            </div>
            <Transition fallback=|| ()>{segment_banner}</Transition>
            <div class="flex flex-wrap items-center gap-3">
                <div id="contact-search" data-testid="contact-search" class="w-full sm:w-72">
                    <SearchBox key="q" placeholder="Search email or name" />
                </div>
                <QuickFilters lists=list_opts tags=known_tags />
                {move || filtered().then(|| view! { <a href="/contacts" id="clear-filters" data-testid="clear-filters" class=ROW_ACTION>"Clear filters"</a> })}
            </div>
            <BulkBar picked=picked lists=list_opts known_tags=known_tags pending=bulk.pending() on_apply=on_apply />
            <Transition fallback=|| ()>{selection_bar}</Transition>
            <Transition fallback=skeleton>{table}</Transition>
        </div>
        <Modal open=add_open id="add-contact-dialog" title="Add a contact">
            <AddContactForm create=create lists=list_opts known_tags=known_tags />
        </Modal>
    }
}

/// Whether any filter is set, read without subscribing (the table re-renders with its data).
fn filtered_untracked(search: Memo<String>, quick: Memo<QuickFilter>, segment_id: Memo<Option<i64>>) -> bool {
    !search.get_untracked().trim().is_empty()
        || !quick.with_untracked(QuickFilter::is_empty)
        || segment_id.get_untracked().is_some()
}

/// The empty state of a new install: what to do first.
fn no_contacts(open_add: Callback<()>) -> AnyView {
    view! {
        <div id="contacts-empty" data-testid="contacts-empty"
            class="empty-state rounded-xl border border-dashed border-slate-300 bg-white px-6 py-14 text-center dark:border-slate-700 dark:bg-slate-900">
            <div class="mx-auto w-fit rounded-full bg-slate-100 p-3 text-slate-400 dark:bg-slate-800">{icons::contacts()}</div>
            <p class="mt-3 text-sm font-semibold text-slate-900 dark:text-white">"No contacts yet — import a CSV or add one by hand"</p>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Contacts are the people your campaigns go to."</p>
            <div class="mt-5 flex flex-wrap justify-center gap-2">
                <a href="/contacts/import" id="empty-import" class=PRIMARY>"Import a CSV"</a>
                <button type="button" id="empty-add-contact" class=SECONDARY on:click=move |_| open_add.run(())>"Add a contact"</button>
            </div>
        </div>
    }
    .into_any()
}

/// The empty state of a filter that matched nobody.
fn no_match() -> AnyView {
    view! {
        <div id="contacts-no-match" data-testid="contacts-no-match"
            class="empty-state rounded-xl border border-slate-200 bg-white px-6 py-14 text-center dark:border-slate-800 dark:bg-slate-900">
            <p class="text-sm font-semibold text-slate-900 dark:text-white">"No contact matches these filters"</p>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Try other words, another list or tag, or:"</p>
            <a href="/contacts" id="clear-filters-empty" data-testid="clear-filters-empty" class=format!("mt-4 {SECONDARY}")>"Clear filters"</a>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::contacts::SegmentFilter;

    #[test]
    fn everything_in_view_is_the_query_or_an_unloaded_segment_by_id() {
        let quick = QuickFilter { list: None, status: None, tag: Some("vip".into()) };
        assert_eq!(view_selection("", &quick, Some(9), None), Selection::Segment(9));
        assert_eq!(view_selection("ann", &quick, None, None), Selection::Query(contact_query("ann", &quick, None)));
        let segment = SavedSegment {
            id: 9,
            name: "Engaged".into(),
            description: String::new(),
            filter: SegmentFilter::NeverClicked,
            last_count: None,
            counted_at: None,
            updated_at: Default::default(),
        };
        assert_eq!(
            view_selection("", &quick, Some(9), Some(&segment)),
            Selection::Query(contact_query("", &quick, Some(&SegmentFilter::NeverClicked)))
        );
    }
}
