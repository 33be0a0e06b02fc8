//! The state of one trial that mechanisms act on: agents' dynamic state, the organic step,
//! the repeat-purchase calendar, and the ledger of orders and costs.
//!
//! ## Work skipped for agents with nothing to do
//! - **Organic step.** Non-buyers without intent sit in their pool's segment of one array.
//!   For each pool and day the engine computes an upper bound `h_max` of their hazards and
//!   walks the segment by geometric jumps (`floor(E / −ln(1 − h_max))`, `E ~ Exp(1)`), so only
//!   `~h_max · n` candidates are visited; a candidate is accepted with probability
//!   `h_i / h_max` (thinning), which leaves every buyer's daily probability exactly `h_i`.
//!   When all hazards are equal (no social proof, homogeneous `p`), no acceptance draw is made.
//!   Buyers with intent are kept in a separate list and evaluated one by one until their
//!   intent decays below the floor. The jump rate
//!   `−ln(1 − h)` is memoised (a pure function of `h`; pools of equal size and rate share
//!   the values `p + q·k/len`, within and across trials).
//! - **Heterogeneous innovation rates.** Each pool's non-buyers are kept in one segment per
//!   rate class (`p_i <= 1.5p̄`, `<= 4p̄`, above) and thinned against the class's largest
//!   rate, rounded up to 4 significant bits so its logarithm comes from the memo. The
//!   classes are walked as one sequence with a piecewise-constant candidate rate: an
//!   exponential budget not spent in a class carries over to the next (memorylessness), so
//!   a pool-day still costs one exponential draw plus one per candidate.
//! - **Repeat purchases, BG/NBD.** Each buyer's next order time is drawn in advance
//!   (`t + Exp(λ)`) and filed in a per-day calendar; a day touches only the buyers whose
//!   order falls on it. A change of rate (satisfaction) re-draws the time, which is exact
//!   because the exponential is memoryless; stale calendar entries are skipped.
//! - **Leaving chat groups.** A member leaves at daily hazard `leave_rate · (1 − e)`
//!   (engagement `e` decaying between interactions), so a day's leaving probability is at
//!   most `1 − exp(−leave_rate)`. At the start of each day the engine walks each group with
//!   [`crate::thinning::Coins`] against that bound and settles only the candidates (about
//!   `leave_rate · members` a day): membership is always current, mechanisms read it with
//!   [`World::has_left`] and count members with [`World::members_in`], and nothing is
//!   settled per member per event.
//! - **Repeat purchases, daily model.** The next repeat day is drawn once per order,
//!   `t + 1 + ⌊E / −ln(1 − r_i)⌋` (geometric), and filed in the same calendar. When buyers
//!   are exchangeable (one `r`, no mechanism, satisfaction unable to move it) the engine
//!   keeps no per-buyer schedule at all: a day's repeat orders are `Binomial(B, r)` over the
//!   `B` buyers alive at the start of the day, placed by distinct buyers drawn uniformly.
//!
//! ## Work skipped per trial
//! Per-agent state that is written before it is read (order counts, repurchase rates,
//! first days) is sized but not cleared between trials; state only mechanisms touch
//! (intent, engagement, satisfaction before a first order, traits, bloggers) is not built
//! when no mechanism runs; orders with nothing to draw or log take a short path.

use crate::behaviour::{
    BehaviourParams, CardProof, Exposure, expected_future_daily_orders, expected_future_orders,
    sigmoid_coin,
};
use crate::dist::Dist;
use crate::population::{ORGANIC_CLASSES, Population, PopulationPlan, Trait};
use crate::rng::{EventRng, SimRng, agent_rng_in, stream, stream_key, stream_rng};
use crate::settings::RepurchaseModel;
use crate::thinning::Coins;
use rand::RngExt;
use rand_distr::{Beta, Binomial, Distribution, Exp1, Gamma};

const BUYER: u8 = 1;
const TOUCHED: u8 = 2;
const DROPPED: u8 = 4;
const LEFT: u8 = 8;

/// Above this bound the organic step flips a coin per agent instead of jumping.
const JUMP_LIMIT: f64 = 0.25;

/// A direct-mapped memo of `c(h) = −ln(1 − h)`, the rate of the geometric jumps of the
/// organic step. Pools whose hazard bound takes the same values (equal sizes and
/// innovation rates: `p + q·k/len` for buyer counts `k`) reuse each other's logarithms, within
/// and across trials. A pure function of `h`, so it never needs resetting.
#[derive(Debug)]
struct JumpRateMemo {
    /// `(bits of h, c, 1 / c)`.
    slots: Vec<(u64, f64, f64)>,
}

impl Default for JumpRateMemo {
    fn default() -> Self {
        // `h` bits of 0 mean 0.0: rate 0, and a jump of `e · ∞` never lands.
        JumpRateMemo {
            slots: vec![(0, 0.0, f64::INFINITY); 1 << 10],
        }
    }
}

impl JumpRateMemo {
    /// `(c, 1 / c)` with `c = −ln(1 − h)`: a jump `⌊E / c⌋` is computed as `⌊E · (1/c)⌋`,
    /// a multiplication per candidate instead of a division.
    #[inline]
    fn get(&mut self, h: f64) -> (f64, f64) {
        let bits = h.to_bits();
        let slot = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
        let e = &mut self.slots[slot];
        if e.0 != bits {
            let c = -(-h).ln_1p();
            *e = (bits, c, 1.0 / c);
        }
        (e.1, e.2)
    }
}

/// The state of a trial whose agents are exchangeable: homogeneous organic rates, no
/// mechanism (nothing reads or writes an agent's state), plain orders and pooled daily
/// repeats (one `r`, one dropout). Then who buys carries no information that any later
/// step or output uses, only how many: each pool keeps its count of non-buyers (`seg_len`)
/// and buyers, and the repeat pool its counts of alive buyers by orders so far. A pool-day's
/// first purchases are the number of candidates of its thinning walk (`Binomial(n, h)`,
/// one `Exp(1)` draw per purchase); a day's repeat orders are `Binomial(B, r)` over the
/// alive buyers, of whom `Hypergeometric(B, B₁, K)` (drawn pick by pick) had one order so
/// far (they become repeat buyers), and `Binomial(K, d)` drop out: the joint law of the
/// counts of the per-agent model, without touching an agent.
#[derive(Debug, Clone, Copy, Default)]
struct Aggregate {
    /// Alive buyers with one order, eligible today.
    alive_one: u64,
    /// Alive buyers with two or more orders.
    alive_more: u64,
    /// Today's first buyers (eligible for repeats from tomorrow).
    fresh: u64,
}

/// The smallest float `>= h` with at most 4 significant mantissa bits (at most 6.25% above
/// `h`): thinning bounds take few distinct values, so their logarithms are memoised.
#[inline]
fn round_up_4_bits(h: f64) -> f64 {
    const LOW: u64 = (1 << 48) - 1;
    let bits = h.to_bits();
    if bits & LOW == 0 {
        h
    } else {
        f64::from_bits((bits | LOW) + 1)
    }
}

/// The next candidate of a thinning walk over positions `*j..len`, each a candidate with
/// probability `1 − exp(−rate)` (`inv_rate = 1 / rate`), from the exponential budget `*e`:
/// the candidate is `⌊e / rate⌋` positions ahead. Returns `None`, leaving the unspent budget
/// `e − (len − j) · rate` (again `Exp(1)`, memorylessness), when it falls past the end.
/// After a candidate the caller draws a fresh budget.
#[inline(always)]
fn next_jump(e: &mut f64, j: &mut usize, len: usize, rate: f64, inv_rate: f64) -> Option<usize> {
    // Against the integer `len − j`, `⌊x⌋ >= m ⟺ x >= m`, and the cast truncates (= floor,
    // as x >= 0). Segment sizes fit in u32: 32-bit conversions are single instructions.
    let left = (len - *j) as u32 as f64;
    let w = *e * inv_rate;
    if w >= left {
        *e = (*e - left * rate).max(0.0);
        return None;
    }
    let at = *j + w as u32 as usize;
    *j = at + 1;
    Some(at)
}

/// `c = −ln(1 − p)`, the rate of a Geometric(`p`) waiting time `⌊e / c⌋` (`e ~ Exp(1)`),
/// or `None` when that wait is certainly `>= room`: `p <= c <= p / (1 − p)`, so a wait past
/// `room` even at the upper bound (with a margin far above rounding, so that `e / c >= room`
/// holds in floating point too) needs no logarithm.
#[inline]
fn geometric_rate_within(e: f64, p: f64, room: f64) -> Option<f64> {
    if e * (1.0 - p) >= room * p * (1.0 + 1e-9) {
        None
    } else {
        Some(-(-p).ln_1p())
    }
}

