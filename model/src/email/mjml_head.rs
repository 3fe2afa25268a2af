//! The `mj-head` of a document: preheader, document-wide attributes (mrml inlines these
//! into every element), and the style sheet for what cannot be inlined — the hide-on-mobile
//! / hide-on-desktop media queries and the dark-mode colours.

use super::DocumentSettings;
use super::escape::{color_or, font_family};
use super::mjml::{HIDE_ON_DESKTOP_CLASS, HIDE_ON_MOBILE_CLASS, MOBILE_MAX_PX, Writer};
use super::render::RenderError;

impl Writer<'_> {
    /// The `mj-head`: preview text, default attributes, styles and the colour-scheme meta.
    pub(crate) fn head(&mut self) -> Result<(), RenderError> {
        let s = self.settings;
        if !s.preheader.trim().is_empty() {
            self.raw("<mj-preview>");
            self.text("preheader", &s.preheader, false)?;
            self.raw("</mj-preview>");
        }
        let text_color = color_or(&s.text_color, "#1f2937");
        let link_color = color_or(&s.link_color, "#2563eb");
        self.raw("<mj-attributes><mj-all");
        self.attr_plain("font-family", &font_family(&s.font_family));
        self.raw(" /><mj-text");
        self.attr_plain("color", text_color);
        self.raw(" font-size=\"16px\" line-height=\"1.5\" /><mj-button font-size=\"16px\" font-weight=\"bold\"");
        self.raw(" inner-padding=\"12px 24px\" /><mj-navbar-link");
        self.attr_plain("color", link_color);
        self.raw(" font-size=\"14px\" text-transform=\"none\" padding=\"8px 12px\" />");
        self.raw("<mj-social-element");
        self.attr_plain("color", text_color);
        self.raw(" /></mj-attributes><mj-style>");
        let css = style_sheet(s);
        self.raw(&css);
        self.raw("</mj-style>");
        if s.dark_mode.is_some() {
            self.raw("<mj-raw><meta name=\"color-scheme\" content=\"light dark\" />");
            self.raw("<meta name=\"supported-color-schemes\" content=\"light dark\" /></mj-raw>");
        }
        Ok(())
    }
}

/// The `mj-style` content: hide classes and dark-mode colours. Only checked colours reach it.
fn style_sheet(s: &DocumentSettings) -> String {
    let mut css = format!(
        "@media only screen and (max-width:{MOBILE_MAX_PX}px) {{ .{HIDE_ON_MOBILE_CLASS} {{ display:none !important; \
         max-height:0 !important; overflow:hidden !important; mso-hide:all !important; }} }}\n\
         @media only screen and (min-width:{}px) {{ .{HIDE_ON_DESKTOP_CLASS} {{ display:none !important; \
         max-height:0 !important; overflow:hidden !important; }} }}\n",
        MOBILE_MAX_PX + 1
    );
    if let Some(dark) = &s.dark_mode {
        let bg = color_or(&dark.background, "#111827");
        let text = color_or(&dark.text, "#e5e7eb");
        let link = color_or(&dark.link, "#93c5fd");
        css.push_str(":root { color-scheme: light dark; supported-color-schemes: light dark; }\n");
        css.push_str(&format!(
            "@media (prefers-color-scheme: dark) {{ body, .bm-body {{ background-color:{bg} !important; }} \
             .bm-content, .bm-content > table {{ background:{bg} !important; background-color:{bg} !important; }} \
             .bm-text div {{ color:{text} !important; }} .bm-text a, .bm-menu a {{ color:{link} !important; }} }}\n"
        ));
    }
    css
}

#[cfg(test)]
mod tests {
    use crate::email::{Block, BlockKind, DarkModeColors, Document, RichText, to_mjml};

    #[test]
    fn head_carries_settings_preview_and_styles() {
        let mut d = Document {
            settings: Default::default(),
            blocks: vec![Block::new("t", BlockKind::Text { text: RichText::plain("x") })],
        };
        d.settings.preheader = "Hello {{ first_name }}".into();
        d.settings.dark_mode = Some(DarkModeColors::default());
        let src = to_mjml(&d).unwrap();
        let m = src.to_readable();
        assert!(m.contains("<mj-preview>Hello {{ first_name }}</mj-preview>"), "{m}");
        assert!(m.contains("<mj-all font-family=\"Helvetica, Arial, sans-serif\" />"));
        assert!(m.contains("<mj-body width=\"600px\" background-color=\"#f4f4f5\" css-class=\"bm-body\">"));
        assert!(m.contains("prefers-color-scheme: dark"));
        assert!(m.contains("<meta name=\"color-scheme\" content=\"light dark\" />"));
        assert!(!src.as_str().contains("{{"), "tags must be slots in the MJML given to mrml");
    }
}
