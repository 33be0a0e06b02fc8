//! Scenario files: the market, the population, the behavioural parameters and the campaign.
//!
//! A scenario is a TOML file. Every field except `product.price` and `product.unit_cost`
//! has a documented default, so a minimal scenario is a few lines:
//!
//! ```toml
//! name = "minimal"
//! [product]
//! price = 99.0
//! unit_cost = 40.0
//! [population]
//! buyers = 20000
//! ```
//!
//! Loading happens in three steps, each in its own place:
//! 1. [`load_file`] / [`load_str`]: read the file, apply `key.path = value` overrides, deserialise with
//!    unknown keys rejected; errors carry the file, the key path and the line and column;
//! 2. [`validate()`]: check every value against what it allows, collecting all problems;
//! 3. [`crate::engine::Plan`]: turn the validated scenario into samplers and constants.
//!
//! A scenario may list candidate campaigns (`[[candidate]]` entries overriding the base by
//! key path); they are resolved and checked at load time, and [`resolve_candidates`] turns
//! them into complete scenarios (the format is in [`candidates`]).
//!
//! `promosim show FILE` prints the resolved scenario with every default filled in.

pub mod candidates;
mod levers;
mod load;
mod validate;

pub use candidates::{Candidate, ResolvedCandidate, SHARED_KEYS, resolve_candidates};
pub use levers::{
    Curation, FlashSale, OrderProofs, ProofTier, ShareDraw, TargetedPush, TopicRelevance,
    Verification, VoteLink, VoteProgram, VoteTopic, Votes,
};
pub use load::{Problem, ScenarioError, apply_override, load_file, load_str, set_path};
pub use validate::{EXCLUDED_CATEGORIES, validate};

use crate::dist::DistSpec;
use serde::{Deserialize, Serialize};

/// A complete scenario: market, population, behaviour and campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name; used for the default output folder. Default: the file's stem.
    #[serde(default)]
    pub name: String,
    /// Free text shown in reports.
    #[serde(default)]
    pub description: String,
    /// Simulated days (default 90).
    #[serde(default = "d_horizon")]
    pub horizon_days: u32,
    /// Monte Carlo trials (default 1000).
    #[serde(default = "d_trials")]
    pub trials: u32,
    /// Master seed (default 1). Trial `i` depends on `(seed, i)` only.
    #[serde(default = "d_seed")]
    pub seed: u64,
    /// Currency label for money columns (default "CNY").
    #[serde(default = "d_currency")]
    pub currency: String,
    /// Weekday of day 0 (default monday).
    #[serde(default)]
    pub start_weekday: Weekday,
    /// The product on sale.
    pub product: Product,
    /// The seller's store.
    #[serde(default)]
    pub seller: Seller,
    /// Who is simulated.
    pub population: PopulationSpec,
    /// How agents behave (every coefficient has a default).
    #[serde(default)]
    pub behaviour: Behaviour,
    /// The campaign: which mechanisms run and how they are configured.
    #[serde(default)]
    pub mechanisms: Mechanisms,
    /// Candidate campaigns (`[[candidate]]` entries): the scenario above is their shared
    /// base, and each overrides values by key path. Empty: the scenario is the only one.
    #[serde(default, rename = "candidate", skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
}

fn d_horizon() -> u32 {
    90
}
fn d_trials() -> u32 {
    1000
}
fn d_seed() -> u64 {
    1
}
fn d_currency() -> String {
    "CNY".into()
}

/// Day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Weekday {
    #[default]
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// 0 for Monday … 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The product on sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Display name (default "product").
    #[serde(default = "d_product_name")]
    pub name: String,
    /// Price per order, in the scenario's currency (> 0). Required.
    pub price: f64,
    /// Cost of goods per unit (>= 0). Required; gross margin = price − unit cost.
    pub unit_cost: f64,
    /// Order value (basket size) distribution, e.g.
    /// `{ dist = "lognormal", mean = 120, cv = 0.8 }` (default: every order is worth
    /// `price`). Revenue is the order value less any discount; cost of goods scales with it
    /// (`unit_cost · value / price`). Tiered rewards read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_value: Option<DistSpec>,
    /// Marketplace category (default "general"). Some categories may not use the review
    /// program: see [`EXCLUDED_CATEGORIES`].
    #[serde(default = "d_category")]
    pub category: String,
    /// Share of units with a defect (default 0.02). Defects make honest reviews negative and
    /// make the buyer dissatisfied (lower repurchase).
    #[serde(default = "d_defect")]
    pub defect_rate: f64,
    /// Share of parcels arriving with damaged packaging (default 0.01).
    #[serde(default = "d_packaging")]
    pub packaging_damage_rate: f64,
    /// Share of orders shipped in the wrong variant (default 0.005).
    #[serde(default = "d_variant")]
    pub variant_error_rate: f64,
    /// Reviews already on the product card (default 0).
    #[serde(default)]
    pub existing_reviews: u32,
    /// Mean star rating of the existing reviews, 1–5 (default 4.0).
    #[serde(default = "d_rating")]
    pub existing_rating: f64,
    /// Mean sentiment, in (0, 1), of an honest review of a unit that arrived without defect,
    /// damage or wrong variant (default 0.75).
    #[serde(default = "d_quality")]
    pub quality: f64,
}

