//! Reason classification from the remote server's words, the status code and the reply code.
//!
//! Servers explain failures in free text far more precisely than with status codes (a
//! `5.7.1` can mean a blocklisting, a DMARC failure or a spam verdict), so the wording is
//! read first, through ordered phrase tables, and the status code is the fallback. The
//! tables are plain data: the first matching row wins, so more specific phrases come first.

use super::BounceReason;
use super::status;

use BounceReason as R;

/// Phrase table: `(needle, reason)`, needles lower-case, matched with `contains` on the
/// lower-cased text. Ordered: earlier rows win. The groups follow the same order as the
/// reasons' specificity: content verdicts and sender-side causes before recipient causes,
/// because their wording often also says "rejected" or "unavailable".
pub const PHRASES: &[(&str, BounceReason)] = &[
    // Multi-word verdicts that contain words of other groups ("blocked", "spf", "unknown").
    ("content presents a potential", R::PolicyViolation),
    ("spam classification", R::SpamDetected),
    ("multiple addresses in from", R::NotCompliantRfc),
    ("refused to talk to me", R::Blocked),
    // au (ezweb.ne.jp) rejects at end of DATA with this exact answer from its filter.
    ("550 : user unknown", R::Filtered),
    // RFC 7505 null MX: the domain publishes that it accepts no mail. Google words it
    // inside a "DNS Error" notice, so it comes before the DNS failures.
    ("null mx", R::NotAccept),
    ("doesn't receive email", R::NotAccept),
    // DNS lookups that failed (as opposed to a domain that does not exist).
    ("dns error", R::NetworkError),
    ("malformed or unexpected name server reply", R::NetworkError),
    // Local delivery programs.
    ("mailer error", R::MailerError),
    ("x-unix;", R::MailerError),
    ("procmail", R::MailerError),
    ("command died with status", R::MailerError),
    ("command failed", R::MailerError),
    ("exited with status", R::MailerError),
    ("pipe to |", R::MailerError),
    ("failed to read response template", R::MailerError),
    ("delivery userid", R::UserUnknown),
    // Virus and spam verdicts.
    ("virus", R::VirusDetected),
    ("malware", R::VirusDetected),
    ("infected", R::VirusDetected),
    // Authentication of the sender domain.
    ("dmarc", R::AuthFailure),
    ("spf check", R::AuthFailure),
    ("spf fail", R::AuthFailure),
    ("spf record", R::AuthFailure),
    ("sender policy framework", R::AuthFailure),
    (" spf ", R::AuthFailure),
    ("dkim", R::AuthFailure),
    ("authentication checks failed", R::AuthFailure),
    ("unauthenticated email", R::AuthFailure),
    // Reverse DNS of the sending host.
    ("reverse dns", R::RequirePtr),
    ("reverse-dns", R::RequirePtr),
    ("ptr record", R::RequirePtr),
    ("no ptr", R::RequirePtr),
    ("rdns", R::RequirePtr),
    ("reverse lookup", R::RequirePtr),
    ("reverse hostname", R::RequirePtr),
    ("cannot find your hostname", R::RequirePtr),
    ("cannot resolve your", R::RequirePtr),
    ("unverifyable sending ip", R::RequirePtr),
    ("ip name lookup failed", R::RequirePtr),
    ("hostname lookup failed", R::RequirePtr),
    // Reputation and rate.
    ("reputation", R::BadReputation),
    ("sender score", R::BadReputation),
    ("user complaints", R::BadReputation),
    ("mismatches client ip", R::RequirePtr),
    ("too many recipients", R::TooManyConn),
    ("connection frequency limited", R::TooManyConn),
    ("receiving mail at a rate", R::Speeding),
    ("too many connections", R::TooManyConn),
    ("too many concurrent", R::TooManyConn),
    ("too many simultaneous", R::TooManyConn),
    ("too many sessions", R::TooManyConn),
    ("connection limit", R::TooManyConn),
    ("connection rate limit", R::TooManyConn),
    ("rate limit", R::Speeding),
    ("ratelimit", R::Speeding),
    ("sending rate", R::Speeding),
    ("too many messages", R::Speeding),
    ("too much mail", R::Speeding),
    ("throttl", R::Speeding),
    ("sending too fast", R::Speeding),
    // Relaying.
    ("relay access denied", R::NoRelaying),
    ("relaying denied", R::NoRelaying),
    ("relay denied", R::NoRelaying),
    ("relay not permitted", R::NoRelaying),
    ("not permitted to relay", R::NoRelaying),
    ("unable to relay", R::NoRelaying),
    ("relaying not allowed", R::NoRelaying),
    ("relaying mail to", R::NoRelaying),
    ("not allowed to relay", R::NoRelaying),
    ("insecure mail relay", R::NoRelaying),
    ("no relaying", R::NoRelaying),
    ("we do not relay", R::NoRelaying),
    ("relay prohibited", R::NoRelaying),
    ("relaying prohibited", R::NoRelaying),
    // A relay service (Amazon SES and similar) refusing a sender identity it has not verified.
    ("email address is not verified", R::NoRelaying),
    // Mailbox state.
    ("mailbox full", R::MailboxFull),
    ("mailbox is full", R::MailboxFull),
    ("mailbox has exceeded", R::MailboxFull),
    ("mailbox size limit", R::MailboxFull),
    ("over quota", R::MailboxFull),
    ("overquota", R::MailboxFull),
    ("quota exceeded", R::MailboxFull),
    ("exceeded quota", R::MailboxFull),
    ("exceeds quota", R::MailboxFull),
    ("exceeded its quota", R::MailboxFull),
    ("over its quota", R::MailboxFull),
    ("quota full", R::MailboxFull),
    ("disk quota", R::MailboxFull),
    ("storage quota", R::MailboxFull),
    ("exceeded storage allocation", R::MailboxFull),
    ("recipient's mailbox exceeded", R::MailboxFull),
    ("mailbox exceeded", R::MailboxFull),
    ("mailfolder is full", R::MailboxFull),
    ("not enough storage", R::MailboxFull),
    ("insufficient storage", R::MailboxFull),
    ("user is over", R::MailboxFull),
    ("full mailbox", R::MailboxFull),
    ("message too large", R::MesgTooBig),
    ("message too big", R::MesgTooBig),
    ("message is too large", R::MesgTooBig),
    ("message is too big", R::MesgTooBig),
    ("message size exceeds", R::MesgTooBig),
    ("mail size limit exceeded", R::MesgTooBig),
    ("exceeds maximum message size", R::MesgTooBig),
    ("exceeds size limit", R::MesgTooBig),
    ("message exceeds", R::MesgTooBig),
    ("size limit", R::MesgTooBig),
    ("too large", R::MesgTooBig),
    ("exceeded the limit", R::ExceedLimit),
    ("administrative limit", R::ExceedLimit),
    ("header size exceeds", R::ExceedLimit),
    ("account disabled", R::Suspend),
    ("account is disabled", R::Suspend),
    ("account has been disabled", R::Suspend),
    ("disabled recipient", R::Suspend),
    ("mailbox disabled", R::Suspend),
    ("mailbox is disabled", R::Suspend),
    ("account is locked", R::Suspend),
    ("account locked", R::Suspend),
    ("suspended", R::Suspend),
    ("is frozen", R::Suspend),
    ("temporary locked", R::Suspend),
    ("temporarily locked", R::Suspend),
    ("account that you tried to reach is disabled", R::Suspend),
    ("inactive", R::Suspend),
    ("deactivated", R::Suspend),
    ("account expired", R::Suspend),
    ("account has expired", R::Suspend),
    ("mailbox has moved", R::HasMoved),
    ("address has moved", R::HasMoved),
    ("has moved to", R::HasMoved),
    ("no longer at this address", R::HasMoved),
    // The envelope sender.
    ("unauthenticated sender", R::SecurityError),
    ("sender address rejected", R::Rejected),
    ("sender rejected", R::Rejected),
    ("sender verify failed", R::Rejected),
    ("sender domain", R::Rejected),
    ("domain of sender", R::Rejected),
    ("invalid sender", R::Rejected),
    ("sender not allowed", R::Rejected),
    ("sender is not allowed", R::Rejected),
    ("bad sender", R::Rejected),
    ("unknown sender", R::Rejected),
    ("domain is invalid", R::Rejected),
    ("address that has been blacklisted", R::Rejected),
    ("permission to post", R::Rejected),
    ("google groups", R::Rejected),
    ("groups.google.com", R::Rejected),
    ("envelope sender", R::Rejected),
    // A mailing list refusing a post because the sender is not subscribed.
    ("not a member of this mailing list", R::Rejected),
    ("not a member of this list", R::Rejected),
    // The recipient address.
    ("user unknown", R::UserUnknown),
    ("unknown user", R::UserUnknown),
    ("unknown recipient", R::UserUnknown),
    ("recipient unknown", R::UserUnknown),
    ("unknown mailbox", R::UserUnknown),
    ("unknown address", R::UserUnknown),
    ("unknown local part", R::UserUnknown),
    ("unknown or illegal alias", R::UserUnknown),
    ("no such user", R::UserUnknown),
    ("user not exist", R::UserUnknown),
    ("no such mailbox", R::UserUnknown),
    ("no such recipient", R::UserUnknown),
    ("no such account", R::UserUnknown),
    ("no such person", R::UserUnknown),
    ("no such local user", R::UserUnknown),
    ("no mailbox here by that name", R::UserUnknown),
    ("user does not exist", R::UserUnknown),
    ("user doesn't exist", R::UserUnknown),
    ("mailbox does not exist", R::UserUnknown),
    ("account does not exist", R::UserUnknown),
    ("address does not exist", R::UserUnknown),
    ("recipient does not exist", R::UserUnknown),
    ("does not exist here", R::UserUnknown),
    ("user not found", R::UserUnknown),
    ("recipient not found", R::UserUnknown),
    ("address not found", R::UserUnknown),
    ("mailbox not found", R::UserUnknown),
    ("invalid mailbox", R::UserUnknown),
    ("invalid recipient", R::UserUnknown),
    ("not a valid mailbox", R::UserUnknown),
    ("not a valid recipient", R::UserUnknown),
    ("recipient name is not recognized", R::UserUnknown),
    ("not listed in public name", R::UserUnknown),
    ("not listed in domino directory", R::UserUnknown),
    ("bad destination mailbox", R::UserUnknown),
    ("unrouteable address", R::UserUnknown),
    ("account that you tried to reach does not exist", R::UserUnknown),
    ("doesn't have a", R::UserUnknown),
    ("no valid recipients", R::UserUnknown),
    ("addressee unknown", R::UserUnknown),
    ("is not a known user", R::UserUnknown),
    ("user invalid", R::UserUnknown),
    ("invalid user", R::UserUnknown),
    ("no account by that name", R::UserUnknown),
    ("host unknown", R::HostUnknown),
    ("unknown host", R::HostUnknown),
    ("host not found", R::HostUnknown),
    ("domain not found", R::HostUnknown),
    ("no such domain", R::HostUnknown),
    ("domain does not exist", R::HostUnknown),
    ("unknown domain", R::HostUnknown),
    ("unrouteable mail domain", R::HostUnknown),
    ("bad destination system address", R::HostUnknown),
    ("name service error", R::HostUnknown),
    ("host or domain name not found", R::HostUnknown),
    ("domain name not found", R::HostUnknown),
    ("nxdomain", R::HostUnknown),
    ("account or domain may not exist", R::HostUnknown),
    ("does not exist", R::HostUnknown),
    ("couldn't find a mail exchanger", R::NotAccept),
    ("null mx", R::NotAccept),
    ("no smtp service", R::NotAccept),
    ("does not accept mail", R::NotAccept),
    ("not accepting mail", R::NotAccept),
    ("accepts no mail", R::NotAccept),
    // Blocking of the sending host.
    ("spamhaus", R::Blocked),
    ("spamcop", R::Blocked),
    ("blacklist", R::Blocked),
    ("blocklist", R::Blocked),
    ("black list", R::Blocked),
    ("dnsbl", R::Blocked),
    (" rbl", R::Blocked),
    ("blocked", R::Blocked),
    ("client host rejected", R::Blocked),
    ("access denied", R::Blocked),
    ("invalid ip for sending", R::Blocked),
    ("not allowed to send", R::Blocked),
    ("your ip", R::Blocked),
    ("banned", R::Blocked),
    ("my name was rejected", R::Blocked),
    ("server of your isp", R::Blocked),
    ("connection refused", R::Blocked),
    // Content.
    ("multiple addresses in from", R::NotCompliantRfc),
    ("content presents a potential", R::PolicyViolation),
    ("fails to pass authentication", R::AuthFailure),
    ("does not have authentication information", R::AuthFailure),
    ("spam", R::SpamDetected),
    ("content rejected, ube", R::SpamDetected),
    ("junk mail", R::SpamDetected),
    ("unsolicited", R::SpamDetected),
    ("bulk mail", R::SpamDetected),
    ("media error", R::ContentError),
    ("mime header", R::ContentError),
    ("invalid mime", R::ContentError),
    ("mime error", R::ContentError),
    ("header error", R::ContentError),
    ("invalid header", R::ContentError),
    ("8-bit data", R::ContentError),
    ("8bit data", R::ContentError),
    ("bare lf", R::ContentError),
    ("content error", R::ContentError),
    ("rfc 5322", R::NotCompliantRfc),
    ("rfc5322", R::NotCompliantRfc),
    ("rfc 2822", R::NotCompliantRfc),
    ("rfc2822", R::NotCompliantRfc),
    ("duplicate header", R::NotCompliantRfc),
    ("not rfc compliant", R::NotCompliantRfc),
    ("mailbox unavailable", R::Filtered),
    ("filtered", R::Filtered),
    ("content filter", R::Filtered),
    ("rejected by recipient", R::Filtered),
    ("refused by recipient", R::Filtered),
    ("only accepts mail from", R::Filtered),
    ("policy reasons", R::PolicyViolation),
    ("violation", R::PolicyViolation),
    ("violates", R::PolicyViolation),
    ("violation of", R::PolicyViolation),
    ("local policy", R::PolicyViolation),
    ("prohibited", R::PolicyViolation),
    ("starttls", R::FailedStartTls),
    ("tls required", R::FailedStartTls),
    ("delivery not authorized", R::SecurityError),
    ("not authorized", R::SecurityError),
    ("authentication required", R::SecurityError),
    ("authentication failed", R::SecurityError),
    ("security polic", R::SecurityError),
    ("syntax error", R::SyntaxError),
    ("command unrecognized", R::SyntaxError),
    ("unrecognized command", R::SyntaxError),
    ("command not recognized", R::SyntaxError),
    ("not implemented", R::SyntaxError),
    // Destination system.
    ("system full", R::SystemFull),
    ("insufficient system storage", R::SystemFull),
    ("no space left", R::SystemFull),
    ("disk full", R::SystemFull),
    ("out of disk", R::SystemFull),
    ("insufficient disk space", R::SystemFull),
    // Network and queue.
    ("mail loop", R::NetworkError),
    ("loop detected", R::NetworkError),
    ("routing loop", R::NetworkError),
    ("too many hops", R::NetworkError),
    ("no route to host", R::NetworkError),
    ("network is unreachable", R::NetworkError),
    ("host unreachable", R::NetworkError),
    ("network error", R::NetworkError),
    ("connection reset", R::NetworkError),
    ("lost connection", R::NetworkError),
    ("temporary failure in name resolution", R::NetworkError),
    ("expired", R::Expired),
    ("retry timeout exceeded", R::Expired),
    ("retry time exceeded", R::Expired),
    ("in the queue too long", R::Expired),
    ("too long in queue", R::Expired),
    ("unable to deliver in", R::Expired),
    ("could not deliver for the last", R::Expired),
    ("did not accept our requests to connect", R::Expired),
    ("has been delayed", R::Expired),
    ("host not reachable", R::Expired),
    ("timed out", R::Expired),
    ("timeout", R::Expired),
    ("internal system error", R::SystemError),
    ("transaction failed", R::SystemError),
    ("service currently unavailable", R::SystemError),
    ("system error", R::SystemError),
    ("internal error", R::SystemError),
    ("local configuration error", R::SystemError),
    ("queue file write error", R::SystemError),
    ("temporary local problem", R::SystemError),
    ("on hold", R::OnHold),
];

