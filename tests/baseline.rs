//! `promosim baseline`: a check against its own fresh record passes in both modes; a
//! deliberate 10% change in conversion fails the statistical check with the metric named; a
//! change far below the sampling error passes; false alarms over 100 unchanged checks stay
//! near the stated rate; changed scenarios, exact differences and bad input are reported.

use assert_cmd::Command;
use promosim::baseline::check::{CheckOptions, Mode, Status, compare};
use promosim::baseline::config::Settings;
use promosim::baseline::stats::{Sample, welch};
use promosim::baseline::{Baseline, Recipe, record};
use promosim::scenario::load_str;
use serde_json::Value;
use std::path::Path;

fn promosim() -> Command {
    Command::cargo_bin("promosim").expect("binary")
}

/// A small market with the review program: 2,000 buyers, 45 days, 5 bloggers. Twenty
/// metrics, several of them correlated (first buyers, orders, revenue, ROI) and some
/// constant (population, products sent, cost).
const SMALL: &str = "name = \"small\"\nhorizon_days = 45\ntrials = 200\nseed = 1\n\
[product]\nprice = 50.0\nunit_cost = 20.0\n[population]\nbuyers = 2000\n\
[population.bloggers]\ncount = 40\n[behaviour.organic]\nbass_p = 0.001\nbass_q = 0.05\n\
[mechanisms.blogger_reviews]\nbloggers = 5\n";

/// No campaign: the mean conversion follows the Bass recursion, so the `bass_p` that makes
/// it 10% higher can be computed.
const BASS: &str = "name = \"bass_small\"\nhorizon_days = 60\ntrials = 200\nseed = 5\n\
[product]\nprice = 99.0\nunit_cost = 40.0\n[population]\nbuyers = 4000\n\
[behaviour.organic]\nbass_p = 0.0005\nbass_q = 0.03\n";
const BASS_P: f64 = 0.0005;
const BASS_Q: f64 = 0.03;
const BASS_DAYS: u32 = 60;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Mean-field Bass adoption after `days`: F(t+1) = F(t) + (1 − F(t))(p + q F(t)).
fn bass_f(p: f64, q: f64, days: u32) -> f64 {
    let mut f = 0.0;
    for _ in 0..days {
        f += (1.0 - f) * (p + q * f);
    }
    f
}

/// The innovation rate whose Bass adoption after `days` is `factor` times the baseline's.
fn bass_p_for(factor: f64) -> f64 {
    let target = factor * bass_f(BASS_P, BASS_Q, BASS_DAYS);
    let (mut lo, mut hi) = (0.0, 0.1);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if bass_f(mid, BASS_Q, BASS_DAYS) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn record_cli(dir: &Path, scenario: &str) {
    promosim()
        .args(["baseline", "record", scenario, "--quiet", "--dir"])
        .arg(dir)
        .assert()
        .success();
}

/// `promosim baseline check SCENARIO --quiet --dir DIR ARGS…`, run to completion.
fn check_cli(scenario: &str, dir: &Path, args: &[&str]) -> std::process::Output {
    promosim()
        .args(["baseline", "check", scenario, "--quiet", "--dir"])
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

/// A path as a command-line argument.
fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The row of `metric` (candidate `base`) in a `--json` report's first scenario.
fn row<'a>(report: &'a Value, metric: &str) -> &'a Value {
    report["scenarios"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["candidate"] == "base" && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no row for {metric}"))
}

#[test]
fn fresh_record_passes_in_both_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = write(tmp.path(), "small.toml", SMALL);
    let dir = tmp.path().join("baselines");
    record_cli(&dir, &scen);
    let json = tmp.path().join("r.json");
    let junit = tmp.path().join("r.xml");
    for extra in [
        vec!["--mode", "exact"],
        vec!["--mode", "statistical"],
        // A different seed: independent runs of the unchanged model.
        vec!["--mode", "statistical", "--seed", "2"],
    ] {
        let mut args = extra.clone();
        args.extend(["--json", arg(&json), "--junit", arg(&junit)]);
        let out = check_cli(&scen, &dir, &args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{extra:?}\n{stdout}");
        assert!(stdout.contains("1 passed, 0 regressed"), "{stdout}");
        let report = read_json(&json);
        assert_eq!(report["status"], "pass");
        assert_eq!(report["exit_code"], 0);
        // 16 core metrics, 12 incremental ones, the reviews' 2 attributed counts and 9 KPIs.
        assert_eq!(report["scenarios"][0]["rows"].as_array().unwrap().len(), 39);
        let xml = std::fs::read_to_string(&junit).unwrap();
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert!(xml.contains("<testsuite name=\"small\" tests=\"40\" failures=\"0\""));
        assert!(!xml.contains("<failure"), "{xml}");
    }
    // Without scenario arguments, every baseline of the folder is checked.
    promosim()
        .current_dir(tmp.path())
        .args(["baseline", "check", "--quiet", "--dir", "baselines"])
        .assert()
        .success();
}

#[test]
fn recording_does_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = write(tmp.path(), "small.toml", SMALL);
    let mut files = Vec::new();
    for t in ["1", "3"] {
        let dir = tmp.path().join(format!("b{t}"));
        promosim()
            .args([
                "baseline",
                "record",
                &scen,
                "--quiet",
                "--trials",
                "40",
                "--threads",
                t,
            ])
            .arg("--dir")
            .arg(&dir)
            .assert()
            .success();
        files.push(std::fs::read(dir.join("small.json")).unwrap());
    }
    assert_eq!(files[0], files[1]);
}

