//! The plain-text alternative, written from the document (not scraped from the HTML) so it
//! reads like a letter: headings upper-cased and underlined, paragraphs wrapped at 76
//! columns, links as `text (url)`, buttons as `label: url`, images as `[alt]`, and the
//! footer with the unsubscribe URL. Spam filters and text-only readers both look at it.
//!
//! The result is built as merge pieces directly, so merge tags stay tags and nothing is
//! re-parsed. Wrapping counts a tag as the width of its default (or 8 columns): a guess,
//! since the value is only known per recipient.

use super::html_text::html_to_text;
use super::render::RenderError;
use super::{Block, BlockKind, Document, Inline, ParagraphKind, Piece, RichText, Template};

/// Width the text is wrapped to (RFC 2646 style, leaves room for quoting).
pub const WRAP_COLUMNS: usize = 76;
/// Columns a merge tag without default is assumed to take.
const TAG_WIDTH: usize = 8;

/// Writes the plain-text template of `doc`.
pub(crate) fn plain_text(doc: &Document) -> Result<Template, RenderError> {
    let mut chunks: Vec<Vec<Piece>> = Vec::new();
    for block in &doc.blocks {
        block_text(block, &mut chunks)?;
    }
    let mut pieces = Vec::new();
    for (i, chunk) in chunks.into_iter().enumerate() {
        if i > 0 {
            pieces.push(Piece::Text("\n\n".to_owned()));
        }
        pieces.extend(chunk);
    }
    pieces.push(Piece::Text("\n".to_owned()));
    Ok(Template::from_pieces(pieces))
}

/// A run of non-space characters and tags, with its estimated width.
#[derive(Default)]
struct Word {
    pieces: Vec<Piece>,
    width: usize,
}

/// Splits text into words, keeping tags glued to the characters around them.
#[derive(Default)]
struct Words {
    done: Vec<Word>,
    current: Word,
    upper: bool,
}

impl Words {
    fn upper() -> Self {
        Words { upper: true, ..Words::default() }
    }

    fn text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                self.finish();
                continue;
            }
            let word = &mut self.current;
            if !matches!(word.pieces.last(), Some(Piece::Text(_))) {
                word.pieces.push(Piece::Text(String::new()));
            }
            if let Some(Piece::Text(t)) = word.pieces.last_mut() {
                if self.upper {
                    t.extend(c.to_uppercase());
                } else {
                    t.push(c);
                }
            }
            word.width += 1;
        }
    }

    fn template(&mut self, template: Template) {
        for piece in template.into_pieces() {
            match piece {
                Piece::Text(t) => self.text(&t),
                Piece::Tag { name, default } => {
                    self.current.width += default.as_deref().map_or(TAG_WIDTH, |d| d.chars().count());
                    self.current.pieces.push(Piece::Tag { name, default });
                }
            }
        }
    }

    fn finish(&mut self) {
        if !self.current.pieces.is_empty() {
            self.done.push(std::mem::take(&mut self.current));
        }
    }

    fn into_words(mut self) -> Vec<Word> {
        self.finish();
        self.done
    }
}

/// Lays words out in lines of at most [`WRAP_COLUMNS`]; returns the pieces and the widest
/// line. `first` prefixes the first line, `rest` the following ones (list indents).
fn wrap(words: Vec<Word>, first: &str, rest: &str) -> (Vec<Piece>, usize) {
    let mut out = vec![Piece::Text(first.to_owned())];
    let mut line = first.chars().count();
    let mut widest = 0;
    let mut empty_line = true;
    for word in words {
        if !empty_line && line + 1 + word.width > WRAP_COLUMNS {
            widest = widest.max(line);
            out.push(Piece::Text(format!("\n{rest}")));
            line = rest.chars().count();
            empty_line = true;
        }
        if !empty_line {
            out.push(Piece::Text(" ".to_owned()));
            line += 1;
        }
        out.extend(word.pieces);
        line += word.width;
        empty_line = false;
    }
    (out, widest.max(line))
}

fn parse(block: &Block, field: &str, s: &str) -> Result<Template, RenderError> {
    Template::parse(s).map_err(|source| RenderError::Merge {
        block_id: Some(block.id.clone()),
        field: field.to_owned(),
        source,
    })
}

/// Feeds runs into `words`: link runs become `text (url)` unless the text is the URL.
fn runs_into(block: &Block, runs: &[Inline], words: &mut Words) -> Result<(), RenderError> {
    for run in runs {
        words.template(parse(block, "text", &run.text)?);
        if let Some(link) = run.link.as_deref().map(str::trim).filter(|l| !l.is_empty())
            && run.text.trim() != link
        {
            words.text(" (");
            words.template(parse(block, "link", link)?);
            words.text(")");
        }
    }
    Ok(())
}

