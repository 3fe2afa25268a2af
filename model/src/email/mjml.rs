//! Document → MJML, the layout language mrml turns into client-proof HTML.
//!
//! **Merge tags and escaping.** Every user text is split with the merge parser first. Text
//! pieces are XML-escaped; each merge tag (and each raw-HTML block) is replaced by an inert
//! slot marker `~bm~<n>~` and kept aside. After mrml has rendered the HTML, the markers are
//! replaced by the kept tags, producing the HTML [`Template`] directly. So a tag is never
//! escaped (`{{ name | default: "a&b" }}` keeps its meaning, even inside an `href`), a value
//! is escaped exactly once (when it is merged), and no user text can forge a tag or a
//! marker (`~` in user text is always written as `&#126;`). The alternative — escaping
//! the whole text and teaching the merge parser the escaped form — would put entity
//! decoding into every recipient's render.
//!
//! **Structure.** Top-level content blocks are gathered into an `mj-section` › `mj-column`;
//! `Section` → `mj-wrapper`; `Columns` → `mj-section` with one `mj-column` each, inside an
//! `mj-group` when they must not stack on phones. Blocks nested against the layout rule are
//! flattened into the nearest column rather than refused, so the editor's preview always
//! renders; [`Document::validate`] reports them.

use super::escape::{self, SLOT_MARK, color_or};
use super::render::{MAX_RENDER_DEPTH, RenderError};
use super::{Block, BlockKind, Column, Document, DocumentSettings, Piece, Template};

/// Class that hides a block on narrow screens.
pub const HIDE_ON_MOBILE_CLASS: &str = "bm-hide-mobile";
/// Class that hides a block on wide screens.
pub const HIDE_ON_DESKTOP_CLASS: &str = "bm-hide-desktop";
/// Width below which a screen counts as mobile (mrml's default breakpoint).
pub(crate) const MOBILE_MAX_PX: u32 = 479;

/// The MJML of a document plus the pieces its slot markers stand for.
#[derive(Clone, Debug, PartialEq)]
pub struct MjmlSource {
    mjml: String,
    slots: Vec<Template>,
}

impl MjmlSource {
    /// The MJML as mrml gets it (merge tags replaced by slot markers).
    pub fn as_str(&self) -> &str {
        &self.mjml
    }

    /// The MJML with merge tags and raw HTML put back: for export and for reading.
    pub fn to_readable(&self) -> String {
        self.splice(&self.mjml).to_source()
    }

    /// Replaces the slot markers in `rendered` (mrml's output) by what they stand for.
    pub(crate) fn splice(&self, rendered: &str) -> Template {
        let mut pieces = Vec::new();
        let mut rest = rendered;
        while let Some(at) = rest.find(SLOT_MARK) {
            let after = &rest[at + SLOT_MARK.len()..];
            let digits = after.bytes().take_while(|b| b.is_ascii_digit()).count();
            let index = after[..digits].parse::<usize>().ok().filter(|i| *i < self.slots.len());
            match (index, after.as_bytes().get(digits)) {
                (Some(i), Some(b'~')) => {
                    pieces.push(Piece::Text(rest[..at].to_owned()));
                    pieces.extend(self.slots[i].pieces().iter().cloned());
                    rest = &after[digits + 1..];
                }
                _ => {
                    pieces.push(Piece::Text(rest[..at + SLOT_MARK.len()].to_owned()));
                    rest = after;
                }
            }
        }
        pieces.push(Piece::Text(rest.to_owned()));
        Template::from_pieces(pieces)
    }
}

