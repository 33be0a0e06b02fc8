//! Checks every value of a scenario against what it allows.
//!
//! Each configuration type checks itself ([`crate::settings::Check`]); this module walks
//! the scenario's parts and the enabled mechanisms (through the registry,
//! [`crate::mechanisms::check_enabled`]) and returns every problem with its key path.

use super::Scenario;
use crate::limits::{MAX_HORIZON_DAYS, MAX_TRIALS};
use crate::settings::{Check, Checker};

/// Most characters of a currency label.
const MAX_CURRENCY_CHARS: usize = 8;

/// Whether `c` is a currency sign: `$`, `¢`, `£`, `¤`, `¥`, the Unicode block of currency
/// symbols (`€`, `₩`, `₹`, `₽`, …) and the signs outside it (`֏`, `؋`, `৲`, `৳`, `฿`, `៛`,
/// `﷼`).
fn is_currency_sign(c: char) -> bool {
    matches!(
        c,
        '$' | '¢' | '£' | '¤' | '¥' | '֏' | '؋' | '৲' | '৳' | '฿' | '៛' | '﷼'
    ) || ('\u{20A0}'..='\u{20CF}').contains(&c)
}

/// A currency label: 1 to 8 letters, digits or currency signs (`CNY`, `€`, `US$`, `元`).
///
/// The label heads money columns and is written into the outputs and the report, so it
/// holds no spaces, punctuation or markup.
fn currency_code(currency: &str) -> Result<(), String> {
    let n = currency.chars().count();
    if n == 0 {
        return Err(format!(
            "empty: allowed 1 to {MAX_CURRENCY_CHARS} letters, digits or currency signs, e.g. \"CNY\""
        ));
    }
    if n > MAX_CURRENCY_CHARS
        || !currency
            .chars()
            .all(|c| c.is_alphanumeric() || is_currency_sign(c))
    {
        return Err(format!(
            "{currency:?} is not a currency label: allowed 1 to {MAX_CURRENCY_CHARS} letters, digits or currency signs, e.g. \"CNY\", \"EUR\", \"€\", \"US$\""
        ));
    }
    Ok(())
}

/// Returns every problem as `(key path, message)`; empty when the scenario is valid.
pub fn validate(s: &Scenario) -> Vec<(String, String)> {
    let mut c = Checker::new();
    let base = s.base();
    let Scenario {
        name: _,
        description: _,
        horizon_days,
        trials,
        seed: _,
        currency,
        start_weekday: _,
        product,
        seller,
        population,
        behaviour,
        mechanisms,
        candidates: _,
    } = s;
    if *horizon_days == 0 || *horizon_days > MAX_HORIZON_DAYS {
        c.push(
            "horizon_days",
            format!("{horizon_days} is out of range: allowed 1 to {MAX_HORIZON_DAYS} days"),
        );
    }
    if *trials == 0 || *trials > MAX_TRIALS {
        c.push(
            "trials",
            format!("{trials} is out of range: allowed 1 to {MAX_TRIALS} trials"),
        );
    }
    if let Err(m) = currency_code(currency) {
        c.push("currency", m);
    }
    c.check("product", product, &base);
    c.check("seller", seller, &base);
    c.check("population", population, &base);
    c.check("behaviour", behaviour, &base);
    c.within("mechanisms", |c| mechanisms.check(&base, c));
    c.into_problems()
}

#[cfg(test)]
mod tests {
    use crate::scenario::load_str;

    const BASE: &str = "[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n";

