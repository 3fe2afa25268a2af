//! The per-recipient message writer for campaign sending.
//!
//! Campaigns build one RFC 5322 message per recipient, thousands of times per second, so
//! this is a hand-written single-pass writer rather than lettre's builder (which stays in
//! use for one-off mail such as password resets). It appends straight into a caller-owned,
//! reused `Vec<u8>`, allocates nothing per message in the common case, and gives exact
//! control over which headers appear, in which order and how they are folded — which the
//! DKIM signer ([`SIGNED_HEADERS`]) and mailbox-provider bulk-sender rules depend on.
//!
//! What it guarantees:
//! - every line ends with CRLF and is at most 998 bytes (78 wherever folding allows);
//! - CR, LF and other control characters in header values become spaces, so a value can
//!   never start a new header;
//! - non-ASCII display names and subjects become RFC 2047 `=?UTF-8?B?…?=` words;
//! - both bodies are quoted-printable with a leading `.` encoded, so SMTP dot-stuffing is
//!   never needed, and the `=_` boundary prefix can never occur in the encoded bodies.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Datelike, Timelike, Utc};

/// Everything one outgoing campaign message says, already personalised.
///
/// It borrows everything so the sending loop can fill it from per-recipient data without
/// copying strings; [`write_message`] turns it into bytes.
#[derive(Clone, Copy, Debug)]
pub struct OutgoingMessage<'a> {
    /// Sender display name; may be empty or non-ASCII.
    pub from_name: &'a str,
    /// Sender address (ASCII addr-spec).
    pub from_email: &'a str,
    /// Where replies go, when not the sender (ASCII addr-spec); omitted when `None` or empty.
    pub reply_to: Option<&'a str>,
    /// Recipient display name; may be empty or non-ASCII.
    pub to_name: &'a str,
    /// Recipient address; may have a UTF-8 local part, written as is.
    pub to_email: &'a str,
    /// Subject; may be non-ASCII and long.
    pub subject: &'a str,
    /// Message-ID without angle brackets, e.g. `k3j2h4.17@example.com`.
    pub message_id: &'a str,
    /// The Date header.
    pub date: DateTime<Utc>,
    /// Full `List-Unsubscribe` value (already formatted); omitted when empty.
    pub list_unsubscribe: &'a str,
    /// Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) when
    /// `list_unsubscribe` is present too.
    pub list_unsubscribe_post: bool,
    /// `Feedback-ID` value, e.g. `17:newsletter:billionmail`; omitted when empty.
    pub feedback_id: &'a str,
    /// Further ASCII name/value pairs, written as given (folded if long). A name that
    /// repeats a header this writer manages is skipped, so it can never duplicate `From`.
    pub extra_headers: &'a [(&'a str, &'a str)],
    /// The HTML body.
    pub html: &'a str,
    /// The plain-text body.
    pub text: &'a str,
}

/// Names of the headers [`write_message`] produces that a DKIM signature should cover, in
/// order.
///
/// It exists so the signer's `h=` list is written next to the code that emits the headers.
/// Optional headers are listed even when absent: signing a missing header (over-signing)
/// stops anyone from adding it later without breaking the signature.
pub const SIGNED_HEADERS: &[&str] = &[
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Feedback-ID",
];

/// Fold header lines longer than this wherever there is whitespace (RFC 5322 §2.1.1 "SHOULD").
const SOFT_LIMIT: usize = 78;
/// Break a header line that reaches this length even without whitespace (the hard limit is 998).
const HARD_LIMIT: usize = 990;
/// An ASCII subject word longer than this cannot fit under the hard limit; encode instead.
const LONG_WORD: usize = 900;
/// Longest RFC 2047 encoded word.
const ENCODED_WORD_MAX: usize = 75;
const ENCODED_WORD_PREFIX: &[u8] = b"=?UTF-8?B?";
const ENCODED_WORD_SUFFIX: &[u8] = b"?=";
const ENCODED_WORD_OVERHEAD: usize = ENCODED_WORD_PREFIX.len() + ENCODED_WORD_SUFFIX.len();
/// Most UTF-8 bytes one encoded word carries: 15 base64 quads.
const ENCODED_WORD_BYTES: usize = (ENCODED_WORD_MAX - ENCODED_WORD_OVERHEAD) / 4 * 3;
/// Longest quoted-printable line, soft-break `=` included (RFC 2045 §6.7 rule 5).
const QP_LINE_MAX: usize = 76;
/// Mixed into the boundary seed so boundaries do not look like sequential ledger ids.
const BOUNDARY_MIX: u64 = 0x9e37_79b9_7f4a_7c15;
const BOUNDARY_LEN: usize = 20;
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Headers this writer emits itself; an extra header with one of these names is skipped.
const MANAGED_HEADERS: &[&str] = &[
    "From",
    "Reply-To",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Feedback-ID",
    "Content-Type",
    "Content-Transfer-Encoding",
];

