//! The status badge of a failed, bounced, deferred or complained recipient in the delivery
//! log. Hovering or focusing it shows why it failed in plain words (`explain_failure`), the
//! remote server's own text, which server said it, how long it took, and the likely fix with
//! a link to where it is made. The tooltip stays open while the pointer or focus is inside it,
//! so its link can be followed with the mouse or the keyboard.

use leptos::prelude::*;
use model::analytics::{DeliveryLogRow, explain_failure};

use crate::pages::deliverability::{AMBER, ORANGE, PILL, RED};
use crate::pages::format;

/// The tooltip's frame: hidden until the badge (the `group`) is hovered or focused; the top
/// padding bridges the gap so the pointer can move into it.
const FRAME: &str = "invisible pointer-events-none absolute left-0 top-full z-30 w-96 max-w-[80vw] pt-2 opacity-0 \
    transition-opacity group-hover:visible group-hover:pointer-events-auto group-hover:opacity-100 \
    group-focus-within:visible group-focus-within:pointer-events-auto group-focus-within:opacity-100";
/// The tooltip's box.
const BOX: &str = "whitespace-normal rounded-lg bg-slate-900 p-3 text-left text-xs leading-snug text-slate-100 shadow-xl \
    ring-1 ring-black/10 dark:bg-slate-800 dark:ring-white/10";

/// "42 s", "3 min", "1 h 5 min".
fn delay(secs: i64) -> String {
    if secs < 60 { format!("{} s", secs.max(0)) } else { format::duration(secs) }
}

/// The badge with its explanation, for one failed row.
#[component]
pub fn FailureBadge(row: DeliveryLogRow) -> impl IntoView {
    let status = row.status();
    let remote = row.remote_text();
    let reason = row.bounce_reason.clone().unwrap_or_default();
    let why = explain_failure(&status, &reason, &remote);
    let tip = format!("failure-tip-{}", row.id);
    let tone = match (row.state.as_str(), row.bounce_class.as_deref()) {
        ("deferred", _) | ("bounced", Some("soft")) => AMBER,
        ("complained", _) => ORANGE,
        _ => RED,
    };
    let text = if status.is_empty() { row.state.clone() } else { format!("{} {status}", row.state) };
    let server = row.remote_mta.clone().filter(|m| !m.is_empty());
    let took = row.delay_seconds.map(delay);
    let facts = match (server, took) {
        (Some(s), Some(t)) => Some(format!("Reported by {s} after {t}")),
        (Some(s), None) => Some(format!("Reported by {s}")),
        (None, Some(t)) => Some(format!("Reported after {t}")),
        (None, None) => None,
    };
    let link = why.link.clone().map(|(href, label)| {
        view! {
            <a href=href class="mt-2 inline-block font-medium text-indigo-300 underline hover:text-indigo-200">{label}" →"</a>
        }
    });
    view! {
        <span class="group relative inline-flex">
            <button type="button" data-testid="failure-badge" aria-describedby=tip.clone()
                class=format!("{PILL} {tone} cursor-help gap-1 focus:outline-none focus:ring-2 focus:ring-indigo-500")>
                {text}
                <span class="opacity-70">{crate::components::icons::info()}</span>
            </button>
            <span class=FRAME>
                <span role="tooltip" id=tip data-testid="failure-tooltip" class=format!("block {BOX}")>
                    <strong class="block text-sm font-semibold text-white">{why.title}</strong>
                    {(!remote.is_empty()).then(|| view! {
                        <span class="mt-1.5 block break-words rounded bg-black/30 px-2 py-1 font-mono text-[11px] text-slate-200">{remote.clone()}</span>
                    })}
                    {facts.map(|f| view! { <span class="mt-1 block text-slate-400">{f}</span> })}
                    <span class="mt-2 block">{why.explanation}</span>
                    <span class="mt-2 block"><span class="font-semibold text-white">"What to do: "</span>{why.fix}</span>
                    {link}
                </span>
            </span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::delay;

    #[test]
    fn delays_read_in_seconds_then_minutes() {
        assert_eq!(delay(42), "42 s");
        assert_eq!(delay(180), "3 min");
    }
}
