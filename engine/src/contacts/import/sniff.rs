//! What an uploaded file looks like, read from its first bytes only: the delimiter, whether
//! the first line is a header, the line endings, the first rows for the mapping screen and a
//! suggested mapping. Pure functions, so the guesses are tested without a database; the
//! import re-reads the same bytes and reaches the same answers, so nothing of the guess has
//! to be stored.

use model::contacts::{AttributeDefinition, AttributeKind, ColumnTarget};

use crate::contacts::email::normalize_email;

/// How much of the file the guesses look at.
pub const HEAD_BYTES: usize = 64 * 1024;
/// Data rows shown on the mapping screen.
pub const PREVIEW_ROWS: usize = 10;
/// Records parsed per candidate delimiter to judge it.
const PROBE_RECORDS: usize = 50;
/// The delimiters spreadsheets and exporters use, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Longest attribute key (the `contact_attribute` CHECK).
const MAX_KEY_LEN: usize = 64;

/// The parsing parameters the import needs, decided from the head of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileShape {
    pub delimiter: u8,
    pub has_header: bool,
    /// Lines end in CRLF, which changes how the reader's line count maps to file lines
    /// (see `reader::start_line`).
    pub crlf: bool,
    /// Columns of the header (or of the widest preview row without one).
    pub width: usize,
}

/// The head of a file as the mapping screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub shape: FileShape,
    /// Header cells as written, or `Column 1`, `Column 2`… without a header.
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads the first bytes of a file. `complete` says the whole file is in `head` (otherwise
/// the cut-off last line is ignored).
pub fn sniff(head: &[u8], complete: bool) -> Sniffed {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = whole_lines(text, complete);
    let delimiter = guess_delimiter(text);
    let records = parse(text, delimiter, PREVIEW_ROWS + 1);
    let has_header = records.first().is_some_and(|first| !first.iter().any(|cell| looks_like_email(cell)));
    let (header, rows): (Vec<String>, Vec<Vec<String>>) = if has_header {
        let mut records = records.into_iter();
        let first = records.next().unwrap_or_default();
        (first.iter().map(|h| h.trim().to_owned()).collect(), records.collect())
    } else {
        let mut rows = records;
        rows.truncate(PREVIEW_ROWS);
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        ((1..=width).map(|i| format!("Column {i}")).collect(), rows)
    };
    let crlf = text.iter().position(|&b| b == b'\n').is_some_and(|i| i > 0 && text[i - 1] == b'\r');
    Sniffed { shape: FileShape { delimiter, has_header, crlf, width: header.len() }, header, rows }
}

/// `text` up to its last line break, unless it is the whole file.
fn whole_lines(text: &[u8], complete: bool) -> &[u8] {
    if complete {
        return text;
    }
    match text.iter().rposition(|&b| b == b'\n') {
        Some(end) => &text[..=end],
        None => text,
    }
}

/// The delimiter that splits the first records into the same number (> 1) of fields, the
/// widest such; a file of one column falls back to the comma.
fn guess_delimiter(text: &[u8]) -> u8 {
    let mut best = (b',', 0usize);
    for delimiter in DELIMITERS {
        let widths: Vec<usize> = parse(text, delimiter, PROBE_RECORDS).iter().map(Vec::len).collect();
        let Some(&first) = widths.first() else { continue };
        let consistent = widths.iter().all(|&w| w == first);
        if consistent && first > 1 && first > best.1 {
            best = (delimiter, first);
        }
    }
    best.0
}

/// Up to `limit` records as text (invalid UTF-8 replaced), skipping blank lines.
fn parse(text: &[u8], delimiter: u8, limit: usize) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text);
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    while out.len() < limit {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        out.push(record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect());
    }
    out
}

fn looks_like_email(cell: &str) -> bool {
    cell.contains('@') && normalize_email(cell).is_ok()
}

