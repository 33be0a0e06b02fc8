//! What `run` and `compare` share: checking the options, and running a lineup with a
//! progress bar, comparing, writing the outputs and printing the tables.

use super::CliError;
use super::args::RunOpts;
use crate::compare::{ConstraintError, comparison};
use crate::limits::MAX_THREADS;
use crate::lineup::Lineup;
use crate::output::{
    RunOutputs, probe_dir, render_comparison, render_contributions, render_table, write_run,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// Checks the options of `run` and `compare` that neither clap nor the scenario's
/// validation checks (`--trials` and `--seed` are validated as scenario overrides, see
/// [`RunOpts::overrides`]).
pub(super) fn check_opts(o: &RunOpts) -> Result<(), CliError> {
    if let Some(t) = o.threads.filter(|t| *t == 0 || *t > MAX_THREADS) {
        return Err(CliError::Usage(format!(
            "--threads {t}: allowed 1 to {MAX_THREADS} threads"
        )));
    }
    if !(2..=1000).contains(&o.contribution_pairs) {
        return Err(CliError::Usage(format!(
            "--contribution-pairs {}: allowed 2 to 1000 (the sampling error needs two pairs)",
            o.contribution_pairs
        )));
    }
    if o.totals_only && o.contributions {
        return Err(CliError::Usage(
            "--contributions needs the no-campaign world that --totals-only leaves out; drop one of them".into(),
        ));
    }
    o.constraints().check().map_err(|e| {
        CliError::Usage(match e {
            ConstraintError::Budget(b) => format!("--budget {b}: allowed a finite amount > 0"),
            ConstraintError::MinConversion(c) => {
                format!("--min-conversion {c}: allowed a share in [0, 1], e.g. 0.05 for 5%")
            }
        })
    })
}

/// Runs every candidate with the same seed and trials, compares them and writes outputs.
pub(super) fn execute(lineup: &Lineup, o: &RunOpts) -> Result<(), CliError> {
    let objective = crate::compare::Objective::from(o.objective);
    if o.totals_only && lineup.ranked() && objective.is_incremental() {
        return Err(CliError::Usage(format!(
            "--objective {} needs the no-campaign world that --totals-only leaves out; drop --totals-only or rank by a total (conversion, repurchase, cost-per-buyer, total-roi)",
            objective.key()
        )));
    }
    let command = lineup.command(
        &o.set,
        o.objective.into(),
        o.constraints(),
        &o.output_flags(),
    );
    let info = lineup.info(command);
    let dir = o.out.clone().unwrap_or_else(|| lineup.default_dir.clone());
    probe_dir(&dir)?;
    let total = lineup.total_trials();
    let bar = progress_bar(!o.quiet && std::io::stderr().is_terminal(), total)?;
    let started = Instant::now();
    let candidates = lineup
        .run(o.threads, o.arms(), &|| bar.inc(1))
        .map_err(|e| anyhow::anyhow!("cannot start worker threads: {e}"))?;
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let comparison = comparison(&candidates, o.objective.into(), o.constraints());
    let written = write_run(
        &dir,
        &RunOutputs {
            info: &info,
            base: &lineup.base,
            candidates: &candidates,
            comparison: comparison.as_ref(),
            resolved: &lineup.resolved,
            plots: !o.no_plots,
            report: o.report,
        },
    )?;
    println!(
        "scenario {} | {} trials | seed {} | horizon {} days | money in {}",
        info.scenario, info.trials, info.seed, info.horizon_days, info.currency
    );
    print!("{}", render_table(&candidates, o.all));
    print!("{}", render_contributions(&candidates));
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

/// A progress bar of `total` trials on stderr, or a hidden one.
fn progress_bar(show: bool, total: u64) -> Result<ProgressBar, CliError> {
    if !show {
        return Ok(ProgressBar::hidden());
    }
    let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    b.set_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} trials  {per_sec}  ETA {eta}")
            .map_err(|e| anyhow::anyhow!("progress template: {e}"))?,
    );
    Ok(b)
}
