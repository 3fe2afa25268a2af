//! What is wrong with a document, as a list the editor shows beside the blocks and the
//! campaign page checks before sending. Rendering does not need a valid document (the
//! preview works while someone is still editing); sending does.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::escape::is_css_color;
use super::{Block, BlockKind, Document, RichText, Template};

/// Most blocks in one document: far beyond any sensible newsletter, and a bound on the
/// work one save can cause.
pub const MAX_BLOCKS: usize = 500;
/// Narrowest and widest content width accepted, in px.
pub const WIDTH_RANGE: std::ops::RangeInclusive<u32> = 320..=900;
/// Deepest nesting the validator descends into (the layout rule allows 2).
const DEPTH_GUARD: usize = 16;

/// One problem, with the block it concerns where there is one.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    #[error("a columns block needs 2 to 4 columns, this one has {count}")]
    ColumnCount { block_id: String, count: usize },
    #[error("column widths add up to {total}%, more than 100%")]
    ColumnWidths { block_id: String, total: u32 },
    #[error("the image needs alt text for people who do not load images")]
    MissingAlt { block_id: String },
    #[error("the image has no source")]
    MissingImageSource { block_id: String },
    #[error("heading level {level} is not between 1 and 3")]
    HeadingLevel { block_id: String, level: u8 },
    #[error("the button has no link")]
    EmptyButtonHref { block_id: String },
    #[error("a section can only be placed at the top level")]
    NestedSection { block_id: String },
    #[error("columns can only be placed at the top level or directly inside a section")]
    NestedColumns { block_id: String },
    #[error("the document has {count} blocks, at most {max} are allowed")]
    TooManyBlocks { count: usize, max: usize },
    #[error("two blocks share the id {block_id:?}")]
    DuplicateId { block_id: String },
    #[error("{value:?} is not a colour")]
    InvalidColor { block_id: Option<String>, value: String },
    #[error("the width {width}px is outside 320–900px")]
    WidthOutOfRange { width: u32 },
    #[error("the footer needs the sender's postal address")]
    MissingPostalAddress { block_id: String },
    #[error("the email needs a footer block (it carries the unsubscribe link)")]
    MissingFooter,
    #[error("merge tag error in {field}: {message}")]
    MergeSyntax { block_id: Option<String>, field: String, message: String },
}

impl Problem {
    /// The block to highlight in the editor, if the problem belongs to one.
    pub fn block_id(&self) -> Option<&str> {
        match self {
            Self::ColumnCount { block_id, .. }
            | Self::ColumnWidths { block_id, .. }
            | Self::MissingAlt { block_id }
            | Self::MissingImageSource { block_id }
            | Self::HeadingLevel { block_id, .. }
            | Self::EmptyButtonHref { block_id }
            | Self::NestedSection { block_id }
            | Self::NestedColumns { block_id }
            | Self::DuplicateId { block_id }
            | Self::MissingPostalAddress { block_id } => Some(block_id),
            Self::InvalidColor { block_id, .. } | Self::MergeSyntax { block_id, .. } => block_id.as_deref(),
            Self::TooManyBlocks { .. } | Self::WidthOutOfRange { .. } | Self::MissingFooter => None,
        }
    }
}

/// Where a block sits, for the layout rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    InSection,
    InColumn,
}

impl Document {
    /// Every problem of the document; empty means it can be sent.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let count = self.block_count();
        if count > MAX_BLOCKS {
            problems.push(Problem::TooManyBlocks { count, max: MAX_BLOCKS });
        }
        let s = &self.settings;
        if !WIDTH_RANGE.contains(&s.width) {
            problems.push(Problem::WidthOutOfRange { width: s.width });
        }
        let mut colors = vec![&s.background_color, &s.content_background_color, &s.text_color, &s.link_color];
        if let Some(dark) = &s.dark_mode {
            colors.extend([&dark.background, &dark.text, &dark.link]);
        }
        for value in colors {
            check_color(&mut problems, None, value);
        }
        check_merge(&mut problems, None, "preheader", &s.preheader);

        let mut seen = HashSet::new();
        for (_, block) in self.walk() {
            if !seen.insert(block.id.as_str()) {
                problems.push(Problem::DuplicateId { block_id: block.id.clone() });
            }
        }
        for block in &self.blocks {
            check_block(&mut problems, block, Place::Top, 0);
        }
        if !self.walk().any(|(_, b)| matches!(b.kind, BlockKind::Footer { .. })) {
            problems.push(Problem::MissingFooter);
        }
        problems
    }
}

fn check_color(problems: &mut Vec<Problem>, block_id: Option<&str>, value: &str) {
    if !is_css_color(value) {
        problems.push(Problem::InvalidColor { block_id: block_id.map(str::to_owned), value: value.to_owned() });
    }
}

