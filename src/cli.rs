//! The command line: `promosim run | compare | validate | show | calibrate | baseline`.
//!
//! This is the only module that knows clap. It turns arguments into a resolved scenario,
//! calls the library, writes outputs and prints the table; `main` maps errors to exit codes:
//! 0 success, 1 a run or write failure (or, for `baseline check`, a regression or a changed
//! scenario), 2 bad input (invalid scenario, baseline or settings file, bad arguments).

use crate::baseline::BaselineError;
use crate::baseline::check::{Mode, Status, render};
use crate::baseline::commands::{CheckRequest, RecordRequest};
use crate::compare::{Constraints, Objective, compare};
use crate::engine::{Plan, RunOptions, run};
use crate::output::{
    CandidateResult, RunInfo, RunOutputs, render_comparison, render_table, write_run,
};
use crate::scenario::{ResolvedCandidate, Scenario, ScenarioError, load_file, resolve_candidates};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Agent-based Monte Carlo forecasts of social-commerce campaigns.
#[derive(Debug, Parser)]
#[command(name = "promosim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's trials (every candidate's, if it lists `[[candidate]]` entries) and
    /// write trials.csv, summary.csv, summary.json, daily.csv and the plots.
    Run(RunArgs),
    /// Compare whole scenario files as candidates on the same market (same trials and
    /// seed, so the differences are paired).
    Compare(CompareArgs),
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Check the field's figures against the shipped scenarios, or search the calibrated
    /// defaults again (`--search`).
    Calibrate(CalibrateArgs),
    /// Print the resolved scenario, every default filled in.
    Show {
        /// Scenario file.
        file: PathBuf,
        /// Override a value: KEY.PATH=VALUE (repeatable), e.g. behaviour.organic.bass_p=0.001.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print this candidate's complete scenario instead of the base and its candidates.
        #[arg(long)]
        candidate: Option<String>,
    },
    /// Record forecast baselines and check new runs against them (for CI).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Print the JSON Schema of scenario files (for editor completion and checks).
    Schema,
}

/// `promosim baseline` subcommands.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Run scenarios and store their summaries as baselines (refuses to overwrite).
    Record(RecordArgs),
    /// Re-run scenarios and compare with their baselines: exit 0 all hold, 1 regression or
    /// changed scenario, 2 bad input.
    Check(CheckArgs),
    /// Re-record baselines deliberately, keeping each one's trials, seed and overrides
    /// unless given; without scenarios, every baseline in --dir.
    Update(UpdateArgs),
}

/// Options shared by `baseline record` and `baseline update`.
#[derive(Debug, Args)]
pub struct RecordOpts {
    /// Baseline folder: one `<scenario stem>.json` per scenario.
    #[arg(long, default_value = "baselines")]
    pub dir: PathBuf,
    /// Trials (default: the existing baseline's, then the scenario's).
    #[arg(long)]
    pub trials: Option<u32>,
    /// Master seed (default: the existing baseline's, then the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a value: KEY.PATH=VALUE (repeatable); recorded and re-applied by check.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Worker threads (results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `promosim baseline record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Options.
    #[command(flatten)]
    pub opts: RecordOpts,
}

/// Arguments of `promosim baseline update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Scenario files (default: every baseline in --dir, from the scenario file it names).
    pub scenarios: Vec<PathBuf>,
    /// Options.
    #[command(flatten)]
    pub opts: RecordOpts,
}

/// How `baseline check` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Same seed and trials: any change in results is a regression.
    Exact,
    /// Each metric's shift tested against sampling error (Welch t, Bonferroni).
    Statistical,
}

