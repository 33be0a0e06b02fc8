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
//!   day ([`feed_lag`]). [`Feed`] keeps a trial's posts and their views by day.
//! - **Discovery tab.** A post is seen by `Poisson(views_per_day · engagement_k)`
//!   strangers a day while it stays in the tab ([`discovery_count`]).
//!
//! A view is a purchase opportunity at the channel's base (`channels.feed`,
//! `channels.discovery`); [`Views`] walks a day's views in the order their draws are made.

use crate::population::Bloggers;
use crate::rng::{SimRng, poisson_count};
use crate::settings::Base;
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
/// `Poisson(views_per_day · engagement_k)`, at most the population (one view per buyer and
/// day on average, as [`engaged_followers`] caps a post's feed views), 0 without a draw
/// when the mean is 0. Without the cap a large `discovery_views_per_day` meant billions of
/// views a day, one loop iteration each.
pub fn discovery_count(world: &World, k: usize, views_per_day: f64, rng: &mut SimRng) -> u64 {
    let mean = views_per_day * world.pop.bloggers.engagement[k];
    if mean <= 0.0 {
        return 0;
    }
    poisson_count(mean, rng).min(world.pop.len() as u64)
}

/// The blogger-feed settings a plan keeps: the feed's delay, the discovery tab, and the
/// channel bases of the two.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeedPlan {
    /// `ln(feed_decay)` ([`feed_decay_ln`]).
    decay_ln: f64,
    /// Discovery-tab views a day per unit of the blogger's engagement.
    discovery_views: f64,
    /// Days a post stays in the discovery tab.
    discovery_days: u32,
    /// Base log-odds of a view in a follower's feed (`channels.feed`).
    feed_base: f64,
    /// Base log-odds of a view in the discovery tab (`channels.discovery`).
    discovery_base: f64,
}

impl FeedPlan {
    /// The feed of a mechanism with these settings in the scenario `base`.
    pub fn new(
        base: &Base<'_>,
        feed_decay: f64,
        discovery_views_per_day: f64,
        discovery_days: u32,
    ) -> Self {
        FeedPlan {
            decay_ln: feed_decay_ln(feed_decay),
            discovery_views: discovery_views_per_day,
            discovery_days,
            feed_base: base.behaviour.channels.feed,
            discovery_base: base.behaviour.channels.discovery,
        }
    }
}

/// A mechanism's posts in one trial and their feed views, by day.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// The mechanism's feed settings (set by [`Feed::begin`]).
    plan: FeedPlan,
    /// Published posts (day, blogger); a post's id is its index.
    posts: Vec<(u32, u32)>,
    /// Feed views of each day: (buyer, post id).
    days: Vec<Vec<(u32, u32)>>,
}

impl Feed {
    /// Readies an empty feed with `plan`'s settings for a trial of `horizon` days.
    pub fn begin(&mut self, plan: FeedPlan, horizon: usize) {
        self.plan = plan;
        crate::world::clear_days(&mut self.days, horizon);
    }

    /// Publishes a post of blogger `k` on `day`, returning its id: it reaches its engaged
    /// followers ([`engaged_followers`] with `lift`), each a uniform buyer who sees it
    /// [`feed_lag`] days later, within the horizon.
    pub fn post(&mut self, world: &World, k: usize, lift: f64, day: u32, rng: &mut SimRng) -> u32 {
        let id = self.posts.len() as u32;
        self.posts.push((day, k as u32));
        let engaged = engaged_followers(world, k, lift, rng);
        for _ in 0..engaged {
            let buyer = world.pop.random_buyer(rng);
            let d = day as f64 + feed_lag(self.plan.decay_ln, rng);
            if d < world.horizon as f64 {
                self.days[d as usize].push((buyer, id));
            }
        }
        id
    }
}

/// One view of a post: a purchase opportunity at its channel's base.
#[derive(Debug, Clone, Copy)]
pub struct View {
    /// The buyer who sees the post.
    pub buyer: u32,
    /// The post's id.
    pub post: u32,
    /// The channel's base log-odds (`channels.feed` or `channels.discovery`).
    pub base: f64,
}

/// Today's views of a feed's posts: the feed views first, then, post by post, the
/// discovery-tab views of posts still in the tab, each drawn as it is reached (the count
/// of a post's views, then each viewer), so a caller's draws for a view come between.
#[derive(Debug)]
pub struct Views {
    day: u32,
    /// Today's feed views, taken from the feed and handed back when they are done.
    feed: Vec<(u32, u32)>,
    next: usize,
    /// The next post whose discovery views are to be drawn.
    post: usize,
    /// Discovery views left of the post before it.
    left: u64,
}

impl Views {
    /// The views of `day`.
    pub fn of(feed: &mut Feed, day: u32) -> Self {
        Views {
            day,
            feed: std::mem::take(&mut feed.days[day as usize]),
            next: 0,
            post: 0,
            left: 0,
        }
    }

    /// The next view.
    pub fn next(&mut self, feed: &mut Feed, world: &World, rng: &mut SimRng) -> Option<View> {
        if let Some(&(buyer, post)) = self.feed.get(self.next) {
            self.next += 1;
            return Some(View {
                buyer,
                post,
                base: feed.plan.feed_base,
            });
        }
        if self.feed.capacity() > 0 {
            // The feed views are done: the list goes back to the feed, for its allocation.
            let mut done = std::mem::take(&mut self.feed);
            done.clear();
            feed.days[self.day as usize] = done;
        }
        while self.left == 0 {
            let &(day, k) = feed.posts.get(self.post)?;
            self.post += 1;
            if self.day < day.saturating_add(feed.plan.discovery_days) {
                self.left = discovery_count(world, k as usize, feed.plan.discovery_views, rng);
            }
        }
        self.left -= 1;
        Some(View {
            buyer: world.pop.random_buyer(rng),
            post: self.post as u32 - 1,
            base: feed.plan.discovery_base,
        })
    }
}
