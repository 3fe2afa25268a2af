//! Writing user text and values into MJML without letting them change its structure.
//!
//! mrml copies element text through unchanged and writes attribute values back with Rust's
//! `{:?}` string formatting, which would turn `"` into `\"` and some Unicode into `\u{…}`.
//! So attribute values are reduced to printable ASCII here (everything else becomes a
//! numeric character reference, which HTML decodes), CSS values are checked against a
//! strict character set, and characters that are not legal XML are dropped before mrml's
//! XML tokenizer sees them.
//!
//! `~` is always written as `&#126;`: a raw `~` in the MJML can only come from a slot
//! marker (see [`super::mjml`]), never from user text.

/// Start of a slot marker: `~bm~<index>~`.
pub(crate) const SLOT_MARK: &str = "~bm~";

/// Characters XML allows in documents (mrml's tokenizer rejects the others).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The entity MJML text and attributes get for `c`: the HTML ones, and `~` (slot markers).
fn mjml_entity(c: char) -> Option<&'static str> {
    if c == '~' { Some("&#126;") } else { super::merge::html_entity(c) }
}

/// Appends user text as MJML element text.
pub(crate) fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match mjml_entity(c) {
            Some(entity) => out.push_str(entity),
            None if is_xml_char(c) => out.push(c),
            None => {}
        }
    }
}

/// Appends user text as the inside of a double-quoted MJML attribute.
pub(crate) fn push_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        if let Some(entity) = mjml_entity(c) {
            out.push_str(entity);
            continue;
        }
        match c {
            '\\' => out.push_str("&#92;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c if is_xml_char(c) => {
                out.push_str("&#x");
                out.push_str(&format!("{:X}", u32::from(c)));
                out.push(';');
            }
            _ => {}
        }
    }
}

/// True for the CSS colours the editor offers: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`,
/// `rgb()`/`rgba()`/`hsl()`/`hsla()` with numbers, and plain colour names.
pub fn is_css_color(value: &str) -> bool {
    let v = value.trim();
    if let Some(hex) = v.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    for function in ["rgb(", "rgba(", "hsl(", "hsla("] {
        if let Some(args) = v.strip_prefix(function) {
            return args.len() <= 48
                && args.strip_suffix(')').is_some_and(|inner| {
                    !inner.is_empty()
                        && inner.bytes().all(|b| b.is_ascii_digit() || b" .,%/-".contains(&b) || b"deg".contains(&b))
                });
        }
    }
    (3..=24).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphabetic())
}

/// `value` when it is a valid colour, else `fallback` (rendering never fails on a typo; the
/// validator reports it).
pub(crate) fn color_or<'a>(value: &'a str, fallback: &'a str) -> &'a str {
    if is_css_color(value) { value.trim() } else { fallback }
}

/// A font stack reduced to characters that cannot leave a CSS value (letters, digits,
/// spaces, commas, hyphens, single quotes); empty results fall back to the default stack.
pub(crate) fn font_family(value: &str) -> String {
    let kept: String = value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '-' | '\'' | '_'))
        .take(200)
        .collect();
    if kept.trim().is_empty() { super::document::DEFAULT_FONT_FAMILY.to_owned() } else { kept.trim().to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping_neutralises_markup_and_markers() {
        let mut out = String::new();
        push_text(&mut out, "a<b>&\"c\" ~bm~0~ é\u{0}");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&quot; &#126;bm&#126;0&#126; é");
    }

    #[test]
    fn attribute_escaping_keeps_values_printable_ascii() {
        let mut out = String::new();
        push_attr(&mut out, "x\"y\\z\né\u{301}");
        assert_eq!(out, "x&quot;y&#92;z &#xE9;&#x301;");
    }

    #[test]
    fn colours_are_checked() {
        for ok in ["#fff", "#FFFFFF", "#11223344", "rgb(1, 2, 3)", "rgba(0,0,0,0.5)", "hsl(10deg 50% 50%)", "tomato"] {
            assert!(is_css_color(ok), "{ok}");
        }
        for bad in ["", "#ffff0", "red;background:url(x)", "rgb(1,2,3);x", "expression(alert(1))", "\"red\""] {
            assert!(!is_css_color(bad), "{bad}");
        }
        assert_eq!(color_or("nope;", "#000"), "#000");
    }

    #[test]
    fn font_stacks_cannot_escape_their_css_value() {
        assert_eq!(font_family("'Open Sans', Arial;}</style>"), "'Open Sans', Arialstyle");
        assert_eq!(font_family("\";{}"), super::super::document::DEFAULT_FONT_FAMILY);
    }
}
