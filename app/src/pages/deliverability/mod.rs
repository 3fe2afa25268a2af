//! The deliverability pages: a domain's DNS records, blocklist scans and TLS certificates,
//! which together decide whether other providers accept this server's mail.
//!
//! The few pieces below are shared by the three pages so their cards, pills and tables look
//! alike (and like the mail pages).

pub mod blocklists;
pub mod certificates;
mod dkim_card;
pub mod domain_dns;
mod history_card;
mod policy_card;
mod records_table;

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use super::format;
use crate::api::ApiError;

/// How a column header of a [`card_table`] is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    Left,
    /// Numbers: right-aligned like their cells.
    Right,
    /// A column without a visible title (row actions), named for screen readers.
    ScreenReaderOnly,
}

/// A plain table inside a card (no paging: these lists are short), so every table of the
/// three pages has the same frame and header style.
pub fn card_table(id: &'static str, columns: &[(&'static str, Head)], rows: impl IntoView + 'static) -> AnyView {
    view! {
        <div class="mt-4 overflow-x-auto">
            <table id=id class=TABLE>
                <thead>
                    <tr>{header_cells(columns)}</tr>
                </thead>
                <tbody class=TBODY>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A page's main table in its own frame, with a caption for screen readers. `body` is one
/// or more `<tbody>` (a record and its detail line can share one).
pub fn framed_table(
    id: &'static str,
    caption: &'static str,
    columns: &[(&'static str, Head)],
    body: impl IntoView + 'static,
) -> AnyView {
    view! {
        <div class=TABLE_FRAME>
            <table id=id class=TABLE>
                <caption class="sr-only">{caption}</caption>
                <thead class="bg-slate-50 dark:bg-slate-900/60">
                    <tr>{header_cells(columns)}</tr>
                </thead>
                {body}
            </table>
        </div>
    }
    .into_any()
}

fn header_cells(columns: &[(&'static str, Head)]) -> AnyView {
    columns
        .iter()
        .map(|&(label, how)| match how {
            Head::Left => view! { <th scope="col" class=TH>{label}</th> }.into_any(),
            Head::Right => view! { <th scope="col" class=TH_RIGHT>{label}</th> }.into_any(),
            Head::ScreenReaderOnly => {
                view! { <th scope="col" class=TH><span class="sr-only">{label}</span></th> }.into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// Frame of a section, the same as the cards of the mail pages.
pub const CARD: &str =
    "rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900";
/// Shape of every status pill; add one of the tones below.
pub const PILL: &str = "inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium";
/// Pill tone: all good.
pub const GREEN: &str = "bg-emerald-100 text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-300";
/// Pill tone: works, but needs a look.
pub const AMBER: &str = "bg-amber-100 text-amber-800 dark:bg-amber-500/10 dark:text-amber-300";
/// Pill tone: broken, mail is at risk.
pub const RED: &str = "bg-rose-100 text-rose-700 dark:bg-rose-500/10 dark:text-rose-300";
/// Pill tone: the name does not exist (usually not published yet).
pub const ORANGE: &str = "bg-orange-100 text-orange-800 dark:bg-orange-500/10 dark:text-orange-300";
/// Pill tone: the lookup itself failed, nothing is known about the record.
pub const SLATE: &str = "bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200";
/// Pill tone: nothing to report (not checked, retired).
pub const GREY: &str = "bg-slate-100 text-slate-500 dark:bg-slate-800 dark:text-slate-400";
/// Pill tone: neutral information (major list, role of a key).
pub const INDIGO: &str = "bg-indigo-50 text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300";

/// Header cell of the plain tables on these pages (they have no paging, so no DataTable).
pub const TH: &str = "whitespace-nowrap px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
/// Header cell of a numeric column (right-aligned like its cells).
pub const TH_RIGHT: &str = "whitespace-nowrap px-4 py-3 text-right text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
/// Body cell of those tables.
pub const TD: &str = "px-4 py-3 align-top";
/// Frame around such a table, so it scrolls sideways on a phone instead of overflowing.
pub const TABLE_FRAME: &str =
    "overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";
/// The table itself.
pub const TABLE: &str = "min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800";
/// Its body: row dividers and text colours.
pub const TBODY: &str = "divide-y divide-slate-100 text-slate-700 dark:divide-slate-800 dark:text-slate-200";

/// A time the server sent, as the tables print it (UTC; the headers say so), or a dash.
pub fn time(t: Option<DateTime<Utc>>) -> String {
    t.as_ref().map(format::timestamp).unwrap_or_else(|| "—".to_owned())
}

/// What a section shows when its data could not be loaded.
pub fn load_error(e: &ApiError) -> AnyView {
    view! {
        <p class="load-error rounded-lg bg-rose-50 p-4 text-sm text-rose-700 dark:bg-rose-950 dark:text-rose-200" role="alert">{e.to_string()}</p>
    }
    .into_any()
}

/// Grey placeholder blocks while a page's data loads.
pub fn skeleton() -> AnyView {
    view! {
        <div class="space-y-4">
            {(0..3).map(|_| view! { <div class="h-24 animate-pulse rounded-xl bg-slate-200/60 dark:bg-slate-800"></div> }).collect_view()}
        </div>
    }
    .into_any()
}

/// A quiet line saying a list is empty and what will fill it.
pub fn empty_line(text: &'static str) -> AnyView {
    view! { <p class="empty-state mt-3 text-sm text-slate-500 dark:text-slate-400">{text}</p> }.into_any()
}
