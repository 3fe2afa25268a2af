//! The checks shown before a campaign is sent, failing ones blocking the send: the sender
//! domain and its DNS (SPF, DKIM, DMARC as the last record check saw them), the unsubscribe
//! link and headers, Gmail's clipping size, link syntax, merge fields the audience has no
//! value for, and Rspamd's spam score of the message as the first recipient gets it.

use chrono::Utc;
use model::campaigns::{PreflightCheck, PreflightStatus, SpamSymbol};
use model::email::{GMAIL_CLIP_BYTES, GMAIL_WARN_BYTES, Template};
use sea_query::{Alias, Expr, PostgresQueryBuilder, Query};
use sea_query_binder::SqlxBinder;
use sqlx::PgPool;

use super::Result;
use super::links::{CLICK_TAG_PREFIX, OPEN_URL_TAG};
use crate::contacts::segment_sql::compile;

/// Merge fields the engine fills itself: never missing.
const ENGINE_FIELDS: [&str; 6] =
    ["unsubscribe_url", "preferences_url", "web_view_url", "site_url", "email", OPEN_URL_TAG];

/// A check result.
pub fn check(key: &str, label: &str, status: PreflightStatus, detail: impl Into<String>) -> PreflightCheck {
    PreflightCheck { key: key.into(), label: label.into(), status, detail: detail.into(), symbols: Vec::new() }
}

/// SPF, DKIM and DMARC of `domain` as the last DNS check recorded them.
pub async fn dns_checks(pool: &PgPool, domain: &str, selectors: &[String]) -> Result<Vec<PreflightCheck>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.record_key, s.status FROM dns_record_status s JOIN mail_domain d ON d.id = s.domain_id \
         WHERE d.name = $1",
    )
    .bind(domain)
    .fetch_all(pool)
    .await?;
    let status_of = |key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, s)| s.as_str());
    let verdict = |key: &str, label: &str, what: &str, missing_fails: bool| match status_of(key) {
        Some("ok") => check(key, label, PreflightStatus::Pass, format!("{what} of {domain} is published and correct")),
        Some("warning") => check(
            key,
            label,
            PreflightStatus::Warn,
            format!("{what} of {domain} works but is weaker than it should be; see Deliverability → {domain}"),
        ),
        None => check(
            key,
            label,
            PreflightStatus::Warn,
            format!("{what} of {domain} has not been checked yet; run the DNS check under Deliverability"),
        ),
        Some(other) => check(
            key,
            label,
            if missing_fails { PreflightStatus::Fail } else { PreflightStatus::Warn },
            format!(
                "{what} of {domain} is {}: receivers will treat the mail as unauthenticated; publish the record shown under Deliverability → {domain}",
                other.replace('_', " ")
            ),
        ),
    };
    let mut checks = vec![verdict("spf", "SPF", "The SPF record", true)];
    match selectors.first() {
        Some(selector) => {
            let mut c = verdict(&format!("dkim:{selector}"), "DKIM", &format!("DKIM key {selector}"), true);
            c.key = "dkim".into();
            checks.push(c);
        }
        None => checks.push(check(
            "dkim",
            "DKIM",
            PreflightStatus::Fail,
            format!("{domain} has no active DKIM key; create one under Deliverability"),
        )),
    }
    let mut dmarc = verdict("dmarc", "DMARC", "The DMARC policy", true);
    if dmarc.status == PreflightStatus::Pass {
        dmarc.detail.push_str(
            "; messages are DKIM-signed by the From domain, so they align with it (the bounce address carries SPF)",
        );
    }
    checks.push(dmarc);
    Ok(checks)
}

/// The unsubscribe link in the content (the footer block always has one; HTML must).
pub fn unsubscribe_check(names: &[&str]) -> PreflightCheck {
    if names.contains(&"unsubscribe_url") {
        check("unsubscribe", "Unsubscribe link", PreflightStatus::Pass, "the message links to {{ unsubscribe_url }}")
    } else {
        check(
            "unsubscribe",
            "Unsubscribe link",
            PreflightStatus::Fail,
            "the message has no unsubscribe link: add <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a> \
             (the law and Gmail's and Yahoo's sender rules require one)",
        )
    }
}