/// Arguments of `promosim baseline check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files (default: every baseline in --dir, from the scenario file it names).
    pub scenarios: Vec<PathBuf>,
    /// Baseline folder.
    #[arg(long, default_value = "baselines")]
    pub dir: PathBuf,
    /// Comparison mode.
    #[arg(long, value_enum, default_value_t = ModeArg::Exact)]
    pub mode: ModeArg,
    /// Family-wise false-alarm rate per scenario (statistical mode; default 0.01 or the
    /// settings file's).
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Minimum effect of a metric, METRIC=VALUE with VALUE relative (`2%`) or absolute
    /// (`0.005`); METRIC `default` for every metric (repeatable).
    #[arg(long = "min-effect", value_name = "METRIC=VALUE")]
    pub min_effect: Vec<String>,
    /// Settings file (default: `<dir>/promosim-baseline.toml` when present).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Seed of the new run (statistical mode; default: the baseline's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Trials of the new run (statistical mode; default: the baseline's).
    #[arg(long)]
    pub trials: Option<u32>,
    /// Override a value in the new run: KEY.PATH=VALUE (repeatable), after the baseline's.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Report a changed scenario fingerprint as a note, and let the metrics decide.
    #[arg(long)]
    pub allow_changed_scenario: bool,
    /// Write the result as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report to this file.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Print only the rows that fail.
    #[arg(long)]
    pub failures_only: bool,
    /// Worker threads (results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress lines on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `promosim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Options shared with `compare`.
    #[command(flatten)]
    pub opts: RunOpts,
}

/// Arguments of `promosim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files; each is a candidate (or, if it lists `[[candidate]]` entries, each of
    /// those is). Trials and seed come from the first file unless given.
    #[arg(required = true, num_args = 2..)]
    pub files: Vec<PathBuf>,
    /// Options shared with `run`.
    #[command(flatten)]
    pub opts: RunOpts,
}

/// What candidates are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveArg {
    /// Lowest cost per acquisition.
    Cpa,
    /// Highest conversion rate.
    Conversion,
    /// Highest return on investment.
    Roi,
    /// Highest repurchase rate.
    Repurchase,
}

impl From<ObjectiveArg> for Objective {
    fn from(o: ObjectiveArg) -> Self {
        match o {
            ObjectiveArg::Cpa => Objective::Cpa,
            ObjectiveArg::Conversion => Objective::Conversion,
            ObjectiveArg::Roi => Objective::Roi,
            ObjectiveArg::Repurchase => Objective::Repurchase,
        }
    }
}

/// Options of `run` and `compare`.
#[derive(Debug, Args)]
pub struct RunOpts {
    /// Number of trials (overrides the scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u32>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: `output/<scenario name>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar or run information on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Override a value: KEY.PATH=VALUE (repeatable), e.g. mechanisms.blogger_reviews.bloggers=40.
    /// Applies to the base scenario, so to every candidate.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// What candidates are ranked by.
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Cpa)]
    pub objective: ObjectiveArg,
    /// Budget cap: a candidate qualifies if its campaign cost stays within it in at least
    /// 95% of trials (money, in the scenario's currency).
    #[arg(long, value_name = "MONEY")]
    pub budget: Option<f64>,
    /// Minimum mean conversion rate for a candidate to qualify, as a share (0.05 = 5%).
    #[arg(long, value_name = "SHARE")]
    pub min_conversion: Option<f64>,
    /// Also write report.html: one self-contained page with the ranking, tables and plots.
    #[arg(long)]
    pub report: bool,
    /// Do not write the plot files (PNG and SVG).
    #[arg(long)]
    pub no_plots: bool,
}

/// Arguments of `promosim calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Folder of the shipped scenarios.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Trials per scenario run.
    #[arg(long, default_value_t = 200)]
    pub trials: u32,
    /// Search new values of the calibrated parameters, starting from the current defaults.
    #[arg(long)]
    pub search: bool,
    /// Rounds of coordinate descent (with --search); the step halves each round.
    #[arg(long, default_value_t = 4)]
    pub rounds: u32,
    /// Trials per scenario run during the search (with --search).
    #[arg(long, default_value_t = 60)]
    pub search_trials: u32,
    /// Write the fact table as Markdown to this file.
    #[arg(long)]
    pub write: Option<PathBuf>,
    /// Only the facts whose id starts with this prefix (repeatable).
    #[arg(long = "facts", value_name = "PREFIX")]
    pub facts: Vec<String>,
    /// With --search, only move the knobs whose key contains this text (repeatable).
    #[arg(long = "knobs", value_name = "TEXT")]
    pub knobs: Vec<String>,
}

