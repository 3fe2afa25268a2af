//! Why a message failed, in plain words with the likely fix: what the delivery log's failure
//! badge shows on hover. Pure text rules over the status, the parser's reason and the remote
//! server's own words, so the same explanation is given in the browser and in the CSV.

use serde::{Deserialize, Serialize};

/// The failure badge's tooltip: a title, what happened, what to do, and where to do it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureExplanation {
    pub title: String,
    pub explanation: String,
    pub fix: String,
    /// (href, label) of the admin page where the fix is made.
    pub link: Option<(String, String)>,
}

/// The admin page listing the server's blocklist (blacklist) checks.
const BLOCKLISTS: (&str, &str) = ("/blocklists", "Deliverability → Blacklist check");
/// The admin page with each domain's DNS records (SPF, DKIM, DMARC).
const DNS_RECORDS: (&str, &str) = ("/domains", "Domains → DNS records");
/// The campaign list, where a campaign's speed is set.
const CAMPAIGNS: (&str, &str) = ("/campaigns", "Campaigns");
/// The suppression list.
const SUPPRESSION: (&str, &str) = ("/suppression", "Suppression list");

/// Public blocklists by the words their rejections contain, and their name.
const LISTS: [(&str, &str); 9] = [
    ("spamhaus", "Spamhaus"),
    ("barracuda", "Barracuda"),
    ("spamcop", "SpamCop"),
    ("sorbs", "SORBS"),
    ("uceprotect", "UCEPROTECT"),
    ("psbl", "PSBL"),
    ("invaluement", "Invaluement"),
    ("mailspike", "Mailspike"),
    ("senderscore", "Sender Score"),
];

fn explained(title: &str, explanation: String, fix: &str, link: Option<(&str, &str)>) -> FailureExplanation {
    FailureExplanation {
        title: title.to_owned(),
        explanation,
        fix: fix.to_owned(),
        link: link.map(|(h, l)| (h.to_owned(), l.to_owned())),
    }
}

/// The blocklist zone named in `text` (`zen.spamhaus.org`), if one of its words has `key`.
fn zone_in(text: &str, key: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .map(|w| w.trim_matches('.'))
        .find(|w| w.contains(key) && w.contains('.'))
        .map(str::to_owned)
}

/// Whether `text` mentions `word` as a word (not inside another one).
fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == word)
}

/// Plain words and the likely fix for one failure. `status` is the DSN or SMTP status
/// (`5.1.1`, `550`), `reason` the parser's reason (`userunknown`, sisimai's names) and
/// `diagnostic` the receiving server's text; specifics found in the text (a named blocklist,
/// SPF/DKIM/DMARC, a missing PTR, a rate limit) win over the reason.
pub fn explain_failure(status: &str, reason: &str, diagnostic: &str) -> FailureExplanation {
    let text = diagnostic.to_ascii_lowercase();
    if let Some((key, name)) = LISTS.iter().find(|(key, _)| text.contains(key)) {
        let zone = zone_in(&text, key).map(|z| format!(" ({z})")).unwrap_or_default();
        return explained(
            &format!("Sending IP listed on {name}"),
            format!(
                "Your sending IP is listed on the {name} blacklist{zone}. The receiving server looked it up there and \
                 refused the message before reading it."
            ),
            "See Deliverability → Blacklist for the listed address, remove the cause (a compromised account, a \
             purchased list, a spike of complaints) and ask the list to delist it. Until then, mail to providers \
             that use this list will keep failing.",
            Some(BLOCKLISTS),
        );
    }
    let auth: Vec<&str> = ["spf", "dkim", "dmarc"].into_iter().filter(|w| has_word(&text, w)).collect();
    if !auth.is_empty() || reason == "authfailure" {
        let which = if auth.is_empty() { "SPF, DKIM or DMARC".to_owned() } else { auth.join("/").to_uppercase() };
        return explained(
            "Sender authentication failed",
            format!(
                "The receiving server could not verify the message's {which}: it could not confirm the mail really came from your domain."
            ),
            "Check the sender domain's DNS records (SPF must include this server's IP, the DKIM key must be \
             published, DMARC must align) and run the check again before sending more.",
            Some(DNS_RECORDS),
        );
    }
    if reason == "requireptr" || has_word(&text, "ptr") || has_word(&text, "rdns") || text.contains("reverse dns") {
        return explained(
            "No reverse DNS (PTR) for the sending IP",
            "The receiving server requires the sending IP to have a PTR record that names this server, and it did not find a matching one.".to_owned(),
            "Ask the owner of the IP (your hosting provider) to set its PTR record to this server's mail host name, \
             which must resolve back to the same IP.",
            Some(BLOCKLISTS),
        );
    }
    let rate_words = ["rate limit", "rate-limit", "too many", "throttl", "slow down", "ratelimit"];
    if matches!(reason, "speeding" | "toomanyconn") || rate_words.iter().any(|w| text.contains(w)) {
        return explained(
            "Sending too fast for this provider",
            "The receiving server limits how much mail it takes from one sender in a given time, and this campaign went over that limit.".to_owned(),
            "Lower the campaign speed (messages per minute) or set a per-provider limit under Sending; a warm-up plan \
             helps a new domain or IP build volume gradually.",
            Some(CAMPAIGNS),
        );
    }
    by_reason(status, reason)
}

