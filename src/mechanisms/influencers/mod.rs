//! Paid influencer collaborations on the open market (docs/field-figures.md §2.2): the paid sibling of
//! the free-product [review program](super::blogger_reviews).
//!
//! ## Model
//! 1. **Tiers.** A blogger of the population (`population.bloggers`) with `f` followers is
//!    *macro* when `f ≥ population.bloggers.macro_threshold` and *micro* when
//!    `min_followers ≤ f` below it; smaller accounts are not bought. Engagement and feed
//!    reach fall with size (see [`crate::scenario::BloggersSpec`]), so a macro post reaches
//!    many more followers but hardly more *engaged, in-market* ones.
//! 2. **Buying posts** (day 0). The budget is split across tiers:
//!    `B_t = budget · split_t`. Each tier's bloggers are ranked by `selection`: *fit* is
//!    engagement × relevance seen through a log-normal judgement error of sd `judgement_sd`
//!    (default 0.3, as in the review program; [`super::blogger_feed::fit_score`]),
//!    *followers* is the follower count, *random* an agency's roster. Walking down the
//!    ranking, blogger `k` is paid for one post when its fee, plus the prizes reserved for a
//!    giveaway, still fits in what is left of `B_t`:
//!
//!    ```text
//!    fee_k = round(fee_t + fee_per_1000_followers_t · f_k / 1000)
//!    buy k  ⇔  spent_t + fee_k + winners · prize ≤ B_t
//!    ```
//!
//!    A post that does not fit is not bought (a cheaper blogger further down may still fit),
//!    so fees and prizes never exceed the tier's budget. Affiliate commissions are paid on
//!    top, out of the sales they reward.
//! 3. **Schedule.** The `j`-th post bought in a tier goes out on `post_days[j mod n]`, or,
//!    when `post_days` is empty, on a uniform day among the first `spread_days`. The fee is
//!    booked when the post goes out.
//! 4. **Exposure** (the review program's model, [`super::blogger_feed`]). A post of
//!    blogger `k` reaches `Binomial(f_k, min(1, relevance · market_overlap · reach ·
//!    engagement · lift))` engaged buyers of the market (`lift` = `giveaway.view_lift`, else
//!    1), drawn uniformly, each after a geometric delay (`feed_decay`); and
//!    `Poisson(discovery_views_per_day · engagement_k)` strangers a day in the discovery tab
//!    for `discovery_days` days. Each view is a purchase opportunity
//!    ([`crate::world::World::offer_any`]: a non-buyer may place a first order, an existing
//!    buyer an extra one) with
//!
//!    ```text
//!    base     = channels.feed (or channels.discovery)
//!               − macro_trust_penalty · [macro]          (behaviour.social_proof)
//!               − disclosure_penalty_t · [disclosure]    (a "sponsored" label)
//!    strength = post_strength · review_quality_k
//!    ```
//!
//!    in the shared decision `P = σ(base + intent + w_sp·s·(ΔSP + strength) − …)`. The
//!    macro penalty is the audience's standing discount of large accounts, applied to their
//!    reviews too; the disclosure penalty is the extra distrust a sponsorship label adds,
//!    larger for macro bloggers, whose audience reads paid praise as advertising. A view that
//!    does not convert leaves intent (the halo; later organic orders are *not* attributed).
//!    Paid posts are not product reviews: they do not change the product card.
//! 5. **Attribution and affiliate links.** An order placed on a view is attributed to the
//!    post's blogger and tier. With `affiliate > 0` the blogger earns `affiliate · v` on the
//!    attributed order's value `v` (basket before discount, `World::last_order_value`),
//!    booked as cost.
//! 6. **Giveaways** (optional, with every post). The post's engaged audience is multiplied
//!    by `view_lift`; until the draw (`draw_days` after the post, at the latest the last day)
//!    each viewer enters with probability `entry_rate` and gains intent `entry_intent`
//!    before deciding. At the draw `min(winners, entrants)` prizes of value `prize` are
//!    booked.
//!
//! ## Defaults and where they come from
//! Fees are an assumed, plausible market, not fitted figures: a post costs a few hundredths
//! of a yuan per follower with a floor for small accounts, cheaper per post but dearer per
//! follower for micro bloggers: micro 300 + 50 per 1,000 followers (8,000 followers → 700;
//! 50,000 → 2,800), macro 8,000 + 40 per 1,000 (100,000 → 12,000; 500,000 → 28,000).
//! Replace them with the seller's own quotes. Disclosure penalties (0.15 micro, 0.3 macro log-odds)
//! are "somewhat" (2.2): at conversion near 15% they lower it by about 12% and 23%. The
//! default budget split (70% micro, 30% macro) and budget (50,000) are a "start small" test
//! campaign. None of these figures is fitted: docs/field-figures.md §2.2 gives no `[fact]` range for paid
//! posts. What the model reproduces by behaviour alone is the `[fact]` that a blogger's
//! follower count does not predict its sales (tests/influencers.rs), and, from it, that a
//! micro post yields more attributed orders per unit of fee than a macro one.
//!
//! ## KPIs
//! Per tier (`_micro`, `_macro`): `inf_posts_*` (posts published), `inf_reach_*` (feed
//! impressions among all followers, `Σ f_k · reach_k`, mostly outside the simulated market),
//! `inf_views_*` (engaged in-market views: the purchase opportunities), `inf_orders_*`
//! (attributed orders, first and extra), `inf_fees_*`, `inf_cpo_*` (cost per attributed order:
//! the tier's fees, commissions and prizes over its orders; empty without orders). Totals:
//! `inf_commissions`, `inf_giveaway_entrants`, `inf_giveaway_cost` (prizes),
//! `inf_budget_used` (fees and prizes over the budget), `inf_revenue` (value of attributed
//! orders), `inf_cost` (fees + commissions + prizes).

