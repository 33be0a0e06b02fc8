//! `--shard I/N` and `promosim merge`: a shard runs its part of a run's chunks and writes
//! them with their record (`crate::shard`); the merge reads the records, checks them,
//! rebuilds the run from the recorded command and finishes it from the shards' chunks, so
//! its outputs are the single run's.

use super::args::{Cli, Command, MergeArgs};
use super::jobs::work_error;
use super::{CliError, calibrate, compare, explore, rounds, run};
use crate::output::unit::OutputUnit;
use crate::output::unit::work_dir_of;
use crate::output::write_atomic;
use crate::shard::{self, Merge, Record, Shard, Split};
use crate::work::{Manifest, Work, WorkError};
use clap::Parser;
use std::ffi::OsString;
use std::path::Path;

/// What a command runs: all of its work, one shard of it, or nothing but a merge.
#[derive(Debug, Clone, Copy)]
pub(super) enum Mode<'a> {
    /// Every chunk.
    Whole,
    /// One shard's chunks.
    Shard(Shard),
    /// The chunks of the shards a merge puts together.
    Merge(&'a Merge),
}

impl<'a> Mode<'a> {
    /// The mode of a command given `--shard` (`shard`) and set up by a merge (`merge`);
    /// `out` is `--out`, which a shard needs.
    pub(super) fn of(
        shard: Option<&str>,
        merge: Option<&'a Merge>,
        out: Option<&Path>,
    ) -> Result<Self, CliError> {
        match (shard, merge) {
            (_, Some(m)) => Ok(Mode::Merge(m)),
            (None, None) => Ok(Mode::Whole),
            (Some(text), None) => {
                let s = Shard::parse(text, |v| std::env::var(v).ok())
                    .map_err(|e| CliError::Usage(format!("--shard {e}")))?;
                if out.is_none() {
                    return Err(CliError::Usage(format!(
                        "--shard {text} needs --out: each shard writes its own folder for `promosim merge`"
                    )));
                }
                Ok(Mode::Shard(s))
            }
        }
    }
}

/// What a command does with the work folder an earlier, interrupted run left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resume {
    /// Discard it.
    No,
    /// Continue it; refuse one of another run.
    Yes,
    /// Continue it when it holds the same run, else discard it.
    IfSame,
}

impl From<bool> for Resume {
    fn from(resume: bool) -> Self {
        if resume { Resume::Yes } else { Resume::No }
    }
}

/// Opens the work folder `dir` for `manifest` as `resume` says.
fn open_dir(dir: &Path, manifest: Manifest, resume: Resume) -> Result<(Work, String), CliError> {
    match Work::open(dir, manifest.clone(), resume != Resume::No) {
        Err(WorkError::Mismatch { .. }) if resume == Resume::IfSame => {
            Work::open(dir, manifest, false)
        }
        other => other,
    }
    .map_err(work_error)
}

/// Opens the work folder of `unit` for the run `fresh` in `mode`, its chunks dealt by
/// `split`: a whole run as before (resumed as `resume` says); a shard with chunks sized for
/// its shard count, running its own chunks only; a merge with the shards' chunks copied
/// in, after checking that the shards ran this very run (scenario files unchanged).
pub(super) fn open_work(
    unit: &OutputUnit,
    fresh: Manifest,
    mode: Mode<'_>,
    split: Split,
    resume: Resume,
) -> Result<(Work, String), CliError> {
    let sized = |count: u32| {
        let chunk = shard::chunk_trials(fresh.trials, fresh.candidates.len(), count, split);
        fresh.clone().with_chunk_trials(chunk)
    };
    match mode {
        Mode::Whole => open_dir(unit.work_dir(), fresh, resume),
        Mode::Shard(s) => {
            let (mut work, note) = open_dir(unit.work_dir(), sized(s.count), resume)?;
            work.restrict(s, split);
            Ok((work, note))
        }
        Mode::Merge(m) => {
            let (dir, first) = m
                .shards
                .first()
                .ok_or_else(|| CliError::Usage("no shard".into()))?;
            let expected = sized(first.shard.count);
            let mut recorded = first.manifest.clone();
            recorded.done.clone_from(&expected.done);
            if let Some(what) = recorded.differs_from(&expected) {
                return Err(CliError::Usage(format!(
                    "{}: the shards do not match the run their command makes now ({what}): a scenario file changed since they ran, or this promosim differs",
                    dir.display()
                )));
            }
            let (mut work, _) = Work::open(unit.work_dir(), expected, false).map_err(work_error)?;
            for (dir, r) in &m.shards {
                work.import_shard(dir, &r.files)?;
            }
            if !m.missing.is_empty() {
                work.keep_present();
            }
            Ok((work, String::new()))
        }
    }
}

