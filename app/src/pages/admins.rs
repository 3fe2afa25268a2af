//! Admins: who can sign in to this admin; add and remove accounts.

use leptos::prelude::*;
use leptos_meta::Title;
use model::{AdminAccount, SortDirection};

use super::format;
use crate::api::ApiError;
use crate::api::admins::{CreateAdmin, DeleteAdmin, list_admins};
use crate::components::confirm::ConfirmDialog;
use crate::components::data_table::{Column, DataTable, TableQuery};
use crate::components::field::{SubmitButton, TextField};
use crate::components::toast::use_toasts;

/// Table of admin accounts, an "add admin" form and a confirmed delete.
#[component]
pub fn AdminsPage() -> impl IntoView {
    let toasts = use_toasts();
    let query = TableQuery::new("", "username", SortDirection::Ascending, 20);
    let create = ServerAction::<CreateAdmin>::new();
    let delete = ServerAction::<DeleteAdmin>::new();
    let admins = Resource::new(
        move || (query.request(), create.version().get(), delete.version().get()),
        |(r, _, _)| list_admins(r.page, r.per_page, r.sort, r.direction),
    );
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    Effect::new(move |_| match create.value().get() {
        Some(Ok(u)) => {
            toasts.success(format!("Admin {} added.", u.username));
            username.set(String::new());
            password.set(String::new());
        }
        // Field errors are shown under their inputs.
        Some(Err(ApiError::Invalid { .. })) => {}
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let pending_delete = RwSignal::new(None::<(i64, String)>);
    let dialog_open = RwSignal::new(false);
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => toasts.success("Admin deleted."),
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    let create_error = move || create.value().get().and_then(Result::err);
    let columns = vec![
        Column::new("username", "Username", |a: &AdminAccount| {
            view! {
                <span class="font-medium text-slate-900 dark:text-white">{a.username.clone()}</span>
                {a.is_you.then(|| view! {
                    <span class="ml-2 rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">"you"</span>
                })}
            }
            .into_any()
        })
        .sortable(),
        Column::new("created_at", "Created", |a: &AdminAccount| format::timestamp(&a.created_at).into_any()).sortable(),
        Column::new("last_sign_in_at", "Last sign-in", |a: &AdminAccount| {
            a.last_sign_in_at.as_ref().map(format::timestamp).unwrap_or_else(|| "Never".into()).into_any()
        })
        .sortable(),
        Column::new("active_sessions", "Sessions", |a: &AdminAccount| a.active_sessions.to_string().into_any())
            .sortable()
            .numeric(),
        Column::new("actions", "", move |a: &AdminAccount| {
            if a.is_you {
                return ().into_any();
            }
            let target = (a.id, a.username.clone());
            view! {
                <button type="button" class="delete-admin rounded-md px-2 py-1 text-xs font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-rose-950"
                    data-username=a.username.clone()
                    on:click=move |_| { pending_delete.set(Some(target.clone())); dialog_open.set(true); }>
                    "Delete"
                </button>
            }
            .into_any()
        })
        .numeric(),
    ];
    view! {
        <Title text="Admins · BillionMail" />
        <div class="space-y-6">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Admins"</h1>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"People who can sign in to this admin. Every admin has full access. Times are UTC."</p>
            </div>
            <div class="grid gap-6 lg:grid-cols-3">
                <div class="lg:col-span-2">
                    <DataTable caption="Admin accounts" columns=columns query=query data=admins
                        empty_title="No admins on this page"
                        empty_hint="Go back to the first page, or add an admin with the form." />
                </div>
                <section class="h-fit rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                    <h2 class="text-base font-semibold">"Add an admin"</h2>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Share the password with them over a safe channel."</p>
                    <form id="add-admin-form" class="mt-4 space-y-4" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        create.dispatch(CreateAdmin { username: username.get_untracked(), password: password.get_untracked() });
                    }>
                        <TextField name="username" label="Username" value=username autocomplete="off"
                            error=Signal::derive(move || create_error().and_then(|e| e.for_field("username"))) />
                        <TextField name="password" label="Password" value=password input_type="password" autocomplete="new-password"
                            hint="12+ characters with three of: lower, upper, digit, symbol."
                            error=Signal::derive(move || create_error().and_then(|e| e.for_field("password"))) />
                        <SubmitButton label="Add admin" pending_label="Adding…" pending=create.pending() />
                    </form>
                </section>
            </div>
        </div>
        <ConfirmDialog
            open=dialog_open
            title=Signal::derive(move || format!("Delete admin {}?", pending_delete.get().map(|p| p.1).unwrap_or_default()))
            message="They are signed out at once and can no longer sign in. This cannot be undone."
            on_confirm=Callback::new(move |_| {
                if let Some((id, _)) = pending_delete.get_untracked() {
                    delete.dispatch(DeleteAdmin { id });
                }
            })
        />
    }
}