/// Paragraphs separated by blank lines, list items by single newlines.
fn rich_text(block: &Block, text: &RichText) -> Result<Vec<Piece>, RenderError> {
    let mut out = Vec::new();
    let mut number = 0;
    let mut previous: Option<ParagraphKind> = None;
    for paragraph in text.paragraphs.iter().filter(|p| !p.is_blank()) {
        number =
            if paragraph.kind == ParagraphKind::Numbered && previous == Some(paragraph.kind) { number + 1 } else { 1 };
        if let Some(prev) = previous {
            let same_list = prev == paragraph.kind && prev != ParagraphKind::Plain;
            out.push(Piece::Text(if same_list { "\n" } else { "\n\n" }.to_owned()));
        }
        let (first, rest) = match paragraph.kind {
            ParagraphKind::Plain => (String::new(), String::new()),
            ParagraphKind::Bullet => ("- ".to_owned(), "  ".to_owned()),
            ParagraphKind::Numbered => {
                let label = format!("{number}. ");
                let indent = " ".repeat(label.len());
                (label, indent)
            }
        };
        let mut words = Words::default();
        runs_into(block, &paragraph.runs, &mut words)?;
        out.extend(wrap(words.into_words(), &first, &rest).0);
        previous = Some(paragraph.kind);
    }
    Ok(out)
}

/// One line `label: url` (buttons, menus, social links).
fn labelled_link(block: &Block, label: &str, url: &str) -> Result<Vec<Piece>, RenderError> {
    let mut pieces = parse(block, "label", label.trim())?.into_pieces();
    pieces.push(Piece::Text(": ".to_owned()));
    pieces.extend(parse(block, "link", url.trim())?.into_pieces());
    Ok(pieces)
}

