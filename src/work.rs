//! The work folder of a run: finished trials spilled to disk in chunks as they finish, a
//! manifest of what is complete, and the resume of an interrupted run.
//!
//! ## Design
//! A run's trials are cut into chunks of consecutive trials ([`chunk_trials`]: about 64
//! chunks per candidate, 32 to 1,000 trials each). Each chunk runs in parallel; when all its
//! trials are done its records are written to `c<candidate>-<chunk>.bin` and the chunk is
//! marked done in `manifest.json`, both written atomically (a temporary file synced, then
//! renamed), so a chunk listed in the manifest is always whole. Memory then holds one chunk
//! of full trial records at a time.
//!
//! When every chunk is done, [`assemble`] reads each candidate's chunks back once, in trial
//! order, one chunk at a time, and writes their values column by column
//! ([`crate::results::ColumnFile`]): `c<candidate>-values.bin` holds one column per metric
//! and, with `--contributions`, one per value of the contribution records; a temporary
//! `c<candidate>-daily.bin` one per day of the cumulative first buyers and orders. The daily
//! bands are then computed a day at a time from the second file, which is removed, and the
//! candidate's summaries a column at a time from the first, which its
//! [`crate::results::CandidateResult`] keeps open: every later reader (the comparisons,
//! `trials.csv`, the plots, the report) reads one column, or a block of rows, at a time.
//! So memory holds at most a few columns of one value per trial (8 bytes a trial each),
//! never every trial's values: a long run's memory stays flat as its trials grow.
//!
//! Trial `i` draws only from `(seed, i)` and every reduction runs sequentially in trial
//! order, so the outputs are byte-identical whether the trials ran in one go, on any thread
//! count, or across interruptions, and whether the values are read from the work folder or
//! held in memory ([`crate::results::CandidateResult::new`]).
//!
//! ## Interruption and resume
//! [`run`] checks a stop flag (set by SIGINT or SIGTERM, see `crate::cli`) before every
//! trial: trials not yet started are skipped, running ones finish, the unfinished chunk is
//! dropped, and the finished chunks stay in the work folder. A resumed run
//! ([`Work::open`] with `resume`) skips the chunks the manifest lists as done. The manifest
//! records what the results depend on: promosim's version, a fingerprint of every
//! candidate's resolved scenario and of the arms run (FNV-1a 64 over the resolved TOML
//! texts, which hold the seed and the trials), the seed, the trials and the candidates; a
//! work folder whose manifest differs in any of them is refused, naming what changed.
//!
//! Chunk files are a private format (little-endian integers and the bits of each `f64`,
//! so values round-trip exactly), read only by the version that wrote them.

use crate::engine::{Arms, Plan, RunOptions, run_range};
use crate::lineup::Lineup;
use crate::output::{OutputError, write_atomic};
use crate::results::{
    Attributed, CandidateResult, ColumnError, ColumnFile, Contributions, DailyBand, Outcome,
    TrialResult, day_band, metric_names,
};
use crate::shard::{ChunkFile, Shard, Split, checksum};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Version of the manifest and chunk formats.
pub const FORMAT: u32 = 2;

/// The manifest's file name in the work folder.
pub const MANIFEST: &str = "manifest.json";

/// Why the work folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// A file of the work folder could not be written or read.
    #[error(transparent)]
    Io(#[from] OutputError),
    /// The work folder holds another run's trials.
    #[error(
        "cannot resume from {dir}: it holds the trials of a different run ({what}); run without --resume to start again"
    )]
    Mismatch {
        /// The work folder.
        dir: PathBuf,
        /// What differs.
        what: String,
    },
    /// A file of the work folder is damaged.
    #[error("{path}: {message}; run without --resume to start again")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The per-trial values could not be written or read back column by column.
    #[error(transparent)]
    Columns(#[from] ColumnError),
    /// The worker threads could not start.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
}

/// What a run's work folder holds: what was run and which chunks are complete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// promosim version that wrote it.
    pub version: String,
    /// FNV-1a 64 of every candidate's name and resolved scenario and of the arms.
    pub fingerprint: String,
    /// Master seed.
    pub seed: u64,
    /// Trials per candidate.
    pub trials: u32,
    /// Trials per chunk.
    pub chunk_trials: u32,
    /// Candidate names, in run order.
    pub candidates: Vec<String>,
    /// Per candidate, the indexes of the complete chunks, ascending.
    pub done: Vec<Vec<u32>>,
}

