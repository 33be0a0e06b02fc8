//! Random streams: every random number a trial uses depends on `(seed, trial)` only.
//!
//! A trial never shares a generator with another trial, so results are identical whatever
//! the thread count. Inside a trial, randomness is split into independent *streams* by
//! purpose (population traits, organic demand, one per mechanism), and per-agent streams for
//! draws that happen at event times (a buyer's latent repurchase rate, drawn at the first
//! order). Splitting by purpose is what makes common random numbers work when candidate
//! campaigns are compared: two campaigns on the same `(seed, trial)` see the same market, and
//! an agent's latent traits do not depend on the order in which events reached it.
//!
//! The generator is named, not `StdRng`/`SmallRng`, whose algorithm may change between rand
//! releases and would silently move every seeded result and baseline.

use rand::SeedableRng;
pub use rand::rngs::Xoshiro256PlusPlus;

/// The generator used everywhere in the simulation.
pub type SimRng = Xoshiro256PlusPlus;

/// Stream identifiers inside a trial.
pub mod stream {
    /// Population: group sizes, buyer and blogger traits.
    pub const POPULATION: u64 = 1;
    /// Organic (Bass) first purchases.
    pub const ORGANIC: u64 = 2;
    /// Per-agent repurchase process (latent rate, dropout, order times).
    pub const REPEAT: u64 = 3;
    /// Per-agent exposure outcomes (purchase decisions of mechanisms' offers).
    pub const OFFER: u64 = 4;
    /// Chat-group members leaving their groups (the daily leaving step).
    pub const GROUPS: u64 = 5;
    /// Per-order draws: order value (basket) and the buyer's experience, keyed by the
    /// buyer's order count.
    pub const ORDER: u64 = 6;
    /// Base of the mechanism streams: mechanism kind `k` uses `MECHANISM + k`.
    pub const MECHANISM: u64 = 0x100;
}

/// SplitMix64 finaliser: a bijective, well-mixing map on `u64`.
#[inline]
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Combines two words into a key; order matters.
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    splitmix64(a ^ splitmix64(b ^ 0x6A09_E667_F3BC_C908))
}

/// The key of trial `trial` under scenario seed `seed`.
#[inline]
pub fn trial_key(seed: u64, trial: u64) -> u64 {
    mix(seed, trial)
}

/// A trial-level stream.
#[inline]
pub fn stream_rng(trial_key: u64, stream: u64) -> SimRng {
    SimRng::seed_from_u64(mix(trial_key, stream))
}

/// The stream of mechanism kind `mechanism` (see `MechanismPlan::stream`).
#[inline]
pub fn mechanism_rng(trial_key: u64, mechanism: u64) -> SimRng {
    stream_rng(trial_key, stream::MECHANISM + mechanism)
}

/// A Poisson(`mean`) count; 0 when `mean` is not positive and finite.
#[inline]
pub fn poisson_count(mean: f64, rng: &mut SimRng) -> u64 {
    use rand_distr::{Distribution, Poisson};
    Poisson::new(mean).map(|d| d.sample(rng)).unwrap_or(0.0) as u64
}

/// A per-agent stream: the `k`-th draw batch of `agent` in `stream`.
#[inline]
pub fn agent_rng(trial_key: u64, stream: u64, agent: u32, k: u32) -> SimRng {
    SimRng::seed_from_u64(mix(
        mix(trial_key, stream),
        ((agent as u64) << 32) | k as u64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Value stability: a refactor that changes how streams are derived moves every seeded
    /// result and baseline, so it must fail here first (and then be a deliberate change).
    #[test]
    fn streams_are_value_stable() {
        assert_eq!(
            trial_key(42, 7),
            0xcc0d_e86b_1824_0fb5,
            "trial key derivation changed"
        );
        let mut r = stream_rng(trial_key(42, 7), stream::ORGANIC);
        let got = [r.next_u64(), r.next_u64()];
        assert_eq!(
            got,
            [0xf004_a41d_3e91_b378, 0x89df_9c9c_9613_2e9a],
            "generator or seeding changed"
        );
    }

    #[test]
    fn streams_differ() {
        let k = trial_key(1, 0);
        let a = stream_rng(k, stream::ORGANIC).next_u64();
        let b = stream_rng(k, stream::REPEAT).next_u64();
        let c = stream_rng(trial_key(1, 1), stream::ORGANIC).next_u64();
        let d = agent_rng(k, stream::REPEAT, 3, 0).next_u64();
        let e = agent_rng(k, stream::REPEAT, 3, 1).next_u64();
        let all = [a, b, c, d, e];
        for i in 0..all.len() {
            for j in i + 1..all.len() {
                assert_ne!(all[i], all[j]);
            }
        }
    }
}
