//! Campaign analytics as the Overview and the campaign report show them: the filter the admin
//! picks, the counters read from the hourly rollups, and the rates computed from them.
//!
//! Rates live here, beside their definitions, so the number on a KPI card and the sentence in
//! its ⓘ tooltip cannot drift apart, and the browser and the server compute them the same way.

mod delivery_log;
mod failure;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

pub use delivery_log::{
    DeliveryLogPage, DeliveryLogQuery, DeliveryLogRow, DeliveryLogSort, DomainGroup, ReasonGroup, UNDETERMINED,
};
pub use failure::{FailureExplanation, explain_failure};

use crate::campaigns::Provider;

/// What a dashboard covers: a time range, optionally one campaign or one sender domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsFilter {
    pub from: DateTime<Utc>,
    /// Exclusive end.
    pub to: DateTime<Utc>,
    pub campaign_id: Option<i64>,
    /// The domain of the campaigns' From address (`news.example.com`).
    pub sender_domain: Option<String>,
}

/// Size of one point of a time series: fine enough to see a send, coarse enough that a year
/// is not 8,760 points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Hour,
    Day,
    Month,
}

impl Granularity {
    /// Hours up to 3 days, days up to 120 days, months beyond.
    pub fn for_range(from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let span = to - from;
        if span <= Duration::days(3) {
            Self::Hour
        } else if span <= Duration::days(120) {
            Self::Day
        } else {
            Self::Month
        }
    }

    /// The unit PostgreSQL's `date_trunc` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::Day => "day",
            Self::Month => "month",
        }
    }

    /// The start of the bucket holding `t` (UTC).
    pub fn truncate(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let date = t.date_naive();
        let start = match self {
            Self::Hour => date.and_hms_opt(t.hour(), 0, 0),
            Self::Day => date.and_hms_opt(0, 0, 0),
            Self::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        };
        start.map(|s| Utc.from_utc_datetime(&s)).unwrap_or(t)
    }

    /// The start of the bucket after the one starting at `t`.
    pub fn next(self, t: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::Hour => t + Duration::hours(1),
            Self::Day => t + Duration::days(1),
            Self::Month => t.checked_add_months(Months::new(1)).unwrap_or(t + Duration::days(31)),
        }
    }

    /// Every bucket start from the one holding `from` up to `to` (exclusive), at most
    /// `limit` of them: the x axis of a chart, gaps included.
    pub fn buckets(self, from: DateTime<Utc>, to: DateTime<Utc>, limit: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut at = self.truncate(from);
        while at < to && out.len() < limit {
            out.push(at);
            at = self.next(at);
        }
        out
    }

    /// The axis label of a bucket: "14:00", "Mar 3", "2026-03".
    pub fn label(self, t: DateTime<Utc>) -> String {
        match self {
            Self::Hour => t.format("%b %-d %H:00").to_string(),
            Self::Day => t.format("%b %-d").to_string(),
            Self::Month => t.format("%Y-%m").to_string(),
        }
    }
}

/// The date ranges offered above the dashboard; `Custom` takes the admin's own dates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RangePreset {
    Last24Hours,
    Last7Days,
    #[default]
    Last30Days,
    Last90Days,
    Last12Months,
    Custom,
}

impl RangePreset {
    /// In the order the buttons show them.
    pub const ALL: [Self; 6] =
        [Self::Last24Hours, Self::Last7Days, Self::Last30Days, Self::Last90Days, Self::Last12Months, Self::Custom];

