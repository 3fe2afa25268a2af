//! Small, panic-free text helpers shared by the format parsers: line endings, address
//! scanning, header-style field splitting and length limits.

/// The longest diagnostic kept per recipient, in characters.
pub const MAX_DIAGNOSTIC_CHARS: usize = 1000;

/// Turns CRLF and lone CR into LF, so every scanner sees one line ending.
pub fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Collapses runs of whitespace to one space and trims, then cuts to
/// [`MAX_DIAGNOSTIC_CHARS`] characters: the form diagnostics are stored in.
pub fn squash(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > MAX_DIAGNOSTIC_CHARS {
        joined.chars().take(MAX_DIAGNOSTIC_CHARS).collect()
    } else {
        joined
    }
}

/// Bytes allowed in the local part of an address we recognise in free text.
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b)
}

/// Bytes allowed in the domain of an address we recognise in free text.
fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_'
}

/// One address found in free text: byte span in the scanned string and its lower-cased form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAddress {
    /// Byte offset of the first character of the address.
    pub start: usize,
    /// Byte offset just past the address.
    pub end: usize,
    /// The address, lower-cased.
    pub address: String,
}

/// Finds every plausible `local@domain.tld` address in `s`, left to right.
///
/// Bounce texts quote addresses in many ways (`<a@b>`, `"a@b":`, `rfc822;a@b`), so this
/// scans for `@` and grows over address bytes instead of parsing RFC 5322 syntax. Spans are
/// on ASCII bytes, so slicing with them is always char-boundary safe.
pub fn find_addresses(s: &str) -> Vec<FoundAddress> {
    let bytes = s.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'@') {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0 && bytes.get(start - 1).is_some_and(|b| is_local_byte(*b)) {
            start -= 1;
        }
        let mut end = i + 1;
        while bytes.get(end).is_some_and(|b| is_domain_byte(*b)) {
            end += 1;
        }
        // Trim punctuation that ends sentences or wraps addresses.
        while start < i && bytes.get(start).is_some_and(|b| *b == b'.' || *b == b'\'') {
            start += 1;
        }
        while end > i + 1 && bytes.get(end - 1).is_some_and(|b| *b == b'.' || *b == b'-') {
            end -= 1;
        }
        if let (Some(local), Some(domain)) = (s.get(start..i), s.get(i + 1..end))
            && !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.contains("..")
        {
            found.push(FoundAddress { start, end, address: format!("{local}@{domain}").to_ascii_lowercase() });
        }
        i = end.max(i + 1);
    }
    found
}

/// The first address in `s`, lower-cased.
pub fn first_address(s: &str) -> Option<String> {
    find_addresses(s).into_iter().next().map(|a| a.address)
}

/// Splits `Name: value` into a lower-cased name and a trimmed value, if the line has the
/// shape of a header field (a token of letters, digits and dashes before the colon).
pub fn split_field(line: &str) -> Option<(String, &str)> {
    let colon = line.find(':')?;
    let name = line.get(..colon)?;
    if name.is_empty() || name.len() > 40 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let value = line.get(colon + 1..)?.trim();
    Some((name.to_ascii_lowercase(), value))
}

/// Parses a block of header-style lines (RFC 822 fields with folded continuation lines)
/// into `(lower-cased name, unfolded value)` pairs in order. Lines that are not fields are
/// skipped, which makes it usable on DSN bodies that are slightly malformed.
pub fn parse_fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut last_was_field = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            last_was_field = false;
            out.push((String::new(), String::new()));
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if last_was_field && let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = split_field(line) {
            out.push((name, value.to_string()));
            last_was_field = true;
        } else {
            last_was_field = false;
        }
    }
    out
}

/// Lower-cases ASCII only, keeping byte offsets identical to the input.
pub fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// True when `haystack` (already lower-case) contains any of `needles`.
pub fn contains_any(haystack: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| haystack.contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses_in_many_wrappings() {
        let s = "<Kijitora@Example.JP>: rfc822;neko@example.org, \"a.b@c.d.\" x@y";
        let found: Vec<String> = find_addresses(s).into_iter().map(|a| a.address).collect();
        assert_eq!(found, vec!["kijitora@example.jp", "neko@example.org", "a.b@c.d"]);
    }

    #[test]
    fn address_scan_survives_multibyte_text() {
        let s = "エラー kijitora@example.jp です @ é@";
        assert_eq!(first_address(s).as_deref(), Some("kijitora@example.jp"));
    }

    #[test]
    fn parses_folded_fields() {
        let fields = parse_fields("Diagnostic-Code: smtp; 550 5.1.1\n  user unknown\nStatus: 5.1.1\n");
        assert_eq!(fields.first().map(|f| f.1.as_str()), Some("smtp; 550 5.1.1 user unknown"));
        assert_eq!(fields.get(1).map(|f| f.0.as_str()), Some("status"));
    }

    #[test]
    fn squash_limits_length() {
        let long = "a ".repeat(2000);
        assert_eq!(squash(&long).chars().count(), MAX_DIAGNOSTIC_CHARS);
    }
}
