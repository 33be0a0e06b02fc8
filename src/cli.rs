//! The command line: `promosim run | validate | show`.
//!
//! This is the only module that knows clap. It turns arguments into a resolved scenario,
//! calls the library, writes outputs and prints the table; `main` maps errors to exit codes:
//! 0 success, 1 a run or write failure, 2 bad input (invalid scenario, bad arguments).

use crate::engine::{Plan, RunOptions, run};
use crate::output::{CandidateResult, RunInfo, render_table, write_all};
use crate::scenario::{Scenario, ScenarioError, load_file};
use clap::{Args, Parser, Subcommand};
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
    /// Run a scenario's trials and write trials.csv, summary.csv, summary.json, daily.csv.
    Run(RunArgs),
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
    },
}

/// Arguments of `promosim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
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
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
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
    /// Anything else (exit 1).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Scenario(_) | CliError::Invalid(_) | CliError::Usage(_) => 2,
            CliError::Other(_) => 1,
        }
    }
}

/// Executes a parsed command line.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run_command(&args),
        Command::Validate { files } => validate_command(&files),
        Command::Calibrate(args) => calibrate_command(&args),
        Command::Show { file, set } => {
            let s = load_file(&file, &set)?;
            print!("{}", s.to_toml());
            Ok(())
        }
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
        match load_file(f, &[]).map(|s| Plan::new(&s).map(|_| s)) {
            Ok(Ok(s)) => println!("ok: {} (scenario \"{}\")", f.display(), s.name),
            Ok(Err(e)) => {
                bad += 1;
                eprintln!("{}: {e}", f.display());
            }
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

/// The command that reproduces a run (no thread count or output folder: they do not
/// change results).
fn reproduce_command(file: &Path, s: &Scenario, set: &[String]) -> String {
    let mut cmd = format!(
        "promosim run {} --trials {} --seed {}",
        file.display(),
        s.trials,
        s.seed
    );
    for o in set {
        cmd.push_str(&format!(" --set '{o}'"));
    }
    cmd
}

fn run_command(a: &RunArgs) -> Result<(), CliError> {
    if a.threads == Some(0) {
        return Err(CliError::Usage("--threads must be at least 1".into()));
    }
    if a.trials == Some(0) {
        return Err(CliError::Usage("--trials must be at least 1".into()));
    }
    let mut scenario = load_file(&a.scenario, &a.set)?;
    if let Some(t) = a.trials {
        scenario.trials = t;
    }
    if let Some(s) = a.seed {
        scenario.seed = s;
    }
    let plan = Plan::new(&scenario).map_err(anyhow::Error::from)?;
    let show = !a.quiet && std::io::stderr().is_terminal();
    let bar = if show {
        let b = ProgressBar::with_draw_target(
            Some(scenario.trials as u64),
            ProgressDrawTarget::stderr(),
        );
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
        trials: scenario.trials,
        seed: scenario.seed,
        threads: a.threads,
    };
    let results = run(&plan, opts, &|| bar.inc(1))
        .map_err(|e| anyhow::anyhow!("cannot start worker threads: {e}"))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let candidates = vec![CandidateResult::new("base", &plan, results)];
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: scenario.name.clone(),
        scenario_file: a.scenario.display().to_string(),
        seed: scenario.seed,
        trials: scenario.trials,
        horizon_days: scenario.horizon_days,
        currency: scenario.currency.clone(),
        command: reproduce_command(&a.scenario, &scenario, &a.set),
    };
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));
    let written = write_all(&dir, &info, &plan, &candidates).map_err(anyhow::Error::from)?;
    println!(
        "scenario {} | {} trials | seed {} | horizon {} days | money in {}",
        scenario.name, scenario.trials, scenario.seed, scenario.horizon_days, scenario.currency
    );
    print!("{}", render_table(&candidates));
    if !a.quiet {
        eprintln!(
            "{} trials in {:.2} s ({:.1} trials/s); wrote {}",
            scenario.trials,
            elapsed,
            scenario.trials as f64 / elapsed.max(1e-9),
            written
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
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
