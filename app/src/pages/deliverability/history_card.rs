//! The history card of the DNS page: every change of a record's status.

use leptos::prelude::*;
use model::deliverability::RecordHistoryEntry;

use super::records_table::check_badge;
use super::{CARD, Head, TD, card_table, empty_line};
use crate::api::ApiError;
use crate::pages::format;

/// The latest status changes of the domain's records.
#[component]
pub(super) fn HistoryCard(history: Resource<Result<Vec<RecordHistoryEntry>, ApiError>>) -> impl IntoView {
    view! {
        <section id="dns-history" class=CARD>
            <h2 class="text-base font-semibold">"History"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Each change of a record's status, newest first (last 50). Times are UTC."</p>
            <Transition fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
                {move || history.get().map(|r| match r {
                    Err(e) => view! { <p class="mt-4 text-sm text-rose-600 dark:text-rose-400">{e.to_string()}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => empty_line("No changes recorded yet: the first check fills this in."),
                    Ok(rows) => card_table("dns-history-list", &[("When", Head::Left), ("Record", Head::Left), ("Status", Head::Left), ("Problem", Head::Left)], rows.into_iter().take(50).map(|h| view! {
                                        <tr data-history=h.record_key.clone()>
                                            <td class=format!("{TD} whitespace-nowrap")>{format::timestamp(&h.at)}</td>
                                            <td class=format!("{TD} font-mono text-xs")>{h.record_key.clone()}</td>
                                            <td class=TD>{check_badge(Some(h.status))}</td>
                                            <td class=format!("{TD} text-xs")>{h.problem.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()),
                })}
            </Transition>
        </section>
    }
}
