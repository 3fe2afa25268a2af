//! The reusable data table: server-side sorting and paging kept in the URL query (so a
//! reload, the back button or a shared link shows the same page), and an empty state that
//! tells the user what to do.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use model::{Page, PageRequest, SortDirection};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::ApiError;

/// How to render one cell of a row.
pub type CellFn<T> = Arc<dyn Fn(&T) -> AnyView + Send + Sync>;

/// One column: its sort key (sent to the server), header and cell renderer.
pub struct Column<T> {
    pub key: &'static str,
    pub label: &'static str,
    pub sortable: bool,
    pub numeric: bool,
    pub cell: CellFn<T>,
}

impl<T> Clone for Column<T> {
    fn clone(&self) -> Self {
        Self {
            key: self.key,
            label: self.label,
            sortable: self.sortable,
            numeric: self.numeric,
            cell: self.cell.clone(),
        }
    }
}

impl<T> Column<T> {
    /// A plain, unsortable column.
    pub fn new(key: &'static str, label: &'static str, cell: impl Fn(&T) -> AnyView + Send + Sync + 'static) -> Self {
        Self { key, label, sortable: false, numeric: false, cell: Arc::new(cell) }
    }

    /// Lets the user sort by this column.
    pub fn sortable(mut self) -> Self {
        self.sortable = true;
        self
    }

    /// Right-aligns the column (numbers).
    pub fn numeric(mut self) -> Self {
        self.numeric = true;
        self
    }
}

/// A table's paging and sorting, read from URL query keys `<prefix>page`, `<prefix>sort`,
/// `<prefix>dir` so two tables on one page do not collide.
#[derive(Clone, Copy)]
pub struct TableQuery {
    prefix: &'static str,
    default_sort: &'static str,
    default_direction: SortDirection,
    per_page: u32,
    query: Memo<ParamsMap>,
}

