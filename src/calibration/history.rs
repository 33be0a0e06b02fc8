//! History matching: waves that rule out the parameter values no target allows, a cheap
//! first pass that narrows the priors before ABC-SMC.
//!
//! ## Method
//! Each wave draws a Latin hypercube of points (McKay, Beckman & Conover 1979) from the
//! current priors, simulates every point once and computes each target's implausibility
//! ([`Target::implausibility`]): how far the simulated statistic misses the target, in the
//! standard errors of the observation and of the simulator's own noise at that point
//! (Craig, Goldstein, Seheult & Smith 1997; Vernon, Goldstein & Bower 2010). A point is
//! *non-implausible* when its largest implausibility over the targets is at most the
//! cut-off, 3 by Pukelsheim's three-sigma rule. The next wave's box is the smallest one
//! holding every non-implausible point, widened on each side by five times the mean
//! spacing of the `k` kept points, `5·span/(k−1)` (in prior probability), and kept inside
//! the previous box: `k` points uniform on an interval leave a gap beyond their extremes
//! of about one spacing, and the chance that the interval reaches further than five
//! spacings is about `e⁻⁵ ≈ 0.7%` per side. A single kept point leaves the box as it was.
//! A parameter the targets do not constrain keeps its whole range.
//!
//! Where the field's tools (hmer) fit an emulator to each wave and rule out space by the
//! emulator's prediction, here each point is the simulator itself: exact, and cheap enough
//! when a point costs a few dozen trials. The narrowed box truncates the prior: ABC-SMC
//! then samples the posterior within it, which equals the posterior on the full prior when
//! the ruled-out space holds no posterior mass (what implausibility above 3 asserts).
//!
//! Deterministic: wave `w` draws its hypercube from `(seed, w)` only.

use super::facts::Target;
use super::prior::Bounded;
use crate::rng::{SimRng, mix};
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One simulated point of a wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Parameter values.
    pub theta: Vec<f64>,
    /// Each target's implausibility (infinite when the scenario's checks refused it).
    pub implausibility: Vec<f64>,
    /// The largest of them.
    pub max: f64,
}

/// A finished wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wave {
    /// 0 for the first wave.
    pub index: usize,
    /// The box it sampled, per parameter.
    pub sampled: Vec<(f64, f64)>,
    /// Its points.
    pub points: Vec<Point>,
    /// The box the next wave samples (the sampled one when no point was kept).
    pub narrowed: Vec<(f64, f64)>,
}

impl Wave {
    /// Points at or below the cut-off.
    pub fn kept(&self, cutoff: f64) -> usize {
        self.points.iter().filter(|p| p.max <= cutoff).count()
    }
}

