//! Forecast baselines for CI: record a scenario's results, check a new run against them,
//! and explain what moved.
//!
//! A **baseline** ([`Baseline`]) is one JSON file per scenario, `<dir>/<scenario-stem>.json`,
//! pretty-printed with a fixed key order so that a re-record shows as a readable diff. It
//! holds, for each candidate, every metric's summary (n, mean, sd, p05, p50, p95, 95% CI of
//! the mean, written with full round-trip precision) and a digest of its per-trial values,
//! plus the trial count, seed, `--set` overrides, promosim version, a fingerprint of the
//! resolved scenario, and the resolved scenario itself as `key = value` pairs (to name the
//! keys that changed).
//!
//! Checking ([`check`]) re-runs the scenario and compares:
//! - **exact** mode (same seed and trials): any difference in a digest or a summary number
//!   is a regression, and the metrics that differ are named;
//! - **statistical** mode (changed model or seed): each metric's shift is tested against the
//!   two runs' sampling error with Welch's t-test; see [`check`] for the rule.
//!
//! A scenario whose fingerprint differs from the baseline's is reported as *changed*, with
//! the keys that changed, rather than as drift.
//!
//! Hashes are 64-bit FNV-1a ([`Fnv64`]), written out here so that they are the same on
//! every platform and Rust version.

pub mod check;
pub mod commands;
pub mod config;
pub mod junit;
pub mod render;
pub mod stats;

use crate::engine::{Arms, Plan, RunOptions, run};
use crate::limits::MAX_TRIALS;
use crate::output::write_atomic;
use crate::results::{CandidateResult, MetricSummary, defined, summary_numbers};
use crate::scenario::{Scenario, ScenarioError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Identifies the file format; a file with another value is refused.
pub const FORMAT: &str = "promosim-baseline/1";

/// The settings file read from the baseline folder when present.
pub const CONFIG_FILE: &str = "promosim-baseline.toml";

/// Scenario keys left out of the fingerprint: they do not change the model (`name`,
/// `description`) or are recorded on their own (`trials`, `seed`).
pub const UNFINGERPRINTED: &[&str] = &["name", "description", "trials", "seed"];

/// Why a baseline command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// A scenario is invalid (bad input).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A baseline or settings file is missing or malformed (bad input); the message names
    /// the key and what is allowed.
    #[error("{}: {message}", file.display())]
    File {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Bad arguments (bad input).
    #[error("{0}")]
    Usage(String),
    /// A run or a write failed.
    #[error("{0}")]
    Failed(String),
}

impl BaselineError {
    /// True for bad input (exit code 2), false for a failure while running or writing.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, BaselineError::Failed(_))
    }

    fn file(file: &Path, message: impl Into<String>) -> Self {
        BaselineError::File {
            file: file.to_path_buf(),
            message: message.into(),
        }
    }
}

/// A recorded forecast: what [`record`] produces and `baseline check` compares against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always [`FORMAT`].
    pub format: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file as given when recorded.
    pub scenario_file: String,
    /// promosim version that recorded it.
    pub promosim_version: String,
    /// Master seed.
    pub seed: u64,
    /// Trials.
    pub trials: u32,
    /// `--set` overrides applied to the scenario file, re-applied by `check` and `update`.
    pub overrides: Vec<String>,
    /// Fingerprint of the resolved scenario ([`fingerprint`]).
    pub fingerprint: String,
    /// How the numbers were computed.
    pub estimators: String,
    /// One entry per candidate, in the scenario's order.
    pub candidates: Vec<CandidateBaseline>,
    /// The resolved scenario as `key.path → TOML value`, without the keys in
    /// [`UNFINGERPRINTED`]; the fingerprint is the hash of these lines.
    pub resolved: BTreeMap<String, String>,
}

/// One candidate's recorded results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateBaseline {
    /// Candidate name (`base` for a scenario without candidates).
    pub name: String,
    /// Digest of every per-trial value of the candidate ([`trials_digest`]).
    pub trials_digest: String,
    /// One entry per metric, in output order.
    pub metrics: Vec<MetricBaseline>,
}

