//! Repeat orders by buyers, on the scenario's [`RepeatPath`]:
//! - [`bgnbd`]: BG/NBD and Pareto/NBD, each buyer's next order time drawn in advance
//!   (`t + Exp(λ)`);
//! - [`daily`]: the daily model, each buyer's next repeat day drawn once per order
//!   (geometric);
//! - [`pooled`]: the daily model with exchangeable buyers, a binomial count of orders per
//!   day placed by distinct buyers drawn uniformly;
//! - [`aggregate`]: the same counts without buyers, for exchangeable agents.
//!
//! The per-buyer paths file each buyer's next order in a per-day calendar, so a day
//! touches only the buyers whose order falls on it. A change of rate (satisfaction)
//! re-draws the time, which is exact because the waiting times are memoryless; stale
//! calendar entries are skipped.

mod aggregate;
mod bgnbd;
mod daily;
mod pooled;

pub(super) use aggregate::Cohorts;

use super::plan::RepeatPath;
use super::state::{BUYER, DROPPED, World};
use crate::behaviour::{expected_future_daily_orders, expected_future_orders};
use crate::rng::SimRng;
use rand_distr::{Binomial, Distribution};

/// Orders among `b` buyers who each order with probability `r`: `Binomial(b, r)`, all of
/// them (no draw) when `r >= 1`.
fn repeat_count(b: u64, r: f64, rng: &mut SimRng) -> u64 {
    if r >= 1.0 {
        b
    } else {
        Binomial::new(b, r)
            .expect("validated probability")
            .sample(rng)
    }
}

impl World {
    /// Repeat orders falling on the current day.
    pub fn repeat_step(&mut self) {
        match self.paths.repeat {
            RepeatPath::Aggregate => self.aggregate_repeat_step(),
            RepeatPath::Pooled => self.pooled_repeat_step(),
            RepeatPath::Daily => self.daily_repeat_step(),
            RepeatPath::Bgnbd => self.bgnbd_repeat_step(),
        }
    }

    /// Calls `settle(world, i, t)` for each buyer `i` whose next repeat order (at time
    /// `t`) falls on the current day and who has not dropped out, including buyers filed
    /// for today while settling; stale entries (re-scheduled since) are skipped.
    #[inline(always)]
    fn settle_due(&mut self, mut settle: impl FnMut(&mut World, u32, f32)) {
        let d = self.day as usize;
        if d >= self.repeat_cal.len() {
            return;
        }
        loop {
            std::mem::swap(&mut self.scratch, &mut self.repeat_cal[d]);
            if self.scratch.is_empty() {
                break;
            }
            let mut list = std::mem::take(&mut self.scratch);
            for &i in &list {
                let u = i as usize;
                let t = self.next_repeat[u];
                if self.flags[u] & DROPPED != 0 || t as usize != d {
                    continue; // dropped out, or re-scheduled since
                }
                settle(self, i, t);
            }
            list.clear();
            self.scratch = list;
        }
    }

    /// Expected gross margin per first buyer over the horizon plus `clv_days` beyond it
    /// (buyers still active at the horizon continue at their current rates).
    pub fn lifetime_value(&self) -> f64 {
        if self.ledger.first_buyers == 0 {
            return f64::NAN;
        }
        let prod = self.product();
        let margin = prod.price - prod.unit_cost;
        let mut future = 0.0;
        if self.clv_days > 0.0 {
            future = match self.paths.repeat {
                RepeatPath::Aggregate | RepeatPath::Pooled => {
                    // Every alive buyer has the same repeat probability and dropout.
                    let (r, d) = self.effective_pooled();
                    let a = &self.aggregate;
                    let alive = match self.paths.repeat {
                        RepeatPath::Aggregate => (a.alive_one + a.alive_more + a.fresh) as usize,
                        _ => self.alive.len(),
                    };
                    alive as f64 * expected_future_daily_orders(r, d, self.clv_days)
                }
                RepeatPath::Daily => {
                    // In agent order: the per-agent arrays are read front to back.
                    let mut future = 0.0;
                    for u in 0..self.flags.len() {
                        if self.flags[u] & (BUYER | DROPPED) == BUYER {
                            let (r, d) = self.effective_daily(u as u32);
                            future += expected_future_daily_orders(r, d, self.clv_days);
                        }
                    }
                    future
                }
                RepeatPath::Bgnbd => {
                    let horizon = self.horizon as f64;
                    let mut future = 0.0;
                    for &i in &self.buyers {
                        if self.flags[i as usize] & DROPPED == 0 {
                            let (lambda, p) = self.effective_repurchase(i);
                            future += if self.repeat_mu.is_some() {
                                // Pareto/NBD: orders at λ' for the part of the lifetime
                                // left within `clv_days` (the slot holds its end).
                                let end = self.dropout[i as usize] as f64;
                                lambda * (end.min(horizon + self.clv_days) - horizon).max(0.0)
                            } else {
                                expected_future_orders(lambda, p, self.clv_days)
                            };
                        }
                    }
                    future
                }
            };
        }
        let in_horizon = self.ledger.revenue - self.ledger.cogs;
        (in_horizon + future * margin) / self.ledger.first_buyers as f64
    }
}
