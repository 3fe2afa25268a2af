//! Text bounces without a machine-readable part (qmail, Exim, old Sendmail, Exchange,
//! Gmail, Yahoo, Notes, OpenSMTPD, Japanese carriers …).
//!
//! Rather than one parser per MTA, one scanner reads the common shape all of them share: an
//! introduction, then per recipient a line that starts with the address followed by the
//! error text, then a marker after which the returned original is pasted. The scanner cuts
//! the original off, finds the address lines and gives each recipient the text under it.

use super::text;

/// Lines (lower-case, trimmed; matched with `contains`) after which the returned original
/// follows. Everything from such a line on is not part of the notice.
const ORIGINAL_MARKERS: &[&str] = &[
    "below this line is a copy of the message",
    "this is a copy of the message",
    "enclosed is a copy of the message",
    "----- original message -----",
    "original message follows",
    "message headers follow",
    "the header of the original message is following",
    "included is a copy of the message header",
    "unsent message follows",
    "------- returned message --------",
    "below is a copy of the original message",
    "-------original message",
    "--- original message follows",
    "original message:",
    "----- message header follows -----",
    "------ original message ------",
    "--- header of the message follows ---",
    "the original message headers",
    "returned mail follows",
    "original message header:",
    "message header:",
    "content-type: message/rfc822",
];

/// Subject words of delivery failure notices, lower-case.
const BOUNCE_SUBJECTS: &[&str] = &[
    "undeliver",
    "undelivered",
    "delivery fail",
    "failure notice",
    "failure delivery",
    "returned mail",
    "returning message",
    "delivery status notification",
    "mail delivery",
    "delivery failure",
    "failed delivery",
    "non-delivery",
    "nondeliver",
    "non remis",
    "could not send",
    "delivery problem",
    "not delivered",
    "unzustellbar",
    "delivery notification",
    "mail failure",
    "message delayed",
    "delayed mail",
    "delivery error",
    "error sending",
    "failed mail",
    "mail system error",
    "returned to sender",
    "delivery has failed",
    "warning: message",
];

/// Body phrases that only delivery failure notices use, lower-case.
const BOUNCE_BODY_MARKERS: &[&str] = &[
    "mail delivery software",
    "qmail-send program",
    "delivery to the following recipient",
    "did not reach the following recipient",
    "delivery has failed to these recipients",
    "could not be delivered to",
    "unable to deliver message",
    "unable to deliver your message",
    "error delivering your mail",
    "the following addresses had",
    "permanent fatal errors",
    "transcript of session follows",
    "mailer-daemon",
    "returned to the sender",
    "was not delivered",
    "delivery failure",
    "failure reasons",
    // Mailing-list managers (fml, majordomo, mailman) returning a post from a non-member.
    "not a member of this mailing list",
    "not a member of this list",
];

/// Markers of a notice about a delay (temporary failure) rather than a final failure.
const DELAY_MARKERS: &[&str] = &[
    "this is a warning",
    "warning message only",
    "has been delayed",
    "will be retried",
    "still being retried",
    "not yet been delivered",
    "delivery attempts will continue",
    "temporary failure",
    "temporarily deferred",
    "is delayed",
    "only a temporary",
    "delayed for more than",
];

/// One recipient found in a text notice with the text that explains its failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextBlock {
    /// Lower-cased address.
    pub recipient: String,
    /// The lines under (or on) the recipient line, joined with newlines.
    pub text: String,
}

/// Splits a notice into the notice proper and the pasted original (possibly empty).
pub fn cut_original(body: &str) -> (&str, &str) {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let lower = line.trim().to_ascii_lowercase();
        if !lower.is_empty() && ORIGINAL_MARKERS.iter().any(|m| lower.contains(m)) {
            let before = body.get(..offset).unwrap_or(body);
            let after = body.get(offset + line.len()..).unwrap_or_default();
            return (before, after);
        }
        offset += line.len();
    }
    (body, "")
}

/// True when the subject, sender or body say this is a delivery failure notice.
pub fn is_bounce_like(subject: &str, from_header: &str, body: &str) -> bool {
    let subject = subject.to_lowercase();
    let from = from_header.to_ascii_lowercase();
    if from.contains("mailer-daemon")
        || from.contains("mail-daemon")
        || from.contains("mailer daemon")
        || from.contains("postmaster")
        || from.contains("post_master")
        || from.contains("mail delivery")
        || from.trim() == "<>"
    {
        return true;
    }
    if BOUNCE_SUBJECTS.iter().any(|m| subject.contains(m)) {
        return true;
    }
    let lower = body.to_ascii_lowercase();
    BOUNCE_BODY_MARKERS.iter().any(|m| lower.contains(m))
}

/// True when the notice reports a delay, not a final failure.
pub fn is_delay_notice(subject: &str, body: &str) -> bool {
    let subject = subject.to_ascii_lowercase();
    let lower = body.to_ascii_lowercase();
    subject.contains("delay") || subject.starts_with("warning") || DELAY_MARKERS.iter().any(|m| lower.contains(m))
}