/// One metric's recorded summary; `null` marks an undefined value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricBaseline {
    /// Metric name.
    pub metric: String,
    /// Trials where the metric is defined.
    pub n: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Sample standard deviation (divisor `n − 1`).
    pub sd: Option<f64>,
    /// 5th percentile (type 7).
    pub p05: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// Lower bound of the 95% CI of the mean.
    pub ci95_low: Option<f64>,
    /// Upper bound of the 95% CI of the mean.
    pub ci95_high: Option<f64>,
    /// Digest of the metric's per-trial values ([`column_digest`]).
    pub digest: String,
}

impl MetricBaseline {
    fn new(s: &MetricSummary, digest: String) -> Self {
        let [mean, sd, p05, p50, p95, ci95_low, ci95_high] = s.numbers().map(defined);
        MetricBaseline {
            metric: s.metric.clone(),
            n: s.n,
            mean,
            sd,
            p05,
            p50,
            p95,
            ci95_low,
            ci95_high,
            digest,
        }
    }

    /// The summary numbers by name, in file order ([`MetricSummary::NUMBERS`]).
    pub fn numbers(&self) -> [(&'static str, Option<f64>); 7] {
        let values = summary_numbers!(self);
        std::array::from_fn(|i| (MetricSummary::NUMBERS[i], values[i]))
    }
}

/// 64-bit FNV-1a: a simple, fully specified hash, identical on every platform.
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    /// Feeds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Feeds a number as its IEEE-754 bits (little-endian); every NaN hashes alike.
    pub fn write_f64(&mut self, x: f64) {
        let bits = if x.is_nan() {
            f64::NAN.to_bits()
        } else {
            x.to_bits()
        };
        self.write(&bits.to_le_bytes());
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }

    /// The hash as `fnv1a64:` and 16 hex digits.
    pub fn label(&self) -> String {
        format!("fnv1a64:{:016x}", self.0)
    }
}

/// Digest of one metric's per-trial values: FNV-1a over each trial's index (u32, LE) and
/// value (f64 bits, LE), in trial order.
pub fn column_digest(c: &CandidateResult, k: usize) -> String {
    let mut h = Fnv64::default();
    let column = c.metrics.get(k).and_then(|m| c.column(m));
    for t in 0..c.trial_count() {
        h.write(&(t as u32).to_le_bytes());
        h.write_f64(column.as_ref().map_or(f64::NAN, |v| v[t]));
    }
    h.label()
}

/// Digest of all of a candidate's per-trial values: FNV-1a over the metric names (each
/// followed by a zero byte), then each trial's index and values in output order.
pub fn trials_digest(c: &CandidateResult) -> String {
    let mut h = Fnv64::default();
    for m in &c.metrics {
        h.write(m.as_bytes());
        h.write(&[0]);
    }
    c.for_each_row(|t, row| {
        h.write(&(t as u32).to_le_bytes());
        for &v in row {
            h.write_f64(v);
        }
    });
    h.label()
}

/// The resolved scenario as sorted `key.path → TOML value` pairs (tables flattened, array
/// elements as `key[i]`), without the keys in [`UNFINGERPRINTED`].
pub fn resolved_keys(s: &Scenario) -> Result<BTreeMap<String, String>, BaselineError> {
    let value = toml::Value::try_from(s)
        .map_err(|e| BaselineError::Failed(format!("cannot serialise the scenario: {e}")))?;
    let mut out = BTreeMap::new();
    if let toml::Value::Table(t) = value {
        for (k, v) in t {
            if !UNFINGERPRINTED.contains(&k.as_str()) {
                flatten(&k, &v, &mut out);
            }
        }
    }
    Ok(out)
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        toml::Value::Array(a) if a.iter().any(|x| x.is_table() || x.is_array()) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Fingerprint of a resolved scenario: FNV-1a of its [`resolved_keys`] as `key = value`
/// lines in key order. Defaults are filled in, so a changed default changes it too.
pub fn fingerprint(resolved: &BTreeMap<String, String>) -> String {
    let mut h = Fnv64::default();
    for (k, v) in resolved {
        h.write(k.as_bytes());
        h.write(b" = ");
        h.write(v.as_bytes());
        h.write(b"\n");
    }
    h.label()
}

/// Runs a scenario and returns one result per candidate, in the scenario's order.
///
/// A scenario without `[[candidate]]` entries is one candidate named `base`; otherwise every
/// candidate runs on the same trials and seed (common random numbers), as `promosim run`
/// does.
pub fn run_candidates(
    scenario: &Scenario,
    trials: u32,
    seed: u64,
    threads: Option<usize>,
) -> Result<Vec<CandidateResult>, BaselineError> {
    let cands = crate::scenario::resolve_candidates(scenario)
        .map_err(|p| BaselineError::Usage(p.join("\n")))?;
    let opts = RunOptions {
        trials,
        seed,
        threads,
        arms: Arms::default(),
    };
    let mut out = Vec::with_capacity(cands.len());
    for c in cands {
        let plan = Plan::new(&c.scenario).map_err(|e| BaselineError::Failed(e.to_string()))?;
        let results = run(&plan, opts, &|| {})
            .map_err(|e| BaselineError::Failed(format!("cannot start worker threads: {e}")))?;
        out.push(plan.candidate(&c.name, results));
    }
    Ok(out)
}

/// What to record: a loaded scenario and how it was made.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The scenario file as given.
    pub file: String,
    /// The loaded scenario (overrides applied).
    pub scenario: Scenario,
    /// The overrides applied to the file.
    pub overrides: Vec<String>,
    /// Trials to run.
    pub trials: u32,
    /// Master seed.
    pub seed: u64,
}

