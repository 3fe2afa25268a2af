//! Golden-ish tests of the whole pipeline: per block kind, key fragments of the MJML and of
//! the HTML mrml makes from it, plus escaping and merging end to end.

use super::*;

fn doc(blocks: Vec<Block>) -> Document {
    Document { settings: DocumentSettings::default(), blocks }
}

/// (readable MJML, HTML source with merge tags) of a document made of `blocks`.
fn outputs(blocks: Vec<Block>) -> (String, String) {
    let d = doc(blocks);
    let mjml = to_mjml(&d).unwrap().to_readable();
    let html = compile(&d).unwrap().html_source();
    (mjml, html)
}

fn contact(name: &str) -> Option<String> {
    match name {
        "first_name" => Some("<script>alert(1)</script>".to_owned()),
        "unsubscribe_url" => Some("https://mail.example/u/t0k3n".to_owned()),
        "site_url" => Some("https://mail.example".to_owned()),
        _ => None,
    }
}

fn text_block(id: &str, text: RichText) -> Block {
    Block::new(id, BlockKind::Text { text })
}

#[test]
fn headings_render_as_sized_heading_tags() {
    let (mjml, html) =
        outputs(vec![Block::new("h", BlockKind::Heading { level: 2, text: RichText::plain("Fish & <Chips>") })]);
    assert!(mjml.contains("<h2 style=\"margin:0;font-size:24px;"), "{mjml}");
    assert!(
        html.contains(
            "<h2 style=\"margin:0;font-size:24px;line-height:1.25;font-weight:bold;\">Fish &amp; &lt;Chips&gt;</h2>"
        ),
        "{html}"
    );
}

#[test]
fn text_runs_keep_bold_italic_links_and_lists() {
    let text = RichText::from_paragraphs(vec![
        Paragraph::new(vec![
            Inline::bold("Bold"),
            Inline { text: "slanted".into(), italic: true, ..Inline::default() },
            Inline::link("site", "https://example.com/?a=1&b=2"),
        ]),
        Paragraph::item(ParagraphKind::Bullet, "first"),
        Paragraph::item(ParagraphKind::Bullet, "second"),
    ]);
    let (_, html) = outputs(vec![text_block("t", text)]);
    assert!(html.contains("<strong>Bold</strong><em>slanted</em>"), "{html}");
    assert!(html.contains(
        "<a href=\"https://example.com/?a=1&amp;b=2\" style=\"color:#2563eb;text-decoration:underline;\" target=\"_blank\">site</a>"
    ));
    assert!(
        html.contains("<ul style=\"margin:0 0 0px 0;padding:0 0 0 24px;\"><li style=\"margin:0 0 4px 0;\">first</li>")
    );
    assert_eq!(html.matches("<li ").count(), 2);
}

#[test]
fn images_carry_src_alt_link_and_width() {
    let image = BlockKind::Image {
        src: "https://example.com/cat.png".into(),
        alt: "A \"cat\"".into(),
        href: Some("https://example.com/cats".into()),
        width: Some(200),
    };
    let (mjml, html) = outputs(vec![Block::new("i", image)]);
    assert!(
        mjml.contains("<mj-image padding=\"10px 25px 10px 25px\" align=\"center\" src=\"https://example.com/cat.png\"")
    );
    assert!(html.contains("src=\"https://example.com/cat.png\""), "{html}");
    assert!(html.contains("alt=\"A &quot;cat&quot;\""));
    assert!(html.contains("href=\"https://example.com/cats\""));
    assert!(html.contains("width=\"200\""));
}

#[test]
fn buttons_carry_href_label_and_colours() {
    let button = BlockKind::Button {
        label: "Buy {{ product | default: \"now\" }}".into(),
        href: "https://shop.example/buy?id={{ contact.id }}".into(),
        background_color: "#ff6600".into(),
        text_color: "#000000".into(),
        border_radius: 8,
    };
    let (mjml, html) = outputs(vec![Block::new("b", button)]);
    assert!(
        mjml.contains("href=\"https://shop.example/buy?id={{ contact.id }}\" background-color=\"#ff6600\""),
        "{mjml}"
    );
    assert!(html.contains("href=\"https://shop.example/buy?id={{ contact.id }}\""), "{html}");
    assert!(html.contains("Buy {{ product | default: \"now\" }}</a>"));
    assert!(html.contains("#ff6600") && html.contains("border-radius:8px"));
}

