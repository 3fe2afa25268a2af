//! Deciding whether an open or a click came from a person or from a machine acting on the
//! recipient's behalf: Apple Mail Privacy Protection and image proxies fetch every pixel, and
//! security gateways follow every link, long before (or without) anyone reading the message.
//! Counting those as engagement would make every campaign look read by everyone.
//!
//! Only robust signals are used (a user agent a proxy announces, Apple's own network, timings
//! no person achieves), because a false "machine" hides a real reader. The functions are pure
//! so each rule is tested on its own; the event writer applies them.

use std::net::IpAddr;

/// Opens this soon after submission are prefetches (a gateway or the receiving server
/// fetching images on delivery), not a person.
const PREFETCH_OPEN_SECS: i64 = 2;
/// Clicks this soon after submission come from link scanners at the receiving side.
const SCANNER_CLICK_SECS: i64 = 5;
/// A second click of the same recipient within this time is a scanner walking every link.
const RAPID_CLICK_SECS: f64 = 1.0;

/// User-agent fragments (lower case) of image proxies, with the reason recorded.
const OPEN_PROXIES: [(&str, &str); 4] = [
    ("googleimageproxy", "google-image-proxy"),
    ("yahoomailproxy", "yahoo-mail-proxy"),
    // Office probes a URL's server before fetching it; a person's Outlook sends its own UA.
    ("microsoft office existence discovery", "outlook-prefetch"),
    ("microsoft office protocol discovery", "outlook-prefetch"),
];

/// User-agent fragments (lower case) of link scanners, security gateways and HTTP libraries,
/// with the reason recorded. Matched as substrings.
const SCANNERS: [(&str, &str); 22] = [
    ("barracuda", "scanner:barracuda"),
    ("mimecast", "scanner:mimecast"),
    ("proofpoint", "scanner:proofpoint"),
    ("microsoft defender", "scanner:microsoft-defender"),
    ("safelinks", "scanner:safe-links"),
    ("safe links", "scanner:safe-links"),
    ("urlscan", "scanner:urlscan"),
    ("bitdefender", "scanner:bitdefender"),
    ("symantec", "scanner:symantec"),
    ("trend micro", "scanner:trend-micro"),
    ("trendmicro", "scanner:trend-micro"),
    ("forcepoint", "scanner:forcepoint"),
    ("headlesschrome", "scanner:headless-browser"),
    ("python-requests", "http-library"),
    ("python-urllib", "http-library"),
    ("curl/", "http-library"),
    ("wget/", "http-library"),
    ("go-http-client", "http-library"),
    ("libwww-perl", "http-library"),
    ("apache-httpclient", "http-library"),
    ("crawler", "crawler"),
    ("spider", "crawler"),
];

/// Why an open is a machine's (`Some(reason)`, stored as the event's detail), or `None` for
/// a person. `seconds_since_submit` is `None` when the submission time is unknown.
pub fn classify_open(user_agent: &str, ip: Option<IpAddr>, seconds_since_submit: Option<i64>) -> Option<&'static str> {
    // Mail Privacy Protection fetches from Apple's own network (17.0.0.0/8) and announces
    // itself with nothing but the bare product token.
    if ip.is_some_and(is_apple_network) || user_agent.trim() == "Mozilla/5.0" {
        return Some("apple-mpp");
    }
    let ua = user_agent.to_ascii_lowercase();
    if let Some(&(_, reason)) = OPEN_PROXIES.iter().find(|(needle, _)| ua.contains(needle)) {
        return Some(reason);
    }
    if let Some(reason) = scanner(&ua) {
        return Some(reason);
    }
    if seconds_since_submit.is_some_and(|s| s < PREFETCH_OPEN_SECS) {
        return Some("prefetch");
    }
    None
}

