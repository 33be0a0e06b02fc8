//! Shards: one run's trials cut into N deterministic parts that run anywhere, one per task
//! of a cluster engine's array, and the checks that let `promosim merge` put them back
//! together into exactly the outputs a single run writes.
//!
//! ## Design
//! A run's work is already cut into chunks of consecutive trials per candidate, each saved
//! whole in the work folder (`crate::work`), and the outputs are read back from the chunks
//! in trial order, so they do not depend on how the chunks were cut or where they ran.
//! A shard is a set of those chunks: shard `I` of `N` runs the chunks whose *unit* is `I`
//! modulo `N`, and its output folder holds their files and a record, `shard.json`. Merging
//! copies every shard's chunk files into one work folder and finishes it as a resumed run
//! would, so the outputs are byte-identical to a single run by construction; the tests
//! prove it for every shard count from 1 to 7 and every order of the shards.
//!
//! Two ways of cutting ([`Split`]):
//! - [`Split::Trials`] (`run`, `compare`): the unit is the chunk index, the same trials of
//!   every candidate, so a shard holds whole paired trials and a partial merge keeps
//!   paired comparisons on the trials it has;
//! - [`Split::Points`] (`sweep`, `sensitivity`): the unit is (point, chunk) in point
//!   order, so designs of many points with few trials spread over many shards.
//!
//! Chunks are made small enough that every shard gets about two units
//! ([`chunk_trials`]), which never changes a result.
//!
//! The record holds what the merge checks: promosim's version, the fingerprint of the
//! resolved scenarios and arms, the seed, the trials, the shard count, the command's
//! arguments and working folder (so the merge can rebuild the run and see that the
//! scenario files did not change), and each chunk file's length and FNV-1a 64 checksum.

use crate::work::{Fnv, Manifest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record's file name in a shard's folder.
pub const RECORD: &str = "shard.json";

/// Version of the record's format.
pub const FORMAT: u32 = 1;

/// Most shards of one run.
pub const MAX_SHARDS: u32 = 100_000;

/// The cluster engines' variables holding an array task's index, in the order
/// `--shard auto/N` looks for them: Slurm job arrays, Kubernetes Indexed Jobs, AWS Batch
/// array jobs, Google Batch, HyperQueue.
pub const ENGINE_VARIABLES: [&str; 5] = [
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "BATCH_TASK_INDEX",
    "HQ_TASK_ID",
];

/// Shard `index` of `count`, counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: u32,
    /// Shards in all.
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Parses `I/N` or `auto/N`; `auto` takes `I` from the first of [`ENGINE_VARIABLES`]
    /// that `var` finds set.
    pub fn parse(text: &str, var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let allowed = format!(
            "allowed I/N with 0 <= I < N <= {MAX_SHARDS} (shards counted from 0), or auto/N"
        );
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?}: {allowed}"))?;
        let count: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_SHARDS).contains(n))
            .ok_or_else(|| format!("{text:?}: N must be 1 to {MAX_SHARDS}; {allowed}"))?;
        let (index_text, from) = if i.trim() == "auto" {
            let (name, value) = ENGINE_VARIABLES
                .iter()
                .find_map(|v| var(v).map(|x| (*v, x)))
                .ok_or_else(|| {
                    format!(
                        "{text:?}: none of {} is set; give the shard's index as I/N",
                        ENGINE_VARIABLES.join(", ")
                    )
                })?;
            (value, Some(name))
        } else {
            (i.trim().to_string(), None)
        };
        let index: u32 = index_text
            .trim()
            .parse()
            .ok()
            .filter(|i| *i < count)
            .ok_or_else(|| match from {
                Some(name) => format!(
                    "{text:?}: {name}={index_text:?} is not a shard index below {count} (number the array's tasks 0 to {})",
                    count - 1
                ),
                None => format!("{text:?}: {allowed}"),
            })?;
        Ok(Shard { index, count })
    }

    /// Whether this shard runs the work unit `unit`.
    pub fn owns(&self, unit: u64) -> bool {
        unit % u64::from(self.count) == u64::from(self.index)
    }
}

