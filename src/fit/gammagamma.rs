//! The Gamma-Gamma model of order value (Fader, Hardie & Lee 2005, "RFM and CLV: using
//! iso-value curves for customer base analysis", *Journal of Marketing Research* 42(4);
//! Fader & Hardie 2013, "The Gamma-Gamma model of monetary value").
//!
//! A customer's order values are `z ~ Gamma(p, ν)` (shape `p`, rate `ν`), independent of
//! the purchase process, with `ν ~ Gamma(q, γ)` across customers. The mean `m_x` of a
//! customer's `x` repeat orders has the likelihood
//!
//! `f(m_x | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m_x^{px−1} x^{px} / (γ + x m_x)^{px+q}`,
//!
//! written here in logarithms. The population mean order value is `pγ/(q−1)` (`q > 1`);
//! a customer's expected order value is `(γ + x m_x) p / (px + q − 1)`, a weighted average
//! of that mean and the customer's own.

use super::special::ln_gamma;

/// Gamma-Gamma parameters (order values in the log's currency).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GammaGamma {
    /// Gamma shape of a customer's order values.
    pub p: f64,
    /// Gamma shape of the customers' rates `ν`.
    pub q: f64,
    /// Gamma scale parameter of the customers' rates `ν`.
    pub gamma: f64,
}

/// Parameter names, in the order of [`GammaGamma::from_slice`].
pub const NAMES: [&str; 3] = ["p", "q", "gamma"];

/// One repeat buyer's order values: `x` repeat orders of mean `mean`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spend {
    /// Repeat orders (at least 1).
    pub x: u32,
    /// Their mean value (> 0).
    pub mean: f64,
}

impl GammaGamma {
    /// From `[p, q, gamma]`.
    pub fn from_slice(v: &[f64]) -> Self {
        GammaGamma {
            p: v[0],
            q: v[1],
            gamma: v[2],
        }
    }

    /// The log-likelihood of the repeat buyers' mean order values.
    pub fn log_likelihood(&self, data: &[Spend]) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        if !(p > 0.0 && q > 0.0 && gamma > 0.0) {
            return f64::NAN;
        }
        let base = q * gamma.ln() - ln_gamma(q);
        data.iter()
            .map(|d| {
                let x = d.x as f64;
                let px = p * x;
                base + ln_gamma(px + q) - ln_gamma(px) + (px - 1.0) * d.mean.ln() + px * x.ln()
                    - (px + q) * (gamma + x * d.mean).ln()
            })
            .sum()
    }

    /// The population's mean order value `pγ/(q−1)` (infinite for `q <= 1`).
    pub fn mean_value(&self) -> f64 {
        if self.q <= 1.0 {
            f64::INFINITY
        } else {
            self.p * self.gamma / (self.q - 1.0)
        }
    }

    /// The variance of one order's value across the population,
    /// `pγ²/((q−1)(q−2)) + p²γ²/((q−1)²(q−2))` (infinite for `q <= 2`).
    pub fn value_variance(&self) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        if q <= 2.0 {
            f64::INFINITY
        } else {
            p * gamma * gamma / ((q - 1.0) * (q - 2.0))
                + p * p * gamma * gamma / ((q - 1.0) * (q - 1.0) * (q - 2.0))
        }
    }

    /// The customer's expected order value given `x` repeat orders of mean `mean`.
    pub fn conditional_value(&self, x: u32, mean: f64) -> f64 {
        let x = x as f64;
        (self.gamma + x * mean) * self.p / (self.p * x + self.q - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The density of `m_x` integrates to 1 (trapezoid on a log grid; 1e-4 is the grid's
    /// error), and with `x = 1` it is the Gamma mixture's density of one order.
    #[test]
    fn density_integrates_to_one() {
        let g = GammaGamma {
            p: 6.0,
            q: 3.8,
            gamma: 15.0,
        };
        for x in [1u32, 4] {
            let (mut sum, mut prev) = (0.0, None::<(f64, f64)>);
            for k in 0..=60_000 {
                let m = (-8.0 + 16.0 * k as f64 / 60_000.0).exp();
                let f = g.log_likelihood(&[Spend { x, mean: m }]).exp();
                if let Some((m0, f0)) = prev {
                    sum += 0.5 * (f + f0) * (m - m0);
                }
                prev = Some((m, f));
            }
            assert!((sum - 1.0).abs() < 1e-4, "x = {x}: {sum}");
        }
        assert!((g.mean_value() - 6.0 * 15.0 / 2.8).abs() < 1e-12);
    }
}
