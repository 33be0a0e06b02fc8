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

use super::blogger_feed::{Feed, discovery_count, feed_decay_ln, fit_score};
use super::{Better, Kpi, Mechanism, Needs, TrialState, Unit};
use crate::behaviour::Exposure;
use crate::dist::{Dist, Support};
use crate::rng::{SimRng, mechanism_rng, stream_rng};
use crate::settings::Base;
use crate::world::World;
use rand::RngExt;
use rand_distr::{Beta, Distribution, Exp1};

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Plan {
    selection: Selection,
    criterion: Criterion,
    wanted: u32,
    start_day: u32,
    response_rate: f64,
    parcel_cost: f64,
    loss_rate: f64,
    delivery_days: Dist,
    deadline: f64,
    delay_mean: f64,
    feed_decay_ln: f64,
    judgement_sd: f64,
    defect_best: f64,
    /// `defect_sentiment_worst − defect_sentiment_best`.
    defect_span: f64,
    damaged_scale: f64,
    damaged_shift: f64,
    discovery_views: f64,
    discovery_days: u32,
    feed_base: f64,
    discovery_base: f64,
    macro_penalty: f64,
    bad_unit: f64,
    damaged: f64,
    positive: Beta<f64>,
}

#[derive(Debug, Clone, Copy)]
struct Review {
    day: u32,
    blogger: u32,
    sentiment: f64,
}

