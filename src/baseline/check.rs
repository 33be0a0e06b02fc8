//! Comparing a new recording with a baseline: verdicts per metric and the report (rendered
//! as text by [`super::render`]).
//!
//! ## Exact mode
//! The new run uses the baseline's seed and trial count, so an unchanged model gives
//! byte-identical results. A metric *differs* when its per-trial digest, its `n` or any
//! summary number (compared bit for bit) differs; any difference fails.
//!
//! ## Statistical mode
//! For every metric of every candidate, with `(n, mean, sd)` of both runs:
//! 1. undefined in both runs: `undefined` (holds); defined in one only: `definedness
//!    changed` (fails); fewer than 2 defined trials in a run: `too few trials` (holds);
//! 2. zero variance in both runs: `constant` when the means are equal (holds), otherwise
//!    `constant changed`, which fails when `|difference| ≥ minimum effect`;
//! 3. otherwise the metric is *tested* with Welch's t-test ([`super::stats`]). With `m`
//!    tested metrics in the scenario (all candidates together) and family-wise rate `α`,
//!    each is tested at `α/m` (Bonferroni), and its interval is the `1 − α/m` Welch
//!    interval of `now − baseline`. A metric is a **regression** when its interval excludes
//!    0 (`p < α/m`) **and** `|difference| ≥` its minimum effect (relative: a share of
//!    `|baseline mean|`; absolute: in the metric's unit); significant but smaller shifts are
//!    `below min effect` (holds).
//!
//! A metric (or candidate) the baseline has and the new run does not, or the new run has
//! and the baseline does not, fails in either mode: there is nothing to compare it with.
//! So does a tested metric whose mean or sd is not finite in one run (`untestable`); a
//! baseline file whose summaries are incomplete is refused when it is read.
//!
//! Bonferroni bounds the probability of one or more false alarms per scenario by `α`
//! whatever the correlation between metrics (many are correlated: orders, revenue, first
//! buyers); the bound is then conservative. Welch assumes independent runs: with the same
//! seed and a changed model the runs share random numbers, are positively correlated, and
//! the test is conservative too.
//!
//! A scenario whose fingerprint differs from the baseline's fails as `scenario changed`,
//! with the keys that changed, unless changes are allowed (then it is a note and the
//! metrics decide).

use super::config::Settings;
pub use super::render::CheckReport;
use super::render::fmt_p;
use super::stats::{Sample, bonferroni, welch};
use super::{Baseline, CandidateBaseline, MetricBaseline};
use serde::Serialize;
use std::collections::BTreeSet;

/// How runs are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Same seed and trials: byte-identical results expected.
    Exact,
    /// Shifts tested against sampling error.
    Statistical,
}

/// Options of a comparison.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The mode.
    pub mode: Mode,
    /// False-alarm rate and minimum effects (statistical mode).
    pub settings: Settings,
    /// Report a changed scenario fingerprint as a note instead of a failure.
    pub allow_changed_scenario: bool,
}

/// The verdict on one metric (or a candidate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Exact: digest and every summary number equal.
    Identical,
    /// Exact: something differs.
    Differs,
    /// Statistical: the shift is within sampling error.
    Holds,
    /// Statistical: significant, but smaller than the minimum effect.
    BelowMinEffect,
    /// Statistical: significant and at least the minimum effect.
    Regression,
    /// Constant in both runs, same value.
    Constant,
    /// Constant in both runs, different values.
    ConstantChanged,
    /// Undefined in every trial of both runs.
    Undefined,
    /// Defined in one run and undefined in every trial of the other.
    DefinednessChanged,
    /// Fewer than two defined trials in a run: not tested.
    TooFewTrials,
    /// In the baseline, not in the new run.
    Missing,
    /// In the new run, not in the baseline.
    New,
    /// Defined in both runs, but a mean or sd is not finite: cannot be tested (fails).
    Untestable,
}