    /// The URL query value and test id suffix (`range-7d`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Last24Hours => "24h",
            Self::Last7Days => "7d",
            Self::Last30Days => "30d",
            Self::Last90Days => "90d",
            Self::Last12Months => "12m",
            Self::Custom => "custom",
        }
    }

    /// The query value back; anything unknown is the default (30 days).
    pub fn parse(s: &str) -> Self {
        Self::ALL.into_iter().find(|p| p.key() == s).unwrap_or_default()
    }

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Last24Hours => "24 h",
            Self::Last7Days => "7 d",
            Self::Last30Days => "30 d",
            Self::Last90Days => "90 d",
            Self::Last12Months => "12 months",
            Self::Custom => "Custom",
        }
    }

    /// The range ending now (the next full hour, so the current hour is included). `Custom`
    /// uses the given days (inclusive), falling back to 30 days when they are missing or
    /// reversed.
    pub fn resolve(
        self,
        now: DateTime<Utc>,
        custom_from: Option<NaiveDate>,
        custom_to: Option<NaiveDate>,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = Granularity::Hour.next(Granularity::Hour.truncate(now));
        let back = |d: Duration| (end - d, end);
        match self {
            Self::Last24Hours => back(Duration::hours(24)),
            Self::Last7Days => back(Duration::days(7)),
            Self::Last30Days => back(Duration::days(30)),
            Self::Last90Days => back(Duration::days(90)),
            Self::Last12Months => {
                let start = Granularity::Month.truncate(now).checked_sub_months(Months::new(11));
                (start.unwrap_or(end - Duration::days(365)), end)
            }
            Self::Custom => match (custom_from, custom_to) {
                (Some(f), Some(t)) if f <= t => {
                    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|n| Utc.from_utc_datetime(&n));
                    match (midnight(f), midnight(t)) {
                        (Some(a), Some(b)) => (a, b + Duration::days(1)),
                        _ => back(Duration::days(30)),
                    }
                }
                _ => back(Duration::days(30)),
            },
        }
    }
}

/// Every counter of the hourly rollups, summed over whatever the dashboard asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Accepted by the relay.
    pub submitted: i64,
    /// Refused by the relay (5xx) or out of attempts.
    pub failed: i64,
    pub deferred: i64,
    /// Confirmed by a delivery status notification; a relay without DSN never reports it.
    pub delivered: i64,
    pub bounced_hard: i64,
    pub bounced_soft: i64,
    pub complained: i64,
    pub opens_human: i64,
    pub opens_machine: i64,
    pub unique_opens: i64,
    pub unique_opens_human: i64,
    pub clicks_human: i64,
    pub clicks_machine: i64,
    pub unique_clicks: i64,
    pub unique_clicks_human: i64,
    pub unsubscribed: i64,
}

