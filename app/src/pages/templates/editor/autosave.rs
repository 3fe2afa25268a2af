//! Saving the document: automatically two seconds after the last change, immediately on
//! Save or Ctrl+S, and once more when the editor is left with changes pending.
//!
//! Every save names the version it is based on; the server refuses a save based on an older
//! version (another window or another admin saved meanwhile). That conflict stops
//! autosaving for good in this editor, because saving on top would throw the other work
//! away: the admin reloads to see it.

use std::time::Duration;

use leptos::prelude::*;
use model::templates::{SaveOutcome, SaveRequest};

use super::state::{EditorCtx, use_editor};
use crate::api::ApiError;
use crate::api::templates::save_template;
use crate::components::toast::{Toasts, use_toasts};

/// Quiet time after the last change before an automatic save: long enough that typing does
/// not save per word, short enough that little is lost when the tab dies.
pub const AUTOSAVE_DELAY: Duration = Duration::from_secs(2);

/// What the toast says when the server refuses a save as stale.
pub const CONFLICT_MESSAGE: &str = "This template was changed in another window — reload to see it";

/// Where saving stands, for the toolbar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveStatus {
    /// The server has what is on screen.
    Saved,
    /// A save is on its way.
    Saving,
    /// Changes wait for the autosave timer.
    Unsaved,
    /// The last save failed (message for people); the next change or Save tries again.
    Failed(String),
    /// Someone else saved first; nothing more is saved until the page is reloaded.
    Conflict,
}

impl SaveStatus {
    /// Short text for the toolbar; starts with "Saved" exactly when everything is saved.
    pub fn text(&self) -> String {
        match self {
            Self::Saved => "Saved".to_owned(),
            Self::Saving => "Saving…".to_owned(),
            Self::Unsaved => "Unsaved changes".to_owned(),
            Self::Failed(message) => format!("Not saved: {message}"),
            Self::Conflict => "Changed elsewhere — reload".to_owned(),
        }
    }

    /// Stable key for `data-state` (tests and styling).
    pub fn key(&self) -> &'static str {
        match self {
            Self::Saved => "saved",
            Self::Saving => "saving",
            Self::Unsaved => "unsaved",
            Self::Failed(_) => "error",
            Self::Conflict => "conflict",
        }
    }
}

