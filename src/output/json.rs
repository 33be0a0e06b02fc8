//! JSON exporter.

use super::{OutputError, RunInfo};
use crate::compare::{Comparison, PairedMetric};
use crate::results::{CandidateResult, Estimate, MetricSummary, defined};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

#[derive(Serialize)]
struct Candidate<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<Change<'a>>,
    metrics: Vec<Metric<'a>>,
}

#[derive(Serialize)]
struct Change<'a> {
    key: &'a str,
    value: &'a str,
}

/// A paired comparison of one metric, undefined values as `null`.
#[derive(Serialize)]
struct Paired<'a> {
    #[serde(flatten)]
    diff: Metric<'a>,
    a_greater: Option<f64>,
    b_greater: Option<f64>,
    equal: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    higher_is_better: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_a_beats_b: Option<f64>,
}

impl<'a> From<&'a PairedMetric> for Paired<'a> {
    fn from(m: &'a PairedMetric) -> Self {
        Paired {
            diff: Metric::from(&m.diff),
            a_greater: defined(m.a_greater),
            b_greater: defined(m.b_greater),
            equal: defined(m.equal),
            higher_is_better: m.higher_is_better,
            p_a_beats_b: m.p_a_beats_b().and_then(defined),
        }
    }
}

#[derive(Serialize)]
struct PairDoc<'a> {
    a: &'a str,
    b: &'a str,
    /// Statistics of the paired differences a − b.
    metrics: Vec<Paired<'a>>,
}

/// An estimate and its 95% interval, undefined numbers as `null`.
#[derive(Serialize)]
struct EstimateDoc {
    estimator: &'static str,
    n: usize,
    value: Option<f64>,
    ci95_low: Option<f64>,
    ci95_high: Option<f64>,
}

impl From<&Estimate> for EstimateDoc {
    fn from(e: &Estimate) -> Self {
        EstimateDoc {
            estimator: e.method.words(),
            n: e.n,
            value: defined(e.value),
            ci95_low: defined(e.low),
            ci95_high: defined(e.high),
        }
    }
}

/// The paired difference of the objective, this − next.
#[derive(Serialize)]
struct GapDoc {
    #[serde(flatten)]
    difference: EstimateDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_better: Option<f64>,
}

#[derive(Serialize)]
struct RankDoc<'a> {
    rank: usize,
    candidate: &'a str,
    objective: EstimateDoc,
    feasible: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    violations: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vs_next: Option<GapDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clearly_better_than_next: Option<bool>,
}

#[derive(Serialize)]
struct ComparisonDoc<'a> {
    objective: &'static str,
    objective_metric: &'a str,
    higher_is_better: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_conversion: Option<f64>,
    estimators: &'static str,
    ranking_agrees_with_intervals: bool,
    ranking: Vec<RankDoc<'a>>,
    pairs: Vec<PairDoc<'a>>,
}

impl<'a> From<&'a Comparison> for ComparisonDoc<'a> {
    fn from(c: &'a Comparison) -> Self {
        ComparisonDoc {
            objective: c.objective.key(),
            objective_metric: c.objective_metric(),
            higher_is_better: c.higher_is_better(),
            max_cost: c.constraints.max_cost,
            min_conversion: c.constraints.min_conversion,
            estimators: "paired differences d_i = a_i - b_i over trials where both are defined (common random numbers); mean, sd with n-1, type-7 quantiles, ci95 = mean ± t(0.975, n-1)·sd/√n; a_greater/b_greater/equal = share of those trials; p_a_beats_b = share where a is better; ranking by the objective's estimate (its estimator named in each rank), candidates meeting the constraints first, then those with a defined figure and, for icpa, a clear increment (95% CI of inc_first_buyers above 0)",
            ranking_agrees_with_intervals: c.agrees_with_intervals,
            ranking: c
                .ranking
                .iter()
                .map(|r| RankDoc {
                    rank: r.rank,
                    candidate: &r.candidate,
                    objective: EstimateDoc::from(&r.objective),
                    feasible: r.feasible,
                    violations: &r.violations,
                    notes: &r.notes,
                    next: r.next.as_deref(),
                    vs_next: r.vs_next.as_ref().map(|g| GapDoc {
                        difference: EstimateDoc::from(&g.difference),
                        p_better: g.p_better.and_then(defined),
                    }),
                    clearly_better_than_next: r.clearly_better_than_next(c.higher_is_better()),
                })
                .collect(),
            pairs: c
                .pairs
                .iter()
                .map(|p| PairDoc {
                    a: &p.a,
                    b: &p.b,
                    metrics: p.metrics.iter().map(Paired::from).collect(),
                })
                .collect(),
        }
    }
}

/// A metric summary: `metric`, `n`, then the summary numbers, undefined ones as `null`.
struct Metric<'a>(&'a MetricSummary);

impl<'a> From<&'a MetricSummary> for Metric<'a> {
    fn from(s: &'a MetricSummary) -> Self {
        Metric(s)
    }
}

impl Serialize for Metric<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let s = self.0;
        let mut doc = serializer.serialize_struct("Metric", 2 + MetricSummary::NUMBERS.len())?;
        doc.serialize_field("metric", &s.metric)?;
        doc.serialize_field("n", &s.n)?;
        for (name, x) in MetricSummary::NUMBERS.into_iter().zip(s.numbers()) {
            doc.serialize_field(name, &defined(x))?;
        }
        doc.end()
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    run: &'a RunInfo,
    estimators: &'static str,
    candidates: Vec<Candidate<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<ComparisonDoc<'a>>,
}

/// `summary.json`: run information, every candidate's metric summaries and, with two or
/// more candidates, the comparison (ranking and paired differences).
pub fn summary(
    info: &RunInfo,
    cands: &[CandidateResult],
    comparison: Option<&Comparison>,
) -> Result<Vec<u8>, OutputError> {
    let doc = Doc {
        run: info,
        estimators: "mean; sd with n-1; p05/p50/p95 type-7 quantiles; ci95 = mean ± t(0.975, n-1)·sd/√n, except for indicator metrics (payback: Wilson score interval)",
        candidates: cands
            .iter()
            .map(|c| Candidate {
                name: &c.name,
                description: &c.description,
                changes: c
                    .changes
                    .iter()
                    .map(|(k, v)| Change { key: k, value: v })
                    .collect(),
                metrics: c.summary.iter().map(Metric::from).collect(),
            })
            .collect(),
        comparison: comparison.map(ComparisonDoc::from),
    };
    let mut v = serde_json::to_vec_pretty(&doc).map_err(|e| OutputError::Serialise {
        what: "summary.json",
        message: e.to_string(),
    })?;
    v.push(b'\n');
    Ok(v)
}
