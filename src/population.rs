//! Agents: buyers (in mixing pools: one per chat group plus the open market) and bloggers.
//!
//! Struct of arrays, one index per agent. A [`Population`] is owned by a worker and rebuilt
//! in place for every trial, so its buffers are reused and a trial allocates nothing per
//! agent once the worker has warmed up.
//!
//! Buyers are laid out pool by pool: pool `g` owns agent ids `start..start+len`. Chat groups
//! come first (one pool each), then the buyers outside groups as one fully mixed pool.
//!
//! Traits that only matter when an agent is touched by a mechanism (price sensitivity,
//! social-proof susceptibility, activity) are drawn lazily from a per-agent stream keyed by
//! `(trial, agent)`, then cached: most agents of a large market are never touched, and the
//! value an agent gets does not depend on which event asked first (common random numbers).
//! The organic innovation rate, needed for the per-pool bounds of the organic step, is drawn
//! eagerly when heterogeneous (with its rate class, see [`organic_class`]). Bloggers are
//! drawn only when the blogger review program runs (they come last from the population
//! stream, so skipping them moves no other draw).
//!
//! ## Segments
//! A scenario may declare segments of chat-group members (`population.groups.segments`:
//! a name, a share `s_k`, a relevance `δ_k`). Each member falls in segment `k` when the
//! uniform `u` of its own event stream in [`stream::SEGMENTS`] lands in
//! `[Σ_{j<k} s_j, Σ_{j≤k} s_j)`, and is untagged when `u ≥ Σ s_j`: a categorical draw with
//! the declared shares, independent between members and of every other trait (membership
//! is an attribute of the person, not of what the trial did to it), and the same for a
//! member whatever the campaign (common random numbers). The stream is keyed by
//! `(trial, member)` like the in-market coin, and has its own stream id, so a scenario
//! without segments draws exactly what it drew before segments existed. Buyers outside the
//! chat groups are untagged: segments are what a group operator knows of its members.
//!
//! With `population.groups.segment_concentration` `c`, groups differ in their mix: group
//! `g`'s shares are drawn once per trial from `Dirichlet(c·s_1, …, c·s_K, c·(1 − Σ s))`
//! (normalised Gamma draws from the group's own event stream in [`stream::SEGMENTS`],
//! event 1, beside the members' event 0), and its members' uniforms are read against those
//! shares. The mean mix is the declared one; a share's sd across groups is
//! `√(s(1 − s)/(c + 1))`. Groups gather around a theme (a maternity group, a toddlers'
//! group), which a single mix for every group cannot express.
//!
//! A segment's relevance `δ_k` is added to the log-odds of every purchase decision its
//! members make on a mechanism's exposure ([`Population::relevance`], read by the world's
//! decisions): `P(buy) = attention · σ(x + δ_k)`. Organic (Bass) demand is not shifted:
//! its per-pool thinning bounds assume the members of a pool share one innovation rate
//! unless `organic_shape` is set, and a segment describes how members respond to what the
//! campaign shows them. Why a log-odds shift, and its source, is on
//! [`crate::settings::SegmentSpec`].

use crate::dist::{Dist, DistSpec, GammaSampler, Support};
use crate::limits::MAX_GROUP_SIZE;
use crate::rng::{EventRng, SimRng, agent_rng, stream, stream_key};
use crate::settings::{Base, RepurchaseModel};
use rand::RngExt;
use rand_distr::Distribution;

/// Classes of heterogeneous organic rates: `p_i <= 1.5p̄`, `<= 4p̄`, above (`p̄` the mean
/// rate `bass_p`).
pub const ORGANIC_CLASSES: usize = 3;

/// The class of organic rate `p` when the mean rate is `mean`. The organic step keeps each
/// class of a pool in its own segment and thins it against the class's largest rate: with
/// one bound per pool the largest of a few hundred Gamma(0.5) rates is about 8 times the
/// mean, and most candidates would be rejected; three classes cut the candidates about in
/// half for two more bound computations per pool and day.
#[inline]
pub fn organic_class(p: f64, mean: f64) -> usize {
    if p <= 1.5 * mean {
        0
    } else if p <= 4.0 * mean {
        1
    } else {
        2
    }
}

/// A mixing pool: a chat group, or the open market of buyers outside groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    /// First agent id.
    pub start: u32,
    /// Members.
    pub len: u32,
    /// True for a chat group, false for the open market.
    pub group: bool,
}

