//! The browser's clock, for "counted 5 min ago" and elapsed times. Neither the model nor the
//! server render reads a clock, so the server and the hydrating browser first render the same
//! HTML without it; the browser fills the time in afterwards.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::pages::format;

/// The browser's current time, `None` until the page is interactive.
#[derive(Clone, Copy)]
pub struct BrowserClock(RwSignal<Option<DateTime<Utc>>>);

impl Default for BrowserClock {
    fn default() -> Self {
        Self::new()
    }
}

impl BrowserClock {
    /// A clock that reads the time once the page is interactive (Effects run only there).
    pub fn new() -> Self {
        let clock = Self(RwSignal::new(None));
        Effect::new(move |_| clock.tick());
        clock
    }

    /// Reads the time again (after a refresh, or on each poll of a running job).
    pub fn tick(&self) {
        let _ = self.0.try_set(browser_now());
    }

    /// The time last read, tracked.
    pub fn now(&self) -> Option<DateTime<Utc>> {
        self.0.get()
    }

    /// "5 min ago" by this clock, tracked; `None` before the page is interactive.
    pub fn ago(&self, then: &DateTime<Utc>) -> Option<String> {
        self.now().map(|now| ago(then, &now))
    }
}

/// "just now", "5 min ago", "2 d 2 h ago": how long before `now` something happened (a
/// server time slightly ahead of the browser's reads as "just now").
pub fn ago(then: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let secs = (*now - *then).num_seconds();
    if secs < 60 { "just now".to_owned() } else { format!("{} ago", format::duration(secs)) }
}

/// `Date.now()` in the browser; `None` on the server.
pub fn browser_now() -> Option<DateTime<Utc>> {
    #[cfg(feature = "hydrate")]
    {
        DateTime::from_timestamp_millis(web_sys::js_sys::Date::now() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn ages_read_like_speech_and_never_go_negative() {
        let t = |h, m| Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).single().expect("valid date");
        assert_eq!(ago(&t(10, 0), &t(10, 0)), "just now");
        assert_eq!(ago(&t(10, 0), &t(10, 5)), "5 min ago");
        assert_eq!(ago(&t(10, 0), &t(13, 1)), "3 h 1 min ago");
        assert_eq!(ago(&t(10, 5), &t(10, 0)), "just now");
    }
}