/// Raising the Bass innovation rate so that the mean-field conversion is exactly 10% higher
/// fails the statistical check on `conversion_rate`, with the right shift.
///
/// The new run uses another seed, so the two runs are independent, as Welch's test
/// assumes. Tolerance of the measured shift: the difference of two independent means has
/// standard error SE = √(sd_b²/n_b + sd_n²/n_n) (about 1e-3 here, against a shift of
/// 7.7e-3); the check allows 4·SE plus 4e-4 for the finite-population bias of the Bass
/// mean (see tests/bass.rs) in each run.
#[test]
fn ten_percent_more_conversion_fails_the_statistical_check() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = write(tmp.path(), "bass_small.toml", BASS);
    let dir = tmp.path().join("baselines");
    record_cli(&dir, &scen);
    let p10 = bass_p_for(1.10);
    let set = format!("behaviour.organic.bass_p={p10}");
    let json = tmp.path().join("r.json");
    let junit = tmp.path().join("r.xml");
    let out = check_cli(
        &scen,
        &dir,
        &[
            "--mode",
            "statistical",
            "--seed",
            "6",
            "--set",
            &set,
            "--allow-changed-scenario",
            "--json",
            arg(&json),
            "--junit",
            arg(&junit),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("conversion_rate"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("REGRESSION"), "{line}");
    assert!(stdout.contains("regressed: ") && stdout.contains("conversion_rate"));

    let report = read_json(&json);
    assert_eq!(report["status"], "regression");
    let r = row(&report, "conversion_rate");
    assert_eq!(r["verdict"], "regression");
    let f = bass_f(BASS_P, BASS_Q, BASS_DAYS);
    let expected = 0.1 * f;
    let d = r["difference"].as_f64().unwrap();
    let (b, n) = (&r["baseline"], &r["now"]);
    let var = |s: &Value| s["sd"].as_f64().unwrap().powi(2) / s["n"].as_f64().unwrap();
    let se = (var(b) + var(n)).sqrt();
    eprintln!(
        "+10% conversion: expected shift {expected:.6} ({:.2}% of {f:.5}), measured {d:.6} \
         ({:+.2}%), interval {}, p = {}, SE {se:.6}",
        10.0,
        r["relative_difference"].as_f64().unwrap() * 100.0,
        r["interval"],
        r["p_value"]
    );
    assert!(
        (d - expected).abs() < 4.0 * se + 8e-4,
        "shift {d} vs {expected} (SE {se})"
    );
    let [lo, hi] = [
        r["interval"][0].as_f64().unwrap(),
        r["interval"][1].as_f64().unwrap(),
    ];
    assert!(lo > 0.0 && lo < expected && expected < hi, "[{lo}, {hi}]");
    // The change shows in the scenario too, as a note.
    let s = &report["scenarios"][0];
    assert_eq!(s["changed_keys"][0]["key"], "behaviour.organic.bass_p");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("name=\"conversion_rate\">\n      <failure type=\"regression\""),
        "{xml}"
    );

    // Without --allow-changed-scenario the changed scenario is the headline, with the key.
    let out = check_cli(
        &scen,
        &dir,
        &[
            "--mode",
            "statistical",
            "--seed",
            "6",
            "--set",
            &set,
            "--json",
            arg(&json),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("SCENARIO CHANGED"), "{stdout}");
    assert!(
        stdout.contains(&format!("behaviour.organic.bass_p: 0.0005 → {p10}")),
        "{stdout}"
    );
    assert_eq!(read_json(&json)["status"], "scenario_changed");
}

/// A 0.1% shift in mean conversion, a small fraction of the sampling error of the
/// difference, passes the statistical check with an independent seed.
#[test]
fn change_far_below_sampling_error_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = write(tmp.path(), "bass_small.toml", BASS);
    let dir = tmp.path().join("baselines");
    record_cli(&dir, &scen);
    let base = read_json(&dir.join("bass_small.json"));
    let conv = base["candidates"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "conversion_rate")
        .unwrap();
    let (sd, n) = (conv["sd"].as_f64().unwrap(), conv["n"].as_f64().unwrap());
    let se_diff = sd * (2.0 / n).sqrt();
    let shift = 0.001 * bass_f(BASS_P, BASS_Q, BASS_DAYS);
    assert!(
        shift < 0.25 * se_diff,
        "the shift {shift} should be far below the SE {se_diff}"
    );
    let json = tmp.path().join("r.json");
    let set = format!("behaviour.organic.bass_p={}", bass_p_for(1.001));
    let out = check_cli(
        &scen,
        &dir,
        &[
            "--mode",
            "statistical",
            "--seed",
            "6",
            "--set",
            &set,
            "--allow-changed-scenario",
            "--json",
            arg(&json),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let report = read_json(&json);
    assert_eq!(report["status"], "pass");
    assert_eq!(row(&report, "conversion_rate")["verdict"], "holds");

    // Exact mode sees every changed number and names the metrics.
    let out = check_cli(
        &scen,
        &dir,
        &[
            "--mode",
            "exact",
            "--set",
            &set,
            "--allow-changed-scenario",
            "--failures-only",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("conversion_rate"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.contains("DIFFERS") && line.contains("per-trial values"),
        "{line}"
    );
    assert!(
        !stdout.lines().any(|l| l.starts_with("population ")),
        "population is unchanged and must not be listed: {stdout}"
    );
}

fn recipe(seed: u64) -> Recipe {
    Recipe {
        file: "small.toml".into(),
        scenario: load_str(SMALL, "small.toml", &[]).unwrap(),
        overrides: vec![],
        trials: 200,
        seed,
    }
}

fn sample(b: &Baseline, metric: &str) -> Sample {
    let m = b.candidates[0]
        .metrics
        .iter()
        .find(|m| m.metric == metric)
        .unwrap();
    Sample {
        n: m.n,
        mean: m.mean.unwrap(),
        sd: m.sd.unwrap(),
    }
}

/// 100 statistical checks of the unchanged model, each between two runs with their own
/// seeds (seeds 1000 + 2k and 1001 + 2k, so the 100 checks are independent).
///
/// Bounds, from binomial quantiles (the seeds are fixed, so the counts are deterministic;
/// the bounds say how unlikely a correct implementation is to miss them):
/// - family-wise, stated α = 0.05 per scenario: Bonferroni makes the true rate at most
///   0.05, so the count is at most Bin(100, 0.05); P(X ≥ 12) = 0.004, assert ≤ 11;
/// - family-wise, default α = 0.01: P(Bin(100, 0.01) ≥ 5) = 0.003, assert ≤ 4;
/// - one metric alone (conversion_rate, Welch at 0.05, no correction): the count should
///   be Bin(100, 0.05) if Welch is calibrated; P(X = 0) = 0.006 and P(X ≥ 12) = 0.004,
///   assert 1 ≤ count ≤ 11. This checks the test is not conservative by mistake.
#[test]
fn false_alarms_stay_near_the_stated_rate() {
    let started = std::time::Instant::now();
    let opts = |alpha: f64| CheckOptions {
        mode: Mode::Statistical,
        settings: Settings {
            alpha,
            ..Settings::default()
        },
        allow_changed_scenario: false,
    };
    let (mut fw05, mut fw01, mut single) = (0, 0, 0);
    let mut tested = 0;
    let mut flagged = Vec::new();
    for k in 0..100u64 {
        let a = record(&recipe(1000 + 2 * k), None).unwrap();
        let b = record(&recipe(1001 + 2 * k), None).unwrap();
        let r05 = compare(&a, &b, &opts(0.05));
        let r01 = compare(&a, &b, &opts(0.01));
        assert_ne!(r05.status, Status::ScenarioChanged);
        tested = r05.tests;
        if r05.status != Status::Pass {
            fw05 += 1;
            flagged.extend(r05.failures().map(|r| r.metric.clone()));
        }
        fw01 += usize::from(r01.status != Status::Pass);
        let w = welch(sample(&a, "conversion_rate"), sample(&b, "conversion_rate")).unwrap();
        single += usize::from(w.p < 0.05);
    }
    eprintln!(
        "false alarms in 100 checks ({tested} tested metrics each): {fw05} at α = 0.05 \
         (flagged: {flagged:?}), {fw01} at α = 0.01; conversion_rate alone at 0.05: {single}; \
         {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(tested >= 10, "too few metrics tested: {tested}");
    assert!(fw05 <= 11, "{fw05} false alarms at α = 0.05");
    assert!(fw01 <= 4, "{fw01} false alarms at α = 0.01");
    assert!(
        (1..=11).contains(&single),
        "{single} single-metric alarms at 0.05"
    );
}

#[test]
fn edited_scenarios_are_reported_as_changed_and_update_re_records() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = write(tmp.path(), "small.toml", SMALL);
    let dir = tmp.path().join("baselines");
    record_cli(&dir, &scen);
    write(
        tmp.path(),
        "small.toml",
        &SMALL.replace("price = 50.0", "price = 55.0"),
    );
    let junit = tmp.path().join("r.xml");
    let out = check_cli(&scen, &dir, &["--junit", arg(&junit)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("scenario changed since baseline"),
        "{stdout}"
    );
    assert!(stdout.contains("product.price: 50.0 → 55.0"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("name=\"scenario fingerprint\">\n      <failure type=\"scenario_changed\""),
        "{xml}"
    );

    // `update` re-records deliberately (every baseline in the folder), then the check passes.
    let out = promosim()
        .current_dir(tmp.path())
        .args(["baseline", "update", "--quiet", "--dir", "baselines"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("scenario changed (1 keys)"), "{stdout}");
    let out = check_cli(&scen, &dir, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A second update changes nothing, byte for byte.
    let before = std::fs::read(dir.join("small.json")).unwrap();
    let out = promosim()
        .args(["baseline", "update", &scen, "--quiet", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(": unchanged"));
    assert_eq!(before, std::fs::read(dir.join("small.json")).unwrap());
}

#[test]
fn bad_input_exits_2_and_names_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = write(tmp.path(), "small.toml", SMALL);
    let dir = tmp.path().join("baselines");
    let check = |args: &[&str]| {
        let out = check_cli(&scen, &dir, args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // No baseline yet.
    let (code, err) = check(&[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("small.json") && err.contains("baseline record"),
        "{err}"
    );

    record_cli(&dir, &scen);
    // Recording over an existing baseline is refused.
    let out = promosim()
        .args(["baseline", "record", &scen, "--quiet", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("baseline update"));

    // Exact mode cannot change the seed.
    let (code, err) = check(&["--seed", "3"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--mode statistical"), "{err}");

    // Unknown metric in the settings file, with the allowed names.
    let cfg = write(
        tmp.path(),
        "cfg.toml",
        "alpha = 0.05\n[min_effect]\nconversion_rat = \"2%\"\n",
    );
    let (code, err) = check(&["--mode", "statistical", "--config", &cfg]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cfg.toml")
            && err.contains("conversion_rat")
            && err.contains("`conversion_rate`"),
        "{err}"
    );
    // A bad minimum effect on the command line.
    let (code, err) = check(&["--mode", "statistical", "--min-effect", "revenue=lots"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("revenue=lots"), "{err}");

    // A malformed baseline names the file and the key.
    let path = dir.join("small.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"n\": 200", "\"n\": \"many\"", 1)).unwrap();
    let (code, err) = check(&[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("small.json") && err.contains("candidates[0].metrics[0].n"),
        "{err}"
    );
}

/// A scenario with candidates is recorded per candidate; a change to one candidate's
/// override shows in that candidate's rows only (the base's rows stay byte-identical).
#[test]
fn candidates_are_recorded_and_checked_one_by_one() {
    let tmp = tempfile::tempdir().unwrap();
    let with = |p: f64| {
        format!(
            "{BASS}[[candidate]]\nname = \"loud\"\nset = {{ \"behaviour.organic.bass_p\" = {p} }}\n"
        )
    };
    let scen = write(tmp.path(), "cands.toml", &with(0.001));
    let dir = tmp.path().join("baselines");
    record_cli(&dir, &scen);
    let stored = read_json(&dir.join("cands.json")).to_string();
    assert!(stored.contains("\"loud\""), "{stored}");
    let out = check_cli(&scen, &dir, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Edit the candidate's override: reported as a changed scenario, then as a regression
    // of candidate "loud" alone when the changed scenario is allowed.
    write(tmp.path(), "cands.toml", &with(0.002));
    let json = tmp.path().join("r.json");
    let out = check_cli(
        &scen,
        &dir,
        &["--allow-changed-scenario", "--json", arg(&json)],
    );
    assert_eq!(out.status.code(), Some(1));
    let report = read_json(&json);
    let rows = report["scenarios"][0]["rows"].as_array().unwrap();
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r["failed"] == true)
        .map(|r| r["candidate"].as_str().unwrap())
        .collect();
    assert!(!failed.is_empty(), "{report}");
    assert!(failed.iter().all(|c| *c == "loud"), "{failed:?}");
}
