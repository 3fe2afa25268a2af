//! The editor's top bar: back to the library, the template's name (click to rename), undo
//! and redo, the view and device toggles, the save status, history and Save.

use leptos::html::Input;
use leptos::prelude::*;

use super::autosave::{SaveStatus, use_autosave};
use super::modes::{Device, ViewMode};
use super::state::use_editor;
use crate::api::templates::rename_template;
use crate::components::toast::use_toasts;
use crate::pages::mail::widgets::{PRIMARY, SECONDARY};

/// Small square icon button (undo, redo).
const ICON_BUTTON: &str = "grid h-8 w-8 place-items-center rounded-lg text-base text-slate-600 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40 disabled:hover:bg-transparent dark:text-slate-300 dark:hover:bg-slate-800";

/// The toolbar of template `template_id`.
#[component]
pub fn Toolbar(
    /// The template being edited.
    template_id: i64,
    /// Its name, updated after a rename.
    name: RwSignal<String>,
    /// What the centre shows.
    mode: RwSignal<ViewMode>,
    /// The preview's device.
    device: RwSignal<Device>,
    /// Opens the version history drawer.
    history_open: RwSignal<bool>,
) -> impl IntoView {
    let ctx = use_editor();
    let autosave = use_autosave();
    let modes = ViewMode::ALL
        .into_iter()
        .map(|m| {
            view! {
                <SegmentButton testid=format!("view-{}", m.key()) label=m.label()
                    active=Signal::derive(move || mode.get() == m) on_press=Callback::new(move |()| mode.set(m)) />
            }
        })
        .collect_view();
    let devices = Device::ALL
        .into_iter()
        .map(|d| {
            view! {
                <SegmentButton testid=format!("device-{}", d.key()) label=d.label()
                    active=Signal::derive(move || device.get() == d) on_press=Callback::new(move |()| device.set(d)) />
            }
        })
        .collect_view();
    view! {
        <header class="flex h-14 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4 dark:border-slate-800 dark:bg-slate-900"
            data-testid="editor-toolbar">
            <a href="/templates" data-testid="back-to-templates"
                class="shrink-0 rounded-lg px-2 py-1 text-sm text-indigo-600 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-500/10">
                "← Templates"
            </a>
            <TemplateName template_id=template_id name=name />
            <div class="flex-1"></div>
            <div class="flex items-center gap-0.5">
                <button type="button" class=ICON_BUTTON data-testid="undo" title="Undo (Ctrl+Z)" aria-label="Undo"
                    disabled=move || !ctx.can_undo.get() on:click=move |_| ctx.undo()>"↶"</button>
                <button type="button" class=ICON_BUTTON data-testid="redo" title="Redo (Ctrl+Shift+Z)" aria-label="Redo"
                    disabled=move || !ctx.can_redo.get() on:click=move |_| ctx.redo()>"↷"</button>
            </div>
            <div role="group" aria-label="View" class="flex rounded-lg bg-slate-100 p-0.5 dark:bg-slate-800">{modes}</div>
            <div role="group" aria-label="Preview device" class="flex rounded-lg bg-slate-100 p-0.5 dark:bg-slate-800">{devices}</div>
            <SaveStatusText />
            <button type="button" class=SECONDARY data-testid="history"
                on:click=move |_| history_open.set(true)>
                "History"
            </button>
            <button type="button" class=PRIMARY data-testid="save" title="Save (Ctrl+S)"
                on:click=move |_| autosave.save_now()>
                "Save"
            </button>
        </header>
    }
}

/// One button of a segmented control.
#[component]
fn SegmentButton(testid: String, label: &'static str, active: Signal<bool>, on_press: Callback<()>) -> impl IntoView {
    view! {
        <button
            type="button"
            data-testid=testid
            aria-pressed=move || active.get().to_string()
            class=move || {
                if active.get() {
                    "rounded-md bg-white px-2.5 py-1 text-xs font-semibold text-slate-900 shadow-sm dark:bg-slate-600 dark:text-white"
                } else {
                    "rounded-md px-2.5 py-1 text-xs font-medium text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-100"
                }
            }
            on:click=move |_| on_press.run(())
        >
            {label}
        </button>
    }
}

/// "Saved" / "Saving…" / "Unsaved changes" / the error, with a Reload button after a conflict.
#[component]
fn SaveStatusText() -> impl IntoView {
    let autosave = use_autosave();
    let status = autosave.status;
    let tone = move || match status.get() {
        SaveStatus::Saved => "text-emerald-700 dark:text-emerald-300",
        SaveStatus::Saving | SaveStatus::Unsaved => "text-slate-500 dark:text-slate-400",
        SaveStatus::Failed(_) | SaveStatus::Conflict => "text-rose-700 dark:text-rose-300",
    };
    view! {
        <span
            data-testid="save-status"
            data-state=move || status.get().key()
            role="status"
            aria-live="polite"
            title=move || status.get().text()
            class=move || format!("max-w-[14rem] truncate text-xs font-medium {}", tone())
        >
            {move || status.get().text()}
        </span>
        {move || (status.get() == SaveStatus::Conflict).then(|| view! {
            <button type="button" class=SECONDARY data-testid="reload-template"
                on:click=move |_| reload()>
                "Reload"
            </button>
        })}
    }
}

/// Reloads the page (after a conflict, to load the other window's version).
fn reload() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().reload();
    }
}

/// The template's name; a click turns it into a field, Enter or leaving it renames,
/// Escape cancels.
#[component]
fn TemplateName(template_id: i64, name: RwSignal<String>) -> impl IntoView {
    let toasts = use_toasts();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let input = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if editing.get()
            && let Some(element) = input.get()
        {
            let _ = element.focus();
            element.select();
        }
    });
    let start = move || {
        draft.set(name.get_untracked());
        editing.set(true);
    };
    let commit = move || {
        if !editing.get_untracked() {
            return;
        }
        editing.set(false);
        let new_name = draft.get_untracked().trim().to_owned();
        let old_name = name.get_untracked();
        if new_name.is_empty() || new_name == old_name {
            return;
        }
        name.set(new_name.clone());
        leptos::task::spawn_local(async move {
            match rename_template(template_id, new_name).await {
                Ok(_) => toasts.success("Template renamed."),
                Err(e) => {
                    let _ = name.try_set(old_name);
                    toasts.report(&e);
                }
            }
        });
    };
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <button type="button" data-testid="template-name-button" title="Rename"
                    class="min-w-0 max-w-xs truncate rounded-lg px-2 py-1 text-left text-sm font-semibold text-slate-900 hover:bg-slate-100 dark:text-white dark:hover:bg-slate-800"
                    on:click=move |_| start()>
                    {move || name.get()}
                </button>
            }
        >
            <input
                node_ref=input
                type="text"
                data-testid="template-name-input"
                aria-label="Template name"
                maxlength="120"
                class="w-64 rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm font-semibold shadow-sm outline-none focus:border-indigo-500 focus:ring-4 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
                    "Enter" => {
                        ev.prevent_default();
                        ev.stop_propagation();
                        commit();
                    }
                    "Escape" => {
                        ev.stop_propagation();
                        editing.set(false);
                    }
                    _ => {}
                }
                on:blur=move |_| commit()
            />
        </Show>
    }
}
