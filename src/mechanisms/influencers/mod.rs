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

use super::blogger_feed::{Feed, FeedPlan, View, Views, fit_score};
use super::{Better, Kpi, Mechanism, Metric, Need, Needs, Record, Run, Unit, per};
use crate::behaviour::Exposure;
use crate::population::Bloggers;
use crate::settings::Base;
use crate::world::{Offered, World};
use rand::RngExt;

impl Mechanism for Plan {
    type Config = Influencers;
    type Trial = Trial;
    const KEY: &'static str = "influencers";
    const LABEL: &'static str = "paid influencer posts";
    const STREAM: u64 = 8;

    fn plan(base: &Base<'_>, c: &Influencers) -> Result<Self, String> {
        let Influencers {
            enabled: _,
            budget: _,
            split: _,
            fee: _,
            fee_per_1000_followers: _,
            min_followers: _,
            selection: _,
            judgement_sd: _,
            post_days: _,
            spread_days: _,
            post_strength: _,
            affiliate: _,
            disclosure: _,
            disclosure_penalty: _,
            feed_decay: _,
            discovery_views_per_day: _,
            discovery_days: _,
            giveaway: _,
        } = c;
        let macro_penalty = base.behaviour.social_proof.macro_trust_penalty;
        let disclosure = |t: usize| {
            if c.disclosure {
                c.disclosure_penalty.at(t)
            } else {
                0.0
            }
        };
        Ok(Plan {
            config: c.clone(),
            trust: [disclosure(MICRO), macro_penalty + disclosure(MACRO)],
            feed: FeedPlan::new(
                base,
                c.feed_decay,
                c.discovery_views_per_day,
                c.discovery_days,
            ),
        })
    }

    const NEEDS: Needs = Needs::of(&[Need::Bloggers]);

    fn begin(run: &mut Run<Self>, world: &World) {
        let t = &mut run.trial;
        t.budget = run.plan.config.budget;
        t.feed.begin(run.plan.feed, world.horizon as usize);
        t.blogger_orders.resize(world.pop.bloggers.len(), 0);
    }

    fn on_day(run: &mut Run<Self>, world: &mut World) {
        let day = world.day;
        if day == 0 {
            run.buy_posts(world);
        }
        while let Some(p) = run.trial.posts.get(run.trial.next)
            && p.day <= day
        {
            let id = run.trial.next;
            run.trial.next += 1;
            run.publish(world, id);
        }
        let mut views = Views::of(&mut run.trial.feed, day);
        while let Some(v) = views.next(&mut run.trial.feed, world, &mut run.rng) {
            run.view(world, v);
        }
        run.draws(world);
    }
}

impl Run<Plan> {
    /// Bloggers paid for a post in this trial, in buying order (micro first).
    pub fn posted(&self) -> &[u32] {
        &self.trial.posted
    }

    /// Attributed orders of each blogger of the pool in this trial.
    pub fn blogger_orders(&self) -> &[u32] {
        &self.trial.blogger_orders
    }

    /// Ranks each tier's bloggers and buys posts while the tier's budget allows.
    fn buy_posts(&mut self, world: &World) {
        let b = &world.pop.bloggers;
        let (p, c) = (&*self.plan, &self.plan.config);
        let t = &mut self.trial;
        let reserve = p.prize_reserve();
        for tier in [MICRO, MACRO] {
            t.candidates.clear();
            for k in 0..b.len() {
                if p.tier_of(b, k) != Some(tier) {
                    continue;
                }
                let score = match c.selection {
                    Ranking::Fit => fit_score(b, k, c.judgement_sd, &mut self.rng),
                    Ranking::Followers => b.followers[k],
                    Ranking::Random => self.rng.random::<f64>(),
                };
                t.candidates.push((score, k as u32));
            }
            t.candidates
                .sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            let budget = p.tier_budget(tier);
            let mut spent = 0.0;
            let mut j = 0usize;
            for &(_, k) in &t.candidates {
                let fee = p.fee(b.followers[k as usize], tier);
                if spent + fee + reserve > budget {
                    continue;
                }
                spent += fee + reserve;
                let day = if c.post_days.is_empty() {
                    self.rng.random_range(0..c.spread_days.max(1))
                } else {
                    c.post_days[j % c.post_days.len()]
                };
                j += 1;
                let draw_day = c.giveaway.as_ref().map_or(day, |g| {
                    day.saturating_add(g.draw_days)
                        .min(world.horizon.saturating_sub(1))
                });
                t.posts.push(Post {
                    day,
                    blogger: k,
                    tier,
                    fee,
                    draw_day,
                    entrants: 0,
                    drawn: false,
                });
                t.posted.push(k);
            }
        }
        // Stable: posts of one day keep the buying order.
        t.posts.sort_by_key(|p| p.day);
    }