fn d_quality() -> f64 {
    0.75
}

fn d_product_name() -> String {
    "product".into()
}
fn d_category() -> String {
    "general".into()
}
fn d_defect() -> f64 {
    0.02
}
fn d_packaging() -> f64 {
    0.01
}
fn d_variant() -> f64 {
    0.005
}
fn d_rating() -> f64 {
    4.0
}

/// The seller's store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Seller {
    /// Whether the store is a marketplace "top store" (default true). Only top stores may
    /// run the blogger review program.
    pub top_store: bool,
}

impl Default for Seller {
    fn default() -> Self {
        Seller { top_store: true }
    }
}

/// Who is simulated: buyers outside groups, chat groups and their members, bloggers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PopulationSpec {
    /// Buyers outside chat groups: one fully mixed market (default 0).
    pub buyers: u32,
    /// Chat groups; each group is its own mixing pool.
    pub groups: GroupsSpec,
    /// The pool of bloggers who may answer a review application.
    pub bloggers: BloggersSpec,
    /// Distributions of buyers' heterogeneous traits.
    pub traits: TraitsSpec,
}

/// Chat groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupsSpec {
    /// Number of groups (default 0).
    pub count: u32,
    /// Members per group, drawn per group and trial and rounded (default uniform 200–500).
    pub size: DistSpec,
}

impl Default for GroupsSpec {
    fn default() -> Self {
        GroupsSpec {
            count: 0,
            size: DistSpec::Uniform {
                min: 200.0,
                max: 500.0,
            },
        }
    }
}

/// Bloggers: heavy-tailed follower counts, engagement falling with size, audience relevance.
///
/// A blogger with `f` followers has engagement rate
/// `e = engagement_rate · (f / reference_followers)^engagement_elasticity · LogNormal(0, engagement_spread)`
/// (capped at 1) and its posts reach a share
/// `feed_reach · (f / reference_followers)^reach_elasticity` (capped at 1) of its followers'
/// feeds. Both fall with size, as field data report for large accounts, which is why follower
/// count alone does not predict sales.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BloggersSpec {
    /// Bloggers in the category who could answer an application (default 200).
    pub count: u32,
    /// Follower counts (default lognormal, median 8,000, sigma 1.5: heavy-tailed).
    pub followers: DistSpec,
    /// Followers from which a blogger counts as "macro" (default 100,000).
    pub macro_threshold: f64,
    /// Engagement rate at `reference_followers` (default 0.06).
    pub engagement_rate: f64,
    /// Follower count at which `engagement_rate` and `feed_reach` hold (default 10,000).
    pub reference_followers: f64,
    /// Elasticity of engagement with follower count (default −0.5).
    pub engagement_elasticity: f64,
    /// Log-scale spread of engagement between bloggers of equal size (default 0.4).
    pub engagement_spread: f64,
    /// Share of a post's followers whose feed shows it, at `reference_followers` (default 0.3).
    pub feed_reach: f64,
    /// Elasticity of feed reach with follower count (default −0.5).
    pub reach_elasticity: f64,
    /// Audience relevance: share of a blogger's followers in the product's target market
    /// (default beta, mean 0.35, concentration 4).
    pub relevance: DistSpec,
    /// Share of the relevant followers who belong to the simulated market (default 0.2):
    /// the simulated buyers are a sample of the target market.
    pub market_overlap: f64,
    /// Review quality, which scales how persuasive a review is (default beta 0.7, 6).
    pub review_quality: DistSpec,
    /// Punctuality: publishes sooner when higher (default beta 0.75, 5).
    pub punctuality: DistSpec,
}

impl Default for BloggersSpec {
    fn default() -> Self {
        BloggersSpec {
            count: 200,
            followers: DistSpec::LogNormal {
                median: 8000.0,
                sigma: 1.5,
            },
            macro_threshold: 100_000.0,
            engagement_rate: 0.06,
            reference_followers: 10_000.0,
            engagement_elasticity: -0.5,
            engagement_spread: 0.4,
            feed_reach: 0.3,
            reach_elasticity: -0.5,
            relevance: DistSpec::beta(0.35, 4.0),
            market_overlap: 0.2,
            review_quality: DistSpec::beta(0.7, 6.0),
            punctuality: DistSpec::beta(0.75, 5.0),
        }
    }
}

/// Distributions of buyers' traits, drawn once per buyer and trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TraitsSpec {
    /// Price sensitivity in [0, 1] (default beta, mean 0.5, concentration 4).
    pub price_sensitivity: DistSpec,
    /// Social-proof susceptibility in [0, 1] (default beta 0.5, 4).
    pub susceptibility: DistSpec,
    /// Activity level in [0, 1], scaling the hourly online profile (default beta 0.5, 4).
    pub activity: DistSpec,
    /// Heterogeneity of organic demand: when set, buyer `i`'s innovation rate is
    /// `bass_p · Gamma(shape, 1/shape)` (mean `bass_p`). Absent: everyone has `bass_p`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organic_shape: Option<f64>,
}

