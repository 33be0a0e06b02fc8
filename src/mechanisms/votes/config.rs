use crate::settings::{Base, Check, Checker};
use crate::settings::{Schedule, Weekday};
use serde::{Deserialize, Serialize};

/// What a vote asks about (docs/field-figures.md §2.6).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VoteTopic {
    /// Which product to stock or feature next.
    #[default]
    ProductChoice,
    /// Which discount format the next promotion uses.
    DiscountFormat,
    /// Usage scenarios of the product.
    UsageScenario,
    /// A test of a new product.
    NewProductTest,
    /// A general topic, not about the products.
    General,
}

impl VoteTopic {
    /// The conversion link that naturally follows a vote on this topic.
    pub fn natural_link(self) -> VoteLink {
        match self {
            VoteTopic::ProductChoice => VoteLink::CouponPush,
            VoteTopic::DiscountFormat => VoteLink::FlashSale,
            VoteTopic::UsageScenario => VoteLink::Bundle,
            VoteTopic::NewProductTest => VoteLink::Presale,
            VoteTopic::General => VoteLink::None,
        }
    }
}

/// What follows the announcement of a vote's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoteLink {
    /// Nothing.
    None,
    /// A coupon pushed to the participants.
    CouponPush,
    /// A flash sale for every member, announced with the result.
    FlashSale,
    /// A scenario bundle recommended to the participants.
    Bundle,
    /// Priority access to a pre-sale for the participants.
    Presale,
}

/// How strongly each topic draws members in: log-odds added to the participation choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TopicRelevance {
    /// Product choice (default 1.8, calibrated).
    pub product_choice: f64,
    /// Discount format (default 2.2, calibrated).
    pub discount_format: f64,
    /// Usage scenario (default 2.8, calibrated).
    pub usage_scenario: f64,
    /// New-product test (default 3.4, calibrated).
    pub new_product_test: f64,
    /// General topics (default 0).
    pub general: f64,
}

impl Default for TopicRelevance {
    fn default() -> Self {
        TopicRelevance {
            product_choice: 1.8,
            discount_format: 2.2,
            usage_scenario: 2.8,
            new_product_test: 3.4,
            general: 0.0,
        }
    }
}

impl TopicRelevance {
    /// The relevance of `topic`.
    pub fn of(&self, topic: VoteTopic) -> f64 {
        let TopicRelevance {
            product_choice,
            discount_format,
            usage_scenario,
            new_product_test,
            general,
        } = *self;
        match topic {
            VoteTopic::ProductChoice => product_choice,
            VoteTopic::DiscountFormat => discount_format,
            VoteTopic::UsageScenario => usage_scenario,
            VoteTopic::NewProductTest => new_product_test,
            VoteTopic::General => general,
        }
    }
}

/// One recurring vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct VoteProgram {
    /// Topic (default product_choice).
    pub topic: VoteTopic,
    /// When the vote opens (default 19:30 on Thursdays, weekly).
    pub schedule: Schedule,
    /// Hours the vote stays open (default 7).
    pub open_hours: f64,
    /// Choices offered (default 3); a participant picks the winner with probability
    /// 1 / choices.
    pub choices: u32,
    /// Coupon for every participant (default 0: none).
    pub participation_coupon: f64,
    /// Extra coupon for participants who picked the winning choice (default 0: none).
    pub winner_bonus: f64,
    /// Days reward coupons stay valid (default 7).
    pub coupon_valid_days: u32,
    /// What follows the result (default: the topic's natural link; `none` for general topics).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<VoteLink>,
    /// Minutes between the result and its linked push (default 30).
    pub result_delay_minutes: u32,
    /// Coupon (or flash-sale discount) of the linked push (default 5).
    pub result_coupon: f64,
    /// Minutes the linked offer stays valid (default 60).
    pub result_valid_minutes: u32,
}

impl Default for VoteProgram {
    fn default() -> Self {
        VoteProgram {
            topic: VoteTopic::ProductChoice,
            schedule: Schedule::weekly(19, 30, &[Weekday::Thursday]),
            open_hours: 7.0,
            choices: 3,
            participation_coupon: 0.0,
            winner_bonus: 0.0,
            coupon_valid_days: 7,
            link: None,
            result_delay_minutes: 30,
            result_coupon: 5.0,
            result_valid_minutes: 60,
        }
    }
}