/// What a partial merge `m` of `work` leaves out, in words: the missing shards and, by
/// trial ranges, the trials of candidate `c` they held; `None` when no shard is missing.
pub(super) fn partial_note(m: Option<&Merge>, work: &Work, c: usize) -> Option<String> {
    let m = m.filter(|m| !m.missing.is_empty())?;
    let total = work.manifest().trials;
    let kept = work.trials_of(c);
    let mut missing = Vec::new();
    let mut next = 0;
    for &t in kept.iter().chain(std::iter::once(&total)) {
        if t > next {
            missing.push(if t - next == 1 {
                next.to_string()
            } else {
                format!("{next}-{}", t - 1)
            });
        }
        next = t + 1;
    }
    Some(format!(
        "partial merge: shard{} {} of {} missing; {} of {total} trials (missing trials {})",
        if m.missing.len() == 1 { "" } else { "s" },
        m.missing
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        m.shards.first().map_or(0, |(_, r)| r.shard.count),
        kept.len(),
        missing.join(", ")
    ))
}

/// Writes the shard `s` of `work` (all its chunks done) into `unit` with its record,
/// swaps the folder in and removes the work folder.
pub(super) fn finish_shard(
    unit: OutputUnit,
    work: Work,
    s: Shard,
    split: Split,
    quiet: bool,
) -> Result<(), CliError> {
    let files = work.export_shard(unit.staging())?;
    let mut manifest = work.manifest().clone();
    for (c, done) in manifest.done.iter_mut().enumerate() {
        done.retain(|&k| files.iter().any(|f| f.candidate == c && f.chunk == k));
    }
    let record = Record {
        format: shard::FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        args: recorded_args()?,
        cwd: std::env::current_dir()
            .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?,
        shard: s,
        split,
        manifest,
        files,
    };
    let trials: u64 = record
        .files
        .iter()
        .map(|f| record.manifest.range(f.chunk).len() as u64)
        .sum();
    let text = serde_json::to_string_pretty(&record)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", shard::RECORD))?;
    write_atomic(&unit.staging().join(shard::RECORD), text.as_bytes())?;
    unit.commit()?;
    work.remove()?;
    if !quiet {
        eprintln!(
            "shard {s}: {trials} trials in {} chunks; put the shards together with `promosim merge FOLDER... --out OUT`",
            record.files.len()
        );
    }
    Ok(())
}

/// The command's arguments after the program's name, without `--shard`, `--out` and the
/// options that change no result (`--threads`, `--quiet`, `--resume`, `--fresh`,
/// `--force`): what a merge runs again.
pub(super) fn recorded_args() -> Result<Vec<String>, CliError> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let a = a.into_string().map_err(|a| {
            CliError::Usage(format!(
                "argument {a:?} is not UTF-8: a shard records its command as text"
            ))
        })?;
        const WITH_VALUE: [&str; 3] = ["--shard", "--out", "--threads"];
        const FLAGS: [&str; 5] = ["--quiet", "-q", "--resume", "--fresh", "--force"];
        if WITH_VALUE.contains(&a.as_str()) {
            it.next();
        } else if !(FLAGS.contains(&a.as_str())
            || WITH_VALUE.iter().any(|w| a.starts_with(&format!("{w}="))))
        {
            out.push(a);
        }
    }
    Ok(out)
}

