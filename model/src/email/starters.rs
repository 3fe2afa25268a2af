//! The designs offered under "new template": good defaults people edit rather than a blank
//! page.
//!
//! Images point at `{{ site_url }}/static/starters/…`: the pictures ship with the product
//! and the server fills `site_url` with its public absolute URL when sending, so a starter
//! never depends on a third-party host and never contains a relative URL (dead in an
//! inbox). The postal address is the `{{ postal_address }}` field for the same reason: it
//! is a sender setting, filled in at send time.

use serde::{Deserialize, Serialize};

use super::{
    Alignment, Block, BlockKind, Column, DarkModeColors, Document, DocumentSettings, Inline, MenuLink, Padding,
    Paragraph, RichText, SocialLink, SocialNetwork,
};

/// The starter designs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Starter {
    Newsletter,
    Announcement,
    PlainLetter,
}

impl Starter {
    /// Every starter, in the order the picker shows them.
    pub const ALL: [Starter; 3] = [Self::Newsletter, Self::Announcement, Self::PlainLetter];

    /// Stable key used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newsletter => "newsletter",
            Self::Announcement => "announcement",
            Self::PlainLetter => "plain_letter",
        }
    }

    /// Name on the picker card.
    pub fn label(self) -> &'static str {
        match self {
            Self::Newsletter => "Newsletter",
            Self::Announcement => "Announcement",
            Self::PlainLetter => "Plain letter",
        }
    }

    /// One line on the picker card.
    pub fn description(self) -> &'static str {
        match self {
            Self::Newsletter => "Logo, introduction, two article teasers and social links.",
            Self::Announcement => "One big message: headline, hero image and a clear button.",
            Self::PlainLetter => "Looks like a personal email; text only, lands well in inboxes.",
        }
    }

    /// A fresh copy of the design.
    pub fn document(self) -> Document {
        match self {
            Self::Newsletter => newsletter(),
            Self::Announcement => announcement(),
            Self::PlainLetter => plain_letter(),
        }
    }
}

const GREETING: &str = "Hi {{ first_name | default: \"there\" }},";
const ACCENT: &str = "#2563eb";

fn image(id: &str, file: &str, alt: &str, width: Option<u32>) -> Block {
    Block::new(
        id,
        BlockKind::Image {
            src: format!("{{{{ site_url }}}}/static/starters/{file}"),
            alt: alt.to_owned(),
            href: None,
            width,
        },
    )
}

fn heading(id: &str, level: u8, text: &str) -> Block {
    Block::new(id, BlockKind::Heading { level, text: RichText::plain(text) })
}

fn text(id: &str, text: &str) -> Block {
    Block::new(id, BlockKind::Text { text: RichText::plain(text) })
}

fn button(id: &str, label: &str, href: &str) -> Block {
    Block::new(
        id,
        BlockKind::Button {
            label: label.to_owned(),
            href: href.to_owned(),
            background_color: ACCENT.to_owned(),
            text_color: "#ffffff".to_owned(),
            border_radius: 6,
        },
    )
}

fn footer(line: &str) -> Block {
    Block::new(
        "footer",
        BlockKind::Footer { text: RichText::plain(line), postal_address: "{{ postal_address }}".into() },
    )
    .with_style(|s| s.padding = Padding::symmetric(24, 25))
}

fn teaser(n: u8, title: &str, blurb: &str) -> Column {
    Column {
        width_percent: Some(50),
        blocks: vec![
            image(&format!("teaser-{n}-image"), &format!("article-{n}.png"), title, None),
            heading(&format!("teaser-{n}-title"), 3, title),
            text(&format!("teaser-{n}-text"), blurb),
            button(&format!("teaser-{n}-button"), "Read more", &format!("https://example.com/articles/{n}"))
                .with_style(|s| s.align = Alignment::Left),
        ],
    }
}

