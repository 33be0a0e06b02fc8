//! Point estimates with 95% intervals, each naming its estimator.
//!
//! A [`MetricSummary`](super::MetricSummary) describes one per-trial column (mean, spread,
//! quantiles). Some figures a planner ranks on are not the mean of a column:
//!
//! - **ratio of means** `R = x̄ / ȳ` (incremental cost per acquisition: mean cost over mean
//!   incremental first buyers). The mean of per-trial ratios is not used: it is undefined
//!   whenever one trial's denominator is ≤ 0 and dominated by trials with a small one.
//!   Interval by the delta method, `R ± z · s_u / √n` with the linearised values
//!   `u_i = (x_i − R·y_i) / ȳ` (Cochran 1977, *Sampling Techniques*, 6.4), `z` the normal
//!   0.975 quantile. For two candidates on common random numbers the difference `R_A − R_B`
//!   has the linearised values `u_Ai − u_Bi`, trial by trial, so the pairing carries over.
//!   When the denominator's own interval `ȳ ± z · s_y / √n` reaches zero the ratio's
//!   confidence set is unbounded (Fieller 1954): the delta method would give a finite but
//!   meaningless interval there, so the bounds are infinite.
//! - **proportion** `k / n` of trials in which an event happened (the campaign paid back):
//!   Wilson's score interval (Wilson 1927), which stays inside [0, 1] and keeps its
//!   coverage near 0 and 1, where the Student-t interval of a 0/1 column collapses or
//!   leaves [0, 1] (Brown, Cai & DasGupta 2001).
//! - **mean** of a column: the Student-t interval of [`super::summarize`].

use serde::Serialize;

/// The normal distribution's 0.975 quantile.
pub const Z975: f64 = 1.959_963_984_540_054;

/// How an [`Estimate`] was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Mean of the per-trial values, Student-t interval.
    Mean,
    /// `x̄ / ȳ`, delta-method interval.
    RatioOfMeans,
    /// Share of trials, Wilson score interval.
    Wilson,
}

impl Method {
    /// The estimator in words, for outputs.
    pub fn words(self) -> &'static str {
        match self {
            Method::Mean => "mean across trials, Student-t 95% interval",
            Method::RatioOfMeans => "ratio of means across trials, delta-method 95% interval",
            Method::Wilson => "share of trials, Wilson score 95% interval",
        }
    }
}

/// An estimate and its 95% interval (NaN when undefined).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimator.
    pub method: Method,
    /// Trials used.
    pub n: usize,
    /// The estimate.
    pub value: f64,
    /// Lower bound of the 95% interval.
    pub low: f64,
    /// Upper bound of the 95% interval.
    pub high: f64,
}

impl Estimate {
    /// An undefined estimate from `n` trials.
    pub fn undefined(method: Method, n: usize) -> Estimate {
        Estimate {
            method,
            n,
            value: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        }
    }

    /// The mean of a metric's summary with its Student-t interval.
    pub fn mean_of(s: &super::MetricSummary) -> Estimate {
        Estimate {
            method: Method::Mean,
            n: s.n,
            value: s.mean,
            low: s.ci95_low,
            high: s.ci95_high,
        }
    }

    /// Whether the estimate is a number.
    pub fn is_defined(&self) -> bool {
        self.value.is_finite()
    }

    /// Whether the interval lies entirely above zero.
    pub fn above_zero(&self) -> bool {
        self.low > 0.0
    }

    /// Whether the interval lies entirely below zero.
    pub fn below_zero(&self) -> bool {
        self.high < 0.0
    }
}

/// `Σ x / Σ y` over `(x, y)` pairs with its delta-method 95% interval; undefined with
/// fewer than two pairs or when `ȳ ≤ 0` (nothing bought), unbounded when `ȳ`'s interval
/// reaches zero. Nothing spent for something bought is a ratio of 0.
pub fn ratio_of_means(pairs: &[(f64, f64)]) -> Estimate {
    match ratio_parts(pairs) {
        Some((r, u)) => {
            let half = if denominator_is_clear(pairs) {
                Z975 * sd(&u) / (u.len() as f64).sqrt()
            } else {
                f64::INFINITY
            };
            Estimate {
                method: Method::RatioOfMeans,
                n: u.len(),
                value: r,
                low: r - half,
                high: r + half,
            }
        }
        None => Estimate::undefined(Method::RatioOfMeans, pairs.len()),
    }
}

/// `R_A − R_B` for two candidates' `(x, y)` pairs of the same trials (common random
/// numbers), with the delta-method 95% interval of the paired difference; undefined when
/// either ratio is.
pub fn paired_ratio_difference(a: &[(f64, f64)], b: &[(f64, f64)]) -> Estimate {
    let n = a.len().min(b.len());
    let (Some((ra, ua)), Some((rb, ub))) = (ratio_parts(&a[..n]), ratio_parts(&b[..n])) else {
        return Estimate::undefined(Method::RatioOfMeans, n);
    };
    let d: Vec<f64> = ua.iter().zip(&ub).map(|(x, y)| x - y).collect();
    let half = if denominator_is_clear(&a[..n]) && denominator_is_clear(&b[..n]) {
        Z975 * sd(&d) / (n as f64).sqrt()
    } else {
        f64::INFINITY
    };
    let value = ra - rb;
    Estimate {
        method: Method::RatioOfMeans,
        n,
        value,
        low: value - half,
        high: value + half,
    }
}

