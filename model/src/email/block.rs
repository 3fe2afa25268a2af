//! A block of the editor's canvas: its box style and what kind of content it is.

use serde::{Deserialize, Serialize};

use super::{MenuLink, RichText, SocialLink};

/// One block of the editor's canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Stable id chosen by the editor; unique in the document.
    pub id: String,
    #[serde(default)]
    pub style: BlockStyle,
    pub kind: BlockKind,
}

/// Box styling every block has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockStyle {
    pub padding: Padding,
    pub align: Alignment,
    /// Background behind the block; `None` lets the content background through.
    pub background_color: Option<String>,
    /// Hidden on narrow screens (clients that honour media queries).
    pub hide_on_mobile: bool,
    /// Hidden on wide screens (clients that honour media queries; Outlook for Windows
    /// ignores them and shows the block).
    pub hide_on_desktop: bool,
}

impl Default for BlockStyle {
    fn default() -> Self {
        BlockStyle {
            padding: Padding { top: 10, right: 25, bottom: 10, left: 25 },
            align: Alignment::Left,
            background_color: None,
            hide_on_mobile: false,
            hide_on_desktop: false,
        }
    }
}

impl BlockStyle {
    /// The style a new block of `kind` starts with: containers have no padding of their
    /// own (their content has), buttons, images and social links are centred.
    pub fn for_kind(kind: &BlockKind) -> Self {
        let mut style = BlockStyle::default();
        match kind {
            BlockKind::Section { .. } | BlockKind::Columns { .. } | BlockKind::Spacer { .. } => {
                style.padding = Padding::uniform(0);
            }
            BlockKind::Button { .. }
            | BlockKind::Image { .. }
            | BlockKind::Social { .. }
            | BlockKind::Menu { .. }
            | BlockKind::Footer { .. } => style.align = Alignment::Center,
            _ => {}
        }
        style
    }
}

/// Space inside a block, in px.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Padding {
    pub top: u16,
    pub right: u16,
    pub bottom: u16,
    pub left: u16,
}

impl Padding {
    /// The same space on every side.
    pub fn uniform(px: u16) -> Self {
        Padding { top: px, right: px, bottom: px, left: px }
    }

    /// `vertical` above and below, `horizontal` left and right.
    pub fn symmetric(vertical: u16, horizontal: u16) -> Self {
        Padding { top: vertical, right: horizontal, bottom: vertical, left: horizontal }
    }

    /// The CSS shorthand (`10px 25px 10px 25px`).
    pub fn css(&self) -> String {
        format!("{}px {}px {}px {}px", self.top, self.right, self.bottom, self.left)
    }
}

/// Horizontal alignment of a block's content.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    #[default]
    Left,
    Center,
    Right,
}

impl Alignment {
    /// The CSS / MJML keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Alignment::Left => "left",
            Alignment::Center => "center",
            Alignment::Right => "right",
        }
    }
}

/// What a block is. Colours are CSS colours (`#rrggbb`, `rgb()`, names); sizes are px.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockKind {
    /// A band with its own background holding other blocks (top level only).
    Section {
        blocks: Vec<Block>,
    },
    /// 2–4 columns side by side; `stack_on_mobile: false` keeps them side by side on phones.
    Columns {
        columns: Vec<Column>,
        #[serde(default = "default_true")]
        stack_on_mobile: bool,
    },
    /// A title, level 1 to 3.
    Heading {
        level: u8,
        text: RichText,
    },
    Text {
        text: RichText,
    },
    Image {
        src: String,
        alt: String,
        #[serde(default)]
        href: Option<String>,
        /// Display width in px; `None` fills the column.
        #[serde(default)]
        width: Option<u32>,
    },
    Button {
        label: String,
        href: String,
        background_color: String,
        text_color: String,
        border_radius: u16,
    },
    Divider {
        color: String,
        thickness: u16,
    },
    Spacer {
        height: u16,
    },
    Social {
        links: Vec<SocialLink>,
    },
    /// A row of text links (site navigation).
    Menu {
        links: Vec<MenuLink>,
    },
    /// HTML written by hand, inserted as it is (checked by the linter, not rendered safe).
    RawHtml {
        html: String,
    },
    /// Small print; the renderer always adds the postal address and an unsubscribe link
    /// (`{{ unsubscribe_url }}`), which the law (CAN-SPAM, GDPR practice) and inbox
    /// providers expect in every bulk email.
    Footer {
        text: RichText,
        postal_address: String,
    },
}

fn default_true() -> bool {
    true
}

/// One column of a `Columns` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Share of the row in percent; `None` splits what is left evenly.
    #[serde(default)]
    pub width_percent: Option<u8>,
    pub blocks: Vec<Block>,
}

impl Block {
    /// A block with the default style for its kind.
    pub fn new(id: impl Into<String>, kind: BlockKind) -> Self {
        let style = BlockStyle::for_kind(&kind);
        Block { id: id.into(), style, kind }
    }

    /// Same block with another style (builder style for starters and tests).
    pub fn with_style(mut self, edit: impl FnOnce(&mut BlockStyle)) -> Self {
        edit(&mut self.style);
        self
    }

    /// The blocks directly inside this one (sections' blocks, every column's blocks).
    pub fn children(&self) -> Vec<&Block> {
        match &self.kind {
            BlockKind::Section { blocks } => blocks.iter().collect(),
            BlockKind::Columns { columns, .. } => columns.iter().flat_map(|c| c.blocks.iter()).collect(),
            _ => Vec::new(),
        }
    }

    /// True for blocks that hold other blocks.
    pub fn is_container(&self) -> bool {
        matches!(self.kind, BlockKind::Section { .. } | BlockKind::Columns { .. })
    }
}
