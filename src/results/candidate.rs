//! One candidate's results: its summaries, and its per-trial values read back a column at
//! a time.
//!
//! ## Design
//! A candidate's per-trial values live in a store of columns: one column per metric (the
//! core and incremental metrics and the KPIs, in [`CandidateResult::metrics`] order) and,
//! with `--contributions`, one per value of the mechanisms' contribution records
//! ([`super::ContributionColumn`]); one value per trial in each, in trial order. The store
//! is a [`ColumnFile`] in the run's work folder (`crate::work` writes it from the trials
//! spilled to disk) or, for the runs that keep their trials in memory (baselines,
//! tests), the same columns in memory ([`CandidateResult::new`]).
//!
//! What is held for the candidate itself does not grow with the trials: its metric
//! summaries, its contribution summaries and the daily bands, all computed when it is
//! built by reading one column at a time. Everything else reads columns on demand:
//! [`CandidateResult::column`] (one metric's values, 8 bytes per trial) for the paired
//! comparisons, the ratio-of-means and Wilson estimates and the plots, and
//! [`CandidateResult::try_for_each_row`] (blocks of `ROW_BLOCK`, 1,024, trials) for
//! `trials.csv` and the baselines' digests. Every reduction runs in trial order, so the
//! figures are the same bits whichever store holds the values.

use super::{
    ColumnError, ColumnFile, ContributionResults, DailyBand, MetricSummary, TrialResult,
    daily_bands, metric_names, summarize_metric,
};
use std::sync::Arc;

/// Trials read at once by [`CandidateResult::try_for_each_row`].
pub const ROW_BLOCK: usize = 1024;

/// Where a candidate's per-trial values are kept (see the module documentation).
#[derive(Debug, Clone)]
enum Store {
    /// The columns in memory: column `k`, trial `t` at `[k][t]`.
    Memory(Arc<Vec<Vec<f64>>>),
    /// The columns in a file.
    File(Arc<ColumnFile<f64>>),
}

impl Store {
    /// Column `k` (empty when there is no such column).
    fn read(&self, k: usize) -> Result<Vec<f64>, ColumnError> {
        match self {
            Store::Memory(cols) => Ok(cols.get(k).cloned().unwrap_or_default()),
            Store::File(f) => f.read_column(k),
        }
    }

    /// The first `width` columns of the trials `start..start + n`, trial after trial.
    fn rows(&self, start: usize, n: usize, width: usize) -> Result<Vec<f64>, ColumnError> {
        match self {
            Store::Memory(cols) => {
                let trials = cols.first().map_or(0, Vec::len);
                let end = (start + n).min(trials);
                let width = width.min(cols.len());
                Ok((start.min(end)..end)
                    .flat_map(|t| cols[..width].iter().map(move |c| c[t]))
                    .collect())
            }
            Store::File(f) => f.read_rows(start, n, width),
        }
    }
}

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
    /// The mechanisms' contributions summarised across trials (`None` unless the run
    /// asked for contributions).
    pub contributions: Option<ContributionResults>,
    /// Metric names (core, then KPIs).
    pub metrics: Vec<String>,
    /// Per-metric summaries.
    pub summary: Vec<MetricSummary>,
    /// Cumulative first buyers per day across trials.
    pub daily_first_buyers: Vec<DailyBand>,
    /// Cumulative orders per day across trials.
    pub daily_orders: Vec<DailyBand>,
    /// Trials.
    trials: usize,
    /// The trials' indexes, when they are not `0..trials` (a partial merge).
    trial_ids: Option<Arc<[u32]>>,
    /// The per-trial values.
    store: Store,
}