/// The ratio `x̄ / ȳ` and the linearised values `u_i = (x_i − R·y_i) / ȳ`.
fn ratio_parts(pairs: &[(f64, f64)]) -> Option<(f64, Vec<f64>)> {
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    if my <= 0.0 || !(mx.is_finite() && my.is_finite()) {
        return None;
    }
    let r = mx / my;
    Some((r, pairs.iter().map(|&(x, y)| (x - r * y) / my).collect()))
}

/// Whether the denominator's mean is clearly positive: `ȳ − z · s_y / √n > 0`.
fn denominator_is_clear(pairs: &[(f64, f64)]) -> bool {
    let y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let n = y.len() as f64;
    y.iter().sum::<f64>() / n - Z975 * sd(&y) / n.sqrt() > 0.0
}

/// Sample standard deviation (divisor `n − 1`).
fn sd(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0))
        .max(0.0)
        .sqrt()
}

/// The share `k / n` of 0/1 values (NaN left out) with its Wilson score 95% interval.
pub fn wilson(values: &[f64]) -> Estimate {
    let (k, n) = values
        .iter()
        .filter(|v| !v.is_nan())
        .fold((0.0, 0usize), |(k, n), &v| (k + v, n + 1));
    if n == 0 {
        return Estimate::undefined(Method::Wilson, 0);
    }
    let nf = n as f64;
    let p = k / nf;
    let z2 = Z975 * Z975;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z975 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    Estimate {
        method: Method::Wilson,
        n,
        value: p,
        // At k = 0 (k = n) the bound is 0 (1) exactly; rounding would leave a residue.
        low: if k == 0.0 { 0.0 } else { centre - half },
        high: if k == nf { 1.0 } else { centre + half },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_of_means_and_its_interval() {
        // Cost proportional to buyers: the ratio is exact and the interval has no width.
        let exact: Vec<(f64, f64)> = (1..=5).map(|k| (3.0 * k as f64, k as f64)).collect();
        let r = ratio_of_means(&exact);
        assert_eq!(r.value, 3.0);
        assert!((r.high - r.low).abs() < 1e-12);
        // A fixed cost over varying buyers: u_i = (10 − 2·y_i) / 5 = (0, −0.4, 0.4, 0, 0)
        // reordered; s_u² = 0.32 / 3, so half = z · sqrt(0.32 / 3) / 2.
        let fixed = [(10.0, 4.0), (10.0, 6.0), (10.0, 5.0), (10.0, 5.0)];
        let r = ratio_of_means(&fixed);
        assert_eq!(r.value, 2.0);
        let half = Z975 * (0.32f64 / 3.0).sqrt() / 2.0;
        assert!((r.high - 2.0 - half).abs() < 1e-12);
        // Buyers indistinguishable from none (ȳ = 1, s_y = √3): an unbounded interval.
        let r = ratio_of_means(&[(5.0, 3.0), (5.0, 0.0), (5.0, 0.0)]);
        assert_eq!(
            (r.value, r.low, r.high),
            (5.0, f64::NEG_INFINITY, f64::INFINITY)
        );
        // Nothing bought: undefined. Nothing spent for something bought: 0.
        assert!(!ratio_of_means(&[(10.0, 0.0), (10.0, -1.0)]).is_defined());
        let free = ratio_of_means(&[(0.0, 3.0), (0.0, 4.0)]);
        assert_eq!((free.value, free.low, free.high), (0.0, 0.0, 0.0));
    }

    #[test]
    fn a_paired_ratio_difference_cancels_what_both_share() {
        // B spends the same per buyer as A plus a fixed 1 per buyer on the same trials:
        // the difference is exactly −1 with no width, although each ratio alone varies.
        let a = [(10.0, 4.0), (10.0, 6.0), (12.0, 5.0)];
        let b: Vec<(f64, f64)> = a.iter().map(|&(x, y)| (x + y, y)).collect();
        let d = paired_ratio_difference(&a, &b);
        assert!((d.value + 1.0).abs() < 1e-12);
        assert!((d.high - d.low).abs() < 1e-12);
        // Independent noise gives a positive width.
        let c = [(10.0, 6.0), (10.0, 4.0), (12.0, 5.0)];
        assert!(paired_ratio_difference(&a, &c).high > paired_ratio_difference(&a, &c).low);
        // A denominator indistinguishable from zero: the difference's interval is unbounded.
        let unclear = [(5.0, 3.0), (5.0, 0.0), (5.0, 0.0)];
        let d = paired_ratio_difference(&a, &unclear);
        assert!(d.is_defined() && d.low == f64::NEG_INFINITY && d.high == f64::INFINITY);
    }

    #[test]
    fn wilson_stays_in_the_unit_interval() {
        // 0 of 20: the t interval collapses to [0, 0]; Wilson's upper bound is
        // z² / (n + z²) = 3.8415 / 23.8415.
        let w = wilson(&[0.0; 20]);
        assert_eq!((w.value, w.low), (0.0, 0.0));
        assert!((w.high - Z975 * Z975 / (20.0 + Z975 * Z975)).abs() < 1e-12);
        // 2 of 300 (a rare payback): the bounds stay positive and below 1.
        let mut v = vec![0.0; 298];
        v.extend([1.0, 1.0]);
        let w = wilson(&v);
        assert!(w.low > 0.0 && w.high < 0.03 && w.low < w.value && w.value < w.high);
        // NaN (undefined) trials are left out.
        let w = wilson(&[1.0, f64::NAN, 0.0]);
        assert_eq!((w.n, w.value), (2, 0.5));
    }
}