mod config;
pub use config::*;

use super::blogger_feed::{Feed, discovery_count, feed_decay_ln, fit_score};
use super::{Better, Kpi, Mechanism, Needs, TrialState, Unit};
use crate::behaviour::Exposure;
use crate::population::Bloggers;
use crate::results::ratio;
use crate::rng::{SimRng, mechanism_rng, stream_rng};
use crate::settings::Base;
use crate::world::{Offered, World};
use rand::RngExt;

/// Index of the micro tier.
pub const MICRO: usize = 0;
/// Index of the macro tier.
pub const MACRO: usize = 1;

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Plan {
    budget: f64,
    tier_budget: [f64; 2],
    fee: [f64; 2],
    per_1000: [f64; 2],
    min_followers: f64,
    selection: Ranking,
    post_days: Vec<u32>,
    spread_days: u32,
    strength: f64,
    affiliate: f64,
    /// Log-odds penalty per tier: macro trust penalty plus disclosure penalty.
    trust: [f64; 2],
    feed_base: f64,
    discovery_base: f64,
    feed_decay_ln: f64,
    judgement_sd: f64,
    discovery_views: f64,
    discovery_days: u32,
    giveaway: Option<GiveawayPlan>,
}

/// The giveaway settings the model reads.
#[derive(Debug, Clone, Copy)]
struct GiveawayPlan {
    prize: f64,
    winners: u32,
    view_lift: f64,
    entry_rate: f64,
    entry_intent: f64,
    draw_days: u32,
}

impl GiveawayPlan {
    fn of(g: &Giveaway) -> Self {
        let Giveaway {
            prize,
            winners,
            view_lift,
            entry_rate,
            entry_intent,
            draw_days,
        } = g;
        GiveawayPlan {
            prize: *prize,
            winners: *winners,
            view_lift: *view_lift,
            entry_rate: *entry_rate,
            entry_intent: *entry_intent,
            draw_days: *draw_days,
        }
    }
}

impl Plan {
    /// Tier of blogger `k` ([`MICRO`] or [`MACRO`]), or `None` below `min_followers`.
    pub fn tier_of(&self, b: &Bloggers, k: usize) -> Option<usize> {
        if b.followers[k] < self.min_followers {
            None
        } else if b.is_macro[k] {
            Some(MACRO)
        } else {
            Some(MICRO)
        }
    }

    /// Fee of one post by a blogger of tier `tier` with `followers` followers, in whole
    /// currency units (rate cards quote whole amounts, and sums of whole amounts are exact).
    pub fn fee(&self, followers: f64, tier: usize) -> f64 {
        (self.fee[tier] + self.per_1000[tier] * followers / 1000.0).round()
    }