/// `part / whole`, or `None` when there is nothing to divide by (shown as "—", not "0 %").
fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Totals {
    /// Adds `other`'s counters to these (series buckets, provider rows).
    pub fn add(&mut self, o: &Totals) {
        self.submitted += o.submitted;
        self.failed += o.failed;
        self.deferred += o.deferred;
        self.delivered += o.delivered;
        self.bounced_hard += o.bounced_hard;
        self.bounced_soft += o.bounced_soft;
        self.complained += o.complained;
        self.opens_human += o.opens_human;
        self.opens_machine += o.opens_machine;
        self.unique_opens += o.unique_opens;
        self.unique_opens_human += o.unique_opens_human;
        self.clicks_human += o.clicks_human;
        self.clicks_machine += o.clicks_machine;
        self.unique_clicks += o.unique_clicks;
        self.unique_clicks_human += o.unique_clicks_human;
        self.unsubscribed += o.unsubscribed;
    }

    /// Messages the relay accepted: all a relay without DSN can ever confirm.
    pub fn accepted(&self) -> i64 {
        self.submitted
    }

    /// Whether nothing at all happened (the dashboard's empty state).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The base of engagement rates: delivered messages once any delivery was reported,
    /// otherwise accepted ones (a relay without DSN reports no delivery at all).
    pub fn delivered_or_submitted(&self) -> i64 {
        if self.delivered > 0 { self.delivered } else { self.submitted }
    }

    /// Delivered ÷ accepted.
    pub fn deliverability_rate(&self) -> Option<f64> {
        ratio(self.delivered, self.submitted)
    }

    /// Hard and soft bounces ÷ accepted.
    pub fn bounce_rate(&self) -> Option<f64> {
        ratio(self.bounced_hard + self.bounced_soft, self.submitted)
    }

    /// Hard bounces ÷ accepted.
    pub fn hard_bounce_rate(&self) -> Option<f64> {
        ratio(self.bounced_hard, self.submitted)
    }

    /// Soft bounces ÷ accepted.
    pub fn soft_bounce_rate(&self) -> Option<f64> {
        ratio(self.bounced_soft, self.submitted)
    }

    /// Unique human opens ÷ delivered (or accepted).
    pub fn open_rate(&self) -> Option<f64> {
        ratio(self.unique_opens_human, self.delivered_or_submitted())
    }

    /// Machine opens ÷ all opens.
    pub fn machine_open_share(&self) -> Option<f64> {
        ratio(self.opens_machine, self.opens_human + self.opens_machine)
    }

    /// Unique human clicks ÷ delivered (or accepted).
    pub fn click_rate(&self) -> Option<f64> {
        ratio(self.unique_clicks_human, self.delivered_or_submitted())
    }

    /// Unique human clicks ÷ unique human opens.
    pub fn click_to_open(&self) -> Option<f64> {
        ratio(self.unique_clicks_human, self.unique_opens_human)
    }

    /// Unsubscribes ÷ delivered (or accepted).
    pub fn unsubscribe_rate(&self) -> Option<f64> {
        ratio(self.unsubscribed, self.delivered_or_submitted())
    }

    /// Complaints ÷ delivered (or accepted).
    pub fn complaint_rate(&self) -> Option<f64> {
        ratio(self.complained, self.delivered_or_submitted())
    }

    /// The figure of `metric`: a count for the count metrics, a ratio (0–1) for the rates.
    pub fn value(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Sent => Some(self.submitted as f64),
            Metric::Delivered => Some(self.delivered as f64),
            Metric::DeliverabilityRate => self.deliverability_rate(),
            Metric::BounceRate => self.bounce_rate(),
            Metric::HardBounceRate => self.hard_bounce_rate(),
            Metric::SoftBounceRate => self.soft_bounce_rate(),
            Metric::OpenRate => self.open_rate(),
            Metric::MachineOpenShare => self.machine_open_share(),
            Metric::ClickRate => self.click_rate(),
            Metric::ClickToOpen => self.click_to_open(),
            Metric::UnsubscribeRate => self.unsubscribe_rate(),
            Metric::ComplaintRate => self.complaint_rate(),
        }
    }
}

/// A figure a KPI card shows, with the words that define it (its ⓘ tooltip).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Metric {
    Sent,
    Delivered,
    DeliverabilityRate,
    BounceRate,
    HardBounceRate,
    SoftBounceRate,
    OpenRate,
    MachineOpenShare,
    ClickRate,
    ClickToOpen,
    UnsubscribeRate,
    ComplaintRate,
}