/// A buyer trait drawn lazily.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Trait {
    /// Price sensitivity in [0, 1].
    PriceSensitivity = 0,
    /// Social-proof susceptibility in [0, 1].
    Susceptibility = 1,
    /// Activity level in [0, 1].
    Activity = 2,
}

const TRAITS: usize = 3;

/// The event of a member's population stream that decides whether it is in the market
/// (after the traits' events `0..TRAITS`).
const IN_MARKET_EVENT: u32 = TRAITS as u32;

/// Validated samplers for building populations.
#[derive(Debug, Clone)]
pub struct PopulationPlan {
    buyers: u32,
    group_count: u32,
    group_size: Dist,
    /// Share of chat-group members in the product's market.
    in_market: f64,
    /// Member segments: the cumulative shares `Σ_{j≤k} s_j` (empty: no segments).
    segment_cum: Vec<f64>,
    /// Member segments: each one's relevance (log-odds shift).
    segment_relevance: Vec<f64>,
    /// Per-group segment mixes: `Gamma(c · s_k, 1)` for each segment and the untagged
    /// (`None` for a share of 0), whose normalised draws are a group's Dirichlet shares;
    /// empty when every group has the declared shares.
    segment_mix: Vec<Option<GammaSampler>>,
    traits: [Dist; TRAITS],
    organic_p: f64,
    organic_shape: Option<GammaSampler>,
    /// Daily repeat model: the mean daily repeat probability and, when buyers differ,
    /// `Gamma(k, 1/k)` of their multipliers.
    daily_r: f64,
    daily_shape: Option<GammaSampler>,
    bloggers: BloggerPlan,
    /// Draw the bloggers (only mechanisms that use them read them; they are drawn last from
    /// the population stream, so skipping them moves no other draw).
    with_bloggers: bool,
    /// Sort heterogeneous organic rates into classes ([`organic_class`]) for the organic
    /// step's class walks (worlds with mechanisms; without, the engine draws each buyer's
    /// innovation day instead and needs no classes).
    rate_classes: bool,
}

#[derive(Debug, Clone)]
struct BloggerPlan {
    count: u32,
    followers: Dist,
    macro_threshold: f64,
    engagement_rate: f64,
    reference: f64,
    engagement_elasticity: f64,
    engagement_noise: rand_distr::LogNormal<f64>,
    feed_reach: f64,
    reach_elasticity: f64,
    relevance: Dist,
    market_overlap: f64,
    review_quality: Dist,
    punctuality: Dist,
}

impl PopulationPlan {
    /// Builds the samplers of a validated scenario; bloggers are drawn only when
    /// `with_bloggers` (some mechanism uses them, see `MechanismPlan::uses_bloggers`).
    pub fn new(s: &Base<'_>, with_bloggers: bool) -> Result<Self, String> {
        let p = &s.population;
        let t = &p.traits;
        let b = &p.bloggers;
        let at = |path: &str, e: String| format!("{path}: {e}");
        // A scenario distribution's sampler; errors name the key.
        let dist = |spec: &DistSpec, support: Support, path: &str| {
            spec.build(support).map_err(|e| at(path, e))
        };
        let unit_interval = |spec: &DistSpec, path: &str| dist(spec, Support::UnitInterval, path);
        Ok(PopulationPlan {
            buyers: p.buyers,
            group_count: p.groups.count,
            group_size: dist(&p.groups.size, Support::Positive, "population.groups.size")?,
            in_market: p.groups.in_market,
            segment_cum: p
                .groups
                .segments
                .iter()
                .scan(0.0, |sum, seg| {
                    *sum += seg.share;
                    Some(*sum)
                })
                .collect(),
            segment_relevance: p.groups.segments.iter().map(|s| s.relevance).collect(),
            segment_mix: match p.groups.segment_concentration {
                None => Vec::new(),
                Some(c) => {
                    let tagged: f64 = p.groups.segments.iter().map(|s| s.share).sum();
                    p.groups
                        .segments
                        .iter()
                        .map(|s| s.share)
                        .chain([1.0 - tagged])
                        .map(|s| {
                            if s > 1e-12 {
                                GammaSampler::new(c * s, 1.0)
                                    .map(Some)
                                    .map_err(|e| at("population.groups.segment_concentration", e))
                            } else {
                                Ok(None)
                            }
                        })
                        .collect::<Result<_, _>>()?
                }
            },
            traits: [
                unit_interval(&t.price_sensitivity, "price_sensitivity")?,
                unit_interval(&t.susceptibility, "susceptibility")?,
                unit_interval(&t.activity, "activity")?,
            ],
            organic_p: s.behaviour.organic.bass_p,
            organic_shape: match t.organic_shape {
                Some(k) => Some(GammaSampler::new(k, 1.0 / k).map_err(|e| at("organic_shape", e))?),
                None => None,
            },
            daily_r: s.behaviour.repurchase.daily_probability.unwrap_or(0.0),
            daily_shape: match s.behaviour.repurchase.daily_probability_shape {
                Some(k) if s.behaviour.repurchase.model == RepurchaseModel::Daily => Some(
                    GammaSampler::new(k, 1.0 / k)
                        .map_err(|e| at("behaviour.repurchase.daily_probability_shape", e))?,
                ),
                _ => None,
            },
            with_bloggers,
            rate_classes: true,
            bloggers: BloggerPlan {
                count: b.count,
                followers: dist(&b.followers, Support::Positive, "followers")?,
                macro_threshold: b.macro_threshold,
                engagement_rate: b.engagement_rate,
                reference: b.reference_followers,
                engagement_elasticity: b.engagement_elasticity,
                engagement_noise: rand_distr::LogNormal::new(0.0, b.engagement_spread)
                    .map_err(|e| at("engagement_spread", e.to_string()))?,
                feed_reach: b.feed_reach,
                reach_elasticity: b.reach_elasticity,
                relevance: unit_interval(&b.relevance, "relevance")?,
                market_overlap: b.market_overlap,
                review_quality: unit_interval(&b.review_quality, "review_quality")?,
                punctuality: unit_interval(&b.punctuality, "punctuality")?,
            },
        })
    }

