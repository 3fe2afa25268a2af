//! The admin's rules for turning reports into suppressions (table `bounce_policy`): a hard
//! bounce suppresses at once, soft bounces after N within M days, a complaint unsubscribes.
//! The Sending page reads and saves the whole row through [`load_settings`] and
//! [`save_settings`].

use model::bounce_policy::{BouncePolicySettings, PolicyProblem};
use sqlx::PgPool;
use thiserror::Error;

/// The columns of `bounce_policy` in [`BouncePolicySettings`] order.
const SETTINGS_COLUMNS: &str = "suppress_hard, soft_bounce_limit, soft_bounce_days, complaint_unsubscribes, \
     forward_replies, event_retention_months";

/// One `bounce_policy` row as read with [`SETTINGS_COLUMNS`].
type SettingsRow = (bool, i32, i32, bool, bool, i32);

/// Why the policy was not saved; nothing is written when one is returned.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// A number is out of range; `field` names the form input the page marks.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    /// The row could not be written; logged, and answered without details.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<PolicyProblem> for PolicyError {
    /// The model's check, kept as a field error for the page.
    fn from(p: PolicyProblem) -> Self {
        Self::Invalid { field: p.field, message: p.message }
    }
}

/// One row of `bounce_policy`, read for every report so a change applies at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BouncePolicy {
    pub suppress_hard: bool,
    pub soft_bounce_limit: i32,
    pub soft_bounce_days: i32,
    pub complaint_unsubscribes: bool,
    pub forward_replies: bool,
}

impl Default for BouncePolicy {
    /// The migration's defaults, used if the row is missing.
    fn default() -> Self {
        Self {
            suppress_hard: true,
            soft_bounce_limit: 3,
            soft_bounce_days: 14,
            complaint_unsubscribes: true,
            forward_replies: true,
        }
    }
}

impl BouncePolicy {
    /// The stored policy.
    pub async fn load(pool: &PgPool) -> Result<Self, sqlx::Error> {
        let row: Option<(bool, i32, i32, bool, bool)> = sqlx::query_as(
            "SELECT suppress_hard, soft_bounce_limit, soft_bounce_days, complaint_unsubscribes, forward_replies \
             FROM bounce_policy",
        )
        .fetch_optional(pool)
        .await?;
        Ok(row.map_or_else(Self::default, |(suppress_hard, soft_bounce_limit, soft_bounce_days, c, f)| Self {
            suppress_hard,
            soft_bounce_limit,
            soft_bounce_days,
            complaint_unsubscribes: c,
            forward_replies: f,
        }))
    }
}

/// The whole policy for the Sending page; the migration's defaults if the row is missing (it
/// is recreated on the next save).
pub async fn load_settings(pool: &PgPool) -> Result<BouncePolicySettings, sqlx::Error> {
    let row: Option<SettingsRow> =
        sqlx::query_as(&format!("SELECT {SETTINGS_COLUMNS} FROM bounce_policy")).fetch_optional(pool).await?;
    Ok(row.map_or_else(BouncePolicySettings::default, settings_from_row))
}

/// Checks and stores the whole policy in the single row (recreating it if it was deleted) and
/// answers what is now stored. Reports that arrive afterwards use it at once: the intake reads
/// the row for every report.
pub async fn save_settings(
    pool: &PgPool,
    settings: &BouncePolicySettings,
) -> Result<BouncePolicySettings, PolicyError> {
    settings.validate()?;
    let row: SettingsRow = sqlx::query_as(&format!(
        "INSERT INTO bounce_policy (id, {SETTINGS_COLUMNS}) VALUES (true, $1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET suppress_hard = EXCLUDED.suppress_hard, \
         soft_bounce_limit = EXCLUDED.soft_bounce_limit, soft_bounce_days = EXCLUDED.soft_bounce_days, \
         complaint_unsubscribes = EXCLUDED.complaint_unsubscribes, forward_replies = EXCLUDED.forward_replies, \
         event_retention_months = EXCLUDED.event_retention_months \
         RETURNING {SETTINGS_COLUMNS}"
    ))
    .bind(settings.suppress_hard)
    .bind(settings.soft_bounce_limit)
    .bind(settings.soft_bounce_days)
    .bind(settings.complaint_unsubscribes)
    .bind(settings.forward_replies)
    .bind(settings.event_retention_months)
    .fetch_one(pool)
    .await?;
    Ok(settings_from_row(row))
}

/// A row read with [`SETTINGS_COLUMNS`] as the page's settings.
fn settings_from_row(row: SettingsRow) -> BouncePolicySettings {
    let (suppress_hard, soft_bounce_limit, soft_bounce_days, complaint_unsubscribes, forward_replies, months) = row;
    BouncePolicySettings {
        suppress_hard,
        soft_bounce_limit,
        soft_bounce_days,
        complaint_unsubscribes,
        forward_replies,
        event_retention_months: months,
    }
}