impl Metric {
    /// Stable key for test ids and links (`kpi-open-rate`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::DeliverabilityRate => "deliverability",
            Self::BounceRate => "bounce-rate",
            Self::HardBounceRate => "hard-bounce-rate",
            Self::SoftBounceRate => "soft-bounce-rate",
            Self::OpenRate => "open-rate",
            Self::MachineOpenShare => "machine-open-share",
            Self::ClickRate => "click-rate",
            Self::ClickToOpen => "click-to-open",
            Self::UnsubscribeRate => "unsubscribe-rate",
            Self::ComplaintRate => "complaint-rate",
        }
    }

    /// The card's title.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sent => "Sent",
            Self::Delivered => "Delivered",
            Self::DeliverabilityRate => "Deliverability",
            Self::BounceRate => "Bounce rate",
            Self::HardBounceRate => "Hard bounces",
            Self::SoftBounceRate => "Soft bounces",
            Self::OpenRate => "Open rate",
            Self::MachineOpenShare => "Machine opens",
            Self::ClickRate => "Click rate",
            Self::ClickToOpen => "Click-to-open",
            Self::UnsubscribeRate => "Unsubscribe rate",
            Self::ComplaintRate => "Complaint rate",
        }
    }

    /// Whether the figure is a rate (shown in percent) rather than a count.
    pub fn is_rate(self) -> bool {
        !matches!(self, Self::Sent | Self::Delivered)
    }

    /// The exact formula in words, shown in the card's ⓘ tooltip.
    pub fn definition(self) -> &'static str {
        match self {
            Self::Sent => "Messages the relay accepted (SMTP 250). Messages it refused are counted as failed.",
            Self::Delivered => {
                "Messages a delivery status notification (DSN) confirmed as delivered by the recipient's server. A relay \
                 without DSN support never reports this, so compare with the accepted count."
            }
            Self::DeliverabilityRate => "Delivered messages ÷ messages the relay accepted.",
            Self::BounceRate => "Hard and soft bounces ÷ messages the relay accepted.",
            Self::HardBounceRate => {
                "Permanent failures (the address or domain does not exist, blocked for good) ÷ messages the relay \
                 accepted. Hard-bounced addresses are suppressed."
            }
            Self::SoftBounceRate => {
                "Temporary failures that were given up on (mailbox full, server busy, message expired in the queue) ÷ \
                 messages the relay accepted."
            }
            Self::OpenRate => {
                "Unique human opens ÷ delivered messages (accepted messages while no delivery was reported). Opens by \
                 Apple Mail Privacy Protection and image proxies are counted apart as machine opens."
            }
            Self::MachineOpenShare => {
                "Opens by Apple Mail Privacy Protection, image proxies and prefetchers ÷ all opens. They prove nothing \
                 about a person reading, so the open rate leaves them out."
            }
            Self::ClickRate => {
                "Unique human clicks ÷ delivered messages (accepted messages while no delivery was reported). Clicks \
                 by link scanners are left out."
            }
            Self::ClickToOpen => {
                "Unique human clicks ÷ unique human opens (CTOR): how many readers acted on the content."
            }
            Self::UnsubscribeRate => {
                "Recipients who unsubscribed ÷ delivered messages (accepted messages while no delivery was reported)."
            }
            Self::ComplaintRate => {
                "Spam complaints (feedback loop reports) ÷ delivered messages (accepted messages while no delivery was \
                 reported). Keep it under 0.1 %; above 0.3 % Gmail and Yahoo start rejecting mail."
            }
        }
    }
}

/// One point of the time series: the counters of one bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Start of the bucket (UTC).
    pub at: DateTime<Utc>,
    pub totals: Totals,
}

/// The counters of one mailbox provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRow {
    pub provider: Provider,
    pub totals: Totals,
}

/// Clicks on one tracked link of a campaign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRow {
    pub index: i32,
    pub url: String,
    pub clicks_human: i64,
    pub clicks_machine: i64,
    pub unique_clicks_human: i64,
}

/// Everything one dashboard shows, in one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsReport {
    pub granularity: Granularity,
    pub totals: Totals,
    /// Every bucket of the range in order, empty ones included.
    pub series: Vec<SeriesPoint>,
    /// Every provider in `Provider::ALL` order, empty ones included.
    pub providers: Vec<ProviderRow>,
    /// Most clicked links first; only when one campaign is picked.
    pub top_links: Vec<LinkRow>,
    /// For the filter pickers: domains campaigns were sent from.
    pub sender_domains: Vec<String>,
    /// For the filter pickers: sent campaigns (id, name), newest first.
    pub campaigns: Vec<(i64, String)>,
    /// Whether a campaign is sending now (the page then refreshes itself).
    pub any_sending: bool,
}

#[cfg(test)]
mod tests;
