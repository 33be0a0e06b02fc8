//! Member segments: drawn shares, validation of targets, per-segment conversion, and
//! exclusive red packets against packets for everyone.
//!
//! Comparisons use common random numbers: both candidates run the same seed, so trial `i`
//! of each sees the same groups, the same members' segments and traits and the same
//! organic demand, and the campaigns are compared trial by trial. The tolerance of a
//! comparison is derived from the standard error of the paired difference: with
//! `d_i = a_i − b_i` over `n` trials, `SE = sd(d) / √n` (sample sd, divisor `n − 1`), and
//! a difference counts as shown when its mean exceeds 3 SE (a one-sided false positive
//! probability of about 0.13% under a normal mean). Seeds are fixed, so the tests are
//! deterministic.

mod common;
use common::{kpi, mean_se, paired, plan, run_trials, shipped};
use promosim::results::TrialResult;
use promosim::scenario::load_str;

/// Ten chat groups of parents, a baby product, task-linked red packets twice a week for
/// 60 days, and two segments (the newborns' parents respond better to the product).
const BASE: &str = r#"
name = "segments"
horizon_days = 60
trials = 100
seed = 5
[product]
price = 89.0
unit_cost = 40.0
[population.groups]
count = 10
size = { dist = "uniform", min = 200, max = 400 }
[[population.groups.segments]]
name = "new_parents"
share = 0.25
relevance = 0.7
[[population.groups.segments]]
name = "toddler_parents"
share = 0.3
relevance = 0.2
[mechanisms.red_packets]
schedule = { time = "20:30", weekdays = ["tuesday", "friday"] }
total = 30.0
packets = 15
link = "task"
"#;

/// Exclusive packets (`target = "new_parents"`) raise the newborns' parents' conversion
/// more than the same packets raced for by every member, at no more cost: the budget
/// offered is the same (30 a drop in 15 packets), and the cost booked is what was claimed.
/// Conversion is measured on the segment's members only (`seg_new_parents_conversion`:
/// their first buyers over their number), in both candidates.
#[test]
fn targeted_packets_convert_the_segment_more_than_packets_for_everyone() {
    let n = 100;
    let everyone = plan(BASE, &[]);
    let targeted = plan(BASE, &["mechanisms.red_packets.target=\"new_parents\""]);
    let (a, b) = (run_trials(&targeted, n, 17), run_trials(&everyone, n, 17));
    let conv = "seg_new_parents_conversion";
    let (ca, cb) = (kpi(&targeted, &a, conv), kpi(&everyone, &b, conv));
    let (d, se) = paired(&ca, &cb);
    let (ma, _) = mean_se(&ca);
    let (mb, _) = mean_se(&cb);
    let cost = |r: &[TrialResult]| r.iter().map(|t| t.campaign.cost).collect::<Vec<_>>();
    let (dc, se_c) = paired(&cost(&a), &cost(&b));
    eprintln!(
        "new parents' conversion: targeted {ma:.4}, everyone {mb:.4}, paired difference {d:.4} (SE {se:.4}); cost difference {dc:.1} (SE {se_c:.1})"
    );
    assert!(d > 3.0 * se, "difference {d}, SE {se}");
    // The same budget: exclusive packets cost at most what packets for everyone cost (a
    // drop whose packets are not all claimed refunds the rest).
    assert!(
        dc <= 3.0 * se_c,
        "targeted packets cost {dc} more (SE {se_c})"
    );
    // Members outside the target get no packets: their segment converts less.
    let other = "seg_toddler_parents_conversion";
    let (d2, se2) = paired(&kpi(&targeted, &a, other), &kpi(&everyone, &b, other));
    assert!(
        d2 < -3.0 * se2,
        "toddlers' parents: difference {d2}, SE {se2}"
    );
}

/// A segment's relevance raises its members' conversion on the same exposures: the same
/// packets for everyone, the newborns' parents with relevance 0.7 against 0.
#[test]
fn relevance_raises_the_segments_conversion() {
    let n = 100;
    let relevant = plan(BASE, &[]);
    let text = BASE.replacen("relevance = 0.7", "relevance = 0.0", 1);
    let neutral = plan(&text, &[]);
    let (a, b) = (run_trials(&relevant, n, 23), run_trials(&neutral, n, 23));
    let conv = "seg_new_parents_conversion";
    let (d, se) = paired(&kpi(&relevant, &a, conv), &kpi(&neutral, &b, conv));
    eprintln!("relevance 0.7 against 0: difference {d:.4} (SE {se:.4})");
    assert!(d > 3.0 * se, "difference {d}, SE {se}");
}

