//! Repeat orders of exchangeable agents ([`super::super::plan::RepeatPath::Aggregate`]):
//! the counts the pooled path produces by placing orders, without buyers. `K ~
//! Binomial(B, r)` orders from the `B` buyers alive at the start of the day,
//! `Hypergeometric(B, B₁, K)` of them (drawn pick by pick) by buyers with one order so far
//! (who become repeat buyers), then `Binomial(K, d)` of the `K` drop out.

use super::super::state::World;
use super::repeat_count;
use rand::RngExt;
use rand_distr::{Binomial, Distribution};

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
        self.ledger.repeat_buyers += ones as u32;
        a.alive_one -= ones;
        a.alive_more += ones;
        if dropout > 0.0 && k > 0 {
            let d = Binomial::new(k, dropout)
                .expect("validated probability")
                .sample(&mut rng);
            a.alive_more -= d;
        }
        self.aggregate = a;
        self.repeat_rng = Some(rng);
    }
}
