//! Who is simulated: buyers, chat groups and their members, bloggers, traits.

use super::settings;
use crate::dist::{DistSpec, Support};
use crate::limits::{
    MAX_AGENTS, MAX_BLOGGERS, MAX_GROUP_SIZE, MAX_GROUPS, MAX_SEGMENT_NAME_CHARS, MAX_SEGMENTS,
};

settings! {
    /// Who is simulated: buyers outside groups, chat groups and their members, bloggers.
    pub struct PopulationSpec {
        /// Buyers outside chat groups: one fully mixed market (default 0).
        buyers: u32 = 0 => custom,
        /// Chat groups; each group is its own mixing pool.
        groups: GroupsSpec = GroupsSpec::default() => nested,
        /// The pool of bloggers who may answer a review application.
        bloggers: BloggersSpec = BloggersSpec::default() => nested,
        /// Distributions of buyers' heterogeneous traits.
        traits: TraitsSpec = TraitsSpec::default() => nested,
    }
    check(self, _, c) {
        let (buyers, groups) = (self.buyers, &self.groups);
        if let Ok(d) = groups.size.build(Support::Positive) {
            let expected = f64::from(buyers) + f64::from(groups.count) * d.mean();
            if expected > MAX_AGENTS as f64 {
                c.push(
                    "",
                    format!("about {expected:.0} buyers expected: allowed at most {MAX_AGENTS}"),
                );
            }
        }
        if buyers == 0 && groups.count == 0 {
            c.push(
                "buyers",
                "0 buyers and no groups: allowed a population of at least 1 buyer",
            );
        }
    }
}

settings! {
    /// Chat groups.
    pub struct GroupsSpec {
        /// Number of groups, 0 to 1,000,000 (default 0).
        count: u32 = 0 => between(0, MAX_GROUPS, "groups"),
        /// Members per group, drawn per group and trial and rounded, 1 to 500 (default
        /// uniform 200–500). A distribution whose mean or largest value exceeds 500 is
        /// refused; draws of an unbounded one are capped at 500.
        size: DistSpec = DistSpec::Uniform { min: 200.0, max: 500.0 } => dist(Support::Positive),
        /// Share of members in the product's market, drawn per member and trial (default 1,
        /// a judgement: see docs/field-figures.md "Who is in a chat group"). The others joined
        /// for the packets, the draws or the company: they claim, vote and react, but never
        /// buy, so every mechanism competes for the same in-market members.
        in_market: f64 = 1.0 => prob,
        /// Member segments (absent: none, every member untagged). Each member falls in at
        /// most one: segment `k` with probability `share_k`, untagged with `1 − Σ share`,
        /// drawn per member and trial. Mechanisms aim at segments with `target`, and each
        /// segment's conversion is reported as `seg_NAME_conversion`.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        segments: Vec<SegmentSpec> = Vec::new() => custom,
        /// Groups differ in their segment mix: when set, each group's shares are drawn per
        /// group and trial from a Dirichlet distribution with parameters `c · share_k` (and
        /// `c · (1 − Σ share)` for the untagged), mean the declared shares; the smaller
        /// `c`, the more groups differ (a share's sd across groups is
        /// `√(share · (1 − share) / (c + 1))`). 0.01 to 10⁶; absent: every group has the
        /// declared shares.
        #[serde(skip_serializing_if = "Option::is_none")]
        segment_concentration: Option<f64> = None => range(0.01, 1e6),
    }
    check(self, base, c) {
        c.check("segments", self.segments.as_slice(), base);
        check_segments(&self.segments, c);
        let count = self.count;
        if self.segment_concentration.is_some() && self.segments.is_empty() {
            c.push(
                "segment_concentration",
                "no segments to mix: declare [[population.groups.segments]]",
            );
        }
        if count == 0 && !self.segments.is_empty() {
            c.push(
                "segments",
                "segments tag chat-group members but there are no groups: set population.groups.count > 0",
            );
        }
        if let Ok(d) = self.size.build(Support::Positive) {
            let mean = d.mean();
            if count > 0 && mean < 1.0 {
                c.push("size", format!("mean group size {mean} is below 1 member"));
            }
            let largest = match self.size {
                DistSpec::Fixed { value } => value,
                DistSpec::Uniform { max, .. } => max,
                _ => mean,
            };
            if largest.is_nan() || largest.round() > f64::from(MAX_GROUP_SIZE) {
                c.push(
                    "size",
                    format!(
                        "groups of up to {largest} members: allowed at most {MAX_GROUP_SIZE} members per group (the group-chat model's range; a platform's group limit)"
                    ),
                );
            }
        }
    }
}

