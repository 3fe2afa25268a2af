//! Aliases & forwards, alias domains and BCC rules: where mail goes besides a mailbox.

use leptos::prelude::*;
use leptos_meta::Title;
use model::SortDirection;
use model::mail::{Alias, AliasDomainInput, AliasInput, BccKind, BccRuleInput};

use super::widgets::{CheckField, PRIMARY, ROW_ACTION, ROW_DANGER, SelectField, form_error, status_badge, tag};
use crate::api::ApiError;
use crate::api::mail::aliases::{
    CreateAlias, CreateAliasDomain, CreateBccRule, DeleteAlias, DeleteAliasDomain, DeleteBccRule, SetAliasActive,
    UpdateAlias, list_alias_domains, list_aliases, list_bcc_rules,
};
use crate::api::mail::domains::domain_names;
use crate::components::confirm::ConfirmDialog;
use crate::components::data_table::{Column, DataTable, TableQuery};
use crate::components::field::{SubmitButton, TextField};
use crate::components::modal::Modal;
use crate::components::toast::use_toasts;
use crate::components::url_filter::{SearchBox, query_value};

/// The page: aliases table, then alias domains and BCC rules side by side.
#[component]
pub fn AliasesPage() -> impl IntoView {
    let toasts = use_toasts();
    let query = TableQuery::new("", "address", SortDirection::Ascending, 25);
    let search = query_value("q");
    let domain = query_value("domain");
    let create = ServerAction::<CreateAlias>::new();
    let update = ServerAction::<UpdateAlias>::new();
    let toggle = ServerAction::<SetAliasActive>::new();
    let delete = ServerAction::<DeleteAlias>::new();
    let aliases = Resource::new(
        move || {
            (
                query.request(),
                search.get(),
                domain.get(),
                create.version().get(),
                update.version().get(),
                toggle.version().get(),
                delete.version().get(),
            )
        },
        |(r, q, d, ..)| list_aliases(r.page, r.per_page, r.sort, r.direction, q, d),
    );
    let address = RwSignal::new(String::new());
    let targets = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let active = RwSignal::new(true);
    let editing = RwSignal::new(None::<String>);
    let form_open = RwSignal::new(false);
    let error = Signal::derive(move || {
        if editing.get().is_some() {
            update.value().get().and_then(Result::err)
        } else {
            create.value().get().and_then(Result::err)
        }
    });
    for (label, action_value) in [("created", create.value()), ("saved", update.value())] {
        Effect::new(move |_| {
            if let Some(Ok(a)) = action_value.get() {
                toasts.success(format!("Alias {} {label}.", a.display_address));
                form_open.set(false);
            }
        });
    }
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(a)) => {
            toasts.success(format!("{} {}.", a.display_address, if a.active { "enabled" } else { "disabled" }))
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Alias deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let pending_delete = RwSignal::new(None::<String>);
    let delete_open = RwSignal::new(false);
    let columns = vec![
        Column::new("address", "Address", |a: &Alias| {
            view! {
                <div class="flex flex-wrap items-center gap-2">
                    <span class="font-medium text-slate-900 dark:text-white">{a.display_address.clone()}</span>
                    {a.is_role.then(|| tag("role".into()))}
                    {a.is_forward.then(|| tag("forward".into()))}
                </div>
                {(!a.description.is_empty()).then(|| view! { <div class="text-xs text-slate-500 dark:text-slate-400">{a.description.clone()}</div> })}
            }
            .into_any()
        })
        .sortable(),
        Column::new("targets", "Delivers to", |a: &Alias| {
            if a.targets.is_empty() {
                return view! { <span class="text-xs text-amber-700 dark:text-amber-300">"No target yet: add a mailbox or edit"</span> }.into_any();
            }
            view! {
                <div class="flex max-w-md flex-wrap gap-1">
                    {a.targets.iter().map(|t| view! { <span class="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-800">{t.clone()}</span> }).collect_view()}
                </div>
            }
            .into_any()
        }),
        Column::new("active", "Status", |a: &Alias| status_badge(a.active)).sortable(),
        Column::new("actions", "", move |a: &Alias| {
            let for_edit = a.clone();
            let addr_toggle = a.address.clone();
            let addr_delete = a.address.clone();
            let is_active = a.active;
            view! {
                <div class="flex justify-end gap-1 whitespace-nowrap">
                    <button type="button" class=ROW_ACTION data-action="edit" data-address=a.address.clone() on:click=move |_| {
                        address.set(for_edit.display_address.clone());
                        targets.set(for_edit.targets.join("\n"));
                        description.set(for_edit.description.clone());
                        active.set(for_edit.active);
                        editing.set(Some(for_edit.address.clone()));
                        update.clear();
                        form_open.set(true);
                    }>"Edit"</button>
                    <button type="button" class=ROW_ACTION data-action="toggle" on:click=move |_| {
                        toggle.dispatch(SetAliasActive { address: addr_toggle.clone(), active: !is_active });
                    }>{if is_active { "Disable" } else { "Enable" }}</button>
                    <button type="button" class=ROW_DANGER data-action="delete" data-address=a.address.clone() on:click=move |_| {
                        pending_delete.set(Some(addr_delete.clone()));
                        delete_open.set(true);
                    }>"Delete"</button>
                </div>
            }
            .into_any()
        })
        .numeric(),
    ];
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = AliasInput {
            address: address.get_untracked(),
            targets: targets.get_untracked().lines().map(str::to_owned).collect(),
            description: description.get_untracked(),
            active: active.get_untracked(),
        };
        match editing.get_untracked() {
            Some(a) => {
                update.dispatch(UpdateAlias { address: a, input });
            }
            None => {
                create.dispatch(CreateAlias { input });
            }
        }
    };
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));
    view! {
        <Title text="Aliases & forwards · BillionMail" />
        <div class="space-y-8">
            <div class="space-y-6">
                <div class="flex flex-wrap items-end justify-between gap-4">
                    <div>
                        <h1 class="text-2xl font-semibold tracking-tight">"Aliases & forwards"</h1>
                        <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"An alias delivers to one or more addresses. On a mailbox's own address it is a forward (list the mailbox too to keep a copy)."</p>
                    </div>
                    <div class="flex flex-wrap items-center gap-3">
                        <SearchBox key="q" placeholder="Search address or target" />
                        <button type="button" id="add-alias" class=PRIMARY on:click=move |_| {
                            address.set(String::new());
                            targets.set(String::new());
                            description.set(String::new());
                            active.set(true);
                            editing.set(None);
                            create.clear();
                            form_open.set(true);
                        }>"Add alias"</button>
                    </div>
                </div>
                <DataTable caption="Aliases" columns=columns query=query data=aliases
                    empty_title="No aliases here"
                    empty_hint="Add an alias such as info@ or sales@ that delivers to one or more mailboxes." />
            </div>
            <div class="grid gap-6 lg:grid-cols-2">
                <AliasDomainsCard />
                <BccCard />
            </div>
        </div>
        <Modal open=form_open id="alias-dialog" title=Signal::derive(move || if editing.get().is_some() { "Edit alias".to_owned() } else { "Add an alias".to_owned() })>
            <form id="alias-form" class="space-y-4" on:submit=submit>
                <Show when=move || editing.get().is_none() fallback=move || view! {
                    <p class="text-sm text-slate-600 dark:text-slate-300">"Alias " <strong class="font-mono">{move || address.get()}</strong></p>
                }>
                    <TextField name="address" label="Address" value=address autocomplete="off" autofocus=true hint="For example team@example.com" error=field("address") />
                </Show>
                <div class="space-y-1.5">
                    <label for="targets" class="block text-sm font-medium text-slate-700 dark:text-slate-200">"Deliver to"</label>
                    <textarea id="targets" name="targets" rows="4" bind:value=targets placeholder="one address per line"
                        class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-sm dark:border-slate-700 dark:bg-slate-950"></textarea>
                    <p class="field-error text-xs font-medium text-rose-600 dark:text-rose-400">{move || field("targets").get().unwrap_or_default()}</p>
                </div>
                <TextField name="alias_description" label="Description (optional)" value=description error=Signal::derive(|| None::<String>) />
                <CheckField name="alias_active" label="Active" value=active />
                {move || form_error(error.get().filter(|e| e.for_field("address").is_none() && e.for_field("targets").is_none()).map(|e| e.to_string()))}
                <SubmitButton label="Save alias" pending_label="Saving…" pending=Signal::derive(move || create.pending().get() || update.pending().get()) />
            </form>
        </Modal>
        <ConfirmDialog open=delete_open
            title=Signal::derive(move || format!("Delete {}?", pending_delete.get().unwrap_or_default()))
            message="Mail to this address is refused from now on (unless it is a mailbox, which then receives it again, or a catch-all takes it)."
            on_confirm=Callback::new(move |_| if let Some(address) = pending_delete.get_untracked() {
                delete.dispatch(DeleteAlias { address });
            }) />
    }
}