impl Manifest {
    /// The manifest of a fresh run of `lineup` with `arms`: nothing done yet.
    pub fn fresh(lineup: &Lineup, arms: Arms) -> Self {
        let entries: Vec<(&str, &Plan)> = lineup
            .entries
            .iter()
            .map(|e| (e.candidate.name.as_str(), &e.plan))
            .collect();
        Manifest::of(&entries, lineup.base.seed, lineup.base.trials, arms)
    }

    /// The manifest of a fresh run of the named plans `entries` (each a candidate), the
    /// same `trials` of each under `seed`, with `arms`: nothing done yet.
    pub fn of(entries: &[(&str, &Plan)], seed: u64, trials: u32, arms: Arms) -> Self {
        let mut h = Fnv::default();
        h.write(format!("{arms:?}").as_bytes());
        for (name, plan) in entries {
            h.write(name.as_bytes());
            h.write(&[0]);
            h.write(plan.scenario.to_toml().as_bytes());
            h.write(&[0]);
        }
        Manifest {
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint: format!("fnv1a64:{:016x}", h.0),
            seed,
            trials,
            chunk_trials: chunk_trials(trials),
            candidates: entries.iter().map(|(n, _)| n.to_string()).collect(),
            done: vec![Vec::new(); entries.len()],
        }
    }

    /// What differs between the run this manifest records and `other`, in words; `None`
    /// when they are the same run.
    pub fn differs_from(&self, other: &Manifest) -> Option<String> {
        let mut d = Vec::new();
        if self.format != other.format || self.version != other.version {
            d.push(format!(
                "promosim {} wrote it, this is {}",
                self.version, other.version
            ));
        }
        if self.seed != other.seed {
            d.push(format!("seed {} there, {} now", self.seed, other.seed));
        }
        if self.trials != other.trials {
            d.push(format!(
                "trials {} there, {} now",
                self.trials, other.trials
            ));
        }
        if self.candidates != other.candidates {
            d.push(format!(
                "candidates {} there, {} now",
                self.candidates.join(", "),
                other.candidates.join(", ")
            ));
        }
        if self.chunk_trials != other.chunk_trials {
            d.push(format!(
                "{} trials per chunk there, {} now (another shard count)",
                self.chunk_trials, other.chunk_trials
            ));
        }
        if d.is_empty() && self.fingerprint != other.fingerprint {
            d.push("the scenario or the options that change results differ".into());
        }
        (!d.is_empty()).then(|| d.join("; "))
    }

    /// The same run cut into chunks of `chunk_trials` trials (which changes no result).
    pub fn with_chunk_trials(mut self, chunk_trials: u32) -> Self {
        self.chunk_trials = chunk_trials.clamp(1, self.trials.max(1));
        self
    }

    /// Chunks per candidate.
    pub fn chunks(&self) -> u32 {
        self.trials.div_ceil(self.chunk_trials.max(1))
    }

    /// The trials of chunk `k`.
    pub fn range(&self, k: u32) -> std::ops::Range<u32> {
        let start = k * self.chunk_trials;
        start..(start + self.chunk_trials).min(self.trials)
    }

    /// Trials complete, over all candidates.
    pub fn trials_done(&self) -> u64 {
        self.done
            .iter()
            .flatten()
            .map(|&k| self.range(k).len() as u64)
            .sum()
    }
}

/// Trials per chunk for `trials` trials: about 64 chunks, each of 32 to 1,000 trials (at
/// most `trials`). Enough trials per chunk to keep every worker busy, few enough that an
/// interruption drops little work and a chunk's records stay small.
pub fn chunk_trials(trials: u32) -> u32 {
    trials.div_ceil(64).clamp(32, 1000).min(trials).max(1)
}

/// A run's work folder, open for writing chunks.
#[derive(Debug)]
pub struct Work {
    dir: PathBuf,
    manifest: Manifest,
    /// The shard this work runs, if it runs one shard of the run only.
    part: Option<(Shard, Split)>,
}