/// A first guess at the mapping: columns named like an address, a name or tags go there
/// (the first of each), a column full of addresses is the email column when no header says
/// so, other named columns become attributes (the definition's kind when the key exists,
/// otherwise guessed from the preview values); unnamed columns are ignored.
pub fn suggest(sniffed: &Sniffed, defined: &[AttributeDefinition]) -> Vec<ColumnTarget> {
    let width = sniffed.header.len();
    let email = (0..width)
        .find(|&i| named(sniffed, i, &["email", "mail", "emailaddress", "mailaddress"]))
        .or_else(|| (0..width).find(|&i| mostly_emails(&column_values(sniffed, i))));
    let name =
        (0..width).find(|&i| Some(i) != email && named(sniffed, i, &["name", "fullname", "firstname", "displayname"]));
    let tags =
        (0..width).find(|&i| Some(i) != email && Some(i) != name && named(sniffed, i, &["tags", "tag", "labels"]));
    let mut used_keys: Vec<String> = Vec::new();
    (0..width)
        .map(|i| {
            if Some(i) == email {
                ColumnTarget::Email
            } else if Some(i) == name {
                ColumnTarget::Name
            } else if Some(i) == tags {
                ColumnTarget::Tags
            } else if sniffed.shape.has_header {
                let key =
                    unique_key(slugify(&sniffed.header[i]).unwrap_or_else(|| format!("column_{}", i + 1)), &used_keys);
                used_keys.push(key.clone());
                let kind = match defined.iter().find(|d| d.key == key) {
                    Some(def) => def.kind,
                    None => guess_kind(&column_values(sniffed, i)),
                };
                ColumnTarget::Attribute { key, kind }
            } else {
                ColumnTarget::Ignore
            }
        })
        .collect()
}

/// The non-empty preview values of column `i`.
fn column_values(sniffed: &Sniffed, i: usize) -> Vec<&str> {
    sniffed.rows.iter().filter_map(|r| r.get(i)).map(|v| v.trim()).filter(|v| !v.is_empty()).collect()
}

/// Whether column `i` has a header cell that reads as one of `names`.
fn named(sniffed: &Sniffed, i: usize, names: &[&str]) -> bool {
    let header = sniffed.header.get(i).map(|h| compact(h)).unwrap_or_default();
    sniffed.shape.has_header && names.iter().any(|n| *n == header)
}