/// Counters of one trial; reset to zero at the start of each.
#[derive(Debug, Clone, Default)]
struct Tally {
    responded: u32,
    sent: u32,
    lost: u32,
    late: u32,
    sentiment_sum: f64,
    views: u64,
    orders: u32,
    cost: f64,
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    plan: Plan,
    rng: SimRng,
    respondents: Vec<(f64, u32)>,
    /// Reviews due to publish, sorted by day; `next` is the first not yet published.
    due: Vec<Review>,
    next: usize,
    /// Published reviews (index = review id).
    published: Vec<Review>,
    /// Feed views per day: (buyer, review id).
    feed: Feed,
    /// Orders attributed to each blogger of the pool.
    blogger_orders: Vec<u32>,
    /// Bloggers who were sent a product.
    chosen: Vec<u32>,
    /// Counters of the current trial.
    tally: Tally,
}

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: plan.clone(),
            rng: stream_rng(0, 0),
            respondents: Vec::new(),
            due: Vec::new(),
            next: 0,
            published: Vec::new(),
            feed: Feed::new(plan.feed_decay_ln),
            blogger_orders: Vec::new(),
            chosen: Vec::new(),
            tally: Tally::default(),
        }
    }

    /// Orders attributed to each blogger of the pool in this trial.
    pub fn blogger_orders(&self) -> &[u32] {
        &self.blogger_orders
    }

    /// Bloggers who were sent a product in this trial.
    pub fn chosen(&self) -> &[u32] {
        &self.chosen
    }

    fn open_application(&mut self, world: &mut World) {
        let p = self.plan.clone();
        let b = &world.pop.bloggers;
        for k in 0..b.len() {
            if self.rng.random::<f64>() < p.response_rate {
                let score = match (p.selection, p.criterion) {
                    (Selection::Manual, Criterion::Fit) => {
                        fit_score(b, k, p.judgement_sd, &mut self.rng)
                    }
                    (Selection::Manual, Criterion::Followers) => b.followers[k],
                    (Selection::Automatic, _) => self.rng.random::<f64>(),
                };
                self.respondents.push((score, k as u32));
            }
        }
        self.tally.responded = self.respondents.len() as u32;
        self.respondents
            .sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let chosen = (p.wanted as usize).min(self.respondents.len());
        for idx in 0..chosen {
            let blogger = self.respondents[idx].1;
            self.chosen.push(blogger);
            self.tally.sent += 1;
            self.tally.cost += p.parcel_cost;
            world.book_cost(p.parcel_cost);
            let delivery = p.delivery_days.sample(&mut self.rng).max(0.0);
            if self.rng.random::<f64>() < p.loss_rate {
                self.tally.lost += 1;
                continue;
            }
            let punctuality = world.pop.bloggers.punctuality[blogger as usize];
            let e: f64 = Exp1.sample(&mut self.rng);
            let delay = e * p.delay_mean / punctuality;
            if delay > p.deadline {
                self.tally.late += 1;
                continue;
            }
            let sentiment = self.honest_sentiment();
            let day = (self.plan.start_day as f64 + delivery + delay).floor();
            if day < world.horizon as f64 {
                self.due.push(Review {
                    day: day as u32,
                    blogger,
                    sentiment,
                });
            }
        }
        self.due.sort_by_key(|r| (r.day, r.blogger));
    }

    fn honest_sentiment(&mut self) -> f64 {
        let p = &self.plan;
        if self.rng.random::<f64>() < p.bad_unit {
            p.defect_best + p.defect_span * self.rng.random::<f64>()
        } else if self.rng.random::<f64>() < p.damaged {
            p.damaged_scale * p.positive.sample(&mut self.rng) + p.damaged_shift
        } else {
            p.positive.sample(&mut self.rng)
        }
    }

    fn publish(&mut self, world: &mut World, r: Review) {
        let id = self.published.len() as u32;
        self.published.push(r);
        self.tally.sentiment_sum += r.sentiment;
        world.add_card_review(r.sentiment);
        self.feed
            .post(world, r.blogger as usize, 1.0, r.day, id, &mut self.rng);
    }

    fn exposure(&self, world: &World, review: &Review, base: f64) -> Exposure {
        let b = &world.pop.bloggers;
        let k = review.blogger as usize;
        Exposure {
            base: base
                - if b.is_macro[k] {
                    self.plan.macro_penalty
                } else {
                    0.0
                },
            attention: 1.0,
            strength: review.sentiment * b.review_quality[k],
            incentive: 0.0,
        }
    }

    fn feed_views(&mut self, world: &mut World) {
        let day = world.day as usize;
        let views = self.feed.take(day);
        for &(buyer, id) in &views {
            let review = self.published[id as usize];
            let e = self.exposure(world, &review, self.plan.feed_base);
            self.tally.views += 1;
            let minute = self.rng.random_range(0..1440u32);
            if world.offer(buyer, minute, &e, &mut self.rng) {
                self.tally.orders += 1;
                self.blogger_orders[review.blogger as usize] += 1;
            }
        }
        self.feed.restore(day, views);
    }

    fn discovery_views(&mut self, world: &mut World) {
        let day = world.day;
        for id in 0..self.published.len() {
            let review = self.published[id];
            if day >= review.day + self.plan.discovery_days {
                continue;
            }
            let k = review.blogger as usize;
            let n = discovery_count(world, k, self.plan.discovery_views, &mut self.rng);
            let e = self.exposure(world, &review, self.plan.discovery_base);
            for _ in 0..n {
                let buyer = world.pop.random_buyer(&mut self.rng);
                self.tally.views += 1;
                let minute = self.rng.random_range(0..1440u32);
                if world.offer(buyer, minute, &e, &mut self.rng) {
                    self.tally.orders += 1;
                    self.blogger_orders[review.blogger as usize] += 1;
                }
            }
        }
    }
}

