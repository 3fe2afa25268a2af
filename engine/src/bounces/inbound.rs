//! A flat, owned view of one inbound message: the few headers the parsers need and its
//! MIME parts, each with decoded text. Built once with mail-parser so every format parser
//! works on plain strings with LF line endings.

use mail_parser::{MessageParser, MimeHeaders, PartType};

use super::error::BounceError;
use super::text;

/// What kind of MIME part a [`PartView`] is, as far as bounce parsing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// `text/plain` (or no content type).
    Plain,
    /// `text/html`, kept as text with tags removed.
    Html,
    /// `message/delivery-status` or `message/global-delivery-status`.
    DeliveryStatus,
    /// `message/feedback-report`.
    FeedbackReport,
    /// `message/rfc822` or `message/global`: the returned original.
    Rfc822,
    /// `text/rfc822-headers` or `message/rfc822-headers`: the original's header only.
    Rfc822Headers,
    /// Anything else (images, other text subtypes, binary attachments).
    Other,
}

/// One leaf part of the outer message (parts inside a returned original are not listed).
#[derive(Debug, Clone)]
pub struct PartView {
    /// The lower-cased `type/subtype`.
    pub content_type: String,
    /// The part's classification.
    pub kind: PartKind,
    /// Decoded text with LF line endings (empty for binary parts).
    pub text: String,
    /// For returned originals: their header fields (name as written, raw unfolded value).
    pub headers: Vec<(String, String)>,
}

/// The outer message reduced to what the bounce parsers read.
#[derive(Debug, Clone, Default)]
pub struct Inbound {
    /// Top-level header fields in order: (name as written, unfolded raw value).
    pub headers: Vec<(String, String)>,
    /// Decoded Subject, or "".
    pub subject: String,
    /// The From address, lower-cased, or "".
    pub from: String,
    /// The `report-type` parameter of a top-level multipart/report, lower-cased, or "".
    pub report_type: String,
    /// Leaf parts in document order.
    pub parts: Vec<PartView>,
}

