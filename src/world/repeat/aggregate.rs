//! Repeat orders of exchangeable agents ([`super::super::plan::RepeatPath::Aggregate`]):
//! the counts the pooled path produces by placing orders, without buyers. `K ~
//! Binomial(B, r)` orders from the `B` buyers alive at the start of the day,
//! `Hypergeometric(B, B₁, K)` of them (drawn pick by pick) by buyers with one order so far
//! (who become repeat buyers), then `Binomial(K, d)` of the `K` drop out.
//!
//! The repeat depth (buyers with three or more orders, days to the second order) splits
//! those counts further, from a stream of its own so the counts above draw exactly what
//! they would without it: of the `K − K₁` orders by buyers with two or more orders,
//! `Hypergeometric(B₂₊, B₂, K − K₁)` come from buyers with exactly two; the `K₁` second
//! orders spread over the buyers with one order by the day of their first order
//! (multivariate hypergeometric); and of the dropouts, `Hypergeometric(K, K₁, D)` had just
//! placed their second order. Each split is the law of picking the same numbers of distinct
//! buyers uniformly, as the pooled path does.
//!
//! ## Cost
//! The splits are drawn the way the pooled path makes them: by picks without replacement,
//! one uniform each. The second orders are `K₁` picks among the buyers with one order, each
//! finding its first-order day in a Fenwick tree of the counts by day (`O(log days)`), so a
//! day costs `O(K₁ log days)` whatever the number of cohorts. A split with more than
//! [`PICKS_MAX`] picks on its shorter side is drawn by `rand_distr`'s `Hypergeometric`
//! instead (H2PE). That sampler is not used cohort by cohort: for a small mean its set-up
//! loops over the population, one such loop per cohort and day would cost more than the
//! rest of the aggregate day, and it refuses large populations.

use super::super::state::World;
use super::repeat_count;
use crate::rng::SimRng;
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Hypergeometric};

impl World {
    /// The day's repeat orders, counted.
    pub(super) fn aggregate_repeat_step(&mut self) {
        let mut a = self.aggregate;
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
            hypergeometric_by_picks(b, a.alive_one, k, &mut rng)
        };
        self.book_plain_orders(k);
        let mut depth = self.depth_rng.take().expect("reset");
        // Of the orders by buyers with two or more, those by buyers with exactly two.
        let twos = hypergeometric(a.alive_more, a.alive_two, k - ones, &mut depth);
        self.settle_second_orders(ones, &mut depth);
        self.ledger.repeat_buyers += ones as u32;
        self.ledger.buyers_3plus += twos as u32;
        a.alive_one -= ones;
        a.alive_more += ones;
        a.alive_two = a.alive_two + ones - twos;
        if dropout > 0.0 && k > 0 {
            let d = Binomial::new(k, dropout)
                .expect("validated probability")
                .sample(&mut rng);
            a.alive_more -= d;
            // The dropouts are a uniform subset of the day's `k` buyers, `ones` of whom
            // now have exactly two orders.
            a.alive_two -= hypergeometric(k, ones, d, &mut depth);
        }
        self.aggregate = a;
        self.depth_rng = Some(depth);
        self.repeat_rng = Some(rng);
    }

    /// Spreads the day's `ones` second orders over the buyers with one order by the day of
    /// their first order (`ones` distinct buyers picked uniformly, one uniform each: a
    /// multivariate hypergeometric draw) and counts the days to the second order.
    fn settle_second_orders(&mut self, ones: u64, rng: &mut SimRng) {
        let total = self.aggregate.alive_one;
        for j in 0..ones {
            let d = self.one_by_day.take(rng.random_range(0..total - j));
            self.ledger.days_to_second += (self.day as usize - d) as f64;
        }
    }
}

/// Picks along the shorter side of a split above which `rand_distr`'s sampler is cheaper
/// than one uniform per pick.
const PICKS_MAX: u64 = 64;