/// Why a command failed, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A scenario is invalid (exit 2).
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// Some scenario files are invalid (exit 2).
    #[error("{0} scenario file(s) invalid")]
    Invalid(usize),
    /// Bad arguments (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A baseline command could not do its work (exit 2 for bad input, 1 otherwise).
    #[error("{0}")]
    Baseline(#[from] BaselineError),
    /// `baseline check` found regressions or changed scenarios (exit 1).
    #[error("{0}")]
    CheckFailed(String),
    /// Anything else (exit 1).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Scenario(_) | CliError::Invalid(_) | CliError::Usage(_) => 2,
            CliError::Baseline(e) if e.is_bad_input() => 2,
            CliError::Baseline(_) | CliError::CheckFailed(_) | CliError::Other(_) => 1,
        }
    }
}

/// Executes a parsed command line.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run_command(&args),
        Command::Compare(args) => compare_command(&args),
        Command::Validate { files } => validate_command(&files),
        Command::Calibrate(args) => calibrate_command(&args),
        Command::Show {
            file,
            set,
            candidate,
        } => {
            let s = load_file(&file, &set)?;
            match candidate {
                None => print!("{}", s.to_toml()),
                Some(name) => {
                    let cands = resolved(&s, &file)?;
                    let c = cands.iter().find(|c| c.name == name).ok_or_else(|| {
                        CliError::Usage(format!(
                            "{}: no candidate named \"{name}\"; allowed: {}",
                            file.display(),
                            names(&cands)
                        ))
                    })?;
                    print!("# candidate \"{}\"\n{}", c.name, c.scenario.to_toml());
                }
            }
            Ok(())
        }
        Command::Baseline(b) => baseline_command(b),
        Command::Schema => {
            print!("{}", crate::scenario::schema::json());
            Ok(())
        }
    }
}

fn record_request(scenarios: Vec<PathBuf>, o: RecordOpts) -> (RecordRequest, bool) {
    (
        RecordRequest {
            scenarios,
            dir: o.dir,
            trials: o.trials,
            seed: o.seed,
            overrides: o.set,
            threads: o.threads,
        },
        o.quiet,
    )
}

fn baseline_command(cmd: BaselineCommand) -> Result<(), CliError> {
    let progress = |quiet: bool| {
        move |m: &str| {
            if !quiet {
                eprintln!("{m}");
            }
        }
    };
    match cmd {
        BaselineCommand::Record(a) => {
            let (req, quiet) = record_request(a.scenarios, a.opts);
            for r in crate::baseline::commands::record_new(&req, &mut progress(quiet))? {
                println!("recorded {}", r.summary());
            }
            Ok(())
        }
        BaselineCommand::Update(a) => {
            let (req, quiet) = record_request(a.scenarios, a.opts);
            for r in crate::baseline::commands::update(&req, &mut progress(quiet))? {
                println!("updated {}", r.summary());
            }
            Ok(())
        }
        BaselineCommand::Check(a) => check_command(a),
    }
}

