//! Candidate campaigns: common random numbers, paired differences, ranking, overrides,
//! plots and the report (the real binary where outputs are concerned).

mod common;

use assert_cmd::Command;
use common::shipped;
use promosim::compare::{Objective, compare, paired};
use promosim::engine::{Arms, Plan, RunOptions, run};
use promosim::results::CandidateResult;
use promosim::scenario::{load_str, resolve_candidates};
use statrs::distribution::{ContinuousCDF, FisherSnedecor};
use std::path::Path;

fn promosim() -> Command {
    Command::cargo_bin("promosim").expect("binary")
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs every candidate of scenario text under `seeds[k]` (candidate k), `trials` trials.
fn run_candidates(
    text: &str,
    overrides: &[&str],
    trials: u32,
    seeds: &[u64],
) -> Vec<CandidateResult> {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let base = load_str(text, "test.toml", &o).unwrap_or_else(|e| panic!("{e}"));
    let cands = resolve_candidates(&base).expect("candidates");
    cands
        .iter()
        .zip(seeds)
        .map(|(c, &seed)| {
            let plan = Plan::new(&c.scenario).expect("plan");
            let r = run(
                &plan,
                RunOptions {
                    trials,
                    seed,
                    threads: None,
                    arms: Arms::default(),
                },
                &|| {},
            )
            .expect("run");
            let keys = plan.mechanisms.iter().map(|m| m.key());
            CandidateResult::new(&c.name, keys, &plan.kpi_names(), r)
        })
        .collect()
}

fn sample_var(d: &[f64]) -> f64 {
    let n = d.len() as f64;
    let m = d.iter().sum::<f64>() / n;
    d.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)
}

fn diffs(a: &CandidateResult, b: &CandidateResult, metric: &str) -> Vec<f64> {
    let (xa, xb) = (a.column(metric).unwrap(), b.column(metric).unwrap());
    xa.iter()
        .zip(&xb)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| x - y)
        .collect()
}

#[test]
fn common_random_numbers_reduce_the_variance_of_paired_differences() {
    // The quick-start market with 20 or 30 reviewing bloggers. With common random numbers
    // trial i of both candidates shares the market (traits, organic demand, the bloggers'
    // pool); with independent streams candidate B runs under another seed.
    let text = format!(
        "{}\n[[candidate]]\nname = \"20 bloggers\"\n\n[[candidate]]\nname = \"30 bloggers\"\nset = {{ \"mechanisms.blogger_reviews.bloggers\" = 30 }}\n",
        shipped("quickstart.toml")
    );
    let n = 200;
    let crn = run_candidates(&text, &[], n, &[11, 11]);
    let ind = run_candidates(&text, &[], n, &[11, 9011]);
    // Under the null hypothesis that common random numbers do not reduce the variance, the
    // ratio of the two sample variances of the differences (independent samples of n trials)
    // follows F(n − 1, n − 1); the observed ratio must fall below its 0.1%
    // quantile (0.64 for n = 200), which happens by chance with probability at most 0.001
    // without a reduction. The seeds are fixed, so the test is deterministic. (Measured:
    // ratios of about 0.3, i.e. intervals about 1.8 times narrower.)
    let f = FisherSnedecor::new((n - 1) as f64, (n - 1) as f64).unwrap();
    let bound = f.inverse_cdf(0.001);
    for metric in [
        "first_buyers",
        "conversion_rate",
        "cost_per_buyer",
        "revenue",
    ] {
        let v_crn = sample_var(&diffs(&crn[1], &crn[0], metric));
        let v_ind = sample_var(&diffs(&ind[1], &ind[0], metric));
        let ratio = v_crn / v_ind;
        assert!(
            ratio < bound,
            "{metric}: variance of the paired difference with common random numbers {v_crn:.4e}, with independent streams {v_ind:.4e}: ratio {ratio:.3} not below the F(0.001) bound {bound:.3}"
        );
    }
    // The library's paired estimator agrees with the hand computation.
    let p = paired(
        "cost_per_buyer",
        &crn[1].column("cost_per_buyer").unwrap(),
        &crn[0].column("cost_per_buyer").unwrap(),
    );
    assert!(
        (p.diff.sd.powi(2) - sample_var(&diffs(&crn[1], &crn[0], "cost_per_buyer"))).abs() < 1e-9
    );
}

