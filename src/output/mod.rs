//! Outputs of a run: `trials.csv`, `summary.csv`, `summary.json`, `daily.csv`,
//! `contributions.csv` (with `--contributions`), `scenario.resolved.toml`, the plots (`plot_*.png` and `.svg`), the optional
//! `report.html`, and the tables printed to the terminal.
//!
//! Every file is written atomically (a temporary file in the same folder, synced, then
//! renamed over the target), so a finished result is never half-written; `run` and
//! `compare` write them into a staging folder that replaces the output folder as a whole
//! ([`mod@unit`]). `trials.csv` is written row by row, never held whole in memory. Nothing here
//! depends on the thread count or the clock: the same scenario and seed give
//! byte-identical files.

mod csv;
pub mod fit;
pub(crate) mod format;
mod json;
pub mod plots;
pub mod posterior;
pub mod report;
mod table;
pub mod unit;

pub use table::{render_comparison, render_contributions, render_table};

use crate::compare::Comparison;
use crate::engine::Plan;
use crate::results::CandidateResult;
use crate::scenario::Scenario;
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
    /// The per-trial values could not be read back from the work folder.
    #[error(transparent)]
    Read(#[from] crate::results::ColumnError),
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
    /// What a partial merge of shards leaves out (absent for a whole run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

/// Everything a run writes.
#[derive(Debug, Clone, Copy)]
pub struct RunOutputs<'a> {
    /// What was run.
    pub info: &'a RunInfo,
    /// The base scenario (the market; for `compare`, the first file's).
    pub base: &'a Scenario,
    /// Candidates' results, in run order.
    pub candidates: &'a [CandidateResult],
    /// Ranking and paired differences (two or more candidates).
    pub comparison: Option<&'a Comparison>,
    /// Resolved scenario files to write: file name and TOML text.
    pub resolved: &'a [(String, String)],
    /// Write the plots (PNG and SVG).
    pub plots: bool,
    /// Write `report.html`.
    pub report: bool,
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic_with(path, &mut |w| {
        w.write_all(bytes).map_err(|source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Writes to `path` atomically what `fill` writes (through a buffer).
pub fn write_atomic_with(
    path: &Path,
    fill: &mut dyn FnMut(&mut dyn Write) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
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
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(io)?;
    }
    // Temporary files are created private (0600); results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Checks, before anything runs, that files can be written into `dir`: creates the folder
/// (and its parents) when absent and writes, then removes, a temporary file in it. A run
/// into a folder that cannot be written then fails before simulating, not after.
pub fn probe_dir(dir: &Path) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut probe = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    probe.write_all(b"probe").map_err(io)?;
    probe.close().map_err(io)
}

/// Checks, before anything runs, that `path` can be written as a file: not a folder, and
/// its folder writable ([`probe_dir`]).
pub fn probe_file(path: &Path) -> Result<(), OutputError> {
    if path.is_dir() {
        return Err(OutputError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "a folder: allowed a file name",
            ),
        });
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    probe_dir(dir)
}

/// Writes every output file of a single-candidate run into `dir` (no plots or report);
/// returns the paths written.
pub fn write_all(
    dir: &Path,
    info: &RunInfo,
    plan: &Plan,
    candidates: &[CandidateResult],
) -> Result<Vec<PathBuf>, OutputError> {
    let resolved = [(
        "scenario.resolved.toml".to_string(),
        plan.scenario.to_toml(),
    )];
    write_run(
        dir,
        &RunOutputs {
            info,
            base: &plan.scenario,
            candidates,
            comparison: None,
            resolved: &resolved,
            plots: false,
            report: false,
        },
    )
}

/// Writes every output file of a run into `dir`; returns the paths written.
pub fn write_run(dir: &Path, out: &RunOutputs<'_>) -> Result<Vec<PathBuf>, OutputError> {
    let cands = out.candidates;
    let trials = dir.join("trials.csv");
    write_atomic_with(&trials, &mut |w| csv::trials(cands, w))?;
    let mut written = vec![trials];
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("summary.csv".into(), csv::summary(cands, out.comparison)?),
        (
            "summary.json".into(),
            json::summary(out.info, cands, out.comparison)?,
        ),
        ("daily.csv".into(), csv::daily(cands)?),
    ];
    if let Some(bytes) = csv::contributions(cands)? {
        files.push(("contributions.csv".into(), bytes));
    }
    for (name, text) in out.resolved {
        files.push((name.clone(), text.clone().into_bytes()));
    }
    let rendered = if out.plots || out.report {
        plots::render_all(out.info, cands, out.comparison).map_err(|e| OutputError::Serialise {
            what: "plots",
            message: e,
        })?
    } else {
        Vec::new()
    };
    if out.plots {
        for p in &rendered {
            files.push((format!("{}.png", p.name), p.png.clone()));
            files.push((format!("{}.svg", p.name), p.svg.clone().into_bytes()));
        }
    }
    if out.report {
        files.push((
            "report.html".into(),
            report::render(out, &rendered).into_bytes(),
        ));
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// All metric names of `cands`, in order of first appearance (candidates may run
/// different mechanisms, hence different KPI columns).
pub(crate) fn union_metrics(cands: &[CandidateResult]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in cands {
        for m in &c.metrics {
            if !names.contains(m) {
                names.push(m.clone());
            }
        }
    }
    names
}

/// Formats a number for CSV: shortest round-trip representation, empty when undefined.
pub(crate) fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}
