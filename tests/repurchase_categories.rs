//! Repurchase by product class (`product.repurchase_class`): the class sets the default
//! BG/NBD parameters, consumables reorder more than durables on common random numbers, and
//! each class's defaults reproduce the closed-form share of a day-0 cohort with a repeat
//! order, `P(X(t) > 0) = 1 − (α/(α+t))^r` (Fader, Hardie & Lee 2005: a BG/NBD buyer is alive
//! until its first repeat order, so `P(X(t) = 0) = E[e^(−λt)]` over `λ ~ Gamma(r, α)`).

mod common;
use common::{mean_se, plan, run_trials};
use promosim::behaviour::bgnbd_expected_repeats;
use promosim::scenario::{RepurchaseClass, load_str};

/// No campaign, sound products only (no defects, damage or wrong variants: every buyer's
/// satisfaction stays neutral, so its BG/NBD parameters are the class's as drawn).
const SOUND: &str = "horizon_days = 90\n[product]\nprice = 59.0\nunit_cost = 24.0\n\
                     defect_rate = 0.0\npackaging_damage_rate = 0.0\nvariant_error_rate = 0.0\n\
                     [population]\nbuyers = 4000\n";

/// The closed-form share of buyers with a repeat order within `t` days of their first.
fn repeat_share(c: RepurchaseClass, t: f64) -> f64 {
    let b = c.bgnbd();
    1.0 - (b.alpha / (b.alpha + t)).powf(b.r)
}

fn scenario(class: RepurchaseClass, organic: &str) -> String {
    format!(
        "{}[behaviour.organic]\n{organic}\n",
        SOUND.replace(
            "unit_cost = 24.0\n",
            &format!(
                "unit_cost = 24.0\nrepurchase_class = \"{}\"\n",
                class.name()
            ),
        )
    )
}

/// The repurchase rate (share of first buyers with 2+ orders) of each trial.
fn repurchase_rates(text: &str, trials: u32, seed: u64) -> Vec<(f64, Vec<u32>)> {
    run_trials(&plan(text, &[]), trials, seed)
        .into_iter()
        .map(|r| {
            let rate = r.campaign.repeat_buyers as f64 / r.campaign.first_buyers as f64;
            (rate, r.daily_first_buyers)
        })
        .collect()
}

/// A consumable's repurchase rate exceeds a durable's in the same scenario on the same seed.
///
/// Tolerance: each trial gives the paired difference `d = rate(consumable) − rate(durable)`
/// on common random numbers (same seed: the organic first orders are the same draws, so
/// `d` varies only through the repeat draws). The mean of `d` over the trials has standard
/// error `SE = sd(d) / √trials`; the test asserts the mean exceeds 4·SE (a zero true
/// difference would pass with probability ~3e-5), and that it lies within 4·SE of the
/// closed-form difference for the trials' own first-order days (first orders at mid-day,
/// so a buyer of day `k` has `90 − k − 0.5` days to order again). The seed is fixed, so
/// the test is deterministic.
#[test]
fn consumables_reorder_more_than_durables_on_common_random_numbers() {
    let organic = "bass_p = 0.01\nbass_q = 0.02";
    let trials = 40;
    let cons = repurchase_rates(&scenario(RepurchaseClass::Consumable, organic), trials, 11);
    let dur = repurchase_rates(&scenario(RepurchaseClass::Durable, organic), trials, 11);
    let expected_rate = |class: RepurchaseClass, daily: &[u32]| {
        let (mut prev, mut repeaters) = (0, 0.0);
        for (d, &cum) in daily.iter().enumerate() {
            repeaters += (cum - prev) as f64 * repeat_share(class, 90.0 - d as f64 - 0.5);
            prev = cum;
        }
        repeaters / prev as f64
    };
    let mut diffs = Vec::new();
    let mut expected = Vec::new();
    for ((rc, days_c), (rd, days_d)) in cons.iter().zip(&dur) {
        assert_eq!(
            days_c, days_d,
            "common random numbers: the same first orders"
        );
        diffs.push(rc - rd);
        expected.push(
            expected_rate(RepurchaseClass::Consumable, days_c)
                - expected_rate(RepurchaseClass::Durable, days_c),
        );
    }
    let (m, se) = mean_se(&diffs);
    let (e, _) = mean_se(&expected);
    assert!(
        m > 4.0 * se,
        "consumable − durable repurchase rate {m:.4} (SE {se:.4})"
    );
    assert!(
        (m - e).abs() < 4.0 * se,
        "consumable − durable {m:.4} vs closed form {e:.4} (SE {se:.4})"
    );
    let (mc, _) = mean_se(&cons.iter().map(|c| c.0).collect::<Vec<_>>());
    let (md, _) = mean_se(&dur.iter().map(|d| d.0).collect::<Vec<_>>());
    eprintln!("repurchase rate: consumable {mc:.4}, durable {md:.4}, difference {m:.4} ± {se:.4}");
}