/// The SMTP command a failure answered, when the text says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `MAIL FROM`: the sender was refused.
    MailFrom,
    /// `RCPT TO`: the recipient was refused.
    RcptTo,
    /// `DATA` or end of data: the content was refused.
    Data,
}

/// Finds the SMTP stage named by Postfix (`in reply to end of DATA command`), Exim
/// (`after end of data`) and similar wording.
pub fn smtp_stage(text: &str) -> Option<Stage> {
    let lower = text.to_ascii_lowercase();
    let table: &[(&str, Stage)] = &[
        ("in reply to mail from", Stage::MailFrom),
        ("after mail from", Stage::MailFrom),
        ("in reply to rcpt to", Stage::RcptTo),
        ("after rcpt to", Stage::RcptTo),
        (">>> rcpt to", Stage::RcptTo),
        ("smtp:rcpt", Stage::RcptTo),
        ("did not like our rcpt to", Stage::RcptTo),
        ("does not like recipient", Stage::RcptTo),
        ("in reply to end of data", Stage::Data),
        ("in reply to data", Stage::Data),
        ("after end of data", Stage::Data),
        ("after data", Stage::Data),
        (">>> data", Stage::Data),
    ];
    table.iter().find(|(n, _)| lower.contains(n)).map(|(_, s)| *s)
}