    /// True when every buyer has the same organic innovation rate.
    pub fn homogeneous_organic(&self) -> bool {
        self.organic_shape.is_none()
    }

    /// True when every simulated buyer is in the product's market (no chat groups, or
    /// groups whose members all are).
    pub fn all_in_market(&self) -> bool {
        self.group_count == 0 || self.in_market >= 1.0
    }

    /// True when the scenario declares member segments (a member's segment is then read
    /// by the world's decisions and the per-segment metrics).
    pub fn segmented(&self) -> bool {
        !self.segment_cum.is_empty()
    }

    /// Whether [`Population::build`] sorts heterogeneous organic rates into classes
    /// (`organic_class`, `class_p_max`, `class_len`); on by default.
    pub fn with_rate_classes(mut self, yes: bool) -> Self {
        self.rate_classes = yes;
        self
    }
}

/// A group's cumulative segment shares, drawn from the Dirichlet distribution of
/// `population.groups.segment_concentration` (normalised Gamma draws, the untagged last),
/// into `cum`; the declared shares when every draw is 0 (tiny parameters can underflow).
fn group_mix(plan: &PopulationPlan, rng: &mut EventRng, cum: &mut [f64]) {
    let (tagged, untagged) = plan.segment_mix.split_at(cum.len());
    let mut draw = |g: &Option<GammaSampler>| g.as_ref().map_or(0.0, |g| g.sample(&mut *rng));
    for (c, g) in cum.iter_mut().zip(tagged) {
        *c = draw(g);
    }
    let total = cum.iter().sum::<f64>() + untagged.iter().map(&mut draw).sum::<f64>();
    if !(total > 0.0 && total.is_finite()) {
        cum.copy_from_slice(&plan.segment_cum);
        return;
    }
    let mut sum = 0.0;
    for c in cum.iter_mut() {
        sum += *c / total;
        *c = sum;
    }
}

/// A set of declared segments (a mechanism's `target`), as bits of their indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SegmentSet(u64);

impl SegmentSet {
    /// The segments a mechanism's `target` names, `None` when it has no target (everyone
    /// is reached); an error names an undeclared segment (validation refuses it first).
    pub fn of(
        base: &crate::settings::Base<'_>,
        target: Option<&crate::settings::Target>,
    ) -> Result<Option<SegmentSet>, String> {
        let Some(target) = target else {
            return Ok(None);
        };
        let declared = &base.population.groups.segments;
        let mut bits = 0u64;
        for name in target.names() {
            let k = declared
                .iter()
                .position(|s| s.name == *name)
                .ok_or_else(|| format!("target: unknown segment {name:?}"))?;
            bits |= 1 << k;
        }
        Ok(Some(SegmentSet(bits)))
    }

