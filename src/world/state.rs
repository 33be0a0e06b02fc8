//! The state of one trial: agents' dynamic state, the pools' segments of non-buyers, the
//! repeat-purchase calendar, and the ledger of orders and costs.
//!
//! ## Work skipped per trial
//! Per-agent state that is written before it is read (order counts, repurchase rates,
//! first days) is sized but not cleared between trials; state only mechanisms touch
//! (intent, engagement, satisfaction before a first order, traits, bloggers) is not built
//! when no mechanism runs; with [`OrganicPath::Aggregate`] the world keeps counts, not
//! agents.
//!
//! ## Segments of non-buyers
//! Non-buyers without intent sit in their pool's segment of one array (`nonbuyers`, with
//! each agent's position in `pos`): one segment per pool, or one per (pool, rate class) on
//! [`OrganicPath::ClassWalk`]. A first order or a rising intent unlinks the agent by moving
//! the segment's last member into its place; buyers with intent are kept in `touched`.

use super::plan::{OrganicPath, Paths, ProductConsts, RepeatPath, WorldPlan};
use crate::behaviour::{BehaviourParams, CardProof, OrganicBase};
use crate::dist::Dist;
use crate::population::{ORGANIC_CLASSES, Population};
use crate::rng::{SimRng, stream, stream_key, stream_rng};
use crate::thinning::{JumpRates, UNDRAWN};
use rand_distr::{Beta, Gamma};

pub(super) const BUYER: u8 = 1;
pub(super) const TOUCHED: u8 = 2;
pub(super) const DROPPED: u8 = 4;
pub(super) const LEFT: u8 = 8;
/// A chat-group member out of the product's market: never buys.
pub(super) const OUT: u8 = 16;

/// One order, as the mechanisms that react to orders see it (order proofs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Order {
    /// The buyer.
    pub agent: u32,
    /// Order value (basket), before any discount.
    pub value: f64,
    /// Minute of the day it was placed.
    pub minute: u32,
    /// True for the buyer's first order.
    pub first: bool,
}

/// What a purchase opportunity offered to any agent (buyer or not) led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offered {
    /// No order.
    Nothing,
    /// The agent's first order.
    First,
    /// An extra order by an existing buyer.
    Repeat,
}

/// Most mechanism kinds that can issue coupons (the size of the per-source counters).
pub const COUPON_SOURCES: usize = 16;

/// Money and counts of one trial.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    /// Buyers with at least one order.
    pub first_buyers: u32,
    /// Buyers with at least two orders.
    pub repeat_buyers: u32,
    /// Buyers with at least three orders.
    pub buyers_3plus: u32,
    /// Sum over buyers with a second order of the days between the calendar days of
    /// their first and second orders.
    pub days_to_second: f64,
    /// All orders.
    pub orders: u32,
    /// Revenue (price less any discount).
    pub revenue: f64,
    /// Cost of goods sold.
    pub cogs: f64,
    /// Campaign cost booked by mechanisms.
    pub campaign_cost: f64,
    /// Wallet coupons redeemed, per issuing mechanism (its random stream id).
    pub coupons_redeemed: [u32; COUPON_SOURCES],
    /// Discount granted by redeemed wallet coupons, per issuing mechanism.
    pub coupon_value_redeemed: [f64; COUPON_SOURCES],
}

/// The counts of exchangeable agents ([`OrganicPath::Aggregate`]): each pool keeps its
/// count of non-buyers (`seg_len`) and buyers, and the repeat pool its counts of alive
/// buyers by orders so far.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Aggregate {
    /// Alive buyers with one order, eligible today.
    pub(super) alive_one: u64,
    /// Alive buyers with two or more orders.
    pub(super) alive_more: u64,
    /// Today's first buyers (eligible for repeats from tomorrow).
    pub(super) fresh: u64,
    /// Alive buyers with exactly two orders (part of `alive_more`).
    pub(super) alive_two: u64,
}

/// Empties `v` and fills it with `n` copies of `x`, keeping its allocation.
fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