/// Logo, headline, greeting, two article teasers, social links and the footer.
pub fn newsletter() -> Document {
    let intro = RichText::from_paragraphs(vec![
        Paragraph::new(vec![Inline::plain(GREETING)]),
        Paragraph::new(vec![
            Inline::plain("Here is what happened this month. As always, "),
            Inline::link("reply to this email", "mailto:{{ sender_email | default: \"hello@example.com\" }}"),
            Inline::plain(" if you have a question — a person reads every answer."),
        ]),
    ]);
    let social = [
        (SocialNetwork::Facebook, "https://www.facebook.com/"),
        (SocialNetwork::X, "https://x.com/"),
        (SocialNetwork::Instagram, "https://www.instagram.com/"),
        (SocialNetwork::Linkedin, "https://www.linkedin.com/"),
    ]
    .into_iter()
    .map(|(network, url)| SocialLink { network, url: url.to_owned() })
    .collect();
    Document {
        settings: DocumentSettings {
            preheader: "This month's highlights, in two minutes.".into(),
            dark_mode: Some(DarkModeColors::default()),
            ..DocumentSettings::default()
        },
        blocks: vec![
            image("logo", "logo.png", "Company logo", Some(160)).with_style(|s| s.padding = Padding::symmetric(24, 25)),
            Block::new(
                "menu",
                BlockKind::Menu {
                    links: vec![
                        MenuLink { label: "Blog".into(), href: "https://example.com/blog".into() },
                        MenuLink { label: "Products".into(), href: "https://example.com/products".into() },
                        MenuLink { label: "About".into(), href: "https://example.com/about".into() },
                    ],
                },
            )
            .with_style(|s| s.hide_on_mobile = true),
            heading("title", 1, "What's new this month"),
            Block::new("intro", BlockKind::Text { text: intro }),
            Block::new(
                "articles",
                BlockKind::Columns {
                    columns: vec![
                        teaser(
                            1,
                            "A better way to plan your week",
                            "Three habits our team swears by, and one we gave up.",
                        ),
                        teaser(
                            2,
                            "Behind the scenes",
                            "How this month's release came together, from sketch to launch.",
                        ),
                    ],
                    stack_on_mobile: true,
                },
            )
            .with_style(|s| s.padding = Padding::symmetric(10, 0)),
            Block::new("divider", BlockKind::Divider { color: "#e5e7eb".into(), thickness: 1 }),
            Block::new("social", BlockKind::Social { links: social }),
            footer("You receive this email because you subscribed to our newsletter."),
        ],
    }
}

/// Headline, hero image, a short text and one prominent button.
pub fn announcement() -> Document {
    Document {
        settings: DocumentSettings {
            preheader: "Something new is here — take a look.".into(),
            ..DocumentSettings::default()
        },
        blocks: vec![
            Block::new("top-space", BlockKind::Spacer { height: 24 }),
            heading("headline", 1, "Introducing something new").with_style(|s| s.align = Alignment::Center),
            image("hero", "hero.png", "A first look at what is new", None)
                .with_style(|s| s.padding = Padding::uniform(0)),
            text(
                "body",
                &format!(
                    "{GREETING}\nWe have been working on this for months and we are proud to share it with you \
                     today. It is faster, simpler and built around what you told us you need."
                ),
            ),
            button("cta", "See what's new", "https://example.com/launch")
                .with_style(|s| s.padding = Padding::symmetric(24, 25)),
            text("after", "Questions? Just reply to this email.").with_style(|s| s.align = Alignment::Center),
            footer("You receive this email because you are a customer or subscribed to our updates."),
        ],
    }
}

/// Text only, like a personal email: greeting, a few paragraphs, a signature.
pub fn plain_letter() -> Document {
    let signature = RichText::from_paragraphs(vec![
        Paragraph::new(vec![Inline::plain("Best regards,")]),
        Paragraph::new(vec![Inline::bold("{{ sender_name | default: \"The team\" }}")]),
    ]);
    Document {
        settings: DocumentSettings {
            background_color: "#ffffff".into(),
            preheader: String::new(),
            ..DocumentSettings::default()
        },
        blocks: vec![
            text(
                "letter",
                &format!(
                    "{GREETING}\nI wanted to write to you personally with a short update.\n\
                     Write your message here. Short paragraphs and one clear request work best.\n\
                     If anything is unclear, simply reply — I read every answer."
                ),
            ),
            Block::new("signature", BlockKind::Text { text: signature }),
            footer("You receive this email because you subscribed to our list."),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::{compile, lint};

    #[test]
    fn every_starter_is_valid_and_lints_clean() {
        for starter in Starter::ALL {
            let doc = starter.document();
            assert_eq!(doc.validate(), vec![], "{}", starter.as_str());
            let compiled = compile(&doc).unwrap();
            let html = compiled.html_source();
            let issues = lint(&html, &doc);
            assert!(issues.is_empty(), "{}: {issues:?}", starter.as_str());
            assert!(html.len() < 60 * 1024, "{} is {} bytes", starter.as_str(), html.len());
        }
    }

    #[test]
    fn starters_greet_by_name_and_use_only_merge_tag_image_hosts() {
        let doc = plain_letter();
        let message = compile(&doc).unwrap().render_for(&|name| match name {
            "first_name" => Some("Ann".to_owned()),
            "unsubscribe_url" => Some("https://mail.example/u/abc".to_owned()),
            _ => None,
        });
        assert!(message.text.starts_with("Hi Ann,\n\n"), "{}", message.text);
        assert!(message.html.contains("Hi Ann,"));
        assert!(message.text.contains("The team"));
        for (_, block) in newsletter().walk().chain(announcement().walk()) {
            if let BlockKind::Image { src, .. } = &block.kind {
                assert!(src.starts_with("{{ site_url }}/static/starters/"), "{src}");
            }
        }
    }
}
