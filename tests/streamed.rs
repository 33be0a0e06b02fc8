//! A run reads its per-trial values back from the work folder a column at a time; its
//! outputs are the bytes of the same run whose values are all held in memory.
//!
//! The reference is the library's in-memory path (`Lineup::run`: every trial's values in
//! memory, as runs held them before they were read back from disk), written with the same
//! writer; the run under test is the built binary, which spills its trials to the work
//! folder and reads them back column by column. Every file is compared byte for byte
//! (`trials.csv`, the summaries, the daily bands, the contributions, the plots, the
//! report), and the tables printed on stdout.

use promosim::compare::{Constraints, Objective, comparison};
use promosim::engine::{Arms, Contribution};
use promosim::lineup::Lineup;
use promosim::output::{
    RunOutputs, render_comparison, render_contributions, render_table, write_run,
};
use promosim::scenario::load_file;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes into `dir` the outputs of `files` run with `trials` trials, every value in
/// memory, as `promosim compare FILES --trials N --report [--contributions]` (or `run`
/// for one file) writes them; returns what it prints on stdout.
fn in_memory(dir: &Path, verb: &str, files: &[&str], trials: u32, contributions: bool) -> String {
    // Relative to the package root, the working folder of tests, as the binary is given
    // them (the file names are recorded in the outputs).
    let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let overrides = [format!("trials={trials}")];
    let scenarios = files
        .iter()
        .map(|f| load_file(f, &overrides).expect("loads"))
        .collect::<Vec<_>>();
    let lineup = if verb == "run" {
        let s = scenarios.into_iter().next().expect("one file");
        Lineup::single(&files[0], s, Some(trials), None).expect("lines up")
    } else {
        Lineup::of_files(&files, scenarios, Some(trials), None).expect("lines up")
    };
    let mut flags = vec!["--report".to_string()];
    if contributions {
        flags.push("--contributions".into());
    }
    let objective = Objective::default();
    let info = lineup.info(lineup.command(&[], objective, Constraints::default(), &flags));
    let arms = Arms {
        no_campaign: true,
        contributions: contributions.then_some(Contribution { pairs: 2 }),
    };
    let cands = lineup.run(None, arms, &|| {}).expect("runs");
    let cmp = comparison(&cands, objective, Constraints::default());
    write_run(
        dir,
        &RunOutputs {
            info: &info,
            base: &lineup.base,
            candidates: &cands,
            comparison: cmp.as_ref(),
            resolved: &lineup.resolved,
            plots: true,
            report: true,
        },
    )
    .expect("writes");
    let mut out = format!(
        "scenario {} | {} trials | seed {} | horizon {} days | money in {}\n",
        info.scenario, info.trials, info.seed, info.horizon_days, info.currency
    );
    out.push_str(&render_table(&cands, false));
    out.push_str(&render_contributions(&cands));
    if let Some(c) = &cmp {
        out.push('\n');
        out.push_str(&render_comparison(c));
    }
    out
}

/// The built binary's run of the same, into `dir`; returns its stdout.
fn streamed(dir: &Path, verb: &str, files: &[&str], trials: u32, contributions: bool) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_promosim"));
    c.current_dir(root())
        .arg(verb)
        .args(files)
        .args(["--trials", &trials.to_string(), "--report", "--quiet"])
        .arg("--out")
        .arg(dir);
    if contributions {
        c.arg("--contributions");
    }
    let out = c.output().expect("promosim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Every file of `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("reads the folder")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("reads"))
        })
        .collect();
    all.sort();
    all
}

fn assert_same_outputs(verb: &str, files_run: &[&str], trials: u32, contributions: bool) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let (a, b) = (tmp.path().join("memory"), tmp.path().join("streamed"));
    let printed_memory = in_memory(&a, verb, files_run, trials, contributions);
    let printed_streamed = streamed(&b, verb, files_run, trials, contributions);
    let (fa, fb) = (files(&a), files(&b));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb));
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(
            x == y,
            "{name} differs between the in-memory and the streamed run"
        );
    }
    for needed in [
        "trials.csv",
        "summary.json",
        "report.html",
        "plot_boxes.png",
    ] {
        assert!(names(&fb).iter().any(|n| n == needed), "{needed}");
    }
    if contributions {
        assert!(names(&fb).iter().any(|n| n == "contributions.csv"));
    }
    assert_eq!(printed_memory, printed_streamed);
}

#[test]
fn a_compare_of_several_candidates_writes_the_bytes_of_an_in_memory_run() {
    // 70 trials: chunks of 32, so three chunks per candidate, the last one partial.
    assert_same_outputs(
        "compare",
        &[
            "scenarios/votes_plain.toml",
            "scenarios/votes_designed.toml",
            "scenarios/red_packets_plain.toml",
        ],
        70,
        false,
    );
}

#[test]
fn a_run_with_contributions_writes_the_bytes_of_an_in_memory_run() {
    // Two candidates with their mechanisms' contributions.
    assert_same_outputs("run", &["scenarios/compare_red_packets.toml"], 70, true);
}

#[test]
#[ignore = "long: thousands of trials in many chunks (run with --ignored)"]
fn long_runs_write_the_bytes_of_in_memory_runs() {
    assert_same_outputs("run", &["scenarios/quickstart.toml"], 5000, false);
    assert_same_outputs("run", &["scenarios/compare_red_packets.toml"], 2000, true);
}
