//! Turning what an admin typed into the names the daemons store: trimmed, lower case, IDN
//! domains as punycode (and back to Unicode for display).

use model::mail::{AddressProblem, check_domain_ascii, check_local_part, split_address};

use super::MailError;

/// `Bücher.Example` → `xn--bcher-kva.example`, checked against the ASCII rules.
pub fn normalize_domain(input: &str) -> Result<String, MailError> {
    let trimmed = input.trim().trim_end_matches('.');
    let invalid = |problem| MailError::InvalidDomain { value: input.trim().to_owned(), problem };
    if trimmed.is_empty() {
        return Err(invalid(AddressProblem::Empty));
    }
    let ascii = idna::domain_to_ascii(trimmed).map_err(|_| invalid(AddressProblem::DomainCharacters))?;
    check_domain_ascii(&ascii).map_err(invalid)?;
    Ok(ascii)
}

/// `Anna@Bücher.example` → `anna@xn--bcher-kva.example`. Local parts are ASCII only
/// (SMTPUTF8 mailboxes are not offered).
pub fn normalize_address(input: &str) -> Result<String, MailError> {
    let value = input.trim();
    let invalid = |problem| MailError::InvalidAddress { value: value.to_owned(), problem };
    let (local, domain) = split_address(value).map_err(invalid)?;
    let local = local.to_ascii_lowercase();
    check_local_part(&local).map_err(invalid)?;
    let domain = normalize_domain(domain).map_err(|e| match e {
        MailError::InvalidDomain { problem, .. } => invalid(problem),
        other => other,
    })?;
    Ok(format!("{local}@{domain}"))
}

/// The Unicode form of an ASCII domain, for display; the input itself if it cannot decode.
pub fn display_domain(ascii: &str) -> String {
    let (unicode, result) = idna::domain_to_unicode(ascii);
    if result.is_ok() { unicode } else { ascii.to_owned() }
}

/// The address with its domain shown in Unicode.
pub fn display_address(ascii: &str) -> String {
    match ascii.split_once('@') {
        Some((local, domain)) => format!("{local}@{}", display_domain(domain)),
        None => ascii.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idn_domains_are_stored_as_punycode_and_shown_in_unicode() {
        assert_eq!(normalize_domain(" Bücher.Example. ").unwrap(), "xn--bcher-kva.example");
        assert_eq!(display_domain("xn--bcher-kva.example"), "bücher.example");
        assert_eq!(normalize_address("Anna@BÜCHER.example").unwrap(), "anna@xn--bcher-kva.example");
        assert_eq!(display_address("anna@xn--bcher-kva.example"), "anna@bücher.example");
    }

    #[test]
    fn bad_names_are_refused_with_the_reason() {
        assert!(matches!(
            normalize_domain("localhost"),
            Err(MailError::InvalidDomain { problem: AddressProblem::DomainNotQualified, .. })
        ));
        assert!(matches!(normalize_domain("exa mple.com"), Err(MailError::InvalidDomain { .. })));
        assert!(matches!(
            normalize_address("ünïcode@example.com"),
            Err(MailError::InvalidAddress { problem: AddressProblem::LocalPartCharacters, .. })
        ));
        assert!(matches!(
            normalize_address("a@b@c.com"),
            Err(MailError::InvalidAddress { problem: AddressProblem::MissingAt, .. })
        ));
        assert!(matches!(
            normalize_address("a@localhost"),
            Err(MailError::InvalidAddress { problem: AddressProblem::DomainNotQualified, .. })
        ));
    }
}