settings! {
    /// A segment of chat-group members: an attribute a campaign can aim at (parents of
    /// babies of some age, members tagged with an interest), its share of the members and
    /// how its members respond to the product.
    ///
    /// `relevance` is an additive shift of the log-odds of every purchase decision a
    /// member of the segment makes on a mechanism's exposure (see `crate::population`,
    /// "Segments"): the decision model is logistic and every other influence (intent,
    /// the exposure's strength, incentives, social proof) enters it as a log-odds term, so a
    /// segment's fit with the product is one more term, the segment-specific intercept of a
    /// latent-class logit (Kamakura & Russell 1989). For small probabilities a shift `δ`
    /// multiplies the purchase probability by about `e^δ` (`ln 2 ≈ 0.69` doubles it).
    pub struct SegmentSpec {
        /// The segment's name: 1 to 32 lowercase ASCII letters, digits or underscores (it
        /// names the segment's column `seg_NAME_conversion`).
        name: String => custom,
        /// Share of chat-group members in the segment, 0 to 1; the shares of all segments
        /// add up to at most 1 (the rest are untagged).
        share: f64 => prob,
        /// Log-odds added to the segment's purchase decisions on exposures, −5 to 5
        /// (default 0: they respond as untagged members do).
        #[serde(default)]
        relevance: f64 => range(-5.0, 5.0),
    }
}

/// Names valid, unique and few enough; shares adding up to at most 1.
fn check_segments(segments: &[SegmentSpec], c: &mut super::Checker) {
    if segments.len() > MAX_SEGMENTS {
        c.push(
            "segments",
            format!(
                "{} segments: allowed at most {MAX_SEGMENTS}",
                segments.len()
            ),
        );
    }
    for (k, s) in segments.iter().enumerate() {
        let name = &s.name;
        let ok = (1..=MAX_SEGMENT_NAME_CHARS).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            c.push(
                &format!("segments[{k}].name"),
                format!(
                    "{name:?} is not a segment name: allowed 1 to {MAX_SEGMENT_NAME_CHARS} lowercase letters, digits or underscores, e.g. \"parents_0_1\""
                ),
            );
        }
        if segments[..k].iter().any(|o| o.name == *name) {
            c.push(
                &format!("segments[{k}].name"),
                format!("segment {name:?} is declared twice: allowed each name once"),
            );
        }
    }
    let total: f64 = segments.iter().map(|s| s.share).sum();
    if total > 1.0 + 1e-9 {
        c.push(
            "segments",
            format!(
                "the segments' shares add up to {total}: allowed at most 1 (the rest of the members are untagged)"
            ),
        );
    }
}

/// The segments a mechanism aims at: one name (`target = "parents"`) or a list (`target =
/// ["parents", "expecting"]`) of segments declared in `population.groups.segments`. Only
/// members of these segments are reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Target {
    /// One segment.
    One(String),
    /// Several segments: a member of any of them is reached.
    Many(Vec<String>),
}

impl Target {
    /// The segment names aimed at.
    pub fn names(&self) -> &[String] {
        match self {
            Target::One(n) => std::slice::from_ref(n),
            Target::Many(v) => v,
        }
    }
}