impl Default for TraitsSpec {
    fn default() -> Self {
        TraitsSpec {
            price_sensitivity: DistSpec::beta(0.5, 4.0),
            susceptibility: DistSpec::beta(0.5, 4.0),
            activity: DistSpec::beta(0.5, 4.0),
            organic_shape: None,
        }
    }
}

/// Behavioural coefficients shared by every mechanism.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Organic (Bass) demand.
    pub organic: Organic,
    /// The purchase decision's weights.
    pub decision: Decision,
    /// Base log-odds of buying per exposure channel.
    pub channels: Channels,
    /// Intent left by an exposure that did not convert.
    pub intent: Intent,
    /// Social proof from reviews.
    pub social_proof: SocialProof,
    /// Repeat purchases (BG/NBD, or the daily model).
    pub repurchase: Repurchase,
    /// How satisfaction shifts repurchase.
    pub satisfaction: Satisfaction,
    /// When buyers are online.
    pub activity: Activity,
    /// Chat-group members' engagement, attention and leaving.
    pub group_life: GroupLife,
}

/// Chat-group life: engagement `e ∈ [0, 1]` decays with a half-life and is raised by
/// interactions; a member leaves the group at daily hazard `leave_rate · (1 − e)`; a member
/// below `silent_below` counts as silent. An online member notices group activity with
/// probability `notice_base + (1 − notice_base)·e`, and after claiming a packet keeps looking
/// at the chat with probability `exp(−minutes / attention_minutes)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupLife {
    /// Engagement of every member on day 0 (default 0.5).
    pub initial_engagement: f64,
    /// Half-life of engagement without interaction, days (default 10).
    pub half_life_days: f64,
    /// Daily leaving hazard of a member with engagement 0 (default 0.004).
    pub leave_rate: f64,
    /// Engagement below which a member counts as silent (default 0.1).
    pub silent_below: f64,
    /// Probability that an online member of engagement 0 notices group activity (default 0.3).
    pub notice_base: f64,
    /// Mean minutes a member keeps looking at the chat after an interaction (default 7,
    /// calibrated).
    pub attention_minutes: f64,
}

impl Default for GroupLife {
    fn default() -> Self {
        GroupLife {
            initial_engagement: 0.5,
            half_life_days: 10.0,
            leave_rate: 0.004,
            silent_below: 0.1,
            notice_base: 0.3,
            attention_minutes: 7.0,
        }
    }
}

/// Organic demand: the discrete Bass model per mixing pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Organic {
    /// Daily innovation probability `p` (default 0.0003).
    pub bass_p: f64,
    /// Daily imitation coefficient `q` on the share of the pool that has bought (default 0.01).
    pub bass_q: f64,
}

impl Default for Organic {
    fn default() -> Self {
        Organic {
            bass_p: 0.0003,
            bass_q: 0.01,
        }
    }
}

/// Weights of the purchase decision
/// `P = attention · σ(base + intent + w_sp·s·SP − w_price·π·ln(price/ref) + w_inc·incentive/price)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Decision {
    /// Weight of social proof, per unit of susceptibility (default 1.0).
    pub w_social_proof: f64,
    /// Weight of the log price index, per unit of price sensitivity (default 1.0).
    pub w_price: f64,
    /// Weight of an incentive's value relative to price (default 3.0).
    pub w_incentive: f64,
    /// Reference price of the category (default: the product's price, index 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_price: Option<f64>,
    /// Intent (log-odds) a coupon in hand adds, per unit of `w_incentive · value / price`
    /// (default 0.25): holding a coupon pulls toward a first order while the intent lasts.
    pub coupon_pull: f64,
}

impl Default for Decision {
    fn default() -> Self {
        Decision {
            w_social_proof: 1.0,
            w_price: 1.0,
            w_incentive: 3.0,
            reference_price: None,
            coupon_pull: 0.25,
        }
    }
}

/// Base log-odds of buying on an attentive exposure, per channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Channels {
    /// A review seen in a followed blogger's feed (default −1.5).
    pub feed: f64,
    /// A review seen in the discovery tab by a non-follower (default −2.5).
    pub discovery: f64,
    /// A product link opened from a chat group (default −3.5625, calibrated).
    pub link: f64,
    /// Clicking a promotion pushed into a chat group (default −2.75, calibrated).
    pub push: f64,
    /// A question about the product answered in a chat group (default −5.25, calibrated).
    pub answer: f64,
    /// Shift for an existing buyer offered an extra order (a push, a coupon, a flash sale):
    /// added to the channel's base; it knows the product but has just bought
    /// (default −1.0).
    pub repeat_shift: f64,
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            feed: -1.5,
            discovery: -2.5,
            link: -3.5625,
            push: -2.75,
            answer: -5.25,
            repeat_shift: -1.0,
        }
    }
}

