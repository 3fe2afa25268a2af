//! Admin usernames: short, lower-case, safe to show anywhere without escaping surprises.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a username cannot be used for a new account.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum UsernameProblem {
    #[error("must be 3 to 64 characters")]
    Length,
    #[error("may only use a–z, 0–9, dot, dash and underscore, starting with a letter or digit")]
    Characters,
}

/// Normalises (trim, lower-case) and checks a username for a new account.
///
/// Sign-in does not use this: it looks up whatever was typed, through a bound parameter.
pub fn check_username(raw: &str) -> Result<String, UsernameProblem> {
    let name = raw.trim().to_lowercase();
    let len = name.chars().count();
    if !(3..=64).contains(&len) {
        return Err(UsernameProblem::Length);
    }
    let first_ok = name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if first_ok && rest_ok { Ok(name) } else { Err(UsernameProblem::Characters) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_is_trimmed_and_lower_cased() {
        assert_eq!(check_username("  Admin.Ops ").as_deref(), Ok("admin.ops"));
    }

    #[test]
    fn markup_and_quotes_are_refused() {
        assert_eq!(check_username("<script>x</script>"), Err(UsernameProblem::Characters));
        assert_eq!(check_username("a' OR '1'='1"), Err(UsernameProblem::Characters));
    }

    #[test]
    fn too_short_or_long_is_refused() {
        assert_eq!(check_username("ab"), Err(UsernameProblem::Length));
        assert_eq!(check_username(&"a".repeat(65)), Err(UsernameProblem::Length));
    }

    #[test]
    fn leading_punctuation_is_refused() {
        assert_eq!(check_username(".admin"), Err(UsernameProblem::Characters));
    }
}
