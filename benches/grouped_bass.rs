//! The grouped Bass reference workload: throughput in agent-days (buyers × days × trials).
//!
//! - `grouped_bass/reference/{1,2}_threads`: 2,000 trials of
//!   `scenarios/bench_grouped_bass.toml` (10,000 buyers in 40 groups of 250, 90 days, daily
//!   repeat orders) through `engine::run`, i.e. 1.8 billion agent-days per iteration.
//! - `grouped_bass/hetero/{1,2}_threads`: the same with
//!   `scenarios/bench_grouped_bass_hetero.toml` (per-agent `p_i`, `r_i` from Gamma(0.5)).
//! - `grouped_bass_scaling/{10k,100k,1M}`: one trial of the reference workload with 40,
//!   400 and 4,000 groups of 250 (set by overriding `population.groups.count`), on one
//!   thread with a reused workspace: cost per agent-day should not grow with the population.
//!
//! Run with `cargo bench --bench grouped_bass`; criterion prints agent-days per second
//! ("elem/s"). The machine's other load shows up as noise: compare best-of runs.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use promosim::engine::{Arms, Plan, RunOptions, Workspace, run, simulate_trial};
use promosim::scenario::load_file;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const TRIALS: u32 = 2_000;

fn plan(name: &str, overrides: &[String]) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let s = load_file(&path, overrides).expect("scenario");
    Plan::new(&s).expect("plan")
}

/// Buyers × days of one trial (groups have a fixed size, so every trial has the same).
fn agent_days(p: &Plan) -> u64 {
    let mut ws = Workspace::new(p);
    simulate_trial(p, 1, 0, &mut ws).population as u64 * p.scenario.horizon_days as u64
}

fn runs(c: &mut Criterion) {
    let mut g = c.benchmark_group("grouped_bass");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (id, file) in [
        ("reference", "bench_grouped_bass.toml"),
        ("hetero", "bench_grouped_bass_hetero.toml"),
    ] {
        let p = plan(file, &[]);
        g.throughput(Throughput::Elements(agent_days(&p) * TRIALS as u64));
        for threads in [1usize, 2] {
            let opts = RunOptions {
                trials: TRIALS,
                seed: p.scenario.seed,
                threads: Some(threads),
                arms: Arms::CAMPAIGN_ONLY,
            };
            g.bench_function(format!("{id}/{threads}_threads"), |b| {
                b.iter(|| black_box(run(&p, opts, &|| {}).expect("run")))
            });
        }
    }
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("grouped_bass_scaling");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (id, groups) in [("10k", 40), ("100k", 400), ("1M", 4_000)] {
        let p = plan(
            "bench_grouped_bass.toml",
            &[format!("population.groups.count={groups}")],
        );
        g.throughput(Throughput::Elements(agent_days(&p)));
        let mut ws = Workspace::new(&p);
        let mut t = 0u32;
        g.bench_function(id, |b| {
            b.iter(|| {
                t = t.wrapping_add(1);
                black_box(simulate_trial(&p, 1, t, &mut ws))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, runs, scaling);
criterion_main!(benches);