/// `Hypergeometric(total, successes, draws)`: the successes among `draws` picks without
/// replacement from `total` items of which `successes` are successes, without a draw when
/// the answer is certain. The law is symmetric in `successes` and `draws`, so the picks
/// run along the shorter of the two; with more than [`PICKS_MAX`] of them, `rand_distr`'s
/// sampler draws it where it can.
fn hypergeometric(total: u64, successes: u64, draws: u64, rng: &mut SimRng) -> u64 {
    if draws == 0 || successes == 0 {
        0
    } else if successes == total {
        draws
    } else if draws == total {
        successes
    } else {
        let side = |x: u64| x.min(total - x);
        let (successes, draws) = if side(successes) < side(draws) {
            (draws, successes)
        } else {
            (successes, draws)
        };
        // `rand_distr` refuses large populations whose mode is small (its inversion starts
        // from a probability that underflows): those are drawn by picks too.
        let sampler = (side(draws) > PICKS_MAX)
            .then(|| Hypergeometric::new(total, successes, draws).ok())
            .flatten();
        match sampler {
            Some(h) => h.sample(rng),
            None => hypergeometric_by_picks(total, successes, draws, rng),
        }
    }
}

/// `Hypergeometric(total, successes, draws)` by picks without replacement, one uniform
/// each: the successes among the `draws` picked when `draws ≤ total / 2`, else `successes`
/// less those among the `total − draws` not picked. Exact, and at most `total / 2` picks.
fn hypergeometric_by_picks(total: u64, successes: u64, draws: u64, rng: &mut SimRng) -> u64 {
    let picks = draws.min(total - draws);
    let (mut left, mut hit) = (total, 0u64);
    for _ in 0..picks {
        if rng.random_range(0..left) < successes - hit {
            hit += 1;
        }
        left -= 1;
    }
    if picks == draws { hit } else { successes - hit }
}

/// Counts of buyers by a day index, in a Fenwick tree: adding to a day and taking out the
/// buyer of a given rank (in day order) each cost `O(log days)`.
#[derive(Debug, Clone, Default)]
pub struct Cohorts {
    /// `tree[k]` (1-based) sums the counts of days `k − lowbit(k) .. k − 1`.
    tree: Vec<u64>,
}

impl Cohorts {
    /// Empties the counts for days `0 .. days`, keeping the allocation.
    pub fn reset(&mut self, days: usize) {
        self.tree.clear();
        self.tree.resize(days + 1, 0);
    }

    /// Adds `n` buyers to day `day`.
    pub fn add(&mut self, day: usize, n: u64) {
        let mut k = day + 1;
        while k < self.tree.len() {
            self.tree[k] += n;
            k += k & k.wrapping_neg();
        }
    }

