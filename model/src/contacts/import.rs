//! CSV/TSV imports: the column mapping the admin chooses, the options, and the progress the
//! background job reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AttributeKind, ListStatus};

/// Where one column of the file goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnTarget {
    Ignore,
    Email,
    Name,
    /// Comma- or semicolon-separated tags.
    Tags,
    /// A custom attribute; a key that is not yet defined is created with this kind.
    Attribute {
        key: String,
        kind: AttributeKind,
    },
}

/// Everything the admin chose on the mapping screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSettings {
    /// One target per column of the file, in file order.
    pub columns: Vec<ColumnTarget>,
    /// Lists the contacts are added to, with this status.
    pub list_ids: Vec<i64>,
    pub status: ListStatus,
    /// Replace existing contacts' name and attributes (otherwise only fill empty ones).
    pub overwrite: bool,
    /// Tags added to every imported contact.
    pub tags: Vec<String>,
}

impl ImportSettings {
    /// The mapping problems that would make every row fail, said before anything runs.
    pub fn check(&self) -> Result<(), String> {
        let emails = self.columns.iter().filter(|c| **c == ColumnTarget::Email).count();
        if emails != 1 {
            return Err("map exactly one column to Email".to_owned());
        }
        let mut keys: Vec<&str> = self
            .columns
            .iter()
            .filter_map(|c| match c {
                ColumnTarget::Attribute { key, .. } => Some(key.as_str()),
                _ => None,
            })
            .collect();
        if let Some(bad) = keys.iter().find(|k| !super::is_attribute_key(k)) {
            return Err(format!("{bad:?} is not an attribute name (letters, digits and _, up to 64)"));
        }
        keys.sort_unstable();
        if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("two columns are mapped to the attribute {:?}", w[0]));
        }
        if self.columns.iter().filter(|c| **c == ColumnTarget::Name).count() > 1 {
            return Err("map at most one column to Name".to_owned());
        }
        Ok(())
    }
}

/// The first rows of an uploaded file and a suggested mapping, for the mapping screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub import_id: i64,
    pub file_name: String,
    pub size_bytes: i64,
    /// The delimiter found (`,`, `;`, tab or `|`).
    pub delimiter: char,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub suggested: Vec<ColumnTarget>,
}

/// Where an import is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportState {
    Uploaded,
    Queued,
    Running,
    Finished,
    Failed,
    Cancelled,
}

impl ImportState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Finished => "finished",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "finished" => Self::Finished,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            _ => Self::Uploaded,
        }
    }
    /// Still going (the page keeps polling).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// An import and its progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJob {
    pub id: i64,
    pub file_name: String,
    pub size_bytes: i64,
    pub state: ImportState,
    /// What it is doing now ("reading", "saving contacts", "adding to lists", …).
    pub phase: String,
    pub bytes_read: i64,
    pub rows_read: i64,
    pub rows_invalid: i64,
    pub contacts_new: i64,
    pub contacts_updated: i64,
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl ImportJob {
    /// Share of the file read, 0–100, for the progress bar.
    pub fn percent(&self) -> u8 {
        if self.state == ImportState::Finished {
            return 100;
        }
        if self.size_bytes <= 0 {
            return 0;
        }
        ((self.bytes_read.clamp(0, self.size_bytes) * 100) / self.size_bytes) as u8
    }
}

/// One refused line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowError {
    pub line: i64,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(columns: Vec<ColumnTarget>) -> ImportSettings {
        ImportSettings { columns, list_ids: vec![], status: ListStatus::Subscribed, overwrite: false, tags: vec![] }
    }

    #[test]
    fn a_mapping_needs_one_email_column_and_distinct_attributes() {
        assert!(settings(vec![ColumnTarget::Name]).check().is_err());
        assert!(settings(vec![ColumnTarget::Email, ColumnTarget::Email]).check().is_err());
        let attr = |k: &str| ColumnTarget::Attribute { key: k.to_owned(), kind: AttributeKind::Text };
        assert!(settings(vec![ColumnTarget::Email, attr("plan"), attr("plan")]).check().is_err());
        assert!(settings(vec![ColumnTarget::Email, attr("bad key")]).check().is_err());
        assert!(settings(vec![ColumnTarget::Email, ColumnTarget::Ignore, attr("plan")]).check().is_ok());
    }
}