/// Writes the MJML of `doc`. Fails on merge-tag syntax errors in user text, and on nesting
/// deeper than [`MAX_RENDER_DEPTH`] (the writer recurses).
pub fn to_mjml(doc: &Document) -> Result<MjmlSource, RenderError> {
    let depth = doc.max_depth();
    if depth > MAX_RENDER_DEPTH {
        return Err(RenderError::TooDeep { depth, max: MAX_RENDER_DEPTH });
    }
    let mut w = Writer::new(&doc.settings);
    w.raw("<mjml><mj-head>");
    w.head()?;
    w.raw("</mj-head><mj-body");
    w.attr_plain("width", &format!("{}px", doc.settings.width.clamp(320, 1200)));
    w.attr_plain("background-color", color_or(&doc.settings.background_color, "#f4f4f5"));
    w.attr_plain("css-class", "bm-body");
    w.raw(">");
    w.flow(&doc.blocks, false)?;
    w.raw("</mj-body></mjml>");
    Ok(MjmlSource { mjml: w.out, slots: w.slots })
}

/// Accumulates MJML and slots; knows which block it is in for error messages.
pub(crate) struct Writer<'d> {
    pub(crate) out: String,
    slots: Vec<Template>,
    pub(crate) settings: &'d DocumentSettings,
    block_id: Option<String>,
}

impl<'d> Writer<'d> {
    fn new(settings: &'d DocumentSettings) -> Self {
        Writer { out: String::with_capacity(8 * 1024), slots: Vec::new(), settings, block_id: None }
    }

    /// Trusted markup written by this module.
    pub(crate) fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Remembers the block being written, so merge errors can name it.
    pub(crate) fn enter(&mut self, block: &Block) {
        self.block_id = Some(block.id.clone());
    }

    fn parse(&self, field: &str, s: &str) -> Result<Template, RenderError> {
        Template::parse(s).map_err(|source| RenderError::Merge {
            block_id: self.block_id.clone(),
            field: field.to_owned(),
            source,
        })
    }

    /// Writes a marker for `template`, spliced back after rendering.
    pub(crate) fn slot(&mut self, template: Template) {
        self.out.push_str(SLOT_MARK);
        self.out.push_str(&self.slots.len().to_string());
        self.out.push('~');
        self.slots.push(template);
    }

    /// User text as element content; `breaks` turns newlines into `<br />`.
    pub(crate) fn text(&mut self, field: &str, s: &str, breaks: bool) -> Result<(), RenderError> {
        for piece in self.parse(field, s)?.into_pieces() {
            match piece {
                Piece::Text(t) if breaks => {
                    for (i, line) in t.split('\n').enumerate() {
                        if i > 0 {
                            self.out.push_str("<br />");
                        }
                        escape::push_text(&mut self.out, line);
                    }
                }
                Piece::Text(t) => escape::push_text(&mut self.out, &t),
                tag => self.slot(Template::from_pieces([tag])),
            }
        }
        Ok(())
    }

    /// ` name="value"` with a user value (merge tags allowed).
    pub(crate) fn attr(&mut self, name: &str, field: &str, value: &str) -> Result<(), RenderError> {
        let template = self.parse(field, value.trim())?;
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        for piece in template.into_pieces() {
            match piece {
                Piece::Text(t) => escape::push_attr(&mut self.out, &t),
                tag => self.slot(Template::from_pieces([tag])),
            }
        }
        self.out.push('"');
        Ok(())
    }

    /// ` name="value"` with a value made here (numbers, checked colours, class names).
    pub(crate) fn attr_plain(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape::push_attr(&mut self.out, value);
        self.out.push('"');
    }

    /// A sequence of blocks at the top level (`in_wrapper` false) or inside a section.
    fn flow(&mut self, blocks: &[Block], in_wrapper: bool) -> Result<(), RenderError> {
        let mut run: Vec<&Block> = Vec::new();
        for block in blocks {
            match &block.kind {
                BlockKind::Columns { columns, stack_on_mobile } => {
                    self.content_section(&run, in_wrapper)?;
                    run.clear();
                    self.columns(block, columns, *stack_on_mobile, in_wrapper)?;
                }
                BlockKind::Section { blocks: inner } => {
                    self.content_section(&run, in_wrapper)?;
                    run.clear();
                    if in_wrapper {
                        self.flow(inner, true)?;
                    } else {
                        self.wrapper(block, inner)?;
                    }
                }
                _ => run.push(block),
            }
        }
        self.content_section(&run, in_wrapper)
    }

