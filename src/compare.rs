//! Comparing candidate campaigns run on the same market.
//!
//! Every candidate's trial `i` uses the same random streams (common random numbers), so the
//! outcomes of two candidates pair up trial by trial. For candidates A and B and a metric:
//!
//! - **paired difference** `D_i = A_i − B_i` over the trials where both are defined (`n`);
//!   its mean `D̄`, sample sd `s_D` (divisor `n − 1`), type-7 quantiles, and the 95% interval
//!   of the mean difference `D̄ ± t(0.975, n − 1) · s_D / √n` (Student t on the paired
//!   differences);
//! - **P(A beats B)**: the share of those trials in which A's value is better than B's
//!   (higher, or lower for costs), with ties (equal values) counted apart; it estimates the
//!   probability that A does better than B when both meet the same market;
//! - **ranking** by an [`Objective`]: candidates that meet every [`Constraints`] first,
//!   ordered by the objective's mean (lowest CPA first; highest conversion, ROI or
//!   repurchase first), then those that do not. Each rank records the paired difference to
//!   the next candidate, so a reader sees whether the order is clear (the 95% interval
//!   excludes zero) or within noise.
//!
//! Nothing here does I/O; the outputs render a [`Comparison`].

use crate::results::{CandidateResult, MetricSummary, summarize};
use serde::Serialize;

/// What a planner optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// Lowest cost per acquisition (`cpa`).
    #[default]
    Cpa,
    /// Highest conversion rate (`conversion_rate`).
    Conversion,
    /// Highest return on investment (`roi`).
    Roi,
    /// Highest repurchase rate (`repurchase_rate`).
    Repurchase,
}

impl Objective {
    /// The metric column the objective ranks by.
    pub fn metric(self) -> &'static str {
        match self {
            Objective::Cpa => "cpa",
            Objective::Conversion => "conversion_rate",
            Objective::Roi => "roi",
            Objective::Repurchase => "repurchase_rate",
        }
    }

    /// Whether a higher value is better.
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Objective::Cpa)
    }

    /// A name in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Objective::Cpa => "cost per acquisition",
            Objective::Conversion => "conversion rate",
            Objective::Roi => "return on investment",
            Objective::Repurchase => "repurchase rate",
        }
    }

    /// The name used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Objective::Cpa => "cpa",
            Objective::Conversion => "conversion",
            Objective::Roi => "roi",
            Objective::Repurchase => "repurchase",
        }
    }
}

/// Which direction of a metric is better, when there is one (`Some(true)`: higher), as its
/// descriptor declares it ([`crate::kpi::Kpi`]).
pub fn better_direction(metric: &str) -> Option<bool> {
    crate::mechanisms::describe(metric).and_then(|k| k.higher_is_better())
}

/// Conditions a candidate must meet to be ranked first.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Constraints {
    /// Budget cap: the campaign cost's 95th percentile must not exceed it (the candidate
    /// stays within budget in at least 95% of trials).
    pub max_cost: Option<f64>,
    /// Minimum mean conversion rate (a share, e.g. 0.05 for 5%).
    pub min_conversion: Option<f64>,
}

impl Constraints {
    /// True when no constraint is set.
    pub fn is_empty(&self) -> bool {
        self.max_cost.is_none() && self.min_conversion.is_none()
    }

    /// Checks that each constraint set is meaningful: a budget is a finite amount above
    /// zero, a minimum conversion a share in `[0, 1]`. The budget is checked first.
    pub fn check(&self) -> Result<(), ConstraintError> {
        if let Some(b) = self.max_cost
            && !(b.is_finite() && b > 0.0)
        {
            return Err(ConstraintError::Budget(b));
        }
        if let Some(c) = self.min_conversion
            && !(0.0..=1.0).contains(&c)
        {
            return Err(ConstraintError::MinConversion(c));
        }
        Ok(())
    }
}

/// A constraint that cannot be met by any candidate's results.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ConstraintError {
    /// The budget cap is not a finite amount above zero.
    #[error("budget {0}: allowed a finite amount > 0")]
    Budget(f64),
    /// The minimum conversion is not a share in `[0, 1]`.
    #[error("minimum conversion {0}: allowed a share in [0, 1], e.g. 0.05 for 5%")]
    MinConversion(f64),
}