/// A trial's world. Owned by a worker and reset for each trial.
#[derive(Debug)]
pub struct World {
    /// The agents.
    pub pop: Population,
    /// Behavioural constants.
    pub beh: Option<BehaviourParams>,
    /// Current day.
    pub day: u32,
    /// Horizon in days.
    pub horizon: u32,
    /// Weekday index of day 0.
    pub weekday0: usize,
    /// Trial key (seed, trial).
    pub key: u64,
    /// Orders and money.
    pub ledger: Ledger,
    /// Product card social proof (add reviews with [`World::add_card_review`]).
    pub card: Option<CardProof>,
    /// Value of the most recent order booked (before discount).
    pub last_order_value: f64,
    /// Discount granted on the most recent order.
    pub last_order_discount: f64,
    /// True when that discount was a wallet coupon (booked to its issuer).
    pub last_order_wallet: bool,
    /// Cumulative first buyers at the end of each day.
    pub daily_first: Vec<u32>,
    /// Cumulative orders at the end of each day.
    pub daily_orders: Vec<u32>,
    /// The engine paths of the trial's plan.
    pub(super) paths: Paths,
    pub(super) delta_sp: f64,
    pub(super) product: Option<ProductConsts>,
    pub(super) order_value: Option<Dist>,
    pub(super) log_orders: bool,
    pub(super) wallet: bool,
    pub(super) track_visits: bool,
    pub(super) interactive: bool,
    pub(super) group_life: bool,
    pub(super) clv_days: f64,
    pub(super) orders_today: Vec<Order>,
    pub(super) orders_yesterday: Vec<Order>,
    pub(super) coupon: Vec<f32>,
    pub(super) coupon_until: Vec<u16>,
    pub(super) coupon_src: Vec<u8>,
    pub(super) visits: Vec<u16>,
    pub(super) flags: Vec<u8>,
    pub(super) orders: Vec<u16>,
    pub(super) pos: Vec<u32>,
    pub(super) intent: Vec<f32>,
    pub(super) intent_day: Vec<u16>,
    pub(super) satisfaction: Vec<f32>,
    pub(super) lambda: Vec<f32>,
    pub(super) dropout: Vec<f32>,
    pub(super) next_repeat: Vec<f32>,
    pub(super) engagement: Vec<f32>,
    pub(super) engagement_day: Vec<u16>,
    /// Attention load (decayed count of purchase opportunities met), as of `load_at`
    /// (minute of the trial).
    pub(super) load: Vec<f32>,
    pub(super) load_at: Vec<u32>,
    /// Per pool: an upper bound of its members' engagement, as of `engagement_bound_day`.
    pub(super) engagement_bound: Vec<f32>,
    pub(super) engagement_bound_day: Vec<u16>,
    /// Per pool: members still in it (chat groups; the open market keeps its size).
    pub(super) members_in: Vec<u32>,
    pub(super) groups_rng: Option<SimRng>,
    pub(super) nonbuyers: Vec<u32>,
    /// Segments of `nonbuyers`: one per pool, or one per (pool, rate class) on class walks
    /// (`seg_k` classes per pool).
    pub(super) seg_start: Vec<u32>,
    pub(super) seg_len: Vec<u32>,
    pub(super) seg_k: usize,
    pub(super) touched: Vec<u32>,
    pub(super) pool_buyers: Vec<u32>,
    pub(super) pool_buyers_start: Vec<u32>,
    /// `−ln(1 − h)` of the organic hazard bounds seen (a memo kept across trials).
    pub(super) jump_rate: JumpRates,
    /// Per pool: the unspent exponential budget of the organic step's walk, carried from
    /// day to day; [`UNDRAWN`] until first drawn in a trial.
    pub(super) walk_budget: Vec<f64>,

