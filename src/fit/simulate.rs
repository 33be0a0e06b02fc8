//! Synthetic order logs with known parameters, for recovery tests and worked examples.
//!
//! Each customer's first purchase is at a uniform time over the first `cohort_days` days
//! (a cohort acquired over the first months, as in a real log). From it:
//! - BG/NBD: `λ ~ Gamma(r, α)`, `p ~ Beta(a, b)`; purchases at `t + Exp(λ)`, and after each
//!   repeat purchase the customer drops out with probability `p` (the first purchase
//!   never ends a lifetime, as in FHL 2005's likelihood);
//! - Pareto/NBD: `λ ~ Gamma(r, α)`, `μ ~ Gamma(s, β)`; purchases at `t + Exp(λ)` until the
//!   lifetime `Exp(μ)` ends.
//!
//! Order values (optional) follow the Gamma-Gamma model: `ν ~ Gamma(q, γ)` per customer,
//! each order `Gamma(p, ν)`, rounded to cents. Orders past `days` are not in the log.
//! Customer `i` draws from its own stream (`stream::FIT_LOG`, agent `i`), so a customer's
//! orders do not depend on how many customers are drawn.

use super::bgnbd::BgNbd;
use super::gammagamma::GammaGamma;
use super::log::{Order, OrderLog};
use super::paretonbd::ParetoNbd;
use crate::rng::{agent_rng, stream, trial_key};
use rand::RngExt;
use rand_distr::{Beta, Distribution, Exp1, Gamma};

/// The process that generates the log, rates per day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Truth {
    /// BG/NBD.
    BgNbd(BgNbd),
    /// Pareto/NBD.
    ParetoNbd(ParetoNbd),
}

/// What to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogSpec {
    /// The purchase process.
    pub truth: Truth,
    /// Customers.
    pub customers: u32,
    /// First purchases spread uniformly over this many days.
    pub cohort_days: u32,
    /// Length of the log in days.
    pub days: u32,
    /// The log's first day ([`super::log::days_from_civil`] numbering).
    pub start: i64,
    /// Order values, if any.
    pub value: Option<GammaGamma>,
    /// Seed.
    pub seed: u64,
}

/// Simulates the log: one row per order, same-day orders merged as a read log's are.
pub fn simulate(spec: &LogSpec) -> Result<OrderLog, String> {
    let key = trial_key(spec.seed, 0);
    let bad = |e: rand_distr::GammaError| format!("invalid Gamma parameter: {e}");
    let mut orders = Vec::new();
    let horizon = spec.days as f64;
    for i in 0..spec.customers {
        let mut rng = agent_rng(key, stream::FIT_LOG, i, 0);
        let t0 = rng.random::<f64>() * spec.cohort_days as f64;
        let value = match spec.value {
            Some(g) => {
                let nu = Gamma::new(g.q, 1.0 / g.gamma)
                    .map_err(bad)?
                    .sample(&mut rng);
                Some(Gamma::new(g.p, 1.0 / nu).map_err(bad)?)
            }
            None => None,
        };
        let mut push = |t: f64, rng: &mut crate::rng::SimRng| {
            let amount = value.map(|d| (d.sample(rng) * 100.0).round().max(1.0) / 100.0);
            orders.push(Order {
                customer: i,
                day: spec.start + t.floor() as i64,
                amount,
            });
        };
        push(t0, &mut rng);
        match spec.truth {
            Truth::BgNbd(p) => {
                let lambda = Gamma::new(p.r, 1.0 / p.alpha)
                    .map_err(bad)?
                    .sample(&mut rng);
                let drop = Beta::new(p.a, p.b)
                    .map_err(|e| format!("invalid Beta parameter: {e}"))?
                    .sample(&mut rng);
                let mut t = t0;
                loop {
                    let e: f64 = Exp1.sample(&mut rng);
                    t += e / lambda;
                    if t >= horizon {
                        break;
                    }
                    push(t, &mut rng);
                    if rng.random::<f64>() < drop {
                        break;
                    }
                }
            }
            Truth::ParetoNbd(p) => {
                let lambda = Gamma::new(p.r, 1.0 / p.alpha)
                    .map_err(bad)?
                    .sample(&mut rng);
                let mu = Gamma::new(p.s, 1.0 / p.beta).map_err(bad)?.sample(&mut rng);
                let e: f64 = Exp1.sample(&mut rng);
                let end = (t0 + e / mu).min(horizon);
                let mut t = t0;
                loop {
                    let e: f64 = Exp1.sample(&mut rng);
                    t += e / lambda;
                    if t >= end {
                        break;
                    }
                    push(t, &mut rng);
                }
            }
        }
    }
    let ids = (0..spec.customers)
        .map(|i| format!("C{:05}", i + 1))
        .collect();
    Ok(OrderLog::from_orders(ids, orders, spec.value.is_some()))
}
