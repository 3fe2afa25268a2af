//! The unsubscribe page as plain server-rendered HTML, and reading its form.
//!
//! Recipients arrive from any mail client on any device, signed in nowhere; a small
//! self-contained page (inline style, no script, light and dark) loads at once and works
//! everywhere, which the admin SPA would not. Every value shown comes from the database or
//! the contact and is HTML-escaped.

use engine::tracking::{SubscriptionChoices, UnsubscribeOutcome, UnsubscribeScope};
use http::{HeaderMap, header};

/// The page's look: a centred card in the system font, following the reader's light or dark
/// preference.
const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--text:#1f2328;--muted:#59636e;--line:#d8dee4;\
--accent:#2563eb;--on-accent:#fff}\
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9198a1;\
--line:#30363d;--accent:#4493f8;--on-accent:#0d1117}}\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;\
background:var(--bg);color:var(--text);\
font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\
main{width:100%;max-width:440px;background:var(--card);border:1px solid var(--line);border-radius:12px;\
padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.08)}\
h1{font-size:22px;line-height:1.3;margin:0 0 8px}\
p{margin:0 0 16px;color:var(--muted)}\
.address{color:var(--text);font-weight:600;word-break:break-all}\
fieldset{border:0;margin:0 0 20px;padding:0}\
label{display:flex;gap:12px;align-items:flex-start;padding:12px 0;border-top:1px solid var(--line);cursor:pointer}\
label:last-child{border-bottom:1px solid var(--line)}\
input{margin:3px 0 0;width:18px;height:18px;flex:none;accent-color:var(--accent)}\
.hint{display:block;font-size:14px;color:var(--muted)}\
button{width:100%;padding:12px;border:0;border-radius:8px;background:var(--accent);color:var(--on-accent);\
font:inherit;font-weight:600;cursor:pointer}\
button:focus-visible,input:focus-visible{outline:2px solid var(--accent);outline-offset:2px}\
.notice{padding:10px 12px;margin:0 0 16px;border:1px solid var(--line);border-radius:8px;color:var(--text)}\
ul{margin:0 0 16px;padding-left:20px}";

/// The choice page: the contact's lists (the campaign's pre-checked), "everything", submit.
/// `notice` is shown above the form (e.g. when nothing was chosen).
pub fn choices_page(choices: &SubscriptionChoices, notice: Option<&str>) -> String {
    let mut body = String::from("<form method=\"post\" data-testid=\"unsubscribe-form\">");
    body.push_str("<h1>Unsubscribe</h1>");
    body.push_str(&format!(
        "<p>Choose what <span class=\"address\">{}</span> should no longer receive.</p>",
        escape(&choices.email)
    ));
    if let Some(notice) = notice {
        body.push_str(&format!("<p class=\"notice\" role=\"alert\">{}</p>", escape(notice)));
    }
    if choices.unsubscribed_everywhere {
        body.push_str("<p class=\"notice\">This address is already unsubscribed from all our emails.</p>");
    }
    body.push_str("<fieldset>");
    for list in &choices.lists {
        let unsubscribed = list.status == "unsubscribed";
        let state = if unsubscribed {
            " disabled"
        } else if list.in_this_campaign {
            " checked"
        } else {
            ""
        };
        let hint = if unsubscribed {
            "<span class=\"hint\">Already unsubscribed</span>"
        } else if list.in_this_campaign {
            "<span class=\"hint\">You received this email as a member of this list</span>"
        } else {
            ""
        };
        body.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"list\" value=\"{id}\" data-testid=\"unsubscribe-list-{id}\"{state}>\
             <span>{name}{hint}</span></label>",
            id = list.id,
            name = escape(&list.name),
        ));
    }
    let everything_checked = if choices.lists.iter().any(|l| l.in_this_campaign) { "" } else { " checked" };
    body.push_str(&format!(
        "<label><input type=\"checkbox\" name=\"everything\" value=\"on\" data-testid=\"unsubscribe-everything\"\
         {everything_checked}><span>Unsubscribe from everything\
         <span class=\"hint\">You will receive no more emails from us</span></span></label>"
    ));
    body.push_str("</fieldset>");
    body.push_str("<button type=\"submit\" data-testid=\"unsubscribe-submit\">Unsubscribe</button></form>");
    layout("Unsubscribe", &body)
}