impl Work {
    /// Opens the work folder `dir` for the run `fresh` describes. Without `resume`, any
    /// earlier content is removed and the run starts from its first trial. With `resume`,
    /// a folder holding the same run keeps its complete chunks (a chunk listed but
    /// missing is run again); a folder holding another run is refused; an absent or empty
    /// folder starts from the first trial. Returns the work and a note for the user.
    pub fn open(dir: &Path, fresh: Manifest, resume: bool) -> Result<(Work, String), WorkError> {
        let io = |source| OutputError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let path = dir.join(MANIFEST);
        let earlier = if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|source| OutputError::Io {
                path: path.clone(),
                source,
            })?;
            Some(
                serde_json::from_str::<Manifest>(&text).map_err(|e| WorkError::Corrupt {
                    path: path.clone(),
                    message: format!("not a promosim manifest ({e})"),
                })?,
            )
        } else {
            None
        };
        let (manifest, note) = match earlier {
            Some(old) if resume => {
                if let Some(what) = old.differs_from(&fresh) {
                    return Err(WorkError::Mismatch {
                        dir: dir.to_path_buf(),
                        what,
                    });
                }
                let mut m = old;
                for (c, done) in m.done.iter_mut().enumerate() {
                    done.retain(|&k| chunk_path(dir, c, k).is_file());
                }
                let note = format!(
                    "resuming from {}: {} of {} trials already done",
                    dir.display(),
                    m.trials_done(),
                    u64::from(m.trials) * m.candidates.len() as u64
                );
                (m, note)
            }
            earlier => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(io)?;
                }
                let note = match (earlier, resume) {
                    (_, true) => format!(
                        "nothing to resume in {}: starting from the first trial",
                        dir.display()
                    ),
                    (Some(_), false) => format!(
                        "discarded the unfinished trials of an earlier run in {} (--resume continues them)",
                        dir.display()
                    ),
                    (None, false) => String::new(),
                };
                (fresh, note)
            }
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let work = Work {
            dir: dir.to_path_buf(),
            manifest,
            part: None,
        };
        work.save_manifest()?;
        Ok((work, note))
    }

    /// Runs only the chunks of `shard` (dealt by `split`) from now on: [`run`] skips the
    /// others and [`Work::trials_wanted`] counts its chunks only.
    pub fn restrict(&mut self, shard: Shard, split: Split) {
        self.part = Some((shard, split));
    }

    /// Whether chunk `k` of candidate `c` is part of this work.
    fn wants(&self, c: usize, k: u32) -> bool {
        self.part
            .is_none_or(|(shard, split)| shard.owns(split.unit(c, k, self.manifest.chunks())))
    }

    /// Trials this work runs in all (every candidate's, or its shard's).
    pub fn trials_wanted(&self) -> u64 {
        let m = &self.manifest;
        (0..m.candidates.len())
            .flat_map(|c| (0..m.chunks()).map(move |k| (c, k)))
            .filter(|&(c, k)| self.wants(c, k))
            .map(|(_, k)| m.range(k).len() as u64)
            .sum()
    }

    /// Copies this shard's chunk files, all done, into the folder `to` and lists them
    /// (with lengths and checksums) for its record.
    pub fn export_shard(&self, to: &Path) -> Result<Vec<ChunkFile>, OutputError> {
        let mut files = Vec::new();
        for (c, done) in self.manifest.done.iter().enumerate() {
            for &k in done.iter().filter(|&&k| self.wants(c, k)) {
                let from = chunk_path(&self.dir, c, k);
                let bytes = std::fs::read(&from).map_err(|source| OutputError::Io {
                    path: from.clone(),
                    source,
                })?;
                let name = chunk_name(c, k);
                write_atomic(&to.join(&name), &bytes)?;
                files.push(ChunkFile {
                    candidate: c,
                    chunk: k,
                    file: name,
                    bytes: bytes.len() as u64,
                    checksum: checksum(&bytes),
                });
            }
        }
        files.sort_by_key(|f| (f.candidate, f.chunk));
        Ok(files)
    }

    /// Copies the chunk files `files` of the shard folder `from` into this work folder
    /// and marks them done.
    pub fn import_shard(&mut self, from: &Path, files: &[ChunkFile]) -> Result<(), OutputError> {
        for f in files {
            let src = from.join(&f.file);
            let bytes = std::fs::read(&src).map_err(|source| OutputError::Io {
                path: src.clone(),
                source,
            })?;
            write_atomic(&chunk_path(&self.dir, f.candidate, f.chunk), &bytes)?;
            let done = &mut self.manifest.done[f.candidate];
            if !done.contains(&f.chunk) {
                done.push(f.chunk);
                done.sort_unstable();
            }
        }
        self.save_manifest()
    }

    /// The manifest as it stands.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The work folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes the work folder (after the outputs are in place).
    pub fn remove(self) -> Result<(), OutputError> {
        std::fs::remove_dir_all(&self.dir).map_err(|source| OutputError::Io {
            path: self.dir.clone(),
            source,
        })
    }

    fn save_manifest(&self) -> Result<(), OutputError> {
        let text =
            serde_json::to_string_pretty(&self.manifest).map_err(|e| OutputError::Serialise {
                what: "manifest",
                message: e.to_string(),
            })?;
        write_atomic(&self.dir.join(MANIFEST), text.as_bytes())
    }

    /// Writes chunk `k` of candidate `c` and marks it done.
    fn save_chunk(&mut self, c: usize, k: u32, trials: &[TrialResult]) -> Result<(), OutputError> {
        let mut bytes = Vec::new();
        encode_chunk(trials, &mut bytes);
        write_atomic(&chunk_path(&self.dir, c, k), &bytes)?;
        let done = &mut self.manifest.done[c];
        done.push(k);
        done.sort_unstable();
        self.save_manifest()
    }

    /// Candidate `c`'s trials, in trial order, one chunk at a time: `f` gets the index of
    /// the chunk's first trial and its trials.
    fn each_chunk(
        &self,
        c: usize,
        mut f: impl FnMut(usize, Vec<TrialResult>) -> Result<(), WorkError>,
    ) -> Result<(), WorkError> {
        for k in 0..self.manifest.chunks() {
            let path = chunk_path(&self.dir, c, k);
            let bytes = std::fs::read(&path).map_err(|source| OutputError::Io {
                path: path.clone(),
                source,
            })?;
            let trials = decode_chunk(&bytes).map_err(|message| WorkError::Corrupt {
                path: path.clone(),
                message,
            })?;
            let expected = self.manifest.range(k);
            if trials.len() != expected.len()
                || trials.first().map(|t| t.trial) != Some(expected.start)
            {
                return Err(WorkError::Corrupt {
                    path,
                    message: format!(
                        "holds trials other than {}..{}",
                        expected.start, expected.end
                    ),
                });
            }
            f(expected.start as usize, trials)?;
        }
        Ok(())
    }
}

