//! What a run produces: per-trial results, metric definitions, their summaries across
//! trials, and a candidate's results as the comparisons and outputs read them.
//!
//! This module sits below [`crate::compare`] and [`crate::output`]: both read these types,
//! and nothing here depends on either.
//!
//! - [`TrialResult`]: everything recorded about one trial, and its metric values;
//! - [`MetricSummary`] and [`DailyBand`]: a metric's mean, sd, quantiles and 95% interval
//!   across trials, and the per-day quantiles of a cumulative series;
//! - [`CandidateResult`]: one candidate's summaries and its per-trial values, read a
//!   column at a time from memory or from a [`ColumnFile`].
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
//! | `cost_per_buyer` | `cost / first_buyers` (empty when no one was acquired) |
//! | `total_roi` | `(gross margin − cost) / cost`, gross margin = revenue − unit cost × orders (empty when cost is 0) |
//! | `clv` | gross margin per first buyer over the horizon plus the expected margin of the next `clv_days` (buyers still active continue at their rates) |
//!
//! ## Summary estimators (across trials, undefined values left out, `n` = values kept)
//! - mean: arithmetic mean; sd: sample standard deviation (divisor `n − 1`);
//! - p05, p50, p95: sample quantiles by linear interpolation between order statistics
//!   (Hyndman & Fan type 7, the default of R and numpy);
//! - 95% CI of the mean: `mean ± t(0.975, n − 1) · sd / √n` (Student t).

mod candidate;
mod columns;
mod contributions;
mod estimate;
mod outcome;
mod summary;

pub use candidate::CandidateResult;
pub use columns::{Cell, ColumnError, ColumnFile};
pub use contributions::{
    ContributionColumn, ContributionResults, ContributionSummary, Contributions, Estimator,
    Waterfall, WaterfallStep,
};
pub use estimate::{Estimate, Method, paired_ratio_difference, ratio_of_means, wilson};
pub use outcome::{Attributed, Outcome};
pub(crate) use summary::summary_numbers;
pub use summary::{
    BAND_QUANTILES, DailyBand, MetricSummary, band, daily_bands, day_band, defined,
    quantile_sorted, summarize, summarize_metric,
};

/// Everything recorded about one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialResult {
    /// Trial index.
    pub trial: u32,
    /// Buyers simulated.
    pub population: u32,
    /// Chat-group members among them (the rest are outsiders).
    pub members: u32,
    /// The campaign world's totals.
    pub campaign: Outcome,
    /// Customer lifetime value (NaN without buyers).
    pub clv: f64,
    /// Mechanism KPIs in the plan's `kpi_names` order (NaN = undefined).
    pub kpis: Vec<f64>,
    /// Cumulative first buyers at the end of each day.
    pub daily_first_buyers: Vec<u32>,
    /// Cumulative orders at the end of each day.
    pub daily_orders: Vec<u32>,
    /// What each mechanism's own events booked, in plan order.
    pub attributed: Vec<Attributed>,
    /// The same trial with every mechanism off (when that arm ran).
    pub no_campaign: Option<Outcome>,
    /// Each mechanism's contribution (when asked for).
    pub contributions: Option<Contributions>,
}

/// Names of the core metric columns, in output order (after `candidate,trial`).
pub const CORE_METRICS: &[&str] = &[
    "population",
    "first_buyers",
    "conversion_rate",
    "member_conversion",
    "outsider_conversion",
    "repeat_buyers",
    "repurchase_rate",
    "repurchase3_rate",
    "orders_per_buyer",
    "days_to_second",
    "orders",
    "revenue",
    "cost",
    "cost_per_buyer",
    "total_roi",
    "clv",
];

/// `a / b`, or NaN (undefined, written as an empty field) when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { f64::NAN } else { a / b }
}