impl Verdict {
    /// The snake_case name used in JSON and JUnit reports.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Identical => "identical",
            Verdict::Differs => "differs",
            Verdict::Holds => "holds",
            Verdict::BelowMinEffect => "below_min_effect",
            Verdict::Regression => "regression",
            Verdict::Constant => "constant",
            Verdict::ConstantChanged => "constant_changed",
            Verdict::Undefined => "undefined",
            Verdict::DefinednessChanged => "definedness_changed",
            Verdict::TooFewTrials => "too_few_trials",
            Verdict::Missing => "missing",
            Verdict::New => "new",
            Verdict::Untestable => "untestable",
        }
    }

    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Identical => "identical",
            Verdict::Differs => "DIFFERS",
            Verdict::Holds => "holds",
            Verdict::BelowMinEffect => "below min effect",
            Verdict::Regression => "REGRESSION",
            Verdict::Constant => "constant",
            Verdict::ConstantChanged => "CONSTANT CHANGED",
            Verdict::Undefined => "undefined",
            Verdict::DefinednessChanged => "DEFINEDNESS CHANGED",
            Verdict::TooFewTrials => "too few trials",
            Verdict::Missing => "MISSING",
            Verdict::New => "NEW",
            Verdict::Untestable => "UNTESTABLE",
        }
    }
}

/// One run's side of a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Trials where the metric is defined.
    pub n: usize,
    /// Mean (`null` when undefined).
    pub mean: Option<f64>,
    /// Standard deviation.
    pub sd: Option<f64>,
}

impl From<&MetricBaseline> for Side {
    fn from(m: &MetricBaseline) -> Self {
        Side {
            n: m.n,
            mean: m.mean,
            sd: m.sd,
        }
    }
}

/// The comparison of one metric of one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Candidate.
    pub candidate: String,
    /// Metric (`(candidate)` for a row about a whole candidate).
    pub metric: String,
    /// The baseline's summary.
    pub baseline: Option<Side>,
    /// The new run's summary.
    pub now: Option<Side>,
    /// `now − baseline` of the means.
    pub difference: Option<f64>,
    /// `difference / |baseline mean|`.
    pub relative_difference: Option<f64>,
    /// Interval of the difference at the report's `interval_level` (tested metrics).
    pub interval: Option<[f64; 2]>,
    /// Welch p-value (tested metrics).
    pub p_value: Option<f64>,
    /// The minimum effect applied (statistical mode).
    pub min_effect: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// True when this row fails the check.
    pub failed: bool,
    /// Details: what differs, or why the verdict.
    pub message: String,
}

/// A key of the resolved scenario that differs from the baseline's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyChange {
    /// Key path.
    pub key: String,
    /// Value in the baseline (`null`: absent).
    pub baseline: Option<String>,
    /// Value now (`null`: absent).
    pub now: Option<String>,
}

/// Outcome of a scenario's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every metric holds.
    Pass,
    /// At least one metric regressed (or differs, in exact mode).
    Regression,
    /// The resolved scenario differs from the baseline's.
    ScenarioChanged,
}

impl Status {
    /// Label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Regression => "REGRESSION",
            Status::ScenarioChanged => "SCENARIO CHANGED",
        }
    }
}

/// Everything found when checking one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioReport {
    /// Scenario name.
    pub scenario: String,
    /// Scenario file.
    pub scenario_file: String,
    /// Baseline file.
    pub baseline_file: String,
    /// Outcome.
    pub status: Status,
    /// Why it failed, one line each (empty when it passes).
    pub reasons: Vec<String>,
    /// Facts worth knowing that do not fail the check (versions, allowed changes).
    pub notes: Vec<String>,
    /// Mode.
    pub mode: Mode,
    /// Seed of the baseline.
    pub baseline_seed: u64,
    /// Seed now.
    pub seed: u64,
    /// Trials of the baseline.
    pub baseline_trials: u32,
    /// Trials now.
    pub trials: u32,
    /// Version that recorded the baseline.
    pub baseline_version: String,
    /// Version now.
    pub version: String,
    /// Fingerprint of the baseline's resolved scenario.
    pub baseline_fingerprint: String,
    /// Fingerprint now.
    pub fingerprint: String,
    /// Keys of the resolved scenario that changed.
    pub changed_keys: Vec<KeyChange>,
    /// Family-wise false-alarm rate (statistical mode).
    pub alpha: Option<f64>,
    /// Metrics tested with Welch's test (statistical mode).
    pub tests: usize,
    /// Level of each test, `alpha / tests`.
    pub per_test_alpha: Option<f64>,
    /// Confidence level of the intervals, `1 − alpha / tests`.
    pub interval_level: Option<f64>,
    /// One row per (candidate, metric).
    pub rows: Vec<Row>,
}

