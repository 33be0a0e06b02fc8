//! Global sensitivity: which parameters move an output, by variance-based (Sobol) indices
//! and by elementary effects (Morris).
//!
//! ## Sobol indices
//! For an output `Y = f(X₁ … X_d)` of independent inputs, the first-order index
//! `S_i = V(E[Y | X_i]) / V(Y)` is the share of the output's variance that `X_i` explains
//! alone, the total index `ST_i = E[V(Y | X_~i)] / V(Y)` the share it is involved in,
//! interactions included (Sobol 1993; Homma & Saltelli 1996).
//!
//! **Sampling** (Saltelli 2002; Saltelli et al. 2010): two independent `N × d` matrices
//! `A` and `B`, the first and last `d` dimensions of a `2d`-dimensional Owen-scrambled
//! Sobol sequence ([`super::design::sobol`]), and for each `i` the matrix `AB_i`, `A` with
//! column `i` taken from `B`: `N(d + 2)` evaluations. Rows are laid out block by block, as
//! SALib does: for sample `j`, `A_j`, `AB_1j … AB_dj`, `B_j`.
//!
//! **Estimators**, the pair SALib's `sobol.analyze` uses, on outputs centred by their
//! mean over `A` and `B`:
//! - first order, Saltelli et al. (2010), Table 2 (b):
//!   `S_i = mean_j( f(B)_j · (f(AB_i)_j − f(A)_j) ) / V`;
//! - total, Jansen (1999), Table 2 (f) of Saltelli et al. (2010):
//!   `ST_i = mean_j( (f(A)_j − f(AB_i)_j)² ) / (2V)`;
//!
//! with `V` the variance (divisor `2N`) of the `2N` values of `f(A)` and `f(B)`.
//!
//! **Intervals**: the percentile bootstrap (Efron & Tibshirani 1993), resampling the `N`
//! blocks with replacement (each block keeps its `d + 2` rows together, so the estimators'
//! pairing is kept) and taking the 2.5% and 97.5% quantiles of each index over the
//! resamples. SALib reports `1.96 ·` the bootstrap standard deviation instead; the
//! percentile interval also stays right when an index is pinned at 0, where every
//! resample gives exactly 0 (a parameter the model ignores).
//!
//! ## Morris elementary effects
//! Morris (1991): `r` trajectories on a `p`-level grid of the unit cube (`p = 4`, step
//! `Δ = p / (2(p − 1))`), each from a random base point moving one parameter at a time by
//! `±Δ`, in random order; the elementary effect of parameter `i` on a trajectory is
//! `(f(x + Δe_i) − f(x)) / Δ` (unit-cube scale). Reported per parameter: `μ*`, the mean of
//! the absolute effects (Campolongo, Cariboni & Saltelli 2007; it does not let effects of
//! opposite signs cancel), with a percentile-bootstrap interval over trajectories; `μ`,
//! their mean; and `σ`, their standard deviation (interactions or non-linearity).
//!
//! ## A stochastic model
//! Each design row of a promosim analysis is run on the same trials `0..T` (common random
//! numbers: trial `t` draws from `(seed, t)` whatever the parameters) and its output is
//! the mean over the trials. For a fixed seed the output is then a deterministic function
//! of the parameters, and the indices are those of that function: the model's response
//! averaged over the same `T` market draws. The noise enters them only through which `T`
//! draws those are; a parameter the model ignores gives exactly the same output in `AB_i`
//! as in `A`, so its indices are exactly 0. How large the noise is, compared with what the
//! parameters move, is reported as the **noise share** ([`noise_share`]): the mean over
//! rows of the squared standard error of the trial mean, `s²_row / T`, divided by the
//! variance of the row means. Near 0, the trial means are precise and the indices describe
//! the model; near 1 or above, the parameters move the output less than trial noise would,
//! and more trials are needed before the ranking means anything.
//!
//! ## Crate choice
//! The estimators are written here rather than taken from the `salib` crate (0.3.0,
//! evaluated with `samplers` and `estimators` only: it builds in about 75 s on one core,
//! needs Rust 1.87, and gives the same output on every run). Its estimators work on a
//! closure evaluated over its own sample, and its README's Ishigami example, run as
//! written, prints indices far from the analytic ones (S1 ≈ 0.03, 0.97, 0.00: the sample
//! stays on the unit cube instead of the factors' ranges). Here the outputs come from the
//! simulation's trials, run through the work folder (saved as they finish, resumable),
//! several outputs per row with undefined rows left out per output, and the bootstrap
//! draws from promosim's own seeded streams; the two estimators are a few lines each. The
//! tests check them against the analytic indices of the Ishigami and Sobol G functions.