impl TableQuery {
    pub fn new(
        prefix: &'static str,
        default_sort: &'static str,
        default_direction: SortDirection,
        per_page: u32,
    ) -> Self {
        Self { prefix, default_sort, default_direction, per_page, query: use_query_map() }
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The current request, tracked: a resource keyed on it refetches when the URL changes.
    pub fn request(&self) -> PageRequest {
        let q = self.query.get();
        let page = q.get(&self.key("page")).and_then(|p| p.parse().ok()).unwrap_or(1u32).max(1);
        let sort = q.get(&self.key("sort")).unwrap_or_else(|| self.default_sort.to_owned());
        let direction =
            q.get(&self.key("dir")).map(|d| SortDirection::from_query(&d)).unwrap_or(self.default_direction);
        PageRequest { page, per_page: self.per_page, sort, direction }
    }

    /// Link to the same view with some of this table's keys changed.
    fn href(&self, changes: &[(&str, String)]) -> String {
        let mut pairs: Vec<(String, String)> = self
            .query
            .get_untracked()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .filter(|(k, _)| !changes.iter().any(|(c, _)| self.key(c) == *k))
            .collect();
        pairs.extend(changes.iter().map(|(k, v)| (self.key(k), v.clone())));
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        format!("?{}", query.join("&"))
    }
}

/// Minimal percent-encoding for query keys and values.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sortable, paged table over a server resource.
#[component]
pub fn DataTable<T>(
    /// Accessible name of the table.
    caption: &'static str,
    columns: Vec<Column<T>>,
    query: TableQuery,
    data: Resource<Result<Page<T>, ApiError>>,
    /// Shown when there are no rows at all.
    empty_title: &'static str,
    /// What the user can do about it.
    empty_hint: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    let columns = Arc::new(columns);
    let width = columns.len();
    let head = {
        let columns = columns.clone();
        move || {
            let req = query.request();
            columns
                .iter()
                .map(|c| {
                    let align = if c.numeric { "text-right" } else { "text-left" };
                    let class = format!("whitespace-nowrap px-4 py-3 {align} text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400");
                    if !c.sortable {
                        return view! { <th scope="col" class=class>{c.label}</th> }.into_any();
                    }
                    let active = req.sort == c.key;
                    let next = if active { req.direction.flipped() } else { SortDirection::Ascending };
                    let href = query.href(&[("sort", c.key.to_owned()), ("dir", next.as_query().to_owned()), ("page", "1".into())]);
                    let aria = match (active, req.direction) {
                        (false, _) => "none",
                        (true, SortDirection::Ascending) => "ascending",
                        (true, SortDirection::Descending) => "descending",
                    };
                    let arrow = match (active, req.direction) {
                        (false, _) => "↕",
                        (true, SortDirection::Ascending) => "↑",
                        (true, SortDirection::Descending) => "↓",
                    };
                    view! {
                        <th scope="col" class=class aria-sort=aria>
                            <a href=href class="inline-flex items-center gap-1 hover:text-slate-900 dark:hover:text-white" data-sort=c.key>
                                {c.label}
                                <span class=if active { "text-indigo-500" } else { "opacity-40" } aria-hidden="true">{arrow}</span>
                            </a>
                        </th>
                    }
                    .into_any()
                })
                .collect_view()
        }
    };
    let body = move || {
        let columns = columns.clone();
        data.get().map(move |result| match result {
            Err(e) => view! {
                <tbody>
                    <tr><td colspan=width class="px-4 py-10 text-center text-sm text-rose-600 dark:text-rose-400">{e.to_string()}</td></tr>
                </tbody>
            }
            .into_any(),
            Ok(page) if page.rows.is_empty() => view! {
                <tbody>
                    <tr><td colspan=width class="px-4 py-14">
                        <div class="empty-state mx-auto flex max-w-sm flex-col items-center text-center">
                            <div class="rounded-full bg-slate-100 p-3 text-slate-400 dark:bg-slate-800">{super::icons::inbox()}</div>
                            <p class="mt-3 text-sm font-semibold text-slate-900 dark:text-white">{empty_title}</p>
                            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">{empty_hint}</p>
                        </div>
                    </td></tr>
                </tbody>
            }
            .into_any(),
            Ok(page) => {
                let rows = page
                    .rows
                    .iter()
                    .map(|row| {
                        let cells = columns
                            .iter()
                            .map(|c| {
                                let align = if c.numeric { "text-right tabular-nums" } else { "" };
                                view! { <td class=format!("whitespace-nowrap px-4 py-3 {align}")>{(c.cell)(row)}</td> }
                            })
                            .collect_view();
                        view! { <tr class="hover:bg-slate-50 dark:hover:bg-slate-800/50">{cells}</tr> }
                    })
                    .collect_view();
                view! {
                    <tbody class="divide-y divide-slate-100 text-slate-700 dark:divide-slate-800 dark:text-slate-200">{rows}</tbody>
                }
                .into_any()
            }
        })
    };
    let pager = move || {
        let req = query.request();
        data.get().and_then(Result::ok).map(|page| {
            let per = i64::from(req.per_page.max(1));
            let pages = ((page.total + per - 1) / per).max(1);
            let current = i64::from(req.page).min(pages);
            let first = if page.total == 0 { 0 } else { (current - 1) * per + 1 };
            let last = ((current - 1) * per + page.rows.len() as i64).max(0);
            let prev = (current > 1).then(|| query.href(&[("page", (current - 1).to_string())]));
            let next = (current < pages).then(|| query.href(&[("page", (current + 1).to_string())]));
            let link = "rounded-lg border border-slate-300 px-3 py-1.5 font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800";
            let off = "rounded-lg border border-slate-200 px-3 py-1.5 text-slate-300 dark:border-slate-800 dark:text-slate-600";
            view! {
                <div class="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm text-slate-500 dark:border-slate-800 dark:text-slate-400">
                    <p class="pager-summary">{format!("{first}–{last} of {}", page.total)}</p>
                    <div class="flex items-center gap-2">
                        <span class="hidden sm:inline">{format!("Page {current} of {pages}")}</span>
                        {match prev {
                            Some(h) => view! { <a href=h class=link rel="prev">"Previous"</a> }.into_any(),
                            None => view! { <span class=off>"Previous"</span> }.into_any(),
                        }}
                        {match next {
                            Some(h) => view! { <a href=h class=link rel="next">"Next"</a> }.into_any(),
                            None => view! { <span class=off>"Next"</span> }.into_any(),
                        }}
                    </div>
                </div>
            }
        })
    };
    let skeleton = move || {
        view! {
            <tbody>
                {(0..3).map(|_| view! {
                    <tr><td colspan=width class="px-4 py-3"><div class="h-4 animate-pulse rounded bg-slate-100 dark:bg-slate-800"></div></td></tr>
                }).collect_view()}
            </tbody>
        }
    };
    view! {
        <div class="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="overflow-x-auto">
                <table class="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
                    <caption class="sr-only">{caption}</caption>
                    <thead class="bg-slate-50 dark:bg-slate-900/60"><tr>{head}</tr></thead>
                    <Transition fallback=skeleton>{body.clone()}</Transition>
                </table>
            </div>
            <Transition fallback=|| ()>{pager}</Transition>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(encode("created_at"), "created_at");
    }
}
