use crate::settings::TimeOfDay;
use crate::settings::{Base, Check, Checker};
use serde::{Deserialize, Serialize};

/// One reward tier of order proofs, by order value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ProofTier {
    /// Orders below this value fall in the tier (absent: no upper bound; the last tier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Cash reward (default 0).
    pub cash: f64,
    /// Coupon reward (default 0).
    pub coupon: f64,
}

impl Default for ProofTier {
    fn default() -> Self {
        ProofTier {
            below: None,
            cash: 0.0,
            coupon: 0.0,
        }
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

/// Curated proofs pushed to the group with an exclusive coupon link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Curation {
    /// Proofs pushed per group and week (the best of the previous days; default 3).
    pub per_week: u32,
    /// Coupon of the exclusive link (default 5).
    pub coupon: f64,
    /// Minutes the link's coupon stays valid (default 120).
    pub valid_minutes: u32,
    /// Time of the push (default "20:00"); proofs are pushed the day after they were posted,
    /// within an hour of being picked.
    pub time: TimeOfDay,
    /// Proofs pinned per group and week (default 7); a pinned proof stays in view all week.
    pub pinned_per_week: u32,
    /// Probability that a member who opened a curated proof forwards it to friends outside
    /// the group (default 0.3).
    pub forward: f64,
    /// Outsiders reached per forward (default 3).
    pub reach_per_forward: f64,
}

impl Default for Curation {
    fn default() -> Self {
        Curation {
            per_week: 3,
            coupon: 5.0,
            valid_minutes: 120,
            time: TimeOfDay(20 * 60),
            pinned_per_week: 7,
            forward: 0.3,
            reach_per_forward: 3.0,
        }
    }
}

/// Order-proof ("show your order") rewards in every chat group (docs/field-figures.md §2.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OrderProofs {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// Reward tiers by order value, ascending `below`, the last without `below` (default:
    /// the field's tiers: < 50 → coupon 4; 50–200 → cash 9; > 200 → cash 15 + coupon 20).
    pub tiers: Vec<ProofTier>,
    /// Days reward coupons stay valid (default 14).
    pub coupon_valid_days: u32,
    /// Rules pinned and announced in the group (default true); without them only a share
    /// `unaware_share` of buyers know the program exists.
    pub announce_rules: bool,
    /// Verification rule (default none).
    pub verification: Verification,
    /// With verification, orders at or above this value are checked by hand (default 200);
    /// without verification every proof is looked at by hand.
    pub manual_above: f64,
    /// Staff minutes per proof checked by hand (default 3).
    pub check_minutes: f64,
    /// Staff wage per hour (default 40).
    pub wage_per_hour: f64,
    /// Cost of one automatic check (default 0.1).
    pub auto_check_cost: f64,
    /// Rewarded proofs per member and week (default 2; 0 = no cap).
    pub weekly_cap: u32,
    /// Weekly reward budget as a share of the previous week's sales to group members
    /// (absent: no budget). Rewards stop for the week once it is spent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly_budget_share: Option<f64>,
    /// Extra reward for a proof with a usage story (≥ 20 characters + 3 photos; default 0).
    pub quality_bonus: f64,
    /// Curated proofs pushed with a coupon link and pinned (absent: no curation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curation: Option<Curation>,
    /// Base log-odds that a buyer who knows the program posts a proof (default −2.4,
    /// calibrated).
    pub post_base: f64,
    /// Log-odds per `ln(1 + reward)`, coupons counting `coupon_value_share` of their face
    /// value (default 0.6, calibrated).
    pub reward_weight: f64,
    /// Share of a reward coupon's face value that counts as reward: in the reward `R` a
    /// poster weighs and in what the weekly budget books for it (default 0.5).
    pub coupon_value_share: f64,
    /// Share of buyers who know the program when its rules are not announced (default 0.35, calibrated).
    pub unaware_share: f64,
    /// Fake-proof attempts per member and week per `ln(1 + reward)` (default 0.0003,
    /// calibrated).
    pub fake_rate: f64,
    /// Share of fakes that pass order-digit verification (default 0.45, calibrated); fakers
    /// who know proofs are verified attempt `fake_pass` as often.
    pub fake_pass: f64,
    /// Order value a fake proof claims (default 100): under verification it is checked by
    /// hand only at or above `manual_above`.
    pub fake_order_value: f64,
    /// Base log-odds that a proof tells a usage story (default −1.6).
    pub story_base: f64,
    /// Log-odds per unit of quality bonus (default 0.2, calibrated).
    pub story_bonus_weight: f64,
    /// Persuasive strength of a proof seen, photo-only (default 0.15); feeds intent.
    pub proof_strength: f64,
    /// Extra log-odds of opening a story proof over a photo-only one (default 1.5,
    /// calibrated).
    pub story_appeal: f64,
    /// Extra log-odds of buying after opening a story proof (default 1.2, calibrated).
    pub story_strength: f64,
    /// Base log-odds that a member who sees a proof opens it (default −3.0).
    pub open_base: f64,
    /// Base log-odds that a friend outside the group opens a curated proof a member
    /// forwarded to them: a personal message, read whenever they next look, not a group
    /// broadcast (default −1.175, calibrated; between a share into a friend group, −4, and a
    /// seller's personal message to an interested member, `targeted_push.open_base` 1.2).
    pub forward_open_base: f64,
    /// Probability that a member who sees a rewarded proof reacts (likes, comments; default
    /// 0.05, calibrated).
    pub reaction: f64,
    /// Engagement a member gains by reacting to a proof (default 0.02).
    pub reaction_engagement: f64,
    /// Hours an unpinned message stays in view before it scrolls away (default 6).
    pub message_life_hours: f64,
    /// Satisfaction a rewarded poster reaches (feeds repurchase; default 0.8).
    pub poster_satisfaction: f64,
}