/// The file of chunk `k` of candidate `c`.
fn chunk_path(dir: &Path, c: usize, k: u32) -> PathBuf {
    dir.join(chunk_name(c, k))
}

/// The file name of chunk `k` of candidate `c`.
fn chunk_name(c: usize, k: u32) -> String {
    format!("c{c}-{k:06}.bin")
}

/// Whether `name` is a chunk file's name.
pub fn is_chunk_name(name: &str) -> bool {
    name.strip_prefix('c')
        .and_then(|r| r.strip_suffix(".bin"))
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(c, k)| {
            !c.is_empty()
                && k.len() >= 6
                && c.bytes().all(|b| b.is_ascii_digit())
                && k.bytes().all(|b| b.is_ascii_digit())
        })
}

/// How far a run got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Every chunk of every candidate is done.
    Complete,
    /// `stop` was set: the complete chunks are saved.
    Stopped,
}

/// Runs every chunk of `lineup` not yet done in `work`, in candidate and trial order, on
/// `threads` workers with `arms`, saving each chunk as it completes. Stops early when
/// `stop` is set (see the module documentation). `on_trials_done(n)` is called as `n`
/// trials finish (also for the chunks found done, once, at the start).
pub fn run(
    lineup: &Lineup,
    work: &mut Work,
    threads: Option<usize>,
    arms: Arms,
    stop: &AtomicBool,
    on_trials_done: &(dyn Fn(u64) + Sync),
) -> Result<Progress, WorkError> {
    let plans: Vec<&Plan> = lineup.entries.iter().map(|e| &e.plan).collect();
    run_plans(&plans, work, threads, arms, stop, on_trials_done)
}

/// [`run`] for the plans of a work folder opened with [`Manifest::of`]: plan `c` is
/// candidate `c`, each runs the manifest's trials under its seed.
pub fn run_plans(
    plans: &[&Plan],
    work: &mut Work,
    threads: Option<usize>,
    arms: Arms,
    stop: &AtomicBool,
    on_trials_done: &(dyn Fn(u64) + Sync),
) -> Result<Progress, WorkError> {
    on_trials_done(work.manifest.trials_done());
    let opts = RunOptions {
        trials: work.manifest.trials,
        seed: work.manifest.seed,
        threads,
        arms,
    };
    let mut go = || -> Result<Progress, WorkError> {
        for (c, plan) in plans.iter().enumerate() {
            for k in 0..work.manifest.chunks() {
                if work.manifest.done[c].contains(&k) || !work.wants(c, k) {
                    continue;
                }
                if stop.load(Ordering::Relaxed) {
                    return Ok(Progress::Stopped);
                }
                let range = work.manifest.range(k);
                match run_range(plan, opts, range, stop, &|| on_trials_done(1)) {
                    Some(trials) => work.save_chunk(c, k, &trials)?,
                    None => return Ok(Progress::Stopped),
                }
            }
        }
        Ok(Progress::Complete)
    };
    let progress = match threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()?
            .install(go),
        None => go(),
    };
    release_freed_memory();
    progress
}

