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
mod load;
pub mod schema;
mod validate;

pub use crate::mechanisms::Mechanisms;
pub use crate::mechanisms::blogger_reviews::{
    BloggerReviews, Criterion, EXCLUDED_CATEGORIES, Logistics, Selection,
};
pub use crate::mechanisms::flash_sale::FlashSale;
pub use crate::mechanisms::influencers::{Giveaway, Influencers, Ranking, Tiers};
pub use crate::mechanisms::order_proofs::{Curation, OrderProofs, ProofTier, Verification};
pub use crate::mechanisms::qa::{AnswerStyle, PreCollection, Qa, QaMode};
pub use crate::mechanisms::red_packets::{DropLink, FollowUp, RedPackets, Split, Stage2};
pub use crate::mechanisms::share_draw::ShareDraw;
pub use crate::mechanisms::targeted_push::TargetedPush;
pub use crate::mechanisms::votes::{TopicRelevance, VoteLink, VoteProgram, VoteTopic, Votes};
pub use crate::settings::{
    Activity, Base, Behaviour, BgNbd, BloggersSpec, Channels, Decision, GroupLife, GroupsSpec,
    Intent, Organic, PopulationSpec, Product, Repurchase, RepurchaseClass, RepurchaseModel,
    Satisfaction, Schedule, Seller, SocialProof, TimeOfDay, TraitsSpec, Weekday,
};
pub use candidates::{Candidate, ResolvedCandidate, SHARED_KEYS, resolve_candidates};
pub use load::{Problem, ScenarioError, apply_override, load_file, load_str, set_path};
pub use validate::validate;

use serde::{Deserialize, Serialize};

/// A complete scenario: market, population, behaviour and campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name; used for the default output folder. Default: the file's stem.
    #[serde(default)]
    pub name: String,
    /// Free text shown in reports.
    #[serde(default)]
    pub description: String,
    /// Simulated days, 1 to 3650 (default 90).
    #[serde(default = "d_horizon")]
    pub horizon_days: u32,
    /// Monte Carlo trials, 1 to 10,000,000 (default 1000).
    #[serde(default = "d_trials")]
    pub trials: u32,
    /// Master seed (default 1). Trial `i` depends on `(seed, i)` only.
    #[serde(default = "d_seed")]
    pub seed: u64,
    /// Currency label for money columns (default "CNY"): 1 to 8 letters, digits or
    /// currency signs, e.g. "EUR", "€", "US$".
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

impl Scenario {
    /// The base settings (everything but the campaign) that mechanisms, the population and
    /// the behaviour model read.
    pub fn base(&self) -> Base<'_> {
        Base {
            horizon_days: self.horizon_days,
            start_weekday: self.start_weekday,
            product: &self.product,
            seller: &self.seller,
            population: &self.population,
            behaviour: &self.behaviour,
        }
    }

    /// Serialises the resolved scenario (every default filled in) as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot serialise: {e}\n"))
    }
}
