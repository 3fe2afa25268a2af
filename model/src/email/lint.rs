//! Checks on the finished HTML that decide whether an email arrives intact: Gmail clips
//! messages over 102 KB (hiding the footer and its unsubscribe link), scripts and event
//! handlers get mail flagged or stripped, and relative links are dead in an inbox.
//!
//! Run it on [`Compiled::html_source`](super::Compiled::html_source): merge tags are still
//! in place there and count as valid URLs (the server fills them with absolute ones).

use serde::{Deserialize, Serialize};

use super::{BlockKind, Document};

/// Gmail clips messages whose HTML is larger than this.
pub const GMAIL_CLIP_BYTES: usize = 102_400;
/// Above this size a warning says the clip is near.
pub const GMAIL_WARN_BYTES: usize = 90 * 1024;

/// How bad an issue is: errors block sending, warnings are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// What the linter found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LintKind {
    ClippedByGmail,
    NearGmailClip,
    MissingAlt,
    Script,
    JavascriptUrl,
    EventHandler,
    RelativeUrl,
}

/// One finding with a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintIssue {
    pub kind: LintKind,
    pub severity: Severity,
    pub message: String,
    /// The block concerned, when the issue can be traced to one.
    pub block_id: Option<String>,
}

impl LintIssue {
    fn new(kind: LintKind, severity: Severity, message: String) -> Self {
        LintIssue { kind, severity, message, block_id: None }
    }

    /// True when the issue must be fixed before sending.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Lints the HTML of `doc` (its compiled source) and the document's images.
pub fn lint(html: &str, doc: &Document) -> Vec<LintIssue> {
    let mut issues = Vec::new();
    let size = html.len();
    if size > GMAIL_CLIP_BYTES {
        let message = format!("the HTML is {size} bytes; Gmail clips messages over {GMAIL_CLIP_BYTES} bytes");
        issues.push(LintIssue::new(LintKind::ClippedByGmail, Severity::Error, message));
    } else if size > GMAIL_WARN_BYTES {
        let message = format!("the HTML is {size} bytes, close to Gmail's clipping limit of {GMAIL_CLIP_BYTES}");
        issues.push(LintIssue::new(LintKind::NearGmailClip, Severity::Warning, message));
    }
    for (_, block) in doc.walk() {
        if let BlockKind::Image { alt, .. } = &block.kind
            && alt.trim().is_empty()
        {
            issues.push(LintIssue {
                block_id: Some(block.id.clone()),
                ..LintIssue::new(LintKind::MissingAlt, Severity::Warning, "an image has no alt text".to_owned())
            });
        }
    }
    for tag in scan_tags(html) {
        check_tag(&tag, &mut issues);
    }
    issues
}

fn check_tag(tag: &Tag, issues: &mut Vec<LintIssue>) {
    if tag.name == "script" {
        issues.push(LintIssue::new(LintKind::Script, Severity::Error, "scripts are not allowed in email".to_owned()));
    }
    if tag.name == "img" && !tag.attrs.iter().any(|(name, _)| name == "alt") {
        issues.push(LintIssue::new(
            LintKind::MissingAlt,
            Severity::Warning,
            "an <img> has no alt attribute".to_owned(),
        ));
    }
    for (name, value) in &tag.attrs {
        if name.len() > 2 && name.starts_with("on") && name.bytes().all(|b| b.is_ascii_alphabetic()) {
            let message = format!("event handler attribute {name} on <{}> is not allowed", tag.name);
            issues.push(LintIssue::new(LintKind::EventHandler, Severity::Error, message));
        }
        let normalized = normalize_url(value);
        if normalized.starts_with("javascript:") || normalized.starts_with("vbscript:") {
            let message = format!("{name} on <{}> uses a script URL", tag.name);
            issues.push(LintIssue::new(LintKind::JavascriptUrl, Severity::Error, message));
        } else if (name == "href" || name == "src") && !is_absolute_url(value) {
            let shown: String = value.chars().take(80).collect();
            let message = format!("{name}={shown:?} on <{}> is not an absolute http(s), mailto: or tel: URL", tag.name);
            issues.push(LintIssue::new(LintKind::RelativeUrl, Severity::Error, message));
        }
    }
}

/// URLs that work from an inbox, or a merge tag the server fills in.
fn is_absolute_url(value: &str) -> bool {
    let v = value.trim();
    if v.starts_with("{{") {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
}

/// Lower-cased, with common entities decoded and whitespace and control characters removed,
/// the way browsers read a URL's scheme (`java&#115;cript :` is still `javascript:`).
fn normalize_url(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        if c == '&'
            && let Some((decoded, used)) = decode_entity(rest)
        {
            out.extend(decoded.to_lowercase());
            rest = &rest[used..];
            continue;
        }
        if !c.is_whitespace() && !c.is_control() {
            out.extend(c.to_lowercase());
        }
        rest = &rest[c.len_utf8()..];
    }
    out.retain(|c| !c.is_whitespace() && !c.is_control());
    out
}

/// Decodes one entity at the start of `s`: numeric or one of a few names used to hide
/// schemes. Returns the character and the bytes consumed.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let end = s.char_indices().take(12).find(|(_, c)| *c == ';').map(|(i, _)| i);
    let body = &s[1..end.unwrap_or(0).max(1)];
    let used = end.map_or(0, |e| e + 1);
    let decoded = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
    } else if let Some(dec) = body.strip_prefix('#') {
        dec.parse::<u32>().ok().and_then(char::from_u32)
    } else {
        match body {
            "colon" => Some(':'),
            "tab" => Some('\t'),
            "newline" => Some('\n'),
            "amp" => Some('&'),
            _ => None,
        }
    };
    decoded.filter(|_| used > 0).map(|c| (c, used))
}