/// Appends the whole message (headers + body, CRLF line endings, no trailing "." line) to
/// `out`.
///
/// `boundary_seed` makes the multipart boundary unique per message (e.g. the ledger id).
/// It appends rather than clears so the caller can reuse one buffer, or prepend a
/// `DKIM-Signature` later without copying the message.
pub fn write_message(msg: &OutgoingMessage<'_>, boundary_seed: u64, out: &mut Vec<u8>) {
    let body_len = msg.html.len() + msg.text.len();
    out.reserve(1024 + body_len + body_len / 8);

    mailbox_header(out, b"From", msg.from_name, msg.from_email);
    if let Some(reply_to) = msg.reply_to
        && !reply_to.trim().is_empty()
    {
        text_header(out, b"Reply-To", reply_to.trim());
    }
    mailbox_header(out, b"To", msg.to_name, msg.to_email);
    subject_header(out, msg.subject);

    out.extend_from_slice(b"Date: ");
    push_date(out, &msg.date);
    out.extend_from_slice(b"\r\n");

    let id = msg.message_id.trim().trim_start_matches('<').trim_end_matches('>');
    let mut h = Folder::start(out, b"Message-ID");
    h.byte(b'<');
    h.text(id.as_bytes());
    h.byte(b'>');
    h.end();

    out.extend_from_slice(b"MIME-Version: 1.0\r\n");

    let unsubscribe = msg.list_unsubscribe.trim();
    if !unsubscribe.is_empty() {
        text_header(out, b"List-Unsubscribe", unsubscribe);
        if msg.list_unsubscribe_post {
            out.extend_from_slice(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
        }
    }
    let feedback_id = msg.feedback_id.trim();
    if !feedback_id.is_empty() {
        text_header(out, b"Feedback-ID", feedback_id);
    }
    for &(name, value) in msg.extra_headers {
        if let Some(mut h) = Folder::start_extra(out, name) {
            h.text(value.as_bytes());
            h.end();
        }
    }

    let boundary = boundary(boundary_seed);
    out.extend_from_slice(b"Content-Type: multipart/alternative; boundary=\"");
    out.extend_from_slice(&boundary);
    out.extend_from_slice(b"\"\r\n\r\n");
    body_part(out, &boundary, b"text/plain", msg.text);
    body_part(out, &boundary, b"text/html", msg.html);
    out.extend_from_slice(b"--");
    out.extend_from_slice(&boundary);
    out.extend_from_slice(b"--\r\n");
}

/// Writes one header line by line, folding at whitespace as it goes.
///
/// Bytes are appended straight to the message; when a line grows past [`SOFT_LIMIT`] the
/// CRLF is spliced in before the last whitespace run of that line (at most ~80 bytes move).
struct Folder<'o> {
    out: &'o mut Vec<u8>,
    /// Where the current physical line starts in `out`.
    line_start: usize,
    /// Where the value starts (just after `Name: `).
    value_start: usize,
    /// Position of the last whitespace run on this line that may take a fold.
    fold_at: Option<usize>,
    /// Whether the last byte written was not whitespace.
    after_text: bool,
}

impl<'o> Folder<'o> {
    fn start(out: &'o mut Vec<u8>, name: &[u8]) -> Self {
        let line_start = out.len();
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        let value_start = out.len();
        Self { out, line_start, value_start, fold_at: None, after_text: false }
    }

    /// Starts a caller-named header: keeps only the bytes a field name may hold, and
    /// refuses empty names and names this writer manages.
    fn start_extra(out: &'o mut Vec<u8>, name: &str) -> Option<Self> {
        let line_start = out.len();
        out.extend(name.bytes().filter(|&b| (33..=126).contains(&b) && b != b':'));
        let written = &out[line_start..];
        let managed = MANAGED_HEADERS.iter().any(|m| m.as_bytes().eq_ignore_ascii_case(written));
        if written.is_empty() || managed {
            out.truncate(line_start);
            return None;
        }
        out.extend_from_slice(b": ");
        let value_start = out.len();
        Some(Self { out, line_start, value_start, fold_at: None, after_text: false })
    }

    fn col(&self) -> usize {
        self.out.len() - self.line_start
    }

