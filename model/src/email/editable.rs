//! Rich text to and from the HTML of a browser `contenteditable` element, so text, heading
//! and footer blocks can be edited inline on the canvas.
//!
//! [`to_editable_html`] writes the small closed set [`RichText`] can hold (paragraphs,
//! lists, bold, italic, links). [`from_editable_html`] reads back whatever the browser made
//! of it after typing, shortcuts and pastes — Chromium's `<div>`s and `<br>`s, styled
//! `<span>`s, entities, stray tags from pasted pages — and keeps only what [`RichText`] can
//! express. It is a small hand-written tokenizer rather than a full HTML parser: the input
//! is the browser's own serialisation (attributes always quoted and escaped), and anything
//! unexpected degrades to its text instead of failing.

use super::merge::html_entity;
use super::{Inline, Paragraph, ParagraphKind, RichText};

/// The HTML to put into a `contenteditable` element for `text`: a `<p>` per plain
/// paragraph, consecutive list items of one kind in one `<ul>`/`<ol>`, runs as `<a href>`,
/// `<b>` and `<i>`, with text and attributes escaped. Spaces that HTML would collapse are
/// written as `&nbsp;` so they survive the trip. Empty text gives `<p><br></p>`, the
/// browser's own empty line, so the caret has somewhere to go.
pub fn to_editable_html(text: &RichText) -> String {
    let mut out = String::new();
    let mut open_list: Option<&'static str> = None;
    for paragraph in &text.paragraphs {
        let list = match paragraph.kind {
            ParagraphKind::Plain => None,
            ParagraphKind::Bullet => Some("ul"),
            ParagraphKind::Numbered => Some("ol"),
        };
        if open_list != list {
            if let Some(tag) = open_list {
                push_tag(&mut out, "/", tag);
            }
            if let Some(tag) = list {
                push_tag(&mut out, "", tag);
            }
            open_list = list;
        }
        let tag = if list.is_some() { "li" } else { "p" };
        push_tag(&mut out, "", tag);
        if !push_runs(&mut out, &paragraph.runs) {
            out.push_str("<br>");
        }
        push_tag(&mut out, "/", tag);
    }
    if let Some(tag) = open_list {
        push_tag(&mut out, "/", tag);
    }
    if out.is_empty() {
        out.push_str("<p><br></p>");
    }
    out
}

fn push_tag(out: &mut String, slash: &str, name: &str) {
    out.push('<');
    out.push_str(slash);
    out.push_str(name);
    out.push('>');
}

/// Writes a paragraph's runs; true when something visible (not only spaces) was written.
fn push_runs(out: &mut String, runs: &[Inline]) -> bool {
    let mut visible = false;
    let mut after_space = false;
    for run in runs.iter().filter(|r| !r.text.is_empty()) {
        if let Some(href) = &run.link {
            out.push_str("<a href=\"");
            push_escaped(out, href);
            out.push_str("\">");
        }
        if run.bold {
            out.push_str("<b>");
        }
        if run.italic {
            out.push_str("<i>");
        }
        for c in run.text.chars() {
            if is_html_space(c) {
                // A second space in a row would collapse: make it a non-breaking one.
                if after_space {
                    out.push_str("&nbsp;");
                    after_space = false;
                } else {
                    out.push(' ');
                    after_space = true;
                }
                continue;
            }
            after_space = false;
            visible = true;
            match html_entity(c) {
                Some(entity) => out.push_str(entity),
                None => out.push(c),
            }
        }
        if run.italic {
            out.push_str("</i>");
        }
        if run.bold {
            out.push_str("</b>");
        }
        if run.link.is_some() {
            out.push_str("</a>");
        }
    }
    visible
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match html_entity(c) {
            Some(entity) => out.push_str(entity),
            None => out.push(c),
        }
    }
}

/// The whitespace HTML collapses (space, tab, line feed, form feed, carriage return).
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// The [`RichText`] in `html` as a `contenteditable` element holds it. Blocks (`p`, `div`,
/// `li`, headings, …) and `<br>` start new paragraphs; `li` inside `ol` is a numbered item,
/// otherwise a bullet; `b`/`strong`, `i`/`em`, `a href` and `span` styles
/// (`font-weight`, `font-style`) give the formatting; other tags are dropped with their text
/// kept, `script` and `style` with their content. Whitespace collapses as HTML shows it,
/// `&nbsp;` becomes a normal space, paragraph ends are trimmed and blank paragraphs
/// dropped, and neighbouring runs with the same formatting are merged. Never fails: odd
/// input gives its text.
pub fn from_editable_html(html: &str) -> RichText {
    let mut builder = Builder::default();
    for token in (Tokenizer { src: html, pos: 0 }) {
        match token {
            Token::Text(raw) => builder.text(&decode_entities(raw)),
            Token::Start { name, attrs } => builder.start(name, &attrs),
            Token::End(name) => builder.end(&name),
        }
    }
    builder.finish()
}

