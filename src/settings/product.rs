//! The product on sale and the seller's store.
//!
//! `[product]` is the one table with required keys (the price and the unit cost): it
//! declares no table-wide defaults, and each optional key names its default function.

use super::{Repurchase, settings};
use crate::dist::{DistSpec, Support};
use crate::limits::MAX_MONEY;
use serde::{Deserialize, Serialize};

/// The product's purchase cycle: how often a buyer orders the same product again. It sets
/// the default BG/NBD parameters of `behaviour.repurchase` (`r`, `alpha`, `a`, `b`); a key
/// set there explicitly overrides its class value. Sources and the implied repeat shares
/// are in `docs/field-figures.md`, section "Repurchase by product class".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RepurchaseClass {
    /// Used up and reordered within weeks: snacks, tea, cosmetics, pet food, detergent
    /// (r 0.5, α 30 days, a 1.2, b 3.5: half of the buyers order again within 90 days).
    Consumable,
    /// Lasts months to a few years and is bought again now and then: apparel, kitchenware,
    /// bottles, home textiles (r 0.243, α 61.8 days, a 0.793, b 2.426: CDNOW's heterogeneity
    /// and dropout at half its purchase rate; 20% within 90 days).
    SemiDurable,
    /// Replaced after years: appliances, electronics (r 0.5, α 730 days, a 2, b 2: an
    /// active buyer orders again about every 4 years; 6% within 90 days).
    Durable,
    /// The published BG/NBD fit of the CDNOW music-CD customers (Fader, Hardie & Lee 2005;
    /// r 0.243, α 4.414 weeks = 30.9 days, a 0.793, b 2.426; 28% within 90 days). The
    /// default when the scenario names no class.
    #[default]
    Cdnow,
}

/// BG/NBD parameters of a new buyer: purchase rate `λ ~ Gamma(r, α)` per day (α in days),
/// dropout after each repeat order with `p ~ Beta(a, b)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbd {
    /// Gamma shape of the purchase rate.
    pub r: f64,
    /// Gamma rate of the purchase rate, in days (scales with the time unit).
    pub alpha: f64,
    /// Beta `a` of the dropout probability.
    pub a: f64,
    /// Beta `b` of the dropout probability.
    pub b: f64,
}

impl RepurchaseClass {
    /// Every class, in the order the documentation lists them.
    pub const ALL: [RepurchaseClass; 4] = [
        RepurchaseClass::Consumable,
        RepurchaseClass::SemiDurable,
        RepurchaseClass::Durable,
        RepurchaseClass::Cdnow,
    ];

    /// The class's name as written in a scenario file.
    pub fn name(self) -> &'static str {
        match self {
            RepurchaseClass::Consumable => "consumable",
            RepurchaseClass::SemiDurable => "semi_durable",
            RepurchaseClass::Durable => "durable",
            RepurchaseClass::Cdnow => "cdnow",
        }
    }

    /// The class's default BG/NBD parameters, α in days.
    pub fn bgnbd(self) -> BgNbd {
        // CDNOW (Fader, Hardie & Lee 2005): r 0.243, α 4.414 in weeks (× 7 = 30.898 days;
        // α scales with the time unit, r, a and b do not), a 0.793, b 2.426.
        const CDNOW: BgNbd = BgNbd {
            r: 0.243,
            alpha: 30.898,
            a: 0.793,
            b: 2.426,
        };
        match self {
            RepurchaseClass::Consumable => BgNbd {
                r: 0.5,
                alpha: 30.0,
                a: 1.2,
                b: 3.5,
            },
            RepurchaseClass::SemiDurable => BgNbd {
                alpha: 2.0 * CDNOW.alpha,
                ..CDNOW
            },
            RepurchaseClass::Durable => BgNbd {
                r: 0.5,
                alpha: 730.0,
                a: 2.0,
                b: 2.0,
            },
            RepurchaseClass::Cdnow => CDNOW,
        }
    }

    /// Sets each BG/NBD parameter of `repurchase` that the scenario does not set itself
    /// (`is_set(key)` is false for `"r"`, `"alpha"`, `"a"`, `"b"`) to this class's value.
    pub fn fill(self, repurchase: &mut Repurchase, is_set: impl Fn(&str) -> bool) {
        let class = self.bgnbd();
        for (key, slot, value) in [
            ("r", &mut repurchase.r, class.r),
            ("alpha", &mut repurchase.alpha, class.alpha),
            ("a", &mut repurchase.a, class.a),
            ("b", &mut repurchase.b, class.b),
        ] {
            if !is_set(key) {
                *slot = value;
            }
        }
    }
}

