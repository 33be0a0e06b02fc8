use crate::settings::{TimeOfDay, settings};
use serde::{Deserialize, Serialize};

settings! {
    /// One reward tier of order proofs, by order value.
    pub struct ProofTier {
        /// Orders below this value fall in the tier (absent: no upper bound; the last tier).
        #[serde(skip_serializing_if = "Option::is_none")]
        below: Option<f64> = None => custom, // by `OrderProofs`: it depends on the tier's place
        /// Cash reward (default 0).
        cash: f64 = 0.0 => money,
        /// Coupon reward (default 0).
        coupon: f64 = 0.0 => money,
    }
}

impl ProofTier {
    /// The field's tiers: < 50 → coupon 4; 50–200 → cash 9; > 200 → cash 15 + coupon 20.
    fn field_tiers() -> Vec<ProofTier> {
        let tier = |below, cash, coupon| ProofTier {
            below,
            cash,
            coupon,
        };
        vec![
            tier(Some(50.0), 0.0, 4.0),
            tier(Some(200.0), 9.0, 0.0),
            tier(None, 15.0, 20.0),
        ]
    }
}

/// How proofs are verified.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// A person glances at each screenshot; fakes mostly pass.
    #[default]
    None,
    /// Last 4 digits of the order number + recipient's initial, checked against the order
    /// system: automatic for most, by hand for high-value orders.
    OrderDigits,
}

settings! {
    /// Curated proofs pushed to the group with an exclusive coupon link.
    pub struct Curation {
        /// Proofs pushed per group and week (the best of the previous days; default 3).
        per_week: u32 = 3 => between(0, 7, "pushes a week"),
        /// Coupon of the exclusive link (default 5).
        coupon: f64 = 5.0 => money,
        /// Minutes the link's coupon stays valid (default 120).
        valid_minutes: u32 = 120 => at_least(1, "minute"),
        /// Time of the push (default "20:00"); proofs are pushed the day after they were posted,
        /// within an hour of being picked.
        time: TimeOfDay = TimeOfDay(20 * 60) => any,
        /// Proofs pinned per group and week (default 7), one at a time for `168 / n` hours.
        /// Its exposure-time ratio is a property of the schedule (docs/field-figures.md
        /// §2.7); the pin itself is not simulated and changes no forecast.
        pinned_per_week: u32 = 7 => range(0.0, 50.0),
        /// Probability that a member who opened a curated proof forwards it to friends outside
        /// the group (default 0.3).
        forward: f64 = 0.3 => prob,
        /// Outsiders reached per forward (default 3).
        reach_per_forward: f64 = 3.0 => range(0.0, 1000.0),
    }
}

