//! Domains: the mail domains this server receives for, with their limits and usage.

use leptos::prelude::*;
use leptos_meta::Title;
use model::SortDirection;
use model::mail::MailDomain;

use super::domain_form::{DomainForm, DomainFormState};
use super::widgets::{PRIMARY, ROW_ACTION, ROW_DANGER, status_badge, tag};
use crate::api::ApiError;
use crate::api::mail::domains::{CreateDomain, DeleteDomain, SetDomainActive, UpdateDomain, list_domains};
use crate::components::confirm::ConfirmDialog;
use crate::components::data_table::{Column, DataTable, TableQuery};
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::components::url_filter::{SearchBox, query_value};
use crate::components::usage_bar::UsageBar;

/// The Domains table with add/edit dialog, enable/disable and a guarded delete.
#[component]
pub fn DomainsPage() -> impl IntoView {
    let toasts = use_toasts();
    let query = TableQuery::new("", "name", SortDirection::Ascending, 20);
    let search = query_value("q");
    let create = ServerAction::<CreateDomain>::new();
    let update = ServerAction::<UpdateDomain>::new();
    let toggle = ServerAction::<SetDomainActive>::new();
    let delete = ServerAction::<DeleteDomain>::new();
    let domains = Resource::new(
        move || {
            (
                query.request(),
                search.get(),
                create.version().get(),
                update.version().get(),
                toggle.version().get(),
                delete.version().get(),
            )
        },
        |(r, q, ..)| list_domains(r.page, r.per_page, r.sort, r.direction, q),
    );
    let form = DomainFormState::new();
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
        if let Some(Ok(d)) = create.value().get() {
            toasts.success(format!("Domain {} added with postmaster@, abuse@ and a DKIM key.", d.display_name));
            form_open.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(d)) = update.value().get() {
            toasts.success(format!("Domain {} saved.", d.display_name));
            form_open.set(false);
        }
    });
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(d)) => toasts.success(format!("{} {}.", d.display_name, if d.active { "enabled" } else { "disabled" })),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let pending_delete = RwSignal::new(None::<MailDomain>);
    let dns_domain = RwSignal::new(None::<MailDomain>);
    let dns_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Domain deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let submit = Callback::new(move |_| {
        local_error.set(None);
        match form.input() {
            Err(e) => local_error.set(Some(e)),
            Ok(input) => match form.editing.get_untracked() {
                Some(name) => {
                    update.dispatch(UpdateDomain { name, input });
                }
                None => {
                    create.dispatch(CreateDomain { input });
                }
            },
        }
    });
    let open_new = move |_| {
        form.reset();
        local_error.set(None);
        create.clear();
        update.clear();
        form_open.set(true);
    };
    let columns = vec![
        Column::new("name", "Domain", |d: &MailDomain| {
            let ascii = (d.display_name != d.name).then(|| d.name.clone());
            view! {
                <div class="font-medium text-slate-900 dark:text-white">{d.display_name.clone()}</div>
                {ascii.map(|a| view! { <div class="font-mono text-xs text-slate-500">{a}</div> })}
                {(!d.description.is_empty()).then(|| view! { <div class="text-xs text-slate-500 dark:text-slate-400">{d.description.clone()}</div> })}
            }
            .into_any()
        })
        .sortable(),
        Column::new("mailboxes", "Mailboxes", |d: &MailDomain| {
            let limit = if d.max_mailboxes > 0 { format!(" / {}", d.max_mailboxes) } else { String::new() };
            let href = format!("/mailboxes?domain={}", d.name);
            view! { <a class="hover:underline" href=href>{d.mailbox_count}{limit}</a> }.into_any()
        })
        .sortable()
        .numeric(),
        Column::new("aliases", "Aliases", |d: &MailDomain| {
            let href = format!("/aliases?domain={}", d.name);
            view! { <a class="hover:underline" href=href>{d.alias_count}</a> }.into_any()
        })
        .numeric(),
        Column::new("used", "Storage used", |d: &MailDomain| {
            let limit = if d.total_quota_bytes > 0 { d.total_quota_bytes } else { d.allocated_quota_bytes };
            view! { <UsageBar used=d.used_bytes limit=limit /> }.into_any()
        })
        .sortable(),
        Column::new("dkim", "DKIM", move |d: &MailDomain| match (&d.dkim_selector, &d.dkim_record) {
            (Some(selector), Some(_)) => {
                let for_dns = d.clone();
                view! {
                    <button type="button" class="dkim-record" data-domain=d.name.clone() title="Show the DNS record to publish"
                        on:click=move |_| { dns_domain.set(Some(for_dns.clone())); dns_open.set(true); }>
                        {tag(selector.clone())}
                    </button>
                }
                .into_any()
            }
            _ => "—".into_any(),
        }),
        Column::new("active", "Status", |d: &MailDomain| status_badge(d.active)).sortable(),
        Column::new("actions", "", move |d: &MailDomain| {
            let for_edit = d.clone();
            let for_delete = d.clone();
            let name = d.name.clone();
            let active = d.active;
            let dns_href = format!("/domains/{}/dns", d.name);
            view! {
                <div class="flex justify-end gap-1 whitespace-nowrap">
                    <a class=ROW_ACTION data-action="dns" data-domain=d.name.clone() href=dns_href>"DNS"</a>
                    <button type="button" class=ROW_ACTION data-action="edit" data-domain=d.name.clone() on:click=move |_| {
                        form.load(&for_edit);
                        local_error.set(None);
                        update.clear();
                        form_open.set(true);
                    }>"Edit"</button>
                    <button type="button" class=ROW_ACTION data-action="toggle" data-domain=d.name.clone() on:click=move |_| {
                        toggle.dispatch(SetDomainActive { name: name.clone(), active: !active });
                    }>{if active { "Disable" } else { "Enable" }}</button>
                    <button type="button" class=ROW_DANGER data-action="delete" data-domain=d.name.clone() on:click=move |_| {
                        pending_delete.set(Some(for_delete.clone()));
                        delete_open.set(true);
                    }>"Delete"</button>
                </div>
            }
            .into_any()
        })
        .numeric(),
    ];
    let needs_typing = move || pending_delete.get().is_some_and(|d| d.mailbox_count > 0);
    view! {
        <Title text="Domains · BillionMail" />
        <div class="space-y-6">
            <div class="flex flex-wrap items-end justify-between gap-4">
                <div>
                    <h1 class="text-2xl font-semibold tracking-tight">"Domains"</h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"The domains this server receives mail for. Each gets postmaster@ and abuse@ and a DKIM signing key."</p>
                </div>
                <div class="flex flex-wrap items-center gap-3">
                    <SearchBox key="q" placeholder="Search domains" />
                    <button type="button" id="add-domain" class=PRIMARY on:click=open_new>"Add domain"</button>
                </div>
            </div>
            <DataTable caption="Mail domains" columns=columns query=query data=domains
                empty_title="No mail domains yet"
                empty_hint="Add your first domain to create mailboxes and aliases in it." />
        </div>
        <Modal open=dns_open id="dkim-dialog" width="max-w-2xl" title=Signal::derive(move || format!("DKIM record for {}", dns_domain.get().map(|d| d.display_name).unwrap_or_default()))>
            {move || dns_domain.get().map(|d| {
                let name = format!("{}._domainkey.{}", d.dkim_selector.clone().unwrap_or_default(), d.name);
                view! {
                    <div class="space-y-4 text-sm">
                        <p class="text-slate-600 dark:text-slate-300">"Publish this TXT record in the domain's DNS so receivers can verify the signatures Rspamd adds to mail sent from this server."</p>
                        <div>
                            <div class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Name"</div>
                            <div id="dkim-name" class="mt-1 select-all break-all rounded-lg bg-slate-100 px-3 py-2 font-mono text-xs dark:bg-slate-800">{name}</div>
                        </div>
                        <div>
                            <div class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Type"</div>
                            <div class="mt-1 font-mono text-xs">"TXT"</div>
                        </div>
                        <div>
                            <div class="text-xs font-semibold uppercase tracking-wide text-slate-500">"Value"</div>
                            <div id="dkim-value" class="mt-1 select-all break-all rounded-lg bg-slate-100 px-3 py-2 font-mono text-xs dark:bg-slate-800">{d.dkim_record.clone().unwrap_or_default()}</div>
                        </div>
                    </div>
                }
            })}
        </Modal>
        <Modal open=form_open id="domain-dialog" title=Signal::derive(move || if form.editing.get().is_some() { "Edit domain".to_owned() } else { "Add a domain".to_owned() })>
            <DomainForm state=form error=form_error
                pending=Signal::derive(move || create.pending().get() || update.pending().get())
                on_submit=submit />
        </Modal>
        <Show when=move || needs_typing() fallback=move || view! {
            <ConfirmDialog open=delete_open
                title=Signal::derive(move || format!("Delete {}?", pending_delete.get().map(|d| d.display_name).unwrap_or_default()))
                message="Its aliases, role addresses and DKIM key are removed. This cannot be undone."
                on_confirm=Callback::new(move |_| if let Some(d) = pending_delete.get_untracked() {
                    delete.dispatch(DeleteDomain { name: d.name, confirm: None });
                }) />
        }>
            <ConfirmDialog open=delete_open
                title=Signal::derive(move || format!("Delete {} and its mailboxes?", pending_delete.get().map(|d| d.display_name).unwrap_or_default()))
                message=Signal::derive(move || format!(
                    "{} mailbox(es) will no longer receive mail or log in; stored mail stays on the mail volume until you remove it. This cannot be undone.",
                    pending_delete.get().map(|d| d.mailbox_count).unwrap_or_default()))
                require_text=Signal::derive(move || pending_delete.get().map(|d| d.display_name).unwrap_or_default())
                on_confirm=Callback::new(move |_| if let Some(d) = pending_delete.get_untracked() {
                    delete.dispatch(DeleteDomain { confirm: Some(d.display_name.clone()), name: d.name });
                }) />
        </Show>
    }
}