/// The explanation of a parser reason (or of the status class when the reason is unknown).
fn by_reason(status: &str, reason: &str) -> FailureExplanation {
    match reason {
        "userunknown" => explained(
            "The address does not exist",
            "The receiving server says there is no mailbox with this address (a typo, or an account that was closed).".to_owned(),
            "Nothing to fix on your side: the address does not exist; it was suppressed, so no further campaign is sent to it.",
            Some(SUPPRESSION),
        ),
        "hostunknown" | "notaccept" => explained(
            "The domain does not receive mail",
            "The recipient's domain does not exist or has no mail server that accepts messages.".to_owned(),
            "Check the address for typos; the address was suppressed, so no further campaign is sent to it.",
            Some(SUPPRESSION),
        ),
        "hasmoved" | "suspend" => explained(
            "The mailbox is closed",
            "The account was disabled, suspended or moved without forwarding.".to_owned(),
            "Remove the address or ask the contact for a new one.",
            Some(SUPPRESSION),
        ),
        "mailboxfull" | "systemfull" => explained(
            "The mailbox is full",
            "The recipient's mailbox (or their provider's disk) is over quota, so the message could not be stored.".to_owned(),
            "Usually temporary: later campaigns are tried again. After repeated soft bounces the address is suppressed.",
            None,
        ),
        "mesgtoobig" | "exceedlimit" => explained(
            "The message is too large",
            "The message is larger than the receiving server accepts.".to_owned(),
            "Make the email smaller: link to large files instead of attaching them, and compress images.",
            None,
        ),
        "blocked" | "badreputation" | "rejected" | "norelaying" => explained(
            "Refused because of the sender",
            "The receiving server refused mail from your sending IP or domain, usually for its reputation.".to_owned(),
            "Check the sending IP and domain under Deliverability → Blacklist, warm up new IPs slowly, and keep \
             complaints low by sending only to people who asked for your mail.",
            Some(BLOCKLISTS),
        ),
        "spamdetected" | "filtered" | "contenterror" | "policyviolation" | "virusdetected" => explained(
            "Rejected by the receiving server's filters",
            "The receiving server judged the content or the sender against its spam and policy rules and rejected the message.".to_owned(),
            "Run the campaign's preflight spam check, avoid link shorteners and image-only emails, and make sure the \
             sender domain passes SPF, DKIM and DMARC.",
            Some(DNS_RECORDS),
        ),
        "expired" => explained(
            "Gave up after retrying",
            "The receiving server kept answering \"try again later\" until the message's time in the queue (its queue lifetime) ran out.".to_owned(),
            "Usually the destination was down or throttling: check whether other recipients at the same domain \
             failed too, and lower the campaign speed for that provider.",
            Some(CAMPAIGNS),
        ),
        "networkerror" | "failedstarttls" | "securityerror" => explained(
            "The receiving server could not be reached",
            "A DNS lookup, the connection or the TLS handshake with the recipient's server failed.".to_owned(),
            "Usually temporary. If every recipient of one domain fails, check that domain's MX records; if all fail, \
             check this server's outbound network and DNS resolver.",
            None,
        ),
        "systemerror" | "mailererror" => explained(
            "The receiving server had an error",
            "The recipient's server failed while handling the message.".to_owned(),
            "Nothing to fix on your side; the next campaign will be tried again.",
            None,
        ),
        "syntaxerror" | "notcompliantrfc" => explained(
            "The message was not well-formed",
            "The receiving server refused the message's format or an SMTP command.".to_owned(),
            "Check the campaign's HTML and headers; if it keeps happening, report it with the remote server's text.",
            None,
        ),
        "suppressed" => explained(
            "On the provider's suppression list",
            "The sending service or relay refused the address because it bounced or complained before.".to_owned(),
            "Remove the address from your lists.",
            Some(SUPPRESSION),
        ),
        "feedback" => explained(
            "Marked as spam by the recipient",
            "The recipient's provider reported a spam complaint (feedback loop); the contact was unsubscribed.".to_owned(),
            "Send only to people who asked for your mail, make the unsubscribe link easy to find, and keep the \
             complaint rate under 0.1 %.",
            Some(SUPPRESSION),
        ),
        _ => by_status(status),
    }
}

/// The fallback: what the first digit of the status says.
fn by_status(status: &str) -> FailureExplanation {
    match status.trim().chars().next() {
        Some('4') => explained(
            "Temporary failure",
            "The receiving server refused the message for now; it is tried again later.".to_owned(),
            "Nothing to do unless it keeps happening; then read the remote server's text below.",
            None,
        ),
        Some('5') => explained(
            "Permanent failure",
            "The receiving server refused the message for good.".to_owned(),
            "Read the remote server's text below for the reason; it usually names what to fix.",
            None,
        ),
        _ => explained(
            "Failed",
            "The message could not be delivered and no report said why.".to_owned(),
            "Read the remote server's text below, if any.",
            None,
        ),
    }
}
