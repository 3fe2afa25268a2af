//! The image library: a dialog to pick an uploaded image for an image block, upload new
//! ones and delete old ones, plus the upload itself, which the image block's own "Upload
//! image" button shares.
//!
//! Uploads go as the raw body of `POST /api/media?name=…` through `XMLHttpRequest`, whose
//! upload progress events (which `fetch` lacks) drive the progress bar.

use leptos::prelude::*;
use model::templates::MediaFile;

use crate::api::templates::{delete_media, list_media};
use crate::components::confirm::ConfirmDialog;
use crate::components::modal::Modal;
use crate::components::toast::{Toasts, use_toasts};
use crate::pages::format;

/// Bytes sent and bytes in total of the running upload; `None` while none runs. One per
/// upload button, so each shows its own bar and refuses a second upload while busy.
pub type UploadProgress = RwSignal<Option<(f64, f64)>>;

/// The image types offered by the file choosers: the ones every mail client shows (SVG
/// is not among them: Gmail and Outlook do not display it).
pub const IMAGE_TYPES: &str = "image/png,image/jpeg,image/gif,image/webp";

/// What goes into an image block for a library image: its address behind the
/// `{{ site_url }}` merge tag, because emails need absolute URLs and the site's public
/// address is only known for certain when the email is sent.
pub fn media_src(file: &MediaFile) -> String {
    format!("{{{{ site_url }}}}{}", file.url)
}

