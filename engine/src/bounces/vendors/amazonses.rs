//! Amazon SES notifications delivered by e-mail (SNS topic subscriptions): a JSON object
//! of `notificationType` Bounce, Complaint or Delivery instead of a DSN.

use serde_json::Value;

use crate::bounces::error::BounceError;
use crate::bounces::text;

/// One recipient entry read from an SES notification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SesRecipient {
    /// Lower-cased address.
    pub address: String,
    /// DSN action (`failed`, `delivered`) or "".
    pub action: String,
    /// RFC 3463 status or "".
    pub status: String,
    /// The remote server's text, type prefix removed.
    pub diagnostic: String,
}

/// What an SES notification says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SesNotification {
    /// `Bounce`, `Complaint` or `Delivery`, lower-cased.
    pub kind: String,
    /// `bounceType` (`permanent`, `transient`, `undetermined`), lower-cased, or "".
    pub bounce_type: String,
    /// `bounceSubType` lower-cased (`suppressed`, `general`, `mailboxfull`, …) or "".
    pub bounce_sub_type: String,
    /// `complaintFeedbackType` or "".
    pub feedback_type: String,
    /// The recipients concerned.
    pub recipients: Vec<SesRecipient>,
    /// Reporting MTA, type prefix removed.
    pub reporting_mta: String,
    /// The SES message id of the original message.
    pub message_id: String,
    /// Event timestamp.
    pub timestamp: String,
}

/// True when the body holds an SES JSON notification.
pub fn looks_like_ses(body: &str) -> bool {
    body.contains("\"notificationType\"") && body.contains('{')
}

/// Reads the first JSON value in `body` (SNS may wrap long lines with `!` + newline + space,
/// and appends an unsubscribe footer), unwrapping an SNS envelope whose `Message` is a string.
pub fn parse(body: &str) -> Result<SesNotification, BounceError> {
    let cleaned = body.replace("!\n ", "").replace("!\r\n ", "");
    let start = cleaned.find('{').ok_or(BounceError::MissingPart("JSON"))?;
    let json = cleaned.get(start..).ok_or(BounceError::MissingPart("JSON"))?;
    let mut stream = serde_json::Deserializer::from_str(json).into_iter::<Value>();
    let mut value = match stream.next() {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Err(BounceError::BadJson(e.to_string())),
        None => return Err(BounceError::MissingPart("JSON")),
    };
    if value.get("notificationType").is_none()
        && let Some(inner) = value.get("Message").and_then(Value::as_str)
    {
        value = serde_json::from_str(inner).map_err(|e| BounceError::BadJson(e.to_string()))?;
    }
    let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = s(value.get("notificationType").or_else(|| value.get("eventType"))).to_ascii_lowercase();
    let mut out = SesNotification {
        kind: kind.clone(),
        message_id: s(value.get("mail").and_then(|m| m.get("messageId"))),
        ..Default::default()
    };
    match kind.as_str() {
        "bounce" => {
            let b = value.get("bounce");
            out.bounce_type = s(b.and_then(|b| b.get("bounceType"))).to_ascii_lowercase();
            out.bounce_sub_type = s(b.and_then(|b| b.get("bounceSubType"))).to_ascii_lowercase();
            out.reporting_mta = super::super::dsn::strip_type(&s(b.and_then(|b| b.get("reportingMTA"))));
            out.timestamp = s(b.and_then(|b| b.get("timestamp")));
            for r in b.and_then(|b| b.get("bouncedRecipients")).and_then(Value::as_array).into_iter().flatten() {
                out.recipients.push(SesRecipient {
                    address: text::first_address(&s(r.get("emailAddress"))).unwrap_or_default(),
                    action: s(r.get("action")).to_ascii_lowercase(),
                    status: s(r.get("status")),
                    diagnostic: super::super::dsn::strip_type(&s(r.get("diagnosticCode"))),
                });
            }
        }
        "complaint" => {
            let c = value.get("complaint");
            out.feedback_type = s(c.and_then(|c| c.get("complaintFeedbackType"))).to_ascii_lowercase();
            out.timestamp = s(c.and_then(|c| c.get("timestamp")));
            for r in c.and_then(|c| c.get("complainedRecipients")).and_then(Value::as_array).into_iter().flatten() {
                out.recipients.push(SesRecipient {
                    address: text::first_address(&s(r.get("emailAddress"))).unwrap_or_default(),
                    ..Default::default()
                });
            }
        }
        "delivery" => {
            let d = value.get("delivery");
            let response = s(d.and_then(|d| d.get("smtpResponse")));
            out.reporting_mta = s(d.and_then(|d| d.get("reportingMTA")));
            out.timestamp = s(d.and_then(|d| d.get("timestamp")));
            for r in d.and_then(|d| d.get("recipients")).and_then(Value::as_array).into_iter().flatten() {
                out.recipients.push(SesRecipient {
                    address: text::first_address(r.as_str().unwrap_or_default()).unwrap_or_default(),
                    action: "delivered".to_string(),
                    status: String::new(),
                    diagnostic: response.clone(),
                });
            }
        }
        _ => return Err(BounceError::MissingPart("SES notification type")),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bounce() {
        let body = "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":[{\"emailAddress\":\"a@b.example\",\"status\":\"5.1.1\",\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}]}}\n--\nfooter";
        let n = parse(body).unwrap_or_default();
        assert_eq!(n.kind, "bounce");
        assert_eq!(n.recipients.first().map(|r| r.diagnostic.as_str()), Some("550 5.1.1 user unknown"));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("{\"notificationType\": ").is_err());
        assert!(parse("no json").is_err());
    }
}