    /// True when segment `k` is in the set.
    #[inline]
    pub fn contains(self, k: usize) -> bool {
        k < 64 && self.0 >> k & 1 == 1
    }
}

/// Bloggers of one trial (struct of arrays).
#[derive(Debug, Default, Clone)]
pub struct Bloggers {
    /// Follower counts.
    pub followers: Vec<f64>,
    /// Engagement rate (likes + comments + shares) / followers, in [0, 1].
    pub engagement: Vec<f64>,
    /// Share of followers whose feed shows a post.
    pub reach: Vec<f64>,
    /// Share of followers in the product's target market.
    pub relevance: Vec<f64>,
    /// Review quality in [0, 1].
    pub review_quality: Vec<f64>,
    /// Punctuality in (0, 1].
    pub punctuality: Vec<f64>,
    /// Macro (followers >= threshold) or micro.
    pub is_macro: Vec<bool>,
    /// Share of relevant followers inside the simulated market.
    pub market_overlap: f64,
}

impl Bloggers {
    /// Number of bloggers.
    pub fn len(&self) -> usize {
        self.followers.len()
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.followers.is_empty()
    }
}

/// The agents of one trial.
#[derive(Debug, Default, Clone)]
pub struct Population {
    /// Mixing pools; groups first, then the open market (if it has buyers).
    pub pools: Vec<Pool>,
    /// Pool index of each buyer.
    pub pool_of: Vec<u32>,
    /// Organic innovation rate per buyer; empty when homogeneous (everyone has `bass_p`).
    pub organic_p: Vec<f64>,
    /// Largest organic innovation rate per pool.
    pub pool_p_max: Vec<f64>,
    /// Daily repeat model, heterogeneous buyers: each buyer's daily repeat probability
    /// `r_i = min(1, r · Gamma(k, 1/k))`; empty when buyers share `r`.
    pub daily_r: Vec<f64>,
    /// Heterogeneous rates: each buyer's class ([`organic_class`]); empty when homogeneous
    /// or when the plan asks for no classes.
    pub organic_class: Vec<u8>,
    /// Heterogeneous rates: largest rate of each (pool, class), at `pool · ORGANIC_CLASSES +
    /// class` (the bounds the organic step thins against).
    pub class_p_max: Vec<f64>,
    /// Heterogeneous rates: members of each (pool, class).
    pub class_len: Vec<u32>,
    /// Bloggers (empty unless the blogger review program runs).
    pub bloggers: Bloggers,
    traits: [Vec<f32>; TRAITS],
    traits_len: usize,
    traits_ready: bool,
    pools_built: Vec<Pool>,
    /// Number of chat-group pools (they come first).
    groups: usize,
    /// The open market's pool (first id, size), when it has buyers.
    market: Option<(u32, u32)>,
    trial_key: u64,
    trait_dists: Option<[Dist; TRAITS]>,
    /// Share of chat-group members in the product's market.
    in_market: f64,
    /// Each buyer's segment: 0 untagged, `k + 1` segment `k`; empty without segments.
    segment: Vec<u8>,
    /// Each segment's relevance (log-odds shift); empty without segments.
    segment_relevance: Vec<f64>,
    /// Members of each segment.
    segment_members: Vec<u32>,
}