    pub(super) buyers: Vec<u32>,
    /// Buyers by the day their innovation coin first falls ([`OrganicPath::InnovationDays`]).
    pub(super) innovation_cal: Vec<Vec<u32>>,
    pub(super) repeat_cal: Vec<Vec<u32>>,
    pub(super) scratch: Vec<u32>,
    /// The organic step's buyers of the day, with their pools, before booking.
    pub(super) accepted: Vec<(u32, u32)>,
    /// Per pool: the day's organic base of buyers with intent, once computed (scratch of
    /// the organic step).
    pub(super) organic_bases: Vec<Option<OrganicBase>>,
    pub(super) organic_rng: Option<SimRng>,
    /// The organic decisions of buyers with intent (their own stream, so that how many
    /// buyers a campaign touches does not shift the pool walks' numbers).
    pub(super) intent_rng: Option<SimRng>,
    pub(super) repeat_gamma: Option<Gamma<f64>>,
    pub(super) repeat_beta: Option<Beta<f64>>,
    /// Pareto/NBD's dropout rate law `Gamma(s, 1/β)` (`None` under the other models).
    pub(super) repeat_mu: Option<Gamma<f64>>,
    /// Daily model, homogeneous: `−ln(1 − r)`, the rate of the geometric waiting time.
    pub(super) daily_c0: f64,
    /// Daily model, heterogeneous buyers (`Population::daily_r`): each buyer's
    /// `−ln(1 − r_i)`, written `-1` at the first order and computed when `schedule_daily`
    /// first needs it.
    pub(super) daily_c: Vec<f64>,
    /// Day of each buyer's first order (written at the first order).
    pub(super) first_day: Vec<u16>,
    /// Price, and `unit_cost · price / price`, for plain orders.
    pub(super) plain_price: f64,
    pub(super) plain_cogs: f64,
    /// Pooled repeats: buyers who have not dropped out, in any order (`pos` indexes it).
    pub(super) alive: Vec<u32>,
    /// Pooled repeats: `alive.len()` at the start of the day (today's new buyers follow).
    pub(super) alive_start: usize,
    /// Pooled repeats: the trial's stream.
    pub(super) repeat_rng: Option<SimRng>,
    /// Aggregate paths: the counts.
    pub(super) aggregate: Aggregate,
    /// Aggregate paths: alive buyers with one order by the day of their first order
    /// (summing to `aggregate.alive_one`), for the days to the second order.
    pub(super) one_by_day: super::repeat::Cohorts,
    /// Aggregate paths: the repeat depth's own stream (who among the day's orders had
    /// how many orders), so the counts draw exactly what they drew without it.
    pub(super) depth_rng: Option<SimRng>,
    /// `stream_key(key, REPEAT)` and `stream_key(key, ORDER)` of the trial.
    pub(super) repeat_key: u64,
    pub(super) order_key: u64,
}

impl Default for World {
    fn default() -> Self {
        World {
            pop: Population::default(),
            beh: None,
            day: 0,
            horizon: 0,
            weekday0: 0,
            key: 0,
            ledger: Ledger::default(),
            card: None,
            last_order_value: 0.0,
            last_order_discount: 0.0,
            last_order_wallet: false,
            daily_first: Vec::new(),
            daily_orders: Vec::new(),
            paths: Paths {
                organic: OrganicPath::PoolWalk,
                repeat: RepeatPath::Daily,
                first_orders: super::plan::FirstOrders::General,
                booking: super::plan::Booking::Full,
                walks: crate::thinning::Walks::Lazy,
            },
            delta_sp: 0.0,
            product: None,
            order_value: None,
            log_orders: false,
            wallet: false,
            track_visits: false,
            interactive: false,
            group_life: false,
            clv_days: 0.0,
            orders_today: Vec::new(),
            orders_yesterday: Vec::new(),
            coupon: Vec::new(),
            coupon_until: Vec::new(),
            coupon_src: Vec::new(),
            visits: Vec::new(),
            flags: Vec::new(),
            orders: Vec::new(),
            pos: Vec::new(),
            intent: Vec::new(),
            intent_day: Vec::new(),
            satisfaction: Vec::new(),
            lambda: Vec::new(),
            dropout: Vec::new(),
            next_repeat: Vec::new(),
            engagement: Vec::new(),
            engagement_day: Vec::new(),
            load: Vec::new(),
            load_at: Vec::new(),
            engagement_bound: Vec::new(),
            engagement_bound_day: Vec::new(),
            members_in: Vec::new(),
            groups_rng: None,
            nonbuyers: Vec::new(),
            seg_start: Vec::new(),
            seg_len: Vec::new(),
            seg_k: 1,
            touched: Vec::new(),
            pool_buyers: Vec::new(),
            pool_buyers_start: Vec::new(),
            jump_rate: JumpRates::default(),
            walk_budget: Vec::new(),

            buyers: Vec::new(),
            innovation_cal: Vec::new(),
            repeat_cal: Vec::new(),
            scratch: Vec::new(),
            accepted: Vec::new(),
            organic_bases: Vec::new(),
            organic_rng: None,
            intent_rng: None,
            repeat_gamma: None,
            repeat_beta: None,
            repeat_mu: None,
            daily_c0: 0.0,
            daily_c: Vec::new(),
            first_day: Vec::new(),
            plain_price: 0.0,
            plain_cogs: 0.0,
            alive: Vec::new(),
            alive_start: 0,
            repeat_rng: None,
            aggregate: Aggregate::default(),
            one_by_day: Default::default(),
            depth_rng: None,
            repeat_key: 0,
            order_key: 0,
        }
    }
}

