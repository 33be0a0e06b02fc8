//! Pool walks: each pool's non-buyers, kept in one segment (one innovation rate) or one
//! per rate class (`p_i <= 1.5p̄`, `<= 4p̄`, above), are walked by thinning
//! ([`crate::thinning`]): for each pool and day the engine computes an upper bound `h_max`
//! of their hazards and visits only the candidates of geometric jumps against it (about
//! `h_max · n` of `n`), accepting a candidate with probability `h_i / h_max`. Every
//! non-buyer's daily probability stays exactly `h_i`. When all hazards are equal (one
//! rate, no social-proof shift) no acceptance draw is made.
//!
//! A pool's segments are walked as one sequence with a piecewise-constant candidate
//! rate, from one exponential budget carried across segments and days
//! ([`crate::thinning::carried_walk`]): a pool-day without a candidate costs a
//! multiplication and a comparison. Class bounds are rounded up to 4 significant bits
//! ([`crate::thinning::round_up_4_bits`]) so their logarithms come from the memo; pools of
//! equal size and rate share the values `p + q·k/len` within and across trials.

use super::super::state::World;
use crate::behaviour::BehaviourParams;
use crate::population::ORGANIC_CLASSES;
use crate::rng::SimRng;
use crate::thinning::{DENSE_ABOVE, budget_or_draw, carried_walk, round_up_4_bits};
use rand::RngExt;

impl World {
    /// [`super::super::plan::OrganicPath::PoolWalk`]: every pool walked against its
    /// hazard bound (the hazard itself when no social proof shifts it).
    pub(super) fn pool_walks(&mut self, beh: &BehaviourParams, rng: &mut SimRng) {
        let delta_sp = self.delta_sp();
        let shift_max = (beh.w_social_proof * delta_sp).max(0.0); // susceptibility <= 1
        let linear = delta_sp == 0.0;
        for g in 0..self.pop.pools.len() {
            let f = self.pool_share(g);
            let h = beh.organic_hazard(self.pop.pool_p_max[g], f, shift_max);
            if linear {
                // Every non-buyer has hazard `h`: each candidate of the walk buys (when
                // `h` is large, each agent is a candidate with a coin of its own).
                self.walk_pool(g, &[h], rng, |_, _, bound, rng| {
                    bound < 1.0 || rng.random::<f64>() < h
                });
            } else {
                self.walk_pool(g, &[h], rng, |w, i, bound, rng| {
                    rng.random::<f64>() * bound < w.hazard(beh, i, f, delta_sp)
                });
            }
        }
    }

    /// [`super::super::plan::OrganicPath::ClassWalk`]: every pool walked class by class
    /// against each class's largest hazard, rounded up to 4 significant bits.
    pub(super) fn class_walks(&mut self, beh: &BehaviourParams, rng: &mut SimRng) {
        let delta_sp = self.delta_sp();
        let shift_max = (beh.w_social_proof * delta_sp).max(0.0); // susceptibility <= 1
        let k = self.seg_k;
        for g in 0..self.pop.pools.len() {
            let f = self.pool_share(g);
            let mut bounds = [0.0f64; ORGANIC_CLASSES];
            for (c, b) in bounds.iter_mut().enumerate() {
                let h = beh.organic_hazard(self.pop.class_p_max[g * k + c], f, shift_max);
                *b = round_up_4_bits(h);
            }
            self.walk_pool(g, &bounds, rng, |w, i, bound, rng| {
                rng.random::<f64>() * bound < w.hazard(beh, i, f, delta_sp)
            });
        }
    }

    /// Walks the non-buyers of pool `g` by thinning: its segments (one, or one per rate
    /// class) as one sequence of positions, segment `c` with candidate probability
    /// `bounds[c]` per agent, and pushes to `accepted` each candidate `i` for which
    /// `accept(world, i, bound, rng)` holds (it decides with probability `h_i / bound`, so
    /// that `i` buys with probability `h_i`).
    ///
    /// Candidates come from the pool's carried budget ([`carried_walk`]): each costs one
    /// `Exp(1)` draw, after `accept`'s. A segment whose bound exceeds [`DENSE_ABOVE`] is
    /// walked agent by agent (`accept` with bound 1, one coin each), leaving the budget
    /// untouched.
    #[inline(always)]
    pub(super) fn walk_pool<A>(&mut self, g: usize, bounds: &[f64], rng: &mut SimRng, mut accept: A)
    where
        A: FnMut(&mut World, u32, f64, &mut SimRng) -> bool,
    {
        let mut e = budget_or_draw(self.walk_budget[g], rng);
        let k = self.seg_k;
        debug_assert_eq!(bounds.len(), k, "one bound per segment of the pool");
        for (c, &bound) in bounds.iter().enumerate() {
            let s = g * k + c;
            let len = self.seg_len[s] as usize;
            if len == 0 || bound <= 0.0 {
                continue;
            }
            let start = self.seg_start[s] as usize;
            if bound > DENSE_ABOVE {
                for j in start..start + len {
                    let i = self.nonbuyers[j];
                    if accept(self, i, 1.0, rng) {
                        self.accepted.push((i, g as u32));
                    }
                }
                continue;
            }
            let rates = self.jump_rate.get(bound);
            carried_walk(&mut e, len, rates, rng, |at, rng| {
                let i = self.nonbuyers[start + at];
                if accept(self, i, bound, rng) {
                    self.accepted.push((i, g as u32));
                }
            });
        }
        self.walk_budget[g] = e;
    }
}
