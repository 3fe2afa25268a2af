//! Merge tags: the small, safe template language used in every text of an email.
//!
//! `{{ first_name }}`, `{{ contact.plan }}` and `{{ first_name | default: "there" }}` are
//! the whole language: a name (`[A-Za-z0-9_.]`), optionally one `default` filter with a
//! double-quoted string (`\"` and `\\` escape). There are no loops, conditions or
//! expressions, so a template can be checked completely when it is saved and rendered for
//! millions of recipients without surprises.
//!
//! Values are inserted as text and never parsed again: a contact named `{{x}}` or
//! `<script>` appears literally (HTML-escaped in the HTML part).

use serde::{Deserialize, Serialize};

use super::merge_syntax::parse_pieces;
pub use super::merge_syntax::{MAX_NAME_LEN, MergeError, is_field_name, push_tag_source};

/// One part of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Piece {
    /// Literal text, copied as it is.
    Text(String),
    /// A merge field, replaced per recipient.
    Tag {
        name: String,
        /// Used when the recipient has no (or an empty) value for `name`.
        default: Option<String>,
    },
}

impl Piece {
    /// A merge field without default, as the renderer inserts its own tags (unsubscribe link).
    pub fn tag(name: &str) -> Self {
        Piece::Tag { name: name.to_owned(), default: None }
    }
}

/// How values are written into the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// For the HTML part: `&`, `<`, `>`, `"` and `'` become entities, so a value is safe in
    /// element text and in quoted attributes alike.
    Html,
    /// For the plain-text part: values are written as they are.
    None,
}

impl Escape {
    fn write(self, out: &mut String, value: &str) {
        match self {
            Escape::Html => push_html_escaped(out, value),
            Escape::None => out.push_str(value),
        }
    }
}

/// The entity for one of the five HTML-significant characters; the one table every escaper
/// of this crate (merge values, MJML text and attributes) starts from.
pub(crate) fn html_entity(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    }
}

/// Appends `value` with the five HTML-significant characters replaced by entities.
pub fn push_html_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match html_entity(c) {
            Some(entity) => out.push_str(entity),
            None => out.push(c),
        }
    }
}
/// A text split into literal pieces and merge fields, parsed once and rendered per recipient.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pieces: Vec<Piece>,
}

impl Template {
    /// Parses `source`; every `{{` starts a tag.
    pub fn parse(source: &str) -> Result<Template, MergeError> {
        Ok(Template { pieces: parse_pieces(source)? })
    }

