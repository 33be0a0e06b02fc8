//! The engine's fast paths against the general paths ([`Paths::general`]), on the
//! benchmark scenarios and variants of them that take each path.
//!
//! - **Bit for bit** where the design promises the same draws: lean first orders are the
//!   general first-order function with constant arguments, and plain bookings the full
//!   booking's arithmetic when nothing is drawn, so whole trial results (every count, every
//!   float's bits, the daily series) must be identical; and the aggregate organic step
//!   counts the candidates of the pool walk's own thinning walk, so while every hazard is at
//!   most `thinning::DENSE_ABOVE` the daily first-buyer series must be identical.
//! - **In distribution** where the paths draw different numbers: aggregate counts and
//!   pooled repeats against per-buyer schedules, innovation days against class walks, and
//!   lazy group walks (candidates only) against eager ones (a coin per member). A
//!   mean over `n` trials has standard error `SE = sd / √n` (`sd` the sample standard
//!   deviation, divisor `n − 1`); two independent means must differ by less than 4
//!   combined SE, `4 · √(SE_a² + SE_b²)`, which a correct implementation exceeds with
//!   probability about 6e-5 per check. Each metric is checked in mean and in variance
//!   (the latter against 4 combined standard errors of the sample variance,
//!   `SE(s²) ≈ √((m4 − s⁴) / n)` with `m4` the fourth central moment, which holds for
//!   skewed and nearly constant columns too). Seeds are fixed, so the tests are
//!   deterministic.

mod common;
use common::{mean_se, plan, run_trials, shipped};
use promosim::engine::{Arms, Plan, RunOptions, run};
use promosim::results::TrialResult;
use promosim::thinning::Walks;
use promosim::world::plan::{Booking, FirstOrders, OrganicPath, Paths, RepeatPath};

/// A trial result with every float as its bits, for exact comparison.
fn bits(r: &TrialResult) -> String {
    format!(
        "{} {} {} {} {} {} {} {} {:x} {:x} {:x} {:x} {:x} {:?} {:?} {:?}",
        r.trial,
        r.population,
        r.members,
        r.campaign.member_first_buyers,
        r.campaign.buyers_3plus,
        r.campaign.first_buyers,
        r.campaign.repeat_buyers,
        r.campaign.orders,
        r.campaign.revenue.to_bits(),
        r.campaign.gross_margin.to_bits(),
        r.campaign.cost.to_bits(),
        r.campaign.days_to_second.to_bits(),
        r.clv.to_bits(),
        r.kpis.iter().map(|k| k.to_bits()).collect::<Vec<_>>(),
        r.daily_first_buyers,
        r.daily_orders,
    )
}

/// `plan` with `paths` instead of its chosen ones.
fn with_paths(plan: &Plan, paths: Paths) -> Plan {
    let mut p = plan.clone();
    p.world.use_paths(paths);
    p
}

/// `plan` on the general paths.
fn general(plan: &Plan) -> Plan {
    with_paths(plan, Paths::general(&plan.world.facts))
}

/// Asserts that two runs' trial results are identical, bit for bit.
fn assert_identical(what: &str, a: &[TrialResult], b: &[TrialResult]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(bits(x), bits(y), "{what}: trial {}", x.trial);
    }
}

/// Asserts that two samples agree in mean and variance within 4 combined standard errors
/// (see the module docs).
fn assert_same_law(what: &str, a: &[f64], b: &[f64]) {
    assert_same_law_within(what, a, b, 4.0);
}