/// Gmail hides everything past 102 KB of HTML — usually the footer with the unsubscribe link.
pub fn size_check(html_bytes: usize) -> PreflightCheck {
    let kb = html_bytes as f64 / 1024.0;
    let (status, detail) = if html_bytes > GMAIL_CLIP_BYTES {
        (
            PreflightStatus::Fail,
            format!("{kb:.0} KB of HTML: Gmail clips messages above 102 KB, hiding the footer; shorten it"),
        )
    } else if html_bytes > GMAIL_WARN_BYTES {
        (PreflightStatus::Warn, format!("{kb:.0} KB of HTML: close to Gmail's 102 KB clipping limit"))
    } else {
        (PreflightStatus::Pass, format!("{kb:.0} KB of HTML, under Gmail's 102 KB clipping limit"))
    };
    check("size", "Message size", status, detail)
}

/// Every link must be an absolute http(s) URL with a plausible host.
pub fn links_check(links: &[String]) -> PreflightCheck {
    let bad: Vec<&String> = links.iter().filter(|l| !is_valid_url(l)).collect();
    match bad.as_slice() {
        [] => check(
            "links",
            "Links",
            PreflightStatus::Pass,
            match links.len() {
                0 => "the message has no links".to_owned(),
                1 => "1 link, a valid URL".to_owned(),
                n => format!("{n} links, all valid URLs"),
            },
        ),
        bad => check(
            "links",
            "Links",
            PreflightStatus::Fail,
            format!(
                "{} of {} links are not valid URLs: {}",
                bad.len(),
                links.len(),
                bad.iter().take(3).map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
            ),
        ),
    }
}

