//! What a template holds, checked before it is stored: a document must render (so a
//! campaign made from any stored template can be sent), HTML must be non-empty and its
//! merge tags well formed (they are merged per recipient like a document's).

use model::email::{Document, RenderError, compile};
use model::templates::TemplateKind;

use super::{Result, TemplateError};

/// Largest HTML template accepted: far beyond any email (Gmail clips at 102 KB), and a bound
/// on what one save stores a hundred times over in the history.
pub const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;

/// Content of one kind, as stored; [`Content::new`] checks it before a save.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// Boxed: a document is far larger than the HTML variant's string handle.
    Document(Box<Document>),
    Html(String),
}

impl Content {
    /// Exactly one of `document` and `html`, valid for its kind.
    pub fn new(document: Option<Document>, html: Option<String>) -> Result<Content> {
        match (document, html) {
            (Some(doc), None) => {
                compile(&doc).map_err(|e| TemplateError::Invalid(render_problem(&e)))?;
                Ok(Content::Document(Box::new(doc)))
            }
            (None, Some(html)) => {
                check_html(&html)?;
                Ok(Content::Html(html))
            }
            (Some(_), Some(_)) => Err(TemplateError::Invalid("send either a document or HTML, not both".into())),
            (None, None) => Err(TemplateError::Invalid("there is no content to save".into())),
        }
    }

    /// Fails unless this content belongs to a template of `kind` (the editor of one kind
    /// cannot open the other's content).
    pub fn require_kind(&self, kind: TemplateKind) -> Result<()> {
        if self.kind() == kind {
            return Ok(());
        }
        Err(TemplateError::Invalid(match kind {
            TemplateKind::Document => "this template is edited with the drag-and-drop editor, not as HTML".into(),
            TemplateKind::Html => "this template is edited as HTML, not with the drag-and-drop editor".into(),
        }))
    }

    /// The editor this content belongs to.
    pub fn kind(&self) -> TemplateKind {
        match self {
            Self::Document(_) => TemplateKind::Document,
            Self::Html(_) => TemplateKind::Html,
        }
    }

    /// The document, for the `document` column.
    pub fn document(&self) -> Option<&Document> {
        match self {
            Self::Document(doc) => Some(doc.as_ref()),
            Self::Html(_) => None,
        }
    }

    /// The HTML, for the `html` column.
    pub fn html(&self) -> Option<&str> {
        match self {
            Self::Document(_) => None,
            Self::Html(html) => Some(html),
        }
    }

    /// The `block_count` column: blocks of a document, NULL for HTML.
    pub fn block_count(&self) -> Option<i32> {
        self.document().and_then(|doc| i32::try_from(doc.block_count()).ok())
    }
}

/// The renderer's message, with the block it concerns when there is one.
fn render_problem(e: &RenderError) -> String {
    match e {
        RenderError::Merge { block_id: Some(id), .. } => format!("block {id:?}: {e}"),
        _ => e.to_string(),
    }
}

fn check_html(html: &str) -> Result<()> {
    if html.trim().is_empty() {
        return Err(TemplateError::Invalid("the HTML is empty".into()));
    }
    if html.len() > MAX_HTML_BYTES {
        return Err(TemplateError::Invalid(format!("the HTML is larger than {} MB", MAX_HTML_BYTES / (1024 * 1024))));
    }
    model::email::Template::parse(html)
        .map_err(|e| TemplateError::Invalid(format!("merge tag error in the HTML: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::email::{Block, BlockKind, RichText};

    fn with_text(text: &str) -> Document {
        let mut doc = Document::blank();
        doc.blocks.insert(0, Block::new("intro", BlockKind::Text { text: RichText::plain(text) }));
        doc
    }

    #[test]
    fn documents_that_render_are_accepted_with_their_block_count() {
        let content = Content::new(Some(with_text("Hi {{ first_name }}")), None).unwrap();
        assert_eq!(content.kind(), TemplateKind::Document);
        assert_eq!(content.block_count(), Some(2));
        assert!(content.require_kind(TemplateKind::Document).is_ok());
        assert!(matches!(content.require_kind(TemplateKind::Html), Err(TemplateError::Invalid(_))));
    }

    #[test]
    fn a_broken_merge_tag_names_its_block() {
        let err = Content::new(Some(with_text("Hi {{ broken")), None).unwrap_err();
        assert!(matches!(&err, TemplateError::Invalid(m) if m.contains("\"intro\"")), "{err}");
    }

    #[test]
    fn html_must_be_present_bounded_and_merge_clean() {
        let ok = Content::new(None, Some("<p>Hi {{ name }}</p>".into())).unwrap();
        assert_eq!(ok.html(), Some("<p>Hi {{ name }}</p>"));
        assert_eq!(ok.block_count(), None);
        for bad in ["  \n", "<p>{{ oops</p>"] {
            assert!(matches!(Content::new(None, Some(bad.into())), Err(TemplateError::Invalid(_))), "{bad}");
        }
        let huge = "x".repeat(MAX_HTML_BYTES + 1);
        assert!(matches!(Content::new(None, Some(huge)), Err(TemplateError::Invalid(_))));
    }

    #[test]
    fn exactly_one_kind_of_content_is_required() {
        assert!(matches!(Content::new(None, None), Err(TemplateError::Invalid(_))));
        let both = Content::new(Some(Document::blank()), Some("<p>x</p>".into()));
        assert!(matches!(both, Err(TemplateError::Invalid(_))));
    }
}
