//! Retention of raw events: `campaign_event` is partitioned by month, so old months leave
//! by dropping their partition whole (instant, no vacuum debt) instead of a DELETE of
//! millions of rows. The rollups the dashboards read are kept forever; only raw rows go.

use chrono::{Datelike, Months, NaiveDate, Utc};
use sqlx::PgPool;

use super::Result;

/// What the event tables are called: `campaign_event_2026_03`.
const PREFIX: &str = "campaign_event_";
/// Months kept when the policy row is missing.
const DEFAULT_MONTHS: u32 = 13;

/// The month a partition holds, from its name; `None` for any other table name.
pub fn partition_month(name: &str) -> Option<NaiveDate> {
    let rest = name.strip_prefix(PREFIX)?;
    let (year, month) = rest.split_once('_')?;
    if year.len() != 4 || month.len() != 2 || !(year.chars().chain(month.chars()).all(|c| c.is_ascii_digit())) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// The partition name of the month starting on `month` (the inverse of [`partition_month`]).
pub fn partition_name(month: NaiveDate) -> String {
    format!("{PREFIX}{:04}_{:02}", month.year(), month.month())
}

/// The first month kept when `keep_months` months are kept as of `today`: the current month
/// counts as one, so 13 keeps this month and the twelve before it.
pub fn first_kept_month(today: NaiveDate, keep_months: u32) -> NaiveDate {
    let this_month = today.with_day(1).unwrap_or(today);
    this_month.checked_sub_months(Months::new(keep_months.max(1) - 1)).unwrap_or(NaiveDate::MIN)
}

/// Drops every `campaign_event` partition older than `bounce_policy.event_retention_months`;
/// returns the names dropped. Run daily by the server's maintenance worker.
pub async fn drop_expired_partitions(pool: &PgPool) -> Result<Vec<String>> {
    let months: Option<i32> =
        sqlx::query_scalar("SELECT event_retention_months FROM bounce_policy LIMIT 1").fetch_optional(pool).await?;
    let keep = months.and_then(|m| u32::try_from(m).ok()).filter(|m| *m > 0).unwrap_or(DEFAULT_MONTHS);
    let first_kept = first_kept_month(Utc::now().date_naive(), keep);
    let partitions: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i \
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent \
         WHERE p.relname = 'campaign_event' ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let mut dropped = Vec::new();
    for month in partitions.iter().filter_map(|name| partition_month(name)).filter(|m| *m < first_kept) {
        // A table name cannot be a bound parameter; this one is rebuilt from the parsed date,
        // so it is always `campaign_event_YYYY_MM` and nothing else.
        let name = partition_name(month);
        sqlx::query(&format!("DROP TABLE IF EXISTS {name}")).execute(pool).await?;
        tracing::info!(partition = %name, keep_months = keep, "dropped expired campaign events");
        dropped.push(name);
    }
    Ok(dropped)
}

/// Creates this month's and next month's partitions if missing, so an event arriving just
/// after midnight on the 1st never finds no partition.
pub async fn ensure_partitions(pool: &PgPool) -> Result<()> {
    sqlx::query(
        "SELECT ensure_campaign_event_partition(now()), ensure_campaign_event_partition(now() + INTERVAL '1 month')",
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn partition_names_and_months_round_trip() {
        assert_eq!(partition_month("campaign_event_2026_03"), Some(day(2026, 3, 1)));
        assert_eq!(partition_name(day(2026, 3, 1)), "campaign_event_2026_03");
        for bad in [
            "campaign_event",
            "campaign_event_2026_13",
            "campaign_event_26_03",
            "campaign_event_2026_3x",
            "other_2026_03",
        ] {
            assert_eq!(partition_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn retention_keeps_the_current_month_and_the_ones_before_it() {
        assert_eq!(first_kept_month(day(2026, 3, 15), 13), day(2025, 3, 1));
        assert_eq!(first_kept_month(day(2026, 3, 1), 1), day(2026, 3, 1));
        assert_eq!(first_kept_month(day(2026, 1, 31), 2), day(2025, 12, 1));
        // Never less than the current month, even for a zero policy.
        assert_eq!(first_kept_month(day(2026, 1, 31), 0), day(2026, 1, 1));
        let expired = |name: &str| partition_month(name).is_some_and(|m| m < first_kept_month(day(2026, 3, 15), 13));
        assert!(expired("campaign_event_2025_02"));
        assert!(!expired("campaign_event_2025_03"));
        assert!(!expired("campaign_event_2026_04"));
    }
}