/// How a run's chunks are dealt to shards (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// By chunk index: the same trials of every candidate together.
    Trials,
    /// By (point, chunk), in point order.
    Points,
}

impl Split {
    /// The work unit of chunk `k` of candidate `c`, of `chunks` chunks per candidate.
    pub fn unit(self, c: usize, k: u32, chunks: u32) -> u64 {
        match self {
            Split::Trials => u64::from(k),
            Split::Points => c as u64 * u64::from(chunks) + u64::from(k),
        }
    }
}

/// Trials per chunk of a run of `candidates` candidates of `trials` trials cut into
/// `shards` shards: [`crate::work::chunk_trials`], made smaller when needed so that there
/// are at least two units per shard (one trial per chunk at the least).
pub fn chunk_trials(trials: u32, candidates: usize, shards: u32, split: Split) -> u32 {
    let normal = crate::work::chunk_trials(trials);
    let per_candidate = match split {
        Split::Trials => 2 * u64::from(shards),
        Split::Points => (2 * u64::from(shards)).div_ceil(candidates.max(1) as u64),
    };
    let per_candidate = u32::try_from(per_candidate.max(1)).unwrap_or(u32::MAX);
    trials.div_ceil(per_candidate).min(normal).max(1)
}

/// A chunk file of a shard, as its record lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkFile {
    /// Candidate (point) index.
    pub candidate: usize,
    /// Chunk index.
    pub chunk: u32,
    /// File name in the shard's folder.
    pub file: String,
    /// Length in bytes.
    pub bytes: u64,
    /// FNV-1a 64 of the bytes, `fnv1a64:` and 16 hex digits.
    pub checksum: String,
}

/// `shard.json`: what a shard ran and holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// [`FORMAT`].
    pub format: u32,
    /// promosim version that ran it.
    pub version: String,
    /// The command's arguments after `promosim`, the subcommand first, without
    /// `--shard`, `--out` and the options that do not change results.
    pub args: Vec<String>,
    /// The folder the command ran in (the arguments' relative paths start there).
    pub cwd: PathBuf,
    /// This shard.
    pub shard: Shard,
    /// How the chunks were dealt.
    pub split: Split,
    /// The run's manifest: fingerprint, seed, trials, chunking, candidates; `done`
    /// lists this shard's chunks.
    pub manifest: Manifest,
    /// This shard's chunk files.
    pub files: Vec<ChunkFile>,
}

impl Record {
    /// The chunks shard `shard` of the run `manifest` runs, as (candidate, chunk).
    pub fn owned(manifest: &Manifest, shard: Shard, split: Split) -> Vec<(usize, u32)> {
        let chunks = manifest.chunks();
        (0..manifest.candidates.len())
            .flat_map(|c| (0..chunks).map(move |k| (c, k)))
            .filter(|&(c, k)| shard.owns(split.unit(c, k, chunks)))
            .collect()
    }

    /// What the record says of its run, in words, for messages.
    pub fn describe(&self) -> String {
        format!(
            "shard {} of `promosim {}` (seed {}, {} trials, promosim {})",
            self.shard,
            self.args.join(" "),
            self.manifest.seed,
            self.manifest.trials,
            self.version
        )
    }
}

/// The shards a merge puts together, read by [`read_record`] and checked by
/// [`check_set`].
#[derive(Debug, Clone, Default)]
pub struct Merge {
    /// Each shard's folder and record.
    pub shards: Vec<(PathBuf, Record)>,
    /// The indexes of the shards missing from a partial merge.
    pub missing: Vec<u32>,
}

/// FNV-1a 64 of `bytes`, as a record writes it.
pub fn checksum(bytes: &[u8]) -> String {
    let mut h = Fnv::default();
    h.write(bytes);
    format!("fnv1a64:{:016x}", h.0)
}