/// Asserts that two samples agree in mean and in variance within `z` combined standard
/// errors (a constant column must be the same constant in both). The variance's standard
/// error is estimated from the sample's fourth central moment, `√((m4 − s⁴) / n)`, which
/// holds for skewed and nearly constant columns (a rare event's count) where the normal
/// approximation of the sd's error does not.
fn assert_same_law_within(what: &str, a: &[f64], b: &[f64], z: f64) {
    let (ma, sa) = mean_se(a);
    let (mb, sb) = mean_se(b);
    let tol = z * (sa * sa + sb * sb).sqrt();
    assert!(
        (ma - mb).abs() <= tol,
        "{what}: mean {ma} vs {mb} (tolerance {tol})"
    );
    let (va, se_a) = variance_se(a);
    let (vb, se_b) = variance_se(b);
    let tol = z * (se_a * se_a + se_b * se_b).sqrt();
    assert!(
        (va - vb).abs() <= tol.max(1e-12),
        "{what}: variance {va} vs {vb} (tolerance {tol})"
    );
}

/// The sample variance (divisor `n − 1`) and its standard error `√((m4 − s⁴) / n)`.
fn variance_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n;
    (v, ((m4 - v * v).max(0.0) / n).sqrt())
}

/// The outcomes compared in distribution: first buyers, first buyers by day 30, repeat
/// orders, repeat buyers, buyers with three or more orders, and the days from the first
/// to the second order summed over repeat buyers.
fn outcomes(rs: &[TrialResult]) -> [(&'static str, Vec<f64>); 6] {
    let col = |f: &dyn Fn(&TrialResult) -> f64| rs.iter().map(f).collect::<Vec<_>>();
    [
        ("first buyers", col(&|r| r.campaign.first_buyers as f64)),
        (
            "first buyers by day 30",
            col(&|r| r.daily_first_buyers[29] as f64),
        ),
        (
            "repeat orders",
            col(&|r| (r.campaign.orders - r.campaign.first_buyers) as f64),
        ),
        ("repeat buyers", col(&|r| r.campaign.repeat_buyers as f64)),
        (
            "buyers with 3+ orders",
            col(&|r| r.campaign.buyers_3plus as f64),
        ),
        (
            "days to the second order",
            col(&|r| r.campaign.days_to_second),
        ),
    ]
}

fn assert_same_outcomes(what: &str, a: &[TrialResult], b: &[TrialResult]) {
    for ((name, x), (_, y)) in outcomes(a).iter().zip(outcomes(b).iter()) {
        assert_same_law(&format!("{what}, {name}"), x, y);
    }
}

fn bench(name: &str, sets: &[&str]) -> Plan {
    plan(&shipped(name), sets)
}

/// Lean first orders and plain bookings against general first orders and full bookings,
/// on every repeat path that books first orders per buyer: identical trial results.
#[test]
fn lean_first_orders_equal_general_first_orders_bit_for_bit() {
    let grouped = shipped("bench_grouped_bass.toml");
    // The reference benchmark under BG/NBD (its daily keys are rejected there).
    let bgnbd = format!(
        "{}[behaviour.repurchase]\nmodel = \"bgnbd\"\n",
        &grouped[..grouped
            .find("[behaviour.repurchase]")
            .expect("repurchase table")]
    );
    let cases = [
        // Innovation days, per-buyer daily repeats (the heterogeneous benchmark).
        (
            "hetero",
            shipped("bench_grouped_bass_hetero.toml"),
            vec![],
            RepeatPath::Daily,
        ),
        // Innovation days, pooled repeats.
        (
            "reference, organic_shape 0.5",
            grouped.clone(),
            vec!["population.traits.organic_shape=0.5"],
            RepeatPath::Pooled,
        ),
        // Pool walks, per-buyer daily repeats with dropout.
        (
            "reference, daily_probability_shape 2",
            grouped.clone(),
            vec![
                "behaviour.repurchase.daily_probability_shape=2.0",
                "behaviour.repurchase.daily_dropout=0.2",
            ],
            RepeatPath::Daily,
        ),
        // Pool walks, BG/NBD.
        ("reference, BG/NBD", bgnbd, vec![], RepeatPath::Bgnbd),
    ];
    for (what, text, sets, repeat) in cases {
        let fast = plan(&text, &sets);
        let paths = fast.world.paths;
        assert_eq!(paths.repeat, repeat, "{what}");
        assert_eq!(
            (paths.first_orders, paths.booking),
            (FirstOrders::Lean, Booking::Plain)
        );
        let slow = with_paths(
            &fast,
            Paths {
                first_orders: FirstOrders::General,
                booking: Booking::Full,
                ..paths
            },
        );
        assert_identical(what, &run_trials(&fast, 60, 5), &run_trials(&slow, 60, 5));
    }
}

/// With mechanisms (general first orders), plain bookings against full bookings:
/// identical trial results, mechanisms' KPIs included (the mechanism benchmark with
/// sound products, so that orders are plain).
#[test]
fn plain_bookings_equal_full_bookings_bit_for_bit() {
    let sound = [
        "product.defect_rate=0.0",
        "product.packaging_damage_rate=0.0",
        "product.variant_error_rate=0.0",
    ];
    let fast = bench("bench_reference.toml", &sound);
    assert_eq!(fast.world.paths.first_orders, FirstOrders::General);
    assert_eq!(fast.world.paths.booking, Booking::Plain);
    let slow = with_paths(
        &fast,
        Paths {
            booking: Booking::Full,
            ..fast.world.paths
        },
    );
    assert_identical(
        "bench_reference",
        &run_trials(&fast, 8, 3),
        &run_trials(&slow, 8, 3),
    );
}

/// Aggregate counts against pool walks with pooled repeats (the reference benchmark,
/// every hazard below 0.06): the same organic draws, so the same daily first buyers in
/// every trial; repeats are drawn differently (counts against placed orders) and agree in
/// distribution. Then against the general paths (per-buyer daily schedules, general first
/// orders), with dropout: in distribution. 2,000 trials each.
#[test]
fn aggregate_counts_equal_per_agent_paths() {
    let agg = bench("bench_grouped_bass.toml", &[]);
    assert_eq!(agg.world.paths.organic, OrganicPath::Aggregate);
    let walk = with_paths(
        &agg,
        Paths {
            organic: OrganicPath::PoolWalk,
            repeat: RepeatPath::Pooled,
            ..agg.world.paths
        },
    );
    let n = 2_000;
    let (a, w) = (run_trials(&agg, n, 21), run_trials(&walk, n, 21));
    for (x, y) in a.iter().zip(&w) {
        assert_eq!(
            x.daily_first_buyers, y.daily_first_buyers,
            "trial {}",
            x.trial
        );
    }
    assert_same_outcomes("aggregate vs pooled", &a, &w);

    let sets = [
        "behaviour.repurchase.daily_probability=0.05",
        "behaviour.repurchase.daily_dropout=0.3",
    ];
    let agg = bench("bench_grouped_bass.toml", &sets);
    assert_eq!(agg.world.paths.repeat, RepeatPath::Aggregate);
    let slow = general(&agg);
    assert_eq!(slow.world.paths.repeat, RepeatPath::Daily);
    let (a, s) = (run_trials(&agg, n, 22), run_trials(&slow, n, 23));
    assert_same_outcomes("aggregate vs general, dropout", &a, &s);
}

/// Innovation days against class walks (the heterogeneous benchmark), and innovation days
/// with pooled repeats against the general paths: in distribution, 2,000 trials each.
#[test]
fn innovation_days_equal_class_walks() {
    let fast = bench("bench_grouped_bass_hetero.toml", &[]);
    assert_eq!(fast.world.paths.organic, OrganicPath::InnovationDays);
    let slow = with_paths(
        &fast,
        Paths {
            organic: OrganicPath::ClassWalk,
            ..fast.world.paths
        },
    );
    let n = 2_000;
    let (f, s) = (run_trials(&fast, n, 31), run_trials(&slow, n, 32));
    assert_same_outcomes("innovation days vs class walks", &f, &s);

    let fast = bench(
        "bench_grouped_bass.toml",
        &["population.traits.organic_shape=0.5"],
    );
    assert_eq!(
        (fast.world.paths.organic, fast.world.paths.repeat),
        (OrganicPath::InnovationDays, RepeatPath::Pooled)
    );
    let slow = general(&fast);
    let (f, s) = (run_trials(&fast, n, 33), run_trials(&slow, n, 34));
    assert_same_outcomes("innovation days, pooled vs general", &f, &s);
}

/// `trials` campaign-only trials of `plan` under `seed`.
fn campaign_trials(plan: &Plan, trials: u32, seed: u64) -> Vec<TrialResult> {
    let opts = RunOptions {
        trials,
        seed,
        threads: None,
        arms: Arms::CAMPAIGN_ONLY,
    };
    run(plan, opts, &|| {}).expect("run")
}

/// Lazy group walks (only the candidates of a bound are visited) against eager ones (every
/// member flips its own coin), on small versions of the shipped scenarios whose group events
/// take every walk: every mechanism together, and the designed variants of the group
/// mechanisms. Different draws, so compared in distribution: the outcomes and every KPI
/// column (each mechanism's own), 1,000 trials each. With about 150 columns in all, each
/// checked in mean and sd, the per-check tolerance is 5 combined standard errors
/// (two-sided normal tail 5.7e-7, so about 2e-4 for the whole test under the null) rather
/// than the module's 4.
#[test]
fn lazy_walks_equal_eager_walks_in_distribution() {
    let small = [
        "population.buyers=2000",
        "population.groups.count=6",
        "population.groups.size={ dist = \"fixed\", value = 150 }",
    ];
    for (k, name) in [
        "full_campaign.toml",
        "proofs_designed.toml",
        "red_packets_designed.toml",
        "qa_hours.toml",
        "votes_designed.toml",
    ]
    .iter()
    .enumerate()
    {
        let lazy = bench(name, &small);
        assert_eq!(lazy.world.paths.walks, Walks::Lazy);
        let eager = with_paths(
            &lazy,
            Paths {
                walks: Walks::Eager,
                ..lazy.world.paths
            },
        );
        let n = 1_000;
        let seed = 40 + 2 * k as u64;
        let (l, e) = (
            campaign_trials(&lazy, n, seed),
            campaign_trials(&eager, n, seed + 1),
        );
        for ((what, x), (_, y)) in outcomes(&l).iter().zip(outcomes(&e).iter()) {
            assert_same_law_within(&format!("{name} lazy vs eager, {what}"), x, y, 5.0);
        }
        for (c, kpi) in lazy.kpi_names().iter().enumerate() {
            // A ratio KPI is undefined (NaN) in trials without its denominator: compared
            // as the share of such trials, then over the trials where it is defined.
            let undefined = |rs: &[TrialResult]| {
                let v = rs.iter().map(|r| r.kpis[c].is_nan() as u8 as f64);
                v.collect::<Vec<_>>()
            };
            let defined = |rs: &[TrialResult]| {
                let v = rs.iter().map(|r| r.kpis[c]).filter(|x| !x.is_nan());
                v.collect::<Vec<_>>()
            };
            let what = format!("{name} lazy vs eager, {kpi}");
            assert_same_law_within(&what, &undefined(&l), &undefined(&e), 5.0);
            let (dl, de) = (defined(&l), defined(&e));
            if dl.len().min(de.len()) >= 30 {
                assert_same_law_within(&what, &dl, &de, 5.0);
            }
        }
    }
}

/// Paths that cannot simulate a scenario are refused.
#[test]
#[should_panic(expected = "cannot simulate")]
fn unsupported_paths_are_refused() {
    let p = bench("bench_grouped_bass_hetero.toml", &[]);
    let paths = Paths {
        organic: OrganicPath::PoolWalk,
        ..p.world.paths
    };
    with_paths(&p, paths);
}
