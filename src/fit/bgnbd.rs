//! BG/NBD likelihood and expectations (Fader, Hardie & Lee 2005, "Counting your customers
//! the easy way", *Marketing Science* 24(2)).
//!
//! A customer's likelihood given `(x, t_x, T)` (eq. 6, with `B(a+1, b+x−1)/B(a, b) =
//! B(a, b+x)/B(a, b) · a/(b+x−1)`):
//!
//! `L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / Γ(r) · [(α+T)^{−(r+x)} + 1{x>0} · a/(b+x−1) ·
//! (α+t_x)^{−(r+x)}]`,
//!
//! evaluated in logarithms: the `Γ` and `B` ratios through `ln Γ`, the bracket by
//! log-sum-exp of its two terms, so neither `(α+T)^{r+x}` for a frequent buyer nor a tiny
//! second term overflows or vanishes. The factors that depend on `x` only are computed
//! once per distinct `x`.

use super::Rfm;
use super::special::{ln_gamma, ln_hyp2f1, log_add_exp};

/// BG/NBD parameters; `alpha` in the fit's time unit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BgNbd {
    /// Gamma shape of the purchase rate.
    pub r: f64,
    /// Gamma scale parameter of the purchase rate (mean rate `r/α`).
    pub alpha: f64,
    /// Beta `a` of the dropout probability.
    pub a: f64,
    /// Beta `b` of the dropout probability.
    pub b: f64,
}

/// Parameter names, in the order of [`BgNbd::from_slice`].
pub const NAMES: [&str; 4] = ["r", "alpha", "a", "b"];

impl BgNbd {
    /// From `[r, alpha, a, b]`.
    pub fn from_slice(p: &[f64]) -> Self {
        BgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        }
    }

    /// The log-likelihood of the customers' summaries.
    pub fn log_likelihood(&self, data: &[Rfm]) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        if !(r > 0.0 && alpha > 0.0 && a > 0.0 && b > 0.0) {
            return f64::NAN;
        }
        let base = r * alpha.ln() - ln_gamma(r) + ln_gamma(a + b) - ln_gamma(b);
        // ln[B(a, b+x)/B(a, b) · Γ(r+x)/Γ(r) · α^r], then the bracket.
        super::sum_over_customers(
            data,
            |x| base + ln_gamma(r + x) + ln_gamma(b + x) - ln_gamma(a + b + x),
            |c| self.ln_terms(c).0,
        )
    }

    /// The logarithm of the bracket of eq. 6, and of its first term (alive at `T`).
    fn ln_terms(&self, c: &Rfm) -> (f64, f64) {
        let rx = self.r + c.x as f64;
        let alive = -rx * (self.alpha + c.t).ln();
        if c.x == 0 {
            return (alive, alive);
        }
        let dropped =
            self.a.ln() - (self.b + c.x as f64 - 1.0).ln() - rx * (self.alpha + c.t_x).ln();
        (log_add_exp(alive, dropped), alive)
    }

    /// Probability that the customer is alive at `T` (eq. 13 of the technical note, the
    /// ratio of the bracket's first term to the bracket).
    pub fn p_alive(&self, c: &Rfm) -> f64 {
        let (all, alive) = self.ln_terms(c);
        (alive - all).exp()
    }

    /// Expected repeat transactions in `(0, t]` of a new customer (eq. 9; `a > 1`).
    pub fn expected(&self, t: f64) -> f64 {
        crate::behaviour::bgnbd_expected_repeats(self.r, self.alpha, self.a, self.b, t)
    }

    /// Expected transactions in `(T, T+t]` of a customer with summary `c` (eq. 10;
    /// NaN when `a + b + x − 1 <= 0` or `a = 1`):
    /// `(a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
    /// · P(alive)`.
    pub fn conditional(&self, c: &Rfm, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = c.x as f64;
        let cc = a + b + x - 1.0;
        if cc <= 0.0 || a == 1.0 {
            return f64::NAN;
        }
        let u = alpha + c.t;
        let f = ln_hyp2f1(r + x, b + x, cc, t / (u + t));
        let inner = -((r + x) * (u / (u + t)).ln() + f).exp_m1();
        cc / (a - 1.0) * inner * self.p_alive(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published CDNOW fit (r = 0.243, α = 4.414, a = 0.793, b = 2.426, weeks) and the
    /// paper's worked customer (x = 2, t_x = 30.43, T = 38.86): E[Y(39) | ·] = 1.226 (FHL
    /// 2005, section 4, to the three decimals printed). E[X(t)] at t = 0 is 0 and grows.
    #[test]
    fn published_cdnow_figures() {
        let p = BgNbd {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let c = Rfm {
            x: 2,
            t_x: 30.43,
            t: 38.86,
        };
        let e = p.conditional(&c, 39.0);
        assert!((e - 1.226).abs() < 0.0015, "{e}");
        let pa = p.p_alive(&Rfm {
            x: 0,
            t_x: 0.0,
            t: 10.0,
        });
        assert_eq!(pa, 1.0);
    }

    /// With `x = 0` the likelihood is `(α/(α+T))^r` (no purchase, alive or not, since
    /// dropout happens only after a purchase).
    #[test]
    fn no_repeat_likelihood() {
        let p = BgNbd {
            r: 0.7,
            alpha: 3.0,
            a: 1.2,
            b: 2.0,
        };
        let c = Rfm {
            x: 0,
            t_x: 0.0,
            t: 20.0,
        };
        let ll = p.log_likelihood(&[c]);
        let exact = 0.7 * (3.0f64 / 23.0).ln();
        assert!((ll - exact).abs() < 1e-13, "{ll} {exact}");
    }
}
