//! Inbound bounce, complaint and auto-reply parsing.
//!
//! Every message that comes back to a sending address is one of: an RFC 3464 delivery
//! status notification, an RFC 5965 feedback (complaint) report, an RFC 3834 auto-reply, a
//! provider notification (Amazon SES JSON), a free-text bounce from an MTA that writes no
//! machine-readable part, or not a report at all. [`parse_report`] tells them apart and
//! returns one [`RecipientResult`] per recipient the report is about, with an RFC 3463
//! status, the SMTP reply code, a sisimai-compatible [`BounceReason`] and the
//! [`BounceClass`] the suppression rules act on.
//!
//! The parser is pure and synchronous: bytes in, values out, no I/O. It never panics on any
//! input; a message it cannot read is reported as [`ReportKind::NotABounce`].
//!
//! Layout: [`inbound`] flattens the MIME structure; [`dsn`], [`arf`], [`autoreply`],
//! [`nonstandard`] and [`vendors`] read one format each; [`status`] and [`diagnose`] turn
//! codes and wording into a reason.

pub mod arf;
pub mod autoreply;
pub mod class;
pub mod diagnose;
pub mod dsn;
pub mod error;
pub mod inbound;
pub mod nonstandard;
pub mod reason;
pub mod status;
pub mod text;
pub mod vendors;

pub use class::BounceClass;
pub use error::BounceError;
pub use reason::BounceReason;

use inbound::{Inbound, PartKind};

/// One recipient's outcome found in an inbound report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipientResult {
    /// Lower-cased address, "" if none found.
    pub recipient: String,
    /// RFC 3463 status (`5.1.1`) or "".
    pub status: String,
    /// SMTP reply code (`550`) or "".
    pub reply_code: String,
    /// What the sender should do about it.
    pub class: BounceClass,
    /// Why, in sisimai's vocabulary.
    pub reason: BounceReason,
    /// DSN Action (failed/delayed/delivered/relayed/expanded) or "".
    pub action: String,
    /// Host name or IP of the server that gave the answer, or "".
    pub remote_mta: String,
    /// The remote server's text, unfolded, trimmed, at most 1000 characters.
    pub diagnostic: String,
    /// When the reporting MTA received the message, as written in the report.
    pub arrival_date: Option<String>,
    /// When delivery was last attempted, as written in the report.
    pub last_attempt_date: Option<String>,
    /// ARF Feedback-Type (abuse, opt-out, …); complaints only.
    pub feedback_type: Option<String>,
}

/// What kind of inbound message it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// An RFC 3464 DSN (or a provider notification with the same meaning).
    Dsn,
    /// An ARF feedback report.
    Complaint,
    /// An RFC 3834 auto-reply.
    AutoReply,
    /// A free-text bounce without a machine-readable part.
    NonStandard,
    /// Not a report: an ordinary message (or unreadable bytes).
    NotABounce,
}

/// Everything the parser learnt from one inbound message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BounceReport {
    /// Which format the message was.
    pub kind: ReportKind,
    /// One result per recipient, in the order the report lists them.
    pub recipients: Vec<RecipientResult>,
    /// Message-ID of the returned original, if present.
    pub original_message_id: Option<String>,
    /// Headers of the returned original (for VERP/X-header lookup); may be empty.
    pub original_headers: Vec<(String, String)>,
    /// The MTA that wrote the report, or "".
    pub reporting_mta: String,
    /// DSN Original-Envelope-Id (the sender's ledger id travels there).
    pub envelope_id: Option<String>,
}

impl BounceReport {
    fn empty(kind: ReportKind) -> Self {
        Self {
            kind,
            recipients: Vec::new(),
            original_message_id: None,
            original_headers: Vec::new(),
            reporting_mta: String::new(),
            envelope_id: None,
        }
    }
}

/// Parses one inbound message (LF or CRLF). Never panics.
pub fn parse_report(raw: &[u8]) -> BounceReport {
    let Ok(inbound) = Inbound::parse(raw) else {
        return BounceReport::empty(ReportKind::NotABounce);
    };
    let mut report = classify_message(&inbound);
    if report.original_headers.is_empty() {
        report.original_headers = inbound.original_headers();
    }
    if report.original_headers.is_empty() && report.kind != ReportKind::NotABounce {
        let human = inbound.human_text();
        let (_, pasted) = nonstandard::cut_original(&human);
        report.original_headers = inbound::header_section(pasted);
    }
    report.original_message_id = report
        .original_headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("message-id"))
        .map(|(_, v)| v.trim().trim_start_matches('<').trim_end_matches('>').trim().to_string())
        .filter(|v| !v.is_empty());
    report
}

