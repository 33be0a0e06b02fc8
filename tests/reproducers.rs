//! Inputs a hostile or unlucky user could give, through the real binary: each either runs
//! correctly or is refused with exit code 2 (bad input) or 1 (a write failure) and an error
//! naming the file, the key or option and what is allowed, before anything is simulated.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// The binary, killed if it runs for more than 60 s (a hang fails the test).
fn promosim() -> Command {
    let mut c = Command::cargo_bin("promosim").expect("binary");
    c.timeout(Duration::from_secs(60));
    c
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A small scenario: 200 buyers, 10 days, 2 trials.
const TINY: &str = "name = \"tiny\"\nhorizon_days = 10\ntrials = 2\nseed = 7\n\
[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 200\n";

/// Runs `promosim ARGS…` to completion: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = promosim().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts exit code 2 and that stderr holds every needle.
fn refused(args: &[&str], needles: &[&str]) {
    let (code, _, err) = run(args);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` not in: {err}");
    }
}

/// The mean of `metric` of the first candidate in a `summary.json`.
fn mean(summary: &Value, metric: &str) -> f64 {
    summary["candidates"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric}"))["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("{metric} has no mean"))
}

#[test]
fn lucky_red_packets_with_small_totals_run_and_pay_at_most_the_total() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = scenario("red_packets_plain.toml");
    // red_packets_plain: 20 groups, 15 lucky packets a drop, 26 drops a group.
    for total in ["0.15", "0.25", "0.3", "0.5"] {
        let out = tmp.path().join(total);
        let set = format!("mechanisms.red_packets.total={total}");
        let (code, _, err) = run(&[
            "run",
            &plain,
            "--trials",
            "3",
            "--quiet",
            "--no-plots",
            "--totals-only",
            "--set",
            &set,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, Some(0), "total {total}: {err}");
        let s = read_json(&out.join("summary.json"));
        let (cost, drops) = (mean(&s, "rp_cost"), mean(&s, "rp_drops"));
        let total: f64 = total.parse().unwrap();
        assert!(
            cost > 0.0 && cost <= drops * total + 1e-9,
            "total {total}: cost {cost} over {drops} drops"
        );
    }
    // Scaled totals far below a cent a packet: split equally, never failing.
    let out = tmp.path().join("scaled");
    let (code, _, err) = run(&[
        "run",
        &plain,
        "--trials",
        "3",
        "--quiet",
        "--no-plots",
        "--totals-only",
        "--set",
        "mechanisms.red_packets.scale_with_online=true",
        "--set",
        "mechanisms.red_packets.total_per_online=0.0001",
        "--set",
        "mechanisms.red_packets.max_total=0.01",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let s = read_json(&out.join("summary.json"));
    assert!(mean(&s, "rp_cost") <= mean(&s, "rp_drops") * 0.01 + 1e-9);
}

#[test]
fn qa_members_per_agent_outside_its_range_is_refused() {
    for v in ["1e-9", "1e-300", "0.5", "0", "1e9"] {
        refused(
            &[
                "run",
                &scenario("qa_hours.toml"),
                "--quiet",
                "--set",
                &format!("mechanisms.qa.members_per_agent={v}"),
            ],
            &[
                "qa_hours.toml",
                "`mechanisms.qa.members_per_agent`",
                "allowed 1 to 10000",
            ],
        );
    }
}

#[test]
fn the_scenario_name_cannot_move_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("a").join("b");
    std::fs::create_dir_all(&cwd).unwrap();
    for (name, folder) in [
        ("../../x", "___.._x"),
        ("/tmp/promosim-escape", "_tmp_promosim-escape"),
        ("..", "__"),
    ] {
        let file = write(
            &cwd,
            "s.toml",
            &TINY.replace("name = \"tiny\"", &format!("name = {name:?}")),
        );
        promosim()
            .current_dir(&cwd)
            .args(["run", &file, "--quiet", "--no-plots"])
            .assert()
            .success();
        let out = cwd.join("output").join(folder);
        assert!(out.join("summary.json").is_file(), "{name}: not in {out:?}");
    }
    assert!(!tmp.path().join("x").exists());
    assert!(
        !cwd.join("summary.json").exists() && !cwd.join("output").join("summary.json").exists()
    );
}

#[test]
fn the_reproduce_command_is_one_shell_word_per_argument() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my files");
    std::fs::create_dir_all(&dir).unwrap();
    let file = write(&dir, "it's.toml", TINY);
    let out = tmp.path().join("out");
    let set = "description=\"it's $(touch pwned); `id`\"";
    promosim()
        .current_dir(tmp.path())
        .args(["run", &file, "--quiet", "--no-plots", "--set", set, "--out"])
        .arg(&out)
        .assert()
        .success();
    let command = read_json(&out.join("summary.json"))["run"]["command"]
        .as_str()
        .unwrap()
        .to_string();
    // A POSIX shell splits the command back into the arguments given, running nothing.
    let Ok(sh) = std::process::Command::new("sh")
        .current_dir(tmp.path())
        .arg("-c")
        .arg(format!(
            "printf '%s\\0' {}",
            command.trim_start_matches("promosim ")
        ))
        .output()
    else {
        return; // no POSIX shell on this machine
    };
    let words: Vec<String> = String::from_utf8(sh.stdout)
        .unwrap()
        .split('\0')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(
        words,
        ["run", &file, "--trials", "2", "--seed", "7", "--set", set],
        "{command}"
    );
    assert!(!tmp.path().join("pwned").exists());
}

#[test]
fn formula_like_candidate_names_are_written_to_csv_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{TINY}[[candidate]]\nname = \"=1+2\"\n[[candidate]]\nname = \"@SUM(A1)\"\n\
         [[candidate]]\nname = \"-3+4\"\n[[candidate]]\nname = \"plain\"\n"
    );
    let file = write(tmp.path(), "c.toml", &text);
    let out = tmp.path().join("out");
    promosim()
        .args(["run", &file, "--quiet", "--no-plots", "--out"])
        .arg(&out)
        .assert()
        .success();
    let trials = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    let firsts: Vec<&str> = trials
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    for name in ["'=1+2", "'@SUM(A1)", "'-3+4", "plain"] {
        assert!(firsts.contains(&name), "{name} not in {firsts:?}");
    }
    assert!(
        firsts.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])),
        "{firsts:?}"
    );
    for file in ["summary.csv", "daily.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(
            text.lines()
                .all(|l| !l.starts_with(['=', '+', '-', '@', '\t', '\r'])),
            "{file}"
        );
        assert!(text.contains("'=1+2"), "{file}");
    }
    // Numbers keep their sign: negative values are not quoted.
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(!summary.contains(",'-"), "a number was quoted");
}

#[test]
fn the_currency_is_a_short_code() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in [
        "<script>alert(1)</script>",
        "C N Y",
        "\"x\"",
        "ABCDEFGHI",
        "&amp;",
        "",
    ] {
        let file = write(tmp.path(), "c.toml", &format!("currency = {bad:?}\n{TINY}"));
        refused(
            &["validate", &file],
            &["c.toml:1:1", "`currency`", "allowed"],
        );
    }
    for good in ["CNY", "EUR", "€", "US$", "元", "R$", "₿"] {
        let file = write(
            tmp.path(),
            "c.toml",
            &format!("currency = {good:?}\n{TINY}"),
        );
        promosim().args(["validate", &file]).assert().success();
    }
}

#[test]
fn counts_above_their_caps_are_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "t.toml", TINY);
    refused(
        &["run", &file, "--trials", "1000000000"],
        &["t.toml", "`trials`", "allowed 1 to 10000000 trials"],
    );
    refused(
        &["run", &file, "--threads", "1000000"],
        &["--threads 1000000", "allowed 1 to 1024 threads"],
    );
    refused(
        &[
            "run",
            &file,
            "--set",
            "population.bloggers.count=1000000000",
        ],
        &[
            "`population.bloggers.count`",
            "allowed 0 to 1000000 bloggers",
        ],
    );
    refused(
        &["run", &file, "--set", "population.groups.count=2000000"],
        &["`population.groups.count`", "allowed 0 to 1000000 groups"],
    );
    refused(
        &["run", &file, "--set", "horizon_days=4000"],
        &["`horizon_days`", "allowed 1 to 3650 days"],
    );
    refused(
        &[
            "baseline",
            "record",
            &file,
            "--trials",
            "20000000",
            "--dir",
            tmp.path().join("b").to_str().unwrap(),
        ],
        &["--trials 20000000", "allowed 1 to 10000000"],
    );
    refused(
        &[
            "baseline",
            "record",
            &file,
            "--threads",
            "5000",
            "--dir",
            tmp.path().join("b").to_str().unwrap(),
        ],
        &["--threads 5000", "allowed 1 to 1024"],
    );
}

#[test]
fn chat_groups_above_the_size_cap_are_refused_or_capped() {
    let proofs = scenario("proofs_designed.toml");
    for size in [
        "{ dist = \"fixed\", value = 14000 }",
        "{ dist = \"uniform\", min = 300, max = 600 }",
        "{ dist = \"gamma\", mean = 900, shape = 50 }",
    ] {
        refused(
            &[
                "run",
                &proofs,
                "--set",
                "population.groups.count=1",
                "--set",
                &format!("population.groups.size={size}"),
            ],
            &["`population.groups.size`", "allowed at most 500 members"],
        );
    }
    // An unbounded distribution with a mean inside the cap: its draws are capped.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    promosim()
        .args([
            "run",
            &proofs,
            "--trials",
            "20",
            "--quiet",
            "--no-plots",
            "--totals-only",
            "--set",
            "population.groups.count=1",
            "--set",
            "population.buyers=0",
            "--set",
            "population.groups.size={ dist = \"lognormal\", median = 150, sigma = 1.5 }",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let trials = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    let populations: Vec<f64> = trials
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert_eq!(populations.len(), 20);
    assert!(populations.iter().all(|p| *p <= 500.0), "{populations:?}");
    assert!(
        populations.contains(&500.0),
        "no draw reached the cap: {populations:?}"
    );
}

#[test]
fn scenario_files_must_be_regular_and_small() {
    let tmp = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    {
        refused(
            &["validate", "/dev/zero"],
            &["/dev/zero", "not a regular file"],
        );
        refused(&["run", "/dev/zero"], &["/dev/zero", "not a regular file"]);
        let fifo = tmp.path().join("fifo.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            refused(
                &["run", fifo.to_str().unwrap()],
                &["fifo.toml", "not a regular file"],
            );
            refused(
                &["show", fifo.to_str().unwrap()],
                &["fifo.toml", "not a regular file"],
            );
        }
    }
    refused(&["validate", tmp.path().to_str().unwrap()], &["a folder"]);
    let big = tmp.path().join("big.toml");
    let mut text = TINY.to_string();
    text.push_str(&"# padding\n".repeat(450_000));
    std::fs::write(&big, text).unwrap();
    refused(
        &["validate", big.to_str().unwrap()],
        &["big.toml", "allowed at most 4194304 bytes"],
    );
}

#[test]
fn a_bare_number_where_a_distribution_goes_names_the_allowed_form() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "s.toml",
        &format!("{TINY}[population.groups]\ncount = 2\nsize = 30\n"),
    );
    refused(
        &["validate", &file],
        &[
            "s.toml:12:8",
            "`population.groups.size`",
            "expected a distribution table such as `{ dist = \"fixed\", value = 30 }`",
        ],
    );
}

