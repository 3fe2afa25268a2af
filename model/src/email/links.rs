//! The link lists of social and menu blocks.

use serde::{Deserialize, Serialize};

/// A link to one of the sender's social profiles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialLink {
    pub network: SocialNetwork,
    pub url: String,
}

/// The networks the social block has icons for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocialNetwork {
    Facebook,
    X,
    Instagram,
    Linkedin,
    Youtube,
    Tiktok,
    Github,
    Website,
}

impl SocialNetwork {
    /// Every network, in the order the editor lists them.
    pub const ALL: [SocialNetwork; 8] = [
        Self::Facebook,
        Self::X,
        Self::Instagram,
        Self::Linkedin,
        Self::Youtube,
        Self::Tiktok,
        Self::Github,
        Self::Website,
    ];

    /// Stable key, also the icon's file name (`/static/social/<key>.png`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Facebook => "facebook",
            Self::X => "x",
            Self::Instagram => "instagram",
            Self::Linkedin => "linkedin",
            Self::Youtube => "youtube",
            Self::Tiktok => "tiktok",
            Self::Github => "github",
            Self::Website => "website",
        }
    }

    /// Name shown to people (alt text, plain-text part).
    pub fn label(self) -> &'static str {
        match self {
            Self::Facebook => "Facebook",
            Self::X => "X",
            Self::Instagram => "Instagram",
            Self::Linkedin => "LinkedIn",
            Self::Youtube => "YouTube",
            Self::Tiktok => "TikTok",
            Self::Github => "GitHub",
            Self::Website => "Website",
        }
    }

    /// The brand colour behind the icon.
    pub fn color(self) -> &'static str {
        match self {
            Self::Facebook => "#1877f2",
            Self::X => "#000000",
            Self::Instagram => "#e4405f",
            Self::Linkedin => "#0a66c2",
            Self::Youtube => "#ff0000",
            Self::Tiktok => "#000000",
            Self::Github => "#181717",
            Self::Website => "#4b5563",
        }
    }
}

/// One entry of a menu block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuLink {
    pub label: String,
    pub href: String,
}