/// Intent: a log-odds offset left by an exposure that did not convert; it decays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Intent {
    /// Half-life of intent, in days (default 3).
    pub half_life_days: f64,
    /// Log-odds added per unit of exposure strength × attention (default 0.8).
    pub gain: f64,
    /// Below this magnitude intent counts as zero and the buyer returns to the
    /// organic fast path (default 0.02).
    pub floor: f64,
}

impl Default for Intent {
    fn default() -> Self {
        Intent {
            half_life_days: 3.0,
            gain: 0.8,
            floor: 0.02,
        }
    }
}

/// Social proof on the product card: `SP = mean_sentiment · (1 − exp(−n / saturation_reviews))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SocialProof {
    /// Reviews at which social proof reaches 63% of its ceiling (default 8).
    pub saturation_reviews: f64,
    /// Log-odds penalty on purchases from macro bloggers' posts, seen as less authentic
    /// (default 0.5).
    pub macro_trust_penalty: f64,
}

impl Default for SocialProof {
    fn default() -> Self {
        SocialProof {
            saturation_reviews: 8.0,
            macro_trust_penalty: 0.5,
        }
    }
}

/// Which process drives repeat purchases after a buyer's first order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepurchaseModel {
    /// BG/NBD in continuous time (the default): orders arrive as a Poisson process of rate
    /// `λ ~ Gamma(r, α)`, dropout after each repeat order with `p ~ Beta(a, b)`.
    #[default]
    Bgnbd,
    /// A daily coin: from the day after its first order, a buyer orders again on each day
    /// with probability `r_i` (at most one repeat order a day), and drops out after each
    /// repeat order with probability `daily_dropout`.
    Daily,
}

/// Repeat purchases after the first order.
///
/// `model = "bgnbd"` (default): BG/NBD (Fader, Hardie & Lee 2005), purchase rate
/// `λ ~ Gamma(r, α)` per day, dropout after each repeat purchase with `p ~ Beta(a, b)`.
///
/// `model = "daily"`: a discrete daily process. A buyer whose first order fell on day `t`
/// orders again on each day `t+1, t+2, …` with probability `r_i`; `r_i = daily_probability`
/// for everyone, or, when `daily_probability_shape = k` is set,
/// `r_i = min(1, daily_probability · Gamma(k, 1/k))` drawn once per buyer and trial (mean
/// `daily_probability` before the clamp). After each repeat order the buyer drops out for
/// good with probability `daily_dropout` (default 0). `r`, `alpha`, `a`, `b` are not used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Repurchase {
    /// Repeat-purchase process: `"bgnbd"` (default) or `"daily"`.
    pub model: RepurchaseModel,
    /// BG/NBD Gamma shape `r` (default 0.5).
    pub r: f64,
    /// BG/NBD Gamma rate `α` in days (default 30; mean rate `r/α` = one order per 60 days).
    pub alpha: f64,
    /// BG/NBD Beta `a` of the dropout probability (default 1.2).
    pub a: f64,
    /// BG/NBD Beta `b` of the dropout probability (default 3.5).
    pub b: f64,
    /// Days past the horizon counted in customer lifetime value (default 365).
    pub clv_days: f64,
    /// Daily repeat-order probability `r` of the daily model, in [0, 1] (required when
    /// `model = "daily"`, rejected otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_probability: Option<f64>,
    /// Gamma shape of the buyers' daily probabilities (daily model; absent: everyone has
    /// `daily_probability`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_probability_shape: Option<f64>,
    /// Probability of dropping out for good after each repeat order (daily model; default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily_dropout: Option<f64>,
}

impl Default for Repurchase {
    fn default() -> Self {
        Repurchase {
            model: RepurchaseModel::Bgnbd,
            r: 0.5,
            alpha: 30.0,
            a: 1.2,
            b: 3.5,
            clv_days: 365.0,
            daily_probability: None,
            daily_probability_shape: None,
            daily_dropout: None,
        }
    }
}

/// Satisfaction `s` in [0, 1] (0.5 after a good order, 0 after a defective one) scales
/// repurchase: `λ' = λ·exp(rate_effect·(2s − 1))`, `p' = min(1, p·exp(−dropout_effect·(2s − 1)))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Satisfaction {
    /// Effect of satisfaction on the purchase rate (default 0.7).
    pub rate_effect: f64,
    /// Effect of satisfaction on the dropout probability (default 0.7).
    pub dropout_effect: f64,
}

impl Default for Satisfaction {
    fn default() -> Self {
        Satisfaction {
            rate_effect: 0.7,
            dropout_effect: 0.7,
        }
    }
}

/// When buyers are online: `P(online) = min(1, activity · hourly[h] · weekday[d])`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Activity {
    /// Hour-of-day multipliers, 24 values from 00:00 (default: lunch bump at 12:00,
    /// evening peak 20:00–21:59).
    pub hourly: Vec<f64>,
    /// Weekday multipliers, Monday first, 7 values (default: slightly busier weekends).
    pub weekday: Vec<f64>,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            hourly: vec![
                0.10, 0.05, 0.03, 0.02, 0.02, 0.03, 0.10, 0.30, 0.45, 0.50, 0.50, 0.60, 0.85, 0.75,
                0.50, 0.45, 0.45, 0.50, 0.60, 0.85, 1.30, 1.30, 0.90, 0.40,
            ],
            weekday: vec![1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.05],
        }
    }
}

