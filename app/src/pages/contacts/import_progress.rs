//! An import's page (`/contacts/import/:id`): progress while it runs (polled every 500 ms),
//! then what it did, the refused lines and the full error report.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::contacts::{ImportJob, ImportState};

use crate::api::contacts::imports::{CancelImport, import_errors, import_job};
use crate::components::clock::BrowserClock;
use crate::components::confirm::ConfirmDialog;
use crate::components::toast::use_toasts;
use crate::pages::contacts::thousands;
use crate::pages::deliverability::{
    AMBER, CARD, GREEN, GREY, Head, INDIGO, PILL, RED, TD, card_table, load_error, skeleton,
};
use crate::pages::format;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY};

/// How often a running import is asked for its progress.
const POLL: Duration = Duration::from_millis(500);

/// The import's progress page.
#[component]
pub fn ImportProgressPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)));
    let toasts = use_toasts();
    let first = Resource::new(move || id.get(), import_job);
    // The newest state from polling (or from the cancel), preferred over the first load.
    let live = RwSignal::new(None::<ImportJob>);
    let cancel = ServerAction::<CancelImport>::new();
    let cancel_open = RwSignal::new(false);
    Effect::new(move |_| match cancel.value().get() {
        Some(Ok(job)) => {
            live.set(Some(job));
            toasts.success("Import cancelled. Nothing from this file was kept.");
        }
        Some(Err(e)) => toasts.report(&e),
        None => {}
    });
    view! {
        <Title text="Import · BillionMail" />
        <div class="space-y-6">
            <div>
                <a href="/contacts/import" class="text-sm text-indigo-600 hover:underline dark:text-indigo-300">"← Import contacts"</a>
                <h1 class="mt-2 text-2xl font-semibold tracking-tight">"Import"</h1>
            </div>
            <Transition fallback=skeleton>
                {move || first.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(job) => view! { <JobPanel first=job live=live cancel_open=cancel_open /> }.into_any(),
                })}
            </Transition>
        </div>
        <ConfirmDialog open=cancel_open title="Cancel this import?"
            message="The import stops and everything it did is undone: an import is kept whole or not at all."
            confirm_label="Cancel import"
            on_confirm=Callback::new(move |_| {
                cancel.dispatch(CancelImport { id: id.get_untracked() });
            }) />
    }
}

/// The job's figures, kept current by polling while it is active.
#[component]
fn JobPanel(first: ImportJob, live: RwSignal<Option<ImportJob>>, cancel_open: RwSignal<bool>) -> impl IntoView {
    let id = first.id;
    let clock = BrowserClock::new();
    let job = Signal::derive(move || live.get().filter(|j| j.id == id).unwrap_or_else(|| first.clone()));
    let active = Memo::new(move |_| job.with(|j| j.state.is_active()));
    // Poll while active; Effects run only in the browser, so no timer exists on the server.
    let poller = StoredValue::new(None::<IntervalHandle>);
    let in_flight = StoredValue::new(false);
    Effect::new(move |_| {
        if active.get() {
            if poller.get_value().is_none() {
                let poll = move || {
                    if in_flight.try_get_value() != Some(false) {
                        return;
                    }
                    in_flight.set_value(true);
                    leptos::task::spawn_local(async move {
                        if let Ok(j) = import_job(id).await {
                            let _ = live.try_set(Some(j));
                        }
                        clock.tick();
                        let _ = in_flight.try_set_value(false);
                    });
                };
                poller.set_value(set_interval_with_handle(poll, POLL).ok());
            }
        } else if let Some(handle) = poller.get_value() {
            handle.clear();
            poller.set_value(None);
        }
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = poller.try_get_value() {
            handle.clear();
        }
    });
    let percent = move || job.with(ImportJob::percent);
    let elapsed = move || {
        let j = job.get();
        let end = j.finished_at.or_else(|| clock.now());
        match (j.started_at, end) {
            (Some(start), Some(end)) => elapsed_text((end - start).num_seconds()),
            (Some(_), None) => "…".to_owned(),
            (None, _) => "not started yet".to_owned(),
        }
    };
    let read_of = move || {
        job.with(|j| {
            format!("{} of {} read", format::bytes(j.bytes_read.min(j.size_bytes)), format::bytes(j.size_bytes))
        })
    };
    view! {
        <section id="import-job" class=format!("{CARD} space-y-5") data-state=move || job.with(|j| j.state.as_str())>
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div>
                    <h2 class="break-all text-base font-semibold">{move || job.with(|j| j.file_name.clone())}</h2>
                    <p class="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-500 dark:text-slate-400">
                        {move || state_badge(job.with(|j| j.state))}
                        <span id="import-phase">{move || job.with(phase_text)}</span>
                    </p>
                </div>
                // Not `class:hidden`: the button's own display class would win over `hidden`.
                <Show when=move || active.get()>
                    <button type="button" id="cancel-import" data-testid="cancel-import" class=SECONDARY
                        on:click=move |_| cancel_open.set(true)>"Cancel import"</button>
                </Show>
            </div>
            <div class="space-y-1.5">
                <div id="import-progress" data-testid="import-progress" role="progressbar" aria-label="Import progress"
                    aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || percent().to_string()
                    class="h-3 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
                    <div class=move || format!("h-full rounded-full transition-all {}", bar_tone(job.with(|j| j.state)))
                        style=move || format!("width: {}%", percent())></div>
                </div>
                <p class="text-sm tabular-nums text-slate-600 dark:text-slate-300">
                    {move || format!("{} % · {}", percent(), read_of())}
                </p>
            </div>
            <dl class="grid gap-3 sm:grid-cols-3 lg:grid-cols-5">
                {stat("Rows read", "import-rows-read", figure(job, |j| j.rows_read))}
                {stat("Invalid", "import-rows-invalid", figure(job, |j| j.rows_invalid))}
                {stat("New contacts", "import-contacts-new", figure(job, |j| j.contacts_new))}
                {stat("Updated", "import-contacts-updated", figure(job, |j| j.contacts_updated))}
                {stat("Elapsed", "import-elapsed", Signal::derive(elapsed))}
            </dl>
            {move || job.with(|j| j.error.clone()).map(|e| view! {
                <p id="import-failure" class="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700 dark:bg-rose-950 dark:text-rose-300" role="alert">{e}</p>
            })}
        </section>
        <Show when=move || job.with(|j| j.state == ImportState::Finished || j.state == ImportState::Cancelled)>
            <FinishedSummary job=job />
        </Show>
    }
}

