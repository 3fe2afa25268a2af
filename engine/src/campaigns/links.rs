//! Click tracking, the open pixel and the preheader, applied once per campaign to the
//! compiled HTML merge template instead of once per recipient.
//!
//! Every tracked link becomes a merge tag (`__click_N`) and the pixel's address becomes
//! `__open_url`, so the per-recipient work stays a plain [`Template::render`] with a lookup
//! that returns signed tracking URLs. Values are HTML-escaped by the renderer, which keeps
//! those URLs safe inside the quoted attributes they replace.
//!
//! The HTML is read with a small forward-only tokenizer (comments, `<style>`/`<script>`
//! contents and attribute quoting are understood), so only real `href` attributes of links
//! are rewritten: a stylesheet `<link href>` or an `href=` written in the text stays as it is.
//! Everything runs in time linear in the size of the HTML.

use std::collections::HashMap;

use model::email::{MergeError, Piece, Template, push_html_escaped};

/// The campaign's HTML template made ready for sending: tracked links replaced by
/// per-recipient tags, so the click endpoint can redirect to `links[N]` after verifying a
/// token that only names `N`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackedHtml {
    pub template: Template,
    /// Original URL of each tracked link (entities decoded); index N is the tag `__click_N`.
    pub links: Vec<String>,
}

/// Merge-tag name whose value is the open pixel URL, filled per recipient with a signed token.
pub const OPEN_URL_TAG: &str = "__open_url";

/// Prefix of the per-link click tags (`__click_0`, `__click_1`, ...), filled per recipient
/// with signed click URLs.
pub const CLICK_TAG_PREFIX: &str = "__click_";

/// Text before the pixel's URL.
const PIXEL_START: &str = "<img src=\"";
/// Text after the pixel's URL: a 1×1 image that takes no room in any client.
const PIXEL_END: &str =
    "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0;\" />";
/// Opens the hidden preheader block (hidden in every client, Outlook included).
const PREHEADER_START: &str = "<div style=\"display:none;font-size:1px;line-height:1px;max-height:0;\
     max-width:0;opacity:0;overflow:hidden;mso-hide:all;\">";
/// Invisible characters that fill the inbox preview after the preheader, so clients do not
/// continue it with the first words of the body.
const PREHEADER_FILLER: &str = "&#847;&zwnj;&nbsp;";
/// How many times [`PREHEADER_FILLER`] is repeated.
const PREHEADER_FILLER_COUNT: usize = 30;
/// Elements whose content is raw text, never markup.
const RAW_TEXT_ELEMENTS: [&[u8]; 4] = [b"script", b"style", b"title", b"textarea"];
/// Entities decoded in link URLs: the ones escapers (ours included) write.
const URL_ENTITIES: [(&str, char); 6] =
    [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&#39;", '\''), ("&#x27;", '\'')];

/// Reads the link index back from a merge-tag name (`__click_N` → N), so the renderer's
/// lookup knows which link a tag stands for. Only the canonical spelling is accepted.
pub fn click_index(tag: &str) -> Option<usize> {
    let digits = tag.strip_prefix(CLICK_TAG_PREFIX)?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() == 1 || !digits.starts_with('0'));
    if !canonical {
        return None;
    }
    digits.parse().ok()
}

/// Prepares a campaign's HTML for sending: links rewritten to `__click_N` tags (when
/// `track_clicks`), the open pixel before the last `</body>` (when `track_opens`), and the
/// hidden `preheader` (a merge template itself) right after `<body>`. Fails only when the
/// preheader is not a valid template.
pub fn prepare_html(
    html: &Template,
    track_clicks: bool,
    track_opens: bool,
    preheader: &str,
) -> Result<TrackedHtml, MergeError> {
    // Parsed as typed, so error offsets point into what the user wrote.
    let preheader = if preheader.trim().is_empty() { None } else { Some(Template::parse(preheader)?) };
    if !track_clicks && !track_opens && preheader.is_none() {
        return Ok(TrackedHtml { template: html.clone(), links: Vec::new() });
    }

    let flat = Flat::new(html.pieces());
    let scan = scan(&flat);
    let mut edits: Vec<Edit> = Vec::new();
    let mut links: Vec<String> = Vec::new();

    if let Some(preheader) = preheader {
        let at = scan.body_open_end.unwrap_or(0);
        edits.push(Edit { at, end: at, order: 0, pieces: preheader_pieces(preheader) });
    }
    if track_clicks {
        let mut index_of: HashMap<String, usize> = HashMap::new();
        for &(start, end) in &scan.hrefs {
            let url = decode_url_entities(&flat.text[start..end]);
            let index = match index_of.get(&url) {
                Some(&index) => index,
                None => {
                    let index = links.len();
                    links.push(url.clone());
                    index_of.insert(url, index);
                    index
                }
            };
            let tag = Piece::Tag { name: format!("{CLICK_TAG_PREFIX}{index}"), default: None };
            edits.push(Edit { at: start, end, order: 1, pieces: vec![tag] });
        }
    }
    if track_opens {
        let at = scan.body_close.unwrap_or(flat.text.len());
        let pieces =
            vec![Piece::Text(PIXEL_START.to_owned()), Piece::tag(OPEN_URL_TAG), Piece::Text(PIXEL_END.to_owned())];
        edits.push(Edit { at, end: at, order: 2, pieces });
    }
    edits.sort_by_key(|edit| (edit.at, edit.order));

    Ok(TrackedHtml { template: apply(html.pieces(), edits), links })
}