use super::design::sobol;
use rand::RngExt;

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Point estimate.
    pub value: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Interval {
    /// Whether the interval contains `x`.
    pub fn covers(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// Bootstrap resamples of the intervals by default.
pub const RESAMPLES: usize = 1000;

/// The Saltelli sample of `n` base points in `d` dimensions: `n(d + 2)` rows of the unit
/// cube, block by block (see the module documentation).
pub fn saltelli(n: usize, d: usize, seed: u64) -> Result<Vec<Vec<f64>>, String> {
    let base = sobol(n, 2 * d, seed)?;
    let mut rows = Vec::with_capacity(n * (d + 2));
    for ab in &base {
        let (a, b) = ab.split_at(d);
        rows.push(a.to_vec());
        for i in 0..d {
            let mut r = a.to_vec();
            r[i] = b[i];
            rows.push(r);
        }
        rows.push(b.to_vec());
    }
    Ok(rows)
}

/// First-order and total Sobol indices of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order index per parameter.
    pub first: Vec<Interval>,
    /// Total index per parameter.
    pub total: Vec<Interval>,
    /// Base samples used (blocks whose outputs are all defined).
    pub n: usize,
    /// Variance of the output over `A` and `B`.
    pub variance: f64,
}

/// The Sobol indices of outputs `y` of a [`saltelli`] sample in `d` dimensions (blocks
/// with an undefined output left out), with bootstrap intervals from `resamples`
/// resamples drawn from `seed`; `None` with fewer than two defined blocks or when the
/// output does not vary.
pub fn sobol_indices(y: &[f64], d: usize, resamples: usize, seed: u64) -> Option<SobolIndices> {
    let blocks: Vec<&[f64]> = y
        .chunks_exact(d + 2)
        .filter(|b| b.iter().all(|v| v.is_finite()))
        .collect();
    let n = blocks.len();
    if n < 2 {
        return None;
    }
    let mean = blocks.iter().map(|b| b[0] + b[d + 1]).sum::<f64>() / (2 * n) as f64;
    let all: Vec<usize> = (0..n).collect();
    let point = sobol_estimates(&blocks, &all, d, mean)?;
    let mut rng = crate::rng::stream_rng(seed, BOOTSTRAP_STREAM);
    let mut draws: Vec<(Vec<f64>, Vec<f64>)> = Vec::with_capacity(resamples);
    let mut pick = vec![0usize; n];
    for _ in 0..resamples {
        for p in pick.iter_mut() {
            *p = rng.random_range(0..n);
        }
        if let Some(e) = sobol_estimates(&blocks, &pick, d, mean) {
            draws.push((e.0, e.1));
        }
    }
    let first = intervals(&point.0, draws.iter().map(|e| &e.0));
    let total = intervals(&point.1, draws.iter().map(|e| &e.1));
    Some(SobolIndices {
        first,
        total,
        n,
        variance: point.2,
    })
}

/// The stream bootstrap resamples draw from.
const BOOTSTRAP_STREAM: u64 = 0xB007_5749;

/// `(S, ST, V)` of the blocks `pick` (with repetitions), outputs centred by `mean`; `None`
/// when the variance is 0.
fn sobol_estimates(
    blocks: &[&[f64]],
    pick: &[usize],
    d: usize,
    mean: f64,
) -> Option<(Vec<f64>, Vec<f64>, f64)> {
    let n = pick.len() as f64;
    let mut v = 0.0;
    let mut m = 0.0;
    for &j in pick {
        let (a, b) = (blocks[j][0] - mean, blocks[j][d + 1] - mean);
        m += a + b;
        v += a * a + b * b;
    }
    m /= 2.0 * n;
    let v = v / (2.0 * n) - m * m;
    if v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let mut first = vec![0.0; d];
    let mut total = vec![0.0; d];
    for &j in pick {
        let blk = blocks[j];
        let (a, b) = (blk[0] - mean, blk[d + 1] - mean);
        for i in 0..d {
            let ab = blk[1 + i] - mean;
            first[i] += b * (ab - a);
            total[i] += (a - ab) * (a - ab);
        }
    }
    for i in 0..d {
        first[i] /= n * v;
        total[i] /= 2.0 * n * v;
    }
    Some((first, total, v))
}

/// Point estimates with the 2.5% and 97.5% quantiles of their bootstrap draws.
fn intervals<'a>(
    point: &[f64],
    draws: impl Iterator<Item = &'a Vec<f64>> + Clone,
) -> Vec<Interval> {
    (0..point.len())
        .map(|i| {
            let mut xs: Vec<f64> = draws.clone().map(|d| d[i]).collect();
            xs.sort_by(f64::total_cmp);
            let q = |p| crate::results::quantile_sorted(&xs, p);
            Interval {
                value: point[i],
                low: if xs.is_empty() {
                    f64::NAN
                } else {
                    q(0.025).min(point[i])
                },
                high: if xs.is_empty() {
                    f64::NAN
                } else {
                    q(0.975).max(point[i])
                },
            }
        })
        .collect()
}

