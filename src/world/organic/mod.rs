//! Organic first purchases: each day a non-buyer buys with the discrete Bass hazard
//! `h_i = min(1, p_i + q·F_g)` ([`crate::behaviour::BehaviourParams::organic_hazard`]),
//! `F_g` its pool's buyer share at the start of the day, shifted in log-odds by social
//! proof and intent.
//!
//! Buyers with intent (set by mechanisms) are evaluated one by one until their intent
//! decays below the floor, on a stream of their own (`rng::stream::INTENT`): how many
//! buyers a campaign has touched then does not shift the numbers of the pool walks, so a
//! campaign and its no-campaign world (`engine::Arms`) walk their pools alike until their
//! pools differ; everyone else is simulated by the scenario's
//! [`OrganicPath`](super::plan::OrganicPath):
//! - [`walk`]: each pool's non-buyers walked by thinning against an upper bound of their
//!   hazards (one segment per pool, or per rate class);
//! - [`innovation`]: heterogeneous innovation rates without mechanisms, each buyer's
//!   innovation day drawn up front and the pool walked for imitation only;
//! - [`aggregate`]: exchangeable agents, each pool-day's purchases counted.
//!
//! Every path gives each non-buyer its daily probability `h_i` exactly; they differ in
//! which random numbers they draw, so they agree in distribution, not draw for draw
//! (`tests/engine_paths.rs`).

mod aggregate;
mod innovation;
mod walk;

use super::plan::OrganicPath;
use super::state::World;
use crate::behaviour::BehaviourParams;
use crate::population::Trait;
use crate::rng::SimRng;
use rand::RngExt;

impl World {
    /// Organic first purchases of the day (discrete Bass with social proof and intent).
    pub fn organic_step(&mut self) {
        let path = self.paths.organic;
        self.accepted.clear();
        match path {
            OrganicPath::Aggregate => return self.aggregate_organic_step(),
            OrganicPath::InnovationDays => self.innovation_step(),
            OrganicPath::PoolWalk | OrganicPath::ClassWalk => {}
        }
        let mut rng = self.organic_rng.take().expect("reset");
        let beh = self.beh.take().expect("reset");
        let mut intent_rng = self.intent_rng.take().expect("reset");
        self.intent_step(&beh, &mut intent_rng);
        self.intent_rng = Some(intent_rng);
        match path {
            OrganicPath::PoolWalk => self.pool_walks(&beh, &mut rng),
            OrganicPath::ClassWalk => self.class_walks(&beh, &mut rng),
            OrganicPath::InnovationDays => self.imitation_walks(&beh, &mut rng),
            OrganicPath::Aggregate => unreachable!("counted above"),
        }
        self.beh = Some(beh);
        self.organic_rng = Some(rng);
        self.book_accepted();
    }

    /// Buyers with intent, one by one: those whose intent decayed below the floor return
    /// to their pool's segment; the others buy with their shifted hazard, decided by
    /// [`BehaviourParams::organic_coin`] against their pool's base of the day (computed
    /// once per pool, or per buyer when innovation rates differ).
    fn intent_step(&mut self, beh: &BehaviourParams, rng: &mut SimRng) {
        if self.touched.is_empty() {
            return;
        }
        let delta_sp = self.delta_sp();
        let w_sp = beh.w_social_proof;
        let mut bases = std::mem::take(&mut self.organic_bases);
        bases.clear();
        bases.resize(self.pop.pools.len(), None);
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
            let base = match self.pop.organic_p(i) {
                Some(p_i) => beh.organic_base(p_i, self.pool_share(g)),
                None => *bases[g]
                    .get_or_insert_with(|| beh.organic_base(beh.bass_p, self.pool_share(g))),
            };
            let shift = intent
                + if delta_sp != 0.0 {
                    w_sp * self.pop.trait_of(i, Trait::Susceptibility) * delta_sp
                } else {
                    0.0
                };
            if beh.organic_coin(rng.random::<f64>(), base, shift) {
                self.accepted.push((i, g as u32));
            }
        }
        self.organic_bases = bases;
    }

    /// Pool `g`'s buyer share at the start of the day.
    #[inline]
    fn pool_share(&self, g: usize) -> f64 {
        self.pool_buyers_start[g] as f64 / self.pop.pools[g].len as f64
    }

    /// Non-buyer `i`'s organic hazard at pool share `f` and card social-proof change
    /// `delta_sp`.
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
}

