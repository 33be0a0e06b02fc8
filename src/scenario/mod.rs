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
//! `promosim show FILE` prints the resolved scenario with every default filled in.

mod load;
mod validate;

pub use load::{Problem, ScenarioError, apply_override, load_file, load_str};
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
    /// Repeat purchases (BG/NBD).
    pub repurchase: Repurchase,
    /// How satisfaction shifts repurchase.
    pub satisfaction: Satisfaction,
    /// When buyers are online.
    pub activity: Activity,
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
}

impl Default for Decision {
    fn default() -> Self {
        Decision {
            w_social_proof: 1.0,
            w_price: 1.0,
            w_incentive: 3.0,
            reference_price: None,
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
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            feed: -1.5,
            discovery: -2.5,
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

/// Repeat purchases after the first order, BG/NBD (Fader, Hardie & Lee 2005):
/// purchase rate `λ ~ Gamma(r, α)` per day, dropout after each repeat purchase with
/// `p ~ Beta(a, b)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Repurchase {
    /// Gamma shape `r` (default 0.5).
    pub r: f64,
    /// Gamma rate `α` in days (default 30; mean rate `r/α` = one order per 60 days).
    pub alpha: f64,
    /// Beta `a` of the dropout probability (default 1.2).
    pub a: f64,
    /// Beta `b` of the dropout probability (default 3.5).
    pub b: f64,
    /// Days past the horizon counted in customer lifetime value (default 365).
    pub clv_days: f64,
}

impl Default for Repurchase {
    fn default() -> Self {
        Repurchase {
            r: 0.5,
            alpha: 30.0,
            a: 1.2,
            b: 3.5,
            clv_days: 365.0,
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

/// The campaign's mechanisms; an absent table means the mechanism is off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Mechanisms {
    /// The marketplace's blogger review program (domain.md 2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blogger_reviews: Option<BloggerReviews>,
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

impl Scenario {
    /// Serialises the resolved scenario (every default filled in) as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot serialise: {e}\n"))
    }
}
