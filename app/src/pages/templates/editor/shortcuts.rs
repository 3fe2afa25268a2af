//! The editor's keyboard shortcuts: Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z and Ctrl+Y redo,
//! Ctrl/Cmd+S save, Delete/Backspace deletes the selected block, Escape deselects.
//!
//! Undo and redo are always the editor's own, even inside inline text and property fields:
//! the editor's history records text edits too, and two undo stacks fighting over the same
//! text would leave the document and the screen disagreeing.

use leptos::prelude::*;

use super::autosave::Autosave;
use super::state::EditorCtx;
use crate::components::toast::Toasts;

/// Listens for the shortcuts on the window while the editor is mounted (browser only).
/// `paused` (the history drawer is open) turns off the shortcuts that act on the selection.
pub fn install(ctx: EditorCtx, autosave: Autosave, toasts: Toasts, paused: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| on_key(&ev, ctx, autosave, toasts, paused));
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ctx, autosave, toasts, paused);
}

/// Handles one key press.
#[cfg(feature = "hydrate")]
fn on_key(ev: &leptos::ev::KeyboardEvent, ctx: EditorCtx, autosave: Autosave, toasts: Toasts, paused: RwSignal<bool>) {
    if ev.default_prevented() || ev.is_composing() {
        return;
    }
    let key = ev.key();
    if (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key() {
        match key.to_ascii_lowercase().as_str() {
            "z" if ev.shift_key() => {
                ev.prevent_default();
                ctx.redo();
            }
            "z" => {
                ev.prevent_default();
                ctx.undo();
            }
            "y" if ev.ctrl_key() => {
                ev.prevent_default();
                ctx.redo();
            }
            "s" => {
                ev.prevent_default();
                autosave.save_now();
            }
            _ => {}
        }
        return;
    }
    if paused.try_get_untracked() != Some(false) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || in_dialog(ev) {
        return;
    }
    match key.as_str() {
        "Delete" | "Backspace" if !typing_target(ev) => {
            let Some(id) = ctx.selected.get_untracked() else {
                return;
            };
            ev.prevent_default();
            if let Err(e) = super::actions::delete_block(ctx, &id) {
                toasts.error(format!("The block could not be deleted: {e}"));
            }
        }
        "Escape" => {
            if ctx.selected.with_untracked(Option::is_some) {
                ctx.selected.set(None);
            }
            blur_editable();
        }
        _ => {}
    }
}

/// True when the key goes to something that takes text (a field, a select, inline text):
/// there Delete and Backspace edit text, not blocks.
#[cfg(feature = "hydrate")]
fn typing_target(ev: &leptos::ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    let Some(element) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return false;
    };
    element.is_content_editable() || matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
}

/// True when the key goes to a dialog (image library, confirmations): its keys are its own.
#[cfg(feature = "hydrate")]
fn in_dialog(ev: &leptos::ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|element| element.closest("[role=dialog]").ok().flatten())
        .is_some()
}

/// Takes the focus out of inline text, so Escape leaves editing completely.
#[cfg(feature = "hydrate")]
fn blur_editable() {
    use leptos::wasm_bindgen::JsCast;
    let active = document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = active.filter(|e| e.is_content_editable()) {
        let _ = element.blur();
    }
}