/// A paired comparison of one metric between candidates A and B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedMetric {
    /// Metric name.
    pub metric: String,
    /// Summary of the paired differences `A_i − B_i` (its `metric` field is the metric name).
    pub diff: MetricSummary,
    /// Share of paired trials with `A_i > B_i`.
    pub a_greater: f64,
    /// Share of paired trials with `A_i < B_i`.
    pub b_greater: f64,
    /// Share of paired trials with `A_i = B_i`.
    pub equal: f64,
    /// Whether higher is better for this metric, when known.
    pub higher_is_better: Option<bool>,
}

impl PairedMetric {
    /// Share of trials in which A is better than B (`None` when the metric has no
    /// better direction).
    pub fn p_a_beats_b(&self) -> Option<f64> {
        self.higher_is_better
            .map(|h| if h { self.a_greater } else { self.b_greater })
    }

    /// Share of trials in which B is better than A.
    pub fn p_b_beats_a(&self) -> Option<f64> {
        self.higher_is_better
            .map(|h| if h { self.b_greater } else { self.a_greater })
    }
}

/// The pairs `(a[i], b[i])` (trial `i` of each) in trial order, leaving out trials where
/// either is undefined (NaN).
pub fn defined_pairs<'a>(a: &'a [f64], b: &'a [f64]) -> impl Iterator<Item = (f64, f64)> + 'a {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x, y))
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
}

/// Pairs `a[i]` with `b[i]` (trial `i` of each), leaving out trials where either is
/// undefined (NaN), and summarises the differences.
pub fn paired(metric: &str, a: &[f64], b: &[f64]) -> PairedMetric {
    let mut d = Vec::with_capacity(a.len().min(b.len()));
    let (mut gt, mut lt, mut eq) = (0usize, 0usize, 0usize);
    for (x, y) in defined_pairs(a, b) {
        d.push(x - y);
        match x.partial_cmp(&y) {
            Some(std::cmp::Ordering::Greater) => gt += 1,
            Some(std::cmp::Ordering::Less) => lt += 1,
            _ => eq += 1,
        }
    }
    let n = d.len();
    let share = |k: usize| {
        if n == 0 {
            f64::NAN
        } else {
            k as f64 / n as f64
        }
    };
    PairedMetric {
        metric: metric.to_string(),
        diff: summarize(metric, &d),
        a_greater: share(gt),
        b_greater: share(lt),
        equal: share(eq),
        higher_is_better: better_direction(metric),
    }
}

/// Every metric both candidates report, compared pairwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// Candidate A.
    pub a: String,
    /// Candidate B.
    pub b: String,
    /// One entry per metric both report, in A's column order.
    pub metrics: Vec<PairedMetric>,
}

impl Pair {
    /// The paired comparison of `metric`, if both candidates report it.
    pub fn metric(&self, metric: &str) -> Option<&PairedMetric> {
        self.metrics.iter().find(|m| m.metric == metric)
    }
}

/// Compares candidates A and B on every metric both report. Trials pair by position,
/// which is the trial index: both must come from runs with the same seed and trial count.
pub fn compare_pair(a: &CandidateResult, b: &CandidateResult) -> Pair {
    let metrics = a
        .metrics
        .iter()
        .filter_map(|m| {
            let (xa, xb) = (a.column(m)?, b.column(m)?);
            Some(paired(m, &xa, &xb))
        })
        .collect();
    Pair {
        a: a.name.clone(),
        b: b.name.clone(),
        metrics,
    }
}

/// A candidate's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rank {
    /// 1-based rank.
    pub rank: usize,
    /// Candidate name.
    pub candidate: String,
    /// Summary of the objective metric.
    pub objective: MetricSummary,
    /// Whether every constraint is met.
    pub feasible: bool,
    /// The constraints not met, in plain words.
    pub violations: Vec<String>,
    /// The paired difference (this − next) of the objective to the next-ranked candidate.
    pub vs_next: Option<PairedMetric>,
    /// Name of the next-ranked candidate.
    pub next: Option<String>,
}

impl Rank {
    /// Whether this candidate is better than the next one beyond noise: the 95% interval
    /// of the paired difference lies entirely on the better side of zero.
    pub fn clearly_better_than_next(&self, higher_is_better: bool) -> Option<bool> {
        let d = &self.vs_next.as_ref()?.diff;
        if !(d.ci95_low.is_finite() && d.ci95_high.is_finite()) {
            return Some(false);
        }
        Some(if higher_is_better {
            d.ci95_low > 0.0
        } else {
            d.ci95_high < 0.0
        })
    }
}

