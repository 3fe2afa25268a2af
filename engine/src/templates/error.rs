//! Why a change to a template or to the image library was refused, phrased for the admin
//! who made it.

use thiserror::Error;

/// Every refusal names what was wrong; nothing is written when one is returned.
#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("no template #{0}")]
    NotFound(i64),
    #[error("template #{id} has no version {version} (it may have been pruned)")]
    VersionNotFound { id: i64, version: i32 },
    #[error("a template named {0:?} already exists")]
    NameTaken(String),
    #[error("a template needs a name of 1 to 120 characters")]
    Name,
    #[error("the subject hint may be at most 200 characters")]
    SubjectHint,
    /// Another tab or admin saved after this editor loaded the template.
    #[error(
        "this template was saved elsewhere (now version {current}, you edited version {expected}); \
         reload it to see those changes before saving yours"
    )]
    VersionConflict { expected: i32, current: i32 },
    /// The content cannot be stored: a document that does not render, empty HTML, or
    /// content of the other editor's kind.
    #[error("the template cannot be saved: {0}")]
    Invalid(String),
    #[error("an image may be at most {} MB", .max / (1024 * 1024))]
    MediaTooLarge { max: usize },
    #[error("{0:?} is not a PNG, JPEG, GIF or WebP image")]
    MediaType(String),
    #[error("no image #{0}")]
    MediaNotFound(i64),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl TemplateError {
    /// Bad input (answered 4xx) as opposed to the server failing (5xx, logged).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Self::Database(_) | Self::Io(_))
    }

    /// Not found (answered 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound(_) | Self::VersionNotFound { .. } | Self::MediaNotFound(_))
    }

    /// A stale save (answered 409, and the editor offers to reload).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::VersionConflict { .. } | Self::NameTaken(_))
    }
}