impl Population {
    /// Rebuilds the population for a trial, reusing buffers.
    pub fn build(&mut self, plan: &PopulationPlan, trial_key: u64, rng: &mut SimRng) {
        self.trial_key = trial_key;
        self.in_market = plan.in_market;
        if self.trait_dists.is_none() {
            self.trait_dists = Some(plan.traits.clone());
        }
        self.pools.clear();
        let mut start = 0u32;
        for _ in 0..plan.group_count {
            // Capped at the largest group validation allows for a bounded distribution.
            let len = plan
                .group_size
                .sample(rng)
                .round()
                .clamp(1.0, f64::from(MAX_GROUP_SIZE)) as u32;
            self.pools.push(Pool {
                start,
                len,
                group: true,
            });
            start += len;
        }
        if plan.buyers > 0 {
            self.pools.push(Pool {
                start,
                len: plan.buyers,
                group: false,
            });
            start += plan.buyers;
        }
        let n = start as usize;
        self.groups = self.pools.iter().take_while(|p| p.group).count();
        self.market = self
            .pools
            .iter()
            .find(|p| !p.group && p.len > 0)
            .map(|p| (p.start, p.len));
        // `pool_of` is a function of the pool sizes: rebuilt only when they changed.
        if self.pools != self.pools_built {
            self.pool_of.clear();
            for (g, pool) in self.pools.iter().enumerate() {
                self.pool_of
                    .extend(std::iter::repeat_n(g as u32, pool.len as usize));
            }
            self.pools_built.clone_from(&self.pools);
        }
        self.pool_p_max.clear();
        self.organic_p.clear();
        self.organic_class.clear();
        self.class_p_max.clear();
        self.class_len.clear();
        match &plan.organic_shape {
            None => self.pool_p_max.resize(self.pools.len(), plan.organic_p),
            Some(g) => {
                for pool in &self.pools {
                    let mut max = 0.0f64;
                    let mut class_max = [0.0f64; ORGANIC_CLASSES];
                    let mut class_len = [0u32; ORGANIC_CLASSES];
                    for _ in 0..pool.len {
                        let p = (plan.organic_p * g.sample(rng)).min(1.0);
                        max = max.max(p);
                        self.organic_p.push(p);
                        if plan.rate_classes {
                            let c = organic_class(p, plan.organic_p);
                            self.organic_class.push(c as u8);
                            class_max[c] = class_max[c].max(p);
                            class_len[c] += 1;
                        }
                    }
                    self.pool_p_max.push(max);
                    if plan.rate_classes {
                        self.class_p_max.extend_from_slice(&class_max);
                        self.class_len.extend_from_slice(&class_len);
                    }
                }
            }
        }
        self.daily_r.clear();
        if let Some(g) = &plan.daily_shape {
            self.daily_r
                .extend((0..n).map(|_| (plan.daily_r * g.sample(rng)).min(1.0)));
        }
        // Traits are cleared on the first `trait_of` of the trial: a trial that never asks
        // (no mechanism) never touches them.
        self.traits_len = n;
        self.traits_ready = false;
        let bloggers = if plan.with_bloggers {
            plan.bloggers.count
        } else {
            0
        };
        self.build_bloggers(&plan.bloggers, bloggers, rng);
        self.build_segments(plan, n);
    }

    /// Draws each chat-group member's segment (see the module documentation, "Segments"):
    /// nothing without segments.
    fn build_segments(&mut self, plan: &PopulationPlan, n: usize) {
        self.segment.clear();
        self.segment_members.clear();
        self.segment_relevance.clone_from(&plan.segment_relevance);
        if plan.segment_cum.is_empty() {
            return;
        }
        self.segment.resize(n, 0);
        self.segment_members.resize(plan.segment_cum.len(), 0);
        let key = stream_key(self.trial_key, stream::SEGMENTS);
        let mut cum = plan.segment_cum.clone();
        for (g, pool) in self.pools.iter().enumerate().filter(|(_, p)| p.group) {
            if !plan.segment_mix.is_empty() {
                group_mix(plan, &mut EventRng::new(key, g as u32, 1), &mut cum);
            }
            for i in pool.start..pool.start + pool.len {
                let u = EventRng::new(key, i, 0).random::<f64>();
                if let Some(k) = cum.iter().position(|&c| u < c) {
                    self.segment[i as usize] = k as u8 + 1;
                    self.segment_members[k] += 1;
                }
            }
        }
    }

    fn build_bloggers(&mut self, p: &BloggerPlan, count: u32, rng: &mut SimRng) {
        let b = &mut self.bloggers;
        b.followers.clear();
        b.engagement.clear();
        b.reach.clear();
        b.relevance.clear();
        b.review_quality.clear();
        b.punctuality.clear();
        b.is_macro.clear();
        b.market_overlap = p.market_overlap;
        for _ in 0..count {
            let f = p.followers.sample(rng).max(1.0).round();
            let size = f / p.reference;
            let e = (p.engagement_rate
                * size.powf(p.engagement_elasticity)
                * p.engagement_noise.sample(rng))
            .min(1.0);
            let reach = (p.feed_reach * size.powf(p.reach_elasticity)).min(1.0);
            b.followers.push(f);
            b.engagement.push(e);
            b.reach.push(reach);
            b.relevance.push(p.relevance.sample(rng));
            b.review_quality.push(p.review_quality.sample(rng));
            b.punctuality.push(p.punctuality.sample(rng).max(1e-3));
            b.is_macro.push(f >= p.macro_threshold);
        }
    }