impl World {
    /// Resets the world for trial `key`, reusing every buffer.
    pub fn reset(&mut self, plan: &WorldPlan, key: u64) {
        self.key = key;
        self.day = 0;
        self.horizon = plan.horizon;
        self.weekday0 = plan.weekday0;
        self.clv_days = plan.clv_days;
        self.ledger = Ledger::default();
        let b = &plan.behaviour;
        self.card = Some(CardProof::new(
            plan.existing_reviews.0,
            plan.existing_reviews.1,
            b.sp_saturation,
        ));
        self.delta_sp = 0.0;
        self.product = Some(plan.product);
        self.order_value = plan.order_value.clone();
        let needs = plan.needs;
        self.log_orders = needs.log_orders;
        self.wallet = needs.wallet;
        self.track_visits = needs.track_visits;
        self.interactive = needs.interactive;
        self.group_life = needs.group_life;
        self.paths = plan.paths;
        self.orders_today.clear();
        self.orders_yesterday.clear();
        self.last_order_value = 0.0;
        if self.beh.is_none() {
            self.beh = Some(plan.behaviour.clone());
            self.repeat_gamma = Some(Gamma::new(b.r, 1.0 / b.alpha).expect("validated r, alpha"));
            self.repeat_beta = Some(Beta::new(b.a, b.b).expect("validated a, b"));
            self.repeat_mu = (b.repurchase_model == crate::settings::RepurchaseModel::ParetoNbd)
                .then(|| Gamma::new(b.s, 1.0 / b.beta).expect("validated s, beta"));
            self.daily_c0 = -(-b.daily_r.min(1.0)).ln_1p();
        }
        self.alive.clear();
        self.alive_start = 0;
        let prod = plan.product;
        self.plain_price = prod.price;
        self.plain_cogs = prod.unit_cost * prod.price / prod.price;
        self.repeat_rng = self
            .paths
            .repeat
            .pooled()
            .then(|| stream_rng(key, stream::REPEAT_POOL));
        self.repeat_key = stream_key(key, stream::REPEAT);
        self.order_key = stream_key(key, stream::ORDER);
        let mut prng = stream_rng(key, stream::POPULATION);
        self.pop.build(&plan.population, key, &mut prng);
        self.aggregate = Aggregate::default();
        self.one_by_day.reset(self.horizon as usize);
        self.depth_rng = (self.paths.repeat == RepeatPath::Aggregate)
            .then(|| stream_rng(key, stream::REPEAT_DEPTH));
        self.organic_rng = Some(stream_rng(key, stream::ORGANIC));
        self.intent_rng = Some(stream_rng(key, stream::INTENT));
        self.groups_rng = Some(stream_rng(key, stream::GROUPS));
        let n = self.pop.len();
        let pools = self.pop.pools.len();
        refill(&mut self.pool_buyers, pools, 0);
        refill(&mut self.pool_buyers_start, pools, 0);
        refill(&mut self.walk_budget, pools, UNDRAWN);

        self.touched.clear();
        self.buyers.clear();
        super::clear_days(&mut self.repeat_cal, plan.horizon as usize);
        self.daily_first.clear();
        self.daily_orders.clear();
        refill(
            &mut self.engagement_bound,
            pools,
            b.initial_engagement as f32,
        );
        refill(&mut self.engagement_bound_day, pools, 0);
        self.members_in.clear();
        self.members_in.extend(self.pop.pools.iter().map(|p| p.len));
        self.seg_start.clear();
        self.seg_len.clear();
        if self.paths.organic == OrganicPath::Aggregate {
            // Counts only: each pool's non-buyers are `seg_len`; no per-agent state.
            self.seg_k = 1;
            self.seg_start
                .extend(self.pop.pools.iter().map(|p| p.start));
            self.seg_len.extend(self.pop.pools.iter().map(|p| p.len));
            return;
        }
        self.reset_agents(b, n);
        let innovation_days = self.paths.organic == OrganicPath::InnovationDays;
        let days = if innovation_days { self.horizon } else { 0 };
        super::clear_days(&mut self.innovation_cal, days as usize);
        if innovation_days {
            self.draw_innovation_days();
        }
    }

