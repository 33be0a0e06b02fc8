//! Heterogeneous innovation rates without mechanisms
//! ([`super::super::plan::OrganicPath::InnovationDays`]).
//!
//! Without a log-odds shift the organic hazard splits into two independent coins
//! ([`crate::behaviour::BehaviourParams::innovation_part`] and
//! [`crate::behaviour::BehaviourParams::imitation_given_no_innovation`]): the innovation
//! coin `p_i`, which depends on nothing that changes during a trial, and the imitation
//! coin `min(1, q_f / (1 − p_i))` of a non-buyer whose innovation coin did not fall,
//! `q_f = min(1, q·F)`. So each buyer's innovation day, the first day its innovation coin
//! falls, is drawn once per trial as `⌊E / −ln(1 − p_i)⌋` (Geometric(`p_i`) failures;
//! most fall past the horizon and need no logarithm,
//! [`crate::thinning::geometric_rate_within`]), and each pool-day walks the pool for
//! imitation only, against the pool's largest imitation probability. A candidate's number
//! below `q_f` accepts without reading its rate (the bound is at most `q_f / (1 − p_max)`,
//! a few percent above). The day's buyers are those whose innovation day it is plus the
//! walk's, with probability `p_i + (1 − p_i) · min(1, q_f / (1 − p_i))`, the organic hazard.

use super::super::state::{BUYER, World};
use crate::behaviour::BehaviourParams;
use crate::rng::SimRng;
use crate::thinning::{geometric_rate_within, round_up_4_bits};
use rand::RngExt;
use rand_distr::{Distribution, Exp1};

impl World {
    /// Files each buyer under its innovation day, the first day whose innovation coin
    /// (probability `p_i`) falls, `⌊E / −ln(1 − p_i)⌋` (Geometric(`p_i`) failures), when
    /// inside the horizon.
    pub(in crate::world) fn draw_innovation_days(&mut self) {
        let mut rng = self.organic_rng.take().expect("reset");
        let beh = self.beh.as_ref().expect("reset");
        let h = self.horizon as f64;
        for (i, &p_i) in self.pop.organic_p.iter().enumerate() {
            let p = beh.innovation_part(p_i);
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

    /// The buyers whose innovation day is today and who have not bought yet buy, before
    /// the imitation walks (which then no longer see them).
    pub(super) fn innovation_step(&mut self) {
        let day = self.day as usize;
        for &i in &self.innovation_cal[day] {
            if self.flags[i as usize] & BUYER == 0 {
                self.accepted.push((i, self.pop.pool_of[i as usize]));
            }
        }
        self.book_accepted();
    }

    /// Imitation: each pool walked against its largest imitation probability.
    pub(super) fn imitation_walks(&mut self, beh: &BehaviourParams, rng: &mut SimRng) {
        debug_assert!(
            self.delta_sp() == 0.0,
            "no mechanism, no social-proof shift"
        );
        for g in 0..self.pop.pools.len() {
            let qf = beh.imitation_part(self.pool_share(g));
            if qf <= 0.0 {
                continue;
            }
            let p_max = beh.innovation_part(self.pop.pool_p_max[g]);
            let bound = round_up_4_bits(beh.imitation_given_no_innovation(p_max, qf));
            self.walk_pool(g, &[bound], rng, |w, i, b, rng| {
                let u = rng.random::<f64>() * b;
                let p = beh.innovation_part(w.pop.organic_p[i as usize]);
                u < qf || u < beh.imitation_given_no_innovation(p, qf)
            });
        }
    }
}
