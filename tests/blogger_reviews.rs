//! The blogger review program: reviews raise conversion, defects lower it, follower count
//! alone does not predict sales, costs and shipping/deadline rules are booked as specified.
//!
//! Comparisons run both arms on the same seed (common random numbers: same market, same
//! bloggers) and test the paired per-trial difference against 4 standard errors of its mean.

mod common;
use common::{kpi, mean_se, paired, plan, run_trials, shipped, spearman};
use promosim::engine::{Workspace, simulate_trial};
use promosim::mechanisms::MechanismState;
use promosim::results::TrialResult;

fn conversion(rs: &[TrialResult]) -> Vec<f64> {
    rs.iter()
        .map(|r| r.campaign.first_buyers as f64 / r.population as f64)
        .collect()
}

/// Across the bloggers sent a product (random selection among respondents, so selection
/// induces no correlation), orders hardly track follower count but do track engagement ×
/// relevance. With n ≈ 4,500 pairs the Spearman coefficient's standard error under
/// independence is 1/√(n−1) ≈ 0.015: |ρ| < 0.1 allows ~6.5 SE of noise around no
/// association, and the fit correlation must exceed it by far more than that.
#[test]
fn follower_count_alone_does_not_predict_sales() {
    let p = plan(
        &shipped("blogger_reviews.toml"),
        &["mechanisms.blogger_reviews.selection=\"automatic\""],
    );
    let mut ws = Workspace::new(&p);
    let (mut fol, mut fit, mut sales) = (vec![], vec![], vec![]);
    for t in 0..150 {
        simulate_trial(&p, 9, t, &mut ws);
        let MechanismState::BloggerReviews(s) = &ws.mechanisms[0] else {
            panic!("first mechanism is the review program")
        };
        let b = &ws.world.pop.bloggers;
        for &k in s.chosen() {
            let k = k as usize;
            fol.push(b.followers[k]);
            fit.push(b.engagement[k] * b.relevance[k]);
            sales.push(s.blogger_orders()[k] as f64);
        }
    }
    let rf = spearman(&fol, &sales);
    let rq = spearman(&fit, &sales);
    eprintln!(
        "n = {}, spearman(followers, orders) = {rf:.3}, spearman(engagement x relevance, orders) = {rq:.3}",
        fol.len()
    );
    assert!(fol.len() > 2000);
    assert!(rf.abs() < 0.1, "followers predict sales: rho = {rf}");
    assert!(rq > 0.3, "fit should predict sales: rho = {rq}");
}

const BASE: &str = "[product]\nprice = 100.0\nunit_cost = 40.0\ndefect_rate = 0.02\n[population]\nbuyers = 20000\n\
                    [mechanisms.blogger_reviews]\nbloggers = 25\n";

/// A program that publishes reviews converts more than no program (paired, same seed).
#[test]
fn reviews_raise_conversion() {
    let on = plan(BASE, &[]);
    let off = plan(BASE, &["mechanisms.blogger_reviews.enabled=false"]);
    let (a, b) = (run_trials(&on, 200, 3), run_trials(&off, 200, 3));
    let published = mean_se(&kpi(&on, &a, "reviews_published")).0;
    assert!(published > 15.0, "reviews published: {published}");
    let (d, se) = paired(&conversion(&a), &conversion(&b));
    eprintln!("conversion uplift {d:.4} (SE {se:.4})");
    assert!(d > 4.0 * se && d > 0.0, "uplift {d} (SE {se})");
}

/// A defect-heavy product gets negative honest reviews and converts less than a sound one
/// under the same program (paired, same seed).
#[test]
fn defects_lower_conversion() {
    let good = plan(BASE, &[]);
    let bad = plan(BASE, &["product.defect_rate=0.5"]);
    let (a, b) = (run_trials(&good, 200, 4), run_trials(&bad, 200, 4));
    let s_good = mean_se(&kpi(&good, &a, "reviews_mean_sentiment")).0;
    let s_bad = mean_se(&kpi(&bad, &b, "reviews_mean_sentiment")).0;
    assert!(
        s_bad < 0.2 && s_good > 0.5,
        "sentiment good {s_good}, defect-heavy {s_bad}"
    );
    let (d, se) = paired(&conversion(&a), &conversion(&b));
    eprintln!("sound minus defect-heavy conversion {d:.4} (SE {se:.4})");
    assert!(d > 4.0 * se && d > 0.0, "difference {d} (SE {se})");
}

