//! Helpers shared by the integration tests: build a plan from scenario text and run it
//! through the public library API.
#![allow(dead_code)]

pub mod invariants;

use promosim::engine::{Arms, Plan, RunOptions, run};
use promosim::results::TrialResult;
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
            arms: Arms::default(),
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

/// Mean and standard error of the paired differences `a_i − b_i` (common random numbers:
/// trial `i` of both arms shares its draws).
pub fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    mean_se(&d)
}

/// The value of KPI column `name` in every trial of `plan`.
pub fn kpi(plan: &Plan, trials: &[TrialResult], name: &str) -> Vec<f64> {
    let k = plan
        .kpi_names()
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no KPI {name}"));
    trials.iter().map(|t| t.kpis[k]).collect()
}

/// Reads a shipped scenario file.
pub fn shipped(name: &str) -> String {
    std::fs::read_to_string(format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("scenario file")
}

/// Spearman rank correlation (average ranks for ties).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            let avg = (i + j) as f64 / 2.0;
            for &k in &idx[i..=j] {
                r[k] = avg;
            }
            i = j + 1;
        }
        r
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx) * (a - mx)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my) * (b - my)).sum();
    cov / (vx * vy).sqrt()
}