settings! {
    /// Order-proof ("show your order") rewards in every chat group (docs/field-figures.md §2.7).
    pub struct OrderProofs {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// Reward tiers by order value, ascending `below`, the last without `below` (default:
        /// the field's tiers: < 50 → coupon 4; 50–200 → cash 9; > 200 → cash 15 + coupon 20).
        tiers: Vec<ProofTier> = ProofTier::field_tiers()
            => non_empty("no reward tiers: allowed one or more, e.g. [{ cash = 5.0 }]"),
        /// Days reward coupons stay valid (default 14).
        coupon_valid_days: u32 = 14 => at_least(1, "day"),
        /// Rules pinned and announced in the group (default true); without them only a share
        /// `unaware_share` of buyers know the program exists.
        announce_rules: bool = true => any,
        /// Verification rule (default none).
        verification: Verification = Verification::None => any,
        /// With verification, orders at or above this value are checked by hand (default 200);
        /// without verification every proof is looked at by hand.
        manual_above: f64 = 200.0 => non_negative,
        /// Staff minutes per proof checked by hand (default 3).
        check_minutes: f64 = 3.0 => non_negative,
        /// Staff wage per hour (default 40).
        wage_per_hour: f64 = 40.0 => money,
        /// Cost of one automatic check (default 0.1).
        auto_check_cost: f64 = 0.1 => money,
        /// Rewarded proofs per member and week (default 2; 0 = no cap).
        weekly_cap: u32 = 2 => any,
        /// Weekly reward budget as a share of the previous week's sales to group members
        /// (absent: no budget). Rewards stop for the week once it is spent.
        #[serde(skip_serializing_if = "Option::is_none")]
        weekly_budget_share: Option<f64> = None => prob,
        /// Extra reward for a proof with a usage story (≥ 20 characters + 3 photos; default 0).
        quality_bonus: f64 = 0.0 => money,
        /// Curated proofs pushed with a coupon link and pinned (absent: no curation).
        #[serde(skip_serializing_if = "Option::is_none")]
        curation: Option<Curation> = None => nested,
        /// Base log-odds that a buyer who knows the program posts a proof (default −2.4,
        /// calibrated).
        post_base: f64 = -2.4 => log_odds,
        /// Log-odds per `ln(1 + reward)`, coupons counting `coupon_value_share` of their face
        /// value (default 0.6, calibrated).
        reward_weight: f64 = 0.6 => log_odds,
        /// Share of a reward coupon's face value that counts as reward: in the reward `R` a
        /// poster weighs and in what the weekly budget books for it (default 0.5).
        coupon_value_share: f64 = 0.5 => prob,
        /// Share of buyers who know the program when its rules are not announced (default 0.35, calibrated).
        unaware_share: f64 = 0.35 => prob,
        /// Fake-proof attempts per member and week per `ln(1 + reward)` (default 0.0003,
        /// calibrated).
        fake_rate: f64 = 0.0003 => range(0.0, 1.0),
        /// Share of fakes that pass order-digit verification (default 0.45, calibrated); fakers
        /// who know proofs are verified attempt `fake_pass` as often.
        fake_pass: f64 = 0.45 => prob,
        /// Order value a fake proof claims (default 100): under verification it is checked by
        /// hand only at or above `manual_above`.
        fake_order_value: f64 = 100.0 => money,
        /// Base log-odds that a proof tells a usage story (default −1.6).
        story_base: f64 = -1.6 => log_odds,
        /// Log-odds per unit of quality bonus (default 0.2, calibrated).
        story_bonus_weight: f64 = 0.2 => log_odds,
        /// Persuasive strength of a proof seen, photo-only (default 0.15); feeds intent.
        proof_strength: f64 = 0.15 => log_odds,
        /// Extra log-odds of opening a story proof over a photo-only one (default 1.5,
        /// calibrated).
        story_appeal: f64 = 1.5 => log_odds,
        /// Extra log-odds of buying after opening a story proof (default 1.2, calibrated).
        story_strength: f64 = 1.45 => log_odds,
        /// Base log-odds that a member who sees a proof opens it (default −3.0).
        open_base: f64 = -4.9125 => log_odds,
        /// Base log-odds that a friend outside the group opens a curated proof a member
        /// forwarded to them: a personal message, read whenever they next look, not a group
        /// broadcast (default −1.175, calibrated; between a share into a friend group, −4, and a
        /// seller's personal message to an interested member, `targeted_push.open_base` 1.2).
        forward_open_base: f64 = -1.175 => log_odds,
        /// Probability that a member who sees a rewarded proof reacts (likes, comments; default
        /// 0.05, calibrated).
        reaction: f64 = 0.05 => prob,
        /// Engagement a member gains by reacting to a proof (default 0.02).
        reaction_engagement: f64 = 0.02 => prob,
        /// Hours an unpinned message stays in view before it scrolls away, a minute to a
        /// year (default 6): the evening's finds are summed hour by hour over it, so a
        /// subnormal or astronomic life is no message's.
        message_life_hours: f64 = 6.0 => range(1.0 / 60.0, 8760.0),
        /// When the day's proofs appear in the group, by 23:29 (default "20:00": buyers post
        /// after the evening's unboxing, at the groups' activity peak; rewards and the first
        /// opens follow within the half hour).
        post_time: TimeOfDay = TimeOfDay(20 * 60) => custom,
        /// Satisfaction a rewarded poster reaches (feeds repurchase; default 0.8).
        poster_satisfaction: f64 = 0.8 => prob,
    }
    check(self, base, c) {
        c.needs_groups(base);
        if self.post_time.minute() > LAST_POST_MINUTE {
            c.push(
                "post_time",
                format!(
                    "{}: allowed 00:00 to 23:29 (a proof's opens follow within 30 minutes, on the same day)",
                    String::from(self.post_time)
                ),
            );
        }
        let mut last = 0.0;
        for (k, t) in self.tiers.iter().enumerate() {
            let final_tier = k + 1 == self.tiers.len();
            c.within(&format!("tiers[{k}]"), |c| match t.below {
                Some(b) if final_tier => c.push(
                    "below",
                    format!("the last tier must be open-ended: remove `below = {b}` (orders of any higher value fall in it)"),
                ),
                Some(b) if !(b > last && b.is_finite()) => c.push(
                    "below",
                    format!("{b} is out of order: tiers must have increasing `below` values above {last}"),
                ),
                Some(b) => last = b,
                None if !final_tier => c.push(
                    "below",
                    "missing: every tier but the last needs `below` (its upper order value)",
                ),
                None => {}
            });
        }
    }
}

/// The latest minute of the day proofs can be posted: opens follow within 30 minutes.
pub const LAST_POST_MINUTE: u32 = 23 * 60 + 29;
