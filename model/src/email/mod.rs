//! The email document and its renderer: the typed block tree the drag-and-drop editor
//! edits, the merge-tag language, MJML generation, HTML (through mrml) and plain-text
//! rendering, the pre-send linter and the starter designs. Shared by the editor (wasm: live
//! preview, inline validation) and the engine (sending), so both produce the same bytes.
//!
//! Flow: [`Document`] → [`compile`] (once per template: MJML → HTML, plain text, both as
//! merge [`Template`]s) → [`Compiled::render_for`] (per recipient: only merging).

pub mod block;
pub mod document;
pub mod edit;
pub mod editable;
mod escape;
mod html_text;
pub mod links;
pub mod lint;
pub mod merge;
mod merge_syntax;
pub mod mjml;
mod mjml_blocks;
mod mjml_head;
pub mod render;
pub mod rich_text;
pub mod sample;
pub mod starters;
mod text;
pub mod validate;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod render_tests;

pub use block::{Alignment, Block, BlockKind, BlockStyle, Column, Padding};
pub use document::{DEFAULT_FONT_FAMILY, DEFAULT_WIDTH, DarkModeColors, Document, DocumentSettings, Walk};
pub use escape::is_css_color;
pub use links::{MenuLink, SocialLink, SocialNetwork};
pub use lint::{GMAIL_CLIP_BYTES, GMAIL_WARN_BYTES, LintIssue, LintKind, Severity, lint};
pub use merge::{Escape, MAX_NAME_LEN, MergeError, Piece, Template, is_field_name, push_html_escaped, push_tag_source};
pub use mjml::{HIDE_ON_DESKTOP_CLASS, HIDE_ON_MOBILE_CLASS, MjmlSource, to_mjml};
pub use render::{Compiled, MAX_RENDER_DEPTH, RenderError, RenderedMessage, compile, compile_html};
pub use rich_text::{Inline, Paragraph, ParagraphKind, RichText};
pub use sample::sample_value;
pub use starters::Starter;
pub use text::WRAP_COLUMNS;
pub use validate::{MAX_BLOCKS, Problem, WIDTH_RANGE};