/// Orders among `b` buyers who each order with probability `r`: `Binomial(b, r)`, all of
/// them (no draw) when `r >= 1`.
fn repeat_count(b: u64, r: f64, rng: &mut SimRng) -> u64 {
    if r >= 1.0 {
        b
    } else {
        Binomial::new(b, r)
            .expect("validated probability")
            .sample(rng)
    }
}

/// Product constants needed at order time.
#[derive(Debug, Clone, Copy)]
pub struct ProductConsts {
    /// Price per order.
    pub price: f64,
    /// Cost of goods per unit.
    pub unit_cost: f64,
    /// Probability that a unit is defective or the wrong variant.
    pub bad_unit: f64,
    /// Probability that the packaging arrives damaged.
    pub damaged: f64,
}

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

/// A trial's world. Owned by a worker and reset for each trial.
#[derive(Debug, Default)]
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
    delta_sp: f64,
    product: Option<ProductConsts>,
    order_value: Option<Dist>,
    log_orders: bool,
    wallet: bool,
    orders_today: Vec<Order>,
    orders_yesterday: Vec<Order>,
    coupon: Vec<f32>,
    coupon_until: Vec<u16>,
    coupon_src: Vec<u8>,
    track_visits: bool,
    interactive: bool,
    visits: Vec<u16>,
    /// Value of the most recent order booked (before discount).
    pub last_order_value: f64,
    /// Discount granted on the most recent order.
    pub last_order_discount: f64,
    /// True when that discount was a wallet coupon (booked to its issuer).
    pub last_order_wallet: bool,
    clv_days: f64,
    flags: Vec<u8>,
    orders: Vec<u16>,
    pos: Vec<u32>,
    intent: Vec<f32>,
    intent_day: Vec<u16>,
    satisfaction: Vec<f32>,
    lambda: Vec<f32>,
    dropout: Vec<f32>,
    next_repeat: Vec<f32>,
    engagement: Vec<f32>,
    engagement_day: Vec<u16>,
    /// Per pool: an upper bound of its members' engagement, as of `engagement_bound_day`.
    engagement_bound: Vec<f32>,
    engagement_bound_day: Vec<u16>,
    /// Per pool: members still in it (chat groups; the open market keeps its size).
    members_in: Vec<u32>,
    group_life: bool,
    groups_rng: Option<SimRng>,
    nonbuyers: Vec<u32>,
    /// Segments of `nonbuyers`: one per pool, or one per (pool, rate class) when organic
    /// rates are heterogeneous (`seg_k` classes per pool).
    seg_start: Vec<u32>,
    seg_len: Vec<u32>,
    seg_k: usize,
    touched: Vec<u32>,
    pool_buyers: Vec<u32>,
    pool_buyers_start: Vec<u32>,
    /// `−ln(1 − h)` of the organic hazard bounds seen (a memo kept across trials).
    jump_rate: JumpRateMemo,
    /// Per pool: the unspent exponential budget of the organic step's walk, carried from
    /// day to day (see `walk_pool`); negative until first drawn in a trial.
    walk_budget: Vec<f64>,
    buyers: Vec<u32>,
    /// Heterogeneous organic rates in a world without mechanisms: each buyer's hazard is
    /// split into its own innovation day (`innovation_cal`) and a pool-wide imitation walk
    /// (see `innovation_step` and `organic_step`).
    innovation_clock: bool,
    /// Buyers by the day their innovation coin first falls (`innovation_clock` only).
    innovation_cal: Vec<Vec<u32>>,
    repeat_cal: Vec<Vec<u32>>,
    scratch: Vec<u32>,
    accepted: Vec<(u32, u32)>,
    organic_rng: Option<SimRng>,
    repeat_gamma: Option<Gamma<f64>>,
    repeat_beta: Option<Beta<f64>>,
    /// Daily model, homogeneous: `−ln(1 − r)`, the rate of the geometric waiting time.
    daily_c0: f64,
    /// Daily model, heterogeneous buyers (`Population::daily_r`): each buyer's
    /// `−ln(1 − r_i)`, written `-1` at the first order and computed when `schedule_daily`
    /// first needs it.
    daily_c: Vec<f64>,
    /// Day of each buyer's first order (written at the first order).
    first_day: Vec<u16>,
    /// Daily model with exchangeable buyers: repeat orders by a binomial count per day.
    pooled: bool,
    /// Orders need no draw and no log (see `book_plain_order`).
    plain: bool,
    /// Price, and `unit_cost · price / price`, for plain orders.
    plain_price: f64,
    plain_cogs: f64,
    /// Pooled repeats: buyers who have not dropped out, in any order (`pos` indexes it).
    alive: Vec<u32>,
    /// Pooled repeats: `alive.len()` at the start of the day (today's new buyers follow).
    alive_start: usize,
    /// Pooled repeats: the trial's stream.
    repeat_rng: Option<SimRng>,
    /// Exchangeable agents (see `Aggregate`): the world keeps counts, not agents.
    aggregate: Option<Aggregate>,
    /// `stream_key(key, REPEAT)` and `stream_key(key, ORDER)` of the trial.
    repeat_key: u64,
    order_key: u64,
    /// Cumulative first buyers at the end of each day.
    pub daily_first: Vec<u32>,
    /// Cumulative orders at the end of each day.
    pub daily_orders: Vec<u32>,
}

