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

use crate::results::{
    CandidateResult, Estimate, Method, MetricSummary, paired_ratio_difference, ratio_of_means,
    summarize, wilson,
};
use serde::Serialize;

/// What a planner optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Lowest incremental cost per acquisition: mean cost over mean incremental first
    /// buyers (`icpa`, a ratio of means).
    #[default]
    Icpa,
    /// Highest incremental return on investment (`inc_roi`).
    IncRoi,
    /// Highest probability that the campaign pays back (`payback`).
    Payback,
    /// Highest conversion rate (`conversion_rate`, a total).
    Conversion,
    /// Highest repurchase rate (`repurchase_rate`, a total).
    Repurchase,
    /// Lowest cost per first buyer, organic buyers included (`cost_per_buyer`).
    CostPerBuyer,
    /// Highest return on investment crediting the campaign with all gross margin
    /// (`total_roi`).
    TotalRoi,
}

impl Objective {
    /// Every objective, in command-line order.
    pub const ALL: [Objective; 7] = [
        Objective::Icpa,
        Objective::IncRoi,
        Objective::Payback,
        Objective::Conversion,
        Objective::Repurchase,
        Objective::CostPerBuyer,
        Objective::TotalRoi,
    ];

    /// The metric the objective ranks by.
    pub fn metric(self) -> &'static str {
        match self {
            Objective::Icpa => "icpa",
            Objective::IncRoi => "inc_roi",
            Objective::Payback => "payback",
            Objective::Conversion => "conversion_rate",
            Objective::Repurchase => "repurchase_rate",
            Objective::CostPerBuyer => "cost_per_buyer",
            Objective::TotalRoi => "total_roi",
        }
    }

    /// The per-trial column whose paired differences show how two candidates differ on
    /// the objective: the objective's own, except for the incremental cost per
    /// acquisition (a ratio of means, undefined in trials without an increment), shown
    /// through the incremental first buyers it divides by.
    pub fn per_trial_metric(self) -> &'static str {
        match self {
            Objective::Icpa => "inc_first_buyers",
            o => o.metric(),
        }
    }

    /// Whether it needs the no-campaign world (an incremental metric).
    pub fn is_incremental(self) -> bool {
        matches!(
            self,
            Objective::Icpa | Objective::IncRoi | Objective::Payback
        )
    }

    /// Whether a higher value is better.
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Objective::Icpa | Objective::CostPerBuyer)
    }

    /// A name in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Objective::Icpa => "incremental cost per acquisition",
            Objective::IncRoi => "incremental return on investment",
            Objective::Payback => "probability of paying back",
            Objective::Conversion => "conversion rate",
            Objective::Repurchase => "repurchase rate",
            Objective::CostPerBuyer => "cost per first buyer (organic buyers included)",
            Objective::TotalRoi => "return on investment crediting all gross margin",
        }
    }

    /// The name used on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Objective::Icpa => "icpa",
            Objective::IncRoi => "inc-roi",
            Objective::Payback => "payback",
            Objective::Conversion => "conversion",
            Objective::Repurchase => "repurchase",
            Objective::CostPerBuyer => "cost-per-buyer",
            Objective::TotalRoi => "total-roi",
        }
    }

    /// The estimator of the ranked figure.
    pub fn method(self) -> Method {
        match self {
            Objective::Icpa => Method::RatioOfMeans,
            Objective::Payback => Method::Wilson,
            _ => Method::Mean,
        }
    }

    /// A candidate's figure on the objective: the ratio of means for the incremental cost
    /// per acquisition, Wilson's share for the payback probability, the mean otherwise.
    pub fn estimate(self, c: &CandidateResult) -> Estimate {
        match self.method() {
            Method::RatioOfMeans => ratio_of_means(&icpa_pairs(c)),
            Method::Wilson => c
                .column(self.metric())
                .map_or(Estimate::undefined(Method::Wilson, 0), |v| wilson(&v)),
            Method::Mean => {
                let s = c
                    .summary_of(self.metric())
                    .cloned()
                    .unwrap_or_else(|| summarize(self.metric(), &[]));
                Estimate::mean_of(&s)
            }
        }
    }

    /// The paired difference `a − b` on the objective over the same trials: the
    /// delta-method difference of two ratios of means, or the mean paired difference of
    /// the per-trial values with the share of trials in which `a` does better.
    pub fn gap(self, a: &CandidateResult, b: &CandidateResult) -> Gap {
        match self.method() {
            Method::RatioOfMeans => Gap {
                difference: paired_ratio_difference(&icpa_pairs(a), &icpa_pairs(b)),
                p_better: None,
            },
            _ => {
                let m = self.metric();
                let (xa, xb) = (
                    a.column(m).unwrap_or_default(),
                    b.column(m).unwrap_or_default(),
                );
                let p = paired(m, &xa, &xb);
                Gap {
                    difference: Estimate {
                        method: Method::Mean,
                        n: p.diff.n,
                        value: p.diff.mean,
                        low: p.diff.ci95_low,
                        high: p.diff.ci95_high,
                    },
                    p_better: p.p_a_beats_b(),
                }
            }
        }
    }
}

