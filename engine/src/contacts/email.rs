//! Contact addresses, normalised once on the way in (form, API, import, suppression).

use model::contacts::normalize_contact_email;
use model::mail::AddressProblem;

use super::{ContactError, Result};

/// Lower-cases, trims and checks an address; an internationalised domain is stored as
/// punycode so `user@bücher.de` and `user@xn--bcher-kva.de` are one contact.
pub fn normalize_email(raw: &str) -> Result<String> {
    let invalid = |problem| ContactError::InvalidEmail { value: raw.trim().to_owned(), problem };
    if raw.is_ascii() {
        return normalize_contact_email(raw).map_err(invalid);
    }
    let trimmed = raw.trim();
    let (local, domain) = trimmed.rsplit_once('@').ok_or_else(|| invalid(AddressProblem::MissingAt))?;
    let ascii = idna::domain_to_ascii(domain).map_err(|_| invalid(AddressProblem::DomainCharacters))?;
    normalize_contact_email(&format!("{local}@{ascii}")).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idn_domains_become_punycode_and_ascii_is_lower_cased() {
        assert_eq!(normalize_email("Jo@Bücher.DE").unwrap(), "jo@xn--bcher-kva.de");
        assert_eq!(normalize_email(" A@B.example ").unwrap(), "a@b.example");
        assert!(matches!(normalize_email("jö@b.example"), Err(ContactError::InvalidEmail { .. })));
    }
}