/// Parses one inbound message, or each message of an mbox (messages that start with a
/// `From ` separator line after an empty line), and returns the per-recipient results.
pub fn parse(raw: &[u8]) -> Vec<RecipientResult> {
    split_mbox(raw).into_iter().flat_map(|m| parse_report(m).recipients).collect()
}

/// True when `rest` starts with a `From sender Www Mmm dd hh:mm:ss yyyy` line (ctime date),
/// the separator even of mbox files that do not keep an empty line before it.
fn is_mbox_separator(rest: &[u8]) -> bool {
    let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    let line = String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned();
    let mut words = line.split_whitespace();
    let (Some("From"), Some(_sender), Some(day), Some(month)) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return false;
    };
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&day)
        && ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].contains(&month)
}

/// The messages of an mbox; input that does not start with a `From ` line is one message.
fn split_mbox(raw: &[u8]) -> Vec<&[u8]> {
    if !raw.starts_with(b"From ") {
        return vec![raw];
    }
    let mut starts = vec![0usize];
    let mut i = 0usize;
    while let Some(pos) = raw.get(i..).and_then(|rest| rest.windows(6).position(|w| w == b"\nFrom ")) {
        let start = i + pos + 1;
        let before = raw.get(..start).unwrap_or_default();
        let blank_before = before.ends_with(b"\n\n") || before.ends_with(b"\n\r\n");
        if blank_before || is_mbox_separator(raw.get(start..).unwrap_or_default()) {
            starts.push(start);
        }
        i = start;
    }
    starts.push(raw.len());
    starts.windows(2).filter_map(|w| raw.get(w.first().copied()?..w.last().copied()?)).collect()
}

fn classify_message(inbound: &Inbound) -> BounceReport {
    if let Some(report) = complaint(inbound) {
        return report;
    }
    let human = inbound.human_text();
    if vendors::amazonses::looks_like_ses(&human)
        && let Ok(n) = vendors::amazonses::parse(&human)
    {
        return ses_report(&n);
    }
    if let Some(report) = delivery_status(inbound, &human) {
        return report;
    }
    let from_header = inbound.header("from").unwrap_or_default();
    if nonstandard::is_bounce_like(&inbound.subject, from_header, &human) {
        let report = text_bounce(inbound, &human);
        if !report.recipients.is_empty() {
            return report;
        }
    }
    if autoreply::is_auto_reply(&inbound.headers, &inbound.subject) && !inbound.from.is_empty() {
        let mut report = BounceReport::empty(ReportKind::AutoReply);
        report.recipients.push(RecipientResult {
            recipient: inbound.from.clone(),
            status: String::new(),
            reply_code: String::new(),
            class: BounceClass::AutoReply,
            reason: BounceReason::Vacation,
            action: String::new(),
            remote_mta: String::new(),
            diagnostic: text::squash(&inbound.subject),
            arrival_date: None,
            last_attempt_date: None,
            feedback_type: None,
        });
        return report;
    }
    BounceReport::empty(ReportKind::NotABounce)
}

/// ARF: a feedback-report part (or its fields in a text part of a multipart/report).
fn complaint(inbound: &Inbound) -> Option<BounceReport> {
    let part = inbound.part(PartKind::FeedbackReport).or_else(|| {
        if inbound.report_type == "feedback-report" {
            inbound.parts.iter().find(|p| p.kind != PartKind::Rfc822 && arf::looks_like_feedback(&p.text))
        } else {
            None
        }
    })?;
    let fields = arf::parse(&part.text);
    let original = inbound.original_headers();
    let mut report = BounceReport::empty(ReportKind::Complaint);
    report.reporting_mta = fields.reporting_mta.clone();
    let mut recipients = arf::recipients(&fields, &original);
    if recipients.is_empty() {
        recipients.push(String::new());
    }
    for recipient in recipients {
        report.recipients.push(RecipientResult {
            recipient,
            status: String::new(),
            reply_code: String::new(),
            class: BounceClass::Complaint,
            reason: BounceReason::Feedback,
            action: String::new(),
            remote_mta: String::new(),
            diagnostic: String::new(),
            arrival_date: Some(fields.arrival_date.clone()).filter(|d| !d.is_empty()),
            last_attempt_date: None,
            feedback_type: Some(fields.feedback_type.clone()),
        });
    }
    report.original_headers = original;
    Some(report)
}