    /// The per-agent part of [`World::reset`]: flags, order and repeat state, the state
    /// mechanisms read, and the segments of non-buyers.
    fn reset_agents(&mut self, b: &BehaviourParams, n: usize) {
        refill(&mut self.flags, n, 0);
        // A buyer's order count, repurchase state and first day are written at its first
        // order before anything reads them: sized, not cleared (stale values from an
        // earlier trial are never read).
        self.orders.resize(n, 0);
        self.lambda.resize(n, 0.0);
        self.dropout.resize(n, 0.0);
        self.next_repeat.resize(n, f32::INFINITY);
        self.first_day.resize(n, 0);
        if !self.pop.daily_r.is_empty() {
            self.daily_c.resize(n, -1.0);
        }
        // State that mechanisms read or write for any agent. Without mechanisms it stays
        // empty (a read would fail loudly) and satisfaction starts at the first order.
        if self.interactive {
            refill(&mut self.satisfaction, n, 0.5);
            refill(&mut self.intent, n, 0.0);
            refill(&mut self.intent_day, n, 0);
            refill(&mut self.engagement, n, b.initial_engagement as f32);
            refill(&mut self.engagement_day, n, 0);
            refill(&mut self.load, n, 0.0);
            refill(&mut self.load_at, n, 0);
        } else {
            self.satisfaction.resize(n, 0.5);
        }
        if self.track_visits {
            refill(&mut self.visits, n, 0);
        }
        if self.wallet {
            refill(&mut self.coupon, n, 0.0);
            refill(&mut self.coupon_until, n, 0);
            refill(&mut self.coupon_src, n, 0);
        }
        // Chat-group members out of the market never buy: flagged, and left out of the
        // non-buyers the organic walks visit.
        if !self.pop.all_in_market() {
            for i in 0..n as u32 {
                if !self.pop.in_market(i) {
                    self.flags[i as usize] |= OUT;
                }
            }
        }
        let in_market = |flags: &[u8], i: u32| flags[i as usize] & OUT == 0;
        self.seg_k = if self.paths.organic == OrganicPath::ClassWalk {
            ORGANIC_CLASSES
        } else {
            1
        };
        let k = self.seg_k;
        self.nonbuyers.resize(n, 0);
        self.pos.resize(n, 0);
        // Each pool's in-market members, sorted by rate class on class walks (a counting
        // sort).
        let mut at = 0u32;
        for g in 0..self.pop.pools.len() {
            let pool = self.pop.pools[g];
            let members = pool.start..pool.start + pool.len;
            let mut len = [0u32; ORGANIC_CLASSES];
            for i in members.clone() {
                if in_market(&self.flags, i) {
                    len[self.class_of(i)] += 1;
                }
            }
            let mut next = [0u32; ORGANIC_CLASSES];
            for c in 0..k {
                self.seg_start.push(at);
                self.seg_len.push(len[c]);
                next[c] = at;
                at += len[c];
            }
            for i in members {
                if in_market(&self.flags, i) {
                    let c = self.class_of(i);
                    self.nonbuyers[next[c] as usize] = i;
                    self.pos[i as usize] = next[c];
                    next[c] += 1;
                }
            }
        }
    }

