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

/// "2026-11-28 19:04" (UTC; column headers say so).
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// "3 d 4 h", "12 min": a duration given in seconds.
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
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
        assert_eq!(duration(720), "12 min");
        assert_eq!(duration(3 * 3600 + 60), "3 h 1 min");
        assert_eq!(duration(2 * 86_400 + 7200), "2 d 2 h");
        assert_eq!(duration(-4), "0 min");
    }

    #[test]
    fn timestamps_are_utc_to_the_minute() {
        let t = Utc.with_ymd_and_hms(2026, 11, 28, 19, 4, 59).single().expect("valid date");
        assert_eq!(timestamp(&t), "2026-11-28 19:04");
    }
}
