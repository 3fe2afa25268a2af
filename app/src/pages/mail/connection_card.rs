//! "How to connect": the servers and ports to type into a mail client.

use leptos::prelude::*;

use crate::api::mail::mailboxes::load_connection_settings;

/// A card listing IMAP/POP3/SMTP endpoints and the webmail link.
#[component]
pub fn ConnectionCard() -> impl IntoView {
    let settings = Resource::new(|| (), |_| load_connection_settings());
    view! {
        <section id="connection-settings" class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <h2 class="text-base font-semibold">"Connection settings"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"For Thunderbird, Outlook, Apple Mail or a phone. The user name is the full address; the password is the mailbox's."</p>
            <Suspense fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
                {move || settings.get().map(|r| match r {
                    Err(e) => view! { <p class="mt-4 text-sm text-rose-600">{e.to_string()}</p> }.into_any(),
                    Ok(s) => view! {
                        <table class="mt-4 w-full text-sm">
                            <thead><tr class="text-left text-xs uppercase tracking-wide text-slate-500">
                                <th class="py-1 pr-2 font-semibold">"Service"</th><th class="py-1 pr-2 font-semibold">"Server"</th>
                                <th class="py-1 pr-2 text-right font-semibold">"Port"</th><th class="py-1 font-semibold">"Security"</th>
                            </tr></thead>
                            <tbody class="divide-y divide-slate-100 dark:divide-slate-800">
                                {s.endpoints.into_iter().map(|e| view! {
                                    <tr>
                                        <td class="py-1.5 pr-2">{e.service}</td>
                                        <td class="select-all py-1.5 pr-2 font-mono text-xs">{e.host}</td>
                                        <td class="select-all py-1.5 pr-2 text-right font-mono text-xs">{e.port}</td>
                                        <td class="py-1.5 text-xs">{e.security.label()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {s.webmail_url.map(|u| view! {
                            <p class="mt-4 text-sm">"Webmail: " <a class="font-medium text-indigo-600 hover:underline dark:text-indigo-300" href=u.clone() target="_blank" rel="noopener">{u.clone()}</a></p>
                        })}
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
