//! The editor's block commands (insert, drop, move, duplicate, delete), shared by the
//! palette, the canvas's action bar, drop zones and the keyboard shortcuts. Each is one
//! undoable step through [`EditorCtx::edit`] and keeps the selection on the block the user
//! is working with.

use leptos::prelude::*;
use model::email::Document;
use model::email::edit::{
    EditError, PaletteItem, Parent, Slot, duplicate, insert, move_block, move_by, parent_allows, remove, slot_after,
};

use super::dnd::DragSource;
use super::state::EditorCtx;

/// Inserts a new `item` block at `slot` and selects it; returns its id.
pub fn insert_at(ctx: EditorCtx, item: PaletteItem, slot: &Slot) -> Result<String, EditError> {
    let mut new_id = String::new();
    ctx.edit(None, |doc, ids| {
        let block = item.make(ids);
        new_id = block.id.clone();
        insert(doc, slot, block)
    })?;
    ctx.selected.set(Some(new_id.clone()));
    Ok(new_id)
}

/// The palette's click (or Enter) action: inserts `item` right after the selected block when
/// it may stand there, else at the end of the document, and selects it.
pub fn insert_near_selection(ctx: EditorCtx, item: PaletteItem) -> Result<String, EditError> {
    let selected = ctx.selected.get_untracked();
    let mut new_id = String::new();
    ctx.edit(None, |doc, ids| {
        let block = item.make(ids);
        let slot = {
            let current: &Document = doc;
            selected
                .as_deref()
                .and_then(|id| slot_after(current, id))
                .filter(|slot| parent_allows(&slot.parent, &block))
                .unwrap_or_else(|| Slot { parent: Parent::Root, index: end_of_content(current) })
        };
        new_id = block.id.clone();
        insert(doc, &slot, block)
    })?;
    ctx.selected.set(Some(new_id.clone()));
    Ok(new_id)
}

/// A drop on the canvas at `slot`: inserts a new block or moves an existing one, and selects
/// it; returns its id.
pub fn drop_at(ctx: EditorCtx, source: DragSource, slot: &Slot) -> Result<String, EditError> {
    match source {
        DragSource::New(item) => insert_at(ctx, item, slot),
        DragSource::Move(id) => {
            ctx.edit(None, |doc, _| move_block(doc, &id, slot))?;
            ctx.selected.set(Some(id.clone()));
            Ok(id)
        }
    }
}

/// Moves block `id` one place up (`delta` -1) or down (+1) among its siblings.
pub fn shift(ctx: EditorCtx, id: &str, delta: isize) -> Result<(), EditError> {
    ctx.edit(None, |doc, _| move_by(doc, id, delta))
}

/// Puts a copy of block `id` right after it and selects the copy; returns the copy's id.
pub fn duplicate_block(ctx: EditorCtx, id: &str) -> Result<String, EditError> {
    let mut copy_id = String::new();
    ctx.edit(None, |doc, ids| {
        copy_id = duplicate(doc, id, ids)?;
        Ok(())
    })?;
    ctx.selected.set(Some(copy_id.clone()));
    Ok(copy_id)
}

/// Deletes block `id` (with everything inside it); the selection is cleared.
pub fn delete_block(ctx: EditorCtx, id: &str) -> Result<(), EditError> {
    ctx.edit(None, |doc, _| remove(doc, id).map(|_| ()))?;
    if ctx.selected.get_untracked().as_deref() == Some(id) {
        ctx.selected.set(None);
    }
    Ok(())
}

/// Where a block added without a selection goes: above a closing footer (the footer stays
/// last, where readers and the law expect it), else at the very end.
fn end_of_content(doc: &Document) -> usize {
    match doc.blocks.last() {
        Some(last) if matches!(last.kind, model::email::BlockKind::Footer { .. }) => doc.blocks.len() - 1,
        _ => doc.blocks.len(),
    }
}