/// Everything known about one recipient's failure, as input to [`classify`].
#[derive(Debug, Clone, Default)]
pub struct Evidence<'a> {
    /// The remote server's text (or the best human-readable text for this recipient).
    pub text: &'a str,
    /// The RFC 3463 status, or "".
    pub status: &'a str,
    /// The SMTP reply code, or "".
    pub reply_code: &'a str,
    /// The DSN action, or "".
    pub action: &'a str,
    /// Wider text around the failure (transcript, notice), read only for the SMTP stage.
    pub context: &'a str,
}

/// The first phrase-table reason found in `text`.
///
/// Success lines of a transcript (`250-STARTTLS`, `Out: 250 Ok`) are ignored, and the
/// `550-5.7.1` prefixes of multi-line replies are removed so wrapped phrases still match.
pub fn reason_from_text(text: &str) -> Option<BounceReason> {
    let lower = normalized(text);
    PHRASES.iter().find(|(needle, _)| lower.contains(needle)).map(|(_, r)| *r)
}

/// Lower-cased text on one line, without success lines and continuation-line code prefixes.
fn normalized(text: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut dropped_code = false;
    for line in text.lines() {
        // Quoted (forwarded) reports keep their "> " markers.
        let t = line.trim_start().trim_start_matches(['>', ' ']);
        if is_original_header_line(t) {
            continue;
        }
        let t = t.strip_prefix("Out:").or_else(|| t.strip_prefix("<<<")).unwrap_or(t).trim_start();
        let is_success = t.len() >= 4
            && t.starts_with('2')
            && t.get(..3).is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
            && t.get(3..4).is_some_and(|c| c == " " || c == "-");
        if is_success {
            continue;
        }
        let mut first = words.is_empty();
        for w in t.split_whitespace() {
            // Keep the first reply code (some phrases start with it); drop the repeats
            // that prefix every continuation line ("550-5.7.1", "550 5.7.1").
            let code_like = w.len() >= 3
                && w.get(..3).is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
                && (w.len() == 3 || w.get(3..4) == Some("-"));
            if code_like && !first {
                dropped_code = true;
                continue;
            }
            if dropped_code && status::StatusCode::parse(w).is_ok() {
                dropped_code = false;
                continue;
            }
            dropped_code = false;
            first = false;
            words.push(w);
        }
    }
    format!(" {} ", words.join(" ").to_ascii_lowercase())
}

