use crate::settings::{Schedule, settings};

settings! {
    /// "Share to 3 friend groups for a limited-gift draw" in every chat group (docs/field-figures.md §2.8).
    pub struct ShareDraw {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// When the draw is announced (default 20:00 on the 1st and 15th day: every 14 days).
        schedule: Schedule = Schedule::every(14, 20, 0) => nested,
        /// Friend groups a participant must share to (default 3).
        shares_required: u32 = 3 => between(1, 20, "friend groups"),
        /// Gifts drawn per group (default 3).
        gifts: u32 = 3 => any,
        /// Cost of one gift (default 50).
        gift_value: f64 = 50.0 => money,
        /// Hours the draw stays open (default 24).
        open_hours: f64 = 24.0 => range(0.25, 168.0),
        /// Base log-odds of taking part for a member who saw it (default 1.4, calibrated).
        participation_base: f64 = 1.4 => log_odds,
        /// Log-odds lost per friend group required beyond the first (default 0.15).
        effort_weight: f64 = 0.15 => log_odds,
        /// Log-odds per `ln(1 + gifts · gift_value / members)` (default 0.5).
        prize_weight: f64 = 0.5 => log_odds,
        /// Log-odds per unit of engagement above 0.5 (default 1.0).
        engagement_weight: f64 = 1.0 => log_odds,
        /// Outsiders who see one share (default 8).
        reach_per_share: f64 = 8.0 => range(0.0, 10_000.0),
        /// Log-odds that an outsider who sees a share opens the product link (default −4.0).
        outsider_click_base: f64 = -4.0 => log_odds,
        /// Engagement a participant gains (default 0.1).
        participation_engagement: f64 = 0.1 => range(-1.0, 1.0),
    }
    check(self, base, c) {
        c.needs_groups(base);
    }
}
