//! What `run` and `compare` share: checking the options, estimating what the run needs,
//! and running a lineup with a progress bar, comparing, writing the outputs and printing
//! the tables.
//!
//! A run claims its output folder as a unit (`output::unit`: a lock, a staging folder
//! swapped in whole), spills finished trials into its work folder (`crate::work`) and,
//! on SIGINT or SIGTERM, stops starting trials, keeps what is complete and says how to
//! continue (`--resume`). A second signal ends the process at once.

use super::CliError;
use super::args::RunOpts;
use super::shards::{Mode, Resume, finish_shard, open_work};
use crate::compare::{ConstraintError, comparison};
use crate::dist::Support;
use crate::limits::MAX_THREADS;
use crate::limits::{Footprint, Workload, bytes_text, duration_text, estimate, memory_available};
use crate::lineup::{Lineup, shell_quote};
use crate::output::unit::{OutputUnit, UnitError};
use crate::output::{
    RunOutputs, probe_dir, render_comparison, render_contributions, render_table, write_run,
};
use crate::shard::Split;
use crate::work::{Manifest, Progress, Work, WorkError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    check_fits(lineup, o)?;
    probe_dir(&dir)?;
    let mode = Mode::of(o.shard.as_deref(), o.merge.as_ref(), o.out.as_deref())?;
    let unit = OutputUnit::claim(&dir).map_err(unit_error)?;
    let manifest = Manifest::fresh(lineup, o.arms());
    let (mut work, note) = open_work(&unit, manifest, mode, Split::Trials, Resume::from(o.resume))?;
    if !note.is_empty() && !o.quiet {
        eprintln!("{note}");
    }
    let total = work.trials_wanted();
    let continue_with = format!(
        "Continue with:\n  {} --resume --out {}",
        info.command,
        shell_quote(&dir.display().to_string())
    );
    let Ran {
        resumed, elapsed, ..
    } = run_work(
        &mut work,
        total,
        o.quiet,
        &dir,
        &continue_with,
        |w, stop, done| crate::work::run(lineup, w, o.threads, o.arms(), stop, done),
    )?;
    if let Mode::Shard(s) = mode {
        return finish_shard(unit, work, s, Split::Trials, o.quiet);
    }
    let candidates = crate::work::assemble(lineup, &work).map_err(work_error)?;
    let comparison = comparison(&candidates, o.objective.into(), o.constraints());
    let written = write_run(
        unit.staging(),
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
    unit.commit()?;
    work.remove()?;
    drop(unit);
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
        let ran = total - resumed;
        eprintln!(
            "{} trials in {:.2} s ({:.1} trials/s{}); wrote {}: {}",
            ran,
            elapsed,
            ran as f64 / elapsed.max(1e-9),
            if resumed > 0 {
                format!("; {resumed} done before")
            } else {
                String::new()
            },
            dir.display(),
            files.join(", ")
        );
    }
    Ok(())
}

/// What [`run_work`] ran.
pub(super) struct Ran {
    /// Trials run now.
    pub ran: u64,
    /// Trials found done in the work folder.
    pub resumed: u64,
    /// Seconds the run took.
    pub elapsed: f64,
}

/// Runs the unfinished chunks of `work` (`total` trials in all) by `go`, with a progress
/// bar (unless `quiet` or stderr is not a terminal) and SIGINT and SIGTERM caught. After a
/// signal the finished chunks stay in the work folder and the output folder `dir` is
/// unchanged: the error says so, and how to continue (`continue_with`).
pub(super) fn run_work(
    work: &mut Work,
    total: u64,
    quiet: bool,
    dir: &Path,
    continue_with: &str,
    go: impl FnOnce(&mut Work, &AtomicBool, &(dyn Fn(u64) + Sync)) -> Result<Progress, WorkError>,
) -> Result<Ran, CliError> {
    let bar = progress_bar(!quiet && std::io::stderr().is_terminal(), total, "trials")?;
    let started = Instant::now();
    let resumed = work.manifest().trials_done();
    let signals = Signals::install()?;
    let progress = go(work, &signals.stop, &|n| bar.inc(n)).map_err(work_error)?;
    bar.finish_and_clear();
    if progress == Progress::Stopped {
        let done = work.manifest().trials_done();
        return Err(CliError::Interrupted {
            signal: signals.number(),
            message: format!(
                "interrupted by {}: {done} of {total} trials saved in {}; the output folder {} is unchanged. {continue_with}",
                signals.name(),
                work.dir().display(),
                dir.display(),
            ),
        });
    }
    Ok(Ran {
        ran: total - resumed,
        resumed,
        elapsed: started.elapsed().as_secs_f64(),
    })
}

/// A claim on the output folder that failed: another run holds it (a failure, exit 1) or
/// the folder cannot be replaced (bad input, exit 2).
pub(super) fn unit_error(e: UnitError) -> CliError {
    match e {
        UnitError::Foreign { .. } | UnitError::Unnamed(_) => CliError::Usage(e.to_string()),
        UnitError::Busy { .. } | UnitError::Io(_) => CliError::Other(anyhow::anyhow!("{e}")),
    }
}

