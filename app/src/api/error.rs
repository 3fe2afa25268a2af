//! The one error type every server function returns; the UI turns it into a toast or an
//! inline message in one place (`components::toast::report`).

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use thiserror::Error;

/// What went wrong, precise enough for the user to act on.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApiError {
    #[error("You are not signed in, or your session has ended. Please sign in again.")]
    Unauthorized,
    #[error("This request did not come from this site's own pages, so it was refused.")]
    ForeignOrigin,
    #[error("Wrong username or password.")]
    InvalidCredentials { attempts_left: u32 },
    #[error("Too many failed sign-ins from your address. Try again in {}.", wait_phrase(*retry_after_secs))]
    Locked { retry_after_secs: u64 },
    /// Bad input in one form field; `field` is the input's name.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("The server could not complete this: {0}")]
    Internal(String),
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl ApiError {
    /// Shorthand for a field error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.to_owned(), message: message.into() }
    }

    /// The HTTP status this error is answered with, so logs, proxies and API clients see
    /// what happened without decoding the body.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Self::Unauthorized | Self::InvalidCredentials { .. } => S::UNAUTHORIZED,
            Self::ForeignOrigin => S::FORBIDDEN,
            Self::Locked { .. } => S::TOO_MANY_REQUESTS,
            Self::Invalid { .. } => S::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => S::CONFLICT,
            Self::NotFound(_) => S::NOT_FOUND,
            Self::Internal(_) => S::INTERNAL_SERVER_ERROR,
            Self::Transport(_) => S::BAD_GATEWAY,
        }
    }

    /// The message for `field` if this error is about that input.
    pub fn for_field(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid { field: f, message } if f == field => Some(message.clone()),
            _ => None,
        }
    }
}

