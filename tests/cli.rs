//! The real binary: outputs, determinism across thread counts, bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn promosim() -> Command {
    Command::cargo_bin("promosim").expect("binary")
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const REQUIRED_COLUMNS: &str = "candidate,trial,population,first_buyers,conversion_rate,member_conversion,outsider_conversion,repeat_buyers,repurchase_rate,repurchase3_rate,orders_per_buyer,days_to_second,orders,revenue,cost,cost_per_buyer,total_roi";

#[test]
fn quickstart_prints_the_table_and_writes_the_files() {
    let out = tempfile::tempdir().unwrap();
    promosim()
        .args([
            "run",
            &scenario("quickstart.toml"),
            "--trials",
            "20",
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(
            predicate::str::contains("conversion_rate")
                .and(predicate::str::contains("95% CI of mean")),
        );
    for f in [
        "trials.csv",
        "summary.csv",
        "summary.json",
        "daily.csv",
        "scenario.resolved.toml",
    ] {
        assert!(out.path().join(f).is_file(), "{f} missing");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
    let trials = std::fs::read_to_string(out.path().join("trials.csv")).unwrap();
    assert!(
        trials.starts_with(REQUIRED_COLUMNS),
        "{}",
        trials.lines().next().unwrap()
    );
    assert_eq!(trials.lines().count(), 21);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(json["run"]["seed"], 42);
    assert_eq!(json["run"]["trials"], 20);
    let metrics = json["candidates"][0]["metrics"].as_array().unwrap();
    assert!(
        metrics
            .iter()
            .any(|m| m["metric"] == "cost_per_buyer" && m["ci95_low"].is_number())
    );
}

#[test]
fn outputs_are_byte_identical_for_any_thread_count() {
    for (file, trials) in [
        ("quickstart.toml", "40"),
        ("red_packets_designed.toml", "6"),
        ("qa_hours.toml", "6"),
        ("bench_grouped_bass.toml", "60"),
        ("bench_grouped_bass_hetero.toml", "60"),
        // Every mechanism at once.
        ("full_campaign.toml", "3"),
    ] {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        for (dir, threads) in [(&one, "1"), (&two, "2")] {
            promosim()
                .args([
                    "run",
                    &scenario(file),
                    "--trials",
                    trials,
                    "--quiet",
                    "--threads",
                    threads,
                    "--out",
                ])
                .arg(dir.path())
                .assert()
                .success();
        }
        for f in ["trials.csv", "summary.csv", "summary.json", "daily.csv"] {
            let a = std::fs::read(one.path().join(f)).unwrap();
            let b = std::fs::read(two.path().join(f)).unwrap();
            assert!(a == b, "{file}: {f} differs between 1 and 2 threads");
        }
    }
}

#[test]
fn a_different_seed_gives_different_results() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for (dir, seed) in [(&a, "1"), (&b, "2")] {
        promosim()
            .args([
                "run",
                &scenario("quickstart.toml"),
                "--trials",
                "5",
                "-q",
                "--seed",
                seed,
                "--out",
            ])
            .arg(dir.path())
            .assert()
            .success();
    }
    assert_ne!(
        std::fs::read(a.path().join("trials.csv")).unwrap(),
        std::fs::read(b.path().join("trials.csv")).unwrap()
    );
}

const GOOD: &str =
    "name = \"t\"\n[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 500\n";

fn rejects(text: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "bad.toml", text);
    for cmd in ["validate", "run"] {
        let mut c = promosim();
        c.args([cmd, &f]);
        if cmd == "run" {
            c.args(["--trials", "2", "--out"])
                .arg(dir.path().join("out"));
        }
        let a = c.assert().code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains("bad.toml"), "{cmd}: file not named: {err}");
        for n in needles {
            assert!(err.contains(n), "{cmd}: expected {n:?} in: {err}");
        }
    }
    assert!(
        !dir.path().join("out").exists(),
        "nothing written for a bad scenario"
    );
}

#[test]
fn unknown_key_is_rejected_with_its_name_and_line() {
    rejects(
        &GOOD.replace("buyers = 500", "buyers = 500\nbuyerz = 1"),
        &["buyerz", "bad.toml:7"],
    );
}

#[test]
fn out_of_range_probability_is_rejected() {
    rejects(
        &GOOD.replace("unit_cost = 4.0", "unit_cost = 4.0\ndefect_rate = 1.5"),
        &["product.defect_rate", "1.5", "[0, 1]", "bad.toml:5"],
    );
}

#[test]
fn excluded_category_is_rejected() {
    rejects(
        &format!(
            "{}[mechanisms.blogger_reviews]\nbloggers = 5\n",
            GOOD.replace(
                "unit_cost = 4.0",
                "unit_cost = 4.0\ncategory = \"feminine_hygiene\""
            )
        ),
        &["product.category", "excluded"],
    );
}

#[test]
fn malformed_toml_is_rejected() {
    rejects(
        "name = \"t\"\n[product\nprice = 1\n",
        &["malformed TOML", "bad.toml:2"],
    );
}

#[test]
fn wrong_type_is_rejected_with_key() {
    rejects(
        &GOOD.replace("buyers = 500", "buyers = \"many\""),
        &["population.buyers"],
    );
}