/// Prefixes that come before the address on a recipient line in some formats.
const LINE_PREFIXES: &[&str] = &[
    "unknown user:",
    "rcpt to:",
    "recipient:",
    "failed recipient:",
    "invalid recipient:",
    "recipient address:",
    "address:",
    "to:",
];

/// If `line` is a recipient line, the address and what follows it on the line.
///
/// A recipient line starts with the address, optionally quoted (`<a@b>`, `"a@b"`), behind
/// quote markers (`>>> `), a bullet, or an SMTP code (`554 <a@b>...`), and the address is
/// followed by the end of line, `:`, `...`, or a space and more text.
pub fn recipient_line(line: &str) -> Option<(String, String)> {
    let mut t = line.trim_start();
    loop {
        let before = t.len();
        t = t.trim_start_matches(['>', '*', '-', '\u{2022}']).trim_start();
        if t.len() == before {
            break;
        }
    }
    // An SMTP reply code in front of a bracketed address ("554 <a@b>... Host unknown").
    if let Some(rest) = t.get(3..)
        && t.get(..3).is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
        && rest.trim_start().starts_with('<')
    {
        t = rest.trim_start();
    }
    let lower = t.to_ascii_lowercase();
    for prefix in LINE_PREFIXES {
        if lower.starts_with(prefix) {
            // "To:" only counts when it is not a header of a pasted original.
            if *prefix == "to:" {
                return None;
            }
            t = t.get(prefix.len()..).unwrap_or_default().trim_start();
            break;
        }
    }
    let t = t.trim_start_matches(['<', '"', '\'', '(']);
    let found = text::find_addresses(t);
    let first = found.first()?;
    if first.start != 0 {
        return None;
    }
    let rest = t.get(first.end..).unwrap_or_default();
    let rest = rest.trim_start_matches(['>', '"', '\'', ')']);
    let ok = rest.is_empty() || rest.starts_with([':', ' ', '\t', ',', '[', '(', ';', '.']) || rest.starts_with("...");
    if !ok {
        return None;
    }
    let rest = rest.trim_start_matches([':', ',', ';', '.']).trim();
    // ">>> a@b <a@b>": the rest only repeats the address, so there is no text yet.
    let repeated = rest.trim_matches(['<', '>', '"', ' ', '(', ')']).eq_ignore_ascii_case(&first.address);
    let rest = if repeated { String::new() } else { rest.to_string() };
    Some((first.address.clone(), rest))
}

/// A separator or label line (`----- Transcript of session follows -----`).
fn is_separator(line: &str) -> bool {
    let t = line.trim();
    (t.starts_with("--") || t.starts_with("==") || t.starts_with("**")) && !t.contains('@')
        || t.chars().all(|c| matches!(c, '-' | '=' | '*' | '_' | '#' | ' '))
}

/// Boilerplate inside a recipient block that is about retrying, not about the failure.
fn is_noise(line: &str) -> bool {
    let l = line.trim().to_ascii_lowercase();
    l.starts_with("giving up on")
        || l.starts_with("i'm not going to try again")
        || l.starts_with("no action is required")
        || l.starts_with("please note that this is only")
        || l.starts_with("the message is kept in the queue")
}

/// Scans a notice (already cut before the original) for recipient blocks, in order.
///
/// Addresses repeated later (a second language version of the same notice, or the address
/// echoed in the error text) merge into the first block of that address.
pub fn scan(notice: &str) -> Vec<TextBlock> {
    let mut blocks: Vec<TextBlock> = Vec::new();
    let mut preamble: Vec<&str> = Vec::new();
    let mut current: Option<usize> = None;
    let mut closed = false;
    let mut content_lines = 0usize;
    let mut paragraphs = 0usize;
    for line in notice.lines() {
        if let Some((address, rest)) = recipient_line(line) {
            match blocks.iter().position(|b| b.recipient == address) {
                Some(i) if Some(i) == current => {
                    if !closed && let Some(b) = blocks.get_mut(i) {
                        b.text.push_str(line.trim());
                        b.text.push('\n');
                        content_lines += 1;
                    }
                }
                Some(i) => {
                    current = Some(i);
                    closed = true;
                }
                None => {
                    let mut block = TextBlock { recipient: address, text: String::new() };
                    content_lines = 0;
                    paragraphs = 0;
                    if !rest.is_empty() {
                        block.text.push_str(&rest);
                        block.text.push('\n');
                        content_lines = 1;
                    }
                    blocks.push(block);
                    current = Some(blocks.len() - 1);
                    closed = false;
                }
            }
            continue;
        }
        let Some(i) = current else {
            preamble.push(line);
            continue;
        };
        if closed {
            continue;
        }
        let Some(block) = blocks.get_mut(i) else { continue };
        if line.trim().is_empty() {
            // A blank line ends the block unless the text so far is a label ("… was:")
            // or has not yet given any SMTP code (Gmail puts the server's answer in a
            // later paragraph).
            let ends_with_label = block.text.trim_end().ends_with(':');
            let has_code = super::status::find_failure_status(&block.text).is_some()
                || super::status::find_reply_code(&block.text).is_some();
            if content_lines > 0 && !ends_with_label {
                if has_code || paragraphs >= 2 {
                    closed = true;
                } else {
                    paragraphs += 1;
                }
            }
            continue;
        }
        if is_separator(line) {
            if content_lines > 0 && !block.text.trim_end().ends_with(':') {
                closed = true;
            }
            continue;
        }
        if is_noise(line) {
            continue;
        }
        block.text.push_str(line.trim());
        block.text.push('\n');
        content_lines += 1;
    }
    // A recipient with nothing under it: the explanation came before the address
    // (Notes: "Failure Reasons" then the address), so use the paragraph before it.
    if let Some(first) = blocks.first_mut()
        && first.text.trim().is_empty()
    {
        let paragraph: Vec<&str> = preamble
            .iter()
            .rev()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty() && !is_separator(l))
            .copied()
            .collect();
        first.text = paragraph.into_iter().rev().collect::<Vec<_>>().join("\n");
    }
    blocks
}