const BASE: &str = r#"
name = "t"
horizon_days = 30
[product]
price = 59.0
unit_cost = 24.0
[population.groups]
count = 3
size = { dist = "uniform", min = 100, max = 200 }
[mechanisms.red_packets]
total = 30.0
packets = 15
"#;

#[test]
fn a_candidate_identical_to_the_base_gives_exactly_zero_difference() {
    let text = format!(
        "{BASE}\n[[candidate]]\nname = \"base\"\n\n[[candidate]]\nname = \"copy\"\nset = {{ \"mechanisms.red_packets.total\" = 30.0 }}\n\n[[candidate]]\nname = \"bigger\"\nset = {{ \"mechanisms.red_packets.total\" = 60.0 }}\n"
    );
    let c = run_candidates(&text, &[], 12, &[5, 5, 5]);
    let cmp = compare(&c, Objective::Icpa, Default::default());
    let (pair, swapped) = cmp.pair("base", "copy").unwrap();
    assert!(!swapped);
    assert!(!pair.metrics.is_empty());
    for m in &pair.metrics {
        if m.diff.n == 0 {
            // Undefined in every trial of both (e.g. a follow-up CTR with no follow-up).
            assert!(!promosim::results::CORE_METRICS[..3].contains(&m.metric.as_str()));
            continue;
        }
        assert_eq!(m.diff.mean, 0.0, "{}", m.metric);
        if m.diff.n > 1 {
            assert_eq!(m.diff.sd, 0.0, "{}", m.metric);
            assert_eq!(
                (m.diff.ci95_low, m.diff.ci95_high),
                (0.0, 0.0),
                "{}",
                m.metric
            );
        }
        assert_eq!(m.equal, 1.0, "{}", m.metric);
    }
    // Not vacuous: a real change moves the cost.
    let (pair, _) = cmp.pair("base", "bigger").unwrap();
    assert!(pair.metric("cost").unwrap().diff.mean < 0.0);
    // A budget cap between the two costs leaves the bigger drops out of the running.
    let cost_p95 = |i: usize| c[i].summary_of("cost").unwrap().p95;
    let cap = 0.5 * (cost_p95(0) + cost_p95(2));
    let capped = compare(
        &c,
        Objective::Conversion,
        promosim::compare::Constraints {
            max_cost: Some(cap),
            min_conversion: None,
        },
    );
    let last = capped.ranking.last().unwrap();
    assert_eq!(last.candidate, "bigger");
    assert!(!last.feasible && last.violations[0].contains("budget"));
    assert!(capped.ranking[..2].iter().all(|r| r.feasible));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn rejected(text: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "cands.toml", text);
    let a = promosim().args(["validate", &f]).assert().code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in:\n{err}");
    }
    // `run` refuses it the same way, before running anything.
    promosim()
        .args(["run", &f, "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .code(2);
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_candidate_override_of_a_missing_key_is_rejected_naming_file_candidate_and_key() {
    let text = format!(
        "{BASE}\n[[candidate]]\nname = \"plain\"\n\n[[candidate]]\nname = \"designed\"\n[candidate.set]\n\"mechanisms.red_packets.link\" = \"task\"\n\"mechanisms.red_packets.totl\" = 50\n"
    );
    let line = |t: &str, key: &str| t.lines().position(|l| l.contains(key)).unwrap() + 1;
    let at = format!("cands.toml:{}:1", line(&text, "totl"));
    rejected(
        &text,
        &[
            &at,
            "candidate \"designed\"",
            "mechanisms.red_packets.totl",
            "unknown field `totl`",
        ],
    );
    // A value out of range is located at its override, naming the candidate.
    let text = format!(
        "{BASE}\n[[candidate]]\nname = \"risky\"\nset = {{ \"product.defect_rate\" = 1.5 }}\n"
    );
    let at = format!("cands.toml:{}:", line(&text, "defect_rate"));
    rejected(
        &text,
        &[&at, "candidate \"risky\"", "product.defect_rate", "1.5"],
    );
    // Shared run settings cannot differ between candidates.
    let text = format!("{BASE}\n[[candidate]]\nname = \"more\"\nset = {{ \"seed\" = 9 }}\n");
    rejected(&text, &["candidate \"more\"", "cannot override `seed`"]);
    // An unquoted dotted key would replace a whole table: refused with the fix.
    let text = format!(
        "{BASE}\n[[candidate]]\nname = \"oops\"\nset = {{ mechanisms.red_packets.total = 50 }}\n"
    );
    rejected(&text, &["candidate \"oops\"", "in quotes"]);
    // Names are unique; `extends` names an earlier candidate.
    let text = format!("{BASE}\n[[candidate]]\nname = \"a\"\n\n[[candidate]]\nname = \"a\"\n");
    rejected(&text, &["candidate \"a\" is listed twice"]);
    let text = format!("{BASE}\n[[candidate]]\nname = \"a\"\nextends = \"b\"\n");
    rejected(&text, &["extends \"b\""]);
}

#[test]
fn show_prints_each_candidate_resolved() {
    let a = promosim()
        .args([
            "show",
            &scenario("compare_red_packets.toml"),
            "--candidate",
            "designed_push",
        ])
        .assert()
        .success();
    let text = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    let s = load_str(&text, "shown", &[]).unwrap();
    let rp = s.mechanisms.red_packets.expect("red packets");
    // Inherited from "designed" and its own follow-up.
    assert_eq!(rp.packets, 20);
    assert!(rp.stage2.is_some() && rp.followup.is_some());
    assert!(s.candidates.is_empty());
    promosim()
        .args([
            "show",
            &scenario("compare_red_packets.toml"),
            "--candidate",
            "nope",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("\"designed_push\""));
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |k: usize| u32::from_be_bytes(bytes[k..k + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn compare_red_packets_runs_with_a_report_and_the_ranking_agrees_with_the_paired_intervals() {
    let out = tempfile::tempdir().unwrap();
    let trials = 40;
    promosim()
        .args([
            "run",
            &scenario("compare_red_packets.toml"),
            "--trials",
            &trials.to_string(),
            "--report",
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "ranking by incremental cost per acquisition",
        ));
    let o = out.path();
    for f in [
        "plot_distributions",
        "plot_boxes",
        "plot_fan",
        "plot_paired",
    ] {
        let png = std::fs::read(o.join(format!("{f}.png"))).unwrap();
        let (w, h) = png_size(&png);
        assert!(w >= 800 && h >= 400, "{f}.png is {w}x{h}");
        let svg = std::fs::read_to_string(o.join(format!("{f}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{f}.svg");
    }
    let svg = std::fs::read_to_string(o.join("plot_distributions.svg")).unwrap();
    for needle in [
        "designed_push",
        "incremental gross margin (CNY)",
        "trials (%)",
    ] {
        assert!(
            svg.contains(needle),
            "plot_distributions.svg lacks {needle:?}"
        );
    }
    let html = std::fs::read_to_string(o.join("report.html")).unwrap();
    assert!(html.contains("Recommendation") && html.contains("--seed 301"));
    // The report ranks by the incremental cost per acquisition and says so.
    assert!(html.contains("It has the lowest incremental cost per acquisition"));
    assert!(html.contains("<p>By incremental cost per acquisition (<code>icpa</code>"));
    assert_eq!(html.matches("<img src=\"data:image/png;base64,").count(), 4);
    for external in ["http://", "https://", "<script", "<link", "src=\"/", "url("] {
        assert!(!html.contains(external), "report refers to {external:?}");
    }

    // trials.csv: one row per (candidate, trial), in candidate then trial order.
    let (header, rows) = read_csv(&o.join("trials.csv"));
    assert_eq!(rows.len(), 3 * trials as usize);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cand = col("candidate");
    let series = |name: &str, metric: &str| -> Vec<f64> {
        let k = col(metric);
        rows.iter()
            .filter(|r| r[cand] == name)
            .map(|r| r[k].parse::<f64>().unwrap())
            .collect()
    };
    // The incremental cost per acquisition of a candidate, recomputed from trials.csv:
    // R = mean cost / mean incremental first buyers, and the delta method's linearised
    // values u_i = (cost_i − R · inc_i) / mean inc.
    let linearised = |name: &str| -> (f64, Vec<f64>) {
        let (cost, inc) = (series(name, "cost"), series(name, "inc_first_buyers"));
        let n = cost.len() as f64;
        let (mc, mi) = (cost.iter().sum::<f64>() / n, inc.iter().sum::<f64>() / n);
        let r = mc / mi;
        (
            r,
            cost.iter()
                .zip(&inc)
                .map(|(c, i)| (c - r * i) / mi)
                .collect(),
        )
    };

    // The ranking in summary.json, checked against paired intervals recomputed here from
    // trials.csv: no candidate is ranked above one whose paired 95% interval is better.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(o.join("summary.json")).unwrap()).unwrap();
    let cmp = &json["comparison"];
    assert_eq!(cmp["objective"], "icpa");
    assert_eq!(cmp["ranking_agrees_with_intervals"], true);
    let ranked: Vec<String> = cmp["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["candidate"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ranked.len(), 3);
    // The normal quantile of the delta method's interval.
    let z = 1.959_963_984_540_054;
    for i in 0..ranked.len() {
        let (ri, ui) = linearised(&ranked[i]);
        let objective = &cmp["ranking"][i]["objective"];
        assert!((objective["value"].as_f64().unwrap() - ri).abs() < 1e-9 * ri);
        for j in i + 1..ranked.len() {
            let (rj, uj) = linearised(&ranked[j]);
            let d: Vec<f64> = ui.iter().zip(&uj).map(|(x, y)| x - y).collect();
            let m = ri - rj;
            let half = z * (sample_var(&d) / d.len() as f64).sqrt();
            // Lower iCPA is better: a lower-ranked candidate would be clearly better if the
            // whole interval of (higher-ranked − lower-ranked) were above zero.
            assert!(
                m - half <= 0.0,
                "{} ranked above {} but the paired iCPA difference is {m:.3} ± {half:.3}",
                ranked[i],
                ranked[j]
            );
            if j == i + 1 {
                let vs = &cmp["ranking"][i]["vs_next"];
                assert!((vs["value"].as_f64().unwrap() - m).abs() < 1e-9 * (1.0 + m.abs()));
                assert!(
                    (vs["ci95_high"].as_f64().unwrap() - (m + half)).abs() < 1e-6 * (1.0 + m.abs())
                );
            }
        }
    }
    // summary.csv gains one block of paired-difference rows per pair.
    let (_, rows) = read_csv(&o.join("summary.csv"));
    for pair in [
        "plain - designed",
        "plain - designed_push",
        "designed - designed_push",
    ] {
        assert!(
            rows.iter()
                .any(|r| r[0] == pair && r[1] == "cost_per_buyer"),
            "{pair}"
        );
    }
}

#[test]
fn compare_runs_whole_files_on_the_same_market() {
    let out = tempfile::tempdir().unwrap();
    let solo = tempfile::tempdir().unwrap();
    promosim()
        .args([
            "compare",
            &scenario("red_packets_plain.toml"),
            &scenario("red_packets_designed.toml"),
            "--trials",
            "5",
            "--objective",
            "conversion",
            "--no-plots",
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    promosim()
        .args([
            "run",
            &scenario("red_packets_plain.toml"),
            "--trials",
            "5",
            "--no-plots",
            "--quiet",
            "--out",
        ])
        .arg(solo.path())
        .assert()
        .success();
    let (h1, cmp_rows) = read_csv(&out.path().join("trials.csv"));
    let (h2, solo_rows) = read_csv(&solo.path().join("trials.csv"));
    assert_eq!(h1, h2);
    // The plain candidate of the comparison is exactly the plain scenario run alone.
    let plain: Vec<&Vec<String>> = cmp_rows
        .iter()
        .filter(|r| r[0] == "red_packets_plain")
        .collect();
    assert_eq!(plain.len(), 5);
    for (a, b) in plain.iter().zip(&solo_rows) {
        assert_eq!(a[1..], b[1..]);
    }
    assert!(
        out.path()
            .join("scenario.red_packets_plain.resolved.toml")
            .is_file()
    );
    assert!(
        out.path()
            .join("scenario.red_packets_designed.resolved.toml")
            .is_file()
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(json["comparison"]["objective_metric"], "conversion_rate");
    assert_eq!(
        json["comparison"]["ranking"][0]["candidate"], "red_packets_designed",
        "designed drops convert more than plain ones (field: 12-15% vs 3-5%)"
    );
    // A file on another horizon is refused.
    let dir = tempfile::tempdir().unwrap();
    let other = write(
        dir.path(),
        "short.toml",
        &shipped("red_packets_plain.toml")
            .replace("horizon_days = 90", "horizon_days = 30")
            .replace("name = \"red_packets_plain\"", "name = \"short\""),
    );
    promosim()
        .args([
            "compare",
            &scenario("red_packets_plain.toml"),
            &other,
            "--quiet",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("horizon_days = 30"));
}

#[test]
fn candidates_with_different_mechanisms_share_one_trials_table() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{BASE}\n[[candidate]]\nname = \"packets\"\n\n[[candidate]]\nname = \"with_qa\"\nset = {{ \"mechanisms.qa.mode\" = \"dedicated\" }}\n"
    );
    let f = write(dir.path(), "mix.toml", &text);
    promosim()
        .args(["run", &f, "--trials", "3", "--quiet", "--no-plots", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let (header, rows) = read_csv(&dir.path().join("out/trials.csv"));
    let qa = header
        .iter()
        .position(|h| h == "qa_sessions")
        .expect("qa columns");
    assert!(header.iter().any(|h| h == "rp_drops"));
    for r in &rows {
        assert_eq!(r.len(), header.len());
        assert_eq!(r[qa].is_empty(), r[0] == "packets", "{r:?}");
    }
}

#[test]
fn candidate_outputs_plots_and_report_are_byte_identical_for_any_thread_count() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    for (dir, threads) in [(&one, "1"), (&two, "2")] {
        promosim()
            .args([
                "run",
                &scenario("compare_red_packets.toml"),
                "--set",
                "population.groups.count=4",
                "--trials",
                "6",
                "--report",
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(dir.path())
            .assert()
            .success();
    }
    let mut names: Vec<String> = std::fs::read_dir(one.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 14, "{names:?}");
    for f in &names {
        let a = std::fs::read(one.path().join(f)).unwrap();
        let b = std::fs::read(two.path().join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn bad_constraints_are_refused() {
    for (flag, value, needle) in [
        ("--budget", "0", "--budget"),
        ("--min-conversion", "1.5", "--min-conversion"),
    ] {
        promosim()
            .args(["run", &scenario("quickstart.toml"), flag, value, "--quiet"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(needle));
    }
}
