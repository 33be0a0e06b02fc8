//! Booking orders: one path for every first order, one for every order's money.
//!
//! A first order ([`World::first_order_in`]) unlinks the buyer from the non-buyers, marks
//! it, draws its repurchase state from its own repeat stream (`stream::REPEAT`, event 0)
//! and books the order ([`World::book_order`]). The organic step books its day's buyers in
//! one batch ([`World::book_accepted`]); without mechanisms and with plain orders it
//! passes [`FirstOrders::Lean`], which skips the branches only mechanisms need (intent,
//! buyers with intent), and the repeat path as constants, so the compiler drops the
//! other paths' code from the batch loop. The draws and the arithmetic are the general
//! path's by construction: it is the same function.
//!
//! An order's value and experience draw from the buyer's own order stream
//! (`stream::ORDER`, keyed by its order count), so they do not shift any other draw. A
//! drawn basket value is kept within a cent and [`MAX_MONEY`], so sums over orders stay
//! finite whatever the distribution's tail. When
//! nothing is drawn or logged ([`Booking::Plain`]), every order is worth the price and
//! [`World::book_plain_money`] does the arithmetic the full booking does for such an order.

use super::plan::{Booking, FirstOrders, RepeatPath};
use super::state::{BUYER, Order, TOUCHED, World};
use crate::limits::MAX_MONEY;
use crate::rng::{EventRng, agent_rng_in};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

impl World {
    /// Records buyer `i`'s first order at `time` (days), with `discount` off the price.
    pub(super) fn first_order(&mut self, i: u32, time: f64, discount: f64) {
        let g = self.pop.pool_of[i as usize];
        let (how, repeat) = (FirstOrders::General, self.paths.repeat);
        self.first_order_in(i, g, time, discount, how, repeat);
    }

    /// The first order of buyer `i` of pool `g` at `time` with `discount`, booked `how`
    /// under `repeat` (the world's repeat path, passed as a constant by batch callers so
    /// that inlining drops the other paths).
    #[inline(always)]
    pub(super) fn first_order_in(
        &mut self,
        i: u32,
        g: u32,
        time: f64,
        discount: f64,
        how: FirstOrders,
        repeat: RepeatPath,
    ) {
        let u = i as usize;
        let general = how == FirstOrders::General;
        if general && self.flags[u] & TOUCHED != 0 {
            self.unlink_touched(i);
        } else {
            self.unlink_nonbuyer_in(i, g);
        }
        if general && self.interactive {
            self.intent[u] = 0.0;
        } else if !repeat.pooled() {
            // (Pooled repeats never read satisfaction.)
            self.satisfaction[u] = 0.5;
        }
        self.orders[u] = 0;
        self.first_day[u] = self.day as u16;
        self.flags[u] |= BUYER;
        self.pool_buyers[g as usize] += 1;
        self.ledger.first_buyers += 1;
        self.buyers.push(i);
        match repeat {
            RepeatPath::Bgnbd => {
                let mut rng = agent_rng_in(self.repeat_key, i, 0);
                let gamma = self.repeat_gamma.as_ref().expect("reset");
                let beta = self.repeat_beta.as_ref().expect("reset");
                self.lambda[u] = gamma.sample(&mut rng) as f32;
                self.dropout[u] = match self.repeat_mu.as_ref() {
                    // Pareto/NBD: the end of the lifetime, `time + Exp(μ)`.
                    Some(mu) => {
                        let m = mu.sample(&mut rng);
                        let e: f64 = Exp1.sample(&mut rng);
                        (time + e / m) as f32
                    }
                    None => beta.sample(&mut rng) as f32,
                };
                self.book_order_as(i, discount, time, true, how, repeat);
                self.schedule_repeat(i, time, &mut rng);
            }
            RepeatPath::Pooled | RepeatPath::Aggregate => {
                self.book_order_as(i, discount, time, true, how, repeat);
                self.pos[u] = self.alive.len() as u32;
                self.alive.push(i);
            }
            RepeatPath::Daily => {
                let mut rng = EventRng::new(self.repeat_key, i, 0);
                if !self.pop.daily_r.is_empty() {
                    self.daily_c[u] = -1.0;
                }
                self.book_order_as(i, discount, time, true, how, repeat);
                let e: f64 = Exp1.sample(&mut rng);
                self.schedule_daily(i, self.day + 1, e);
            }
        }
    }

    /// Books the first orders of the organic step's `accepted` buyers (no discount, at
    /// midday) and clears the list.
    pub(super) fn book_accepted(&mut self) {
        let time = self.day as f64 + 0.5;
        let accepted = std::mem::take(&mut self.accepted);
        let lean = FirstOrders::Lean;
        // One loop per path, each with constant arguments (see the module docs).
        match (self.paths.first_orders, self.paths.repeat) {
            (FirstOrders::Lean, RepeatPath::Pooled) => {
                for &(i, g) in &accepted {
                    self.first_order_in(i, g, time, 0.0, lean, RepeatPath::Pooled);
                }
            }
            (FirstOrders::Lean, RepeatPath::Daily) => {
                for &(i, g) in &accepted {
                    self.first_order_in(i, g, time, 0.0, lean, RepeatPath::Daily);
                }
            }
            (FirstOrders::Lean, RepeatPath::Bgnbd) => {
                for &(i, g) in &accepted {
                    self.first_order_in(i, g, time, 0.0, lean, RepeatPath::Bgnbd);
                }
            }
            (how, repeat) => {
                for &(i, g) in &accepted {
                    self.first_order_in(i, g, time, 0.0, how, repeat);
                }
            }
        }
        self.accepted = accepted;
        self.accepted.clear();
    }