impl Recipe {
    /// Loads `file` with `overrides`; trials and seed default to the scenario's.
    pub fn load(
        file: &Path,
        overrides: &[String],
        trials: Option<u32>,
        seed: Option<u64>,
    ) -> Result<Self, BaselineError> {
        let scenario = crate::scenario::load_file(file, overrides)?;
        Plan::new(&scenario)
            .map_err(|e| BaselineError::Usage(format!("{}: {e}", file.display())))?;
        Ok(Recipe {
            file: file.display().to_string(),
            trials: trials.unwrap_or(scenario.trials),
            seed: seed.unwrap_or(scenario.seed),
            overrides: overrides.to_vec(),
            scenario,
        })
    }
}

/// Runs a recipe and builds its baseline.
pub fn record(recipe: &Recipe, threads: Option<usize>) -> Result<Baseline, BaselineError> {
    let cands = run_candidates(&recipe.scenario, recipe.trials, recipe.seed, threads)?;
    let resolved = resolved_keys(&recipe.scenario)?;
    Ok(Baseline {
        format: FORMAT.to_string(),
        scenario: recipe.scenario.name.clone(),
        scenario_file: recipe.file.clone(),
        promosim_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: recipe.seed,
        trials: recipe.trials,
        overrides: recipe.overrides.clone(),
        fingerprint: fingerprint(&resolved),
        estimators: ESTIMATORS.to_string(),
        candidates: cands
            .iter()
            .map(|c| CandidateBaseline {
                name: c.name.clone(),
                trials_digest: trials_digest(c),
                metrics: c
                    .summary
                    .iter()
                    .enumerate()
                    .map(|(k, s)| MetricBaseline::new(s, column_digest(c, k)))
                    .collect(),
            })
            .collect(),
        resolved,
    })
}

const ESTIMATORS: &str = "over trials where the metric is defined (n): mean; sd with n-1; \
p05/p50/p95 type-7 quantiles; ci95 = mean ± t(0.975, n-1)·sd/√n; digests: FNV-1a 64 of the \
per-trial values' IEEE-754 bits";

/// The baseline file of a scenario file: `<dir>/<scenario file stem>.json`.
pub fn baseline_path(dir: &Path, scenario_file: &Path) -> Result<PathBuf, BaselineError> {
    let stem = scenario_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            BaselineError::Usage(format!(
                "{}: not a scenario file name",
                scenario_file.display()
            ))
        })?;
    Ok(dir.join(format!("{stem}.json")))
}

/// Two scenario files sharing a stem would share a baseline file: refuse them.
pub fn check_distinct_stems(dir: &Path, files: &[PathBuf]) -> Result<(), BaselineError> {
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    for f in files {
        let p = baseline_path(dir, f)?;
        if let Some(prev) = seen.insert(p.clone(), f) {
            return Err(BaselineError::Usage(format!(
                "{} and {} would share the baseline file {}; rename one",
                prev.display(),
                f.display(),
                p.display()
            )));
        }
    }
    Ok(())
}

