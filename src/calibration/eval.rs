//! Evaluating facts: running their arms, the statistics with their 95% intervals, the loss
//! the search minimises and the Markdown fact table.
//!
//! An [`Evaluator`] runs each distinct arm (scenario, overrides and knob settings) once on
//! the scenario's fixed seed and caches its trials, so facts that share an arm, and the two
//! arms of a ratio or difference, are computed on the same draws (common random numbers).

use super::facts::{Arm, Fact, Statistic};
use crate::engine::{Arms, Plan, RunOptions, run};
use crate::results::TrialResult;
use crate::scenario::{Mechanisms, Problem, ScenarioError, load_file};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A fact's simulated value.
#[derive(Debug, Clone, PartialEq)]
pub struct FactResult {
    /// The fact.
    pub fact: Fact,
    /// The statistic's point estimate.
    pub value: f64,
    /// 95% interval: t-interval of a mean or a paired difference; delta-method interval of
    /// a ratio of paired means.
    pub ci95: (f64, f64),
    /// Trials per arm.
    pub trials: u32,
}

impl FactResult {
    /// True when the point estimate satisfies the target.
    pub fn holds(&self) -> bool {
        self.fact.target.holds(self.value)
    }

    /// The statistic's standard error, read back from its 95% interval: half its width
    /// over the Student t quantile of the trial count, as the interval was made.
    pub fn se(&self) -> f64 {
        (self.ci95.1 - self.ci95.0) / (2.0 * t975(self.trials as usize))
    }
}

/// An arm as run: scenario file, every override (the arm's and the knobs'), candidate.
type ArmKey = (String, Vec<String>, Option<String>);

/// Runs arms and caches their trials.
pub struct Evaluator {
    dir: PathBuf,
    trials: u32,
    knobs: Vec<(String, f64)>,
    cache: HashMap<ArmKey, (Plan, Vec<TrialResult>)>,
}

/// True when a knob's key applies to a scenario with these mechanisms: keys under
/// `mechanisms.X` apply only where mechanism X is configured, every other key always.
pub fn knob_applies(key: &str, m: &Mechanisms) -> bool {
    key.strip_prefix("mechanisms.")
        .and_then(|r| r.split('.').next())
        .and_then(|k| m.has(k))
        .unwrap_or(true)
}

fn single_problem(file: String, message: String) -> ScenarioError {
    ScenarioError {
        file,
        problems: vec![Problem {
            path: String::new(),
            location: None,
            message,
        }],
    }
}

impl Evaluator {
    /// An evaluator over the scenarios in `dir`, `trials` per arm, with knob settings.
    pub fn new(dir: &Path, trials: u32, knobs: &[(String, f64)]) -> Self {
        Evaluator {
            dir: dir.to_path_buf(),
            trials,
            knobs: knobs.to_vec(),
            cache: HashMap::new(),
        }
    }

    fn arm(&mut self, a: &Arm) -> Result<&(Plan, Vec<TrialResult>), ScenarioError> {
        let path = self.dir.join(&a.scenario);
        let plain = load_file(&path, &[])?;
        let mut overrides = a.overrides.clone();
        for (k, v) in &self.knobs {
            if knob_applies(k, &plain.mechanisms) {
                overrides.push(format!("{k}={v}"));
            }
        }
        let key = (a.scenario.clone(), overrides, a.candidate.clone());
        if !self.cache.contains_key(&key) {
            let mut s = load_file(&path, &key.1)?;
            if let Some(name) = &a.candidate {
                let file = path.display().to_string();
                let cands = crate::lineup::candidates_of(&s, &path)
                    .map_err(|e| single_problem(file.clone(), e.to_string()))?;
                let names: Vec<String> = cands.iter().map(|c| c.name.clone()).collect();
                s = cands
                    .into_iter()
                    .find(|c| &c.name == name)
                    .map(|c| c.scenario)
                    .ok_or_else(|| {
                        single_problem(
                            file,
                            format!("no candidate named `{name}`; allowed: {}", names.join(", ")),
                        )
                    })?;
            }
            let plan = Plan::new(&s)
                .map_err(|e| single_problem(path.display().to_string(), e.to_string()))?;
            let opts = RunOptions {
                trials: self.trials,
                seed: s.seed,
                threads: None,
                arms: Arms::CAMPAIGN_ONLY,
            };
            let results = run(&plan, opts, &|| {}).unwrap_or_default();
            self.cache.insert(key.clone(), (plan, results));
        }
        Ok(&self.cache[&key])
    }

    fn column(&mut self, a: &Arm, metric: &str) -> Result<Vec<f64>, ScenarioError> {
        let (plan, results) = self.arm(a)?;
        let names = crate::results::metric_names(false, &plan.kpi_names());
        let k = names
            .iter()
            .position(|n| n == metric)
            .ok_or_else(|| single_problem(a.scenario.clone(), format!("no metric `{metric}`")))?;
        Ok(results.iter().map(|r| r.values()[k]).collect())
    }

