//! The suppression list (`/suppression`): addresses never sent to, for every list or one
//! list, with why and when; adding them by hand or from a CSV file; and the scan for
//! audience domains that cannot receive mail.

mod forms;
mod invalid_domains;
mod scope;

use leptos::prelude::*;
use leptos_meta::Title;
use model::SortDirection;
use model::contacts::{Suppression, SuppressionAdded, SuppressionFilter, SuppressionReason};

use self::forms::{AddForm, ImportCsvForm};
use self::invalid_domains::InvalidDomainsCard;
use self::scope::{added_message, parse_scope_filter, scope_text};
use crate::api::contacts::lists::list_lists;
use crate::api::contacts::suppression::{
    ActOnInvalidDomains, AddSuppressions, ImportSuppressionCsv, RemoveSuppression, list_suppressions,
};
use crate::components::confirm::ConfirmDialog;
use crate::components::data_table::{Column, DataTable, TableQuery};
use crate::components::modal::Modal;
use crate::components::toast::{Toasts, use_toasts};
use crate::components::url_filter::{SearchBox, query_value, set_query_value};
use crate::pages::deliverability::{AMBER, INDIGO, ORANGE, PILL, RED, SLATE};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, ROW_DANGER, SECONDARY};

/// Filter selects of the page.
const FILTER_SELECT: &str =
    "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900";