/// The full comparison of a run's candidates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The objective ranked by.
    pub objective: Objective,
    /// Constraints applied.
    pub constraints: Constraints,
    /// Candidates in rank order.
    pub ranking: Vec<Rank>,
    /// Every pair of candidates (A listed before B in the run), on every shared metric.
    pub pairs: Vec<Pair>,
}

impl Comparison {
    /// The objective's metric column.
    pub fn objective_metric(&self) -> &'static str {
        self.objective.metric()
    }

    /// Whether a higher objective value is better.
    pub fn higher_is_better(&self) -> bool {
        self.objective.higher_is_better()
    }

    /// The pair (a, b) in either order, and whether it is stored as (b, a).
    pub fn pair(&self, a: &str, b: &str) -> Option<(&Pair, bool)> {
        self.pairs.iter().find_map(|p| {
            if p.a == a && p.b == b {
                Some((p, false))
            } else if p.a == b && p.b == a {
                Some((p, true))
            } else {
                None
            }
        })
    }

    /// Whether the ranking agrees with the paired intervals: no candidate is ranked above
    /// one that the paired 95% interval shows to be better on the objective, among the
    /// candidates meeting the constraints.
    pub fn ranking_agrees_with_intervals(&self) -> bool {
        let feasible: Vec<&Rank> = self.ranking.iter().filter(|r| r.feasible).collect();
        for (i, hi) in feasible.iter().enumerate() {
            for lo in &feasible[i + 1..] {
                let Some((p, swapped)) = self.pair(&hi.candidate, &lo.candidate) else {
                    continue;
                };
                let Some(m) = p.metric(self.objective_metric()) else {
                    continue;
                };
                // Difference hi − lo.
                let (l, h) = if swapped {
                    (-m.diff.ci95_high, -m.diff.ci95_low)
                } else {
                    (m.diff.ci95_low, m.diff.ci95_high)
                };
                let lo_clearly_better = if self.higher_is_better() {
                    h < 0.0
                } else {
                    l > 0.0
                };
                if lo_clearly_better {
                    return false;
                }
            }
        }
        true
    }
}

/// The comparison a run reports: its candidates ranked and paired as [`compare`] does,
/// or `None` when there is a single candidate (nothing to rank).
pub fn comparison(
    candidates: &[CandidateResult],
    objective: Objective,
    constraints: Constraints,
) -> Option<Comparison> {
    (candidates.len() > 1).then(|| compare(candidates, objective, constraints))
}

/// Ranks `candidates` by `objective` under `constraints` and compares every pair.
pub fn compare(
    candidates: &[CandidateResult],
    objective: Objective,
    constraints: Constraints,
) -> Comparison {
    let metric = objective.metric();
    let higher = objective.higher_is_better();
    let summary_of = |c: &CandidateResult, m: &str| -> MetricSummary {
        c.summary_of(m)
            .cloned()
            .unwrap_or_else(|| summarize(m, &[]))
    };
    let mut entries: Vec<(usize, MetricSummary, Vec<String>)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut violations = Vec::new();
            if let Some(cap) = constraints.max_cost {
                let cost = summary_of(c, "cost");
                if cost.p95.is_nan() || cost.p95 > cap {
                    violations.push(format!(
                        "cost exceeds the budget of {cap} in more than 5% of trials (95th percentile {})",
                        short(cost.p95)
                    ));
                }
            }
            if let Some(min) = constraints.min_conversion {
                let conv = summary_of(c, "conversion_rate");
                if conv.mean.is_nan() || conv.mean < min {
                    violations.push(format!(
                        "mean conversion {} is below the minimum {min}",
                        short(conv.mean)
                    ));
                }
            }
            (i, summary_of(c, metric), violations)
        })
        .collect();
    // Feasible first; then by mean, better first; undefined means last; stable on ties
    // (candidate order).
    entries.sort_by(|a, b| {
        let key = |e: &(usize, MetricSummary, Vec<String>)| {
            let m = e.1.mean;
            let v = if m.is_nan() {
                f64::INFINITY
            } else if higher {
                -m
            } else {
                m
            };
            (!e.2.is_empty(), v)
        };
        let (fa, va) = key(a);
        let (fb, vb) = key(b);
        fa.cmp(&fb).then(va.total_cmp(&vb))
    });
    let ranking = entries
        .iter()
        .enumerate()
        .map(|(k, (i, s, violations))| {
            let next = entries.get(k + 1).map(|(j, _, _)| *j);
            let vs_next = next.and_then(|j| {
                let (xa, xb) = (
                    candidates[*i].column(metric)?,
                    candidates[j].column(metric)?,
                );
                Some(paired(metric, &xa, &xb))
            });
            Rank {
                rank: k + 1,
                candidate: candidates[*i].name.clone(),
                objective: s.clone(),
                feasible: violations.is_empty(),
                violations: violations.clone(),
                vs_next,
                next: next.map(|j| candidates[j].name.clone()),
            }
        })
        .collect();
    let mut pairs = Vec::new();
    for i in 0..candidates.len() {
        for j in i + 1..candidates.len() {
            pairs.push(compare_pair(&candidates[i], &candidates[j]));
        }
    }
    Comparison {
        objective,
        constraints,
        ranking,
        pairs,
    }
}