/// What a trial's world needs from the plan.
#[derive(Debug, Clone)]
pub struct WorldPlan {
    /// Population samplers.
    pub population: PopulationPlan,
    /// Behaviour.
    pub behaviour: BehaviourParams,
    /// Product constants.
    pub product: ProductConsts,
    /// Horizon.
    pub horizon: u32,
    /// Weekday of day 0.
    pub weekday0: usize,
    /// Existing reviews and rating.
    pub existing_reviews: (u32, f64),
    /// Days past the horizon in CLV.
    pub clv_days: f64,
    /// Order value (basket) distribution; `None`: every order is worth the price.
    pub order_value: Option<Dist>,
    /// Keep each day's orders for mechanisms that react to them.
    pub log_orders: bool,
    /// Keep a coupon wallet per agent (some mechanism issues coupons).
    pub wallet: bool,
    /// Count product-page visits without an order per agent (CRM tags).
    pub track_visits: bool,
    /// Some mechanism acts on agents (offers, intent, satisfaction, engagement). Without
    /// one, the per-agent state only mechanisms touch is never initialised.
    pub interactive: bool,
    /// Chat-group members leave their groups day by day (some mechanism follows group
    /// life, see `MechanismPlan::follows_group_life`).
    pub group_life: bool,
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
        self.log_orders = plan.log_orders;
        self.wallet = plan.wallet;
        self.track_visits = plan.track_visits;
        self.interactive = plan.interactive;
        self.group_life = plan.group_life;
        self.orders_today.clear();
        self.orders_yesterday.clear();
        self.last_order_value = 0.0;
        if self.beh.is_none() {
            self.beh = Some(plan.behaviour.clone());
            self.repeat_gamma = Some(Gamma::new(b.r, 1.0 / b.alpha).expect("validated r, alpha"));
            self.repeat_beta = Some(Beta::new(b.a, b.b).expect("validated a, b"));
            self.daily_c0 = -(-b.daily_r.min(1.0)).ln_1p();
        }
        let sat_inert = (plan.product.bad_unit == 0.0 && plan.product.damaged == 0.0)
            || (b.sat_rate == 0.0 && b.sat_dropout == 0.0);
        self.pooled = b.repurchase_model == RepurchaseModel::Daily
            && b.daily_shape.is_none()
            && !plan.interactive
            && sat_inert;
        self.alive.clear();
        self.alive_start = 0;
        let prod = plan.product;
        self.plain = plan.order_value.is_none()
            && !plan.wallet
            && !plan.log_orders
            && prod.bad_unit == 0.0
            && prod.damaged == 0.0;
        self.plain_price = prod.price;
        self.plain_cogs = prod.unit_cost * prod.price / prod.price;
        self.repeat_rng = self.pooled.then(|| stream_rng(key, stream::REPEAT_POOL));
        self.repeat_key = stream_key(key, stream::REPEAT);
        self.order_key = stream_key(key, stream::ORDER);
        let mut prng = stream_rng(key, stream::POPULATION);
        self.pop.build(&plan.population, key, &mut prng);
        self.aggregate =
            (self.pooled && self.plain && self.pop.organic_p.is_empty()).then(Aggregate::default);
        self.organic_rng = Some(stream_rng(key, stream::ORGANIC));
        self.groups_rng = Some(stream_rng(key, stream::GROUPS));
        let n = self.pop.len();
        fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
            v.clear();
            v.resize(n, x);
        }
        refill(&mut self.pool_buyers, self.pop.pools.len(), 0);
        refill(&mut self.pool_buyers_start, self.pop.pools.len(), 0);
        refill(&mut self.walk_budget, self.pop.pools.len(), -1.0);
        self.touched.clear();
        self.buyers.clear();
        super::clear_days(&mut self.repeat_cal, plan.horizon as usize);
        self.daily_first.clear();
        self.daily_orders.clear();
        let pools = self.pop.pools.len();
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
        if self.aggregate.is_some() {
            // Counts only: each pool's non-buyers are `seg_len`; no per-agent state.
            self.seg_k = 1;
            self.seg_start
                .extend(self.pop.pools.iter().map(|p| p.start));
            self.seg_len.extend(self.pop.pools.iter().map(|p| p.len));
            return;
        }
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
        if self.pop.organic_class.is_empty() {
            self.seg_k = 1;
            self.nonbuyers.clear();
            self.nonbuyers.extend(0..n as u32);
            self.pos.clear();
            self.pos.extend(0..n as u32);
            self.seg_start
                .extend(self.pop.pools.iter().map(|p| p.start));
            self.seg_len.extend(self.pop.pools.iter().map(|p| p.len));
        } else {
            // Each pool's members sorted by rate class (a counting sort).
            self.seg_k = ORGANIC_CLASSES;
            self.nonbuyers.resize(n, 0);
            self.pos.resize(n, 0);
            for (g, pool) in self.pop.pools.iter().enumerate() {
                let mut at = pool.start;
                for c in 0..ORGANIC_CLASSES {
                    let len = self.pop.class_len[g * ORGANIC_CLASSES + c];
                    self.seg_start.push(at);
                    self.seg_len.push(len);
                    at += len;
                }
                let mut next = [0u32; ORGANIC_CLASSES];
                next.copy_from_slice(&self.seg_start[g * ORGANIC_CLASSES..][..ORGANIC_CLASSES]);
                for i in pool.start..pool.start + pool.len {
                    let c = self.pop.organic_class[i as usize] as usize;
                    self.nonbuyers[next[c] as usize] = i;
                    self.pos[i as usize] = next[c];
                    next[c] += 1;
                }
            }
        }
        self.innovation_clock = !plan.interactive && !self.pop.organic_p.is_empty();
        let days = if self.innovation_clock {
            self.horizon
        } else {
            0
        };
        super::clear_days(&mut self.innovation_cal, days as usize);
        if self.innovation_clock {
            self.draw_innovation_days();
        }
    }

    /// Heterogeneous organic rates without mechanisms: files each buyer under its
    /// innovation day, the first day whose innovation coin (probability `p_i`) falls,
    /// `⌊E / −ln(1 − p_i)⌋` (Geometric(`p_i`) failures), when inside the horizon.
    fn draw_innovation_days(&mut self) {
        let mut rng = self.organic_rng.take().expect("reset");
        let h = self.horizon as f64;
        for (i, &p) in self.pop.organic_p.iter().enumerate() {
            if p <= 0.0 {
                continue;
            }
            let e: f64 = Exp1.sample(&mut rng);
            // Most buyers' innovation day is past the horizon, found without a logarithm.
            let Some(c) = geometric_rate_within(e, p, h) else {
                continue;
            };
            let w = e / c;
            if w < h {
                self.innovation_cal[w as u32 as usize].push(i as u32);
            }
        }
        self.organic_rng = Some(rng);
    }

    #[inline]
    fn beh(&self) -> &BehaviourParams {
        self.beh.as_ref().expect("world reset")
    }

    /// Weekday index (0 = Monday) of the current day.
    #[inline]
    pub fn weekday(&self) -> usize {
        (self.weekday0 + self.day as usize) % 7
    }

    /// True when buyer `i` has ordered.
    #[inline]
    pub fn is_buyer(&self, i: u32) -> bool {
        self.flags[i as usize] & BUYER != 0
    }

    /// Orders of buyer `i` so far (0 for a non-buyer).
    #[inline]
    pub fn orders_of(&self, i: u32) -> u32 {
        if self.is_buyer(i) {
            self.orders[i as usize] as u32
        } else {
            0
        }
    }

    /// Books campaign cost.
    #[inline]
    pub fn book_cost(&mut self, amount: f64) {
        self.ledger.campaign_cost += amount;
    }

    /// Adds a published review to the product card.
    pub fn add_card_review(&mut self, sentiment: f64) {
        if let Some(c) = self.card.as_mut() {
            c.add(sentiment);
        }
        self.delta_sp = self.card.map(|c| c.delta()).unwrap_or(0.0);
    }

    /// The card's social proof change, kept current by [`World::add_card_review`] (every
    /// purchase decision reads it).
    #[inline]
    fn delta_sp(&self) -> f64 {
        self.delta_sp
    }

    /// Current intent of buyer `i`.
    #[inline]
    pub fn intent_of(&self, i: u32) -> f64 {
        let i = i as usize;
        let v = self.intent[i] as f64;
        if v == 0.0 {
            0.0
        } else {
            self.beh()
                .intent_after(v, self.day - self.intent_day[i] as u32)
        }
    }

    /// Offers buyer `i` a purchase opportunity at `minute` of the current day; returns true
    /// when it converts into the buyer's first order. Buyers who already ordered are not
    /// re-acquired by an exposure (their repeat orders follow the repurchase process).
    pub fn offer(&mut self, i: u32, minute: u32, e: &Exposure, rng: &mut SimRng) -> bool {
        if self.is_buyer(i) {
            return false;
        }
        let intent = self.intent_of(i);
        let susc = self.pop.trait_of(i, Trait::Susceptibility);
        let ps = self.pop.trait_of(i, Trait::PriceSensitivity);
        let x = self
            .beh()
            .decision_logit(e, intent, susc, ps, self.delta_sp());
        if sigmoid_coin(rng.random::<f64>(), x, e.attention) {
            let time = self.day as f64 + minute.min(1439) as f64 / 1440.0;
            self.first_order(i, time, e.incentive);
            true
        } else {
            if self.track_visits {
                let v = &mut self.visits[i as usize];
                *v = v.saturating_add(1);
            }
            let add = self.beh().intent_gain * e.strength * e.attention;
            if add != 0.0 {
                self.set_intent(i, intent + add);
            }
            false
        }
    }

    fn product(&self) -> ProductConsts {
        self.product.expect("world reset")
    }

    /// The probability that non-buyer `i` would buy on exposure `e` now, without drawing
    /// (0 for buyers): the counterfactual a mechanism's effect is judged by.
    pub fn offer_probability(&mut self, i: u32, e: &Exposure) -> f64 {
        if self.is_buyer(i) {
            return 0.0;
        }
        let intent = self.intent_of(i);
        let susc = self.pop.trait_of(i, Trait::Susceptibility);
        let ps = self.pop.trait_of(i, Trait::PriceSensitivity);
        let x = self
            .beh()
            .decision_logit(e, intent, susc, ps, self.delta_sp());
        e.attention * crate::behaviour::sigmoid(x)
    }

    /// Offers agent `i` a purchase opportunity whether or not it has bought before: a
    /// non-buyer decides as in [`World::offer`]; a buyer who has not dropped out places an
    /// extra order with probability `attention · σ(base + channels.repeat_shift +
    /// w_inc · incentive / price)` (it knows the product: no social proof, no price
    /// hesitation beyond the incentive). An extra order does not move the buyer's scheduled
    /// repeat orders (an incremental order).
    pub fn offer_any(&mut self, i: u32, minute: u32, e: &Exposure, rng: &mut SimRng) -> Offered {
        if !self.is_buyer(i) {
            return if self.offer(i, minute, e, rng) {
                Offered::First
            } else {
                Offered::Nothing
            };
        }
        if self.flags[i as usize] & DROPPED != 0 {
            return Offered::Nothing;
        }
        let b = self.beh();
        let x = e.base + b.repeat_shift + b.w_incentive * e.incentive / b.price;
        if sigmoid_coin(rng.random::<f64>(), x, e.attention) {
            let time = self.day as f64 + minute.min(1439) as f64 / 1440.0;
            self.book_order(i, e.incentive, time, false);
            Offered::Repeat
        } else {
            Offered::Nothing
        }
    }

    /// Gives agent `i` a wallet coupon worth `value`, valid through day `day + valid_days`,
    /// issued by mechanism `source` (its stream id). It replaces a smaller coupon held, and is
    /// redeemed on the agent's next order of any kind while valid (first, repeat or extra).
    /// A non-buyer's intent rises by `coupon_pull · w_inc · value / price`: a coupon in hand
    /// pulls toward a first order while the intent lasts.
    pub fn give_coupon(&mut self, i: u32, value: f64, valid_days: u32, source: u64) {
        debug_assert!(
            self.wallet,
            "a mechanism issuing coupons must set WorldPlan::wallet"
        );
        let u = i as usize;
        let held = if self.day <= self.coupon_until[u] as u32 {
            self.coupon[u] as f64
        } else {
            0.0
        };
        if value <= held {
            return;
        }
        self.coupon[u] = value as f32;
        self.coupon_until[u] = (self.day + valid_days).min(u16::MAX as u32) as u16;
        self.coupon_src[u] = source.min(COUPON_SOURCES as u64 - 1) as u8;
        let b = self.beh();
        let pull = b.coupon_pull * b.w_incentive * value / b.price;
        self.add_intent(i, pull);
    }

    /// Yesterday's orders, in the order they were booked (empty unless a mechanism asked
    /// for the order log).
    pub fn orders_yesterday(&self) -> &[Order] {
        &self.orders_yesterday
    }

    /// Product-page visits without an order by agent `i` (0 unless visits are tracked).
    #[inline]
    pub fn visits_of(&self, i: u32) -> u32 {
        self.visits.get(i as usize).copied().unwrap_or(0) as u32
    }

    /// True when agent `i` has dropped out of buying for good.
    #[inline]
    pub fn has_dropped(&self, i: u32) -> bool {
        self.flags[i as usize] & DROPPED != 0
    }

    /// Adds `delta` to buyer `i`'s intent (log-odds); ignored for buyers.
    pub fn add_intent(&mut self, i: u32, delta: f64) {
        if delta != 0.0 && !self.is_buyer(i) {
            let now = self.intent_of(i);
            self.set_intent(i, now + delta);
        }
    }

    /// Raises buyer `i`'s satisfaction to at least `s` (feeds repurchase), re-drawing the
    /// next repeat order at the new rate (exact: the waiting time is memoryless).
    pub fn raise_satisfaction(&mut self, i: u32, s: f64, minute: u32) {
        let u = i as usize;
        if (self.satisfaction[u] as f64) >= s {
            return;
        }
        self.satisfaction[u] = s as f32;
        if self.is_buyer(i) && self.flags[u] & DROPPED == 0 {
            let k = 0x8000_0000 | ((self.day << 11) | minute.min(2047));
            match self.beh().repurchase_model {
                RepurchaseModel::Bgnbd => {
                    let mut rng = agent_rng_in(self.repeat_key, i, k);
                    let time = self.day as f64 + minute.min(1439) as f64 / 1440.0;
                    self.schedule_repeat(i, time, &mut rng);
                }
                RepurchaseModel::Daily => {
                    // Today's coin is still open unless the first order was today.
                    let from = self.day + (self.first_day[u] as u32 == self.day) as u32;
                    let e: f64 = Exp1.sample(&mut EventRng::new(self.repeat_key, i, k));
                    self.schedule_daily(i, from, e);
                }
            }
        }
    }

    /// Chat-group member `i`'s engagement now.
    #[inline]
    pub fn engagement_of(&self, i: u32) -> f64 {
        let u = i as usize;
        let days = self.day - self.engagement_day[u] as u32;
        self.engagement[u] as f64 * self.beh().engagement_decay_over(days)
    }

    /// Changes member `i`'s engagement by `delta` (clamped to [0, 1]).
    pub fn add_engagement(&mut self, i: u32, delta: f64) {
        let e = (self.engagement_of(i) + delta).clamp(0.0, 1.0);
        let u = i as usize;
        self.engagement[u] = e as f32;
        self.engagement_day[u] = self.day as u16;
        let g = self.pop.pool_of[u] as usize;
        let bound = self.engagement_bound_of(g).max(e);
        self.engagement_bound[g] = bound as f32;
        self.engagement_bound_day[g] = self.day as u16;
    }

    fn engagement_bound_of(&self, g: usize) -> f64 {
        let days = self.day - self.engagement_bound_day[g] as u32;
        self.engagement_bound[g] as f64 * self.beh().engagement_decay_over(days)
    }

    /// An upper bound of the engagement of every member of pool `g` now (engagement decays
    /// at one rate for all, so the largest value set, decayed since, bounds them all).
    #[inline]
    pub fn engagement_bound(&self, g: usize) -> f64 {
        // Margin against rounding between per-member and per-pool decay products.
        (self.engagement_bound_of(g) * (1.0 + 1e-9)).min(1.0)
    }

    /// An upper bound of [`World::notice_probability`] over the members of pool `g`.
    #[inline]
    pub fn notice_bound(&self, g: usize) -> f64 {
        let b = self.beh();
        b.notice_base + (1.0 - b.notice_base) * self.engagement_bound(g)
    }

    /// An upper bound of [`World::online_probability`] at `minute` of today over all
    /// buyers (activity is at most 1).
    #[inline]
    pub fn online_bound(&self, minute: u32) -> f64 {
        self.beh().online_probability(1.0, self.weekday(), minute)
    }

    /// Members of pool `g` still in it (for a chat group; the open market's size otherwise).
    #[inline]
    pub fn members_in(&self, g: usize) -> u32 {
        self.members_in[g]
    }

    /// True when member `i` has left its chat group.
    #[inline]
    pub fn has_left(&self, i: u32) -> bool {
        self.flags[i as usize] & LEFT != 0
    }

    /// Leaving over yesterday: each member still in a group leaves with probability
    /// `1 − exp(−leave_rate · ∫(1 − e(t)) dt)` over the day, `e(t)` decaying from the
    /// engagement held at yesterday's start (interactions during a day count for the whole
    /// day). Only the candidates of a thinning walk against `1 − exp(−leave_rate)` are
    /// settled.
    fn leave_step(&mut self) {
        let beh = self.beh();
        let rate = beh.leave_rate;
        if rate <= 0.0 || self.day == 0 {
            return;
        }
        let q_max = -(-rate).exp_m1();
        let mut rng = self.groups_rng.take().expect("reset");
        let yesterday = self.day - 1;
        for g in 0..self.pop.pools.len() {
            let pool = self.pop.pools[g];
            if !pool.group {
                continue;
            }
            let mut walk = Coins::new(pool.start, pool.len, q_max);
            while let Some((i, u)) = walk.next(&mut rng) {
                let k = i as usize;
                if self.flags[k] & LEFT != 0 {
                    continue;
                }
                let days = yesterday.saturating_sub(self.engagement_day[k] as u32);
                let beh = self.beh();
                let e0 = self.engagement[k] as f64 * beh.engagement_decay_over(days);
                if u < 1.0 - beh.stay_probability(e0, 1) {
                    self.flags[k] |= LEFT;
                    self.members_in[g] -= 1;
                }
            }
        }
        self.groups_rng = Some(rng);
    }

    /// Chat-group members who have left, and members still in whose engagement is below the
    /// silence threshold, now.
    pub fn group_attrition(&self) -> (u32, u32) {
        let (mut left, mut silent) = (0, 0);
        let threshold = self.beh().silent_below;
        for pool in self.pop.pools.iter().filter(|p| p.group) {
            for i in pool.start..pool.start + pool.len {
                if self.has_left(i) {
                    left += 1;
                } else if self.engagement_of(i) < threshold {
                    silent += 1;
                }
            }
        }
        (left, silent)
    }

    /// Removes member `i` from its group now ("claim and leave").
    pub fn leave_group(&mut self, i: u32) {
        let u = i as usize;
        if self.flags[u] & LEFT == 0 {
            self.flags[u] |= LEFT;
            self.members_in[self.pop.pool_of[u] as usize] -= 1;
        }
    }

    /// Probability that member `i` is online at `minute` of today.
    #[inline]
    pub fn online_probability(&mut self, i: u32, minute: u32) -> f64 {
        let a = self.pop.trait_of(i, Trait::Activity);
        let wd = self.weekday();
        self.beh().online_probability(a, wd, minute)
    }

    /// Probability that online member `i` notices group activity.
    #[inline]
    pub fn notice_probability(&self, i: u32) -> f64 {
        let b = self.beh();
        b.notice_base + (1.0 - b.notice_base) * self.engagement_of(i)
    }

    /// Behavioural constants.
    pub fn behaviour(&self) -> &BehaviourParams {
        self.beh()
    }

    /// Price per order.
    pub fn price(&self) -> f64 {
        self.product().price
    }

    fn set_intent(&mut self, i: u32, value: f64) {
        let u = i as usize;
        self.intent[u] = value as f32;
        self.intent_day[u] = self.day as u16;
        if self.flags[u] & TOUCHED == 0 && value.abs() >= self.beh().intent_floor {
            self.unlink_nonbuyer(i);
            self.flags[u] |= TOUCHED;
            self.pos[u] = self.touched.len() as u32;
            self.touched.push(i);
        }
    }

    /// Removes non-buyer `i` from its pool segment.
    fn unlink_nonbuyer(&mut self, i: u32) {
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
    fn unlink_nonbuyer_in(&mut self, i: u32, g: u32) {
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
    fn relink_nonbuyer(&mut self, i: u32) {
        let g = self.segment(i, self.pop.pool_of[i as usize]);
        let at = self.seg_start[g] as usize + self.seg_len[g] as usize;
        self.nonbuyers[at] = i;
        self.pos[i as usize] = at as u32;
        self.seg_len[g] += 1;
    }

    fn unlink_touched(&mut self, i: u32) {
        let at = self.pos[i as usize] as usize;
        let last = self.touched.len() - 1;
        let moved = self.touched[last];
        self.touched[at] = moved;
        self.pos[moved as usize] = at as u32;
        self.touched.pop();
        self.flags[i as usize] &= !TOUCHED;
    }

    /// Records buyer `i`'s first order at `time` (days), with `discount` off the price.
    fn first_order(&mut self, i: u32, time: f64, discount: f64) {
        let g = self.pop.pool_of[i as usize];
        self.first_order_in(i, g, time, discount);
    }

    /// [`World::first_order`] of a buyer of pool `g`.
    #[inline]
    fn first_order_in(&mut self, i: u32, g: u32, time: f64, discount: f64) {
        let u = i as usize;
        if self.flags[u] & TOUCHED != 0 {
            self.unlink_touched(i);
        } else {
            self.unlink_nonbuyer_in(i, g);
        }
        if self.interactive {
            self.intent[u] = 0.0;
        } else if !self.pooled {
            // (Pooled repeats never read satisfaction.)
            self.satisfaction[u] = 0.5;
        }
        self.orders[u] = 0;
        self.flags[u] |= BUYER;
        self.pool_buyers[g as usize] += 1;
        self.ledger.first_buyers += 1;
        self.buyers.push(i);
        match self.beh().repurchase_model {
            RepurchaseModel::Bgnbd => {
                let mut rng = agent_rng_in(self.repeat_key, i, 0);
                let gamma = self.repeat_gamma.as_ref().expect("reset");
                let beta = self.repeat_beta.as_ref().expect("reset");
                self.lambda[u] = gamma.sample(&mut rng) as f32;
                self.dropout[u] = beta.sample(&mut rng) as f32;
                self.book_order(i, discount, time, true);
                self.schedule_repeat(i, time, &mut rng);
            }
            RepurchaseModel::Daily if self.pooled => {
                // (No mechanism: `first_day` is never read.)
                self.book_order(i, discount, time, true);
                self.pos[u] = self.alive.len() as u32;
                self.alive.push(i);
            }
            RepurchaseModel::Daily => {
                let mut rng = EventRng::new(self.repeat_key, i, 0);
                if !self.pop.daily_r.is_empty() {
                    self.daily_c[u] = -1.0;
                }
                if self.interactive {
                    // Read by `raise_satisfaction` only.
                    self.first_day[u] = self.day as u16;
                }
                self.book_order(i, discount, time, true);
                let e: f64 = Exp1.sample(&mut rng);
                self.schedule_daily(i, self.day + 1, e);
            }
        }
    }

    /// Books an order at `time` (days): its value, the best coupon (the offer's `discount`
    /// or a wallet coupon still valid), revenue, cost of goods, the buyer's experience.
    ///
    /// The order value and the experience draw from the buyer's own order stream
    /// (`stream::ORDER`, the buyer's order count), so they do not shift any other draw.
    #[inline]
    fn book_order(&mut self, i: u32, discount: f64, time: f64, first: bool) {
        if self.plain {
            self.book_plain_order(i, discount);
        } else {
            self.book_full_order(i, discount, time, first);
        }
    }

    /// [`World::book_order`] when there is nothing to draw or log: every order is worth the
    /// price, no wallet, no order log, no experience risk. The same arithmetic as the full
    /// path (`plain_cogs` is its `unit_cost · price / price`, computed once).
    #[inline]
    fn book_plain_order(&mut self, i: u32, discount: f64) {
        let u = i as usize;
        let orders = self.orders[u].saturating_add(1);
        self.orders[u] = orders;
        if orders == 2 {
            self.ledger.repeat_buyers += 1;
        }
        let value = self.plain_price;
        let discount = discount.clamp(0.0, value);
        self.last_order_wallet = false;
        self.last_order_value = value;
        self.last_order_discount = discount;
        self.ledger.orders += 1;
        self.ledger.revenue += value - discount;
        self.ledger.cogs += self.plain_cogs;
        if discount > 0.0 {
            self.book_cost(discount);
        }
        if !self.pooled {
            let s = &mut self.satisfaction[u];
            *s = s.max(0.5);
        }
    }

    fn book_full_order(&mut self, i: u32, discount: f64, time: f64, first: bool) {
        let u = i as usize;
        let prod = self.product();
        let k = self.orders[u] as u32;
        // Without a basket distribution or experience risks the order stream has nothing
        // to draw: skip seeding it (its draws would not be used).
        let draws = self.order_value.is_some() || prod.bad_unit > 0.0 || prod.damaged > 0.0;
        let mut rng = draws.then(|| agent_rng_in(self.order_key, i, k));
        self.orders[u] = self.orders[u].saturating_add(1);
        if self.orders[u] == 2 {
            self.ledger.repeat_buyers += 1;
        }
        let value = match (&self.order_value, rng.as_mut()) {
            (Some(d), Some(rng)) => d.sample(rng).max(0.01),
            _ => prod.price,
        };
        let mut discount = discount.clamp(0.0, value);
        self.last_order_wallet = false;
        if self.wallet && self.coupon[u] > 0.0 {
            if self.day <= self.coupon_until[u] as u32 && self.coupon[u] as f64 > discount {
                let c = (self.coupon[u] as f64).min(value);
                let src = self.coupon_src[u] as usize;
                self.ledger.coupons_redeemed[src] += 1;
                self.ledger.coupon_value_redeemed[src] += c;
                discount = c;
                self.coupon[u] = 0.0;
                self.last_order_wallet = true;
            } else if self.day > self.coupon_until[u] as u32 {
                self.coupon[u] = 0.0;
            }
        }
        self.last_order_value = value;
        self.last_order_discount = discount;
        self.ledger.orders += 1;
        self.ledger.revenue += value - discount;
        self.ledger.cogs += prod.unit_cost * value / prod.price;
        if discount > 0.0 {
            self.book_cost(discount);
        }
        if self.log_orders {
            self.orders_today.push(Order {
                agent: i,
                value,
                minute: ((time - self.day as f64) * 1440.0).clamp(0.0, 1439.0) as u32,
                first,
            });
        }
        // Experience: a bad unit leaves the buyer dissatisfied, damaged packaging disappointed,
        // a good order at least neutral.
        let s = &mut self.satisfaction[u];
        let (bad, damaged) = match rng.as_mut() {
            Some(rng) => {
                let bad = rng.random::<f64>() < prod.bad_unit;
                (bad, !bad && rng.random::<f64>() < prod.damaged)
            }
            None => (false, false),
        };
        if bad {
            *s = 0.0;
        } else if damaged {
            *s = s.min(0.35);
        } else {
            *s = s.max(0.5);
        }
    }

    fn effective_repurchase(&self, i: u32) -> (f64, f64) {
        let u = i as usize;
        self.beh().repurchase_after_satisfaction(
            self.lambda[u] as f64,
            self.dropout[u] as f64,
            self.satisfaction[u] as f64,
        )
    }

    /// Daily model: buyer `i`'s repeat probability and dropout after satisfaction.
    #[inline]
    fn effective_daily(&self, i: u32) -> (f64, f64) {
        let u = i as usize;
        let b = self.beh();
        let r = if let Some(&r) = self.pop.daily_r.get(u) {
            r
        } else {
            b.daily_r
        };
        let (r, d) =
            b.repurchase_after_satisfaction(r, b.daily_dropout, self.satisfaction[u] as f64);
        (r.min(1.0), d)
    }

    /// Daily model: files buyer `i`'s next repeat order on day `from + G`,
    /// `G = ⌊e / −ln(1 − r')⌋ ~ Geometric(r')` (failures before the first success) for
    /// `e ~ Exp(1)`. Callers draw `e` last from the buyer's event stream, so whether it is
    /// used moves no other draw.
    #[inline]
    fn schedule_daily(&mut self, i: u32, from: u32, e: f64) {
        let u = i as usize;
        let b = self.beh();
        let room = self.horizon.saturating_sub(from);
        let c = if self.satisfaction[u] == 0.5 || b.sat_rate == 0.0 {
            if let Some(&r) = self.pop.daily_r.get(u) {
                let c = self.daily_c[u];
                if c >= 0.0 {
                    c
                } else if r <= 0.0 {
                    0.0
                } else if let Some(c) = geometric_rate_within(e, r, room as f64) {
                    self.daily_c[u] = c;
                    c
                } else {
                    // Past the horizon, found without a logarithm (most buyers' first
                    // repeat is).
                    self.next_repeat[u] = f32::INFINITY;
                    return;
                }
            } else {
                self.daily_c0
            }
        } else {
            -(-self.effective_daily(i).0).ln_1p()
        };
        if c <= 0.0 {
            self.next_repeat[u] = f32::INFINITY;
            return;
        }
        self.file_daily(i, from, room, e / c);
    }

    /// Files buyer `i`'s next repeat order `⌊w⌋` days after day `from`, or none when that
    /// falls past the horizon (`room` days left from `from`).
    #[inline]
    fn file_daily(&mut self, i: u32, from: u32, room: u32, w: f64) {
        let u = i as usize;
        // Day `from + ⌊w⌋`, inside the horizon iff `w < room` (`room` an integer). The cast
        // truncates, which is the floor as `w >= 0` (`f64::floor` is a libm call on baseline
        // x86-64); 32-bit conversions are single instructions.
        if w < room as f64 {
            let t = from + w as u32;
            self.next_repeat[u] = t as f32;
            self.repeat_cal[t as usize].push(i);
        } else {
            self.next_repeat[u] = f32::INFINITY;
        }
    }

    fn schedule_repeat(&mut self, i: u32, from: f64, rng: &mut SimRng) {
        let (lambda, _) = self.effective_repurchase(i);
        let u = i as usize;
        if lambda <= 0.0 {
            self.next_repeat[u] = f32::INFINITY;
            return;
        }
        let e: f64 = Exp1.sample(rng);
        let t = (from + e / lambda) as f32;
        self.next_repeat[u] = t;
        if (t as f64) < self.horizon as f64 {
            self.repeat_cal[t as usize].push(i);
        }
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
        if let Some(a) = &mut self.aggregate {
            a.alive_one += a.fresh;
            a.fresh = 0;
        }
    }

    /// Organic first purchases of the day (discrete Bass with social proof and intent).
    pub fn organic_step(&mut self) {
        if self.aggregate.is_some() {
            self.aggregate_organic_step();
            return;
        }
        self.accepted.clear();
        if self.innovation_clock {
            self.innovation_step();
        }
        let mut rng = self.organic_rng.take().expect("reset");
        let beh = self.beh.take().expect("reset");
        let delta_sp = self.delta_sp();
        let w_sp = beh.w_social_proof;

        // Buyers with intent, one by one.
        let mut k = 0;
        while k < self.touched.len() {
            let i = self.touched[k];
            let u = i as usize;
            let intent =
                beh.intent_after(self.intent[u] as f64, self.day - self.intent_day[u] as u32);
            if intent.abs() < beh.intent_floor {
                self.intent[u] = 0.0;
                self.unlink_touched(i);
                self.relink_nonbuyer(i);
                continue;
            }
            k += 1;
            let g = self.pop.pool_of[u] as usize;
            let f = self.pool_buyers_start[g] as f64 / self.pop.pools[g].len as f64;
            let p_i = self.pop.organic_p(i).unwrap_or(beh.bass_p);
            let shift = intent
                + if delta_sp != 0.0 {
                    w_sp * self.pop.trait_of(i, Trait::Susceptibility) * delta_sp
                } else {
                    0.0
                };
            if rng.random::<f64>() < beh.organic_hazard(p_i, f, shift) {
                self.accepted.push((i, g as u32));
            }
        }

        // Everyone else, pool by pool, by thinning.
        let homogeneous = self.pop.organic_p.is_empty();
        let shift_max = (w_sp * delta_sp).max(0.0); // susceptibility <= 1
        let linear = delta_sp == 0.0;
        let k = self.seg_k;
        for g in 0..self.pop.pools.len() {
            let f = self.pool_buyers_start[g] as f64 / self.pop.pools[g].len as f64;
            if homogeneous {
                let h = beh.organic_hazard(self.pop.pool_p_max[g], f, shift_max);
                if linear {
                    // Every non-buyer has hazard `h`: each candidate of the walk buys (when
                    // `h` is large, each agent is a candidate with a coin of its own).
                    self.walk_pool(g, &[h], &mut rng, |_, _, bound, rng| {
                        bound < 1.0 || rng.random::<f64>() < h
                    });
                } else {
                    self.walk_pool(g, &[h], &mut rng, |w, i, bound, rng| {
                        rng.random::<f64>() * bound < w.hazard(&beh, i, f, delta_sp)
                    });
                }
                continue;
            }
            if self.innovation_clock {
                // Imitation: a non-buyer whose innovation coin did not fall today (that is,
                // `U >= p_i`) buys with `q_f / (1 − p_i)`, `q_f = min(1, qF)`, capped at 1,
                // so that it buys with `p_i + (1 − p_i) · min(1, q_f / (1 − p_i))`, which
                // is `organic_hazard(p_i, f, 0)`. Walked against the pool's largest such
                // probability; a candidate's number below `q_f` accepts without reading its
                // rate (the bound is at most `q_f / (1 − p_max)`, a few percent above).
                debug_assert!(linear, "no mechanism, no social-proof shift");
                let qf = (beh.bass_q * f).min(1.0);
                if qf <= 0.0 {
                    continue;
                }
                let bound = round_up_4_bits((qf / (1.0 - self.pop.pool_p_max[g])).min(1.0));
                self.walk_pool(g, &[bound], &mut rng, |w, i, b, rng| {
                    let u = rng.random::<f64>() * b;
                    u < qf || u < (qf / (1.0 - w.pop.organic_p[i as usize])).min(1.0)
                });
                continue;
            }
            let mut bounds = [0.0f64; ORGANIC_CLASSES];
            for (c, b) in bounds.iter_mut().enumerate() {
                let h = beh.organic_hazard(self.pop.class_p_max[g * k + c], f, shift_max);
                // Rounded up to 4 significant bits, so that `−ln(1 − h)` comes from the memo.
                *b = round_up_4_bits(h);
            }
            self.walk_pool(g, &bounds, &mut rng, |w, i, bound, rng| {
                rng.random::<f64>() * bound < w.hazard(&beh, i, f, delta_sp)
            });
        }
        self.beh = Some(beh);
        self.organic_rng = Some(rng);
        self.book_accepted();
    }

    /// Heterogeneous organic rates without mechanisms ([`World::draw_innovation_days`]):
    /// the buyers whose innovation day is today and who have not bought yet buy, before
    /// the imitation walks (which then no longer see them).
    fn innovation_step(&mut self) {
        let day = self.day as usize;
        for &i in &self.innovation_cal[day] {
            if self.flags[i as usize] & BUYER == 0 {
                self.accepted.push((i, self.pop.pool_of[i as usize]));
            }
        }
        self.book_accepted();
    }

    /// Books the first orders of the organic step's `accepted` buyers and clears the list.
    fn book_accepted(&mut self) {
        let time = self.day as f64 + 0.5;
        if self.plain && !self.interactive {
            let mut accepted = std::mem::take(&mut self.accepted);
            if self.pooled {
                for &(i, g) in &accepted {
                    self.lean_first_order_common(i, g);
                    self.pos[i as usize] = self.alive.len() as u32;
                    self.alive.push(i);
                }
            } else if self.beh().repurchase_model == RepurchaseModel::Daily {
                self.lean_first_orders_daily(&accepted);
            } else {
                for &(i, g) in &accepted {
                    self.lean_first_order_common(i, g);
                    self.lean_first_order_bgnbd(i, time);
                }
            }
            accepted.clear();
            self.accepted = accepted;
            return;
        }
        for k in 0..self.accepted.len() {
            let (i, g) = self.accepted[k];
            self.first_order_in(i, g, time, 0.0);
        }
        self.accepted.clear();
    }

    /// [`World::first_order_in`] of an organic first order (no discount) when no mechanism
    /// runs (no intent, no wallet, no order log) and orders are plain (nothing to draw): the
    /// same state changes, draws and arithmetic in the same order, without the general
    /// path's branches and calls. Then pooled repeats file the buyer in `alive`, or
    /// `lean_first_orders_daily` or `lean_first_order_bgnbd` draw its repurchase state.
    #[inline]
    fn lean_first_order_common(&mut self, i: u32, g: u32) {
        let u = i as usize;
        self.unlink_nonbuyer_in(i, g);
        self.flags[u] |= BUYER;
        self.orders[u] = 1;
        self.pool_buyers[g as usize] += 1;
        self.ledger.first_buyers += 1;
        self.buyers.push(i);
        // `book_plain_order` of a first order without discount (its satisfaction update
        // leaves the initial 0.5 as it is).
        self.book_plain_orders(1);
    }

    /// Lean first orders (see `lean_first_order_common`) under the daily repeat model when
    /// repeats are not pooled: as in [`World::first_order_in`].
    fn lean_first_orders_daily(&mut self, accepted: &[(u32, u32)]) {
        let hetero = !self.pop.daily_r.is_empty();
        let from = self.day + 1;
        for &(i, g) in accepted {
            self.lean_first_order_common(i, g);
            let u = i as usize;
            self.satisfaction[u] = 0.5;
            if hetero {
                self.daily_c[u] = -1.0;
            }
            let e: f64 = Exp1.sample(&mut EventRng::new(self.repeat_key, i, 0));
            self.schedule_daily(i, from, e);
        }
    }

    /// The repurchase state of a lean first order (see `lean_first_order_common`) under
    /// BG/NBD: as in [`World::first_order_in`].
    #[inline]
    fn lean_first_order_bgnbd(&mut self, i: u32, time: f64) {
        let u = i as usize;
        self.satisfaction[u] = 0.5;
        let mut rng = agent_rng_in(self.repeat_key, i, 0);
        let gamma = self.repeat_gamma.as_ref().expect("reset");
        let beta = self.repeat_beta.as_ref().expect("reset");
        self.lambda[u] = gamma.sample(&mut rng) as f32;
        self.dropout[u] = beta.sample(&mut rng) as f32;
        self.schedule_repeat(i, time, &mut rng);
    }

    /// Walks the non-buyers of pool `g` by thinning: its segments (one, or one per rate
    /// class) as one sequence of positions, segment `c` with candidate probability
    /// `bounds[c]` per agent, and pushes to `accepted` each candidate `i` for which
    /// `accept(world, i, bound, rng)` holds (it decides with probability `h_i / bound`, so
    /// that `i` buys with probability `h_i`).
    ///
    /// Candidates are geometric jumps `⌊E / c⌋`, `c = −ln(1 − bound)`, drawn from the
    /// pool's exponential budget `E`. A budget not spent on a segment (`E >= len · c`)
    /// carries over as `E − len · c`, which is again `Exp(1)` and independent of everything
    /// drawn so far (memorylessness): to the next class, and to the pool's next day,
    /// whatever its bounds. A pool-day without a candidate therefore costs a multiplication
    /// and a comparison, no draw; each candidate costs one `Exp(1)` draw. A segment whose
    /// bound exceeds `JUMP_LIMIT` is walked agent by agent (`accept` with bound 1, one coin
    /// each), leaving the budget untouched.
    #[inline(always)]
    fn walk_pool<A>(&mut self, g: usize, bounds: &[f64], rng: &mut SimRng, mut accept: A)
    where
        A: FnMut(&mut World, u32, f64, &mut SimRng) -> bool,
    {
        let mut e = self.budget(g, rng);
        let k = self.seg_k;
        debug_assert_eq!(bounds.len(), k, "one bound per segment of the pool");
        for (c, &bound) in bounds.iter().enumerate() {
            let s = g * k + c;
            let len = self.seg_len[s] as usize;
            if len == 0 || bound <= 0.0 {
                continue;
            }
            let start = self.seg_start[s] as usize;
            if bound > JUMP_LIMIT {
                for j in start..start + len {
                    let i = self.nonbuyers[j];
                    if accept(self, i, 1.0, rng) {
                        self.accepted.push((i, g as u32));
                    }
                }
                continue;
            }
            let (rate, inv_rate) = self.jump_rate.get(bound);
            let mut j = 0usize;
            while let Some(at) = next_jump(&mut e, &mut j, len, rate, inv_rate) {
                let i = self.nonbuyers[start + at];
                if accept(self, i, bound, rng) {
                    self.accepted.push((i, g as u32));
                }
                e = Exp1.sample(rng);
            }
        }
        self.walk_budget[g] = e;
    }

    /// The pool's exponential budget, drawn at its first use in the trial.
    #[inline]
    fn budget(&self, g: usize, rng: &mut SimRng) -> f64 {
        let e = self.walk_budget[g];
        if e < 0.0 { Exp1.sample(rng) } else { e }
    }

    /// Exchangeable agents ([`Aggregate`]): how many of pool `g`'s non-buyers buy today at
    /// hazard `h`. The candidates of the thinning walk when `h` is small (one `Exp(1)` draw
    /// per purchase, the budget carried over as in `walk_pool`), a binomial draw otherwise:
    /// `Binomial(len, h)` either way.
    fn count_purchases(&mut self, g: usize, h: f64, rng: &mut SimRng) -> u32 {
        let len = self.seg_len[g] as usize;
        if len == 0 || h <= 0.0 {
            return 0;
        }
        if h > JUMP_LIMIT {
            return Binomial::new(len as u64, h.min(1.0))
                .expect("probability in (0, 1]")
                .sample(rng) as u32;
        }
        let (rate, inv_rate) = self.jump_rate.get(h);
        let mut e = self.budget(g, rng);
        let (mut j, mut k) = (0usize, 0u32);
        while next_jump(&mut e, &mut j, len, rate, inv_rate).is_some() {
            k += 1;
            e = Exp1.sample(rng);
        }
        self.walk_budget[g] = e;
        k
    }

    /// The organic step of exchangeable agents ([`Aggregate`]): each pool-day's first
    /// purchases are counted and booked as plain orders.
    fn aggregate_organic_step(&mut self) {
        let mut rng = self.organic_rng.take().expect("reset");
        let beh = self.beh.take().expect("reset");
        let mut bought = 0u64;
        for g in 0..self.pop.pools.len() {
            let f = self.pool_buyers_start[g] as f64 / self.pop.pools[g].len as f64;
            let h = beh.organic_hazard(self.pop.pool_p_max[g], f, 0.0);
            let k = self.count_purchases(g, h, &mut rng);
            self.seg_len[g] -= k;
            self.pool_buyers[g] += k;
            bought += k as u64;
        }
        self.beh = Some(beh);
        self.organic_rng = Some(rng);
        self.book_plain_orders(bought);
        self.ledger.first_buyers += bought as u32;
        if let Some(a) = &mut self.aggregate {
            a.fresh += bought;
        }
    }

    /// Books `k` plain orders without discount: `book_plain_order`'s arithmetic, order by
    /// order.
    fn book_plain_orders(&mut self, k: u64) {
        if k == 0 {
            return;
        }
        let value = self.plain_price;
        for _ in 0..k {
            self.ledger.orders += 1;
            self.ledger.revenue += value - 0.0;
            self.ledger.cogs += self.plain_cogs;
        }
        self.last_order_wallet = false;
        self.last_order_value = value;
        self.last_order_discount = 0.0;
    }

    /// The repeat step of exchangeable agents ([`Aggregate`]): `K ~ Binomial(B, r)` orders
    /// from the `B` buyers alive at the start of the day, `Hypergeometric(B, B₁, K)` of them
    /// (drawn pick by pick) by buyers with one order so far (who become repeat buyers),
    /// then `Binomial(K, d)` of the `K` drop out: the counts `pooled_repeat_step` produces
    /// by placing the orders.
    fn aggregate_repeat_step(&mut self) {
        let Some(mut a) = self.aggregate else {
            return;
        };
        let b = a.alive_one + a.alive_more;
        let (r, dropout) = self.effective_pooled();
        if b == 0 || r <= 0.0 {
            return;
        }
        let mut rng = self.repeat_rng.take().expect("reset");
        let k = repeat_count(b, r, &mut rng);
        let ones = if k == 0 || a.alive_one == 0 {
            0
        } else if a.alive_more == 0 {
            k
        } else {
            // Hypergeometric(B, B₁, K) by picks without replacement, one uniform each: of the
            // K buyers who order when K <= B/2, else of the B − K who do not (the ones among
            // the K are then B₁ minus theirs). Exact, and at most B/2 picks.
            let picks = k.min(b - k);
            let (mut left, mut hit) = (b, 0u64);
            for _ in 0..picks {
                if rng.random_range(0..left) < a.alive_one - hit {
                    hit += 1;
                }
                left -= 1;
            }
            if picks == k { hit } else { a.alive_one - hit }
        };
        self.book_plain_orders(k);
        self.ledger.repeat_buyers += ones as u32;
        a.alive_one -= ones;
        a.alive_more += ones;
        if dropout > 0.0 && k > 0 {
            let d = Binomial::new(k, dropout)
                .expect("validated probability")
                .sample(&mut rng);
            a.alive_more -= d;
        }
        self.aggregate = Some(a);
        self.repeat_rng = Some(rng);
    }

    #[inline]
    fn hazard(&mut self, beh: &BehaviourParams, i: u32, f: f64, delta_sp: f64) -> f64 {
        let p_i = self.pop.organic_p(i).unwrap_or(beh.bass_p);
        let shift = if delta_sp != 0.0 {
            beh.w_social_proof * self.pop.trait_of(i, Trait::Susceptibility) * delta_sp
        } else {
            0.0
        };
        beh.organic_hazard(p_i, f, shift)
    }

    /// Repeat orders falling on the current day (BG/NBD or the daily model).
    pub fn repeat_step(&mut self) {
        if self.aggregate.is_some() {
            self.aggregate_repeat_step();
            return;
        }
        if self.pooled {
            self.pooled_repeat_step();
            return;
        }
        let d = self.day as usize;
        let daily = self.beh().repurchase_model == RepurchaseModel::Daily;
        if d >= self.repeat_cal.len() {
            return;
        }
        loop {
            std::mem::swap(&mut self.scratch, &mut self.repeat_cal[d]);
            if self.scratch.is_empty() {
                break;
            }
            let mut list = std::mem::take(&mut self.scratch);
            for &i in &list {
                let u = i as usize;
                let t = self.next_repeat[u];
                if self.flags[u] & DROPPED != 0 || t as usize != d {
                    continue; // dropped out, or re-scheduled since
                }
                let k = self.orders[u] as u32;
                if daily {
                    let mut rng = EventRng::new(self.repeat_key, i, k);
                    self.book_order(i, 0.0, d as f64 + 0.5, false);
                    let (_, p) = self.effective_daily(i);
                    if p > 0.0 && rng.random::<f64>() < p {
                        self.flags[u] |= DROPPED;
                        self.next_repeat[u] = f32::INFINITY;
                    } else {
                        let e: f64 = Exp1.sample(&mut rng);
                        self.schedule_daily(i, d as u32 + 1, e);
                    }
                    continue;
                }
                let mut rng = agent_rng_in(self.repeat_key, i, k);
                self.book_order(i, 0.0, t as f64, false);
                let (_, p) = self.effective_repurchase(i);
                if rng.random::<f64>() < p {
                    self.flags[u] |= DROPPED;
                    self.next_repeat[u] = f32::INFINITY;
                } else {
                    self.schedule_repeat(i, t as f64, &mut rng);
                }
            }
            list.clear();
            self.scratch = list;
        }
    }

    /// Daily model, exchangeable buyers (one repeat probability `r`, no mechanism, and
    /// satisfaction that cannot move it): each buyer alive at the start of the day orders
    /// with probability `r` independently, so the day's repeat orders are
    /// `K ~ Binomial(B, r)` over the `B` such buyers, placed by `K` distinct buyers drawn
    /// uniformly (a partial Fisher–Yates shuffle of the alive list): the same joint law as
    /// `B` coins, for a binomial draw and `K` picks instead of `B` coins or a waiting-time
    /// draw per order. Each then drops out with probability `d`.
    fn pooled_repeat_step(&mut self) {
        let b = self.alive_start;
        let (r, dropout) = self.effective_pooled();
        if b == 0 || r <= 0.0 {
            return;
        }
        let mut rng = self.repeat_rng.take().expect("reset");
        let k = repeat_count(b as u64, r, &mut rng) as usize;
        let mut picked = std::mem::take(&mut self.scratch);
        picked.clear();
        for j in 0..k {
            let m = rng.random_range(j..b);
            self.alive.swap(j, m);
            let (x, y) = (self.alive[j], self.alive[m]);
            self.pos[x as usize] = j as u32;
            self.pos[y as usize] = m as u32;
            picked.push(x);
        }
        let time = self.day as f64 + 0.5;
        for &i in &picked {
            self.book_order(i, 0.0, time, false);
            if dropout > 0.0 && rng.random::<f64>() < dropout {
                self.flags[i as usize] |= DROPPED;
                self.remove_alive(i);
            }
        }
        picked.clear();
        self.scratch = picked;
        self.repeat_rng = Some(rng);
    }

    /// Pooled repeats: the repeat probability and dropout every alive buyer shares
    /// (satisfaction is neutral, or has no effect).
    fn effective_pooled(&self) -> (f64, f64) {
        let b = self.beh();
        (b.daily_r.min(1.0), b.daily_dropout)
    }

    fn remove_alive(&mut self, i: u32) {
        let at = self.pos[i as usize] as usize;
        let moved = self.alive.pop().expect("buyer in the alive list");
        if moved != i {
            self.alive[at] = moved;
            self.pos[moved as usize] = at as u32;
        }
    }

    /// Ends the day: records the cumulative series.
    pub fn end_day(&mut self) {
        self.daily_first.push(self.ledger.first_buyers);
        self.daily_orders.push(self.ledger.orders);
    }

    /// Expected gross margin per first buyer over the horizon plus `clv_days` beyond it
    /// (buyers still active at the horizon continue at their current rates).
    pub fn lifetime_value(&self) -> f64 {
        if self.ledger.first_buyers == 0 {
            return f64::NAN;
        }
        let prod = self.product();
        let margin = prod.price - prod.unit_cost;
        let mut future = 0.0;
        if self.clv_days > 0.0 && self.pooled {
            // Every alive buyer has the same repeat probability and dropout.
            let (r, d) = self.effective_pooled();
            let alive = match self.aggregate {
                Some(a) => (a.alive_one + a.alive_more + a.fresh) as usize,
                None => self.alive.len(),
            };
            future = alive as f64 * expected_future_daily_orders(r, d, self.clv_days);
        } else if self.clv_days > 0.0 && self.beh().repurchase_model == RepurchaseModel::Daily {
            // In agent order: the per-agent arrays are read front to back.
            for u in 0..self.flags.len() {
                if self.flags[u] & (BUYER | DROPPED) == BUYER {
                    let (r, d) = self.effective_daily(u as u32);
                    future += expected_future_daily_orders(r, d, self.clv_days);
                }
            }
        } else if self.clv_days > 0.0 {
            for &i in &self.buyers {
                if self.flags[i as usize] & DROPPED == 0 {
                    let (lambda, p) = self.effective_repurchase(i);
                    future += expected_future_orders(lambda, p, self.clv_days);
                }
            }
        }
        let in_horizon = self.ledger.revenue - self.ledger.cogs;
        (in_horizon + future * margin) / self.ledger.first_buyers as f64
    }

    /// Buyers, in the order of their first order.
    pub fn buyers(&self) -> &[u32] {
        &self.buyers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Plan;
    use crate::rng::trial_key;
    use crate::scenario::load_str;

    /// The daily leaving step gives each member the closed-form probability of leaving
    /// over the horizon, and keeps the per-group counts.
    #[test]
    fn leaving_step_matches_the_closed_form() {
        let s = load_str(
            "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 0\n\
             [population.groups]\ncount = 20\nsize = { dist = \"uniform\", min = 400, max = 400 }\n\
             [mechanisms.votes]\n",
            "t",
            &[],
        )
        .unwrap();
        let plan = Plan::new(&s).unwrap();
        let mut w = World::default();
        w.reset(&plan.world, trial_key(3, 1));
        let days = 60;
        for day in 0..days {
            w.begin_day(day);
        }
        let n = w.pop.len() as f64;
        let left = (0..w.pop.len() as u32).filter(|&i| w.has_left(i)).count() as f64;
        let b = w.behaviour();
        let expect = 1.0 - b.stay_probability(b.initial_engagement, days - 1);
        let se = (expect * (1.0 - expect) / n).sqrt();
        assert!(
            (left / n - expect).abs() < 4.0 * se,
            "{} vs {expect}",
            left / n
        );
        let inside: u32 = (0..20).map(|g| w.members_in(g)).sum();
        assert_eq!(inside as f64, n - left);
    }
}