    /// Evaluates one fact.
    pub fn fact(&mut self, f: &Fact) -> Result<FactResult, ScenarioError> {
        let (value, ci95) = match &f.statistic {
            Statistic::Mean(a, m) => mean_ci(&self.column(a, m)?),
            Statistic::Difference(a, b, m) => {
                let (x, y) = (self.column(a, m)?, self.column(b, m)?);
                let d: Vec<f64> = x.iter().zip(&y).map(|(p, q)| p - q).collect();
                mean_ci(&d)
            }
            Statistic::Ratio(a, b, m) => ratio_ci(&self.column(a, m)?, &self.column(b, m)?),
            Statistic::MetricRatio(a, m1, m2) => {
                ratio_ci(&self.column(a, m1)?, &self.column(a, m2)?)
            }
            Statistic::Quantile(a, m, q) => quantile_ci(&self.column(a, m)?, *q),
        };
        Ok(FactResult {
            fact: f.clone(),
            value,
            ci95,
            trials: self.trials,
        })
    }

    /// Evaluates every fact.
    pub fn all(&mut self, facts: &[Fact]) -> Result<Vec<FactResult>, ScenarioError> {
        facts.iter().map(|f| self.fact(f)).collect()
    }
}

fn finite(xs: &[f64]) -> Vec<f64> {
    xs.iter().copied().filter(|x| x.is_finite()).collect()
}

fn t975(n: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, (n.max(2) - 1) as f64)
        .map(|d| d.inverse_cdf(0.975))
        .unwrap_or(1.96)
}

fn mean_ci(xs: &[f64]) -> (f64, (f64, f64)) {
    let xs = finite(xs);
    let n = xs.len();
    if n < 2 {
        return (f64::NAN, (f64::NAN, f64::NAN));
    }
    let m = xs.iter().sum::<f64>() / n as f64;
    let sd = (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64).sqrt();
    let h = t975(n) * sd / (n as f64).sqrt();
    (m, (m - h, m + h))
}

/// The `q`-quantile of `xs` (linear interpolation between order statistics, Hyndman & Fan
/// type 7) with the distribution-free 95% interval of order statistics
/// `x(nq ∓ 1.96·√(nq(1−q)))` (the normal approximation to the binomial count below the
/// quantile).
fn quantile_ci(xs: &[f64], q: f64) -> (f64, (f64, f64)) {
    let mut xs = finite(xs);
    let n = xs.len();
    if n < 2 {
        return (f64::NAN, (f64::NAN, f64::NAN));
    }
    xs.sort_by(f64::total_cmp);
    let h = (n - 1) as f64 * q;
    let (i, f) = (h.floor() as usize, h - h.floor());
    let value = xs[i] + f * (xs[(i + 1).min(n - 1)] - xs[i]);
    let half = 1.96 * (n as f64 * q * (1.0 - q)).sqrt();
    let at = |r: f64| xs[(r.round().max(0.0) as usize).min(n - 1)];
    (
        value,
        (at(n as f64 * q - half - 1.0), at(n as f64 * q + half)),
    )
}

/// Ratio of paired means with a delta-method interval: `Var(R) ≈ Var(a − R·b) / (n·b̄²)`.
fn ratio_ci(a: &[f64], b: &[f64]) -> (f64, (f64, f64)) {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .collect();
    let n = pairs.len();
    if n < 2 {
        return (f64::NAN, (f64::NAN, f64::NAN));
    }
    let ma = pairs.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let mb = pairs.iter().map(|p| p.1).sum::<f64>() / n as f64;
    if mb == 0.0 {
        return (f64::NAN, (f64::NAN, f64::NAN));
    }
    let r = ma / mb;
    let resid: Vec<f64> = pairs.iter().map(|(x, y)| x - r * y).collect();
    let mr = resid.iter().sum::<f64>() / n as f64;
    let var = resid.iter().map(|e| (e - mr) * (e - mr)).sum::<f64>() / (n - 1) as f64;
    let h = t975(n) * (var / n as f64).sqrt() / mb.abs();
    (r, (r - h, r + h))
}

/// Total loss of a set of fact results.
pub fn loss(results: &[FactResult]) -> f64 {
    results.iter().map(|r| r.fact.target.loss(r.value)).sum()
}

/// The fact table as Markdown (for `docs/calibration.md`).
pub fn markdown_table(results: &[FactResult]) -> String {
    let mut s = String::from(
        "| fact | figure | population | reads | target | simulated | 95% interval | holds |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {:.4} | [{:.4}, {:.4}] | {} |\n",
            r.fact.id,
            r.fact.label(),
            r.fact.population.name(),
            r.fact.reads().words(),
            r.fact.target.describe(),
            r.value,
            r.ci95.0,
            r.ci95.1,
            if r.holds() { "yes" } else { "**no**" }
        ));
    }
    s
}
