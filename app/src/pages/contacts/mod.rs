//! The audience pages: the contacts table with filters, selection and bulk actions; one
//! contact's page (edit, lists, timeline, privacy); the Lists page with custom attributes.
//!
//! Cards, pills and tables use the same classes as the mail and deliverability pages.

mod add_contact;
mod attribute_inputs;
pub mod attributes;
mod bulk_bar;
mod columns;
mod contact_form;
#[allow(clippy::module_inception)]
pub mod contacts;
mod controls;
pub mod detail;
mod filters;
pub mod import;
pub mod import_mapping;
pub mod import_progress;
pub mod import_upload;
mod list_form;
pub mod lists;
mod memberships;
mod privacy;
mod selection;
mod tags_input;
mod timeline;

pub use attributes::AttributesCard;
pub use contacts::ContactsPage;
pub use detail::ContactPage;
pub use lists::ListsPage;

/// "12 345": a count with (no-break) thousands separators, so big audiences read at a glance.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// "1 contact", "12 345 contacts": the phrase toasts and dialogs use.
pub fn contacts_phrase(n: i64) -> String {
    if n == 1 { "1 contact".to_owned() } else { format!("{} contacts", thousands(n)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(12_345), "12\u{a0}345");
        assert_eq!(thousands(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(thousands(-4_500), "-4\u{a0}500");
    }

    #[test]
    fn contact_counts_are_phrased_with_plurals() {
        assert_eq!(contacts_phrase(1), "1 contact");
        assert_eq!(contacts_phrase(0), "0 contacts");
        assert_eq!(contacts_phrase(12_345), "12\u{a0}345 contacts");
    }
}
