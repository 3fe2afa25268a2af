//! Where a tracked click goes: the URL stored for (campaign, link index) in `campaign_link`
//! when the campaign started. The redirect target comes from there only, never from the
//! request, so a click URL can never be turned into an open redirect.
//!
//! A campaign's links never change once it started, and every recipient clicks the same few,
//! so they are cached per campaign: a click costs no query after the first of its campaign.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sqlx::PgPool;

use super::TrackingError;

/// Campaigns whose links are kept; beyond this an arbitrary one is forgotten (re-read on its
/// next click), which bounds memory however many campaigns an install has sent.
pub const MAX_CACHED_CAMPAIGNS: usize = 1_000;

/// The tracked links of recently clicked campaigns; cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct LinkCache {
    pool: PgPool,
    campaigns: Arc<RwLock<HashMap<i64, Arc<Vec<String>>>>>,
}

impl LinkCache {
    /// An empty cache reading from `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool, campaigns: Arc::default() }
    }

    /// The URL of link `index` of `campaign_id`, or `None` when there is no such link or it
    /// is not a web (http/https) address.
    pub async fn url(&self, campaign_id: i64, index: u32) -> Result<Option<String>, TrackingError> {
        let links = match self.cached(campaign_id) {
            Some(links) => links,
            None => match self.load(campaign_id).await? {
                Some(links) => links,
                None => return Ok(None),
            },
        };
        let url = usize::try_from(index).ok().and_then(|i| links.get(i));
        Ok(url.filter(|u| is_web_url(u)).cloned())
    }

    fn cached(&self, campaign_id: i64) -> Option<Arc<Vec<String>>> {
        let map = self.campaigns.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(&campaign_id).cloned()
    }

    /// Reads the campaign's links in index order. A campaign without links (not started, or
    /// deleted) is not cached, so links written later are seen.
    async fn load(&self, campaign_id: i64) -> Result<Option<Arc<Vec<String>>>, TrackingError> {
        let rows: Vec<(i32, String)> =
            sqlx::query_as("SELECT idx, url FROM campaign_link WHERE campaign_id = $1 ORDER BY idx")
                .bind(campaign_id)
                .fetch_all(&self.pool)
                .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        // Indexes are 0..n as the start writes them; a gap (never written) would shift every
        // later link, so positions are taken from the stored index.
        let len = rows.iter().filter_map(|(i, _)| usize::try_from(*i).ok()).max().map_or(0, |m| m + 1);
        let mut links = vec![String::new(); len];
        for (i, url) in rows {
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| links.get_mut(i)) {
                *slot = url;
            }
        }
        let links = Arc::new(links);
        let mut map = self.campaigns.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= MAX_CACHED_CAMPAIGNS && !map.contains_key(&campaign_id) {
            let evict = map.keys().next().copied();
            if let Some(evict) = evict {
                map.remove(&evict);
            }
        }
        map.insert(campaign_id, links.clone());
        Ok(Some(links))
    }
}

/// Whether `url` is an absolute http or https URL (scheme case-insensitive) without control
/// characters: the only targets a redirect may point at.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && url.len() > lower.find("//").map_or(0, |i| i + 2)
        && !url.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::is_web_url;

    #[test]
    fn only_web_urls_may_be_redirect_targets() {
        assert!(is_web_url("https://example.com/a?b=1"));
        assert!(is_web_url("HTTP://example.com/"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("mailto:a@example.com"));
        assert!(!is_web_url("//example.com/"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https://example.com/\r\nSet-Cookie: x=1"));
        assert!(!is_web_url(""));
    }
}
