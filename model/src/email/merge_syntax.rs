//! The syntax of merge tags: `{{ name }}` and `{{ name | default: "text" }}`, parsed with
//! byte-precise errors so the editor can underline the exact spot.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::merge::Piece;

/// Longest field name accepted; longer names are typos or abuse.
pub const MAX_NAME_LEN: usize = 64;
/// Why a text is not a valid template. Offsets are byte positions in the parsed text, so the
/// editor can point at the exact place.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MergeError {
    #[error("the merge tag opened at byte {offset} is not closed with }}}}")]
    Unterminated { offset: usize },
    #[error("expected a field name at byte {offset}")]
    ExpectedName { offset: usize },
    #[error("{name:?} at byte {offset} is not a valid field name")]
    InvalidName { name: String, offset: usize },
    #[error("unknown filter {filter:?} at byte {offset}: only `default` is supported")]
    UnknownFilter { filter: String, offset: usize },
    #[error("expected `:` after `default` at byte {offset}")]
    ExpectedColon { offset: usize },
    #[error("expected a double-quoted text at byte {offset}")]
    ExpectedString { offset: usize },
    #[error("the text opened at byte {offset} has no closing quote")]
    UnterminatedString { offset: usize },
    #[error("unknown escape at byte {offset}: only \\\" and \\\\ are allowed")]
    InvalidEscape { offset: usize },
    #[error("unexpected {found:?} at byte {offset}, expected }}}}")]
    Unexpected { found: char, offset: usize },
}

impl MergeError {
    /// Where in the text the problem is (byte offset).
    pub fn offset(&self) -> usize {
        match self {
            Self::Unterminated { offset }
            | Self::ExpectedName { offset }
            | Self::InvalidName { offset, .. }
            | Self::UnknownFilter { offset, .. }
            | Self::ExpectedColon { offset }
            | Self::ExpectedString { offset }
            | Self::UnterminatedString { offset }
            | Self::InvalidEscape { offset }
            | Self::Unexpected { offset, .. } => *offset,
        }
    }
}
/// Splits `source` into text and tags; every `{{` starts a tag.
pub(crate) fn parse_pieces(source: &str) -> Result<Vec<Piece>, MergeError> {
    let mut pieces = Vec::new();
    let mut pos = 0;
    while let Some(found) = source[pos..].find("{{") {
        let open = pos + found;
        if open > pos {
            pieces.push(Piece::Text(source[pos..open].to_owned()));
        }
        let mut tag = TagParser { src: source, pos: open + 2, open };
        pieces.push(tag.parse()?);
        pos = tag.pos;
    }
    if pos < source.len() {
        pieces.push(Piece::Text(source[pos..].to_owned()));
    }
    Ok(pieces)
}

/// Writes one tag in canonical syntax.
pub fn push_tag_source(out: &mut String, name: &str, default: Option<&str>) {
    out.push_str("{{ ");
    out.push_str(name);
    if let Some(default) = default {
        out.push_str(" | default: \"");
        for c in default.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push_str(" }}");
}
/// Reads one tag; `pos` starts right after `{{` and ends right after `}}`.
struct TagParser<'a> {
    src: &'a str,
    pos: usize,
    open: usize,
}

impl TagParser<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek().filter(|c| keep(*c)) {
            self.pos += c.len_utf8();
        }
        &self.src[start..self.pos]
    }

    fn unexpected(&self) -> MergeError {
        match self.peek() {
            Some(found) => MergeError::Unexpected { found, offset: self.pos },
            None => MergeError::Unterminated { offset: self.open },
        }
    }

    fn parse(&mut self) -> Result<Piece, MergeError> {
        self.skip_space();
        let name_at = self.pos;
        let name = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.').to_owned();
        if name.is_empty() {
            return Err(match self.peek() {
                None => MergeError::Unterminated { offset: self.open },
                Some(_) => MergeError::ExpectedName { offset: name_at },
            });
        }
        if !is_field_name(&name) {
            return Err(MergeError::InvalidName { name, offset: name_at });
        }
        self.skip_space();
        let mut default = None;
        if self.peek() == Some('|') {
            self.pos += 1;
            self.skip_space();
            let filter_at = self.pos;
            let filter = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_').to_owned();
            if filter != "default" {
                if filter.is_empty() && self.peek().is_none() {
                    return Err(MergeError::Unterminated { offset: self.open });
                }
                return Err(MergeError::UnknownFilter { filter, offset: filter_at });
            }
            self.skip_space();
            match self.peek() {
                Some(':') => self.pos += 1,
                Some(_) => return Err(MergeError::ExpectedColon { offset: self.pos }),
                None => return Err(MergeError::Unterminated { offset: self.open }),
            }
            self.skip_space();
            match self.peek() {
                Some('"') => default = Some(self.string()?),
                Some(_) => return Err(MergeError::ExpectedString { offset: self.pos }),
                None => return Err(MergeError::Unterminated { offset: self.open }),
            }
            self.skip_space();
        }
        if self.src[self.pos..].starts_with("}}") {
            self.pos += 2;
            Ok(Piece::Tag { name, default })
        } else {
            Err(self.unexpected())
        }
    }

    /// Reads a double-quoted text starting at the opening quote.
    fn string(&mut self) -> Result<String, MergeError> {
        let quote_at = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(MergeError::UnterminatedString { offset: quote_at });
            };
            let at = self.pos;
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(value),
                '\\' => match self.peek() {
                    Some(e @ ('"' | '\\')) => {
                        self.pos += 1;
                        value.push(e);
                    }
                    Some(_) => return Err(MergeError::InvalidEscape { offset: at }),
                    None => return Err(MergeError::UnterminatedString { offset: quote_at }),
                },
                c => value.push(c),
            }
        }
    }
}