/// One figure of the job, as the stats grid shows it.
fn stat(label: &'static str, testid: &'static str, value: Signal<String>) -> impl IntoView {
    view! {
        <div class="rounded-lg bg-slate-50 p-3 dark:bg-slate-800/50">
            <dt class="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</dt>
            <dd class="mt-1 text-lg font-semibold tabular-nums text-slate-900 dark:text-white" data-testid=testid>
                {move || value.get()}
            </dd>
        </div>
    }
}

/// A count of the job with thousands separators, following the job.
fn figure(job: Signal<ImportJob>, pick: fn(&ImportJob) -> i64) -> Signal<String> {
    Signal::derive(move || thousands(job.with(pick)))
}

/// What a finished (or cancelled) import did, with the refused lines when there are any.
#[component]
fn FinishedSummary(job: Signal<ImportJob>) -> impl IntoView {
    let j = job.get_untracked();
    let id = j.id;
    let headline = format!(
        "{} new contacts, {} updated, {} rows refused.",
        thousands(j.contacts_new),
        thousands(j.contacts_updated),
        thousands(j.rows_invalid)
    );
    let errors = (j.rows_invalid > 0).then(|| view! { <ImportErrors id=id /> });
    let title = if j.state == ImportState::Cancelled { "Cancelled" } else { "Done" };
    view! {
        <section id="import-summary" class=format!("{CARD} space-y-4")>
            <h2 class="text-base font-semibold">{title}</h2>
            <p id="import-summary-text" class="text-sm text-slate-700 dark:text-slate-200">{headline}</p>
            <div class="flex flex-wrap gap-2">
                <a id="import-view-contacts" href="/contacts" class=PRIMARY>"View contacts"</a>
                <a href="/contacts/import" class=SECONDARY>"Import another file"</a>
            </div>
        </section>
        {errors}
    }
}

/// The first refused lines and the link to the full report.
#[component]
fn ImportErrors(id: i64) -> impl IntoView {
    let errors = LocalResource::new(move || import_errors(id));
    let report = format!("/api/contacts/imports/{id}/errors.csv");
    view! {
        <section id="import-errors" class=CARD>
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 class="text-base font-semibold">"Refused lines"</h2>
                <a id="import-error-report" href=report download=format!("import-{id}-errors.csv") class=SECONDARY>
                    "Download error report (CSV)"
                </a>
            </div>
            <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"The first 100 are listed here; the report has all of them with the original line."</p>
            <Suspense fallback=|| view! { <p class="mt-4 text-sm text-slate-500">"Loading…"</p> }>
                {move || errors.get().map(|r| match r {
                    Err(e) => load_error(&e),
                    Ok(rows) => {
                        let body = rows
                            .into_iter()
                            .map(|e| view! {
                                <tr>
                                    <td class=format!("{TD} tabular-nums")>{e.line.to_string()}</td>
                                    <td class=TD>{e.reason}</td>
                                </tr>
                            })
                            .collect_view();
                        card_table("import-error-list", &[("Line", Head::Left), ("Reason", Head::Left)], body)
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The state as a coloured pill.
pub fn state_badge(state: ImportState) -> AnyView {
    let (tone, label) = match state {
        ImportState::Uploaded => (GREY, "Waiting for mapping"),
        ImportState::Queued => (INDIGO, "Queued"),
        ImportState::Running => (INDIGO, "Running"),
        ImportState::Finished => (GREEN, "Finished"),
        ImportState::Failed => (RED, "Failed"),
        ImportState::Cancelled => (AMBER, "Cancelled"),
    };
    view! { <span class=format!("import-state {PILL} {tone}") data-state=state.as_str()>{label}</span> }.into_any()
}

/// The phase line under the file name.
fn phase_text(job: &ImportJob) -> String {
    match job.state {
        ImportState::Queued => "Waiting for the import worker…".to_owned(),
        ImportState::Running if !job.phase.is_empty() => format!("{}…", job.phase),
        ImportState::Running => "Reading…".to_owned(),
        _ => String::new(),
    }
}

/// The bar's colour by state.
fn bar_tone(state: ImportState) -> &'static str {
    match state {
        ImportState::Finished => "bg-emerald-500",
        ImportState::Failed => "bg-rose-500",
        ImportState::Cancelled => "bg-amber-500",
        _ => "bg-indigo-600",
    }
}

/// "42 s", "3 min 5 s", "1 h 2 min".
pub fn elapsed_text(secs: i64) -> String {
    let secs = secs.max(0);
    match (secs / 3600, (secs % 3600) / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::elapsed_text;

    #[test]
    fn elapsed_times_keep_seconds_while_short() {
        assert_eq!(elapsed_text(42), "42 s");
        assert_eq!(elapsed_text(185), "3 min 5 s");
        assert_eq!(elapsed_text(3720), "1 h 2 min");
        assert_eq!(elapsed_text(-3), "0 s");
    }
}