/// "4 min 30 s", "45 s": how long to wait, as a person would say it.
fn wait_phrase(secs: u64) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) | ServerFnErrorErr::Response(e) => Self::Transport(e),
            other => Self::Internal(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod from_engine {
    use engine::EngineError;
    use engine::auth::{AdminError, SignInError};

    use super::ApiError;

    impl From<EngineError> for ApiError {
        fn from(e: EngineError) -> Self {
            tracing::error!(error = %e, "engine error");
            Self::Internal("a database or system error occurred; the details are in the server log".into())
        }
    }

    impl From<AdminError> for ApiError {
        fn from(e: AdminError) -> Self {
            match e {
                AdminError::InvalidUsername(p) => Self::invalid("username", format!("Username {p}.")),
                AdminError::WeakPassword(_) => Self::invalid("password", format!("{}.", capitalise(&e.to_string()))),
                AdminError::UsernameTaken(_) => Self::invalid("username", format!("{}.", capitalise(&e.to_string()))),
                AdminError::AlreadySetUp | AdminError::LastAdmin | AdminError::DeletingSelf => {
                    Self::Conflict(format!("{}.", capitalise(&e.to_string())))
                }
                AdminError::NotFound(_) => Self::NotFound(format!("{}.", capitalise(&e.to_string()))),
                AdminError::WrongCurrentPassword => {
                    Self::invalid("current_password", "The current password is not right.")
                }
                AdminError::Engine(e) => e.into(),
            }
        }
    }

    impl From<SignInError> for ApiError {
        fn from(e: SignInError) -> Self {
            match e {
                SignInError::InvalidCredentials { attempts_left } => Self::InvalidCredentials { attempts_left },
                SignInError::Locked { retry_after_secs } => Self::Locked { retry_after_secs },
                SignInError::Engine(e) => e.into(),
            }
        }
    }

    impl From<engine::mail::MailError> for ApiError {
        fn from(e: engine::mail::MailError) -> Self {
            use engine::mail::MailError as M;
            let message = format!("{}.", capitalise(&e.to_string()));
            match e {
                M::Engine(inner) => inner.into(),
                M::Dkim(_) => {
                    tracing::error!(error = %e, "DKIM key");
                    Self::Internal(message)
                }
                ref e if e.is_not_found() => Self::NotFound(message),
                M::InvalidDomain { .. } | M::DomainExists(_) | M::AliasDomainExists(_) | M::Rename => {
                    Self::invalid("name", message)
                }
                M::InvalidAddress { .. } | M::AddressTaken { .. } | M::WrongDomain { .. } | M::NotOurDomain(_) => {
                    Self::invalid("address", message)
                }
                M::WeakPassword(_) | M::PasswordRequired => Self::invalid("password", message),
                M::InvalidTarget { .. }
                | M::NoTargets
                | M::TooManyTargets(_)
                | M::UnknownLocalTarget { .. }
                | M::AliasLoop(_)
                | M::SelfAlias => Self::invalid("targets", message),
                M::ConfirmationRequired { .. } => Self::invalid("confirm", message),
                M::DomainQuotaExceeded { .. } | M::UnlimitedInLimitedDomain { .. } => Self::invalid("quota", message),
                // Out-of-range values and limits: a form-level validation message.
                M::Limit(_) | M::Csv { .. } => Self::invalid("form", message),
                _ => Self::Conflict(message),
            }
        }
    }

    impl From<engine::deliverability::DeliverabilityError> for ApiError {
        fn from(e: engine::deliverability::DeliverabilityError) -> Self {
            use engine::deliverability::DeliverabilityError as D;
            let message = format!("{}.", capitalise(&e.to_string()));
            match e {
                D::Mail(inner) => inner.into(),
                D::Engine(inner) => inner.into(),
                D::Acme(_) | D::Alert(_) | D::Internal(_) => {
                    tracing::error!(error = %e, "deliverability");
                    Self::Internal(message)
                }
                ref e if e.is_not_found() => Self::NotFound(message),
                D::InvalidInput { field, .. } => Self::invalid(field, message),
                D::Certificate(_) => Self::invalid("certificate", message),
                _ => Self::Conflict(message),
            }
        }
    }

    impl From<engine::contacts::ContactError> for ApiError {
        fn from(e: engine::contacts::ContactError) -> Self {
            use engine::contacts::ContactError as C;
            let message = format!("{}.", capitalise(&e.to_string()));
            match e {
                C::Database(_) | C::Io(_) => {
                    tracing::error!(error = %e, "contacts");
                    Self::Internal(message)
                }
                ref e if e.is_not_found() => Self::NotFound(message),
                C::InvalidEmail { .. } | C::EmailTaken(_) => Self::invalid("email", message),
                C::ListName | C::ListNameTaken(_) | C::SegmentName | C::SegmentNameTaken(_) | C::NameTooLong => {
                    Self::invalid("name", message)
                }
                C::Segment(_) => Self::invalid("filter", message),
                C::InvalidTag(_) => Self::invalid("tags", message),
                C::InvalidAttributeKey(_) | C::InvalidAttributeValue { .. } => Self::invalid("attributes", message),
                C::Mapping(_) | C::Csv(_) => Self::invalid("mapping", message),
                C::ImportState { .. } => Self::Conflict(message),
                _ => Self::invalid("form", message),
            }
        }
    }

    /// Template refusals become the field error the editor or dialog can show next to the
    /// input at fault; a stale save is a conflict (the editor offers to reload); database
    /// and disk failures are logged and answered without their details.
    impl From<engine::templates::TemplateError> for ApiError {
        fn from(e: engine::templates::TemplateError) -> Self {
            use engine::templates::TemplateError as T;
            let text = e.to_string();
            let message = format!("{}.", capitalise(text.trim_end_matches('.')));
            match e {
                T::Database(_) | T::Io(_) => {
                    tracing::error!(error = %e, "templates");
                    Self::Internal("a database or system error occurred; the details are in the server log".into())
                }
                ref e if e.is_not_found() => Self::NotFound(message),
                T::Name | T::NameTaken(_) => Self::invalid("name", message),
                T::SubjectHint => Self::invalid("subject_hint", message),
                T::Invalid(_) => Self::invalid("content", message),
                T::MediaTooLarge { .. } | T::MediaType(_) => Self::invalid("file", message),
                ref e if e.is_conflict() => Self::Conflict(message),
                _ => Self::invalid("form", message),
            }
        }
    }

    /// Campaign errors: a field or state problem is the admin's to fix (named field or
    /// conflict); a relay or DKIM problem is explained; database failures are logged.
    impl From<engine::campaigns::CampaignError> for ApiError {
        fn from(e: engine::campaigns::CampaignError) -> Self {
            use engine::campaigns::CampaignError as C;
            let text = e.to_string();
            let message = format!("{}.", capitalise(text.trim_end_matches('.')));
            match e {
                C::Database(_) => {
                    tracing::error!(error = %e, "campaigns");
                    Self::Internal("a database error occurred; the details are in the server log".into())
                }
                C::NotFound(_) => Self::NotFound(message),
                C::Invalid { field, .. } => Self::invalid(field, message),
                C::State(_) => Self::Conflict(message),
                C::Content(_) => Self::invalid("content", message),
                C::Segment(_) => Self::invalid("audience", message),
                C::Dkim(_) | C::Relay(_) => Self::Conflict(message),
            }
        }
    }

    /// Bounce-policy refusals become the field error the Sending page shows under the input
    /// at fault; a database failure is logged and answered without its details.
    impl From<engine::inbound::policy::PolicyError> for ApiError {
        fn from(e: engine::inbound::policy::PolicyError) -> Self {
            use engine::inbound::policy::PolicyError as P;
            let text = e.to_string();
            let message = format!("{}.", capitalise(text.trim_end_matches('.')));
            match e {
                P::Database(_) => {
                    tracing::error!(error = %e, "bounce policy");
                    Self::Internal("a database error occurred; the details are in the server log".into())
                }
                P::Invalid { field, .. } => Self::invalid(field, message),
            }
        }
    }

    fn capitalise(s: &str) -> String {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_message_says_how_long_to_wait() {
        let e = ApiError::Locked { retry_after_secs: 270 };
        assert_eq!(e.to_string(), "Too many failed sign-ins from your address. Try again in 4 min 30 s.");
        assert_eq!(wait_phrase(300), "5 min");
        assert_eq!(wait_phrase(9), "9 s");
    }

    #[test]
    fn field_errors_are_found_by_field_name() {
        let e = ApiError::invalid("username", "Taken.");
        assert_eq!(e.for_field("username").as_deref(), Some("Taken."));
        assert_eq!(e.for_field("password"), None);
    }

    #[test]
    fn errors_survive_the_json_round_trip() {
        let e = ApiError::Locked { retry_after_secs: 12 };
        let json = serde_json::to_string(&e).expect("encode");
        assert_eq!(serde_json::from_str::<ApiError>(&json).expect("decode"), e);
    }
}
