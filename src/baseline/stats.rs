//! Statistics of the statistical check: Welch's unequal-variance t-test on two runs'
//! summaries, and the Bonferroni split of a family-wise false-alarm rate.
//!
//! The two runs are summarised by `(n, mean, sd)` of a metric's per-trial values (trials
//! where it is undefined left out). With `v = sd²/n` for each run:
//! - difference `d = mean_now − mean_base`, standard error `se = √(v_base + v_now)`;
//! - `t = d / se`, Welch–Satterthwaite degrees of freedom
//!   `df = (v_base + v_now)² / (v_base²/(n_base − 1) + v_now²/(n_now − 1))`;
//! - two-sided p-value `2·P(T_df > |t|)`, and the interval `d ± t(1 − a/2, df)·se`.
//!
//! Trials are independent, so each mean is asymptotically normal (central limit theorem)
//! and the test is accurate for the few hundred trials of a typical scenario even when a
//! metric is skewed.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A metric's summary in one run: trials where it is defined, mean and sample sd.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Trials where the metric is defined.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (divisor `n − 1`).
    pub sd: f64,
}

/// Welch's t-test of `now − base`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welch {
    /// `mean_now − mean_base`.
    pub diff: f64,
    /// Standard error of the difference.
    pub se: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// `diff / se`.
    pub t: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// Welch's test of the difference of two means.
///
/// `None` when it cannot be computed: fewer than two defined trials in a run, a
/// non-finite summary, or zero variance in both runs (a constant: compare exactly instead).
pub fn welch(base: Sample, now: Sample) -> Option<Welch> {
    if base.n < 2 || now.n < 2 {
        return None;
    }
    let finite = [base.mean, base.sd, now.mean, now.sd]
        .iter()
        .all(|x| x.is_finite());
    if !finite {
        return None;
    }
    let vb = base.sd * base.sd / base.n as f64;
    let vn = now.sd * now.sd / now.n as f64;
    let var = vb + vn;
    if var <= 0.0 {
        return None;
    }
    let se = var.sqrt();
    let df = var * var / (vb * vb / (base.n - 1) as f64 + vn * vn / (now.n - 1) as f64);
    let diff = now.mean - base.mean;
    let t = diff / se;
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    // The survival function keeps precision for tiny p-values, where 1 − cdf would not.
    let p = (2.0 * dist.sf(t.abs())).min(1.0);
    Some(Welch { diff, se, df, t, p })
}

impl Welch {
    /// Two-sided interval of the difference at confidence `level` (e.g. 0.95).
    pub fn interval(&self, level: f64) -> (f64, f64) {
        let q = StudentsT::new(0.0, 1.0, self.df)
            .map(|d| d.inverse_cdf(0.5 + level / 2.0))
            .unwrap_or(f64::NAN);
        (self.diff - q * self.se, self.diff + q * self.se)
    }
}

/// Per-test level of a Bonferroni split: each of `tests` tests at `alpha / tests`, so the
/// probability of at least one false alarm among them is at most `alpha` whatever their
/// correlation.
pub fn bonferroni(alpha: f64, tests: usize) -> f64 {
    alpha / tests.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(n: usize, mean: f64, sd: f64) -> Sample {
        Sample { n, mean, sd }
    }

    fn sample(xs: &[f64]) -> Sample {
        let n = xs.len();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        summary(n, mean, var.sqrt())
    }

    #[test]
    fn welch_matches_reference_values() {
        // x = 1..5, y = 2x: t = 3/√2.5 = 1.897367, df = 6.25/1.0625 = 5.882353, and
        // p = 0.107531 (the t density integrated numerically; R's t.test agrees).
        let x = sample(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let y = sample(&[2.0, 4.0, 6.0, 8.0, 10.0]);
        let w = welch(x, y).unwrap();
        assert_eq!(w.diff, 3.0);
        assert!((w.t - 1.897_366_6).abs() < 1e-6, "{w:?}");
        assert!((w.df - 5.882_352_9).abs() < 1e-6, "{w:?}");
        assert!((w.p - 0.107_531).abs() < 1e-5, "{w:?}");
        // The 1 − p interval just touches zero.
        let (lo, hi) = w.interval(1.0 - w.p);
        assert!(lo.abs() < 1e-9 && hi > 0.0, "{lo} {hi}");
        // Symmetric in the direction of the difference.
        let back = welch(y, x).unwrap();
        assert_eq!(back.p, w.p);
        assert_eq!(back.diff, -3.0);
    }

    #[test]
    fn large_samples_approach_the_normal_test() {
        // With huge n the t distribution is the normal one: |t| = 1.959964 gives p = 0.05.
        let base = summary(1_000_000, 0.0, 1.0);
        let now = Sample {
            mean: 1.959_964 * (2.0f64 / 1e6).sqrt(),
            ..base
        };
        let w = welch(base, now).unwrap();
        assert!((w.p - 0.05).abs() < 1e-5, "{w:?}");
        assert!((w.df - 1_999_998.0).abs() < 1e-3);
    }

    #[test]
    fn one_constant_run_uses_the_other_runs_df() {
        let base = summary(10, 5.0, 0.0);
        let now = summary(21, 5.5, 1.0);
        let w = welch(base, now).unwrap();
        assert!((w.df - 20.0).abs() < 1e-9);
        assert!(w.p > 0.0 && w.p < 1.0);
    }

    #[test]
    fn untestable_cases_are_none() {
        let c = summary(100, 3.0, 0.0);
        assert!(welch(c, c).is_none(), "two constants are compared exactly");
        let one = summary(1, 3.0, f64::NAN);
        assert!(welch(one, c).is_none());
        let nan = summary(5, f64::NAN, 1.0);
        assert!(welch(nan, nan).is_none());
    }

    #[test]
    fn tiny_p_values_keep_precision() {
        let base = summary(200, 0.0, 1.0);
        let now = Sample { mean: 2.0, ..base };
        let w = welch(base, now).unwrap();
        assert!(w.p > 0.0 && w.p < 1e-50, "{w:?}");
    }

    #[test]
    fn bonferroni_splits_alpha() {
        assert_eq!(bonferroni(0.01, 20), 0.0005);
        assert_eq!(bonferroni(0.05, 0), 0.05);
    }
}
