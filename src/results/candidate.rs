//! One candidate's results: its trials' metric values and summaries.
//!
//! What is held per trial is what the summaries, the comparisons and the plots read back
//! in trial order: one `f64` per metric (the core and incremental metrics and the KPIs:
//! 23 values, about 230 bytes a trial with its row's allocation, for a scenario without
//! mechanisms) and, with `--contributions`, each mechanism's contributions. The rest of a
//! trial's record (its daily series, the mechanisms' attributions) is reduced to the daily
//! bands and dropped: [`CandidateResult::from_parts`] takes those bands computed elsewhere
//! (from trials spilled to disk, see `crate::work`), [`CandidateResult::new`] computes them
//! from trials in memory.

use super::{
    Contributions, DailyBand, MetricSummary, TrialResult, daily_bands, metric_names, summarize_all,
};

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
    /// Each trial's contributions of the mechanisms, in trial order (empty unless the
    /// run asked for contributions).
    pub contributions: Vec<Contributions>,
    /// Metric names (core, then KPIs).
    pub metrics: Vec<String>,
    /// Per-trial metric values in `metrics` order (NaN = undefined), in trial order: row
    /// `i` is trial `i`.
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
        let incremental = trials.first().is_some_and(|t| t.no_campaign.is_some());
        let values: Vec<Vec<f64>> = trials.iter().map(|t| t.values()).collect();
        let daily_first_buyers = daily_bands(&trials, |r| &r.daily_first_buyers);
        let daily_orders = daily_bands(&trials, |r| &r.daily_orders);
        let contributions = trials.into_iter().filter_map(|t| t.contributions).collect();
        Self::from_parts(
            name,
            mechanisms,
            metric_names(incremental, kpi_names),
            values,
            contributions,
            [daily_first_buyers, daily_orders],
        )
    }

    /// A candidate's results from its parts: the `metrics` (see
    /// [`super::metric_names`]), each trial's `values` in that order and its
    /// `contributions` (both in trial order), and the daily bands of the cumulative first
    /// buyers and orders.
    pub fn from_parts<'a>(
        name: &str,
        mechanisms: impl IntoIterator<Item = &'a str>,
        metrics: Vec<String>,
        values: Vec<Vec<f64>>,
        contributions: Vec<Contributions>,
        [daily_first_buyers, daily_orders]: [Vec<DailyBand>; 2],
    ) -> Self {
        CandidateResult {
            name: name.to_string(),
            description: String::new(),
            changes: Vec::new(),
            extends: None,
            mechanisms: mechanisms.into_iter().map(str::to_string).collect(),
            summary: summarize_all(&metrics, &values),
            metrics,
            values,
            contributions,
            daily_first_buyers,
            daily_orders,
        }
    }

    /// Trials of the candidate.
    pub fn trial_count(&self) -> usize {
        self.values.len()
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

    /// Whether the run had the no-campaign world (so the incremental metrics).
    pub fn has_increment(&self) -> bool {
        self.summary_of("inc_first_buyers").is_some()
    }

    /// The summary of one metric, if reported.
    pub fn summary_of(&self, metric: &str) -> Option<&MetricSummary> {
        self.summary.iter().find(|s| s.metric == metric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(i: u32, first_buyers: u32, kpi: f64) -> TrialResult {
        TrialResult {
            trial: i,
            population: 10,
            members: 0,
            campaign: crate::results::Outcome {
                first_buyers,
                orders: first_buyers,
                ..Default::default()
            },
            clv: f64::NAN,
            kpis: vec![kpi],
            daily_first_buyers: vec![first_buyers],
            daily_orders: vec![first_buyers],

            attributed: vec![],
            no_campaign: None,
            contributions: None,
        }
    }

    #[test]
    fn columns_and_summaries_follow_the_metric_names() {
        let c = CandidateResult::new(
            "a",
            ["votes"],
            &["votes_cast".to_string()],
            vec![trial(0, 2, 5.0), trial(1, 4, 7.0)],
        );
        assert_eq!(c.mechanisms, ["votes"]);
        assert_eq!(c.metrics.last().map(String::as_str), Some("votes_cast"));
        assert_eq!(c.column("first_buyers"), Some(vec![2.0, 4.0]));
        assert_eq!(c.column("conversion_rate"), Some(vec![0.2, 0.4]));
        assert_eq!(c.column("votes_cast"), Some(vec![5.0, 7.0]));
        assert_eq!(c.column("nothing"), None);
        assert_eq!(c.summary_of("votes_cast").map(|s| s.mean), Some(6.0));
        assert_eq!(c.summary_of("clv").map(|s| s.n), Some(0));
        assert_eq!(c.daily_first_buyers[0].mean, 3.0);
        let d = c.described("plain", &[("a.b".into(), "1".into())], Some("base"));
        assert_eq!(
            (d.description.as_str(), d.extends.as_deref()),
            ("plain", Some("base"))
        );
        assert_eq!(d.changes.len(), 1);
    }
}