/// Per trial, the campaign cost and the incremental first buyers (empty without the
/// no-campaign world).
fn icpa_pairs(c: &CandidateResult) -> Vec<(f64, f64)> {
    match (c.column("cost"), c.column("inc_first_buyers")) {
        (Some(cost), Some(inc)) => cost.into_iter().zip(inc).collect(),
        _ => Vec::new(),
    }
}

/// The paired difference of two candidates on the objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Gap {
    /// The difference `this − other` and its 95% interval.
    pub difference: Estimate,
    /// Share of trials in which this one does better (per-trial objectives only).
    pub p_better: Option<f64>,
}

impl Gap {
    /// Whether this one is better beyond noise: the 95% interval lies entirely on the
    /// better side of zero.
    pub fn clearly_better(&self, higher_is_better: bool) -> bool {
        if higher_is_better {
            self.difference.above_zero()
        } else {
            self.difference.below_zero()
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
    /// Its figure on the objective.
    pub objective: Estimate,
    /// Whether every constraint is met.
    pub feasible: bool,
    /// The constraints not met, in plain words.
    pub violations: Vec<String>,
    /// What a reader must know about the figure (no cost, no clear increment), in plain
    /// words.
    pub notes: Vec<String>,
    /// The paired difference (this − next) on the objective to the next-ranked candidate.
    pub vs_next: Option<Gap>,
    /// Name of the next-ranked candidate.
    pub next: Option<String>,
}

impl Rank {
    /// Whether this candidate is better than the next one beyond noise.
    pub fn clearly_better_than_next(&self, higher_is_better: bool) -> Option<bool> {
        Some(self.vs_next.as_ref()?.clearly_better(higher_is_better))
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
    /// Whether the ranking agrees with the paired intervals: among the candidates meeting
    /// the constraints, none is ranked above one that the paired 95% interval of the
    /// objective shows to be better.
    pub agrees_with_intervals: bool,
}

impl Comparison {
    /// The objective's metric.
    pub fn objective_metric(&self) -> &'static str {
        self.objective.metric()
    }

    /// Whether a higher objective value is better.
    pub fn higher_is_better(&self) -> bool {
        self.objective.higher_is_better()
    }

    /// Whether the candidates were run with the no-campaign world (their pairs compare
    /// the incremental metrics).
    pub fn has_increment(&self) -> bool {
        self.pairs
            .first()
            .is_some_and(|p| p.metric("inc_first_buyers").is_some())
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

/// Where a feasible candidate stands before its figure is compared: candidates whose
/// figure is defined and, for an incremental cost per acquisition, whose increment is
/// clear come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Standing {
    Clear,
    NoClearIncrement,
    Undefined,
}

/// The standing of a candidate's figure, and the notes that explain it.
fn standing(objective: Objective, c: &CandidateResult, e: &Estimate) -> (Standing, Vec<String>) {
    let mut notes = Vec::new();
    if objective.is_incremental() && !c.has_metric("inc_first_buyers") {
        notes.push("no no-campaign world was run, so no incremental figure".to_string());
        return (Standing::Undefined, notes);
    }
    let spent = c.summary_of("cost").is_some_and(|s| s.mean > 0.0);
    if objective == Objective::Icpa {
        let inc = c.summary_of("inc_first_buyers");
        // The ratio's interval is unbounded exactly when the increment is not clear.
        let clear = e.low.is_finite();
        if !spent {
            notes.push("costs nothing".to_string());
        }
        if !e.is_defined() {
            notes.push(
                "buys no incremental first buyers on average: its incremental cost per acquisition is undefined"
                    .to_string(),
            );
            return (Standing::Undefined, notes);
        }
        if !clear {
            let (lo, hi) = inc.map_or((f64::NAN, f64::NAN), |s| (s.ci95_low, s.ci95_high));
            notes.push(format!(
                "its incremental first buyers are not distinguishable from zero (95% CI {} to {}), so its incremental cost per acquisition is not a stable figure; ranked after the candidates with a clear increment",
                short(lo),
                short(hi)
            ));
            return (Standing::NoClearIncrement, notes);
        }
    } else if !e.is_defined() {
        if !spent
            && matches!(
                objective,
                Objective::IncRoi | Objective::Payback | Objective::TotalRoi
            )
        {
            notes.push("costs nothing, so a return on its cost is undefined".to_string());
        } else {
            notes.push("undefined in every trial".to_string());
        }
        return (Standing::Undefined, notes);
    }
    (Standing::Clear, notes)
}

/// Ranks `candidates` by `objective` under `constraints` and compares every pair.
pub fn compare(
    candidates: &[CandidateResult],
    objective: Objective,
    constraints: Constraints,
) -> Comparison {
    let higher = objective.higher_is_better();
    struct Entry {
        i: usize,
        estimate: Estimate,
        standing: Standing,
        notes: Vec<String>,
        violations: Vec<String>,
    }
    let mut entries: Vec<Entry> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let estimate = objective.estimate(c);
            let (standing, notes) = standing(objective, c, &estimate);
            Entry {
                i,
                estimate,
                standing,
                notes,
                violations: violations(c, constraints),
            }
        })
        .collect();
    // Feasible first; then by standing; then by the figure, better first; stable on ties
    // (candidate order).
    entries.sort_by(|a, b| {
        let value = |e: &Entry| {
            let v = e.estimate.value;
            if v.is_nan() {
                f64::INFINITY
            } else if higher {
                -v
            } else {
                v
            }
        };
        (!a.violations.is_empty(), a.standing)
            .cmp(&(!b.violations.is_empty(), b.standing))
            .then(value(a).total_cmp(&value(b)))
    });
    let ranking = entries
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let next = entries.get(k + 1).map(|n| n.i);
            Rank {
                rank: k + 1,
                candidate: candidates[e.i].name.clone(),
                objective: e.estimate,
                feasible: e.violations.is_empty(),
                violations: e.violations.clone(),
                notes: e.notes.clone(),
                vs_next: next.map(|j| objective.gap(&candidates[e.i], &candidates[j])),
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
    let feasible: Vec<usize> = entries
        .iter()
        .filter(|e| e.violations.is_empty())
        .map(|e| e.i)
        .collect();
    let agrees_with_intervals = feasible.iter().enumerate().all(|(k, &hi)| {
        feasible[k + 1..].iter().all(|&lo| {
            !objective
                .gap(&candidates[lo], &candidates[hi])
                .clearly_better(higher)
        })
    });
    Comparison {
        objective,
        constraints,
        ranking,
        pairs,
        agrees_with_intervals,
    }
}

/// The constraints candidate `c` does not meet, in plain words.
fn violations(c: &CandidateResult, constraints: Constraints) -> Vec<String> {
    let summary_of = |m: &str| {
        c.summary_of(m)
            .cloned()
            .unwrap_or_else(|| summarize(m, &[]))
    };
    let mut v = Vec::new();
    if let Some(cap) = constraints.max_cost {
        let cost = summary_of("cost");
        if cost.p95.is_nan() || cost.p95 > cap {
            v.push(format!(
                "cost exceeds the budget of {cap} in more than 5% of trials (95th percentile {})",
                short(cost.p95)
            ));
        }
    }
    if let Some(min) = constraints.min_conversion {
        let conv = summary_of("conversion_rate");
        if conv.mean.is_nan() || conv.mean < min {
            v.push(format!(
                "mean conversion {} is below the minimum {min}",
                short(conv.mean)
            ));
        }
    }
    v
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
        let c = paired("cost_per_buyer", &a, &b);
        assert_eq!(c.p_a_beats_b(), Some(0.25));
    }

    /// A candidate whose trial `i` costs `cost[i]` and adds `inc[i]` first buyers to the
    /// 10 of its no-campaign world.
    fn with_increment(name: &str, cost: &[f64], inc: &[u32]) -> CandidateResult {
        CandidateResult::new(name, [], &[], increment_trials(cost, inc))
    }

    /// The trials of [`with_increment`].
    fn increment_trials(cost: &[f64], inc: &[u32]) -> Vec<crate::results::TrialResult> {
        cost.iter()
            .zip(inc)
            .enumerate()
            .map(|(i, (&c, &d))| {
                let none = crate::results::Outcome {
                    first_buyers: 10,
                    orders: 10,
                    ..Default::default()
                };
                crate::results::TrialResult {
                    trial: i as u32,
                    population: 100,
                    members: 0,
                    campaign: crate::results::Outcome {
                        first_buyers: 10 + d,
                        orders: 10 + d,
                        cost: c,
                        ..Default::default()
                    },
                    clv: 40.0,
                    kpis: vec![],
                    daily_first_buyers: vec![10 + d],
                    daily_orders: vec![10 + d],
                    attributed: vec![],
                    no_campaign: Some(none),
                    contributions: None,
                }
            })
            .collect()
    }

    /// A candidate whose trial `i` costs `10 · per_buyer[i]` for 10 first buyers, without
    /// the no-campaign world.
    fn candidate(name: &str, per_buyer: &[f64]) -> CandidateResult {
        let trials = per_buyer
            .iter()
            .flat_map(|c| increment_trials(&[10.0 * c], &[0]))
            .enumerate()
            .map(|(i, t)| crate::results::TrialResult {
                trial: i as u32,
                no_campaign: None,
                ..t
            })
            .collect();
        CandidateResult::new(name, [], &[], trials)
    }

    #[test]
    fn icpa_ranks_on_the_ratio_of_means_and_demotes_unclear_or_free_increments() {
        // cheap: 100 for 10 incremental buyers (iCPA 10); dear: 300 for 10 (iCPA 30).
        let cheap = with_increment("cheap", &[100.0, 100.0, 100.0], &[9, 10, 11]);
        let dear = with_increment("dear", &[300.0, 300.0, 300.0], &[9, 10, 11]);
        // lucky: a low ratio (5) from an increment indistinguishable from zero.
        let lucky = with_increment("lucky", &[5.0, 5.0, 5.0], &[3, 0, 0]);
        // nothing: no campaign at all; free: costs nothing but adds 2 buyers every trial.
        let nothing = with_increment("nothing", &[0.0, 0.0, 0.0], &[0, 0, 0]);
        let free = with_increment("free", &[0.0, 0.0, 0.0], &[2, 2, 2]);
        let c = compare(
            &[dear, lucky, nothing, cheap, free],
            Objective::Icpa,
            Constraints::default(),
        );
        let order: Vec<&str> = c.ranking.iter().map(|r| r.candidate.as_str()).collect();
        assert_eq!(order, ["free", "cheap", "dear", "lucky", "nothing"]);
        let r = |name: &str| c.ranking.iter().find(|r| r.candidate == name).expect(name);
        assert_eq!(r("cheap").objective.value, 10.0);
        assert_eq!(r("free").objective.value, 0.0);
        assert_eq!(r("free").notes, ["costs nothing"]);
        assert!(r("lucky").notes[0].contains("not distinguishable from zero"));
        assert!(!r("nothing").objective.is_defined());
        // cheap − dear on the same trials: exactly −20, with no width (the buyers agree).
        let g = r("cheap").vs_next.expect("next");
        assert_eq!(g.difference.value, -20.0);
        assert!(g.clearly_better(false) && g.p_better.is_none());
        assert!(c.agrees_with_intervals);
    }

    #[test]
    fn incremental_objectives_are_undefined_without_the_no_campaign_world() {
        let c = compare(
            &[candidate("a", &[1.0, 2.0]), candidate("b", &[3.0, 4.0])],
            Objective::IncRoi,
            Constraints::default(),
        );
        assert!(c.ranking.iter().all(|r| !r.objective.is_defined()));
        assert!(c.ranking[0].notes[0].contains("no no-campaign world"));
    }

    #[test]
    fn payback_ranks_on_wilson_shares() {
        // Margin: 0 per order; cost 0.5 pays back never. Give `a` margin by hand.
        let mut trials = increment_trials(&[1.0, 1.0, 1.0, 1.0], &[1, 1, 1, 1]);
        for t in &mut trials[..3] {
            t.campaign.gross_margin = 2.0;
        }
        let a = CandidateResult::new("a", [], &[], trials);
        let b = with_increment("b", &[1.0, 1.0, 1.0, 1.0], &[1, 1, 1, 1]);
        let c = compare(&[b, a], Objective::Payback, Constraints::default());
        assert_eq!(c.ranking[0].candidate, "a");
        let e = c.ranking[0].objective;
        assert_eq!((e.method, e.value), (Method::Wilson, 0.75));
        assert!(e.low > 0.0 && e.high < 1.0);
        assert_eq!(c.ranking[1].objective.low, 0.0);
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
        assert!(comparison(&one, Objective::CostPerBuyer, Constraints::default()).is_none());
        let two = [candidate("a", &[3.0, 4.0]), candidate("b", &[1.0, 2.0])];
        let c = comparison(&two, Objective::CostPerBuyer, Constraints::default()).expect("two");
        assert_eq!(c.ranking[0].candidate, "b");
        assert_eq!(c.pairs.len(), 1);
    }

    #[test]
    fn identical_series_give_zero_difference() {
        let a = [1.5, 2.5, 0.25];
        let p = paired("total_roi", &a, &a);
        assert_eq!(p.diff.mean, 0.0);
        assert_eq!(p.diff.sd, 0.0);
        assert_eq!((p.diff.ci95_low, p.diff.ci95_high), (0.0, 0.0));
        assert_eq!(p.equal, 1.0);
    }
}