/// Phrases after which a sentence names the failed recipient.
const EMBEDDED_MARKERS: &[&str] = &[
    "delivering your mail to",
    "delivering your message to",
    "could not be delivered to",
    "unknown user:",
    "rcpt to:",
    "rcpt to: ",
    "recipient:",
    "was not delivered to",
    "deliver the mail to",
    "delivery to",
];

/// Finds a recipient named inside a sentence (`… error delivering your mail to <a@b>.`).
pub fn embedded_recipient(notice: &str) -> Option<String> {
    let lower = notice.to_ascii_lowercase();
    for marker in EMBEDDED_MARKERS {
        if let Some(pos) = lower.find(marker) {
            let after = lower.get(pos + marker.len()..).unwrap_or_default();
            let line_end = after.find("\n\n").unwrap_or(after.len());
            if let Some(found) = text::first_address(after.get(..line_end).unwrap_or(after)) {
                return Some(found);
            }
        }
    }
    None
}

/// The remote host named in a block (`host mx.example.jp [192.0.2.1]`), or "".
pub fn remote_host(block: &str) -> String {
    let lower = block.to_ascii_lowercase();
    for marker in ["host ", "while talking to ", "remote host "] {
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|s| s.find(marker)) {
            let at = from + pos;
            let boundary = at == 0 || lower.get(at - 1..at).is_some_and(|c| c == " " || c == "\n" || c == "(");
            let after = lower.get(at + marker.len()..).unwrap_or_default();
            let token: String =
                after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-').collect();
            let token = token.trim_end_matches('.');
            if boundary && token.contains('.') && token.chars().any(|c| c.is_ascii_alphabetic()) {
                return token.to_string();
            }
            from = at + marker.len();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_recipient_lines() {
        assert_eq!(recipient_line("<a@b.example>:").map(|r| r.0), Some("a@b.example".into()));
        assert_eq!(recipient_line("  kijitora@example.jp").map(|r| r.0), Some("kijitora@example.jp".into()));
        assert_eq!(
            recipient_line(">>> kijitora@example.org <kijitora@example.org>").map(|r| r.0),
            Some("kijitora@example.org".into())
        );
        assert_eq!(
            recipient_line("554 <k@e.example>... 550 Host unknown").map(|r| r.1),
            Some("550 Host unknown".into())
        );
        assert_eq!(recipient_line("From: a@b.example"), None);
        assert_eq!(recipient_line("Remote host said: 550 <a@b.example>"), None);
    }

    #[test]
    fn scans_qmail_blocks() {
        let notice = "Hi. This is the qmail-send program at x.\n\n<a@x.example>:\n192.0.2.1 does not like recipient.\nRemote host said: 550 5.1.1 <a@x.example>... User Unknown\nGiving up on 192.0.2.1.\n\n<b@x.example>:\nRemote host said: 552 quota exceeded\n\n";
        let blocks = scan(notice);
        assert_eq!(blocks.len(), 2);
        assert!(blocks.first().is_some_and(|b| b.text.contains("User Unknown") && !b.text.contains("Giving up")));
        assert!(blocks.get(1).is_some_and(|b| b.text.contains("quota")));
    }

    #[test]
    fn cuts_at_markers() {
        let (before, after) = cut_original("notice\n--- Below this line is a copy of the message.\nTo: a@b.example\n");
        assert_eq!(before, "notice\n");
        assert_eq!(after, "To: a@b.example\n");
    }

    #[test]
    fn finds_remote_host() {
        assert_eq!(remote_host("host mx.example.jp [192.0.2.1]: 550"), "mx.example.jp");
    }
}