/// The hidden preheader block: literal text escaped (it is plain text, not HTML), merge tags
/// kept so the preheader can greet each recipient by name.
fn preheader_pieces(preheader: Template) -> Vec<Piece> {
    let mut pieces = vec![Piece::Text(PREHEADER_START.to_owned())];
    for piece in preheader.into_pieces() {
        match piece {
            Piece::Text(text) => {
                let mut escaped = String::with_capacity(text.len() + text.len() / 8);
                push_html_escaped(&mut escaped, &text);
                pieces.push(Piece::Text(escaped));
            }
            tag => pieces.push(tag),
        }
    }
    let mut end = PREHEADER_FILLER.repeat(PREHEADER_FILLER_COUNT);
    end.push_str("</div>");
    pieces.push(Piece::Text(end));
    pieces
}

/// Decodes the entities an escaper may have written into a URL attribute, once (so
/// `&amp;lt;` becomes `&lt;`, as a browser reads it).
fn decode_url_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let entity =
            URL_ENTITIES.iter().find(|(name, _)| tail.get(..name.len()).is_some_and(|t| t.eq_ignore_ascii_case(name)));
        match entity {
            Some((name, c)) => {
                out.push(*c);
                rest = &tail[name.len()..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The template's text with each merge tag standing as one placeholder byte, so the HTML can
/// be tokenized as one string while every position still maps back to a piece.
struct Flat {
    text: String,
    /// Positions of the placeholders, ascending.
    tags: Vec<usize>,
}

impl Flat {
    /// Stands in for a merge tag. Its value does not matter (positions are looked up in
    /// `tags`); it only has to be one ASCII byte that ends names and is not markup.
    const TAG_MARK: char = '\u{1}';

    fn new(pieces: &[Piece]) -> Flat {
        let len = pieces.iter().map(|p| if let Piece::Text(t) = p { t.len() } else { 1 }).sum();
        let mut flat = Flat { text: String::with_capacity(len), tags: Vec::new() };
        for piece in pieces {
            match piece {
                Piece::Text(text) => flat.text.push_str(text),
                Piece::Tag { .. } => {
                    flat.tags.push(flat.text.len());
                    flat.text.push(Self::TAG_MARK);
                }
            }
        }
        flat
    }
}

/// What the tokenizer found, in flat positions.
#[derive(Debug, Default)]
struct Scan {
    /// Values (inside the quotes) of trackable link `href`s, in document order.
    hrefs: Vec<(usize, usize)>,
    /// Just after the `>` of the first `<body>` start tag.
    body_open_end: Option<usize>,
    /// The `<` of the last `</body>` end tag.
    body_close: Option<usize>,
}

/// A start tag as far as tracking cares.
struct StartTag {
    name_start: usize,
    name_end: usize,
    /// Just after the closing `>`; `None` when the tag never closes.
    close: Option<usize>,
    /// The value of the first `href`, when that one is quoted.
    href: Option<(usize, usize)>,
    notrack: bool,
}

/// One forward pass over the flat HTML: comments, doctype and processing instructions are
/// skipped (MSO conditional comments are read as markup, their links are real for Outlook),
/// raw-text elements are skipped to their end tag, and start tags are parsed attribute by
/// attribute.
fn scan(flat: &Flat) -> Scan {
    let lower = flat.text.to_ascii_lowercase();
    let lower = lower.as_bytes();
    let len = lower.len();
    let mut out = Scan::default();
    let mut tag_cursor = 0;
    let mut pos = 0;
    while let Some(i) = find(lower, pos, b"<") {
        let rest = &lower[i..];
        pos = if rest.starts_with(b"<!--[if") {
            skip_past(lower, i, b">")
        } else if rest.starts_with(b"<!--") {
            // From the first dash, so `<!-->` and `<!--->` end where browsers end them.
            skip_past(lower, i + 2, b"-->")
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            skip_past(lower, i, b">")
        } else if rest.starts_with(b"</") && rest.get(2).is_some_and(u8::is_ascii_alphabetic) {
            let name_end = name_end(lower, i + 2);
            if &lower[i + 2..name_end] == b"body" {
                out.body_close = Some(i);
            }
            skip_past(lower, name_end, b">")
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            let tag = parse_start_tag(lower, i + 1);
            let Some(close) = tag.close else { break };
            let name = &lower[tag.name_start..tag.name_end];
            if name == b"body" && out.body_open_end.is_none() {
                out.body_open_end = Some(close);
            }
            if let Some((start, end)) = tag.href
                && !tag.notrack
                && is_link_element(name)
                && is_web_url(&lower[start..end])
            {
                // A value with a merge tag inside spans several pieces: left alone.
                while flat.tags.get(tag_cursor).is_some_and(|&p| p < start) {
                    tag_cursor += 1;
                }
                if flat.tags.get(tag_cursor).is_none_or(|&p| p >= end) {
                    out.hrefs.push((start, end));
                }
            }
            if RAW_TEXT_ELEMENTS.contains(&name) {
                let mut end_tag = b"</".to_vec();
                end_tag.extend_from_slice(name);
                find(lower, close, &end_tag).unwrap_or(len)
            } else {
                close
            }
        } else {
            i + 1
        };
    }
    out
}

/// Parses the start tag whose name begins at `name_start` (just after `<`), the way browsers
/// split attributes: names end at whitespace, `/`, `>` or `=`; values are quoted or run to
/// whitespace or `>`.
fn parse_start_tag(lower: &[u8], name_start: usize) -> StartTag {
    let len = lower.len();
    let name_end = name_end(lower, name_start);
    let mut tag = StartTag { name_start, name_end, close: None, href: None, notrack: false };
    let mut href_seen = false;
    let mut p = name_end;
    loop {
        while p < len && (lower[p].is_ascii_whitespace() || lower[p] == b'/') {
            p += 1;
        }
        match lower.get(p) {
            None => return tag,
            Some(b'>') => {
                tag.close = Some(p + 1);
                return tag;
            }
            Some(_) => {}
        }
        let attr_start = p;
        // The first character belongs to the name even when it is `=`.
        p += 1;
        while p < len && !matches!(lower[p], b'/' | b'>' | b'=') && !lower[p].is_ascii_whitespace() {
            p += 1;
        }
        let attr = &lower[attr_start..p];
        while p < len && lower[p].is_ascii_whitespace() {
            p += 1;
        }
        let mut quoted_value = None;
        if lower.get(p) == Some(&b'=') {
            p += 1;
            while p < len && lower[p].is_ascii_whitespace() {
                p += 1;
            }
            match lower.get(p) {
                Some(&quote) if quote == b'"' || quote == b'\'' => {
                    let start = p + 1;
                    let end = find(lower, start, &[quote]).unwrap_or(len);
                    quoted_value = Some((start, end));
                    p = (end + 1).min(len);
                }
                _ => {
                    while p < len && lower[p] != b'>' && !lower[p].is_ascii_whitespace() {
                        p += 1;
                    }
                }
            }
        }
        // Browsers use the first of duplicated attributes.
        if attr == b"href" && !href_seen {
            href_seen = true;
            tag.href = quoted_value;
        }
        if attr == b"data-bm-notrack" {
            tag.notrack = true;
        }
    }
}

/// Elements whose `href` is followed when clicked: links, image-map areas and Outlook's VML
/// shapes (bulletproof buttons).
fn is_link_element(name: &[u8]) -> bool {
    name == b"a" || name == b"area" || name.starts_with(b"v:")
}

/// Only web links go through the redirector; `mailto:`, `tel:` and the like open elsewhere.
fn is_web_url(lower_value: &[u8]) -> bool {
    lower_value.starts_with(b"http://") || lower_value.starts_with(b"https://")
}

/// End of a tag name starting at `from`.
fn name_end(lower: &[u8], from: usize) -> usize {
    let mut p = from;
    while p < lower.len() && !matches!(lower[p], b'/' | b'>') && !lower[p].is_ascii_whitespace() {
        p += 1;
    }
    p
}

/// First occurrence of `needle` at or after `from`.
fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = haystack.get(from..)?;
    if let [byte] = needle {
        return rest.iter().position(|b| b == byte).map(|i| from + i);
    }
    rest.windows(needle.len()).position(|w| w == needle).map(|i| from + i)
}

/// Just past the first `needle` at or after `from`, or the end of the text.
fn skip_past(haystack: &[u8], from: usize, needle: &[u8]) -> usize {
    find(haystack, from, needle).map_or(haystack.len(), |i| i + needle.len())
}

/// A change at a flat position: `pieces` replace `at..end` (an insertion when empty).
struct Edit {
    at: usize,
    end: usize,
    /// Orders edits at the same position: preheader, then link, then pixel.
    order: u8,
    pieces: Vec<Piece>,
}

/// Rebuilds the pieces with `edits` (sorted, not overlapping, each inside one text piece or
/// at a piece boundary) applied.
fn apply(pieces: &[Piece], edits: Vec<Edit>) -> Template {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len() + 2 * edits.len() + 8);
    let mut edits = edits.into_iter().peekable();
    let mut offset = 0;
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                let end = offset + text.len();
                let mut done = 0;
                while let Some(edit) = edits.next_if(|e| e.at <= end) {
                    let at = edit.at.saturating_sub(offset).clamp(done, text.len());
                    out.push(Piece::Text(text[done..at].to_owned()));
                    out.extend(edit.pieces);
                    done = edit.end.saturating_sub(offset).clamp(at, text.len());
                }
                out.push(Piece::Text(text[done..].to_owned()));
                offset = end;
            }
            Piece::Tag { .. } => {
                while let Some(edit) = edits.next_if(|e| e.at <= offset) {
                    out.extend(edit.pieces);
                }
                out.push(piece.clone());
                offset += 1;
            }
        }
    }
    for edit in edits {
        out.extend(edit.pieces);
    }
    Template::from_pieces(out)
}

