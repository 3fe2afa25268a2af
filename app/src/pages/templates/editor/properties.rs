//! The properties panel beside the canvas: the selected block's own fields and its style,
//! or the email's settings when nothing is selected.
//!
//! The panel rebuilds its form only when the selection (or the selected block's kind)
//! changes; edits flow through the fields' own memos, so focus and caret stay put while
//! typing. Every change is an undoable step of the editor (see `state.rs`).

use leptos::prelude::*;

use super::block_forms::{BlockForm, KindTag};
use super::settings_form::SettingsForm;
use super::state::use_editor;
use super::style_form::StyleForm;

/// The side panel: block properties for the selected block, email settings otherwise.
#[component]
pub fn PropertiesPanel() -> impl IntoView {
    let ctx = use_editor();
    let selection = Memo::new(move |_| -> Option<(String, KindTag)> {
        let id = ctx.selected.get()?;
        let kind = ctx.doc.with(|doc| doc.find(&id).map(|block| KindTag::of(&block.kind)))?;
        Some((id, kind))
    });
    view! {
        <aside data-testid="properties" aria-label="Properties" class="space-y-4 p-4 text-sm text-slate-700 dark:text-slate-200">
            {move || match selection.get() {
                None => view! { <SettingsForm /> }.into_any(),
                Some((id, kind)) => view! { <BlockProperties id=id kind=kind /> }.into_any(),
            }}
        </aside>
    }
}

/// Header, kind-specific form and style group of block `id`.
#[component]
fn BlockProperties(id: String, kind: KindTag) -> impl IntoView {
    let ctx = use_editor();
    let block_id = id.clone();
    view! {
        <div class="space-y-4" data-testid="block-properties" data-block-id=block_id data-kind=kind.label()>
            <div class="flex items-center justify-between gap-2">
                <h2 class="text-sm font-semibold text-slate-900 dark:text-white">{kind.label()}</h2>
                <button type="button" data-testid="show-email-settings"
                    class="rounded-md px-2 py-1 text-xs font-medium text-indigo-600 hover:bg-indigo-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/40 dark:text-indigo-300 dark:hover:bg-indigo-950"
                    title="Deselect the block and show the settings of the whole email"
                    on:click=move |_| ctx.selected.set(None)>
                    "Email settings"
                </button>
            </div>
            <div class="space-y-3">
                <BlockForm id=id.clone() kind=kind />
            </div>
            <StyleForm id=id />
        </div>
    }
}
