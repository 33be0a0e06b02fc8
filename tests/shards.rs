//! `--shard I/N` and `promosim merge` end to end: for `run` with several candidates and for
//! `sweep`, every shard count from 1 to 7 merges into the bytes of the single run, whatever
//! order the shards ran in and are given in; `auto/N` reads the engines' array variables;
//! merge refuses shards of another run, a shard given twice, a missing shard and a damaged
//! chunk, naming them, and `--allow-partial` merges what is there and says so.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_promosim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    for v in [
        "SLURM_ARRAY_TASK_ID",
        "JOB_COMPLETION_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX",
        "BATCH_TASK_INDEX",
        "HQ_TASK_ID",
    ] {
        c.env_remove(v);
    }
    c
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

/// Exit 2 with a message containing every one of `needles`.
fn refused(o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in:\n{err}");
    }
}

/// Every file of `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn same_outputs(a: &Path, b: &Path, what: &str) {
    let (fa, fb) = (files(a), files(b));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb), "{what}: other files");
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{what}: {name} differs from the single run's");
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Shard order for `n` shards, `variant` 0..3: forward, backward, and an interleaving.
fn order(n: u32, variant: u32) -> Vec<u32> {
    let mut v: Vec<u32> = (0..n).collect();
    match variant {
        0 => {}
        1 => v.reverse(),
        _ => v.sort_by_key(|i| ((i * 5 + 3) % n, *i)),
    }
    v
}

/// Runs `args` as `n` shards into `root/n-<i>` (in the order `ran`) and merges them given
/// in the order `given` into `root/merged-<n>-<tag>`.
fn shard_and_merge(
    args: &[&str],
    root: &Path,
    n: u32,
    ran: &[u32],
    given: &[u32],
    tag: &str,
) -> PathBuf {
    for i in ran {
        let dir = root.join(format!("{n}-{i}"));
        if dir.join("shard.json").is_file() {
            continue;
        }
        let shard = format!("{i}/{n}");
        let mut a = args.to_vec();
        a.extend(["--shard", &shard, "--out", path(&dir), "--quiet"]);
        ok(&promosim(&a));
    }
    let merged = root.join(format!("merged-{n}-{tag}"));
    let dirs: Vec<String> = given
        .iter()
        .map(|i| root.join(format!("{n}-{i}")).display().to_string())
        .collect();
    let mut a = vec!["merge"];
    a.extend(dirs.iter().map(String::as_str));
    a.extend(["--out", path(&merged), "--quiet"]);
    ok(&promosim(&a));
    merged
}

/// A run of three candidates (paired comparisons, plots, report) merges into the single
/// run's bytes for every shard count from 1 to 7, whichever order the shards ran in and are
/// given in. Merging puts the shards in index order before reading them, so the orders
/// tried here (forward, backward, interleaved) stand for all of them.
#[test]
fn run_shards_merge_into_the_single_run_for_every_count_and_order() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "scenarios/compare_red_packets.toml",
        "--trials",
        "45",
        "--seed",
        "11",
        "--report",
    ];
    let single = tmp.path().join("single");
    let mut a = args.to_vec();
    a.extend(["--out", path(&single), "--quiet"]);
    ok(&promosim(&a));
    for n in 1..=7 {
        for variant in 0..3 {
            let ran = order(n, variant);
            let given = order(n, (variant + 1) % 3);
            let merged = shard_and_merge(&args, tmp.path(), n, &ran, &given, &variant.to_string());
            same_outputs(&single, &merged, &format!("{n} shards, order {given:?}"));
        }
    }
}

/// A sweep's points spread over shards merge into the single sweep's bytes for every
/// shard count from 1 to 7.
#[test]
fn sweep_shards_merge_into_the_single_sweep_for_every_count() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "sweep",
        "scenarios/red_packets_plain.toml",
        "--param",
        "mechanisms.red_packets.packets=10..40:4",
        "--trials",
        "12",
        "--seed",
        "5",
    ];
    let single = tmp.path().join("single");
    let mut a = args.to_vec();
    a.extend(["--out", path(&single), "--quiet"]);
    ok(&promosim(&a));
    for n in 1..=7 {
        let merged = shard_and_merge(&args, tmp.path(), n, &order(n, 1), &order(n, 2), "s");
        same_outputs(&single, &merged, &format!("sweep, {n} shards"));
    }
}

