//! The marketplace's blogger review program (docs/field-figures.md §2.1).
//!
//! ## Model
//! 1. **Application** (on `start_day`). Each blogger of the pool answers with probability
//!    `response_rate`. Under *manual* selection the seller ranks respondents by fit
//!    (engagement × relevance, seen through a log-normal judgement error of sd
//!    `judgement_sd`, default 0.3; [`super::blogger_feed::fit_score`]) or by followers;
//!    under *automatic* selection the platform assigns respondents at random. At most
//!    `bloggers` are chosen.
//! 2. **Shipping.** Each chosen blogger receives the product free: the seller pays the unit
//!    cost, plus `shipping_cost` unless the platform's logistics ship it. Delivery takes
//!    `delivery_days`; an untracked parcel is lost with probability `untracked_loss_rate`
//!    (no trace, no review, cost spent).
//! 3. **Review deadline.** A blogger of punctuality `u` publishes `Exp(mean / u)` days after
//!    receipt; later than `review_deadline_days` the order is cancelled and no review appears.
//! 4. **Honest sentiment.** A defective unit or wrong variant gives a negative review,
//!    uniform between `defect_sentiment_best` and `defect_sentiment_worst` (defaults −0.4
//!    and −1: `−(0.4 + 0.6·U)`); damaged packaging a lukewarm one,
//!    `damaged_sentiment_scale·B + damaged_sentiment_shift` (defaults 0.5 and −0.3:
//!    `0.5·B − 0.3`); otherwise `B ~ Beta(mean = product.quality, concentration
//!    sentiment_concentration)` (default 8). The platform cannot remove reviews.
//! 5. **Exposure** (the blogger feed shared with paid posts, [`super::blogger_feed`]).
//!    A published review
//!    - joins the product card, moving social proof for every visitor (the organic hazard of
//!      every non-buyer and every other exposure);
//!    - reaches engaged followers in the market: `Binomial(followers, relevance ·
//!      market_overlap · reach · engagement)` buyers, drawn uniformly from the market, each
//!      seeing it after a geometric delay (`feed_decay` per day). Each view is an exposure
//!      with base `channels.feed`, strength `sentiment × review_quality`, minus
//!      `macro_trust_penalty` for macro bloggers;
//!    - appears in the discovery tab for `discovery_days` days to
//!      `Poisson(discovery_views_per_day · engagement)` engaged strangers a day, base
//!      `channels.discovery`: strangers react to the review itself, whatever the blogger's size.
//!
//! Because engagement and feed reach fall with follower count (population.bloggers), a
//! blogger's engaged in-market audience hardly grows with followers, so follower count alone
//! does not predict sales, while engagement × relevance does.
//!
//! ## KPIs
//! `reviews_responded`, `reviews_products_sent`, `reviews_parcels_lost`, `reviews_published`,
//! `reviews_late` (cancelled past the deadline), `reviews_mean_sentiment` (empty when none),
//! `reviews_engaged_views`, `reviews_orders` (first orders from feed and discovery views),
//! `reviews_cost` (products + shipping).

mod config;
pub use config::*;

use super::blogger_feed::{Feed, FeedPlan, View, Views, fit_score};
use super::{Better, Kpi, Mechanism, Metric, Need, Needs, Record, Run, Unit, per};
use crate::behaviour::Exposure;
use crate::dist::{Dist, Support};
use crate::settings::Base;
use crate::world::World;
use rand::RngExt;
use rand_distr::{Beta, Distribution, Exp1};
use std::sync::Arc;

impl Mechanism for Plan {
    type Config = BloggerReviews;
    type Trial = Trial;
    const KEY: &'static str = "blogger_reviews";
    const LABEL: &'static str = "the blogger review program";
    const STREAM: u64 = 0;

