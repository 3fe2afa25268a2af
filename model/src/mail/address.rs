//! Syntax of mail addresses and domain names as the mail server stores them.
//!
//! The server converts Unicode domains to punycode before calling these checks, so the rules
//! here are the ASCII ones Postfix and Dovecot compare against: RFC 5321 dot-atom local parts
//! (no quoted strings — no mail client lets a user type one reliably) and RFC 1035 host names.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an address or domain name was refused; shown next to the field as is.
#[derive(Clone, Debug, Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressProblem {
    #[error("is empty")]
    Empty,
    #[error("needs exactly one @ between the name and the domain")]
    MissingAt,
    #[error("the part before @ must be 1 to 64 characters")]
    LocalPartLength,
    #[error(
        "the part before @ may use letters, digits and . _ - + ' = only, with no dot at either end or two in a row"
    )]
    LocalPartCharacters,
    #[error("the domain must be at most 253 characters, each label at most 63")]
    DomainLength,
    #[error("the domain needs at least two labels, like example.com")]
    DomainNotQualified,
    #[error("domain labels may use letters, digits and hyphens, not starting or ending with a hyphen")]
    DomainCharacters,
    #[error("the last label of a domain cannot be all digits")]
    NumericTld,
}

/// Checks an ASCII (punycode) domain name, already lower-cased, and returns it unchanged.
pub fn check_domain_ascii(domain: &str) -> Result<&str, AddressProblem> {
    if domain.is_empty() {
        return Err(AddressProblem::Empty);
    }
    if domain.len() > 253 {
        return Err(AddressProblem::DomainLength);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(AddressProblem::DomainNotQualified);
    }
    for label in &labels {
        if label.is_empty() {
            return Err(AddressProblem::DomainCharacters);
        }
        if label.len() > 63 {
            return Err(AddressProblem::DomainLength);
        }
        let chars_ok = label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !chars_ok || label.starts_with('-') || label.ends_with('-') {
            return Err(AddressProblem::DomainCharacters);
        }
    }
    if labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
        return Err(AddressProblem::NumericTld);
    }
    Ok(domain)
}

/// Checks a lower-cased local part (the bit before `@`).
pub fn check_local_part(local: &str) -> Result<&str, AddressProblem> {
    if local.is_empty() || local.len() > 64 {
        return Err(AddressProblem::LocalPartLength);
    }
    let allowed =
        |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-' | b'+' | b'\'' | b'=');
    if !local.bytes().all(allowed) || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressProblem::LocalPartCharacters);
    }
    Ok(local)
}

/// Splits `local@domain` at its single `@`.
pub fn split_address(address: &str) -> Result<(&str, &str), AddressProblem> {
    if address.is_empty() {
        return Err(AddressProblem::Empty);
    }
    match address.split_once('@') {
        Some((local, domain)) if !domain.contains('@') => Ok((local, domain)),
        _ => Err(AddressProblem::MissingAt),
    }
}

/// Checks a complete lower-cased ASCII address.
pub fn check_address(address: &str) -> Result<&str, AddressProblem> {
    let (local, domain) = split_address(address)?;
    check_local_part(local)?;
    check_domain_ascii(domain)?;
    Ok(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_pass() {
        for a in ["a@example.com", "first.last+tag@sub.example.co.uk", "o'neil@xn--bcher-kva.example", "x=y@a-b.io"] {
            assert_eq!(check_address(a), Ok(a), "{a}");
        }
    }

    #[test]
    fn malformed_addresses_say_what_is_wrong() {
        assert_eq!(check_address(""), Err(AddressProblem::Empty));
        assert_eq!(check_address("nobody"), Err(AddressProblem::MissingAt));
        assert_eq!(check_address("a@b@example.com"), Err(AddressProblem::MissingAt));
        assert_eq!(check_address("@example.com"), Err(AddressProblem::LocalPartLength));
        assert_eq!(check_address(".a@example.com"), Err(AddressProblem::LocalPartCharacters));
        assert_eq!(check_address("a..b@example.com"), Err(AddressProblem::LocalPartCharacters));
        assert_eq!(check_address("a b@example.com"), Err(AddressProblem::LocalPartCharacters));
        assert_eq!(check_address("<script>@example.com"), Err(AddressProblem::LocalPartCharacters));
        assert_eq!(check_address(&format!("{}@example.com", "a".repeat(65))), Err(AddressProblem::LocalPartLength));
    }

    #[test]
    fn malformed_domains_say_what_is_wrong() {
        assert_eq!(check_domain_ascii("localhost"), Err(AddressProblem::DomainNotQualified));
        assert_eq!(check_domain_ascii("-a.com"), Err(AddressProblem::DomainCharacters));
        assert_eq!(check_domain_ascii("a..com"), Err(AddressProblem::DomainCharacters));
        assert_eq!(check_domain_ascii("a_b.com"), Err(AddressProblem::DomainCharacters));
        assert_eq!(check_domain_ascii("10.0.0.1"), Err(AddressProblem::NumericTld));
        assert_eq!(check_domain_ascii(&format!("{}.com", "a".repeat(64))), Err(AddressProblem::DomainLength));
        assert_eq!(check_domain_ascii(&format!("{}com", "a.".repeat(130))), Err(AddressProblem::DomainLength));
    }
}
