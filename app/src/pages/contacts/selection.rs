//! What the admin has ticked on the contacts table: single rows (across pages), or every
//! contact matching the filter — sent as a query, so "all 240 000" is not 240 000 ids.

use leptos::prelude::*;
use model::contacts::{ContactQuery, Selection};

use super::controls::CHECKBOX;
use super::thousands;

/// The table's selection.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Picked {
    #[default]
    Nothing,
    /// Rows ticked one by one, in ticking order.
    Rows(Vec<i64>),
    /// Every contact matching `query`; `total` is the count the table showed.
    AllMatching { query: ContactQuery, total: i64 },
}

impl Picked {
    /// How many contacts an action would touch (as far as the table knows).
    pub fn count(&self) -> i64 {
        match self {
            Self::Nothing => 0,
            Self::Rows(ids) => ids.len() as i64,
            Self::AllMatching { total, .. } => *total,
        }
    }

    /// Nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.count() == 0 && !matches!(self, Self::AllMatching { .. })
    }

    /// The whole filter is selected (row boxes are then locked as ticked).
    pub fn is_all(&self) -> bool {
        matches!(self, Self::AllMatching { .. })
    }

    /// Whether row `id` shows as ticked.
    pub fn contains(&self, id: i64) -> bool {
        match self {
            Self::Nothing => false,
            Self::Rows(ids) => ids.contains(&id),
            Self::AllMatching { .. } => true,
        }
    }

    /// Ticks or unticks rows (ignored while the whole filter is selected).
    pub fn set_rows(&mut self, rows: &[i64], on: bool) {
        let mut ids = match std::mem::take(self) {
            Self::AllMatching { query, total } => {
                *self = Self::AllMatching { query, total };
                return;
            }
            Self::Nothing => Vec::new(),
            Self::Rows(ids) => ids,
        };
        if on {
            for id in rows {
                if !ids.contains(id) {
                    ids.push(*id);
                }
            }
        } else {
            ids.retain(|id| !rows.contains(id));
        }
        *self = if ids.is_empty() { Self::Nothing } else { Self::Rows(ids) };
    }

    /// What the server is asked to act on; `None` when nothing is selected.
    pub fn selection(&self) -> Option<Selection> {
        match self {
            Self::Nothing => None,
            Self::Rows(ids) => Some(Selection::Ids(ids.clone())),
            Self::AllMatching { query, .. } => Some(Selection::Query(query.clone())),
        }
    }
}

/// Above the table: the "select this page" box and, once the page is ticked, the offer to
/// select everything the filter matches.
#[component]
pub fn SelectionBar(
    picked: RwSignal<Picked>,
    /// Ids of the rows on the current page.
    page_ids: Vec<i64>,
    /// How many contacts the filter matches.
    total: i64,
    /// The table's query; `None` while a saved segment is still loading.
    query: Option<ContactQuery>,
) -> impl IntoView {
    let on_page = page_ids.len() as i64;
    let ids = StoredValue::new(page_ids);
    let page_ticked =
        move || on_page > 0 && picked.with(|p| ids.with_value(|ids| ids.iter().all(|id| p.contains(*id))));
    let query = StoredValue::new(query);
    let banner = move || {
        let p = picked.get();
        match p {
            Picked::AllMatching { total, .. } => view! {
                <div id="select-all-banner" data-testid="select-all-banner" class=BANNER>
                    <span>{format!("All {} matching contacts are selected.", thousands(total))}</span>
                    <button type="button" id="clear-selection" data-testid="clear-selection" class=BANNER_BUTTON
                        on:click=move |_| picked.set(Picked::Nothing)>"Clear selection"</button>
                </div>
            }
            .into_any(),
            _ if page_ticked() && total > on_page => {
                let offer = query.get_value().map(|q| view! {
                    <button type="button" id="select-all-matching" data-testid="select-all-matching" class=BANNER_BUTTON
                        on:click=move |_| picked.set(Picked::AllMatching { query: q.clone(), total })>
                        {format!("Select all {} matching", thousands(total))}
                    </button>
                });
                view! {
                    <div id="select-all-banner" data-testid="select-all-banner" class=BANNER>
                        <span>{format!("All {} on this page are selected.", thousands(on_page))}</span>
                        {offer}
                    </div>
                }
                .into_any()
            }
            _ => ().into_any(),
        }
    };
    view! {
        <div class="space-y-2">
            <label class="inline-flex items-center gap-2 px-4 text-sm text-slate-600 dark:text-slate-300">
                <input type="checkbox" id="select-page" data-testid="select-page" class=CHECKBOX
                    disabled=move || on_page == 0 || picked.with(Picked::is_all)
                    prop:checked=page_ticked
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        ids.with_value(|ids| picked.update(|p| p.set_rows(ids, on)));
                    } />
                "Select this page"
            </label>
            {banner}
        </div>
    }
}

const BANNER: &str = "flex flex-wrap items-center gap-2 rounded-lg bg-indigo-50 px-4 py-2 text-sm text-indigo-900 dark:bg-indigo-500/10 dark:text-indigo-200";
const BANNER_BUTTON: &str = "font-semibold text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticking_rows_adds_each_once_and_unticking_empties() {
        let mut p = Picked::Nothing;
        p.set_rows(&[1, 2], true);
        p.set_rows(&[2, 3], true);
        assert_eq!(p, Picked::Rows(vec![1, 2, 3]));
        assert_eq!(p.selection(), Some(Selection::Ids(vec![1, 2, 3])));
        p.set_rows(&[1, 2, 3], false);
        assert_eq!(p, Picked::Nothing);
        assert!(p.is_empty() && p.selection().is_none());
    }

    #[test]
    fn selecting_all_matching_sends_the_query_not_ids() {
        let query = ContactQuery { search: "ann".into(), filter: None };
        let mut p = Picked::AllMatching { query: query.clone(), total: 12_345 };
        p.set_rows(&[7], false);
        assert!(p.contains(7) && p.is_all());
        assert_eq!(p.count(), 12_345);
        assert_eq!(p.selection(), Some(Selection::Query(query)));
    }
}