/// The baseline files in `dir` (every `*.json`), sorted by name.
pub fn baseline_files(dir: &Path) -> Result<Vec<PathBuf>, BaselineError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| BaselineError::file(dir, format!("cannot read the baseline folder: {e}")))?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    out.sort();
    Ok(out)
}

/// Serialises a baseline: pretty JSON, fields in a fixed order, trailing newline.
pub fn to_json(b: &Baseline) -> Result<Vec<u8>, BaselineError> {
    let mut v = serde_json::to_vec_pretty(b)
        .map_err(|e| BaselineError::Failed(format!("cannot serialise the baseline: {e}")))?;
    v.push(b'\n');
    Ok(v)
}

/// Writes a baseline atomically.
pub fn save(path: &Path, b: &Baseline) -> Result<(), BaselineError> {
    write_atomic(path, &to_json(b)?).map_err(|e| BaselineError::Failed(e.to_string()))
}

/// Reads a baseline file; a missing or malformed file is bad input naming the file, the
/// key path and the line.
pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
    let text = match crate::limits::read_input(path, crate::limits::MAX_BASELINE_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BaselineError::file(
                path,
                "no baseline: record it with `promosim baseline record SCENARIO --dir DIR`",
            ));
        }
        Err(e) => return Err(BaselineError::file(path, format!("cannot read: {e}"))),
    };
    parse(&text, path)
}

/// Parses baseline text; `path` names it in errors. The text must be one JSON object with
/// nothing but white space after it, and its trial count within 1 to [`MAX_TRIALS`].
pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let b: Baseline = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let at = if inner.line() > 0 {
            format!("{}:{}: ", inner.line(), inner.column())
        } else {
            String::new()
        };
        let key = if key == "." || key.is_empty() {
            String::new()
        } else {
            format!("`{key}`: ")
        };
        BaselineError::file(path, format!("{at}{key}malformed baseline: {inner}"))
    })?;
    de.end().map_err(|e| {
        BaselineError::file(
            path,
            format!(
                "{}:{}: malformed baseline: {e}: allowed one JSON object and nothing after it",
                e.line(),
                e.column()
            ),
        )
    })?;
    if b.format != FORMAT {
        return Err(BaselineError::file(
            path,
            format!(
                "`format`: found \"{}\", this promosim reads \"{FORMAT}\"; re-record with `promosim baseline update`",
                b.format
            ),
        ));
    }
    if b.trials == 0 || b.trials > MAX_TRIALS {
        return Err(BaselineError::file(
            path,
            format!(
                "`trials`: {} is out of range: allowed 1 to {MAX_TRIALS} trials; re-record with `promosim baseline update`",
                b.trials
            ),
        ));
    }
    if let Err((key, message)) = check_contents(&b) {
        return Err(BaselineError::file(
            path,
            format!("`{key}`: {message}; re-record with `promosim baseline update`"),
        ));
    }
    let computed = fingerprint(&b.resolved);
    if computed != b.fingerprint {
        return Err(BaselineError::file(
            path,
            format!(
                "`fingerprint`: {} does not match `resolved` ({computed}); the file was edited by hand, re-record it with `promosim baseline update`",
                b.fingerprint
            ),
        ));
    }
    Ok(b)
}

