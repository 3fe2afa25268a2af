//! The block palette: one tile per kind of block. Tiles are dragged onto the canvas, or
//! clicked (Enter/Space from the keyboard) to insert after the selected block, so the editor
//! works without a mouse too.

use leptos::prelude::*;
use model::email::edit::PaletteItem;

use super::actions;
use super::dnd::{self, Dragging, use_drag};
use super::state::use_editor;
use crate::components::toast::use_toasts;

/// The palette pane.
#[component]
pub fn Palette() -> impl IntoView {
    let tiles = PaletteItem::ALL.iter().copied().map(|item| view! { <PaletteTile item=item /> }).collect_view();
    view! {
        <div class="space-y-3 p-3" data-testid="palette">
            <h2 class="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">"Blocks"</h2>
            <div class="grid grid-cols-2 gap-2" role="list">{tiles}</div>
            <p class="px-1 text-xs leading-relaxed text-slate-500 dark:text-slate-400">
                "Drag a block onto the email, or click it to add it after the selected block."
            </p>
        </div>
    }
}

/// One draggable tile. A `div` with the button role rather than a `<button>`: Firefox does
/// not start drags from buttons.
#[component]
fn PaletteTile(item: PaletteItem) -> impl IntoView {
    let ctx = use_editor();
    let drag = use_drag();
    let toasts = use_toasts();
    let add = move || {
        if let Err(e) = actions::insert_near_selection(ctx, item) {
            toasts.error(format!("The block could not be added: {e}"));
        }
    };
    view! {
        <div
            role="listitem"
            class="contents"
        >
            <div
                role="button"
                tabindex="0"
                draggable="true"
                data-testid=format!("palette-{}", item.key())
                title=item.hint()
                aria-label=format!("Add {}", item.label())
                class="flex cursor-grab select-none flex-col items-center gap-1 rounded-lg border border-slate-200 bg-white px-2 py-3 text-center text-xs font-medium text-slate-700 shadow-sm transition hover:border-indigo-300 hover:bg-indigo-50 hover:text-indigo-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 active:cursor-grabbing dark:border-slate-700 dark:bg-slate-800 dark:text-slate-200 dark:hover:border-indigo-500/60 dark:hover:bg-indigo-500/10 dark:hover:text-indigo-200"
                on:click=move |_| add()
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    let key = ev.key();
                    if key == "Enter" || key == " " {
                        ev.prevent_default();
                        add();
                    }
                }
                on:dragstart=move |ev: leptos::ev::DragEvent| dnd::begin(&ev, drag, Dragging::new_block(item))
                on:dragend=move |_| dnd::end(drag)
            >
                <span class="grid h-7 w-7 place-items-center rounded-md bg-slate-100 font-mono text-sm text-slate-600 dark:bg-slate-700 dark:text-slate-200"
                    aria-hidden="true">
                    {glyph(item)}
                </span>
                <span class="leading-tight">{item.label()}</span>
            </div>
        </div>
    }
}

/// A small symbol for each kind of block (text glyphs: no icon font to load).
fn glyph(item: PaletteItem) -> &'static str {
    match item {
        PaletteItem::Section => "▭",
        PaletteItem::Columns2 => "◫",
        PaletteItem::Columns3 => "▥",
        PaletteItem::Heading => "H",
        PaletteItem::Text => "¶",
        PaletteItem::Image => "▨",
        PaletteItem::Button => "⬭",
        PaletteItem::Divider => "—",
        PaletteItem::Spacer => "↕",
        PaletteItem::Social => "◎",
        PaletteItem::Menu => "☰",
        PaletteItem::RawHtml => "</>",
        PaletteItem::Footer => "▁",
    }
}