impl CandidateResult {
    /// Summarises a candidate's trials, keeping their values in memory: `mechanisms` are
    /// the keys of the mechanisms it runs, `kpi_names` the names of their KPIs in the order
    /// of each trial's `kpis`.
    pub fn new<'a>(
        name: &str,
        mechanisms: impl IntoIterator<Item = &'a str>,
        kpi_names: &[String],
        trials: Vec<TrialResult>,
    ) -> Self {
        let incremental = trials.first().is_some_and(|t| t.no_campaign.is_some());
        let contributions = trials.first().is_some_and(|t| t.contributions.is_some());
        let daily_first_buyers = daily_bands(&trials, |r| &r.daily_first_buyers);
        let daily_orders = daily_bands(&trials, |r| &r.daily_orders);
        let rows: Vec<Vec<f64>> = trials.iter().map(TrialResult::stored_values).collect();
        drop(trials);
        let width = rows.first().map_or(0, Vec::len);
        let columns: Vec<Vec<f64>> = (0..width)
            .map(|k| {
                rows.iter()
                    .map(|r| r.get(k).copied().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        let n = rows.len();
        drop(rows);
        Self::build(
            name,
            mechanisms,
            metric_names(incremental, kpi_names),
            n,
            Store::Memory(Arc::new(columns)),
            contributions,
            [daily_first_buyers, daily_orders],
        )
        .unwrap_or_else(|e| unreachable!("values in memory are always readable: {e}"))
    }

    /// A candidate's results from a file of its per-trial values: one column per metric of
    /// `metrics` (see [`super::metric_names`]), in that order, then, when `contributions`,
    /// the columns of the contribution records ([`super::ContributionColumn`]); and the
    /// daily bands of the cumulative first buyers and orders. The summaries are computed
    /// here, reading one column at a time; the file is kept open for the columns read
    /// later.
    pub fn from_file<'a>(
        name: &str,
        mechanisms: impl IntoIterator<Item = &'a str>,
        metrics: Vec<String>,
        file: ColumnFile<f64>,
        contributions: bool,
        bands: [Vec<DailyBand>; 2],
    ) -> Result<Self, ColumnError> {
        let trials = file.rows();
        Self::build(
            name,
            mechanisms,
            metrics,
            trials,
            Store::File(Arc::new(file)),
            contributions,
            bands,
        )
    }

    fn build<'a>(
        name: &str,
        mechanisms: impl IntoIterator<Item = &'a str>,
        metrics: Vec<String>,
        trials: usize,
        store: Store,
        contributions: bool,
        [daily_first_buyers, daily_orders]: [Vec<DailyBand>; 2],
    ) -> Result<Self, ColumnError> {
        let mechanisms: Vec<String> = mechanisms.into_iter().map(str::to_string).collect();
        let summary = metrics
            .iter()
            .enumerate()
            .map(|(k, m)| Ok(summarize_metric(m, &store.read(k)?)))
            .collect::<Result<Vec<_>, ColumnError>>()?;
        let contributions = if contributions {
            let base = metrics.len();
            ContributionResults::from_columns(&mechanisms, trials, &mut |k| store.read(base + k))?
        } else {
            None
        };
        Ok(CandidateResult {
            name: name.to_string(),
            description: String::new(),
            changes: Vec::new(),
            extends: None,
            mechanisms,
            contributions,
            summary,
            metrics,
            daily_first_buyers,
            daily_orders,
            trials,
            trial_ids: None,
            store,
        })
    }

    /// Trials of the candidate.
    pub fn trial_count(&self) -> usize {
        self.trials
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

    /// Whether the candidate reports `metric`.
    pub fn has_metric(&self, metric: &str) -> bool {
        self.metrics.iter().any(|m| m == metric)
    }

    /// One metric's values per trial, in trial order; `None` if the candidate does not
    /// report it. Reads the column from the store: 8 bytes per trial, held by the caller.
    pub fn try_column(&self, metric: &str) -> Result<Option<Vec<f64>>, ColumnError> {
        match self.metrics.iter().position(|m| m == metric) {
            Some(k) => self.store.read(k).map(Some),
            None => Ok(None),
        }
    }

    /// One metric's values per trial, in trial order; `None` if the candidate does not
    /// report it (see [`CandidateResult::try_column`]).
    ///
    /// # Panics
    /// When the values are in a file that can no longer be read (a failing disk, the file
    /// truncated by another process): the file was written and checked by this process
    /// and is held open, so this is not a condition of normal use.
    pub fn column(&self, metric: &str) -> Option<Vec<f64>> {
        self.try_column(metric).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The same result, its rows being the trials `ids` (in order) rather than
    /// `0..trials`: what a partial merge reads.
    ///
    /// # Panics
    /// When `ids` does not hold one index per trial.
    pub fn with_trial_ids(mut self, ids: Vec<u32>) -> Self {
        assert_eq!(ids.len(), self.trials, "one index per trial");
        self.trial_ids = Some(ids.into());
        self
    }

    /// The index of the trial in row `row`.
    fn trial_id(&self, row: usize) -> usize {
        self.trial_ids.as_ref().map_or(row, |ids| ids[row] as usize)
    }

    /// Calls `f` with each trial's index and its metric values (in
    /// [`CandidateResult::metrics`] order), in trial order, reading `ROW_BLOCK` (1,024) trials at
    /// a time; stops at the first error `f` returns.
    pub fn try_for_each_row<E: From<ColumnError>>(
        &self,
        mut f: impl FnMut(usize, &[f64]) -> Result<(), E>,
    ) -> Result<(), E> {
        let width = self.metrics.len();
        let mut start = 0;
        while start < self.trials {
            let block = self.store.rows(start, ROW_BLOCK, width)?;
            if width == 0 {
                (start..(start + ROW_BLOCK).min(self.trials))
                    .try_for_each(|t| f(self.trial_id(t), &[]))?;
            }
            for (i, row) in block.chunks_exact(width.max(1)).enumerate() {
                f(self.trial_id(start + i), row)?;
            }
            start += ROW_BLOCK;
        }
        Ok(())
    }

    /// Calls `f` with each trial's index and its metric values, in trial order (see
    /// [`CandidateResult::try_for_each_row`]).
    ///
    /// # Panics
    /// As [`CandidateResult::column`], when the values cannot be read back.
    pub fn for_each_row(&self, mut f: impl FnMut(usize, &[f64])) {
        self.try_for_each_row(|t, row| {
            f(t, row);
            Ok::<(), ColumnError>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
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
