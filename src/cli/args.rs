//! The command line's arguments: clap types only, and their conversion into the library's
//! options.

use crate::baseline::check::Mode;
use crate::compare::{Constraints, Objective};
use crate::engine::{Arms, Contribution};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// Run a scenario at many points of a parameter space, every point on the same trials:
    /// writes sweep.csv, sweep_summary.csv, the response curve of a single parameter
    /// (response.csv) and plots. A rerun continues an interrupted sweep.
    Sweep(SweepArgs),
    /// Global sensitivity of every metric to the parameters: Sobol indices or Morris
    /// effects with bootstrap intervals, ranked; writes sensitivity.csv (or morris.csv),
    /// design.csv and a bar chart.
    Sensitivity(SensitivityArgs),
    /// Fit models to data: `fit repurchase LOG.csv` fits BG/NBD and Pareto/NBD to an order
    /// log and writes the scenario's repurchase block.
    #[command(subcommand)]
    Fit(FitCommand),
    /// Put the shards of a run (`--shard I/N` of run, compare, sweep or sensitivity)
    /// together: checks that they belong to one run and writes exactly the outputs the
    /// run without --shard writes. `promosim merge OUT` merges a round of a calibration's
    /// shards (`calibrate --shard`): exit 3 while another round is needed.
    Merge(MergeArgs),
}

/// Arguments of `promosim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' output folders, in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder of the merged run (required for shards of run, compare, sweep and
    /// sensitivity; a calibration's rounds merge into their own folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Merge the shards given even when some are missing: the outputs cover the trials
    /// (run, compare) or points (sweep) the shards hold, and say so.
    #[arg(long)]
    pub allow_partial: bool,
    /// No progress bar or run information on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `promosim fit` subcommands.
#[derive(Debug, Subcommand)]
pub enum FitCommand {
    /// Fit BG/NBD and Pareto/NBD (and Gamma-Gamma when the log has amounts) to an order
    /// log by maximum likelihood, compare their forecasts with a holdout period, and write
    /// fit.csv, fit.json, holdout.csv, tracking.csv, tracking.png and repurchase.toml.
    Repurchase(FitArgs),
    /// Write a synthetic order log (customer_id,date,amount) drawn from BG/NBD or
    /// Pareto/NBD with known parameters (rates per day), and Gamma-Gamma order values.
    SimulateLog(SimulateLogArgs),
}

/// Model written into the scenario block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FitModelArg {
    /// The model with the lowest AIC.
    Best,
    /// BG/NBD.
    Bgnbd,
    /// Pareto/NBD.
    Paretonbd,
}

/// Time unit of a fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    /// Days.
    Day,
    /// Weeks.
    Week,
}

impl From<UnitArg> for crate::fit::TimeUnit {
    fn from(u: UnitArg) -> Self {
        match u {
            UnitArg::Day => crate::fit::TimeUnit::Day,
            UnitArg::Week => crate::fit::TimeUnit::Week,
        }
    }
}

/// `promosim fit repurchase`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Order log (CSV with a header row): customer id, date or timestamp, optional amount.
    /// Orders by one customer on one day are merged into one transaction.
    pub log: PathBuf,
    /// Last day of the calibration period (in --date-format); later orders form the
    /// holdout.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: String,
    /// Last day of the holdout period (default: the log's last order day).
    #[arg(long, value_name = "DATE")]
    pub holdout_end: Option<String>,
    /// Customer id column.
    #[arg(long, default_value = "customer_id")]
    pub customer_column: String,
    /// Date or timestamp column.
    #[arg(long, default_value = "date")]
    pub date_column: String,
    /// Amount column (default: a column named `amount`, when there is one).
    #[arg(long)]
    pub amount_column: Option<String>,
    /// Ignore amounts (no Gamma-Gamma fit).
    #[arg(long, conflicts_with = "amount_column")]
    pub no_amount: bool,
    /// Date format: %Y-%m-%d, %Y/%m/%d, %d/%m/%Y, %m/%d/%Y, %d.%m.%Y or %Y%m%d; a time of
    /// day after the date (ISO `T14:05:00`, with an optional zone) is accepted and dropped.
    #[arg(long, default_value = "%Y-%m-%d")]
    pub date_format: String,
    /// Time unit of the fit (α and β are reported in it; the scenario block is in days).
    #[arg(long, value_enum, default_value = "week")]
    pub unit: UnitArg,
    /// Model written into repurchase.toml (and --into).
    #[arg(long, value_enum, default_value = "best")]
    pub model: FitModelArg,
    /// Also write scenario.fitted.toml: a copy of this scenario with the fitted
    /// repurchase block in place of its own, ready for `promosim run`.
    #[arg(long, alias = "scenario", value_name = "SCENARIO")]
    pub into: Option<PathBuf>,
    /// With --into and amounts: set the copy's product.order_value to the gamma with the
    /// Gamma-Gamma fit's mean and variance.
    #[arg(long, requires = "into")]
    pub order_value: bool,
    /// Output folder (default: `output/fit-<log file stem>`), replaced as a whole.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

