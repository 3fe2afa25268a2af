//! Formatting of figures and times the way people read them.

use chrono::{DateTime, Utc};

/// "1.4 MB", "980 B".
pub fn bytes(n: i64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 { format!("{value:.0} {}", UNITS[unit]) } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// "2026-11-28 19:04 UTC".
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// "3 d 4 h", "12 min": how long since `since`, at `now`.
pub fn duration_since(since: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let secs = (*now - *since).num_seconds().max(0);
    match (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn bytes_use_decimal_units() {
        assert_eq!(bytes(980), "980 B");
        assert_eq!(bytes(1_400_000), "1.4 MB");
        assert_eq!(bytes(-5), "0 B");
    }

    #[test]
    fn durations_read_naturally() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid date");
        let later = |s| t0 + chrono::Duration::seconds(s);
        assert_eq!(duration_since(&t0, &later(720)), "12 min");
        assert_eq!(duration_since(&t0, &later(3 * 3600 + 60)), "3 h 1 min");
        assert_eq!(duration_since(&t0, &later(2 * 86_400 + 7200)), "2 d 2 h");
    }
}
