//! Why a change to the audience was refused, phrased for the admin who made it.

use model::contacts::SegmentProblem;
use model::mail::AddressProblem;
use thiserror::Error;

/// Every refusal names the offending value; nothing is written when one is returned.
#[derive(Debug, Error)]
pub enum ContactError {
    #[error("{value:?} is not a valid email address: {problem}")]
    InvalidEmail { value: String, problem: AddressProblem },
    #[error("{0} is already a contact")]
    EmailTaken(String),
    #[error("no contact #{0}")]
    ContactNotFound(i64),
    #[error("no list #{0}")]
    ListNotFound(i64),
    #[error("a list named {0:?} already exists")]
    ListNameTaken(String),
    #[error("a list needs a name of 1 to 120 characters")]
    ListName,
    #[error("no segment #{0}")]
    SegmentNotFound(i64),
    #[error("a segment named {0:?} already exists")]
    SegmentNameTaken(String),
    #[error("a segment needs a name of 1 to 120 characters")]
    SegmentName,
    #[error("the segment is not valid: {0}")]
    Segment(#[from] SegmentProblem),
    #[error("{0:?} is not a tag (1 to 64 characters, no commas)")]
    InvalidTag(String),
    #[error("{0:?} is not an attribute name (letters, digits and _, up to 64)")]
    InvalidAttributeKey(String),
    #[error("attribute {key}: {problem}")]
    InvalidAttributeValue { key: String, problem: String },
    #[error("the name may be at most 200 characters")]
    NameTooLong,
    #[error("no import #{0}")]
    ImportNotFound(i64),
    #[error("import #{id} cannot be {action} while it is {state}")]
    ImportState { id: i64, action: &'static str, state: String },
    #[error("the file could not be read as CSV: {0}")]
    Csv(String),
    #[error("the import mapping is not valid: {0}")]
    Mapping(String),
    #[error("no suppression #{0}")]
    SuppressionNotFound(i64),
    #[error("select at most {max} contacts by id, or act on the whole filter instead")]
    SelectionTooLarge { max: usize },
    #[error("{0}")]
    InvalidAction(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ContactError {
    /// Bad input (answered 4xx) as opposed to the server failing (5xx, logged).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Self::Database(_) | Self::Io(_))
    }

    /// Not found (answered 404).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::ContactNotFound(_)
                | Self::ListNotFound(_)
                | Self::SegmentNotFound(_)
                | Self::ImportNotFound(_)
                | Self::SuppressionNotFound(_)
        )
    }
}