    /// Takes out the buyer of rank `rank` (0-based, buyers ordered by day) and returns
    /// that buyer's day. `rank` must be below the total count.
    pub fn take(&mut self, mut rank: u64) -> usize {
        let n = self.tree.len() - 1;
        // The largest `pos` whose prefix count is at most `rank`: the buyer is on day `pos`.
        let mut pos = 0;
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= rank {
                pos = next;
                rank -= self.tree[next];
            }
            step >>= 1;
        }
        let mut k = pos + 1;
        while k <= n {
            self.tree[k] -= 1;
            k += k & k.wrapping_neg();
        }
        pos
    }

    /// The count of day `day` (a prefix difference).
    #[cfg(test)]
    fn count(&self, day: usize) -> u64 {
        self.prefix(day + 1) - self.prefix(day)
    }

    /// Buyers on days `0 .. days`.
    #[cfg(test)]
    fn prefix(&self, days: usize) -> u64 {
        let (mut k, mut sum) = (days.min(self.tree.len() - 1), 0);
        while k > 0 {
            sum += self.tree[k];
            k &= k - 1;
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream_rng;

    /// Taking ranks from the tree gives the day a linear scan of the plain counts gives,
    /// and leaves the same counts behind, whatever the order of adds and takes.
    #[test]
    fn cohorts_take_the_day_of_each_rank() {
        let mut rng = stream_rng(7, 1);
        for days in [1usize, 2, 5, 64, 90, 91] {
            let mut tree = Cohorts::default();
            tree.reset(days);
            let mut plain = vec![0u64; days];
            for step in 0..2_000 {
                if step % 3 == 0 || plain.iter().sum::<u64>() == 0 {
                    let (d, n) = (rng.random_range(0..days), rng.random_range(0..4));
                    tree.add(d, n);
                    plain[d] += n;
                    continue;
                }
                let total: u64 = plain.iter().sum();
                let rank = rng.random_range(0..total);
                let mut below = 0;
                let want = plain
                    .iter()
                    .position(|&n| {
                        below += n;
                        rank < below
                    })
                    .expect("a rank below the total");
                assert_eq!(tree.take(rank), want, "rank {rank} of {total}");
                plain[want] -= 1;
                for (d, &n) in plain.iter().enumerate() {
                    assert_eq!(tree.count(d), n, "day {d} of {days}");
                }
            }
        }
    }

    /// Every rank of a day maps to it: the first and the last buyer of each day.
    #[test]
    fn cohorts_bounds_of_each_day() {
        let counts = [3u64, 0, 2, 5, 0, 1];
        let mut first = 0;
        for (d, &n) in counts.iter().enumerate() {
            for rank in (n > 0)
                .then_some([first, first + n - 1])
                .into_iter()
                .flatten()
            {
                let mut tree = Cohorts::default();
                tree.reset(counts.len());
                for (day, &c) in counts.iter().enumerate() {
                    tree.add(day, c);
                }
                assert_eq!(tree.take(rank), d, "rank {rank}");
            }
            first += n;
        }
    }

    /// The sampler's frequencies match the hypergeometric probabilities on a small case
    /// (picks on every side of the split), and its mean and variance match the exact ones
    /// where `rand_distr` draws it (more than `PICKS_MAX` picks on the shorter side).
    /// Tolerances: 5 standard errors, the SE of a frequency `√(p(1 − p) / n)`, of the mean
    /// `√(var / n)`, of the sample variance `√((m4 − s⁴) / n)` from the draws' fourth
    /// central moment.
    #[test]
    fn hypergeometric_has_its_law() {
        let n = 200_000;
        let mut rng = stream_rng(11, 2);
        let choose =
            |a: u64, b: u64| -> f64 { (0..b).map(|j| (a - j) as f64 / (j + 1) as f64).product() };
        for (total, successes, draws) in [(10u64, 4u64, 3u64), (10, 3, 8), (10, 8, 4), (12, 7, 7)] {
            let mut freq = vec![0u64; draws as usize + 1];
            for _ in 0..n {
                freq[hypergeometric(total, successes, draws, &mut rng) as usize] += 1;
            }
            for (x, &f) in freq.iter().enumerate() {
                let x = x as u64;
                let p = if x > successes || draws - x > total - successes {
                    0.0
                } else {
                    choose(successes, x) * choose(total - successes, draws - x)
                        / choose(total, draws)
                };
                let se = (p * (1.0 - p) / n as f64).sqrt().max(1e-12);
                let got = f as f64 / n as f64;
                assert!(
                    (got - p).abs() <= 5.0 * se,
                    "({total}, {successes}, {draws}) at {x}: {got} vs {p}"
                );
            }
        }
        for (total, successes, draws) in [(5_000u64, 300u64, 400u64), (5_000, 4_000, 200)] {
            let xs: Vec<f64> = (0..n)
                .map(|_| hypergeometric(total, successes, draws, &mut rng) as f64)
                .collect();
            let (t, k, d) = (total as f64, successes as f64, draws as f64);
            let mean = d * k / t;
            let var = mean * (1.0 - k / t) * (t - d) / (t - 1.0);
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
            let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n as f64;
            assert!(
                (m - mean).abs() <= 5.0 * (var / n as f64).sqrt(),
                "mean {m} vs {mean}"
            );
            let se_v = ((m4 - v * v) / n as f64).sqrt();
            assert!((v - var).abs() <= 5.0 * se_v, "variance {v} vs {var}");
        }
    }
}
