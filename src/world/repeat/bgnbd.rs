//! BG/NBD and Pareto/NBD repeat orders ([`super::super::plan::RepeatPath::Bgnbd`], the
//! per-buyer continuous-time path): at its first order a buyer draws its rate
//! `λ ~ Gamma(r, 1/α)` from its own repeat stream, and either its dropout `p ~ Beta(a, b)`
//! (BG/NBD) or the end of its lifetime `t₀ + Exp(μ)`, `μ ~ Gamma(s, 1/β)` (Pareto/NBD,
//! kept in the buyer's dropout slot). Each order draws the next order time `t + Exp(λ')`;
//! under BG/NBD the buyer drops out after an order with `p'` (`λ'`, `p'` after
//! satisfaction, [`crate::behaviour::BehaviourParams::repurchase_after_satisfaction`]);
//! under Pareto/NBD a next order time past the lifetime's end files the end instead, and
//! the buyer drops out on that day. Both are exact: the waiting times are memoryless.

use super::super::state::{DROPPED, World};
use crate::rng::{SimRng, agent_rng_in};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

impl World {
    /// Buyer `i`'s repeat rate and dropout after satisfaction.
    pub(in crate::world) fn effective_repurchase(&self, i: u32) -> (f64, f64) {
        let u = i as usize;
        self.beh().repurchase_after_satisfaction(
            self.lambda[u] as f64,
            self.dropout[u] as f64,
            self.satisfaction[u] as f64,
        )
    }

    /// Files buyer `i`'s next order at `from + Exp(λ')` when inside the horizon.
    pub(in crate::world) fn schedule_repeat(&mut self, i: u32, from: f64, rng: &mut SimRng) {
        let u = i as usize;
        let lambda = self
            .beh()
            .repurchase_rate_after_satisfaction(self.lambda[u] as f64, self.satisfaction[u] as f64);
        if lambda <= 0.0 {
            self.next_repeat[u] = f32::INFINITY;
            return;
        }
        let e: f64 = Exp1.sample(rng);
        let mut t = from + e / lambda;
        if self.repeat_mu.is_some() {
            // Pareto/NBD: no order after the lifetime's end; the end is filed instead.
            t = t.min(self.dropout[u] as f64);
        }
        let t = t as f32;
        self.next_repeat[u] = t;
        if (t as f64) < self.horizon as f64 {
            self.repeat_cal[t as usize].push(i);
        }
    }

    /// The day's orders: each due buyer orders at its time, then drops out or files its
    /// next order, from its `k`-th repeat stream (`k` its orders so far).
    pub(super) fn bgnbd_repeat_step(&mut self) {
        self.settle_due(|w, i, t| {
            let u = i as usize;
            let k = w.orders[u] as u32;
            if w.repeat_mu.is_some() && t >= w.dropout[u] {
                // Pareto/NBD: the lifetime ends.
                w.flags[u] |= DROPPED;
                w.next_repeat[u] = f32::INFINITY;
                return;
            }
            let mut rng = agent_rng_in(w.repeat_key, i, k);
            w.book_order(i, 0.0, t as f64, false);
            let p = w
                .beh()
                .dropout_after_satisfaction(w.dropout[u] as f64, w.satisfaction[u] as f64);
            if w.repeat_mu.is_none() && rng.random::<f64>() < p {
                w.flags[u] |= DROPPED;
                w.next_repeat[u] = f32::INFINITY;
            } else {
                w.schedule_repeat(i, t as f64, &mut rng);
            }
        });
    }
}