/// Elements whose content is not text to keep: it is skipped up to the closing tag.
const RAW_TEXT: &[&str] = &["script", "style", "template", "title"];

/// Elements that never have content or an end tag.
const VOID: &[&str] =
    &["area", "base", "col", "embed", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen"];

/// Elements that begin and end a paragraph.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Most elements kept open at once; deeper (unclosed) tags are ignored, which bounds the
/// work per text token on hostile input.
const MAX_OPEN: usize = 256;

/// One piece of the input.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    /// Text as written (entities not decoded yet).
    Text(&'a str),
    /// An opening tag; names lower-cased, attribute values decoded.
    Start { name: String, attrs: Vec<(String, String)> },
    /// A closing tag's lower-cased name.
    End(String),
}

/// Splits HTML into text and tags; comments, doctypes and processing instructions vanish.
struct Tokenizer<'a> {
    src: &'a str,
    /// Byte offset of the next token; always on a character boundary (it only ever stops
    /// at ASCII delimiters or the end).
    pos: usize,
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let rest = self.src.get(self.pos..)?;
            let first = rest.chars().next()?;
            if first == '<' {
                match rest.as_bytes().get(1) {
                    Some(b'!') => {
                        self.pos += if rest.starts_with("<!--") {
                            // `<!-->` and `<!--->` are (empty) comments too.
                            rest[2..].find("-->").map_or(rest.len(), |at| 2 + at + 3)
                        } else {
                            past_gt(rest)
                        };
                        continue;
                    }
                    Some(b'?') => {
                        self.pos += past_gt(rest);
                        continue;
                    }
                    Some(b'/') => {
                        let name = tag_name(&rest[2..]);
                        self.pos += past_gt(rest);
                        if name.is_empty() {
                            continue;
                        }
                        return Some(Token::End(name));
                    }
                    Some(c) if c.is_ascii_alphabetic() => return Some(self.start_tag()),
                    // A `<` that starts no tag is text.
                    _ => {}
                }
            }
            let skip = first.len_utf8();
            let end = rest[skip..].find('<').map_or(rest.len(), |at| skip + at);
            self.pos += end;
            return Some(Token::Text(&rest[..end]));
        }
    }
}

impl Tokenizer<'_> {
    /// Reads the opening tag at `pos` (which is `<` followed by a letter).
    fn start_tag(&mut self) -> Token<'static> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut i = self.pos + 1;
        let name_start = i;
        while i < bytes.len() && !is_tag_delimiter(bytes[i]) {
            i += 1;
        }
        let name = src[name_start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < bytes.len() && (is_space_byte(bytes[i]) || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            let attr_start = i;
            while i < bytes.len() && !is_tag_delimiter(bytes[i]) && bytes[i] != b'=' {
                i += 1;
            }
            if i == attr_start {
                // A stray `=`: skip it.
                i += 1;
                continue;
            }
            let attr_name = src[attr_start..i].to_ascii_lowercase();
            while i < bytes.len() && is_space_byte(bytes[i]) {
                i += 1;
            }
            let mut value = "";
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                while i < bytes.len() && is_space_byte(bytes[i]) {
                    i += 1;
                }
                if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                    let quote = bytes[i];
                    i += 1;
                    let value_start = i;
                    while i < bytes.len() && bytes[i] != quote {
                        i += 1;
                    }
                    value = &src[value_start..i];
                    if i < bytes.len() {
                        i += 1;
                    }
                } else {
                    let value_start = i;
                    while i < bytes.len() && !is_space_byte(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = &src[value_start..i];
                }
            }
            attrs.push((attr_name, decode_entities(value)));
        }
        self.pos = i;
        if RAW_TEXT.contains(&name.as_str()) {
            let close = format!("</{name}");
            self.pos = find_ignore_case(&src[i..], &close).map_or(src.len(), |at| i + at);
        }
        Token::Start { name, attrs }
    }
}

