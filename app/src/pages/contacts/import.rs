//! The import page (`/contacts/import`): upload a CSV/TSV file, map its columns, start the
//! import; and the recent imports below. `?id=` reopens the mapping of an uploaded file, so a
//! reload (or the "Continue" link of a recent import) keeps the admin's place.

use leptos::prelude::*;
use leptos_meta::Title;
use model::contacts::{ImportJob, ImportPreview, ImportState};

use super::import_mapping::MappingForm;
use super::import_progress::state_badge;
use super::import_upload::UploadPanel;
use super::thousands;
use crate::api::contacts::imports::{import_preview, recent_imports};
use crate::components::toast::use_toasts;
use crate::components::url_filter::{query_value, set_query_value};
use crate::pages::deliverability::{CARD, Head, TD, card_table, empty_line, load_error};
use crate::pages::format;
use crate::pages::mail::widgets::ROW_ACTION;

/// The import page: step 1 (file) or steps 2–3 (mapping, options), then the recent imports.
#[component]
pub fn ImportPage() -> impl IntoView {
    let toasts = use_toasts();
    let preview = RwSignal::new(None::<ImportPreview>);
    let wanted = query_value("id");
    // `?id=` names an uploaded file: load its preview unless it is the one shown.
    Effect::new(move |_| {
        let Ok(id) = wanted.get().parse::<i64>() else {
            return;
        };
        if preview.with_untracked(|p| p.as_ref().map(|p| p.import_id)) == Some(id) {
            return;
        }
        leptos::task::spawn_local(async move {
            match import_preview(id).await {
                Ok(p) => {
                    let _ = preview.try_set(Some(p));
                }
                Err(e) => toasts.report(&e),
            }
        });
    });
    // A fresh upload puts its id in the URL, so a reload comes back to its mapping.
    Effect::new(move |_| {
        if let Some(id) = preview.with(|p| p.as_ref().map(|p| p.import_id))
            && wanted.get_untracked() != id.to_string()
        {
            set_query_value("id", &id.to_string());
        }
    });
    let restart = Callback::new(move |_| {
        preview.set(None);
        set_query_value("id", "");
    });
    let step = move || match preview.get() {
        None => view! { <UploadPanel preview=preview /> }.into_any(),
        Some(p) => view! { <MappingForm preview=p on_restart=restart /> }.into_any(),
    };
    view! {
        <Title text="Import contacts · BillionMail" />
        <div class="space-y-6">
            <div>
                <a href="/contacts" class="text-sm text-indigo-600 hover:underline dark:text-indigo-300">"← Contacts"</a>
                <h1 class="mt-2 text-2xl font-semibold tracking-tight">"Import contacts"</h1>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                    "Upload a file, choose where each column goes, and the import runs in the background: you can leave the page and come back to its progress."
                </p>
            </div>
            {step}
            <RecentImports />
        </div>
    }
}

/// The latest imports with their state and figures.
#[component]
fn RecentImports() -> impl IntoView {
    let recent = Resource::new(|| (), |_| recent_imports());
    view! {
        <section id="recent-imports" class=CARD>
            <h2 class="text-base font-semibold">"Recent imports"</h2>
            <Transition fallback=|| view! { <p class="mt-3 text-sm text-slate-500">"Loading…"</p> }>
                {move || recent.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(jobs) if jobs.is_empty() => empty_line("No imports yet."),
                    Ok(jobs) => recent_table(jobs),
                })}
            </Transition>
        </section>
    }
}

/// One row per import; an uploaded file not yet started links back to its mapping.
fn recent_table(jobs: Vec<ImportJob>) -> AnyView {
    let rows = jobs
        .into_iter()
        .map(|j| {
            let (href, action) = if j.state == ImportState::Uploaded {
                (format!("/contacts/import?id={}", j.id), "Continue")
            } else {
                (format!("/contacts/import/{}", j.id), "Details")
            };
            let right = format!("{TD} text-right tabular-nums");
            view! {
                <tr data-import=j.id.to_string()>
                    <td class=TD>
                        <div class="max-w-xs truncate font-medium text-slate-900 dark:text-white">{j.file_name.clone()}</div>
                        <div class="text-xs text-slate-500 dark:text-slate-400">{format!("{} · by {}", format::bytes(j.size_bytes), j.created_by)}</div>
                    </td>
                    <td class=TD>{state_badge(j.state)}</td>
                    <td class=right.clone()>{thousands(j.rows_read)}</td>
                    <td class=right.clone()>{thousands(j.contacts_new)}</td>
                    <td class=right.clone()>{thousands(j.contacts_updated)}</td>
                    <td class=right>{thousands(j.rows_invalid)}</td>
                    <td class=format!("{TD} whitespace-nowrap")>{format::timestamp(&j.created_at)}</td>
                    <td class=format!("{TD} text-right")><a class=ROW_ACTION href=href>{action}</a></td>
                </tr>
            }
        })
        .collect_view();
    card_table(
        "recent-imports-table",
        &[
            ("File", Head::Left),
            ("State", Head::Left),
            ("Rows", Head::Right),
            ("New", Head::Right),
            ("Updated", Head::Right),
            ("Invalid", Head::Right),
            ("Uploaded (UTC)", Head::Left),
            ("Actions", Head::ScreenReaderOnly),
        ],
        rows,
    )
}