#[cfg(test)]
mod tests {
    use model::email::Escape;

    use super::*;

    fn parse(source: &str) -> Template {
        Template::parse(source).unwrap()
    }

    fn clicks(source: &str) -> TrackedHtml {
        prepare_html(&parse(source), true, false, "").unwrap()
    }

    /// Renders as the sender would: clicks and the pixel get tracking URLs, `first_name` a
    /// value, every other field its name in brackets.
    fn render(tracked: &TrackedHtml, first_name: &str) -> String {
        let first_name = first_name.to_owned();
        let lookup = move |name: &str| -> Option<String> {
            if let Some(n) = click_index(name) {
                Some(format!("https://t/c/{n}"))
            } else if name == OPEN_URL_TAG {
                Some("https://t/o/x".to_owned())
            } else if name == "first_name" {
                Some(first_name.clone())
            } else {
                Some(format!("[{name}]"))
            }
        };
        tracked.template.render(&lookup, Escape::Html)
    }

    #[test]
    fn links_are_replaced_and_recoverable_in_order() {
        let tracked = clicks(
            "<html><body><a href=\"https://a.example/1\">A</a> <p>x</p>\
             <a class=\"b\" href=\"http://b.example/2?x=1\" title=\"t\">B</a></body></html>",
        );
        assert_eq!(tracked.links, ["https://a.example/1", "http://b.example/2?x=1"]);
        assert_eq!(
            render(&tracked, "Ann"),
            "<html><body><a href=\"https://t/c/0\">A</a> <p>x</p>\
             <a class=\"b\" href=\"https://t/c/1\" title=\"t\">B</a></body></html>"
        );
        assert!(tracked.template.pieces().iter().any(|p| *p == Piece::tag("__click_1")));
    }