/// Segments with no relevance and no target change nothing the campaign does: the same
/// trials give the same outcome, bit for bit, with or without them (their draws come from
/// a stream of their own and add nothing to a decision).
#[test]
fn neutral_segments_leave_a_campaign_unchanged() {
    let with = plan(
        &BASE
            .replace("relevance = 0.7", "relevance = 0.0")
            .replace("relevance = 0.2", "relevance = 0.0"),
        &[],
    );
    let start = BASE
        .find("[[population.groups.segments]]")
        .expect("segments");
    let end = BASE.find("[mechanisms.red_packets]").expect("packets");
    let without = plan(&format!("{}{}", &BASE[..start], &BASE[end..]), &[]);
    assert!(!without.kpi_names().iter().any(|n| n.starts_with("seg_")));
    let (a, b) = (run_trials(&with, 20, 3), run_trials(&without, 20, 3));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.campaign, y.campaign, "trial {}", x.trial);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&x.kpis[..y.kpis.len()]),
            bits(&y.kpis),
            "trial {}",
            x.trial
        );
        assert_eq!(x.kpis.len(), y.kpis.len() + 2);
    }
}

/// Each member falls in a segment with its declared share: over all members of all trials
/// the share of segment `k` is within 4 binomial SE of `share_k`, and a segment's
/// conversion is between 0 and 1. Without mechanisms, too (segments keep the world off the
/// aggregate paths, which do not know who bought).
#[test]
fn members_fall_in_segments_with_their_shares() {
    use promosim::engine::{Workspace, simulate_trial};
    let start = BASE.find("[mechanisms.red_packets]").expect("packets");
    let p = plan(&BASE[..start], &[]);
    let mut ws = Workspace::new(&p);
    let (mut members, mut counts) = (0u64, [0u64; 2]);
    for trial in 0..20 {
        let r = simulate_trial(&p, 9, trial, &mut ws);
        let pop = &ws.world.pop;
        members += pop.group_members() as u64;
        for (k, &m) in pop.segment_members().iter().enumerate() {
            counts[k] += u64::from(m);
        }
        assert_eq!(r.kpis.len(), 2);
        assert!(
            r.kpis.iter().all(|c| (0.0..=1.0).contains(c)),
            "{:?}",
            r.kpis
        );
        let buyers_in_segments = ws
            .world
            .buyers()
            .iter()
            .filter(|&&i| pop.segment_of(i).is_some())
            .count();
        assert!(buyers_in_segments > 0);
    }
    for (k, share) in [0.25, 0.3].into_iter().enumerate() {
        let got = counts[k] as f64 / members as f64;
        let se = (share * (1.0 - share) / members as f64).sqrt();
        assert!(
            (got - share).abs() < 4.0 * se,
            "segment {k}: {got} of {share}"
        );
    }
}

/// Validation: an unknown target names the file, the key and the declared segments; a
/// target without declared segments says where to declare them; shares over 1, bad and
/// repeated names are refused.
#[test]
fn targets_and_segments_are_validated() {
    let err = |text: &str| match load_str(text, "parents.toml", &[]) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    };
    let e = err(&format!("{BASE}target = \"new_parent\"\n"));
    assert!(e.contains("parents.toml"), "{e}");
    assert!(e.contains("`mechanisms.red_packets.target`"), "{e}");
    assert!(
        e.contains("unknown segment \"new_parent\"")
            && e.contains("\"new_parents\", \"toddler_parents\""),
        "{e}"
    );
    let e = err(&format!(
        "{}\n[mechanisms.targeted_push]\ntarget = [\"new_parents\", \"pets\"]\n",
        BASE
    ));
    assert!(
        e.contains("`mechanisms.targeted_push.target`") && e.contains("unknown segment \"pets\""),
        "{e}"
    );
    let start = BASE
        .find("[[population.groups.segments]]")
        .expect("segments");
    let end = BASE.find("[mechanisms.red_packets]").expect("packets");
    let e = err(&format!(
        "{}{}target = \"new_parents\"\n",
        &BASE[..start],
        &BASE[end..]
    ));
    assert!(e.contains("[[population.groups.segments]]"), "{e}");
    let e = err(&BASE.replace("share = 0.3", "share = 0.8"));
    assert!(
        e.contains("`population.groups.segments`") && e.contains("at most 1"),
        "{e}"
    );
    let e = err(&BASE.replace("count = 10", "count = 0"));
    assert!(e.contains("there are no groups"), "{e}");
    let e = err(&BASE.replace("\"toddler_parents\"", "\"New Parents\""));
    assert!(e.contains("`population.groups.segments[1].name`"), "{e}");
    let e = err(&BASE.replace("\"toddler_parents\"", "\"new_parents\""));
    assert!(e.contains("declared twice"), "{e}");
    // Exclusive packets need enough targeted members to claim them.
    let e = err(&format!(
        "{}target = \"new_parents\"\n",
        BASE.replace("packets = 15", "packets = 90")
    ));
    assert!(e.contains("targeted segments"), "{e}");
}