/// Checks that a parsed baseline has something to compare and that every summary is
/// complete: at least one candidate, each with at least one metric, names not repeated, and
/// every metric defined in `n` trials (at most the baseline's) with a finite mean when
/// `n >= 1` and a finite sd when `n >= 2`. Returns the key path and what is wrong.
fn check_contents(b: &Baseline) -> Result<(), (String, String)> {
    if b.candidates.is_empty() {
        return Err((
            "candidates".into(),
            "empty: allowed a baseline of at least one candidate".into(),
        ));
    }
    for (i, c) in b.candidates.iter().enumerate() {
        let at = |rest: &str| format!("candidates[{i}]{rest}");
        if b.candidates[..i].iter().any(|o| o.name == c.name) {
            return Err((
                at(".name"),
                format!(
                    "candidate \"{}\" appears twice: allowed distinct names",
                    c.name
                ),
            ));
        }
        if c.metrics.is_empty() {
            return Err((
                at(".metrics"),
                "empty: allowed a candidate of at least one metric".into(),
            ));
        }
        for (j, m) in c.metrics.iter().enumerate() {
            let key = |field: &str| at(&format!(".metrics[{j}]{field}"));
            if c.metrics[..j].iter().any(|o| o.metric == m.metric) {
                return Err((
                    key(".metric"),
                    format!(
                        "metric `{}` appears twice: allowed distinct names",
                        m.metric
                    ),
                ));
            }
            if m.n > b.trials as usize {
                return Err((
                    key(".n"),
                    format!(
                        "{} is out of range: allowed 0 to the {} trials",
                        m.n, b.trials
                    ),
                ));
            }
            let finite = |x: Option<f64>| x.is_some_and(f64::is_finite);
            if m.n >= 1 && !finite(m.mean) {
                return Err((
                    key(".mean"),
                    format!(
                        "missing for a metric defined in {} trials: allowed a finite number",
                        m.n
                    ),
                ));
            }
            if m.n >= 2 && !finite(m.sd) {
                return Err((
                    key(".sd"),
                    format!(
                        "missing for a metric defined in {} trials: allowed a finite number",
                        m.n
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_published_vectors() {
        // Test vectors of the FNV reference (draft-eastlake-fnv).
        let h = |s: &str| {
            let mut f = Fnv64::default();
            f.write(s.as_bytes());
            f.finish()
        };
        assert_eq!(h(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(h("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(h("foobar"), 0x8594_4171_f739_67e8);
    }

    const MIN: &str = "name = \"t\"\ntrials = 5\nseed = 3\n[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n";

    #[test]
    fn fingerprint_ignores_name_trials_seed_but_not_defaults() {
        let a = crate::scenario::load_str(MIN, "t", &[]).unwrap();
        let b = crate::scenario::load_str(
            &MIN.replace("trials = 5", "trials = 9")
                .replace("\"t\"", "\"u\""),
            "t",
            &["seed=11".into()],
        )
        .unwrap();
        let fa = fingerprint(&resolved_keys(&a).unwrap());
        assert_eq!(fa, fingerprint(&resolved_keys(&b).unwrap()));
        let c = crate::scenario::load_str(MIN, "t", &["behaviour.organic.bass_p=0.0004".into()])
            .unwrap();
        let rc = resolved_keys(&c).unwrap();
        assert_ne!(fa, fingerprint(&rc));
        assert_eq!(rc["behaviour.organic.bass_p"], "0.0004");
        assert!(!rc.contains_key("seed") && !rc.contains_key("name"));
    }

    /// A recipe of the minimal scenario with `trials` trials.
    fn recipe(trials: u32) -> Recipe {
        Recipe {
            file: "t.toml".into(),
            overrides: vec![],
            trials,
            seed: 3,
            scenario: crate::scenario::load_str(MIN, "t", &[]).unwrap(),
        }
    }

    #[test]
    fn baseline_round_trips_through_json() {
        let recipe = recipe(5);
        let b = record(&recipe, Some(1)).unwrap();
        let text = String::from_utf8(to_json(&b).unwrap()).unwrap();
        let back = parse(&text, Path::new("t.json")).unwrap();
        assert_eq!(back, b);
        // Same recipe, same bytes.
        assert_eq!(
            to_json(&record(&recipe, Some(2)).unwrap()).unwrap(),
            text.as_bytes()
        );
    }

    #[test]
    fn malformed_baselines_name_the_key() {
        let text =
            String::from_utf8(to_json(&record(&recipe(3), Some(1)).unwrap()).unwrap()).unwrap();
        let bad = text.replacen("\"mean\": ", "\"mean\": \"x\", \"was\": ", 1);
        let e = parse(&bad, Path::new("b.json")).unwrap_err().to_string();
        assert!(
            e.contains("b.json") && e.contains("candidates[0].metrics[0].mean"),
            "{e}"
        );
        let edited = text.replace(
            "\"behaviour.organic.bass_p\": \"0.0003\"",
            "\"behaviour.organic.bass_p\": \"0.0009\"",
        );
        assert_ne!(edited, text);
        let e = parse(&edited, Path::new("b.json")).unwrap_err().to_string();
        assert!(e.contains("fingerprint"), "{e}");
        let e = parse("{}", Path::new("b.json")).unwrap_err().to_string();
        assert!(e.contains("missing field"), "{e}");
    }
}
