//! The product on sale and the seller's store.
//!
//! `[product]` is the one table with required keys (the price and the unit cost): it
//! declares no table-wide defaults, and each optional key names its default function.

use super::settings;
use crate::dist::{DistSpec, Support};
use crate::limits::MAX_MONEY;

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