/// Candidate `c`'s metric values ([`TrialResult::values`]) from a complete work folder,
/// trial by trial in trial order, read back one chunk at a time.
pub fn values_of(work: &Work, c: usize) -> Result<Vec<Vec<f64>>, WorkError> {
    let mut out = Vec::with_capacity(work.manifest.trials as usize);
    work.each_chunk(c, |_, trials| {
        out.extend(trials.iter().map(TrialResult::values));
        Ok(())
    })?;
    Ok(out)
}

/// The candidates' results from a complete work folder, read back in trial order (see the
/// module documentation).
pub fn assemble(lineup: &Lineup, work: &Work) -> Result<Vec<CandidateResult>, WorkError> {
    let mut out = Vec::with_capacity(lineup.entries.len());
    for (c, e) in lineup.entries.iter().enumerate() {
        let cand = &e.candidate;
        out.push(
            assemble_candidate(
                work,
                c,
                &cand.name,
                e.plan.mechanisms.iter().map(|m| m.key()),
                &e.plan.kpi_names(),
            )?
            .described(&cand.description, &cand.changes, cand.extends.as_deref()),
        );
    }
    release_freed_memory();
    Ok(out)
}

/// Returns to the system the memory the trials' records used and freed: glibc's allocator
/// keeps the freed memory of its per-thread arenas, where the worker threads built the
/// records, and would otherwise add it to the peak of everything after. A no-op where
/// the allocator is not glibc's.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's arenas; it touches
    // no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Candidate `c`'s results: its chunks read back once into its column files, then its
/// daily bands and summaries read a column at a time.
fn assemble_candidate<'a>(
    work: &Work,
    c: usize,
    name: &str,
    mechanisms: impl IntoIterator<Item = &'a str>,
    kpi_names: &[String],
) -> Result<CandidateResult, WorkError> {
    let trials = work.manifest.trials as usize;
    let mut columns: Option<Columns> = None;
    work.each_chunk(c, |start, chunk| {
        let cols = match &mut columns {
            Some(cols) => cols,
            None => columns.insert(Columns::create(work, c, trials, kpi_names, chunk.first())?),
        };
        Ok(cols.write(start, &chunk)?)
    })?;
    let cols = match columns {
        Some(cols) => cols,
        None => Columns::create(work, c, trials, kpi_names, None)?,
    };
    let bands = cols.daily_bands()?;
    let daily_path = cols.daily.path().to_path_buf();
    drop(cols.daily);
    std::fs::remove_file(&daily_path).map_err(|source| ColumnError {
        path: daily_path,
        source,
    })?;
    Ok(CandidateResult::from_file(
        name,
        mechanisms,
        cols.metrics,
        cols.values,
        cols.contributions,
        bands,
    )?)
}

/// A candidate's column files while its chunks are read back (see the module
/// documentation).
struct Columns {
    /// The metric names, whose columns come first in `values`.
    metrics: Vec<String>,
    /// The metric values, then the contribution records' values.
    values: ColumnFile<f64>,
    /// The cumulative first buyers of each day, then the orders.
    daily: ColumnFile<u32>,
    /// Whether the trials have contribution records.
    contributions: bool,
    /// Days of the daily series.
    days: usize,
}

impl Columns {
    /// The column files of candidate `c`'s `trials` trials, laid out after its first
    /// trial (all trials of a run record the same metrics and days).
    fn create(
        work: &Work,
        c: usize,
        trials: usize,
        kpi_names: &[String],
        first: Option<&TrialResult>,
    ) -> Result<Self, ColumnError> {
        let incremental = first.is_some_and(|t| t.no_campaign.is_some());
        let metrics = metric_names(incremental, kpi_names);
        let width = first.map_or(metrics.len(), |t| t.stored_values().len());
        let days = first.map_or(0, |t| t.daily_first_buyers.len().max(t.daily_orders.len()));
        Ok(Columns {
            metrics,
            values: ColumnFile::create(&work.dir.join(format!("c{c}-values.bin")), trials, width)?,
            daily: ColumnFile::create(&work.dir.join(format!("c{c}-daily.bin")), trials, 2 * days)?,
            contributions: first.is_some_and(|t| t.contributions.is_some()),
            days,
        })
    }

