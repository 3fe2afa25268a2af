//! Templates and the image library as the editor and the template list see them: the
//! shapes the browser sends and receives, shared so both sides agree on every field.
//!
//! A template is edited in one of two editors for its whole life ([`TemplateKind`]); every
//! save names the version it was based on ([`SaveRequest::expected_version`]) and becomes a
//! new numbered version, so history can be listed and restored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::email::{Document, Starter};

/// Which editor a template belongs to. Fixed at creation: the drag-and-drop editor cannot
/// open arbitrary HTML, and turning a document into HTML would lose its blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TemplateKind {
    /// A [`Document`] edited with the drag-and-drop editor.
    #[default]
    Document,
    /// Pasted HTML edited with the code editor.
    Html,
}

impl TemplateKind {
    /// The value stored in the database and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "document",
            Self::Html => "html",
        }
    }

    /// The stored value back; the database only holds the two values `as_str` writes.
    pub fn parse(s: &str) -> Self {
        if s == "html" { Self::Html } else { Self::Document }
    }
}

/// A row of the template list: enough to pick one, without its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: i64,
    pub name: String,
    pub kind: TemplateKind,
    /// The current version number.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    /// Blocks of the document, containers included; `None` for HTML templates.
    pub block_count: Option<usize>,
}

/// A template with its current content, as the editor opens it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub kind: TemplateKind,
    /// Set exactly when `kind` is [`TemplateKind::Document`].
    pub document: Option<Document>,
    /// Set exactly when `kind` is [`TemplateKind::Html`].
    pub html: Option<String>,
    /// Suggested subject line for campaigns made from this template.
    #[serde(default)]
    pub subject_hint: String,
    /// The version the editor must send back as [`SaveRequest::expected_version`].
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A complete template given at once (API clients, imports, tests); the name is used as
/// given and must be free.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateInput {
    pub name: String,
    pub kind: TemplateKind,
    pub document: Option<Document>,
    pub html: Option<String>,
    #[serde(default)]
    pub subject_hint: String,
}

/// The "new template" dialog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewTemplate {
    /// Blank: a name derived from the source, made unique with " (2)", " (3)"…; otherwise
    /// used as given and refused when taken.
    pub name: String,
    pub from: TemplateSource,
}

/// What a new template starts with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum TemplateSource {
    /// [`Document::blank`]: settings and a footer.
    Blank,
    /// One of the starter designs.
    Starter(Starter),
    /// Pasted HTML (an HTML template).
    Html(String),
    /// The current content of another template (id).
    Copy(i64),
}

/// One entry of a template's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub version: i32,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
    /// Written by the editor's timer rather than by the author; pruned first.
    pub autosave: bool,
}

/// One stored version with its content, for previewing before a restore.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateVersion {
    pub template_id: i64,
    pub version: i32,
    pub document: Option<Document>,
    pub html: Option<String>,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
    pub autosave: bool,
}

/// A save from the editor: new content for a template, based on the version the editor
/// loaded. A save based on an older version than the current one is refused, so two tabs
/// (or two admins) never silently overwrite each other's work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveRequest {
    pub template_id: i64,
    /// The template's `version` when the editor loaded (or last saved) it.
    pub expected_version: i32,
    /// For document templates.
    pub document: Option<Document>,
    /// For HTML templates.
    pub html: Option<String>,
    /// Saved by the editor's timer rather than by the author.
    #[serde(default)]
    pub autosave: bool,
}

/// What a save produced: the editor's next `expected_version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveOutcome {
    pub version: i32,
    pub saved_at: DateTime<Utc>,
}

/// An image of the library, for the editor's image picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaFile {
    pub id: i64,
    /// The name it was uploaded under (display only).
    pub file_name: String,
    /// Site-relative ("/media/<stored name>"); the editor makes it absolute with the site's
    /// public URL before it goes into an email, where relative URLs do not load.
    pub url: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Pixels, when the header could be read.
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [TemplateKind::Document, TemplateKind::Html] {
            assert_eq!(TemplateKind::parse(kind.as_str()), kind);
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn sources_are_tagged_for_the_browser() {
        let json = serde_json::to_value(TemplateSource::Starter(Starter::PlainLetter)).unwrap();
        assert_eq!(json, serde_json::json!({"type": "starter", "value": "plain_letter"}));
        let json = serde_json::to_value(TemplateSource::Blank).unwrap();
        assert_eq!(json, serde_json::json!({"type": "blank"}));
        let back: TemplateSource = serde_json::from_value(serde_json::json!({"type": "copy", "value": 7})).unwrap();
        assert_eq!(back, TemplateSource::Copy(7));
    }
}