    /// Books an order at `time` (days): its value, the best coupon (the offer's `discount`
    /// or a wallet coupon still valid), revenue, cost of goods, the buyer's experience.
    #[inline]
    pub(super) fn book_order(&mut self, i: u32, discount: f64, time: f64, first: bool) {
        let (how, repeat) = (FirstOrders::General, self.paths.repeat);
        self.book_order_as(i, discount, time, first, how, repeat);
    }

    /// [`World::book_order`] for a first order booked `how` under `repeat`: lean first
    /// orders are plain bookings (see [`super::plan::Paths::unsupported`]).
    #[inline(always)]
    fn book_order_as(
        &mut self,
        i: u32,
        discount: f64,
        time: f64,
        first: bool,
        how: FirstOrders,
        repeat: RepeatPath,
    ) {
        if how == FirstOrders::Lean || self.paths.booking == Booking::Plain {
            self.book_plain_order(i, discount, repeat);
        } else {
            self.book_full_order(i, discount, time, first);
        }
    }

    /// [`World::book_order`] when there is nothing to draw or log: every order is worth the
    /// price, no wallet, no order log, no experience risk.
    #[inline(always)]
    fn book_plain_order(&mut self, i: u32, discount: f64, repeat: RepeatPath) {
        let u = i as usize;
        let orders = self.orders[u].saturating_add(1);
        self.orders[u] = orders;
        self.count_depth(u, orders);
        self.book_plain_money(discount);
        if !repeat.pooled() {
            let s = &mut self.satisfaction[u];
            *s = s.max(0.5);
        }
    }

    /// Counts a buyer's `orders`-th order in the repeat depth: a second order makes a
    /// repeat buyer (and the days since the first order count), a third a 3+ buyer.
    #[inline(always)]
    fn count_depth(&mut self, u: usize, orders: u16) {
        if orders == 2 {
            self.ledger.repeat_buyers += 1;
            self.ledger.days_to_second += (self.day - self.first_day[u] as u32) as f64;
        } else if orders == 3 {
            self.ledger.buyers_3plus += 1;
        }
    }

    /// The money of a plain order with `discount`: the full booking's arithmetic for an
    /// order worth the price (`plain_cogs` is its `unit_cost · price / price`, computed
    /// once).
    #[inline(always)]
    fn book_plain_money(&mut self, discount: f64) {
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
    }

    /// Books `k` plain orders without discount, order by order (the aggregate paths, which
    /// keep no buyers).
    pub(super) fn book_plain_orders(&mut self, k: u64) {
        for _ in 0..k {
            self.book_plain_money(0.0);
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
        self.count_depth(u, self.orders[u]);
        let value = match (&self.order_value, rng.as_mut()) {
            // A basket is worth a cent to `MAX_MONEY`: a heavy-tailed distribution whose
            // mean is allowed can still draw values far above it, whose sums overflow
            // (`max` first: a NaN draw becomes a cent).
            (Some(d), Some(rng)) => d.sample(rng).max(0.01).clamp(0.01, MAX_MONEY),
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
}

#[cfg(test)]
mod tests {
    use crate::behaviour::Exposure;
    use crate::limits::MAX_MONEY;
    use crate::rng::{stream_rng, trial_key};

    #[test]
    fn basket_values_are_capped_at_max_money() {
        // Pareto with minimum 10^11 and tail index 1.2: its mean (6·10^11) is allowed, and
        // one basket in sixteen is drawn above 10^12.
        let s = crate::scenario::load_str(
            "[product]\nprice = 10.0\nunit_cost = 4.0\n\
             order_value = { dist = \"pareto\", scale = 1e11, shape = 1.2 }\n\
             [population]\nbuyers = 0\n[population.groups]\ncount = 1\n\
             size = { dist = \"fixed\", value = 400 }\n[mechanisms.votes]\n",
            "t",
            &[],
        )
        .expect("scenario");
        let plan = crate::engine::Plan::new(&s).expect("plan");
        let mut w = crate::engine::World::default();
        w.reset(&plan.world, trial_key(1, 2));
        w.begin_day(0);
        let sure = Exposure {
            base: 40.0,
            attention: 1.0,
            strength: 0.0,
            incentive: 0.0,
        };
        let mut rng = stream_rng(3, 3);
        let mut capped = 0;
        for i in 0..400 {
            if w.offer(i, 600, &sure, &mut rng) {
                assert!(w.last_order_value <= MAX_MONEY, "{}", w.last_order_value);
                capped += usize::from(w.last_order_value == MAX_MONEY);
            }
        }
        assert!(capped > 5, "{capped} baskets at the cap");
        assert!(w.ledger.revenue <= w.ledger.orders as f64 * MAX_MONEY);
    }
}