fn ses_report(n: &vendors::amazonses::SesNotification) -> BounceReport {
    let mut report = BounceReport::empty(if n.kind == "complaint" { ReportKind::Complaint } else { ReportKind::Dsn });
    report.reporting_mta = n.reporting_mta.clone();
    for r in &n.recipients {
        let result = if n.kind == "complaint" {
            RecipientResult {
                recipient: r.address.clone(),
                status: String::new(),
                reply_code: String::new(),
                class: BounceClass::Complaint,
                reason: BounceReason::Feedback,
                action: String::new(),
                remote_mta: String::new(),
                diagnostic: String::new(),
                arrival_date: None,
                last_attempt_date: Some(n.timestamp.clone()).filter(|t| !t.is_empty()),
                feedback_type: Some(if n.feedback_type.is_empty() {
                    "abuse".to_string()
                } else {
                    n.feedback_type.clone()
                }),
            }
        } else {
            let mut result = build(Facts {
                recipient: r.address.clone(),
                status_field: &r.status,
                diagnostic: &r.diagnostic,
                context: "",
                action: &r.action,
                remote_mta: n.reporting_mta.clone(),
                delayed: n.bounce_type == "transient",
                arrival_date: None,
                last_attempt_date: Some(n.timestamp.clone()).filter(|t| !t.is_empty()),
            });
            if n.bounce_sub_type == "suppressed" {
                result.reason = BounceReason::Suppressed;
                result.class = BounceClass::Soft;
            }
            result
        };
        report.recipients.push(result);
    }
    report
}

/// RFC 3464: the delivery-status part, or DSN fields written into a text part.
fn delivery_status(inbound: &Inbound, human: &str) -> Option<BounceReport> {
    let body =
        inbound.part(PartKind::DeliveryStatus).map(|p| p.text.clone()).filter(|t| dsn::looks_like_dsn(t)).or_else(
            || {
                // Mislabelled DSNs: the fields sit in a text part of the outer message.
                let (notice, _) = nonstandard::cut_original(human);
                dsn::looks_like_dsn(notice).then(|| notice.to_string())
            },
        )?;
    let parsed = dsn::parse(&body);
    if parsed.recipients.is_empty() {
        return None;
    }
    let (notice, _) = nonstandard::cut_original(human);
    let blocks = nonstandard::scan(notice);
    let delayed = nonstandard::is_delay_notice(&inbound.subject, notice);
    let mut report = BounceReport::empty(ReportKind::Dsn);
    report.reporting_mta = parsed.reporting_mta.clone();
    report.envelope_id = Some(parsed.envelope_id.clone()).filter(|e| !e.is_empty());
    for group in &parsed.recipients {
        let recipient = group.address();
        let diagnostic = dsn::strip_type(&group.diagnostic_code);
        // A local delivery program's exit code ("X-Unix; 71") has no wording to read.
        let local_mailer = group.diagnostic_code.trim_start().to_ascii_lowercase().starts_with("x-unix")
            && diagnose::reason_from_text(&diagnostic).is_none();
        let context = blocks
            .iter()
            .find(|b| b.recipient == recipient)
            .map(|b| b.text.clone())
            .unwrap_or_else(|| if parsed.recipients.len() == 1 { notice.to_string() } else { String::new() });
        report.recipients.push(build(Facts {
            recipient,
            status_field: &group.status,
            diagnostic: &diagnostic,
            context: &context,
            action: &group.action,
            remote_mta: dsn::strip_type(&group.remote_mta),
            delayed,
            arrival_date: Some(parsed.arrival_date.clone()).filter(|d| !d.is_empty()),
            last_attempt_date: Some(group.last_attempt_date.clone()).filter(|d| !d.is_empty()),
        }));
        if local_mailer
            && let Some(last) = report.recipients.last_mut()
            && matches!(last.class, BounceClass::Soft | BounceClass::Undetermined)
        {
            last.reason = BounceReason::MailerError;
            last.class = BounceClass::Soft;
        }
    }
    Some(report)
}