    /// Writes the trials `chunk`, the first of which is trial `start`, column by column.
    fn write(&self, start: usize, chunk: &[TrialResult]) -> Result<(), ColumnError> {
        let width = self.values.columns();
        let mut block = vec![Vec::with_capacity(chunk.len()); width];
        for t in chunk {
            let row = t.stored_values();
            for (k, col) in block.iter_mut().enumerate() {
                col.push(row.get(k).copied().unwrap_or(f64::NAN));
            }
        }
        self.values.write_block(start, &block)?;
        drop(block);
        let days = self.days;
        let mut block = vec![Vec::with_capacity(chunk.len()); 2 * days];
        for t in chunk {
            for (s, series) in [&t.daily_first_buyers, &t.daily_orders]
                .into_iter()
                .enumerate()
            {
                for d in 0..days {
                    block[s * days + d].push(series.get(d).copied().unwrap_or(0));
                }
            }
        }
        self.daily.write_block(start, &block)
    }

    /// The daily bands of the cumulative first buyers and orders, one day's column at a
    /// time.
    fn daily_bands(&self) -> Result<[Vec<DailyBand>; 2], ColumnError> {
        let mut bands = [Vec::with_capacity(self.days), Vec::with_capacity(self.days)];
        let mut col = Vec::with_capacity(self.daily.rows());
        for (s, band) in bands.iter_mut().enumerate() {
            for d in 0..self.days {
                let day = self.daily.read_column(s * self.days + d)?;
                col.clear();
                col.extend(day.into_iter().map(f64::from));
                band.push(day_band(d as u32, &mut col));
            }
        }
        Ok(bands)
    }
}

/// FNV-1a, 64 bits: a stable fingerprint (not a defence against tampering).
#[derive(Debug)]
/// FNV-1a 64: the hash of fingerprints and checksums (not cryptographic; it detects
/// changes and damage, not tampering).
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Adds `bytes` to the hash.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Magic bytes opening a chunk file.
const MAGIC: &[u8; 4] = b"PSC2";

/// Encodes `trials` as a chunk file's bytes.
pub fn encode_chunk(trials: &[TrialResult], out: &mut Vec<u8>) {
    out.extend_from_slice(MAGIC);
    put_u32(out, trials.len() as u32);
    for t in trials {
        put_u32(out, t.trial);
        put_u32(out, t.population);
        put_u32(out, t.members);
        put_outcome(out, &t.campaign);
        put_f64(out, t.clv);
        put_u32(out, t.kpis.len() as u32);
        t.kpis.iter().for_each(|&v| put_f64(out, v));
        for series in [&t.daily_first_buyers, &t.daily_orders] {
            put_u32(out, series.len() as u32);
            series.iter().for_each(|&v| put_u32(out, v));
        }
        put_u32(out, t.attributed.len() as u32);
        for a in &t.attributed {
            put_u32(out, a.first_buyers);
            put_u32(out, a.orders);
        }
        match &t.no_campaign {
            Some(o) => {
                out.push(1);
                put_outcome(out, o);
            }
            None => out.push(0),
        }
        match &t.contributions {
            Some(c) => {
                out.push(1);
                put_u32(out, c.shapley.len() as u32);
                for rows in [&c.leave_one_out, &c.shapley, &c.shapley_var] {
                    for row in rows {
                        row.iter().for_each(|&v| put_f64(out, v));
                    }
                }
                out.push(u8::from(c.exact));
                put_u32(out, c.worlds);
            }
            None => out.push(0),
        }
    }
}