/// `promosim fit simulate-log`.
#[derive(Debug, Args)]
pub struct SimulateLogArgs {
    /// Output CSV file.
    #[arg(long)]
    pub out: PathBuf,
    /// Process: BG/NBD (r, alpha, a, b) or Pareto/NBD (r, alpha, s, beta).
    #[arg(long, value_enum, default_value = "bgnbd")]
    pub model: SimModelArg,
    /// Customers.
    #[arg(long, default_value_t = 2000)]
    pub customers: u32,
    /// Days the log covers.
    #[arg(long, default_value_t = 548)]
    pub days: u32,
    /// First purchases spread uniformly over this many first days.
    #[arg(long, default_value_t = 91)]
    pub cohort_days: u32,
    /// First day of the log (YYYY-MM-DD).
    #[arg(long, default_value = "2024-01-01")]
    pub start: String,
    /// Gamma shape r of the purchase rate.
    #[arg(long, default_value_t = 0.243)]
    pub r: f64,
    /// Gamma scale parameter α of the purchase rate, in days.
    #[arg(long, default_value_t = 30.898)]
    pub alpha: f64,
    /// BG/NBD Beta a of the dropout probability.
    #[arg(long, default_value_t = 0.793)]
    pub a: f64,
    /// BG/NBD Beta b of the dropout probability.
    #[arg(long, default_value_t = 2.426)]
    pub b: f64,
    /// Pareto/NBD Gamma shape s of the dropout rate.
    #[arg(long, default_value_t = 0.61)]
    pub s: f64,
    /// Pareto/NBD Gamma scale parameter β of the dropout rate, in days.
    #[arg(long, default_value_t = 81.69)]
    pub beta: f64,
    /// Gamma-Gamma p, q and gamma of the order values (0 for p: no amounts).
    #[arg(long, num_args = 3, value_names = ["P", "Q", "GAMMA"], default_values_t = [6.25, 3.74, 15.44])]
    pub value: Vec<f64>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Process of a synthetic log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimModelArg {
    /// BG/NBD.
    Bgnbd,
    /// Pareto/NBD.
    Paretonbd,
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

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Exact => Mode::Exact,
            ModeArg::Statistical => Mode::Statistical,
        }
    }
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
    /// Lowest incremental cost per acquisition (mean cost / mean incremental first buyers).
    Icpa,
    /// Highest incremental return on investment.
    IncRoi,
    /// Highest probability that the campaign pays back its cost.
    Payback,
    /// Highest conversion rate (a total).
    Conversion,
    /// Highest repurchase rate (a total).
    Repurchase,
    /// Lowest cost per first buyer, organic buyers included (a total).
    CostPerBuyer,
    /// Highest ROI crediting the campaign with all gross margin (a total).
    TotalRoi,
}

impl From<ObjectiveArg> for Objective {
    fn from(o: ObjectiveArg) -> Self {
        match o {
            ObjectiveArg::Icpa => Objective::Icpa,
            ObjectiveArg::IncRoi => Objective::IncRoi,
            ObjectiveArg::Payback => Objective::Payback,
            ObjectiveArg::Conversion => Objective::Conversion,
            ObjectiveArg::Repurchase => Objective::Repurchase,
            ObjectiveArg::CostPerBuyer => Objective::CostPerBuyer,
            ObjectiveArg::TotalRoi => Objective::TotalRoi,
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
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Icpa)]
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
    /// Print every mechanism KPI in the terminal table, grouped by mechanism (all of them
    /// are written to summary.csv either way).
    #[arg(long)]
    pub all: bool,
    /// Estimate each mechanism's contribution to the increment: leave-one-out differences
    /// and Shapley values (exact up to 6 mechanisms: 2^n worlds per trial; sampled orders
    /// beyond). Writes contributions.csv and the waterfall plot; multiplies run time.
    #[arg(long)]
    pub contributions: bool,
    /// Antithetic pairs of random mechanism orders per trial when Shapley values are
    /// sampled (more than 6 mechanisms); at least 2, so that their error can be estimated.
    #[arg(long, value_name = "PAIRS", default_value_t = 2)]
    pub contribution_pairs: u32,
    /// Run the campaign only: no no-campaign world beside each trial, so no incremental
    /// metrics (that world adds 2% to 20% to the shipped scenarios' run time).
    #[arg(long)]
    pub totals_only: bool,
    /// Continue an interrupted run of the same command into the same output folder,
    /// skipping the trials already done (the outputs are those of an uninterrupted run).
    #[arg(long)]
    pub resume: bool,
    /// Run even when the estimated memory exceeds what the machine has available.
    #[arg(long)]
    pub force: bool,
    /// Run only shard I of N (I from 0 to N-1) and write a partial result for
    /// `promosim merge`; `auto/N` takes I from the cluster engine's array index
    /// (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX,
    /// BATCH_TASK_INDEX or HQ_TASK_ID). Needs --out.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// The shards `promosim merge` puts together (set by merge, not a flag).
    #[arg(skip)]
    pub merge: Option<crate::shard::Merge>,
}

