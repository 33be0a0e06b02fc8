//! The daily repeat model with exchangeable buyers
//! ([`super::super::plan::RepeatPath::Pooled`]: one repeat probability `r`, no mechanism,
//! satisfaction unable to move it). Each buyer alive at the start of the day orders with
//! probability `r` independently, so the day's repeat orders are `K ~ Binomial(B, r)` over
//! the `B` such buyers, placed by `K` distinct buyers drawn uniformly (a partial
//! Fisher–Yates shuffle of the alive list): the same joint law as `B` coins, for a
//! binomial draw and `K` picks instead of `B` coins or a waiting-time draw per order. Each
//! then drops out with probability `d`. Draws come from the trial's pooled-repeat stream.

use super::super::state::{DROPPED, World};
use super::repeat_count;
use rand::RngExt;

impl World {
    /// The repeat probability and dropout every alive buyer shares: the daily model's at
    /// neutral satisfaction (satisfaction is neutral, or has no effect).
    pub(in crate::world) fn effective_pooled(&self) -> (f64, f64) {
        let b = self.beh();
        let (r, d) = b.repurchase_after_satisfaction(b.daily_r, b.daily_dropout, 0.5);
        (r.min(1.0), d)
    }

    /// The day's orders, placed by distinct alive buyers.
    pub(super) fn pooled_repeat_step(&mut self) {
        let b = self.alive_start;
        let (r, dropout) = self.effective_pooled();
        if b == 0 || r <= 0.0 {
            return;
        }
        let mut rng = self.repeat_rng.take().expect("reset");
        let k = repeat_count(b as u64, r, &mut rng) as usize;
        let mut picked = std::mem::take(&mut self.scratch);
        picked.clear();
        for j in 0..k {
            let m = rng.random_range(j..b);
            self.alive.swap(j, m);
            let (x, y) = (self.alive[j], self.alive[m]);
            self.pos[x as usize] = j as u32;
            self.pos[y as usize] = m as u32;
            picked.push(x);
        }
        let time = self.day as f64 + 0.5;
        for &i in &picked {
            self.book_order(i, 0.0, time, false);
            if dropout > 0.0 && rng.random::<f64>() < dropout {
                self.flags[i as usize] |= DROPPED;
                self.remove_alive(i);
            }
        }
        picked.clear();
        self.scratch = picked;
        self.repeat_rng = Some(rng);
    }

    fn remove_alive(&mut self, i: u32) {
        let at = self.pos[i as usize] as usize;
        let moved = self.alive.pop().expect("buyer in the alive list");
        if moved != i {
            self.alive[at] = moved;
            self.pos[moved as usize] = at as u32;
        }
    }
}
