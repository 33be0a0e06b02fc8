//! Forecasts of the holdout period against what happened.
//!
//! - Totals: the cohort's expected holdout transactions (the sum of each customer's
//!   conditional expectation given its calibration summary) against the actual count,
//!   and the per-customer mean absolute and root mean square errors.
//! - By frequency: customers grouped by their calibration-period repeat transactions (0,
//!   1, …, 6, 7+), the mean conditional expectation against the mean actual (FHL 2005,
//!   figure 4).
//! - Tracking: cumulative repeat transactions week by week from the log's start, actual
//!   against `Σ_i E[X(t − t_i)]` over the cohort's customers (first transaction at `t_i`),
//!   the unconditional expectation, through the calibration and holdout periods (FHL
//!   2005, figure 3).

use super::bgnbd::BgNbd;
use super::log::Split;
use super::paretonbd::ParetoNbd;
use super::{Rfm, TimeUnit};

/// A fitted model, parameters in the fit's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fitted {
    /// BG/NBD.
    BgNbd(BgNbd),
    /// Pareto/NBD.
    ParetoNbd(ParetoNbd),
}

impl Fitted {
    /// The model's name.
    pub fn name(&self) -> &'static str {
        match self {
            Fitted::BgNbd(_) => "bgnbd",
            Fitted::ParetoNbd(_) => "paretonbd",
        }
    }

    /// Expected repeat transactions in `(0, t]` of a new customer.
    pub fn expected(&self, t: f64) -> f64 {
        match self {
            Fitted::BgNbd(p) => p.expected(t),
            Fitted::ParetoNbd(p) => p.expected(t),
        }
    }

    /// Expected transactions in `(T, T+t]` given the calibration summary.
    pub fn conditional(&self, c: &Rfm, t: f64) -> f64 {
        match self {
            Fitted::BgNbd(p) => p.conditional(c, t),
            Fitted::ParetoNbd(p) => p.conditional(c, t),
        }
    }

    /// Probability of being alive at the calibration end.
    pub fn p_alive(&self, c: &Rfm) -> f64 {
        match self {
            Fitted::BgNbd(p) => p.p_alive(c),
            Fitted::ParetoNbd(p) => p.p_alive(c),
        }
    }
}

/// One model's holdout totals and errors.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelHoldout {
    /// Model name.
    pub model: &'static str,
    /// Forecast holdout transactions of the cohort.
    pub forecast: f64,
    /// Per-customer mean absolute error.
    pub mae: f64,
    /// Per-customer root mean square error.
    pub rmse: f64,
}

/// Customers with the same calibration frequency.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FrequencyRow {
    /// `"0"` … `"6"`, `"7+"`.
    pub frequency: String,
    /// Customers in the group.
    pub customers: usize,
    /// Mean actual holdout transactions.
    pub actual: f64,
    /// Mean conditional expectation, one per model.
    pub forecast: Vec<f64>,
}

/// Cumulative repeat transactions at the end of one week.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrackPoint {
    /// Week number from the log's start (1 = the first seven days).
    pub week: u32,
    /// The week's last day ([`super::log::days_from_civil`] numbering).
    pub day: i64,
    /// Actual cumulative repeat transactions of the cohort.
    pub actual: f64,
    /// Expected cumulative repeat transactions, one per model.
    pub forecast: Vec<f64>,
}

/// The holdout comparison.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Holdout {
    /// Holdout length in days.
    pub days: i64,
    /// Customers compared (the calibration cohort).
    pub customers: usize,
    /// Actual holdout transactions of the cohort.
    pub actual: f64,
    /// Per model.
    pub models: Vec<ModelHoldout>,
    /// By calibration frequency.
    pub by_frequency: Vec<FrequencyRow>,
    /// Weekly tracking.
    pub tracking: Vec<TrackPoint>,
}

/// Highest frequency with a row of its own; larger ones share the last row.
pub const TOP_FREQUENCY: u32 = 7;

/// Compares the models' forecasts with the split's holdout period.
pub fn compare(split: &Split, unit: TimeUnit, models: &[Fitted]) -> Holdout {
    let u = unit.days();
    let t_hold = split.holdout_days() as f64 / u;
    let rfm = split.rfm(unit);
    let actual: Vec<f64> = split.customers.iter().map(|c| c.holdout as f64).collect();
    let n = rfm.len().max(1) as f64;
    let per_model: Vec<Vec<f64>> = models
        .iter()
        .map(|m| {
            rfm.iter()
                .map(|c| {
                    if t_hold > 0.0 {
                        m.conditional(c, t_hold)
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let summaries = models
        .iter()
        .zip(&per_model)
        .map(|(m, f)| {
            let (mut abs, mut sq) = (0.0, 0.0);
            for (p, a) in f.iter().zip(&actual) {
                abs += (p - a).abs();
                sq += (p - a) * (p - a);
            }
            ModelHoldout {
                model: m.name(),
                forecast: f.iter().sum(),
                mae: abs / n,
                rmse: (sq / n).sqrt(),
            }
        })
        .collect();
    let by_frequency = (0..=TOP_FREQUENCY)
        .map(|k| {
            let members: Vec<usize> = (0..rfm.len())
                .filter(|&i| rfm[i].x.min(TOP_FREQUENCY) == k)
                .collect();
            let mean = |v: &dyn Fn(usize) -> f64| {
                if members.is_empty() {
                    f64::NAN
                } else {
                    members.iter().map(|&i| v(i)).sum::<f64>() / members.len() as f64
                }
            };
            FrequencyRow {
                frequency: if k == TOP_FREQUENCY {
                    format!("{k}+")
                } else {
                    k.to_string()
                },
                customers: members.len(),
                actual: mean(&|i| actual[i]),
                forecast: per_model.iter().map(|f| mean(&|i| f[i])).collect(),
            }
        })
        .collect();
    Holdout {
        days: split.holdout_days(),
        customers: rfm.len(),
        actual: actual.iter().sum(),
        models: summaries,
        by_frequency,
        tracking: tracking(split, unit, models),
    }
}

/// Weekly cumulative repeat transactions, actual and expected, from the log's start to
/// the holdout end (or the calibration end).
pub fn tracking(split: &Split, unit: TimeUnit, models: &[Fitted]) -> Vec<TrackPoint> {
    let end = split.holdout_end.unwrap_or(split.calibration_end);
    // Customers by first day: the expectation depends on the first day only.
    let mut firsts: Vec<(i64, usize)> = Vec::new();
    let mut days: Vec<i64> = split.customers.iter().map(|c| c.first).collect();
    days.sort_unstable();
    for d in days {
        match firsts.last_mut() {
            Some((f, n)) if *f == d => *n += 1,
            _ => firsts.push((d, 1)),
        }
    }
    let mut repeats: Vec<i64> = split
        .customers
        .iter()
        .flat_map(|c| c.repeats.iter().copied())
        .collect();
    repeats.sort_unstable();
    let weeks = ((end - split.start) / 7 + 1) as u32;
    (1..=weeks)
        .map(|w| {
            let day = (split.start + 7 * w as i64 - 1).min(end);
            let actual = repeats.partition_point(|&d| d <= day) as f64;
            let forecast = models
                .iter()
                .map(|m| {
                    firsts
                        .iter()
                        .filter(|(f, _)| *f < day)
                        .map(|&(f, k)| k as f64 * m.expected((day - f) as f64 / unit.days()))
                        .sum()
                })
                .collect();
            TrackPoint {
                week: w,
                day,
                actual,
                forecast,
            }
        })
        .collect()
}