impl ScenarioReport {
    /// Rows that fail.
    pub fn failures(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.failed)
    }

    /// The row of a candidate's metric.
    pub fn row(&self, candidate: &str, metric: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.candidate == candidate && r.metric == metric)
    }
}

fn changed_keys(base: &Baseline, now: &Baseline) -> Vec<KeyChange> {
    let keys: BTreeSet<&String> = base.resolved.keys().chain(now.resolved.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (b, n) = (base.resolved.get(k), now.resolved.get(k));
            (b != n).then(|| KeyChange {
                key: k.clone(),
                baseline: b.cloned(),
                now: n.cloned(),
            })
        })
        .collect()
}

fn same_bits(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(f64::to_bits) == b.map(f64::to_bits)
}

fn diff_of(b: &MetricBaseline, n: &MetricBaseline) -> (Option<f64>, Option<f64>) {
    match (b.mean, n.mean) {
        (Some(x), Some(y)) => {
            let d = y - x;
            (Some(d), (x != 0.0).then(|| d / x.abs()))
        }
        _ => (None, None),
    }
}

fn blank_row(
    candidate: &str,
    metric: &str,
    verdict: Verdict,
    failed: bool,
    message: String,
) -> Row {
    Row {
        candidate: candidate.to_string(),
        metric: metric.to_string(),
        baseline: None,
        now: None,
        difference: None,
        relative_difference: None,
        interval: None,
        p_value: None,
        min_effect: None,
        verdict,
        failed,
        message,
    }
}

/// A row comparing a metric both runs report: both sides and the difference filled in.
fn compared_row(
    cand: &str,
    b: &MetricBaseline,
    n: &MetricBaseline,
    verdict: Verdict,
    failed: bool,
    message: String,
) -> Row {
    let (difference, relative_difference) = diff_of(b, n);
    Row {
        baseline: Some(b.into()),
        now: Some(n.into()),
        difference,
        relative_difference,
        ..blank_row(cand, &b.metric, verdict, failed, message)
    }
}

fn exact_row(cand: &str, b: &MetricBaseline, n: &MetricBaseline) -> Row {
    let mut what: Vec<&str> = Vec::new();
    if b.n != n.n {
        what.push("n");
    }
    for ((name, x), (_, y)) in b.numbers().iter().zip(n.numbers().iter()) {
        if !same_bits(*x, *y) {
            what.push(name);
        }
    }
    if b.digest != n.digest {
        what.push("per-trial values");
    }
    if what.is_empty() {
        compared_row(cand, b, n, Verdict::Identical, false, String::new())
    } else {
        let message = format!("{} differ", what.join(", "));
        compared_row(cand, b, n, Verdict::Differs, true, message)
    }
}

