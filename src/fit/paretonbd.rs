//! Pareto/NBD likelihood and expectations (Schmittlein, Morrison & Colombo 1987,
//! "Counting your customers: who are they and what will they do next?", *Management
//! Science* 33(1); the form of Fader & Hardie 2005, "A note on deriving the Pareto/NBD
//! model and related expressions", eqs. 22–24).
//!
//! A customer's likelihood given `(x, t_x, T)`:
//!
//! `L = Γ(r+x) α^r β^s / Γ(r) · [(α+T)^{−(r+x)} (β+T)^{−s} + s/(r+s+x) · A₀]`, with, for
//! `α >= β`,
//! `A₀ = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+t_x)) / (α+t_x)^{r+s+x}
//!     − 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+T)) / (α+T)^{r+s+x}`,
//! and for `α < β` the same with `α` and `β` swapped and `s+1` replaced by `r+x`. The case
//! split keeps the argument `z` in `[0, 1)`, where the series converges.
//!
//! Overflow and cancellation: each `2F1` is evaluated as its logarithm
//! ([`super::special::ln_hyp2f1`]), each power as `−k·ln(·)`, the difference in `A₀` as
//! `ln(e^u − e^v)` with `expm1` (exact to rounding when `t_x` is close to `T`, and `−∞`
//! at `t_x = T`), and the bracket by log-sum-exp. Nothing is exponentiated before the
//! final sum, which is where CLVTools users otherwise see the hypergeometric term
//! overflow.

use super::Rfm;
use super::special::{ln_gamma, ln_hyp2f1, log_add_exp, log_sub_exp, one_minus_power_over};

/// Pareto/NBD parameters; `alpha` and `beta` in the fit's time unit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ParetoNbd {
    /// Gamma shape of the purchase rate.
    pub r: f64,
    /// Gamma scale parameter of the purchase rate (mean rate `r/α`).
    pub alpha: f64,
    /// Gamma shape of the dropout rate.
    pub s: f64,
    /// Gamma scale parameter of the dropout rate (mean lifetime `β/(s−1)` for `s > 1`).
    pub beta: f64,
}

/// Parameter names, in the order of [`ParetoNbd::from_slice`].
pub const NAMES: [&str; 4] = ["r", "alpha", "s", "beta"];

impl ParetoNbd {
    /// From `[r, alpha, s, beta]`.
    pub fn from_slice(p: &[f64]) -> Self {
        ParetoNbd {
            r: p[0],
            alpha: p[1],
            s: p[2],
            beta: p[3],
        }
    }

    /// The log-likelihood of the customers' summaries.
    pub fn log_likelihood(&self, data: &[Rfm]) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        if !(r > 0.0 && alpha > 0.0 && s > 0.0 && beta > 0.0) {
            return f64::NAN;
        }
        let base = r * alpha.ln() + s * beta.ln() - ln_gamma(r);
        super::sum_over_customers(data, |x| base + ln_gamma(r + x), |c| self.ln_terms(c).0)
    }

    /// The logarithm of the bracket, and of its first term (alive at `T`).
    fn ln_terms(&self, c: &Rfm) -> (f64, f64) {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = c.x as f64;
        let alive = -(r + x) * (alpha + c.t).ln() - s * (beta + c.t).ln();
        let a1 = r + s + x;
        let (m, second) = if alpha >= beta {
            (alpha, s + 1.0)
        } else {
            (beta, r + x)
        };
        let d = (alpha - beta).abs();
        let at = |t: f64| ln_hyp2f1(a1, second, a1 + 1.0, d / (m + t)) - a1 * (m + t).ln();
        let ln_a0 = if c.t_x >= c.t {
            f64::NEG_INFINITY
        } else {
            log_sub_exp(at(c.t_x), at(c.t))
        };
        let died = (s / a1).ln() + ln_a0;
        (log_add_exp(alive, died), alive)
    }

    /// Probability that the customer is alive at `T`: the bracket's first term over the
    /// bracket (Fader & Hardie 2005 note, eq. 25).
    pub fn p_alive(&self, c: &Rfm) -> f64 {
        let (all, alive) = self.ln_terms(c);
        (alive - all).exp()
    }

    /// Expected repeat transactions in `(0, t]` of a new customer:
    /// `rβ/(α(s−1)) · [1 − (β/(β+t))^{s−1}]` (`(rβ/α) ln(1 + t/β)` at `s = 1`).
    pub fn expected(&self, t: f64) -> f64 {
        crate::behaviour::paretonbd_expected_repeats(self.r, self.alpha, self.s, self.beta, t)
    }

    /// Expected transactions in `(T, T+t]` of a customer with summary `c` (Fader & Hardie
    /// 2005 note, eq. 28): `(r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}] ·
    /// P(alive)`.
    pub fn conditional(&self, c: &Rfm, t: f64) -> f64 {
        let x = c.x as f64;
        let u = self.beta + c.t;
        (self.r + x) * u / (self.alpha + c.t)
            * one_minus_power_over(u, t, self.s - 1.0)
            * self.p_alive(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two branches (`α >= β`, `α < β`) are the same function: near `α = β` both give
    /// the same likelihood, and at `α = β` exactly `A₀ = (α+t_x)^{−(r+s+x)} −
    /// (α+T)^{−(r+s+x)}` (the `2F1` at `z = 0` is 1).
    #[test]
    fn branches_agree_at_alpha_equal_beta() {
        let c = Rfm {
            x: 3,
            t_x: 20.0,
            t: 35.0,
        };
        let p = |alpha: f64, beta: f64| {
            ParetoNbd {
                r: 0.6,
                alpha,
                s: 0.8,
                beta,
            }
            .log_likelihood(&[c])
        };
        let (lo, hi) = (p(10.0 - 1e-7, 10.0), p(10.0, 10.0 - 1e-7));
        assert!((lo - hi).abs() < 1e-7, "{lo} {hi}");
        let (r, s, x, a) = (0.6f64, 0.8f64, 3.0f64, 10.0f64);
        let k = r + s + x;
        let a0 = (a + 20.0).powf(-k) - (a + 35.0).powf(-k);
        let l = ln_gamma(r + x) + r * a.ln() + s * a.ln() - ln_gamma(r)
            + ((a + 35.0).powf(-(r + x)) * (a + 35.0).powf(-s) + s / k * a0).ln();
        assert!(
            (p(10.0, 10.0) - l).abs() < 1e-12 * l.abs(),
            "{} {l}",
            p(10.0, 10.0)
        );
    }

    /// A heavy buyer with an extreme `α/β` ratio: the likelihood stays finite where the
    /// hypergeometric term alone overflows `f64`.
    #[test]
    fn extreme_buyer_is_finite() {
        let p = ParetoNbd {
            r: 2.0,
            alpha: 1.0,
            s: 0.5,
            beta: 1000.0,
        };
        let c = Rfm {
            x: 400,
            t_x: 700.0,
            t: 730.0,
        };
        assert!(p.log_likelihood(&[c]).is_finite());
        assert!((0.0..=1.0).contains(&p.p_alive(&c)));
    }
}