fn check_command(a: CheckArgs) -> Result<(), CliError> {
    let req = CheckRequest {
        scenarios: a.scenarios,
        dir: a.dir,
        mode: match a.mode {
            ModeArg::Exact => Mode::Exact,
            ModeArg::Statistical => Mode::Statistical,
        },
        config: a.config,
        alpha: a.alpha,
        min_effects: a.min_effect,
        seed: a.seed,
        trials: a.trials,
        overrides: a.set,
        threads: a.threads,
        allow_changed_scenario: a.allow_changed_scenario,
    };
    let quiet = a.quiet;
    let failures_only = a.failures_only;
    let report = crate::baseline::commands::check(
        &req,
        &mut |m: &str| {
            if !quiet {
                eprintln!("{m}");
            }
        },
        &mut |r| print!("{}", render(r, failures_only)),
    )?;
    let write = |path: &Path, bytes: &[u8]| {
        crate::output::write_atomic(path, bytes).map_err(|e| CliError::Other(e.into()))
    };
    if let Some(p) = &a.json {
        let bytes = report
            .to_json()
            .map_err(|e| anyhow::anyhow!("cannot serialise the report: {e}"))?;
        write(p, &bytes)?;
    }
    if let Some(p) = &a.junit {
        write(p, crate::baseline::junit::render(&report).as_bytes())?;
    }
    let count = |s: Status| report.scenarios.iter().filter(|r| r.status == s).count();
    let (pass, regressed, changed) = (
        count(Status::Pass),
        count(Status::Regression),
        count(Status::ScenarioChanged),
    );
    println!(
        "baseline check ({}): {pass} passed, {regressed} regressed, {changed} changed since baseline",
        match req.mode {
            Mode::Exact => "exact",
            Mode::Statistical => "statistical",
        }
    );
    if report.status == Status::Pass {
        Ok(())
    } else {
        Err(CliError::CheckFailed(format!(
            "baseline check failed: {regressed} scenario(s) regressed, {changed} changed since baseline"
        )))
    }
}

/// Current default values of the calibrated parameters.
fn knob_defaults() -> Vec<f64> {
    crate::calibration::KNOBS
        .iter()
        .map(|k| crate::calibration::default_value(k.key).unwrap_or(0.5 * (k.lo + k.hi)))
        .collect()
}

fn calibrate_command(a: &CalibrateArgs) -> Result<(), CliError> {
    use crate::calibration::{
        Evaluator, FACTS, KNOBS, Knob, REPORTED, calibrate, loss, markdown_table,
    };
    let pick = |id: &str| a.facts.is_empty() || a.facts.iter().any(|p| id.starts_with(p));
    let facts: Vec<_> = FACTS.iter().filter(|f| pick(f.id)).copied().collect();
    let reported: Vec<_> = REPORTED.iter().filter(|f| pick(f.id)).copied().collect();
    if facts.is_empty() && reported.is_empty() {
        return Err(CliError::Usage(format!(
            "--facts {:?} matches no fact; fact ids start with rp_, qa_, votes_, proofs_ or levers_",
            a.facts
        )));
    }
    let defaults = knob_defaults();
    let (knobs, start): (Vec<Knob>, Vec<f64>) = KNOBS
        .iter()
        .zip(&defaults)
        .filter(|(k, _)| a.knobs.is_empty() || a.knobs.iter().any(|t| k.key.contains(t.as_str())))
        .map(|(k, v)| (*k, *v))
        .unzip();
    let settings: Vec<(String, f64)> = if a.search {
        let mut observe = |s: &crate::calibration::Step| {
            let v: Vec<String> = s
                .knobs
                .iter()
                .map(|(k, x)| format!("{}={x:.4}", k.rsplit('.').next().unwrap_or(k)))
                .collect();
            eprintln!(
                "{} loss {:.4}  {}",
                if s.improved { "*" } else { " " },
                s.loss,
                v.join(" ")
            );
        };
        let (best, _) = calibrate(
            &a.scenarios,
            &facts,
            &knobs,
            &start,
            a.search_trials,
            a.rounds,
            &mut observe,
        )?;
        println!("calibrated values (write them into the defaults):");
        for (k, v) in &best {
            println!("  {k} = {v:.4}");
        }
        best
    } else {
        Vec::new()
    };
    let mut ev = Evaluator::new(&a.scenarios, a.trials, &settings);
    let results = ev.all(&facts)?;
    let others = ev.all(&reported)?;
    let mut table = markdown_table(&results);
    if !others.is_empty() {
        table.push_str("\nReported, not asserted (see the notes on conflicts):\n\n");
        table.push_str(&markdown_table(&others));
    }
    println!(
        "\n{} trials per scenario; loss {:.4}\n\n{table}",
        a.trials,
        loss(&results)
    );
    if let Some(path) = &a.write {
        crate::output::write_atomic(path, table.as_bytes()).map_err(anyhow::Error::from)?;
    }
    Ok(())
}