/// Levels of the Morris grid.
pub const MORRIS_LEVELS: usize = 4;

/// `r` Morris trajectories in `d` dimensions: `r(d + 1)` rows of the unit cube, trajectory
/// by trajectory; consecutive rows of a trajectory differ in one coordinate by
/// `±Δ = p / (2(p − 1))` (see the module documentation).
pub fn morris_trajectories(r: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let p = MORRIS_LEVELS;
    let delta = morris_delta();
    let mut rng = crate::rng::stream_rng(seed, MORRIS_STREAM);
    let mut rows = Vec::with_capacity(r * (d + 1));
    let mut order: Vec<usize> = (0..d).collect();
    for _ in 0..r {
        // Base levels 0 .. p/2 − 1 (so that x + Δ stays in the cube), a random direction
        // per parameter: going down starts Δ higher.
        let up: Vec<bool> = (0..d).map(|_| rng.random::<bool>()).collect();
        let mut x: Vec<f64> = (0..d)
            .map(|i| {
                let level = rng.random_range(0..p / 2) as f64 / (p - 1) as f64;
                if up[i] { level } else { level + delta }
            })
            .collect();
        rows.push(x.clone());
        rand::seq::SliceRandom::shuffle(&mut order[..], &mut rng);
        for &i in &order {
            x[i] += if up[i] { delta } else { -delta };
            rows.push(x.clone());
        }
    }
    rows
}

/// The Morris step `Δ = p / (2(p − 1))` of the [`MORRIS_LEVELS`]-level grid.
pub fn morris_delta() -> f64 {
    let p = MORRIS_LEVELS as f64;
    p / (2.0 * (p - 1.0))
}

/// The stream Morris trajectories draw from.
const MORRIS_STREAM: u64 = 0x4D07_7215;

/// Morris measures of one output, per parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisIndices {
    /// Mean absolute elementary effect, with its bootstrap interval.
    pub mu_star: Vec<Interval>,
    /// Mean elementary effect.
    pub mu: Vec<f64>,
    /// Standard deviation of the elementary effects.
    pub sigma: Vec<f64>,
    /// Trajectories used (those whose outputs are all defined).
    pub trajectories: usize,
}

/// The Morris measures of outputs `y` at the rows `x` of [`morris_trajectories`] in `d`
/// dimensions (trajectories with an undefined output left out); `None` with fewer than
/// two defined trajectories.
pub fn morris_indices(
    x: &[Vec<f64>],
    y: &[f64],
    d: usize,
    resamples: usize,
    seed: u64,
) -> Option<MorrisIndices> {
    // Elementary effects per trajectory, indexed by parameter.
    let effects: Vec<Vec<f64>> = x
        .chunks_exact(d + 1)
        .zip(y.chunks_exact(d + 1))
        .filter(|(_, ys)| ys.iter().all(|v| v.is_finite()))
        .map(|(xs, ys)| {
            let mut ee = vec![0.0; d];
            for k in 0..d {
                let i = (0..d).find(|&i| xs[k + 1][i] != xs[k][i]).unwrap_or(k);
                ee[i] = (ys[k + 1] - ys[k]) / (xs[k + 1][i] - xs[k][i]);
            }
            ee
        })
        .collect();
    let r = effects.len();
    if r < 2 {
        return None;
    }
    let mean_abs = |pick: &mut dyn Iterator<Item = usize>| {
        let mut s = vec![0.0; d];
        let mut n = 0.0;
        for j in pick {
            for (si, e) in s.iter_mut().zip(&effects[j]) {
                *si += e.abs();
            }
            n += 1.0;
        }
        s.into_iter().map(|v| v / n).collect::<Vec<f64>>()
    };
    let point = mean_abs(&mut (0..r));
    let mut rng = crate::rng::stream_rng(seed, BOOTSTRAP_STREAM);
    let draws: Vec<Vec<f64>> = (0..resamples)
        .map(|_| {
            let pick: Vec<usize> = (0..r).map(|_| rng.random_range(0..r)).collect();
            mean_abs(&mut pick.into_iter())
        })
        .collect();
    let mu: Vec<f64> = (0..d)
        .map(|i| effects.iter().map(|e| e[i]).sum::<f64>() / r as f64)
        .collect();
    let sigma = (0..d)
        .map(|i| {
            let ss = effects.iter().map(|e| (e[i] - mu[i]).powi(2)).sum::<f64>();
            (ss / (r - 1) as f64).sqrt()
        })
        .collect();
    Some(MorrisIndices {
        mu_star: intervals(&point, draws.iter()),
        mu,
        sigma,
        trajectories: r,
    })
}