/// `auto/N` takes the index from the engine's variable; an index the array cannot have
/// is refused, naming the variable.
#[test]
fn auto_shard_reads_the_engine_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let args = |out: &Path| {
        vec![
            "run".to_string(),
            "scenarios/quickstart.toml".into(),
            "--trials".into(),
            "8".into(),
            "--shard".into(),
            "auto/2".into(),
            "--out".into(),
            path(out).into(),
            "--quiet".into(),
        ]
    };
    let out = tmp.path().join("k8s");
    ok(&bin()
        .args(args(&out))
        .env("JOB_COMPLETION_INDEX", "1")
        .output()
        .unwrap());
    let record = std::fs::read_to_string(out.join("shard.json")).unwrap();
    assert!(record.contains("\"index\": 1"), "{record}");
    let o = bin()
        .args(args(&tmp.path().join("bad")))
        .env("SLURM_ARRAY_TASK_ID", "2")
        .output()
        .unwrap();
    refused(&o, &["SLURM_ARRAY_TASK_ID", "0 to 1"]);
    refused(
        &bin().args(args(&tmp.path().join("none"))).output().unwrap(),
        &["none of SLURM_ARRAY_TASK_ID"],
    );
}

/// Merge refuses a shard of another run, a shard given twice, a missing shard, a damaged
/// chunk and a folder that is not a shard, each time naming it, and writes nothing.
#[test]
fn merge_refuses_shards_that_do_not_make_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let run = |seed: &str, shard: &str, out: &str| {
        ok(&promosim(&[
            "run",
            "scenarios/compare_red_packets.toml",
            "--trials",
            "30",
            "--seed",
            seed,
            "--shard",
            shard,
            "--out",
            path(&root.join(out)),
            "--quiet",
        ]))
    };
    run("1", "0/3", "a0");
    run("1", "1/3", "a1");
    run("1", "2/3", "a2");
    run("2", "1/3", "b1");
    let d = |n: &str| root.join(n).display().to_string();
    let merged = root.join("merged");
    let merge = |dirs: &[String]| {
        let mut a = vec!["merge".to_string()];
        a.extend(dirs.iter().cloned());
        a.extend(["--out".into(), path(&merged).into(), "--quiet".into()]);
        bin().args(&a).output().unwrap()
    };
    refused(
        &merge(&[d("a0"), d("b1"), d("a2")]),
        &[&d("b1"), "seed 1 there, 2 now"],
    );
    refused(
        &merge(&[d("a0"), d("a1"), d("a1"), d("a2")]),
        &["shard 1/3 is given twice", &d("a1")],
    );
    refused(
        &merge(&[d("a2"), d("a0")]),
        &["shard 1 of 3 missing", "--allow-partial"],
    );
    refused(
        &merge(&[d("a0"), root.display().to_string()]),
        &["not a finished promosim shard"],
    );
    // One flipped byte in one chunk file.
    let chunk = std::fs::read_dir(root.join("a1"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "bin"))
        .unwrap();
    let mut bytes = std::fs::read(&chunk).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&chunk, bytes).unwrap();
    refused(
        &merge(&[d("a0"), d("a1"), d("a2")]),
        &[&chunk.display().to_string(), "damaged"],
    );
    assert!(!merged.exists(), "a refused merge writes nothing");
}

