//! Helpers shared by the integration tests: build a plan from scenario text and run it
//! through the public library API.
#![allow(dead_code)]

use promosim::engine::{Plan, RunOptions, run};
use promosim::metrics::TrialResult;
use promosim::scenario::load_str;

/// Builds a plan from scenario text plus `key=value` overrides.
pub fn plan(text: &str, overrides: &[&str]) -> Plan {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let s = load_str(text, "test.toml", &o).unwrap_or_else(|e| panic!("{e}"));
    Plan::new(&s).expect("plan")
}

/// Runs `trials` trials of `plan` under `seed`.
pub fn run_trials(plan: &Plan, trials: u32, seed: u64) -> Vec<TrialResult> {
    run(
        plan,
        RunOptions {
            trials,
            seed,
            threads: None,
        },
        &|| {},
    )
    .expect("run")
}

/// Mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// Reads a shipped scenario file.
pub fn shipped(name: &str) -> String {
    std::fs::read_to_string(format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("scenario file")
}