/// The shipped example runs both candidates and reports each segment's conversion.
#[test]
fn the_shipped_example_targets_a_segment() {
    let text = shipped("segments_red_packets.toml");
    let s = load_str(&text, "segments_red_packets.toml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let cands = promosim::scenario::resolve_candidates(&s).expect("candidates");
    assert_eq!(cands.len(), 2);
    let p = promosim::engine::Plan::new(&cands[1].scenario).expect("plan");
    let names = p.kpi_names();
    assert!(names.iter().any(|n| n == "seg_new_parents_conversion"));
    assert!(names.iter().any(|n| n == "seg_toddler_parents_conversion"));
}

/// Targeted pushes reach only the targeted segments: aimed at a segment nobody is in, no
/// member is pushed; aimed at a real one, fewer are than without a target (members tagged
/// after one visit to the product page, which the packets' task links bring).
#[test]
fn targeted_pushes_reach_only_their_segments() {
    let start = BASE.find("[mechanisms.red_packets]").expect("packets");
    // Members are tagged after visiting the product page: the task-linked packets' links.
    let text = format!(
        "{}[[population.groups.segments]]\nname = \"nobody\"\nshare = 0.0\n{}[mechanisms.targeted_push]\nvisits_to_tag = 1\n",
        &BASE[..start],
        &BASE[start..]
    );
    let tagged = |target: Option<&str>| {
        let o = target.map(|t| format!("mechanisms.targeted_push.target=\"{t}\""));
        let o: Vec<&str> = o.iter().map(String::as_str).collect();
        let p = plan(&text, &o);
        let r = run_trials(&p, 10, 4);
        kpi(&p, &r, "tp_tagged").iter().sum::<f64>()
    };
    let (all, parents, nobody) = (
        tagged(None),
        tagged(Some("new_parents")),
        tagged(Some("nobody")),
    );
    eprintln!("members pushed: {all} without a target, {parents} new parents, {nobody} nobody");
    assert_eq!(nobody, 0.0);
    assert!(parents > 0.0 && parents < all, "{parents} of {all}");
}

/// With `segment_concentration`, groups differ in their mix around the declared shares:
/// the mean share over groups stays within 4 SE of the declared 0.25, and the spread of
/// the groups' shares is about `√(s(1 − s)/(c + 1))` (0.13 at c = 10), far above the
/// binomial spread of a fixed mix (about 0.025 in groups of 300).
#[test]
fn groups_differ_in_their_mix_with_a_concentration() {
    use promosim::engine::{Workspace, simulate_trial};
    let start = BASE.find("[mechanisms.red_packets]").expect("packets");
    let text = BASE[..start].replace("count = 10", "count = 10\nsegment_concentration = 10.0");
    let p = plan(&text, &[]);
    let mut ws = Workspace::new(&p);
    let mut shares = Vec::new();
    for trial in 0..30 {
        simulate_trial(&p, 2, trial, &mut ws);
        let pop = &ws.world.pop;
        for g in pop.group_pools() {
            let pool = pop.pools[g];
            let tagged = (pool.start..pool.start + pool.len)
                .filter(|&i| pop.segment_of(i) == Some(0))
                .count();
            shares.push(tagged as f64 / f64::from(pool.len));
        }
    }
    let (m, se) = mean_se(&shares);
    let sd = se * (shares.len() as f64).sqrt();
    eprintln!("new parents' share per group: mean {m:.4} (SE {se:.4}), sd {sd:.4}");
    assert!((m - 0.25).abs() < 4.0 * se, "mean {m}, SE {se}");
    assert!(sd > 0.09 && sd < 0.17, "sd {sd}");
}
