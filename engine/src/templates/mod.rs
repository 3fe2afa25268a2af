//! Templates and the image library: the designs campaigns start from, edited in the
//! drag-and-drop editor (a `model::email::Document`) or the code editor (HTML), each save
//! kept as a numbered version with optimistic concurrency between editors, and the pictures
//! those designs show, stored as files under the data directory.

pub mod content;
pub mod error;
pub mod history;
pub mod image_header;
pub mod media;
pub mod names;
pub mod store;

use std::path::PathBuf;

pub use content::Content;
pub use error::TemplateError;
pub use history::MAX_VERSIONS;
pub use media::{MAX_MEDIA_BYTES, Media};
pub use store::Templates;

/// Shorthand for this module's results.
pub type Result<T, E = TemplateError> = std::result::Result<T, E>;

/// The template services over one pool, as the admin API and the server use them.
#[derive(Clone, Debug)]
pub struct TemplateLibrary {
    pub templates: Templates,
    pub media: Media,
}

impl TemplateLibrary {
    /// `media_dir` (`<data dir>/media`) holds the uploaded images the server serves at
    /// `/media/<stored name>`.
    pub fn new(pool: sqlx::PgPool, media_dir: PathBuf) -> Self {
        Self { templates: Templates::new(pool.clone()), media: Media::new(pool, media_dir) }
    }
}
