//! The editor's view choices: what the centre of the editor shows, and which screen the
//! live preview imitates. Kept apart from the panes themselves so the toolbar, the layout
//! and the preview agree on one vocabulary.

/// What the centre of the editor shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ViewMode {
    /// The canvas alone: the most room for building; the default on screens too narrow to
    /// show two email-wide panes.
    #[default]
    Edit,
    /// Canvas and live preview side by side, the default on wide screens: people see the
    /// real email (as mail clients will lay it out) while they edit.
    Split,
    /// The rendered email alone, for reading it through.
    Preview,
}

impl ViewMode {
    /// Narrowest window that fits the sidebar, palette, properties and two 600 px panes.
    pub const SPLIT_MIN_WIDTH: f64 = 1760.0;

    /// The mode a window `width` px wide opens in.
    pub fn for_window(width: f64) -> Self {
        if width >= Self::SPLIT_MIN_WIDTH { Self::Split } else { Self::Edit }
    }

    /// Every mode, in the order the segmented control shows them.
    pub const ALL: [ViewMode; 3] = [Self::Edit, Self::Split, Self::Preview];

    /// Stable key, used in `data-testid="view-<key>"` so browser tests can pick a mode.
    pub fn key(self) -> &'static str {
        match self {
            Self::Edit => "edit",
            Self::Split => "split",
            Self::Preview => "preview",
        }
    }

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Edit => "Edit",
            Self::Split => "Split",
            Self::Preview => "Preview",
        }
    }

    /// True when the canvas (and with it the palette) is on screen.
    pub fn shows_canvas(self) -> bool {
        !matches!(self, Self::Preview)
    }

    /// True when the live preview is on screen (it is not rendered otherwise, which saves
    /// an MJML render per keystroke while only the canvas is visible).
    pub fn shows_preview(self) -> bool {
        !matches!(self, Self::Edit)
    }
}

/// The screen the live preview imitates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Device {
    /// The document's own width (600 px unless changed): what webmail and desktop clients show.
    #[default]
    Desktop,
    /// A 375 px wide phone, where columns stack and hide-on-mobile blocks disappear.
    Mobile,
}

impl Device {
    /// Both devices, in the order the toggle shows them.
    pub const ALL: [Device; 2] = [Self::Desktop, Self::Mobile];

    /// Width of a typical phone screen in CSS pixels (iPhone SE … iPhone 13 mini).
    pub const MOBILE_WIDTH: u32 = 375;

    /// Stable key, used in `data-testid="device-<key>"`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Desktop => "desktop",
            Self::Mobile => "mobile",
        }
    }

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Desktop => "Desktop",
            Self::Mobile => "Mobile",
        }
    }

    /// Width of the preview frame in px for a document `document_width` wide: the document's
    /// width on desktop (so nothing is cut off or padded), a phone's on mobile.
    pub fn frame_width(self, document_width: u32) -> u32 {
        match self {
            Self::Desktop => document_width.clamp(320, 900),
            Self::Mobile => Self::MOBILE_WIDTH,
        }
    }
}