fn validate_command(files: &[PathBuf]) -> Result<(), CliError> {
    let mut bad = 0;
    for f in files {
        let checked = load_file(f, &[]).map_err(CliError::from).and_then(|s| {
            let cands = resolved(&s, f)?;
            for c in &cands {
                Plan::new(&c.scenario).map_err(|e| {
                    CliError::Usage(if s.candidates.is_empty() {
                        format!("{}: {e}", f.display())
                    } else {
                        format!("{}: candidate \"{}\": {e}", f.display(), c.name)
                    })
                })?;
            }
            Ok(s)
        });
        match checked {
            Ok(s) if s.candidates.is_empty() => {
                println!("ok: {} (scenario \"{}\")", f.display(), s.name)
            }
            Ok(s) => println!(
                "ok: {} (scenario \"{}\", {} candidates)",
                f.display(),
                s.name,
                s.candidates.len()
            ),
            Err(e) => {
                bad += 1;
                eprintln!("{e}");
            }
        }
    }
    match bad {
        0 => Ok(()),
        n => Err(CliError::Invalid(n)),
    }
}

/// A scenario's candidates resolved (they were checked when the file was loaded, so a
/// failure here means a bug; it is still reported as bad input naming the file).
fn resolved(s: &Scenario, file: &Path) -> Result<Vec<ResolvedCandidate>, CliError> {
    resolve_candidates(s)
        .map_err(|p| CliError::Usage(format!("{}: {}", file.display(), p.join("\n"))))
}

