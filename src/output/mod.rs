//! Outputs of a run: `trials.csv`, `summary.csv`, `summary.json`, `daily.csv`,
//! `scenario.resolved.toml`, and the summary table printed to the terminal.
//!
//! Every file is written atomically (a temporary file in the same folder, synced, then
//! renamed over the target), so a finished result is never half-written. Nothing here
//! depends on the thread count or the clock: the same scenario and seed give
//! byte-identical files.

mod csv;
mod json;
mod table;

pub use table::render_table;

use crate::engine::Plan;
use crate::metrics::{DailyBand, MetricSummary, TrialResult, daily_bands, summarize_all};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Errors while writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Serialisation failed.
    #[error("cannot serialise {what}: {message}")]
    Serialise {
        /// What was being serialised.
        what: &'static str,
        /// The cause.
        message: String,
    },
}

/// What was run, recorded in every summary so a result can be reproduced.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// promosim version.
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file as given.
    pub scenario_file: String,
    /// Master seed.
    pub seed: u64,
    /// Trials.
    pub trials: u32,
    /// Horizon in days.
    pub horizon_days: u32,
    /// Currency of money metrics.
    pub currency: String,
    /// Command that reproduces the run (thread count and output folder left out: they do
    /// not change results).
    pub command: String,
}

/// A candidate's results and their summaries.
#[derive(Debug, Clone)]
pub struct CandidateResult {
    /// Candidate name.
    pub name: String,
    /// Per-trial results, in trial order.
    pub trials: Vec<TrialResult>,
    /// Metric names (core, then KPIs).
    pub metrics: Vec<String>,
    /// Per-metric summaries.
    pub summary: Vec<MetricSummary>,
    /// Cumulative first buyers per day across trials.
    pub daily_first_buyers: Vec<DailyBand>,
    /// Cumulative orders per day across trials.
    pub daily_orders: Vec<DailyBand>,
}

impl CandidateResult {
    /// Summarises a candidate's trials.
    pub fn new(name: &str, plan: &Plan, trials: Vec<TrialResult>) -> Self {
        let kpis = plan.kpi_names();
        CandidateResult {
            name: name.to_string(),
            metrics: crate::metrics::metric_names(&kpis),
            summary: summarize_all(&trials, &kpis),
            daily_first_buyers: daily_bands(&trials, |r| &r.daily_first_buyers),
            daily_orders: daily_bands(&trials, |r| &r.daily_orders),
            trials,
        }
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Writes every output file of a run into `dir`; returns the paths written.
pub fn write_all(
    dir: &Path,
    info: &RunInfo,
    plan: &Plan,
    candidates: &[CandidateResult],
) -> Result<Vec<PathBuf>, OutputError> {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("trials.csv", csv::trials(candidates)?),
        ("summary.csv", csv::summary(candidates)?),
        ("summary.json", json::summary(info, candidates)?),
        ("daily.csv", csv::daily(candidates)?),
        (
            "scenario.resolved.toml",
            plan.scenario.to_toml().into_bytes(),
        ),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Formats a number for CSV: shortest round-trip representation, empty when undefined.
pub(crate) fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}
