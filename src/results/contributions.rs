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
//!   first buyers` of its Shapley values (undefined when the buyers' sum is not positive),
//!   with the delta-method 95% interval of
//!   [`super::estimate::ratio_of_means`].

use super::estimate::{Estimate, ratio_of_means};
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

/// The summaries of every mechanism's per-trial contributions `per` (in trial order;
/// mechanism keys in plan order), Shapley first, then leave-one-out; empty when there are
/// none.
pub fn summarize_contributions(
    mechanisms: &[String],
    per: &[Contributions],
) -> Vec<ContributionSummary> {
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

/// Mechanism `m`'s incremental cost per acquisition from its per-trial Shapley values
/// (`per`, in trial order).
pub fn mechanism_icpa(m: usize, per: &[Contributions]) -> Estimate {
    let pairs: Vec<(f64, f64)> = per
        .iter()
        .map(|c| {
            (
                c.shapley[m][Outcome::COST],
                c.shapley[m][Outcome::FIRST_BUYERS],
            )
        })
        .collect();
    ratio_of_means(&pairs)
}

/// One mechanism's line in a contribution waterfall.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallStep {
    /// The mechanism's key.
    pub mechanism: String,
    /// Its Shapley share of the incremental first buyers.
    pub first_buyers: MetricSummary,
    /// The standard error the random orders alone add to `first_buyers`' mean (0 when
    /// exact).
    pub order_se: f64,
    /// Its leave-one-out increment in first buyers.
    pub leave_one_out: MetricSummary,
    /// Its Shapley share of the cost (its own cost, as mechanisms' costs add up).
    pub cost: MetricSummary,
    /// Its incremental cost per acquisition ([`mechanism_icpa`]).
    pub icpa: Estimate,
}

/// Each mechanism's share of a candidate's incremental first buyers, in plan order, and
/// the total they add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// One step per mechanism.
    pub steps: Vec<WaterfallStep>,
    /// The campaign's incremental first buyers (the steps' Shapley values add up to it,
    /// trial by trial).
    pub total: MetricSummary,
    /// Whether every trial's Shapley values are exact.
    pub exact: bool,
    /// Worlds simulated per trial, on average (the campaign and the no-campaign world
    /// included).
    pub worlds: f64,
}

/// The contribution waterfall of the per-trial contributions `per` (in trial order;
/// mechanism keys in plan order), or `None` when there are none.
pub fn waterfall(mechanisms: &[String], per: &[Contributions]) -> Option<Waterfall> {
    if per.is_empty() {
        return None;
    }
    let n = per.len() as f64;
    let fb = Outcome::FIRST_BUYERS;
    let column = |f: &dyn Fn(&Contributions) -> f64| per.iter().map(f).collect::<Vec<_>>();
    let steps = mechanisms
        .iter()
        .enumerate()
        .map(|(m, key)| WaterfallStep {
            mechanism: key.clone(),
            first_buyers: summarize("shapley_first_buyers", &column(&|c| c.shapley[m][fb])),
            order_se: per.iter().map(|c| c.shapley_var[m][fb]).sum::<f64>().sqrt() / n,
            leave_one_out: summarize(
                "leave_one_out_first_buyers",
                &column(&|c| c.leave_one_out[m][fb]),
            ),
            cost: summarize("shapley_cost", &column(&|c| c.shapley[m][Outcome::COST])),
            icpa: mechanism_icpa(m, per),
        })
        .collect();
    let total = summarize(
        "inc_first_buyers",
        &column(&|c| c.shapley.iter().map(|v| v[fb]).sum()),
    );
    Some(Waterfall {
        steps,
        total,
        exact: per.iter().all(|c| c.exact),
        worlds: per.iter().map(|c| f64::from(c.worlds)).sum::<f64>() / n,
    })
}
