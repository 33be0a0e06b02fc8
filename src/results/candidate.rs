//! One candidate's results: its trials, their metric values and summaries.

use super::{DailyBand, MetricSummary, TrialResult, daily_bands, metric_names, summarize_all};

/// A candidate's results and their summaries.
#[derive(Debug, Clone)]
pub struct CandidateResult {
    /// Candidate name.
    pub name: String,
    /// What the candidate is, in plain words.
    pub description: String,
    /// Its overrides relative to the base scenario (key path, TOML value).
    pub changes: Vec<(String, String)>,
    /// The candidate whose overrides it starts from, if any.
    pub extends: Option<String>,
    /// Keys of the mechanisms it runs (`red_packets`, …).
    pub mechanisms: Vec<String>,
    /// Per-trial results, in trial order.
    pub trials: Vec<TrialResult>,
    /// Metric names (core, then KPIs).
    pub metrics: Vec<String>,
    /// Per-trial metric values in `metrics` order (NaN = undefined), in trial order.
    pub values: Vec<Vec<f64>>,
    /// Per-metric summaries.
    pub summary: Vec<MetricSummary>,
    /// Cumulative first buyers per day across trials.
    pub daily_first_buyers: Vec<DailyBand>,
    /// Cumulative orders per day across trials.
    pub daily_orders: Vec<DailyBand>,
}

impl CandidateResult {
    /// Summarises a candidate's trials: `mechanisms` are the keys of the mechanisms it
    /// runs, `kpi_names` the names of their KPIs in the order of each trial's `kpis`.
    pub fn new<'a>(
        name: &str,
        mechanisms: impl IntoIterator<Item = &'a str>,
        kpi_names: &[String],
        trials: Vec<TrialResult>,
    ) -> Self {
        let metrics = metric_names(kpi_names);
        let values: Vec<Vec<f64>> = trials.iter().map(|t| t.values()).collect();
        CandidateResult {
            name: name.to_string(),
            description: String::new(),
            changes: Vec::new(),
            extends: None,
            mechanisms: mechanisms.into_iter().map(str::to_string).collect(),
            summary: summarize_all(&metrics, &values),
            metrics,
            values,
            daily_first_buyers: daily_bands(&trials, |r| &r.daily_first_buyers),
            daily_orders: daily_bands(&trials, |r| &r.daily_orders),
            trials,
        }
    }

    /// Sets the description, the overrides and the candidate it extends, shown in reports.
    pub fn described(
        mut self,
        description: &str,
        changes: &[(String, String)],
        extends: Option<&str>,
    ) -> Self {
        self.description = description.to_string();
        self.changes = changes.to_vec();
        self.extends = extends.map(str::to_string);
        self
    }

    /// One metric's values per trial, in trial order; `None` if the candidate does not
    /// report it.
    pub fn column(&self, metric: &str) -> Option<Vec<f64>> {
        let k = self.metrics.iter().position(|m| m == metric)?;
        Some(self.values.iter().map(|v| v[k]).collect())
    }

    /// The summary of one metric, if reported.
    pub fn summary_of(&self, metric: &str) -> Option<&MetricSummary> {
        self.summary.iter().find(|s| s.metric == metric)
    }
}