fn short(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4}")
    } else {
        "undefined".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_difference_counts_wins_and_ties() {
        let a = [3.0, 2.0, 5.0, f64::NAN, 1.0];
        let b = [1.0, 2.0, 6.0, 4.0, 0.0];
        let p = paired("conversion_rate", &a, &b);
        assert_eq!(p.diff.n, 4);
        assert_eq!(p.diff.mean, (2.0 + 0.0 - 1.0 + 1.0) / 4.0);
        assert_eq!((p.a_greater, p.b_greater, p.equal), (0.5, 0.25, 0.25));
        assert_eq!(p.p_a_beats_b(), Some(0.5));
        let c = paired("cpa", &a, &b);
        assert_eq!(c.p_a_beats_b(), Some(0.25));
    }

    fn candidate(name: &str, cpa: &[f64]) -> CandidateResult {
        let trials = cpa
            .iter()
            .enumerate()
            .map(|(i, &c)| crate::results::TrialResult {
                trial: i as u32,
                population: 100,
                campaign: crate::results::Outcome {
                    first_buyers: 10,
                    repeat_buyers: 2,
                    orders: 12,
                    revenue: 1000.0,
                    gross_margin: 400.0,
                    cost: 10.0 * c,
                },
                clv: 40.0,
                kpis: vec![],
                daily_first_buyers: vec![10],
                daily_orders: vec![12],
                attributed: vec![],
                no_campaign: None,
                contributions: None,
            })
            .collect();
        CandidateResult::new(name, [], &[], trials)
    }

    #[test]
    fn constraints_accept_a_positive_budget_and_a_share() {
        let ok = Constraints {
            max_cost: Some(500.0),
            min_conversion: Some(0.05),
        };
        assert_eq!(ok.check(), Ok(()));
        assert_eq!(Constraints::default().check(), Ok(()));
        for b in [0.0, -1.0, f64::INFINITY, f64::NAN] {
            let c = Constraints {
                max_cost: Some(b),
                min_conversion: Some(2.0),
            };
            // The budget is reported first.
            assert!(matches!(c.check(), Err(ConstraintError::Budget(_))));
        }
        let c = Constraints {
            max_cost: None,
            min_conversion: Some(1.5),
        };
        assert_eq!(c.check(), Err(ConstraintError::MinConversion(1.5)));
    }

    #[test]
    fn a_single_candidate_is_not_ranked() {
        let one = [candidate("a", &[1.0, 2.0])];
        assert!(comparison(&one, Objective::Cpa, Constraints::default()).is_none());
        let two = [candidate("a", &[3.0, 4.0]), candidate("b", &[1.0, 2.0])];
        let c = comparison(&two, Objective::Cpa, Constraints::default()).expect("two");
        assert_eq!(c.ranking[0].candidate, "b");
        assert_eq!(c.pairs.len(), 1);
    }

    #[test]
    fn identical_series_give_zero_difference() {
        let a = [1.5, 2.5, 0.25];
        let p = paired("roi", &a, &a);
        assert_eq!(p.diff.mean, 0.0);
        assert_eq!(p.diff.sd, 0.0);
        assert_eq!((p.diff.ci95_low, p.diff.ci95_high), (0.0, 0.0));
        assert_eq!(p.equal, 1.0);
    }
}