/// Bytes that end a tag or attribute name.
fn is_tag_delimiter(b: u8) -> bool {
    is_space_byte(b) || b == b'/' || b == b'>'
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Length of `s` up to and including its first `>` (all of it when there is none).
fn past_gt(s: &str) -> usize {
    s.find('>').map_or(s.len(), |at| at + 1)
}

/// The lower-cased tag name at the start of `s` (empty when `s` starts with no name).
fn tag_name(s: &str) -> String {
    let bytes = s.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return String::new();
    }
    let end = bytes.iter().position(|b| is_tag_delimiter(*b)).unwrap_or(bytes.len());
    s[..end].to_ascii_lowercase()
}

/// Byte offset of the first ASCII-case-insensitive occurrence of `needle` (ASCII).
fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// `s` with character references decoded; anything that is not a known reference stays
/// as written (`&` alone, `&unknown;`).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match entity(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of the reference at the start of `s` (which starts with `&`) and the
/// reference's length in bytes.
fn entity(s: &str) -> Option<(char, usize)> {
    let semi = s.as_bytes().iter().take(12).position(|b| *b == b';')?;
    let body = s.get(1..semi)?;
    let c = match body.strip_prefix('#') {
        Some(number) => {
            let (digits, radix) = match number.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            let code = u32::from_str_radix(digits, radix).ok()?;
            // NUL and non-characters (surrogates, beyond U+10FFFF) decode to U+FFFD as in HTML.
            char::from_u32(code).filter(|c| *c != '\0').unwrap_or('\u{FFFD}')
        }
        None => named_entity(body)?,
    };
    Some((c, semi + 1))
}

/// The named references browsers and pasted pages commonly produce.
fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "bull" => '\u{2022}',
        "hellip" => '\u{2026}',
        "middot" => '\u{b7}',
        "laquo" => '\u{ab}',
        "raquo" => '\u{bb}',
        "copy" => '\u{a9}',
        "reg" => '\u{ae}',
        "trade" => '\u{2122}',
        "euro" => '\u{20ac}',
        "times" => '\u{d7}',
        _ => return None,
    })
}

/// An element that is open while reading, with the formatting it sets (`None`: inherits).
struct Open {
    name: String,
    block: bool,
    bold: Option<bool>,
    italic: Option<bool>,
    link: Option<String>,
    /// The kind of item an `li` inside this list is.
    list: Option<ParagraphKind>,
}

/// Builds paragraphs from tokens.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    paragraphs: Vec<Paragraph>,
    /// Runs of the paragraph being read.
    runs: Vec<Inline>,
    /// Its kind, fixed when its first character arrives.
    kind: ParagraphKind,
    has_content: bool,
    /// The last character written was a collapsible space.
    after_space: bool,
}

impl Builder {
    fn start(&mut self, name: String, attrs: &[(String, String)]) {
        if name == "br" || name == "hr" {
            self.break_paragraph();
            return;
        }
        if VOID.contains(&name.as_str()) {
            return;
        }
        let block = BLOCKS.contains(&name.as_str());
        if block {
            self.break_paragraph();
        }
        if self.stack.len() >= MAX_OPEN {
            return;
        }
        let attr = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let mut open = Open { name: String::new(), block, bold: None, italic: None, link: None, list: None };
        match name.as_str() {
            "b" | "strong" => open.bold = Some(true),
            "i" | "em" => open.italic = Some(true),
            "a" => open.link = attr("href").map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned),
            "ul" => open.list = Some(ParagraphKind::Bullet),
            "ol" => open.list = Some(ParagraphKind::Numbered),
            _ => {}
        }
        if let Some(style) = attr("style") {
            apply_style(&mut open, style);
        }
        open.name = name;
        self.stack.push(open);
    }

    fn end(&mut self, name: &str) {
        if name == "br" {
            // `</br>` is read as `<br>` by browsers.
            self.break_paragraph();
            return;
        }
        match self.stack.iter().rposition(|o| o.name == name) {
            Some(at) => {
                let closes_block = self.stack[at..].iter().any(|o| o.block);
                self.stack.truncate(at);
                if closes_block {
                    self.break_paragraph();
                }
            }
            None if BLOCKS.contains(&name) => self.break_paragraph(),
            None => {}
        }
    }

    fn text(&mut self, text: &str) {
        let mut chunk = String::new();
        for c in text.chars() {
            let c = if is_html_space(c) {
                if !self.has_content || self.after_space {
                    continue;
                }
                self.after_space = true;
                ' '
            } else {
                self.after_space = false;
                if c == '\u{a0}' { ' ' } else { c }
            };
            if !self.has_content {
                self.kind = self.context_kind();
                self.has_content = true;
            }
            chunk.push(c);
        }
        if chunk.is_empty() {
            return;
        }
        let bold = self.stack.iter().rev().find_map(|o| o.bold).unwrap_or(false);
        let italic = self.stack.iter().rev().find_map(|o| o.italic).unwrap_or(false);
        let link = self.stack.iter().rev().find_map(|o| o.link.clone());
        if let Some(last) = self.runs.last_mut()
            && last.bold == bold
            && last.italic == italic
            && last.link == link
        {
            last.text.push_str(&chunk);
        } else {
            self.runs.push(Inline { text: chunk, bold, italic, link });
        }
    }

    /// The kind of paragraph text here starts: an item of the list around the innermost
    /// open `li` (a bullet when there is none), else plain.
    fn context_kind(&self) -> ParagraphKind {
        let Some(li) = self.stack.iter().rposition(|o| o.name == "li") else {
            return ParagraphKind::Plain;
        };
        self.stack[..li].iter().rev().find_map(|o| o.list).unwrap_or(ParagraphKind::Bullet)
    }

    /// Ends the paragraph being read (kept unless blank) and starts a new one.
    fn break_paragraph(&mut self) {
        let mut runs = std::mem::take(&mut self.runs);
        trim_runs(&mut runs);
        let paragraph = Paragraph { kind: self.kind, runs };
        if !paragraph.runs.is_empty() && !paragraph.is_blank() {
            self.paragraphs.push(paragraph);
        }
        self.kind = ParagraphKind::Plain;
        self.has_content = false;
        self.after_space = false;
    }

    fn finish(mut self) -> RichText {
        self.break_paragraph();
        RichText { paragraphs: self.paragraphs }
    }
}

