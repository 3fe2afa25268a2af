//! The live count beside the builder: how many contacts the filter matches right now, how
//! many of them can be sent to, and how long the database took, re-counted 300 ms after the
//! last change.

use std::time::Duration;

use leptos::prelude::*;
use model::contacts::{SegmentCount, SegmentFilter};

use crate::api::ApiError;
use crate::api::contacts::segments::count_segment;
use crate::components::segment_builder::tree_problem;
use crate::pages::contacts::{contacts_phrase, thousands};
use crate::pages::deliverability::CARD;

/// Waits this long after a change before counting, so typing does not send a query per key.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Counts `filter` whenever it changes and is valid; shows the problem instead when not.
#[component]
pub fn LiveCount(filter: RwSignal<SegmentFilter>) -> impl IntoView {
    let problem = Memo::new(move |_| filter.with(tree_problem));
    let result = RwSignal::new(None::<Result<SegmentCount, ApiError>>);
    let counting = RwSignal::new(false);
    // Each change gets a number; only the latest one's count is shown.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let current = filter.get();
        let this = generation.get_value() + 1;
        generation.set_value(this);
        if tree_problem(&current).is_some() {
            counting.set(false);
            return;
        }
        counting.set(true);
        // Effects run only in the browser, so the timer never runs on the server.
        set_timeout(
            move || {
                if generation.try_get_value() != Some(this) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = count_segment(current).await;
                    if generation.try_get_value() == Some(this) {
                        let _ = result.try_set(Some(answer));
                        let _ = counting.try_set(false);
                    }
                });
            },
            DEBOUNCE,
        );
    });
    let body = move || {
        match (problem.get(), result.get()) {
        (Some(p), _) => view! {
            <p id="segment-count-problem" class="text-sm font-medium text-amber-700 dark:text-amber-300">{p}</p>
        }
        .into_any(),
        (None, None) => view! {
            <p class="text-sm text-slate-500 dark:text-slate-400">"Counting…"</p>
        }
        .into_any(),
        (None, Some(Err(e))) => view! {
            <p id="segment-count-error" class="text-sm font-medium text-rose-600 dark:text-rose-400" role="alert">{e.to_string()}</p>
        }
        .into_any(),
        (None, Some(Ok(c))) => count_view(c),
    }
    };
    view! {
        <section id="segment-live-count" class=CARD aria-live="polite">
            <div class="flex items-center justify-between gap-3">
                <h2 class="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Live count"</h2>
                <span id="segment-counting" aria-label="Counting"
                    class="h-4 w-4 animate-spin rounded-full border-2 border-indigo-200 border-t-indigo-600 dark:border-indigo-900 dark:border-t-indigo-400"
                    class:hidden=move || !counting.get()></span>
            </div>
            <div class=move || if counting.get() { "mt-3 opacity-50 transition-opacity" } else { "mt-3 transition-opacity" }>
                {body}
            </div>
        </section>
    }
}

/// "12 345 contacts match · 12 001 can be sent to (344 suppressed) · counted in 42 ms".
fn count_view(c: SegmentCount) -> AnyView {
    let suppressed = (c.matching - c.sendable).max(0);
    let line = format!(
        "{} match · {} can be sent to ({} suppressed) · counted in {} ms",
        contacts_phrase(c.matching),
        thousands(c.sendable),
        thousands(suppressed),
        c.millis
    );
    view! {
        <p id="segment-count-matching" class="text-3xl font-semibold tabular-nums text-slate-900 dark:text-white">
            {thousands(c.matching)}
        </p>
        <p id="segment-count" data-testid="segment-count" class="mt-1 text-sm text-slate-600 dark:text-slate-300"
            data-matching=c.matching.to_string() data-sendable=c.sendable.to_string()>
            {line}
        </p>
    }
    .into_any()
}