impl TrialResult {
    /// Core metric values in [`CORE_METRICS`] order, the incremental metrics when the
    /// no-campaign world ran, then the KPIs (NaN = undefined).
    pub fn values(&self) -> Vec<f64> {
        let c = &self.campaign;
        let fb = c.first_buyers as f64;
        let (members, outsiders) = self.populations();
        let member_fb = c.member_first_buyers as f64;
        let mut v = vec![
            self.population as f64,
            fb,
            ratio(fb, self.population as f64),
            ratio(member_fb, members),
            ratio(fb - member_fb, outsiders),
            c.repeat_buyers as f64,
            ratio(c.repeat_buyers as f64, fb),
            ratio(c.buyers_3plus as f64, fb),
            ratio(c.orders as f64, fb),
            ratio(c.days_to_second, c.repeat_buyers as f64),
            c.orders as f64,
            c.revenue,
            c.cost,
            ratio(c.cost, fb),
            ratio(c.gross_margin - c.cost, c.cost),
            self.clv,
        ];
        if let Some(none) = &self.no_campaign {
            v.extend(incremental(
                &self.campaign,
                none,
                self.population,
                self.members,
            ));
        }
        v.extend_from_slice(&self.kpis);
        v
    }

    /// Chat-group members and outsiders simulated.
    pub fn populations(&self) -> (f64, f64) {
        let members = self.members as f64;
        (members, self.population as f64 - members)
    }

    /// What a candidate's store keeps of the trial, in its column order: the metric values
    /// ([`TrialResult::values`]), then the columns of its contributions
    /// ([`Contributions::push_columns`]) when it has them.
    pub fn stored_values(&self) -> Vec<f64> {
        let mut v = self.values();
        if let Some(c) = &self.contributions {
            c.push_columns(&mut v);
        }
        v
    }
}

/// All metric names of a run: core metrics, the incremental metrics when the run has the
/// no-campaign world, then KPIs.
pub fn metric_names(incremental: bool, kpi_names: &[String]) -> Vec<String> {
    let inc = crate::kpi::INCREMENTAL.iter().filter(|_| incremental);
    CORE_METRICS
        .iter()
        .copied()
        .chain(inc.map(|k| k.name))
        .map(str::to_string)
        .chain(kpi_names.iter().cloned())
        .collect()
}

/// The incremental metrics of a trial's campaign over its no-campaign world `none`, in
/// [`crate::kpi::INCREMENTAL`] order.
pub fn incremental(
    campaign: &Outcome,
    none: &Outcome,
    population: u32,
    members: u32,
) -> [f64; crate::kpi::INCREMENTAL.len()] {
    let fb = campaign.first_buyers as f64 - none.first_buyers as f64;
    let member_fb = campaign.member_first_buyers as f64 - none.member_first_buyers as f64;
    let repurchase = |o: &Outcome| ratio(o.repeat_buyers as f64, o.first_buyers as f64);
    let revenue = campaign.revenue - none.revenue;
    let margin = campaign.gross_margin - none.gross_margin;
    let cost = campaign.cost;
    [
        fb,
        ratio(fb, population as f64),
        ratio(member_fb, members as f64),
        campaign.repeat_buyers as f64 - none.repeat_buyers as f64,
        repurchase(campaign) - repurchase(none),
        campaign.orders as f64 - none.orders as f64,
        revenue,
        margin,
        if fb > 0.0 && cost > 0.0 {
            cost / fb
        } else {
            f64::NAN
        },
        ratio(revenue, cost),
        ratio(margin - cost, cost),
        if cost > 0.0 {
            (margin > cost) as u8 as f64
        } else {
            f64::NAN
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_ratios_are_nan() {
        let r = TrialResult {
            trial: 0,
            population: 10,
            members: 0,
            campaign: Outcome::default(),
            clv: f64::NAN,
            kpis: vec![],
            daily_first_buyers: vec![],
            daily_orders: vec![],
            attributed: vec![],
            no_campaign: None,
            contributions: None,
        };
        let v = r.values();
        let at = |name: &str| v[CORE_METRICS.iter().position(|m| *m == name).unwrap()];
        for undefined in [
            "member_conversion",
            "repurchase_rate",
            "repurchase3_rate",
            "orders_per_buyer",
            "days_to_second",
            "cost_per_buyer",
            "total_roi",
        ] {
            assert!(at(undefined).is_nan(), "{undefined}");
        }
        assert_eq!(at("conversion_rate"), 0.0);
        assert_eq!(at("outsider_conversion"), 0.0);
    }
}
