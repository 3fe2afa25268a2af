//! The most clicked links of one campaign: what readers wanted, with scanner clicks apart.

use leptos::prelude::*;
use model::analytics::LinkRow;

use crate::pages::contacts::thousands;
use crate::pages::deliverability::{TABLE, TABLE_FRAME, TBODY, TD, TH, TH_RIGHT};

/// The links table, or a line saying no link was clicked yet.
#[component]
pub fn TopLinks(#[prop(into)] links: Signal<Vec<LinkRow>>) -> impl IntoView {
    let body = move || {
        let rows = links.get();
        if rows.is_empty() {
            return view! {
                <tr><td colspan="4" class="px-4 py-6 text-center text-sm text-slate-500 dark:text-slate-400">
                    "No tracked link has been clicked yet."
                </td></tr>
            }
            .into_any();
        }
        rows.into_iter()
            .map(|l| {
                let (href, title, url) = (l.url.clone(), l.url.clone(), l.url.clone());
                view! {
                    <tr data-link-index=l.index.to_string()>
                        <td class=format!("{TD} max-w-md")>
                            <a href=href target="_blank" rel="noopener noreferrer nofollow"
                                class="block truncate text-indigo-600 hover:underline dark:text-indigo-300" title=title>{url}</a>
                        </td>
                        <td class=format!("{TD} text-right tabular-nums")>{thousands(l.unique_clicks_human)}</td>
                        <td class=format!("{TD} text-right tabular-nums")>{thousands(l.clicks_human)}</td>
                        <td class=format!("{TD} text-right tabular-nums text-slate-500 dark:text-slate-400")>{thousands(l.clicks_machine)}</td>
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="space-y-2">
            <h3 class="text-sm font-semibold">"Top links"</h3>
            <div class=TABLE_FRAME>
                <table class=TABLE data-testid="top-links">
                    <caption class="sr-only">"Clicks per tracked link"</caption>
                    <thead class="bg-slate-50 dark:bg-slate-900/60">
                        <tr>
                            <th scope="col" class=TH>"Link"</th>
                            <th scope="col" class=TH_RIGHT>"Unique clicks"</th>
                            <th scope="col" class=TH_RIGHT>"Human clicks"</th>
                            <th scope="col" class=TH_RIGHT title="Link scanners and security gateways">"Scanner clicks"</th>
                        </tr>
                    </thead>
                    <tbody class=TBODY>{body}</tbody>
                </table>
            </div>
        </section>
    }
}