    /// Consecutive content blocks share one section and column (less HTML than one each).
    fn content_section(&mut self, run: &[&Block], in_wrapper: bool) -> Result<(), RenderError> {
        if run.is_empty() {
            return Ok(());
        }
        let settings = self.settings;
        self.raw("<mj-section padding=\"0px\"");
        if !in_wrapper {
            self.attr_plain("css-class", "bm-content");
            self.attr_plain("background-color", color_or(&settings.content_background_color, "#ffffff"));
        }
        self.raw("><mj-column>");
        for block in run {
            self.in_column(block)?;
        }
        self.raw("</mj-column></mj-section>");
        Ok(())
    }

    /// ` css-class`, ` background-color` and ` padding` of a section or wrapper.
    fn band_attributes(&mut self, block: &Block, in_wrapper: bool) {
        let settings = self.settings;
        let own = block.style.background_color.as_deref().filter(|c| escape::is_css_color(c));
        let mut classes = hide_classes(block);
        if own.is_none() && !in_wrapper {
            classes.insert(0, "bm-content");
        }
        if !classes.is_empty() {
            self.attr_plain("css-class", &classes.join(" "));
        }
        match own {
            Some(color) => self.attr_plain("background-color", color),
            None if !in_wrapper => {
                self.attr_plain("background-color", color_or(&settings.content_background_color, "#ffffff"));
            }
            None => {}
        }
        self.attr_plain("padding", &block.style.padding.css());
    }

    fn wrapper(&mut self, block: &Block, inner: &[Block]) -> Result<(), RenderError> {
        self.raw("<mj-wrapper");
        self.band_attributes(block, false);
        self.raw(">");
        self.flow(inner, true)?;
        self.raw("</mj-wrapper>");
        Ok(())
    }

    fn columns(&mut self, block: &Block, columns: &[Column], stack: bool, in_wrapper: bool) -> Result<(), RenderError> {
        self.raw("<mj-section");
        self.band_attributes(block, in_wrapper);
        self.raw(if stack { ">" } else { "><mj-group>" });
        for (column, width) in columns.iter().zip(column_widths(columns)) {
            self.raw("<mj-column");
            if let Some(width) = width {
                self.attr_plain("width", &width);
            }
            self.raw(">");
            for child in &column.blocks {
                self.in_column(child)?;
            }
            self.raw("</mj-column>");
        }
        self.raw(if stack { "</mj-section>" } else { "</mj-group></mj-section>" });
        Ok(())
    }

    /// A block inside a column; containers found here are flattened.
    fn in_column(&mut self, block: &Block) -> Result<(), RenderError> {
        match &block.kind {
            BlockKind::Section { blocks } => blocks.iter().try_for_each(|b| self.in_column(b)),
            BlockKind::Columns { columns, .. } => {
                columns.iter().flat_map(|c| c.blocks.iter()).try_for_each(|b| self.in_column(b))
            }
            _ => {
                self.enter(block);
                self.content(block)
            }
        }
    }
}

/// The hide classes a block asks for.
pub(crate) fn hide_classes(block: &Block) -> Vec<&'static str> {
    let mut classes = Vec::new();
    if block.style.hide_on_mobile {
        classes.push(HIDE_ON_MOBILE_CLASS);
    }
    if block.style.hide_on_desktop {
        classes.push(HIDE_ON_DESKTOP_CLASS);
    }
    classes
}