/// Why a click is a machine's (`Some(reason)`), or `None` for a person.
///
/// `ip` is taken so callers pass it today and address-range rules can be added without
/// changing them; no range is robust enough to use yet (scanners run on ordinary clouds).
pub fn classify_click(
    user_agent: &str,
    ip: Option<IpAddr>,
    method_is_head: bool,
    seconds_since_submit: Option<i64>,
    seconds_since_previous_click_of_same_delivery: Option<f64>,
) -> Option<&'static str> {
    let _ = ip;
    // Browsers never follow a link with HEAD; link checkers do.
    if method_is_head {
        return Some("head-request");
    }
    if user_agent.trim().is_empty() {
        return Some("no-user-agent");
    }
    let ua = user_agent.to_ascii_lowercase();
    if let Some(reason) = scanner(&ua) {
        return Some(reason);
    }
    if seconds_since_submit.is_some_and(|s| s < SCANNER_CLICK_SECS) {
        return Some("too-soon-after-send");
    }
    if seconds_since_previous_click_of_same_delivery.is_some_and(|s| s < RAPID_CLICK_SECS) {
        return Some("rapid-clicks");
    }
    None
}

/// The scanner reason for a lower-cased user agent, if it names one.
fn scanner(ua: &str) -> Option<&'static str> {
    if let Some(&(_, reason)) = SCANNERS.iter().find(|(needle, _)| ua.contains(needle)) {
        return Some(reason);
    }
    has_bot_word(ua).then_some("bot")
}

/// Whether a lower-cased user agent contains "bot" ending a word (`Googlebot/2.1`,
/// `AhrefsBot;`, `Slackbot-LinkExpanding`), except the Cubot phone brand, which is a person.
fn has_bot_word(ua: &str) -> bool {
    ua.match_indices("bot").any(|(i, _)| {
        let ends_word = ua.as_bytes().get(i + 3).is_none_or(|b| !b.is_ascii_alphabetic());
        let cubot = i >= 2 && ua.get(i - 2..i) == Some("cu");
        ends_word && !cubot
    })
}

