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
//!
//! ## Reading the records a column at a time
//! The summaries are computed by [`ContributionResults::from_columns`] from the records'
//! values read one column at a time ([`ContributionColumn`]: one value per trial, in trial
//! order), so a run whose records are stored on disk holds one column at a time, never
//! every trial's record. Every sum runs in trial order, so the figures are the same bits
//! whether the records come from memory ([`ContributionResults::from_records`]) or a file.

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
    /// Its incremental cost per acquisition ([`ContributionResults::icpa`]).
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

/// Everything a run reports of its mechanisms' contributions, summarised across trials.
#[derive(Debug, Clone, PartialEq)]
pub struct ContributionResults {
    /// Every mechanism's contribution to every outcome: Shapley first, then
    /// leave-one-out; mechanisms in plan order, outcomes in [`Outcome::FIELDS`] order.
    pub summaries: Vec<ContributionSummary>,
    /// Each mechanism's incremental cost per acquisition, in plan order: the ratio of
    /// means of its Shapley cost and first buyers.
    pub icpa: Vec<Estimate>,
    /// The contribution waterfall of the incremental first buyers.
    pub waterfall: Waterfall,
}

/// Where a value of a contribution record is stored among the record's columns (see
/// [`Contributions::push_columns`]); `mechanisms` is the number of mechanisms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContributionColumn {
    /// Mechanism `m`'s Shapley value of outcome `k`.
    Shapley(usize, usize),
    /// Mechanism `m`'s leave-one-out increment of outcome `k`.
    LeaveOneOut(usize, usize),
    /// The estimated variance of mechanism `m`'s Shapley value of outcome `k`.
    ShapleyVar(usize, usize),
    /// The Shapley values of the first buyers summed over the mechanisms (the increment).
    TotalFirstBuyers,
    /// 1 when the Shapley values are exact, else 0.
    Exact,
    /// Worlds simulated for the trial.
    Worlds,
}

impl ContributionColumn {
    /// Its index among the columns of a record of `mechanisms` mechanisms.
    pub fn index(self, mechanisms: usize) -> usize {
        let n = Outcome::FIELDS.len();
        let block = n * mechanisms;
        match self {
            ContributionColumn::Shapley(m, k) => m * n + k,
            ContributionColumn::LeaveOneOut(m, k) => block + m * n + k,
            ContributionColumn::ShapleyVar(m, k) => 2 * block + m * n + k,
            ContributionColumn::TotalFirstBuyers => 3 * block,
            ContributionColumn::Exact => 3 * block + 1,
            ContributionColumn::Worlds => 3 * block + 2,
        }
    }

    /// Columns of a record of `mechanisms` mechanisms.
    pub fn count(mechanisms: usize) -> usize {
        ContributionColumn::Worlds.index(mechanisms) + 1
    }
}

impl Contributions {
    /// Appends the record's values in the order of [`ContributionColumn::index`]: the
    /// Shapley values, the leave-one-out increments and the Shapley values' variances
    /// (each per mechanism in plan order, per outcome), the Shapley first buyers summed over
    /// the mechanisms, whether exact (1 or 0) and the worlds simulated.
    pub fn push_columns(&self, out: &mut Vec<f64>) {
        for rows in [&self.shapley, &self.leave_one_out, &self.shapley_var] {
            for row in rows {
                out.extend_from_slice(row);
            }
        }
        out.push(self.shapley.iter().map(|v| v[Outcome::FIRST_BUYERS]).sum());
        out.push(if self.exact { 1.0 } else { 0.0 });
        out.push(f64::from(self.worlds));
    }
}

impl ContributionResults {
    /// The summaries of per-trial contribution records `per` (in trial order; mechanism
    /// keys in plan order), or `None` when there are none.
    pub fn from_records(mechanisms: &[String], per: &[Contributions]) -> Option<Self> {
        let mut row = Vec::new();
        let read = &mut |k: usize| -> Result<Vec<f64>, std::convert::Infallible> {
            Ok(per
                .iter()
                .map(|c| {
                    row.clear();
                    c.push_columns(&mut row);
                    row.get(k).copied().unwrap_or(f64::NAN)
                })
                .collect())
        };
        match Self::from_columns(mechanisms, per.len(), read) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    /// The summaries of `trials` trials' contribution records read one column at a time:
    /// `column(k)` is column `k` of the records ([`ContributionColumn::index`] for
    /// `mechanisms.len()` mechanisms) in trial order. `None` when there are no trials.
    pub fn from_columns<E>(
        mechanisms: &[String],
        trials: usize,
        column: &mut dyn FnMut(usize) -> Result<Vec<f64>, E>,
    ) -> Result<Option<Self>, E> {
        if trials == 0 {
            return Ok(None);
        }
        let count = mechanisms.len();
        let mut col = |c: ContributionColumn| column(c.index(count));
        let n = trials as f64;
        let fb = Outcome::FIRST_BUYERS;
        let order_se = |var: Vec<f64>| var.iter().sum::<f64>().sqrt() / n;
        let mut summaries = Vec::new();
        for est in [Estimator::Shapley, Estimator::LeaveOneOut] {
            for (m, key) in mechanisms.iter().enumerate() {
                for (k, outcome) in Outcome::FIELDS.iter().enumerate() {
                    let values = col(match est {
                        Estimator::Shapley => ContributionColumn::Shapley(m, k),
                        Estimator::LeaveOneOut => ContributionColumn::LeaveOneOut(m, k),
                    })?;
                    let summary = summarize(&format!("{}_{outcome}", est.key()), &values);
                    drop(values);
                    let order_se = match est {
                        Estimator::Shapley => order_se(col(ContributionColumn::ShapleyVar(m, k))?),
                        Estimator::LeaveOneOut => 0.0,
                    };
                    summaries.push(ContributionSummary {
                        mechanism: key.clone(),
                        estimator: est,
                        outcome,
                        summary,
                        order_se,
                    });
                }
            }
        }
        let mut icpa = Vec::with_capacity(count);
        for m in 0..count {
            let cost = col(ContributionColumn::Shapley(m, Outcome::COST))?;
            let buyers = col(ContributionColumn::Shapley(m, fb))?;
            let pairs: Vec<(f64, f64)> = cost.into_iter().zip(buyers).collect();
            icpa.push(ratio_of_means(&pairs));
        }
        let mut steps = Vec::with_capacity(count);
        for (m, key) in mechanisms.iter().enumerate() {
            let summary = |name: &str, values: Vec<f64>| summarize(name, &values);
            steps.push(WaterfallStep {
                mechanism: key.clone(),
                first_buyers: summary(
                    "shapley_first_buyers",
                    col(ContributionColumn::Shapley(m, fb))?,
                ),
                order_se: order_se(col(ContributionColumn::ShapleyVar(m, fb))?),
                leave_one_out: summary(
                    "leave_one_out_first_buyers",
                    col(ContributionColumn::LeaveOneOut(m, fb))?,
                ),
                cost: summary(
                    "shapley_cost",
                    col(ContributionColumn::Shapley(m, Outcome::COST))?,
                ),
                icpa: icpa[m],
            });
        }
        let total = summarize(
            "inc_first_buyers",
            &col(ContributionColumn::TotalFirstBuyers)?,
        );
        let exact = col(ContributionColumn::Exact)?.iter().all(|&v| v == 1.0);
        let worlds = col(ContributionColumn::Worlds)?.iter().sum::<f64>() / n;
        Ok(Some(ContributionResults {
            summaries,
            icpa,
            waterfall: Waterfall {
                steps,
                total,
                exact,
                worlds,
            },
        }))
    }
}
