//! The `baseline record | update | check` commands, without the command line: the CLI fills
//! these requests and prints what they return.
//!
//! Every input is read and validated (scenarios, baseline files, settings) before anything
//! runs, so bad input fails fast with exit code 2.

use super::check::{CheckOptions, CheckReport, Mode, ScenarioReport, compare};
use super::config::Settings;
use super::{
    Baseline, BaselineError, CONFIG_FILE, Recipe, baseline_files, baseline_path,
    check_distinct_stems, load, record, save,
};
use crate::limits::{MAX_THREADS, MAX_TRIALS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Options shared by `record` and `update`.
#[derive(Debug, Clone, Default)]
pub struct RecordRequest {
    /// Scenario files (for `update`, empty means every baseline in `dir`).
    pub scenarios: Vec<PathBuf>,
    /// Baseline folder.
    pub dir: PathBuf,
    /// Trials (default: the existing baseline's, then the scenario's).
    pub trials: Option<u32>,
    /// Seed (default: the existing baseline's, then the scenario's).
    pub seed: Option<u64>,
    /// `--set` overrides (default for `update`: the existing baseline's).
    pub overrides: Vec<String>,
    /// Worker threads.
    pub threads: Option<usize>,
}

/// What `record` or `update` did to one baseline file.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The baseline file written.
    pub path: PathBuf,
    /// The new baseline.
    pub baseline: Baseline,
    /// For `update`: the exact comparison with the previous baseline, if there was one.
    pub previous: Option<ScenarioReport>,
}

impl Recorded {
    /// One line saying what changed.
    pub fn summary(&self) -> String {
        let b = &self.baseline;
        let what = match &self.previous {
            None => "new".to_string(),
            Some(r) => {
                let mut parts = Vec::new();
                if !r.changed_keys.is_empty() {
                    parts.push(format!("scenario changed ({} keys)", r.changed_keys.len()));
                }
                let differ: Vec<&str> = r.failures().map(|x| x.metric.as_str()).collect();
                if !differ.is_empty() {
                    parts.push(format!(
                        "{} metrics changed: {}",
                        differ.len(),
                        differ.join(", ")
                    ));
                }
                if r.baseline_seed != r.seed || r.baseline_trials != r.trials {
                    parts.push(format!(
                        "seed {} → {}, trials {} → {}",
                        r.baseline_seed, r.seed, r.baseline_trials, r.trials
                    ));
                }
                if parts.is_empty() {
                    "unchanged".to_string()
                } else {
                    parts.join("; ")
                }
            }
        };
        format!(
            "{}: {} ({} trials, seed {}): {what}",
            self.path.display(),
            b.scenario,
            b.trials,
            b.seed
        )
    }
}

/// `--trials` and `--threads` within their limits ([`crate::limits`]).
fn validate_counts(trials: Option<u32>, threads: Option<usize>) -> Result<(), BaselineError> {
    if let Some(t) = trials.filter(|t| *t == 0 || *t > MAX_TRIALS) {
        return Err(BaselineError::Usage(format!(
            "--trials {t}: allowed 1 to {MAX_TRIALS} trials"
        )));
    }
    if let Some(t) = threads.filter(|t| *t == 0 || *t > MAX_THREADS) {
        return Err(BaselineError::Usage(format!(
            "--threads {t}: allowed 1 to {MAX_THREADS} threads"
        )));
    }
    Ok(())
}

/// Checks that baselines can be written into `dir` before anything runs.
fn probe(dir: &Path) -> Result<(), BaselineError> {
    crate::output::probe_dir(dir).map_err(|e| BaselineError::Failed(e.to_string()))
}

/// Runs a recipe for `record`, `update` or `check`, saying first on `progress` what it is
/// `doing` to which scenario.
fn run(
    recipe: &Recipe,
    doing: &str,
    threads: Option<usize>,
    progress: &mut dyn FnMut(&str),
) -> Result<Baseline, BaselineError> {
    progress(&format!(
        "{doing} {} ({} trials, seed {})",
        recipe.file, recipe.trials, recipe.seed
    ));
    record(recipe, threads)
}

