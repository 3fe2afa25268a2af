//! Template names: the length rule, and the " (2)", " (3)"… suffix that lets "new from
//! starter" and "duplicate" always succeed without asking for a name first.

use std::collections::HashSet;

use super::{Result, TemplateError};

/// Longest template name, as the table's CHECK allows.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest subject hint.
pub const MAX_SUBJECT_HINT_CHARS: usize = 200;
/// Characters of a base name that every suffixed candidate keeps (a suffix " (n)" is far
/// shorter than the rest), so one prefix query finds every name a candidate could collide with.
const PREFIX_CHARS: usize = 100;

/// The trimmed name, when it has 1 to 120 characters.
pub fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(TemplateError::Name);
    }
    Ok(name.to_owned())
}

/// The trimmed subject hint, when it is not too long (empty is fine).
pub fn checked_subject_hint(hint: &str) -> Result<String> {
    let hint = hint.trim();
    if hint.chars().count() > MAX_SUBJECT_HINT_CHARS {
        return Err(TemplateError::SubjectHint);
    }
    Ok(hint.to_owned())
}

/// The start every candidate of [`unique_name`] shares, to look up the names already taken.
pub fn name_prefix(base: &str) -> String {
    truncated(base, PREFIX_CHARS)
}

/// `base` itself when free, else `base (2)`, `base (3)`…: the first candidate whose lower
/// case is not in `taken_lower`. Long bases are shortened so a candidate stays within
/// [`MAX_NAME_CHARS`]; an empty base becomes "Untitled template".
pub fn unique_name(base: &str, taken_lower: &HashSet<String>) -> String {
    let base = base.trim();
    let base = if base.is_empty() { "Untitled template" } else { base };
    let mut n: u64 = 1;
    loop {
        let candidate = if n == 1 {
            truncated(base, MAX_NAME_CHARS)
        } else {
            let suffix = format!(" ({n})");
            format!("{}{suffix}", truncated(base, MAX_NAME_CHARS - suffix.chars().count()))
        };
        if !taken_lower.contains(&candidate.to_lowercase()) {
            return candidate;
        }
        n += 1;
    }
}

/// The first `max` characters of `s`, without trailing white space.
fn truncated(s: &str, max: usize) -> String {
    let cut: String = s.chars().take(max).collect();
    cut.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(names: &[&str]) -> HashSet<String> {
        names.iter().map(|n| n.to_lowercase()).collect()
    }

    #[test]
    fn names_are_trimmed_and_limited() {
        assert_eq!(checked_name("  Welcome  ").unwrap(), "Welcome");
        assert!(matches!(checked_name(" \n "), Err(TemplateError::Name)));
        assert!(checked_name(&"é".repeat(120)).is_ok());
        assert!(matches!(checked_name(&"é".repeat(121)), Err(TemplateError::Name)));
        assert_eq!(checked_subject_hint("  Hi ").unwrap(), "Hi");
        assert!(matches!(checked_subject_hint(&"x".repeat(201)), Err(TemplateError::SubjectHint)));
    }

    #[test]
    fn free_names_are_kept_and_taken_ones_get_the_next_number() {
        assert_eq!(unique_name("Newsletter", &taken(&[])), "Newsletter");
        assert_eq!(unique_name("Newsletter", &taken(&["newsletter"])), "Newsletter (2)");
        assert_eq!(unique_name("Newsletter", &taken(&["NEWSLETTER", "Newsletter (2)"])), "Newsletter (3)");
        // A gap is reused.
        assert_eq!(unique_name("A", &taken(&["a", "a (3)"])), "A (2)");
        assert_eq!(unique_name("  ", &taken(&[])), "Untitled template");
    }

    #[test]
    fn suffixed_names_stay_within_the_limit_and_share_the_prefix() {
        let long = "x".repeat(MAX_NAME_CHARS);
        let name = unique_name(&long, &taken(&[long.as_str()]));
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with(" (2)"));
        assert!(name.starts_with(&name_prefix(&long)));
        assert_eq!(name_prefix("Short one "), "Short one");
    }
}