fn check_merge(problems: &mut Vec<Problem>, block_id: Option<&str>, field: &str, text: &str) {
    if let Err(e) = Template::parse(text) {
        problems.push(Problem::MergeSyntax {
            block_id: block_id.map(str::to_owned),
            field: field.to_owned(),
            message: e.to_string(),
        });
    }
}

fn check_rich_text(problems: &mut Vec<Problem>, id: &str, text: &RichText) {
    for run in text.runs() {
        check_merge(problems, Some(id), "text", &run.text);
        if let Some(link) = &run.link {
            check_merge(problems, Some(id), "link", link);
        }
    }
}

fn check_block(problems: &mut Vec<Problem>, block: &Block, place: Place, depth: usize) {
    if depth > DEPTH_GUARD {
        return;
    }
    let id = block.id.as_str();
    if let Some(bg) = &block.style.background_color {
        check_color(problems, Some(id), bg);
    }
    match &block.kind {
        BlockKind::Section { blocks } => {
            if place != Place::Top {
                problems.push(Problem::NestedSection { block_id: id.to_owned() });
            }
            for child in blocks {
                check_block(problems, child, Place::InSection, depth + 1);
            }
        }
        BlockKind::Columns { columns, .. } => {
            if place == Place::InColumn {
                problems.push(Problem::NestedColumns { block_id: id.to_owned() });
            }
            if !(2..=4).contains(&columns.len()) {
                problems.push(Problem::ColumnCount { block_id: id.to_owned(), count: columns.len() });
            }
            let total: u32 = columns.iter().filter_map(|c| c.width_percent).map(u32::from).sum();
            if total > 100 {
                problems.push(Problem::ColumnWidths { block_id: id.to_owned(), total });
            }
            for child in columns.iter().flat_map(|c| c.blocks.iter()) {
                check_block(problems, child, Place::InColumn, depth + 1);
            }
        }
        BlockKind::Heading { level, text } => {
            if !(1..=3).contains(level) {
                problems.push(Problem::HeadingLevel { block_id: id.to_owned(), level: *level });
            }
            check_rich_text(problems, id, text);
        }
        BlockKind::Text { text } => check_rich_text(problems, id, text),
        BlockKind::Image { src, alt, href, .. } => {
            if src.trim().is_empty() {
                problems.push(Problem::MissingImageSource { block_id: id.to_owned() });
            }
            if alt.trim().is_empty() {
                problems.push(Problem::MissingAlt { block_id: id.to_owned() });
            }
            check_merge(problems, Some(id), "src", src);
            check_merge(problems, Some(id), "alt", alt);
            if let Some(href) = href {
                check_merge(problems, Some(id), "link", href);
            }
        }
        BlockKind::Button { label, href, background_color, text_color, .. } => {
            if href.trim().is_empty() {
                problems.push(Problem::EmptyButtonHref { block_id: id.to_owned() });
            }
            check_merge(problems, Some(id), "label", label);
            check_merge(problems, Some(id), "link", href);
            check_color(problems, Some(id), background_color);
            check_color(problems, Some(id), text_color);
        }
        BlockKind::Divider { color, .. } => check_color(problems, Some(id), color),
        BlockKind::Spacer { .. } => {}
        BlockKind::Social { links } => {
            for link in links {
                check_merge(problems, Some(id), "link", &link.url);
            }
        }
        BlockKind::Menu { links } => {
            for link in links {
                check_merge(problems, Some(id), "label", &link.label);
                check_merge(problems, Some(id), "link", &link.href);
            }
        }
        BlockKind::RawHtml { html } => check_merge(problems, Some(id), "html", html),
        BlockKind::Footer { text, postal_address } => {
            if postal_address.trim().is_empty() {
                problems.push(Problem::MissingPostalAddress { block_id: id.to_owned() });
            }
            check_merge(problems, Some(id), "postal address", postal_address);
            check_rich_text(problems, id, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{Column, DarkModeColors, Inline, Paragraph};

    fn footer() -> Block {
        Block::new("footer", BlockKind::Footer { text: RichText::default(), postal_address: "1 Main St".into() })
    }

    fn doc(blocks: Vec<Block>) -> Document {
        let mut blocks = blocks;
        blocks.push(footer());
        Document { settings: Default::default(), blocks }
    }

    fn text(id: &str) -> Block {
        Block::new(id, BlockKind::Text { text: RichText::plain("x") })
    }

    fn columns(id: &str, n: usize) -> Block {
        let columns =
            (0..n).map(|i| Column { width_percent: None, blocks: vec![text(&format!("{id}-{i}"))] }).collect();
        Block::new(id, BlockKind::Columns { columns, stack_on_mobile: true })
    }

    #[test]
    fn a_simple_document_has_no_problems() {
        assert_eq!(doc(vec![text("a"), columns("c", 2)]).validate(), vec![]);
    }

    #[test]
    fn column_counts_and_widths_are_checked() {
        let problems = doc(vec![columns("one", 1), columns("five", 5)]).validate();
        assert!(problems.contains(&Problem::ColumnCount { block_id: "one".into(), count: 1 }));
        assert!(problems.contains(&Problem::ColumnCount { block_id: "five".into(), count: 5 }));
        let mut wide = columns("wide", 2);
        if let BlockKind::Columns { columns, .. } = &mut wide.kind {
            columns[0].width_percent = Some(70);
            columns[1].width_percent = Some(40);
        }
        assert_eq!(doc(vec![wide]).validate(), vec![Problem::ColumnWidths { block_id: "wide".into(), total: 110 }]);
    }

    #[test]
    fn content_problems_point_at_their_block() {
        let image = Block::new(
            "img",
            BlockKind::Image { src: "https://x/y.png".into(), alt: " ".into(), href: None, width: None },
        );
        let heading = Block::new("h", BlockKind::Heading { level: 4, text: RichText::plain("Hi") });
        let button = Block::new(
            "b",
            BlockKind::Button {
                label: "Go".into(),
                href: "".into(),
                background_color: "#123456".into(),
                text_color: "white;x".into(),
                border_radius: 4,
            },
        );
        let problems = doc(vec![image, heading, button]).validate();
        assert!(problems.contains(&Problem::MissingAlt { block_id: "img".into() }));
        assert!(problems.contains(&Problem::HeadingLevel { block_id: "h".into(), level: 4 }));
        assert!(problems.contains(&Problem::EmptyButtonHref { block_id: "b".into() }));
        assert!(problems.contains(&Problem::InvalidColor { block_id: Some("b".into()), value: "white;x".into() }));
        assert_eq!(problems.iter().filter(|p| p.block_id() == Some("b")).count(), 2);
    }

    #[test]
    fn nesting_beyond_section_columns_content_is_refused() {
        let inner_section = Block::new("inner", BlockKind::Section { blocks: vec![text("t")] });
        let outer = Block::new("outer", BlockKind::Section { blocks: vec![inner_section, columns("ok", 2)] });
        let mut deep = columns("deep", 2);
        if let BlockKind::Columns { columns: cols, .. } = &mut deep.kind {
            cols[0].blocks.push(columns("nested", 2));
        }
        let problems = doc(vec![outer, deep]).validate();
        assert_eq!(
            problems,
            vec![
                Problem::NestedSection { block_id: "inner".into() },
                Problem::NestedColumns { block_id: "nested".into() }
            ]
        );
    }

    #[test]
    fn document_wide_rules_are_checked() {
        let many: Vec<Block> = (0..MAX_BLOCKS).map(|i| text(&format!("t{i}"))).collect();
        let mut d = doc(many);
        d.blocks.push(text("t0"));
        d.settings.width = 200;
        d.settings.dark_mode = Some(DarkModeColors { link: "blue!".into(), ..Default::default() });
        d.settings.preheader = "Hi {{ name".into();
        let problems = d.validate();
        assert!(problems.contains(&Problem::TooManyBlocks { count: MAX_BLOCKS + 2, max: MAX_BLOCKS }));
        assert!(problems.contains(&Problem::DuplicateId { block_id: "t0".into() }));
        assert!(problems.contains(&Problem::WidthOutOfRange { width: 200 }));
        assert!(problems.contains(&Problem::InvalidColor { block_id: None, value: "blue!".into() }));
        assert!(problems.iter().any(|p| matches!(p, Problem::MergeSyntax { field, .. } if field == "preheader")));
    }

    #[test]
    fn every_email_needs_a_footer_with_an_address() {
        let d = Document { settings: Default::default(), blocks: vec![text("a")] };
        assert_eq!(d.validate(), vec![Problem::MissingFooter]);
        let blank = Document::blank();
        assert_eq!(blank.validate(), vec![Problem::MissingPostalAddress { block_id: "footer".into() }]);
    }

    #[test]
    fn broken_merge_tags_in_links_are_reported() {
        let t = RichText::from_paragraphs(vec![Paragraph::new(vec![Inline::link("x", "{{ url | upcase }}")])]);
        let problems = doc(vec![Block::new("t", BlockKind::Text { text: t })]).validate();
        assert!(
            matches!(&problems[..], [Problem::MergeSyntax { block_id: Some(b), field, .. }] if b == "t" && field == "link")
        );
    }
}
