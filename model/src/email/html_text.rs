//! Hand-written HTML (raw-HTML blocks) reduced to readable text for the plain-text part:
//! tags dropped, block ends turned into paragraph breaks, common entities decoded, merge
//! tags kept (also those inside attributes are dropped with their tag). Not an HTML parser —
//! just enough that a raw block does not vanish from, or litter, the text version.

/// Tags whose end starts a new paragraph.
const BLOCK_TAGS: [&str; 12] = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol"];

/// The text of `html`; paragraphs are separated by one blank line.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        let end = tag_end(rest);
        let name = tag_name(&rest[..end]);
        rest = &rest[end..];
        match name.as_str() {
            "style" | "script" => {
                let close = format!("</{name}");
                rest = find_ignore_case(rest, &close).map_or("", |at| &rest[at..]);
                let after = tag_end(rest);
                rest = &rest[after..];
            }
            "br" | "/li" => out.push('\n'),
            n if n.strip_prefix('/').is_some_and(|n| BLOCK_TAGS.contains(&n)) => out.push_str("\n\n"),
            _ => {}
        }
    }
    out.push_str(rest);
    tidy(&decode_entities(&out))
}

/// Byte length of the tag at the start of `s` (up to and including `>`, quotes respected,
/// merge tags skipped), or all of `s` when it never closes.
fn tag_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if bytes[i..].starts_with(b"{{") {
            i = s[i..].find("}}").map_or(bytes.len(), |at| i + at + 2);
            continue;
        }
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return i + 1,
            None => {}
        }
        i += 1;
    }
    bytes.len()
}

/// Lower-cased name of a tag (`/p` for a closing one).
fn tag_name(tag: &str) -> String {
    let inner = tag.trim_start_matches('<');
    let closing = inner.starts_with('/');
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if closing { format!("/{name}") } else { name }
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.to_ascii_lowercase().find(needle)
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&#160;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Collapses spaces inside lines and runs of blank lines.
fn tidy(s: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    for block in s.split("\n\n") {
        let lines: Vec<String> = block
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect();
        if !lines.is_empty() {
            paragraphs.push(lines.join("\n"));
        }
    }
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_dropped_and_blocks_become_paragraphs() {
        assert_eq!(html_to_text("<div><p>One <b>two</b></p><p>Three<br>four</p></div>"), "One two\n\nThree\nfour");
        assert_eq!(html_to_text("<ul><li>a</li><li>b</li></ul>after"), "a\nb\n\nafter");
    }

    #[test]
    fn styles_scripts_comments_and_attributes_leave_no_trace() {
        let html = "<style>p > a { color: red }</style><!-- note --><SCRIPT>x<1</SCRIPT><a href=\"{{ url | default: \"a>b\" }}\" title='x>y'>Link</a>";
        assert_eq!(html_to_text(html), "Link");
    }

    #[test]
    fn entities_are_decoded_once_and_merge_tags_kept() {
        assert_eq!(html_to_text("Tom &amp;amp; Jerry &lt;3 {{ name }}"), "Tom &amp; Jerry <3 {{ name }}");
        assert_eq!(html_to_text("unclosed <b"), "unclosed");
    }
}