/// With a shard missing, `--allow-partial` merges the trials the others hold: the rows of
/// `trials.csv` are exactly the single run's rows of those trials (same trial numbers,
/// same values), and `summary.json` and `report.html` say what is missing. A sweep keeps
/// its whole points and writes `partial.txt`; a sensitivity design refuses.
#[test]
fn allow_partial_merges_what_is_there_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let args = [
        "run",
        "scenarios/compare_red_packets.toml",
        "--trials",
        "60",
        "--report",
    ];
    let single = root.join("single");
    let mut a = args.to_vec();
    a.extend(["--out", path(&single), "--quiet"]);
    ok(&promosim(&a));
    for i in [0, 2] {
        let shard = format!("{i}/3");
        let out = root.join(format!("r{i}"));
        let mut a = args.to_vec();
        a.extend(["--shard", &shard, "--out", path(&out), "--quiet"]);
        ok(&promosim(&a));
    }
    let merged = root.join("merged");
    ok(&promosim(&[
        "merge",
        path(&root.join("r0")),
        path(&root.join("r2")),
        "--allow-partial",
        "--out",
        path(&merged),
        "--quiet",
    ]));
    let rows = |dir: &Path| -> Vec<String> {
        std::fs::read_to_string(dir.join("trials.csv"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };
    let (all, part) = (rows(&single), rows(&merged));
    assert_eq!(all[0], part[0], "same columns");
    // 60 trials in 6 chunks of 10 (two per shard): shard 1 held trials 10-19 and 40-49.
    let missing = |row: &str| {
        let t: u32 = row.split(',').nth(1).unwrap().parse().unwrap();
        (10..20).contains(&t) || (40..50).contains(&t)
    };
    let expected: Vec<&String> = all[1..].iter().filter(|r| !missing(r)).collect();
    assert_eq!(part[1..].iter().collect::<Vec<_>>(), expected);
    let summary = std::fs::read_to_string(merged.join("summary.json")).unwrap();
    assert!(
        summary.contains("shard 1 of 3 missing; 40 of 60 trials (missing trials 10-19, 40-49)"),
        "{summary}"
    );
    assert!(summary.contains("\"trials\": 40"), "{summary}");
    let report = std::fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(report.contains("Not the whole run"));
    assert!(
        !std::fs::read_to_string(single.join("summary.json"))
            .unwrap()
            .contains("partial"),
        "a whole run says nothing of shards"
    );

    // A sweep of 4 points × 12 trials in 3 shards: 2 chunks of 6 trials per point, 8
    // units dealt in point order (see `shard::chunk_trials`); shard 1 holds a chunk of
    // points 0, 2 and 3, so only point 1 is whole without it.
    let sweep = [
        "sweep",
        "scenarios/red_packets_plain.toml",
        "--param",
        "mechanisms.red_packets.packets=10..40:4",
        "--trials",
        "12",
    ];
    for i in [0, 2] {
        let shard = format!("{i}/3");
        let out = root.join(format!("w{i}"));
        let mut a = sweep.to_vec();
        a.extend(["--shard", &shard, "--out", path(&out), "--quiet"]);
        ok(&promosim(&a));
    }
    let merged = root.join("sweep-merged");
    ok(&promosim(&[
        "merge",
        path(&root.join("w2")),
        path(&root.join("w0")),
        "--allow-partial",
        "--out",
        path(&merged),
        "--quiet",
    ]));
    let note = std::fs::read_to_string(merged.join("partial.txt")).unwrap();
    assert!(note.contains("shard 1 of 3 missing"), "{note}");
    let summary = std::fs::read_to_string(merged.join("sweep_summary.csv")).unwrap();
    let points: std::collections::BTreeSet<&str> = summary
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(points.into_iter().collect::<Vec<_>>(), ["1"]);
    assert!(
        note.contains("1 of 4 points (missing points 0, 2, 3)"),
        "{note}"
    );

    let sens = [
        "sensitivity",
        "scenarios/red_packets_plain.toml",
        "--param",
        "mechanisms.red_packets.packets=10..40",
        "--param",
        "mechanisms.red_packets.total=10..60",
        "--samples",
        "4",
        "--trials",
        "4",
    ];
    for i in [0, 2] {
        let shard = format!("{i}/3");
        let out = root.join(format!("y{i}"));
        let mut a = sens.to_vec();
        a.extend(["--shard", &shard, "--out", path(&out), "--quiet"]);
        ok(&promosim(&a));
    }
    refused(
        &promosim(&[
            "merge",
            path(&root.join("y0")),
            path(&root.join("y2")),
            "--allow-partial",
            "--out",
            path(&root.join("y")),
        ]),
        &["sensitivity design needs every one of its rows"],
    );
}
