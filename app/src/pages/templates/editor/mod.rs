//! The drag-and-drop newsletter editor: toolbar on top; below it the block palette, the
//! canvas and the live preview (side by side, or one of them), and the properties of the
//! selected block. All parts share one [`state::EditorCtx`], so every edit, from any part,
//! is undoable, autosaved and previewed the same way.

pub mod actions;
pub mod autosave;
pub mod block_forms;
pub mod block_view;
pub mod canvas;
pub mod dnd;
pub mod fields;
pub mod history;
pub mod inline_text;
pub mod media_picker;
pub mod modes;
pub mod palette;
pub mod preview;
pub mod properties;
pub mod settings_form;
pub mod shortcuts;
pub mod state;
pub mod style_form;
pub mod toolbar;

use leptos::prelude::*;
use model::email::Document;
use model::templates::{SaveOutcome, Template, TemplateVersion};

use self::autosave::Autosave;
use self::canvas::Canvas;
use self::history::HistoryDrawer;
use self::modes::{Device, ViewMode};
use self::palette::Palette;
use self::preview::LivePreview;
use self::properties::PropertiesPanel;
use self::state::EditorCtx;
use self::toolbar::Toolbar;
use crate::components::toast::use_toasts;

/// The editor of document template `template`, filling the page below the admin header.
///
/// It cancels the page's padding with negative margins rather than being `position: fixed`:
/// a fixed box would be a stacking context of its own, and the dialogs and drawers opened
/// inside it (history, image library) would then slide under the admin header.
#[component]
pub fn DocumentEditor(template: Template) -> impl IntoView {
    let template_id = template.id;
    let document = template.document.unwrap_or_else(Document::blank);
    let ctx = EditorCtx::provide(document);
    dnd::provide_drag();
    let autosave = Autosave::provide(template_id, template.version);
    let toasts = use_toasts();
    let name = RwSignal::new(template.name);
    let mode = RwSignal::new(ViewMode::default());
    // The server cannot know the window; the browser picks Split where two panes fit.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(width) = window().inner_width().ok().and_then(|w| w.as_f64()) {
            mode.set(ViewMode::for_window(width));
        }
    });
    let device = RwSignal::new(Device::default());
    let history_open = RwSignal::new(false);
    shortcuts::install(ctx, autosave, toasts, history_open);

    // A restored version is already stored on the server as a new version: show it, and
    // base the next save on it.
    let on_restored = Callback::new(move |(restored, outcome): (TemplateVersion, SaveOutcome)| {
        if let Some(doc) = restored.document {
            ctx.replace(doc);
        }
        autosave.adopt(&outcome);
        history_open.set(false);
    });

    let pane = "border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900";
    view! {
        <div
            data-testid="document-editor"
            class="-mx-4 -my-8 flex h-[calc(100vh-4rem)] flex-col overflow-hidden bg-slate-50 text-slate-900 sm:-mx-6 lg:-mx-8 dark:bg-slate-950 dark:text-slate-100"
        >
            <Toolbar template_id=template_id name=name mode=mode device=device history_open=history_open />
            <div class="flex min-h-0 flex-1">
                <Show when=move || mode.get().shows_canvas()>
                    <aside aria-label="Blocks" class=format!("w-56 shrink-0 overflow-y-auto border-r {pane}")>
                        <Palette />
                    </aside>
                </Show>
                <div class="flex min-w-0 flex-1">
                    <Show when=move || mode.get().shows_canvas()>
                        <section aria-label="Email canvas" class="min-w-0 flex-1">
                            <Canvas />
                        </section>
                    </Show>
                    <Show when=move || mode.get().shows_preview()>
                        <section
                            aria-label="Preview"
                            class=move || {
                                if mode.get().shows_canvas() {
                                    "min-w-0 flex-1 border-l border-slate-200 dark:border-slate-800"
                                } else {
                                    "min-w-0 flex-1"
                                }
                            }
                        >
                            <LivePreview device=device />
                        </section>
                    </Show>
                </div>
                <div class=format!("w-80 shrink-0 overflow-y-auto border-l {pane}")>
                    <PropertiesPanel />
                </div>
            </div>
            <HistoryDrawer open=history_open template_id=template_id on_restored=on_restored />
        </div>
    }
}