    fn plan(base: &Base<'_>, c: &BloggerReviews) -> Result<Self, String> {
        let BloggerReviews {
            enabled: _,
            // Names for the seller's records; the model does not read them.
            application: _,
            product_id: _,
            selection: _,
            manual_criterion: _,
            bloggers: _,
            start_day: _,
            response_rate: _,
            logistics: _,
            shipping_cost: _,
            untracked_loss_rate: _,
            delivery_days: _,
            review_deadline_days: _,
            review_delay_mean_days: _,
            judgement_sd: _,
            sentiment_concentration: _,
            defect_sentiment_best: _,
            defect_sentiment_worst: _,
            damaged_sentiment_scale: _,
            damaged_sentiment_shift: _,
            feed_decay: _,
            discovery_views_per_day: _,
            discovery_days: _,
        } = c;
        let shipping = match c.logistics {
            Logistics::Platform => 0.0,
            Logistics::Tracked | Logistics::Untracked => c.shipping_cost,
        };
        let q = base.product.quality;
        let k = c.sentiment_concentration;
        Ok(Plan {
            config: c.clone(),
            parcel_cost: base.product.unit_cost + shipping,
            loss_rate: if c.logistics == Logistics::Untracked {
                c.untracked_loss_rate
            } else {
                0.0
            },
            delivery_days: c
                .delivery_days
                .build(Support::NonNegative)
                .map_err(|e| format!("mechanisms.blogger_reviews.delivery_days: {e}"))?,
            feed: FeedPlan::new(
                base,
                c.feed_decay,
                c.discovery_views_per_day,
                c.discovery_days,
            ),
            macro_penalty: base.behaviour.social_proof.macro_trust_penalty,
            bad_unit: 1.0
                - (1.0 - base.product.defect_rate) * (1.0 - base.product.variant_error_rate),
            damaged: base.product.packaging_damage_rate,
            positive: Beta::new(q * k, (1.0 - q) * k)
                .map_err(|e| format!("product.quality: {e}"))?,
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::Bloggers]);

    fn begin(run: &mut Run<Self>, world: &World) {
        run.trial.feed.begin(run.plan.feed, world.horizon as usize);
        run.trial.blogger_orders.resize(world.pop.bloggers.len(), 0);
    }

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        let day = world.day;
        if day == run.plan.config.start_day {
            run.open_application(world);
        }
        while let Some(&r) = run.trial.due.get(run.trial.next)
            && r.day <= day
        {
            run.trial.next += 1;
            run.publish(world, r);
        }
        let mut views = Views::of(&mut run.trial.feed, day);
        while let Some(v) = views.next(&mut run.trial.feed, world, &mut run.rng) {
            run.view(world, v);
        }
    }
}

impl Run<Plan> {
    /// Orders attributed to each blogger of the pool in this trial.
    pub fn blogger_orders(&self) -> &[u32] {
        &self.trial.blogger_orders
    }

    /// Bloggers who were sent a product in this trial.
    pub fn chosen(&self) -> &[u32] {
        &self.trial.chosen
    }

    fn open_application(&mut self, world: &mut World) {
        let plan = Arc::clone(&self.plan);
        let (p, c) = (&*plan, &plan.config);
        let t = &mut self.trial;
        let b = &world.pop.bloggers;
        for k in 0..b.len() {
            if self.rng.random::<f64>() < c.response_rate {
                let score = match (c.selection, c.manual_criterion) {
                    (Selection::Manual, Criterion::Fit) => {
                        fit_score(b, k, c.judgement_sd, &mut self.rng)
                    }
                    (Selection::Manual, Criterion::Followers) => b.followers[k],
                    (Selection::Automatic, _) => self.rng.random::<f64>(),
                };
                t.respondents.push((score, k as u32));
            }
        }
        t.responded = t.respondents.len() as u32;
        t.respondents
            .sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let chosen = (c.bloggers as usize).min(t.respondents.len());
        for &(_, blogger) in &t.respondents[..chosen] {
            t.chosen.push(blogger);
            t.sent += 1;
            t.cost += p.parcel_cost;
            world.book_cost(p.parcel_cost);
            let delivery = p.delivery_days.sample(&mut self.rng).max(0.0);
            if self.rng.random::<f64>() < p.loss_rate {
                t.lost += 1;
                continue;
            }
            let punctuality = world.pop.bloggers.punctuality[blogger as usize];
            let e: f64 = Exp1.sample(&mut self.rng);
            let delay = e * c.review_delay_mean_days / punctuality;
            if delay > c.review_deadline_days as f64 {
                t.late += 1;
                continue;
            }
            let sentiment = p.honest_sentiment(&mut self.rng);
            let day = (c.start_day as f64 + delivery + delay).floor();
            if day < world.horizon as f64 {
                t.due.push(Review {
                    day: day as u32,
                    blogger,
                    sentiment,
                });
            }
        }
        t.due.sort_by_key(|r| (r.day, r.blogger));
    }

