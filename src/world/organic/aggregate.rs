//! Exchangeable agents ([`super::super::plan::OrganicPath::Aggregate`]): one innovation
//! rate, no mechanism, plain orders and pooled repeats. Then who buys carries no
//! information that any later step or output uses, only how many: each pool keeps its
//! count of non-buyers and buyers. A pool-day's first purchases are the number of
//! candidates of its thinning walk at the pool's hazard, `Binomial(n, h)`, with one
//! `Exp(1)` draw per purchase and the budget carried as in the pool walks (the walk is
//! the pool walk's, draw for draw, when every hazard is at most
//! [`crate::thinning::DENSE_ABOVE`]); above that a binomial draw.

use super::super::state::World;
use crate::rng::SimRng;
use crate::thinning::{DENSE_ABOVE, budget_or_draw, carried_walk};
use rand_distr::{Binomial, Distribution};

impl World {
    /// How many of pool `g`'s non-buyers buy today at hazard `h`.
    fn count_purchases(&mut self, g: usize, h: f64, rng: &mut SimRng) -> u32 {
        let len = self.seg_len[g] as usize;
        if len == 0 || h <= 0.0 {
            return 0;
        }
        if h > DENSE_ABOVE {
            return Binomial::new(len as u64, h.min(1.0))
                .expect("probability in (0, 1]")
                .sample(rng) as u32;
        }
        let rates = self.jump_rate.get(h);
        let mut e = budget_or_draw(self.walk_budget[g], rng);
        let mut k = 0u32;
        carried_walk(&mut e, len, rates, rng, |_, _| k += 1);
        self.walk_budget[g] = e;
        k
    }

    /// Each pool-day's first purchases, counted and booked as plain orders.
    pub(super) fn aggregate_organic_step(&mut self) {
        let mut rng = self.organic_rng.take().expect("reset");
        let beh = self.beh.take().expect("reset");
        let mut bought = 0u64;
        for g in 0..self.pop.pools.len() {
            let f = self.pool_share(g);
            let h = beh.organic_hazard(self.pop.pool_p_max[g], f, 0.0);
            let k = self.count_purchases(g, h, &mut rng);
            self.seg_len[g] -= k;
            self.pool_buyers[g] += k;
            bought += k as u64;
        }
        self.beh = Some(beh);
        self.organic_rng = Some(rng);
        self.book_plain_orders(bought);
        self.ledger.first_buyers += bought as u32;
        self.aggregate.fresh += bought;
    }
}
