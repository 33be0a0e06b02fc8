//! The command line: `promosim run | compare | validate | show | calibrate | baseline |
//! sweep | sensitivity | fit`.
//!
//! This is the only module that knows clap. [`args`] holds the argument types; each command
//! is a short pipeline in its own file: resolve the scenario, call the library, write
//! outputs and print. `main` maps errors to exit codes: 0 success, 1 a run or write
//! failure (or, for `baseline check`, a regression or a changed scenario), 2 bad input
//! (invalid scenario, baseline or settings file, bad arguments, a run that does not fit
//! the machine), 3 a merged calibration round after which another round of shards is
//! needed, 130 a run stopped by SIGINT and 143 one stopped by SIGTERM (128 plus the
//! signal's number, the shells' convention) after saving its finished trials.

pub mod args;
mod baseline;
mod calibrate;
mod compare;
mod explore;
mod fit;
mod infer;
mod jobs;
mod rounds;
mod run;
mod shards;
mod show;
mod validate;

pub use args::{
    BaselineCommand, CalibrateArgs, CheckArgs, Cli, Command, CompareArgs, DesignArg, ExploreOpts,
    FitArgs, FitCommand, MergeArgs, MethodArg, ModeArg, ObjectiveArg, RecordArgs, RecordOpts,
    RunArgs, RunOpts, SensitivityArgs, SimulateLogArgs, SweepArgs, UpdateArgs,
};

use crate::baseline::BaselineError;
use crate::lineup::LineupError;
use crate::output::OutputError;
use crate::scenario::ScenarioError;

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
    /// A run stopped by a signal after saving its finished trials (exit 128 + the
    /// signal's number: 130 for SIGINT, 143 for SIGTERM).
    #[error("{message}")]
    Interrupted {
        /// The signal's number.
        signal: i32,
        /// What was saved and how to continue.
        message: String,
    },
    /// A merge of a calibration round that needs another round of shards (exit 3).
    #[error("{0}")]
    Pending(String),
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
            CliError::Interrupted { signal, .. } => (128 + signal).clamp(129, 255) as u8,
            CliError::Pending(_) => 3,
        }
    }
}

impl From<OutputError> for CliError {
    /// A file that cannot be written is a failure (exit 1); its message already names the
    /// path and the cause, so the cause is not repeated.
    fn from(e: OutputError) -> Self {
        CliError::Other(anyhow::anyhow!("{e}"))
    }
}

impl From<LineupError> for CliError {
    /// Candidates that cannot run side by side are bad input; a plan that cannot be built
    /// is a failure.
    fn from(e: LineupError) -> Self {
        match e {
            LineupError::Invalid(m) => CliError::Usage(m),
            LineupError::Plan(p) => CliError::Other(p.into()),
        }
    }
}

/// Executes a parsed command line.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Validate { files } => validate::validate(&files),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Show {
            file,
            set,
            candidate,
        } => show::show(&file, &set, candidate.as_deref()),
        Command::Baseline(b) => baseline::baseline(b),
        Command::Sweep(args) => explore::sweep(&args),
        Command::Sensitivity(args) => explore::sensitivity(&args),
        Command::Fit(FitCommand::Repurchase(args)) => fit::repurchase(&args),
        Command::Fit(FitCommand::SimulateLog(args)) => fit::simulate_log(&args),
        Command::Merge(args) => shards::merge(&args),
        Command::Schema => {
            print!("{}", crate::scenario::schema::json());
            Ok(())
        }
    }
}
