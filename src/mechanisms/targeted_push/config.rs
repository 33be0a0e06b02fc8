use crate::settings::{Base, Check, Checker};
use crate::settings::{Schedule, Weekday};
use serde::{Deserialize, Serialize};

/// CRM tags and a targeted push to members who visit often but never buy (docs/field-figures.md §2.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TargetedPush {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// When pushes go out (default 20:00 on Wednesdays).
    pub schedule: Schedule,
    /// A member is tagged "visits, never buys" after this many group visits without an
    /// order (default 4).
    pub visits_to_tag: u32,
    /// Exclusive code value (default 8).
    pub coupon: f64,
    /// Minutes the code stays valid (default 1440).
    pub valid_minutes: u32,
    /// Send the same push to every member instead (the broadcast it is compared with;
    /// default false).
    pub broadcast: bool,
    /// Log-odds that a tagged member opens a personal message (default 1.2, calibrated).
    pub open_base: f64,
    /// Extra log-odds for a message that names the member's interest and tracks the parcel
    /// (default 0.3, calibrated).
    pub personal_strength: f64,
}

impl Default for TargetedPush {
    fn default() -> Self {
        TargetedPush {
            enabled: true,
            schedule: Schedule::weekly(20, 0, &[Weekday::Wednesday]),
            visits_to_tag: 4,
            coupon: 8.0,
            valid_minutes: 1440,
            broadcast: false,
            open_base: 1.2,
            personal_strength: 0.3,
        }
    }
}

impl Check for TargetedPush {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let TargetedPush {
            enabled: _,
            schedule,
            visits_to_tag,
            coupon,
            valid_minutes,
            broadcast: _,
            open_base,
            personal_strength,
        } = self;
        c.needs_groups(base);
        c.check("schedule", schedule, base);
        if *visits_to_tag == 0 {
            c.push(
                "visits_to_tag",
                "0 is out of range: allowed at least 1 visit",
            );
        }
        c.non_negative("coupon", *coupon);
        if *valid_minutes == 0 {
            c.push(
                "valid_minutes",
                "0 is out of range: allowed at least 1 minute",
            );
        }
        c.log_odds("open_base", *open_base);
        c.log_odds("personal_strength", *personal_strength);
    }
}
