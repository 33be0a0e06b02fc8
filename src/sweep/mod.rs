//! Sweeps, response curves and global sensitivity: the scenario run at many points of a
//! parameter space, every point on the same trials.
//!
//! - [`design`]: parameters (`KEY=LO..HI[:STEPS][:log]`, any scenario key) and the points
//!   a design visits (grid, Latin hypercube, scrambled Sobol);
//! - [`response`]: response curves of one parameter: buyers, cost and the marginal cost
//!   per buyer between neighbouring points, paired trial by trial;
//! - [`sensitivity`]: Sobol indices (Saltelli sampling, Saltelli 2010 and Jansen 1999
//!   estimators, bootstrap intervals) and Morris elementary effects, with the model's own
//!   noise reported.
//!
//! ## Common random numbers
//! Trial `t` of any point draws only from `(seed, t)` ([`crate::rng`]), so running trials
//! `0..T` at every point makes the points differ only by their parameters: differences
//! between points are paired, and a parameter the model ignores leaves every trial's
//! outputs unchanged. The points' results ([`PointValues`]) are reduced sequentially in
//! point and trial order, so they do not depend on the thread count.
//!
//! Nothing here reads or writes files: running the points and writing the outputs is the
//! command line's (`promosim sweep`, `promosim sensitivity`).

pub mod design;
pub mod response;
pub mod sensitivity;

pub use design::{Design, Param};

/// Every metric of every trial of every point: `values[point][trial][metric]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PointValues {
    /// Metric names, in column order.
    pub metrics: Vec<String>,
    /// Per point, per trial, the metric values (NaN = undefined).
    pub values: Vec<Vec<Vec<f64>>>,
    /// Each point's index in the design (`0..n`, unless a partial merge left points out).
    pub points: Vec<usize>,
}

impl PointValues {
    /// The column of `metric`, if the points have it.
    pub fn column(&self, metric: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m == metric)
    }

    /// Per point, the per-trial values of metric column `m`.
    pub fn trials(&self, m: usize) -> Vec<Vec<f64>> {
        self.values
            .iter()
            .map(|point| point.iter().map(|t| t[m]).collect())
            .collect()
    }

    /// Per point, the mean over its trials of metric column `m` (undefined trials left
    /// out; NaN when none is defined), summed in trial order.
    pub fn means(&self, m: usize) -> Vec<f64> {
        self.trials(m)
            .iter()
            .map(|xs| {
                let (s, n) = xs
                    .iter()
                    .filter(|v| v.is_finite())
                    .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
                if n == 0 { f64::NAN } else { s / n as f64 }
            })
            .collect()
    }
}