/// The Suppression page.
#[component]
pub fn SuppressionPage() -> impl IntoView {
    let toasts = use_toasts();
    let query = TableQuery::new("", "created_at", SortDirection::Descending, 25);
    let search = query_value("q");
    let scope = query_value("scope");
    let reason = query_value("reason");
    let add = ServerAction::<AddSuppressions>::new();
    let import = ServerAction::<ImportSuppressionCsv>::new();
    let remove = ServerAction::<RemoveSuppression>::new();
    let act = ServerAction::<ActOnInvalidDomains>::new();
    let rows = Resource::new(
        move || {
            (
                query.request(),
                SuppressionFilter {
                    search: search.get(),
                    scope: parse_scope_filter(&scope.get()),
                    reason: SuppressionReason::parse(&reason.get()),
                },
                (add.version().get(), import.version().get(), remove.version().get(), act.version().get()),
            )
        },
        |(r, f, _)| list_suppressions(r.page, r.per_page, r.sort, r.direction, f),
    );
    let lists = LocalResource::new(list_lists);
    let list_options = Signal::derive(move || {
        lists
            .get()
            .and_then(Result::ok)
            .map(|ls| ls.into_iter().map(|l| (l.id, l.name)).collect::<Vec<(i64, String)>>())
            .unwrap_or_default()
    });
    let add_open = RwSignal::new(false);
    let import_open = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(r)) = add.value().get() {
            added_toast(toasts, &r);
            add_open.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(r)) = import.value().get() {
            added_toast(toasts, &r);
            import_open.set(false);
        }
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => toasts.success("Suppression removed: mail can reach this address again."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let global_only = scope.get_untracked() == "global";
    let pending_remove = RwSignal::new(None::<Suppression>);
    let remove_open = RwSignal::new(false);
    let columns = vec![
        Column::new("email", "Address", |s: &Suppression| {
            view! { <span class="font-mono text-sm text-slate-900 dark:text-white">{s.email.clone()}</span> }.into_any()
        })
        .sortable(),
        Column::new("scope", "Scope", |s: &Suppression| {
            let tone = if s.list_id.is_none() { "font-medium" } else { "" };
            view! { <span class=tone>{scope_text(s)}</span> }.into_any()
        }),
        Column::new("reason", "Reason", |s: &Suppression| reason_badge(s.reason)).sortable(),
        Column::new("note", "Note", |s: &Suppression| {
            view! { <span class="block max-w-xs truncate text-slate-500 dark:text-slate-400" title=s.note.clone()>{s.note.clone()}</span> }
                .into_any()
        }),
        Column::new("created_at", "Added (UTC)", |s: &Suppression| format::timestamp(&s.created_at).into_any()).sortable(),
        Column::new("actions", "", move |s: &Suppression| {
            let for_remove = s.clone();
            view! {
                <button type="button" class=ROW_DANGER data-action="remove" data-email=s.email.clone() on:click=move |_| {
                    pending_remove.set(Some(for_remove.clone()));
                    remove_open.set(true);
                }>"Remove"</button>
            }
            .into_any()
        })
        .numeric(),
    ];
    view! {
        <Title text="Suppression · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Suppression list"</h1>
                    <p class="mt-1 max-w-3xl text-sm text-slate-500 dark:text-slate-400">
                        "Addresses that are never sent to: unsubscribes, hard bounces, spam complaints and the ones you add. A suppression for all lists wins over any list membership."
                    </p>
                </div>
                <div class="flex flex-wrap gap-2">
                    <button type="button" id="add-suppressions" data-testid="add-suppressions" class=PRIMARY
                        on:click=move |_| { add.clear(); add_open.set(true); }>"Add addresses"</button>
                    <button type="button" id="import-suppressions" data-testid="import-suppressions" class=SECONDARY
                        on:click=move |_| { import.clear(); import_open.set(true); }>"Import CSV"</button>
                </div>
            </div>
            <div class="flex flex-wrap items-center gap-3">
                <SearchBox key="q" placeholder="Search address or note" />
                <label class="text-sm">
                    <span class="sr-only">"Scope"</span>
                    <select id="scope-filter" class=FILTER_SELECT prop:value=move || scope.get()
                        on:change=move |ev| set_query_value("scope", &event_target_value(&ev))>
                        <option value="">"Any scope"</option>
                        <option value="global" selected=global_only>"All lists only"</option>
                        {move || list_options.get().into_iter().map(|(id, name)| {
                            let v = id.to_string();
                            let selected = scope.get_untracked() == v;
                            view! { <option value=v selected=selected>{format!("List: {name}")}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="text-sm">
                    <span class="sr-only">"Reason"</span>
                    <select id="reason-filter" class=FILTER_SELECT prop:value=move || reason.get()
                        on:change=move |ev| set_query_value("reason", &event_target_value(&ev))>
                        <option value="">"Any reason"</option>
                        {SuppressionReason::ALL.into_iter().map(|r| {
                            let selected = reason.get_untracked() == r.as_str();
                            view! { <option value=r.as_str() selected=selected>{r.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <DataTable caption="Suppressed addresses" columns=columns query=query data=rows
                empty_title="No suppressed addresses here"
                empty_hint="Unsubscribes, hard bounces and complaints land here by themselves. Add addresses by hand or import a CSV file to block them ahead of time." />
            <InvalidDomainsCard act=act />
        </div>
        <Modal open=add_open id="suppress-dialog" title="Add addresses to the suppression list" width="max-w-xl">
            <AddForm lists=list_options error=Signal::derive(move || add.value().get().and_then(Result::err))
                pending=add.pending()
                on_submit=Callback::new(move |r: forms::AddRequest| {
                    add.dispatch(AddSuppressions { text: r.text, list_id: r.list_id, note: r.note });
                }) />
        </Modal>
        <Modal open=import_open id="suppression-import-dialog" title="Import suppressions from CSV" width="max-w-xl">
            <ImportCsvForm lists=list_options error=Signal::derive(move || import.value().get().and_then(Result::err))
                pending=import.pending()
                on_submit=Callback::new(move |r: forms::ImportRequest| {
                    import.dispatch(ImportSuppressionCsv { text: r.text, list_id: r.list_id });
                }) />
        </Modal>
        <ConfirmDialog open=remove_open
            title=Signal::derive(move || format!("Let mail reach {} again?", pending_remove.get().map(|s| s.email).unwrap_or_default()))
            message=Signal::derive(move || match pending_remove.get().and_then(|s| s.list_name) {
                Some(list) => format!("The address is no longer suppressed for the list {list}. Other suppressions of it stay."),
                None => "The address is no longer suppressed for every list. If it bounced or complained before, sending to it again can hurt your reputation.".to_owned(),
            })
            confirm_label="Remove"
            on_confirm=Callback::new(move |_| if let Some(s) = pending_remove.get_untracked() {
                remove.dispatch(RemoveSuppression { id: s.id });
            }) />
    }
}

/// The result of adding or importing: green when nothing was refused, red when some were.
fn added_toast(toasts: Toasts, r: &SuppressionAdded) {
    let message = added_message(r);
    if r.invalid.is_empty() { toasts.success(message) } else { toasts.error(message) }
}

/// Why an address is suppressed, as a pill.
fn reason_badge(reason: SuppressionReason) -> AnyView {
    let tone = match reason {
        SuppressionReason::Manual => SLATE,
        SuppressionReason::Unsubscribe => AMBER,
        SuppressionReason::HardBounce | SuppressionReason::Complaint => RED,
        SuppressionReason::Import => INDIGO,
        SuppressionReason::InvalidDomain => ORANGE,
    };
    view! { <span class=format!("reason {PILL} {tone}") data-reason=reason.as_str()>{reason.label()}</span> }.into_any()
}
