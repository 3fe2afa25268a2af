//! The per-provider table: Gmail, Microsoft, Yahoo, Apple and everyone else side by side, so a
//! provider that bounces or hides mail stands out from the average.

use leptos::prelude::*;
use model::analytics::ProviderRow;

use super::percent;
use crate::pages::contacts::thousands;
use crate::pages::deliverability::{TABLE, TABLE_FRAME, TBODY, TD, TH, TH_RIGHT};

/// One row per provider with its sent count and rates.
#[component]
pub fn ProviderTable(#[prop(into)] rows: Signal<Vec<ProviderRow>>) -> impl IntoView {
    let body = move || {
        rows.get()
            .into_iter()
            .map(|row| {
                let t = row.totals;
                let key = row.provider.as_str();
                view! {
                    <tr data-provider=key>
                        <td class=format!("{TD} font-medium")>{row.provider.label()}</td>
                        <td class=format!("{TD} text-right tabular-nums")>{thousands(t.submitted)}</td>
                        <td class=format!("{TD} text-right tabular-nums")>{percent(t.deliverability_rate())}</td>
                        <td class=format!("{TD} text-right tabular-nums")>{percent(t.bounce_rate())}</td>
                        <td class=format!("{TD} text-right tabular-nums")>{percent(t.open_rate())}</td>
                        <td class=format!("{TD} text-right tabular-nums")>{percent(t.click_rate())}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="space-y-2">
            <h3 class="text-sm font-semibold">"By mailbox provider"</h3>
            <div class=TABLE_FRAME>
                <table class=TABLE data-testid="provider-table">
                    <caption class="sr-only">"Sent messages and rates per mailbox provider"</caption>
                    <thead class="bg-slate-50 dark:bg-slate-900/60">
                        <tr>
                            <th scope="col" class=TH>"Provider"</th>
                            <th scope="col" class=TH_RIGHT>"Sent"</th>
                            <th scope="col" class=TH_RIGHT>"Delivered"</th>
                            <th scope="col" class=TH_RIGHT>"Bounced"</th>
                            <th scope="col" class=TH_RIGHT>"Opened"</th>
                            <th scope="col" class=TH_RIGHT>"Clicked"</th>
                        </tr>
                    </thead>
                    <tbody class=TBODY>{body}</tbody>
                </table>
            </div>
        </section>
    }
}
