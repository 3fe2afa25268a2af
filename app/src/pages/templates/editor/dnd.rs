//! Drag and drop between the palette and the canvas, and within the canvas.
//!
//! The browser's `DataTransfer` carries the payload (`application/x-bm-new` = palette key,
//! `application/x-bm-move` = block id, plus `text/plain`), so drops work with any drag
//! source that sets them. What is being dragged is also kept in [`DragState`], because
//! browsers hide the data until the drop: the drop zones need it during `dragover` to light
//! up only where the block may go (a section never inside a column, say).

use leptos::prelude::*;
use model::email::edit::{IdGen, PaletteItem, Parent, parent_allows};
use model::email::{Block, Document};

/// `DataTransfer` type of a new block from the palette; the value is the palette key.
pub const NEW_BLOCK_TYPE: &str = "application/x-bm-new";
/// `DataTransfer` type of a block moved within the canvas; the value is its id.
pub const MOVE_BLOCK_TYPE: &str = "application/x-bm-move";

/// Where a dragged block comes from.
#[derive(Clone)]
pub enum DragSource {
    /// A palette tile: dropping inserts a fresh block of this kind.
    New(PaletteItem),
    /// A block of the document (by id): dropping moves it.
    Move(String),
}

/// A drag in progress.
#[derive(Clone)]
pub struct Dragging {
    /// What the drop will do (insert or move).
    pub source: DragSource,
    /// The block that would land: a sample of the palette item, or the moved block itself.
    /// Drop zones ask [`parent_allows`] about it.
    pub block: Block,
}

impl Dragging {
    /// Dragging palette item `item`; the sample block's ids come from a throwaway generator,
    /// the real block is made at the drop.
    pub fn new_block(item: PaletteItem) -> Self {
        let mut ids = IdGen::for_document(&Document::default());
        let block = item.make(&mut ids);
        Dragging { source: DragSource::New(item), block }
    }

    /// Dragging `block` of the document to another place.
    pub fn existing(block: Block) -> Self {
        Dragging { source: DragSource::Move(block.id.clone()), block }
    }

    /// True when the dragged block may be dropped into `parent`.
    pub fn fits(&self, parent: &Parent) -> bool {
        parent_allows(parent, &self.block)
    }
}

/// Drag state shared by the palette, the canvas and the inline text editors.
#[derive(Clone, Copy)]
pub struct DragState {
    /// The drag in progress, set on `dragstart` and cleared on `dragend` or drop.
    pub current: RwSignal<Option<Dragging>>,
    /// True while an inline text has the focus: blocks are then not draggable, so selecting
    /// text with the mouse selects text instead of starting a block drag.
    pub text_focused: RwSignal<bool>,
}

/// Creates the drag state for the editor and provides it to its children.
pub fn provide_drag() -> DragState {
    let state = DragState { current: RwSignal::new(None), text_focused: RwSignal::new(false) };
    provide_context(state);
    state
}

/// The editor's drag state (a detached one outside an editor, so a stray use cannot panic).
pub fn use_drag() -> DragState {
    use_context::<DragState>().unwrap_or_else(provide_drag)
}

/// Starts a drag: writes the payload into the event's `DataTransfer` and remembers it.
pub fn begin(ev: &leptos::ev::DragEvent, state: DragState, dragging: Dragging) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(transfer) = ev.data_transfer() {
            let (kind, value, effect) = match &dragging.source {
                DragSource::New(item) => (NEW_BLOCK_TYPE, item.key().to_owned(), "copy"),
                DragSource::Move(id) => (MOVE_BLOCK_TYPE, id.clone(), "move"),
            };
            let _ = transfer.set_data(kind, &value);
            let _ = transfer.set_data("text/plain", &value);
            transfer.set_effect_allowed(effect);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
    state.current.set(Some(dragging));
}

/// Ends a drag (the source's `dragend`, or a drop).
pub fn end(state: DragState) {
    if state.current.with_untracked(Option::is_some) {
        state.current.set(None);
    }
}

/// Handles `dragover`/`dragenter` on a drop target inside `parent`: true (and the drop
/// allowed, with the matching cursor) when the dragged block may land there. Drags this
/// page did not start are allowed when they carry the editor's types; the drop checks them.
pub fn accept(ev: &leptos::ev::DragEvent, state: DragState, parent: &Parent) -> bool {
    let known =
        state.current.with_untracked(|d| d.as_ref().map(|d| (d.fits(parent), matches!(d.source, DragSource::New(_)))));
    let (allowed, copy) = match known {
        Some(answer) => answer,
        None => match foreign_kind(ev) {
            Some(copy) => (true, copy),
            None => (false, false),
        },
    };
    if allowed {
        ev.prevent_default();
        set_drop_effect(ev, if copy { "copy" } else { "move" });
    }
    allowed
}

/// Sets the cursor a drop would show (`copy`, `move`, `none`).
pub fn set_drop_effect(ev: &leptos::ev::DragEvent, effect: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(transfer) = ev.data_transfer() {
            transfer.set_drop_effect(effect);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, effect);
}

/// For a drag the editor did not see start: `Some(true)` when it carries a new block,
/// `Some(false)` for a moved block, `None` when it is not the editor's.
fn foreign_kind(ev: &leptos::ev::DragEvent) -> Option<bool> {
    #[cfg(feature = "hydrate")]
    {
        let transfer = ev.data_transfer()?;
        let types: Vec<String> = transfer.types().iter().filter_map(|t| t.as_string()).collect();
        if types.iter().any(|t| t == NEW_BLOCK_TYPE) {
            Some(true)
        } else if types.iter().any(|t| t == MOVE_BLOCK_TYPE) {
            Some(false)
        } else {
            None
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// What was dropped: the drag this page started, else whatever the `DataTransfer` carries.
/// Clears the drag state either way.
pub fn take(ev: &leptos::ev::DragEvent, state: DragState) -> Option<DragSource> {
    let known = state.current.with_untracked(|d| d.as_ref().map(|d| d.source.clone()));
    end(state);
    known.or_else(|| from_transfer(ev))
}

/// The editor's payload read from the event's `DataTransfer`.
fn from_transfer(ev: &leptos::ev::DragEvent) -> Option<DragSource> {
    #[cfg(feature = "hydrate")]
    {
        let transfer = ev.data_transfer()?;
        let new = transfer.get_data(NEW_BLOCK_TYPE).ok().filter(|k| !k.is_empty());
        if let Some(item) = new.as_deref().and_then(PaletteItem::from_key) {
            return Some(DragSource::New(item));
        }
        transfer.get_data(MOVE_BLOCK_TYPE).ok().filter(|id| !id.is_empty()).map(DragSource::Move)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}