fn names(cands: &[ResolvedCandidate]) -> String {
    cands
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The command that reproduces a run (no thread count or output folder: they do not
/// change results).
fn reproduce_command(
    verb: &str,
    files: &[PathBuf],
    s: &Scenario,
    o: &RunOpts,
    ranked: bool,
) -> String {
    let mut cmd = format!("promosim {verb}");
    for f in files {
        cmd.push_str(&format!(" {}", f.display()));
    }
    cmd.push_str(&format!(" --trials {} --seed {}", s.trials, s.seed));
    for set in &o.set {
        cmd.push_str(&format!(" --set '{set}'"));
    }
    if ranked {
        cmd.push_str(&format!(
            " --objective {}",
            Objective::from(o.objective).key()
        ));
    }
    if let Some(b) = o.budget {
        cmd.push_str(&format!(" --budget {b}"));
    }
    if let Some(c) = o.min_conversion {
        cmd.push_str(&format!(" --min-conversion {c}"));
    }
    if o.report {
        cmd.push_str(" --report");
    }
    cmd
}

fn check_opts(o: &RunOpts) -> Result<(), CliError> {
    if o.threads == Some(0) {
        return Err(CliError::Usage("--threads must be at least 1".into()));
    }
    if o.trials == Some(0) {
        return Err(CliError::Usage("--trials must be at least 1".into()));
    }
    if let Some(b) = o.budget
        && !(b.is_finite() && b > 0.0)
    {
        return Err(CliError::Usage(format!(
            "--budget {b}: allowed a finite amount > 0"
        )));
    }
    if let Some(c) = o.min_conversion
        && !(0.0..=1.0).contains(&c)
    {
        return Err(CliError::Usage(format!(
            "--min-conversion {c}: allowed a share in [0, 1], e.g. 0.05 for 5%"
        )));
    }
    Ok(())
}

/// One candidate to run.
struct Job {
    name: String,
    description: String,
    extends: Option<String>,
    changes: Vec<(String, String)>,
    plan: Plan,
}

fn jobs_of(cands: Vec<ResolvedCandidate>, prefix: Option<&str>) -> Result<Vec<Job>, CliError> {
    cands
        .into_iter()
        .map(|c| {
            let name = match prefix {
                Some(p) if c.name == "base" && c.changes.is_empty() => p.to_string(),
                Some(p) => format!("{p}/{}", c.name),
                None => c.name.clone(),
            };
            let plan = Plan::new(&c.scenario).map_err(anyhow::Error::from)?;
            Ok(Job {
                name,
                description: if c.description.is_empty() && prefix.is_some() {
                    c.scenario.description.clone()
                } else {
                    c.description
                },
                extends: match (prefix, c.extends) {
                    (Some(p), Some(e)) => Some(format!("{p}/{e}")),
                    (_, e) => e,
                },
                changes: c.changes,
                plan,
            })
        })
        .collect()
}

fn run_command(a: &RunArgs) -> Result<(), CliError> {
    let o = &a.opts;
    check_opts(o)?;
    let mut scenario = load_file(&a.scenario, &o.set)?;
    if let Some(t) = o.trials {
        scenario.trials = t;
    }
    if let Some(s) = o.seed {
        scenario.seed = s;
    }
    let jobs = jobs_of(resolved(&scenario, &a.scenario)?, None)?;
    let ranked = jobs.len() > 1;
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_file: a.scenario.display().to_string(),
        seed: scenario.seed,
        trials: scenario.trials,
        horizon_days: scenario.horizon_days,
        currency: scenario.currency.clone(),
        command: reproduce_command(
            "run",
            std::slice::from_ref(&a.scenario),
            &scenario,
            o,
            ranked,
        ),
    };
    let dir = o
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));
    let resolved = vec![("scenario.resolved.toml".to_string(), scenario.to_toml())];
    execute_jobs(jobs, &scenario, info, &dir, &resolved, o)
}

fn compare_command(a: &CompareArgs) -> Result<(), CliError> {
    let o = &a.opts;
    check_opts(o)?;
    let mut scenarios = Vec::new();
    for f in &a.files {
        scenarios.push(load_file(f, &o.set)?);
    }
    let first = &scenarios[0];
    let (trials, seed) = (
        o.trials.unwrap_or(first.trials),
        o.seed.unwrap_or(first.seed),
    );
    let (horizon, currency) = (first.horizon_days, first.currency.clone());
    let mut notes = Vec::new();
    for (f, s) in a.files.iter().zip(&scenarios).skip(1) {
        if s.horizon_days != horizon {
            return Err(CliError::Usage(format!(
                "{}: horizon_days = {} but {} has {horizon}: candidates compared on the same market need the same horizon",
                f.display(),
                s.horizon_days,
                a.files[0].display()
            )));
        }
        if s.currency != currency {
            return Err(CliError::Usage(format!(
                "{}: currency = \"{}\" but {} has \"{currency}\": money compared must be in one currency",
                f.display(),
                s.currency,
                a.files[0].display()
            )));
        }
        if (o.trials.is_none() && s.trials != trials) || (o.seed.is_none() && s.seed != seed) {
            notes.push(format!(
                "note: {} sets trials = {}, seed = {}; every file runs with trials = {trials}, seed = {seed} (from {} or the command line) so that trials pair up",
                f.display(),
                s.trials,
                s.seed,
                a.files[0].display()
            ));
        }
    }
    let mut jobs = Vec::new();
    let mut resolved_files = Vec::new();
    for (f, s) in a.files.iter().zip(scenarios.iter_mut()) {
        s.trials = trials;
        s.seed = seed;
        let js = jobs_of(resolved(s, f)?, Some(&s.name))?;
        resolved_files.push((
            format!("scenario.{}.resolved.toml", file_safe(&s.name)),
            s.to_toml(),
        ));
        jobs.extend(js);
    }
    for (i, j) in jobs.iter().enumerate() {
        if jobs[..i].iter().any(|k| k.name == j.name) {
            return Err(CliError::Usage(format!(
                "two candidates are named \"{}\": give the scenarios different `name`s",
                j.name
            )));
        }
    }
    if resolved_files
        .iter()
        .enumerate()
        .any(|(i, (n, _))| resolved_files[..i].iter().any(|(m, _)| m == n))
    {
        return Err(CliError::Usage(
            "two files have the same scenario `name`: give them different names".into(),
        ));
    }
    if !o.quiet {
        for n in &notes {
            eprintln!("{n}");
        }
    }
    let mut base = scenarios[0].clone();
    base.candidates.clear();
    let label = scenarios
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(" vs ");
    base.name = label.clone();
    if scenarios.len() > 1 {
        base.description = String::new();
    }
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: label,
        scenario_file: a
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        seed,
        trials,
        horizon_days: horizon,
        currency,
        command: reproduce_command("compare", &a.files, &base, o, true),
    };
    let dir = o.out.clone().unwrap_or_else(|| {
        Path::new("output").join(format!(
            "compare_{}",
            scenarios
                .iter()
                .map(|s| file_safe(&s.name))
                .collect::<Vec<_>>()
                .join("_vs_")
        ))
    });
    execute_jobs(jobs, &base, info, &dir, &resolved_files, o)
}

