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
//! (multivariate hypergeometric, cohort by cohort); and of the dropouts,
//! `Hypergeometric(K, K₁, D)` had just placed their second order. Each split is the law of
//! picking the same numbers of distinct buyers uniformly, as the pooled path does.

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
    /// their first order (a multivariate hypergeometric draw, cohort by cohort) and counts
    /// the days to the second order.
    fn settle_second_orders(&mut self, ones: u64, rng: &mut SimRng) {
        let (mut left, mut total) = (ones, self.aggregate.alive_one);
        for d in 0..self.one_by_day.len() {
            if left == 0 {
                break;
            }
            let n = self.one_by_day[d];
            let x = hypergeometric(total, n, left, rng);
            self.one_by_day[d] -= x;
            self.ledger.days_to_second += (x * (self.day as u64 - d as u64)) as f64;
            total -= n;
            left -= x;
        }
    }
}

/// Successes among `draws` picks without replacement from `total` items of which
/// `successes` are successes: `Hypergeometric(total, successes, draws)`, without a draw
/// when the answer is certain.
fn hypergeometric(total: u64, successes: u64, draws: u64, rng: &mut SimRng) -> u64 {
    if draws == 0 || successes == 0 {
        0
    } else if successes == total {
        draws
    } else if draws == total {
        successes
    } else {
        Hypergeometric::new(total, successes, draws)
            .expect("a valid hypergeometric")
            .sample(rng)
    }
}
