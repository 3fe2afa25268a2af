//! Password strength rules for admin (and later mailbox) accounts.
//!
//! The same function runs in the browser for inline hints and on the server as the
//! authority, so a user never sees a rule only after submitting.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// Longest password accepted; bounds the cost of hashing attacker-supplied input.
pub const MAX_LENGTH: usize = 128;
/// From this length a passphrase needs no character-class mix.
pub const PASSPHRASE_LENGTH: usize = 20;

/// Passwords too common to allow even when they pass the other rules.
const COMMON: &[&str] = &[
    "password1234",
    "passwordpassword",
    "123456789012",
    "qwertyuiop12",
    "administrator",
    "letmein12345",
    "welcome12345",
    "changeme1234",
    "iloveyou1234",
    "billionmail123",
];

/// One reason a password is refused; several can apply at once.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordProblem {
    #[error("must be at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("must be at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("needs three of: lower case, upper case, digit, symbol (or use {PASSPHRASE_LENGTH}+ characters)")]
    TooSimple,
    #[error("must not contain the username")]
    ContainsUsername,
    #[error("is one of the most common passwords")]
    TooCommon,
}

/// Every rule the password breaks; empty means it is acceptable.
pub fn check_password(password: &str, username: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    let len = password.chars().count();
    if len < MIN_LENGTH {
        problems.push(PasswordProblem::TooShort);
    }
    if len > MAX_LENGTH {
        problems.push(PasswordProblem::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    if len < PASSPHRASE_LENGTH && classes < 3 {
        problems.push(PasswordProblem::TooSimple);
    }
    let user = username.trim().to_lowercase();
    let lowered = password.to_lowercase();
    if user.chars().count() >= 3 && lowered.contains(&user) {
        problems.push(PasswordProblem::ContainsUsername);
    }
    if COMMON.contains(&lowered.as_str()) {
        problems.push(PasswordProblem::TooCommon);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_mixed_password_passes() {
        assert!(check_password("Blue-Harbor-42", "alice").is_empty());
    }

    #[test]
    fn long_passphrase_needs_no_mix() {
        assert!(check_password("correct horse battery staple", "alice").is_empty());
    }

    #[test]
    fn short_password_is_refused() {
        assert!(check_password("Ab1!", "alice").contains(&PasswordProblem::TooShort));
    }

    #[test]
    fn single_class_password_is_refused() {
        assert!(check_password("abcdefghijklm", "alice").contains(&PasswordProblem::TooSimple));
    }

    #[test]
    fn password_containing_username_is_refused() {
        let p = check_password("Alice-Secret-99", "alice");
        assert_eq!(p, vec![PasswordProblem::ContainsUsername]);
    }

    #[test]
    fn common_password_is_refused_whatever_its_case() {
        assert!(check_password("PASSWORD1234", "bob").contains(&PasswordProblem::TooCommon));
    }

    #[test]
    fn huge_password_is_refused() {
        let long = "aA1!".repeat(40);
        assert!(check_password(&long, "bob").contains(&PasswordProblem::TooLong));
    }
}