/// A statistical row, and whether it is to be tested (its verdict is then settled after
/// the Bonferroni split).
fn statistical_row(
    cand: &str,
    b: &MetricBaseline,
    n: &MetricBaseline,
    settings: &Settings,
) -> (Row, bool) {
    let me = settings.min_effect_of(&b.metric);
    let mut row = compared_row(cand, b, n, Verdict::Holds, false, String::new());
    row.min_effect = Some(me.to_string());
    let (verdict, failed, message) = match (b.n, n.n) {
        (0, 0) => (
            Verdict::Undefined,
            false,
            "undefined in every trial of both runs".to_string(),
        ),
        (0, k) | (k, 0) => (
            Verdict::DefinednessChanged,
            true,
            format!(
                "defined in {k} trials of the {} run, in none of the other",
                if b.n == 0 { "new" } else { "baseline" }
            ),
        ),
        (x, y) if x < 2 || y < 2 => (
            Verdict::TooFewTrials,
            false,
            format!("defined in {x} baseline and {y} new trials: not tested"),
        ),
        _ if b.sd == Some(0.0) && n.sd == Some(0.0) => {
            let d = row.difference.unwrap_or(f64::NAN);
            let base_mean = b.mean.unwrap_or(f64::NAN);
            if d == 0.0 {
                (
                    Verdict::Constant,
                    false,
                    "the same value in every trial of both runs".to_string(),
                )
            } else if d.abs() >= me.threshold(base_mean) {
                (
                    Verdict::ConstantChanged,
                    true,
                    "constant in both runs, at different values".to_string(),
                )
            } else {
                (
                    Verdict::BelowMinEffect,
                    false,
                    format!("constant in both runs; shift below the minimum effect {me}"),
                )
            }
        }
        _ => return (row, true),
    };
    row.verdict = verdict;
    row.failed = failed;
    row.message = message;
    (row, false)
}

fn sample(m: &MetricBaseline) -> Sample {
    Sample {
        n: m.n,
        mean: m.mean.unwrap_or(f64::NAN),
        sd: m.sd.unwrap_or(f64::NAN),
    }
}

fn candidate_rows(
    base: &CandidateBaseline,
    now: &CandidateBaseline,
    opts: &CheckOptions,
    tested: &mut Vec<(usize, usize, usize)>,
    rows: &mut Vec<Row>,
) {
    let cand = &base.name;
    for (bi, b) in base.metrics.iter().enumerate() {
        match now.metrics.iter().position(|m| m.metric == b.metric) {
            None => rows.push(blank_row(
                cand,
                &b.metric,
                Verdict::Missing,
                true,
                "in the baseline, not produced now".into(),
            )),
            Some(ni) => {
                let n = &now.metrics[ni];
                let (row, test) = match opts.mode {
                    Mode::Exact => (exact_row(cand, b, n), false),
                    Mode::Statistical => statistical_row(cand, b, n, &opts.settings),
                };
                if test {
                    tested.push((rows.len(), bi, ni));
                }
                rows.push(row);
            }
        }
    }
    for n in &now.metrics {
        if !base.metrics.iter().any(|b| b.metric == n.metric) {
            let mut r = blank_row(
                cand,
                &n.metric,
                Verdict::New,
                true,
                "not in the baseline: nothing to compare it with; `promosim baseline update` records it".into(),
            );
            r.now = Some(n.into());
            rows.push(r);
        }
    }
    if opts.mode == Mode::Exact
        && base.trials_digest != now.trials_digest
        && !rows.iter().any(|r| r.failed && r.candidate == *cand)
    {
        rows.push(blank_row(
            cand,
            "(per-trial values)",
            Verdict::Differs,
            true,
            format!(
                "trials digest {} → {}",
                base.trials_digest, now.trials_digest
            ),
        ));
    }
}