/// Runs `promosim merge`.
pub(super) fn merge(a: &MergeArgs) -> Result<(), CliError> {
    let bad = |e: shard::MergeError| CliError::Usage(e.to_string());
    let here = std::env::current_dir()
        .map_err(|e| anyhow::anyhow!("cannot read the current folder: {e}"))?;
    if let [dir] = a.shards.as_slice()
        && !dir.join(shard::RECORD).exists()
        && dir.is_dir()
    {
        let work = work_dir_of(dir).map_err(|e| CliError::Usage(e.to_string()))?;
        if let Some((args, cwd)) = rounds::command_of(&work)? {
            return merge_calibration(&args, &cwd, &here.join(dir), a);
        }
    }
    let mut shards = Vec::with_capacity(a.shards.len());
    for dir in &a.shards {
        let dir = here.join(dir);
        let record = shard::read_record(&dir).map_err(bad)?;
        shards.push((dir, record));
    }
    let missing = shard::check_set(&shards, a.allow_partial).map_err(bad)?;
    // In shard order, so nothing after this depends on the order they were given in.
    shards.sort_by_key(|(_, r)| r.shard.index);
    let first = &shards[0].1;
    let out = here.join(a.out.as_ref().ok_or_else(|| {
        CliError::Usage("--out OUT: the folder of the merged run is required".into())
    })?);
    if !first.cwd.is_dir() {
        return Err(CliError::Usage(format!(
            "{}: the shards ran in {}, which is not here: merge where their scenario files are",
            shards[0].0.display(),
            first.cwd.display()
        )));
    }
    let mut argv: Vec<OsString> = vec!["promosim".into()];
    argv.extend(first.args.iter().map(OsString::from));
    argv.extend(["--out".into(), out.into_os_string()]);
    if a.quiet {
        argv.push("--quiet".into());
    }
    std::env::set_current_dir(&first.cwd)
        .map_err(|e| anyhow::anyhow!("cannot enter {}: {e}", first.cwd.display()))?;
    let cli = Cli::try_parse_from(&argv).map_err(|e| {
        CliError::Usage(format!(
            "{}: the recorded command `promosim {}` does not parse: {e}",
            shards[0].0.display(),
            first.args.join(" ")
        ))
    })?;
    if !missing.is_empty() && !a.quiet {
        eprintln!(
            "merging {} of {} shards: shard{} {} missing",
            shards.len(),
            first.shard.count,
            if missing.len() == 1 { "" } else { "s" },
            missing
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let merge = Some(Merge { shards, missing });
    match cli.command {
        Command::Run(mut r) => {
            r.opts.merge = merge;
            run::run(&r)
        }
        Command::Compare(mut c) => {
            c.opts.merge = merge;
            compare::compare(&c)
        }
        Command::Sweep(mut s) => {
            s.opts.merge = merge;
            explore::sweep(&s)
        }
        Command::Sensitivity(mut s) => {
            s.opts.merge = merge;
            explore::sensitivity(&s)
        }
        _ => Err(CliError::Usage(format!(
            "the recorded command `promosim {}` has no shards to merge",
            first_words(&argv)
        ))),
    }
}

/// Merges the rounds of the calibration whose output folder is `out`: its recorded
/// command (`args`, run in `cwd`) replayed from the shards' simulations.
fn merge_calibration(
    args: &[String],
    cwd: &Path,
    out: &Path,
    a: &MergeArgs,
) -> Result<(), CliError> {
    let same = |p: &Path| p.canonicalize().ok() == out.canonicalize().ok();
    if a.out.as_deref().is_some_and(|o| !same(o)) {
        return Err(CliError::Usage(format!(
            "{} holds a calibration's rounds, which merge into the same folder: drop --out",
            out.display()
        )));
    }
    let mut argv: Vec<OsString> = vec!["promosim".into()];
    argv.extend(args.iter().map(OsString::from));
    argv.extend(["--out".into(), out.as_os_str().to_owned()]);
    if a.quiet {
        argv.push("--quiet".into());
    }
    std::env::set_current_dir(cwd)
        .map_err(|e| anyhow::anyhow!("cannot enter {}: {e}", cwd.display()))?;
    match Cli::try_parse_from(&argv).map(|c| c.command) {
        Ok(Command::Calibrate(mut c)) => {
            c.merge = true;
            calibrate::calibrate(&c)
        }
        _ => Err(CliError::Usage(format!(
            "{}: the recorded command `promosim {}` is not a calibration",
            out.display(),
            args.join(" ")
        ))),
    }
}

/// The first two words of a command line, for messages.
fn first_words(argv: &[OsString]) -> String {
    argv.iter()
        .skip(1)
        .take(2)
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
