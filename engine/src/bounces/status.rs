//! RFC 3463 enhanced status codes and SMTP reply codes: finding them in free text,
//! validating them, and what a status alone says about the reason.

use super::BounceReason;
use super::error::BounceError;

/// A validated RFC 3463 status `class.subject.detail`.
///
/// Exists so the rest of the parser never handles an unchecked string: class is 2, 4 or 5,
/// subject and detail are 1–3 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCode {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// The subject digit group (1 address, 2 mailbox, 3 mail system, …).
    pub subject: u16,
    /// The detail digit group.
    pub detail: u16,
}

impl StatusCode {
    /// Parses exactly `x.y.z`, surrounding whitespace allowed.
    pub fn parse(s: &str) -> Result<Self, BounceError> {
        let s = s.trim();
        let mut it = s.split('.');
        let (Some(c), Some(sub), Some(det), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(BounceError::BadStatus(s.to_string()));
        };
        let digits = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
        if !(c.len() == 1 && digits(c, 1) && digits(sub, 3) && digits(det, 3)) {
            return Err(BounceError::BadStatus(s.to_string()));
        }
        let class: u8 = c.parse().map_err(|_| BounceError::BadStatus(s.to_string()))?;
        if !matches!(class, 2 | 4 | 5) {
            return Err(BounceError::BadStatus(s.to_string()));
        }
        Ok(Self {
            class,
            subject: sub.parse().map_err(|_| BounceError::BadStatus(s.to_string()))?,
            detail: det.parse().map_err(|_| BounceError::BadStatus(s.to_string()))?,
        })
    }

    /// True for the generic `x.0.0` codes that carry no reason.
    pub fn is_generic(&self) -> bool {
        self.subject == 0 && self.detail == 0
    }
}

impl std::fmt::Display for StatusCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// Normalises a `Status:` field value: the first valid code in it, or `None`.
pub fn normalize_status(value: &str) -> Option<String> {
    find_status(value)
}

/// The first RFC 3463 code in free text (`550 5.1.1 …`, `(#5.1.1)`, `ERROR_CODE :5.1.1`).
///
/// The code must stand alone: version numbers (`8.14.3/8.14.3`) and IP addresses are skipped
/// by requiring no digit, dot or slash right before or after it.
pub fn find_status(text: &str) -> Option<String> {
    find_status_of(text, b"245")
}

/// Like [`find_status`] but only failure codes (class 4 or 5): a transcript's `250 2.0.0 Ok`
/// lines must not be taken for the failure's status.
pub fn find_failure_status(text: &str) -> Option<String> {
    find_status_of(text, b"45")
}

fn find_status_of(text: &str, classes: &[u8]) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        if classes.contains(&b) && bytes.get(i + 1) == Some(&b'.') {
            let before_ok = i == 0
                || bytes.get(i - 1).is_some_and(|p| !(p.is_ascii_alphanumeric() || matches!(p, b'.' | b'/' | b'_')));
            if before_ok {
                let mut j = i + 2;
                let sub_start = j;
                while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
                let sub_len = j - sub_start;
                if (1..=3).contains(&sub_len) && bytes.get(j) == Some(&b'.') {
                    j += 1;
                    let det_start = j;
                    while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                        j += 1;
                    }
                    let det_len = j - det_start;
                    let after_ok = bytes.get(j).is_none_or(|a| {
                        !(a.is_ascii_alphanumeric()
                            || *a == b'/'
                            || *a == b'_'
                            || (*a == b'.' && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)))
                    });
                    if (1..=3).contains(&det_len)
                        && after_ok
                        && let Some(code) = text.get(i..j)
                        && let Ok(parsed) = StatusCode::parse(code)
                    {
                        return Some(parsed.to_string());
                    }
                }
            }
        }
        i += 1;
    }
    None
}

/// The first SMTP failure reply code (4xx/5xx) standing alone in free text.
///
/// Accepted shapes: `550 text`, `550-text`, `550:`, `ERROR_CODE :550,`, `said: 550`. The
/// digits must not be part of a longer number, an IP address or a word.
pub fn find_reply_code(text: &str) -> Option<String> {
    find_code(text, b"45").map(|(_, code)| code)
}

/// Like [`find_reply_code`] but for a success code (2xx), used by success DSNs.
pub fn find_success_code(text: &str) -> Option<String> {
    find_code(text, b"2").map(|(_, code)| code)
}

/// A failure reply whose class agrees with `class` (`'4'` or `'5'`), with the status code
/// written right after it if there is one: `<421 4.4.2 Connection timed out>`.
///
/// Used when the first reply code in a text contradicts the status class: relays such as
/// Amazon SES write their own `554 4.4.7 Message expired` and append the remote server's
/// last answer, which is the one that matches a transient status.
pub fn find_reply_of_class(text: &str, class: char) -> Option<(String, Option<String>)> {
    let mut offset = 0;
    while let Some((pos, code)) = text.get(offset..).and_then(|rest| find_code(rest, b"45")) {
        let end = offset + pos + code.len();
        if code.starts_with(class) {
            let after = text.get(end..).unwrap_or_default();
            let next = after.trim_start_matches([' ', '-', '#']);
            let status = find_status(next.get(..next.len().min(8)).unwrap_or_default())
                .filter(|s| next.starts_with(s.as_str()) && s.starts_with(class));
            return Some((code, status));
        }
        offset = end;
    }
    None
}

