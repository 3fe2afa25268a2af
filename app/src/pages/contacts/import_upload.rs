//! Step 1 of an import: the file picker and the upload. The file is sent as the raw body of
//! one POST to `/api/contacts/imports` through `XMLHttpRequest`, whose upload progress
//! events (which `fetch` lacks) drive the progress bar, so a 500 MB file shows how far it is.

use leptos::prelude::*;
use model::contacts::ImportPreview;

use crate::pages::deliverability::CARD;
use crate::pages::format;
use crate::pages::mail::widgets::form_error;

/// Where the upload is.
#[derive(Clone, Debug, PartialEq)]
pub enum UploadState {
    Idle,
    /// Bytes sent so far of the total.
    Sending {
        sent: f64,
        total: f64,
    },
    Failed(String),
}

impl UploadState {
    /// 0–100 for the bar.
    pub fn percent(&self) -> u8 {
        match self {
            Self::Sending { sent, total } if *total > 0.0 => ((sent / total) * 100.0).clamp(0.0, 100.0) as u8,
            _ => 0,
        }
    }
}

/// The file picker with its progress bar; sets `preview` once the server has the file.
#[component]
pub fn UploadPanel(preview: RwSignal<Option<ImportPreview>>) -> impl IntoView {
    let state = RwSignal::new(UploadState::Idle);
    let sending = move || matches!(state.get(), UploadState::Sending { .. });
    let progress = move || match state.get() {
        UploadState::Sending { sent, total } => {
            let pct = state.with(UploadState::percent);
            let text =
                format!("Uploading… {} of {} ({pct} %)", format::bytes(sent as i64), format::bytes(total as i64));
            Some(view! {
                <div class="space-y-1.5">
                    <div id="upload-progress" data-testid="upload-progress" role="progressbar" aria-label="Upload"
                        aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()
                        class="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
                        <div class="h-full rounded-full bg-indigo-600 transition-all" style=format!("width: {pct}%")></div>
                    </div>
                    <p class="text-sm tabular-nums text-slate-600 dark:text-slate-300">{text}</p>
                </div>
            })
        }
        _ => None,
    };
    let failure = move || match state.get() {
        UploadState::Failed(message) => Some(message),
        _ => None,
    };
    view! {
        <section id="import-upload" class=format!("{CARD} space-y-4")>
            <div>
                <h2 class="text-base font-semibold">"1. Choose a file"</h2>
                <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                    "A CSV or TSV file with a header row and one contact per line; commas, semicolons, tabs and | are recognised. There is no size limit: the file is streamed to the server, and nothing is imported until you have mapped its columns."
                </p>
            </div>
            <input type="file" id="import-file" data-testid="import-file" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
                disabled=sending
                class="block w-full text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:font-medium file:text-indigo-700 dark:file:bg-indigo-500/10 dark:file:text-indigo-300"
                on:change=move |ev| pick_file(ev, state, preview) />
            {progress}
            {move || form_error(failure())}
        </section>
    }
}

/// Starts the upload of the chosen file (browser only).
fn pick_file(ev: leptos::ev::Event, state: RwSignal<UploadState>, preview: RwSignal<Option<ImportPreview>>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            upload(file, state, preview);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, state, preview);
    }
}

/// Sends `file` as the body of `POST /api/contacts/imports?name=…`, reporting progress into
/// `state` and the server's preview (or its refusal) when it answers.
#[cfg(feature = "hydrate")]
fn upload(file: web_sys::File, state: RwSignal<UploadState>, preview: RwSignal<Option<ImportPreview>>) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;

    use crate::api::ApiError;
    use crate::components::url_filter::encode_query;

    let fail = move |message: String| {
        let _ = state.try_set(UploadState::Failed(message));
    };
    let total = file.size();
    state.set(UploadState::Sending { sent: 0.0, total });
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        fail("This browser cannot upload files.".to_owned());
        return;
    };
    let url = format!("/api/contacts/imports?name={}", encode_query(&file.name()));
    if xhr.open_with_async("POST", &url, true).is_err() {
        fail("The upload could not be started.".to_owned());
        return;
    }
    let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
    if let Ok(upload) = xhr.upload() {
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
            let of = if ev.length_computable() { ev.total() } else { total };
            let _ = state.try_set(UploadState::Sending { sent: ev.loaded(), total: of });
        });
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    let answered = xhr.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        let status = answered.status().unwrap_or(0);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        if (200..300).contains(&status) {
            match serde_json::from_str::<ImportPreview>(&body) {
                Ok(p) => {
                    let _ = state.try_set(UploadState::Idle);
                    let _ = preview.try_set(Some(p));
                }
                Err(e) => fail(format!("The server's answer could not be read: {e}.")),
            }
        } else {
            // The upload route answers its refusals as plain text; the Origin check as JSON.
            let message = serde_json::from_str::<ApiError>(&body).map(|e| e.to_string()).unwrap_or_else(|_| {
                let text = body.trim();
                if text.is_empty() || text.len() > 500 {
                    format!("The upload was refused (HTTP {status}).")
                } else {
                    format!("The upload was refused: {text}")
                }
            });
            fail(message);
        }
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let on_error = Closure::<dyn FnMut()>::new(move || {
        fail("The upload failed: the connection to the server was lost.".to_owned());
    });
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let body: &web_sys::Blob = &file;
    if xhr.send_with_opt_blob(Some(body)).is_err() {
        fail("The file could not be sent.".to_owned());
    }
}
