use crate::settings::{Base, Check, Checker};
use crate::settings::{Schedule, Weekday};
use serde::{Deserialize, Serialize};

/// A scarcity flash sale in every chat group: "today 15:00–16:00, only 10 left" (docs/field-figures.md §2.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FlashSale {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// When the sale opens (default 15:00 on Saturdays).
    pub schedule: Schedule,
    /// Minutes the sale lasts (default 60).
    pub window_minutes: u32,
    /// Units on sale per group (default 10; 0 = unlimited).
    pub stock: u32,
    /// Discount per unit (default 15).
    pub discount: f64,
    /// Minutes before opening that the sale is announced (default 120).
    pub announce_minutes: u32,
    /// Log-odds of visiting the sale for a member who saw the announcement (default −1.5).
    pub visit_base: f64,
    /// Log-odds scarcity adds to buying while stock is low, per unit of
    /// `1 − remaining / stock` (default 1.0).
    pub scarcity_weight: f64,
    /// Log-odds of buying on a visit before scarcity and the discount (default −1.8,
    /// calibrated).
    pub buy_base: f64,
}

impl Default for FlashSale {
    fn default() -> Self {
        FlashSale {
            enabled: true,
            schedule: Schedule::weekly(15, 0, &[Weekday::Saturday]),
            window_minutes: 60,
            stock: 10,
            discount: 15.0,
            announce_minutes: 120,
            visit_base: -1.5,
            scarcity_weight: 1.0,
            buy_base: -1.8,
        }
    }
}

impl Check for FlashSale {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let FlashSale {
            enabled: _,
            schedule,
            window_minutes,
            stock: _,
            discount,
            announce_minutes,
            visit_base,
            scarcity_weight,
            buy_base,
        } = self;
        c.needs_groups(base);
        c.check("schedule", schedule, base);
        let open = schedule.time.minute();
        if *window_minutes == 0 || open + *window_minutes > 24 * 60 {
            c.push(
                "window_minutes",
                format!(
                    "{} is out of range: allowed 1 to {} (the sale must end by midnight)",
                    *window_minutes,
                    24 * 60 - open
                ),
            );
        }
        if *announce_minutes > open {
            c.push(
                "announce_minutes",
                format!(
                    "{} is out of range: allowed 0 to {open} (announced the same day)",
                    *announce_minutes
                ),
            );
        }
        c.non_negative("discount", *discount);
        if *discount >= base.product.price {
            c.push(
                "discount",
                format!(
                    "{} is out of range: allowed below the price {}",
                    *discount, base.product.price
                ),
            );
        }
        c.log_odds("visit_base", *visit_base);
        c.log_odds("scarcity_weight", *scarcity_weight);
        c.log_odds("buy_base", *buy_base);
    }
}
