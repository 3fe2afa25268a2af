//! MJML for the content blocks (everything that is not a section or columns), and the
//! inline HTML of rich text. Inline styles are written here for what mrml does not inline
//! itself (link colours, list and paragraph margins), because many clients drop `<style>`.

use super::escape::{self, color_or};
use super::mjml::{Writer, hide_classes};
use super::render::RenderError;
use super::{Block, BlockKind, Inline, ParagraphKind, RichText, Template};

/// Font sizes of heading levels 1–3, in px.
const HEADING_SIZES: [u32; 3] = [32, 24, 20];
/// Space between paragraphs, in px.
const PARAGRAPH_GAP: u32 = 12;

impl Writer<'_> {
    /// Writes one content block (`block` is never a container here).
    pub(crate) fn content(&mut self, block: &Block) -> Result<(), RenderError> {
        let align = block.style.align.as_str();
        match &block.kind {
            BlockKind::Heading { level, text } => {
                let level = (*level).clamp(1, 3);
                self.open("mj-text", block, "bm-text");
                self.attr_plain("align", align);
                self.raw(">");
                let size = HEADING_SIZES[usize::from(level - 1)];
                self.raw(&format!(
                    "<h{level} style=\"margin:0;font-size:{size}px;line-height:1.25;font-weight:bold;\">"
                ));
                for (i, paragraph) in text.paragraphs.iter().enumerate() {
                    if i > 0 {
                        self.raw("<br />");
                    }
                    self.runs(&paragraph.runs)?;
                }
                self.raw(&format!("</h{level}></mj-text>"));
            }
            BlockKind::Text { text } => {
                self.open("mj-text", block, "bm-text");
                self.attr_plain("align", align);
                self.raw(">");
                self.rich_text(text)?;
                self.raw("</mj-text>");
            }
            BlockKind::Image { src, alt, href, width } => {
                self.open("mj-image", block, "");
                self.attr_plain("align", align);
                self.attr("src", "src", src)?;
                self.attr("alt", "alt", alt)?;
                if let Some(href) = href.as_deref().filter(|h| !h.trim().is_empty()) {
                    self.attr("href", "link", href)?;
                }
                if let Some(width) = width.filter(|w| *w > 0) {
                    self.attr_plain("width", &format!("{}px", width.min(2000)));
                }
                self.raw(" />");
            }
            BlockKind::Button { label, href, background_color, text_color, border_radius } => {
                self.open("mj-button", block, "");
                self.attr_plain("align", align);
                self.attr("href", "link", href)?;
                self.attr_plain("background-color", color_or(background_color, "#2563eb"));
                self.attr_plain("color", color_or(text_color, "#ffffff"));
                self.attr_plain("border-radius", &format!("{}px", (*border_radius).min(100)));
                self.raw(">");
                self.text("label", label, false)?;
                self.raw("</mj-button>");
            }
            BlockKind::Divider { color, thickness } => {
                self.open("mj-divider", block, "");
                self.attr_plain("border-color", color_or(color, "#e5e7eb"));
                self.attr_plain("border-width", &format!("{}px", (*thickness).clamp(1, 20)));
                self.raw(" border-style=\"solid\" />");
            }
            BlockKind::Spacer { height } => {
                self.open("mj-spacer", block, "");
                self.attr_plain("height", &format!("{}px", (*height).min(400)));
                self.raw(" />");
            }
            BlockKind::Social { links } => {
                self.open("mj-social", block, "");
                self.attr_plain("align", align);
                self.raw(" mode=\"horizontal\" icon-size=\"24px\" border-radius=\"4px\">");
                for link in links {
                    let network = link.network;
                    self.raw("<mj-social-element");
                    self.attr("href", "link", &link.url)?;
                    // Icons are served by this product, never by a third party.
                    self.attr("src", "icon", &format!("{{{{ site_url }}}}/static/social/{}.png", network.as_str()))?;
                    self.attr_plain("alt", network.label());
                    self.attr_plain("background-color", network.color());
                    self.raw(" />");
                }
                self.raw("</mj-social>");
            }
            BlockKind::Menu { links } => {
                self.open("mj-navbar", block, "bm-menu");
                self.attr_plain("align", align);
                self.raw(">");
                for link in links {
                    self.raw("<mj-navbar-link");
                    self.attr("href", "link", &link.href)?;
                    self.raw(">");
                    self.text("label", &link.label, false)?;
                    self.raw("</mj-navbar-link>");
                }
                self.raw("</mj-navbar>");
            }
            BlockKind::RawHtml { html } => {
                let template = Template::parse(html).map_err(|source| RenderError::Merge {
                    block_id: Some(block.id.clone()),
                    field: "html".to_owned(),
                    source,
                })?;
                self.open("mj-text", block, "");
                self.attr_plain("align", align);
                self.raw(">");
                self.slot(template);
                self.raw("</mj-text>");
            }
            BlockKind::Footer { text, postal_address } => {
                self.open("mj-text", block, "bm-text bm-footer");
                self.attr_plain("align", align);
                self.raw(" font-size=\"12px\" line-height=\"1.5\">");
                if !text.is_blank() {
                    self.rich_text(text)?;
                }
                self.raw(&format!("<p style=\"margin:{PARAGRAPH_GAP}px 0 0 0;\">"));
                self.text("postal address", postal_address, true)?;
                self.raw(&format!("</p><p style=\"margin:{PARAGRAPH_GAP}px 0 0 0;\"><a href=\""));
                self.slot(Template::from_pieces([super::Piece::tag("unsubscribe_url")]));
                self.raw("\"");
                self.link_style();
                self.raw(">Unsubscribe</a></p></mj-text>");
            }
            BlockKind::Section { .. } | BlockKind::Columns { .. } => {}
        }
        Ok(())
    }

    /// `<tag padding=… css-class=… container-background-color=…` (left open for more).
    fn open(&mut self, tag: &str, block: &Block, class: &str) {
        self.raw("<");
        self.raw(tag);
        self.attr_plain("padding", &block.style.padding.css());
        let mut classes = hide_classes(block);
        if !class.is_empty() {
            classes.insert(0, class);
        }
        if !classes.is_empty() {
            self.attr_plain("css-class", &classes.join(" "));
        }
        if let Some(bg) = block.style.background_color.as_deref().filter(|c| escape::is_css_color(c)) {
            self.attr_plain("container-background-color", bg.trim());
        }
    }

    fn link_style(&mut self) {
        let settings = self.settings;
        self.raw(" style=\"color:");
        self.raw(color_or(&settings.link_color, "#2563eb"));
        self.raw(";text-decoration:underline;\"");
    }

    /// Paragraphs as `<p>`, consecutive list items as one `<ul>`/`<ol>`.
    pub(crate) fn rich_text(&mut self, text: &RichText) -> Result<(), RenderError> {
        let paragraphs = &text.paragraphs;
        let mut i = 0;
        while i < paragraphs.len() {
            let kind = paragraphs[i].kind;
            let end = match kind {
                ParagraphKind::Plain => i + 1,
                _ => i + paragraphs[i..].iter().take_while(|p| p.kind == kind).count(),
            };
            let gap = if end == paragraphs.len() { 0 } else { PARAGRAPH_GAP };
            match kind {
                ParagraphKind::Plain => {
                    self.raw(&format!("<p style=\"margin:0 0 {gap}px 0;\">"));
                    if paragraphs[i].is_blank() {
                        self.raw("&#160;");
                    } else {
                        self.runs(&paragraphs[i].runs)?;
                    }
                    self.raw("</p>");
                }
                ParagraphKind::Bullet | ParagraphKind::Numbered => {
                    let tag = if kind == ParagraphKind::Bullet { "ul" } else { "ol" };
                    self.raw(&format!("<{tag} style=\"margin:0 0 {gap}px 0;padding:0 0 0 24px;\">"));
                    for item in &paragraphs[i..end] {
                        self.raw("<li style=\"margin:0 0 4px 0;\">");
                        self.runs(&item.runs)?;
                        self.raw("</li>");
                    }
                    self.raw(&format!("</{tag}>"));
                }
            }
            i = end;
        }
        Ok(())
    }

    fn runs(&mut self, runs: &[Inline]) -> Result<(), RenderError> {
        for run in runs {
            let link = run.link.as_deref().filter(|l| !l.trim().is_empty());
            if let Some(href) = link {
                self.raw("<a");
                self.attr("href", "link", href)?;
                self.link_style();
                self.raw(" target=\"_blank\">");
            }
            if run.bold {
                self.raw("<strong>");
            }
            if run.italic {
                self.raw("<em>");
            }
            self.text("text", &run.text, true)?;
            if run.italic {
                self.raw("</em>");
            }
            if run.bold {
                self.raw("</strong>");
            }
            if link.is_some() {
                self.raw("</a>");
            }
        }
        Ok(())
    }
}
