//! The grouped Bass reference workload (`scenarios/bench_grouped_bass.toml` and
//! its heterogeneous variant): the engine's fast paths (geometric jumps thinned against a
//! per-group bound, counts of exchangeable agents, innovation days drawn up front, one
//! geometric draw per repeat order) must give exactly the outcome distribution of the plain
//! model, in which every agent flips a coin every day.
//!
//! Tolerances: a mean over `n` trials has standard error `SE = sd / √n`, with `sd` the
//! sample standard deviation of the per-trial values (divisor `n − 1`). A check allows
//! 3 SE (3 combined SE, `√(SE_a² + SE_b²)`, for a difference of two independent means): a
//! correct implementation falls outside with probability about 0.27% per check. Seeds are
//! fixed, so the tests are deterministic.

mod common;
use common::{mean_se, plan, run_trials, shipped};
use promosim::results::TrialResult;
use promosim::rng::{SimRng, stream_rng, trial_key};
use promosim::world::plan::{OrganicPath, Paths};
use rand::RngExt;
use rand_distr::{Distribution, Gamma};

/// First purchases and repeat orders (all orders after each buyer's first) of each trial.
fn outcomes(results: &[TrialResult]) -> (Vec<f64>, Vec<f64>) {
    let first = results
        .iter()
        .map(|r| r.campaign.first_buyers as f64)
        .collect();
    let repeat = results
        .iter()
        .map(|r| (r.campaign.orders - r.campaign.first_buyers) as f64)
        .collect();
    (first, repeat)
}

/// Repeat buyers (buyers with two or more orders) of each trial.
fn repeat_buyers(results: &[TrialResult]) -> Vec<f64> {
    results
        .iter()
        .map(|r| r.campaign.repeat_buyers as f64)
        .collect()
}

/// Over 20,000 trials the mean first purchases are 7840 ± 3 SE (sd ≈ 106) and the
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

/// The model, simulated the plain way: every agent, every day, one coin.
///
/// `groups` groups of 250, `days` days; with `shape = Some(k)`, `p_i = min(1, p·Gamma(k, 1/k))`
/// and `r_i = min(1, r·Gamma(k, 1/k))` are drawn for every agent at the start of the trial
/// (`None`: everyone has `p` and `r`). Each day a non-buyer buys with probability
/// `p_i + q·F_g` (`F_g` its group's buyer share at the start of the day) and an agent that
/// was an active buyer at the start of the day orders again with probability `r_i`, then
/// drops out for good with probability `dropout`.
fn plain_trial(
    rng: &mut SimRng,
    groups: usize,
    days: u32,
    (p, q, r): (f64, f64, f64),
    shape: Option<f64>,
    dropout: f64,
) -> (u32, u32, u32) {
    const SIZE: usize = 250;
    let n = groups * SIZE;
    let (pi, ri): (Vec<f64>, Vec<f64>) = match shape {
        Some(k) => {
            let gamma = Gamma::new(k, 1.0 / k).unwrap();
            let pi = (0..n).map(|_| (p * gamma.sample(rng)).min(1.0)).collect();
            let ri = (0..n).map(|_| (r * gamma.sample(rng)).min(1.0)).collect();
            (pi, ri)
        }
        None => (vec![p; n], vec![r; n]),
    };
    let mut buyer = vec![false; n];
    let mut dropped = vec![false; n];
    let mut orders = vec![0u32; n];
    let mut group_buyers = vec![0u32; groups];
    let (mut first, mut repeat) = (0u32, 0u32);
    for _day in 0..days {
        let start = group_buyers.clone();
        for g in 0..groups {
            let f = start[g] as f64 / SIZE as f64;
            for i in g * SIZE..(g + 1) * SIZE {
                if buyer[i] {
                    if !dropped[i] && rng.random::<f64>() < ri[i] {
                        repeat += 1;
                        orders[i] += 1;
                        if dropout > 0.0 && rng.random::<f64>() < dropout {
                            dropped[i] = true;
                        }
                    }
                } else if rng.random::<f64>() < pi[i] + q * f {
                    buyer[i] = true;
                    orders[i] = 1;
                    group_buyers[g] += 1;
                    first += 1;
                }
            }
        }
    }
    let repeat_buyers = orders.iter().filter(|&&k| k >= 2).count() as u32;
    (first, repeat, repeat_buyers)
}

