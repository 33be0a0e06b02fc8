//! JSON exporter.

use super::{CandidateResult, OutputError, RunInfo};
use crate::metrics::MetricSummary;
use serde::Serialize;

#[derive(Serialize)]
struct Candidate<'a> {
    name: &'a str,
    metrics: Vec<Metric<'a>>,
}

/// A metric summary with undefined values as `null`.
#[derive(Serialize)]
struct Metric<'a> {
    metric: &'a str,
    n: usize,
    mean: Option<f64>,
    sd: Option<f64>,
    p05: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
    ci95_low: Option<f64>,
    ci95_high: Option<f64>,
}

fn opt(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl<'a> From<&'a MetricSummary> for Metric<'a> {
    fn from(s: &'a MetricSummary) -> Self {
        Metric {
            metric: &s.metric,
            n: s.n,
            mean: opt(s.mean),
            sd: opt(s.sd),
            p05: opt(s.p05),
            p50: opt(s.p50),
            p95: opt(s.p95),
            ci95_low: opt(s.ci95_low),
            ci95_high: opt(s.ci95_high),
        }
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    run: &'a RunInfo,
    estimators: &'static str,
    candidates: Vec<Candidate<'a>>,
}

/// `summary.json`: run information and every candidate's metric summaries.
pub fn summary(info: &RunInfo, cands: &[CandidateResult]) -> Result<Vec<u8>, OutputError> {
    let doc = Doc {
        run: info,
        estimators: "mean; sd with n-1; p05/p50/p95 type-7 quantiles; ci95 = mean ± t(0.975, n-1)·sd/√n",
        candidates: cands
            .iter()
            .map(|c| Candidate {
                name: &c.name,
                metrics: c.summary.iter().map(Metric::from).collect(),
            })
            .collect(),
    };
    let mut v = serde_json::to_vec_pretty(&doc).map_err(|e| OutputError::Serialise {
        what: "summary.json",
        message: e.to_string(),
    })?;
    v.push(b'\n');
    Ok(v)
}