fn card_class() -> &'static str {
    "rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
}

/// Alias domains: list and a one-line add form.
#[component]
fn AliasDomainsCard() -> impl IntoView {
    let toasts = use_toasts();
    let create = ServerAction::<CreateAliasDomain>::new();
    let delete = ServerAction::<DeleteAliasDomain>::new();
    let list = Resource::new(move || (create.version().get(), delete.version().get()), |_| list_alias_domains());
    let names = LocalResource::new(domain_names);
    let options = Signal::derive(move || names.get().and_then(Result::ok).unwrap_or_default());
    let name = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    Effect::new(move |_| match create.value().get() {
        Some(Ok(d)) => {
            toasts.success(format!("{} now delivers to {}.", d.display_name, d.target_domain));
            name.set(String::new());
        }
        Some(Err(e)) if e.for_field("name").is_none() => toasts.report(&e),
        _ => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Alias domain removed."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let error =
        Signal::derive(move || create.value().get().and_then(Result::err).and_then(|e: ApiError| e.for_field("name")));
    view! {
        <section id="alias-domains" class=card_class()>
            <h2 class="text-base font-semibold">"Alias domains"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Mail to anything@alias-domain goes to the same name in the target domain."</p>
            <Suspense fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="mt-3 text-sm text-rose-600">{e.to_string()}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="mt-3 text-sm text-slate-500 dark:text-slate-400">"None yet. Add one below, for example example.net → example.com."</p> }.into_any(),
                    Ok(rows) => view! {
                        <ul class="mt-3 divide-y divide-slate-100 text-sm dark:divide-slate-800">
                            {rows.into_iter().map(|d| {
                                let n = d.name.clone();
                                view! {
                                    <li class="flex items-center justify-between py-2">
                                        <span><span class="font-medium">{d.display_name.clone()}</span>" → "{d.target_domain.clone()}" "{status_badge(d.active)}</span>
                                        <button type="button" class=ROW_DANGER on:click=move |_| { delete.dispatch(DeleteAliasDomain { name: n.clone() }); }>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            <form id="alias-domain-form" class="mt-4 grid gap-3 sm:grid-cols-2" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                create.dispatch(CreateAliasDomain { input: AliasDomainInput { name: name.get_untracked(), target_domain: target.get_untracked(), active: true } });
            }>
                <TextField name="alias_domain_name" label="Alias domain" value=name autocomplete="off" error=error />
                <SelectField name="alias_domain_target" label="Delivers to" value=target options=options any_label="Choose a domain…" />
                <div class="sm:col-span-2"><SubmitButton label="Add alias domain" pending_label="Adding…" pending=create.pending() /></div>
            </form>
        </section>
    }
}

/// BCC rules: list and an add form.
#[component]
fn BccCard() -> impl IntoView {
    let toasts = use_toasts();
    let create = ServerAction::<CreateBccRule>::new();
    let delete = ServerAction::<DeleteBccRule>::new();
    let list = Resource::new(move || (create.version().get(), delete.version().get()), |_| list_bcc_rules());
    let kind = RwSignal::new("sender".to_owned());
    let matches = RwSignal::new(String::new());
    let bcc_to = RwSignal::new(String::new());
    Effect::new(move |_| match create.value().get() {
        Some(Ok(r)) => {
            toasts.success(format!(
                "Copies of mail {} {} now go to {}.",
                if r.kind == BccKind::Sender { "from" } else { "to" },
                r.matches,
                r.bcc_to
            ));
            matches.set(String::new());
            bcc_to.set(String::new());
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("BCC rule removed."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let kinds = Signal::derive(|| {
        vec![("sender".to_owned(), "Mail sent by".to_owned()), ("recipient".to_owned(), "Mail received by".to_owned())]
    });
    view! {
        <section id="bcc-rules" class=card_class()>
            <h2 class="text-base font-semibold">"BCC rules"</h2>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Send a copy of every message from or to an address, or a whole domain (@example.com), to an archive address."</p>
            <Suspense fallback=|| ()>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="mt-3 text-sm text-rose-600">{e.to_string()}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="mt-3 text-sm text-slate-500 dark:text-slate-400">"No BCC rules. Most servers need none; add one for archiving or supervision."</p> }.into_any(),
                    Ok(rows) => view! {
                        <ul class="mt-3 divide-y divide-slate-100 text-sm dark:divide-slate-800">
                            {rows.into_iter().map(|b| {
                                let id = b.id;
                                let verb = if b.kind == BccKind::Sender { "sent by" } else { "received by" };
                                view! {
                                    <li class="flex items-center justify-between gap-2 py-2">
                                        <span>{format!("Mail {verb} ")}<span class="font-mono">{b.matches.clone()}</span>" → "<span class="font-mono">{b.bcc_to.clone()}</span>" "{status_badge(b.active)}</span>
                                        <button type="button" class=ROW_DANGER on:click=move |_| { delete.dispatch(DeleteBccRule { id }); }>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
            <form id="bcc-form" class="mt-4 grid gap-3 sm:grid-cols-3" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let k = BccKind::parse(&kind.get_untracked()).unwrap_or_default();
                create.dispatch(CreateBccRule { input: BccRuleInput { kind: k, matches: matches.get_untracked(), bcc_to: bcc_to.get_untracked(), active: true, description: String::new() } });
            }>
                <SelectField name="bcc_kind" label="Copy" value=kind options=kinds />
                <TextField name="bcc_match" label="Address or @domain" value=matches autocomplete="off" error=Signal::derive(|| None::<String>) />
                <TextField name="bcc_to" label="Copy to" value=bcc_to autocomplete="off" error=Signal::derive(|| None::<String>) />
                <div class="sm:col-span-3"><SubmitButton label="Add BCC rule" pending_label="Adding…" pending=create.pending() /></div>
            </form>
        </section>
    }
}