#[test]
fn unknown_override_is_rejected() {
    promosim()
        .args([
            "run",
            &scenario("quickstart.toml"),
            "--trials",
            "2",
            "-q",
            "--set",
            "product.pricee=3",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pricee"));
}

#[test]
fn command_line_options_are_validated_with_the_scenario() {
    // `--trials` and `--set` are layered onto the file before one validation: both
    // problems are reported together, each marked as an override, and a problem in the
    // file itself keeps its line.
    let out = promosim()
        .args([
            "run",
            &scenario("quickstart.toml"),
            "--trials",
            "0",
            "-q",
            "--set",
            "horizon_days=0",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("`trials`: 0 is out of range") && err.contains("(set by an override)"),
        "{err}"
    );
    assert!(err.contains("`horizon_days`: 0 is out of range"), "{err}");
    assert!(err.contains("quickstart.toml:30:"), "{err}");
}

#[test]
fn every_shipped_scenario_validates() {
    let mut files: Vec<String> =
        std::fs::read_dir(format!("{}/scenarios", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path().display().to_string())
            .filter(|p| p.ends_with(".toml"))
            .collect();
    files.sort();
    assert!(files.len() >= 3);
    promosim().arg("validate").args(&files).assert().success();
}

#[test]
fn show_prints_a_resolved_scenario_that_loads_back() {
    let a = promosim()
        .args(["show", &scenario("quickstart.toml")])
        .assert()
        .success();
    let text = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("bass_p") && text.contains("review_deadline_days = 20"),
        "{text}"
    );
    let back = promosim::scenario::load_str(&text, "shown", &[]).unwrap();
    let orig = promosim::scenario::load_file(Path::new(&scenario("quickstart.toml")), &[]).unwrap();
    assert_eq!(back, orig);
}

#[test]
fn cpa_is_empty_when_nobody_is_acquired() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "none.toml",
        &format!("{GOOD}[behaviour.organic]\nbass_p = 0.0\nbass_q = 0.0\n"),
    );
    promosim()
        .args(["run", &f, "--trials", "3", "-q", "--out"])
        .arg(dir.path().join("o"))
        .assert()
        .success();
    let trials = std::fs::read_to_string(dir.path().join("o/trials.csv")).unwrap();
    let row = trials.lines().nth(1).unwrap();
    let cols: Vec<&str> = row.split(',').collect();
    assert_eq!(cols[3], "0", "first_buyers");
    assert_eq!(cols[10], "", "cpa must be empty, not inf or NaN: {row}");
    assert!(!trials.contains("NaN") && !trials.contains("inf"));
}

const GROUPS: &str =
    "name = \"g\"\n[product]\nprice = 59.0\nunit_cost = 20.0\n[population.groups]\ncount = 3\n";

#[test]
fn a_packet_split_nobody_can_claim_is_rejected() {
    rejects(
        &format!("{GROUPS}[mechanisms.red_packets]\ntotal = 0.5\npackets = 100\n"),
        &["mechanisms.red_packets.packets", "at least 0.01"],
    );
    rejects(
        &format!("{GROUPS}[mechanisms.red_packets]\ntotal = 3000.0\npackets = 1000\n"),
        &["mechanisms.red_packets.packets", "never all be claimed"],
    );
}

#[test]
fn an_invalid_time_of_day_is_rejected() {
    rejects(
        &format!("{GROUPS}[mechanisms.red_packets]\nschedule = {{ time = \"25:10\" }}\n"),
        &["mechanisms.red_packets.schedule.time", "HH:MM"],
    );
}

#[test]
fn stage2_needs_a_task_link() {
    rejects(
        &format!("{GROUPS}[mechanisms.red_packets]\nstage2 = {{ total = 20.0, packets = 10 }}\n"),
        &["mechanisms.red_packets.stage2", "task"],
    );
}

#[test]
fn group_mechanisms_need_groups() {
    rejects(
        &format!("{GOOD}[mechanisms.qa]\nmode = \"dedicated\"\n"),
        &["mechanisms.qa", "population.groups.count"],
    );
}

#[test]
fn a_session_past_midnight_is_rejected() {
    rejects(
        &format!(
            "{GROUPS}[mechanisms.qa]\nmode = \"dedicated\"\nschedule = {{ time = \"23:40\" }}\nsession_minutes = 45\n"
        ),
        &["mechanisms.qa.session_minutes", "midnight"],
    );
}

#[test]
fn all_mechanisms_compose_in_one_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "all.toml",
        &format!(
            "{}[population]\nbuyers = 2000\n[population.groups]\ncount = 3\n[mechanisms.blogger_reviews]\nbloggers = 5\n\
             [mechanisms.red_packets]\nlink = \"task\"\nfollowup = {{ coupon = 5.0 }}\n\
             [mechanisms.qa]\nmode = \"dedicated\"\nprecollect = {{ rate = 0.05 }}\n",
            "name = \"all\"\n[product]\nprice = 59.0\nunit_cost = 20.0\n"
        ),
    );
    promosim()
        .args(["run", &f, "--trials", "4", "-q", "--all", "--out"])
        .arg(dir.path().join("o"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("reviews_published")
                .and(predicate::str::contains("rp_followup_ctr"))
                .and(predicate::str::contains("qa_satisfaction")),
        );
}