/// Decodes a chunk file's bytes.
pub fn decode_chunk(bytes: &[u8]) -> Result<Vec<TrialResult>, String> {
    let mut r = Reader(bytes);
    if r.take(4)? != MAGIC {
        return Err("not a promosim chunk file".into());
    }
    let n = r.u32()? as usize;
    let mut trials = Vec::with_capacity(n.min(bytes.len() / 16));
    for _ in 0..n {
        let trial = r.u32()?;
        let population = r.u32()?;
        let members = r.u32()?;
        let campaign = r.outcome()?;
        let clv = r.f64()?;
        let kpis = r.vec(|r| r.f64())?;
        let daily_first_buyers = r.vec(|r| r.u32())?;
        let daily_orders = r.vec(|r| r.u32())?;
        let attributed = r.vec(|r| {
            Ok(Attributed {
                first_buyers: r.u32()?,
                orders: r.u32()?,
            })
        })?;
        let no_campaign = match r.u8()? {
            0 => None,
            _ => Some(r.outcome()?),
        };
        let contributions = match r.u8()? {
            0 => None,
            _ => {
                let m = r.u32()? as usize;
                let mut rows = || -> Result<Vec<[f64; 6]>, String> {
                    (0..m)
                        .map(|_| {
                            let mut a = [0.0; 6];
                            for v in &mut a {
                                *v = r.f64()?;
                            }
                            Ok(a)
                        })
                        .collect()
                };
                let leave_one_out = rows()?;
                let shapley = rows()?;
                let shapley_var = rows()?;
                Some(Contributions {
                    leave_one_out,
                    shapley,
                    shapley_var,
                    exact: r.u8()? != 0,
                    worlds: r.u32()?,
                })
            }
        };
        trials.push(TrialResult {
            trial,
            population,
            members,
            campaign,
            clv,
            kpis,
            daily_first_buyers,
            daily_orders,
            attributed,
            no_campaign,
            contributions,
        });
    }
    if !r.0.is_empty() {
        return Err(format!("{} bytes after the last trial", r.0.len()));
    }
    Ok(trials)
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_f64(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_bits().to_le_bytes());
}

fn put_outcome(out: &mut Vec<u8>, o: &Outcome) {
    put_u32(out, o.first_buyers);
    put_u32(out, o.repeat_buyers);
    put_u32(out, o.orders);
    put_f64(out, o.revenue);
    put_f64(out, o.gross_margin);
    put_f64(out, o.cost);
    put_u32(out, o.member_first_buyers);
    put_u32(out, o.buyers_3plus);
    put_f64(out, o.days_to_second);
}