/// The confirmation after the form: what changed (or that nothing needed to).
pub fn done_page(outcome: &UnsubscribeOutcome) -> String {
    let mut body = String::from("<div data-testid=\"unsubscribe-done\">");
    let email = escape(&outcome.email);
    if outcome.already {
        body.push_str("<h1>You were already unsubscribed</h1>");
        body.push_str(&format!(
            "<p><span class=\"address\">{email}</span> was already unsubscribed from what you chose. \
             Nothing else was changed.</p>"
        ));
    } else if outcome.everything {
        body.push_str("<h1>You are unsubscribed</h1>");
        body.push_str(&format!("<p><span class=\"address\">{email}</span> will receive no more emails from us.</p>"));
        push_list_names(&mut body, &outcome.lists);
    } else {
        body.push_str("<h1>You are unsubscribed</h1>");
        body.push_str(&format!("<p><span class=\"address\">{email}</span> will no longer receive emails sent to:</p>"));
        push_list_names(&mut body, &outcome.lists);
    }
    body.push_str("<p>You can close this page.</p></div>");
    layout("Unsubscribed", &body)
}

/// The page for a link that is not (or no longer) valid.
pub fn not_found_page() -> String {
    layout(
        "Link not valid",
        "<h1>This link is not valid</h1><p>It may have been copied incompletely, or the message it came \
         from no longer exists. To unsubscribe, use the link in a recent email from us.</p>",
    )
}

/// Whether a POST is the RFC 8058 one-click unsubscribe: `List-Unsubscribe=One-Click` as a
/// form field, or the same pair in a `multipart/form-data` body (the RFC allows both).
pub fn is_one_click(headers: &HeaderMap, body: &[u8], form: &[(String, String)]) -> bool {
    if form
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("List-Unsubscribe") && v.trim().eq_ignore_ascii_case("One-Click"))
    {
        return true;
    }
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    multipart && contains(body, b"name=\"List-Unsubscribe\"") && contains(body, b"One-Click")
}

/// What the page's form asks for: everything when ticked, else the ticked lists; `None` when
/// nothing was chosen.
pub fn chosen_scope(form: &[(String, String)]) -> Option<UnsubscribeScope> {
    let everything = form.iter().any(|(k, v)| k == "everything" && !v.is_empty() && v != "off");
    if everything {
        return Some(UnsubscribeScope::Everything);
    }
    let mut lists: Vec<i64> =
        form.iter().filter(|(k, _)| k == "list").filter_map(|(_, v)| v.trim().parse().ok()).collect();
    lists.sort_unstable();
    lists.dedup();
    (!lists.is_empty()).then_some(UnsubscribeScope::Lists(lists))
}

/// `application/x-www-form-urlencoded` pairs in order, repeated names kept (the page sends
/// one `list` per ticked box, which a map would lose). Invalid escapes are kept literally.
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.iter().position(|&b| b == b'=') {
            Some(i) => (
                percent_decode(pair.get(..i).unwrap_or_default()),
                percent_decode(pair.get(i + 1..).unwrap_or_default()),
            ),
            None => (percent_decode(pair), String::new()),
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        match b {
            b'+' => out.push(b' '),
            b'%' => match (tail.first().and_then(|&c| hex_value(c)), tail.get(1).and_then(|&c| hex_value(c))) {
                (Some(high), Some(low)) => {
                    out.push((high << 4) | low);
                    rest = tail.get(2..).unwrap_or_default();
                }
                _ => out.push(b'%'),
            },
            _ => out.push(b),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn push_list_names(body: &mut String, names: &[String]) {
    if names.is_empty() {
        return;
    }
    body.push_str("<ul>");
    for name in names {
        body.push_str(&format!("<li>{}</li>", escape(name)));
    }
    body.push_str("</ul>");
}

/// A complete document around `body`.
fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>",
        escape(title)
    )
}