    fn publish(&mut self, world: &mut World, id: usize) {
        let c = &self.plan.config;
        let t = &mut self.trial;
        let p = t.posts[id];
        let k = p.blogger as usize;
        t.posts_out[p.tier] += 1;
        t.fees[p.tier] += p.fee;
        world.book_cost(p.fee);
        let b = &world.pop.bloggers;
        t.reach[p.tier] += (b.followers[k] * b.reach[k]).round();
        let lift = c.giveaway.as_ref().map_or(1.0, |g| g.view_lift);
        let posted = t.feed.post(world, k, lift, p.day, &mut self.rng);
        debug_assert_eq!(posted as usize, id, "posts are published in order");
    }

    /// One view of a post: giveaway entry, then the purchase decision.
    fn view(&mut self, world: &mut World, v: View) {
        let c = &self.plan.config;
        let t = &mut self.trial;
        let id = v.post as usize;
        let p = t.posts[id];
        let k = p.blogger as usize;
        t.views[p.tier] += 1;
        if let Some(g) = &c.giveaway
            && world.day <= p.draw_day
            && self.rng.random::<f64>() < g.entry_rate
        {
            t.posts[id].entrants += 1;
            t.entrants += 1;
            world.add_intent(v.buyer, g.entry_intent);
        }
        let e = Exposure {
            base: v.base - self.plan.trust[p.tier],
            attention: 1.0,
            strength: c.post_strength * world.pop.bloggers.review_quality[k],
            incentive: 0.0,
        };
        let minute = self.rng.random_range(0..1440u32);
        if world.offer_any(v.buyer, minute, &e, &mut self.rng) != Offered::Nothing {
            t.orders[p.tier] += 1;
            t.blogger_orders[k] += 1;
            let value = world.last_order_value;
            t.revenue += value;
            if c.affiliate > 0.0 {
                let commission = c.affiliate * value;
                t.commissions[p.tier] += commission;
                world.book_cost(commission);
            }
        }
    }

    /// Giveaway draws due today: `min(winners, entrants)` prizes.
    fn draws(&mut self, world: &mut World) {
        let Some(g) = &self.plan.config.giveaway else {
            return;
        };
        let t = &mut self.trial;
        let day = world.day;
        for p in &mut t.posts[..t.next] {
            if p.drawn || p.draw_day > day {
                continue;
            }
            p.drawn = true;
            let cost = p.entrants.min(g.winners) as f64 * g.prize;
            if cost > 0.0 {
                t.prizes[p.tier] += cost;
                world.book_cost(cost);
            }
        }
    }
}

/// The plan: the validated settings, read as they are, each tier's trust penalty and the
/// blogger feed.
#[derive(Debug, Clone)]
pub struct Plan {
    config: Influencers,
    /// Log-odds penalty per tier: macro trust penalty plus disclosure penalty.
    trust: [f64; 2],
    feed: FeedPlan,
}