/// 17.0.0.0/8, Apple's network (IPv4, or IPv4 mapped into IPv6).
fn is_apple_network(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.octets()[0] == 17,
        IpAddr::V6(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::*;

    const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 \
                                 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const DESKTOP_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                                  Chrome/124.0.0.0 Safari/537.36";
    const OUTLOOK_DESKTOP: &str = "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; WOW64; Trident/7.0; \
                                   Microsoft Outlook 16.0.17328; ms-office; MSOffice 16)";

    fn v4(a: u8, b: u8, c: u8, d: u8) -> Option<IpAddr> {
        Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    }

    #[test]
    fn a_person_opening_later_is_human() {
        assert_eq!(classify_open(IPHONE_SAFARI, v4(203, 0, 113, 5), Some(3600)), None);
        assert_eq!(classify_open(OUTLOOK_DESKTOP, v4(198, 51, 100, 7), Some(120)), None);
        assert_eq!(classify_open(DESKTOP_CHROME, None, None), None);
    }

    #[test]
    fn apple_privacy_protection_is_recognised_by_network_or_bare_user_agent() {
        assert_eq!(classify_open(IPHONE_SAFARI, v4(17, 58, 100, 1), Some(3600)), Some("apple-mpp"));
        let mapped = Some(IpAddr::V6(Ipv4Addr::new(17, 1, 2, 3).to_ipv6_mapped()));
        assert_eq!(classify_open(IPHONE_SAFARI, mapped, Some(3600)), Some("apple-mpp"));
        assert_eq!(classify_open("Mozilla/5.0", v4(203, 0, 113, 5), Some(3600)), Some("apple-mpp"));
        // Neighbouring networks are not Apple's.
        assert_eq!(classify_open(IPHONE_SAFARI, v4(18, 0, 0, 1), Some(3600)), None);
        assert_eq!(classify_open(IPHONE_SAFARI, Some(IpAddr::V6(Ipv6Addr::LOCALHOST)), Some(3600)), None);
    }

    #[test]
    fn image_proxies_are_machine_opens() {
        let google = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
        assert_eq!(classify_open(google, v4(66, 249, 84, 1), Some(3600)), Some("google-image-proxy"));
        let yahoo = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html";
        assert_eq!(classify_open(yahoo, v4(98, 136, 1, 1), Some(3600)), Some("yahoo-mail-proxy"));
    }

    #[test]
    fn outlook_discovery_probes_are_machine_but_outlook_itself_is_not() {
        let probe = "Microsoft Office Existence Discovery";
        assert_eq!(classify_open(probe, None, Some(3600)), Some("outlook-prefetch"));
        assert_eq!(classify_open(OUTLOOK_DESKTOP, None, Some(3600)), None);
    }

    #[test]
    fn opens_within_two_seconds_of_sending_are_prefetches() {
        assert_eq!(classify_open(DESKTOP_CHROME, None, Some(0)), Some("prefetch"));
        assert_eq!(classify_open(DESKTOP_CHROME, None, Some(1)), Some("prefetch"));
        assert_eq!(classify_open(DESKTOP_CHROME, None, Some(2)), None);
    }

    #[test]
    fn scanners_fetching_the_pixel_are_machine_opens() {
        assert_eq!(classify_open("Barracuda Sentinel (EE)", None, Some(3600)), Some("scanner:barracuda"));
    }

    #[test]
    fn a_person_clicking_later_is_human() {
        assert_eq!(classify_click(IPHONE_SAFARI, v4(203, 0, 113, 5), false, Some(600), None), None);
        assert_eq!(classify_click(DESKTOP_CHROME, None, false, Some(600), Some(30.0)), None);
        assert_eq!(classify_click(DESKTOP_CHROME, None, false, None, None), None);
    }

    #[test]
    fn head_requests_are_machine_clicks() {
        assert_eq!(classify_click(DESKTOP_CHROME, None, true, Some(600), None), Some("head-request"));
    }

    #[test]
    fn clicks_without_a_user_agent_are_machine() {
        assert_eq!(classify_click("", None, false, Some(600), None), Some("no-user-agent"));
        assert_eq!(classify_click("   ", None, false, Some(600), None), Some("no-user-agent"));
    }

    #[test]
    fn security_gateways_and_http_libraries_are_machine_clicks() {
        let cases = [
            ("Mozilla/5.0 Barracuda", "scanner:barracuda"),
            ("Mimecast URL Protect", "scanner:mimecast"),
            ("Proofpoint URL Defense", "scanner:proofpoint"),
            ("Microsoft Defender for Office 365", "scanner:microsoft-defender"),
            ("urlscan.io", "scanner:urlscan"),
            ("Bitdefender Link Checker", "scanner:bitdefender"),
            ("Symantec Email Security.cloud", "scanner:symantec"),
            ("Trend Micro Email Security", "scanner:trend-micro"),
            ("Forcepoint Web Security", "scanner:forcepoint"),
            ("python-requests/2.31.0", "http-library"),
            ("curl/8.5.0", "http-library"),
            ("Go-http-client/1.1", "http-library"),
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"),
            ("Slackbot-LinkExpanding 1.0", "bot"),
            ("SomeCrawler/1.0", "crawler"),
            ("Baiduspider", "crawler"),
        ];
        for (ua, reason) in cases {
            assert_eq!(classify_click(ua, None, false, Some(600), None), Some(reason), "{ua}");
        }
    }

    #[test]
    fn words_merely_containing_bot_are_not_bots() {
        let cubot = "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(classify_click(cubot, None, false, Some(600), None), None);
        assert_eq!(classify_click("Mozilla/5.0 (Bottle Browser)", None, false, Some(600), None), None);
    }

    #[test]
    fn clicks_within_five_seconds_of_sending_are_scanners() {
        assert_eq!(classify_click(DESKTOP_CHROME, None, false, Some(4), None), Some("too-soon-after-send"));
        assert_eq!(classify_click(DESKTOP_CHROME, None, false, Some(-1), None), Some("too-soon-after-send"));
        assert_eq!(classify_click(DESKTOP_CHROME, None, false, Some(5), None), None);
    }

    #[test]
    fn several_links_within_a_second_are_a_scanner() {
        assert_eq!(classify_click(DESKTOP_CHROME, None, false, Some(600), Some(0.2)), Some("rapid-clicks"));
        assert_eq!(classify_click(DESKTOP_CHROME, None, false, Some(600), Some(1.5)), None);
    }
}