    #[test]
    fn the_same_url_gets_the_same_index() {
        let tracked = clicks(
            "<a href=\"https://a.example/\">1</a><a href=\"https://b.example/\">2</a>\
             <a href=\"https://a.example/\">3</a><a href=\"https://a.example/?x=1&amp;y=2\">4</a>\
             <a href='https://a.example/?x=1&y=2'>5</a>",
        );
        assert_eq!(tracked.links, ["https://a.example/", "https://b.example/", "https://a.example/?x=1&y=2"]);
        assert_eq!(
            render(&tracked, ""),
            "<a href=\"https://t/c/0\">1</a><a href=\"https://t/c/1\">2</a><a href=\"https://t/c/0\">3</a>\
             <a href=\"https://t/c/2\">4</a><a href='https://t/c/2'>5</a>"
        );
    }

    #[test]
    fn non_web_and_merge_tag_hrefs_are_untouched() {
        let source = "<a href=\"mailto:a@b.example\">m</a><a href='tel:+1555'>t</a>\
                      <a href=\"{{ unsubscribe_url }}\">u</a><a href=\"https://a.example/?u={{ id }}\">p</a>\
                      <a href=\"{{ base }}/x\">b</a><a href=https://unquoted.example/>q</a><a href=\"\">e</a>";
        let t = parse(source);
        let tracked = prepare_html(&t, true, false, "").unwrap();
        assert!(tracked.links.is_empty());
        assert_eq!(tracked.template, t);
    }