impl Plan {
    /// Tier of blogger `k` ([`MICRO`] or [`MACRO`]), or `None` below `min_followers`.
    pub fn tier_of(&self, b: &Bloggers, k: usize) -> Option<usize> {
        if b.followers[k] < self.config.min_followers {
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
        let c = &self.config;
        (c.fee.at(tier) + c.fee_per_1000_followers.at(tier) * followers / 1000.0).round()
    }

    /// Budget of tier `tier`: `budget · split`.
    pub fn tier_budget(&self, tier: usize) -> f64 {
        self.config.budget * self.config.split.at(tier)
    }

    /// Prizes reserved per post for its giveaway (0 without one).
    pub fn prize_reserve(&self) -> f64 {
        self.config
            .giveaway
            .as_ref()
            .map_or(0.0, |g| g.winners as f64 * g.prize)
    }
}

/// What a trial records: counters per tier where indexed, and the posts.
#[derive(Debug, Clone, Default)]
pub struct Trial {
    posts_out: [u32; 2],
    reach: [f64; 2],
    views: [u64; 2],
    orders: [u32; 2],
    fees: [f64; 2],
    commissions: [f64; 2],
    prizes: [f64; 2],
    entrants: u64,
    revenue: f64,
    /// The plan's budget (`inf_budget_used` is a share of it).
    budget: f64,
    candidates: Vec<(f64, u32)>,
    /// Posts bought, sorted by day; `next` is the first not yet published.
    posts: Vec<Post>,
    next: usize,
    /// The published posts in the blogger feed and their views.
    feed: Feed,
    /// Attributed orders of each blogger of the pool.
    blogger_orders: Vec<u32>,
    /// Bloggers paid for a post, in buying order.
    posted: Vec<u32>,
}

impl Trial {
    /// Fees, commissions and prizes of tier `t`.
    fn cost(&self, t: usize) -> f64 {
        self.fees[t] + self.commissions[t] + self.prizes[t]
    }

    fn fees(&self) -> f64 {
        self.fees[MICRO] + self.fees[MACRO]
    }

    fn prizes(&self) -> f64 {
        self.prizes[MICRO] + self.prizes[MACRO]
    }

    fn commissions(&self) -> f64 {
        self.commissions[MICRO] + self.commissions[MACRO]
    }
}

impl Record for Trial {
    const METRICS: &'static [Metric<Self>] = &[
        (Kpi::count("inf_posts_micro"), |t, _| {
            t.posts_out[MICRO] as f64
        }),
        (Kpi::count("inf_posts_macro"), |t, _| {
            t.posts_out[MACRO] as f64
        }),
        (Kpi::gain("inf_reach_micro"), |t, _| t.reach[MICRO]),
        (Kpi::gain("inf_reach_macro"), |t, _| t.reach[MACRO]),
        (Kpi::gain("inf_views_micro"), |t, _| t.views[MICRO] as f64),
        (Kpi::gain("inf_views_macro"), |t, _| t.views[MACRO] as f64),
        (Kpi::gain("inf_orders_micro"), |t, _| t.orders[MICRO] as f64),
        (Kpi::gain("inf_orders_macro"), |t, _| t.orders[MACRO] as f64),
        (Kpi::cost_part("inf_fees_micro", "inf_cost"), |t, _| {
            t.fees[MICRO]
        }),
        (Kpi::cost_part("inf_fees_macro", "inf_cost"), |t, _| {
            t.fees[MACRO]
        }),
        (Kpi::cost_part("inf_commissions", "inf_cost"), |t, _| {
            t.commissions()
        }),
        (Kpi::gain("inf_giveaway_entrants"), |t, _| t.entrants as f64),
        (Kpi::cost_part("inf_giveaway_cost", "inf_cost"), |t, _| {
            t.prizes()
        }),
        (
            Kpi::new("inf_cpo_micro", Unit::Money, Better::Lower),
            |t, _| per(t.cost(MICRO), t.orders[MICRO]),
        ),
        (
            Kpi::new("inf_cpo_macro", Unit::Money, Better::Lower),
            |t, _| per(t.cost(MACRO), t.orders[MACRO]),
        ),
        (
            Kpi::share("inf_budget_used").better(Better::Neither),
            |t, _| per(t.fees() + t.prizes(), t.budget),
        ),
        (
            Kpi::new("inf_revenue", Unit::Money, Better::Higher),
            |t, _| t.revenue,
        ),
        (Kpi::cost_item("inf_cost"), |t, _| {
            t.fees() + t.commissions() + t.prizes()
        }),
    ];
}

/// Index of the micro tier.
pub const MICRO: usize = 0;
/// Index of the macro tier.
pub const MACRO: usize = 1;

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

/// The paid posts' run, as tests inspect it.
pub type State = Run<Plan>;