/// First purchases, repeat orders and repeat buyers of `n` plain trials.
fn plain_outcomes(
    n: u32,
    seed: u64,
    groups: usize,
    days: u32,
    pqr: (f64, f64, f64),
    shape: Option<f64>,
    dropout: f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (mut first, mut repeat, mut buyers) = (Vec::new(), Vec::new(), Vec::new());
    for t in 0..n {
        let mut rng = stream_rng(trial_key(seed, t as u64), 1);
        let (f, r, b) = plain_trial(&mut rng, groups, days, pqr, shape, dropout);
        first.push(f as f64);
        repeat.push(r as f64);
        buyers.push(b as f64);
    }
    (first, repeat, buyers)
}

/// Asserts that two samples' means differ by less than 3 combined standard errors.
fn assert_same_mean(what: &str, a: &[f64], b: &[f64]) {
    let (ma, se_a) = mean_se(a);
    let (mb, se_b) = mean_se(b);
    let se = (se_a * se_a + se_b * se_b).sqrt();
    eprintln!("{what}: {ma:.2} (SE {se_a:.3}) vs {mb:.2} (SE {se_b:.3})");
    assert!(
        (ma - mb).abs() < 3.0 * se,
        "{what}: {ma:.2} vs {mb:.2}, combined SE {se:.3}"
    );
}

/// The heterogeneous variant's outcome means match a plain per-agent, per-day
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
    let (r_first, r_repeat, _) = plain_outcomes(n, 0xB055, 40, 90, (bp, bq, r), Some(k), 0.0);
    assert_same_mean(
        "hetero first purchases (engine vs plain)",
        &e_first,
        &r_first,
    );
    assert_same_mean(
        "hetero repeat orders (engine vs plain)",
        &e_repeat,
        &r_repeat,
    );
}

/// Daily repeats with dropout after each repeat order: the aggregate path (exchangeable
/// agents: counts only, binomial and hypergeometric draws) and the per-buyer path (forced by
/// a near-degenerate heterogeneity, `Gamma(1e9)` moves `r_i` by about 3e-5 relative) both
/// match the plain simulation in first purchases, repeat orders and repeat buyers.
/// 8 groups of 250, `r = 0.05`, dropout 0.3; 2,000 trials each.
#[test]
fn daily_repeats_with_dropout_match_a_plain_simulation() {
    let text = shipped("bench_grouped_bass.toml");
    let base = [
        "population.groups.count=8",
        "behaviour.repurchase.daily_probability=0.05",
        "behaviour.repurchase.daily_dropout=0.3",
    ];
    let n = 2_000;
    let pooled = plan(&text, &base);
    let mut per_buyer = base.to_vec();
    per_buyer.push("behaviour.repurchase.daily_probability_shape=1e9");
    let per_buyer = plan(&text, &per_buyer);
    let pooled = run_trials(&pooled, n, 5);
    let per_buyer = run_trials(&per_buyer, n, 6);
    let (pf, pr) = outcomes(&pooled);
    let (bf, br) = outcomes(&per_buyer);
    let (rf, rr, rb) = plain_outcomes(n, 0xD0D0, 8, 90, (0.002, 0.05, 0.05), None, 0.3);
    assert_same_mean("first purchases (aggregate vs plain)", &pf, &rf);
    assert_same_mean("repeat orders (aggregate vs plain)", &pr, &rr);
    assert_same_mean(
        "repeat buyers (aggregate vs plain)",
        &repeat_buyers(&pooled),
        &rb,
    );
    assert_same_mean("first purchases (per buyer vs plain)", &bf, &rf);
    assert_same_mean("repeat orders (per buyer vs plain)", &br, &rr);
    assert_same_mean(
        "repeat buyers (per buyer vs plain)",
        &repeat_buyers(&per_buyer),
        &rb,
    );
}

/// Large daily hazards (`p = 0.3`: the organic step counts each pool-day's purchases with one
/// binomial draw instead of jumps) and many repeat orders a day (`r = 0.6`: more than half the
/// alive buyers, so the hypergeometric count is drawn from those who do not order): the
/// aggregate path still matches
/// the plain simulation. 8 groups of 250, 6 days (all would buy in 90), dropout 0.1;
/// 20,000 trials each (3 s).
#[test]
fn aggregate_path_with_large_rates_matches_a_plain_simulation() {
    let p = plan(
        &shipped("bench_grouped_bass.toml"),
        &[
            "population.groups.count=8",
            "horizon_days=6",
            "behaviour.organic.bass_p=0.3",
            "behaviour.repurchase.daily_probability=0.6",
            "behaviour.repurchase.daily_dropout=0.1",
        ],
    );
    let n = 20_000;
    let results = run_trials(&p, n, 8);
    let (ef, er) = outcomes(&results);
    let (rf, rr, rb) = plain_outcomes(n, 0xA66, 8, 6, (0.3, 0.05, 0.6), None, 0.1);
    assert_same_mean("first purchases (aggregate vs plain)", &ef, &rf);
    assert_same_mean("repeat orders (aggregate vs plain)", &er, &rr);
    assert_same_mean(
        "repeat buyers (aggregate vs plain)",
        &repeat_buyers(&results),
        &rb,
    );
}

