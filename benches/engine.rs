//! Throughput benchmarks.
//!
//! - `trial/bench_reference`: one trial of `scenarios/bench_reference.toml` (≈114,000 buyers,
//!   90 days, review program) on one thread with a reused workspace; throughput in
//!   agent-days (buyers × days), so criterion reports agent-days per second.
//! - `trial/bass_10k`: one trial of the Bass scenario (10,000 buyers, no mechanism).
//! - `trial/bench_groups`: one trial of `scenarios/bench_groups.toml` (200 chat groups of
//!   200–500 members, designed red packets and Q&A hours together).
//! - `campaign/full_campaign`: one trial of `scenarios/full_campaign.toml` (every
//!   mechanism on 200 chat groups of 200–500 members plus 100,000 buyers outside them,
//!   90 days) on one thread; throughput in agent-days. 10 samples over 20 s: a trial
//!   takes about a second.
//! - `run/quickstart`: the quickstart's 200 trials on all cores; throughput in trials.
//! - `campaign_run/full_campaign_1000_trials_2_threads`: the planners' workload, 1,000
//!   trials of `full_campaign` with their no-campaign worlds (what `promosim run` does by
//!   default) through `engine::run` on 2 worker threads; throughput in trials. Long (10 samples of a whole run, minutes each), so it runs only with
//!   `PROMOSIM_LONG_BENCH=1` in the environment.
//!
//! Run with `cargo bench`; figures go in docs/performance.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use promosim::engine::{Arms, Plan, RunOptions, Workspace, run, simulate_trial};
use promosim::scenario::load_file;
use std::hint::black_box;
use std::path::Path;

fn plan(name: &str) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let s = load_file(&path, &[]).expect("scenario");
    Plan::new(&s).expect("plan")
}

fn trials(c: &mut Criterion) {
    let mut g = c.benchmark_group("trial");
    for (id, file) in [
        ("bench_reference", "bench_reference.toml"),
        ("bass_10k", "bass.toml"),
        ("bench_groups", "bench_groups.toml"),
    ] {
        let p = plan(file);
        let mut ws = Workspace::new(&p);
        // Agent-days of one trial (population varies slightly with group sizes: use trial 0's).
        let agents = simulate_trial(&p, 1, 0, &mut ws).population as u64;
        g.throughput(Throughput::Elements(
            agents * p.scenario.horizon_days as u64,
        ));
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

fn campaign(c: &mut Criterion) {
    let p = plan("full_campaign.toml");
    let mut ws = Workspace::new(&p);
    let agents = simulate_trial(&p, 1, 0, &mut ws).population as u64;
    let mut g = c.benchmark_group("campaign");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(20));
    g.throughput(Throughput::Elements(
        agents * p.scenario.horizon_days as u64,
    ));
    let mut t = 0u32;
    g.bench_function("full_campaign", |b| {
        b.iter(|| {
            t = t.wrapping_add(1);
            black_box(simulate_trial(&p, 1, t, &mut ws))
        })
    });
    g.finish();
}

fn runs(c: &mut Criterion) {
    let p = plan("quickstart.toml");
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    g.throughput(Throughput::Elements(p.scenario.trials as u64));
    g.bench_function("quickstart", |b| {
        b.iter(|| {
            let opts = RunOptions {
                trials: p.scenario.trials,
                seed: p.scenario.seed,
                threads: None,
                arms: Arms::CAMPAIGN_ONLY,
            };
            black_box(run(&p, opts, &|| {}).expect("run"))
        })
    });
    g.finish();
}

fn campaign_run(c: &mut Criterion) {
    if std::env::var_os("PROMOSIM_LONG_BENCH").is_none() {
        return;
    }
    let p = plan("full_campaign.toml");
    let trials = 1000;
    let mut g = c.benchmark_group("campaign_run");
    g.sample_size(10);
    g.sampling_mode(criterion::SamplingMode::Flat);
    g.throughput(Throughput::Elements(trials as u64));
    g.bench_function("full_campaign_1000_trials_2_threads", |b| {
        b.iter(|| {
            let opts = RunOptions {
                trials,
                seed: p.scenario.seed,
                threads: Some(2),
                arms: Arms::default(),
            };
            black_box(run(&p, opts, &|| {}).expect("run"))
        })
    });
    g.finish();
}

criterion_group!(benches, trials, campaign, runs, campaign_run);
criterion_main!(benches);