fn block_text(block: &Block, chunks: &mut Vec<Vec<Piece>>) -> Result<(), RenderError> {
    let chunk = match &block.kind {
        BlockKind::Section { blocks } => {
            return blocks.iter().try_for_each(|b| block_text(b, chunks));
        }
        BlockKind::Columns { columns, .. } => {
            return columns.iter().flat_map(|c| c.blocks.iter()).try_for_each(|b| block_text(b, chunks));
        }
        BlockKind::Heading { level, text } => {
            let mut words = Words::upper();
            for paragraph in &text.paragraphs {
                runs_into(block, &paragraph.runs, &mut words)?;
                words.finish();
            }
            let (mut pieces, widest) = wrap(words.into_words(), "", "");
            if widest > 0 {
                let rule = if *level <= 1 { "=" } else { "-" };
                pieces.push(Piece::Text(format!("\n{}", rule.repeat(widest.min(WRAP_COLUMNS)))));
            }
            pieces
        }
        BlockKind::Text { text } => rich_text(block, text)?,
        BlockKind::Image { alt, href, .. } => {
            let mut pieces = Vec::new();
            if !alt.trim().is_empty() {
                pieces.push(Piece::Text("[".to_owned()));
                pieces.extend(parse(block, "alt", alt.trim())?.into_pieces());
                pieces.push(Piece::Text("]".to_owned()));
            }
            if let Some(href) = href.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
                pieces.push(Piece::Text(if pieces.is_empty() { "(" } else { " (" }.to_owned()));
                pieces.extend(parse(block, "link", href)?.into_pieces());
                pieces.push(Piece::Text(")".to_owned()));
            }
            pieces
        }
        BlockKind::Button { label, href, .. } => labelled_link(block, label, href)?,
        BlockKind::Divider { .. } => vec![Piece::Text("-".repeat(40))],
        BlockKind::Spacer { .. } => Vec::new(),
        BlockKind::Social { links } => {
            let mut pieces = Vec::new();
            for (i, link) in links.iter().enumerate() {
                if i > 0 {
                    pieces.push(Piece::Text("\n".to_owned()));
                }
                pieces.extend(labelled_link(block, link.network.label(), &link.url)?);
            }
            pieces
        }
        BlockKind::Menu { links } => {
            let mut pieces = Vec::new();
            for (i, link) in links.iter().enumerate() {
                if i > 0 {
                    pieces.push(Piece::Text("\n".to_owned()));
                }
                pieces.extend(labelled_link(block, &link.label, &link.href)?);
            }
            pieces
        }
        BlockKind::RawHtml { html } => {
            let text = html_to_text(html);
            let mut pieces = Vec::new();
            for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                if !pieces.is_empty() {
                    pieces.push(Piece::Text("\n\n".to_owned()));
                }
                let mut words = Words::default();
                // The raw HTML's own tags were checked already; stripping markup can only
                // join braces into something tag-like, which is then shown as written.
                match Template::parse(paragraph) {
                    Ok(template) => words.template(template),
                    Err(_) => words.text(paragraph),
                }
                pieces.extend(wrap(words.into_words(), "", "").0);
            }
            pieces
        }
        BlockKind::Footer { text, postal_address } => {
            let mut pieces = rich_text(block, text)?;
            if !postal_address.trim().is_empty() {
                if !pieces.is_empty() {
                    pieces.push(Piece::Text("\n\n".to_owned()));
                }
                pieces.extend(parse(block, "postal address", postal_address.trim())?.into_pieces());
            }
            if !pieces.is_empty() {
                pieces.push(Piece::Text("\n\n".to_owned()));
            }
            pieces.push(Piece::Text("Unsubscribe: ".to_owned()));
            pieces.push(Piece::tag("unsubscribe_url"));
            pieces
        }
    };
    if !chunk.iter().all(|p| matches!(p, Piece::Text(t) if t.trim().is_empty())) {
        chunks.push(chunk);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{Escape, Paragraph};

    fn render(blocks: Vec<Block>) -> String {
        let doc = Document { settings: Default::default(), blocks };
        plain_text(&doc).unwrap().render(&|name| (name == "first_name").then(|| "Ann".to_owned()), Escape::None)
    }

    #[test]
    fn headings_are_upper_cased_and_underlined() {
        let h1 = Block::new("h", BlockKind::Heading { level: 1, text: RichText::plain("Big news") });
        let h2 = Block::new("h2", BlockKind::Heading { level: 2, text: RichText::plain("Hi {{ first_name }}") });
        assert_eq!(render(vec![h1, h2]), "BIG NEWS\n========\n\nHI Ann\n-----------\n");
    }

    #[test]
    fn paragraphs_wrap_at_76_columns() {
        let long = "word ".repeat(40);
        let out = render(vec![Block::new("t", BlockKind::Text { text: RichText::plain(&long) })]);
        assert!(out.lines().all(|l| l.chars().count() <= WRAP_COLUMNS), "{out}");
        assert_eq!(out.lines().count(), 3);
    }

    #[test]
    fn links_lists_buttons_and_images_read_naturally() {
        let text = RichText::from_paragraphs(vec![
            Paragraph::new(vec![Inline::plain("Read "), Inline::link("the post", "https://example.com/p")]),
            Paragraph::item(ParagraphKind::Numbered, "one"),
            Paragraph::item(ParagraphKind::Numbered, "two"),
            Paragraph::item(ParagraphKind::Bullet, "dot"),
        ]);
        let button = BlockKind::Button {
            label: "Buy".into(),
            href: "https://shop.example".into(),
            background_color: "#000".into(),
            text_color: "#fff".into(),
            border_radius: 4,
        };
        let image = BlockKind::Image { src: "x".into(), alt: "Logo".into(), href: None, width: None };
        let out = render(vec![
            Block::new("t", BlockKind::Text { text }),
            Block::new("b", button),
            Block::new("i", image),
            Block::new("s", BlockKind::Spacer { height: 20 }),
        ]);
        assert_eq!(
            out,
            "Read the post (https://example.com/p)\n\n1. one\n2. two\n\n- dot\n\nBuy: https://shop.example\n\n[Logo]\n"
        );
    }

    #[test]
    fn the_footer_always_ends_with_the_unsubscribe_url() {
        let footer = Block::new(
            "f",
            BlockKind::Footer { text: RichText::plain("Sent with care"), postal_address: "1 Main St".into() },
        );
        let doc = Document { settings: Default::default(), blocks: vec![footer] };
        let t = plain_text(&doc).unwrap();
        assert_eq!(t.to_source(), "Sent with care\n\n1 Main St\n\nUnsubscribe: {{ unsubscribe_url }}\n");
    }

    #[test]
    fn raw_html_is_reduced_to_text_with_its_tags() {
        let raw = Block::new(
            "r",
            BlockKind::RawHtml { html: "<p>Hello <b>{{ first_name }}</b></p><p>Bye &amp; thanks</p>".into() },
        );
        assert_eq!(render(vec![raw]), "Hello Ann\n\nBye & thanks\n");
    }
}