/// A time of day written `"HH:MM"` (00:00–23:59).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(pub u32);

impl TimeOfDay {
    /// Minutes since midnight.
    pub fn minute(self) -> u32 {
        self.0
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("invalid time of day \"{s}\": allowed \"HH:MM\" from 00:00 to 23:59");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let h: u32 = h.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if h > 23 || m > 59 || s.trim().len() != 5 {
            return Err(bad());
        }
        Ok(TimeOfDay(h * 60 + m))
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> String {
        format!("{:02}:{:02}", t.0 / 60, t.0 % 60)
    }
}

/// When a recurring event happens: on listed weekdays, or every N days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    /// Time of day (default "20:30").
    pub time: TimeOfDay,
    /// Weekdays it happens on (default tuesday and friday). Ignored when `every_days` > 0.
    pub weekdays: Vec<Weekday>,
    /// Every N days from `start_day` instead of weekdays (default 0: use weekdays).
    pub every_days: u32,
    /// First day it may happen (default 0).
    pub start_day: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule::weekly(20, 30, &[Weekday::Tuesday, Weekday::Friday])
    }
}

impl Schedule {
    /// At `hour:minute` on the given weekdays, from day 0.
    pub fn weekly(hour: u32, minute: u32, weekdays: &[Weekday]) -> Self {
        Schedule {
            time: TimeOfDay(hour * 60 + minute),
            weekdays: weekdays.to_vec(),
            every_days: 0,
            start_day: 0,
        }
    }

    /// True when the event happens on `day` whose weekday index is `weekday`.
    pub fn happens(&self, day: u32, weekday: usize) -> bool {
        if day < self.start_day {
            return false;
        }
        if self.every_days > 0 {
            (day - self.start_day).is_multiple_of(self.every_days)
        } else {
            self.weekdays.iter().any(|w| w.index() == weekday)
        }
    }
}

/// How a drop's total is split into packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Every packet holds total / packets.
    #[default]
    Equal,
    /// "Lucky" split: each packet draws uniformly up to twice the remaining mean.
    Lucky,
}

/// What link goes with a drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DropLink {
    /// No link: the drop alone ("nothing follows").
    #[default]
    None,
    /// A plain product-link announcement posted with the drop.
    Announcement,
    /// Task-linked: claimers are asked to open the link and comment "done".
    Task,
}

/// Stage 2 of a staged drop: larger packets only for members who completed the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Stage2 {
    /// Total amount of stage 2 (default 25).
    pub total: f64,
    /// Packets of stage 2 (default 10).
    pub packets: u32,
}

impl Default for Stage2 {
    fn default() -> Self {
        Stage2 {
            total: 25.0,
            packets: 10,
        }
    }
}

/// A follow-up push to claimers inside their attention window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUp {
    /// Minutes after the drop (default 2).
    pub delay_minutes: u32,
    /// Coupon value off the price (default 10).
    pub coupon: f64,
    /// Only the first K claimers receive it (default 30).
    pub first_k: u32,
    /// Minutes the coupon stays valid (default 60).
    pub valid_minutes: u32,
}

impl Default for FollowUp {
    fn default() -> Self {
        FollowUp {
            delay_minutes: 2,
            coupon: 10.0,
            first_k: 30,
            valid_minutes: 60,
        }
    }
}

/// Red packets dropped into every chat group (domain.md 2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedPackets {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// When drops happen (default 20:30 on Tuesdays and Fridays).
    pub schedule: Schedule,
    /// Total amount per drop and group (default 30).
    pub total: f64,
    /// Packets per drop and group (default 15).
    pub packets: u32,
    /// Split rule (default equal).
    pub split: Split,
    /// Scale the total with members online: `total_per_online × online`, capped at
    /// `max_total` (default false).
    pub scale_with_online: bool,
    /// Amount per online member when scaling (default 0.2: 150 online → 30).
    pub total_per_online: f64,
    /// Cap of a scaled total (default 50).
    pub max_total: f64,
    /// Seconds after which unclaimed packets are refunded (default 60).
    pub claim_window_seconds: f64,
    /// Mean seconds a fully engaged member takes to claim (default 5).
    pub claim_seconds_mean: f64,
    /// Link posted with the drop (default none).
    pub link: DropLink,
    /// Probability that a claimer completes a task link (default 0.6).
    pub task_completion: f64,
    /// Probability that a member who sees a plain announcement opens it (default 0.0238,
    /// calibrated).
    pub announcement_click: f64,
    /// Staged drop: larger packets for task completers (absent: no stage 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage2: Option<Stage2>,
    /// Follow-up push inside the attention window (absent: nothing follows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followup: Option<FollowUp>,
    /// Engagement gained by claiming (default 0.1625, calibrated).
    pub claim_engagement: f64,
    /// Engagement gained by a member who saw the drop, claimed or not: a lively group
    /// (default 0.02, calibrated).
    pub seen_engagement: f64,
    /// Engagement gained by completing a task or opening a push (default 0.15).
    pub task_engagement: f64,
    /// Intent (log-odds) left by a claim (default 0.3).
    pub claim_intent: f64,
    /// Probability that a claimer leaves the group when nothing follows the drop (default 0.005,
    /// calibrated: see docs/calibration.md).
    pub claim_and_leave: f64,
}