/// Why shards cannot be merged; every message names the folder or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A folder is not a shard, or its record or a chunk file is damaged or missing.
    #[error("{path}: {message}")]
    Damaged {
        /// The folder or file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two shards come from different runs.
    #[error("{a} and {b} are shards of different runs: {what}\n  {a}: {da}\n  {b}: {db}")]
    Mismatch {
        /// The first shard's folder.
        a: String,
        /// The other shard's folder.
        b: String,
        /// What differs.
        what: String,
        /// The first shard's run.
        da: String,
        /// The other's.
        db: String,
    },
    /// The same shard was given twice.
    #[error("shard {shard} is given twice: {a} and {b}")]
    Duplicate {
        /// The shard.
        shard: Shard,
        /// One folder.
        a: String,
        /// The other.
        b: String,
    },
    /// Shards are missing.
    #[error(
        "shard{} {} of {count} missing (given: {given}); give every shard's folder, or --allow-partial to merge what is there",
        if missing.len() == 1 { "" } else { "s" },
        missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    )]
    Missing {
        /// The missing shards' indexes.
        missing: Vec<u32>,
        /// Shards in all.
        count: u32,
        /// The shards given, with their folders.
        given: String,
    },
    /// No folder was given.
    #[error("no shard folder given")]
    Empty,
}

/// Reads and checks the record of the shard folder `dir`: present, readable, of this
/// format, and listing exactly the chunks its shard runs, each file present with its
/// recorded length and checksum.
pub fn read_record(dir: &Path) -> Result<Record, MergeError> {
    let path = dir.join(RECORD);
    let damaged = |path: &Path, message: String| MergeError::Damaged {
        path: path.to_path_buf(),
        message,
    };
    if !dir.is_dir() {
        return Err(damaged(dir, "no such folder".into()));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        damaged(
            dir,
            format!("not a finished promosim shard (no readable {RECORD}: {e})"),
        )
    })?;
    let record: Record = serde_json::from_str(&text)
        .map_err(|e| damaged(&path, format!("not a promosim shard record ({e})")))?;
    if record.format != FORMAT {
        return Err(damaged(
            &path,
            format!(
                "shard record format {}, this promosim reads {FORMAT}",
                record.format
            ),
        ));
    }
    let owned = Record::owned(&record.manifest, record.shard, record.split);
    let listed: Vec<(usize, u32)> = record
        .files
        .iter()
        .map(|f| (f.candidate, f.chunk))
        .collect();
    if listed != owned {
        return Err(damaged(
            &path,
            format!(
                "incomplete: lists {} of the {} chunks shard {} runs",
                listed.iter().filter(|x| owned.contains(x)).count(),
                owned.len(),
                record.shard
            ),
        ));
    }
    for f in &record.files {
        let file = dir.join(&f.file);
        if f.file.contains(['/', '\\']) || f.file.starts_with('.') {
            return Err(damaged(&path, format!("bad chunk file name {:?}", f.file)));
        }
        let bytes = std::fs::read(&file).map_err(|e| damaged(&file, format!("missing ({e})")))?;
        if bytes.len() as u64 != f.bytes || checksum(&bytes) != f.checksum {
            return Err(damaged(
                &file,
                format!(
                    "damaged: {} bytes with checksum {}, the record says {} bytes with {}",
                    bytes.len(),
                    checksum(&bytes),
                    f.bytes,
                    f.checksum
                ),
            ));
        }
    }
    Ok(record)
}

/// Checks that the shards `given` (folder, record) belong together: one run (same version,
/// arguments, folder, fingerprint, seed, trials, chunking, shard count), no shard twice
/// and, unless `allow_partial`, none missing. Returns the missing shards' indexes.
pub fn check_set(given: &[(PathBuf, Record)], allow_partial: bool) -> Result<Vec<u32>, MergeError> {
    let Some((dir0, first)) = given.first() else {
        return Err(MergeError::Empty);
    };
    let mut seen: BTreeMap<u32, &Path> = BTreeMap::new();
    for (dir, r) in given {
        if let Some(what) = differs(first, r) {
            return Err(MergeError::Mismatch {
                a: dir0.display().to_string(),
                b: dir.display().to_string(),
                what,
                da: first.describe(),
                db: r.describe(),
            });
        }
        if let Some(other) = seen.insert(r.shard.index, dir) {
            return Err(MergeError::Duplicate {
                shard: r.shard,
                a: other.display().to_string(),
                b: dir.display().to_string(),
            });
        }
    }
    let missing: Vec<u32> = (0..first.shard.count)
        .filter(|i| !seen.contains_key(i))
        .collect();
    if !missing.is_empty() && !allow_partial {
        let given = seen
            .iter()
            .map(|(i, d)| format!("{i} in {}", d.display()))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(MergeError::Missing {
            missing,
            count: first.shard.count,
            given,
        });
    }
    Ok(missing)
}