/// Free-text bounces.
fn text_bounce(inbound: &Inbound, human: &str) -> BounceReport {
    let (notice, pasted) = nonstandard::cut_original(human);
    let mut blocks = nonstandard::scan(notice);
    let failed: Vec<String> = inbound
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-failed-recipients"))
        .flat_map(|(_, v)| text::find_addresses(v).into_iter().map(|a| a.address))
        .collect();
    if !failed.is_empty() {
        let mut ordered = Vec::new();
        for address in &failed {
            let block = blocks
                .iter()
                .find(|b| &b.recipient == address)
                .cloned()
                .unwrap_or_else(|| nonstandard::TextBlock { recipient: address.clone(), text: String::new() });
            if !ordered.iter().any(|b: &nonstandard::TextBlock| b.recipient == block.recipient) {
                ordered.push(block);
            }
        }
        blocks = ordered;
    }
    if blocks.is_empty() {
        let mut original = inbound.original_headers();
        if original.is_empty() {
            original = inbound::header_section(pasted);
        }
        let fallback = nonstandard::embedded_recipient(notice)
            .or_else(|| {
                original.iter().find(|(n, _)| n.eq_ignore_ascii_case("to")).and_then(|(_, v)| text::first_address(v))
            })
            .or_else(|| {
                pasted
                    .lines()
                    .find(|l| l.trim_start().to_ascii_lowercase().starts_with("to:"))
                    .and_then(text::first_address)
            })
            .or_else(|| text::find_addresses(notice).into_iter().map(|a| a.address).find(|a| *a != inbound.from));
        if let Some(recipient) = fallback {
            blocks.push(nonstandard::TextBlock { recipient, text: String::new() });
        }
    }
    let delayed = nonstandard::is_delay_notice(&inbound.subject, notice);
    let mut report = BounceReport::empty(ReportKind::NonStandard);
    let single = blocks.len() == 1;
    for block in blocks {
        // A lone recipient's block may hold only the address line (a "Message details" list,
        // say) while the error sits elsewhere in the notice: read the notice as context.
        let context = if block.text.trim().is_empty() || single { notice.to_string() } else { String::new() };
        let diagnostic = block.text.clone();
        report.recipients.push(build(Facts {
            recipient: block.recipient.clone(),
            status_field: "",
            diagnostic: &diagnostic,
            context: &context,
            action: if delayed { "delayed" } else { "failed" },
            remote_mta: nonstandard::remote_host(&block.text),
            delayed,
            arrival_date: None,
            last_attempt_date: None,
        }));
    }
    report
}

/// Inputs for [`build`]: what one report format found for one recipient.
struct Facts<'a> {
    recipient: String,
    status_field: &'a str,
    diagnostic: &'a str,
    context: &'a str,
    action: &'a str,
    remote_mta: String,
    delayed: bool,
    arrival_date: Option<String>,
    last_attempt_date: Option<String>,
}

/// Turns format-specific findings into a classified result: picks the status and reply
/// code, decides the reason from the wording and codes, and derives the class.
fn build(f: Facts<'_>) -> RecipientResult {
    let action = f.action.trim().to_ascii_lowercase();
    let success = action == "delivered" || action == "relayed" || action == "expanded";
    let find = |t: &str| if success { status::find_status(t) } else { status::find_failure_status(t) };
    let field_status = status::normalize_status(f.status_field);
    let text_status = find(f.diagnostic).or_else(|| find(f.context));
    let mut status_code = match (field_status, text_status) {
        // The server's own code is usually more precise than the reporting MTA's summary,
        // as long as both agree on permanent versus temporary.
        (Some(field), Some(text)) => {
            let generic = |s: &str| status::StatusCode::parse(s).is_ok_and(|c| c.is_generic());
            // ... and as long as the text's code is not a generic `x.0.0` replacing a precise field.
            let text_is_vaguer = generic(&text) && !generic(&field);
            if status::status_class(&text) == status::status_class(&field) && !text_is_vaguer { text } else { field }
        }
        (Some(field), None) => field,
        (None, Some(text)) => text,
        (None, None) => String::new(),
    };
    let mut reply_code =
        status::find_reply_code(f.diagnostic).or_else(|| status::find_reply_code(f.context)).unwrap_or_default();
    // A reply code must have the class of the status (RFC 3463 section 2). When it does not,
    // the text usually quotes the remote server's own answer after the relay's summary.
    if let (Some(status_class @ ('4' | '5')), Some(reply_class)) =
        (status::status_class(&status_code), reply_code.chars().next())
        && status_class != reply_class
        && let Some((code, status)) = status::find_reply_of_class(f.diagnostic, status_class)
    {
        reply_code = code;
        if let Some(status) = status {
            status_code = status;
        }
    }
    let delivered = action == "delivered" || status::status_class(&status_code) == Some('2');
    if delivered && reply_code.is_empty() {
        reply_code = status::find_success_code(f.diagnostic).unwrap_or_default();
    }
    let with_context = format!("{}\n{}", f.diagnostic, f.context);
    let reason_text = if diagnose::reason_from_text(f.diagnostic).is_some() || f.context.trim().is_empty() {
        f.diagnostic
    } else {
        with_context.as_str()
    };
    let reason = diagnose::classify(&diagnose::Evidence {
        text: reason_text,
        status: &status_code,
        reply_code: &reply_code,
        action: &action,
        context: f.context,
    });
    if status_code.is_empty() {
        // No code anywhere: use the generic code of the failure class, as MTAs do.
        let class_digit = match reply_code.chars().next() {
            Some(c @ ('2' | '4' | '5')) => c,
            _ if reason == BounceReason::Delivered => '2',
            _ if f.delayed || action == "delayed" => '4',
            _ => '5',
        };
        status_code = format!("{class_digit}.0.0");
    }
    RecipientResult {
        recipient: f.recipient,
        status: status_code,
        reply_code,
        class: reason.class(""),
        reason,
        action,
        remote_mta: f.remote_mta,
        diagnostic: text::squash(if f.diagnostic.trim().is_empty() { f.context } else { f.diagnostic }),
        arrival_date: f.arrival_date,
        last_attempt_date: f.last_attempt_date,
        feedback_type: None,
    }
    .with_class()
}

