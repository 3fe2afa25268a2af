//! Why a mail-server change was refused, phrased for the admin who made it.

use model::PasswordProblem;
use model::mail::AddressProblem;
use thiserror::Error;

use crate::EngineError;

/// Every refusal names the offending value; nothing is written when one is returned.
#[derive(Debug, Error)]
pub enum MailError {
    #[error("{value:?} is not a valid domain: {problem}")]
    InvalidDomain { value: String, problem: AddressProblem },
    #[error("{value:?} is not a valid address: {problem}")]
    InvalidAddress { value: String, problem: AddressProblem },
    #[error("{value:?} is not a valid target address: {problem}")]
    InvalidTarget { value: String, problem: AddressProblem },
    #[error("{0} is already a mail domain")]
    DomainExists(String),
    #[error("{0} is already an alias domain")]
    AliasDomainExists(String),
    #[error("no mail domain {0}")]
    DomainNotFound(String),
    /// A new mailbox, alias or rule names a domain this server does not have (bad input,
    /// unlike `DomainNotFound`, which is about the domain being acted on).
    #[error("{0} is not one of this server's mail domains; add it on the Domains page first")]
    NotOurDomain(String),
    #[error("{address} is already used by a {used_by}")]
    AddressTaken { address: String, used_by: &'static str },
    #[error("{domain} allows at most {max} mailboxes")]
    MailboxLimit { domain: String, max: i32 },
    #[error(
        "{domain} may hand out {total} of quota in all; {allocated} is already given to mailboxes, so {requested} more does not fit"
    )]
    DomainQuotaExceeded { domain: String, total: String, allocated: String, requested: String },
    #[error("{domain} has a total quota, so each mailbox needs a quota (not unlimited)")]
    UnlimitedInLimitedDomain { domain: String },
    #[error("the address must be in the domain {domain}")]
    WrongDomain { domain: String },
    #[error("password {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    WeakPassword(Vec<PasswordProblem>),
    #[error("a new mailbox needs a password")]
    PasswordRequired,
    #[error("no mailbox {0}")]
    MailboxNotFound(String),
    #[error("no alias {0}")]
    AliasNotFound(String),
    #[error("no alias domain {0}")]
    AliasDomainNotFound(String),
    #[error("no BCC rule #{0}")]
    BccNotFound(i64),
    #[error("an alias needs at least one target")]
    NoTargets,
    #[error("at most {0} targets per alias")]
    TooManyTargets(usize),
    #[error("{target} is in the local domain {domain} but is neither a mailbox nor an alias there")]
    UnknownLocalTarget { target: String, domain: String },
    #[error("this would make a loop: {}", .0.join(" → "))]
    AliasLoop(Vec<String>),
    #[error("an alias cannot point only to itself")]
    SelfAlias,
    #[error("{0} already has a BCC rule of that kind")]
    BccExists(String),
    #[error("{domain} has {mailboxes} mailbox(es); type the domain name to confirm deleting it and all of them")]
    ConfirmationRequired { domain: String, mailboxes: i64 },
    #[error("the name of a domain cannot change; add the new domain instead")]
    Rename,
    #[error("line {line}: {reason}")]
    Csv { line: u64, reason: String },
    #[error("{0}")]
    Limit(String),
    #[error("DKIM key: {0}")]
    Dkim(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<sqlx::Error> for MailError {
    fn from(e: sqlx::Error) -> Self {
        Self::Engine(e.into())
    }
}

impl From<std::io::Error> for MailError {
    fn from(e: std::io::Error) -> Self {
        Self::Engine(e.into())
    }
}

impl MailError {
    /// Whether the admin (not the server) must change something: the UI shows it inline.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Self::Engine(_) | Self::Dkim(_))
    }

    /// Whether the thing acted on does not exist (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::DomainNotFound(_)
                | Self::MailboxNotFound(_)
                | Self::AliasNotFound(_)
                | Self::AliasDomainNotFound(_)
                | Self::BccNotFound(_)
        )
    }
}
