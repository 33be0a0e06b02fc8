//! A blogger's post on the open market, shared by the review program
//! ([`super::blogger_reviews`]) and paid posts ([`super::influencers`]).
//!
//! ## Model
//! - **Fit.** A seller ranking bloggers by fit sees engagement × relevance through a
//!   log-normal judgement error: `engagement_k · relevance_k · exp(judgement_sd · Z)`,
//!   `Z ~ N(0, 1)` ([`fit_score`]).
//! - **Feed.** A post of blogger `k` reaches
//!   `Binomial(followers_k, min(1, relevance · market_overlap · reach · engagement · lift))`
//!   engaged followers in the market ([`engaged_followers`]), each a buyer drawn uniformly,
//!   who sees it after a geometric delay: a share `feed_decay` of the views moves to the next
//!   day ([`feed_lag`]). [`Feed`] keeps the views by day.
//! - **Discovery tab.** A post is seen by `Poisson(views_per_day · engagement_k)`
//!   strangers a day while it stays in the tab ([`discovery_count`]).

use crate::population::Bloggers;
use crate::rng::{SimRng, poisson_count};
use crate::world::World;
use rand_distr::{Binomial, Distribution, Exp1, StandardNormal};

/// `ln(feed_decay)`, or −∞ when every feed view happens on the day of the post.
pub fn feed_decay_ln(feed_decay: f64) -> f64 {
    if feed_decay > 0.0 {
        feed_decay.ln()
    } else {
        f64::NEG_INFINITY
    }
}

/// Engaged in-market followers who see one post of blogger `k`:
/// `Binomial(followers, min(1, relevance · market_overlap · reach · engagement · lift))`,
/// at most the population.
pub fn engaged_followers(world: &World, k: usize, lift: f64, rng: &mut SimRng) -> u64 {
    let b = &world.pop.bloggers;
    let p_view =
        (b.relevance[k] * b.market_overlap * b.reach[k] * b.engagement[k] * lift).clamp(0.0, 1.0);
    Binomial::new(b.followers[k] as u64, p_view)
        .map(|d| d.sample(rng))
        .unwrap_or(0)
        .min(world.pop.len() as u64)
}

/// Whole days from a post to one of its feed views: `floor(E / −ln feed_decay)`,
/// `E ~ Exp(1)` (a geometric delay: a share `feed_decay` of the views moves to the next day).
pub fn feed_lag(decay_ln: f64, rng: &mut SimRng) -> f64 {
    if decay_ln.is_finite() {
        let e: f64 = Exp1.sample(rng);
        (e / -decay_ln).floor()
    } else {
        0.0
    }
}

/// Blogger `k`'s fit as a seller judges it: `engagement · relevance · exp(judgement_sd · Z)`.
pub fn fit_score(b: &Bloggers, k: usize, judgement_sd: f64, rng: &mut SimRng) -> f64 {
    let z: f64 = StandardNormal.sample(rng);
    b.engagement[k] * b.relevance[k] * (judgement_sd * z).exp()
}

/// Discovery-tab views today of a post by blogger `k`:
/// `Poisson(views_per_day · engagement_k)`, 0 without a draw when the mean is 0.
pub fn discovery_count(world: &World, k: usize, views_per_day: f64, rng: &mut SimRng) -> u64 {
    let mean = views_per_day * world.pop.bloggers.engagement[k];
    if mean <= 0.0 {
        return 0;
    }
    poisson_count(mean, rng)
}

/// Feed views of a mechanism's posts, by day: (buyer, post id).
#[derive(Debug, Clone)]
pub struct Feed {
    /// `ln(feed_decay)` ([`feed_decay_ln`]).
    decay_ln: f64,
    days: Vec<Vec<(u32, u32)>>,
}

impl Feed {
    /// An empty feed whose views are delayed with `ln(feed_decay)` = `decay_ln`.
    pub fn new(decay_ln: f64) -> Self {
        Feed {
            decay_ln,
            days: Vec::new(),
        }
    }

    /// Empties the feed for a trial of `horizon` days, keeping its allocations.
    pub fn reset(&mut self, horizon: usize) {
        crate::world::clear_days(&mut self.days, horizon);
    }

    /// Post `id` of blogger `k`, published on `day`, reaches its engaged followers
    /// ([`engaged_followers`] with `lift`): each a uniform buyer who sees it [`feed_lag`]
    /// days later, within the horizon.
    pub fn post(
        &mut self,
        world: &World,
        k: usize,
        lift: f64,
        day: u32,
        id: u32,
        rng: &mut SimRng,
    ) {
        let engaged = engaged_followers(world, k, lift, rng);
        for _ in 0..engaged {
            let buyer = world.pop.random_buyer(rng);
            let d = day as f64 + feed_lag(self.decay_ln, rng);
            if d < world.horizon as f64 {
                self.days[d as usize].push((buyer, id));
            }
        }
    }

    /// Takes the views of `day`; hand the list back with [`Feed::restore`].
    pub fn take(&mut self, day: usize) -> Vec<(u32, u32)> {
        std::mem::take(&mut self.days[day])
    }

    /// Returns the emptied list of `day`, so its allocation is reused.
    pub fn restore(&mut self, day: usize, mut views: Vec<(u32, u32)>) {
        views.clear();
        self.days[day] = views;
    }
}
