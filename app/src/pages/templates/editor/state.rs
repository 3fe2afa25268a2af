//! The editor's state: the document being edited, the selected block and the undo
//! history, shared by the palette, canvas, properties panel and preview through context.
//! Every change goes through [`EditorCtx::edit`], so undo/redo covers all edits and the
//! autosave and preview see one revision counter.

use leptos::prelude::*;
use model::email::edit::{EditError, History, IdGen};
use model::email::{Block, Document};

/// Everything the editor's parts share; `Copy`, get it with [`use_editor`].
#[derive(Clone, Copy)]
pub struct EditorCtx {
    /// The document as it is now.
    pub doc: RwSignal<Document>,
    /// Id of the block whose properties are shown; `None` shows the document settings.
    pub selected: RwSignal<Option<String>>,
    /// Bumped on every change (undo and redo included): the preview and autosave watch it.
    pub revision: RwSignal<u64>,
    /// The revision last written to the server (autosave compares it with `revision`).
    pub saved_revision: RwSignal<u64>,
    pub can_undo: RwSignal<bool>,
    pub can_redo: RwSignal<bool>,
    history: StoredValue<History>,
    ids: StoredValue<IdGen>,
}

/// The editor state of the surrounding editor.
pub fn use_editor() -> EditorCtx {
    expect_context::<EditorCtx>()
}

impl EditorCtx {
    /// State for `doc`, provided as context to the children of the caller.
    pub fn provide(doc: Document) -> Self {
        let ids = IdGen::for_document(&doc);
        let ctx = EditorCtx {
            doc: RwSignal::new(doc),
            selected: RwSignal::new(None),
            revision: RwSignal::new(0),
            saved_revision: RwSignal::new(0),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
            history: StoredValue::new(History::default()),
            ids: StoredValue::new(ids),
        };
        provide_context(ctx);
        ctx
    }

    /// A fresh block id, unique in the document.
    pub fn new_id(&self) -> String {
        let mut id = String::new();
        self.ids.update_value(|g| id = g.next_id());
        id
    }

    /// Applies `change` as one undoable step. Edits with the same `group` (e.g.
    /// `"text:<block id>"`) made within a second of each other undo together, so undo does
    /// not go back one keystroke at a time. A failed change leaves the document untouched.
    pub fn edit(
        &self,
        group: Option<&str>,
        change: impl FnOnce(&mut Document, &mut IdGen) -> Result<(), EditError>,
    ) -> Result<(), EditError> {
        let before = self.doc.get_untracked();
        let mut after = before.clone();
        let mut result = Ok(());
        self.ids.update_value(|ids| result = change(&mut after, ids));
        result?;
        if after == before {
            return Ok(());
        }
        let now = now_ms();
        self.history.update_value(|h| h.record(before, group, now));
        self.doc.set(after);
        self.after_change();
        Ok(())
    }

    /// Changes one block in place (properties panel, inline text) as an undoable step.
    pub fn update_block(&self, id: &str, group: Option<&str>, change: impl FnOnce(&mut Block)) {
        let id = id.to_owned();
        let _ = self.edit(group, move |doc, _| match doc.find_mut(&id) {
            Some(block) => {
                change(block);
                Ok(())
            }
            None => Err(EditError::NotFound(id.clone())),
        });
    }

    /// Goes back one step; the selection is kept when the block still exists.
    pub fn undo(&self) {
        let current = self.doc.get_untracked();
        let mut restored = None;
        self.history.update_value(|h| restored = h.undo(current));
        if let Some(doc) = restored {
            self.doc.set(doc);
            self.after_change();
        }
    }

    /// Re-applies the step last undone.
    pub fn redo(&self) {
        let current = self.doc.get_untracked();
        let mut restored = None;
        self.history.update_value(|h| restored = h.redo(current));
        if let Some(doc) = restored {
            self.doc.set(doc);
            self.after_change();
        }
    }

    /// Replaces the whole document (a restored version) as one undoable step.
    pub fn replace(&self, doc: Document) {
        let _ = self.edit(None, move |current, ids| {
            ids.avoid(&doc);
            *current = doc;
            Ok(())
        });
    }

    fn after_change(&self) {
        let (undo, redo) = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        self.can_undo.set(undo);
        self.can_redo.set(redo);
        if let Some(id) = self.selected.get_untracked()
            && self.doc.with_untracked(|d| d.find(&id).is_none())
        {
            self.selected.set(None);
        }
        self.revision.update(|r| *r += 1);
    }
}

/// Milliseconds on a monotonic-enough clock (history grouping only).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys_now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

#[cfg(feature = "hydrate")]
fn js_sys_now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}
