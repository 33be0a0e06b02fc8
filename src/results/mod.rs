//! What a run produces: per-trial results, metric definitions, their summaries across
//! trials, and a candidate's results as the comparisons and outputs read them.
//!
//! This module sits below [`crate::compare`] and [`crate::output`]: both read these types,
//! and nothing here depends on either.
//!
//! - [`TrialResult`]: everything recorded about one trial, and its metric values;
//! - [`MetricSummary`] and [`DailyBand`]: a metric's mean, sd, quantiles and 95% interval
//!   across trials, and the per-day quantiles of a cumulative series;
//! - [`CandidateResult`]: one candidate's trials, per-trial values and summaries.
//!
//! ## Metrics (one value per trial)
//! | metric | definition |
//! |---|---|
//! | `population` | buyers simulated (group members + buyers outside groups) |
//! | `first_buyers` | buyers with at least one order |
//! | `conversion_rate` | `first_buyers / population` (every simulated buyer is reachable by the campaign) |
//! | `repeat_buyers` | buyers with two or more orders |
//! | `repurchase_rate` | `repeat_buyers / first_buyers` (empty when no buyer) |
//! | `orders` | all orders |
//! | `revenue` | order values less discounts |
//! | `cost` | campaign cost: everything mechanisms booked (free products, shipping, …) |
//! | `cpa` | `cost / first_buyers` (empty when no one was acquired) |
//! | `roi` | `(gross margin − cost) / cost`, gross margin = revenue − unit cost × orders (empty when cost is 0) |
//! | `clv` | gross margin per first buyer over the horizon plus the expected margin of the next `clv_days` (buyers still active continue at their rates) |
//!
//! ## Summary estimators (across trials, undefined values left out, `n` = values kept)
//! - mean: arithmetic mean; sd: sample standard deviation (divisor `n − 1`);
//! - p05, p50, p95: sample quantiles by linear interpolation between order statistics
//!   (Hyndman & Fan type 7, the default of R and numpy);
//! - 95% CI of the mean: `mean ± t(0.975, n − 1) · sd / √n` (Student t).

mod candidate;
mod summary;

pub use candidate::CandidateResult;
pub(crate) use summary::summary_numbers;
pub use summary::{
    BAND_QUANTILES, DailyBand, MetricSummary, band, daily_bands, defined, quantile_sorted,
    summarize, summarize_all,
};

/// Everything recorded about one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialResult {
    /// Trial index.
    pub trial: u32,
    /// Buyers simulated.
    pub population: u32,
    /// Buyers with at least one order.
    pub first_buyers: u32,
    /// Buyers with two or more orders.
    pub repeat_buyers: u32,
    /// All orders.
    pub orders: u32,
    /// Revenue.
    pub revenue: f64,
    /// Revenue less cost of goods.
    pub gross_margin: f64,
    /// Campaign cost.
    pub cost: f64,
    /// Customer lifetime value (NaN without buyers).
    pub clv: f64,
    /// Mechanism KPIs in the plan's `kpi_names` order (NaN = undefined).
    pub kpis: Vec<f64>,
    /// Cumulative first buyers at the end of each day.
    pub daily_first_buyers: Vec<u32>,
    /// Cumulative orders at the end of each day.
    pub daily_orders: Vec<u32>,
}

/// Names of the core metric columns, in output order (after `candidate,trial`).
pub const CORE_METRICS: &[&str] = &[
    "population",
    "first_buyers",
    "conversion_rate",
    "repeat_buyers",
    "repurchase_rate",
    "orders",
    "revenue",
    "cost",
    "cpa",
    "roi",
    "clv",
];

/// `a / b`, or NaN (undefined, written as an empty field) when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { f64::NAN } else { a / b }
}

impl TrialResult {
    /// Core metric values in [`CORE_METRICS`] order, then the KPIs (NaN = undefined).
    pub fn values(&self) -> Vec<f64> {
        let fb = self.first_buyers as f64;
        let mut v = vec![
            self.population as f64,
            fb,
            ratio(fb, self.population as f64),
            self.repeat_buyers as f64,
            ratio(self.repeat_buyers as f64, fb),
            self.orders as f64,
            self.revenue,
            self.cost,
            ratio(self.cost, fb),
            ratio(self.gross_margin - self.cost, self.cost),
            self.clv,
        ];
        v.extend_from_slice(&self.kpis);
        v
    }
}

/// All metric names of a run: core metrics then KPIs.
pub fn metric_names(kpi_names: &[String]) -> Vec<String> {
    CORE_METRICS
        .iter()
        .map(|s| s.to_string())
        .chain(kpi_names.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_ratios_are_nan() {
        let r = TrialResult {
            trial: 0,
            population: 10,
            first_buyers: 0,
            repeat_buyers: 0,
            orders: 0,
            revenue: 0.0,
            gross_margin: 0.0,
            cost: 0.0,
            clv: f64::NAN,
            kpis: vec![],
            daily_first_buyers: vec![],
            daily_orders: vec![],
        };
        let v = r.values();
        assert!(v[4].is_nan() && v[8].is_nan() && v[9].is_nan());
        assert_eq!(v[2], 0.0);
    }
}
