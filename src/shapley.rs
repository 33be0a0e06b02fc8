//! How a campaign's increment divides among its mechanisms: Shapley values and
//! leave-one-out differences over worlds with subsets of the mechanisms switched on.
//!
//! ## Model
//! For one trial, `v(S)` is an outcome vector (first buyers, orders, revenue, gross margin,
//! cost) of the market with the mechanisms in `S` on and every other setting equal, on the
//! trial's random streams (common random numbers across subsets). `v(∅)` is the no-campaign
//! world and `v(N)` the campaign. Mechanisms interact (a red packet converts a member a
//! review has warmed up), so a mechanism has no single "own" effect; two answers:
//!
//! - **Leave-one-out**: `v(N) − v(N ∖ {m})`, what is lost by dropping `m` alone. Direct and
//!   cheap (`n` extra worlds), but the `n` values need not add up to the total increment:
//!   overlapping mechanisms each look dispensable, complementary ones each look essential.
//! - **Shapley value** (Shapley 1953): `φ_m = Σ_{S ⊆ N∖{m}} |S|! (n − |S| − 1)! / n! ·
//!   (v(S ∪ {m}) − v(S))`, `m`'s marginal contribution averaged over every order in which
//!   the mechanisms could be added. It is the one division that is efficient (the values
//!   add up to `v(N) − v(∅)` exactly), symmetric, and gives 0 to a mechanism that changes
//!   nothing.
//!
//! ## Estimators
//! - **Exact** for `n ≤` [`EXACT_MAX`]: all `2^n` worlds (64 for six mechanisms).
//! - **Sampled orders** beyond: for a uniformly random order `π`, each mechanism's marginal
//!   contribution when added after its predecessors in `π` is an unbiased estimate of its
//!   `φ_m` (Castro, Gómez & Tejada 2009), and for every single order the contributions add up
//!   to `v(N) − v(∅)`, so the sampled values are efficient exactly, not just in expectation.
//!   Orders are drawn in antithetic pairs (`π` and its reverse; Mitchell, Cooper, Frank &
//!   Holmes 2022 show this lowers the variance for typical games), and the estimator's
//!   variance is estimated from the spread of the pair means (divisor `pairs − 1`).
//!
//! A world is evaluated at most once per trial ([`Worlds`] keeps each subset's outcome).

use crate::rng::SimRng;
use rand::RngExt;

/// The largest number of mechanisms whose Shapley values are computed exactly.
pub const EXACT_MAX: usize = 6;

/// The outcomes of a trial's worlds, one per subset of mechanisms (a bit mask over the
/// campaign's `n` mechanisms), each computed on first use.
#[derive(Debug)]
pub struct Worlds<const D: usize, F: FnMut(u64) -> [f64; D]> {
    eval: F,
    seen: Vec<Option<[f64; D]>>,
    /// Worlds simulated so far.
    pub evaluated: usize,
}

impl<const D: usize, F: FnMut(u64) -> [f64; D]> Worlds<D, F> {
    /// The worlds of `n` mechanisms (`n` at most 16), simulated by `eval(mask)`.
    pub fn new(n: usize, eval: F) -> Self {
        assert!(n <= 16, "at most 16 mechanisms");
        Worlds {
            eval,
            seen: vec![None; 1 << n],
            evaluated: 0,
        }
    }

    /// Records a world already simulated elsewhere (the campaign, the no-campaign world).
    pub fn know(&mut self, mask: u64, value: [f64; D]) {
        self.seen[mask as usize] = Some(value);
    }

    /// The outcome of the world with the mechanisms in `mask` on.
    pub fn get(&mut self, mask: u64) -> [f64; D] {
        if let Some(v) = self.seen[mask as usize] {
            return v;
        }
        let v = (self.eval)(mask);
        self.evaluated += 1;
        self.seen[mask as usize] = Some(v);
        v
    }

    fn n(&self) -> usize {
        self.seen.len().trailing_zeros() as usize
    }
}

fn add_scaled<const D: usize>(acc: &mut [f64; D], w: f64, a: &[f64; D], b: &[f64; D]) {
    for k in 0..D {
        acc[k] += w * (a[k] - b[k]);
    }
}

/// Leave-one-out differences `v(N) − v(N ∖ {m})`, per mechanism.
pub fn leave_one_out<const D: usize, F: FnMut(u64) -> [f64; D]>(
    w: &mut Worlds<D, F>,
) -> Vec<[f64; D]> {
    let n = w.n();
    let all = (1u64 << n) - 1;
    let full = w.get(all);
    (0..n)
        .map(|m| {
            let mut d = [0.0; D];
            add_scaled(&mut d, 1.0, &full, &w.get(all & !(1 << m)));
            d
        })
        .collect()
}

/// Exact Shapley values, per mechanism, from all `2^n` worlds.
pub fn exact<const D: usize, F: FnMut(u64) -> [f64; D]>(w: &mut Worlds<D, F>) -> Vec<[f64; D]> {
    let n = w.n();
    // weight[s] = s! (n − s − 1)! / n!, built as a product to stay exact for small n.
    let weight: Vec<f64> = (0..n)
        .map(|s| {
            let mut x = 1.0 / n as f64;
            for j in 1..=s {
                x *= j as f64 / (n - j) as f64;
            }
            x
        })
        .collect();
    let mut phi = vec![[0.0; D]; n];
    for s in 0..(1u64 << n) {
        let vs = w.get(s);
        for (m, p) in phi.iter_mut().enumerate() {
            if s & (1 << m) == 0 {
                let with = w.get(s | (1 << m));
                add_scaled(p, weight[s.count_ones() as usize], &with, &vs);
            }
        }
    }
    phi
}