/// Decides the reason for one recipient: success first, then a decisive status code, then
/// the wording, then the status code, then "onhold" (something was said, nothing matched)
/// or "undefined" (nothing was said).
pub fn classify(ev: &Evidence<'_>) -> BounceReason {
    let action = ev.action.trim().to_ascii_lowercase();
    if action == "delivered" || action == "relayed" || action == "expanded" {
        return R::Delivered;
    }
    if status::status_class(ev.status) == Some('2') && action != "failed" && action != "delayed" {
        return R::Delivered;
    }
    if status::is_decisive_status(ev.status)
        && let Some(r) = status::reason_from_status(ev.status)
    {
        return r;
    }
    if let Some(r) = reason_from_text(ev.text) {
        // An "unknown user" answer to the message content comes from a content filter
        // pretending the user does not exist; an unknown address at MAIL FROM is the sender.
        let stage = smtp_stage(ev.text).or_else(|| smtp_stage(ev.context));
        return match (r, stage) {
            // ... unless an `x.1.1` status says the address itself is bad.
            (R::UserUnknown, Some(Stage::Data)) if !is_bad_mailbox_status(ev.status) => R::Filtered,
            (R::UserUnknown | R::HostUnknown, Some(Stage::MailFrom)) => R::Rejected,
            (R::UserUnknown, None) if unknown_user_from_filter(ev) => R::Filtered,
            // "Mailbox unavailable" is RFC 5321's stock 550 text; with a `x.1.1` status the
            // server has said which mailbox problem it is: the address does not exist.
            (R::Filtered, _) if is_bad_mailbox_status(ev.status) && !filter_wording(ev.text) => R::UserUnknown,
            _ => r,
        };
    }
    if let Some(r) = status::reason_from_status(ev.status) {
        return r;
    }
    if action == "delayed" {
        return R::Expired;
    }
    if ev.text.trim().is_empty() && ev.status.is_empty() && ev.reply_code.is_empty() { R::Undefined } else { R::OnHold }
}