#[test]
fn a_tiny_gamma_shape_is_refused_by_validate_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        tmp.path(),
        "g.toml",
        &format!("{TINY}[population.traits]\norganic_shape = 5e-324\n"),
    );
    refused(
        &["validate", &file],
        &[
            "g.toml:11:1",
            "`population.traits.organic_shape`",
            "5e-324 is out of range: allowed 0.001 to 1000000000000",
        ],
    );
    let daily = write(
        tmp.path(),
        "d.toml",
        &format!(
            "{TINY}[behaviour.repurchase]\nmodel = \"daily\"\ndaily_probability = 0.01\n\
             daily_probability_shape = 5e-324\n"
        ),
    );
    refused(
        &["validate", &daily],
        &[
            "d.toml:13:1",
            "`behaviour.repurchase.daily_probability_shape`",
        ],
    );
}

#[test]
fn money_is_bounded_so_revenue_stays_finite() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "t.toml", TINY);
    for (key, value) in [
        ("product.price", "1e308"),
        ("product.price", "inf"),
        ("product.unit_cost", "1e300"),
        ("behaviour.decision.reference_price", "1e300"),
    ] {
        refused(
            &["run", &file, "--set", &format!("{key}={value}")],
            &[&format!("`{key}`"), "allowed", "1000000000000"],
        );
    }
    // At the cap, revenue is a finite number in every row.
    let out = tmp.path().join("out");
    promosim()
        .args([
            "run",
            &file,
            "--quiet",
            "--no-plots",
            "--set",
            "product.price=1e12",
            "--set",
            "product.unit_cost=1e12",
            "--set",
            "behaviour.organic.bass_p=0.05",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let trials = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    let header: Vec<&str> = trials.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "revenue").unwrap();
    for line in trials.lines().skip(1) {
        let revenue: f64 = line.split(',').nth(col).unwrap().parse().unwrap();
        assert!(revenue.is_finite() && revenue > 0.0, "{line}");
    }
}

