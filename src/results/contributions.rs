//! Each mechanism's contribution to a campaign's increment: the per-trial record (see
//! `crate::shapley` for the estimators) and its summary across trials.
//!
//! ## Summary estimators
//! - A contribution's mean, sd, quantiles and 95% interval across trials are those of
//!   [`super::summarize`]: the per-trial values are paired differences on common random
//!   numbers, so the interval is the paired one.
//! - For sampled Shapley values the across-trial spread already holds the sampling error
//!   of the random orders; its share is reported as `order_se`, the standard error the
//!   orders alone add to the mean: `sqrt(Σ var_i) / n` over the trials' estimated
//!   variances `var_i`.
//! - A mechanism's incremental cost per acquisition is a ratio of means, `Σ cost / Σ
//!   first buyers` of its Shapley values (undefined when the buyers' sum is not positive
//!   or the cost's is 0), with a delta-method 95% interval: `R ± 1.96 · sqrt(s²_c − 2R
//!   s_cb + R² s²_b) / (√n · b̄)`, `s` the sample (co)variances of the per-trial costs
//!   and buyers.

use super::TrialResult;
use super::outcome::Outcome;
use super::summary::{MetricSummary, summarize};

/// Each mechanism's contribution to one trial's increment over the no-campaign world, per
/// [`Outcome::FIELDS`] value (see `crate::shapley`).
#[derive(Debug, Clone, PartialEq)]
pub struct Contributions {
    /// `v(N) − v(N ∖ {m})` per mechanism, in plan order.
    pub leave_one_out: Vec<[f64; 6]>,
    /// Shapley values per mechanism, in plan order; they add up to the increment.
    pub shapley: Vec<[f64; 6]>,
    /// The estimated variance of each sampled Shapley value from the random orders (0
    /// when exact).
    pub shapley_var: Vec<[f64; 6]>,
    /// Whether the Shapley values are exact (all subsets simulated).
    pub exact: bool,
    /// Worlds simulated for the trial, the campaign and the no-campaign world included.
    pub worlds: u32,
}

/// How a contribution is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimator {
    /// Shapley values (they add up to the increment).
    Shapley,
    /// `v(N) − v(N ∖ {m})` (they need not add up).
    LeaveOneOut,
}

impl Estimator {
    /// Its name in outputs.
    pub fn key(self) -> &'static str {
        match self {
            Estimator::Shapley => "shapley",
            Estimator::LeaveOneOut => "leave_one_out",
        }
    }
}

/// One mechanism's contribution to one outcome, summarised across trials.
#[derive(Debug, Clone, PartialEq)]
pub struct ContributionSummary {
    /// The mechanism's key.
    pub mechanism: String,
    /// How it is estimated.
    pub estimator: Estimator,
    /// Which outcome ([`Outcome::FIELDS`]).
    pub outcome: &'static str,
    /// Its summary across trials.
    pub summary: MetricSummary,
    /// The standard error the random orders alone add to the mean (0 when exact).
    pub order_se: f64,
}

/// A mechanism's incremental cost per acquisition from its Shapley values: estimate and
/// 95% interval (NaN when undefined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioEstimate {
    /// `Σ cost / Σ first buyers`.
    pub estimate: f64,
    /// Lower bound of the delta-method 95% interval.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The summaries of every mechanism's contributions in `trials` (mechanism keys in plan
/// order), Shapley first, then leave-one-out; empty when the trials have none.
pub fn summarize_contributions(
    mechanisms: &[String],
    trials: &[TrialResult],
) -> Vec<ContributionSummary> {
    let per: Vec<&Contributions> = trials
        .iter()
        .filter_map(|t| t.contributions.as_ref())
        .collect();
    if per.is_empty() {
        return Vec::new();
    }
    let n = per.len() as f64;
    let mut out = Vec::new();
    for est in [Estimator::Shapley, Estimator::LeaveOneOut] {
        for (m, key) in mechanisms.iter().enumerate() {
            for (k, outcome) in Outcome::FIELDS.iter().enumerate() {
                let values: Vec<f64> = per
                    .iter()
                    .map(|c| match est {
                        Estimator::Shapley => c.shapley[m][k],
                        Estimator::LeaveOneOut => c.leave_one_out[m][k],
                    })
                    .collect();
                let order_se = match est {
                    Estimator::Shapley => {
                        per.iter().map(|c| c.shapley_var[m][k]).sum::<f64>().sqrt() / n
                    }
                    Estimator::LeaveOneOut => 0.0,
                };
                out.push(ContributionSummary {
                    mechanism: key.clone(),
                    estimator: est,
                    outcome,
                    summary: summarize(&format!("{}_{outcome}", est.key()), &values),
                    order_se,
                });
            }
        }
    }
    out
}

/// Mechanism `m`'s incremental cost per acquisition from its per-trial Shapley values.
pub fn mechanism_icpa(m: usize, trials: &[TrialResult]) -> RatioEstimate {
    let pairs: Vec<(f64, f64)> = trials
        .iter()
        .filter_map(|t| t.contributions.as_ref())
        .map(|c| {
            (
                c.shapley[m][Outcome::COST],
                c.shapley[m][Outcome::FIRST_BUYERS],
            )
        })
        .collect();
    ratio_of_means(&pairs)
}

/// `Σ x / Σ y` over `(x, y)` pairs with its delta-method 95% interval.
pub fn ratio_of_means(pairs: &[(f64, f64)]) -> RatioEstimate {
    let undefined = RatioEstimate {
        estimate: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
    };
    let n = pairs.len() as f64;
    if pairs.len() < 2 {
        return undefined;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    if my <= 0.0 || mx == 0.0 {
        return undefined;
    }
    let r = mx / my;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for &(x, y) in pairs {
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
        sxy += (x - mx) * (y - my);
    }
    let var = (sxx - 2.0 * r * sxy + r * r * syy) / (n - 1.0);
    let half = 1.96 * var.max(0.0).sqrt() / (n.sqrt() * my);
    RatioEstimate {
        estimate: r,
        low: r - half,
        high: r + half,
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
        assert_eq!(r.estimate, 3.0);
        assert!((r.high - r.low).abs() < 1e-12);
        // A fixed cost over varying buyers: the interval widens with the buyers' spread.
        let fixed = [(10.0, 4.0), (10.0, 6.0), (10.0, 5.0), (10.0, 5.0)];
        let r = ratio_of_means(&fixed);
        assert_eq!(r.estimate, 2.0);
        // s²_b = 2/3, R = 2: half = 1.96 · sqrt(4 · 2/3) / (2 · 5).
        let half = 1.96 * (4.0f64 * 2.0 / 3.0).sqrt() / 10.0;
        assert!((r.high - 2.0 - half).abs() < 1e-12);
        // No buyers bought by the mechanism: undefined.
        assert!(
            ratio_of_means(&[(10.0, 0.0), (10.0, -1.0)])
                .estimate
                .is_nan()
        );
    }
}