settings! {
    /// Bloggers: heavy-tailed follower counts, engagement falling with size, audience relevance.
    ///
    /// A blogger with `f` followers has engagement rate
    /// `e = engagement_rate · (f / reference_followers)^engagement_elasticity · LogNormal(0, engagement_spread)`
    /// (capped at 1) and its posts reach a share
    /// `feed_reach · (f / reference_followers)^reach_elasticity` (capped at 1) of its followers'
    /// feeds. Both fall with size, as field data report for large accounts, which is why follower
    /// count alone does not predict sales.
    pub struct BloggersSpec {
        /// Bloggers in the category who could answer an application, 0 to 1,000,000
        /// (default 200).
        count: u32 = 200 => between(0, MAX_BLOGGERS, "bloggers"),
        /// Follower counts (default lognormal, median 8,000, sigma 1.5: heavy-tailed).
        followers: DistSpec = DistSpec::LogNormal { median: 8000.0, sigma: 1.5 }
            => dist(Support::Positive),
        /// Followers from which a blogger counts as "macro" (default 100,000).
        macro_threshold: f64 = 100_000.0 => positive,
        /// Engagement rate at `reference_followers` (default 0.06).
        engagement_rate: f64 = 0.06 => prob,
        /// Follower count at which `engagement_rate` and `feed_reach` hold (default 10,000).
        reference_followers: f64 = 10_000.0 => positive,
        /// Elasticity of engagement with follower count (default −0.5).
        engagement_elasticity: f64 = -0.5 => range(-2.0, 1.0),
        /// Log-scale spread of engagement between bloggers of equal size (default 0.4).
        engagement_spread: f64 = 0.4 => range(0.0, 3.0),
        /// Share of a post's followers whose feed shows it, at `reference_followers` (default 0.3).
        feed_reach: f64 = 0.3 => prob,
        /// Elasticity of feed reach with follower count (default −0.5).
        reach_elasticity: f64 = -0.5 => range(-2.0, 1.0),
        /// Audience relevance: share of a blogger's followers in the product's target market
        /// (default beta, mean 0.35, concentration 4).
        relevance: DistSpec = DistSpec::beta(0.35, 4.0) => dist(Support::UnitInterval),
        /// Share of the relevant followers who belong to the simulated market (default 0.2):
        /// the simulated buyers are a sample of the target market.
        market_overlap: f64 = 0.2 => prob,
        /// Review quality, which scales how persuasive a review is (default beta 0.7, 6).
        review_quality: DistSpec = DistSpec::beta(0.7, 6.0) => dist(Support::UnitInterval),
        /// Punctuality: publishes sooner when higher (default beta 0.75, 5).
        punctuality: DistSpec = DistSpec::beta(0.75, 5.0) => dist(Support::UnitInterval),
    }
}

settings! {
    /// Distributions of buyers' traits, drawn once per buyer and trial.
    pub struct TraitsSpec {
        /// Price sensitivity in [0, 1] (default beta, mean 0.5, concentration 4).
        price_sensitivity: DistSpec = DistSpec::beta(0.5, 4.0) => dist(Support::UnitInterval),
        /// Social-proof susceptibility in [0, 1] (default beta 0.5, 4).
        susceptibility: DistSpec = DistSpec::beta(0.5, 4.0) => dist(Support::UnitInterval),
        /// Activity level in [0, 1], scaling the hourly online profile (default beta 0.5, 4).
        activity: DistSpec = DistSpec::beta(0.5, 4.0) => dist(Support::UnitInterval),
        /// Heterogeneity of organic demand: when set, buyer `i`'s innovation rate is
        /// `bass_p · Gamma(shape, 1/shape)` (mean `bass_p`), shape 0.001 to 10¹² (near 0
        /// almost every buyer's rate is 0 and the scale `1/shape` overflows; a huge shape
        /// gives every buyer `bass_p`). Absent: everyone has `bass_p`.
        #[serde(skip_serializing_if = "Option::is_none")]
        organic_shape: Option<f64> = None => range(0.001, 1e12),
    }
}
