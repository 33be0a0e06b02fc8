use crate::settings::{Schedule, TimeOfDay, Weekday, settings};
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

settings! {
    /// How strongly each topic draws members in: log-odds added to the participation choice.
    pub struct TopicRelevance {
        /// Product choice (default 1.8, calibrated).
        product_choice: f64 = 1.8 => log_odds,
        /// Discount format (default 2.2, calibrated).
        discount_format: f64 = 2.2 => log_odds,
        /// Usage scenario (default 2.8, calibrated).
        usage_scenario: f64 = 2.8 => log_odds,
        /// New-product test (default 3.4, calibrated).
        new_product_test: f64 = 3.4 => log_odds,
        /// General topics (default 0).
        general: f64 = 0.0 => log_odds,
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

settings! {
    /// One recurring vote.
    pub struct VoteProgram {
        /// Topic (default product_choice).
        topic: VoteTopic = VoteTopic::ProductChoice => any,
        /// When the vote opens (default 19:30 on Thursdays, weekly).
        schedule: Schedule = Schedule::weekly(19, 30, &[Weekday::Thursday]) => nested,
        /// Hours the vote stays open (default 7).
        open_hours: f64 = 7.0 => range(0.25, 72.0),
        /// Choices offered (default 3); a participant picks the winner with probability
        /// 1 / choices.
        choices: u32 = 3 => at_least(2, "choices"),
        /// Coupon for every participant (default 0: none).
        participation_coupon: f64 = 0.0 => money,
        /// Extra coupon for participants who picked the winning choice (default 0: none).
        winner_bonus: f64 = 0.0 => money,
        /// Days reward coupons stay valid (default 7).
        coupon_valid_days: u32 = 7 => at_least(1, "day"),
        /// What follows the result (default: the topic's natural link; `none` for general topics).
        #[serde(skip_serializing_if = "Option::is_none")]
        link: Option<VoteLink> = None => any,
        /// Minutes between the result and its linked push (default 30).
        result_delay_minutes: u32 = 30 => range(0.0, 1440.0),
        /// Coupon (or flash-sale discount) of the linked push (default 5).
        result_coupon: f64 = 5.0 => money,
        /// Minutes the linked offer stays valid (default 60).
        result_valid_minutes: u32 = 60 => at_least(1, "minute"),
    }
}

settings! {
    /// Topic votes in every chat group (docs/field-figures.md §2.6).
    pub struct Votes {
        /// Switch off without deleting (default true).
        enabled: bool = true => any,
        /// The recurring votes (default: one weekly product-choice vote).
        program: Vec<VoteProgram> = vec![VoteProgram::default()]
            => non_empty("no vote programs: add at least one [[mechanisms.votes.program]]"),
        /// Stop issuing reward coupons while the rewards redeemed exceed this share of the sales
        /// so far (absent: no cap). The field's rule: 5–8% of expected sales.
        #[serde(skip_serializing_if = "Option::is_none")]
        reward_cap_share: Option<f64> = None => prob,
        /// Base log-odds that a member who saw the vote takes part (default −0.7, calibrated).
        participation_base: f64 = -0.7 => log_odds,
        /// Topic relevance (log-odds).
        relevance: TopicRelevance = TopicRelevance::default() => nested,
        /// Log-odds per `ln(1 + expected reward)` of the participation choice (default 0.4).
        reward_weight: f64 = 0.4 => log_odds,
        /// Log-odds per unit of engagement above 0.5 (default 1.0).
        engagement_weight: f64 = 1.0 => log_odds,
        /// Hours over which the vote message sinks out of view: a look `h` hours after opening
        /// finds it with weight `exp(−h / visibility_hours)` (default 12, calibrated).
        visibility_hours: f64 = 12.0 => positive,
        /// Engagement a participant gains (default 0.1).
        participation_engagement: f64 = 0.1 => range(-1.0, 1.0),
        /// Intent (log-odds) a participant gains: involvement with the product (default 0.3).
        involvement_intent: f64 = 0.3 => log_odds,
        /// Log-odds a participant's purchase decision gains on a vote's linked offer: it is for
        /// what the participant just chose or asked about (default 0.875, calibrated).
        link_strength: f64 = 0.875 => log_odds,
        /// Probability that a participant is waiting for the result when it is announced; it
        /// fades as `exp(−minutes / anticipation_minutes)` until the linked push (default 0.75,
        /// calibrated).
        anticipation: f64 = 0.75 => prob,
        /// Minutes over which a participant stops waiting for the linked push after the result
        /// (default 60).
        anticipation_minutes: f64 = 60.0 => positive,
        /// Persuasive strength of a scenario bundle's content, in social-proof units (default
        /// 0.5): it weighs in the purchase decision like social proof, and leaves intent when
        /// the member does not buy.
        bundle_strength: f64 = 0.5 => range(-5.0, 5.0),
        /// Staff hours, from: a vote closing earlier in the day has its result announced
        /// at this time (default "09:00").
        staff_from: TimeOfDay = TimeOfDay(9 * 60) => custom,
        /// Staff hours, until: a vote closing at or after this time has its result announced
        /// at `staff_from` the next day (default "23:00").
        staff_until: TimeOfDay = TimeOfDay(23 * 60) => custom,
    }
    check(self, base, c) {
        c.needs_groups(base);
        c.day_hours(
            ("staff_from", self.staff_from),
            ("staff_until", self.staff_until),
            "staff hours",
        );
    }
}
