//! The shipped JSON Schema of scenario files: it is the generated one, every shipped scenario
//! names it and validates against it, and it rejects what the loader rejects.

use promosim::scenario::{Mechanisms, Scenario, TimeOfDay, load_file, load_str, schema};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SCHEMA_FILE: &str = "schema/scenario.schema.json";
const DIRECTIVE: &str = "#:schema ../schema/scenario.schema.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The committed schema file, parsed.
fn committed() -> Value {
    let text = std::fs::read_to_string(root().join(SCHEMA_FILE)).expect("schema file");
    serde_json::from_str(&text).expect("the schema file is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&committed()).expect("a valid draft-07 schema")
}

/// What the schema finds wrong with `instance`, one line per error.
fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn toml_to_json(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).expect("TOML");
    serde_json::to_value(table).expect("TOML values convert to JSON")
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no shipped scenarios found");
    files
}

#[test]
fn committed_schema_is_the_generated_one() {
    let text = std::fs::read_to_string(root().join(SCHEMA_FILE)).expect("schema file");
    assert!(
        text.replace("\r\n", "\n") == schema::json(),
        "{SCHEMA_FILE} differs from the schema generated from the config types; regenerate it \
         with `cargo run --release -- schema > {SCHEMA_FILE}` and commit it"
    );
}

#[test]
fn the_schema_command_prints_it() {
    assert_cmd::Command::cargo_bin("promosim")
        .expect("binary")
        .arg("schema")
        .assert()
        .success()
        .stdout(schema::json());
}

#[test]
fn every_shipped_scenario_names_the_schema_and_validates() {
    let v = validator();
    let mut problems = Vec::new();
    for path in shipped_scenarios() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("scenario");
        if text.lines().next() != Some(DIRECTIVE) {
            problems.push(format!("{name}: first line is not `{DIRECTIVE}`"));
        }
        for e in errors(&v, &toml_to_json(&text)) {
            problems.push(format!("{name}: {e}"));
        }
        if let Err(e) = load_file(&path, &[]) {
            problems.push(format!("{name}: does not load: {e}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_scenario_with_every_mechanism_serialised_validates() {
    let mut s: Scenario = load_str(MINIMAL, "minimal.toml", &[]).expect("minimal scenario");
    s.mechanisms = Mechanisms::all_default();
    let resolved = toml_to_json(&s.to_toml());
    let found = errors(&validator(), &resolved);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

const MINIMAL: &str = r#"
name = "minimal"
[product]
price = 99.0
unit_cost = 40.0
order_value = { dist = "lognormal", median = 100, sigma = 0.6 }
[population]
buyers = 2000
[population.groups]
count = 2
[mechanisms.influencers]
enabled = false
split = { micro = 0.7, macro = 0.3 }
[mechanisms.red_packets.schedule]
time = "21:00"
weekdays = ["saturday"]
"#;

/// Asserts that both the schema and the loader accept `text`.
fn both_accept(v: &jsonschema::Validator, text: &str) {
    let found = errors(v, &toml_to_json(text));
    assert!(
        found.is_empty(),
        "schema rejects:\n{text}\n{}",
        found.join("\n")
    );
    if let Err(e) = load_str(text, "case.toml", &[]) {
        panic!("loader rejects:\n{text}\n{e}");
    }
}

/// Asserts that both the schema and the loader reject `text`.
fn both_reject(v: &jsonschema::Validator, text: &str) {
    assert!(!v.is_valid(&toml_to_json(text)), "schema accepts:\n{text}");
    assert!(
        load_str(text, "case.toml", &[]).is_err(),
        "loader accepts:\n{text}"
    );
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let v = validator();
    both_accept(&v, MINIMAL);
    let bad = [
        // Unknown keys, at the top and nested.
        ("name = \"minimal\"", "name = \"minimal\"\nhorizon = 30"),
        ("buyers = 2000", "buyers = 2000\ncustomers = 10"),
        ("time = \"21:00\"", "time = \"21:00\"\nzone = \"UTC\""),
        // Wrong types.
        ("price = 99.0", "price = \"99\""),
        ("buyers = 2000", "buyers = -5"),
        ("buyers = 2000", "buyers = [2000]"),
        // Bad enumeration values.
        ("weekdays = [\"saturday\"]", "weekdays = [\"caturday\"]"),
        ("time = \"21:00\"", "time = \"24:00\""),
        ("time = \"21:00\"", "time = \"9:00\""),
        // Distributions: unknown kind, another kind's parameters, a missing parameter.
        ("dist = \"lognormal\"", "dist = \"cauchy\""),
        ("median = 100, sigma = 0.6", "mean = 120, cv = 0.8"),
        ("median = 100, sigma = 0.6", "median = 100"),
        (
            "median = 100, sigma = 0.6",
            "median = 100, sigma = 0.6, shape = 2",
        ),
        // Renamed fields: `macro` is the key, not the Rust field name.
        ("macro = 0.3", "macro_ = 0.3"),
        ("macro = 0.3", ""),
    ];
    for (from, to) in bad {
        assert!(MINIMAL.contains(from), "{from}");
        both_reject(&v, &MINIMAL.replacen(from, to, 1));
    }
    both_reject(
        &v,
        &format!("{MINIMAL}[mechanisms.red_packets.unknown]\nx = 1\n"),
    );
    both_reject(&v, &format!("{MINIMAL}[mechanisms.lottery]\n"));
}

#[test]
fn every_distribution_kind_is_accepted() {
    let v = validator();
    for dist in [
        "{ dist = \"fixed\", value = 100 }",
        "{ dist = \"uniform\", min = 80, max = 120.5 }",
        "{ dist = \"lognormal\", median = 100, sigma = 0.6 }",
        "{ dist = \"gamma\", mean = 120, shape = 2 }",
        "{ dist = \"pareto\", scale = 50, shape = 2.5 }",
    ] {
        both_accept(
            &v,
            &MINIMAL.replacen(
                "{ dist = \"lognormal\", median = 100, sigma = 0.6 }",
                dist,
                1,
            ),
        );
    }
}

#[test]
fn every_time_the_pattern_accepts_loads() {
    let time_schema = committed()["definitions"]["TimeOfDay"].clone();
    assert_eq!(time_schema["pattern"], TimeOfDay::PATTERN);
    let v = jsonschema::draft7::new(&time_schema).expect("time schema");
    let mut accepted = 0;
    for h in 0..100 {
        for m in 0..100 {
            let text = format!("{h:02}:{m:02}");
            let parses = TimeOfDay::try_from(text.clone()).is_ok();
            assert_eq!(v.is_valid(&json!(text)), parses, "{text}");
            accepted += usize::from(parses);
        }
    }
    assert_eq!(accepted, 24 * 60);
}
