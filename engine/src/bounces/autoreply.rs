//! RFC 3834 automatic responses (out-of-office, vacation): proof of delivery, not failure.

/// Subject prefixes that auto-responders use, lower-cased.
const SUBJECT_MARKERS: &[&str] = &[
    "auto:",
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "autoresponse",
    "out of office",
    "out of the office",
    "vacation",
    "abwesenheitsnotiz",
    "r\u{e9}ponse automatique",
    "risposta automatica",
    "respuesta autom\u{e1}tica",
];

/// True when the headers mark the message as an auto-reply.
///
/// `Auto-Submitted: auto-replied` alone is not enough, because Exim and others put it on
/// bounces too; callers test for bounce formats first and only then ask this.
pub fn is_auto_reply(headers: &[(String, String)], subject: &str) -> bool {
    let header =
        |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_ascii_lowercase());
    if header("auto-submitted").is_some_and(|v| v.starts_with("auto-replied"))
        || header("x-autoreply").is_some()
        || header("x-autorespond").is_some()
        || header("x-autoresponder").is_some()
        || header("x-auto-response-suppress").is_some_and(|v| v.contains("oof"))
        || header("precedence").is_some_and(|v| v.contains("auto_reply"))
    {
        return true;
    }
    let subject = subject.trim().to_lowercase();
    SUBJECT_MARKERS.iter().any(|m| subject.starts_with(m) || subject.contains(&format!(" {m}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_subject_and_header() {
        assert!(is_auto_reply(&[], "Automatic reply: Nyaan"));
        assert!(is_auto_reply(&[("Auto-Submitted".into(), "auto-replied".into())], "Re: x"));
        assert!(!is_auto_reply(&[], "Re: lunch"));
    }
}