/// Reads a chunk's bytes front to back.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        if self.0.len() < n {
            return Err("truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_bits(u64::from_le_bytes(a)))
    }

    fn outcome(&mut self) -> Result<Outcome, String> {
        Ok(Outcome {
            first_buyers: self.u32()?,
            repeat_buyers: self.u32()?,
            orders: self.u32()?,
            revenue: self.f64()?,
            gross_margin: self.f64()?,
            cost: self.f64()?,
            member_first_buyers: self.u32()?,
            buyers_3plus: self.u32()?,
            days_to_second: self.f64()?,
        })
    }

    fn vec<T>(
        &mut self,
        mut f: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let n = self.u32()? as usize;
        if n > self.0.len() {
            return Err("truncated".into());
        }
        (0..n).map(|_| f(self)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(i: u32, contributions: bool) -> TrialResult {
        let o = Outcome {
            first_buyers: 3 + i,
            repeat_buyers: 1,
            orders: 5,
            revenue: 0.1 + f64::from(i),
            gross_margin: -2.5,
            cost: f64::NAN,
            member_first_buyers: 2,
            buyers_3plus: 1,
            days_to_second: 7.0,
        };
        TrialResult {
            trial: i,
            population: 100,
            members: 40,
            campaign: o,
            clv: f64::NAN,
            kpis: vec![1.5, f64::NAN, -0.0],
            daily_first_buyers: vec![1, 2, 3 + i],
            daily_orders: vec![1, 4, 9],
            attributed: vec![Attributed {
                first_buyers: 2,
                orders: 3,
            }],
            no_campaign: Some(o),
            contributions: contributions.then(|| Contributions {
                leave_one_out: vec![[0.1; 6]],
                shapley: vec![[1e-300; 6]],
                shapley_var: vec![[0.0; 6]],
                exact: true,
                worlds: 4,
            }),
        }
    }

    /// Equality of the bits of every value (NaN included).
    fn bits(t: &TrialResult) -> String {
        format!("{t:?}")
    }

    #[test]
    fn chunks_round_trip_every_bit() {
        let trials: Vec<TrialResult> = (0..3).map(|i| trial(i, i != 1)).collect();
        let mut bytes = Vec::new();
        encode_chunk(&trials, &mut bytes);
        let back = decode_chunk(&bytes).expect("decodes");
        assert_eq!(back.len(), 3);
        for (a, b) in trials.iter().zip(&back) {
            assert_eq!(bits(a), bits(b));
            assert_eq!(a.kpis[2].to_bits(), b.kpis[2].to_bits());
        }
    }

    #[test]
    fn damaged_chunks_are_refused() {
        let mut bytes = Vec::new();
        encode_chunk(&[trial(0, true)], &mut bytes);
        assert!(decode_chunk(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_chunk(&longer).is_err());
        assert!(decode_chunk(b"XXXX").is_err());
        // A huge length is refused before anything is allocated.
        let mut huge = bytes[..8].to_vec();
        huge.extend_from_slice(&[0; 8]);
        huge.extend_from_slice(&[0; 40]);
        huge.extend_from_slice(&[0; 8]);
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_chunk(&huge).is_err());
    }

    #[test]
    fn results_read_back_from_chunks_equal_those_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let trials: Vec<TrialResult> = (0..5)
            .map(|i| TrialResult {
                daily_first_buyers: vec![i, 2 * i, 7, 9 - i],
                daily_orders: vec![3 * i, 1, 4 + i, 20],
                ..trial(i, true)
            })
            .collect();
        let manifest = Manifest {
            format: FORMAT,
            version: String::new(),
            fingerprint: String::new(),
            seed: 0,
            trials: 5,
            chunk_trials: 2,
            candidates: vec!["a".into()],
            done: vec![Vec::new()],
        };
        let mut work = Work {
            dir: dir.path().to_path_buf(),
            manifest,
            part: None,
        };
        for k in 0..3u32 {
            let r = work.manifest.range(k);
            work.save_chunk(0, k, &trials[r.start as usize..r.end as usize])
                .unwrap();
        }
        assert_eq!(work.manifest.done, [vec![0, 1, 2]]);
        let kpis: Vec<String> = ["k1", "k2", "k3"].map(String::from).to_vec();
        let disk = assemble_candidate(&work, 0, "a", ["votes"], &kpis).unwrap();
        let memory = CandidateResult::new("a", ["votes"], &kpis, trials);
        assert!(!dir.path().join("c0-daily.bin").exists());
        let bits = |c: &CandidateResult| {
            let mut rows = Vec::new();
            c.for_each_row(|t, row| {
                rows.push((t, row.iter().map(|v| v.to_bits()).collect::<Vec<_>>()))
            });
            (
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    c.metrics, c.summary, c.contributions, c.daily_first_buyers, c.daily_orders
                ),
                rows,
                c.trial_count(),
            )
        };
        assert_eq!(bits(&disk), bits(&memory));
        assert!(disk.contributions.is_some());
        assert_eq!(disk.daily_orders.len(), 4);
        for m in &memory.metrics {
            let (a, b) = (disk.column(m).unwrap(), memory.column(m).unwrap());
            assert_eq!(
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "{m}"
            );
        }
    }

    #[test]
    fn chunks_cover_the_trials_once() {
        for trials in [1, 5, 31, 32, 33, 2000, 64_001, 10_000_000] {
            let k = chunk_trials(trials);
            assert!((1..=1000).contains(&k) && k <= trials, "{trials}: {k}");
            let m = Manifest {
                format: FORMAT,
                version: String::new(),
                fingerprint: String::new(),
                seed: 0,
                trials,
                chunk_trials: k,
                candidates: vec!["a".into()],
                done: vec![(0..trials.div_ceil(k)).collect()],
            };
            let ranges: Vec<_> = (0..m.chunks()).map(|c| m.range(c)).collect();
            assert_eq!(ranges.first().map(|r| r.start), Some(0));
            assert_eq!(ranges.last().map(|r| r.end), Some(trials));
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
            assert_eq!(m.trials_done(), u64::from(trials));
        }
    }

    #[test]
    fn a_changed_run_names_what_changed() {
        let m = Manifest {
            format: FORMAT,
            version: "1".into(),
            fingerprint: "x".into(),
            seed: 1,
            trials: 10,
            chunk_trials: 10,
            candidates: vec!["a".into()],
            done: vec![vec![]],
        };
        assert_eq!(m.differs_from(&m.clone()), None);
        let seed = Manifest {
            seed: 2,
            ..m.clone()
        };
        assert_eq!(
            m.differs_from(&seed).as_deref(),
            Some("seed 1 there, 2 now")
        );
        let scenario = Manifest {
            fingerprint: "y".into(),
            ..m.clone()
        };
        assert!(
            m.differs_from(&scenario)
                .is_some_and(|d| d.contains("scenario"))
        );
        let version = Manifest {
            version: "2".into(),
            ..m.clone()
        };
        assert!(
            m.differs_from(&version)
                .is_some_and(|d| d.contains("promosim 1"))
        );
    }
}