/// Column widths as MJML wants them: given percentages kept, the rest of the row split
/// evenly between columns without one; `None` everywhere lets mrml split evenly itself.
fn column_widths(columns: &[Column]) -> Vec<Option<String>> {
    let given: Vec<Option<u32>> =
        columns.iter().map(|c| c.width_percent.filter(|w| *w > 0).map(|w| u32::from(w.min(100)))).collect();
    if given.iter().all(Option::is_none) {
        return vec![None; columns.len()];
    }
    let used: u32 = given.iter().flatten().sum();
    let open = given.iter().filter(|w| w.is_none()).count() as u32;
    let share = if open == 0 { 0.0 } else { f64::from(100u32.saturating_sub(used)) / f64::from(open) };
    given
        .into_iter()
        .map(|w| match w {
            Some(w) => Some(format!("{w}%")),
            None if share >= 1.0 => Some(format_percent(share)),
            None => None,
        })
        .collect()
}

fn format_percent(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}%") } else { format!("{value:.2}%") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::RichText;

    fn text_block(id: &str, text: &str) -> Block {
        Block::new(id, BlockKind::Text { text: RichText::plain(text) })
    }

    fn doc(blocks: Vec<Block>) -> Document {
        Document { settings: DocumentSettings::default(), blocks }
    }

    #[test]
    fn top_level_content_is_wrapped_and_sections_become_wrappers() {
        let section = Block::new("s", BlockKind::Section { blocks: vec![text_block("in", "inside")] })
            .with_style(|s| s.background_color = Some("#eeeeee".into()));
        let m = to_mjml(&doc(vec![text_block("a", "one"), text_block("b", "two"), section])).unwrap().to_readable();
        assert_eq!(m.matches("<mj-section").count(), 2, "{m}");
        assert!(
            m.contains("<mj-section padding=\"0px\" css-class=\"bm-content\" background-color=\"#ffffff\"><mj-column>")
        );
        assert!(m.contains("<mj-wrapper background-color=\"#eeeeee\" padding=\"0px 0px 0px 0px\"><mj-section padding=\"0px\"><mj-column>"));
    }

    #[test]
    fn column_widths_fill_what_is_left() {
        let col = |w| Column { width_percent: w, blocks: vec![] };
        assert_eq!(column_widths(&[col(None), col(None)]), vec![None::<String>, None]);
        assert_eq!(
            column_widths(&[col(Some(50)), col(None), col(None)]),
            vec![Some("50%".to_owned()), Some("25%".to_owned()), Some("25%".to_owned())]
        );
        assert_eq!(column_widths(&[col(Some(40)), col(None), col(None), col(None)])[1], Some("20%".to_owned()));
        assert_eq!(column_widths(&[col(Some(10)), col(None), col(None)])[2], Some("45%".to_owned()));
        assert_eq!(column_widths(&[col(Some(100)), col(None)])[1], None::<String>);
        assert_eq!(format_percent(100.0 / 3.0), "33.33%");
    }

    #[test]
    fn user_text_cannot_forge_markup_or_slots() {
        let m = to_mjml(&doc(vec![text_block("t", "</mj-text><mj-raw>~bm~0~ & {{ a | default: \"<b>\" }}")])).unwrap();
        assert!(
            m.as_str().contains("&lt;/mj-text&gt;&lt;mj-raw&gt;&#126;bm&#126;0&#126; &amp; ~bm~0~"),
            "{}",
            m.as_str()
        );
        assert_eq!(m.slots.len(), 1);
        assert!(m.to_readable().contains("{{ a | default: \"<b>\" }}"));
    }

    #[test]
    fn splicing_ignores_markers_that_are_not_slots() {
        let src = MjmlSource { mjml: String::new(), slots: vec![Template::parse("{{ x }}").unwrap()] };
        assert_eq!(src.splice("a~bm~0~b~bm~7~c~bm~").to_source(), "a{{ x }}b~bm~7~c~bm~");
    }

    #[test]
    fn merge_errors_name_the_block_and_field() {
        let err = to_mjml(&doc(vec![text_block("oops", "Hi {{ name")])).unwrap_err();
        assert!(
            matches!(err, RenderError::Merge { block_id: Some(ref id), ref field, .. } if id == "oops" && field == "text")
        );
    }
}