/// Picks an image from the library (or uploads one into it); `on_pick` gets the image the
/// user clicks, then the dialog closes.
#[component]
pub fn MediaPicker(open: RwSignal<bool>, on_pick: Callback<MediaFile>) -> impl IntoView {
    let toasts = use_toasts();
    let reload = RwSignal::new(0u32);
    // Loaded each time the dialog opens, so images uploaded elsewhere show up.
    let media = LocalResource::new(move || {
        let wanted = open.get();
        reload.track();
        async move { if wanted { Some(list_media().await) } else { None } }
    });
    let progress: UploadProgress = RwSignal::new(None);
    let dragging = RwSignal::new(false);
    let pending_delete = RwSignal::new(None::<MediaFile>);
    let confirm_open = RwSignal::new(false);
    let uploaded = move |file: MediaFile| {
        toasts.success(format!("{} uploaded.", file.file_name));
        let _ = reload.try_update(|n| *n += 1);
    };
    let grid = move || {
        match media.get().flatten() {
        None => loading_grid(),
        Some(Err(e)) => view! {
            <p class="rounded-lg bg-rose-50 p-4 text-sm text-rose-700 dark:bg-rose-950 dark:text-rose-200" role="alert">{e.to_string()}</p>
        }
        .into_any(),
        Some(Ok(files)) if files.is_empty() => view! {
            <p data-testid="media-empty" class="empty-state py-10 text-center text-sm text-slate-500 dark:text-slate-400">
                "No images yet — upload one"
            </p>
        }
        .into_any(),
        Some(Ok(files)) => {
            let cards = files
                .into_iter()
                .map(|file| media_card(file, open, on_pick, pending_delete, confirm_open))
                .collect_view();
            view! { <ul class="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4">{cards}</ul> }.into_any()
        }
    }
    };
    let delete_title = Signal::derive(move || {
        format!("Delete {}?", pending_delete.with(|f| f.as_ref().map(|f| f.file_name.clone()).unwrap_or_default()))
    });
    view! {
        <Modal open=open title="Image library" id="media-picker" width="max-w-4xl">
            <div data-testid="media-picker" class="space-y-4">
                <div
                    class=move || {
                        let tone = if dragging.get() {
                            "border-indigo-500 bg-indigo-50 dark:bg-indigo-500/10"
                        } else {
                            "border-slate-300 dark:border-slate-700"
                        };
                        format!("space-y-2 rounded-lg border-2 border-dashed px-4 py-5 text-center {tone}")
                    }
                    on:dragover=move |ev| {
                        ev.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=move |ev| {
                        ev.prevent_default();
                        dragging.set(false);
                        upload_dropped(&ev, progress, toasts, uploaded);
                    }
                >
                    <p class="text-sm text-slate-600 dark:text-slate-300">"Drop an image here, or"</p>
                    <label class="inline-flex cursor-pointer items-center justify-center rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus-within:ring-4 focus-within:ring-indigo-500/30">
                        "Upload an image"
                        <input
                            type="file"
                            class="sr-only"
                            data-testid="media-upload"
                            accept=IMAGE_TYPES
                            disabled=move || progress.with(Option::is_some)
                            on:change=move |ev| upload_chosen(&ev, progress, toasts, uploaded)
                        />
                    </label>
                    <p class="text-xs text-slate-500 dark:text-slate-400">
                        "PNG, JPEG, GIF or WebP. Keep images small (well under 1 MB): they are downloaded on every open."
                    </p>
                    {upload_bar(progress)}
                </div>
                <div class="max-h-[60vh] overflow-y-auto">{grid}</div>
            </div>
        </Modal>
        <ConfirmDialog
            open=confirm_open
            title=delete_title
            message="The image is removed from the library and from this server. Templates and emails already sent that show it will show a broken image instead."
            on_confirm=Callback::new(move |_| {
                if let Some(file) = pending_delete.get_untracked() {
                    leptos::task::spawn_local(async move {
                        match delete_media(file.id).await {
                            Ok(_) => {
                                toasts.success(format!("{} deleted.", file.file_name));
                                let _ = reload.try_update(|n| *n += 1);
                            }
                            Err(e) => toasts.report(&e),
                        }
                    });
                }
            })
        />
    }
}

/// Grey tiles while the library loads.
fn loading_grid() -> AnyView {
    view! {
        <ul class="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4" aria-busy="true" aria-label="Loading images">
            {(0..4).map(|_| view! { <li class="aspect-square animate-pulse rounded-lg bg-slate-200/70 dark:bg-slate-800"></li> }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One image of the library: a click on it picks it; its Delete button asks first.
fn media_card(
    file: MediaFile,
    open: RwSignal<bool>,
    on_pick: Callback<MediaFile>,
    pending_delete: RwSignal<Option<MediaFile>>,
    confirm_open: RwSignal<bool>,
) -> impl IntoView {
    let dimensions = match (file.width, file.height) {
        (Some(w), Some(h)) => format!("{w}×{h}"),
        _ => "size unknown".to_owned(),
    };
    let details = format!("{} · {dimensions}", format::bytes(file.size_bytes));
    let pick_label = format!("Use {}", file.file_name);
    let delete_label = format!("Delete {}", file.file_name);
    let name = file.file_name.clone();
    let url = file.url.clone();
    let for_pick = file.clone();
    let media_id = file.id.to_string();
    let name_title = name.clone();
    view! {
        <li class="group relative overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900"
            data-testid="media-item" data-media-id=media_id>
            <button type="button" data-testid="media-pick" aria-label=pick_label
                class="block w-full text-left focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500"
                on:click=move |_| {
                    on_pick.run(for_pick.clone());
                    open.set(false);
                }>
                <div class="flex aspect-square items-center justify-center bg-slate-100 p-2 dark:bg-slate-800">
                    <img src=url alt="" loading="lazy" class="max-h-full max-w-full object-contain" />
                </div>
                <div class="space-y-0.5 p-2">
                    <p class="truncate text-xs font-medium text-slate-800 dark:text-slate-100" title=name_title>{name}</p>
                    <p class="text-xs tabular-nums text-slate-500 dark:text-slate-400">{details}</p>
                </div>
            </button>
            <button type="button" data-testid="media-delete" aria-label=delete_label
                class="absolute right-1.5 top-1.5 rounded-md bg-white/90 px-1.5 py-0.5 text-xs font-medium text-rose-600 shadow-sm hover:bg-rose-50 focus:opacity-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-rose-500 sm:opacity-0 sm:group-hover:opacity-100 dark:bg-slate-900/90 dark:text-rose-400 dark:hover:bg-rose-950"
                on:click=move |_| {
                    pending_delete.set(Some(file.clone()));
                    confirm_open.set(true);
                }>
                "Delete"
            </button>
        </li>
    }
}

/// The progress bar of `progress`'s upload; nothing while none runs.
pub fn upload_bar(progress: UploadProgress) -> impl IntoView {
    move || {
        progress.get().map(|(sent, total)| {
            let pct = if total > 0.0 { ((sent / total) * 100.0).clamp(0.0, 100.0) as u8 } else { 0 };
            let text = format!("Uploading… {} of {}", format::bytes(sent as i64), format::bytes(total as i64));
            view! {
                <div class="space-y-1 text-left">
                    <div data-testid="media-upload-progress" role="progressbar" aria-label="Image upload"
                        aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()
                        class="h-1.5 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
                        <div class="h-full rounded-full bg-indigo-600 transition-all" style=format!("width: {pct}%")></div>
                    </div>
                    <p class="text-xs tabular-nums text-slate-500 dark:text-slate-400">{text}</p>
                </div>
            }
        })
    }
}

/// Uploads the file chosen in a file input (from its `change` event) into the library;
/// `on_uploaded` gets the stored image, failures become an error toast. Does nothing on the
/// server, where no file can be chosen.
pub fn upload_chosen(
    ev: &leptos::ev::Event,
    progress: UploadProgress,
    toasts: Toasts,
    on_uploaded: impl FnOnce(MediaFile) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let file = input.as_ref().and_then(|i| i.files()).and_then(|files| files.get(0));
        // Emptied, so choosing the same file again is a change again.
        if let Some(input) = &input {
            input.set_value("");
        }
        if let Some(file) = file {
            begin(file, progress, toasts, on_uploaded);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, progress, toasts, on_uploaded);
    }
}

/// Uploads the first file dropped on a drop zone (from its `drop` event), like
/// [`upload_chosen`].
pub fn upload_dropped(
    ev: &leptos::ev::DragEvent,
    progress: UploadProgress,
    toasts: Toasts,
    on_uploaded: impl FnOnce(MediaFile) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use web_sys::js_sys::Reflect;
        // `event.dataTransfer.files` read through Reflect, which needs no extra web-sys
        // features (DataTransfer) for one property.
        let event: &JsValue = ev.as_ref();
        let file = Reflect::get(event, &JsValue::from_str("dataTransfer"))
            .ok()
            .filter(|dt| !dt.is_undefined() && !dt.is_null())
            .and_then(|dt| Reflect::get(&dt, &JsValue::from_str("files")).ok())
            .and_then(|files| files.dyn_into::<web_sys::FileList>().ok())
            .and_then(|files| files.get(0));
        match file {
            Some(file) => begin(file, progress, toasts, on_uploaded),
            None => toasts.error("Only files can be dropped here."),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, progress, toasts, on_uploaded);
    }
}

/// Starts one upload with its progress in `progress`; a second one while it runs is refused.
#[cfg(feature = "hydrate")]
fn begin(file: web_sys::File, progress: UploadProgress, toasts: Toasts, on_uploaded: impl FnOnce(MediaFile) + 'static) {
    if progress.get_untracked().is_some() {
        toasts.error("An upload is already running; wait for it to finish.");
        return;
    }
    progress.set(Some((0.0, file.size())));
    upload_image(
        file,
        move |sent, total| {
            let _ = progress.try_set(Some((sent, total)));
        },
        move |result| {
            let _ = progress.try_set(None);
            match result {
                Ok(file) => on_uploaded(file),
                Err(message) => toasts.error(message),
            }
        },
    );
}

/// Sends `file` to the image library (`POST /api/media?name=…`, the file as the body).
/// `on_progress` gets (bytes sent, bytes in total) as the upload goes; `on_done` runs once
/// with the stored image or a sentence saying why there is none.
#[cfg(feature = "hydrate")]
pub fn upload_image(
    file: web_sys::File,
    on_progress: impl Fn(f64, f64) + 'static,
    on_done: impl FnOnce(Result<MediaFile, String>) + 'static,
) {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;

    use crate::components::url_filter::encode_query;

    type Done = Box<dyn FnOnce(Result<MediaFile, String>)>;
    let done: Rc<RefCell<Option<Done>>> = Rc::new(RefCell::new(Some(Box::new(on_done))));
    // Whichever of load, error or a failed start comes first answers; later ones are ignored.
    let finish = Rc::new(move |result: Result<MediaFile, String>| {
        let callback = done.borrow_mut().take();
        if let Some(callback) = callback {
            callback(result);
        }
    });

    let name = file.name();
    if !file.type_().starts_with("image/") {
        (*finish)(Err(format!("{name} is not an image: choose a PNG, JPEG, GIF or WebP file.")));
        return;
    }
    let total = file.size();
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        (*finish)(Err("This browser cannot upload files.".to_owned()));
        return;
    };
    let url = format!("/api/media?name={}", encode_query(&name));
    if xhr.open_with_async("POST", &url, true).is_err() {
        (*finish)(Err("The upload could not be started.".to_owned()));
        return;
    }
    let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
    if let Ok(upload) = xhr.upload() {
        let listener = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
            let of = if ev.length_computable() { ev.total() } else { total };
            on_progress(ev.loaded(), of);
        });
        upload.set_onprogress(Some(listener.as_ref().unchecked_ref()));
        listener.forget();
    }
    let answered = xhr.clone();
    let finish_load = finish.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        let status = answered.status().unwrap_or(0);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        if (200..300).contains(&status) {
            (*finish_load)(
                serde_json::from_str::<MediaFile>(&body)
                    .map_err(|e| format!("The server's answer could not be read: {e}.")),
            );
        } else {
            (*finish_load)(Err(refusal_message(status, &body)));
        }
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let finish_error = finish.clone();
    let on_error = Closure::<dyn FnMut()>::new(move || {
        (*finish_error)(Err("The upload failed: the connection to the server was lost.".to_owned()));
    });
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let body: &web_sys::Blob = &file;
    if xhr.send_with_opt_blob(Some(body)).is_err() {
        (*finish)(Err("The file could not be sent.".to_owned()));
    }
}

/// The sentence for a refused upload: the route's `{"error": …}`, an [`ApiError`] (the
/// Origin and session checks), or the plain text of whatever answered.
///
/// [`ApiError`]: crate::api::ApiError
#[cfg(feature = "hydrate")]
fn refusal_message(status: u16, body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Refusal {
        error: String,
    }
    if let Ok(refusal) = serde_json::from_str::<Refusal>(body) {
        return refusal.error;
    }
    if let Ok(error) = serde_json::from_str::<crate::api::ApiError>(body) {
        return error.to_string();
    }
    let text = body.trim();
    if text.is_empty() || text.len() > 300 || text.starts_with('<') {
        format!("The upload was refused (HTTP {status}).")
    } else {
        format!("The upload was refused: {text}")
    }
}