    /// Budget of tier `tier`: `budget · split`.
    pub fn tier_budget(&self, tier: usize) -> f64 {
        self.tier_budget[tier]
    }

    /// Prizes reserved per post for its giveaway (0 without one).
    pub fn prize_reserve(&self) -> f64 {
        self.giveaway
            .as_ref()
            .map_or(0.0, |g| g.winners as f64 * g.prize)
    }
}

/// A post bought.
#[derive(Debug, Clone, Copy)]
struct Post {
    day: u32,
    blogger: u32,
    tier: usize,
    fee: f64,
    draw_day: u32,
    entrants: u32,
    drawn: bool,
}

/// Counters of one trial, per tier where indexed; reset to zero at the start of each.
#[derive(Debug, Clone, Default)]
struct Tally {
    posts: [u32; 2],
    reach: [f64; 2],
    views: [u64; 2],
    orders: [u32; 2],
    fees: [f64; 2],
    commissions: [f64; 2],
    prizes: [f64; 2],
    entrants: u64,
    revenue: f64,
}

/// Per-trial state.
#[derive(Debug, Clone)]
pub struct State {
    plan: Plan,
    rng: SimRng,
    candidates: Vec<(f64, u32)>,
    /// Posts bought, sorted by day; `next` is the first not yet published.
    posts: Vec<Post>,
    next: usize,
    /// Feed views per day: (buyer, post index).
    feed: Feed,
    /// Attributed orders of each blogger of the pool.
    blogger_orders: Vec<u32>,
    /// Bloggers paid for a post, in buying order.
    posted: Vec<u32>,
    tally: Tally,
}

