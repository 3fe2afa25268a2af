//! Typed inputs: the value of an attribute condition (text, number, date, yes/no, one of the
//! list's choices, or several values) and the time window of the date conditions.

use chrono::NaiveDate;
use leptos::prelude::*;
use model::contacts::{AttributeKind, AttributeOp, SegmentFilter, TimeWindow};

use super::INPUT;
use crate::components::clock::browser_now;

/// The input for an attribute's value, chosen by its type and the operator (none for "is set").
pub fn value_input(kind: AttributeKind, op: AttributeOp, raw: RwSignal<String>, choices: Vec<String>) -> AnyView {
    let text = |placeholder: &'static str| {
        view! {
            <input type="text" class=INPUT data-testid="condition-value" placeholder=placeholder aria-label="Value"
                bind:value=raw />
        }
        .into_any()
    };
    match (op, kind) {
        (AttributeOp::Exists, _) => ().into_any(),
        (AttributeOp::In, _) => text("value 1, value 2, …"),
        (_, AttributeKind::Number) => view! {
            <input type="number" step="any" class=format!("{INPUT} w-32") data-testid="condition-value"
                aria-label="Number" bind:value=raw />
        }
        .into_any(),
        (_, AttributeKind::Date) => view! {
            <input type="date" class=INPUT data-testid="condition-value" aria-label="Date" bind:value=raw />
        }
        .into_any(),
        (_, AttributeKind::Boolean) => {
            choice_select(vec![("true".to_owned(), "yes".to_owned()), ("false".to_owned(), "no".to_owned())], raw)
        }
        (_, AttributeKind::List) if !choices.is_empty() => {
            choice_select(choices.into_iter().map(|c| (c.clone(), c)).collect(), raw)
        }
        _ => text("value"),
    }
}

/// A select over `(value, label)` pairs bound to `raw`, with an empty first choice.
fn choice_select(options: Vec<(String, String)>, raw: RwSignal<String>) -> AnyView {
    let current = raw.get_untracked();
    let options = options
        .into_iter()
        .map(|(value, label)| {
            let selected = value == current;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view();
    let nothing = current.is_empty();
    view! {
        <select class=INPUT data-testid="condition-value" aria-label="Value" prop:value=move || raw.get()
            on:change=move |ev| raw.set(event_target_value(&ev))>
            <option value="" selected=nothing>"Choose…"</option>
            {options}
        </select>
    }
    .into_any()
}

/// The window of an "added" or "last activity" condition: within N days, more than N days
/// ago, or between two dates.
#[component]
pub fn WindowEditor(leaf: RwSignal<SegmentFilter>) -> impl IntoView {
    let initial = leaf.with_untracked(|f| match f {
        SegmentFilter::Created(w) | SegmentFilter::LastActivity(w) => w.clone(),
        _ => TimeWindow::WithinDays(30),
    });
    let ymd = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
    let (mode0, days0, from0, to0) = match &initial {
        TimeWindow::WithinDays(n) => ("within", n.to_string(), String::new(), String::new()),
        TimeWindow::OlderThanDays(n) => ("older", n.to_string(), String::new(), String::new()),
        TimeWindow::Between { from, to } => ("between", "30".to_owned(), ymd(from), ymd(to)),
    };
    let mode = RwSignal::new(mode0.to_owned());
    let days = RwSignal::new(days0);
    let from = RwSignal::new(from0);
    let to = RwSignal::new(to0);
    Effect::new(move |_| {
        let window = window_from(&mode.get(), &days.get(), &from.get(), &to.get());
        let changed = leaf.with_untracked(
            |f| matches!(f, SegmentFilter::Created(w) | SegmentFilter::LastActivity(w) if *w != window),
        );
        if changed {
            leaf.update(|f| {
                if let SegmentFilter::Created(w) | SegmentFilter::LastActivity(w) = f {
                    *w = window;
                }
            });
        }
    });
    let change_mode = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev);
        // Fixed dates start as the last 30 days, by the browser's calendar.
        if chosen == "between"
            && from.get_untracked().is_empty()
            && let Some(today) = browser_now().map(|t| t.date_naive())
        {
            let month_ago = today.checked_sub_days(chrono::Days::new(30)).unwrap_or(today);
            from.set(month_ago.format("%Y-%m-%d").to_string());
            to.set(today.format("%Y-%m-%d").to_string());
        }
        mode.set(chosen);
    };
    let modes = [("within", "in the last"), ("older", "more than"), ("between", "between")];
    let options = modes
        .into_iter()
        .map(|(value, label)| {
            let selected = value == mode0;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view();
    let dates = move || {
        view! {
            <input type="date" class=INPUT data-testid="condition-from" aria-label="From" bind:value=from />
            <span class="text-sm text-slate-600 dark:text-slate-300">"and"</span>
            <input type="date" class=INPUT data-testid="condition-to" aria-label="To" bind:value=to />
        }
    };
    view! {
        <select class=INPUT data-testid="condition-window" aria-label="Time window" prop:value=move || mode.get()
            on:change=change_mode>
            {options}
        </select>
        <Show when=move || mode.get() != "between" fallback=dates>
            <input type="number" min="1" class=format!("{INPUT} w-24") data-testid="condition-days"
                aria-label="Days" bind:value=days />
            <span class="text-sm text-slate-600 dark:text-slate-300">
                {move || if mode.get() == "older" { "days ago" } else { "days" }}
            </span>
        </Show>
    }
}

/// The window the inputs describe. Text that is not a number or a date yields a window the
/// validation refuses (0 days, or an empty range), so the row says what to fix.
pub fn window_from(mode: &str, days: &str, from: &str, to: &str) -> TimeWindow {
    let n = days.trim().parse::<u32>().unwrap_or(0);
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    match mode {
        "older" => TimeWindow::OlderThanDays(n),
        "between" => match (date(from), date(to)) {
            (Some(from), Some(to)) => TimeWindow::Between { from, to },
            _ => TimeWindow::Between { from: NaiveDate::MIN, to: NaiveDate::MIN },
        },
        _ => TimeWindow::WithinDays(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_input_gives_a_window_the_validation_refuses() {
        assert_eq!(window_from("within", " 90 ", "", ""), TimeWindow::WithinDays(90));
        assert_eq!(window_from("older", "abc", "", ""), TimeWindow::OlderThanDays(0));
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
        let to = NaiveDate::from_ymd_opt(2026, 2, 1).expect("valid date");
        assert_eq!(window_from("between", "", "2026-01-01", "2026-02-01"), TimeWindow::Between { from, to });
        let backwards = SegmentFilter::Created(window_from("between", "", "2026-02-01", "2026-01-01"));
        assert!(backwards.validate().is_err());
    }
}
