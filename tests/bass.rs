//! Organic demand and repurchase with every mechanism off: the discrete Bass model,
//! BG/NBD and Pareto/NBD, checked against their closed forms.

mod common;
use common::{mean_se, plan, run_trials, shipped};
use promosim::behaviour::{bgnbd_expected_repeats, paretonbd_expected_repeats};
use promosim::rng::{SimRng, stream_rng};
use rand::RngExt;
use rand_distr::{Distribution, Gamma};

/// The Bass scenario's mean adoption curve follows the mean-field recursion
/// F(t+1) = F(t) + (1 − F(t))(p + q F(t)).
///
/// Tolerance: on each day the trial mean of F has standard error SE_t = sd_t / √200
/// (about 0.001 at the steepest point). The check allows 4·SE_t (a correct implementation
/// falls outside with probability ~6e-5 per day; the seed is fixed, so the test is
/// deterministic) plus 2e-4 for the finite-population bias of the mean, which is of order
/// q·Var(F) summed over days (Var(F) < 3e-6 here). The bound, 0.005, must hold too.
#[test]
fn bass_mean_adoption_follows_the_recursion() {
    let p = plan(&shipped("bass.toml"), &[]);
    let s = &p.scenario;
    let (bp, bq) = (s.behaviour.organic.bass_p, s.behaviour.organic.bass_q);
    let n = s.population.buyers as f64;
    let results = run_trials(&p, 200, s.seed);
    let mut f = 0.0f64;
    let mut worst = 0.0f64;
    for day in 0..s.horizon_days as usize {
        f += (1.0 - f) * (bp + bq * f);
        let xs: Vec<f64> = results
            .iter()
            .map(|r| r.daily_first_buyers[day] as f64 / n)
            .collect();
        let (m, se) = mean_se(&xs);
        let dev = (m - f).abs();
        assert!(
            dev < 4.0 * se + 2e-4,
            "day {day}: mean {m:.5} vs recursion {f:.5} (SE {se:.5})"
        );
        worst = worst.max(dev);
    }
    assert!(worst < 0.005, "largest deviation {worst}");
    assert!(
        f > 0.5,
        "the scenario should show the whole S-curve, F(90) = {f}"
    );
}

/// Thinning with heterogeneous innovation rates is exact: the engine's mean adoption
/// matches a plain per-agent, per-day simulation of the same model.
///
/// Model: one pool of 2,000 buyers, p_i = p·Gamma(0.5, 2), q = 0.05, 60 days. The reference
/// flips a coin for every non-buyer every day. Both means are over 400 independent trials;
/// the check allows 4 standard errors of the difference of two independent means.
#[test]
fn heterogeneous_thinning_matches_per_agent_simulation() {
    let text = "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 2000\n\
                [population.traits]\norganic_shape = 0.5\n[behaviour.organic]\nbass_p = 0.002\nbass_q = 0.05\n";
    let p = plan(text, &["horizon_days=60"]);
    let engine: Vec<f64> = run_trials(&p, 400, 11)
        .iter()
        .map(|r| r.campaign.first_buyers as f64)
        .collect();

    let gamma: Gamma<f64> = Gamma::new(0.5, 2.0).unwrap();
    let reference: Vec<f64> = (0..400u64)
        .map(|t| {
            let mut rng: SimRng = stream_rng(0xBA55, t);
            let ps: Vec<f64> = (0..2000)
                .map(|_| (0.002 * gamma.sample(&mut rng)).min(1.0))
                .collect();
            let mut bought = vec![false; 2000];
            let mut count = 0usize;
            for _ in 0..60 {
                let f = count as f64 / 2000.0;
                let mut new = 0;
                for i in 0..2000 {
                    if !bought[i] && rng.random::<f64>() < (ps[i] + 0.05 * f).min(1.0) {
                        bought[i] = true;
                        new += 1;
                    }
                }
                count += new;
            }
            count as f64
        })
        .collect();
    let (me, se_e) = mean_se(&engine);
    let (mr, se_r) = mean_se(&reference);
    let se = (se_e * se_e + se_r * se_r).sqrt();
    assert!(
        (me - mr).abs() < 4.0 * se,
        "engine {me:.1} vs per-agent {mr:.1} (SE {se:.2})"
    );
}