    #[test]
    fn only_link_elements_are_tracked() {
        let source = "<html><head><link href=\"https://fonts.example/css\" rel=\"stylesheet\">\
                      <base href=\"https://base.example/\"></head><body>\
                      <p>Write href=\"https://text.example/\" in code.</p>\
                      <!-- <a href=\"https://comment.example/\">old</a> -->\
                      <style>/* <a href=\"https://style.example/\"> */</style>\
                      <a data-href=\"https://data.example/\" href=\"https://a.example/\">a</a>\
                      <area shape=\"rect\" href=\"https://area.example/\">\
                      <!--[if mso]><v:roundrect href=\"https://vml.example/\"></v:roundrect><![endif]-->\
                      <a href=\"https://skip.example/\" data-bm-notrack>s</a>\
                      </body></html>";
        let tracked = clicks(source);
        assert_eq!(tracked.links, ["https://a.example/", "https://area.example/", "https://vml.example/"]);
        let html = render(&tracked, "");
        assert!(html.contains("<link href=\"https://fonts.example/css\""), "{html}");
        assert!(html.contains("href=\"https://skip.example/\" data-bm-notrack"), "{html}");
        assert!(html.contains("data-href=\"https://data.example/\" href=\"https://t/c/0\""), "{html}");
    }

    #[test]
    fn entities_in_links_are_decoded() {
        let tracked =
            clicks("<a href=\"https://a.example/?a=1&amp;b=2&AMP;c=&lt;&gt;&quot;&#39;&#x27;&amp;lt;&copy;\">x</a>");
        assert_eq!(tracked.links, ["https://a.example/?a=1&b=2&c=<>\"''&lt;&copy;"]);
    }

    #[test]
    fn uppercase_href_and_spaces_around_the_equals_sign_are_handled() {
        let tracked = clicks("<A CLASS=x HREF = \"HTTPS://A.example/Path\">x</A>");
        assert_eq!(tracked.links, ["HTTPS://A.example/Path"]);
        assert_eq!(render(&tracked, ""), "<A CLASS=x HREF = \"https://t/c/0\">x</A>");
    }

    #[test]
    fn single_quoted_hrefs_are_handled() {
        let tracked = clicks("<a href='https://a.example/?q=\"x\"'>x</a>");
        assert_eq!(tracked.links, ["https://a.example/?q=\"x\""]);
        assert_eq!(render(&tracked, ""), "<a href='https://t/c/0'>x</a>");
    }

    #[test]
    fn pixel_goes_before_the_last_closing_body_tag() {
        let t = parse("<html><body><p>{{ first_name }}</p><!-- </body> --></BODY ></html>");
        let tracked = prepare_html(&t, false, true, "").unwrap();
        assert!(tracked.links.is_empty());
        let html = render(&tracked, "Ann");
        assert_eq!(
            html,
            "<html><body><p>Ann</p><!-- </body> --><img src=\"https://t/o/x\" width=\"1\" height=\"1\" \
             alt=\"\" style=\"display:block;width:1px;height:1px;border:0;\" /></BODY ></html>"
        );
        let twice = render(&prepare_html(&parse("<body>a</body>b</body>"), false, true, "").unwrap(), "");
        assert!(twice.starts_with("<body>a</body>b<img src=\"https://t/o/x\""), "{twice}");
    }