impl Mechanism for Plan {
    type Config = BloggerReviews;
    type State = State;
    const KEY: &'static str = "blogger_reviews";
    const LABEL: &'static str = "the blogger review program";
    const STREAM: u64 = 0;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("reviews_responded"),
        Kpi::count("reviews_products_sent"),
        Kpi::count("reviews_parcels_lost").better(Better::Lower),
        Kpi::gain("reviews_published"),
        Kpi::count("reviews_late").better(Better::Lower),
        Kpi::new("reviews_mean_sentiment", Unit::Score, Better::Higher),
        Kpi::gain("reviews_engaged_views"),
        Kpi::gain("reviews_orders"),
        Kpi::cost_item("reviews_cost"),
    ];
    const NEEDS: Needs = Needs {
        bloggers: true,
        ..Needs::NOTHING
    };

    fn plan(base: &Base<'_>, c: &BloggerReviews) -> Result<Self, String> {
        let BloggerReviews {
            enabled: _,
            // Names for the seller's records; the model does not read them.
            application: _,
            product_id: _,
            selection,
            manual_criterion,
            bloggers,
            start_day,
            response_rate,
            logistics,
            shipping_cost,
            untracked_loss_rate,
            delivery_days,
            review_deadline_days,
            review_delay_mean_days,
            judgement_sd,
            sentiment_concentration,
            defect_sentiment_best,
            defect_sentiment_worst,
            damaged_sentiment_scale,
            damaged_sentiment_shift,
            feed_decay,
            discovery_views_per_day,
            discovery_days,
        } = c;
        let shipping = match logistics {
            Logistics::Platform => 0.0,
            Logistics::Tracked | Logistics::Untracked => *shipping_cost,
        };
        let q = base.product.quality;
        let k = *sentiment_concentration;
        Ok(Plan {
            selection: *selection,
            criterion: *manual_criterion,
            wanted: *bloggers,
            start_day: *start_day,
            response_rate: *response_rate,
            parcel_cost: base.product.unit_cost + shipping,
            loss_rate: if *logistics == Logistics::Untracked {
                *untracked_loss_rate
            } else {
                0.0
            },
            delivery_days: delivery_days
                .build(Support::NonNegative)
                .map_err(|e| format!("mechanisms.blogger_reviews.delivery_days: {e}"))?,
            deadline: *review_deadline_days as f64,
            delay_mean: *review_delay_mean_days,
            feed_decay_ln: feed_decay_ln(*feed_decay),
            judgement_sd: *judgement_sd,
            defect_best: *defect_sentiment_best,
            defect_span: defect_sentiment_worst - defect_sentiment_best,
            damaged_scale: *damaged_sentiment_scale,
            damaged_shift: *damaged_sentiment_shift,
            discovery_views: *discovery_views_per_day,
            discovery_days: *discovery_days,
            feed_base: base.behaviour.channels.feed,
            discovery_base: base.behaviour.channels.discovery,
            macro_penalty: base.behaviour.social_proof.macro_trust_penalty,
            bad_unit: 1.0
                - (1.0 - base.product.defect_rate) * (1.0 - base.product.variant_error_rate),
            damaged: base.product.packaging_damage_rate,
            positive: Beta::new(q * k, (1.0 - q) * k)
                .map_err(|e| format!("product.quality: {e}"))?,
        })
    }

    fn state(&self) -> State {
        State::new(self)
    }
}

impl TrialState for State {
    fn reset(&mut self, world: &World, stream: u64) {
        self.rng = mechanism_rng(world.key, stream);
        self.respondents.clear();
        self.due.clear();
        self.next = 0;
        self.published.clear();
        self.feed.reset(world.horizon as usize);
        self.blogger_orders.clear();
        self.blogger_orders.resize(world.pop.bloggers.len(), 0);
        self.chosen.clear();
        self.tally = Tally::default();
    }

    fn on_day(&mut self, world: &mut World) {
        let day = world.day;
        if day == self.plan.start_day {
            self.open_application(world);
        }
        while self.next < self.due.len() && self.due[self.next].day <= day {
            let r = self.due[self.next];
            self.next += 1;
            self.publish(world, r);
        }
        self.feed_views(world);
        self.discovery_views(world);
    }

    fn kpis(&self, _world: &World, out: &mut Vec<f64>) {
        let n = self.published.len();
        out.extend_from_slice(&[
            self.tally.responded as f64,
            self.tally.sent as f64,
            self.tally.lost as f64,
            n as f64,
            self.tally.late as f64,
            if n > 0 {
                self.tally.sentiment_sum / n as f64
            } else {
                f64::NAN
            },
            self.tally.views as f64,
            self.tally.orders as f64,
            self.tally.cost,
        ]);
    }
}
