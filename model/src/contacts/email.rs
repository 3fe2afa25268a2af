//! Subscriber addresses: checked and normalised the same way in the contact form, the API
//! and the import, so one address can never be stored twice under different spellings.

use crate::mail::{AddressProblem, check_domain_ascii};

/// Maximum length of a whole address (RFC 5321 path limit minus the angle brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// Lower-cases and checks an address whose domain is ASCII (punycode). Subscribers' local
/// parts may use every RFC 5322 `atext` character (mailboxes we host are stricter); quoted
/// local parts are refused because receivers and ESPs handle them inconsistently.
pub fn normalize_contact_email(raw: &str) -> Result<String, AddressProblem> {
    let trimmed = raw.trim().trim_start_matches("mailto:");
    if trimmed.is_empty() {
        return Err(AddressProblem::Empty);
    }
    let (local, domain) = match trimmed.rsplit_once('@') {
        Some((l, d)) if !l.contains('@') => (l, d),
        _ => return Err(AddressProblem::MissingAt),
    };
    let domain = domain.trim_end_matches('.');
    if trimmed.len() > MAX_EMAIL_LEN {
        return Err(AddressProblem::DomainLength);
    }
    let local = local.to_ascii_lowercase();
    check_contact_local_part(&local)?;
    let domain = domain.to_ascii_lowercase();
    check_domain_ascii(&domain)?;
    let mut out = local;
    out.push('@');
    out.push_str(&domain);
    Ok(out)
}

fn check_contact_local_part(local: &str) -> Result<(), AddressProblem> {
    if local.is_empty() || local.len() > 64 {
        return Err(AddressProblem::LocalPartLength);
    }
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b);
    if !local.bytes().all(atext) || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressProblem::LocalPartCharacters);
    }
    Ok(())
}

/// The domain part of a normalised address.
pub fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lower_cased_and_trimmed() {
        assert_eq!(normalize_contact_email("  Ann.Lee+news@Example.COM. ").unwrap(), "ann.lee+news@example.com");
        assert_eq!(normalize_contact_email("mailto:o'brien@example.ie").unwrap(), "o'brien@example.ie");
        assert_eq!(email_domain("a@b.example"), "b.example");
    }

    #[test]
    fn malformed_addresses_say_what_is_wrong() {
        assert_eq!(normalize_contact_email(""), Err(AddressProblem::Empty));
        assert_eq!(normalize_contact_email("no-at-sign"), Err(AddressProblem::MissingAt));
        assert_eq!(normalize_contact_email("a@b@c.com"), Err(AddressProblem::MissingAt));
        assert_eq!(normalize_contact_email("a..b@c.com"), Err(AddressProblem::LocalPartCharacters));
        assert_eq!(normalize_contact_email("\"quoted\"@c.com"), Err(AddressProblem::LocalPartCharacters));
        assert_eq!(normalize_contact_email("a@localhost"), Err(AddressProblem::DomainNotQualified));
        assert_eq!(normalize_contact_email("a@exa mple.com"), Err(AddressProblem::DomainCharacters));
        assert_eq!(normalize_contact_email("a@1.2"), Err(AddressProblem::NumericTld));
        assert!(normalize_contact_email(&format!("{}@c.com", "x".repeat(65))).is_err());
    }
}