    /// Agent `i`'s segment class within its pool: its organic rate class on class walks,
    /// else 0.
    #[inline]
    fn class_of(&self, i: u32) -> usize {
        if self.seg_k == 1 {
            0
        } else {
            self.pop.organic_class[i as usize] as usize
        }
    }

    #[inline]
    pub(super) fn beh(&self) -> &BehaviourParams {
        self.beh.as_ref().expect("world reset")
    }

    pub(super) fn product(&self) -> ProductConsts {
        self.product.expect("world reset")
    }

    /// Starts day `day`: members leave groups over yesterday (when groups are used);
    /// snapshots pool adoption shares; yesterday's orders become readable.
    pub fn begin_day(&mut self, day: u32) {
        self.day = day;
        if self.group_life {
            self.leave_step();
        }
        std::mem::swap(&mut self.orders_today, &mut self.orders_yesterday);
        self.orders_today.clear();
        self.pool_buyers_start.copy_from_slice(&self.pool_buyers);
        self.alive_start = self.alive.len();
        let a = &mut self.aggregate;
        if a.fresh > 0 {
            self.one_by_day.add(day as usize - 1, a.fresh);
        }
        a.alive_one += a.fresh;
        a.fresh = 0;
    }

    /// Ends the day: records the cumulative series.
    pub fn end_day(&mut self) {
        self.daily_first.push(self.ledger.first_buyers);
        self.daily_orders.push(self.ledger.orders);
    }

    /// Buyers, in the order of their first order.
    pub fn buyers(&self) -> &[u32] {
        &self.buyers
    }

    /// Removes non-buyer `i` from its pool segment.
    pub(super) fn unlink_nonbuyer(&mut self, i: u32) {
        let g = self.pop.pool_of[i as usize];
        self.unlink_nonbuyer_in(i, g);
    }

    /// The segment of non-buyer `i` of pool `g`.
    #[inline]
    fn segment(&self, i: u32, g: u32) -> usize {
        if self.seg_k == 1 {
            g as usize
        } else {
            g as usize * ORGANIC_CLASSES + self.pop.organic_class[i as usize] as usize
        }
    }

    /// Removes non-buyer `i` of pool `g` from its segment.
    #[inline]
    pub(super) fn unlink_nonbuyer_in(&mut self, i: u32, g: u32) {
        let g = self.segment(i, g);
        let start = self.seg_start[g] as usize;
        let last = start + self.seg_len[g] as usize - 1;
        let at = self.pos[i as usize] as usize;
        let moved = self.nonbuyers[last];
        self.nonbuyers[at] = moved;
        self.pos[moved as usize] = at as u32;
        self.seg_len[g] -= 1;
    }

    /// Returns a touched buyer to its pool segment.
    pub(super) fn relink_nonbuyer(&mut self, i: u32) {
        let g = self.segment(i, self.pop.pool_of[i as usize]);
        let at = self.seg_start[g] as usize + self.seg_len[g] as usize;
        self.nonbuyers[at] = i;
        self.pos[i as usize] = at as u32;
        self.seg_len[g] += 1;
    }

    /// Removes buyer `i` from the list of buyers with intent.
    pub(super) fn unlink_touched(&mut self, i: u32) {
        let at = self.pos[i as usize] as usize;
        let last = self.touched.len() - 1;
        let moved = self.touched[last];
        self.touched[at] = moved;
        self.pos[moved as usize] = at as u32;
        self.touched.pop();
        self.flags[i as usize] &= !TOUCHED;
    }
}