impl Default for RedPackets {
    fn default() -> Self {
        RedPackets {
            enabled: true,
            schedule: Schedule::default(),
            total: 30.0,
            packets: 15,
            split: Split::Equal,
            scale_with_online: false,
            total_per_online: 0.2,
            max_total: 50.0,
            claim_window_seconds: 60.0,
            claim_seconds_mean: 5.0,
            link: DropLink::None,
            task_completion: 0.6,
            announcement_click: 0.0238,
            stage2: None,
            followup: None,
            claim_engagement: 0.1625,
            seen_engagement: 0.02,
            task_engagement: 0.15,
            claim_intent: 0.3,
            claim_and_leave: 0.005,
        }
    }
}

/// How the seller answers questions in the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum QaMode {
    /// Only ad-hoc answers, whenever the seller gets to them (the baseline).
    #[default]
    Adhoc,
    /// Dedicated Q&A sessions on a schedule, plus ad-hoc answers at other times.
    Dedicated,
}

/// How answers are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStyle {
    /// A plain answer.
    #[default]
    Plain,
    /// "Solution + case + discount": the answer, a buyer's case (social proof) and a discount.
    SolutionCaseDiscount,
}

/// Questions collected 24 h before a session, with a small coupon for submitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PreCollection {
    /// Probability that a member submits a question the day before (default 0.03).
    pub rate: f64,
    /// Coupon for submitting, usable on the answer (default 3).
    pub coupon: f64,
}

impl Default for PreCollection {
    fn default() -> Self {
        PreCollection {
            rate: 0.03,
            coupon: 3.0,
        }
    }
}

/// Q&A in the chat groups (domain.md 2.5): ad-hoc answers, or dedicated sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Qa {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// Ad-hoc only, or dedicated sessions (default adhoc).
    pub mode: QaMode,
    /// When dedicated sessions start (default 20:00 on Wednesdays and Saturdays).
    pub schedule: Schedule,
    /// Session length in minutes (default 40).
    pub session_minutes: u32,
    /// Online members per answering agent (default 150).
    pub members_per_agent: f64,
    /// Mean minutes an agent needs per question (default 2).
    pub answer_minutes: f64,
    /// Questions per online member per hour during a session (default 0.1).
    pub session_question_rate: f64,
    /// Mean minutes a session asker waits for an answer to start before giving up (default
    /// 18.25, calibrated).
    pub session_patience_minutes: f64,
    /// An answer within this many minutes of asking satisfies the asker (default 10).
    pub satisfied_within_minutes: f64,
    /// Questions per member per day at ordinary times (default 0.025).
    pub ordinary_question_rate: f64,
    /// Mean minutes until the seller answers an ad-hoc question (default 150).
    pub adhoc_response_minutes: f64,
    /// Mean minutes an ad-hoc asker keeps waiting (default 100).
    pub adhoc_patience_minutes: f64,
    /// Share of questions about usage, price or quality, i.e. close to a purchase (default 0.6).
    pub purchase_questions: f64,
    /// Answer style (default plain).
    pub answer_style: AnswerStyle,
    /// Discount offered in "solution + case + discount" answers (default 5).
    pub answer_discount: f64,
    /// Social-proof strength of the buyer's case in a "solution + case + discount" answer
    /// (default 1.5, calibrated).
    pub case_strength: f64,
    /// Pre-collection 24 h before each session (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precollect: Option<PreCollection>,
    /// Warm-up red packet 5 minutes before each session, total amount (default 0: none).
    pub warmup_total: f64,
    /// Warm-up packets (default 10).
    pub warmup_packets: u32,
    /// Time-limited coupon pushed in the core phase to members online (default 0: none).
    pub core_coupon: f64,
    /// Minutes the core coupon stays valid (default 30).
    pub core_coupon_minutes: f64,
    /// Same-day discount pushed in the closing phase (default 0: none).
    pub closing_discount: f64,
    /// Agent wage per hour, paid for the session plus 15 minutes of preparation (default 40).
    pub wage_per_hour: f64,
}

impl Default for Qa {
    fn default() -> Self {
        Qa {
            enabled: true,
            mode: QaMode::Adhoc,
            schedule: Schedule {
                time: TimeOfDay(20 * 60),
                weekdays: vec![Weekday::Wednesday, Weekday::Saturday],
                every_days: 0,
                start_day: 0,
            },
            session_minutes: 40,
            members_per_agent: 150.0,
            answer_minutes: 2.0,
            session_question_rate: 0.1,
            session_patience_minutes: 18.25,
            satisfied_within_minutes: 10.0,
            ordinary_question_rate: 0.025,
            adhoc_response_minutes: 150.0,
            adhoc_patience_minutes: 100.0,
            purchase_questions: 0.6,
            answer_style: AnswerStyle::Plain,
            answer_discount: 5.0,
            case_strength: 1.5,
            precollect: None,
            warmup_total: 0.0,
            warmup_packets: 10,
            core_coupon: 0.0,
            core_coupon_minutes: 30.0,
            closing_discount: 0.0,
            wage_per_hour: 40.0,
        }
    }
}