    /// Number of buyers.
    #[inline]
    pub fn len(&self) -> usize {
        self.pool_of.len()
    }

    /// True when there are no buyers.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pool_of.is_empty()
    }

    /// Buyer `i`'s organic innovation rate, or `None` when homogeneous.
    #[inline]
    pub fn organic_p(&self, i: u32) -> Option<f64> {
        self.organic_p.get(i as usize).copied()
    }

    /// True when every agent is in the product's market (no chat groups, or groups whose
    /// members all are).
    pub fn all_in_market(&self) -> bool {
        self.groups == 0 || self.in_market >= 1.0
    }

    /// True when chat-group member `i` is in the product's market (always for an outsider):
    /// a coin of probability `population.groups.in_market` from the member's own stream of
    /// the trial, so who is in the market does not depend on anything else drawn.
    pub fn in_market(&self, i: u32) -> bool {
        if self.in_market >= 1.0 || !self.pools[self.pool_of[i as usize] as usize].group {
            return true;
        }
        let key = crate::rng::stream_key(self.trial_key, stream::POPULATION);
        crate::rng::EventRng::new(key, i, IN_MARKET_EVENT).random::<f64>() < self.in_market
    }

    /// True when the scenario declares member segments.
    #[inline]
    pub fn segmented(&self) -> bool {
        !self.segment.is_empty()
    }

    /// Buyer `i`'s segment (its index in `population.groups.segments`), `None` when
    /// untagged or when there are no segments.
    #[inline]
    pub fn segment_of(&self, i: u32) -> Option<usize> {
        match self.segment.get(i as usize) {
            Some(&s) if s > 0 => Some(s as usize - 1),
            _ => None,
        }
    }

    /// The relevance (log-odds shift) of buyer `i`'s segment, `None` when untagged or when
    /// there are no segments (nothing to add to a decision).
    #[inline]
    pub fn relevance(&self, i: u32) -> Option<f64> {
        self.segment_of(i).map(|k| self.segment_relevance[k])
    }

    /// Members of each declared segment (empty without segments).
    pub fn segment_members(&self) -> &[u32] {
        &self.segment_members
    }

    /// True when buyer `i` is in one of the segments of `set`.
    #[inline]
    pub fn in_segments(&self, i: u32, set: SegmentSet) -> bool {
        self.segment_of(i).is_some_and(|k| set.contains(k))
    }

    /// Buyer `i`'s trait, drawn on first use from the per-agent stream.
    #[inline]
    pub fn trait_of(&mut self, i: u32, t: Trait) -> f64 {
        if !self.traits_ready {
            for v in &mut self.traits {
                v.clear();
                v.resize(self.traits_len, f32::NAN);
            }
            self.traits_ready = true;
        }
        let v = self.traits[t as usize][i as usize];
        if v.is_nan() {
            return self.draw_trait(i, t);
        }
        v as f64
    }

    /// Draws buyer `i`'s trait on first use (out of line: the hot path is a load).
    #[cold]
    #[inline(never)]
    fn draw_trait(&mut self, i: u32, t: Trait) -> f64 {
        let dists = self.trait_dists.as_ref().expect("population built");
        let mut rng = agent_rng(self.trial_key, stream::POPULATION, i, t as u32);
        let v = dists[t as usize].sample(&mut rng) as f32;
        self.traits[t as usize][i as usize] = v;
        v as f64
    }

    /// A uniformly random buyer.
    #[inline]
    pub fn random_buyer(&self, rng: &mut SimRng) -> u32 {
        rng.random_range(0..self.len() as u32)
    }

    /// Indices of the chat-group pools: groups are built first, so they are `0..count`.
    #[inline]
    pub fn group_pools(&self) -> std::ops::Range<usize> {
        0..self.groups
    }

    /// Buyers outside the chat groups (the open market).
    #[inline]
    pub fn outsiders(&self) -> usize {
        self.market.map_or(0, |(_, len)| len as usize)
    }

    /// A uniformly random buyer outside the chat groups (the open market, built last as one
    /// pool), if there is one.
    #[inline]
    pub fn random_outsider(&self, rng: &mut SimRng) -> Option<u32> {
        let (start, len) = self.market?;
        Some(start + rng.random_range(0..len as usize) as u32)
    }

    /// The `k`-th buyer outside the chat groups (`k` below [`Population::outsiders`]).
    #[inline]
    pub fn outsider(&self, k: u32) -> Option<u32> {
        let (start, len) = self.market?;
        (k < len).then_some(start + k)
    }

    /// Members of chat groups.
    pub fn group_members(&self) -> usize {
        self.pools
            .iter()
            .filter(|p| p.group)
            .map(|p| p.len as usize)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream_rng, trial_key};
    use crate::scenario::load_str;

    fn plan(extra: &str) -> PopulationPlan {
        let s = load_str(
            &format!(
                "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 1000\n{extra}"
            ),
            "t",
            &[],
        )
        .unwrap();
        PopulationPlan::new(&s.base(), true).unwrap()
    }

    #[test]
    fn pools_are_contiguous() {
        let p = plan("[population.groups]\ncount = 5\n");
        let mut pop = Population::default();
        pop.build(&p, 1, &mut stream_rng(1, 1));
        assert_eq!(pop.pools.len(), 6);
        let mut next = 0;
        for (g, pool) in pop.pools.iter().enumerate() {
            assert_eq!(pool.start, next);
            assert!(pool.group == (g < 5));
            assert!(pool.group || pool.len == 1000);
            assert!(!pool.group || (200..=500).contains(&pool.len));
            next += pool.len;
            assert_eq!(pop.pool_of[pool.start as usize], g as u32);
        }
        assert_eq!(pop.len(), next as usize);
    }

    #[test]
    fn lazy_traits_do_not_depend_on_access_order() {
        let p = plan("");
        let key = trial_key(3, 4);
        let mut a = Population::default();
        a.build(&p, key, &mut stream_rng(key, 1));
        let mut b = a.clone();
        let x1 = a.trait_of(10, Trait::Susceptibility);
        let y1 = a.trait_of(20, Trait::Activity);
        let y2 = b.trait_of(20, Trait::Activity);
        let x2 = b.trait_of(10, Trait::Susceptibility);
        assert_eq!((x1, y1), (x2, y2));
        assert!((0.0..=1.0).contains(&x1));
    }

    /// Segments come from their own stream: rebuilding gives the same ones, outsiders are
    /// untagged, and the population stream draws what it drew without segments.
    #[test]
    fn segments_are_drawn_per_member_from_their_own_stream() {
        let seg = "[[population.groups.segments]]\nname = \"a\"\nshare = 0.4\nrelevance = 1.0\n";
        let with = plan(&format!("[population.groups]\ncount = 3\n{seg}"));
        let without = plan("[population.groups]\ncount = 3\n");
        let key = trial_key(5, 1);
        let (mut a, mut b, mut c) = Default::default();
        let mut rng_a = stream_rng(key, 1);
        let mut rng_c = stream_rng(key, 1);
        Population::build(&mut a, &with, key, &mut rng_a);
        Population::build(&mut b, &with, key, &mut stream_rng(key, 1));
        Population::build(&mut c, &without, key, &mut rng_c);
        let (a, b, c): (Population, Population, Population) = (a, b, c);
        assert_eq!(rng_a.random::<u64>(), rng_c.random::<u64>());
        assert_eq!(a.pools, c.pools);
        assert!(!c.segmented() && c.relevance(0).is_none());
        let n = a.len() as u32;
        let members = a.group_members() as u32;
        for i in 0..n {
            assert_eq!(a.segment_of(i), b.segment_of(i));
            if i >= members {
                assert_eq!(a.segment_of(i), None);
            }
            assert_eq!(a.relevance(i), a.segment_of(i).map(|_| 1.0));
        }
        let tagged = (0..n).filter(|&i| a.segment_of(i) == Some(0)).count() as u32;
        assert_eq!(a.segment_members(), [tagged]);
        assert!(tagged > 0 && tagged < members);
    }

    #[test]
    fn heterogeneous_organic_rates_have_a_bound() {
        let p = plan("[population.traits]\norganic_shape = 0.5\n");
        let mut pop = Population::default();
        pop.build(&p, 1, &mut stream_rng(1, 1));
        assert_eq!(pop.organic_p.len(), 1000);
        let max = pop.organic_p.iter().cloned().fold(0.0, f64::max);
        assert_eq!(pop.pool_p_max[0], max);
    }
}
