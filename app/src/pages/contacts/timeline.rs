//! The contact page's timeline: what happened to the contact, newest first, with a symbol
//! and colour per kind of event so bounces and complaints stand out.

use leptos::prelude::*;
use model::contacts::{EventKind, TimelineEntry};

use super::controls::HINT;
use crate::pages::deliverability::{AMBER, CARD, GREEN, GREY, INDIGO, RED};
use crate::pages::format;

/// Symbol and tone of an event: green for consent and engagement, red for what stops mail,
/// indigo for sending, grey for admin changes.
fn marker(kind: EventKind) -> (&'static str, &'static str) {
    match kind {
        EventKind::Created => ("+", GREY),
        EventKind::Imported => ("↥", GREY),
        EventKind::Updated => ("✎", GREY),
        EventKind::Tagged | EventKind::Untagged => ("#", GREY),
        EventKind::Subscribed | EventKind::Confirmed => ("✓", GREEN),
        EventKind::Unsubscribed | EventKind::RemovedFromList => ("−", AMBER),
        EventKind::Suppressed => ("⊘", RED),
        EventKind::Sent | EventKind::Delivered => ("✉", INDIGO),
        EventKind::Opened => ("◉", GREEN),
        EventKind::Clicked => ("↗", GREEN),
        EventKind::SoftBounced => ("↺", AMBER),
        EventKind::HardBounced | EventKind::Complained => ("!", RED),
    }
}

/// The card.
#[component]
pub fn TimelineCard(entries: Vec<TimelineEntry>) -> impl IntoView {
    let mut entries = entries;
    entries.sort_by_key(|e| std::cmp::Reverse(e.at));
    let body = if entries.is_empty() {
        view! { <p class=format!("empty-state mt-3 {HINT}")>"Nothing has happened yet."</p> }.into_any()
    } else {
        view! {
            <ol class="mt-4 space-y-4" id="timeline">
                {entries.into_iter().map(timeline_item).collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <section id="timeline-card" class=CARD>
            <h2 class="text-base font-semibold">"Timeline"</h2>
            {body}
        </section>
    }
}

/// One event.
fn timeline_item(e: TimelineEntry) -> impl IntoView {
    let (symbol, tone) = marker(e.kind);
    let context: Vec<String> = [e.list_name, e.campaign_name].into_iter().flatten().filter(|s| !s.is_empty()).collect();
    view! {
        <li class="flex gap-3" data-kind=e.kind.as_str()>
            <span class=format!("mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-bold {tone}") aria-hidden="true">{symbol}</span>
            <div class="min-w-0 text-sm">
                <p>
                    <span class="font-medium text-slate-900 dark:text-white">{e.kind.label()}</span>
                    {(!context.is_empty()).then(|| view! { <span class="text-slate-600 dark:text-slate-300">{format!(" · {}", context.join(" · "))}</span> })}
                </p>
                {(!e.detail.is_empty()).then(|| view! { <p class="break-words text-xs text-slate-500 dark:text-slate-400">{e.detail.clone()}</p> })}
                <p class="text-xs text-slate-400 dark:text-slate-500">{format!("{} UTC", format::timestamp(&e.at))}</p>
            </div>
        </li>
    }
}