#[test]
fn an_unwritable_output_location_fails_before_simulating() {
    let tmp = tempfile::tempdir().unwrap();
    let file_in_the_way = write(tmp.path(), "taken", "x");
    // 10 million trials would run for hours: failing fast proves nothing was simulated.
    for out in [file_in_the_way.clone(), "/dev/null/x".to_string()] {
        let started = std::time::Instant::now();
        let (code, _, err) = run(&[
            "run",
            &scenario("quickstart.toml"),
            "--trials",
            "10000000",
            "--quiet",
            "--out",
            &out,
        ]);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("cannot write") && err.contains(&out), "{err}");
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    assert_eq!(std::fs::read_to_string(&file_in_the_way).unwrap(), "x");
    // A writable folder is created by the check and keeps no probe file.
    let fresh = tmp.path().join("new").join("folder");
    let (code, _, err) = run(&[
        "baseline",
        "check",
        &file_in_the_way,
        "--json",
        fresh.to_str().unwrap(),
        "--dir",
        tmp.path().join("b").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(fresh.parent().unwrap().is_dir());
    assert_eq!(
        std::fs::read_dir(fresh.parent().unwrap()).unwrap().count(),
        0
    );
    let (code, _, err) = run(&["calibrate", "--write", tmp.path().to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("a folder"), "{err}");
}

#[test]
fn calibrate_counts_must_be_positive_and_bounded() {
    refused(
        &["calibrate", "--trials", "0"],
        &["--trials 0", "allowed 1 to 10000000"],
    );
    refused(
        &["calibrate", "--search", "--search-trials", "0"],
        &["--search-trials 0", "allowed 1"],
    );
    refused(
        &["calibrate", "--search", "--rounds", "1000"],
        &["--rounds 1000", "allowed 1 to 30"],
    );
}

/// Records `TINY` with 20 trials into `dir`; returns the scenario file and the baseline.
fn recorded(tmp: &Path) -> (String, std::path::PathBuf) {
    let file = write(tmp, "tiny.toml", TINY);
    let dir = tmp.join("baselines");
    promosim()
        .args([
            "baseline", "record", &file, "--quiet", "--trials", "20", "--dir",
        ])
        .arg(&dir)
        .assert()
        .success();
    (file, dir.join("tiny.json"))
}

/// `baseline check` of `file` against `dir`, statistical mode.
fn check(file: &str, baseline: &Path) -> (Option<i32>, String, String) {
    run(&[
        "baseline",
        "check",
        file,
        "--quiet",
        "--mode",
        "statistical",
        "--dir",
        baseline.parent().unwrap().to_str().unwrap(),
    ])
}

#[test]
fn malformed_baselines_are_bad_input_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, path) = recorded(tmp.path());
    let good = std::fs::read_to_string(&path).unwrap();
    let json: Value = serde_json::from_str(&good).unwrap();
    let edit = |f: &Edit| {
        let mut v = json.clone();
        f(&mut v);
        std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    };
    type Edit = fn(&mut Value);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "no candidates",
            |v| v["candidates"] = Value::Array(vec![]),
            "`candidates`: empty",
        ),
        (
            "no metrics",
            |v| v["candidates"][0]["metrics"] = Value::Array(vec![]),
            "`candidates[0].metrics`: empty",
        ),
        (
            "null mean",
            |v| v["candidates"][0]["metrics"][1]["mean"] = Value::Null,
            "`candidates[0].metrics[1].mean`: missing",
        ),
        (
            "no trials",
            |v| v["trials"] = 0.into(),
            "`trials`: 0 is out of range",
        ),
        (
            "too many trials",
            |v| v["trials"] = 4_000_000_000u64.into(),
            "`trials`: 4000000000 is out of range",
        ),
    ];
    for (what, f, needle) in &cases {
        edit(f);
        let (code, _, err) = check(&file, &path);
        assert_eq!(code, Some(2), "{what}: {err}");
        assert!(
            err.contains("tiny.json") && err.contains(needle),
            "{what}: {err}"
        );
    }
    // Trailing garbage after the object.
    std::fs::write(&path, format!("{good}{{\"more\": 1}}\n")).unwrap();
    let (code, _, err) = check(&file, &path);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("tiny.json") && err.contains("trailing"),
        "{err}"
    );
    // The untouched baseline passes.
    std::fs::write(&path, &good).unwrap();
    let (code, _, err) = check(&file, &path);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_metric_removed_from_a_baseline_fails_the_statistical_check() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, path) = recorded(tmp.path());
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let metrics = v["candidates"][0]["metrics"].as_array_mut().unwrap();
    let removed = metrics.remove(3)["metric"].as_str().unwrap().to_string();
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let (code, out, err) = check(&file, &path);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains(&removed) && out.contains("NEW"), "{out}");
}
