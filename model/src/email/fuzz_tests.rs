//! Property test without extra crates: 500 pseudo-random documents (deterministic xorshift)
//! with random kinds, nesting, settings and hostile text. The properties: compiling never
//! panics and fails only on broken merge tags (which validation also reports); merging
//! never panics; a recipient's value never appears unescaped in the HTML.

use super::*;

/// xorshift64*: tiny, deterministic, good enough to spread cases.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Text fragments chosen to break naive escaping, XML tokenizers and the slot markers.
const FRAGMENTS: &[&str] = &[
    "hello",
    " ",
    "<",
    ">",
    "&",
    "&amp;",
    "&#",
    "\"",
    "'",
    "{{ first_name }}",
    "{{ x | default: \"a&b<\\\" }}\" }}",
    "}}",
    "{ x }",
    "~bm~0~",
    "~bm~99~",
    "~",
    "é",
    "日本語",
    "😀",
    "e\u{301}",
    "\n",
    "\r\n",
    "\\",
    "]]>",
    "<!--",
    "-->",
    "</mj-text>",
    "<mj-column>",
    "\u{0}",
    "\u{7}",
    "\u{FFFE}",
    "javascript:",
    ";",
    "\t",
    "%",
];

const RAW_FRAGMENTS: &[&str] = &[
    "<p>",
    "</p>",
    "<b>x</b>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<br>",
    "<img alt=\"\" src=\"https://a.example/i.png\">",
];

fn text(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(6) {
        out.push_str(rng.pick(FRAGMENTS));
    }
    if rng.chance(400) {
        out.push_str("{{ broken");
    }
    out
}

fn url(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => "https://example.com/a?b=1&c=2".to_owned(),
        1 => "{{ site_url }}/x.png".to_owned(),
        2 => String::new(),
        3 => "mailto:a@b.example".to_owned(),
        _ => text(rng),
    }
}

fn color(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => "#fff".to_owned(),
        1 => "rebeccapurple".to_owned(),
        2 => "rgb(1, 2, 3)".to_owned(),
        3 => "red;\" onload=\"x".to_owned(),
        4 => String::new(),
        _ => text(rng),
    }
}

fn rich(rng: &mut Rng) -> RichText {
    let kinds = [ParagraphKind::Plain, ParagraphKind::Bullet, ParagraphKind::Numbered];
    let paragraphs = (0..rng.below(4))
        .map(|_| Paragraph {
            kind: kinds[rng.below(3) as usize],
            runs: (0..rng.below(4))
                .map(|_| Inline {
                    text: text(rng),
                    bold: rng.chance(2),
                    italic: rng.chance(3),
                    link: if rng.chance(3) { Some(url(rng)) } else { None },
                })
                .collect(),
        })
        .collect();
    RichText { paragraphs }
}

fn block(rng: &mut Rng, depth: u32, next_id: &mut u32) -> Block {
    *next_id += 1;
    let id = format!("b{next_id}");
    let containers = if depth < 3 { 2 } else { 0 };
    let kind = match rng.below(11 + containers) {
        0 => BlockKind::Heading { level: rng.below(6) as u8, text: rich(rng) },
        1 => BlockKind::Text { text: rich(rng) },
        2 => BlockKind::Image {
            src: url(rng),
            alt: text(rng),
            href: if rng.chance(2) { Some(url(rng)) } else { None },
            width: if rng.chance(2) { Some(rng.below(5000) as u32) } else { None },
        },
        3 => BlockKind::Button {
            label: text(rng),
            href: url(rng),
            background_color: color(rng),
            text_color: color(rng),
            border_radius: rng.below(70_000) as u16,
        },
        4 => BlockKind::Divider { color: color(rng), thickness: rng.below(70_000) as u16 },
        5 => BlockKind::Spacer { height: rng.below(70_000) as u16 },
        6 => {
            let links = (0..rng.below(9))
                .map(|i| SocialLink { network: SocialNetwork::ALL[i as usize % 8], url: url(rng) })
                .collect();
            BlockKind::Social { links }
        }
        7 => BlockKind::Menu {
            links: (0..rng.below(4)).map(|_| MenuLink { label: text(rng), href: url(rng) }).collect(),
        },
        8 => {
            let mut html = String::new();
            for _ in 0..rng.below(6) {
                if rng.chance(2) { html.push_str(rng.pick(RAW_FRAGMENTS)) } else { html.push_str(&text(rng)) }
            }
            BlockKind::RawHtml { html }
        }
        9 => BlockKind::Footer { text: rich(rng), postal_address: text(rng) },
        10 => BlockKind::Text { text: RichText::plain(&text(rng)) },
        11 => BlockKind::Section { blocks: (0..rng.below(4)).map(|_| block(rng, depth + 1, next_id)).collect() },
        _ => {
            let columns = (0..rng.below(6))
                .map(|_| Column {
                    width_percent: if rng.chance(2) { Some(rng.below(256) as u8) } else { None },
                    blocks: (0..rng.below(3)).map(|_| block(rng, depth + 1, next_id)).collect(),
                })
                .collect();
            BlockKind::Columns { columns, stack_on_mobile: rng.chance(2) }
        }
    };
    let style = BlockStyle {
        padding: Padding {
            top: rng.below(70_000) as u16,
            right: rng.below(100) as u16,
            bottom: rng.below(100) as u16,
            left: rng.below(100) as u16,
        },
        align: [Alignment::Left, Alignment::Center, Alignment::Right][rng.below(3) as usize],
        background_color: if rng.chance(3) { Some(color(rng)) } else { None },
        hide_on_mobile: rng.chance(4),
        hide_on_desktop: rng.chance(4),
    };
    Block { id, style, kind }
}

fn document(rng: &mut Rng) -> Document {
    let mut next_id = 0;
    let blocks = (0..rng.below(8)).map(|_| block(rng, 0, &mut next_id)).collect();
    let settings = DocumentSettings {
        width: rng.below(3000) as u32,
        background_color: color(rng),
        content_background_color: color(rng),
        font_family: text(rng),
        text_color: color(rng),
        link_color: color(rng),
        preheader: text(rng),
        dark_mode: if rng.chance(2) {
            Some(DarkModeColors { background: color(rng), text: color(rng), link: color(rng) })
        } else {
            None
        },
    };
    Document { settings, blocks }
}

/// Every recipient value is hostile.
fn hostile(_: &str) -> Option<String> {
    Some("<script>x</script>\"'&{{ first_name }}~bm~0~".to_owned())
}

#[test]
fn random_documents_compile_or_fail_with_a_typed_merge_error() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut compiled_count = 0;
    for case in 0..500 {
        let doc = document(&mut rng);
        match compile(&doc) {
            Ok(compiled) => {
                compiled_count += 1;
                let msg = compiled.render_for(&hostile);
                assert!(!msg.html.contains("<script>x"), "case {case}: value not escaped");
                let _ = compiled.render_for(&|_| None);
                let _ = lint(&compiled.html_source(), &doc);
            }
            Err(RenderError::Merge { .. }) => {
                let reported = doc.validate().iter().any(|p| matches!(p, Problem::MergeSyntax { .. }));
                assert!(reported, "case {case}: compile found a merge error that validate missed");
            }
            Err(RenderError::TooManyBlocks { count, max }) => assert!(count > max, "case {case}"),
            Err(other) => panic!("case {case}: unexpected error {other}\n{doc:#?}"),
        }
    }
    // The generator must mostly produce renderable documents, or the test proves little.
    assert!(compiled_count > 200, "only {compiled_count} of 500 compiled");
}