impl RunOpts {
    /// The worlds simulated beside each campaign trial.
    pub fn arms(&self) -> Arms {
        if self.totals_only {
            Arms::CAMPAIGN_ONLY
        } else {
            Arms {
                no_campaign: true,
                contributions: self.contributions.then_some(Contribution {
                    pairs: self.contribution_pairs,
                }),
            }
        }
    }

    /// The scenario overrides the options make, in the order they are applied: every
    /// `--set`, then `--trials` and `--seed` as `trials=N` and `seed=S`. The scenario is
    /// validated once, with all of them applied, so a bad `--trials` is reported like a
    /// bad `trials` in the file.
    pub fn overrides(&self) -> Vec<String> {
        let mut all = self.set.clone();
        all.extend(self.trials.map(|t| format!("trials={t}")));
        all.extend(self.seed.map(|s| format!("seed={s}")));
        all
    }
    /// The flags that change what a run writes, as the reproducing command gives them.
    pub fn output_flags(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.report {
            f.push("--report".to_string());
        }
        if self.totals_only {
            f.push("--totals-only".to_string());
        }
        if self.contributions {
            f.push("--contributions".to_string());
            if self.contribution_pairs != 2 {
                f.push(format!("--contribution-pairs {}", self.contribution_pairs));
            }
        }
        f
    }

    /// The constraints a candidate must meet to be ranked first.
    pub fn constraints(&self) -> Constraints {
        Constraints {
            max_cost: self.budget,
            min_conversion: self.min_conversion,
        }
    }
}

/// Options shared by `sweep` and `sensitivity`.
#[derive(Debug, Args)]
pub struct ExploreOpts {
    /// A parameter to move: KEY=LO..HI, with :STEPS (grid steps) and/or :log (log scale)
    /// after the range (repeatable), e.g. mechanisms.red_packets.total=10..60:6. KEY is any
    /// scenario key, as --set takes it; a count is rounded to integers.
    #[arg(long = "param", value_name = "KEY=LO..HI[:STEPS][:log]")]
    pub params: Vec<String>,
    /// Trials per point (default: the scenario's `trials` for sweep, 20 for sensitivity);
    /// every point runs the same trials (common random numbers).
    #[arg(long)]
    pub trials: Option<u32>,
    /// Master seed (overrides the scenario's `seed`); also seeds the design.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: `output/<scenario name>-sweep/` or `-sensitivity/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar or run information on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Override a value at every point: KEY.PATH=VALUE (repeatable), applied before the
    /// parameters.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Run the campaign only: no no-campaign world, so buyers are totals (organic
    /// included) rather than incremental.
    #[arg(long)]
    pub totals_only: bool,
    /// Do not write the plot files (PNG and SVG).
    #[arg(long)]
    pub no_plots: bool,
    /// Start again, discarding the points an interrupted run of the same command saved.
    #[arg(long)]
    pub fresh: bool,
    /// Run only shard I of N (I from 0 to N-1) and write a partial result for
    /// `promosim merge`; `auto/N` takes I from the cluster engine's array index
    /// (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX,
    /// BATCH_TASK_INDEX or HQ_TASK_ID). Needs --out.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// The shards `promosim merge` puts together (set by merge, not a flag).
    #[arg(skip)]
    pub merge: Option<crate::shard::Merge>,
}

/// How a sweep chooses its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DesignArg {
    /// Full factorial grid: each parameter's :STEPS, else --points values per parameter.
    Grid,
    /// Latin hypercube of --points points.
    Lhs,
    /// The first --points points of an Owen-scrambled Sobol sequence.
    Sobol,
}

/// Arguments of `promosim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// How the points are chosen.
    #[arg(long, value_enum, default_value_t = DesignArg::Grid)]
    pub design: DesignArg,
    /// Points per parameter (grid) or in all (lhs, sobol).
    #[arg(long, default_value_t = 5)]
    pub points: usize,
    /// Run the points of a CSV file instead of a design: a header of scenario keys, one
    /// row of values per point (a first column `point` is ignored).
    #[arg(long, value_name = "CSV", conflicts_with = "params")]
    pub design_file: Option<PathBuf>,
    /// Options shared with `sensitivity`.
    #[command(flatten)]
    pub opts: ExploreOpts,
}

