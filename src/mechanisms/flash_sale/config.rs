use crate::settings::{Schedule, Weekday, settings};

settings! {
    /// A scarcity flash sale in every chat group: "today 15:00–16:00, only 10 left" (docs/field-figures.md §2.8).
    pub struct FlashSale {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// When the sale opens (default 15:00 on Saturdays).
        schedule: Schedule = Schedule::weekly(15, 0, &[Weekday::Saturday]) => nested,
        /// Minutes the sale lasts (default 60).
        window_minutes: u32 = 60 => custom,
        /// Units on sale per group (default 10; 0 = unlimited).
        stock: u32 = 10 => any,
        /// Discount per unit (default 15).
        discount: f64 = 15.0 => money,
        /// Minutes before opening that the sale is announced (default 120).
        announce_minutes: u32 = 120 => custom,
        /// Log-odds of visiting the sale for a member who saw the announcement (default −1.5).
        visit_base: f64 = -1.5 => log_odds,
        /// Log-odds scarcity adds to buying while stock is low, per unit of
        /// `1 − remaining / stock` (default 1.0).
        scarcity_weight: f64 = 1.0 => log_odds,
        /// Log-odds of buying on a visit before scarcity and the discount (default −1.8,
        /// calibrated).
        buy_base: f64 = -1.8 => log_odds,
    }
    check(self, base, c) {
        c.needs_groups(base);
        let open = self.schedule.time.minute();
        if self.window_minutes == 0 || open + self.window_minutes > 24 * 60 {
            c.push(
                "window_minutes",
                format!(
                    "{} is out of range: allowed 1 to {} (the sale must end by midnight)",
                    self.window_minutes,
                    24 * 60 - open
                ),
            );
        }
        if self.announce_minutes > open {
            c.push(
                "announce_minutes",
                format!(
                    "{} is out of range: allowed 0 to {open} (announced the same day)",
                    self.announce_minutes
                ),
            );
        }
        if self.discount >= base.product.price {
            c.push(
                "discount",
                format!(
                    "{} is out of range: allowed below the price {}",
                    self.discount, base.product.price
                ),
            );
        }
    }
}
