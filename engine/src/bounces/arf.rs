//! RFC 5965 Abuse Reporting Format (feedback loops): a recipient marked our mail as spam.

use super::text;

/// The fields of a `message/feedback-report` part that matter to a sender.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackFields {
    /// `Feedback-Type`, lower-cased (`abuse`, `opt-out`, `auth-failure`, …); "abuse" if absent.
    pub feedback_type: String,
    /// `Original-Rcpt-To` addresses (there may be several), lower-cased.
    pub rcpt_to: Vec<String>,
    /// `Removal-Recipient` addresses, lower-cased.
    pub removal_recipients: Vec<String>,
    /// `Original-Mail-From`, lower-cased.
    pub mail_from: String,
    /// `Arrival-Date` / `Received-Date`.
    pub arrival_date: String,
    /// `Reporting-MTA`, type prefix removed.
    pub reporting_mta: String,
}

/// True when a text looks like a feedback report body (some providers send it as text/plain).
pub fn looks_like_feedback(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.contains("feedback-type:") && (lower.contains("user-agent:") || lower.contains("version:"))
}

/// Reads the feedback-report fields.
pub fn parse(body: &str) -> FeedbackFields {
    let mut out = FeedbackFields::default();
    for (name, value) in text::parse_fields(body) {
        match name.as_str() {
            "feedback-type" if out.feedback_type.is_empty() => {
                out.feedback_type = value.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
            }
            "original-rcpt-to" => out.rcpt_to.extend(text::find_addresses(&value).into_iter().map(|a| a.address)),
            "removal-recipient" => {
                out.removal_recipients.extend(text::find_addresses(&value).into_iter().map(|a| a.address))
            }
            "original-mail-from" if out.mail_from.is_empty() => {
                out.mail_from = text::first_address(&value).unwrap_or_default();
            }
            "arrival-date" | "received-date" if out.arrival_date.is_empty() => out.arrival_date = value,
            "reporting-mta" if out.reporting_mta.is_empty() => out.reporting_mta = super::dsn::strip_type(&value),
            _ => {}
        }
    }
    if out.feedback_type.is_empty() {
        out.feedback_type = "abuse".to_string();
    }
    out
}

/// The complained-about recipients: `Original-Rcpt-To`, else `Removal-Recipient`, else the
/// `To:` of the returned original (which is how most feedback loops identify the user).
pub fn recipients(fields: &FeedbackFields, original_headers: &[(String, String)]) -> Vec<String> {
    let mut list = if !fields.rcpt_to.is_empty() {
        fields.rcpt_to.clone()
    } else if !fields.removal_recipients.is_empty() {
        fields.removal_recipients.clone()
    } else {
        original_headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("to"))
            .flat_map(|(_, v)| text::find_addresses(v).into_iter().map(|a| a.address))
            .collect()
    };
    list.dedup();
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_feedback_report() {
        let f = parse(
            "Feedback-Type: abuse\nUser-Agent: x/1\nVersion: 1\nOriginal-Mail-From: <a@x.example>\nOriginal-Rcpt-To: <B@y.example>\n",
        );
        assert_eq!(f.feedback_type, "abuse");
        assert_eq!(recipients(&f, &[]), vec!["b@y.example".to_string()]);
    }

    #[test]
    fn falls_back_to_original_to() {
        let f = parse("Feedback-Type: opt-out\n");
        let hs = vec![("To".to_string(), "Neko <neko@z.example>".to_string())];
        assert_eq!(recipients(&f, &hs), vec!["neko@z.example".to_string()]);
    }
}
