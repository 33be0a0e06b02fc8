//! The rounds of a calibration cut into shards (`calibrate --method abc --shard I/N`):
//! each shard leaves the statistics of the candidates it simulated in a file of the output
//! folder's work folder, `abc-t<generation>-j<candidate>-s<I>of<N>.json`; the merge (or a
//! run without `--shard`) reads every such file of the same calibration and replays the
//! run from them ([`crate::calibration::abc::Rounds`]).
//!
//! The statistics are stored as the bits of each `f64`, so a replay sees exactly the
//! values the shard computed.

use super::CliError;
use super::shards::recorded_args;
use crate::calibration::abc::{Generation, Stats, Stop};
use crate::output::write_atomic;
use crate::shard::Shard;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Version of the round files' format.
const FORMAT: u32 = 1;

/// A candidate's statistics as stored: each statistic and its standard error as `f64`
/// bits, `None` when the scenario's checks refused the candidate.
type StoredStats = Option<Vec<(u64, u64)>>;

/// One shard's simulations of one round.
#[derive(Debug, Serialize, Deserialize)]
struct RoundFile {
    format: u32,
    version: String,
    /// The calibration's fingerprint (targets, scenarios, priors, settings).
    fingerprint: String,
    /// The command's arguments after `promosim`, without `--shard`, `--out` and the
    /// options that change no result.
    args: Vec<String>,
    /// The folder the command ran in.
    cwd: PathBuf,
    shard: Shard,
    /// (generation, candidate, statistics).
    sims: Vec<(usize, u64, StoredStats)>,
}

/// Whether `name` is a round file's name.
fn is_round_file(name: &str) -> bool {
    name.starts_with("abc-t") && name.ends_with(".json")
}

/// The round files in `work` (none when it does not exist), by path.
fn files(work: &Path) -> Result<Vec<PathBuf>, CliError> {
    let Ok(entries) = std::fs::read_dir(work) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| is_round_file(&n.to_string_lossy()))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn read_file(path: &Path) -> Result<RoundFile, CliError> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let r: RoundFile = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Usage(format!(
            "{}: not a promosim calibration round ({e})",
            path.display()
        ))
    })?;
    if r.format != FORMAT {
        return Err(CliError::Usage(format!(
            "{}: round format {}, this promosim reads {FORMAT}",
            path.display(),
            r.format
        )));
    }
    Ok(r)
}

/// Every candidate's statistics the shards of the calibration `fingerprint` left in
/// `work`. A file of another calibration is refused, naming it, when `strict` (a shard or
/// a merge: the rounds must be of the same command); otherwise it is removed (a run
/// without `--shard` starts that calibration afresh, as its state does).
pub(super) fn read(
    work: &Path,
    fingerprint: &str,
    strict: bool,
) -> Result<BTreeMap<(usize, u64), Stats>, CliError> {
    let mut known = BTreeMap::new();
    for path in files(work)? {
        let r = read_file(&path)?;
        if r.fingerprint != fingerprint {
            if strict {
                return Err(CliError::Usage(format!(
                    "{}: simulations of another calibration (`promosim {}`): every shard of a round and the merge must run the same command, with the same --out",
                    path.display(),
                    r.args.join(" ")
                )));
            }
            let _ = std::fs::remove_file(&path);
            continue;
        }
        for (t, j, stats) in r.sims {
            let stats = stats.map(|v| {
                v.into_iter()
                    .map(|(x, se)| (f64::from_bits(x), f64::from_bits(se)))
                    .collect()
            });
            known.insert((t, j), stats);
        }
    }
    Ok(known)
}

/// The command and folder the round files in `work` record, if there are any: what
/// `promosim merge OUT` runs again.
pub(super) fn command_of(work: &Path) -> Result<Option<(Vec<String>, PathBuf)>, CliError> {
    match files(work)?.first() {
        Some(path) => {
            let r = read_file(path)?;
            Ok(Some((r.args, r.cwd)))
        }
        None => Ok(None),
    }
}

/// Ends shard `s`'s round: writes what it simulated (`new`) into `work` and says what is
/// next; `why` is where the replay stopped.
pub(super) fn finish_shard(
    work: &Path,
    fingerprint: &str,
    s: Shard,
    new: &[(usize, u64, Stats)],
    why: Stop,
    out: &Path,
    quiet: bool,
) -> Result<(), CliError> {
    if let Some((t, j, _)) = new.first() {
        let record = RoundFile {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint: fingerprint.to_string(),
            args: recorded_args()?,
            cwd: std::env::current_dir()
                .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?,
            shard: s,
            sims: new
                .iter()
                .map(|(t, j, st)| {
                    let bits = st.as_ref().map(|v| {
                        v.iter()
                            .map(|(x, se)| (x.to_bits(), se.to_bits()))
                            .collect()
                    });
                    (*t, *j, bits)
                })
                .collect(),
        };
        std::fs::create_dir_all(work).map_err(|e| anyhow::anyhow!("{}: {e}", work.display()))?;
        let text = serde_json::to_vec(&record).map_err(|e| anyhow::anyhow!("round: {e}"))?;
        let name = format!("abc-t{t:03}-j{j:09}-s{}of{}.json", s.index, s.count);
        write_atomic(&work.join(name), &text)?;
    }
    if !quiet {
        let merge = format!("promosim merge {}", out.display());
        match why {
            Stop::Pending => eprintln!(
                "shard {s}: simulated {} candidate(s); when every shard of this round has finished, run `{merge}`",
                new.len()
            ),
            _ => eprintln!(
                "shard {s}: the calibration needs no more simulations ({}); `{merge}` writes its outputs",
                why.words()
            ),
        }
    }
    Ok(())
}

/// The merge of a round after which the next batch still needs simulations: exit 3.
pub(super) fn pending(done: &[Generation], known: usize, out: &Path) -> CliError {
    CliError::Pending(format!(
        "round merged: {} generation(s) finished, {known} candidates simulated so far; the next batch needs another round: run the shards again (the same command with --shard I/N), then `promosim merge {}` (it exits with 3 until the calibration is complete)",
        done.len(),
        out.display()
    ))
}