impl RecipientResult {
    /// Recomputes the class from the reason and reply code, or the status when there is no
    /// reply code (notaccept depends on whether the failure is permanent).
    fn with_class(mut self) -> Self {
        let code = if self.reply_code.is_empty() { &self.status } else { &self.reply_code };
        self.class = self.reason.class(code);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_bounce() {
        for raw in [&b""[..], b"\x00\xff\xfe", b"no header here", b"From:\n\n\n"] {
            let report = parse_report(raw);
            assert!(report.recipients.is_empty());
        }
    }

    #[test]
    fn parses_a_minimal_dsn() {
        let raw = b"From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nbounce\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; Kijitora@Example.JP\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <kijitora@example.jp>: User unknown\n--b--\n";
        let report = parse_report(raw);
        assert_eq!(report.kind, ReportKind::Dsn);
        let Some(r) = report.recipients.first().cloned() else {
            panic!("no recipient in {report:?}");
        };
        assert_eq!(r.recipient, "kijitora@example.jp");
        assert_eq!(r.status, "5.1.1");
        assert_eq!(r.reply_code, "550");
        assert_eq!(r.reason, BounceReason::UserUnknown);
        assert_eq!(r.class, BounceClass::Hard);
        assert_eq!(report.reporting_mta, "mx.example.org");
    }

    #[test]
    fn mbox_messages_are_read_one_by_one() {
        let one = "From MAILER-DAEMON  Thu Apr 29 23:34:45 2015\nFrom: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; RCPT\nAction: failed\nStatus: 5.1.1\n--b--\n\n";
        let raw = format!("{}{}", one.replace("RCPT", "a@example.jp"), one.replace("RCPT", "b@example.jp"));
        let got: Vec<String> = parse(raw.as_bytes()).into_iter().map(|r| r.recipient).collect();
        assert_eq!(got, ["a@example.jp", "b@example.jp"]);
        assert_eq!(split_mbox(b"From a\nx\nFrom b\n").len(), 1);
        assert_eq!(split_mbox(b"From a\n\nFrom b\n").len(), 2);
        assert_eq!(split_mbox(b"From a\nx\nFrom b@c  Thu Jul  2 12:05:05 2020\nA: b\n").len(), 2);
        assert!(parse(b"From ").is_empty());
    }

    /// Fuzzing regression: nested empty message/rfc822 parts trip a `debug_assert!` inside
    /// mail-parser 0.11.9 (`Invalid part ID, could not find multipart.`).
    #[test]
    fn nested_empty_rfc822_parts_do_not_panic() {
        let raw = b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n--B\nContent-type: message/rfc822\n\nContent-type: message/rfc822\n\n\n--B--";
        let report = std::panic::catch_unwind(|| parse_report(raw));
        assert!(report.is_ok_and(|r| r.recipients.is_empty()));
    }

    #[test]
    fn ordinary_mail_is_not_a_bounce() {
        let raw = b"From: a@example.org\nTo: b@example.org\nSubject: lunch\n\nSee you at noon.\n";
        assert_eq!(parse_report(raw).kind, ReportKind::NotABounce);
    }

    #[test]
    fn auto_reply_reports_the_sender() {
        let raw = b"From: Neko <neko@example.org>\nSubject: Automatic reply: hi\nAuto-Submitted: auto-replied\n\nI am away.\n";
        let report = parse_report(raw);
        assert_eq!(report.kind, ReportKind::AutoReply);
        assert_eq!(report.recipients.first().map(|r| r.recipient.as_str()), Some("neko@example.org"));
    }
}