    fn publish(&mut self, world: &mut World, r: Review) {
        let t = &mut self.trial;
        t.published.push(r);
        t.sentiment_sum += r.sentiment;
        world.add_card_review(r.sentiment);
        let k = r.blogger as usize;
        t.feed.post(world, k, 1.0, r.day, &mut self.rng);
    }

    /// One view of a review: a purchase opportunity with the review's strength.
    fn view(&mut self, world: &mut World, v: View) {
        let review = self.trial.published[v.post as usize];
        let b = &world.pop.bloggers;
        let k = review.blogger as usize;
        let macro_penalty = if b.is_macro[k] {
            self.plan.macro_penalty
        } else {
            0.0
        };
        let e = Exposure {
            base: v.base - macro_penalty,
            attention: 1.0,
            strength: review.sentiment * b.review_quality[k],
            incentive: 0.0,
        };
        self.trial.views += 1;
        let minute = self.rng.random_range(0..1440u32);
        if world.offer(v.buyer, minute, &e, &mut self.rng) {
            self.trial.orders += 1;
            self.trial.blogger_orders[k] += 1;
        }
    }
}

/// The plan: the validated settings, read as they are, and what they and the product give:
/// a parcel's cost and loss rate, the delivery sampler, the blogger feed, and the product's
/// risks for honest sentiment.
#[derive(Debug, Clone)]
pub struct Plan {
    config: BloggerReviews,
    /// The unit given away and its shipping.
    parcel_cost: f64,
    /// Untracked parcels are lost at `untracked_loss_rate`, others never.
    loss_rate: f64,
    delivery_days: Dist,
    feed: FeedPlan,
    /// `behaviour.social_proof.macro_trust_penalty`.
    macro_penalty: f64,
    /// Probability of a defective unit or a wrong variant.
    bad_unit: f64,
    /// Probability of damaged packaging.
    damaged: f64,
    /// Sentiment of an intact unit: Beta around the product's quality.
    positive: Beta<f64>,
}

impl Plan {
    /// A review's honest sentiment: negative for a defective unit or a wrong variant,
    /// lukewarm for damaged packaging, Beta around the product's quality otherwise.
    fn honest_sentiment(&self, rng: &mut crate::rng::SimRng) -> f64 {
        let c = &self.config;
        if rng.random::<f64>() < self.bad_unit {
            let span = c.defect_sentiment_worst - c.defect_sentiment_best;
            c.defect_sentiment_best + span * rng.random::<f64>()
        } else if rng.random::<f64>() < self.damaged {
            c.damaged_sentiment_scale * self.positive.sample(rng) + c.damaged_sentiment_shift
        } else {
            self.positive.sample(rng)
        }
    }
}

/// What a trial records.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    responded: u32,
    sent: u32,
    lost: u32,
    late: u32,
    sentiment_sum: f64,
    views: u64,
    orders: u32,
    cost: f64,
    respondents: Vec<(f64, u32)>,
    /// Reviews due to publish, sorted by day; `next` is the first not yet published.
    due: Vec<Review>,
    next: usize,
    /// Published reviews (index = review id).
    published: Vec<Review>,
    /// The published reviews in the blogger feed and their views.
    feed: Feed,
    /// Orders attributed to each blogger of the pool.
    blogger_orders: Vec<u32>,
    /// Bloggers who were sent a product.
    chosen: Vec<u32>,
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("reviews_responded"), |t, _| t.responded as f64),
        (Kpi::count("reviews_products_sent"), |t, _| t.sent as f64),
        (
            Kpi::count("reviews_parcels_lost").better(Better::Lower),
            |t, _| t.lost as f64,
        ),
        (Kpi::gain("reviews_published"), |t, _| {
            t.published.len() as f64
        }),
        (Kpi::count("reviews_late").better(Better::Lower), |t, _| {
            t.late as f64
        }),
        (
            Kpi::new("reviews_mean_sentiment", Unit::Score, Better::Higher),
            |t, _| per(t.sentiment_sum, t.published.len()),
        ),
        (Kpi::gain("reviews_engaged_views"), |t, _| t.views as f64),
        (Kpi::gain("reviews_orders"), |t, _| t.orders as f64),
        (Kpi::cost_item("reviews_cost"), |t, _| t.cost),
    ];
}

#[derive(Debug, Clone, Copy)]
struct Review {
    day: u32,
    blogger: u32,
    sentiment: f64,
}
