//! Templates: the library of designs campaigns start from, the "New template" dialog, and
//! the two editors (drag-and-drop blocks, and HTML code).

pub mod edit_page;
pub mod editor;
pub mod html_editor;
pub mod library;
pub mod new_dialog;
pub use library::TemplatesPage;
