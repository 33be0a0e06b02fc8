//! The grouped Bass reference workload of issue 7 (`scenarios/bench_grouped_bass.toml` and
//! its heterogeneous variant): the engine's fast paths (geometric jumps thinned against a
//! per-group bound, one geometric draw per repeat order) must give exactly the outcome
//! distribution of the plain model, in which every agent flips a coin every day.
//!
//! Tolerances: a mean over `n` trials has standard error `SE = sd / √n`, with `sd` the
//! sample standard deviation of the per-trial values (divisor `n − 1`). A check allows
//! 3 SE (3 combined SE, `√(SE_a² + SE_b²)`, for a difference of two independent means): a
//! correct implementation falls outside with probability about 0.27% per check. Seeds are
//! fixed, so the tests are deterministic.

mod common;
use common::{mean_se, plan, run_trials, shipped};
use promosim::metrics::TrialResult;
use promosim::rng::{SimRng, stream_rng, trial_key};
use rand::RngExt;
use rand_distr::{Distribution, Gamma};

/// First purchases and repeat orders (all orders after each buyer's first) of each trial.
fn outcomes(results: &[TrialResult]) -> (Vec<f64>, Vec<f64>) {
    let first = results.iter().map(|r| r.first_buyers as f64).collect();
    let repeat = results
        .iter()
        .map(|r| (r.orders - r.first_buyers) as f64)
        .collect();
    (first, repeat)
}

/// Issue 7: over 20,000 trials the mean first purchases are 7840 ± 3 SE (sd ≈ 106) and the
/// mean repeat orders 2744 ± 3 SE (sd ≈ 91).
#[test]
fn reference_workload_means_are_exact() {
    let p = plan(&shipped("bench_grouped_bass.toml"), &[]);
    let n = 20_000;
    let results = run_trials(&p, n, 7);
    assert!(results.iter().all(|r| r.population == 10_000));
    let (first, repeat) = outcomes(&results);
    let (m1, se1) = mean_se(&first);
    let (m2, se2) = mean_se(&repeat);
    let (sd1, sd2) = (se1 * (n as f64).sqrt(), se2 * (n as f64).sqrt());
    eprintln!(
        "first purchases {m1:.2} (SE {se1:.3}, sd {sd1:.1}); repeat orders {m2:.2} (SE {se2:.3}, sd {sd2:.1})"
    );
    assert!(
        (m1 - 7840.0).abs() < 3.0 * se1,
        "first purchases: mean {m1:.2}, SE {se1:.3}, expected 7840"
    );
    assert!(
        (m2 - 2744.0).abs() < 3.0 * se2,
        "repeat orders: mean {m2:.2}, SE {se2:.3}, expected 2744"
    );
    assert!((90.0..125.0).contains(&sd1), "sd of first purchases {sd1}");
    assert!((75.0..110.0).contains(&sd2), "sd of repeat orders {sd2}");
}

/// The heterogeneous model, simulated the plain way: every agent, every day, one coin.
///
/// 40 groups of 250; `p_i = min(1, p·Gamma(k, 1/k))`, `r_i = min(1, r·Gamma(k, 1/k))` drawn
/// for every agent at the start of the trial; each day a non-buyer buys with probability
/// `p_i + q·F_g` (`F_g` its group's buyer share at the start of the day) and an agent that
/// was a buyer at the start of the day orders again with probability `r_i`.
fn plain_trial(rng: &mut SimRng, p: f64, q: f64, r: f64, k: f64) -> (u32, u32) {
    const GROUPS: usize = 40;
    const SIZE: usize = 250;
    let gamma = Gamma::new(k, 1.0 / k).unwrap();
    let pi: Vec<f64> = (0..GROUPS * SIZE)
        .map(|_| (p * gamma.sample(rng)).min(1.0))
        .collect();
    let ri: Vec<f64> = (0..GROUPS * SIZE)
        .map(|_| (r * gamma.sample(rng)).min(1.0))
        .collect();
    let mut buyer = vec![false; GROUPS * SIZE];
    let mut group_buyers = [0u32; GROUPS];
    let (mut first, mut repeat) = (0u32, 0u32);
    for _day in 0..90 {
        let start = group_buyers;
        for g in 0..GROUPS {
            let f = start[g] as f64 / SIZE as f64;
            for i in g * SIZE..(g + 1) * SIZE {
                if buyer[i] {
                    if rng.random::<f64>() < ri[i] {
                        repeat += 1;
                    }
                } else if rng.random::<f64>() < pi[i] + q * f {
                    buyer[i] = true;
                    group_buyers[g] += 1;
                    first += 1;
                }
            }
        }
    }
    (first, repeat)
}

/// Issue 7: the heterogeneous variant's outcome means match a plain per-agent, per-day
/// simulation of the same model within 3 combined standard errors (2,000 trials each).
#[test]
fn heterogeneous_variant_matches_a_plain_simulation() {
    let p = plan(&shipped("bench_grouped_bass_hetero.toml"), &[]);
    let s = &p.scenario;
    let (bp, bq) = (s.behaviour.organic.bass_p, s.behaviour.organic.bass_q);
    let rep = &s.behaviour.repurchase;
    let r = rep.daily_probability.unwrap();
    let k = rep.daily_probability_shape.unwrap();
    assert_eq!(
        s.population.traits.organic_shape,
        Some(k),
        "same shape for p_i and r_i"
    );
    let n = 2_000;
    let (e_first, e_repeat) = outcomes(&run_trials(&p, n, 3));
    let (mut r_first, mut r_repeat) = (Vec::new(), Vec::new());
    for t in 0..n {
        let mut rng = stream_rng(trial_key(0xB055, t as u64), 1);
        let (f, rr) = plain_trial(&mut rng, bp, bq, r, k);
        r_first.push(f as f64);
        r_repeat.push(rr as f64);
    }
    for (what, e, plain) in [
        ("first purchases", &e_first, &r_first),
        ("repeat orders", &e_repeat, &r_repeat),
    ] {
        let (me, se_e) = mean_se(e);
        let (mr, se_r) = mean_se(plain);
        let se = (se_e * se_e + se_r * se_r).sqrt();
        eprintln!("{what}: engine {me:.2} (SE {se_e:.3}), plain {mr:.2} (SE {se_r:.3})");
        assert!(
            (me - mr).abs() < 3.0 * se,
            "{what}: engine {me:.2} vs plain {mr:.2}, combined SE {se:.3}"
        );
    }
}