/// The campaign's mechanisms; an absent table means the mechanism is off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Mechanisms {
    /// The marketplace's blogger review program (domain.md 2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blogger_reviews: Option<BloggerReviews>,
    /// Red packets in chat groups (domain.md 2.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_packets: Option<RedPackets>,
    /// Q&A in chat groups (domain.md 2.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qa: Option<Qa>,
    /// Topic votes in chat groups (domain.md 2.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Votes>,
    /// Order-proof rewards in chat groups (domain.md 2.7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_proofs: Option<OrderProofs>,
    /// Scarcity flash sales in chat groups (domain.md 2.8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flash_sale: Option<FlashSale>,
    /// Share-to-friend-groups gift draws (domain.md 2.8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_draw: Option<ShareDraw>,
    /// CRM tags and targeted pushes (domain.md 2.8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targeted_push: Option<TargetedPush>,
    /// Paid influencer collaborations on the open market (domain.md 2.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub influencers: Option<Influencers>,
}

/// How bloggers are chosen among those who answered the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Selection {
    /// The seller picks among respondents by `manual_criterion`.
    #[default]
    Manual,
    /// The platform assigns respondents at random.
    Automatic,
}

/// What a seller ranks respondents by under manual selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Engagement × audience relevance, as field guidance recommends.
    #[default]
    Fit,
    /// Follower count.
    Followers,
}

/// How the free products are shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Logistics {
    /// The platform's own logistics: free shipping, tracked.
    #[default]
    Platform,
    /// The seller's tracked post: `shipping_cost` per parcel, nothing lost.
    Tracked,
    /// Untracked post: `shipping_cost` per parcel, a parcel may vanish without a trace.
    Untracked,
}

/// The blogger review program: free products for public, honest reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BloggerReviews {
    /// Switch the mechanism off without deleting it (default true).
    pub enabled: bool,
    /// Name of the review application (default "review application").
    pub application: String,
    /// Product id on the marketplace (default: empty).
    pub product_id: String,
    /// Blogger selection mode (default manual).
    pub selection: Selection,
    /// Ranking used under manual selection (default fit).
    pub manual_criterion: Criterion,
    /// Free products to send, i.e. bloggers wanted (default 20).
    pub bloggers: u32,
    /// Day the application opens and products ship (default 0).
    pub start_day: u32,
    /// Share of the blogger pool answering the application (default 0.4).
    pub response_rate: f64,
    /// Shipping (default platform).
    pub logistics: Logistics,
    /// Shipping cost per parcel when not on platform logistics (default 10).
    pub shipping_cost: f64,
    /// Probability that an untracked parcel is lost (default 0.08).
    pub untracked_loss_rate: f64,
    /// Delivery time in days (default uniform 2–6).
    pub delivery_days: DistSpec,
    /// A review later than this many days after receipt is cancelled (default 20).
    pub review_deadline_days: u32,
    /// Mean days from receipt to review for a blogger of punctuality 1 (default 6);
    /// a blogger of punctuality `u` takes `Exp(mean / u)` days.
    pub review_delay_mean_days: f64,
    /// Share of a post's feed views that happen on each following day (default 0.5).
    pub feed_decay: f64,
    /// Engaged discovery-tab views per review per day by non-followers, for a review of
    /// quality 1 (default 2).
    pub discovery_views_per_day: f64,
    /// Days a review stays in the discovery tab (default 7).
    pub discovery_days: u32,
}

impl Default for BloggerReviews {
    fn default() -> Self {
        BloggerReviews {
            enabled: true,
            application: "review application".into(),
            product_id: String::new(),
            selection: Selection::Manual,
            manual_criterion: Criterion::Fit,
            bloggers: 20,
            start_day: 0,
            response_rate: 0.4,
            logistics: Logistics::Platform,
            shipping_cost: 10.0,
            untracked_loss_rate: 0.08,
            delivery_days: DistSpec::Uniform { min: 2.0, max: 6.0 },
            review_deadline_days: 20,
            review_delay_mean_days: 6.0,
            feed_decay: 0.5,
            discovery_views_per_day: 2.0,
            discovery_days: 7,
        }
    }
}

/// One value per blogger tier, written `{ micro = …, macro = … }` with both tiers named.
///
/// A blogger is *macro* from `population.bloggers.macro_threshold` followers, *micro* below.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    /// Value for micro bloggers.
    pub micro: f64,
    /// Value for macro bloggers.
    #[serde(rename = "macro")]
    pub macro_: f64,
}

impl Tiers {
    /// The value of tier `t` (0 = micro, 1 = macro).
    pub fn at(&self, t: usize) -> f64 {
        if t == 0 { self.micro } else { self.macro_ }
    }
}

