//! The sample recipient every preview is merged with (editor preview, version history, HTML
//! editor, library thumbnails), so all of them show the same plausible email.

/// Value of merge field `name` for the sample recipient; `site_url` is the admin site's
/// origin (or empty to let images resolve against the page). Links that only exist in a
/// sent message (unsubscribe, preferences, web view) go nowhere; unknown fields are left to
/// their `default:` or empty, as they would be for a real contact without them.
pub fn sample_value(name: &str, site_url: &str) -> Option<String> {
    let value = match name {
        "first_name" => "Alex",
        "last_name" => "Morgan",
        "email" => "alex@example.com",
        "site_url" => site_url,
        "unsubscribe_url" | "preferences_url" | "web_view_url" => "#",
        "postal_address" => "Example Ltd · 1 Market Street · Springfield",
        _ => return None,
    };
    Some(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::sample_value;

    #[test]
    fn previews_use_sample_values_and_dead_links() {
        assert_eq!(sample_value("first_name", "https://x.test").as_deref(), Some("Alex"));
        assert_eq!(sample_value("site_url", "https://x.test").as_deref(), Some("https://x.test"));
        assert_eq!(sample_value("unsubscribe_url", "").as_deref(), Some("#"));
        assert_eq!(sample_value("company", ""), None);
    }
}