/// Compares a new recording `now` with `base`.
pub fn compare(base: &Baseline, now: &Baseline, opts: &CheckOptions) -> ScenarioReport {
    let mut rows = Vec::new();
    // (row index, baseline metric index, new metric index, candidate indices)
    let mut tested: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    for (bc, b) in base.candidates.iter().enumerate() {
        match now.candidates.iter().position(|c| c.name == b.name) {
            None => rows.push(blank_row(
                &b.name,
                "(candidate)",
                Verdict::Missing,
                true,
                "candidate in the baseline, not in the scenario now".into(),
            )),
            Some(nc) => {
                let mut t = Vec::new();
                candidate_rows(b, &now.candidates[nc], opts, &mut t, &mut rows);
                tested.extend(t.into_iter().map(|(r, bi, ni)| (r, bc, bi, nc, ni)));
            }
        }
    }
    for c in &now.candidates {
        if !base.candidates.iter().any(|b| b.name == c.name) {
            rows.push(blank_row(
                &c.name,
                "(candidate)",
                Verdict::New,
                true,
                "candidate not in the baseline: nothing to compare it with; `promosim baseline update` records it".into(),
            ));
        }
    }

    let alpha = opts.settings.alpha;
    let (per_test, level) = match opts.mode {
        Mode::Statistical => {
            let a = bonferroni(alpha, tested.len());
            (Some(a), Some(1.0 - a))
        }
        Mode::Exact => (None, None),
    };
    if let (Some(a), Some(level)) = (per_test, level) {
        for &(r, bc, bi, nc, ni) in &tested {
            let b = &base.candidates[bc].metrics[bi];
            let n = &now.candidates[nc].metrics[ni];
            let row = &mut rows[r];
            let Some(w) = welch(sample(b), sample(n)) else {
                row.verdict = Verdict::Untestable;
                row.failed = true;
                row.message = "no finite mean and sd in one of the runs: cannot be tested".into();
                continue;
            };
            let (lo, hi) = w.interval(level);
            row.interval = Some([lo, hi]);
            row.p_value = Some(w.p);
            let me = opts.settings.min_effect_of(&b.metric);
            let threshold = me.threshold(b.mean.unwrap_or(f64::NAN));
            let significant = w.p < a;
            let big = w.diff.abs() >= threshold;
            (row.verdict, row.failed, row.message) = match (significant, big) {
                (true, true) => (
                    Verdict::Regression,
                    true,
                    format!(
                        "shift beyond sampling error (p = {}) and ≥ min effect {me}",
                        fmt_p(w.p)
                    ),
                ),
                (true, false) => (
                    Verdict::BelowMinEffect,
                    false,
                    format!("significant (p = {}) but below min effect {me}", fmt_p(w.p)),
                ),
                _ => (Verdict::Holds, false, format!("p = {}", fmt_p(w.p))),
            };
        }
    }

    let changed = changed_keys(base, now);
    let fp_changed = base.fingerprint != now.fingerprint;
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    if fp_changed {
        let line = format!(
            "scenario changed since baseline: {} key(s) of the resolved scenario differ ({})",
            changed.len(),
            changed
                .iter()
                .take(5)
                .map(|k| k.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
                + if changed.len() > 5 { ", …" } else { "" }
        );
        if opts.allow_changed_scenario {
            notes.push(format!("{line}; allowed by --allow-changed-scenario"));
        } else {
            reasons.push(line);
        }
    }
    let failing: Vec<&Row> = rows.iter().filter(|r| r.failed).collect();
    if !failing.is_empty() {
        let names: Vec<String> = failing
            .iter()
            .map(|r| {
                if base.candidates.len() > 1 || now.candidates.len() > 1 {
                    format!("{}/{}", r.candidate, r.metric)
                } else {
                    r.metric.clone()
                }
            })
            .collect();
        reasons.push(format!(
            "{} metric(s) {}: {}",
            names.len(),
            if opts.mode == Mode::Exact {
                "differ"
            } else {
                "regressed"
            },
            names.join(", ")
        ));
    }
    if base.promosim_version != now.promosim_version {
        notes.push(format!(
            "baseline recorded with promosim {}, now {}",
            base.promosim_version, now.promosim_version
        ));
    }
    if opts.mode == Mode::Exact && (base.seed != now.seed || base.trials != now.trials) {
        notes.push("exact mode compares runs with different seeds or trial counts".into());
    }
    let status = if fp_changed && !opts.allow_changed_scenario {
        Status::ScenarioChanged
    } else if failing.is_empty() {
        Status::Pass
    } else {
        Status::Regression
    };
    ScenarioReport {
        scenario: now.scenario.clone(),
        scenario_file: now.scenario_file.clone(),
        baseline_file: String::new(),
        status,
        reasons,
        notes,
        mode: opts.mode,
        baseline_seed: base.seed,
        seed: now.seed,
        baseline_trials: base.trials,
        trials: now.trials,
        baseline_version: base.promosim_version.clone(),
        version: now.promosim_version.clone(),
        baseline_fingerprint: base.fingerprint.clone(),
        fingerprint: now.fingerprint.clone(),
        changed_keys: changed,
        alpha: (opts.mode == Mode::Statistical).then_some(alpha),
        tests: tested.len(),
        per_test_alpha: per_test,
        interval_level: level,
        rows,
    }
}

/// The rule of the statistical mode, as stated in reports.
pub const STATISTICAL_RULE: &str = "Welch t-test of each metric's mean (now - baseline); \
Bonferroni over the m metrics tested in a scenario (all candidates): each at alpha/m, so the \
probability of any false alarm per scenario is at most alpha whatever the correlation between \
metrics; intervals are the (1 - alpha/m) Welch intervals of the difference; a metric regresses \
when its interval excludes 0 (p < alpha/m) and |difference| >= its minimum effect (relative to \
|baseline mean| or absolute); metrics constant in both runs fail when they differ by at least \
the minimum effect; a metric or candidate in only one of the runs fails, and so does a metric \
whose mean or sd is not finite";

/// The rule of the exact mode, as stated in reports.
pub const EXACT_RULE: &str = "same seed and trials as the baseline; a metric differs when \
its per-trial digest, n, or any summary number (bit for bit) differs; any difference fails";

#[cfg(test)]
mod tests {
    use super::super::config::MinEffect;
    use super::*;
    use std::collections::BTreeMap;

    fn metric(name: &str, n: usize, mean: f64, sd: f64) -> MetricBaseline {
        MetricBaseline {
            metric: name.into(),
            n,
            mean: (n > 0).then_some(mean),
            sd: (n > 1).then_some(sd),
            p05: None,
            p50: None,
            p95: None,
            ci95_low: None,
            ci95_high: None,
            digest: format!("{name}{n}{mean}{sd}"),
        }
    }

    fn baseline(metrics: Vec<MetricBaseline>) -> Baseline {
        let mut resolved = BTreeMap::new();
        resolved.insert("product.price".to_string(), "10.0".to_string());
        Baseline {
            format: super::super::FORMAT.into(),
            scenario: "t".into(),
            scenario_file: "t.toml".into(),
            promosim_version: "0".into(),
            seed: 1,
            trials: 200,
            overrides: vec![],
            fingerprint: super::super::fingerprint(&resolved),
            estimators: String::new(),
            candidates: vec![CandidateBaseline {
                name: "base".into(),
                trials_digest: "d".into(),
                metrics,
            }],
            resolved,
        }
    }

    fn stat(alpha: f64) -> CheckOptions {
        CheckOptions {
            mode: Mode::Statistical,
            settings: Settings {
                alpha,
                ..Settings::default()
            },
            allow_changed_scenario: false,
        }
    }

    #[test]
    fn statistical_verdicts() {
        let base = baseline(vec![
            metric("a", 200, 10.0, 2.0),
            metric("b", 200, 10.0, 2.0),
            metric("c", 200, 5.0, 0.0),
            metric("d", 0, 0.0, 0.0),
            metric("e", 200, 1.0, 1.0),
            metric("f", 200, 7.0, 0.0),
            metric("g", 200, 1.0, 0.5),
        ]);
        let now = baseline(vec![
            metric("a", 200, 10.1, 2.0), // z ≈ 0.5: holds
            metric("b", 200, 11.0, 2.0), // z = 5: regression
            metric("c", 200, 5.0, 0.0),  // constant
            metric("d", 0, 0.0, 0.0),    // undefined
            metric("e", 0, 0.0, 0.0),    // definedness changed
            metric("f", 200, 8.0, 0.0),  // constant changed
            metric("h", 200, 1.0, 0.5),  // new; g missing
        ]);
        let r = compare(&base, &now, &stat(0.01));
        let v = |m: &str| r.row("base", m).unwrap().verdict;
        assert_eq!(v("a"), Verdict::Holds);
        assert_eq!(v("b"), Verdict::Regression);
        assert_eq!(v("c"), Verdict::Constant);
        assert_eq!(v("d"), Verdict::Undefined);
        assert_eq!(v("e"), Verdict::DefinednessChanged);
        assert_eq!(v("f"), Verdict::ConstantChanged);
        assert_eq!(v("g"), Verdict::Missing);
        assert_eq!(v("h"), Verdict::New);
        assert!(r.row("base", "h").unwrap().failed);
        assert_eq!(r.tests, 2);
        assert_eq!(r.per_test_alpha, Some(0.005));
        assert_eq!(r.status, Status::Regression);
        let b = r.row("base", "b").unwrap();
        let [lo, hi] = b.interval.unwrap();
        assert!(lo > 0.0 && hi > lo && lo < 1.0 && hi > 1.0, "{lo} {hi}");
        let failed: Vec<&str> = r.failures().map(|x| x.metric.as_str()).collect();
        assert_eq!(failed, ["b", "e", "f", "g", "h"]);
        let text = super::super::render::render(&r, false);
        assert!(
            text.contains("REGRESSION") && text.contains("99.5% interval"),
            "{text}"
        );
    }

    #[test]
    fn minimum_effect_gates_significant_shifts() {
        let base = baseline(vec![
            metric("b", 200, 10.0, 2.0),
            metric("f", 200, 7.0, 0.0),
        ]);
        let now = baseline(vec![
            metric("b", 200, 11.0, 2.0),
            metric("f", 200, 7.5, 0.0),
        ]);
        let mut o = stat(0.01);
        o.settings.default_min_effect = MinEffect::Relative(0.2);
        let r = compare(&base, &now, &o);
        assert_eq!(r.row("base", "b").unwrap().verdict, Verdict::BelowMinEffect);
        assert_eq!(r.row("base", "f").unwrap().verdict, Verdict::BelowMinEffect);
        assert_eq!(r.status, Status::Pass);
        o.settings.default_min_effect = MinEffect::Absolute(1.0);
        let r = compare(&base, &now, &o);
        assert_eq!(r.row("base", "b").unwrap().verdict, Verdict::Regression);
        assert_eq!(r.row("base", "f").unwrap().verdict, Verdict::BelowMinEffect);
    }

    #[test]
    fn exact_mode_names_what_differs() {
        let base = baseline(vec![
            metric("a", 200, 10.0, 2.0),
            metric("b", 200, 1.0, 1.0),
        ]);
        let mut now = baseline(vec![
            metric("a", 200, 10.0, 2.0),
            metric("b", 200, 1.0, 1.0),
        ]);
        let exact = CheckOptions {
            mode: Mode::Exact,
            ..stat(0.01)
        };
        assert_eq!(compare(&base, &now, &exact).status, Status::Pass);
        now.candidates[0].metrics[1].p95 = Some(3.0);
        let r = compare(&base, &now, &exact);
        assert_eq!(r.status, Status::Regression);
        let b = r.row("base", "b").unwrap();
        assert_eq!(b.verdict, Verdict::Differs);
        assert!(b.message.contains("p95"), "{}", b.message);
        assert_eq!(r.row("base", "a").unwrap().verdict, Verdict::Identical);
        // A digest change alone is caught too.
        let mut now = base.clone();
        now.candidates[0].trials_digest = "other".into();
        let r = compare(&base, &now, &exact);
        assert_eq!(
            r.row("base", "(per-trial values)").unwrap().verdict,
            Verdict::Differs
        );
    }

    #[test]
    fn changed_scenarios_are_named() {
        let base = baseline(vec![metric("a", 200, 10.0, 2.0)]);
        let mut now = base.clone();
        now.resolved.insert("product.price".into(), "12.0".into());
        now.resolved.insert("product.quality".into(), "0.5".into());
        now.fingerprint = super::super::fingerprint(&now.resolved);
        let mut o = stat(0.01);
        let r = compare(&base, &now, &o);
        assert_eq!(r.status, Status::ScenarioChanged);
        assert_eq!(r.changed_keys.len(), 2);
        assert_eq!(r.changed_keys[0].now.as_deref(), Some("12.0"));
        assert_eq!(r.changed_keys[1].baseline, None);
        assert!(r.reasons[0].contains("product.price"), "{:?}", r.reasons);
        o.allow_changed_scenario = true;
        let r = compare(&base, &now, &o);
        assert_eq!(r.status, Status::Pass);
        assert!(r.notes[0].contains("scenario changed"));
    }
}