/// How the seller ranks the bloggers of a tier when buying paid posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Ranking {
    /// Engagement × audience relevance, judged with noise (as field guidance recommends).
    #[default]
    Fit,
    /// Follower count, largest first.
    Followers,
    /// At random (e.g. an agency's roster).
    Random,
}

/// A giveaway run with each paid post: followers enter (like, follow, comment) to win prizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Giveaway {
    /// Value of one prize, booked as cost for every winner (default 100).
    pub prize: f64,
    /// Prizes per post (default 3); fewer when fewer followers entered.
    pub winners: u32,
    /// Multiplier of the post's engaged audience: giveaway posts are liked, commented and
    /// shared more (default 1.5).
    pub view_lift: f64,
    /// Probability that an engaged viewer enters while the giveaway is open (default 0.3).
    pub entry_rate: f64,
    /// Intent (log-odds) an entrant gains: entering makes a buyer think about the product
    /// (default 0.4).
    pub entry_intent: f64,
    /// Days from the post to the draw; the giveaway is open until then (default 7).
    pub draw_days: u32,
}

impl Default for Giveaway {
    fn default() -> Self {
        Giveaway {
            prize: 100.0,
            winners: 3,
            view_lift: 1.5,
            entry_rate: 0.3,
            entry_intent: 0.4,
            draw_days: 7,
        }
    }
}

/// Paid influencer collaborations (domain.md 2.2): paid posts by tier from a budget split
/// across tiers, affiliate commissions, sponsored-content disclosure and giveaways.
/// See [`crate::mechanisms::influencers`] for the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Influencers {
    /// Switch off without deleting (default true).
    pub enabled: bool,
    /// Total budget for post fees and giveaway prizes (default 50,000). Affiliate
    /// commissions are paid on top, out of the attributed sales.
    pub budget: f64,
    /// Share of the budget per tier, summing to 1 (default micro 0.7, macro 0.3).
    pub split: Tiers,
    /// Fixed part of a post's fee, per tier (default micro 300, macro 8,000).
    pub fee: Tiers,
    /// Part of a post's fee per 1,000 followers, per tier (default micro 50, macro 40): a
    /// blogger with `f` followers charges `fee + fee_per_1000_followers · f / 1000`.
    pub fee_per_1000_followers: Tiers,
    /// Smallest follower count the seller buys posts from (default 1,000: nano accounts are
    /// not bought). Micro bloggers have `min_followers ≤ f < population.bloggers.macro_threshold`.
    pub min_followers: f64,
    /// How bloggers of a tier are ranked for buying (default fit).
    pub selection: Ranking,
    /// Days the posts go out, assigned in buying order, round robin (default empty: use
    /// `spread_days`).
    pub post_days: Vec<u32>,
    /// Posts go out on a random day among the first `spread_days` days, when `post_days` is
    /// empty (default 14).
    pub spread_days: u32,
    /// Persuasive strength of a paid post for a blogger of review quality 1, in social-proof
    /// units (default 0.75: a typical honest review of a sound unit of default quality).
    pub post_strength: f64,
    /// Affiliate commission rate on the value of each attributed order (default 0: no
    /// affiliate link).
    pub affiliate: f64,
    /// Posts carry a "sponsored" label (default true).
    pub disclosure: bool,
    /// Trust penalty (log-odds) of a labelled post, per tier (default micro 0.15,
    /// macro 0.3): a macro blogger's audience discounts paid praise more.
    pub disclosure_penalty: Tiers,
    /// Share of a post's feed views that happen on each following day (default 0.5).
    pub feed_decay: f64,
    /// Discovery-tab views per post per day by non-followers, per unit of the blogger's
    /// engagement rate: `Poisson(discovery_views_per_day · engagement)` a day, as the review
    /// program draws them (default 2).
    pub discovery_views_per_day: f64,
    /// Days a post stays in the discovery tab (default 7).
    pub discovery_days: u32,
    /// A giveaway with every post (absent: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub giveaway: Option<Giveaway>,
}

impl Default for Influencers {
    fn default() -> Self {
        Influencers {
            enabled: true,
            budget: 50_000.0,
            split: Tiers {
                micro: 0.7,
                macro_: 0.3,
            },
            fee: Tiers {
                micro: 300.0,
                macro_: 8000.0,
            },
            fee_per_1000_followers: Tiers {
                micro: 50.0,
                macro_: 40.0,
            },
            min_followers: 1000.0,
            selection: Ranking::Fit,
            post_days: Vec::new(),
            spread_days: 14,
            post_strength: 0.75,
            affiliate: 0.0,
            disclosure: true,
            disclosure_penalty: Tiers {
                micro: 0.15,
                macro_: 0.3,
            },
            feed_decay: 0.5,
            discovery_views_per_day: 2.0,
            discovery_days: 7,
            giveaway: None,
        }
    }
}

impl Scenario {
    /// Serialises the resolved scenario (every default filled in) as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot serialise: {e}\n"))
    }
}