impl State {
    /// A fresh state.
    pub fn new(plan: &Plan) -> Self {
        State {
            plan: plan.clone(),
            rng: stream_rng(0, 0),
            candidates: Vec::new(),
            posts: Vec::new(),
            next: 0,
            feed: Feed::new(plan.feed_decay_ln),
            blogger_orders: Vec::new(),
            posted: Vec::new(),
            tally: Tally::default(),
        }
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Bloggers paid for a post in this trial, in buying order (micro first).
    pub fn posted(&self) -> &[u32] {
        &self.posted
    }

    /// Attributed orders of each blogger of the pool in this trial.
    pub fn blogger_orders(&self) -> &[u32] {
        &self.blogger_orders
    }

    /// Ranks each tier's bloggers and buys posts while the tier's budget allows.
    fn buy_posts(&mut self, world: &World) {
        let b = &world.pop.bloggers;
        let reserve = self.plan.prize_reserve();
        for tier in [MICRO, MACRO] {
            self.candidates.clear();
            for k in 0..b.len() {
                if self.plan.tier_of(b, k) != Some(tier) {
                    continue;
                }
                let score = match self.plan.selection {
                    Ranking::Fit => fit_score(b, k, self.plan.judgement_sd, &mut self.rng),
                    Ranking::Followers => b.followers[k],
                    Ranking::Random => self.rng.random::<f64>(),
                };
                self.candidates.push((score, k as u32));
            }
            self.candidates
                .sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let budget = self.plan.tier_budget[tier];
            let mut spent = 0.0;
            let mut j = 0usize;
            for c in 0..self.candidates.len() {
                let k = self.candidates[c].1;
                let fee = self.plan.fee(b.followers[k as usize], tier);
                if spent + fee + reserve > budget {
                    continue;
                }
                spent += fee + reserve;
                let day = if self.plan.post_days.is_empty() {
                    self.rng.random_range(0..self.plan.spread_days)
                } else {
                    self.plan.post_days[j % self.plan.post_days.len()]
                };
                j += 1;
                let draw_day = self.plan.giveaway.as_ref().map_or(day, |g| {
                    day.saturating_add(g.draw_days)
                        .min(world.horizon.saturating_sub(1))
                });
                self.posts.push(Post {
                    day,
                    blogger: k,
                    tier,
                    fee,
                    draw_day,
                    entrants: 0,
                    drawn: false,
                });
                self.posted.push(k);
            }
        }
        // Stable: posts of one day keep the buying order.
        self.posts.sort_by_key(|p| p.day);
    }

    fn publish(&mut self, world: &mut World, id: usize) {
        let p = self.posts[id];
        let k = p.blogger as usize;
        let t = p.tier;
        self.tally.posts[t] += 1;
        self.tally.fees[t] += p.fee;
        world.book_cost(p.fee);
        let b = &world.pop.bloggers;
        self.tally.reach[t] += (b.followers[k] * b.reach[k]).round();
        let lift = self.plan.giveaway.as_ref().map_or(1.0, |g| g.view_lift);
        self.feed
            .post(world, k, lift, p.day, id as u32, &mut self.rng);
    }

    /// One view of post `id` by `buyer`: giveaway entry, then the purchase decision.
    fn view(&mut self, world: &mut World, buyer: u32, id: usize, base: f64) {
        let p = self.posts[id];
        let t = p.tier;
        let k = p.blogger as usize;
        self.tally.views[t] += 1;
        if let Some(g) = &self.plan.giveaway
            && world.day <= p.draw_day
            && self.rng.random::<f64>() < g.entry_rate
        {
            self.posts[id].entrants += 1;
            self.tally.entrants += 1;
            world.add_intent(buyer, g.entry_intent);
        }
        let e = Exposure {
            base: base - self.plan.trust[t],
            attention: 1.0,
            strength: self.plan.strength * world.pop.bloggers.review_quality[k],
            incentive: 0.0,
        };
        let minute = self.rng.random_range(0..1440u32);
        if world.offer_any(buyer, minute, &e, &mut self.rng) != Offered::Nothing {
            self.tally.orders[t] += 1;
            self.blogger_orders[k] += 1;
            let value = world.last_order_value;
            self.tally.revenue += value;
            if self.plan.affiliate > 0.0 {
                let commission = self.plan.affiliate * value;
                self.tally.commissions[t] += commission;
                world.book_cost(commission);
            }
        }
    }

    fn feed_views(&mut self, world: &mut World) {
        let day = world.day as usize;
        let views = self.feed.take(day);
        for &(buyer, id) in &views {
            self.view(world, buyer, id as usize, self.plan.feed_base);
        }
        self.feed.restore(day, views);
    }

    fn discovery_views(&mut self, world: &mut World) {
        let day = world.day;
        for id in 0..self.next {
            let p = self.posts[id];
            if day >= p.day.saturating_add(self.plan.discovery_days) {
                continue;
            }
            let k = p.blogger as usize;
            let n = discovery_count(world, k, self.plan.discovery_views, &mut self.rng);
            for _ in 0..n {
                let buyer = world.pop.random_buyer(&mut self.rng);
                self.view(world, buyer, id, self.plan.discovery_base);
            }
        }
    }

    /// Giveaway draws due today: `min(winners, entrants)` prizes.
    fn draws(&mut self, world: &mut World) {
        let Some(g) = &self.plan.giveaway else {
            return;
        };
        let day = world.day;
        for p in &mut self.posts[..self.next] {
            if p.drawn || p.draw_day > day {
                continue;
            }
            p.drawn = true;
            let cost = p.entrants.min(g.winners) as f64 * g.prize;
            if cost > 0.0 {
                self.tally.prizes[p.tier] += cost;
                world.book_cost(cost);
            }
        }
    }
}

impl Mechanism for Plan {
    type Config = Influencers;
    type State = State;
    const KEY: &'static str = "influencers";
    const LABEL: &'static str = "paid influencer posts";
    const STREAM: u64 = 8;
    const KPIS: &'static [Kpi] = &[
        Kpi::count("inf_posts_micro"),
        Kpi::count("inf_posts_macro"),
        Kpi::gain("inf_reach_micro"),
        Kpi::gain("inf_reach_macro"),
        Kpi::gain("inf_views_micro"),
        Kpi::gain("inf_views_macro"),
        Kpi::gain("inf_orders_micro"),
        Kpi::gain("inf_orders_macro"),
        Kpi::cost_part("inf_fees_micro", "inf_cost"),
        Kpi::cost_part("inf_fees_macro", "inf_cost"),
        Kpi::cost_part("inf_commissions", "inf_cost"),
        Kpi::gain("inf_giveaway_entrants"),
        Kpi::cost_part("inf_giveaway_cost", "inf_cost"),
        Kpi::new("inf_cpo_micro", Unit::Money, Better::Lower),
        Kpi::new("inf_cpo_macro", Unit::Money, Better::Lower),
        Kpi::share("inf_budget_used").better(Better::Neither),
        Kpi::new("inf_revenue", Unit::Money, Better::Higher),
        Kpi::cost_item("inf_cost"),
    ];
    const NEEDS: Needs = Needs {
        bloggers: true,
        ..Needs::NOTHING
    };

