//! The daily repeat model, per buyer ([`super::super::plan::RepeatPath::Daily`]): each day
//! after its first order a buyer orders again with probability `r'` and, after an order,
//! drops out with `d'` (`r_i` and the dropout after satisfaction,
//! [`crate::behaviour::BehaviourParams::repurchase_after_satisfaction`]). The next repeat
//! day is drawn once per order, `t + 1 + ⌊E / −ln(1 − r')⌋` (geometric), and filed in the
//! calendar; most heterogeneous buyers' first repeat falls past the horizon and is found
//! without a logarithm ([`crate::thinning::geometric_rate_within`]).

use super::super::state::{DROPPED, World};
use crate::rng::EventRng;
use crate::thinning::geometric_rate_within;
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

impl World {
    /// Buyer `i`'s repeat probability and dropout after satisfaction.
    #[inline]
    pub(in crate::world) fn effective_daily(&self, i: u32) -> (f64, f64) {
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

    /// Files buyer `i`'s next repeat order on day `from + G`,
    /// `G = ⌊e / −ln(1 − r')⌋ ~ Geometric(r')` (failures before the first success) for
    /// `e ~ Exp(1)`. Callers draw `e` last from the buyer's event stream, so whether it is
    /// used moves no other draw.
    #[inline]
    pub(in crate::world) fn schedule_daily(&mut self, i: u32, from: u32, e: f64) {
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

    /// The day's orders: each due buyer orders at midday, then drops out or files its
    /// next repeat day, from its `k`-th event stream (`k` its orders so far).
    pub(super) fn daily_repeat_step(&mut self) {
        let d = self.day;
        self.settle_due(|w, i, _| {
            let u = i as usize;
            let k = w.orders[u] as u32;
            let mut rng = EventRng::new(w.repeat_key, i, k);
            w.book_order(i, 0.0, d as f64 + 0.5, false);
            let (_, p) = w.effective_daily(i);
            if p > 0.0 && rng.random::<f64>() < p {
                w.flags[u] |= DROPPED;
                w.next_repeat[u] = f32::INFINITY;
            } else {
                let e: f64 = Exp1.sample(&mut rng);
                w.schedule_daily(i, d + 1, e);
            }
        });
    }
}