/// Per trial, repeat orders minus their expectation `Σ E[X(T − t0)]` over the trial's
/// buyers (first orders at mid-day of day `t0`, `expected_for(t)` the expected repeat
/// orders of a buyer over `t` days): the trial means and their standard error, and the
/// mean repeat orders per trial. The trials are independent, so the mean's standard error
/// is the trials' standard deviation over √trials.
fn repeats_minus_expected(
    text: &str,
    expected_for: impl Fn(&promosim::settings::Repurchase, f64) -> f64,
) -> (f64, f64, f64) {
    let p = plan(text, &[]);
    let rp = &p.scenario.behaviour.repurchase;
    let horizon = p.scenario.horizon_days as usize;
    let results = run_trials(&p, 300, 5);
    let diffs: Vec<f64> = results
        .iter()
        .map(|r| {
            let mut expected = 0.0;
            let mut prev = 0;
            for d in 0..horizon {
                let new = r.daily_first_buyers[d] - prev;
                prev = r.daily_first_buyers[d];
                expected += new as f64 * expected_for(rp, horizon as f64 - d as f64 - 0.5);
            }
            (r.campaign.orders - r.campaign.first_buyers) as f64 - expected
        })
        .collect();
    let (m, se) = mean_se(&diffs);
    let total: f64 = results
        .iter()
        .map(|r| (r.campaign.orders - r.campaign.first_buyers) as f64)
        .sum::<f64>()
        / 300.0;
    (m, se, total)
}

/// A market of 5,000 buyers with no defects (neutral experience) and this repurchase block.
fn repurchase_market(repurchase: &str) -> String {
    format!(
        "[product]\nprice = 10.0\nunit_cost = 4.0\ndefect_rate = 0.0\nvariant_error_rate = 0.0\n\
         packaging_damage_rate = 0.0\n[population]\nbuyers = 5000\n[behaviour.organic]\nbass_p = 0.01\nbass_q = 0.02\n\
         [behaviour.repurchase]\n{repurchase}"
    )
}

/// Repeat orders follow BG/NBD: with a neutral experience (no defects), a buyer whose first
/// order is at time t0 makes on average E[X(T − t0)] repeat orders (Fader, Hardie & Lee
/// 2005, eq. 9). Per trial the expectation is summed over that trial's buyers (first orders
/// are at mid-day); the test compares the trial means of (observed − expected) with zero,
/// allowing 4 standard errors.
#[test]
fn repeat_orders_follow_bgnbd() {
    let text = repurchase_market("r = 0.8\nalpha = 20.0\na = 1.5\nb = 4.0\n");
    let (m, se, total) = repeats_minus_expected(&text, |rp, t| {
        bgnbd_expected_repeats(rp.r, rp.alpha, rp.a, rp.b, t)
    });
    assert!(total > 500.0, "enough repeat orders to test: {total}");
    assert!(
        m.abs() < 4.0 * se,
        "observed − expected repeats: {m:.2} (SE {se:.2}), of {total:.0}"
    );
}

/// Repeat orders follow Pareto/NBD: with a neutral experience, a buyer whose first order is
/// at time t0 makes on average E[X(T − t0)] = rβ/(α(s−1)) · [1 − (β/(β+T−t0))^{s−1}] repeat
/// orders (Schmittlein, Morrison & Colombo 1987), compared as for BG/NBD. 4 standard errors
/// leave a false alarm with probability about 6e-5 for an exact engine, while an error of
/// a few percent in the order count (a lifetime drawn at the wrong rate, orders after it)
/// is tens of standard errors.
#[test]
fn repeat_orders_follow_paretonbd() {
    let text =
        repurchase_market("model = \"paretonbd\"\nr = 0.8\nalpha = 20.0\ns = 1.5\nbeta = 40.0\n");
    let (m, se, total) = repeats_minus_expected(&text, |rp, t| {
        let (s, beta) = (rp.s.expect("s"), rp.beta.expect("beta"));
        paretonbd_expected_repeats(rp.r, rp.alpha, s, beta, t)
    });
    assert!(total > 500.0, "enough repeat orders to test: {total}");
    assert!(
        m.abs() < 4.0 * se,
        "observed − expected repeats: {m:.2} (SE {se:.2}), of {total:.0}"
    );
}

/// The closed form's limits: at s = 1 it is the continuous limit (rβ/α)·ln(1 + t/β); for
/// long lifetimes (β → ∞ with s fixed, so μ → 0) it tends to the pure Poisson count r·t/α.
#[test]
fn paretonbd_closed_form_limits() {
    let at_one = paretonbd_expected_repeats(0.5, 10.0, 1.0, 30.0, 60.0);
    assert!((at_one - 0.5 * 30.0 / 10.0 * 3f64.ln()).abs() < 1e-12);
    let near = paretonbd_expected_repeats(0.5, 10.0, 1.0 + 1e-7, 30.0, 60.0);
    assert!((near - at_one).abs() < 1e-6);
    let poisson = paretonbd_expected_repeats(0.5, 10.0, 2.0, 1e12, 60.0);
    assert!((poisson - 0.5 * 60.0 / 10.0).abs() < 1e-6, "{poisson}");
}
