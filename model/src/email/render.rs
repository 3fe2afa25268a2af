//! Document → HTML and plain text, once per template; then per recipient only merging.
//!
//! [`compile`] does the expensive part once: MJML is written ([`super::mjml`]), parsed and
//! rendered by mrml, and both the HTML and the plain text become merge [`Template`]s.
//! [`Compiled::render_for`] then only copies text and inserts escaped values — no MJML, no
//! parsing — which is what makes sending to a large list cheap.
//!
//! What is inlined: mrml writes every MJML attribute (the `mj-attributes` defaults such as
//! font family, text colour, font size and line height, plus each block's padding, colours
//! and alignment) as inline `style` attributes on the generated tables; this crate writes
//! inline styles for links, paragraphs, lists and headings itself. Only the hide-on-mobile
//! and hide-on-desktop classes, mrml's responsive column classes and the dark-mode colours
//! live in `<style>` blocks (media queries cannot be inlined), so a client that strips
//! `<style>` still gets a correctly styled, single-column email.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::validate::MAX_BLOCKS;
use super::{Document, Escape, MergeError, Template, mjml, text};

/// Deepest nesting rendered (the layout rule allows 2; deeper documents are refused rather
/// than risking deep recursion on hostile input).
pub const MAX_RENDER_DEPTH: usize = 16;

/// Why a document could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RenderError {
    /// A text has a broken merge tag; `block_id` is `None` for document settings.
    #[error("merge tag error in {field}: {source}")]
    Merge { block_id: Option<String>, field: String, source: MergeError },
    #[error("the document has {count} blocks, at most {max} can be rendered")]
    TooManyBlocks { count: usize, max: usize },
    #[error("blocks are nested {depth} levels deep, at most {max} can be rendered")]
    TooDeep { depth: usize, max: usize },
    /// mrml refused the generated MJML: a bug in this crate, reported rather than hidden.
    #[error("the generated MJML could not be parsed: {message}")]
    MjmlParse { message: String },
    #[error("the MJML could not be rendered: {message}")]
    MjmlRender { message: String },
}

/// A document ready to be merged for each recipient.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    html: Template,
    text: Template,
}

/// One recipient's message bodies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedMessage {
    pub html: String,
    pub text: String,
}

/// Renders `doc` to HTML (through MJML and mrml) and plain text, as merge templates.
pub fn compile(doc: &Document) -> Result<Compiled, RenderError> {
    let count = doc.block_count();
    if count > MAX_BLOCKS {
        return Err(RenderError::TooManyBlocks { count, max: MAX_BLOCKS });
    }
    let depth = doc.max_depth();
    if depth > MAX_RENDER_DEPTH {
        return Err(RenderError::TooDeep { depth, max: MAX_RENDER_DEPTH });
    }
    let source = mjml::to_mjml(doc)?;
    let html = mjml_to_html(source.as_str())?;
    Ok(Compiled { html: source.splice(&html), text: text::plain_text(doc)? })
}

/// An HTML template (the code editor's content) as a [`Compiled`], its plain-text part
/// derived from the HTML, so campaigns send both kinds the same way.
pub fn compile_html(html: &str) -> Result<Compiled, MergeError> {
    let text = super::html_text::html_to_text(html);
    Ok(Compiled { html: Template::parse(html)?, text: Template::parse(text.trim())? })
}

/// mrml with the options this product needs: no comments, and no web-font links (the
/// font stacks are web-safe; fetching Google Fonts would leak every open to a third party).
fn mjml_to_html(mjml: &str) -> Result<String, RenderError> {
    let parsed = mrml::parse(mjml).map_err(|e| RenderError::MjmlParse { message: e.to_string() })?;
    let options = mrml::prelude::render::RenderOptions {
        disable_comments: true,
        fonts: HashMap::new(),
        ..mrml::prelude::render::RenderOptions::default()
    };
    parsed.element.render(&options).map_err(|e| RenderError::MjmlRender { message: e.to_string() })
}

impl Compiled {
    /// Both bodies for one recipient; `lookup` gives a field's value (`None` when unknown).
    pub fn render_for(&self, lookup: &dyn Fn(&str) -> Option<String>) -> RenderedMessage {
        RenderedMessage { html: self.html.render(lookup, Escape::Html), text: self.text.render(lookup, Escape::None) }
    }

    /// The HTML template (for link rewriting and tracking before sending).
    pub fn html(&self) -> &Template {
        &self.html
    }

    /// The plain-text template.
    pub fn text(&self) -> &Template {
        &self.text
    }

    /// The HTML with merge tags written out, as the linter and the "view source" dialog see it.
    pub fn html_source(&self) -> String {
        self.html.to_source()
    }

    /// Every merge field either body uses, each once (for the "missing fields" check).
    pub fn merge_names(&self) -> Vec<&str> {
        let mut names = self.html.names();
        for name in self.text.names() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}