impl Default for OrderProofs {
    fn default() -> Self {
        OrderProofs {
            enabled: true,
            tiers: vec![
                ProofTier {
                    below: Some(50.0),
                    cash: 0.0,
                    coupon: 4.0,
                },
                ProofTier {
                    below: Some(200.0),
                    cash: 9.0,
                    coupon: 0.0,
                },
                ProofTier {
                    below: None,
                    cash: 15.0,
                    coupon: 20.0,
                },
            ],
            coupon_valid_days: 14,
            announce_rules: true,
            verification: Verification::None,
            manual_above: 200.0,
            check_minutes: 3.0,
            wage_per_hour: 40.0,
            auto_check_cost: 0.1,
            weekly_cap: 2,
            weekly_budget_share: None,
            quality_bonus: 0.0,
            curation: None,
            post_base: -2.4,
            reward_weight: 0.6,
            coupon_value_share: 0.5,
            unaware_share: 0.35,
            fake_rate: 0.0003,
            fake_pass: 0.45,
            fake_order_value: 100.0,
            story_base: -1.6,
            story_bonus_weight: 0.2,
            proof_strength: 0.15,
            story_appeal: 1.5,
            story_strength: 1.2,
            open_base: -3.0,
            forward_open_base: -1.175,
            reaction: 0.05,
            reaction_engagement: 0.02,
            message_life_hours: 6.0,
            poster_satisfaction: 0.8,
        }
    }
}

impl Check for OrderProofs {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let OrderProofs {
            enabled: _,
            tiers,
            coupon_valid_days,
            announce_rules: _,
            verification: _,
            manual_above,
            check_minutes,
            wage_per_hour,
            auto_check_cost,
            weekly_cap: _,
            weekly_budget_share,
            quality_bonus,
            curation,
            post_base,
            reward_weight,
            coupon_value_share,
            unaware_share,
            fake_rate,
            fake_pass,
            fake_order_value,
            story_base,
            story_bonus_weight,
            proof_strength,
            story_appeal,
            story_strength,
            open_base,
            forward_open_base,
            reaction,
            reaction_engagement,
            message_life_hours,
            poster_satisfaction,
        } = self;
        c.needs_groups(base);
        if tiers.is_empty() {
            c.push(
                "tiers",
                "no reward tiers: allowed one or more, e.g. [{ cash = 5.0 }]",
            );
        }
        let mut last = 0.0;
        for (k, t) in tiers.iter().enumerate() {
            let ProofTier {
                below,
                cash,
                coupon,
            } = t;
            c.within(&format!("tiers[{k}]"), |c| {
            c.non_negative("cash", *cash);
            c.non_negative("coupon", *coupon);
            let final_tier = k + 1 == tiers.len();
            match *below {
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
            }
        });
        }
        if *coupon_valid_days == 0 {
            c.push(
                "coupon_valid_days",
                "0 is out of range: allowed at least 1 day",
            );
        }
        c.non_negative("manual_above", *manual_above);
        c.non_negative("check_minutes", *check_minutes);
        c.non_negative("wage_per_hour", *wage_per_hour);
        c.non_negative("auto_check_cost", *auto_check_cost);
        if let Some(b) = *weekly_budget_share {
            c.prob("weekly_budget_share", b);
        }
        c.non_negative("quality_bonus", *quality_bonus);
        if let Some(cu) = curation {
            c.check("curation", cu, base);
        }
        for (k, x) in [
            ("post_base", *post_base),
            ("reward_weight", *reward_weight),
            ("story_base", *story_base),
            ("story_bonus_weight", *story_bonus_weight),
            ("story_appeal", *story_appeal),
            ("story_strength", *story_strength),
            ("open_base", *open_base),
            ("forward_open_base", *forward_open_base),
            ("proof_strength", *proof_strength),
        ] {
            c.log_odds(k, x);
        }
        c.prob("unaware_share", *unaware_share);
        c.range("fake_rate", *fake_rate, 0.0, 1.0);
        c.prob("fake_pass", *fake_pass);
        c.prob("reaction", *reaction);
        c.prob("reaction_engagement", *reaction_engagement);
        c.prob("coupon_value_share", *coupon_value_share);
        c.non_negative("fake_order_value", *fake_order_value);
        c.positive("message_life_hours", *message_life_hours);
        c.prob("poster_satisfaction", *poster_satisfaction);
    }
}

impl Check for Curation {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Curation {
            per_week,
            coupon,
            valid_minutes,
            time: _,
            pinned_per_week,
            forward,
            reach_per_forward,
        } = self;
        if *per_week > 7 {
            c.push(
                "per_week",
                format!("{per_week} is out of range: allowed 0 to 7 pushes a week"),
            );
        }
        c.non_negative("coupon", *coupon);
        if *valid_minutes == 0 {
            c.push(
                "valid_minutes",
                "0 is out of range: allowed at least 1 minute",
            );
        }
        if *pinned_per_week > 50 {
            c.push(
                "pinned_per_week",
                format!("{pinned_per_week} is out of range: allowed 0 to 50"),
            );
        }
        c.prob("forward", *forward);
        c.range("reach_per_forward", *reach_per_forward, 0.0, 1000.0);
    }
}
