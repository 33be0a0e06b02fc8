use crate::settings::{Base, Check, Checker};
use crate::settings::{Schedule, TimeOfDay};
use serde::{Deserialize, Serialize};

/// "Share to 3 friend groups for a limited-gift draw" in every chat group (docs/field-figures.md §2.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ShareDraw {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// When the draw is announced (default 20:00 on the 1st and 15th day: every 14 days).
    pub schedule: Schedule,
    /// Friend groups a participant must share to (default 3).
    pub shares_required: u32,
    /// Gifts drawn per group (default 3).
    pub gifts: u32,
    /// Cost of one gift (default 50).
    pub gift_value: f64,
    /// Hours the draw stays open (default 24).
    pub open_hours: f64,
    /// Base log-odds of taking part for a member who saw it (default 1.4, calibrated).
    pub participation_base: f64,
    /// Log-odds lost per friend group required beyond the first (default 0.15).
    pub effort_weight: f64,
    /// Log-odds per `ln(1 + gifts · gift_value / members)` (default 0.5).
    pub prize_weight: f64,
    /// Log-odds per unit of engagement above 0.5 (default 1.0).
    pub engagement_weight: f64,
    /// Outsiders who see one share (default 8).
    pub reach_per_share: f64,
    /// Log-odds that an outsider who sees a share opens the product link (default −4.0).
    pub outsider_click_base: f64,
    /// Engagement a participant gains (default 0.1).
    pub participation_engagement: f64,
}

impl Default for ShareDraw {
    fn default() -> Self {
        ShareDraw {
            enabled: true,
            schedule: Schedule {
                time: TimeOfDay(20 * 60),
                weekdays: Vec::new(),
                every_days: 14,
                start_day: 0,
            },
            shares_required: 3,
            gifts: 3,
            gift_value: 50.0,
            open_hours: 24.0,
            participation_base: 1.4,
            effort_weight: 0.15,
            prize_weight: 0.5,
            engagement_weight: 1.0,
            reach_per_share: 8.0,
            outsider_click_base: -4.0,
            participation_engagement: 0.1,
        }
    }
}

impl Check for ShareDraw {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let ShareDraw {
            enabled: _,
            schedule,
            shares_required,
            gifts: _,
            gift_value,
            open_hours,
            participation_base,
            effort_weight,
            prize_weight,
            engagement_weight,
            reach_per_share,
            outsider_click_base,
            participation_engagement,
        } = self;
        c.needs_groups(base);
        c.check("schedule", schedule, base);
        if *shares_required == 0 || *shares_required > 20 {
            c.push(
                "shares_required",
                format!(
                    "{} is out of range: allowed 1 to 20 friend groups",
                    *shares_required
                ),
            );
        }
        c.non_negative("gift_value", *gift_value);
        c.range("open_hours", *open_hours, 0.25, 168.0);
        for (k, x) in [
            ("participation_base", *participation_base),
            ("effort_weight", *effort_weight),
            ("prize_weight", *prize_weight),
            ("engagement_weight", *engagement_weight),
            ("outsider_click_base", *outsider_click_base),
        ] {
            c.log_odds(k, x);
        }
        c.range("reach_per_share", *reach_per_share, 0.0, 10_000.0);
        c.range(
            "participation_engagement",
            *participation_engagement,
            -1.0,
            1.0,
        );
    }
}