    #[test]
    fn pixel_is_appended_without_a_closing_body_tag() {
        let tracked = prepare_html(&parse("<p>Hi {{ first_name }}</p>"), false, true, "").unwrap();
        let html = render(&tracked, "Ann");
        assert!(html.starts_with("<p>Hi Ann</p><img src=\"https://t/o/x\" width=\"1\""), "{html}");
        assert!(html.ends_with(" />"), "{html}");
    }

    #[test]
    fn preheader_is_escaped_and_merged_per_recipient() {
        let t = parse("<html><bodyx></bodyx><body class=\"{{ theme }}\" data-x=\"a>b\"><p>Body</p></body></html>");
        let tracked = prepare_html(&t, false, false, "<b>Hi</b> {{ first_name | default: \"there\" }}").unwrap();
        let filler = PREHEADER_FILLER.repeat(30);
        let expected = |name: &str| {
            format!(
                "<html><bodyx></bodyx><body class=\"[theme]\" data-x=\"a>b\">{PREHEADER_START}\
                 &lt;b&gt;Hi&lt;/b&gt; {name}{filler}</div><p>Body</p></body></html>"
            )
        };
        assert_eq!(render(&tracked, "Ann"), expected("Ann"));
        assert_eq!(render(&tracked, "<Bob>"), expected("&lt;Bob&gt;"));
        assert_eq!(render(&tracked, ""), expected("there"));
        assert!(
            PREHEADER_START
                .starts_with("<div style=\"display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;")
        );
    }

    #[test]
    fn preheader_goes_first_without_a_body_tag() {
        let tracked = prepare_html(&parse("<p>x</p>"), false, false, "Hello").unwrap();
        let html = render(&tracked, "");
        assert!(html.starts_with(&format!("{PREHEADER_START}Hello&#847;")), "{html}");
        assert!(html.ends_with("</div><p>x</p>"), "{html}");
    }

    #[test]
    fn everything_together() {
        let t = parse("<body><a href=\"https://a.example/\">a</a></body>");
        let tracked = prepare_html(&t, true, true, "Pre").unwrap();
        let html = render(&tracked, "");
        assert!(html.starts_with(&format!("<body>{PREHEADER_START}Pre&#847;")), "{html}");
        assert!(html.ends_with("</div><a href=\"https://t/c/0\">a</a><img src=\"https://t/o/x\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0;\" /></body>"), "{html}");
        let empty = render(&prepare_html(&parse("<body></body>"), false, true, "P").unwrap(), "");
        assert!(empty.contains("</div><img src="), "{empty}");
    }

    #[test]
    fn nothing_to_do_leaves_the_template_unchanged() {
        let t = parse("<body><a href=\"https://a.example/\">{{ first_name }}</a></body>");
        for preheader in ["", "  \n "] {
            let tracked = prepare_html(&t, false, false, preheader).unwrap();
            assert_eq!(tracked, TrackedHtml { template: t.clone(), links: Vec::new() });
        }
    }

    #[test]
    fn a_merge_error_in_the_preheader_is_returned() {
        let t = parse("<body></body>");
        let err = prepare_html(&t, true, true, "Hi {{ first_name").unwrap_err();
        assert_eq!(err, Template::parse("Hi {{ first_name").unwrap_err());
    }

    #[test]
    fn click_index_reads_only_canonical_click_tags() {
        assert_eq!(click_index("__click_0"), Some(0));
        assert_eq!(click_index("__click_17"), Some(17));
        for bad in ["__click_", "__click_01", "__click_+1", "__click_-1", "__click_1a", "click_1", OPEN_URL_TAG] {
            assert_eq!(click_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn unterminated_markup_does_not_panic_or_track() {
        for source in
            ["<a href=\"https://a.example/", "<a href=\"https://a.example/\"", "<!-- x", "<", "<a", "</", "<style>"]
        {
            let tracked = prepare_html(&parse(source), true, true, "p").unwrap();
            assert!(tracked.links.is_empty(), "{source}");
        }
    }

    #[test]
    fn large_documents_are_handled_in_linear_time() {
        let mut source = String::from("<body>");
        for i in 0..20_000 {
            source.push_str(&format!(
                "<p>{{{{ first_name }}}} <a href=\"https://a.example/{}\">x</a></p><!-- c",
                i % 100
            ));
            source.push_str(" --><");
        }
        source.push_str("</body>");
        let tracked = prepare_html(&parse(&source), true, true, "pre").unwrap();
        assert_eq!(tracked.links.len(), 100);
    }
}