/// Topic votes in every chat group (docs/field-figures.md §2.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Votes {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// The recurring votes (default: one weekly product-choice vote).
    pub program: Vec<VoteProgram>,
    /// Stop issuing reward coupons while the rewards redeemed exceed this share of the sales
    /// so far (absent: no cap). The field's rule: 5–8% of expected sales.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward_cap_share: Option<f64>,
    /// Base log-odds that a member who saw the vote takes part (default −0.7, calibrated).
    pub participation_base: f64,
    /// Topic relevance (log-odds).
    pub relevance: TopicRelevance,
    /// Log-odds per `ln(1 + expected reward)` of the participation choice (default 0.4).
    pub reward_weight: f64,
    /// Log-odds per unit of engagement above 0.5 (default 1.0).
    pub engagement_weight: f64,
    /// Hours over which the vote message sinks out of view: a look `h` hours after opening
    /// finds it with weight `exp(−h / visibility_hours)` (default 12, calibrated).
    pub visibility_hours: f64,
    /// Engagement a participant gains (default 0.1).
    pub participation_engagement: f64,
    /// Intent (log-odds) a participant gains: involvement with the product (default 0.3).
    pub involvement_intent: f64,
    /// Log-odds a participant's purchase decision gains on a vote's linked offer: it is for
    /// what the participant just chose or asked about (default 0.875, calibrated).
    pub link_strength: f64,
    /// Probability that a participant is waiting for the result when it is announced; it
    /// fades as `exp(−minutes / anticipation_minutes)` until the linked push (default 0.75,
    /// calibrated).
    pub anticipation: f64,
    /// Minutes over which a participant stops waiting for the linked push after the result
    /// (default 60).
    pub anticipation_minutes: f64,
    /// Persuasive strength of a scenario bundle's content, in social-proof units (default
    /// 0.5): it weighs in the purchase decision like social proof, and leaves intent when
    /// the member does not buy.
    pub bundle_strength: f64,
}

impl Default for Votes {
    fn default() -> Self {
        Votes {
            enabled: true,
            program: vec![VoteProgram::default()],
            reward_cap_share: None,
            participation_base: -0.7,
            relevance: TopicRelevance::default(),
            reward_weight: 0.4,
            engagement_weight: 1.0,
            visibility_hours: 12.0,
            participation_engagement: 0.1,
            involvement_intent: 0.3,
            link_strength: 0.875,
            anticipation: 0.75,
            anticipation_minutes: 60.0,
            bundle_strength: 0.5,
        }
    }
}

impl Check for Votes {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let Votes {
            enabled: _,
            program,
            reward_cap_share,
            participation_base,
            relevance,
            reward_weight,
            engagement_weight,
            visibility_hours,
            participation_engagement,
            involvement_intent,
            link_strength,
            anticipation,
            anticipation_minutes,
            bundle_strength,
        } = self;
        c.needs_groups(base);
        if program.is_empty() {
            c.push(
                "program",
                "no vote programs: add at least one [[mechanisms.votes.program]]",
            );
        }
        for (k, p) in program.iter().enumerate() {
            c.check(&format!("program[{k}]"), p, base);
        }
        if let Some(cap) = *reward_cap_share {
            c.prob("reward_cap_share", cap);
        }
        c.log_odds("participation_base", *participation_base);
        c.check("relevance", relevance, base);
        c.log_odds("reward_weight", *reward_weight);
        c.log_odds("engagement_weight", *engagement_weight);
        c.positive("visibility_hours", *visibility_hours);
        c.range(
            "participation_engagement",
            *participation_engagement,
            -1.0,
            1.0,
        );
        c.log_odds("involvement_intent", *involvement_intent);
        c.prob("anticipation", *anticipation);
        c.positive("anticipation_minutes", *anticipation_minutes);
        c.range("bundle_strength", *bundle_strength, -5.0, 5.0);
        c.log_odds("link_strength", *link_strength);
    }
}

impl Check for VoteProgram {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let VoteProgram {
            topic: _,
            schedule,
            open_hours,
            choices,
            participation_coupon,
            winner_bonus,
            coupon_valid_days,
            link: _,
            result_delay_minutes,
            result_coupon,
            result_valid_minutes,
        } = self;
        c.check("schedule", schedule, base);
        c.range("open_hours", *open_hours, 0.25, 72.0);
        if *choices < 2 {
            c.push(
                "choices",
                format!("{} is out of range: allowed at least 2 choices", *choices),
            );
        }
        c.non_negative("participation_coupon", *participation_coupon);
        c.non_negative("winner_bonus", *winner_bonus);
        if *coupon_valid_days == 0 {
            c.push(
                "coupon_valid_days",
                "0 is out of range: allowed at least 1 day",
            );
        }
        if *result_delay_minutes > 24 * 60 {
            c.push(
                "result_delay_minutes",
                format!(
                    "{} is out of range: allowed 0 to 1440",
                    *result_delay_minutes
                ),
            );
        }
        c.non_negative("result_coupon", *result_coupon);
        if *result_valid_minutes == 0 {
            c.push(
                "result_valid_minutes",
                "0 is out of range: allowed at least 1 minute",
            );
        }
    }
}

impl Check for TopicRelevance {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let TopicRelevance {
            product_choice,
            discount_format,
            usage_scenario,
            new_product_test,
            general,
        } = self;
        for (k, x) in [
            ("product_choice", product_choice),
            ("discount_format", discount_format),
            ("usage_scenario", usage_scenario),
            ("new_product_test", new_product_test),
            ("general", general),
        ] {
            c.log_odds(k, *x);
        }
    }
}