/// The sensitivity method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// First-order and total Sobol indices: Saltelli sampling, Saltelli (2010) and
    /// Jansen (1999) estimators; --samples × (parameters + 2) rows.
    Sobol,
    /// Morris elementary effects (μ*, μ, σ): --samples trajectories of (parameters + 1)
    /// rows.
    Morris,
}

/// Arguments of `promosim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// The method.
    #[arg(long, value_enum, default_value_t = MethodArg::Sobol)]
    pub method: MethodArg,
    /// Base samples (sobol) or trajectories (morris).
    #[arg(long, default_value_t = 64)]
    pub samples: usize,
    /// Bootstrap resamples of the intervals.
    #[arg(long, default_value_t = 1000)]
    pub resamples: usize,
    /// Options shared with `sweep`.
    #[command(flatten)]
    pub opts: ExploreOpts,
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
    /// Targets file (default: the field's figures, `calibration/field.toml` beside
    /// --scenarios). Without --method its targets are checked and printed.
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Infer parameters from the targets: `abc` (a posterior by ABC-SMC), `history`
    /// (history matching: the non-implausible box), `optimise` (one best point).
    #[arg(long, value_enum)]
    pub method: Option<InferenceArg>,
    /// A parameter and its prior, KEY.PATH=uniform(lo,hi) | loguniform(lo,hi) |
    /// normal(mean,sd) (repeatable; adds to or replaces the targets file's `[params]`).
    #[arg(long = "param", value_name = "KEY=PRIOR")]
    pub params: Vec<String>,
    /// Only the parameters (of the targets file's `[params]` and of --param) whose key
    /// starts with this prefix (repeatable): with --facts, one section's own parameters.
    #[arg(long = "only-params", value_name = "PREFIX")]
    pub only_params: Vec<String>,
    /// ABC-SMC particles per generation.
    #[arg(long, default_value_t = 200)]
    pub particles: usize,
    /// Most ABC-SMC generations (the prior sample included).
    #[arg(long, default_value_t = 16)]
    pub generations: usize,
    /// ABC acceptance kernel (default: gaussian when a target is a value with a standard
    /// error, uniform when every target is a range or bound).
    #[arg(long, value_enum)]
    pub kernel: Option<KernelArg>,
    /// Tolerance floor (default: 0 for the uniform kernel, 1 standard error for the
    /// Gaussian one).
    #[arg(long)]
    pub eps_min: Option<f64>,
    /// Stop ABC-SMC when a generation accepts fewer than this share of its candidates.
    #[arg(long, default_value_t = 0.02)]
    pub min_acceptance: f64,
    /// History-matching waves before ABC-SMC or the optimiser (default: 3 with
    /// `--method history`, else 0).
    #[arg(long)]
    pub history_waves: Option<usize>,
    /// Points per history-matching wave (default: twice --particles).
    #[arg(long)]
    pub history_points: Option<usize>,
    /// Largest implausibility a point may have and stay (history matching).
    #[arg(long, default_value_t = 3.0)]
    pub cutoff: f64,
    /// Most Nelder-Mead iterations (`--method optimise`).
    #[arg(long, default_value_t = 200)]
    pub max_iterations: u64,
    /// Budget: most ABC-SMC simulations (parameter points) in all.
    #[arg(long)]
    pub max_simulations: Option<u64>,
    /// Budget: most wall-clock seconds of ABC-SMC (generations that finish in time are
    /// kept; how many finish depends on the machine).
    #[arg(long)]
    pub max_seconds: Option<f64>,
    /// Posterior predictive draws (each a parameter point with fresh random numbers).
    #[arg(long, default_value_t = 50)]
    pub predictive: usize,
    /// Seed of the proposals, hypercubes and predictive draws (the scenarios keep theirs).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder (default: `out/calibrate-<targets file stem>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// ABC-SMC in rounds across processes: simulate shard I of N (I from 0 to N-1; or
    /// `auto/N`, see `run --shard`) of the next batch of candidates that no process has
    /// simulated yet, and leave them in --out's work folder for `promosim merge OUT`.
    /// Every shard of a round and the merge use the same --out.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Set by `promosim merge` (not a flag): replay from the shards' simulations only.
    #[arg(skip)]
    pub merge: bool,
    /// Worker threads (results do not depend on it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How `promosim calibrate` infers parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InferenceArg {
    /// ABC-SMC: a weighted posterior sample.
    Abc,
    /// History matching: the box of non-implausible values.
    History,
    /// Nelder-Mead on the distance: one best point.
    Optimise,
}

/// ABC acceptance kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KernelArg {
    /// Accept within the tolerance.
    Uniform,
    /// Accept with probability exp(−d²/2ε²).
    Gaussian,
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
