//! Summaries across trials: one metric's estimators (see the module above for their
//! definitions) and per-day bands of cumulative series.

use super::TrialResult;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary of one metric across trials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricSummary {
    /// Metric name.
    pub metric: String,
    /// Trials where the metric is defined.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Lower bound of the 95% confidence interval of the mean.
    pub ci95_low: f64,
    /// Upper bound of the 95% confidence interval of the mean.
    pub ci95_high: f64,
}

/// The summary numbers of `$s` in [`MetricSummary::NUMBERS`] order, for every type that
/// carries a metric's summary under the same field names (a summary, a recorded baseline).
macro_rules! summary_numbers {
    ($s:expr) => {
        [
            $s.mean,
            $s.sd,
            $s.p05,
            $s.p50,
            $s.p95,
            $s.ci95_low,
            $s.ci95_high,
        ]
    };
}
pub(crate) use summary_numbers;

impl MetricSummary {
    /// Names of the summary numbers, in output order (after `metric` and `n`).
    pub const NUMBERS: [&'static str; 7] =
        ["mean", "sd", "p05", "p50", "p95", "ci95_low", "ci95_high"];

    /// The summary numbers in [`MetricSummary::NUMBERS`] order (NaN = undefined).
    pub fn numbers(&self) -> [f64; 7] {
        summary_numbers!(self)
    }
}

/// A number, or `None` when it is undefined (NaN) or infinite: how the JSON files write
/// numbers (`null`).
pub fn defined(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Type-7 sample quantile of sorted values.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The quantiles of a band: the 5th, 25th, 50th, 75th and 95th percentiles.
pub const BAND_QUANTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// The mean (summed in the given order) and the [`BAND_QUANTILES`] of `values`, which it
/// sorts.
pub fn band(values: &mut [f64]) -> (f64, [f64; 5]) {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.sort_by(f64::total_cmp);
    (mean, BAND_QUANTILES.map(|q| quantile_sorted(values, q)))
}

/// Summarises one metric's values (NaN values are left out).
pub fn summarize(metric: &str, values: &[f64]) -> MetricSummary {
    let mut xs: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = xs.len();
    if n == 0 {
        return MetricSummary {
            metric: metric.to_string(),
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            p05: f64::NAN,
            p50: f64::NAN,
            p95: f64::NAN,
            ci95_low: f64::NAN,
            ci95_high: f64::NAN,
        };
    }
    // Sequential sums in trial order: independent of the thread count.
    let mean = xs.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 {
        (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        f64::NAN
    };
    let half = if n > 1 {
        let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
            .map(|d| d.inverse_cdf(0.975))
            .unwrap_or(1.96);
        t * sd / (n as f64).sqrt()
    } else {
        f64::NAN
    };
    xs.sort_by(f64::total_cmp);
    MetricSummary {
        metric: metric.to_string(),
        n,
        mean,
        sd,
        p05: quantile_sorted(&xs, 0.05),
        p50: quantile_sorted(&xs, 0.50),
        p95: quantile_sorted(&xs, 0.95),
        ci95_low: mean - half,
        ci95_high: mean + half,
    }
}

/// The summary of the metric `name` from its per-trial values (in trial order). An
/// indicator metric's interval is Wilson's ([`super::wilson`]): the Student-t interval of
/// a 0/1 column collapses when every trial agrees and can leave [0, 1].
pub fn summarize_metric(name: &str, values: &[f64]) -> MetricSummary {
    let mut s = summarize(name, values);
    if is_indicator(name) {
        let w = super::wilson(values);
        (s.ci95_low, s.ci95_high) = (w.low, w.high);
    }
    s
}

/// Whether a core or incremental metric is an indicator (mechanism KPIs are not).
fn is_indicator(name: &str) -> bool {
    crate::kpi::CORE
        .iter()
        .chain(crate::kpi::INCREMENTAL)
        .any(|k| k.name == name && k.unit == crate::kpi::Unit::Indicator)
}

/// Quantiles of a cumulative daily series across trials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyBand {
    /// Day (0-based; the value is at the end of the day).
    pub day: u32,
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl DailyBand {
    /// Names of the band's numbers, in output order (after `day`).
    pub const NUMBERS: [&'static str; 6] = ["mean", "p05", "p25", "p50", "p75", "p95"];

    /// The band's numbers in [`DailyBand::NUMBERS`] order.
    pub fn numbers(&self) -> [f64; 6] {
        [self.mean, self.p05, self.p25, self.p50, self.p75, self.p95]
    }
}

/// Per-day mean and quantiles of a cumulative series selected by `pick`.
pub fn daily_bands(
    results: &[TrialResult],
    pick: impl Fn(&TrialResult) -> &[u32],
) -> Vec<DailyBand> {
    let days = results.first().map(|r| pick(r).len()).unwrap_or(0);
    let mut col = Vec::with_capacity(results.len());
    (0..days)
        .map(|d| {
            col.clear();
            col.extend(results.iter().map(|r| pick(r)[d] as f64));
            day_band(d as u32, &mut col)
        })
        .collect()
}

/// The band of day `day` from its values across trials (in trial order; sorted in place).
pub fn day_band(day: u32, values: &mut [f64]) -> DailyBand {
    let (mean, [p05, p25, p50, p75, p95]) = band(values);
    DailyBand {
        day,
        mean,
        p05,
        p25,
        p50,
        p75,
        p95,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_type7() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&xs, 0.5), 3.0);
        assert_eq!(quantile_sorted(&xs, 0.25), 2.0);
        assert!((quantile_sorted(&xs, 0.05) - 1.2).abs() < 1e-12);
    }

    #[test]
    fn summary_ci_uses_t() {
        let s = summarize("x", &[1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!(s.n, 3);
        assert_eq!(s.mean, 2.0);
        assert_eq!(s.sd, 1.0);
        // t(0.975, 2) = 4.302653
        assert!((s.ci95_high - (2.0 + 4.302653 / 3f64.sqrt())).abs() < 1e-5);
    }
}