    fn errs(extra: &str) -> String {
        match load_str(&format!("{BASE}{extra}"), "x.toml", &[]) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn amounts_of_money_are_zero_or_at_least_min_money() {
        // A unit cost of 5e-324 made the campaign's cost subnormal and its ROI infinite.
        for (key, text) in [
            ("product.unit_cost", BASE.replace("4.0", "5e-324")),
            ("product.price", BASE.replace("10.0", "1e-300")),
        ] {
            let e = load_str(&text, "x.toml", &[]).unwrap_err().to_string();
            assert!(e.contains(&format!("`{key}`")), "{e}");
            assert!(
                e.contains("allowed") && e.contains("0.000001 to 1000000000000"),
                "{e}"
            );
        }
        let e = errs("[population.groups]\ncount = 2\n[mechanisms.flash_sale]\ndiscount = 1e-9\n");
        assert!(
            e.contains(
                "`mechanisms.flash_sale.discount`: 1e-9 is out of range: allowed 0 or 0.000001"
            ),
            "{e}"
        );
        assert!(load_str(&BASE.replace("4.0", "0.0"), "x.toml", &[]).is_ok());
        assert!(load_str(&BASE.replace("4.0", "1e-6"), "x.toml", &[]).is_ok());
    }

    #[test]
    fn message_life_hours_is_a_minute_to_a_year() {
        for v in ["5e-324", "0.001", "8761.0", "1e308"] {
            let e = errs(&format!(
                "[population.groups]\ncount = 2\n[mechanisms.order_proofs]\nmessage_life_hours = {v}\n"
            ));
            assert!(
                e.contains("`mechanisms.order_proofs.message_life_hours`") && e.contains("allowed"),
                "{v}: {e}"
            );
        }
        assert_eq!(
            errs(
                "[population.groups]\ncount = 2\n[mechanisms.order_proofs]\nmessage_life_hours = 0.5\n"
            ),
            ""
        );
    }

    #[test]
    fn excluded_category_is_rejected() {
        let text = BASE.replace("unit_cost = 4.0", "unit_cost = 4.0\ncategory = \"adult\"");
        let e = load_str(
            &format!("{text}[mechanisms.blogger_reviews]\n"),
            "x.toml",
            &[],
        )
        .unwrap_err();
        assert!(e.to_string().contains("excluded"), "{e}");
        assert_eq!(e.problems[0].path, "product.category");
    }

    #[test]
    fn too_many_bloggers() {
        let e = errs("[mechanisms.blogger_reviews]\nbloggers = 500\n");
        assert!(e.contains("mechanisms.blogger_reviews.bloggers"), "{e}");
    }

    #[test]
    fn bad_distribution_is_named() {
        let e = errs(
            "[population.groups]\ncount = 3\nsize = { dist = \"normal\", mean = 300, sd = 50 }\n",
        );
        assert!(e.contains("population.groups.size"), "{e}");
    }

    #[test]
    fn all_problems_are_reported() {
        let e = errs("[behaviour.organic]\nbass_p = 2.0\nbass_q = -1.0\n");
        assert!(e.contains("bass_p") && e.contains("bass_q"), "{e}");
    }

    const GROUPS: &str = "[population.groups]\ncount = 2\n";

    #[test]
    fn forward_open_base_is_a_log_odds() {
        let ok = errs(&format!(
            "{GROUPS}[mechanisms.order_proofs]\nforward_open_base = -1.0\ncuration = {{ per_week = 3 }}\n"
        ));
        assert!(ok.is_empty(), "{ok}");
        for bad in ["25.0", "-20.5", "nan"] {
            let e = errs(&format!(
                "{GROUPS}[mechanisms.order_proofs]\nforward_open_base = {bad}\n"
            ));
            assert!(
                e.contains("mechanisms.order_proofs.forward_open_base")
                    && e.contains("allowed -20 to 20"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn curation_forwards_are_checked() {
        let e = errs(&format!(
            "{GROUPS}[mechanisms.order_proofs]\ncuration = {{ forward = 1.5, reach_per_forward = -1.0 }}\n"
        ));
        assert!(
            e.contains("mechanisms.order_proofs.curation.forward")
                && e.contains("mechanisms.order_proofs.curation.reach_per_forward")
                && e.contains("allowed 0 to 1000"),
            "{e}"
        );
    }

    #[test]
    fn influencer_split_must_sum_to_one() {
        let e = errs("[mechanisms.influencers]\nsplit = { micro = 0.7, macro = 0.5 }\n");
        assert!(e.contains("`mechanisms.influencers.split`"), "{e}");
        assert!(e.contains("1.2"), "{e}");
        let e = errs("[mechanisms.influencers]\nsplit = { micro = 1.5, macro = -0.5 }\n");
        assert!(e.contains("mechanisms.influencers.split.micro"), "{e}");
        assert!(e.contains("mechanisms.influencers.split.macro"), "{e}");
        let e = errs("[mechanisms.influencers]\nsplit = { micro = 1.0 }\n");
        assert!(
            e.contains("mechanisms.influencers.split") && e.contains("macro"),
            "{e}"
        );
    }

    #[test]
    fn influencer_keys_are_checked() {
        let e = errs(
            "[mechanisms.influencers]\nbudget = -1\nfee = { micro = 0, macro = 9000 }\n\
             post_days = [3, 400]\naffiliate = 1.5\nmin_followers = 200000\n\
             giveaway = { winners = 0, entry_rate = 2 }\n",
        );
        for key in [
            "mechanisms.influencers.budget",
            "mechanisms.influencers.fee.micro",
            "mechanisms.influencers.post_days[1]",
            "mechanisms.influencers.affiliate",
            "mechanisms.influencers.min_followers",
            "mechanisms.influencers.giveaway.winners",
            "mechanisms.influencers.giveaway.entry_rate",
        ] {
            assert!(e.contains(&format!("`{key}`")), "{key} not named in: {e}");
        }
        assert!(!e.contains("post_days[0]"), "{e}");
    }

    #[test]
    fn daily_repurchase_needs_its_probability() {
        let e = errs("[behaviour.repurchase]\nmodel = \"daily\"\n");
        assert!(e.contains("behaviour.repurchase.daily_probability"), "{e}");
        assert!(e.contains("missing"), "{e}");
        assert_eq!(
            errs("[behaviour.repurchase]\nmodel = \"daily\"\ndaily_probability = 0.01\n"),
            ""
        );
    }

    #[test]
    fn daily_repurchase_values_are_checked() {
        let e = errs(
            "[behaviour.repurchase]\nmodel = \"daily\"\ndaily_probability = 1.5\n\
             daily_probability_shape = 0\ndaily_dropout = -0.1\n",
        );
        for key in [
            "daily_probability`",
            "daily_probability_shape",
            "daily_dropout",
        ] {
            assert!(e.contains(key), "{key}: {e}");
        }
    }

    #[test]
    fn daily_keys_are_rejected_under_bgnbd() {
        let e = errs("[behaviour.repurchase]\ndaily_probability = 0.01\n");
        assert!(e.contains("behaviour.repurchase.daily_probability"), "{e}");
        assert!(e.contains("only used by the daily model"), "{e}");
    }

    #[test]
    fn unknown_repurchase_model_names_the_allowed_ones() {
        let e = errs("[behaviour.repurchase]\nmodel = \"weekly\"\n");
        assert!(
            e.contains("bgnbd") && e.contains("daily") && e.contains("paretonbd"),
            "{e}"
        );
    }

    /// Pareto/NBD needs its lifetime parameters, checks their ranges and the mean purchase
    /// rate, and its keys are rejected under the other models.
    #[test]
    fn paretonbd_needs_s_and_beta() {
        let e = errs("[behaviour.repurchase]\nmodel = \"paretonbd\"\n");
        assert!(
            e.contains("behaviour.repurchase.s`") && e.contains("missing"),
            "{e}"
        );
        assert!(e.contains("behaviour.repurchase.beta`"), "{e}");
        assert_eq!(
            errs("[behaviour.repurchase]\nmodel = \"paretonbd\"\ns = 0.6\nbeta = 80.0\n"),
            ""
        );
        let e = errs(
            "[behaviour.repurchase]\nmodel = \"paretonbd\"\ns = 0\nbeta = 2e6\nr = 100.0\nalpha = 1.0\n",
        );
        for key in ["repurchase.s`", "repurchase.beta`", "repurchase.alpha`"] {
            assert!(e.contains(key), "{key}: {e}");
        }
        let e = errs("[behaviour.repurchase]\ns = 0.6\n");
        assert!(e.contains("only used by the paretonbd model"), "{e}");
        let e = errs(
            "[behaviour.repurchase]\nmodel = \"paretonbd\"\ns = 0.6\nbeta = 80.0\ndaily_dropout = 0.1\n",
        );
        assert!(e.contains("only used by the daily model"), "{e}");
    }

    #[test]
    fn disabled_mechanism_is_not_checked() {
        let text = BASE.replace("unit_cost = 4.0", "unit_cost = 4.0\ncategory = \"adult\"");
        assert!(
            load_str(
                &format!("{text}[mechanisms.blogger_reviews]\nenabled = false\n"),
                "x",
                &[]
            )
            .is_ok()
        );
    }

    #[test]
    fn group_life_is_checked() {
        let e = errs(
            "[behaviour.group_life]\nhalf_life_days = 0\nleave_rate = -0.1\n\
             initial_engagement = 1.5\nattention_minutes = nan\n",
        );
        for key in [
            "behaviour.group_life.half_life_days",
            "behaviour.group_life.leave_rate",
            "behaviour.group_life.initial_engagement",
            "behaviour.group_life.attention_minutes",
        ] {
            assert!(e.contains(&format!("`{key}`")), "{key} not named in: {e}");
        }
    }

    #[test]
    fn nested_settings_are_named_by_their_full_path() {
        let e = errs(
            "[population.groups]\ncount = 2\n[mechanisms.red_packets]\nlink = \"task\"\n\
             stage2 = { total = -1.0 }\nfollowup = { first_k = 0 }\n",
        );
        for key in [
            "mechanisms.red_packets.stage2.total",
            "mechanisms.red_packets.followup.first_k",
        ] {
            assert!(e.contains(&format!("`{key}`")), "{key} not named in: {e}");
        }
    }
}