fn find_code(text: &str, classes: &[u8]) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 3 <= bytes.len() {
        let (Some(a), Some(b), Some(c)) = (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) else {
            break;
        };
        if classes.contains(a) && b.is_ascii_digit() && c.is_ascii_digit() && *b <= b'5' {
            let before_ok = i == 0
                || bytes.get(i - 1).is_some_and(|p| {
                    p.is_ascii_whitespace()
                        || matches!(p, b';' | b':' | b'(' | b'<' | b'"' | b'\'' | b'=' | b'[' | b'>')
                });
            let after_ok = bytes
                .get(i + 3)
                .is_none_or(|n| n.is_ascii_whitespace() || matches!(n, b'-' | b':' | b',' | b')' | b'>' | b']' | b'"'));
            // "550-192.0.2.1" is fine, but "192.0.2.250" or "250.1" is not a code.
            let not_ip = bytes.get(i + 3) != Some(&b'.');
            if before_ok && after_ok && not_ip {
                return text.get(i..i + 3).map(|c| (i, c.to_string()));
            }
        }
        i += 1;
    }
    None
}

/// The reason an RFC 3463 status implies on its own, for when the text says nothing usable.
///
/// Generic codes (`x.0.0`, `x.7.0`, `x.7.1`, …) give `None`: they name no reason.
pub fn reason_from_status(status: &str) -> Option<BounceReason> {
    use BounceReason as R;
    let code = StatusCode::parse(status).ok()?;
    if code.class == 2 {
        return Some(R::Delivered);
    }
    let r = match (code.subject, code.detail) {
        (1, 1) | (1, 3) => R::UserUnknown,
        (1, 2) => R::HostUnknown,
        (1, 4) => R::UserUnknown,
        (1, 6) => R::HasMoved,
        (1, 7) | (1, 8) => R::Rejected,
        (1, 10) => R::NotAccept,
        (2, 1) => R::Filtered,
        (2, 2) => R::MailboxFull,
        (2, 3) => R::ExceedLimit,
        (2, 4) => R::SystemError,
        (3, 0) | (3, 3) | (3, 5) => R::SystemError,
        (3, 1) => R::SystemFull,
        (3, 2) => R::NotAccept,
        (3, 4) => R::MesgTooBig,
        (4, 0) | (4, 1) | (4, 2) | (4, 6) => R::NetworkError,
        (4, 3) | (4, 5) => R::SystemError,
        (4, 4) => R::HostUnknown,
        (4, 7) => R::Expired,
        (5, 0) => return None,
        (5, _) => R::SyntaxError,
        (6, _) => R::ContentError,
        (7, 13) | (7, 14) => R::Suspend,
        (7, 17) | (7, 18) => R::HasMoved,
        (7, 20..=24) | (7, 26) | (7, 29) => R::AuthFailure,
        (7, 25) => R::RequirePtr,
        (7, 27) => R::NotAccept,
        (7, 2..=12) | (7, 15) | (7, 16) | (7, 30) => R::SecurityError,
        _ => return None,
    };
    Some(r)
}

/// Statuses so specific that they win over whatever the wording suggests.
pub fn is_decisive_status(status: &str) -> bool {
    matches!(StatusCode::parse(status).map(|c| (c.subject, c.detail)), Ok((2, 3) | (7, 13 | 20..=26 | 29)))
}

/// The class digit of a status string (`'5'` for `5.1.1`), if any.
pub fn status_class(status: &str) -> Option<char> {
    status.chars().next().filter(|c| matches!(c, '2' | '4' | '5'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_status_in_text() {
        assert_eq!(find_status("550 5.1.1 <a@b.c>... User unknown").as_deref(), Some("5.1.1"));
        assert_eq!(find_status("no mailbox (#5.1.1 - chkusr)").as_deref(), Some("5.1.1"));
        assert_eq!(find_status("by mx (8.14.3/8.14.3) id 4.2.2").as_deref(), Some("4.2.2"));
        assert_eq!(find_status("host [192.0.2.5] said 250 ok"), None);
        assert_eq!(find_status("550-5.7.26 Unauthenticated").as_deref(), Some("5.7.26"));
        assert_eq!(find_status("550 5.7.509 Access denied").as_deref(), Some("5.7.509"));
    }

    #[test]
    fn finds_reply_code() {
        assert_eq!(find_reply_code("host x [192.0.2.1]: 550 5.1.1 no").as_deref(), Some("550"));
        assert_eq!(find_reply_code("ERROR_CODE :421, ERROR_CODE :").as_deref(), Some("421"));
        assert_eq!(find_reply_code("550-192.0.2.222 blocked").as_deref(), Some("550"));
        assert_eq!(find_reply_code("in 840 minutes 192.0.2.250"), None);
        assert_eq!(find_reply_code("5.1.1 <a@b>... User Unknown"), None);
    }

    #[test]
    fn finds_reply_of_a_class() {
        let text = "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>";
        assert_eq!(find_reply_of_class(text, '4'), Some(("421".to_string(), Some("4.4.2".to_string()))));
        assert_eq!(find_reply_of_class("550 no", '4'), None);
        assert_eq!(find_reply_of_class("451 try later", '4'), Some(("451".to_string(), None)));
    }

    #[test]
    fn validates_codes() {
        assert!(StatusCode::parse("5.1.1").is_ok());
        assert!(StatusCode::parse("3.1.1").is_err());
        assert!(StatusCode::parse("5.1").is_err());
        assert!(StatusCode::parse("5.1.1.1").is_err());
        assert_eq!(reason_from_status("5.2.2"), Some(BounceReason::MailboxFull));
        assert_eq!(reason_from_status("5.0.0"), None);
    }
}