/// Field names: `[A-Za-z0-9_.]`, at most [`MAX_NAME_LEN`], dots only between segments.
pub fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        && name.split('.').all(|segment| !segment.is_empty())
}

#[cfg(test)]
mod tests {
    use crate::email::{Escape, MergeError, Piece, Template};

    fn html(src: &str) -> String {
        let lookup = |name: &str| match name {
            "first_name" => Some("Ann".to_owned()),
            "contact.plan" => Some("pro".to_owned()),
            _ => None,
        };
        Template::parse(src).unwrap().render(&lookup, Escape::Html)
    }

    #[test]
    fn tags_are_split_from_text_and_whitespace_is_tolerated() {
        let t = Template::parse("Hi {{first_name}}, {{  contact.plan\n}}!").unwrap();
        assert_eq!(
            t.pieces(),
            &[
                Piece::Text("Hi ".to_owned()),
                Piece::tag("first_name"),
                Piece::Text(", ".to_owned()),
                Piece::tag("contact.plan"),
                Piece::Text("!".to_owned()),
            ]
        );
        assert_eq!(html("Hi {{first_name}} ({{ contact.plan }})"), "Hi Ann (pro)");
    }

    #[test]
    fn unterminated_tags_report_where_they_open() {
        assert_eq!(Template::parse("Hello {{ name"), Err(MergeError::Unterminated { offset: 6 }));
        assert_eq!(Template::parse("ab {{"), Err(MergeError::Unterminated { offset: 3 }));
        assert_eq!(Template::parse("x {{ a | default: \"b\""), Err(MergeError::Unterminated { offset: 2 }));
        assert_eq!(Template::parse("{{ a | default: \"b"), Err(MergeError::UnterminatedString { offset: 16 }));
        assert_eq!(Template::parse("{{ a } }}"), Err(MergeError::Unexpected { found: '}', offset: 5 }));
    }

    #[test]
    fn syntax_errors_are_precise() {
        assert_eq!(Template::parse("{{ | x }}"), Err(MergeError::ExpectedName { offset: 3 }));
        assert_eq!(
            Template::parse("{{ a | upcase }}"),
            Err(MergeError::UnknownFilter { filter: "upcase".into(), offset: 7 })
        );
        assert_eq!(Template::parse("{{ a | default \"x\" }}"), Err(MergeError::ExpectedColon { offset: 15 }));
        assert_eq!(Template::parse("{{ a | default: x }}"), Err(MergeError::ExpectedString { offset: 16 }));
        assert_eq!(Template::parse(r#"{{ a | default: "\n" }}"#), Err(MergeError::InvalidEscape { offset: 17 }));
        assert_eq!(Template::parse("{{ a..b }}"), Err(MergeError::InvalidName { name: "a..b".into(), offset: 3 }));
        assert_eq!(Template::parse("{{ first-name }}"), Err(MergeError::Unexpected { found: '-', offset: 8 }));
        assert_eq!(MergeError::UnknownFilter { filter: "x".into(), offset: 4 }.offset(), 4);
    }

    #[test]
    fn multibyte_text_around_tags_keeps_offsets_in_bytes() {
        assert_eq!(html("héllo {{ first_name }} ✓"), "héllo Ann ✓");
        assert_eq!(Template::parse("é {{ x"), Err(MergeError::Unterminated { offset: 3 }));
    }
}
