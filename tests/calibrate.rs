//! Calibration to a researcher's own observations: parameter recovery from synthetic
//! observations, a parameter the targets do not inform, determinism across thread counts
//! and the outputs of `promosim calibrate --method`.
//!
//! The synthetic observations are made by promosim itself at known parameter values, on a
//! seed the calibration never uses (so the observation carries its own noise), as the mean
//! of a few campaigns with the standard error of that mean: what a researcher with a few
//! observed campaigns would write into a targets file.

use promosim::calibration::{Evaluator, load_targets};
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_promosim"))
}

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A small version of the group-levers scenario: six weeks, eight groups.
const SMALL: &str = r#""horizon_days=42", "population.groups.count=8", "population.buyers=2000""#;

/// The parameters and their true values: one of each of three mechanisms.
const TRUTH: [(&str, f64); 3] = [
    ("mechanisms.red_packets.announcement_click", 0.04),
    ("mechanisms.share_draw.participation_base", 0.8),
    ("mechanisms.targeted_push.open_base", 0.5),
];

/// The metric each parameter moves.
const METRICS: [&str; 3] = ["rp_link_clicks", "sd_participation", "tp_open_rate"];

/// A targets file whose observations are the mean of `campaigns` trials at the true
/// values on seed `obs_seed`, with their standard errors, and the priors: the three
/// parameters plus `mechanisms.qa.case_strength`, which no target's scenario has.
fn synthetic_targets(dir: &Path, obs_seed: u64, campaigns: u32) -> PathBuf {
    let mut truth_set: Vec<String> = TRUTH.iter().map(|(k, v)| format!("\"{k}={v}\"")).collect();
    truth_set.push(format!("\"seed={obs_seed}\""));
    let mut observe = String::new();
    let mut text = format!(
        "scenarios = {:?}\n\n[params]\n\"{}\" = \"loguniform(0.01, 0.1)\"\n\"{}\" = \"uniform(0, 2)\"\n\"{}\" = \"uniform(-0.5, 1.5)\"\n\"mechanisms.qa.case_strength\" = \"uniform(0, 4)\"\n",
        scenarios().display().to_string(),
        TRUTH[0].0,
        TRUTH[1].0,
        TRUTH[2].0
    );
    for m in METRICS {
        let entry = |target: &str, set: &str| {
            format!(
                "\n[[target]]\nid = \"{m}\"\nfigure = \"observed {m}\"\npopulation = \"members\"\nstatistic = \"mean\"\nmetric = \"{m}\"\ntarget = {target}\narm = {{ scenario = \"group_levers.toml\", set = [{SMALL}{set}] }}\n"
            )
        };
        observe.push_str(&entry(
            "{ min = -1e12 }",
            &format!(", {}", truth_set.join(", ")),
        ));
        text.push_str(&entry("@TARGET@", ""));
    }
    let obs_path = dir.join("observe.toml");
    std::fs::write(
        &obs_path,
        format!(
            "scenarios = {:?}\n{observe}",
            scenarios().display().to_string()
        ),
    )
    .expect("write");
    let obs = load_targets(&obs_path).expect("observation file loads");
    let results = Evaluator::new(&scenarios(), campaigns, &[])
        .all(&obs.asserted)
        .expect("observations simulate");
    for r in &results {
        text = text.replacen(
            "@TARGET@",
            &format!("{{ value = {}, se = {} }}", r.value, r.se()),
            1,
        );
    }
    let path = dir.join("targets.toml");
    std::fs::write(&path, text).expect("write");
    path
}

/// `posterior.csv` as (parameter, [mean, median, q05, q25, q75, q95, width ratio]).
fn posterior(out: &Path) -> Vec<(String, Vec<f64>)> {
    let mut r = csv::Reader::from_path(out.join("posterior.csv")).expect("posterior.csv");
    r.records()
        .map(|rec| {
            let rec = rec.expect("a row");
            let nums = (2..9).map(|i| rec[i].parse().expect("number")).collect();
            (rec[0].to_string(), nums)
        })
        .collect()
}

