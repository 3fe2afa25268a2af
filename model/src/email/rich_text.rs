//! Formatted text as the editor's text blocks hold it: paragraphs and list items made of
//! runs with bold, italic and links. Deliberately small — anything richer than this does not
//! survive the trip through mail clients, and a closed set renders identically to HTML and
//! to the plain-text part.

use serde::{Deserialize, Serialize};

/// The text of a text, heading or footer block. Merge tags may appear in any run's text
/// and link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RichText {
    pub paragraphs: Vec<Paragraph>,
}

/// One paragraph or list item; consecutive items of the same list kind form one list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    #[serde(default)]
    pub kind: ParagraphKind,
    pub runs: Vec<Inline>,
}

/// Whether a paragraph is plain or an item of a bulleted or numbered list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphKind {
    #[default]
    Plain,
    Bullet,
    Numbered,
}

/// A stretch of text with one formatting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inline {
    pub text: String,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub italic: bool,
    /// Target of the link, when the run is one.
    #[serde(default)]
    pub link: Option<String>,
}

impl Inline {
    /// Unformatted text.
    pub fn plain(text: &str) -> Self {
        Inline { text: text.to_owned(), ..Inline::default() }
    }

    /// Bold text.
    pub fn bold(text: &str) -> Self {
        Inline { text: text.to_owned(), bold: true, ..Inline::default() }
    }

    /// A link.
    pub fn link(text: &str, href: &str) -> Self {
        Inline { text: text.to_owned(), link: Some(href.to_owned()), ..Inline::default() }
    }
}

impl Paragraph {
    /// A plain paragraph from runs.
    pub fn new(runs: Vec<Inline>) -> Self {
        Paragraph { kind: ParagraphKind::Plain, runs }
    }

    /// A list item of `kind`.
    pub fn item(kind: ParagraphKind, text: &str) -> Self {
        Paragraph { kind, runs: vec![Inline::plain(text)] }
    }

    /// True when no run has visible text.
    pub fn is_blank(&self) -> bool {
        self.runs.iter().all(|r| r.text.trim().is_empty())
    }
}

impl RichText {
    /// Unformatted text; each non-empty line becomes a paragraph (the way people type
    /// starters and API payloads).
    pub fn plain(text: &str) -> Self {
        let paragraphs = text
            .lines()
            .map(str::trim_end)
            .filter(|line| !line.trim().is_empty())
            .map(|line| Paragraph::new(vec![Inline::plain(line)]))
            .collect();
        RichText { paragraphs }
    }

    /// Text made of explicit paragraphs.
    pub fn from_paragraphs(paragraphs: Vec<Paragraph>) -> Self {
        RichText { paragraphs }
    }

    /// True when nothing would be shown.
    pub fn is_blank(&self) -> bool {
        self.paragraphs.iter().all(Paragraph::is_blank)
    }

    /// Every run, in reading order (validation and merge-field scans).
    pub fn runs(&self) -> impl Iterator<Item = &Inline> {
        self.paragraphs.iter().flat_map(|p| p.runs.iter())
    }

    /// The text without formatting, paragraphs separated by newlines (block previews in the
    /// editor's outline).
    pub fn to_plain_string(&self) -> String {
        let mut out = String::new();
        for (i, p) in self.paragraphs.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            for run in &p.runs {
                out.push_str(&run.text);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_makes_one_paragraph_per_line() {
        let t = RichText::plain("Hi {{ first_name }},\n\nThanks for reading.\n");
        assert_eq!(t.paragraphs.len(), 2);
        assert_eq!(t.to_plain_string(), "Hi {{ first_name }},\nThanks for reading.");
        assert!(RichText::plain("  \n ").is_blank());
    }

    #[test]
    fn rich_text_serialises_as_a_list_of_paragraphs() {
        let t = RichText::from_paragraphs(vec![
            Paragraph::new(vec![Inline::bold("Big"), Inline::link(" news", "https://example.com")]),
            Paragraph::item(ParagraphKind::Bullet, "one"),
        ]);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json[0]["runs"][1]["link"], "https://example.com");
        assert_eq!(json[1]["kind"], "bullet");
        let minimal: RichText = serde_json::from_str(r#"[{"runs":[{"text":"x"}]}]"#).unwrap();
        assert_eq!(minimal, RichText::plain("x"));
        assert_eq!(t.runs().count(), 3);
    }
}
