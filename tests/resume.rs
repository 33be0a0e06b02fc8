//! A run's output folder as a unit, and interrupted runs: a run stopped by SIGTERM or
//! SIGINT and resumed writes the bytes of an uninterrupted run; a second run into the
//! same folder is refused; an earlier run's files do not survive a new run; a run killed
//! before its outputs are swapped in leaves the old result whole, and resumes.
//!
//! The runs are child processes of the built binary. Waits are for the manifest to list
//! finished chunks, with generous upper bounds (never timing assertions).

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The command line of a slow enough run: 20,000 trials of a small market on one thread,
/// a few seconds of work cut into chunks of 313 trials.
const SLOW: [&str; 7] = [
    "--trials",
    "20000",
    "--set",
    "population.buyers=2000",
    "--threads",
    "1",
    "--no-plots",
];

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_promosim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn bass() -> String {
    format!("{}/scenarios/bass.toml", env!("CARGO_MANIFEST_DIR"))
}

/// `promosim run bass.toml ARGS --out OUT`, run to its end.
fn run(out: &Path, args: &[&str]) -> Output {
    bin()
        .arg("run")
        .arg(bass())
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .output()
        .expect("promosim runs")
}

/// The same, started in the background.
fn spawn(out: &Path, args: &[&str]) -> Child {
    bin()
        .arg("run")
        .arg(bass())
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promosim starts")
}

/// The work folder of the output folder `out`.
fn work_of(out: &Path) -> PathBuf {
    let name = out.file_name().expect("named").to_string_lossy();
    out.with_file_name(format!(".{name}.promosim-work"))
}

/// Chunks the manifest of `out`'s work folder lists as done (0 when there is none yet).
fn chunks_done(out: &Path) -> usize {
    let Ok(text) = std::fs::read_to_string(work_of(out).join("manifest.json")) else {
        return 0;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return 0;
    };
    v["done"]
        .as_array()
        .map(|c| c.iter().filter_map(|d| d.as_array()).map(Vec::len).sum())
        .unwrap_or(0)
}

/// Waits until the manifest of `out` lists more than `after` chunks done.
fn wait_for_chunks(out: &Path, after: usize, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while chunks_done(out) <= after {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended before saving a chunk: {status}");
        }
        assert!(Instant::now() < deadline, "no chunk saved in 300 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: `kill` with the child's id and a signal number has no memory effects.
    let r = unsafe { libc::kill(child.id() as i32, sig) };
    assert_eq!(r, 0, "kill failed");
}

/// Every file of `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| {
            let e = e.expect("entry");
            let bytes = std::fs::read(e.path()).expect("file");
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    all.sort();
    all
}

/// The names in `dir`, files and folders, hidden ones included.
fn names(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    all
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_run_stopped_by_signals_and_resumed_writes_the_uninterrupted_bytes() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    // SIGTERM once some chunks are done.
    let mut child = spawn(&out, &SLOW);
    wait_for_chunks(&out, 0, &mut child);
    signal(&child, libc::SIGTERM);
    let first = child.wait_with_output().expect("waits");
    assert_eq!(first.status.code(), Some(143), "{}", stderr(&first));
    let e = stderr(&first);
    assert!(
        e.contains("interrupted by SIGTERM") && e.contains("--resume"),
        "{e}"
    );
    let after_term = chunks_done(&out);
    assert!(
        after_term > 0 && after_term < 64,
        "{after_term} chunks done"
    );
    assert!(
        !out.join("summary.csv").exists(),
        "no outputs from a stopped run"
    );
    // Resumed, then stopped again by SIGINT once more chunks are done.
    let mut args = SLOW.to_vec();
    args.push("--resume");
    let mut child = spawn(&out, &args);
    wait_for_chunks(&out, after_term, &mut child);
    signal(&child, libc::SIGINT);
    let second = child.wait_with_output().expect("waits");
    assert_eq!(second.status.code(), Some(130), "{}", stderr(&second));
    assert!(chunks_done(&out) > after_term);
    // Resumed to the end.
    let done = run(&out, &args);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(!work_of(&out).exists(), "the work folder is removed");
    // The same command without interruptions.
    let whole = root.path().join("whole");
    let o = run(&whole, &SLOW);
    assert!(o.status.success(), "{}", stderr(&o));
    let (a, b) = (files(&out), files(&whole));
    assert_eq!(names(&out), names(&whole));
    assert!(a.len() >= 5);
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs from the uninterrupted run's");
    }
}

#[test]
fn a_changed_run_refuses_to_resume() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let mut child = spawn(&out, &SLOW);
    wait_for_chunks(&out, 0, &mut child);
    signal(&child, libc::SIGTERM);
    assert_eq!(child.wait().expect("waits").code(), Some(143));
    let mut args = SLOW.to_vec();
    args.extend(["--seed", "99", "--resume"]);
    let o = run(&out, &args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("cannot resume") && e.contains("seed"), "{e}");
    assert!(e.contains(".out.promosim-work"), "{e}");
    assert!(
        work_of(&out).join("manifest.json").exists(),
        "the work is kept"
    );
}

#[test]
fn a_second_run_into_the_same_folder_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let mut first = spawn(&out, &SLOW);
    wait_for_chunks(&out, 0, &mut first);
    let o = run(&out, &["--trials", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("being written by another promosim run"), "{e}");
    assert!(e.contains(&format!("process {}", first.id())), "{e}");
    assert!(e.contains(&out.display().to_string()), "{e}");
    // A killed holder leaves no stale lock.
    first.kill().expect("kills");
    first.wait().expect("waits");
    let o = run(&out, &["--trials", "5", "--no-plots"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn files_of_an_earlier_run_are_gone_after_a_new_run() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let o = run(&out, &["--trials", "5", "--report"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("report.html").exists() && out.join("plot_fan.png").exists());
    let o = run(&out, &["--trials", "6", "--no-plots"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        names(&out),
        [
            "daily.csv",
            "scenario.resolved.toml",
            "summary.csv",
            "summary.json",
            "trials.csv"
        ]
    );
    // Nothing is left beside the folder: no lock, staging or work folder.
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn the_old_result_stays_whole_when_a_new_run_is_killed_before_the_swap() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let o = run(&out, &["--trials", "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = files(&out);
    let mut args = SLOW.to_vec();
    args.extend(["--seed", "5"]);
    let mut child = spawn(&out, &args);
    wait_for_chunks(&out, 0, &mut child);
    child.kill().expect("kills");
    child.wait().expect("waits");
    assert!(files(&out) == before, "the old result changed");
    // What the killed run saved resumes to the bytes of an uninterrupted run.
    args.push("--resume");
    let o = run(&out, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let whole = root.path().join("whole");
    let o = run(&whole, &args[..args.len() - 1]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(files(&out) == files(&whole), "the resumed result differs");
}

#[test]
fn a_folder_of_other_files_is_not_replaced() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("notes.txt"), "mine").unwrap();
    let o = run(root.path(), &["--trials", "5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("holds files promosim does not write (notes.txt)"),
        "{e}"
    );
    assert_eq!(names(root.path()), ["notes.txt"]);
}

/// The memory available is read from `/proc/meminfo`.
#[cfg(target_os = "linux")]
#[test]
fn a_run_that_cannot_fit_is_refused_with_its_estimate() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let args = ["--threads", "1024", "--set", "population.buyers=50000000"];
    let o = run(&out, &args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("needs about") && e.contains("GB of memory"),
        "{e}"
    );
    assert!(e.contains("--threads") && e.contains("--force"), "{e}");
    assert!(!out.exists(), "refused before the folder is made");
}