    fn text(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    /// Writes one value byte; control characters (CR and LF above all) become spaces.
    fn byte(&mut self, b: u8) {
        let b = if b < 0x20 && b != b'\t' { b' ' } else { b };
        let wsp = b == b' ' || b == b'\t';
        if wsp {
            if self.after_text {
                self.fold_at = Some(self.out.len());
            }
            self.after_text = false;
        }
        // Last resort against a run with no whitespace: break anyway (never inside a
        // UTF-8 character), which keeps the line legal at the cost of one added space.
        if self.col() >= HARD_LIMIT && (b & 0xC0) != 0x80 {
            if let Some(at) = self.fold_at.take() {
                self.fold(at);
            } else {
                self.out.extend_from_slice(b"\r\n ");
                self.line_start = self.out.len() - 1;
                self.after_text = false;
            }
        }
        self.out.push(b);
        if !wsp {
            self.after_text = true;
            if self.col() > SOFT_LIMIT
                && let Some(at) = self.fold_at.take()
            {
                self.fold(at);
            }
        }
    }

    /// Turns the whitespace at `at` into folding whitespace (CRLF inserted before it).
    fn fold(&mut self, at: usize) {
        self.out.extend_from_slice(b"\r\n");
        self.out[at..].rotate_right(2);
        self.line_start = at + 2;
    }

    /// Writes `s` as RFC 2047 B encoded words, one per line, each at most 75 characters and
    /// never splitting a UTF-8 character. Must be called first thing in the value.
    fn encoded_words(&mut self, s: &str) {
        let mut rest = s;
        let mut first = true;
        while !rest.is_empty() {
            let room = SOFT_LIMIT.saturating_sub(self.col()).min(ENCODED_WORD_MAX);
            if !first || room < ENCODED_WORD_OVERHEAD + 8 {
                self.out.extend_from_slice(b"\r\n ");
                self.line_start = self.out.len() - 1;
            }
            first = false;
            let room = SOFT_LIMIT.saturating_sub(self.col()).min(ENCODED_WORD_MAX);
            let max_bytes = room.saturating_sub(ENCODED_WORD_OVERHEAD) / 4 * 3;
            let mut end = rest.len().min(max_bytes).min(ENCODED_WORD_BYTES);
            while end > 0 && !rest.is_char_boundary(end) {
                end -= 1;
            }
            if end == 0 {
                // Cannot happen with a 75-character word (45 bytes ≥ one character),
                // but never loop forever.
                break;
            }
            let mut chunk = [0u8; ENCODED_WORD_BYTES];
            for (slot, &b) in chunk.iter_mut().zip(&rest.as_bytes()[..end]) {
                *slot = if b < 0x20 { b' ' } else { b };
            }
            self.out.extend_from_slice(ENCODED_WORD_PREFIX);
            push_base64(self.out, &chunk[..end]);
            self.out.extend_from_slice(ENCODED_WORD_SUFFIX);
            rest = &rest[end..];
        }
        self.after_text = true;
        self.fold_at = None;
    }

    fn end(self) {
        if self.out.len() == self.value_start {
            // Empty value: no trailing space after the colon.
            self.out.pop();
        }
        self.out.extend_from_slice(b"\r\n");
    }
}

fn text_header(out: &mut Vec<u8>, name: &[u8], value: &str) {
    let mut h = Folder::start(out, name);
    h.text(value.as_bytes());
    h.end();
}

/// How a display name has to be written.
enum Phrase {
    Empty,
    /// Printable ASCII without specials: written as is.
    Atoms,
    /// ASCII with specials: a quoted-string.
    Quoted,
    /// Non-ASCII (or looks like an encoded word already): RFC 2047 words.
    Encoded,
}

fn classify_phrase(name: &str) -> Phrase {
    if name.is_empty() {
        return Phrase::Empty;
    }
    let bytes = name.as_bytes();
    if bytes.iter().any(|&b| b >= 0x7F) || bytes.windows(2).any(|w| w == b"=?") {
        return Phrase::Encoded;
    }
    let special = |b: &u8| b"()<>[]:;@\\,.\"".contains(b);
    if bytes.iter().any(special) { Phrase::Quoted } else { Phrase::Atoms }
}

fn mailbox_header(out: &mut Vec<u8>, header: &[u8], name: &str, addr: &str) {
    let name = name.trim();
    let addr = addr.trim().as_bytes();
    let mut h = Folder::start(out, header);
    match classify_phrase(name) {
        Phrase::Empty => {
            h.text(addr);
            h.end();
            return;
        }
        Phrase::Atoms => h.text(name.as_bytes()),
        Phrase::Quoted => {
            h.byte(b'"');
            for &b in name.as_bytes() {
                if b == b'"' || b == b'\\' {
                    h.byte(b'\\');
                }
                h.byte(b);
            }
            h.byte(b'"');
        }
        Phrase::Encoded => h.encoded_words(name),
    }
    h.byte(b' ');
    h.byte(b'<');
    h.text(addr);
    h.byte(b'>');
    h.end();
}

fn subject_header(out: &mut Vec<u8>, subject: &str) {
    let mut h = Folder::start(out, b"Subject");
    if subject_needs_encoding(subject.as_bytes()) {
        h.encoded_words(subject);
    } else {
        h.text(subject.as_bytes());
    }
    h.end();
}

/// Non-ASCII, something a reader would take for an encoded word, or a word too long to
/// fold under the 998-byte limit.
fn subject_needs_encoding(s: &[u8]) -> bool {
    let mut word = 0usize;
    let mut prev = 0u8;
    for &b in s {
        if b >= 0x7F || (prev == b'=' && b == b'?') {
            return true;
        }
        if b <= b' ' {
            word = 0;
        } else {
            word += 1;
            if word > LONG_WORD {
                return true;
            }
        }
        prev = b;
    }
    false
}

fn push_base64(out: &mut Vec<u8>, input: &[u8]) {
    let start = out.len();
    out.resize(start + input.len().div_ceil(3) * 4, 0);
    let written = STANDARD.encode_slice(input, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
}

/// RFC 5322 date, e.g. `Sat, 28 Nov 2026 14:03:09 +0000`, without chrono's format parser.
fn push_date(out: &mut Vec<u8>, date: &DateTime<Utc>) {
    const DAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    out.extend_from_slice(DAYS[date.weekday().num_days_from_monday() as usize % 7]);
    out.extend_from_slice(b", ");
    push_two_digits(out, date.day());
    out.push(b' ');
    out.extend_from_slice(MONTHS[date.month0() as usize % 12]);
    out.push(b' ');
    let year = date.year();
    if let Ok(year @ 0..=9999) = u32::try_from(year) {
        push_two_digits(out, year / 100);
        push_two_digits(out, year % 100);
    } else {
        // Vec's io::Write cannot fail.
        let _ = write!(out, "{year}");
    }
    out.push(b' ');
    push_two_digits(out, date.hour());
    out.push(b':');
    push_two_digits(out, date.minute());
    out.push(b':');
    push_two_digits(out, date.second());
    out.extend_from_slice(b" +0000");
}

fn push_two_digits(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// `=_bm` + 16 lowercase hex digits. `=_` never occurs in quoted-printable output.
fn boundary(seed: u64) -> [u8; BOUNDARY_LEN] {
    let mut b = *b"=_bm0000000000000000";
    let v = seed ^ BOUNDARY_MIX;
    for (i, slot) in b[4..].iter_mut().enumerate() {
        *slot = HEX_LOWER[((v >> (60 - 4 * i)) & 0xF) as usize];
    }
    b
}

fn body_part(out: &mut Vec<u8>, boundary: &[u8], mime_type: &[u8], body: &str) {
    out.extend_from_slice(b"--");
    out.extend_from_slice(boundary);
    out.extend_from_slice(b"\r\nContent-Type: ");
    out.extend_from_slice(mime_type);
    out.extend_from_slice(b"; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
    write_quoted_printable(body.as_bytes(), out);
    // This CRLF belongs to the next delimiter, not to the body.
    out.extend_from_slice(b"\r\n");
}

const QP_ESCAPE: u8 = 0;
const QP_PLAIN: u8 = 1;
const QP_WSP: u8 = 2;

/// How each byte goes out in quoted-printable: 33..=126 except `=` literally, space and tab
/// literally unless they end a line, everything else as `=XX`.
static QP_CLASS: [u8; 256] = {
    let mut t = [QP_ESCAPE; 256];
    let mut b = 33;
    while b <= 126 {
        if b != b'=' as usize {
            t[b] = QP_PLAIN;
        }
        b += 1;
    }
    t[b' ' as usize] = QP_WSP;
    t[b'\t' as usize] = QP_WSP;
    t
};

/// RFC 2045 §6.7 quoted-printable. Input lines end at `\n` (a `\r` before it is dropped);
/// output lines end in CRLF with no trailing CRLF after the last line.
fn write_quoted_printable(input: &[u8], out: &mut Vec<u8>) {
    for (n, line) in input.split(|&b| b == b'\n').enumerate() {
        if n > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let line = match line.split_last() {
            Some((b'\r', rest)) => rest,
            _ => line,
        };
        write_qp_line(line, out);
    }
}

fn qp_needs_escape(b: u8, last: bool, col: usize) -> bool {
    let class = QP_CLASS[b as usize];
    class == QP_ESCAPE || (class == QP_WSP && last) || (b == b'.' && col == 0)
}

fn write_qp_line(line: &[u8], out: &mut Vec<u8>) {
    let n = line.len();
    let mut col = 0usize;
    let mut i = 0usize;
    while i < n {
        // Fast path: copy a run of literal bytes that fits before the soft-break column.
        if col > 0 || line[i] != b'.' {
            let limit = n.min(i + (QP_LINE_MAX - 1).saturating_sub(col));
            let mut j = i;
            while j < limit && QP_CLASS[line[j] as usize] != QP_ESCAPE {
                j += 1;
            }
            if j == n && j > i && QP_CLASS[line[j - 1] as usize] == QP_WSP {
                // Whitespace ending the line must be encoded: leave it to the slow path.
                j -= 1;
            }
            if j > i {
                out.extend_from_slice(&line[i..j]);
                col += j - i;
                i = j;
                continue;
            }
        }
        // Slow path: one byte, soft-breaking first if it does not fit.
        let b = line[i];
        let last = i + 1 == n;
        // Only the line's last character may use column 76; others leave room for `=`.
        let max = if last { QP_LINE_MAX } else { QP_LINE_MAX - 1 };
        let mut escape = qp_needs_escape(b, last, col);
        if col + if escape { 3 } else { 1 } > max {
            out.extend_from_slice(b"=\r\n");
            col = 0;
            escape = qp_needs_escape(b, last, col);
        }
        if escape {
            out.extend_from_slice(&[b'=', HEX_UPPER[(b >> 4) as usize], HEX_UPPER[(b & 0xF) as usize]]);
            col += 3;
        } else {
            out.push(b);
            col += 1;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn sample<'a>() -> OutgoingMessage<'a> {
        OutgoingMessage {
            from_name: "Acme News",
            from_email: "news@acme.example",
            reply_to: Some("help@acme.example"),
            to_name: "Jane Doe",
            to_email: "jane@example.org",
            subject: "Your November update",
            message_id: "k3j2h4.17@acme.example",
            date: Utc.with_ymd_and_hms(2026, 11, 28, 14, 3, 9).unwrap(),
            list_unsubscribe: "<mailto:u+tok@b.example>, <https://x.example/u/tok>",
            list_unsubscribe_post: true,
            feedback_id: "17:newsletter:billionmail",
            extra_headers: &[("X-Campaign-Id", "17")],
            html: "<p>Hello Jane</p>\n",
            text: "Hello Jane\n",
        }
    }

    fn render(msg: &OutgoingMessage<'_>) -> String {
        let mut out = Vec::new();
        write_message(msg, 42, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn header_block(m: &str) -> &str {
        &m[..m.find("\r\n\r\n").unwrap()]
    }

    /// (name, unfolded value) pairs in order.
    fn headers(m: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for line in header_block(m).split("\r\n") {
            if line.starts_with([' ', '\t']) {
                out.last_mut().unwrap().1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').unwrap();
                out.push((name.to_string(), value.strip_prefix(' ').unwrap_or(value).to_string()));
            }
        }
        out
    }

    fn header(m: &str, name: &str) -> Option<String> {
        headers(m).into_iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// Physical lines of one header (first line plus continuations).
    fn header_lines<'m>(m: &'m str, name: &str) -> Vec<&'m str> {
        let mut lines = Vec::new();
        let mut inside = false;
        for line in header_block(m).split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if inside {
                    lines.push(line);
                }
            } else {
                inside = line.split_once(':').is_some_and(|(n, _)| n == name);
                if inside {
                    lines.push(line);
                }
            }
        }
        lines
    }

    /// Decodes a run of whitespace-separated encoded words; each must be ≤ 75 chars and
    /// hold whole UTF-8 characters.
    fn decode_words(v: &str) -> String {
        let mut s = String::new();
        for w in v.split([' ', '\t']).filter(|w| !w.is_empty()) {
            assert!(w.len() <= 75, "encoded word too long: {w}");
            let inner = w.strip_prefix("=?UTF-8?B?").and_then(|w| w.strip_suffix("?=")).unwrap();
            let bytes = STANDARD.decode(inner).unwrap();
            s.push_str(&String::from_utf8(bytes).expect("word splits a UTF-8 character"));
        }
        s
    }

    fn qp(input: &str) -> String {
        let mut out = Vec::new();
        write_quoted_printable(input.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    fn qp_decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' {
                if b[i + 1..].starts_with(b"\r\n") {
                    i += 3;
                    continue;
                }
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    fn assert_qp_round_trips(input: &str) {
        let encoded = qp(input);
        for line in encoded.split("\r\n") {
            assert!(line.len() <= 76, "QP line too long ({}): {line}", line.len());
            assert!(!line.ends_with([' ', '\t']), "trailing whitespace: {line:?}");
            assert!(!line.starts_with('.'), "leading dot: {line:?}");
        }
        let expected = input.replace("\r\n", "\n").replace('\n', "\r\n");
        assert_eq!(qp_decode(&encoded), expected.as_bytes());
    }

    fn boundary_of(m: &str) -> String {
        let ct = header(m, "Content-Type").unwrap();
        ct.split_once("boundary=\"").unwrap().1.trim_end_matches('"').to_string()
    }

    /// The encoded bodies of the two parts, in order.
    fn part_bodies(m: &str) -> Vec<String> {
        let b = boundary_of(m);
        let body = &m[m.find("\r\n\r\n").unwrap() + 4..];
        let close = format!("\r\n--{b}--\r\n");
        assert!(body.ends_with(&close));
        let body = &body[..body.len() - close.len()];
        let opener = format!("--{b}\r\n");
        assert!(body.starts_with(&opener));
        body[opener.len()..]
            .split(&format!("\r\n--{b}\r\n"))
            .map(|part| part.split_once("\r\n\r\n").unwrap().1.to_string())
            .collect()
    }

    #[test]
    fn ascii_headers_are_written_in_order_as_given() {
        let m = render(&sample());
        let names: Vec<String> = headers(&m).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "From",
                "Reply-To",
                "To",
                "Subject",
                "Date",
                "Message-ID",
                "MIME-Version",
                "List-Unsubscribe",
                "List-Unsubscribe-Post",
                "Feedback-ID",
                "X-Campaign-Id",
                "Content-Type",
            ]
        );
        assert!(m.starts_with(
            "From: Acme News <news@acme.example>\r\n\
             Reply-To: help@acme.example\r\n\
             To: Jane Doe <jane@example.org>\r\n\
             Subject: Your November update\r\n\
             Date: Sat, 28 Nov 2026 14:03:09 +0000\r\n\
             Message-ID: <k3j2h4.17@acme.example>\r\n\
             MIME-Version: 1.0\r\n\
             List-Unsubscribe: <mailto:u+tok@b.example>, <https://x.example/u/tok>\r\n\
             List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\
             Feedback-ID: 17:newsletter:billionmail\r\n\
             X-Campaign-Id: 17\r\n\
             Content-Type: multipart/alternative; boundary=\"=_bm"
        ));
    }

    #[test]
    fn date_matches_chrono_rfc5322_format() {
        for (y, mo, d, h, mi, s) in [(2026, 11, 28, 14, 3, 9), (2024, 2, 29, 0, 0, 0), (2031, 1, 5, 23, 59, 59)] {
            let date = Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
            let m = render(&OutgoingMessage { date, ..sample() });
            let expected = date.format("%a, %d %b %Y %H:%M:%S +0000").to_string();
            assert_eq!(header(&m, "Date").unwrap(), expected);
        }
    }

    #[test]
    fn non_ascii_subject_becomes_folded_encoded_words_that_decode_back() {
        let subject = "Ваш ноябрьский выпуск — скидки до 50% 🎉 на всё, что вы любили в этом году, и даже больше";
        let m = render(&OutgoingMessage { subject, ..sample() });
        let lines = header_lines(&m, "Subject");
        assert!(lines.len() > 1, "long subject should fold");
        for line in &lines {
            assert!(line.len() <= 78, "line too long ({}): {line}", line.len());
        }
        assert_eq!(decode_words(&header(&m, "Subject").unwrap()), subject);
    }

    #[test]
    fn non_ascii_display_names_become_encoded_words_that_decode_back() {
        let from_name = "Équipe Café Müller — Nachrichten und Angebote für treue Kundinnen und Kunden";
        let to_name = "山田 太郎";
        let m = render(&OutgoingMessage { from_name, to_name, ..sample() });
        for name in ["From", "To"] {
            for line in header_lines(&m, name) {
                assert!(line.len() <= 78, "line too long ({}): {line}", line.len());
            }
        }
        let from = header(&m, "From").unwrap();
        let (words, addr) = from.rsplit_once(" <").unwrap();
        assert_eq!(addr, "news@acme.example>");
        assert_eq!(decode_words(words), from_name);
        let to = header(&m, "To").unwrap();
        let (words, addr) = to.rsplit_once(" <").unwrap();
        assert_eq!(addr, "jane@example.org>");
        assert_eq!(decode_words(words), to_name);
    }

    #[test]
    fn display_names_with_specials_are_quoted_and_escaped() {
        let m = render(&OutgoingMessage { from_name: r#"Smith, John "JJ" \ Co."#, ..sample() });
        assert_eq!(header(&m, "From").unwrap(), r#""Smith, John \"JJ\" \\ Co." <news@acme.example>"#);
    }

    #[test]
    fn empty_display_name_writes_bare_address() {
        let m = render(&OutgoingMessage { from_name: "", to_name: "  ", ..sample() });
        assert_eq!(header(&m, "From").unwrap(), "news@acme.example");
        assert_eq!(header(&m, "To").unwrap(), "jane@example.org");
    }

    #[test]
    fn utf8_recipient_address_is_written_as_is() {
        let m = render(&OutgoingMessage { to_email: "josé@例え.jp", ..sample() });
        assert_eq!(header(&m, "To").unwrap(), "Jane Doe <josé@例え.jp>");
    }

    #[test]
    fn long_ascii_subject_folds_at_whitespace_and_unfolds_to_the_original() {
        let subject = "This is a rather long subject line that keeps going well past the seventy-eight \
                       character recommendation so that it has to be folded more than once, really";
        let m = render(&OutgoingMessage { subject, ..sample() });
        let lines = header_lines(&m, "Subject");
        assert!(lines.len() >= 3);
        for line in &lines {
            assert!(line.len() <= 78, "line too long ({}): {line}", line.len());
            assert!(!line.trim().is_empty());
        }
        assert_eq!(header(&m, "Subject").unwrap(), subject);
    }

    #[test]
    fn crlf_in_header_values_cannot_inject_a_header() {
        let m = render(&OutgoingMessage {
            subject: "Hello\r\nBcc: victim@evil.example\n\r\nX: y",
            to_name: "Jane\r\nBcc: other@evil.example",
            feedback_id: "17\nBcc: third@evil.example",
            extra_headers: &[("X-Tag\r\nBcc", "a\r\nBcc: fourth@evil.example")],
            ..sample()
        });
        assert!(!m.contains("\r\nBcc"));
        assert!(!m.contains("\r\nX: y"));
        let names: Vec<String> = headers(&m).into_iter().map(|(n, _)| n).collect();
        assert!(!names.iter().any(|n| n.eq_ignore_ascii_case("Bcc") || n == "X"));
        assert_eq!(header(&m, "Subject").unwrap(), "Hello  Bcc: victim@evil.example   X: y");
        assert_eq!(header(&m, "X-TagBcc").unwrap(), "a  Bcc: fourth@evil.example");
        // No bare CR or LF anywhere.
        assert!(!m.replace("\r\n", "").contains(['\r', '\n']));
    }

    #[test]
    fn extra_headers_cannot_duplicate_managed_headers() {
        let m = render(&OutgoingMessage {
            extra_headers: &[("from", "evil@x.example"), ("Content-Type", "text/plain"), ("", "x"), ("X-Ok", "1")],
            ..sample()
        });
        let names: Vec<String> = headers(&m).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names.iter().filter(|n| n.eq_ignore_ascii_case("From")).count(), 1);
        assert_eq!(names.iter().filter(|n| n.eq_ignore_ascii_case("Content-Type")).count(), 1);
        assert_eq!(header(&m, "X-Ok").unwrap(), "1");
        assert!(!m.contains("evil@x.example"));
    }

    #[test]
    fn qp_encodes_equals_sign() {
        assert_eq!(qp("a=b"), "a=3Db");
        assert_qp_round_trips("x == y; =?UTF-8?B?= ==");
    }

    #[test]
    fn qp_encodes_trailing_whitespace() {
        assert_eq!(qp("end \nnext\t\r\nlast "), "end=20\r\nnext=09\r\nlast=20");
        assert_eq!(qp("a b"), "a b");
    }

    #[test]
    fn qp_soft_breaks_long_lines_and_decodes_back_exactly() {
        let long = "word ".repeat(60) + &"x".repeat(300) + "=" + &"é".repeat(80) + " ";
        let encoded = qp(&long);
        assert!(encoded.contains("=\r\n"));
        assert_qp_round_trips(&long);
        // Escapes are never split by a soft break, at every alignment.
        for pad in 0..80 {
            let s = "a".repeat(pad) + &"=".repeat(40) + &"\u{7f}".repeat(30);
            assert_qp_round_trips(&s);
        }
        // A line exactly 76 literal characters long needs no soft break.
        assert_eq!(qp(&"y".repeat(76)), "y".repeat(76));
        assert_eq!(qp(&"y".repeat(77)).matches("=\r\n").count(), 1);
    }

    #[test]
    fn qp_encodes_a_dot_at_the_start_of_a_line() {
        assert_eq!(qp(".\n.hidden\na.b"), "=2E\r\n=2Ehidden\r\na.b");
        // Also after a soft break.
        let s = "z".repeat(75) + ".....";
        assert_qp_round_trips(&s);
        assert!(qp(&s).contains("=\r\n=2E"));
    }

    #[test]
    fn qp_round_trips_non_ascii_utf8_and_controls() {
        assert_qp_round_trips("Grüße aus Köln — 東京 🎉\nline two\r\n\ttabbed\n\n\u{0}\u{1b}[0m\rbare cr\n");
        assert_eq!(qp("ü"), "=C3=BC");
    }

    #[test]
    fn qp_of_empty_input_is_empty() {
        assert_eq!(qp(""), "");
        assert_eq!(qp("\n"), "\r\n");
    }

    #[test]
    fn bodies_decode_back_in_text_then_html_order() {
        let text = "Hello Jane,\n\n.Dots and = signs and trailing spaces   \nBye";
        let html = "<html><body><p style=\"color:red\">Grüße</p></body></html>\n";
        let m = render(&OutgoingMessage { html, text, ..sample() });
        assert!(m.contains(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        ));
        assert!(
            m.contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
        );
        assert!(m.find("text/plain").unwrap() < m.find("text/html").unwrap());
        let parts = part_bodies(&m);
        assert_eq!(parts.len(), 2);
        assert_eq!(qp_decode(&parts[0]), text.replace('\n', "\r\n").as_bytes());
        assert_eq!(qp_decode(&parts[1]), html.replace('\n', "\r\n").as_bytes());
    }

    #[test]
    fn empty_bodies_give_empty_parts() {
        let m = render(&OutgoingMessage { text: "", html: "", ..sample() });
        assert_eq!(part_bodies(&m), ["", ""]);
    }

    #[test]
    fn every_line_is_at_most_998_bytes_and_ends_with_crlf() {
        let huge_word = "w".repeat(2500);
        let subject = format!("Look {huge_word} here");
        let long_value = "v".repeat(3000);
        let extra = [("X-Long", long_value.as_str())];
        let body = format!("{}\n{}\n", "q".repeat(5000), "é ".repeat(3000));
        let m =
            render(&OutgoingMessage { subject: &subject, extra_headers: &extra, text: &body, html: &body, ..sample() });
        assert!(m.ends_with("\r\n"));
        assert!(!m.ends_with("\r\n.\r\n"));
        assert!(!m.replace("\r\n", "").contains(['\r', '\n']));
        for line in m[..m.len() - 2].split("\r\n") {
            assert!(line.len() <= 998, "line of {} bytes", line.len());
            assert!(!line.starts_with('.'), "line needs dot-stuffing: {line:?}");
        }
        // The long ASCII word made the subject use encoded words, which decode back.
        assert_eq!(decode_words(&header(&m, "Subject").unwrap()), subject);
    }

    #[test]
    fn boundary_never_appears_in_the_bodies() {
        let b = String::from_utf8(boundary(42).to_vec()).unwrap();
        let text = format!("--{b}\n--{b}--\n{b}\n=_bm tricky =_");
        let m = render(&OutgoingMessage { text: &text, html: &text, ..sample() });
        assert_eq!(boundary_of(&m), b);
        let parts = part_bodies(&m);
        assert_eq!(parts.len(), 2);
        for part in &parts {
            assert!(!part.contains(&b));
            assert!(!part.contains("=_"));
            assert_eq!(qp_decode(part), text.replace('\n', "\r\n").as_bytes());
        }
        assert_eq!(m.matches(&format!("--{b}")).count(), 3);
    }

    #[test]
    fn boundary_differs_per_seed() {
        let a = boundary(1);
        let b = boundary(2);
        assert_ne!(a, b);
        assert!(a.starts_with(b"=_bm"));
        assert!(a[4..].iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c)));
        assert_eq!(&boundary(0)[4..], b"9e3779b97f4a7c15");
    }

    #[test]
    fn list_unsubscribe_post_is_present_only_when_asked() {
        let with = render(&sample());
        assert_eq!(header(&with, "List-Unsubscribe-Post").unwrap(), "List-Unsubscribe=One-Click");
        let without = render(&OutgoingMessage { list_unsubscribe_post: false, ..sample() });
        assert!(header(&without, "List-Unsubscribe-Post").is_none());
        assert!(header(&without, "List-Unsubscribe").is_some());
        let no_list = render(&OutgoingMessage { list_unsubscribe: "", ..sample() });
        assert!(header(&no_list, "List-Unsubscribe").is_none());
        assert!(header(&no_list, "List-Unsubscribe-Post").is_none());
    }

    #[test]
    fn empty_reply_to_and_feedback_id_are_omitted() {
        for reply_to in [None, Some(""), Some("  ")] {
            let m = render(&OutgoingMessage { reply_to, feedback_id: "", ..sample() });
            assert!(header(&m, "Reply-To").is_none());
            assert!(header(&m, "Feedback-ID").is_none());
        }
    }

    #[test]
    fn message_id_gets_exactly_one_pair_of_angle_brackets() {
        let m = render(&OutgoingMessage { message_id: "<abc@x.example>", ..sample() });
        assert_eq!(header(&m, "Message-ID").unwrap(), "<abc@x.example>");
    }

    #[test]
    fn appends_to_the_buffer_without_clearing_it() {
        let mut out = b"prefix".to_vec();
        write_message(&sample(), 7, &mut out);
        assert!(out.starts_with(b"prefixFrom: "));
    }

    #[test]
    fn signed_headers_are_all_written_by_the_writer() {
        let m = render(&sample());
        for name in SIGNED_HEADERS {
            assert!(header(&m, name).is_some(), "{name} missing");
        }
    }
}
