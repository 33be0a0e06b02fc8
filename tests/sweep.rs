//! `promosim sweep` and `promosim sensitivity` end to end, on shipped scenarios kept small
//! (a few hundred trials in all): an ignored parameter ranks at zero, outputs do not
//! depend on the thread count, a design file gives a response curve, bad input exits
//! with 2, and an interrupted sweep resumes into the bytes of an uninterrupted one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_promosim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn shipped(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn promosim(args: &[&str]) -> Output {
    bin().args(args).output().expect("promosim runs")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The rows of a CSV file as maps from header to cell.
fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &std::collections::HashMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap_or(f64::NAN)
}

/// Red packets in chat groups with the blogger review program switched off
/// (`enabled = false`): its number of bloggers provably changes nothing, while the number
/// of packets changes who claims and buys.
const IGNORED: &str = "mechanisms.blogger_reviews.bloggers";
const MATTERS: &str = "mechanisms.red_packets.packets";

fn sensitivity(method: &str, samples: &str, out: &Path, threads: &str) -> Output {
    promosim(&[
        "sensitivity",
        &shipped("red_packets_plain.toml"),
        "--set",
        "mechanisms.blogger_reviews.enabled=false",
        "--param",
        &format!("{MATTERS}=5..30"),
        "--param",
        &format!("{IGNORED}=5..40"),
        "--method",
        method,
        "--samples",
        samples,
        "--trials",
        "4",
        "--resamples",
        "200",
        "--threads",
        threads,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn a_parameter_of_a_switched_off_mechanism_ranks_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sobol");
    let o = sensitivity("sobol", "8", &out, "2");
    ok(&o);
    let rows = csv_rows(&out.join("sensitivity.csv"));
    for metric in ["inc_first_buyers", "first_buyers", "conversion_rate"] {
        let of = |p: &str| {
            rows.iter()
                .find(|r| r["metric"] == metric && r["param"] == p)
                .unwrap_or_else(|| panic!("{metric} {p} in sensitivity.csv"))
        };
        let (ignored, matters) = (of(IGNORED), of(MATTERS));
        // Common random numbers: every trial of AB_bloggers equals the trial of A, so the
        // estimators' numerators are exactly 0, in every bootstrap resample too.
        for k in ["s1", "st"] {
            let (lo, hi) = (
                num(ignored, &format!("{k}_low")),
                num(ignored, &format!("{k}_high")),
            );
            assert!(lo <= 0.0 && 0.0 <= hi, "{metric} {k} [{lo}, {hi}]");
        }
        assert!(num(ignored, "st").abs() < 0.01, "{metric}: {ignored:?}");
        assert_eq!(ignored["rank"], "2");
        assert_eq!(matters["rank"], "1");
        // The only parameter that moves the output carries all of its variance: ST is 1
        // up to the estimator's error at N = 8 (about 0.2 here); its interval stays
        // clear of 0.
        assert!(num(matters, "st_low") > 0.0, "{metric}: {matters:?}");
        assert!(num(matters, "noise_share").is_finite());
    }
    assert!(out.join("design.csv").is_file() && out.join("plot_sensitivity.png").is_file());

    let morris = dir.path().join("morris");
    ok(&sensitivity("morris", "6", &morris, "2"));
    let rows = csv_rows(&morris.join("morris.csv"));
    let of = |p: &str| {
        rows.iter()
            .find(|r| r["metric"] == "inc_first_buyers" && r["param"] == p)
            .unwrap()
    };
    assert_eq!(
        (
            num(of(IGNORED), "mu_star"),
            num(of(IGNORED), "mu_star_high")
        ),
        (0.0, 0.0)
    );
    assert!(num(of(MATTERS), "mu_star") > 0.0);
}

/// Every file of two output folders, byte for byte.
fn same_files(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v.into_iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(a), names(b));
    for n in names(a) {
        assert!(
            std::fs::read(a.join(&n)).unwrap() == std::fs::read(b.join(&n)).unwrap(),
            "{n:?} differs"
        );
    }
}

fn grid_sweep(out: &Path, threads: &str) -> Output {
    promosim(&[
        "sweep",
        &shipped("red_packets_plain.toml"),
        "--param",
        "mechanisms.red_packets.packets=5..25:3",
        "--param",
        "behaviour.organic.bass_p=0.0005..0.002:log",
        "--points",
        "2",
        "--trials",
        "5",
        "--threads",
        threads,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    ok(&grid_sweep(&one, "1"));
    ok(&grid_sweep(&two, "2"));
    same_files(&one, &two);
    // 3 × 2 grid points × 5 trials, then one summary row per point and metric.
    let trials = csv_rows(&one.join("sweep.csv"));
    assert_eq!(trials.len(), 30);
    assert_eq!(trials[0]["mechanisms.red_packets.packets"], "5");
    assert_eq!(trials[29]["behaviour.organic.bass_p"], "0.002");
    let summary = csv_rows(&one.join("sweep_summary.csv"));
    assert!(
        summary
            .iter()
            .any(|r| r["metric"] == "inc_first_buyers" && r["point"] == "5")
    );
    assert!(one.join("plot_heatmap.png").is_file() && !one.join("response.csv").exists());

    let (s1, s2) = (dir.path().join("s1"), dir.path().join("s2"));
    ok(&sensitivity("sobol", "4", &s1, "1"));
    ok(&sensitivity("sobol", "4", &s2, "2"));
    same_files(&s1, &s2);
}

#[test]
fn a_design_file_gives_a_budget_response_curve() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("budget.csv");
    // Red-packet budget per drop and group, in packets of 2 CNY.
    std::fs::write(
        &file,
        "point,mechanisms.red_packets.total,mechanisms.red_packets.packets\n0,10,5\n1,30,15\n2,50,25\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = promosim(&[
        "sweep",
        &shipped("red_packets_plain.toml"),
        "--design-file",
        file.to_str().unwrap(),
        "--trials",
        "30",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    ok(&o);
    let curve = csv_rows(&out.join("response.csv"));
    assert_eq!(curve.len(), 3);
    assert_eq!(curve[0]["buyers"], "inc_first_buyers");
    assert_eq!(curve[2]["mechanisms.red_packets.packets"], "25");
    assert_eq!(curve[0]["marginal_cost_per_buyer"], "");
    // More packets reach more claimers: the cost grows with the budget and the marginal
    // cost of the buyers it adds is a positive amount.
    assert!(num(&curve[2], "cost_mean") > num(&curve[0], "cost_mean"));
    assert!(num(&curve[2], "buyers_mean") > num(&curve[0], "buyers_mean"));
    assert!(num(&curve[1], "marginal_cost_per_buyer") > 0.0);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("marginal CNY per buyer"), "{stdout}");
}

#[test]
fn bad_input_exits_with_2_and_names_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let rp = shipped("red_packets_plain.toml");
    for (args, says) in [
        (
            vec!["sweep", &rp, "--param", "mechanisms.red_packets.total"],
            "--param",
        ),
        (
            vec![
                "sweep",
                &rp,
                "--param",
                "mechanisms.red_packets.total=60..10",
            ],
            "empty",
        ),
        (
            vec![
                "sweep",
                &rp,
                "--param",
                "mechanisms.red_packets.nonsense=1..2",
            ],
            "mechanisms.red_packets.nonsense",
        ),
        (
            vec![
                "sweep",
                &rp,
                "--param",
                "mechanisms.red_packets.packets=1..900",
            ],
            "packets",
        ),
        (
            vec!["sweep", &rp, "--design-file", "/nonexistent.csv"],
            "--design-file",
        ),
        (
            vec![
                "sweep",
                &rp,
                "--param",
                "mechanisms.red_packets.total=10..60",
                "--points",
                "0",
            ],
            "--design grid",
        ),
        (
            vec![
                "sensitivity",
                &rp,
                "--param",
                "mechanisms.red_packets.total=10..60",
                "--samples",
                "1",
            ],
            "--samples",
        ),
        (vec!["sensitivity", &rp], "--param"),
    ] {
        let mut all = args.clone();
        all.extend(["--trials", "2", "--quiet", "--out", out]);
        let o = promosim(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn an_interrupted_sweep_resumes_into_the_same_outputs() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &Path| -> Vec<String> {
        [
            "sweep",
            &shipped("bass.toml"),
            "--param",
            "behaviour.organic.bass_p=0.0001..0.01:log",
            "--points",
            "30",
            "--trials",
            "100",
            "--set",
            "population.buyers=2000",
            "--threads",
            "1",
            "--no-plots",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let whole = dir.path().join("whole");
    ok(&bin().args(args(&whole)).output().unwrap());

    let cut = dir.path().join("cut");
    let mut child = bin()
        .args(args(&cut))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (with a generous bound, never a timing assertion) until some points are saved.
    let manifest = dir.path().join(".cut.promosim-work/manifest.json");
    let started = Instant::now();
    loop {
        let done = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map_or(0, |m| {
                m["done"].as_array().map_or(0, |d| {
                    d.iter()
                        .filter(|c| c.as_array().is_some_and(|a| !a.is_empty()))
                        .count()
                })
            });
        if done >= 2 || child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no point saved"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill sends a signal to the child this test started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let first = child.wait_with_output().unwrap();
    if first.status.code() == Some(143) {
        let err = String::from_utf8_lossy(&first.stderr);
        assert!(err.contains("running the same command again"), "{err}");
        assert!(!cut.join("sweep.csv").exists());
        let again = bin().args(args(&cut)).output().unwrap();
        ok(&again);
    } else {
        // The sweep finished before the signal arrived: nothing to resume.
        ok(&first);
    }
    same_files(&whole, &cut);
}
