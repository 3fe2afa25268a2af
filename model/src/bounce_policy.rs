//! The admin's bounce and complaint rules as the Sending page edits them (table
//! `bounce_policy`): shared by the page (wasm) and the engine, so the form refuses an
//! out-of-range number with the same words the server would.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Most soft bounces the admin may allow before an address is suppressed: beyond this an
/// address that never takes mail keeps being sent to, which hurts the sender's reputation.
pub const MAX_SOFT_BOUNCE_LIMIT: i32 = 50;
/// Longest window (days) soft bounces are counted in: a year; older failures say nothing
/// about an address today.
pub const MAX_SOFT_BOUNCE_DAYS: i32 = 365;
/// Longest time (months) raw open/click events are kept: ten years, so the partitioned event
/// table cannot grow without bound by a typo.
pub const MAX_RETENTION_MONTHS: i32 = 120;

/// The whole policy, one value per form input; what the server loads and saves in one go so
/// the card never shows a half-saved mix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BouncePolicySettings {
    /// A hard bounce (the address does not exist) suppresses the address at once.
    pub suppress_hard: bool,
    /// Soft bounces (temporary failures) within `soft_bounce_days` that suppress an address.
    pub soft_bounce_limit: i32,
    /// The window, in days, soft bounces are counted in.
    pub soft_bounce_days: i32,
    /// A complaint ("this is spam") unsubscribes the person from every list.
    pub complaint_unsubscribes: bool,
    /// A person's reply to the bounce address goes on to the campaign's reply-to.
    pub forward_replies: bool,
    /// Months raw open/click events are kept (the rollups the charts read are kept forever).
    pub event_retention_months: i32,
}

impl Default for BouncePolicySettings {
    /// The migration's defaults, so a missing row reads as what a new install starts with.
    fn default() -> Self {
        Self {
            suppress_hard: true,
            soft_bounce_limit: 3,
            soft_bounce_days: 14,
            complaint_unsubscribes: true,
            forward_replies: true,
            event_retention_months: 13,
        }
    }
}

/// Why the settings cannot be saved: the input at fault (named like the struct field, which
/// is also the form input's name and the server's error field) and what to enter instead.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{message}")]
pub struct PolicyProblem {
    /// The struct field (and form input) at fault, so the page can put the message under it.
    pub field: &'static str,
    /// What to enter instead, lower case without a full stop (callers make it a sentence).
    pub message: String,
}

impl BouncePolicySettings {
    /// Checks every number against its range, first problem first (in form order), so the
    /// page and the engine refuse the same values with the same message.
    pub fn validate(&self) -> Result<(), PolicyProblem> {
        if !(1..=MAX_SOFT_BOUNCE_LIMIT).contains(&self.soft_bounce_limit) {
            return Err(PolicyProblem {
                field: "soft_bounce_limit",
                message: format!("suppress after 1 to {MAX_SOFT_BOUNCE_LIMIT} soft bounces"),
            });
        }
        if !(1..=MAX_SOFT_BOUNCE_DAYS).contains(&self.soft_bounce_days) {
            return Err(PolicyProblem {
                field: "soft_bounce_days",
                message: format!("count soft bounces within 1 to {MAX_SOFT_BOUNCE_DAYS} days"),
            });
        }
        if !(1..=MAX_RETENTION_MONTHS).contains(&self.event_retention_months) {
            return Err(PolicyProblem {
                field: "event_retention_months",
                message: format!("keep raw events for 1 to {MAX_RETENTION_MONTHS} months"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(s: &BouncePolicySettings) -> Option<&'static str> {
        s.validate().err().map(|p| p.field)
    }

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(BouncePolicySettings::default().validate(), Ok(()));
    }

    #[test]
    fn each_number_is_checked_at_both_ends_of_its_range() {
        let d = BouncePolicySettings::default();
        let at = |limit, days, months| BouncePolicySettings {
            soft_bounce_limit: limit,
            soft_bounce_days: days,
            event_retention_months: months,
            ..d.clone()
        };
        assert_eq!(field_of(&at(1, 1, 1)), None);
        assert_eq!(field_of(&at(50, 365, 120)), None);
        assert_eq!(field_of(&at(0, 14, 13)), Some("soft_bounce_limit"));
        assert_eq!(field_of(&at(51, 14, 13)), Some("soft_bounce_limit"));
        assert_eq!(field_of(&at(-3, 14, 13)), Some("soft_bounce_limit"));
        assert_eq!(field_of(&at(3, 0, 13)), Some("soft_bounce_days"));
        assert_eq!(field_of(&at(3, 366, 13)), Some("soft_bounce_days"));
        assert_eq!(field_of(&at(3, 14, 0)), Some("event_retention_months"));
        assert_eq!(field_of(&at(3, 14, 121)), Some("event_retention_months"));
    }

    #[test]
    fn the_first_bad_field_in_form_order_is_named_with_its_range() {
        let bad = BouncePolicySettings { soft_bounce_limit: 0, soft_bounce_days: 400, ..Default::default() };
        let problem = bad.validate().unwrap_err();
        assert_eq!(problem.field, "soft_bounce_limit");
        assert_eq!(problem.to_string(), "suppress after 1 to 50 soft bounces");
        let days = BouncePolicySettings { soft_bounce_days: 400, ..Default::default() }.validate().unwrap_err();
        assert_eq!(days.to_string(), "count soft bounces within 1 to 365 days");
    }

    #[test]
    fn settings_survive_the_json_round_trip() {
        let s = BouncePolicySettings { suppress_hard: false, soft_bounce_limit: 5, ..Default::default() };
        let json = serde_json::to_string(&s).expect("encode");
        assert_eq!(serde_json::from_str::<BouncePolicySettings>(&json).expect("decode"), s);
    }
}
