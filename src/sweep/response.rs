//! Response curves: how buyers and cost move along one parameter, and what each further
//! buyer costs between neighbouring points.
//!
//! Every point of a sweep runs the same trials (common random numbers), so point `k` and
//! point `k + 1` can be compared trial by trial. Per point:
//! - **buyers**: the mean over trials of the incremental first buyers (campaign minus the
//!   same trial without the campaign, see [`crate::results`]), or of the first buyers
//!   when the no-campaign world was not run (totals, organic buyers included), with the
//!   Student-t 95% interval;
//! - **cost**: the mean campaign cost, with its interval;
//! - **marginal cost per buyer** from the previous point: `Σ Δcost / Σ Δbuyers` over the
//!   trials, `Δ` the paired difference of the trial at the two points, a ratio of means
//!   with its delta-method interval ([`crate::results::ratio_of_means`]: unbounded when
//!   the extra buyers are indistinguishable from none, undefined when there are none).
//!   Pairing removes the market's trial-to-trial variation from both differences, which is
//!   what lets neighbouring points of a fine grid be told apart.

use crate::results::{Estimate, ratio_of_means, summarize};

/// What the buyers of a response curve count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Incremental first buyers over the no-campaign world (`inc_first_buyers`).
    Incremental,
    /// First buyers of the campaign world, organic buyers included (`first_buyers`).
    Totals,
}

impl Basis {
    /// The metric the buyers are read from.
    pub fn metric(self) -> &'static str {
        match self {
            Basis::Incremental => "inc_first_buyers",
            Basis::Totals => "first_buyers",
        }
    }

    /// The basis in words, for outputs.
    pub fn words(self) -> &'static str {
        match self {
            Basis::Incremental => {
                "incremental first buyers (campaign minus the same trial without it)"
            }
            Basis::Totals => "first buyers of the campaign world (totals, organic included)",
        }
    }
}

/// One point of a response curve.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponsePoint {
    /// The point's index in the sweep.
    pub point: usize,
    /// The parameter's value.
    pub value: f64,
    /// Mean buyers, Student-t interval.
    pub buyers: Estimate,
    /// Mean campaign cost, Student-t interval.
    pub cost: Estimate,
    /// Marginal cost per buyer from the previous point (none at the first).
    pub marginal: Option<Estimate>,
}

/// The response curve of points `(index, value, per-trial costs, per-trial buyers)` of a
/// one-parameter sweep (same trials at every point, in trial order), sorted by value.
pub fn response_curve(points: &[(usize, f64, Vec<f64>, Vec<f64>)]) -> Vec<ResponsePoint> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| points[a].1.total_cmp(&points[b].1).then(a.cmp(&b)));
    let mut out: Vec<ResponsePoint> = Vec::with_capacity(points.len());
    let mut previous: Option<usize> = None;
    for &k in &order {
        let (point, value, cost, buyers) = &points[k];
        let marginal = previous.map(|p| {
            let (_, _, c0, b0) = &points[p];
            let pairs: Vec<(f64, f64)> = cost
                .iter()
                .zip(buyers)
                .zip(c0.iter().zip(b0))
                .map(|((c1, b1), (c0, b0))| (c1 - c0, b1 - b0))
                .filter(|(dc, db)| dc.is_finite() && db.is_finite())
                .collect();
            ratio_of_means(&pairs)
        });
        out.push(ResponsePoint {
            point: *point,
            value: *value,
            buyers: mean_estimate(buyers),
            cost: mean_estimate(cost),
            marginal,
        });
        previous = Some(k);
    }
    out
}

/// The mean of `values` (NaN left out) with its Student-t 95% interval.
pub fn mean_estimate(values: &[f64]) -> Estimate {
    Estimate::mean_of(&summarize("", values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marginal_cost_is_the_paired_ratio_of_differences() {
        // Point values given out of order; per trial, each 10 of budget buys 2 more
        // buyers on top of a trial effect shared by both points: the pairing removes the
        // trial effect, so the marginal cost is exactly 5 with no width.
        let trial_effect = [3.0, -2.0, 7.0, 0.0];
        let at = |budget: f64| {
            let cost: Vec<f64> = trial_effect.iter().map(|_| budget).collect();
            let buyers: Vec<f64> = trial_effect.iter().map(|e| 0.2 * budget + e).collect();
            (cost, buyers)
        };
        let (c20, b20) = at(20.0);
        let (c10, b10) = at(10.0);
        let curve = response_curve(&[(0, 20.0, c20, b20), (1, 10.0, c10, b10)]);
        assert_eq!(curve[0].value, 10.0);
        assert!(curve[0].marginal.is_none());
        let m = curve[1].marginal.unwrap();
        assert!((m.value - 5.0).abs() < 1e-12 && (m.high - m.low).abs() < 1e-12);
        assert!((curve[1].buyers.value - 6.0).abs() < 1e-12);
        // The buyers' own interval keeps the trial effect.
        assert!(curve[1].buyers.high - curve[1].buyers.low > 1.0);
    }
}
