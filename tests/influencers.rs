//! Paid influencer collaborations (docs/field-figures.md §2.2): disclosure costs trust,
//! spending stops at the budget, the split is validated, micro posts sell more per unit of
//! fee, and follower count does not predict a blogger's sales.
//!
//! Comparisons run both arms on the same seed (common random numbers: same market, same
//! bloggers, same posts bought) and test the paired per-trial difference: its mean must
//! exceed 4 standard errors of the mean (the 4-SE interval excludes 0; the 95% interval,
//! ±1.96 SE, is printed).

mod common;
use common::{kpi, mean_se, paired, plan, run_trials, shipped, spearman};
use promosim::engine::{Arms, Plan, RunOptions, Workspace, run, simulate_trial};
use promosim::mechanisms::MechanismState;
use promosim::mechanisms::influencers::{self, MACRO, MICRO};
use promosim::results::TrialResult;
use promosim::scenario::load_str;

/// The shipped scenario with a smaller market (30,000 buyers: the bloggers' in-market
/// audiences do not depend on it) so that the suite stays fast.
fn scenario(overrides: &[&str]) -> Plan {
    let mut o = vec!["population.buyers=30000"];
    o.extend_from_slice(overrides);
    plan(&shipped("influencers.toml"), &o)
}

fn sum(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn state(ws: &Workspace) -> &influencers::State {
    ws.mechanisms
        .iter()
        .find_map(|m| match m {
            MechanismState::Influencers(s) => Some(&**s),
            _ => None,
        })
        .expect("influencers enabled")
}

/// A "sponsored" label lowers attributed conversion (attributed orders per engaged view).
#[test]
fn disclosure_lowers_attributed_conversion() {
    let on = scenario(&[]);
    let off = scenario(&["mechanisms.influencers.disclosure=false"]);
    let (a, b) = (run_trials(&on, 100, 11), run_trials(&off, 100, 11));
    let conv = |p: &Plan, rs: &[TrialResult]| -> Vec<f64> {
        let orders = sum(
            &kpi(p, rs, "inf_orders_micro"),
            &kpi(p, rs, "inf_orders_macro"),
        );
        let views = sum(
            &kpi(p, rs, "inf_views_micro"),
            &kpi(p, rs, "inf_views_macro"),
        );
        orders.iter().zip(&views).map(|(o, v)| o / v).collect()
    };
    let (c_on, c_off) = (conv(&on, &a), conv(&off, &b));
    let (d, se) = paired(&c_off, &c_on);
    eprintln!(
        "attributed conversion: disclosed {:.4}, undisclosed {:.4}; undisclosed minus disclosed {d:.4}, 95% CI [{:.4}, {:.4}]",
        mean_se(&c_on).0,
        mean_se(&c_off).0,
        d - 1.96 * se,
        d + 1.96 * se
    );
    assert!(d - 4.0 * se > 0.0, "difference {d} (SE {se})");
}

/// Fees never exceed a tier's budget, and buying stops only when no unbought blogger of the
/// tier fits in what is left; every unit of money booked is a fee, a commission or a prize.
#[test]
fn spending_stops_at_the_budget() {
    for extra in [
        &["mechanisms.influencers.budget=23456.7"][..],
        &[
            "mechanisms.influencers.budget=23456.7",
            "mechanisms.influencers.selection=\"random\"",
            "mechanisms.influencers.giveaway={prize=150,winners=2}",
        ][..],
    ] {
        let p = scenario(extra);
        let mut ws = Workspace::new(&p);
        for t in 0..15 {
            let r = simulate_trial(&p, 5, t, &mut ws);
            let k = |name: &str| kpi(&p, std::slice::from_ref(&r), name)[0];
            let s = state(&ws);
            let plan = s.plan();
            let reserve = plan.prize_reserve();
            let b = &ws.world.pop.bloggers;
            for (tier, key) in [(MICRO, "micro"), (MACRO, "macro")] {
                let fees = k(&format!("inf_fees_{key}"));
                let posts = k(&format!("inf_posts_{key}"));
                let committed = fees + posts * reserve;
                assert!(
                    committed <= plan.tier_budget(tier),
                    "{key}: {committed} committed, budget {}",
                    plan.tier_budget(tier)
                );
                let left = plan.tier_budget(tier) - committed;
                for j in 0..b.len() {
                    if plan.tier_of(b, j) == Some(tier) && !s.posted().contains(&(j as u32)) {
                        let cost = plan.fee(b.followers[j], tier) + reserve;
                        assert!(cost > left, "{key}: blogger {j} costs {cost}, {left} left");
                    }
                }
            }
            let booked = k("inf_fees_micro")
                + k("inf_fees_macro")
                + k("inf_commissions")
                + k("inf_giveaway_cost");
            assert!(
                (r.campaign.cost - booked).abs() < 1e-6,
                "cost {} vs {booked}",
                r.campaign.cost
            );
            assert_eq!(k("inf_cost"), booked);
            assert!(k("inf_budget_used") <= 1.0);
            let value = k("inf_revenue");
            assert!((k("inf_commissions") - 0.08 * value).abs() < 1e-6 * value.max(1.0));
        }
    }
}

/// A split that does not sum to 1 is rejected, naming the key.
#[test]
fn split_errors_name_the_key() {
    let text = shipped("influencers.toml");
    let e = load_str(
        &text,
        "influencers.toml",
        &["mechanisms.influencers.split={micro=0.6,macro=0.6}".into()],
    )
    .expect_err("split sums to 1.2");
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(e.problems[0].path, "mechanisms.influencers.split");
    assert!(e.to_string().contains("sum to 1"), "{e}");
    let bad = text.replace(
        "split = { micro = 0.7, macro = 0.3 }",
        "split = { micro = 0.7, macro = 0.4 }",
    );
    let e = load_str(&bad, "influencers.toml", &[]).expect_err("split sums to 1.1");
    assert_eq!(e.problems[0].path, "mechanisms.influencers.split");
    let line = text
        .lines()
        .position(|l| l.starts_with("split"))
        .expect("split line")
        + 1;
    assert_eq!(e.problems[0].location.map(|l| l.0), Some(line), "{e}");
}

/// With the default fees and behaviour, a unit of fee buys more attributed orders from micro
/// bloggers than from macro ones. Nothing states it: it follows from engagement and feed
/// reach falling with follower count, from fees rising with it, and from the trust
/// penalties of macro posts.
#[test]
fn micro_posts_sell_more_per_unit_of_fee() {
    let p = scenario(&[]);
    let rs = run_trials(&p, 60, 12);
    let per_fee = |tier: &str| -> Vec<f64> {
        let o = kpi(&p, &rs, &format!("inf_orders_{tier}"));
        let f = kpi(&p, &rs, &format!("inf_fees_{tier}"));
        o.iter().zip(&f).map(|(o, f)| 1000.0 * o / f).collect()
    };
    let (micro, macro_) = (per_fee("micro"), per_fee("macro"));
    assert!(
        macro_.iter().all(|x| x.is_finite()),
        "a trial bought no macro post"
    );
    let (d, se) = paired(&micro, &macro_);
    // Cost per attributed order is undefined (NaN) in trials without orders of the tier.
    let cpo = |t: &str| {
        let v: Vec<f64> = kpi(&p, &rs, &format!("inf_cpo_{t}"))
            .into_iter()
            .filter(|x| x.is_finite())
            .collect();
        mean_se(&v).0
    };
    let mean = |t: &str| mean_se(&kpi(&p, &rs, t)).0;
    eprintln!(
        "orders per 1,000 of fee: micro {:.3}, macro {:.3} (difference {d:.3}, SE {se:.3}); \
         orders micro {:.1}, macro {:.1}; posts micro {:.1}, macro {:.1}; cost per attributed order micro {:.0}, macro {:.0}",
        mean_se(&micro).0,
        mean_se(&macro_).0,
        mean("inf_orders_micro"),
        mean("inf_orders_macro"),
        mean("inf_posts_micro"),
        mean("inf_posts_macro"),
        cpo("micro"),
        cpo("macro"),
    );
    assert!(d - 4.0 * se > 0.0, "difference {d} (SE {se})");
    assert!(
        mean("inf_reach_macro") / mean("inf_posts_macro")
            > 3.0 * mean("inf_reach_micro") / mean("inf_posts_micro"),
        "a macro post should reach many more followers"
    );
}

/// [fact] A blogger's subscriber count does not correlate with expected sales. Across the
/// bloggers paid (random selection, so selection induces no correlation), the Spearman rank
/// correlation of followers with attributed orders is near 0: with n pairs its standard
/// error under independence is 1/√(n − 1) (≈ 0.02 for n ≈ 2,500), so |ρ| < 0.1 allows
/// about 5 SE of noise, while engagement × relevance must predict sales (ρ > 0.3).
#[test]
fn follower_count_does_not_predict_sales() {
    let p = scenario(&["mechanisms.influencers.selection=\"random\""]);
    let mut ws = Workspace::new(&p);
    let (mut fol, mut fit, mut sales) = (vec![], vec![], vec![]);
    for t in 0..60 {
        simulate_trial(&p, 13, t, &mut ws);
        let s = state(&ws);
        let b = &ws.world.pop.bloggers;
        for &k in s.posted() {
            let k = k as usize;
            fol.push(b.followers[k]);
            fit.push(b.engagement[k] * b.relevance[k]);
            sales.push(s.blogger_orders()[k] as f64);
        }
    }
    let n = fol.len();
    let rf = spearman(&fol, &sales);
    let rq = spearman(&fit, &sales);
    eprintln!(
        "n = {n}, spearman(followers, attributed orders) = {rf:.3} (SE {:.3}), spearman(engagement x relevance, orders) = {rq:.3}",
        1.0 / ((n - 1) as f64).sqrt()
    );
    assert!(n > 1500, "{n} pairs");
    assert!(rf.abs() < 0.1, "followers predict sales: rho = {rf}");
    assert!(rq > 0.3, "fit should predict sales: rho = {rq}");
}

/// A giveaway draws entrants, books at most `winners` prizes per post, and lifts the
/// engaged audience and orders per post.
#[test]
fn giveaways_cost_prizes_and_lift_engagement() {
    let plain = scenario(&["mechanisms.influencers.selection=\"followers\""]);
    let give = scenario(&[
        "mechanisms.influencers.selection=\"followers\"",
        "mechanisms.influencers.giveaway={prize=199,winners=2}",
    ]);
    let (a, b) = (run_trials(&plain, 40, 14), run_trials(&give, 40, 14));
    let posts = sum(
        &kpi(&give, &b, "inf_posts_micro"),
        &kpi(&give, &b, "inf_posts_macro"),
    );
    let prizes = kpi(&give, &b, "inf_giveaway_cost");
    let entrants = kpi(&give, &b, "inf_giveaway_entrants");
    for k in 0..b.len() {
        assert!(prizes[k] <= posts[k] * 2.0 * 199.0 && prizes[k] > 0.0);
        assert!(entrants[k] >= prizes[k] / 199.0);
    }
    let per_post = |p: &Plan, rs: &[TrialResult], what: &str| -> Vec<f64> {
        let x = sum(
            &kpi(p, rs, &format!("inf_{what}_micro")),
            &kpi(p, rs, &format!("inf_{what}_macro")),
        );
        let n = sum(
            &kpi(p, rs, "inf_posts_micro"),
            &kpi(p, rs, "inf_posts_macro"),
        );
        x.iter().zip(&n).map(|(x, n)| x / n).collect()
    };
    let (d, se) = paired(
        &per_post(&give, &b, "views"),
        &per_post(&plain, &a, "views"),
    );
    eprintln!("engaged views per post, giveaway minus none: {d:.2} (SE {se:.2})");
    assert!(d - 4.0 * se > 0.0);
    let (d, se) = paired(
        &per_post(&give, &b, "orders"),
        &per_post(&plain, &a, "orders"),
    );
    eprintln!("attributed orders per post, giveaway minus none: {d:.3} (SE {se:.3})");
    assert!(d - 4.0 * se > 0.0);
}

/// The mechanism composes with the review program and red packets through the scenario
/// alone; its own stream keeps the posts bought, their fees and reach unchanged when the
/// other mechanisms are switched off (common random numbers).
#[test]
fn composes_with_other_mechanisms() {
    let text = format!(
        "{}\n[population.groups]\ncount = 4\n\n[mechanisms.blogger_reviews]\nbloggers = 10\n\n\
         [mechanisms.red_packets]\nfollowup = {{ coupon = 10.0 }}\n",
        shipped("influencers.toml")
    );
    let all = plan(&text, &["population.buyers=20000"]);
    let alone = plan(
        &text,
        &[
            "population.buyers=20000",
            "mechanisms.blogger_reviews.enabled=false",
            "mechanisms.red_packets.enabled=false",
        ],
    );
    let names = all.kpi_names();
    for prefix in ["reviews_", "rp_", "inf_"] {
        assert!(names.iter().any(|n| n.starts_with(prefix)), "{prefix}");
    }
    let (a, b) = (run_trials(&all, 8, 15), run_trials(&alone, 8, 15));
    for key in [
        "inf_posts_micro",
        "inf_posts_macro",
        "inf_fees_micro",
        "inf_fees_macro",
        "inf_reach_micro",
        "inf_reach_macro",
    ] {
        assert_eq!(kpi(&all, &a, key), kpi(&alone, &b, key), "{key}");
    }
    for r in &a {
        assert!(r.campaign.cost > 0.0 && r.campaign.first_buyers > 0);
    }
}

/// Byte-identical results whatever the thread count.
#[test]
fn results_do_not_depend_on_threads() {
    let p = scenario(&["mechanisms.influencers.giveaway={prize=199,winners=2}"]);
    let go = |threads| {
        run(
            &p,
            RunOptions {
                trials: 6,
                seed: 16,
                threads: Some(threads),
                arms: Arms::CAMPAIGN_ONLY,
            },
            &|| {},
        )
        .expect("run")
        .iter()
        .map(|r| r.values().iter().map(|v| v.to_bits()).collect::<Vec<u64>>())
        .collect::<Vec<_>>()
    };
    assert_eq!(go(1), go(2));
}