/// A name usable in a file name: letters, digits, `-`, `_`, `.`; anything else becomes `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs every candidate with the same seed and trials, compares them and writes outputs.
fn execute_jobs(
    jobs: Vec<Job>,
    base: &Scenario,
    info: RunInfo,
    dir: &Path,
    resolved: &[(String, String)],
    o: &RunOpts,
) -> Result<(), CliError> {
    let show = !o.quiet && std::io::stderr().is_terminal();
    let total = info.trials as u64 * jobs.len() as u64;
    let bar = if show {
        let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} {bar:40} {pos}/{len} trials  {per_sec}  ETA {eta}",
            )
            .map_err(|e| anyhow::anyhow!("progress template: {e}"))?,
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let opts = RunOptions {
        trials: info.trials,
        seed: info.seed,
        threads: o.threads,
    };
    let mut candidates = Vec::with_capacity(jobs.len());
    for j in jobs {
        let results = run(&j.plan, opts, &|| bar.inc(1))
            .map_err(|e| anyhow::anyhow!("cannot start worker threads: {e}"))?;
        candidates.push(CandidateResult::new(&j.name, &j.plan, results).described(
            &j.description,
            &j.changes,
            j.extends.as_deref(),
        ));
    }
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let comparison = (candidates.len() > 1).then(|| {
        compare(
            &candidates,
            o.objective.into(),
            Constraints {
                max_cost: o.budget,
                min_conversion: o.min_conversion,
            },
        )
    });
    let written = write_run(
        dir,
        &RunOutputs {
            info: &info,
            base,
            candidates: &candidates,
            comparison: comparison.as_ref(),
            resolved,
            plots: !o.no_plots,
            report: o.report,
        },
    )
    .map_err(anyhow::Error::from)?;
    println!(
        "scenario {} | {} trials | seed {} | horizon {} days | money in {}",
        info.scenario, info.trials, info.seed, info.horizon_days, info.currency
    );
    print!("{}", render_table(&candidates));
    if let Some(c) = &comparison {
        println!();
        print!("{}", render_comparison(c));
    }
    if !o.quiet {
        let files: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        eprintln!(
            "{} trials in {:.2} s ({:.1} trials/s); wrote {}: {}",
            total,
            elapsed,
            total as f64 / elapsed.max(1e-9),
            dir.display(),
            files.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