#[cfg(test)]
mod tests {
    use super::World;
    use crate::behaviour::BehaviourParams;
    use crate::population::Trait;
    use crate::rng::{SimRng, stream_rng, trial_key};
    use crate::world::testing::chat_groups;
    use rand::RngExt;

    /// The eager form of the intent step: each buyer's uniform compared with
    /// [`BehaviourParams::organic_hazard`] itself.
    fn direct_intent_step(w: &mut World, beh: &BehaviourParams, rng: &mut SimRng) {
        let delta_sp = w.delta_sp();
        let mut k = 0;
        while k < w.touched.len() {
            let i = w.touched[k];
            let u = i as usize;
            let intent = beh.intent_after(w.intent[u] as f64, w.day - w.intent_day[u] as u32);
            if intent.abs() < beh.intent_floor {
                w.intent[u] = 0.0;
                w.unlink_touched(i);
                w.relink_nonbuyer(i);
                continue;
            }
            k += 1;
            let g = w.pop.pool_of[u] as usize;
            let shift =
                intent + beh.w_social_proof * w.pop.trait_of(i, Trait::Susceptibility) * delta_sp;
            let p_i = w.pop.organic_p(i).unwrap_or(beh.bass_p);
            if rng.random::<f64>() < beh.organic_hazard(p_i, w.pool_share(g), shift) {
                w.accepted.push((i, g as u32));
            }
        }
    }

    /// Draw for draw, the intent step (a per-pool base, tabulated `σ`) accepts the same
    /// buyers as the eager comparison with the hazard, and returns the same ones to their
    /// pools: two worlds of one trial, with the same intents (both signs, some under the
    /// floor, topped up on some days), pool shares from 0 to 0.9 and a social-proof
    /// shift, over 30 days. Identical lists, so no tolerance is needed.
    #[test]
    fn intent_step_decides_like_the_direct_comparison() {
        let key = trial_key(7, 2);
        let (mut fast, mut eager) = (chat_groups(12, key), chat_groups(12, key));
        let mut setter = stream_rng(key, 901);
        let (mut fast_rng, mut eager_rng) = (stream_rng(key, 902), stream_rng(key, 902));
        let mut accepted = 0;
        for day in 0..30 {
            let tops: Vec<(u32, f64)> = (0..if day % 3 == 0 { 600 } else { 0 })
                .map(|_| {
                    let i = setter.random_range(0..fast.pop.len() as u32);
                    (i, setter.random::<f64>() * 7.0 - 2.0)
                })
                .collect();
            for w in [&mut fast, &mut eager] {
                w.begin_day(day);
                for g in 0..w.pop.pools.len() {
                    w.pool_buyers_start[g] = (w.pop.pools[g].len as usize * (g % 10) / 11) as u32;
                }
                w.delta_sp = 0.3;
                for &(i, v) in &tops {
                    if !w.has_left(i) {
                        w.set_intent(i, v);
                    }
                }
                w.accepted.clear();
            }
            let beh = fast.beh.take().expect("reset");
            fast.intent_step(&beh, &mut fast_rng);
            direct_intent_step(&mut eager, &beh, &mut eager_rng);
            fast.beh = Some(beh);
            assert_eq!(fast.accepted, eager.accepted, "day {day}");
            assert_eq!(fast.touched, eager.touched, "day {day}");
            accepted += fast.accepted.len();
        }
        assert!(accepted > 100, "the test decides something: {accepted}");
    }
}