/// A work folder that cannot be used: a resume of a different run is bad input (exit 2),
/// anything else a failure (exit 1).
pub(super) fn work_error(e: WorkError) -> CliError {
    match e {
        WorkError::Mismatch { .. } | WorkError::Corrupt { .. } => CliError::Usage(e.to_string()),
        WorkError::Io(_) | WorkError::Columns(_) | WorkError::Threads(_) => {
            CliError::Other(anyhow::anyhow!("{e}"))
        }
    }
}

/// The workload of running `lineup` with the options `o` (see [`crate::limits::estimate`]).
pub(super) fn workload(lineup: &Lineup, o: &RunOpts) -> Workload {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let arms = o.arms();
    let mut w = Workload {
        agents: 0.0,
        days: lineup.base.horizon_days,
        mechanisms: 0,
        worlds: 1.0,
        trials: lineup.base.trials,
        candidates: lineup.entries.len(),
        metrics: 0,
        contributions: arms.contributions.is_some(),
        threads: o.threads.unwrap_or(cores),
        cores,
    };
    for e in &lineup.entries {
        let p = &e.plan.scenario.population;
        let members = p
            .groups
            .size
            .build(Support::Positive)
            .map_or(0.0, |d| d.mean());
        let agents = f64::from(p.buyers) + f64::from(p.groups.count) * members;
        let m = e.plan.mechanisms.len();
        let worlds = 1.0
            + f64::from(u8::from(arms.no_campaign || arms.contributions.is_some()))
            + match arms.contributions {
                None => 0.0,
                Some(_) if m <= crate::shapley::EXACT_MAX => (1u64 << m) as f64 - 2.0,
                Some(c) => 2.0 * f64::from(c.pairs) * m as f64,
            };
        let metrics = crate::results::CORE_METRICS.len()
            + crate::kpi::INCREMENTAL.len()
            + e.plan.kpi_names().len();
        w.agents = w.agents.max(agents);
        w.mechanisms = w.mechanisms.max(m);
        w.worlds = w.worlds.max(worlds);
        w.metrics = w.metrics.max(metrics);
    }
    w
}

/// Refuses a run whose estimated memory exceeds what the machine has available (unless
/// `--force`), and prints the estimate of a run expected to take over a minute.
fn check_fits(lineup: &Lineup, o: &RunOpts) -> Result<(), CliError> {
    let Footprint { memory, seconds } = estimate(&workload(lineup, o));
    if let Some(available) = memory_available().filter(|&a| memory > a && !o.force) {
        return Err(CliError::Usage(format!(
            "this run needs about {} of memory (estimate, about {} of simulation) but {} is available: lower `trials` (--trials), --threads or the population (`population.buyers`, `population.groups.count`), or give --force to run anyway",
            bytes_text(memory),
            duration_text(seconds),
            bytes_text(available),
        )));
    }
    if seconds > 60.0 && !o.quiet {
        eprintln!(
            "estimate: about {} of simulation and {} of memory",
            duration_text(seconds),
            bytes_text(memory)
        );
    }
    Ok(())
}

/// SIGINT and SIGTERM, caught for the duration of a run: the first sets `stop` (the run
/// saves what is complete), a second ends the process at once with 128 + its number.
pub(super) struct Signals {
    /// Set by either signal.
    pub(super) stop: Arc<AtomicBool>,
    /// Set by SIGTERM.
    term: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    pub(super) fn install() -> Result<Self, CliError> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::flag;
        let stop = Arc::new(AtomicBool::new(false));
        let term = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        let fail = |e: std::io::Error| anyhow::anyhow!("cannot catch signals: {e}");
        for sig in [SIGINT, SIGTERM] {
            // Registered first, so it sees `stop` before this signal sets it.
            ids.push(
                flag::register_conditional_shutdown(sig, 128 + sig, stop.clone()).map_err(fail)?,
            );
            ids.push(flag::register(sig, stop.clone()).map_err(fail)?);
        }
        ids.push(flag::register(SIGTERM, term.clone()).map_err(fail)?);
        Ok(Signals { stop, term, ids })
    }

    pub(super) fn number(&self) -> i32 {
        if self.term.load(Ordering::Relaxed) {
            signal_hook::consts::SIGTERM
        } else {
            signal_hook::consts::SIGINT
        }
    }

    pub(super) fn name(&self) -> &'static str {
        if self.term.load(Ordering::Relaxed) {
            "SIGTERM"
        } else {
            "SIGINT"
        }
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// A progress bar of `total` items (named `what`) on stderr with its ETA, or a hidden one.
pub(super) fn progress_bar(show: bool, total: u64, what: &str) -> Result<ProgressBar, CliError> {
    if !show {
        return Ok(ProgressBar::hidden());
    }
    let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    b.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{bar:40}} {{pos}}/{{len}} {what}  {{per_sec}}  ETA {{eta}}  {{msg}}"
        ))
        .map_err(|e| anyhow::anyhow!("progress template: {e}"))?,
    );
    Ok(b)
}
