//! One best point instead of a posterior: Nelder–Mead on the distance to the targets.
//!
//! ## Method
//! The parameters are mapped to the unit cube through their priors' distribution functions
//! ([`super::prior::Bounded::to_unit`]), so every coordinate has the same scale and the
//! prior's bounds are the cube's faces (coordinates are clamped to it). The objective is
//! the root sum of squared scaled distances of [`super::abc::distances`], evaluated on the
//! scenarios' fixed seeds: common random numbers make it a deterministic function of the
//! parameters, which the simplex method needs (Nelder & Mead 1965; argmin's
//! implementation). The start is a given point (the posterior median after ABC-SMC, the
//! prior median otherwise) with an initial simplex of steps 0.1 along each axis.
//!
//! With few trials the objective has small steps where single draws flip; the simplex
//! stops when its values' standard deviation falls below `1e-4` or the evaluation budget
//! is spent. The result is a point estimate without uncertainty: use ABC-SMC for that.

use super::abc::distances;
use super::facts::Target;
use super::prior::Bounded;
use argmin::core::{CostFunction, Error, Executor, State};
use argmin::solver::neldermead::NelderMead;
use std::sync::atomic::{AtomicU64, Ordering};

/// The best point found.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimum {
    /// Parameter values.
    pub theta: Vec<f64>,
    /// Its distance to the targets.
    pub distance: f64,
    /// Simulations run.
    pub simulations: u64,
    /// Simplex iterations.
    pub iterations: u64,
}

struct Objective<'a, S> {
    priors: &'a [Bounded],
    targets: &'a [Target],
    simulate: &'a S,
    calls: &'a AtomicU64,
}

impl<S> Objective<'_, S> {
    fn theta(&self, u: &[f64]) -> Vec<f64> {
        u.iter()
            .zip(self.priors)
            .map(|(u, b)| b.from_unit(u.clamp(0.0, 1.0)))
            .collect()
    }
}

impl<S> CostFunction for Objective<'_, S>
where
    S: Fn(&[f64]) -> Option<Vec<(f64, f64)>> + Sync,
{
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, u: &Self::Param) -> Result<f64, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(match (self.simulate)(&self.theta(u)) {
            Some(stats) => {
                let d = distances(self.targets, &stats).1;
                if d.is_finite() { d } else { f64::MAX }
            }
            None => f64::MAX,
        })
    }
}

/// Minimises the distance from `start` with at most `max_iterations` simplex steps.
pub fn optimise<S>(
    priors: &[Bounded],
    targets: &[Target],
    simulate: &S,
    start: &[f64],
    max_iterations: u64,
) -> Result<Optimum, String>
where
    S: Fn(&[f64]) -> Option<Vec<(f64, f64)>> + Sync,
{
    let calls = AtomicU64::new(0);
    let objective = Objective {
        priors,
        targets,
        simulate,
        calls: &calls,
    };
    let u0: Vec<f64> = start
        .iter()
        .zip(priors)
        .map(|(x, b)| b.to_unit(*x).clamp(0.0, 1.0))
        .collect();
    let mut simplex = vec![u0.clone()];
    for k in 0..u0.len() {
        let mut v = u0.clone();
        v[k] = if v[k] + 0.1 <= 1.0 {
            v[k] + 0.1
        } else {
            v[k] - 0.1
        };
        simplex.push(v);
    }
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(1e-4)
        .map_err(|e| e.to_string())?;
    let result = Executor::new(objective, solver)
        .configure(|s| s.max_iters(max_iterations))
        .run()
        .map_err(|e| e.to_string())?;
    let state = result.state();
    let best = state
        .get_best_param()
        .cloned()
        .unwrap_or_else(|| u0.clone());
    let theta = best
        .iter()
        .zip(priors)
        .map(|(u, b)| b.from_unit(u.clamp(0.0, 1.0)))
        .collect();
    Ok(Optimum {
        theta,
        distance: state.get_best_cost(),
        simulations: calls.load(Ordering::Relaxed),
        iterations: state.get_iter(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::prior::Prior;

    #[test]
    fn the_simplex_finds_the_point_that_meets_two_values() {
        let priors = [
            Bounded::full(Prior::Uniform(-5.0, 5.0)),
            Bounded::full(Prior::LogUniform(0.01, 10.0)),
        ];
        let targets = [Target::Value(1.0, 0.1), Target::Value(0.5, 0.01)];
        let sim = |th: &[f64]| Some(vec![(th[0] + th[1], 0.0), (th[1], 0.0)]);
        let o = optimise(&priors, &targets, &sim, &[0.0, 1.0], 300).expect("runs");
        assert!((o.theta[1] - 0.5).abs() < 0.01, "{o:?}");
        assert!((o.theta[0] - 0.5).abs() < 0.1, "{o:?}");
        assert!(o.distance < 0.5);
    }
}