impl Inbound {
    /// Parses raw bytes (CRLF or LF). Fails only when there is no header section at all.
    pub fn parse(raw: &[u8]) -> Result<Self, BounceError> {
        // mail-parser 0.11 has a `debug_assert!` that fires on some malformed nestings of
        // message/rfc822 parts (found by fuzzing); in builds with debug assertions it would
        // panic. Such input is treated as unreadable instead.
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| MessageParser::default().parse(raw)));
        let message = parsed.ok().flatten().ok_or(BounceError::NotAMessage)?;
        let headers = raw_headers(message.headers_raw());
        if headers.is_empty() {
            return Err(BounceError::NotAMessage);
        }
        let subject = message.subject().unwrap_or_default().to_string();
        let from = message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
        let report_type = message
            .root_part()
            .content_type()
            .filter(|ct| ct.ctype().eq_ignore_ascii_case("multipart"))
            .and_then(|ct| ct.attribute("report-type"))
            .map(|v| v.to_ascii_lowercase())
            .unwrap_or_default();
        let mut parts = Vec::new();
        for part in &message.parts {
            let content_type = part
                .content_type()
                .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase())
                .unwrap_or_else(|| "text/plain".to_string());
            let kind = match content_type.as_str() {
                "message/delivery-status" | "message/global-delivery-status" => PartKind::DeliveryStatus,
                "message/feedback-report" => PartKind::FeedbackReport,
                "message/rfc822" | "message/global" | "message/partial" => PartKind::Rfc822,
                "text/rfc822-headers" | "message/rfc822-headers" | "text/rfc822-header" => PartKind::Rfc822Headers,
                "text/plain" | "text/" | "message/" => PartKind::Plain,
                "text/html" => PartKind::Html,
                // A multipart without a usable boundary arrives as one leaf: read it as text.
                ct if ct.starts_with("multipart/") => PartKind::Plain,
                _ => PartKind::Other,
            };
            let (text, headers) = match &part.body {
                PartType::Multipart(_) => continue,
                PartType::Message(nested) => {
                    let hs = raw_headers(nested.headers_raw());
                    let body = nested.body_text(0).map(|b| text::normalize_newlines(&b)).unwrap_or_default();
                    (body, hs)
                }
                PartType::Text(t) => (text::normalize_newlines(t), Vec::new()),
                PartType::Html(h) => (html_to_text(&text::normalize_newlines(h)), Vec::new()),
                PartType::Binary(b) | PartType::InlineBinary(b) => {
                    (text::normalize_newlines(&String::from_utf8_lossy(b)), Vec::new())
                }
            };
            let (kind, headers) = match kind {
                // A returned original that mail-parser could not open as a message, or a
                // header-only part: read its header section ourselves.
                PartKind::Rfc822 | PartKind::Rfc822Headers if headers.is_empty() => (kind, header_section(&text)),
                _ => (kind, headers),
            };
            parts.push(PartView { content_type, kind, text, headers });
        }
        Ok(Self { headers, subject, from, report_type, parts })
    }

    /// The unfolded raw value of the first top-level header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first part of the given kind.
    pub fn part(&self, kind: PartKind) -> Option<&PartView> {
        self.parts.iter().find(|p| p.kind == kind)
    }

    /// The human-readable text of the report: text parts that come before the returned
    /// original, joined. For a single-part message this is the whole body.
    pub fn human_text(&self) -> String {
        let mut out = String::new();
        let mut seen_plain = false;
        for part in &self.parts {
            match part.kind {
                PartKind::Rfc822 | PartKind::Rfc822Headers => break,
                PartKind::Plain => {
                    seen_plain = true;
                    out.push_str(&part.text);
                    out.push('\n');
                }
                PartKind::Html if !seen_plain => {
                    out.push_str(&part.text);
                    out.push('\n');
                }
                _ => {}
            }
        }
        out
    }

    /// The returned original's header fields, from an attached part if there is one.
    pub fn original_headers(&self) -> Vec<(String, String)> {
        self.parts
            .iter()
            .find(|p| matches!(p.kind, PartKind::Rfc822 | PartKind::Rfc822Headers) && !p.headers.is_empty())
            .map(|p| p.headers.clone())
            .unwrap_or_default()
    }
}

fn raw_headers<'a>(it: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    it.map(|(n, v)| (n.trim().to_string(), unfold(v))).collect()
}

/// Joins folded header lines into one line.
pub fn unfold(v: &str) -> String {
    v.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Reads the header section at the start of `text` (up to the first blank line) as
/// `(name, unfolded value)` pairs. Used for header-only parts and pasted originals.
pub fn header_section(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some(colon) = line.find(':')
            && let (Some(name), Some(value)) = (line.get(..colon), line.get(colon + 1..))
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            out.push((name.to_string(), value.trim().to_string()));
        }
    }
    out
}

/// Strips tags and the commonest entities: enough to read an HTML-only bounce notice.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        if in_tag {
            if c == '>' {
                in_tag = false;
                let t = tag.to_ascii_lowercase();
                if t.starts_with("br")
                    || t.starts_with("/p")
                    || t.starts_with("/div")
                    || t.starts_with("/tr")
                    || t.starts_with("p")
                {
                    out.push('\n');
                }
                tag.clear();
            } else {
                tag.push(c);
            }
        } else if c == '<' {
            in_tag = true;
        } else {
            out.push(c);
        }
    }
    out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_parts_and_headers() {
        let raw = b"From: MAILER-DAEMON@example.org\r\nSubject: x\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; a@b.example\r\n--b--\r\n";
        let inbound = Inbound::parse(raw);
        assert!(inbound.is_ok());
        let inbound = inbound.unwrap_or_default();
        assert_eq!(inbound.report_type, "delivery-status");
        assert_eq!(inbound.from, "mailer-daemon@example.org");
        assert!(inbound.part(PartKind::DeliveryStatus).is_some_and(|p| p.text.contains("a@b.example")));
    }

    #[test]
    fn html_is_flattened() {
        assert_eq!(html_to_text("<p>a&amp;b</p>c"), "\na&b\nc");
    }
}
