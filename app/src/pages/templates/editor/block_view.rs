//! How blocks look on the canvas: an approximation of the email in plain HTML and CSS (the
//! exact rendering is the live preview's job). Only the leaf blocks without inline text are
//! drawn here; text blocks are editable (`inline_text`) and containers hold other blocks
//! (`canvas`).
//!
//! Nothing here injects HTML from the document: raw HTML blocks are shown as code, and
//! colours and fonts pass a whitelist before they reach a `style` attribute, so a document
//! cannot restyle or script the admin page.

use leptos::prelude::*;
use model::email::{Block, BlockKind, BlockStyle, DocumentSettings, RichText, is_css_color};

/// Font size and line height of each heading level, as the MJML renderer writes them.
const HEADING_SIZES: [u32; 3] = [32, 24, 20];

/// The key of a block's kind, as the document's JSON spells it (`raw_html`, `columns`…):
/// the canvas's `data-kind` attribute, so tests and styles can tell blocks apart.
pub fn kind_key(kind: &BlockKind) -> &'static str {
    match kind {
        BlockKind::Section { .. } => "section",
        BlockKind::Columns { .. } => "columns",
        BlockKind::Heading { .. } => "heading",
        BlockKind::Text { .. } => "text",
        BlockKind::Image { .. } => "image",
        BlockKind::Button { .. } => "button",
        BlockKind::Divider { .. } => "divider",
        BlockKind::Spacer { .. } => "spacer",
        BlockKind::Social { .. } => "social",
        BlockKind::Menu { .. } => "menu",
        BlockKind::RawHtml { .. } => "raw_html",
        BlockKind::Footer { .. } => "footer",
    }
}

/// True for the kinds whose text is edited in place on the canvas.
pub fn has_inline_text(kind: &str) -> bool {
    matches!(kind, "heading" | "text" | "footer")
}

/// The formatted text of a heading, text or footer block.
pub fn rich_text(block: &Block) -> Option<&RichText> {
    match &block.kind {
        BlockKind::Heading { text, .. } | BlockKind::Text { text } | BlockKind::Footer { text, .. } => Some(text),
        _ => None,
    }
}

/// Replaces the text of a heading, text or footer block (other kinds are left alone), for
/// inline editing.
pub fn set_rich_text(block: &mut Block, new_text: RichText) {
    match &mut block.kind {
        BlockKind::Heading { text, .. } | BlockKind::Text { text } | BlockKind::Footer { text, .. } => {
            *text = new_text;
        }
        _ => {}
    }
}

/// `value` when it is a colour the renderer accepts, `fallback` otherwise: keeps arbitrary
/// text (`red; background: url(…)`) out of the admin page's `style` attributes.
pub fn css_color(value: &str, fallback: &str) -> String {
    if is_css_color(value) { value.trim().to_owned() } else { fallback.to_owned() }
}

/// The document's font stack with anything but names, spaces, commas, quotes and hyphens
/// removed (same reason as [`css_color`]).
pub fn css_font(value: &str) -> String {
    let cleaned: String =
        value.chars().filter(|c| c.is_alphanumeric() || matches!(c, ' ' | ',' | '-' | '"' | '\'' | '_')).collect();
    if cleaned.trim().is_empty() { model::email::DEFAULT_FONT_FAMILY.to_owned() } else { cleaned }
}

/// Inline style of the sheet (the email body): its colours, font and width. `--bm-link`
/// carries the link colour to the links inside editable text and menus.
pub fn sheet_style(settings: &DocumentSettings) -> String {
    format!(
        "width:100%;max-width:{}px;background-color:{};color:{};font-family:{};--bm-link:{};",
        settings.width.clamp(320, 900),
        css_color(&settings.content_background_color, "#ffffff"),
        css_color(&settings.text_color, "#1f2937"),
        css_font(&settings.font_family),
        css_color(&settings.link_color, "#2563eb"),
    )
}

/// Inline style of a block's frame: its padding, alignment and background.
pub fn box_style(style: &BlockStyle) -> String {
    let mut css = format!("padding:{};text-align:{};", style.padding.css(), style.align.as_str());
    if let Some(color) = style.background_color.as_deref().filter(|c| is_css_color(c)) {
        css.push_str("background-color:");
        css.push_str(color.trim());
        css.push(';');
    }
    css
}

/// Font size and weight of a text block's editable area, like the renderer's.
pub fn text_style(block: Option<&Block>) -> String {
    match block.map(|b| &b.kind) {
        Some(BlockKind::Heading { level, .. }) => {
            let size = HEADING_SIZES[usize::from((*level).clamp(1, 3) - 1)];
            format!("font-size:{size}px;line-height:1.25;font-weight:bold;")
        }
        Some(BlockKind::Footer { .. }) => "font-size:12px;line-height:1.5;".to_owned(),
        _ => "font-size:16px;line-height:1.5;".to_owned(),
    }
}