    fn plan(base: &Base<'_>, c: &Influencers) -> Result<Self, String> {
        let Influencers {
            enabled: _,
            budget,
            split,
            fee,
            fee_per_1000_followers,
            min_followers,
            selection,
            judgement_sd,
            post_days,
            spread_days,
            post_strength,
            affiliate,
            disclosure,
            disclosure_penalty,
            feed_decay,
            discovery_views_per_day,
            discovery_days,
            giveaway,
        } = c;
        let macro_penalty = base.behaviour.social_proof.macro_trust_penalty;
        let disclosure = |t: usize| {
            if *disclosure {
                disclosure_penalty.at(t)
            } else {
                0.0
            }
        };
        Ok(Plan {
            budget: *budget,
            tier_budget: [budget * split.micro, budget * split.macro_],
            fee: [fee.micro, fee.macro_],
            per_1000: [fee_per_1000_followers.micro, fee_per_1000_followers.macro_],
            min_followers: *min_followers,
            selection: *selection,
            judgement_sd: *judgement_sd,
            post_days: post_days.clone(),
            spread_days: (*spread_days).max(1),
            strength: *post_strength,
            affiliate: *affiliate,
            trust: [disclosure(MICRO), macro_penalty + disclosure(MACRO)],
            feed_base: base.behaviour.channels.feed,
            discovery_base: base.behaviour.channels.discovery,
            feed_decay_ln: feed_decay_ln(*feed_decay),
            discovery_views: *discovery_views_per_day,
            discovery_days: *discovery_days,
            giveaway: giveaway.as_ref().map(GiveawayPlan::of),
        })
    }

    fn state(&self) -> State {
        State::new(self)
    }
}

impl TrialState for State {
    fn reset(&mut self, world: &World, stream: u64) {
        self.rng = mechanism_rng(world.key, stream);
        self.candidates.clear();
        self.posts.clear();
        self.next = 0;
        self.feed.reset(world.horizon as usize);
        self.blogger_orders.clear();
        self.blogger_orders.resize(world.pop.bloggers.len(), 0);
        self.posted.clear();
        self.tally = Tally::default();
    }

    fn on_day(&mut self, world: &mut World) {
        let day = world.day;
        if day == 0 {
            self.buy_posts(world);
        }
        while self.next < self.posts.len() && self.posts[self.next].day <= day {
            let id = self.next;
            self.next += 1;
            self.publish(world, id);
        }
        self.feed_views(world);
        self.discovery_views(world);
        self.draws(world);
    }

    fn kpis(&self, _world: &World, out: &mut Vec<f64>) {
        let t = &self.tally;
        let cost = |i: usize| t.fees[i] + t.commissions[i] + t.prizes[i];
        let fees = t.fees[MICRO] + t.fees[MACRO];
        let prizes = t.prizes[MICRO] + t.prizes[MACRO];
        let commissions = t.commissions[MICRO] + t.commissions[MACRO];
        out.extend_from_slice(&[
            t.posts[MICRO] as f64,
            t.posts[MACRO] as f64,
            t.reach[MICRO],
            t.reach[MACRO],
            t.views[MICRO] as f64,
            t.views[MACRO] as f64,
            t.orders[MICRO] as f64,
            t.orders[MACRO] as f64,
            t.fees[MICRO],
            t.fees[MACRO],
            commissions,
            t.entrants as f64,
            prizes,
            ratio(cost(MICRO), t.orders[MICRO] as f64),
            ratio(cost(MACRO), t.orders[MACRO] as f64),
            ratio(fees + prizes, self.plan.budget),
            t.revenue,
            fees + commissions + prizes,
        ]);
    }
}