/// The aggregate path at a million buyers (4,000 groups of 250): the repeat depth's splits
/// run on populations `rand_distr`'s hypergeometric refuses, and its ratios (buyers with
/// three or more orders per first buyer, days to the second order per repeat buyer) agree
/// with 200 trials of the 10,000-buyer workload, whose groups evolve alike. Tolerance: 5
/// combined SE, the small workload's SE of the mean plus the large trial's own spread
/// (its groups are 100 times as many, so its variance is the small trials' over 100).
#[test]
fn aggregate_path_runs_a_million_buyers() {
    let text = shipped("bench_grouped_bass.toml");
    let big = plan(&text, &["population.groups.count=4000"]);
    assert_eq!(big.world.paths.organic, OrganicPath::Aggregate);
    let small = plan(&text, &[]);
    let ratios = |r: &TrialResult| {
        let c = &r.campaign;
        assert!(c.buyers_3plus <= c.repeat_buyers && c.repeat_buyers <= c.first_buyers);
        assert!(c.days_to_second >= c.repeat_buyers as f64);
        assert!(c.days_to_second <= 89.0 * c.repeat_buyers as f64);
        [
            c.buyers_3plus as f64 / c.first_buyers as f64,
            c.days_to_second / c.repeat_buyers as f64,
        ]
    };
    let large = ratios(&run_trials(&big, 1, 3)[0]);
    let smalls: Vec<[f64; 2]> = run_trials(&small, 200, 3).iter().map(ratios).collect();
    for (k, name) in [
        "buyers with 3+ orders per first buyer",
        "days to the second order",
    ]
    .iter()
    .enumerate()
    {
        let xs: Vec<f64> = smalls.iter().map(|r| r[k]).collect();
        let (m, se) = mean_se(&xs);
        let sd = se * (xs.len() as f64).sqrt();
        let tol = 5.0 * (se * se + sd * sd / 100.0).sqrt();
        assert!(
            (large[k] - m).abs() <= tol,
            "{name}: a million buyers {} vs {m} ± {tol}",
            large[k]
        );
    }
}

/// Heterogeneous rates at large hazards, through both engine paths: without mechanisms
/// (each buyer's innovation day drawn up front, a pool-wide imitation walk) and on the
/// general paths mechanisms take (rate-class walks, general first orders).
/// `p̄ = 0.05` and `q = 0.9` with shape 0.5 push `p_i + qF` past 1 for some buyers (the cap
/// at 1 is exercised), `r̄ = 0.2` with dropout 0.1. 8 groups of 250, 8 days; 4,000 trials
/// each (about 2 s).
#[test]
fn heterogeneous_rates_at_large_hazards_match_a_plain_simulation() {
    let sets = [
        "population.groups.count=8",
        "horizon_days=8",
        "behaviour.organic.bass_p=0.05",
        "behaviour.organic.bass_q=0.9",
        "behaviour.repurchase.daily_probability=0.2",
        "behaviour.repurchase.daily_dropout=0.1",
    ];
    let text = shipped("bench_grouped_bass_hetero.toml");
    let clock = plan(&text, &sets);
    assert_eq!(clock.world.paths.organic, OrganicPath::InnovationDays);
    let mut classes = plan(&text, &sets);
    classes
        .world
        .use_paths(Paths::general(&classes.world.facts));
    assert_eq!(classes.world.paths.organic, OrganicPath::ClassWalk);
    let n = 4_000;
    let clock = run_trials(&clock, n, 11);
    let classes = run_trials(&classes, n, 12);
    let (rf, rr, rb) = plain_outcomes(n, 0x4E7, 8, 8, (0.05, 0.9, 0.2), Some(0.5), 0.1);
    for (path, results) in [("innovation days", &clock), ("rate classes", &classes)] {
        let (ef, er) = outcomes(results);
        assert_same_mean(&format!("first purchases ({path} vs plain)"), &ef, &rf);
        assert_same_mean(&format!("repeat orders ({path} vs plain)"), &er, &rr);
        assert_same_mean(
            &format!("repeat buyers ({path} vs plain)"),
            &repeat_buyers(results),
            &rb,
        );
    }
}