/// An image source the admin page can load: `{{ site_url }}` (which the server fills with
/// its public address when sending) is dropped, leaving a site-relative path that the browser
/// resolves against `window.location.origin`. Doing it this way renders the same on the
/// server and in the browser, so hydration never sees two different `src` values.
pub fn local_src(src: &str) -> String {
    src.replace("{{ site_url }}", "").replace("{{site_url}}", "")
}

/// The canvas drawing of a leaf block that has no inline text (image, button, divider,
/// spacer, social, menu, raw HTML). Other kinds draw nothing here.
pub fn leaf_view(block: &Block) -> AnyView {
    match &block.kind {
        BlockKind::Image { src, alt, width, .. } => image_view(src, alt, *width),
        BlockKind::Button { label, background_color, text_color, border_radius, .. } => {
            let style = format!(
                "background-color:{};color:{};border-radius:{}px;padding:10px 25px;font-size:16px;line-height:1.2;",
                css_color(background_color, "#2563eb"),
                css_color(text_color, "#ffffff"),
                border_radius,
            );
            let label = if label.trim().is_empty() { "Button".to_owned() } else { label.clone() };
            view! { <span class="inline-block font-bold" style=style>{label}</span> }.into_any()
        }
        BlockKind::Divider { color, thickness } => {
            let style = format!("border-top:{}px solid {};", thickness, css_color(color, "#e5e7eb"));
            view! { <div class="w-full" style=style role="separator"></div> }.into_any()
        }
        BlockKind::Spacer { height } => {
            let style = format!("height:{height}px;");
            let label = format!("Spacer · {height} px");
            let title = label.clone();
            view! {
                <div class="relative w-full bg-[repeating-linear-gradient(45deg,transparent,transparent_6px,rgba(148,163,184,0.15)_6px,rgba(148,163,184,0.15)_12px)]"
                    style=style title=title>
                    <span class="pointer-events-none absolute inset-0 grid place-items-center text-[10px] text-slate-400 opacity-0 group-hover:opacity-100">
                        {label}
                    </span>
                </div>
            }
            .into_any()
        }
        BlockKind::Social { links } => {
            if links.is_empty() {
                return placeholder("Social links: add profiles in the properties");
            }
            let icons = links
                .iter()
                .map(|link| {
                    let network = link.network;
                    let style = format!("background-color:{};", network.color());
                    let letter: String = network.label().chars().take(1).collect();
                    view! {
                        <span class="inline-grid h-8 w-8 place-items-center rounded-full text-xs font-bold text-white"
                            style=style title=network.label()>
                            {letter}
                        </span>
                    }
                })
                .collect_view();
            view! { <div class="inline-flex flex-wrap justify-center gap-2">{icons}</div> }.into_any()
        }
        BlockKind::Menu { links } => {
            if links.is_empty() {
                return placeholder("Menu: add links in the properties");
            }
            let items = links
                .iter()
                .map(|link| {
                    let label = if link.label.trim().is_empty() { link.href.clone() } else { link.label.clone() };
                    view! {
                        <span class="mx-3 inline-block underline underline-offset-2" style="color:var(--bm-link);font-size:14px;"
                            title=link.href.clone()>
                            {label}
                        </span>
                    }
                })
                .collect_view();
            view! { <div>{items}</div> }.into_any()
        }
        BlockKind::RawHtml { html } => {
            let code = if html.trim().is_empty() { "<!-- empty -->".to_owned() } else { html.clone() };
            view! {
                <div class="text-left">
                    <p class="mb-1 text-[11px] font-semibold uppercase tracking-wide text-slate-400">
                        "HTML · shown as code here, rendered in the preview"
                    </p>
                    <pre class="max-h-48 overflow-auto whitespace-pre-wrap break-all rounded-md border border-dashed border-slate-300 bg-slate-50 p-3 font-mono text-xs text-slate-700">
                        {code}
                    </pre>
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// An image as the email shows it, or a placeholder while it has no source.
fn image_view(src: &str, alt: &str, width: Option<u32>) -> AnyView {
    if src.trim().is_empty() {
        return placeholder("Image: choose a picture in the properties");
    }
    let style = match width {
        Some(w) => format!("width:{w}px;max-width:100%;height:auto;"),
        None => "width:100%;height:auto;".to_owned(),
    };
    view! { <img class="inline-block align-top" src=local_src(src) alt=alt.to_owned() style=style draggable="false" /> }
        .into_any()
}

/// A dashed box saying what a block still needs.
pub fn placeholder(text: &'static str) -> AnyView {
    view! {
        <div class="rounded-md border border-dashed border-slate-300 px-3 py-4 text-center text-xs text-slate-400">
            {text}
        </div>
    }
    .into_any()
}