    /// Builds a template from pieces made elsewhere (the renderer), joining adjacent texts.
    pub fn from_pieces(pieces: impl IntoIterator<Item = Piece>) -> Template {
        let mut out: Vec<Piece> = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Text(t) if t.is_empty() => {}
                Piece::Text(t) => match out.last_mut() {
                    Some(Piece::Text(prev)) => prev.push_str(&t),
                    _ => out.push(Piece::Text(t)),
                },
                tag => out.push(tag),
            }
        }
        Template { pieces: out }
    }

    /// The parsed pieces, in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Consumes the template, for splicing it into a larger one.
    pub fn into_pieces(self) -> Vec<Piece> {
        self.pieces
    }

    /// The field names used, each once, in order of first use (for the "missing merge fields"
    /// check before sending).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for piece in &self.pieces {
            if let Piece::Tag { name, .. } = piece
                && !names.contains(&name.as_str())
            {
                names.push(name.as_str());
            }
        }
        names
    }

    /// Renders for one recipient. A missing or empty value falls back to the tag's default,
    /// then to the empty string; values (and defaults) are escaped with `escape`.
    pub fn render(&self, lookup: &dyn Fn(&str) -> Option<String>, escape: Escape) -> String {
        let literal: usize = self.pieces.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 16 }).sum();
        let mut out = String::with_capacity(literal + literal / 16);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Tag { name, default } => {
                    let value = lookup(name.as_str()).filter(|v| !v.is_empty());
                    let value = value.as_deref().or(default.as_deref()).unwrap_or("");
                    escape.write(&mut out, value);
                }
            }
        }
        out
    }

    /// The template written back in canonical syntax (`{{ name | default: "…" }}`).
    pub fn to_source(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Tag { name, default } => push_tag_source(&mut out, name, default.as_deref()),
            }
        }
        out
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str) -> Option<String> {
        match name {
            "first_name" => Some("Ann".to_owned()),
            "contact.plan" => Some("pro".to_owned()),
            "evil" => Some("<script>alert(1)</script>".to_owned()),
            "braces" => Some("{{ first_name }}".to_owned()),
            "quote" => Some("O'Brien & \"Co\"".to_owned()),
            "empty" => Some(String::new()),
            _ => None,
        }
    }

    fn html(src: &str) -> String {
        Template::parse(src).unwrap().render(&contact, Escape::Html)
    }

    #[test]
    fn text_without_tags_is_one_piece() {
        let t = Template::parse("Hello, world { not a tag } }}").unwrap();
        assert_eq!(t.pieces(), &[Piece::Text("Hello, world { not a tag } }}".to_owned())]);
        assert!(Template::parse("").unwrap().pieces().is_empty());
    }

    #[test]
    fn missing_values_render_empty_or_the_default() {
        assert_eq!(html("Hi {{ last_name }}!"), "Hi !");
        assert_eq!(html(r#"Hi {{ last_name | default: "there" }}!"#), "Hi there!");
        assert_eq!(html(r#"Hi {{ empty | default: "there" }}!"#), "Hi there!");
        assert_eq!(html(r#"Hi {{ first_name|default:"there" }}!"#), "Hi Ann!");
    }

    #[test]
    fn defaults_may_contain_escaped_quotes_braces_and_backslashes() {
        let t = Template::parse(r#"{{ x | default: "say \"hi\" }} \\ ok" }}"#).unwrap();
        assert_eq!(t.pieces(), &[Piece::Tag { name: "x".to_owned(), default: Some(r#"say "hi" }} \ ok"#.to_owned()) }]);
        assert_eq!(t.render(&contact, Escape::None), r#"say "hi" }} \ ok"#);
        assert_eq!(t.render(&contact, Escape::Html), "say &quot;hi&quot; }} \\ ok");
        // Canonical source parses back to the same template.
        assert_eq!(Template::parse(&t.to_source()).unwrap(), t);
    }

    #[test]
    fn values_are_html_escaped_only_in_html() {
        assert_eq!(html("{{ evil }}"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(html("{{ quote }}"), "O&#39;Brien &amp; &quot;Co&quot;");
        let t = Template::parse("{{ evil }}").unwrap();
        assert_eq!(t.render(&contact, Escape::None), "<script>alert(1)</script>");
        assert_eq!(html(r#"{{ nope | default: "a&b" }}"#), "a&amp;b");
    }

    #[test]
    fn values_are_never_parsed_as_tags() {
        assert_eq!(html("{{ braces }}"), "{{ first_name }}");
        let t = Template::parse("{{ braces }}").unwrap();
        assert_eq!(t.render(&contact, Escape::None), "{{ first_name }}");
    }

    #[test]
    fn names_are_listed_once_in_order() {
        let t = Template::parse("{{ b }} {{ a }} {{ b | default: \"x\" }}").unwrap();
        assert_eq!(t.names(), vec!["b", "a"]);
    }

    #[test]
    fn from_pieces_joins_adjacent_text() {
        let t = Template::from_pieces([
            Piece::Text("a".into()),
            Piece::Text(String::new()),
            Piece::Text("b".into()),
            Piece::tag("x"),
            Piece::Text("c".into()),
        ]);
        assert_eq!(t.pieces().len(), 3);
        assert_eq!(t.to_source(), "ab{{ x }}c");
    }
}
