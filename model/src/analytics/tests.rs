use chrono::{NaiveDate, TimeZone, Utc};

use super::*;

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("valid date")
}

#[test]
fn granularity_follows_the_length_of_the_range() {
    let start = at(2026, 3, 1, 0);
    assert_eq!(Granularity::for_range(start, start + Duration::days(3)), Granularity::Hour);
    assert_eq!(Granularity::for_range(start, start + Duration::days(4)), Granularity::Day);
    assert_eq!(Granularity::for_range(start, start + Duration::days(120)), Granularity::Day);
    assert_eq!(Granularity::for_range(start, start + Duration::days(121)), Granularity::Month);
}

#[test]
fn buckets_cover_the_range_with_gaps_and_month_lengths() {
    let t = Utc.with_ymd_and_hms(2026, 1, 31, 13, 45, 10).single().expect("valid date");
    assert_eq!(Granularity::Hour.truncate(t), at(2026, 1, 31, 13));
    assert_eq!(Granularity::Day.truncate(t), at(2026, 1, 31, 0));
    assert_eq!(Granularity::Month.truncate(t), at(2026, 1, 1, 0));
    let months = Granularity::Month.buckets(t, at(2026, 4, 2, 0), 100);
    assert_eq!(months, vec![at(2026, 1, 1, 0), at(2026, 2, 1, 0), at(2026, 3, 1, 0), at(2026, 4, 1, 0)]);
    assert_eq!(Granularity::Hour.buckets(at(2026, 1, 1, 0), at(2026, 1, 2, 0), 1000).len(), 24);
    assert_eq!(Granularity::Hour.buckets(at(2026, 1, 1, 0), at(2026, 2, 1, 0), 10).len(), 10);
    assert_eq!(Granularity::Month.label(at(2026, 3, 1, 0)), "2026-03");
    assert_eq!(Granularity::Day.label(at(2026, 3, 4, 0)), "Mar 4");
}

#[test]
fn presets_end_after_the_current_hour() {
    let now = Utc.with_ymd_and_hms(2026, 3, 15, 10, 20, 0).single().expect("valid date");
    assert_eq!(RangePreset::Last24Hours.resolve(now, None, None), (at(2026, 3, 14, 11), at(2026, 3, 15, 11)));
    assert_eq!(RangePreset::Last12Months.resolve(now, None, None).0, at(2025, 4, 1, 0));
    let day = |d| NaiveDate::from_ymd_opt(2026, 2, d);
    assert_eq!(RangePreset::Custom.resolve(now, day(1), day(3)), (at(2026, 2, 1, 0), at(2026, 2, 4, 0)));
    // Reversed or missing dates fall back to the last 30 days.
    assert_eq!(RangePreset::Custom.resolve(now, day(3), day(1)), RangePreset::Last30Days.resolve(now, None, None));
    for p in RangePreset::ALL {
        assert_eq!(RangePreset::parse(p.key()), p);
    }
    assert_eq!(RangePreset::parse("nonsense"), RangePreset::Last30Days);
}

#[test]
fn rates_are_unknown_without_a_denominator() {
    let t = Totals::default();
    assert!(t.is_empty());
    for m in [Metric::DeliverabilityRate, Metric::BounceRate, Metric::OpenRate, Metric::ClickToOpen] {
        assert_eq!(t.value(m), None, "{m:?}");
    }
    assert_eq!(t.value(Metric::Sent), Some(0.0));
}

#[test]
fn engagement_uses_delivered_once_any_delivery_is_reported() {
    let mut t = Totals {
        submitted: 200,
        bounced_hard: 6,
        bounced_soft: 4,
        opens_human: 70,
        opens_machine: 30,
        unique_opens_human: 50,
        unique_clicks_human: 10,
        unsubscribed: 2,
        complained: 1,
        ..Totals::default()
    };
    // No DSN: accepted messages are the base.
    assert_eq!(t.open_rate(), Some(0.25));
    assert_eq!(t.deliverability_rate(), Some(0.0));
    assert_eq!(t.bounce_rate(), Some(0.05));
    assert_eq!(t.hard_bounce_rate(), Some(0.03));
    assert_eq!(t.machine_open_share(), Some(0.3));
    assert_eq!(t.click_to_open(), Some(0.2));
    t.delivered = 100;
    assert_eq!(t.open_rate(), Some(0.5));
    assert_eq!(t.click_rate(), Some(0.1));
    assert_eq!(t.unsubscribe_rate(), Some(0.02));
    assert_eq!(t.complaint_rate(), Some(0.01));
    assert_eq!(t.deliverability_rate(), Some(0.5));
    let mut sum = Totals::default();
    sum.add(&t);
    sum.add(&t);
    assert_eq!(sum.submitted, 400);
}

