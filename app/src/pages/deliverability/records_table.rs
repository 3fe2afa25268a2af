//! The records table of the DNS page: one row per record to publish, its verdict, and under a
//! failing row what was found, what is wrong and how to fix it.

use leptos::prelude::*;
use model::deliverability::{CheckStatus, ExpectedRecord, RecordCheck};

use super::{AMBER, GREEN, GREY, Head, ORANGE, PILL, RED, SLATE, TD, empty_line, framed_table};
use crate::components::toast::Toasts;
use crate::pages::mail::widgets::ROW_ACTION;

/// Colour of a check verdict: green passes, amber passes with a warning, red is wrong, orange
/// is a name that does not exist, slate is a lookup that failed.
pub(super) fn status_tone(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Ok => GREEN,
        CheckStatus::Warning => AMBER,
        CheckStatus::Missing | CheckStatus::Mismatch | CheckStatus::Invalid => RED,
        CheckStatus::NxDomain => ORANGE,
        CheckStatus::ServFail | CheckStatus::Timeout | CheckStatus::Error => SLATE,
    }
}

/// The verdict pill; `None` is a record that was never checked.
pub(super) fn check_badge(status: Option<CheckStatus>) -> AnyView {
    let (tone, label, key) = match status {
        None => (GREY, "Not checked yet", "unchecked"),
        Some(s) => (status_tone(s), s.label(), s.as_str()),
    };
    view! { <span class=format!("status-badge {PILL} {tone}") data-status=key>{label}</span> }.into_any()
}

/// The records table: one `<tbody>` per record, so a record's detail line stays with it.
pub(super) fn records_table(records: Vec<(ExpectedRecord, Option<RecordCheck>)>, toasts: Toasts) -> AnyView {
    if records.is_empty() {
        return empty_line("No records to publish for this domain.");
    }
    let rows = records.into_iter().map(|(record, check)| record_row(record, check, toasts)).collect_view();
    framed_table(
        "dns-records",
        "DNS records to publish",
        &[
            ("Record", Head::Left),
            ("Type", Head::Left),
            ("Host", Head::Left),
            ("Value", Head::Left),
            ("Status", Head::Left),
        ],
        rows,
    )
}

/// One record: what to publish where, its verdict, and (when it is not fine) what DNS served,
/// what is wrong and how to fix it.
pub(super) fn record_row(record: ExpectedRecord, check: Option<RecordCheck>, toasts: Toasts) -> impl IntoView {
    let status = check.as_ref().map(|c| c.status);
    let detail = check.filter(|c| !c.status.is_passing() || c.problem.is_some()).map(detail_row);
    let value = record.value.clone();
    let hint = if record.required { "required" } else { "recommended" };
    let copy_label = format!("Copy the {} value", record.purpose.label());
    view! {
        <tbody class="text-slate-700 dark:text-slate-200">
            <tr data-record=record.key.clone() class="hover:bg-slate-50 dark:hover:bg-slate-800/50">
                <td class=TD title=record.note.clone()>
                    <div class="whitespace-nowrap font-medium text-slate-900 dark:text-white">{record.purpose.label()}</div>
                    <div class="text-xs text-slate-500 dark:text-slate-400">{hint}</div>
                </td>
                <td class=format!("{TD} font-mono text-xs")>{record.rtype.as_str()}</td>
                <td class=TD><span class="record-host break-all font-mono text-xs">{record.host.clone()}</span></td>
                <td class=TD>
                    <div class="flex min-w-64 max-w-xl items-start gap-2">
                        <span class="record-value line-clamp-3 min-w-0 flex-1 break-all font-mono text-xs" title=record.value.clone()>{record.value.clone()}</span>
                        <button type="button" class=ROW_ACTION data-action="copy" aria-label=copy_label
                            on:click=move |_| copy_to_clipboard(value.clone(), toasts)>"Copy"</button>
                    </div>
                </td>
                <td class=TD>{check_badge(status)}</td>
            </tr>
            {detail}
        </tbody>
    }
}

/// The line under a record that is not fine: found values, the problem, the fix.
pub(super) fn detail_row(check: RecordCheck) -> impl IntoView {
    let problem_tone = if check.status.is_passing() {
        "text-amber-800 dark:text-amber-300"
    } else {
        "text-rose-700 dark:text-rose-300"
    };
    let found = if check.found.is_empty() {
        view! { <span class="italic">"nothing"</span> }.into_any()
    } else {
        check
            .found
            .into_iter()
            .map(|f| view! { <span class="block break-all font-mono">{f}</span> })
            .collect_view()
            .into_any()
    };
    view! {
        <tr class="record-detail" data-detail=check.record.key.clone()>
            <td colspan="5" class="px-4 pb-3 pt-0 text-xs text-slate-600 dark:text-slate-300">
                <div class="space-y-1 rounded-lg bg-slate-50 px-3 py-2 [overflow-wrap:anywhere] dark:bg-slate-800/60">
                    <div class="record-found flex gap-1"><span class="shrink-0 font-semibold">"Found:"</span><div class="min-w-0">{found}</div></div>
                    {check.problem.map(|p| view! { <p class=format!("record-problem font-semibold {problem_tone}")>{p}</p> })}
                    {check.fix.map(|f| view! { <p class="record-fix"><span class="font-semibold">"Fix: "</span><span>{f}</span></p> })}
                </div>
            </td>
        </tr>
    }
}

/// Copies `text` to the clipboard and confirms it in a toast. Browser only; the clipboard API
/// exists only on HTTPS (or localhost), so a failure tells the admin to copy by hand.
pub(super) fn copy_to_clipboard(text: String, toasts: Toasts) {
    #[cfg(feature = "hydrate")]
    {
        const FAILED: &str = "Could not copy: select the value and copy it by hand.";
        match clipboard_write(&text) {
            Ok(promise) => leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(_) => toasts.success("Copied."),
                    Err(_) => toasts.error(FAILED),
                }
            }),
            Err(_) => toasts.error(FAILED),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (text, toasts);
    }
}

/// `navigator.clipboard.writeText(text)`, looked up dynamically so no extra `web-sys`
/// features are needed (and a missing clipboard is an error, not a panic).
#[cfg(feature = "hydrate")]
pub(super) fn clipboard_write(text: &str) -> Result<web_sys::js_sys::Promise, leptos::wasm_bindgen::JsValue> {
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys::{Function, Promise, Reflect};
    let navigator = Reflect::get(&window(), &JsValue::from_str("navigator"))?;
    let clipboard = Reflect::get(&navigator, &JsValue::from_str("clipboard"))?;
    let write = Reflect::get(&clipboard, &JsValue::from_str("writeText"))?.dyn_into::<Function>()?;
    write.call1(&clipboard, &JsValue::from_str(text))?.dyn_into::<Promise>()
}