/// The noise share of an output: the mean over rows of the squared standard error of a
/// row's trial mean (`s² / T`, its trials' sample variance over their count) divided by
/// the variance of the row means (see the module documentation). `trials[r]` holds row
/// `r`'s per-trial values (undefined ones left out); NaN when it cannot be computed.
pub fn noise_share(trials: &[Vec<f64>]) -> f64 {
    let mut se2 = Vec::new();
    let mut means = Vec::new();
    for row in trials {
        let xs: Vec<f64> = row.iter().copied().filter(|v| v.is_finite()).collect();
        if xs.len() < 2 {
            continue;
        }
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let s2 = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        se2.push(s2 / n);
        means.push(m);
    }
    if means.len() < 2 {
        return f64::NAN;
    }
    let k = means.len() as f64;
    let m = means.iter().sum::<f64>() / k;
    let v = means.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (k - 1.0);
    let noise = se2.iter().sum::<f64>() / k;
    if v > 0.0 { noise / v } else { f64::NAN }
}

/// Parameter indexes in decreasing order of `key` (NaN last), ties in parameter order.
pub fn ranking(key: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..key.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (key[a], key[b]);
        match (x.is_nan(), y.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => y.total_cmp(&x),
        }
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ignored_parameter_has_zero_indices_and_a_degenerate_interval() {
        // y = x0 + 2·x1, x2 ignored: ST = S for additive terms, 1/5 and 4/5.
        let d = 3;
        let rows = saltelli(512, d, 1).unwrap();
        let y: Vec<f64> = rows.iter().map(|r| r[0] + 2.0 * r[1]).collect();
        let s = sobol_indices(&y, d, 200, 5).unwrap();
        assert_eq!((s.first[2].value, s.total[2].value), (0.0, 0.0));
        assert!(s.first[2].covers(0.0) && s.total[2].covers(0.0));
        assert_eq!((s.total[2].low, s.total[2].high), (0.0, 0.0));
        // Standard errors at N = 512 are about 0.02 (Saltelli et al. 2010, Fig. 2): 0.05.
        assert!((s.total[1].value - 0.8).abs() < 0.05, "{:?}", s.total);
        assert!((s.first[0].value - 0.2).abs() < 0.05, "{:?}", s.first);
        assert!(s.total[1].covers(0.8) && s.first[0].covers(0.2));
        assert_eq!(
            ranking(&s.total.iter().map(|i| i.value).collect::<Vec<_>>()),
            [1, 0, 2]
        );
    }

    #[test]
    fn morris_separates_linear_interacting_and_ignored_parameters() {
        // y = 3·x0 + x1·x2 + 0·x3: the effect of x0 is exactly 3 (σ = 0); x1 and x2
        // interact (σ > 0); x3 is ignored (μ* = 0).
        let d = 4;
        let x = morris_trajectories(40, d, 2);
        assert_eq!(x.len(), 40 * (d + 1));
        assert!(x.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        let y: Vec<f64> = x.iter().map(|r| 3.0 * r[0] + r[1] * r[2]).collect();
        let m = morris_indices(&x, &y, d, 200, 3).unwrap();
        assert!((m.mu_star[0].value - 3.0).abs() < 1e-12 && m.sigma[0] < 1e-12);
        assert!(m.sigma[1] > 0.0 && m.sigma[2] > 0.0);
        assert_eq!(m.mu_star[3].value, 0.0);
        assert_eq!((m.mu_star[3].low, m.mu_star[3].high), (0.0, 0.0));
    }

    #[test]
    fn the_noise_share_compares_trial_noise_with_the_spread_of_means() {
        // Means 0, 10, 20 (variance 100); each row's trials ±1 around them (s² = 1 with
        // two trials at ±1: s² = 2, se² = 1): share 1 / 100.
        let rows = vec![vec![-1.0, 1.0], vec![9.0, 11.0], vec![19.0, 21.0]];
        assert!((noise_share(&rows) - 0.01).abs() < 1e-12);
        assert!(noise_share(&[vec![1.0, 1.0], vec![1.0, 1.0]]).is_nan());
    }
}
