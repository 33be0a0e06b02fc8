//! Summaries of a weighted posterior sample: quantiles, credible intervals, how much the
//! targets narrowed each prior, the correlation of the parameters, and draws for the
//! posterior predictive check.
//!
//! ## Estimators
//! - Quantiles are weighted sample quantiles ([`super::abc::weighted_quantile`]: the
//!   smallest value whose cumulative normalised weight reaches `q`); the 50% and 90%
//!   credible intervals are the equal-tailed ones, `[q25, q75]` and `[q05, q95]`.
//! - *Identification* compares the 90% interval's width with the prior's own 90% interval:
//!   a ratio near 1 says the targets did not inform the parameter (its posterior is as wide
//!   as its prior); below 0.5 the targets pinned it down at least twofold. Widths are
//!   measured in working space (the logarithm of a log-uniform parameter).
//! - Correlations are weighted Pearson correlations of the working-space values.
//! - Predictive draws resample particles by weight with systematic resampling (Kitagawa
//!   1996), seeded, so a particle of weight w is drawn ⌊n·w⌋ or ⌈n·w⌉ times.

use super::abc::{Generation, weighted_quantile};
use super::prior::{Prior, to_work_point};
use crate::rng::{SimRng, mix};
use rand::{RngExt, SeedableRng};

/// The ratio of posterior to prior 90% width above which a parameter counts as poorly
/// identified.
pub const POORLY_IDENTIFIED: f64 = 0.5;

/// One parameter's posterior summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Marginal {
    /// Key path.
    pub key: String,
    /// Its prior (the original one, before any narrowing).
    pub prior: Prior,
    /// Weighted quantiles at 5, 25, 50, 75 and 95%.
    pub q: [f64; 5],
    /// Weighted mean.
    pub mean: f64,
    /// Posterior 90% width over prior 90% width, in working space.
    pub width_ratio: f64,
}

impl Marginal {
    /// The median.
    pub fn median(&self) -> f64 {
        self.q[2]
    }

    /// True when the targets left the parameter nearly as uncertain as its prior.
    pub fn poorly_identified(&self) -> bool {
        self.width_ratio > POORLY_IDENTIFIED
    }
}

/// The marginal summaries of a generation's particles.
pub fn marginals(g: &Generation, keys: &[String], priors: &[Prior]) -> Vec<Marginal> {
    let w: Vec<f64> = g.particles.iter().map(|p| p.weight).collect();
    keys.iter()
        .zip(priors)
        .enumerate()
        .map(|(k, (key, prior))| {
            let x: Vec<f64> = g.particles.iter().map(|p| p.theta[k]).collect();
            let q = [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| weighted_quantile(&x, &w, p));
            let total: f64 = w.iter().sum();
            let mean = x.iter().zip(&w).map(|(x, w)| x * w).sum::<f64>() / total;
            let width = |lo: f64, hi: f64| prior.to_work(hi) - prior.to_work(lo);
            let prior_width = width(prior.from_unit(0.05), prior.from_unit(0.95));
            Marginal {
                key: key.clone(),
                prior: *prior,
                q,
                mean,
                width_ratio: width(q[0], q[4]) / prior_width,
            }
        })
        .collect()
}

/// The weighted correlation matrix of the working-space values, row-major `d × d`.
pub fn correlation(g: &Generation, priors: &[Prior]) -> Vec<f64> {
    let d = priors.len();
    let w: Vec<f64> = g.particles.iter().map(|p| p.weight).collect();
    let total: f64 = w.iter().sum();
    let z: Vec<Vec<f64>> = g
        .particles
        .iter()
        .map(|p| to_work_point(&p.theta, priors.iter().copied()))
        .collect();
    let mean: Vec<f64> = (0..d)
        .map(|k| z.iter().zip(&w).map(|(z, w)| w * z[k]).sum::<f64>() / total)
        .collect();
    let cov = |a: usize, b: usize| {
        z.iter()
            .zip(&w)
            .map(|(z, w)| w * (z[a] - mean[a]) * (z[b] - mean[b]))
            .sum::<f64>()
            / total
    };
    let mut out = vec![0.0; d * d];
    for a in 0..d {
        for b in 0..d {
            let denom = (cov(a, a) * cov(b, b)).sqrt();
            out[a * d + b] = if a == b {
                1.0
            } else if denom > 0.0 {
                cov(a, b) / denom
            } else {
                0.0
            };
        }
    }
    out
}

/// `n` particle indices drawn by weight with systematic resampling from `seed`.
pub fn resample(g: &Generation, n: usize, seed: u64) -> Vec<usize> {
    let mut rng = SimRng::seed_from_u64(mix(seed, 0x5052_4544));
    let u0: f64 = rng.random::<f64>() / n as f64;
    let total: f64 = g.particles.iter().map(|p| p.weight).sum();
    let mut out = Vec::with_capacity(n);
    let (mut c, mut i) = (0.0, 0);
    for k in 0..n {
        let u = (u0 + k as f64 / n as f64) * total;
        while i + 1 < g.particles.len() && c + g.particles[i].weight < u {
            c += g.particles[i].weight;
            i += 1;
        }
        out.push(i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::abc::Particle;

    fn generation(xs: &[(f64, f64, f64)]) -> Generation {
        Generation {
            index: 1,
            epsilon: 0.0,
            particles: xs
                .iter()
                .map(|&(a, b, w)| Particle {
                    theta: vec![a, b],
                    weight: w,
                    stats: vec![],
                    distances: vec![],
                    distance: 0.0,
                })
                .collect(),
            simulations: xs.len() as u64,
            refused: 0,
            wall_seconds: 0.0,
        }
    }

    #[test]
    fn a_posterior_equal_to_its_prior_has_width_ratio_one() {
        let xs: Vec<(f64, f64, f64)> = (0..1000)
            .map(|i| {
                let u = (i as f64 + 0.5) / 1000.0;
                (u, 2.0 * u, 0.001)
            })
            .collect();
        let g = generation(&xs);
        let m = marginals(
            &g,
            &["a".into(), "b".into()],
            &[Prior::Uniform(0.0, 1.0), Prior::Uniform(0.0, 10.0)],
        );
        assert!((m[0].width_ratio - 1.0).abs() < 0.01, "{m:?}");
        assert!((m[1].width_ratio - 0.2).abs() < 0.01, "{m:?}");
        assert!(m[0].poorly_identified() && !m[1].poorly_identified());
        let c = correlation(&g, &[Prior::Uniform(0.0, 1.0), Prior::Uniform(0.0, 10.0)]);
        assert!((c[1] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn systematic_resampling_draws_by_weight() {
        let g = generation(&[(0.0, 0.0, 0.75), (1.0, 1.0, 0.25)]);
        let idx = resample(&g, 100, 9);
        assert_eq!(idx.iter().filter(|&&i| i == 0).count(), 75);
    }
}