/// Text made safe inside HTML elements and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use engine::tracking::ListChoice;
    use http::HeaderValue;

    use super::*;

    fn choices() -> SubscriptionChoices {
        SubscriptionChoices {
            email: "ann@example.com".into(),
            campaign_name: "May".into(),
            lists: vec![
                ListChoice { id: 3, name: "News <&>".into(), status: "subscribed".into(), in_this_campaign: true },
                ListChoice { id: 4, name: "Events".into(), status: "subscribed".into(), in_this_campaign: false },
                ListChoice { id: 5, name: "Old".into(), status: "unsubscribed".into(), in_this_campaign: false },
            ],
            unsubscribed_everywhere: false,
        }
    }

    #[test]
    fn the_form_pre_checks_the_campaign_lists_and_escapes_names() {
        let html = choices_page(&choices(), None);
        assert!(html.contains("data-testid=\"unsubscribe-form\""));
        assert!(html.contains("value=\"3\" data-testid=\"unsubscribe-list-3\" checked>"), "{html}");
        assert!(html.contains("value=\"4\" data-testid=\"unsubscribe-list-4\">"), "{html}");
        assert!(html.contains("value=\"5\" data-testid=\"unsubscribe-list-5\" disabled>"), "{html}");
        assert!(html.contains("News &lt;&amp;&gt;"));
        assert!(!html.contains("News <&>"));
        assert!(html.contains("data-testid=\"unsubscribe-everything\">"));
        assert!(html.contains("data-testid=\"unsubscribe-submit\""));
    }

    #[test]
    fn without_campaign_lists_everything_is_pre_checked() {
        let mut c = choices();
        c.lists.retain(|l| !l.in_this_campaign);
        assert!(choices_page(&c, None).contains("data-testid=\"unsubscribe-everything\" checked>"));
    }

    #[test]
    fn the_done_page_lists_what_changed() {
        let outcome = UnsubscribeOutcome {
            email: "a\"b@example.com".into(),
            lists: vec!["News".into(), "<b>".into()],
            everything: false,
            already: false,
        };
        let html = done_page(&outcome);
        assert!(html.contains("data-testid=\"unsubscribe-done\""));
        assert!(html.contains("<li>News</li><li>&lt;b&gt;</li>"));
        assert!(html.contains("a&quot;b@example.com"));
    }

    #[test]
    fn forms_keep_repeated_fields_and_decode_escapes() {
        let form = parse_form(b"list=3&list=4&everything=on&x=a+b%20c%2&bad=%zz&&flag");
        assert_eq!(
            form,
            [
                ("list".to_owned(), "3".to_owned()),
                ("list".to_owned(), "4".to_owned()),
                ("everything".to_owned(), "on".to_owned()),
                ("x".to_owned(), "a b c%2".to_owned()),
                ("bad".to_owned(), "%zz".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn the_chosen_scope_prefers_everything_and_ignores_junk() {
        let pairs = |s: &str| parse_form(s.as_bytes());
        assert_eq!(chosen_scope(&pairs("list=3&everything=on")), Some(UnsubscribeScope::Everything));
        assert_eq!(chosen_scope(&pairs("list=4&list=x&list=3&list=4")), Some(UnsubscribeScope::Lists(vec![3, 4])));
        assert_eq!(chosen_scope(&pairs("list=x")), None);
        assert_eq!(chosen_scope(&pairs("")), None);
    }

    #[test]
    fn one_click_is_recognised_in_both_encodings() {
        let none = HeaderMap::new();
        assert!(is_one_click(&none, b"", &parse_form(b"List-Unsubscribe=One-Click")));
        assert!(!is_one_click(&none, b"", &parse_form(b"list=3")));
        let mut multipart = HeaderMap::new();
        multipart.insert(header::CONTENT_TYPE, HeaderValue::from_static("multipart/form-data; boundary=XyZ"));
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(is_one_click(&multipart, body, &[]));
        assert!(!is_one_click(&none, body, &[]));
    }
}