/// A Latin hypercube of `n` points in `[0, 1]^d`: each coordinate takes each of the `n`
/// strata once, at a uniform place inside it.
pub fn latin_hypercube(n: usize, d: usize, rng: &mut SimRng) -> Vec<Vec<f64>> {
    let mut pts = vec![vec![0.0; d]; n];
    for k in 0..d {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        for (p, s) in pts.iter_mut().zip(strata) {
            p[k] = (s as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    pts
}

/// How many waves of how many points, the cut-off and the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaveSettings {
    /// Points per wave.
    pub points: usize,
    /// Most waves.
    pub waves: usize,
    /// Largest implausibility kept.
    pub cutoff: f64,
    /// Seed of the hypercubes.
    pub seed: u64,
}

/// Runs waves of points (see [`WaveSettings`]). `simulate` gives each target's statistic and
/// its standard error, or `None` when the scenario's checks refuse the values. Stops early
/// when a wave keeps no point or `stop()` is set. Returns the waves and the narrowed priors.
pub fn history_match<S>(
    priors: &[Bounded],
    targets: &[Target],
    simulate: &S,
    settings: WaveSettings,
    progress: &mut dyn FnMut(usize),
    stop: &dyn Fn() -> bool,
) -> (Vec<Wave>, Vec<Bounded>)
where
    S: Fn(&[f64]) -> Option<Vec<(f64, f64)>> + Sync,
{
    let mut current = priors.to_vec();
    let WaveSettings {
        points,
        waves,
        cutoff,
        seed,
    } = settings;
    let mut done = Vec::new();
    for w in 0..waves {
        if stop() {
            break;
        }
        let mut rng = SimRng::seed_from_u64(mix(seed, 0x4D41_5443_4800 + w as u64));
        let unit = latin_hypercube(points, current.len(), &mut rng);
        let thetas: Vec<Vec<f64>> = unit
            .iter()
            .map(|u| {
                u.iter()
                    .zip(&current)
                    .map(|(u, b)| b.from_unit(*u))
                    .collect()
            })
            .collect();
        let pts: Vec<Point> = thetas
            .into_par_iter()
            .map(|theta| {
                let implausibility = match simulate(&theta) {
                    Some(s) => targets
                        .iter()
                        .zip(&s)
                        .map(|(t, (x, se))| t.implausibility(*x, *se))
                        .collect(),
                    None => vec![f64::INFINITY; targets.len()],
                };
                let max = implausibility.iter().copied().fold(0.0, f64::max);
                Point {
                    theta,
                    implausibility,
                    max,
                }
            })
            .collect();
        progress(w + 1);
        let narrowed = narrow(&current, &pts, cutoff);
        let wave = Wave {
            index: w,
            sampled: current.iter().map(|b| (b.lo, b.hi)).collect(),
            points: pts,
            narrowed: narrowed.iter().map(|b| (b.lo, b.hi)).collect(),
        };
        let kept = wave.kept(cutoff);
        done.push(wave);
        if kept == 0 {
            break;
        }
        current = narrowed;
    }
    (done, current)
}

/// The box of the non-implausible points, widened (see the module documentation), inside
/// `current`.
fn narrow(current: &[Bounded], pts: &[Point], cutoff: f64) -> Vec<Bounded> {
    let kept: Vec<&Point> = pts.iter().filter(|p| p.max <= cutoff).collect();
    if kept.is_empty() {
        return current.to_vec();
    }
    current
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let (lo_u, hi_u) = kept.iter().fold((1.0f64, 0.0f64), |(lo, hi), p| {
                let u = b.to_unit(p.theta[k]);
                (lo.min(u), hi.max(u))
            });
            if kept.len() < 2 {
                return *b;
            }
            let step = 5.0 * (hi_u - lo_u) / (kept.len() - 1) as f64;
            let lo = b.from_unit((lo_u - step).max(0.0)).max(b.lo);
            let hi = b.from_unit((hi_u + step).min(1.0)).min(b.hi);
            b.prior.narrowed(lo, hi)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::prior::Prior;

    #[test]
    fn a_latin_hypercube_takes_every_stratum_once() {
        let mut rng = SimRng::seed_from_u64(3);
        let pts = latin_hypercube(50, 3, &mut rng);
        for k in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[k] * 50.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..50).collect::<Vec<_>>());
        }
    }

    /// θ₁ ~ U(0, 10) with statistic θ₁ and range [3, 4], noise-free; θ₂ ~ U(0, 1) ignored.
    /// The first wave keeps the 10 points in [3, 4], spaced about 0.1 apart, and widens by
    /// about 0.5 each side; the second keeps about half its points. θ₂ keeps its range.
    #[test]
    fn waves_narrow_to_the_non_implausible_box() {
        let priors = [
            Bounded::full(Prior::Uniform(0.0, 10.0)),
            Bounded::full(Prior::Uniform(0.0, 1.0)),
        ];
        let targets = [Target::Range(3.0, 4.0)];
        let sim = |th: &[f64]| Some(vec![(th[0], 0.0)]);
        let settings = WaveSettings {
            points: 100,
            waves: 2,
            cutoff: 3.0,
            seed: 1,
        };
        let (waves, narrowed) =
            history_match(&priors, &targets, &sim, settings, &mut |_| {}, &|| false);
        assert_eq!(waves.len(), 2);
        assert_eq!(waves[0].kept(3.0), 10);
        assert!(waves[0].narrowed[0].1 < 5.0, "{:?}", waves[0].narrowed);
        assert!(
            narrowed[0].lo <= 3.0 && narrowed[0].hi >= 4.0,
            "{narrowed:?}"
        );
        assert!(narrowed[0].hi - narrowed[0].lo < 2.0, "{narrowed:?}");
        assert!(
            narrowed[1].lo < 0.01 && narrowed[1].hi > 0.99,
            "{narrowed:?}"
        );
    }
}