fn calibrate(targets: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let o = bin()
        .args(["calibrate", "--targets"])
        .arg(targets)
        .args(["--method", "abc", "--predictive", "10", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

/// Recovery: every true value inside its 90% credible interval, and the parameter no
/// target's scenario has keeps a posterior as wide as its prior. With 40 particles (ESS
/// about 30) the 5% and 95% sample quantiles of a flat posterior each have a standard
/// error of about √(0.05·0.95/30) ≈ 0.04 of the range, so its width ratio is 1 ± 0.06;
/// 0.75 is four standard errors below.
#[test]
fn calibration_recovers_known_parameters_and_leaves_an_uninformed_one_at_its_prior() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = synthetic_targets(dir.path(), 9001, 5);
    let out = dir.path().join("out");
    let o = calibrate(&targets, &out, &["--particles", "40", "--trials", "10"]);
    let post = posterior(&out);
    for (key, truth) in TRUTH {
        let (_, v) = post
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("{key} in posterior.csv"));
        assert!(
            v[2] <= truth && truth <= v[5],
            "{key}: true {truth} outside the 90% interval [{}, {}]\n{}",
            v[2],
            v[5],
            String::from_utf8_lossy(&o.stdout)
        );
    }
    let (_, ignored) = post
        .iter()
        .find(|(k, _)| k == "mechanisms.qa.case_strength")
        .expect("ignored parameter");
    assert!(ignored[6] > 0.75, "width ratio {}", ignored[6]);
    for f in [
        "particles.csv",
        "generations.csv",
        "posterior.csv",
        "correlation.csv",
        "predictive.csv",
        "cost.csv",
        "targets.csv",
        "posterior_pairs.png",
        "epsilon.png",
        "predictive.png",
        "calibrated_group_levers.toml",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // The calibrated scenario runs.
    let run = bin()
        .args(["run"])
        .arg(out.join("calibrated_group_levers.toml"))
        .args(["--trials", "4", "--quiet", "--out"])
        .arg(dir.path().join("run"))
        .output()
        .expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Same seed, any thread count: byte-identical outputs (timings aside).
#[test]
fn calibration_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = synthetic_targets(dir.path(), 9002, 6);
    let small = [
        "--particles",
        "20",
        "--trials",
        "8",
        "--generations",
        "3",
        "--history-waves",
        "1",
        "--history-points",
        "16",
    ];
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        let mut args = small.to_vec();
        args.extend(["--threads", threads]);
        calibrate(&targets, &out, &args);
        files.push(
            [
                "particles.csv",
                "posterior.csv",
                "predictive.csv",
                "targets.csv",
                "waves.csv",
            ]
            .map(|f| std::fs::read(out.join(f)).expect("read")),
        );
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn a_prior_the_scenario_refuses_is_bad_input_naming_the_parameter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = synthetic_targets(dir.path(), 9003, 4);
    let o = bin()
        .args(["calibrate", "--targets"])
        .arg(&targets)
        .args([
            "--method",
            "abc",
            "--param",
            "mechanisms.share_draw.participation_engagement=uniform(-5, 2)",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("mechanisms.share_draw.participation_engagement"),
        "{e}"
    );
}

/// Coverage of the 90% credible intervals across synthetic data sets: observations from
/// seeds 9101..=9105, each calibrated as in the recovery test. Prints how many seeds put
/// each true value inside its interval; asserts the majority (a 90% interval misses about
/// one seed in ten). Long: `cargo test --release --test calibrate -- --ignored --nocapture`.
#[test]
#[ignore]
fn recovery_coverage_across_observation_seeds() {
    let seeds: Vec<u64> = (9101..=9105).collect();
    let mut inside = [0usize; 3];
    for &seed in &seeds {
        let dir = tempfile::tempdir().expect("tempdir");
        let targets = synthetic_targets(dir.path(), seed, 5);
        let out = dir.path().join("out");
        calibrate(&targets, &out, &["--particles", "60", "--trials", "10"]);
        let post = posterior(&out);
        for (i, (key, truth)) in TRUTH.iter().enumerate() {
            let (_, v) = post.iter().find(|(k, _)| k == key).expect("parameter");
            let hit = v[2] <= *truth && *truth <= v[5];
            inside[i] += usize::from(hit);
            println!(
                "seed {seed} {key}: true {truth}, median {:.4}, 90% [{:.4}, {:.4}] {}",
                v[1],
                v[2],
                v[5],
                if hit { "inside" } else { "outside" }
            );
        }
    }
    for (i, (key, _)) in TRUTH.iter().enumerate() {
        println!(
            "{key}: {} of {} seeds inside the 90% interval",
            inside[i],
            seeds.len()
        );
        assert!(inside[i] * 2 > seeds.len(), "{key}");
    }
}

/// ABC-SMC cut into rounds of 3 shards (`--shard I/3`, all writing into one output folder)
/// and merged after each round (`promosim merge OUT`: exit 3 while another round is
/// needed) ends with the single process's outputs, timings aside.
#[test]
fn a_calibration_in_rounds_of_shards_gives_the_single_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = synthetic_targets(dir.path(), 9003, 6);
    let small = ["--particles", "16", "--trials", "6", "--generations", "3"];
    let single = dir.path().join("single");
    calibrate(&targets, &single, &small);
    let shared = dir.path().join("shared");
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 40, "no end after 40 rounds");
        for i in 0..3 {
            let shard = format!("{i}/3");
            let mut args = small.to_vec();
            args.extend(["--shard", &shard]);
            calibrate(&targets, &shared, &args);
        }
        let o = bin()
            .arg("merge")
            .arg(&shared)
            .arg("--quiet")
            .output()
            .expect("runs");
        match o.status.code() {
            Some(0) => break,
            Some(3) => continue,
            _ => panic!("merge: {}", String::from_utf8_lossy(&o.stderr)),
        }
    }
    assert!(rounds > 3, "one round per batch at least: {rounds}");
    for f in [
        "particles.csv",
        "posterior.csv",
        "correlation.csv",
        "predictive.csv",
        "targets.csv",
    ] {
        assert!(
            std::fs::read(single.join(f)).expect("read")
                == std::fs::read(shared.join(f)).expect("read"),
            "{f} differs"
        );
    }
    // generations.csv: every column but the wall time (the eighth).
    let strip = |p: &Path| -> Vec<String> {
        std::fs::read_to_string(p.join("generations.csv"))
            .expect("read")
            .lines()
            .map(|l| {
                let mut cells: Vec<&str> = l.split(',').collect();
                cells.remove(7);
                cells.join(",")
            })
            .collect()
    };
    assert_eq!(strip(&single), strip(&shared));
}