/// `http(s)://host[:port][/…]` with a host of letters, digits, dots and hyphens (or an
/// IP literal), no spaces or control characters.
pub fn is_valid_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
        return false;
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return false,
        },
        None => match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        },
    };
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return false;
    }
    if host_port.starts_with('[') {
        return host.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Fields used without a default that some recipients have no value for: those recipients
/// would get an empty gap ("Hello ,"). Counted over the audience with one query per field.
pub async fn merge_field_check(
    pool: &PgPool,
    filter: &model::contacts::SegmentFilter,
    templates: &[&Template],
) -> Result<PreflightCheck> {
    let mut fields: Vec<String> = Vec::new();
    for t in templates {
        for piece in t.pieces() {
            if let model::email::Piece::Tag { name, default } = piece {
                let name = name.strip_prefix("contact.").unwrap_or(name);
                let filled = default.as_deref().is_some_and(|d| !d.is_empty());
                if !filled
                    && !ENGINE_FIELDS.contains(&name)
                    && !name.starts_with(CLICK_TAG_PREFIX)
                    && !fields.iter().any(|f| f == name)
                {
                    fields.push(name.to_owned());
                }
            }
        }
    }
    let mut missing = Vec::new();
    for field in &fields {
        let condition = match field.as_str() {
            "name" => Expr::cust("btrim(c.name) = ''"),
            "first_name" => Expr::cust(
                "coalesce(nullif(c.attributes->>'first_name', ''), nullif(split_part(btrim(c.name), ' ', 1), '')) IS NULL",
            ),
            "last_name" => Expr::cust(
                "coalesce(nullif(c.attributes->>'last_name', ''), nullif(btrim(substr(btrim(c.name), \
                 length(split_part(btrim(c.name), ' ', 1)) + 1)), '')) IS NULL",
            ),
            key => Expr::cust_with_values("coalesce(c.attributes->>$1, '') = ''", [key.to_owned()]),
        };
        let (sql, values) = Query::select()
            .expr(Expr::cust("count(*)"))
            .from_as(Alias::new("contact"), Alias::new("c"))
            .and_where(compile(filter, Utc::now()))
            .and_where(condition)
            .build_sqlx(PostgresQueryBuilder);
        let n: i64 = sqlx::query_scalar_with(&sql, values).fetch_one(pool).await?;
        if n > 0 {
            missing.push(format!("{n} without {field}"));
        }
    }
    Ok(if missing.is_empty() {
        check(
            "merge_fields",
            "Merge fields",
            PreflightStatus::Pass,
            if fields.is_empty() {
                "no personal fields are used".to_owned()
            } else {
                format!("every recipient has a value for {}", fields.join(", "))
            },
        )
    } else {
        check(
            "merge_fields",
            "Merge fields",
            PreflightStatus::Fail,
            format!(
                "recipients would see an empty gap: {}; give the tag a default, e.g. {{{{ first_name | default: \"there\" }}}}",
                missing.join(", ")
            ),
        )
    })
}

/// Rspamd's verdict on the message (`POST /checkv2` on its normal worker), or `Skipped` when
/// no Rspamd answers at `addr` (`host:port`).
pub async fn spam_check(addr: Option<&str>, message: &[u8], from: &str, rcpt: &str) -> PreflightCheck {
    let Some(addr) = addr else {
        return check("spam_score", "Spam score", PreflightStatus::Skipped, "no Rspamd is configured (BM_RSPAMD)");
    };
    match rspamd_checkv2(addr, message, from, rcpt).await {
        Ok(reply) => {
            let score = reply["score"].as_f64().unwrap_or(0.0);
            let required = reply["required_score"].as_f64().unwrap_or(15.0);
            let action = reply["action"].as_str().unwrap_or("no action").to_owned();
            let mut symbols: Vec<SpamSymbol> = reply["symbols"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(name, v)| SpamSymbol {
                            name: name.clone(),
                            score: v["score"].as_f64().unwrap_or(0.0),
                            description: v["description"].as_str().unwrap_or("").to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            symbols.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
            let status = if action == "reject" || score >= required {
                PreflightStatus::Fail
            } else if score >= required / 2.0 || action != "no action" {
                PreflightStatus::Warn
            } else {
                PreflightStatus::Pass
            };
            PreflightCheck {
                key: "spam_score".into(),
                label: "Spam score".into(),
                status,
                detail: format!("Rspamd scores the message {score:.1} of {required:.1} (action: {action})"),
                symbols,
            }
        }
        Err(e) => {
            check("spam_score", "Spam score", PreflightStatus::Skipped, format!("Rspamd at {addr} did not answer: {e}"))
        }
    }
}

/// One HTTP/1.0 request to Rspamd's controller-less scan endpoint; loopback or the compose
/// network only, so plain HTTP without a client library.
async fn rspamd_checkv2(addr: &str, message: &[u8], from: &str, rcpt: &str) -> std::io::Result<serde_json::Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let io = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let head = format!(
            "POST /checkv2 HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\nFrom: {from}\r\nRcpt: {rcpt}\r\n\
             Pass: all\r\n\r\n",
            message.len()
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(message).await?;
        let mut reply = Vec::new();
        stream.take(4 * 1024 * 1024).read_to_end(&mut reply).await?;
        Ok::<_, std::io::Error>(reply)
    };
    let reply = tokio::time::timeout(std::time::Duration::from_secs(10), io)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out after 10 s"))??;
    let text = String::from_utf8_lossy(&reply);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    if !head.starts_with("HTTP/1.") || head.split_whitespace().nth(1).is_none_or(|c| c != "200") {
        return Err(std::io::Error::other(head.lines().next().unwrap_or("no reply").to_owned()));
    }
    serde_json::from_str(body).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_absolute_http_with_a_real_host() {
        for good in [
            "https://example.com",
            "http://a.b.example/path?q=1#x",
            "https://example.com:8443/x",
            "https://[2001:db8::1]/x",
            "HTTPS://Example.COM/",
        ] {
            assert!(is_valid_url(good), "{good}");
        }
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://exa mple.com",
            "https://-bad.example",
            "https://a..b",
            "https://example.com:99999",
            "https://[nonsense]/",
            "javascript:alert(1)",
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
    }

    #[test]
    fn size_limits_follow_gmail_clipping() {
        assert_eq!(size_check(20_000).status, PreflightStatus::Pass);
        assert_eq!(size_check(GMAIL_WARN_BYTES + 1).status, PreflightStatus::Warn);
        assert_eq!(size_check(GMAIL_CLIP_BYTES + 1).status, PreflightStatus::Fail);
    }

    #[test]
    fn the_unsubscribe_link_is_required() {
        assert_eq!(unsubscribe_check(&["first_name", "unsubscribe_url"]).status, PreflightStatus::Pass);
        assert_eq!(unsubscribe_check(&["first_name"]).status, PreflightStatus::Fail);
    }

    #[test]
    fn invalid_links_are_named() {
        let c = links_check(&["https://ok.example".into(), "https://bad host".into()]);
        assert_eq!(c.status, PreflightStatus::Fail);
        assert!(c.detail.contains("\"https://bad host\""), "{}", c.detail);
    }
}