#[test]
fn every_metric_has_a_key_label_and_definition() {
    let all = [
        Metric::Sent,
        Metric::Delivered,
        Metric::DeliverabilityRate,
        Metric::BounceRate,
        Metric::HardBounceRate,
        Metric::SoftBounceRate,
        Metric::OpenRate,
        Metric::MachineOpenShare,
        Metric::ClickRate,
        Metric::ClickToOpen,
        Metric::UnsubscribeRate,
        Metric::ComplaintRate,
    ];
    for m in all {
        assert!(!m.key().is_empty() && !m.label().is_empty() && m.definition().contains('.'), "{m:?}");
    }
    assert!(Metric::OpenRate.definition().contains("Apple Mail Privacy Protection"));
    assert_eq!(Metric::OpenRate.key(), "open-rate");
}

#[test]
fn a_named_blocklist_is_explained_with_a_link_to_the_blacklist_check() {
    let e =
        explain_failure("5.7.1", "blocked", "Service unavailable; client [192.0.2.10] blocked using zen.spamhaus.org");
    assert!(e.title.contains("Spamhaus"), "{e:?}");
    assert!(e.explanation.contains("zen.spamhaus.org"), "{e:?}");
    assert!(e.fix.contains("Blacklist"));
    assert_eq!(e.link.as_ref().map(|l| l.0.as_str()), Some("/blocklists"));
    let b = explain_failure("554", "", "Blocked - see https://www.barracudacentral.org/rbl");
    assert!(b.title.contains("Barracuda"));
}

#[test]
fn authentication_ptr_and_rate_limits_are_detected_in_the_text() {
    let auth = explain_failure("5.7.26", "policyviolation", "Unauthenticated email is not accepted: DMARC policy");
    assert!(auth.explanation.contains("DMARC"), "{auth:?}");
    assert_eq!(auth.link.as_ref().map(|l| l.0.as_str()), Some("/domains"));
    let ptr = explain_failure("5.7.25", "", "The IP address sending this message does not have a PTR record");
    assert!(ptr.title.contains("PTR"));
    let rate = explain_failure("4.7.0", "", "421 Rate limit exceeded, try again later");
    assert!(rate.fix.contains("Lower the campaign speed"), "{rate:?}");
}

#[test]
fn reasons_without_specifics_get_their_own_words() {
    let unknown = explain_failure("5.1.1", "userunknown", "550 5.1.1 <x@example.com>: Recipient address rejected");
    assert!(unknown.fix.contains("suppressed"), "{unknown:?}");
    let full = explain_failure("4.2.2", "mailboxfull", "452 4.2.2 Mailbox full");
    assert!(full.title.contains("full"));
    let expired = explain_failure("4.4.7", "expired", "delivery time expired");
    assert!(expired.explanation.contains("queue lifetime"));
    assert!(explain_failure("4.4.1", "networkerror", "connection timed out").title.contains("reached"));
    assert_eq!(explain_failure("5.0.0", "", "").title, "Permanent failure");
    assert_eq!(explain_failure("421", "", "").title, "Temporary failure");
}

#[test]
fn delivery_log_sorts_round_trip_and_rows_pick_the_best_status() {
    for s in DeliveryLogSort::ALL {
        assert_eq!(DeliveryLogSort::parse(s.key()), s);
    }
    let row = DeliveryLogRow {
        id: 1,
        email: "a@example.com".into(),
        state: "bounced".into(),
        provider: "other".into(),
        smtp_code: Some(250),
        smtp_status: Some("2.0.0".into()),
        smtp_reply: Some("250 2.0.0 Ok: queued".into()),
        dsn_action: Some("failed".into()),
        dsn_status: Some("5.1.1".into()),
        remote_mta: Some("mx.example.com".into()),
        diagnostic: Some("550 5.1.1 unknown user".into()),
        bounce_class: Some("hard".into()),
        bounce_reason: Some("userunknown".into()),
        submitted_at: None,
        reported_at: None,
        delay_seconds: None,
    };
    assert!(row.is_failure());
    assert_eq!(row.status(), "5.1.1");
    assert_eq!(row.remote_text(), "550 5.1.1 unknown user");
}
