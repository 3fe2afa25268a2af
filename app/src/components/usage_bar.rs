//! A thin bar of used against allowed, turning amber then red as it fills.

use leptos::prelude::*;

/// `used` of `limit` bytes (limit 0 = no limit: the bar stays empty and says so).
#[component]
pub fn UsageBar(used: i64, limit: i64) -> impl IntoView {
    let percent = if limit > 0 { (used as f64 / limit as f64 * 100.0).clamp(0.0, 100.0) } else { 0.0 };
    let tone = match percent {
        p if p >= 90.0 => "bg-rose-500",
        p if p >= 75.0 => "bg-amber-500",
        _ => "bg-indigo-500",
    };
    let label = if limit > 0 {
        format!("{} of {}", model::mail::format_bytes(used), model::mail::format_bytes(limit))
    } else {
        format!("{} · no limit", model::mail::format_bytes(used))
    };
    view! {
        <div class="min-w-32">
            <div class="text-xs text-slate-600 dark:text-slate-300">{label}</div>
            <div class="mt-1 h-1.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
                role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=format!("{percent:.0}")>
                <div class=format!("h-full rounded-full {tone}") style=format!("width: {percent:.1}%")></div>
            </div>
        </div>
    }
}
