//! The staging table and the bytes sent into it with `COPY … FROM STDIN` (PostgreSQL's text
//! format), which is the fastest way to hand the server a million rows. Good and bad lines
//! go into the same table (bad ones with a reason), so one COPY stream carries the whole
//! file and one INSERT … SELECT later fills the error report.

use super::row::ValidRow;

/// Session-private and unlogged: it disappears with the import's own connection.
pub const CREATE_STAGING: &str = "CREATE TEMP TABLE contact_import_rows (\
     line BIGINT NOT NULL, email TEXT, name TEXT, attributes JSONB, tags TEXT, reason TEXT, content TEXT)";

/// The COPY the chunks below are written for (column order matters).
pub const COPY_STAGING: &str =
    "COPY contact_import_rows (line, email, name, attributes, tags, reason, content) FROM STDIN (FORMAT text)";

/// Size at which a chunk is handed to the database (bounded memory whatever the file size).
pub const CHUNK_BYTES: usize = 256 * 1024;

/// Longest part of a refused line kept in the error report.
pub const MAX_CONTENT_CHARS: usize = 500;

/// COPY text for a batch of lines, filled on the reading thread.
#[derive(Debug, Default)]
pub struct CopyChunk {
    buf: Vec<u8>,
    /// Scratch space for one row's attributes as JSON (reused, no allocation per row).
    json: Vec<u8>,
}

impl CopyChunk {
    /// An empty chunk with room for a full batch.
    pub fn new() -> Self {
        Self { buf: Vec::with_capacity(CHUNK_BYTES + 16 * 1024), json: Vec::with_capacity(1024) }
    }

    /// `line, email, name, attributes, tags, NULL, NULL`; tags as one comma-joined cell
    /// (tags never contain commas), split by the merge.
    pub fn push_valid(&mut self, line: u64, row: &ValidRow<'_>) {
        push_number(&mut self.buf, line);
        self.buf.push(b'\t');
        push_escaped(&mut self.buf, row.email.as_bytes());
        self.buf.push(b'\t');
        match &row.name {
            Some(name) => push_escaped(&mut self.buf, name.as_bytes()),
            None => self.buf.extend_from_slice(b"\\N"),
        }
        self.buf.push(b'\t');
        self.write_json(row);
        push_escaped(&mut self.buf, &self.json);
        self.buf.push(b'\t');
        for (i, tag) in row.tags.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            push_escaped(&mut self.buf, tag.as_bytes());
        }
        self.buf.extend_from_slice(b"\t\\N\t\\N\n");
    }

    /// `line, NULL, NULL, NULL, NULL, reason, content`.
    pub fn push_invalid(&mut self, line: u64, reason: &str, content: &str) {
        push_number(&mut self.buf, line);
        self.buf.extend_from_slice(b"\t\\N\t\\N\t\\N\t\\N\t");
        push_escaped(&mut self.buf, reason.as_bytes());
        self.buf.push(b'\t');
        push_escaped(&mut self.buf, content.as_bytes());
        self.buf.push(b'\n');
    }

    /// The row's attributes as a JSON object (keys are attribute names: no escaping needed).
    fn write_json(&mut self, row: &ValidRow<'_>) {
        self.json.clear();
        self.json.push(b'{');
        for (i, (key, value)) in row.attributes.iter().enumerate() {
            if i > 0 {
                self.json.push(b',');
            }
            self.json.push(b'"');
            self.json.extend_from_slice(key.as_bytes());
            self.json.extend_from_slice(b"\":");
            // Writing into a Vec cannot fail; `null` keeps the object valid if it ever did.
            if serde_json::to_writer(&mut self.json, value).is_err() {
                self.json.extend_from_slice(b"null");
            }
        }
        self.json.push(b'}');
    }

    /// Big enough to send.
    pub fn is_full(&self) -> bool {
        self.buf.len() >= CHUNK_BYTES
    }

    /// Nothing to send.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Hands the bytes over and starts a new batch.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES + 16 * 1024))
    }
}

/// COPY text escaping: backslash, tab, newline and carriage return are escaped; NUL bytes,
/// which PostgreSQL text cannot hold, are dropped (lines with NUL in a mapped cell are
/// refused before they get here).
fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => {}
            _ => out.push(b),
        }
    }
}

fn push_number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// The refused line as the admin would recognise it (fields re-joined with the file's
/// delimiter, quoted where needed), cut to [`MAX_CONTENT_CHARS`].
pub fn raw_line(record: &csv::ByteRecord, delimiter: u8) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(256);
    for (i, field) in record.iter().enumerate() {
        if out.len() > MAX_CONTENT_CHARS * 4 {
            break;
        }
        if i > 0 {
            out.push(delimiter);
        }
        let quote = field.iter().any(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
        if quote {
            out.push(b'"');
            for &b in field {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(field);
        }
    }
    String::from_utf8_lossy(&out).chars().take(MAX_CONTENT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn valid_rows_are_escaped_for_copy_text() {
        let mut chunk = CopyChunk::new();
        let row = ValidRow {
            email: "a@example.com".into(),
            name: Some("Ann\t\"Lee\"\\".into()),
            attributes: vec![("note", json!("two\nlines \\ \"q\"")), ("age", json!(42))],
            tags: vec!["vip".into(), "news".into()],
        };
        chunk.push_valid(12, &row);
        let text = String::from_utf8(chunk.take()).unwrap();
        assert_eq!(
            text,
            "12\ta@example.com\tAnn\\t\"Lee\"\\\\\t{\"note\":\"two\\\\nlines \\\\\\\\ \\\\\"q\\\\\"\",\"age\":42}\tvip,news\t\\N\t\\N\n"
        );
        assert!(chunk.is_empty());
        let bare = ValidRow { email: "b@example.com".into(), name: None, attributes: vec![], tags: vec![] };
        chunk.push_valid(3, &bare);
        assert_eq!(String::from_utf8(chunk.take()).unwrap(), "3\tb@example.com\t\\N\t{}\t\t\\N\t\\N\n");
    }

    #[test]
    fn refused_rows_carry_the_reason_and_the_line() {
        let mut chunk = CopyChunk::new();
        chunk.push_invalid(7, "bad\temail", "x,y\r\n\0z");
        assert_eq!(String::from_utf8(chunk.take()).unwrap(), "7\t\\N\t\\N\t\\N\t\\N\tbad\\temail\tx,y\\r\\nz\n");
        assert!(!chunk.is_full());
    }

    #[test]
    fn the_raw_line_is_rejoined_and_cut() {
        let record = csv::ByteRecord::from(vec!["a@b", "Lee, Ann", "say \"hi\""]);
        assert_eq!(raw_line(&record, b','), "a@b,\"Lee, Ann\",\"say \"\"hi\"\"\"");
        assert_eq!(raw_line(&record, b';'), "a@b;Lee, Ann;\"say \"\"hi\"\"\"");
        let long = csv::ByteRecord::from(vec!["x".repeat(3000)]);
        assert_eq!(raw_line(&long, b',').chars().count(), MAX_CONTENT_CHARS);
    }
}