/// The editor's saver; `Copy`, get it with [`use_autosave`].
#[derive(Clone, Copy)]
pub struct Autosave {
    /// Where saving stands.
    pub status: Memo<SaveStatus>,
    /// The template version the next save is based on (`SaveRequest::expected_version`).
    pub version: RwSignal<i32>,
    template_id: i64,
    ctx: EditorCtx,
    toasts: Toasts,
    saving: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    conflict: RwSignal<bool>,
    /// A save asked for while another was on its way: `Some(autosave)`, run when it returns.
    queued: StoredValue<Option<bool>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

/// The saver of the surrounding editor.
pub fn use_autosave() -> Autosave {
    expect_context::<Autosave>()
}

impl Autosave {
    /// Creates the saver for template `template_id` loaded at `version`, provides it as
    /// context, and starts watching the editor (which must already be provided) for changes.
    pub fn provide(template_id: i64, version: i32) -> Self {
        let ctx = use_editor();
        let saving = RwSignal::new(false);
        let error = RwSignal::new(None::<String>);
        let conflict = RwSignal::new(false);
        let status = Memo::new(move |_| {
            if conflict.get() {
                SaveStatus::Conflict
            } else if saving.get() {
                SaveStatus::Saving
            } else if ctx.revision.get() == ctx.saved_revision.get() {
                SaveStatus::Saved
            } else if let Some(message) = error.get() {
                SaveStatus::Failed(message)
            } else {
                SaveStatus::Unsaved
            }
        });
        let this = Autosave {
            status,
            version: RwSignal::new(version),
            template_id,
            ctx,
            toasts: use_toasts(),
            saving,
            error,
            conflict,
            queued: StoredValue::new(None),
            timer: StoredValue::new(None),
        };
        provide_context(this);

        // Every change (re)starts the timer; a save that returns while newer changes wait
        // moves `saved_revision` and so starts it again too.
        Effect::new(move |_| {
            let revision = ctx.revision.get();
            let saved = ctx.saved_revision.get();
            if revision != saved && !this.conflict.get_untracked() && !this.saving.get_untracked() {
                this.schedule();
            }
        });

        #[cfg(feature = "hydrate")]
        {
            let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
                if this.has_unsaved_changes() {
                    ev.prevent_default();
                    ev.set_return_value("You have unsaved changes.");
                }
            });
            on_cleanup(move || {
                unload.remove();
                this.leave();
            });
        }
        this
    }

    /// Saves now (the Save button, Ctrl+S), as a version the author chose to keep.
    pub fn save_now(self) {
        self.save(false);
    }

    /// True while the screen shows changes the server does not have.
    pub fn has_unsaved_changes(self) -> bool {
        match (self.ctx.revision.try_get_untracked(), self.ctx.saved_revision.try_get_untracked()) {
            (Some(revision), Some(saved)) => revision != saved,
            _ => false,
        }
    }

    /// Records that the document on screen is stored as `outcome.version` (a restored
    /// version), so nothing is saved again and the next save is based on it.
    pub fn adopt(self, outcome: &SaveOutcome) {
        self.clear_timer();
        self.version.set(outcome.version);
        self.ctx.saved_revision.set(self.ctx.revision.get_untracked());
        self.error.set(None);
        self.conflict.set(false);
    }

    /// Restarts the autosave timer (browser only: effects never run on the server).
    fn schedule(self) {
        self.clear_timer();
        let handle = set_timeout_with_handle(
            move || {
                let _ = self.timer.try_set_value(None);
                self.save(true);
            },
            AUTOSAVE_DELAY,
        );
        let _ = self.timer.try_set_value(handle.ok());
    }

    fn clear_timer(self) {
        if let Some(Some(handle)) = self.timer.try_get_value() {
            handle.clear();
            let _ = self.timer.try_set_value(None);
        }
    }

    /// Sends the document unless nothing changed; one save at a time, later requests wait.
    fn save(self, autosave: bool) {
        self.clear_timer();
        let Some(conflict) = self.conflict.try_get_untracked() else {
            return; // the editor is gone
        };
        if conflict {
            if !autosave {
                self.toasts.error(CONFLICT_MESSAGE);
            }
            return;
        }
        if self.saving.get_untracked() {
            // A manual request wins over an automatic one.
            self.queued.update_value(|q| *q = Some(q.map_or(autosave, |earlier| earlier && autosave)));
            return;
        }
        let revision = self.ctx.revision.get_untracked();
        if revision == self.ctx.saved_revision.get_untracked() {
            return;
        }
        let request = SaveRequest {
            template_id: self.template_id,
            expected_version: self.version.get_untracked(),
            document: Some(self.ctx.doc.get_untracked()),
            html: None,
            autosave,
        };
        self.saving.set(true);
        leptos::task::spawn_local(async move {
            let result = save_template(request).await;
            self.finish(revision, autosave, result);
        });
    }

    /// Takes in the server's answer to the save of `revision`.
    fn finish(self, revision: u64, autosave: bool, result: Result<SaveOutcome, ApiError>) {
        if self.saving.try_set(false).is_some() {
            return; // the editor is gone (`try_set` hands the value back)
        }
        match result {
            Ok(outcome) => {
                self.version.set(outcome.version);
                self.error.set(None);
                self.ctx.saved_revision.update(|saved| *saved = (*saved).max(revision));
            }
            Err(ApiError::Conflict(_)) => {
                self.clear_timer();
                self.queued.set_value(None);
                self.conflict.set(true);
                self.toasts.error(CONFLICT_MESSAGE);
                return;
            }
            Err(e) => {
                if !autosave || matches!(e, ApiError::Unauthorized) {
                    self.toasts.report(&e);
                }
                self.error.set(Some(e.to_string()));
            }
        }
        match self.queued.try_update_value(Option::take).flatten() {
            Some(queued_autosave) => self.save(queued_autosave),
            None => {
                // Changes made while this save was on its way get their own timer.
                if self.ctx.revision.get_untracked() != self.ctx.saved_revision.get_untracked() {
                    self.schedule();
                }
            }
        }
    }

    /// The editor is being left (another page, another template): stop the timer and send
    /// pending changes one last time, without waiting for the answer.
    #[cfg(feature = "hydrate")]
    fn leave(self) {
        self.clear_timer();
        if !self.has_unsaved_changes()
            || self.conflict.try_get_untracked() != Some(false)
            || self.saving.try_get_untracked() != Some(false)
        {
            return;
        }
        let (Some(doc), Some(expected_version)) = (self.ctx.doc.try_get_untracked(), self.version.try_get_untracked())
        else {
            return;
        };
        let request = SaveRequest {
            template_id: self.template_id,
            expected_version,
            document: Some(doc),
            html: None,
            autosave: true,
        };
        leptos::task::spawn_local(async move {
            let _ = save_template(request).await;
        });
    }
}