/// Sampled Shapley values from `pairs` antithetic pairs of random orders, per mechanism,
/// with the estimated variance of each estimate (NaN for one pair).
pub fn sampled<const D: usize, F: FnMut(u64) -> [f64; D]>(
    w: &mut Worlds<D, F>,
    pairs: usize,
    rng: &mut SimRng,
) -> (Vec<[f64; D]>, Vec<[f64; D]>) {
    let n = w.n();
    let mut order: Vec<usize> = (0..n).collect();
    let mut pair_means = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        // Fisher–Yates: a uniformly random order.
        for i in (1..n).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let mut mean = vec![[0.0; D]; n];
        marginals(w, order.iter().copied(), 0.5, &mut mean);
        marginals(w, order.iter().rev().copied(), 0.5, &mut mean);
        pair_means.push(mean);
    }
    let p = pair_means.len() as f64;
    let mut phi = vec![[0.0; D]; n];
    for pm in &pair_means {
        for (acc, x) in phi.iter_mut().zip(pm) {
            add_scaled(acc, 1.0 / p, x, &[0.0; D]);
        }
    }
    let mut var = vec![[0.0; D]; n];
    for pm in &pair_means {
        for m in 0..n {
            for k in 0..D {
                let d = pm[m][k] - phi[m][k];
                var[m][k] += d * d / ((p - 1.0) * p);
            }
        }
    }
    (phi, var)
}

/// Adds `scale ×` each mechanism's marginal contribution along `order` to `acc`.
fn marginals<const D: usize, F: FnMut(u64) -> [f64; D]>(
    w: &mut Worlds<D, F>,
    order: impl Iterator<Item = usize>,
    scale: f64,
    acc: &mut [[f64; D]],
) {
    let mut mask = 0u64;
    let mut before = w.get(0);
    for m in order {
        mask |= 1 << m;
        let after = w.get(mask);
        add_scaled(&mut acc[m], scale, &after, &before);
        before = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream_rng;

    /// A game with known Shapley values: additive parts plus a pairwise synergy split
    /// evenly between the pair, plus a three-way overlap that removes value.
    fn game(mask: u64) -> [f64; 2] {
        let on = |m: u64| (mask >> m) & 1 == 1;
        let mut v = 0.0;
        for m in 0..7 {
            if on(m) {
                v += (m + 1) as f64;
            }
        }
        if on(0) && on(1) {
            v += 6.0;
        }
        if on(2) && on(3) && on(4) {
            v -= 9.0;
        }
        [v, mask.count_ones() as f64]
    }

    /// Shapley values of `game` restricted to `n` mechanisms (n ≥ 5).
    fn truth(n: usize) -> Vec<f64> {
        (0..n)
            .map(|m| {
                let mut x = (m + 1) as f64;
                if m < 2 {
                    x += 3.0;
                }
                if (2..5).contains(&m) {
                    x -= 3.0;
                }
                x
            })
            .collect()
    }

    #[test]
    fn exact_values_are_the_known_ones_and_add_up() {
        for n in [5, 6] {
            let mut w = Worlds::new(n, game);
            let phi = exact(&mut w);
            assert_eq!(w.evaluated, 1 << n);
            let all = game((1 << n) - 1)[0] - game(0)[0];
            let mut sum = 0.0;
            for (m, t) in truth(n).iter().enumerate() {
                assert!((phi[m][0] - t).abs() < 1e-12, "{m}: {} vs {t}", phi[m][0]);
                assert!((phi[m][1] - 1.0).abs() < 1e-12);
                sum += phi[m][0];
            }
            assert!((sum - all).abs() < 1e-9);
        }
    }

    #[test]
    fn sampled_values_add_up_exactly_and_find_the_truth() {
        let n = 7;
        let mut w = Worlds::new(n, game);
        let mut rng = stream_rng(1, 2);
        let (phi, var) = sampled(&mut w, 200, &mut rng);
        let all = game((1 << n) - 1)[0] - game(0)[0];
        let sum: f64 = phi.iter().map(|p| p[0]).sum();
        // Efficiency holds order by order, so up to rounding.
        assert!((sum - all).abs() < 1e-9, "{sum} vs {all}");
        for (m, t) in truth(n).iter().enumerate() {
            // Within 5 estimated standard errors (the estimate is a mean of 200
            // independent pair means; a miss has probability below 1e-6 per value).
            let se = var[m][0].sqrt();
            assert!(
                (phi[m][0] - t).abs() <= 5.0 * se + 1e-12,
                "{m}: {} vs {t}",
                phi[m][0]
            );
            // The count coordinate is additive: every order gives exactly 1.
            assert!((phi[m][1] - 1.0).abs() < 1e-12 && var[m][1] < 1e-20);
        }
    }

    #[test]
    fn leave_one_out_misses_overlap_and_synergy() {
        let mut w = Worlds::new(5, game);
        let loo = leave_one_out(&mut w);
        // Mechanism 0 loses its own 1 and the synergy 6 when dropped alone.
        assert_eq!(loo[0][0], 7.0);
        // Dropping mechanism 2 alone also lifts the three-way overlap: 3 − 9 = −6, so
        // leave-one-out calls it harmful where its Shapley value is 0.
        assert_eq!(loo[2][0], -6.0);
        assert_eq!(w.evaluated, 6);
    }

    #[test]
    fn known_worlds_are_not_simulated_again() {
        let mut w = Worlds::new(3, game);
        w.know(0, game(0));
        w.know(7, game(7));
        let _ = leave_one_out(&mut w);
        assert_eq!(w.evaluated, 3);
    }
}
