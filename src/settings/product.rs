//! The product on sale and the seller's store.

use super::{Base, Check, Checker};
use crate::dist::{DistSpec, Support};
use serde::{Deserialize, Serialize};

/// The product on sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Display name (default "product").
    #[serde(default = "d_product_name")]
    pub name: String,
    /// Price per order, in the scenario's currency (> 0). Required.
    pub price: f64,
    /// Cost of goods per unit (>= 0). Required; gross margin = price − unit cost.
    pub unit_cost: f64,
    /// Order value (basket size) distribution, e.g.
    /// `{ dist = "lognormal", median = 100, sigma = 0.6 }`, mean ≈ 120 (default: every order
    /// is worth `price`). Revenue is the order value less any discount; cost of goods scales
    /// with it (`unit_cost · value / price`). Tiered rewards read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_value: Option<DistSpec>,
    /// Marketplace category (default "general"). Some categories may not use the review
    /// program: see [`crate::mechanisms::blogger_reviews::EXCLUDED_CATEGORIES`].
    #[serde(default = "d_category")]
    pub category: String,
    /// Share of units with a defect (default 0.02). Defects make honest reviews negative and
    /// make the buyer dissatisfied (lower repurchase).
    #[serde(default = "d_defect")]
    pub defect_rate: f64,
    /// Share of parcels arriving with damaged packaging (default 0.01).
    #[serde(default = "d_packaging")]
    pub packaging_damage_rate: f64,
    /// Share of orders shipped in the wrong variant (default 0.005).
    #[serde(default = "d_variant")]
    pub variant_error_rate: f64,
    /// Reviews already on the product card (default 0).
    #[serde(default)]
    pub existing_reviews: u32,
    /// Mean star rating of the existing reviews, 1–5 (default 4.0).
    #[serde(default = "d_rating")]
    pub existing_rating: f64,
    /// Mean sentiment, in (0, 1), of an honest review of a unit that arrived without defect,
    /// damage or wrong variant (default 0.75).
    #[serde(default = "d_quality")]
    pub quality: f64,
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

/// The seller's store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Seller {
    /// Whether the store is a marketplace "top store" (default true). Only top stores may
    /// run the blogger review program.
    pub top_store: bool,
}

impl Default for Seller {
    fn default() -> Self {
        Seller { top_store: true }
    }
}

impl Check for Product {
    fn check(&self, _: &Base<'_>, c: &mut Checker) {
        let Product {
            name: _,
            price,
            unit_cost,
            order_value,
            category,
            defect_rate,
            packaging_damage_rate,
            variant_error_rate,
            existing_reviews: _,
            existing_rating,
            quality,
        } = self;
        c.positive("price", *price);
        c.non_negative("unit_cost", *unit_cost);
        c.prob("defect_rate", *defect_rate);
        c.prob("packaging_damage_rate", *packaging_damage_rate);
        c.prob("variant_error_rate", *variant_error_rate);
        c.range("existing_rating", *existing_rating, 1.0, 5.0);
        if !(*quality > 0.0 && *quality < 1.0) {
            c.push(
                "quality",
                format!("{quality} is out of range: allowed 0 < quality < 1"),
            );
        }
        if let Some(d) = order_value {
            c.dist("order_value", d, Support::Positive);
        }
        if category.trim().is_empty() {
            c.push("category", "empty: name the marketplace category");
        }
    }
}

impl Check for Seller {
    fn check(&self, _: &Base<'_>, _: &mut Checker) {
        // Any store may run a campaign; mechanisms that need a top store say so.
        let Seller { top_store: _ } = self;
    }
}
