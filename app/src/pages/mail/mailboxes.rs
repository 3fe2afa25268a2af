//! Mailboxes: logins and mail storage, with search, domain filter, batch, import, export.

use leptos::prelude::*;
use leptos_meta::Title;
use model::SortDirection;
use model::mail::{Mailbox, MailboxFilter};

use super::connection_card::ConnectionCard;
use super::mailbox_forms::{BatchForm, CreatedList, ImportForm, MailboxForm, MailboxFormState};
use super::widgets::{PRIMARY, ROW_ACTION, ROW_DANGER, SECONDARY, status_badge};
use crate::api::ApiError;
use crate::api::mail::domains::domain_names;
use crate::api::mail::mailboxes::{
    BatchCreateMailboxes, CreateMailbox, DeleteMailbox, ImportMailboxes, SetMailboxActive, UpdateMailbox,
    list_mailboxes,
};
use crate::components::confirm::ConfirmDialog;
use crate::components::data_table::{Column, DataTable, TableQuery};
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::components::url_filter::{SearchBox, encode_query, query_value, set_query_value};
use crate::components::usage_bar::UsageBar;
use crate::pages::format;

/// The Mailboxes page.
#[component]
pub fn MailboxesPage() -> impl IntoView {
    let toasts = use_toasts();
    let query = TableQuery::new("", "address", SortDirection::Ascending, 25);
    let search = query_value("q");
    let domain = query_value("domain");
    let create = ServerAction::<CreateMailbox>::new();
    let update = ServerAction::<UpdateMailbox>::new();
    let toggle = ServerAction::<SetMailboxActive>::new();
    let delete = ServerAction::<DeleteMailbox>::new();
    let batch = ServerAction::<BatchCreateMailboxes>::new();
    let import = ServerAction::<ImportMailboxes>::new();
    let mailboxes = Resource::new(
        move || {
            (
                query.request(),
                MailboxFilter { search: search.get(), domain: domain.get() },
                (create.version().get(), update.version().get(), toggle.version().get()),
                (delete.version().get(), batch.version().get(), import.version().get()),
            )
        },
        |(r, f, ..)| list_mailboxes(r.page, r.per_page, r.sort, r.direction, f),
    );
    let names = LocalResource::new(domain_names);
    let domain_options = Signal::derive(move || names.get().and_then(Result::ok).unwrap_or_default());

    let form = MailboxFormState::new();
    let form_open = RwSignal::new(false);
    let local_error = RwSignal::new(None::<ApiError>);
    let form_error = Signal::derive(move || {
        local_error.get().or_else(|| {
            if form.editing.get().is_some() {
                update.value().get().and_then(Result::err)
            } else {
                create.value().get().and_then(Result::err)
            }
        })
    });
    Effect::new(move |_| {
        if let Some(Ok(m)) = create.value().get() {
            toasts.success(format!("Mailbox {} created.", m.display_address));
            form_open.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(m)) = update.value().get() {
            toasts.success(format!("Mailbox {} saved.", m.display_address));
            form_open.set(false);
        }
    });
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(m)) => toasts.success(format!(
            "{} {}.",
            m.display_address,
            if m.active { "enabled" } else { "disabled: it can no longer log in" }
        )),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Mailbox deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(made)) = batch.value().get() {
            toasts.success(format!("{} mailboxes created.", made.len()));
        }
    });
    let submit = Callback::new(move |_| {
        local_error.set(None);
        match form.input() {
            Err(e) => local_error.set(Some(e)),
            Ok(input) => match form.editing.get_untracked() {
                Some(address) => {
                    update.dispatch(UpdateMailbox { address, input });
                }
                None => {
                    create.dispatch(CreateMailbox { input });
                }
            },
        }
    });
    let batch_open = RwSignal::new(false);
    let import_open = RwSignal::new(false);
    let pending_delete = RwSignal::new(None::<Mailbox>);
    let delete_open = RwSignal::new(false);

    let columns = vec![
        Column::new("address", "Address", |m: &Mailbox| {
            view! {
                <div class="font-medium text-slate-900 dark:text-white">{m.display_address.clone()}</div>
                {(m.display_address != m.address).then(|| view! { <div class="font-mono text-xs text-slate-500">"login: "{m.address.clone()}</div> })}
                {(!m.display_name.is_empty()).then(|| view! { <div class="text-xs text-slate-500 dark:text-slate-400">{m.display_name.clone()}</div> })}
            }
            .into_any()
        })
        .sortable(),
        Column::new("used", "Storage", |m: &Mailbox| view! { <UsageBar used=m.used_bytes limit=m.quota_bytes /> }.into_any()).sortable(),
        Column::new("messages", "Messages", |m: &Mailbox| m.messages.to_string().into_any()).numeric(),
        Column::new("created_at", "Created (UTC)", |m: &Mailbox| format::timestamp(&m.created_at).into_any()).sortable(),
        Column::new("active", "Status", |m: &Mailbox| status_badge(m.active)).sortable(),
        Column::new("actions", "", move |m: &Mailbox| {
            let for_edit = m.clone();
            let for_delete = m.clone();
            let address = m.address.clone();
            let active = m.active;
            view! {
                <div class="flex justify-end gap-1 whitespace-nowrap">
                    <button type="button" class=ROW_ACTION data-action="edit" data-address=m.address.clone() on:click=move |_| {
                        form.load(&for_edit);
                        local_error.set(None);
                        update.clear();
                        form_open.set(true);
                    }>"Edit"</button>
                    <button type="button" class=ROW_ACTION data-action="toggle" data-address=m.address.clone() on:click=move |_| {
                        toggle.dispatch(SetMailboxActive { address: address.clone(), active: !active });
                    }>{if active { "Disable" } else { "Enable" }}</button>
                    <button type="button" class=ROW_DANGER data-action="delete" data-address=m.address.clone() on:click=move |_| {
                        pending_delete.set(Some(for_delete.clone()));
                        delete_open.set(true);
                    }>"Delete"</button>
                </div>
            }
            .into_any()
        })
        .numeric(),
    ];
    let export_href = move || {
        format!("/api/mail/mailboxes.csv?domain={}&search={}", encode_query(&domain.get()), encode_query(&search.get()))
    };
    view! {
        <Title text="Mailboxes · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Mailboxes"</h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Each mailbox is a login for IMAP, POP3, SMTP and webmail, and a place mail is kept."</p>
                </div>
                <div class="flex flex-wrap gap-2">
                    <button type="button" id="add-mailbox" class=PRIMARY on:click=move |_| {
                        form.reset(domain.get_untracked());
                        local_error.set(None);
                        create.clear();
                        form_open.set(true);
                    }>"Add mailbox"</button>
                    <button type="button" id="batch-mailboxes" class=SECONDARY on:click=move |_| { batch.clear(); batch_open.set(true); }>"Batch create"</button>
                    <button type="button" id="import-mailboxes" class=SECONDARY on:click=move |_| { import.clear(); import_open.set(true); }>"Import CSV"</button>
                    <a id="export-mailboxes" class=SECONDARY href=export_href download>"Export CSV"</a>
                </div>
            </div>
            <div class="flex flex-wrap items-center gap-3">
                <SearchBox key="q" placeholder="Search address or name" />
                <label class="text-sm">
                    <span class="sr-only">"Domain"</span>
                    <select id="domain-filter" class="rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm dark:border-slate-700 dark:bg-slate-900"
                        prop:value=move || domain.get()
                        on:change=move |ev| set_query_value("domain", &event_target_value(&ev))>
                        <option value="">"All domains"</option>
                        {move || domain_options.get().into_iter().map(|(v, l)| {
                            let selected = domain.get_untracked() == v;
                            view! { <option value=v.clone() selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="grid gap-6 2xl:grid-cols-3">
                <div class="2xl:col-span-2">
                    <DataTable caption="Mailboxes" columns=columns query=query data=mailboxes
                        empty_title="No mailboxes here"
                        empty_hint="Add a mailbox, create a batch, or import a CSV. Add a domain first if there is none." />
                </div>
                <ConnectionCard />
            </div>
        </div>
        <Modal open=form_open id="mailbox-dialog" title=Signal::derive(move || if form.editing.get().is_some() { "Edit mailbox".to_owned() } else { "Add a mailbox".to_owned() })>
            <MailboxForm state=form domains=domain_options error=form_error
                pending=Signal::derive(move || create.pending().get() || update.pending().get()) on_submit=submit />
        </Modal>
        <Modal open=batch_open id="batch-dialog" title="Batch create mailboxes" width="max-w-2xl">
            // The form stays mounted across a failed attempt (its inputs are kept); only a
            // success swaps it for the list of generated passwords.
            <Show
                when=move || matches!(batch.value().get(), Some(Ok(_)))
                fallback=move || view! {
                    <BatchForm domains=domain_options error=Signal::derive(move || batch.value().get().and_then(Result::err))
                        pending=batch.pending() on_submit=Callback::new(move |b| { batch.dispatch(BatchCreateMailboxes { batch: b }); }) />
                }
            >
                {move || batch.value().get().and_then(Result::ok).map(|made| view! { <CreatedList created=made /> })}
            </Show>
        </Modal>
        <Modal open=import_open id="import-dialog" title="Import mailboxes from CSV" width="max-w-2xl">
            <ImportForm report=Signal::derive(move || import.value().get().and_then(Result::ok))
                error=Signal::derive(move || import.value().get().and_then(Result::err))
                pending=import.pending() on_submit=Callback::new(move |csv| { import.dispatch(ImportMailboxes { csv }); }) />
        </Modal>
        <ConfirmDialog open=delete_open
            title=Signal::derive(move || format!("Delete {}?", pending_delete.get().map(|m| m.display_address).unwrap_or_default()))
            message="It can no longer log in, and it is removed from every alias; mail to its address is refused (or taken by the domain's catch-all, if one is set). Stored mail stays on the mail volume. This cannot be undone."
            on_confirm=Callback::new(move |_| if let Some(m) = pending_delete.get_untracked() {
                delete.dispatch(DeleteMailbox { address: m.address });
            }) />
    }
}
