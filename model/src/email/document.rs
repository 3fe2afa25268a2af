//! The email document: what the drag-and-drop editor edits, what templates and campaigns
//! store (as JSON), and what [`compile`](super::compile) turns into HTML and plain text.
//!
//! Layout rule (checked by [`Document::validate`](super::validate)): a document is a list of
//! blocks; a `Section` may only stand at the top level; `Columns` may stand at the top level
//! or directly inside a section; a column holds content blocks only (no sections, no further
//! columns). That is exactly what MJML can lay out (`mj-wrapper` › `mj-section` › `mj-column`
//! › content), so every valid document renders without surprises in Outlook too.

use serde::{Deserialize, Serialize};

use super::{Block, BlockKind, RichText};

/// Width of the email body when nothing else is chosen: the width every client handles.
pub const DEFAULT_WIDTH: u32 = 600;
/// A font stack that every mail client has, so no web font is ever fetched.
pub const DEFAULT_FONT_FAMILY: &str = "Helvetica, Arial, sans-serif";

/// A whole newsletter or template.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    #[serde(default)]
    pub settings: DocumentSettings,
    pub blocks: Vec<Block>,
}

/// Document-wide looks; each block may override its own background.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentSettings {
    /// Width of the content column in px (320–900).
    pub width: u32,
    /// Colour around the content.
    pub background_color: String,
    /// Colour behind the content column.
    pub content_background_color: String,
    pub font_family: String,
    pub text_color: String,
    pub link_color: String,
    /// The hidden line most inboxes show after the subject.
    pub preheader: String,
    /// Colours for clients in dark mode; `None` leaves dark mode to the client.
    pub dark_mode: Option<DarkModeColors>,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        DocumentSettings {
            width: DEFAULT_WIDTH,
            background_color: "#f4f4f5".to_owned(),
            content_background_color: "#ffffff".to_owned(),
            font_family: DEFAULT_FONT_FAMILY.to_owned(),
            text_color: "#1f2937".to_owned(),
            link_color: "#2563eb".to_owned(),
            preheader: String::new(),
            dark_mode: None,
        }
    }
}

/// The colours used by clients that honour `prefers-color-scheme: dark` (Apple Mail,
/// Outlook for Mac, some webmails); the others pick their own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DarkModeColors {
    pub background: String,
    pub text: String,
    pub link: String,
}

impl Default for DarkModeColors {
    fn default() -> Self {
        DarkModeColors { background: "#111827".to_owned(), text: "#e5e7eb".to_owned(), link: "#93c5fd".to_owned() }
    }
}

impl Document {
    /// What "new email" starts with: default settings and a footer, which every email needs.
    pub fn blank() -> Self {
        Document {
            settings: DocumentSettings::default(),
            blocks: vec![Block::new(
                "footer",
                BlockKind::Footer { text: RichText::default(), postal_address: String::new() },
            )],
        }
    }

    /// Every block with its nesting depth (0 = top level), parents before children. Walks
    /// with an explicit stack, so even absurdly deep documents cannot overflow the stack.
    pub fn walk(&self) -> Walk<'_> {
        Walk { stack: vec![(0, self.blocks.iter().collect::<Vec<_>>().into_iter())] }
    }

    /// How many blocks the document has, containers included.
    pub fn block_count(&self) -> usize {
        self.walk().count()
    }

    /// The deepest nesting level (0 when every block is top level).
    pub fn max_depth(&self) -> usize {
        self.walk().map(|(depth, _)| depth).max().unwrap_or(0)
    }

    /// The block with `id`, wherever it is.
    pub fn find(&self, id: &str) -> Option<&Block> {
        self.walk().map(|(_, b)| b).find(|b| b.id == id)
    }

    /// The block with `id`, for editing in place.
    pub fn find_mut(&mut self, id: &str) -> Option<&mut Block> {
        let mut stack: Vec<&mut Block> = self.blocks.iter_mut().collect();
        while let Some(block) = stack.pop() {
            if block.id == id {
                return Some(block);
            }
            match &mut block.kind {
                BlockKind::Section { blocks } => stack.extend(blocks.iter_mut()),
                BlockKind::Columns { columns, .. } => {
                    stack.extend(columns.iter_mut().flat_map(|c| c.blocks.iter_mut()))
                }
                _ => {}
            }
        }
        None
    }
}

/// Iterator of [`Document::walk`].
pub struct Walk<'a> {
    stack: Vec<(usize, std::vec::IntoIter<&'a Block>)>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = (usize, &'a Block);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (depth, iter) = self.stack.last_mut()?;
            let depth = *depth;
            match iter.next() {
                Some(block) => {
                    let children = block.children();
                    if !children.is_empty() {
                        self.stack.push((depth + 1, children.into_iter()));
                    }
                    return Some((depth, block));
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{Alignment, BlockStyle, Column, Padding};

    fn text(id: &str) -> Block {
        Block::new(id, BlockKind::Text { text: RichText::plain(id) })
    }

    fn nested() -> Document {
        Document {
            settings: DocumentSettings::default(),
            blocks: vec![
                text("intro"),
                Block::new(
                    "band",
                    BlockKind::Section {
                        blocks: vec![Block::new(
                            "cols",
                            BlockKind::Columns {
                                columns: vec![
                                    Column { width_percent: Some(40), blocks: vec![text("left")] },
                                    Column { width_percent: None, blocks: vec![text("right"), text("right2")] },
                                ],
                                stack_on_mobile: true,
                            },
                        )],
                    },
                ),
            ],
        }
    }

    #[test]
    fn walking_visits_every_block_parents_first() {
        let doc = nested();
        let order: Vec<(usize, &str)> = doc.walk().map(|(d, b)| (d, b.id.as_str())).collect();
        assert_eq!(order, vec![(0, "intro"), (0, "band"), (1, "cols"), (2, "left"), (2, "right"), (2, "right2")]);
        assert_eq!(doc.block_count(), 6);
        assert_eq!(doc.max_depth(), 2);
    }

    #[test]
    fn blocks_are_found_at_any_depth() {
        let mut doc = nested();
        assert!(doc.find("right2").is_some());
        assert!(doc.find("nope").is_none());
        doc.find_mut("left").unwrap().style.hide_on_mobile = true;
        assert!(doc.find("left").unwrap().style.hide_on_mobile);
    }

    #[test]
    fn documents_round_trip_through_json_with_tagged_kinds() {
        let doc = nested();
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["blocks"][1]["kind"]["type"], "section");
        assert_eq!(json["blocks"][1]["kind"]["blocks"][0]["kind"]["type"], "columns");
        let back: Document = serde_json::from_value(json).unwrap();
        assert_eq!(back, doc);
        let minimal: Document =
            serde_json::from_str(r#"{"blocks":[{"id":"s","kind":{"type":"spacer","height":12}}]}"#).unwrap();
        assert_eq!(minimal.settings.width, DEFAULT_WIDTH);
        assert_eq!(minimal.blocks[0].style, BlockStyle::default());
    }

    #[test]
    fn blank_documents_start_with_a_footer() {
        let doc = Document::blank();
        assert!(matches!(doc.blocks[0].kind, BlockKind::Footer { .. }));
        assert_eq!(BlockStyle::for_kind(&doc.blocks[0].kind).align, Alignment::Center);
        assert_eq!(Padding::symmetric(10, 25).css(), "10px 25px 10px 25px");
    }
}
