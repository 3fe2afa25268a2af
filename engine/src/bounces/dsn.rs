//! RFC 3464 delivery status notifications: the machine-readable `message/delivery-status`
//! body, or the same fields written into a text part by MTAs that mislabel it.

use super::text;

/// Per-recipient DSN field names: one of these starts or continues a recipient group.
const RECIPIENT_FIELDS: &[&str] = &[
    "final-recipient",
    "original-recipient",
    "action",
    "status",
    "remote-mta",
    "diagnostic-code",
    "last-attempt-date",
    "will-retry-until",
    "final-log-id",
    "x-actual-recipient",
];

/// Per-message DSN field names.
const MESSAGE_FIELDS: &[&str] = &[
    "reporting-mta",
    "dsn-gateway",
    "received-from-mta",
    "arrival-date",
    "original-envelope-id",
    "x-postfix-queue-id",
    "x-postfix-sender",
    "x-original-message-id",
];

/// The fields of one per-recipient group, values unfolded and trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecipientFields {
    /// `Final-Recipient`, type prefix kept (`rfc822; a@b`).
    pub final_recipient: String,
    /// `Original-Recipient`.
    pub original_recipient: String,
    /// `X-Actual-Recipient` (Sendmail).
    pub actual_recipient: String,
    /// `Action`, lower-cased.
    pub action: String,
    /// `Status` as written.
    pub status: String,
    /// `Remote-MTA` as written.
    pub remote_mta: String,
    /// `Diagnostic-Code` as written, unfolded.
    pub diagnostic_code: String,
    /// `Last-Attempt-Date`.
    pub last_attempt_date: String,
}

impl RecipientFields {
    /// The recipient address: Final-Recipient, else Original-Recipient, else
    /// X-Actual-Recipient; lower-cased, or "" when none holds an address.
    pub fn address(&self) -> String {
        [&self.final_recipient, &self.original_recipient, &self.actual_recipient]
            .iter()
            .find_map(|v| text::first_address(v))
            .unwrap_or_default()
    }

    fn has_recipient(&self) -> bool {
        !self.final_recipient.is_empty() || !self.original_recipient.is_empty()
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The per-message part of a DSN plus its recipient groups in order.
#[derive(Debug, Clone, Default)]
pub struct DsnReport {
    /// `Reporting-MTA`, type prefix removed.
    pub reporting_mta: String,
    /// `Arrival-Date`.
    pub arrival_date: String,
    /// `Original-Envelope-Id`.
    pub envelope_id: String,
    /// Recipient groups that name an address, in document order.
    pub recipients: Vec<RecipientFields>,
}

/// True when `text` carries DSN recipient fields (used to find mislabelled DSN parts).
pub fn looks_like_dsn(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let has_line = |name: &str| lower.starts_with(name) || lower.contains(&format!("\n{name}"));
    (has_line("final-recipient:") || has_line("original-recipient:"))
        && (has_line("action:") || has_line("status:") || has_line("diagnostic-code:"))
}

/// Removes the address-type prefix of a DSN value (`dns; mx.example` → `mx.example`).
pub fn strip_type(value: &str) -> String {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && kind.len() <= 12 => rest.trim().to_string(),
        _ => value.trim().to_string(),
    }
}

/// Reads DSN fields from `body`, grouping recipient fields.
///
/// RFC 3464 separates groups with blank lines, but some MTAs omit them, so a new group also
/// starts when a recipient field repeats (a second `Final-Recipient`, `Original-Recipient`,
/// `Action` or `Status`).
pub fn parse(body: &str) -> DsnReport {
    let mut report = DsnReport::default();
    let mut current = RecipientFields::default();
    let mut groups: Vec<RecipientFields> = Vec::new();
    for (name, value) in text::parse_fields(body) {
        if name.is_empty() {
            if current.has_recipient() {
                groups.push(std::mem::take(&mut current));
            }
            continue;
        }
        if MESSAGE_FIELDS.contains(&name.as_str()) {
            let slot = match name.as_str() {
                "reporting-mta" => Some(&mut report.reporting_mta),
                "arrival-date" => Some(&mut report.arrival_date),
                "original-envelope-id" => Some(&mut report.envelope_id),
                _ => None,
            };
            if let Some(slot) = slot
                && slot.is_empty()
            {
                *slot = if name == "reporting-mta" { strip_type(&value) } else { value };
            }
            continue;
        }
        if !RECIPIENT_FIELDS.contains(&name.as_str()) {
            continue;
        }
        let starts_new = match name.as_str() {
            "final-recipient" => !current.final_recipient.is_empty(),
            // Original-Recipient may come before or after Final-Recipient in a group.
            "original-recipient" => !current.original_recipient.is_empty(),
            "status" => !current.status.is_empty() && current.has_recipient(),
            "action" => !current.action.is_empty() && current.has_recipient(),
            _ => false,
        };
        if starts_new && !current.is_empty() {
            groups.push(std::mem::take(&mut current));
        }
        let slot = match name.as_str() {
            "final-recipient" => &mut current.final_recipient,
            "original-recipient" => &mut current.original_recipient,
            "x-actual-recipient" => &mut current.actual_recipient,
            "action" => &mut current.action,
            "status" => &mut current.status,
            "remote-mta" => &mut current.remote_mta,
            "diagnostic-code" => &mut current.diagnostic_code,
            "last-attempt-date" => &mut current.last_attempt_date,
            _ => continue,
        };
        if slot.is_empty() {
            *slot = value;
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    for g in &mut groups {
        g.action = g.action.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    }
    report.recipients = groups.into_iter().filter(|g| !g.address().is_empty()).collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const DSN: &str = "Reporting-MTA: dns; mx.example.jp\nArrival-Date: Thu, 29 Apr 2009\n\nFinal-Recipient: RFC822; kijitora@example.com\nAction: failed\nStatus: 5.1.1\nRemote-MTA: DNS; mx.example.com\nDiagnostic-Code: SMTP; 550 5.1.1 <kijitora@example.com>...\n    User unknown\n\nFinal-Recipient: rfc822; b@example.com\nAction: delayed\nStatus: 4.4.1\n";

    #[test]
    fn parses_groups() {
        let report = parse(DSN);
        assert_eq!(report.reporting_mta, "mx.example.jp");
        assert_eq!(report.recipients.len(), 2);
        let first = report.recipients.first().cloned().unwrap_or_default();
        assert_eq!(first.address(), "kijitora@example.com");
        assert_eq!(first.diagnostic_code, "SMTP; 550 5.1.1 <kijitora@example.com>... User unknown");
        assert_eq!(strip_type(&first.remote_mta), "mx.example.com");
        assert!(looks_like_dsn(DSN));
    }

    #[test]
    fn groups_without_blank_lines() {
        let report = parse(
            "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.0.0\nFinal-Recipient: rfc822; b@x.example\nAction: failed\nStatus: 5.1.1\n",
        );
        assert_eq!(report.recipients.len(), 2);
    }
}