/// `baseline record`: records new baselines; refuses to overwrite existing ones.
pub fn record_new(
    req: &RecordRequest,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<Recorded>, BaselineError> {
    validate_counts(req.trials, req.threads)?;
    if req.scenarios.is_empty() {
        return Err(BaselineError::Usage(
            "name at least one scenario file".into(),
        ));
    }
    check_distinct_stems(&req.dir, &req.scenarios)?;
    let mut jobs = Vec::new();
    for f in &req.scenarios {
        let path = baseline_path(&req.dir, f)?;
        if path.exists() {
            return Err(BaselineError::Usage(format!(
                "{} exists; `promosim baseline update {}` re-records it deliberately",
                path.display(),
                f.display()
            )));
        }
        jobs.push((path, Recipe::load(f, &req.overrides, req.trials, req.seed)?));
    }
    probe(&req.dir)?;
    let mut out = Vec::new();
    for (path, recipe) in jobs {
        let baseline = run(&recipe, "recording", req.threads, progress)?;
        save(&path, &baseline)?;
        out.push(Recorded {
            path,
            baseline,
            previous: None,
        });
    }
    Ok(out)
}

/// The scenario files of every baseline in `dir`, with their baseline files.
fn all_in_dir(dir: &Path) -> Result<Vec<(PathBuf, Baseline)>, BaselineError> {
    let files = baseline_files(dir)?;
    if files.is_empty() {
        return Err(BaselineError::Usage(format!(
            "no baselines (*.json) in {}; record some with `promosim baseline record SCENARIO... --dir {}`",
            dir.display(),
            dir.display()
        )));
    }
    files
        .into_iter()
        .map(|p| load(&p).map(|b| (p, b)))
        .collect()
}

/// The work of `update` and `check`: (scenario file, baseline file, what `read` makes of
/// the baseline file) for every baseline in `dir` when no scenario is named, otherwise for
/// each named scenario. A baseline found in the folder is given to `found`.
fn targets<T>(
    dir: &Path,
    scenarios: &[PathBuf],
    found: impl Fn(Baseline) -> T,
    read: impl Fn(&Path) -> Result<T, BaselineError>,
) -> Result<Vec<(PathBuf, PathBuf, T)>, BaselineError> {
    if scenarios.is_empty() {
        return Ok(all_in_dir(dir)?
            .into_iter()
            .map(|(p, b)| (PathBuf::from(&b.scenario_file), p, found(b)))
            .collect());
    }
    check_distinct_stems(dir, scenarios)?;
    scenarios
        .iter()
        .map(|f| {
            let p = baseline_path(dir, f)?;
            let t = read(&p)?;
            Ok((f.clone(), p, t))
        })
        .collect()
}

/// `baseline update`: re-records baselines, keeping each one's trials, seed and overrides
/// unless told otherwise; with no scenarios, every baseline in the folder.
pub fn update(
    req: &RecordRequest,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<Recorded>, BaselineError> {
    validate_counts(req.trials, req.threads)?;
    let pairs = targets(&req.dir, &req.scenarios, Some, |p| {
        p.exists().then(|| load(p)).transpose()
    })?;
    let mut jobs = Vec::new();
    for (file, path, old) in pairs {
        let overrides = if req.overrides.is_empty() {
            old.as_ref()
                .map(|b| b.overrides.clone())
                .unwrap_or_default()
        } else {
            req.overrides.clone()
        };
        let recipe = Recipe::load(
            &file,
            &overrides,
            req.trials.or(old.as_ref().map(|b| b.trials)),
            req.seed.or(old.as_ref().map(|b| b.seed)),
        )?;
        jobs.push((path, recipe, old));
    }
    probe(&req.dir)?;
    let mut out = Vec::new();
    for (path, recipe, old) in jobs {
        let baseline = run(&recipe, "re-recording", req.threads, progress)?;
        let previous = old.map(|o| {
            let opts = CheckOptions {
                mode: Mode::Exact,
                settings: Settings::default(),
                allow_changed_scenario: false,
            };
            compare(&o, &baseline, &opts)
        });
        save(&path, &baseline)?;
        out.push(Recorded {
            path,
            baseline,
            previous,
        });
    }
    Ok(out)
}

/// Options of `baseline check`.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// Scenario files (empty: every baseline in `dir`).
    pub scenarios: Vec<PathBuf>,
    /// Baseline folder.
    pub dir: PathBuf,
    /// Mode.
    pub mode: Mode,
    /// Settings file (default: `<dir>/promosim-baseline.toml` when it exists).
    pub config: Option<PathBuf>,
    /// `--alpha`.
    pub alpha: Option<f64>,
    /// `--min-effect METRIC=VALUE` arguments.
    pub min_effects: Vec<String>,
    /// Seed (statistical mode only; default: the baseline's).
    pub seed: Option<u64>,
    /// Trials (statistical mode only; default: the baseline's).
    pub trials: Option<u32>,
    /// Extra `--set` overrides, applied after the baseline's.
    pub overrides: Vec<String>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Report a changed scenario as a note instead of a failure.
    pub allow_changed_scenario: bool,
}

/// `baseline check`: re-runs every scenario and compares it with its baseline. Each
/// scenario's report is passed to `on_report` as soon as it is ready.
pub fn check(
    req: &CheckRequest,
    progress: &mut dyn FnMut(&str),
    on_report: &mut dyn FnMut(&ScenarioReport),
) -> Result<CheckReport, BaselineError> {
    validate_counts(req.trials, req.threads)?;
    if req.mode == Mode::Exact && (req.seed.is_some() || req.trials.is_some()) {
        return Err(BaselineError::Usage(
            "exact mode re-runs the baseline's seed and trials; --seed and --trials need --mode statistical".into(),
        ));
    }
    let mut settings = match &req.config {
        Some(p) => Settings::load(p)?,
        None => {
            let p = req.dir.join(CONFIG_FILE);
            if p.is_file() {
                Settings::load(&p)?
            } else {
                Settings::default()
            }
        }
    };
    settings.apply_args(req.alpha, &req.min_effects)?;
    let pairs = targets(&req.dir, &req.scenarios, |b| b, load)?;
    let metrics: BTreeSet<String> = pairs
        .iter()
        .flat_map(|(_, _, b)| b.candidates.iter())
        .flat_map(|c| c.metrics.iter().map(|m| m.metric.clone()))
        .collect();
    settings.check_metrics(&metrics)?;
    let mut jobs = Vec::new();
    for (file, path, base) in pairs {
        let overrides: Vec<String> = base
            .overrides
            .iter()
            .chain(&req.overrides)
            .cloned()
            .collect();
        let recipe = Recipe::load(
            &file,
            &overrides,
            Some(req.trials.unwrap_or(base.trials)),
            Some(req.seed.unwrap_or(base.seed)),
        )?;
        jobs.push((path, recipe, base));
    }
    let opts = CheckOptions {
        mode: req.mode,
        settings,
        allow_changed_scenario: req.allow_changed_scenario,
    };
    let mut reports = Vec::new();
    for (path, recipe, base) in jobs {
        let now = run(&recipe, "checking", req.threads, progress)?;
        let mut r = compare(&base, &now, &opts);
        r.baseline_file = path.display().to_string();
        on_report(&r);
        reports.push(r);
    }
    Ok(CheckReport::new(req.mode, reports))
}
