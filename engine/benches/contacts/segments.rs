//! Live segment counts (what the segment builder shows while the admin edits) on the full
//! audience: three representative filters, 3 warm-up runs then 30 timed runs each.

use std::time::Instant;

use engine::contacts::Segments;
use model::contacts::{AttributeOp, AttributeValue, ListStatus, SegmentFilter, TagMode, TimeWindow};
use sqlx::PgPool;

const WARM_UP: usize = 3;
const RUNS: usize = 30;

/// Timings of one segment.
pub struct SegmentTiming {
    pub name: &'static str,
    pub description: &'static str,
    pub matching: i64,
    pub sendable: i64,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

/// The three filters, over the lists the top-up made.
fn filters(lists: &[i64]) -> Vec<(&'static str, &'static str, SegmentFilter)> {
    let on = |i: usize, status| SegmentFilter::OnList { list_id: lists[i], status };
    vec![
        (
            "list_and_tag",
            "subscribed to list 3 AND tag any [vip]",
            SegmentFilter::And(vec![
                on(2, Some(ListStatus::Subscribed)),
                SegmentFilter::Tags { mode: TagMode::Any, tags: vec!["vip".to_owned()] },
            ]),
        ),
        (
            "attribute_domain_created",
            "plan = pro AND domain in [gmail.com, yahoo.com] AND created within 365 days",
            SegmentFilter::And(vec![
                SegmentFilter::Attribute {
                    key: "plan".to_owned(),
                    op: AttributeOp::Eq,
                    value: Some(AttributeValue::Text("pro".to_owned())),
                },
                SegmentFilter::EmailDomain(vec!["gmail.com".to_owned(), "yahoo.com".to_owned()]),
                SegmentFilter::Created(TimeWindow::WithinDays(365)),
            ]),
        ),
        (
            "lists_engagement",
            "(list 1 OR list 2) AND NOT hard-bounced AND opened any of last 5 campaigns",
            SegmentFilter::And(vec![
                SegmentFilter::Or(vec![on(0, None), on(1, None)]),
                SegmentFilter::Not(Box::new(SegmentFilter::HardBounced)),
                SegmentFilter::OpenedAnyOfLast { campaigns: 5 },
            ]),
        ),
    ]
}

/// Times `Segments::count` for each filter.
pub async fn measure(pool: &PgPool, lists: &[i64]) -> Vec<SegmentTiming> {
    let segments = Segments::new(pool.clone());
    let mut out = Vec::new();
    for (name, description, filter) in filters(lists) {
        filter.validate().expect("a valid benchmark filter");
        let mut last = None;
        for _ in 0..WARM_UP {
            last = Some(segments.count(&filter).await.expect("count"));
        }
        let mut millis = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let start = Instant::now();
            last = Some(segments.count(&filter).await.expect("count"));
            millis.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        millis.sort_by(f64::total_cmp);
        for line in segments.plan(&filter).await.expect("plan") {
            println!("  plan {name}: {line}");
        }
        let count = last.unwrap_or_default();
        let timing = SegmentTiming {
            name,
            description,
            matching: count.matching,
            sendable: count.sendable,
            p50_ms: percentile(&millis, 50),
            p95_ms: percentile(&millis, 95),
        };
        println!(
            "segment {name}: {} matching, {} sendable, p50 {:.1} ms, p95 {:.1} ms",
            timing.matching, timing.sendable, timing.p50_ms, timing.p95_ms
        );
        out.push(timing);
    }
    out
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}
