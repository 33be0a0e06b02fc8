//! Who is simulated: buyers, chat groups and their members, bloggers, traits.

use super::{Base, Check, Checker};
use crate::dist::{DistSpec, Support};
use serde::{Deserialize, Serialize};

/// Who is simulated: buyers outside groups, chat groups and their members, bloggers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema, Default)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

/// Most agents a scenario may ask for (buyers outside groups plus expected members).
const MAX_AGENTS: u64 = 50_000_000;

impl Check for PopulationSpec {
    fn check(&self, base: &Base<'_>, c: &mut Checker) {
        let PopulationSpec {
            buyers,
            groups,
            bloggers,
            traits,
        } = self;
        c.check("groups", groups, base);
        if let Ok(d) = groups.size.build(Support::Positive) {
            let expected = *buyers as f64 + groups.count as f64 * d.mean();
            if expected > MAX_AGENTS as f64 {
                c.push(
                    "",
                    format!("about {expected:.0} buyers expected: allowed at most {MAX_AGENTS}"),
                );
            }
        }
        if *buyers == 0 && groups.count == 0 {
            c.push(
                "buyers",
                "0 buyers and no groups: allowed a population of at least 1 buyer",
            );
        }
        c.check("bloggers", bloggers, base);
        c.check("traits", traits, base);
    }
}

impl Check for GroupsSpec {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let GroupsSpec { count, size } = self;
        if *count > 1_000_000 {
            c.push(
                "count",
                format!("{count} is out of range: allowed 0 to 1,000,000 groups"),
            );
        }
        c.dist("size", size, Support::Positive);
        if let Ok(d) = size.build(Support::Positive) {
            let mean = d.mean();
            if *count > 0 && mean < 1.0 {
                c.push("size", format!("mean group size {mean} is below 1 member"));
            }
        }
    }
}

impl Check for BloggersSpec {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let BloggersSpec {
            count: _,
            followers,
            macro_threshold,
            engagement_rate,
            reference_followers,
            engagement_elasticity,
            engagement_spread,
            feed_reach,
            reach_elasticity,
            relevance,
            market_overlap,
            review_quality,
            punctuality,
        } = self;
        c.dist("followers", followers, Support::Positive);
        c.positive("macro_threshold", *macro_threshold);
        c.prob("engagement_rate", *engagement_rate);
        c.positive("reference_followers", *reference_followers);
        c.range("engagement_elasticity", *engagement_elasticity, -2.0, 1.0);
        c.range("engagement_spread", *engagement_spread, 0.0, 3.0);
        c.prob("feed_reach", *feed_reach);
        c.range("reach_elasticity", *reach_elasticity, -2.0, 1.0);
        c.dist("relevance", relevance, Support::UnitInterval);
        c.prob("market_overlap", *market_overlap);
        c.dist("review_quality", review_quality, Support::UnitInterval);
        c.dist("punctuality", punctuality, Support::UnitInterval);
    }
}

impl Check for TraitsSpec {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let TraitsSpec {
            price_sensitivity,
            susceptibility,
            activity,
            organic_shape,
        } = self;
        c.dist(
            "price_sensitivity",
            price_sensitivity,
            Support::UnitInterval,
        );
        c.dist("susceptibility", susceptibility, Support::UnitInterval);
        c.dist("activity", activity, Support::UnitInterval);
        if let Some(k) = organic_shape {
            c.positive("organic_shape", *k);
        }
    }
}