/// Drops spaces at both ends of a paragraph (and runs left empty by that).
fn trim_runs(runs: &mut Vec<Inline>) {
    let has_text = |r: &Inline| r.text.chars().any(|c| c != ' ');
    let Some(first) = runs.iter().position(has_text) else {
        runs.clear();
        return;
    };
    let last = runs.iter().rposition(has_text).unwrap_or(first);
    runs.truncate(last + 1);
    runs.drain(..first);
    if let Some(run) = runs.first_mut() {
        run.text = run.text.trim_start_matches(' ').to_owned();
    }
    if let Some(run) = runs.last_mut() {
        run.text = run.text.trim_end_matches(' ').to_owned();
    }
}

/// Reads `font-weight` and `font-style` from an inline style (how Chromium marks bold and
/// italic when it styles with CSS, and how pasted pages do).
fn apply_style(open: &mut Open, style: &str) {
    for declaration in style.split(';') {
        let Some((property, value)) = declaration.split_once(':') else {
            continue;
        };
        let property = property.trim().to_ascii_lowercase();
        let value = value.trim().to_ascii_lowercase();
        let value = value.trim_end_matches("!important").trim();
        match property.as_str() {
            "font-weight" => {
                let bold = match value {
                    "bold" | "bolder" => Some(true),
                    "normal" | "lighter" => Some(false),
                    number => number.parse::<u16>().ok().map(|weight| weight >= 600),
                };
                if bold.is_some() {
                    open.bold = bold;
                }
            }
            "font-style" => {
                if value == "italic" || value.starts_with("oblique") {
                    open.italic = Some(true);
                } else if value == "normal" {
                    open.italic = Some(false);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rich(paragraphs: Vec<Paragraph>) -> RichText {
        RichText::from_paragraphs(paragraphs)
    }

    fn styled(text: &str, bold: bool, italic: bool, link: Option<&str>) -> Inline {
        Inline { text: text.to_owned(), bold, italic, link: link.map(str::to_owned) }
    }

    #[test]
    fn rich_text_survives_the_round_trip() {
        let greeting = "{{ first_name | default: \"there\" }}";
        let cases = vec![
            RichText::default(),
            RichText::plain("Hello world"),
            RichText::plain("First line\nSecond line"),
            rich(vec![
                Paragraph::new(vec![
                    Inline::plain("Hi "),
                    Inline::bold(greeting),
                    Inline::plain(", read "),
                    Inline::link("this & that", "https://example.com/?a=1&b=\"2\"&c='3'"),
                    Inline::plain("."),
                ]),
                Paragraph::item(ParagraphKind::Bullet, "one"),
                Paragraph::item(ParagraphKind::Bullet, "two <b>not bold</b>"),
                Paragraph::item(ParagraphKind::Numbered, "first"),
                Paragraph::item(ParagraphKind::Numbered, "second"),
                Paragraph::new(vec![Inline::plain("after the lists")]),
                Paragraph::item(ParagraphKind::Bullet, "a new list"),
            ]),
            rich(vec![Paragraph::new(vec![
                styled("all at once", true, true, Some("mailto:{{ sender_email | default: \"hello@example.com\" }}")),
                styled(" then italic", false, true, None),
                styled(" 'quoted' <tags> & \"marks\" ", false, false, None),
                styled("bold link", true, false, Some("{{ unsubscribe_url }}")),
            ])]),
            rich(vec![Paragraph::new(vec![Inline::plain("a "), Inline::bold(" b"), Inline::plain("  c")])]),
            RichText::plain("Spaces  kept   inside    text"),
            RichText::plain("Caf\u{e9} \u{2013} na\u{ef}ve \u{2615} \u{65e5}\u{672c}\u{8a9e} &amp; &nbsp; literally"),
            rich(vec![Paragraph::item(ParagraphKind::Numbered, "only a numbered item")]),
        ];
        for case in cases {
            let html = to_editable_html(&case);
            assert_eq!(from_editable_html(&html), case, "{html}");
        }
    }

    #[test]
    fn editable_html_has_lists_runs_and_escapes() {
        let text = rich(vec![
            Paragraph::new(vec![Inline::plain("Hi "), styled("you", true, true, Some("https://x.test/?a=1&b=\"2\""))]),
            Paragraph::item(ParagraphKind::Bullet, "a"),
            Paragraph::item(ParagraphKind::Bullet, "b"),
            Paragraph::item(ParagraphKind::Numbered, "c"),
            Paragraph::new(vec![]),
        ]);
        assert_eq!(
            to_editable_html(&text),
            "<p>Hi <a href=\"https://x.test/?a=1&amp;b=&quot;2&quot;\"><b><i>you</i></b></a></p>\
             <ul><li>a</li><li>b</li></ul><ol><li>c</li></ol><p><br></p>"
        );
        assert_eq!(to_editable_html(&RichText::default()), "<p><br></p>");
        assert_eq!(to_editable_html(&RichText::plain("a  b")), "<p>a &nbsp;b</p>");
    }

    #[test]
    fn script_text_is_escaped_not_run() {
        let text = RichText::plain("<script>alert('x')</script>");
        let html = to_editable_html(&text);
        assert_eq!(html, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>");
        assert_eq!(from_editable_html(&html), text);
        // Real script and style elements disappear with their content.
        let pasted = "<p>a<script>alert('<b>x</b>')</SCRIPT>b</p><style>p { color: red }</style><p>c</p><script>x";
        assert_eq!(from_editable_html(pasted), RichText::plain("ab\nc"));
    }

    #[test]
    fn chromium_markup_is_understood() {
        assert_eq!(
            from_editable_html("<div>a</div><div><b>b</b></div>"),
            rich(vec![Paragraph::new(vec![Inline::plain("a")]), Paragraph::new(vec![Inline::bold("b")])])
        );
        assert_eq!(from_editable_html("a<br>b"), RichText::plain("a\nb"));
        assert_eq!(from_editable_html("<p>x&nbsp;y</p>"), RichText::plain("x y"));
        assert_eq!(
            from_editable_html("<span style=\"font-weight: 700;\">z</span>"),
            rich(vec![Paragraph::new(vec![Inline::bold("z")])])
        );
        assert_eq!(
            from_editable_html("first<div>second</div><div><br></div><div>third<br></div>"),
            RichText::plain("first\nsecond\nthird")
        );
        assert_eq!(
            from_editable_html("<ul><li><p>x</p></li><li>y<br>z</li></ul><ol>\n  <li>n</li>\n</ol><li>loose</li>"),
            rich(vec![
                Paragraph::item(ParagraphKind::Bullet, "x"),
                Paragraph::item(ParagraphKind::Bullet, "y"),
                Paragraph::item(ParagraphKind::Bullet, "z"),
                Paragraph::item(ParagraphKind::Numbered, "n"),
                Paragraph::item(ParagraphKind::Bullet, "loose"),
            ])
        );
        assert_eq!(
            from_editable_html("<ul><li>a<li>b</ul>c"),
            rich(vec![
                Paragraph::item(ParagraphKind::Bullet, "a"),
                Paragraph::item(ParagraphKind::Bullet, "b"),
                Paragraph::item(ParagraphKind::Plain, "c"),
            ])
        );
    }

    #[test]
    fn formatting_comes_from_tags_and_styles_and_merges() {
        assert_eq!(
            from_editable_html("<b>bold <span style=\"font-weight:normal\">plain</span></b>"),
            rich(vec![Paragraph::new(vec![Inline::bold("bold "), Inline::plain("plain")])])
        );
        assert_eq!(
            from_editable_html("<i>a</i><em>b</em><span style=\"FONT-STYLE: Italic !important\">c</span>"),
            rich(vec![Paragraph::new(vec![styled("abc", false, true, None)])])
        );
        assert_eq!(
            from_editable_html("<b>x</b><strong>y</strong>"),
            rich(vec![Paragraph::new(vec![Inline::bold("xy")])])
        );
        assert_eq!(
            from_editable_html("<b style=\"font-weight:normal;\" id=\"docs-internal-guid\">pasted</b>"),
            RichText::plain("pasted")
        );
        assert_eq!(
            from_editable_html("<u>under</u><font color=\"red\">lined</font> <o:p></o:p><img src=\"x.png\">"),
            RichText::plain("underlined")
        );
        assert_eq!(
            from_editable_html("<a href=\"https://e.test\"><b>x</b> y</a> <a href='https://a.test/?q=1&amp;r=2'>a</a>"),
            rich(vec![Paragraph::new(vec![
                styled("x", true, false, Some("https://e.test")),
                styled(" y", false, false, Some("https://e.test")),
                Inline::plain(" "),
                Inline::link("a", "https://a.test/?q=1&r=2"),
            ])])
        );
        assert_eq!(
            from_editable_html("<a href=https://b.test>b</a><a href>c</a><A HREF=\"  \">d</A>"),
            rich(vec![Paragraph::new(vec![Inline::link("b", "https://b.test"), Inline::plain("cd")])])
        );
        assert_eq!(
            from_editable_html("<B>x</B><P>y</P>"),
            rich(vec![Paragraph::new(vec![Inline::bold("x")]), Paragraph::new(vec![Inline::plain("y")])])
        );
    }

    #[test]
    fn whitespace_collapses_like_html() {
        assert_eq!(
            from_editable_html("<p>\n   Hello\n   <b>world</b>  \n</p>\n<p>  </p>"),
            rich(vec![Paragraph::new(vec![Inline::plain("Hello "), Inline::bold("world")])])
        );
        assert_eq!(from_editable_html("<p>a&nbsp; b</p>"), RichText::plain("a  b"));
        assert_eq!(from_editable_html("<p>&nbsp;a&nbsp;</p>"), RichText::plain("a"));
        assert_eq!(from_editable_html("<p><br></p>"), RichText::default());
        assert_eq!(from_editable_html("<p>&nbsp;</p><div> \t </div>"), RichText::default());
        assert_eq!(from_editable_html(""), RichText::default());
    }

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(
            from_editable_html(
                "&#65;&#x42;&#X43; &amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39; &apos; &copy; &amp;amp; &bogus; & &#; &#xZZ; &#0; &#xD800;"
            ),
            RichText::plain("ABC & <tag> \"q\" 's' ' \u{a9} &amp; &bogus; & &#; &#xZZ; \u{fffd} \u{fffd}")
        );
    }

    #[test]
    fn odd_markup_degrades_to_text() {
        assert_eq!(from_editable_html("a < b"), RichText::plain("a < b"));
        assert_eq!(from_editable_html("x<"), RichText::plain("x<"));
        assert_eq!(from_editable_html("<p"), RichText::default());
        assert_eq!(from_editable_html("</>a</ b>"), RichText::plain("a"));
        assert_eq!(from_editable_html("<<>>"), RichText::plain("<<>>"));
        assert_eq!(from_editable_html("<div =x>y</div>"), RichText::plain("y"));
        assert_eq!(
            from_editable_html("a<!-- <b>not</b> -->b<!---->c<!-->d<!DOCTYPE html><?xml x?>e"),
            RichText::plain("abcde")
        );
        assert_eq!(from_editable_html("<b>unclosed"), rich(vec![Paragraph::new(vec![Inline::bold("unclosed")])]));
        assert_eq!(from_editable_html("</b>stray end</i>"), RichText::plain("stray end"));
        assert_eq!(from_editable_html("\u{65e5}<\u{672c}>\u{8a9e}"), RichText::plain("\u{65e5}<\u{672c}>\u{8a9e}"));
        let deep = "<span>".repeat(10_000) + "deep";
        assert_eq!(from_editable_html(&deep), RichText::plain("deep"));
    }
}