/// A header cell reduced to lower-case letters and digits, for matching names like
/// `E-mail`, `Email Address` or `first_name`.
fn compact(header: &str) -> String {
    header.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn mostly_emails(values: &[&str]) -> bool {
    !values.is_empty() && values.iter().filter(|v| looks_like_email(v)).count() * 2 > values.len()
}

/// An attribute key from a header: lower case, runs of other characters as one `_`, at most
/// 64 characters; `None` when nothing usable is left.
pub fn slugify(header: &str) -> Option<String> {
    let mut key = String::with_capacity(header.len());
    for c in header.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key: String = key.trim_end_matches('_').chars().take(MAX_KEY_LEN).collect();
    let key = key.trim_end_matches('_').to_owned();
    (!key.is_empty()).then_some(key)
}

/// `key`, or `key_2`, `key_3`… when an earlier column already took it.
fn unique_key(key: String, used: &[String]) -> String {
    if !used.contains(&key) {
        return key;
    }
    (2..)
        .map(|n| {
            let suffix = format!("_{n}");
            let stem: String = key.chars().take(MAX_KEY_LEN - suffix.len()).collect();
            format!("{stem}{suffix}")
        })
        .find(|candidate| !used.contains(candidate))
        .unwrap_or(key)
}

/// The narrowest kind every preview value fits: yes/no words, numbers, `YYYY-MM-DD` dates,
/// otherwise text.
pub fn guess_kind(values: &[&str]) -> AttributeKind {
    if values.is_empty() {
        return AttributeKind::Text;
    }
    if all(values, |v| matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no")) {
        AttributeKind::Boolean
    } else if all(values, |v| AttributeKind::Number.parse_value(v, &[]).is_ok()) {
        AttributeKind::Number
    } else if all(values, |v| AttributeKind::Date.parse_value(v, &[]).is_ok()) {
        AttributeKind::Date
    } else {
        AttributeKind::Text
    }
}

fn all(values: &[&str], fits: impl Fn(&str) -> bool) -> bool {
    values.iter().all(|v| fits(v.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(key: &str, kind: AttributeKind) -> ColumnTarget {
        ColumnTarget::Attribute { key: key.to_owned(), kind }
    }

    #[test]
    fn the_delimiter_is_the_one_that_splits_rows_evenly() {
        assert_eq!(sniff(b"email,name\na@b.example,Ann\n", true).shape.delimiter, b',');
        assert_eq!(sniff(b"email;name\na@b.example;\"Lee, Ann\"\n", true).shape.delimiter, b';');
        assert_eq!(sniff(b"email\tname\ta\na@b.example\tAnn\t1\n", true).shape.delimiter, b'\t');
        assert_eq!(sniff(b"email|name\na@b.example|Ann\n", true).shape.delimiter, b'|');
        assert_eq!(sniff(b"email\na@b.example\n", true).shape.delimiter, b',');
    }

    #[test]
    fn a_first_line_without_an_address_is_a_header_and_a_bom_is_dropped() {
        let s = sniff(b"\xEF\xBB\xBFEmail,Name\r\na@b.example,Ann\r\n", true);
        assert!(s.shape.has_header && s.shape.crlf);
        assert_eq!(s.header, vec!["Email", "Name"]);
        assert_eq!(s.rows, vec![vec!["a@b.example".to_owned(), "Ann".to_owned()]]);
        let s = sniff(b"a@b.example,Ann\nc@d.example,Bo\n", true);
        assert!(!s.shape.has_header && !s.shape.crlf);
        assert_eq!(s.header, vec!["Column 1", "Column 2"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(suggest(&s, &[]), vec![ColumnTarget::Email, ColumnTarget::Ignore]);
    }

    #[test]
    fn a_cut_off_last_line_is_not_previewed() {
        let s = sniff(b"email,name\na@b.example,Ann\nc@d.exa", false);
        assert_eq!(s.rows.len(), 1);
        let many: String = (0..30).map(|i| format!("u{i}@b.example,U\n")).collect();
        let s = sniff(format!("email,name\n{many}").as_bytes(), true);
        assert_eq!(s.rows.len(), PREVIEW_ROWS);
    }

    #[test]
    fn header_names_suggest_the_mapping_and_values_suggest_the_kind() {
        let s = sniff(
            b"E-mail,First Name,Last Name,Tags,Age,Signed up,VIP,Plan,plan,%%\n\
              a@b.example,Ann,Lee,\"a,b\",42,2024-01-31,yes,pro,x,\n\
              c@d.example,Bo,Ek,,7.5,2023-12-01,No,free,y,\n",
            true,
        );
        let defined = [AttributeDefinition {
            key: "plan".into(),
            label: String::new(),
            kind: AttributeKind::List,
            options: vec!["free".into(), "pro".into()],
        }];
        assert_eq!(
            suggest(&s, &defined),
            vec![
                ColumnTarget::Email,
                ColumnTarget::Name,
                attr("last_name", AttributeKind::Text),
                ColumnTarget::Tags,
                attr("age", AttributeKind::Number),
                attr("signed_up", AttributeKind::Date),
                attr("vip", AttributeKind::Boolean),
                attr("plan", AttributeKind::List),
                attr("plan_2", AttributeKind::Text),
                attr("column_10", AttributeKind::Text),
            ]
        );
    }

    #[test]
    fn keys_are_slugs_of_the_header() {
        assert_eq!(slugify("  Signed-up date (UTC) ").as_deref(), Some("signed_up_date_utc"));
        assert_eq!(slugify("Ville / Région").as_deref(), Some("ville_r_gion"));
        assert_eq!(slugify("%%"), None);
        assert_eq!(slugify(&"x".repeat(100)).map(|k| k.len()), Some(64));
        assert_eq!(unique_key("a".into(), &["a".into(), "a_2".into()]), "a_3");
    }
}