/// Header fields of a returned original that can sit inside a free-text notice (forwarded
/// or pasted reports). Their values ("X-Virus-Scanned: ClamAV") are not the server's words.
fn is_original_header_line(line: &str) -> bool {
    let Some((name, _)) = line.split_once(':') else {
        return false;
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return false;
    }
    let name = name.to_ascii_lowercase();
    name.starts_with("x-")
        || name.starts_with("content-")
        || name.starts_with("dkim-")
        || name.starts_with("arc-")
        || matches!(
            name.as_str(),
            "received" | "mime-version" | "message-id" | "return-path" | "authentication-results" | "references"
        )
}

/// True for `x.1.1` ("bad destination mailbox address").
fn is_bad_mailbox_status(status: &str) -> bool {
    status::StatusCode::parse(status).is_ok_and(|c| c.subject == 1 && c.detail == 1)
}

/// Wording that names a recipient-side filter outright, as opposed to a generic refusal.
fn filter_wording(text: &str) -> bool {
    let lower = normalized(text);
    ["filtered", "content filter", "rejected by recipient", "refused by recipient", "only accepts mail from"]
        .iter()
        .any(|n| lower.contains(n))
}

/// An "unknown user" answer that did not come at `RCPT TO` and is not backed by an address
/// status (`x.1.y`) is a refusal by a filter, not proof that the address does not exist:
///
/// * with a mailbox-status code (`x.2.y`, RFC 3463 subject 2) the server itself says the
///   mailbox exists and is in some state (disabled, not accepting messages);
/// * with only a generic or no status but an SMTP reply code, the answer came from a server
///   that did not say it was answering `RCPT TO`; servers that check addresses do so there,
///   so an "unknown user" at another stage is a rule, not the address (the convention
///   sisimai follows as well).
fn unknown_user_from_filter(ev: &Evidence<'_>) -> bool {
    match status::StatusCode::parse(ev.status) {
        Ok(code) if code.subject == 2 => true,
        Ok(code) if !code.is_generic() => false,
        _ => !ev.reply_code.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str, status: &str) -> BounceReason {
        classify(&Evidence { text, status, reply_code: "", action: "failed", context: "" })
    }

    #[test]
    fn text_wins_over_generic_status() {
        assert_eq!(reason("550 5.1.1 <a@b.c>... User Unknown", "5.1.1"), R::UserUnknown);
        assert_eq!(reason("550 5.2.1 <a@b.c>... User Unknown (in reply to RCPT TO command)", "5.2.1"), R::UserUnknown);
        assert_eq!(reason("552 sorry, mailbox is over quota (#5.1.1)", "5.1.1"), R::MailboxFull);
        assert_eq!(reason("550 5.7.1 Service unavailable; blocked using zen.spamhaus.org", "5.7.1"), R::Blocked);
    }

    fn reason_with(text: &str, status: &str, reply_code: &str, context: &str) -> BounceReason {
        classify(&Evidence { text, status, reply_code, action: "failed", context })
    }

    #[test]
    fn unknown_user_outside_rcpt_is_a_filter() {
        // Mailbox-status code: the mailbox exists.
        assert_eq!(reason("550 5.2.1 <a@b.c>... User Unknown", "5.2.1"), R::Filtered);
        // A server reply that does not say it answered RCPT TO.
        assert_eq!(reason_with("550 Unknown user a@b.c", "", "550", ""), R::Filtered);
        assert_eq!(reason_with("550 Unknown user a@b.c", "", "550", ">>> RCPT To:<a@b.c>"), R::UserUnknown);
        assert_eq!(
            reason_with("SMTP:RCPT host 192.0.2.8: 553 5.3.0 No such user here", "5.3.0", "553", ""),
            R::UserUnknown
        );
        // No reply code: a notice written by the reporting MTA itself.
        assert_eq!(reason_with("Unknown user: a@b.c", "", "", ""), R::UserUnknown);
        // After DATA, only an address status keeps it an unknown user.
        assert_eq!(reason_with("550 5.1.1 <a@b.c>... User unknown", "5.1.1", "550", ">>> DATA"), R::UserUnknown);
        assert_eq!(reason_with("550 5.0.0 <a@b.c>... User unknown", "5.0.0", "550", ">>> DATA"), R::Filtered);
    }

    #[test]
    fn stock_mailbox_unavailable_with_bad_mailbox_status_is_unknown_user() {
        assert_eq!(reason("550 5.1.1 Requested action not taken: mailbox unavailable", "5.1.1"), R::UserUnknown);
        assert_eq!(reason("550 Requested action not taken: mailbox unavailable", "5.0.0"), R::Filtered);
    }

    #[test]
    fn wrapped_reply_codes_and_quoted_headers_are_ignored() {
        let wrapped = "550-5.7.1 Messages with multiple 550\n    5.7.1 addresses in From: header are not accepted.";
        assert_eq!(reason_from_text(wrapped), Some(R::NotCompliantRfc));
        let forwarded = "> (reason: 550 5.1.1 <a@b.c>... User unknown)\n> X-Virus-Scanned: ClamAV\n";
        assert_eq!(reason_from_text(forwarded), Some(R::UserUnknown));
    }

    #[test]
    fn status_is_the_fallback() {
        assert_eq!(reason("", "5.1.1"), R::UserUnknown);
        assert_eq!(reason("", "5.2.2"), R::MailboxFull);
        assert_eq!(reason("something odd", "5.0.0"), R::OnHold);
        assert_eq!(reason("", ""), R::Undefined);
    }

    #[test]
    fn decisive_status_wins() {
        assert_eq!(reason("550 5.7.26 rejected: user unknown", "5.7.26"), R::AuthFailure);
    }

    #[test]
    fn success_is_delivered() {
        let ev = Evidence { text: "250 ok", status: "2.0.0", reply_code: "250", action: "delivered", context: "" };
        assert_eq!(classify(&ev), R::Delivered);
    }
}
