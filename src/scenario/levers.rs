//! Scenario types of the chat-group levers of domain.md 2.6–2.8: topic votes, order-proof
//! rewards, scarcity flash sales, share-to-friend-groups draws and CRM-targeted pushes.
//!
//! Every field has a documented default; behavioural effect sizes marked "calibrated" were
//! set by `promosim calibrate` (docs/calibration.md).

use super::{Schedule, TimeOfDay, Weekday};
use serde::{Deserialize, Serialize};

/// What a vote asks about (domain.md 2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
        match topic {
            VoteTopic::ProductChoice => self.product_choice,
            VoteTopic::DiscountFormat => self.discount_format,
            VoteTopic::UsageScenario => self.usage_scenario,
            VoteTopic::NewProductTest => self.new_product_test,
            VoteTopic::General => self.general,
        }
    }
}

/// One recurring vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl VoteProgram {
    /// The link that follows the result.
    pub fn resolved_link(&self) -> VoteLink {
        self.link.unwrap_or(self.topic.natural_link())
    }
}

/// Topic votes in every chat group (domain.md 2.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// fades as `exp(−minutes / 60)` until the linked push (default 0.75, calibrated).
    pub anticipation: f64,
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
        }
    }
}

/// One reward tier of order proofs, by order value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// Order-proof ("show your order") rewards in every chat group (domain.md 2.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Log-odds per `ln(1 + reward)`, coupons counting half their face value (default 0.6,
    /// calibrated).
    pub reward_weight: f64,
    /// Share of buyers who know the program when its rules are not announced (default 0.35, calibrated).
    pub unaware_share: f64,
    /// Fake-proof attempts per member and week per `ln(1 + reward)` (default 0.0003,
    /// calibrated).
    pub fake_rate: f64,
    /// Share of fakes that pass order-digit verification (default 0.45, calibrated); fakers
    /// who know proofs are verified attempt `fake_pass` as often.
    pub fake_pass: f64,
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
            unaware_share: 0.35,
            fake_rate: 0.0003,
            fake_pass: 0.45,
            story_base: -1.6,
            story_bonus_weight: 0.2,
            proof_strength: 0.15,
            story_appeal: 1.5,
            story_strength: 1.2,
            open_base: -3.0,
            forward_open_base: -1.175,
            reaction: 0.05,
            message_life_hours: 6.0,
            poster_satisfaction: 0.8,
        }
    }
}

/// A scarcity flash sale in every chat group: "today 15:00–16:00, only 10 left" (domain.md 2.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// "Share to 3 friend groups for a limited-gift draw" in every chat group (domain.md 2.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
            reach_per_share: 8.0,
            outsider_click_base: -4.0,
            participation_engagement: 0.1,
        }
    }
}

/// CRM tags and a targeted push to members who visit often but never buy (domain.md 2.8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