/// What differs between the runs of two shards' records, in words.
fn differs(a: &Record, b: &Record) -> Option<String> {
    let mut d = Vec::new();
    if a.version != b.version {
        d.push(format!("promosim {} and {}", a.version, b.version));
    }
    if a.shard.count != b.shard.count {
        d.push(format!(
            "cut into {} and {} shards",
            a.shard.count, b.shard.count
        ));
    }
    if a.args != b.args {
        d.push(format!(
            "commands `{}` and `{}`",
            a.args.join(" "),
            b.args.join(" ")
        ));
    }
    if a.cwd != b.cwd {
        d.push(format!(
            "run in {} and {}",
            a.cwd.display(),
            b.cwd.display()
        ));
    }
    if a.split != b.split {
        d.push("cut differently".into());
    }
    let (ma, mb) = (&a.manifest, &b.manifest);
    let mut ma = ma.clone();
    ma.done.clone_from(&mb.done);
    if let Some(what) = ma.differs_from(mb) {
        d.push(what);
    } else if ma.chunk_trials != mb.chunk_trials {
        d.push(format!(
            "{} and {} trials per chunk",
            ma.chunk_trials, mb.chunk_trials
        ));
    }
    (!d.is_empty()).then(|| d.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        move |k| pairs.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone())
    }

    #[test]
    fn parses_explicit_and_engine_indexes() {
        let none = env(&[]);
        assert_eq!(Shard::parse("2/4", &none), Ok(Shard { index: 2, count: 4 }));
        assert!(Shard::parse("4/4", &none).is_err());
        assert!(Shard::parse("0/0", &none).is_err());
        assert!(Shard::parse("1", &none).is_err());
        assert!(
            Shard::parse("auto/4", &none)
                .unwrap_err()
                .contains("SLURM_ARRAY_TASK_ID")
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert_eq!(
            Shard::parse("auto/4", &k8s),
            Ok(Shard { index: 3, count: 4 })
        );
        // Slurm's variable comes first when several are set.
        let both = env(&[("HQ_TASK_ID", "0"), ("SLURM_ARRAY_TASK_ID", "1")]);
        assert_eq!(
            Shard::parse("auto/2", &both),
            Ok(Shard { index: 1, count: 2 })
        );
        let out_of_range = env(&[("SLURM_ARRAY_TASK_ID", "4")]);
        let e = Shard::parse("auto/4", &out_of_range).unwrap_err();
        assert!(
            e.contains("SLURM_ARRAY_TASK_ID=\"4\"") && e.contains("0 to 3"),
            "{e}"
        );
    }

    #[test]
    fn every_unit_has_exactly_one_shard() {
        for n in 1..=7 {
            for unit in 0..50u64 {
                let owners = (0..n)
                    .filter(|&i| Shard { index: i, count: n }.owns(unit))
                    .count();
                assert_eq!(owners, 1);
            }
        }
    }

    #[test]
    fn chunks_shrink_so_every_shard_gets_work() {
        // 200 trials of 3 candidates in 7 shards by trials: 14 chunks of 15 trials.
        assert_eq!(chunk_trials(200, 3, 7, Split::Trials), 15);
        // Never larger than an unsharded run's chunks.
        assert_eq!(chunk_trials(10_000, 1, 1, Split::Trials), 157);
        // Many points: the points alone spread over the shards.
        assert_eq!(chunk_trials(40, 100, 7, Split::Points), 32);
        assert_eq!(chunk_trials(3, 1, 7, Split::Trials), 1);
    }

    #[test]
    fn units_follow_the_split() {
        assert_eq!(Split::Trials.unit(2, 5, 10), 5);
        assert_eq!(Split::Points.unit(2, 5, 10), 25);
    }
}