#[test]
fn dividers_spacers_social_and_menus_render() {
    let social = vec![SocialLink { network: SocialNetwork::X, url: "https://x.com/acme".into() }];
    let menu = vec![MenuLink { label: "Blog".into(), href: "https://example.com/blog".into() }];
    let (mjml, html) = outputs(vec![
        Block::new("d", BlockKind::Divider { color: "#ff0000".into(), thickness: 2 }),
        Block::new("s", BlockKind::Spacer { height: 30 }),
        Block::new("so", BlockKind::Social { links: social }),
        Block::new("m", BlockKind::Menu { links: menu }),
    ]);
    assert!(mjml.contains("<mj-divider padding=\"10px 25px 10px 25px\" border-color=\"#ff0000\" border-width=\"2px\""));
    assert!(html.contains("#ff0000") && html.contains("2px"), "{html}");
    assert!(html.contains("height:30px"));
    assert!(html.contains("href=\"https://x.com/acme\"") && html.contains("alt=\"X\""));
    assert!(html.contains("src=\"{{ site_url }}/static/social/x.png\""));
    assert!(html.contains("href=\"https://example.com/blog\"") && html.contains("Blog"));
    assert!(!html.contains("mailjet.com"), "social icons must not come from a third party");
}

#[test]
fn raw_html_is_inserted_as_written_and_merged() {
    let raw = BlockKind::RawHtml { html: "<table><tr><td class=\"x\">Raw {{ first_name }}</td></tr></table>".into() };
    let d = doc(vec![Block::new("r", raw)]);
    let compiled = compile(&d).unwrap();
    assert!(compiled.html_source().contains("<table><tr><td class=\"x\">Raw {{ first_name }}</td></tr></table>"));
    let msg = compiled.render_for(&contact);
    assert!(msg.html.contains("Raw &lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn the_footer_always_has_the_address_and_unsubscribe_link() {
    let footer = BlockKind::Footer {
        text: RichText::plain("Thanks for reading"),
        postal_address: "1 Main St\nSpringfield".into(),
    };
    let d = doc(vec![Block::new("f", footer)]);
    let compiled = compile(&d).unwrap();
    let html = compiled.html_source();
    assert!(html.contains("1 Main St<br />Springfield"), "{html}");
    assert!(html.contains(
        "<a href=\"{{ unsubscribe_url }}\" style=\"color:#2563eb;text-decoration:underline;\">Unsubscribe</a>"
    ));
    let msg = compiled.render_for(&contact);
    assert!(msg.html.contains("href=\"https://mail.example/u/t0k3n\""));
    assert!(msg.text.ends_with("Unsubscribe: https://mail.example/u/t0k3n\n"), "{}", msg.text);
    assert_eq!(compiled.merge_names(), vec!["unsubscribe_url"]);
}

fn two_columns(stack: bool, widths: [Option<u8>; 2]) -> Block {
    let columns = widths
        .iter()
        .enumerate()
        .map(|(i, w)| Column {
            width_percent: *w,
            blocks: vec![text_block(&format!("c{i}"), RichText::plain(&format!("col {i}")))],
        })
        .collect();
    Block::new("cols", BlockKind::Columns { columns, stack_on_mobile: stack })
}

#[test]
fn columns_get_widths_and_group_when_they_must_not_stack() {
    let (mjml, html) = outputs(vec![two_columns(true, [None, None])]);
    assert!(!mjml.contains("<mj-group>"));
    assert!(html.contains("mj-column-per-50"), "{html}");
    let (mjml, html) = outputs(vec![two_columns(false, [Some(30), None])]);
    assert!(mjml.contains("<mj-group><mj-column width=\"30%\">"), "{mjml}");
    assert!(mjml.contains("<mj-column width=\"70%\">"));
    assert!(html.contains("mj-column-per-30") && html.contains("mj-column-per-70"));
    assert!(html.contains("col 0") && html.contains("col 1"));
}

#[test]
fn nested_columns_are_flattened_not_lost() {
    let mut outer = two_columns(true, [None, None]);
    if let BlockKind::Columns { columns, .. } = &mut outer.kind {
        let mut inner = two_columns(false, [None, None]);
        inner.id = "inner".into();
        if let BlockKind::Columns { columns: inner_columns, .. } = &mut inner.kind {
            inner_columns[0].blocks[0] = text_block("deep-a", RichText::plain("deep a"));
            inner_columns[1].blocks[0] = text_block("deep-b", RichText::plain("deep b"));
        }
        columns[0].blocks.push(inner);
    }
    let section = Block::new("band", BlockKind::Section { blocks: vec![outer] });
    let (mjml, html) = outputs(vec![section]);
    assert_eq!(mjml.matches("<mj-column").count(), 2, "{mjml}");
    assert!(html.contains("deep a") && html.contains("deep b") && html.contains("col 1"));
}

#[test]
fn hide_classes_and_their_media_queries_are_present() {
    let hidden = text_block("m", RichText::plain("desktop only")).with_style(|s| s.hide_on_mobile = true);
    let shown = text_block("d", RichText::plain("mobile only")).with_style(|s| s.hide_on_desktop = true);
    let (mjml, html) = outputs(vec![hidden, shown]);
    assert!(mjml.contains("css-class=\"bm-text bm-hide-mobile\""), "{mjml}");
    assert!(
        html.contains("class=\"bm-text bm-hide-mobile\"") && html.contains("class=\"bm-text bm-hide-desktop\""),
        "{html}"
    );
    assert!(html.contains("@media only screen and (max-width:479px) { .bm-hide-mobile { display:none !important;"));
    assert!(html.contains("@media only screen and (min-width:480px) { .bm-hide-desktop { display:none !important;"));
}

#[test]
fn settings_reach_the_html() {
    let mut d = doc(vec![text_block("t", RichText::plain("x"))]);
    d.settings.preheader = "Peek {{ first_name }}".into();
    d.settings.background_color = "#abcdef".into();
    d.settings.font_family = "Georgia, serif".into();
    d.settings.dark_mode = Some(DarkModeColors::default());
    let compiled = compile(&d).unwrap();
    let html = compiled.html_source();
    assert!(html.contains("Peek {{ first_name }}</div>"), "{html}");
    assert!(html.contains("background-color:#abcdef"));
    assert!(html.contains("font-family:Georgia, serif"));
    assert!(html.contains("@media (prefers-color-scheme: dark)"));
    assert!(html.contains("<meta name=\"color-scheme\" content=\"light dark\" />"));
    assert!(!html.contains("fonts.googleapis.com"));
}

#[test]
fn a_contact_named_script_is_escaped_in_html_and_raw_in_text() {
    let d = doc(vec![text_block("t", RichText::plain("Hi {{ first_name }}!"))]);
    let msg = compile(&d).unwrap().render_for(&contact);
    assert!(msg.html.contains("Hi &lt;script&gt;alert(1)&lt;/script&gt;!"), "{}", msg.html);
    assert!(!msg.html.contains("<script>alert(1)"));
    assert_eq!(msg.text, "Hi <script>alert(1)</script>!\n");
}

#[test]
fn merge_defaults_apply_per_recipient() {
    let d = doc(vec![text_block("t", RichText::plain("Hi {{ nickname | default: \"there & friends\" }}"))]);
    let compiled = compile(&d).unwrap();
    let msg = compiled.render_for(&contact);
    assert!(msg.html.contains("Hi there &amp; friends"));
    assert_eq!(msg.text, "Hi there & friends\n");
    let named = compiled.render_for(&|n| (n == "nickname").then(|| "Al".to_owned()));
    assert!(named.html.contains("Hi Al</p>"));
}

#[test]
fn broken_merge_tags_and_oversized_documents_are_typed_errors() {
    let err = compile(&doc(vec![text_block("t", RichText::plain("Hi {{ name"))])).unwrap_err();
    assert!(matches!(err, RenderError::Merge { source: MergeError::Unterminated { offset: 3 }, .. }), "{err}");
    let many: Vec<Block> = (0..=MAX_BLOCKS).map(|i| text_block(&i.to_string(), RichText::plain("x"))).collect();
    assert!(matches!(compile(&doc(many)), Err(RenderError::TooManyBlocks { .. })));
}

#[test]
fn merging_a_thirty_block_document_is_cheap() {
    let blocks = (0..30)
        .map(|i| text_block(&i.to_string(), RichText::plain(&format!("Paragraph {i} for {{{{ first_name }}}} & co."))))
        .collect();
    let compiled = compile(&doc(blocks)).unwrap();
    let rounds = 200u32;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(compiled.render_for(&contact));
    }
    let each = start.elapsed() / rounds;
    eprintln!("render_for, 30 blocks: {each:?} per recipient (unoptimised test build)");
    // Generous bound for debug builds on a busy machine; the release target is < 200 µs.
    assert!(each < std::time::Duration::from_millis(5), "{each:?}");
}