/// Reviews help a product without reviews more than one that already has many.
#[test]
fn a_product_without_reviews_gains_the_most() {
    let uplift = |existing: &str| {
        let on = plan(BASE, &[existing]);
        let off = plan(
            BASE,
            &[existing, "mechanisms.blogger_reviews.enabled=false"],
        );
        let d: Vec<f64> = conversion(&run_trials(&on, 150, 5))
            .iter()
            .zip(conversion(&run_trials(&off, 150, 5)))
            .map(|(x, y)| x - y)
            .collect();
        d
    };
    let fresh = uplift("product.existing_reviews=0");
    let busy = uplift("product.existing_reviews=300");
    let (d, se) = paired(&fresh, &busy);
    eprintln!("uplift without reviews minus uplift with 300 reviews: {d:.4} (SE {se:.4})");
    assert!(d > 4.0 * se && d > 0.0, "difference {d} (SE {se})");
}

/// Picking bloggers by fit sells more than picking by follower count.
#[test]
fn picking_by_fit_beats_picking_by_followers() {
    let text = shipped("blogger_reviews.toml");
    let fit = plan(&text, &[]);
    let followers = plan(
        &text,
        &["mechanisms.blogger_reviews.manual_criterion=\"followers\""],
    );
    let (a, b) = (run_trials(&fit, 150, 6), run_trials(&followers, 150, 6));
    let (d, se) = paired(
        &kpi(&fit, &a, "reviews_orders"),
        &kpi(&followers, &b, "reviews_orders"),
    );
    eprintln!("review orders, fit minus followers: {d:.2} (SE {se:.2})");
    assert!(d > 4.0 * se && d > 0.0, "difference {d} (SE {se})");
}

/// Seller cost = products (+ shipping off platform logistics); every parcel sent is lost,
/// late or published; untracked parcels get lost at the stated rate.
#[test]
fn costs_and_parcel_accounting() {
    let platform = plan(BASE, &[]);
    let rs = run_trials(&platform, 50, 8);
    for (r, sent) in rs.iter().zip(kpi(&platform, &rs, "reviews_products_sent")) {
        assert_eq!(
            r.campaign.cost,
            sent * 40.0,
            "platform logistics: unit cost only"
        );
    }
    let untracked = plan(
        BASE,
        &[
            "mechanisms.blogger_reviews.logistics=\"untracked\"",
            "mechanisms.blogger_reviews.untracked_loss_rate=0.3",
        ],
    );
    let rs = run_trials(&untracked, 200, 8);
    let sent = kpi(&untracked, &rs, "reviews_products_sent");
    let lost = kpi(&untracked, &rs, "reviews_parcels_lost");
    let late = kpi(&untracked, &rs, "reviews_late");
    let published = kpi(&untracked, &rs, "reviews_published");
    for k in 0..rs.len() {
        assert_eq!(
            rs[k].campaign.cost,
            sent[k] * (40.0 + 10.0),
            "own shipping costs 10 per parcel"
        );
        assert_eq!(
            lost[k] + late[k] + published[k],
            sent[k],
            "every parcel is accounted for"
        );
    }
    // Lost share: binomial with p = 0.3; SE of the pooled share = sqrt(p(1-p)/N).
    let total_sent: f64 = sent.iter().sum();
    let share = lost.iter().sum::<f64>() / total_sent;
    let se = (0.3 * 0.7 / total_sent).sqrt();
    assert!(
        (share - 0.3).abs() < 4.0 * se,
        "lost share {share} (SE {se})"
    );
}

/// Reviews later than the deadline are cancelled: slow bloggers lose more reviews, and a
/// shorter deadline cancels more.
#[test]
fn review_deadline_cancels_late_reviews() {
    let slow = plan(
        BASE,
        &["mechanisms.blogger_reviews.review_delay_mean_days=15"],
    );
    let strict = plan(
        BASE,
        &[
            "mechanisms.blogger_reviews.review_delay_mean_days=15",
            "mechanisms.blogger_reviews.review_deadline_days=5",
        ],
    );
    let a = mean_se(&kpi(&slow, &run_trials(&slow, 100, 2), "reviews_late")).0;
    let b = mean_se(&kpi(&strict, &run_trials(&strict, 100, 2), "reviews_late")).0;
    assert!(
        a > 3.0 && b > a + 3.0,
        "late with 20-day deadline {a}, with 5-day deadline {b}"
    );
}
