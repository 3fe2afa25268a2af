//! Lists (BillionMail's "groups"): who may receive what, with consent per contact.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether joining a list needs a confirmation click.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptIn {
    #[default]
    Single,
    Double,
}

impl OptIn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Double => "double",
        }
    }
    pub fn parse(s: &str) -> Self {
        if s == "double" { Self::Double } else { Self::Single }
    }
}

/// Whether subscribers may see and pick the list on public pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    #[default]
    Private,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }
    pub fn parse(s: &str) -> Self {
        if s == "public" { Self::Public } else { Self::Private }
    }
}

/// A list with its member counts by status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactList {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub opt_in: OptIn,
    pub visibility: Visibility,
    pub subscribed: i64,
    pub unconfirmed: i64,
    pub unsubscribed: i64,
    pub created_at: DateTime<Utc>,
}

/// The list form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListInput {
    pub name: String,
    pub description: String,
    pub opt_in: OptIn,
    pub visibility: Visibility,
}