/// Each class's defaults reproduce the closed-form repeat share of a day-0 cohort.
///
/// With `bass_p = 1` every buyer orders first on day 0 (at mid-day), so the 90-day run
/// observes each buyer for 89.5 days and the expected repurchase rate is
/// `P(X(89.5) > 0)`. Tolerance: per trial the rate is a share of 4,000 buyers; the mean over
/// the trials has standard error `SE = sd / √trials` (about 0.001 here), and the test allows
/// 4·SE. The seed is fixed, so the test is deterministic.
#[test]
fn class_defaults_reproduce_their_closed_form_repeat_share() {
    let trials = 30;
    for class in RepurchaseClass::ALL {
        let text = scenario(class, "bass_p = 1.0\nbass_q = 0.0");
        let runs = repurchase_rates(&text, trials, 3);
        assert!(
            runs.iter().all(|(_, days)| days[0] == 4000),
            "{}: every buyer orders on day 0",
            class.name()
        );
        let rates: Vec<f64> = runs.iter().map(|r| r.0).collect();
        let (m, se) = mean_se(&rates);
        let want = repeat_share(class, 89.5);
        assert!(
            (m - want).abs() < 4.0 * se,
            "{}: simulated 90-day repeat share {m:.4} vs closed form {want:.4} (SE {se:.4})",
            class.name()
        );
        eprintln!(
            "{}: simulated {m:.4} ± {se:.4}, closed form {want:.4}",
            class.name()
        );
    }
}

/// The figures of `docs/field-figures.md` ("Repurchase by product class"): per class, the
/// share of a day-0 cohort with a repeat order within 90 days and the expected repeat orders
/// in 365 days (`E[X(t)]`, Fader, Hardie & Lee 2005, eq. 9), to the digits the table shows.
#[test]
fn documented_class_figures() {
    let table = [
        // class, P(X(90) > 0), E[X(365)]
        (RepurchaseClass::Consumable, 0.500, 2.49),
        (RepurchaseClass::SemiDurable, 0.196, 0.90),
        (RepurchaseClass::Durable, 0.056, 0.21),
        (RepurchaseClass::Cdnow, 0.282, 1.45),
    ];
    for (class, share90, repeats365) in table {
        let b = class.bgnbd();
        let e365 = bgnbd_expected_repeats(b.r, b.alpha, b.a, b.b, 365.0);
        let s90 = repeat_share(class, 90.0);
        eprintln!("{}: P(X(90)>0) {s90:.4}, E[X(365)] {e365:.4}", class.name());
        assert!((s90 - share90).abs() < 0.0005, "{}: {s90}", class.name());
        assert!(
            (e365 - repeats365).abs() < 0.005,
            "{}: {e365}",
            class.name()
        );
    }
}

/// A candidate cannot change the product's class: the base's BG/NBD values are already
/// resolved from it. The message names the key and what to do instead.
#[test]
fn a_candidate_cannot_change_the_class() {
    let text = format!(
        "{SOUND}[[candidate]]\nname = \"durable\"\nset = {{ \"product.repurchase_class\" = \"durable\" }}\n"
    );
    let e = load_str(&text, "t.toml", &[]).unwrap_err().to_string();
    assert!(e.contains("product.repurchase_class"), "{e}");
    assert!(e.contains("behaviour.repurchase.r"), "{e}");
    let ok = format!(
        "{SOUND}[[candidate]]\nname = \"slower\"\nset = {{ \"behaviour.repurchase.alpha\" = 90.0 }}\n"
    );
    assert!(load_str(&ok, "t.toml", &[]).is_ok());
}

/// Every shipped scenario names its product's purchase cycle; the robot vacuum is a durable
/// and the snack box a consumable.
#[test]
fn shipped_scenarios_name_their_class() {
    let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("repurchase_class")),
            "{} does not set product.repurchase_class",
            f.display()
        );
        let s = promosim::scenario::load_file(&f, &[]).unwrap_or_else(|e| panic!("{e}"));
        match s.product.name.as_str() {
            "robot vacuum" => assert_eq!(s.product.repurchase_class, RepurchaseClass::Durable),
            "snack gift box" => {
                assert_eq!(s.product.repurchase_class, RepurchaseClass::Consumable)
            }
            _ => {}
        }
    }
}