settings! {
    /// The product on sale.
    pub struct Product {
        /// Display name (default "product").
        #[serde(default = "d_product_name")]
        name: String => any,
        /// Price per order, in the scenario's currency (> 0). Required.
        price: f64 => positive_money,
        /// Cost of goods per unit (>= 0). Required; gross margin = price − unit cost.
        unit_cost: f64 => money,
        /// Order value (basket size) distribution, e.g.
        /// `{ dist = "lognormal", median = 100, sigma = 0.6 }`, mean ≈ 120 (default: every order
        /// is worth `price`). Revenue is the order value less any discount; cost of goods scales
        /// with it (`unit_cost · value / price`). Tiered rewards read it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_value: Option<DistSpec> => dist(Support::Positive),
        /// Marketplace category (default "general"). Some categories may not use the review
        /// program: see [`crate::mechanisms::blogger_reviews::EXCLUDED_CATEGORIES`].
        #[serde(default = "d_category")]
        category: String => custom,
        /// Purchase cycle: `"consumable"`, `"semi_durable"`, `"durable"` or `"cdnow"`
        /// (default `"cdnow"`, the published CDNOW fit). Sets the default BG/NBD parameters of
        /// `behaviour.repurchase`; `category` does not imply it (a marketplace category such as
        /// "home" holds both tea sets and vacuum cleaners).
        #[serde(default)]
        repurchase_class: RepurchaseClass => any,
        /// Share of units with a defect (default 0.02). Defects make honest reviews negative and
        /// make the buyer dissatisfied (lower repurchase).
        #[serde(default = "d_defect")]
        defect_rate: f64 => prob,
        /// Share of parcels arriving with damaged packaging (default 0.01).
        #[serde(default = "d_packaging")]
        packaging_damage_rate: f64 => prob,
        /// Share of orders shipped in the wrong variant (default 0.005).
        #[serde(default = "d_variant")]
        variant_error_rate: f64 => prob,
        /// Reviews already on the product card (default 0).
        #[serde(default)]
        existing_reviews: u32 => any,
        /// Mean star rating of the existing reviews, 1–5 (default 4.0).
        #[serde(default = "d_rating")]
        existing_rating: f64 => range(1.0, 5.0),
        /// Mean sentiment, in (0, 1), of an honest review of a unit that arrived without defect,
        /// damage or wrong variant (default 0.75).
        #[serde(default = "d_quality")]
        quality: f64 => custom,
    }
    check(self, _, c) {
        let quality = self.quality;
        if !(quality > 0.0 && quality < 1.0) {
            c.push(
                "quality",
                format!("{quality} is out of range: allowed 0 < quality < 1"),
            );
        }
        if let Some(Ok(d)) = self.order_value.as_ref().map(|d| d.build(Support::Positive)) {
            let mean = d.mean();
            if mean.is_nan() || mean > MAX_MONEY {
                c.push(
                    "order_value",
                    format!("mean order value {mean} is out of range: allowed at most {MAX_MONEY}"),
                );
            }
        }
        if self.category.trim().is_empty() {
            c.push("category", "empty: name the marketplace category");
        }
    }
}

fn d_quality() -> f64 {
    0.75
}

fn d_product_name() -> String {
    "product".into()
}
fn d_category() -> String {
    "general".into()
}
fn d_defect() -> f64 {
    0.02
}
fn d_packaging() -> f64 {
    0.01
}
fn d_variant() -> f64 {
    0.005
}
fn d_rating() -> f64 {
    4.0
}

settings! {
    /// The seller's store.
    pub struct Seller {
        /// Whether the store is a marketplace "top store" (default true). Only top stores may
        /// run the blogger review program.
        top_store: bool = true => any, // mechanisms that need a top store say so
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_fills_only_the_keys_the_scenario_leaves_out() {
        let mut rep = Repurchase {
            alpha: 12.0,
            ..Repurchase::default()
        };
        RepurchaseClass::Durable.fill(&mut rep, |k| k == "alpha");
        let d = RepurchaseClass::Durable.bgnbd();
        assert_eq!((rep.r, rep.alpha, rep.a, rep.b), (d.r, 12.0, d.a, d.b));
        // The struct's defaults are the default class's values.
        let c = RepurchaseClass::default().bgnbd();
        let dflt = Repurchase::default();
        assert_eq!(
            (dflt.r, dflt.alpha, dflt.a, dflt.b),
            (c.r, c.alpha, c.a, c.b)
        );
    }

    #[test]
    fn cdnow_alpha_is_the_weekly_fit_in_days() {
        let c = RepurchaseClass::Cdnow.bgnbd();
        assert!((c.alpha - 4.414 * 7.0).abs() < 1e-9);
        assert_eq!(RepurchaseClass::SemiDurable.bgnbd().alpha, 2.0 * c.alpha);
        for class in RepurchaseClass::ALL {
            let written = toml::Value::try_from(class).unwrap();
            assert_eq!(written.as_str(), Some(class.name()));
        }
    }

    #[test]
    fn consumables_reorder_more_than_durables() {
        // Share of a day-0 cohort with a repeat order by day 90: 1 − (α/(α+t))^r.
        let p90 = |c: RepurchaseClass| {
            let b = c.bgnbd();
            1.0 - (b.alpha / (b.alpha + 90.0)).powf(b.r)
        };
        let shares: Vec<f64> = RepurchaseClass::ALL.iter().map(|c| p90(*c)).collect();
        assert!(shares[0] > shares[3] && shares[3] > shares[1] && shares[1] > shares[2]);
    }
}