/// A start tag: lower-cased name and attributes (lower-cased names, raw values).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// Every start tag of `html`, including those inside comments (Outlook's conditional
/// comments hold real markup). Quoted values may contain `>` and merge tags.
fn scan_tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at + 1;
        if !bytes.get(i).is_some_and(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        let name_end =
            i + html[i..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':').count();
        let mut tag = Tag { name: html[i..name_end].to_ascii_lowercase(), attrs: Vec::new() };
        i = name_end;
        loop {
            while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/') {
                i += 1;
            }
            match bytes.get(i) {
                None => break,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(_) => {}
            }
            let attr_end = i + html[i..]
                .bytes()
                .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
                .count();
            let name = html[i..attr_end].to_ascii_lowercase();
            i = attr_end.max(i + 1).min(html.len());
            while !html.is_char_boundary(i) {
                i += 1;
            }
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                let end = attribute_value_end(html, i);
                let raw = &html[i..end];
                value = raw.trim_matches(|c| c == '"' || c == '\'').to_owned();
                i = end;
            }
            if !name.is_empty() {
                tag.attrs.push((name, value));
            }
        }
        tags.push(tag);
    }
    tags
}

/// End (exclusive) of an attribute value starting at `start`: the closing quote for quoted
/// values (merge tags inside skipped whole), else the next space or `>`.
fn attribute_value_end(html: &str, start: usize) -> usize {
    let bytes = html.as_bytes();
    let quote = match bytes.get(start) {
        Some(q @ (b'"' | b'\'')) => Some(*q),
        _ => None,
    };
    let mut i = if quote.is_some() { start + 1 } else { start };
    while i < bytes.len() {
        if bytes[i..].starts_with(b"{{") {
            i = html[i..].find("}}").map_or(bytes.len(), |at| i + at + 2);
            continue;
        }
        match quote {
            Some(q) if bytes[i] == q => return i + 1,
            None if bytes[i].is_ascii_whitespace() || bytes[i] == b'>' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{Block, RichText};

    fn kinds(html: &str) -> Vec<LintKind> {
        lint(html, &Document::blank()).into_iter().map(|i| i.kind).collect()
    }

    #[test]
    fn size_near_and_over_the_gmail_clip_is_reported() {
        assert_eq!(kinds(&"x".repeat(GMAIL_WARN_BYTES + 1)), vec![LintKind::NearGmailClip]);
        let issues = lint(&"x".repeat(GMAIL_CLIP_BYTES + 1), &Document::blank());
        assert_eq!(issues.len(), 1);
        assert!(issues[0].is_error() && issues[0].kind == LintKind::ClippedByGmail);
        assert!(kinds(&"x".repeat(GMAIL_WARN_BYTES)).is_empty());
    }

    #[test]
    fn scripts_handlers_and_script_urls_are_errors() {
        assert_eq!(kinds("<div><SCRIPT src=\"https://x.example/a.js\"></SCRIPT></div>"), vec![LintKind::Script]);
        assert_eq!(kinds("<!--[if mso]><script>x()</script><![endif]-->"), vec![LintKind::Script]);
        assert_eq!(
            kinds("<img alt=\"\" src=\"https://x.example/a.png\" OnError=\"x()\">"),
            vec![LintKind::EventHandler]
        );
        assert_eq!(kinds("<a href=\" JavaScript:alert(1)\">x</a>"), vec![LintKind::JavascriptUrl]);
        assert_eq!(kinds("<a href=\"java&#115;cript&colon;alert(1)\">x</a>"), vec![LintKind::JavascriptUrl]);
        assert_eq!(kinds("<a href=\"java\tscript:x\">x</a>"), vec![LintKind::JavascriptUrl]);
        assert!(kinds("<p>about javascript: and onclick=</p>").is_empty());
    }

    #[test]
    fn links_and_images_must_be_absolute_or_merge_tags() {
        let ok = "<a href=\"https://a.example/x?a=1&amp;b=2\">a</a><a href=\"mailto:a@b.example\">m</a>\
                  <img alt=\"logo\" src=\"{{ site_url | default: \"https://x>y\" }}/static/logo.png\">\
                  <a href=\"{{ unsubscribe_url }}\">u</a><a href='tel:+1555'>t</a>";
        assert!(kinds(ok).is_empty(), "{:?}", lint(ok, &Document::blank()));
        assert_eq!(kinds("<a href=\"/media/x.png\">a</a>"), vec![LintKind::RelativeUrl]);
        assert_eq!(kinds("<img alt=\"x\" src=\"media/x.png\">"), vec![LintKind::RelativeUrl]);
        assert_eq!(
            kinds("<a href=\"\">a</a><a href=\"https://\">b</a>"),
            vec![LintKind::RelativeUrl, LintKind::RelativeUrl]
        );
    }

    #[test]
    fn images_need_alt_text() {
        assert_eq!(kinds("<img src=\"https://a.example/x.png\">"), vec![LintKind::MissingAlt]);
        let mut doc = Document::blank();
        doc.blocks.push(Block::new(
            "pic",
            BlockKind::Image { src: "https://a.example/x.png".into(), alt: String::new(), href: None, width: None },
        ));
        doc.blocks.push(Block::new("t", BlockKind::Text { text: RichText::plain("é") }));
        let issues = lint("<p>é ✓</p>", &doc);
        assert_eq!(issues.len(), 1);
        assert_eq!((issues[0].kind, issues[0].block_id.as_deref()), (LintKind::MissingAlt, Some("pic")));
    }
}
