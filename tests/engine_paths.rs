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
//!   pooled repeats against per-buyer schedules, innovation days against class walks. A
//!   mean over `n` trials has standard error `SE = sd / √n` (`sd` the sample standard
//!   deviation, divisor `n − 1`); two independent means must differ by less than 4
//!   combined SE, `4 · √(SE_a² + SE_b²)`, which a correct implementation exceeds with
//!   probability about 6e-5 per check. Each metric is checked in mean and in standard
//!   deviation (the latter against 4 combined standard errors of the sd,
//!   `SE(sd) ≈ sd / √(2(n − 1))`, a normal approximation adequate for these counts). Seeds
//!   are fixed, so the tests are deterministic.

mod common;
use common::{mean_se, plan, run_trials, shipped};
use promosim::engine::Plan;
use promosim::results::TrialResult;
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

/// Asserts that two samples agree in mean and standard deviation within 4 combined
/// standard errors (see the module docs).
fn assert_same_law(what: &str, a: &[f64], b: &[f64]) {
    let (ma, sa) = mean_se(a);
    let (mb, sb) = mean_se(b);
    let tol = 4.0 * (sa * sa + sb * sb).sqrt();
    assert!(
        (ma - mb).abs() < tol,
        "{what}: mean {ma} vs {mb} (tolerance {tol})"
    );
    let sd = |s: f64, n: usize| s * (n as f64).sqrt();
    let (da, db) = (sd(sa, a.len()), sd(sb, b.len()));
    let se_sd = |d: f64, n: usize| d / (2.0 * (n as f64 - 1.0)).sqrt();
    let tol = 4.0 * (se_sd(da, a.len()).powi(2) + se_sd(db, b.len()).powi(2)).sqrt();
    assert!(
        (da - db).abs() < tol.max(1e-9),
        "{what}: sd {da} vs {db} (tolerance {tol})"
    );
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
