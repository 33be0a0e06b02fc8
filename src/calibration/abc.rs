//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC): a weighted sample
//! of the parameters' posterior given targets, without a likelihood.
//!
//! ## Method
//! Population Monte Carlo ABC (Beaumont, Cornuet, Marin & Robert 2009, Biometrika
//! 96(4):983–990; Toni et al. 2009, J. R. Soc. Interface 6:187–202), as pyABC runs it:
//! - **Generation 0** draws `N` particles from the prior and simulates each; every one is
//!   accepted (tolerance ε₀ = ∞), with equal weights.
//! - **Generation t** sets the tolerance to the weighted median of the previous
//!   generation's distances (pyABC's `QuantileEpsilon`, α = 0.5), for the Gaussian kernel
//!   also at most `1/√2` of the previous one (see `next_epsilon`), never below the floor
//!   `eps_min`. Candidates are drawn from the previous particles by weight and moved by a
//!   Gaussian kernel whose covariance is twice the particles' weighted covariance in
//!   working space (Beaumont et al. 2009, §3; [`super::prior`] for the working space); a
//!   move outside the prior's support is drawn again. Each candidate is simulated and
//!   accepted by the kernel; the accepted particle `θ` gets the importance weight
//!   `π(θ) / Σⱼ wⱼ K(θ | θⱼ)`.
//! - **Kernels.** Uniform: accept when the distance is at most ε. For targets given as
//!   ranges the distance is zero inside every range, so ε = 0 is reachable and the final
//!   generation is the posterior under "the truth lies in the range". Gaussian: accept with
//!   probability `exp(−d²/2ε²)` (a stochastic acceptor). For targets given as a value with a
//!   standard error the distance is measured in standard errors, and at ε = 1 this kernel
//!   *is* the likelihood of the observation under Gaussian error with that standard error,
//!   so the final generation samples that exact posterior (Wilkinson 2013, Stat. Appl.
//!   Genet. Mol. Biol. 12(2):129–141); the floor `eps_min` defaults to 1 for it.
//! - **Distance.** Each target's distance ([`Target::distance`]) is scaled (standard errors,
//!   half-widths of a range, the size of a bound); the particle's distance is their root
//!   sum of squares (pyABC's default p = 2). For a value with a standard error the scale
//!   holds both the observation's and the simulated statistic's standard error: every
//!   particle runs the same trials, and without its own noise in the scale a posterior
//!   would be conditional on those trials and too narrow.
//! - **Stopping.** After a generation when ε has reached its floor, when the generation
//!   limit is reached, when the acceptance rate fell below `min_acceptance`, or when the
//!   budget (simulations or wall time) would be exceeded; the last finished generation is
//!   the result.
//!
//! ## Determinism
//! Candidate `j` of generation `t` draws only from `(seed, t, j)` ([`candidate_rng`]) and
//! its simulation depends on its parameters alone (every particle runs the same trial seeds:
//! common random numbers), so candidates are simulated in parallel in batches whose sizes
//! depend only on counts, and accepted in index order. The result is the same on any thread
//! count, and a run resumed from its last finished generation continues exactly as an
//! uninterrupted one would. A wall-time budget is the one input that depends on speed: it
//! decides how many generations finish, never what they contain.

use super::facts::Target;
use super::prior::{Bounded, to_work_point};
use crate::rng::{SimRng, mix};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// How a candidate's distance decides its acceptance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// Accept when the distance is at most ε.
    Uniform,
    /// Accept with probability `exp(−d²/2ε²)`.
    Gaussian,
}

impl Kernel {
    /// The tolerance floor at which the kernel matches the targets' own error model: 0 for
    /// the uniform kernel (inside every range), 1 standard error for the Gaussian one.
    pub fn natural_floor(self) -> f64 {
        match self {
            Kernel::Uniform => 0.0,
            Kernel::Gaussian => 1.0,
        }
    }
}

/// Settings of an ABC-SMC run.
#[derive(Debug, Clone, PartialEq)]
pub struct AbcSettings {
    /// Particles per generation.
    pub particles: usize,
    /// Most generations, the prior sample (generation 0) included.
    pub max_generations: usize,
    /// Acceptance kernel.
    pub kernel: Kernel,
    /// Tolerance floor.
    pub eps_min: f64,
    /// Stop when a generation's acceptance rate falls below this.
    pub min_acceptance: f64,
    /// Most simulations in all.
    pub max_simulations: Option<u64>,
    /// Most wall-clock seconds in all.
    pub max_seconds: Option<f64>,
    /// Seed of the proposals and acceptance draws.
    pub seed: u64,
}

/// One accepted particle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// Parameter values.
    pub theta: Vec<f64>,
    /// Normalised importance weight.
    pub weight: f64,
    /// Each target's simulated statistic.
    pub stats: Vec<f64>,
    /// Each target's scaled distance.
    pub distances: Vec<f64>,
    /// The combined distance.
    pub distance: f64,
}

/// A finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// 0 for the prior sample.
    pub index: usize,
    /// Its tolerance (infinite for generation 0).
    pub epsilon: f64,
    /// Its accepted particles.
    pub particles: Vec<Particle>,
    /// Candidates simulated.
    pub simulations: u64,
    /// Candidates the scenario's checks refused (counted in `simulations`).
    pub refused: u64,
    /// Wall-clock seconds it took.
    pub wall_seconds: f64,
}

impl Generation {
    /// Accepted particles over candidates simulated.
    pub fn acceptance_rate(&self) -> f64 {
        self.particles.len() as f64 / self.simulations.max(1) as f64
    }

    /// Effective sample size of the weights, `(Σw)² / Σw²` (Kish).
    pub fn ess(&self) -> f64 {
        let s: f64 = self.particles.iter().map(|p| p.weight).sum();
        let s2: f64 = self.particles.iter().map(|p| p.weight * p.weight).sum();
        if s2 > 0.0 { s * s / s2 } else { 0.0 }
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The tolerance reached its floor.
    Converged,
    /// The generation limit.
    Generations,
    /// The acceptance rate fell below the minimum.
    LowAcceptance,
    /// The next batch would exceed the simulation budget.
    SimulationBudget,
    /// The wall-time budget ran out.
    TimeBudget,
    /// Interrupted from outside.
    Interrupted,
    /// A batch needs candidates simulated by other processes (a shard's round, see
    /// [`Rounds`]).
    Pending,
}

impl Stop {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Stop::Converged => "tolerance reached its floor",
            Stop::Generations => "generation limit reached",
            Stop::LowAcceptance => "acceptance rate below the minimum",
            Stop::SimulationBudget => "simulation budget reached",
            Stop::TimeBudget => "wall-time budget reached",
            Stop::Interrupted => "interrupted",
            Stop::Pending => "waiting for the shards' simulations",
        }
    }
}

/// The scaled distances of `stats` (each statistic with its standard error) from
/// `targets` and their root sum of squares.
pub fn distances(targets: &[Target], stats: &[(f64, f64)]) -> (Vec<f64>, f64) {
    let d: Vec<f64> = targets
        .iter()
        .zip(stats)
        .map(|(t, (x, se))| t.distance(*x, *se))
        .collect();
    let total = d.iter().map(|x| x * x).sum::<f64>().sqrt();
    (d, total)
}

/// The generator of candidate `j` of generation `t`.
pub fn candidate_rng(seed: u64, t: usize, j: u64) -> SimRng {
    SimRng::seed_from_u64(mix(mix(seed, t as u64), j))
}

/// The weighted `q`-quantile of `xs` (weights need not be normalised): the smallest value
/// whose cumulative weight reaches `q` of the total.
pub fn weighted_quantile(xs: &[f64], ws: &[f64], q: f64) -> f64 {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let total: f64 = ws.iter().sum();
    let mut c = 0.0;
    for &i in &idx {
        c += ws[i];
        if c >= q * total {
            return xs[i];
        }
    }
    idx.last().map_or(f64::NAN, |&i| xs[i])
}

/// The perturbation kernel: a Gaussian with twice the particles' weighted covariance in
/// working space, by its Cholesky factor.
struct Perturbation {
    /// Lower-triangular factor, row-major `d × d`.
    chol: Vec<f64>,
    d: usize,
}

impl Perturbation {
    fn new(work: &[Vec<f64>], w: &[f64]) -> Perturbation {
        let d = work.first().map_or(0, Vec::len);
        let total: f64 = w.iter().sum();
        let mean: Vec<f64> = (0..d)
            .map(|k| work.iter().zip(w).map(|(z, wi)| wi * z[k]).sum::<f64>() / total)
            .collect();
        let mut cov = vec![0.0; d * d];
        for (z, wi) in work.iter().zip(w) {
            for a in 0..d {
                for b in 0..=a {
                    cov[a * d + b] += wi * (z[a] - mean[a]) * (z[b] - mean[b]) / total;
                }
            }
        }
        for a in 0..d {
            for b in 0..a {
                cov[b * d + a] = cov[a * d + b];
            }
        }
        for v in &mut cov {
            *v *= 2.0;
        }
        Perturbation {
            chol: cholesky(&cov, d),
            d,
        }
    }

    /// A draw of the kernel around `z`.
    fn sample(&self, z: &[f64], rng: &mut SimRng) -> Vec<f64> {
        let e: Vec<f64> = (0..self.d).map(|_| StandardNormal.sample(rng)).collect();
        (0..self.d)
            .map(|a| {
                z[a] + (0..=a)
                    .map(|b| self.chol[a * self.d + b] * e[b])
                    .sum::<f64>()
            })
            .collect()
    }

    /// The kernel's density of `x − z` up to its constant.
    fn density(&self, x: &[f64], z: &[f64]) -> f64 {
        // Solve L y = x − z by forward substitution; the density is exp(−|y|²/2).
        let mut y = vec![0.0; self.d];
        for a in 0..self.d {
            let s: f64 = (0..a).map(|b| self.chol[a * self.d + b] * y[b]).sum();
            y[a] = (x[a] - z[a] - s) / self.chol[a * self.d + a];
        }
        (-0.5 * y.iter().map(|v| v * v).sum::<f64>()).exp()
    }
}

/// Cholesky factor of a symmetric positive semi-definite `d × d` matrix, with a small
/// ridge on the diagonal where a direction has collapsed (all particles equal in it).
fn cholesky(m: &[f64], d: usize) -> Vec<f64> {
    let scale = (0..d).map(|i| m[i * d + i]).fold(0.0, f64::max).max(1e-12);
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            if i == j {
                let v = m[i * d + i] - s;
                l[i * d + i] = v.max(1e-10 * scale).sqrt();
            } else {
                l[i * d + j] = (m[i * d + j] - s) / l[j * d + j];
            }
        }
    }
    l
}

/// A candidate before simulation: its parameters and its acceptance draw.
struct Candidate {
    theta: Vec<f64>,
    u: f64,
}

/// Everything a run needs besides its settings.
pub struct Problem<'a, S> {
    /// Each parameter's (possibly narrowed) prior.
    pub priors: &'a [Bounded],
    /// The targets.
    pub targets: &'a [Target],
    /// Simulates one parameter vector: each target's statistic with its standard error
    /// (the simulator's noise at the trials run), or `None` when the scenario's checks
    /// refuse the values.
    pub simulate: &'a S,
}

/// The statistics of one candidate: each target's statistic with its standard error, or
/// `None` when the scenario's checks refused the candidate.
pub type Stats = Option<Vec<(f64, f64)>>;

/// Where the statistics of a batch of candidates come from.
pub trait Batches {
    /// The statistics of candidates `first..first + thetas.len()` of generation `t`, or
    /// `None` when this process cannot finish the batch (see [`Rounds`]).
    fn evaluate(&mut self, t: usize, first: u64, thetas: &[Vec<f64>]) -> Option<Vec<Stats>>;
}

/// Every candidate simulated here, in parallel.
struct Simulate<'a, S>(&'a S);

impl<S> Batches for Simulate<'_, S>
where
    S: Fn(&[f64]) -> Stats + Sync,
{
    fn evaluate(&mut self, _: usize, _: u64, thetas: &[Vec<f64>]) -> Option<Vec<Stats>> {
        Some(thetas.par_iter().map(|th| (self.0)(th)).collect())
    }
}

/// A run cut into rounds across processes (shards of a cluster array): a candidate's
/// statistics depend on its parameters alone, and its parameters on `(seed, t, j)` and the
/// finished generations, so a process can replay the run from the statistics simulated
/// so far (`known`) to the first batch with a candidate nobody simulated, simulate the
/// ones it owns (all, or its shard's: `j mod N = I`), and stop there ([`Stop::Pending`]).
/// Once every shard of that round has run, the replay gets one batch further; the run's
/// result is the one a single process finds, whatever the shard count.
pub struct Rounds<'a, S> {
    /// Statistics simulated earlier, by (generation, candidate).
    pub known: &'a std::collections::BTreeMap<(usize, u64), Stats>,
    /// The simulator; `None` simulates nothing (a merge).
    pub simulate: Option<&'a S>,
    /// The shard whose candidates this process simulates (`None`: every candidate).
    pub shard: Option<crate::shard::Shard>,
    /// What this process simulated: (generation, candidate, statistics).
    pub new: Vec<(usize, u64, Stats)>,
}

impl<S> Batches for Rounds<'_, S>
where
    S: Fn(&[f64]) -> Stats + Sync,
{
    fn evaluate(&mut self, t: usize, first: u64, thetas: &[Vec<f64>]) -> Option<Vec<Stats>> {
        let ids = first..first + thetas.len() as u64;
        let mine = |j: u64| {
            self.simulate.is_some() && self.shard.is_none_or(|s: crate::shard::Shard| s.owns(j))
        };
        let wanted: Vec<(u64, &Vec<f64>)> = ids
            .clone()
            .zip(thetas)
            .filter(|(j, _)| !self.known.contains_key(&(t, *j)) && mine(*j))
            .collect();
        let simulated: Vec<Stats> = match self.simulate {
            Some(sim) => wanted.par_iter().map(|(_, th)| sim(th)).collect(),
            None => Vec::new(),
        };
        let fresh: std::collections::BTreeMap<u64, Stats> =
            wanted.iter().map(|(j, _)| *j).zip(simulated).collect();
        self.new
            .extend(fresh.iter().map(|(j, s)| (t, *j, s.clone())));
        ids.map(|j| self.known.get(&(t, j)).or_else(|| fresh.get(&j)).cloned())
            .collect()
    }
}

/// Runs ABC-SMC from the finished generations `done` (empty for a fresh run).
/// `progress(accepted, simulated)` is called after each batch; `finished` after each
/// generation (to save it), `stop()` is checked before each batch.
pub fn abc_smc<S>(
    problem: &Problem<'_, S>,
    settings: &AbcSettings,
    done: Vec<Generation>,
    progress: &mut dyn FnMut(usize, usize, f64),
    finished: &mut dyn FnMut(&Generation),
    stop: &dyn Fn() -> bool,
) -> (Vec<Generation>, Stop)
where
    S: Fn(&[f64]) -> Stats + Sync,
{
    let mut batches = Simulate(problem.simulate);
    abc_smc_with(
        problem,
        settings,
        done,
        &mut batches,
        progress,
        finished,
        stop,
    )
}

/// [`abc_smc`] with the batches' statistics from `batches` (rather than simulated by
/// `problem.simulate`): stops with [`Stop::Pending`] when a batch cannot be finished.
pub fn abc_smc_with<S>(
    problem: &Problem<'_, S>,
    settings: &AbcSettings,
    mut done: Vec<Generation>,
    batches: &mut dyn Batches,
    progress: &mut dyn FnMut(usize, usize, f64),
    finished: &mut dyn FnMut(&Generation),
    stop: &dyn Fn() -> bool,
) -> (Vec<Generation>, Stop)
where
    S: Fn(&[f64]) -> Stats + Sync,
{
    let start = Instant::now();
    let used: u64 = done.iter().map(|g| g.simulations).sum();
    let mut used_now = 0u64;
    loop {
        if let Some(s) = after_generation(&done, settings) {
            return (done, s);
        }
        let t = done.len();
        let eps = match done.last() {
            None => f64::INFINITY,
            Some(g) => next_epsilon(g, settings),
        };
        let gen_start = Instant::now();
        let proposal = done.last().map(|g| Proposal::new(g, problem.priors));
        let mut accepted = Vec::new();
        let (mut sims, mut refused, mut next) = (0u64, 0u64, 0u64);
        progress(0, settings.particles, eps);
        while accepted.len() < settings.particles {
            if stop() {
                return (done, Stop::Interrupted);
            }
            let batch = batch_size(settings.particles, accepted.len(), sims);
            if settings
                .max_simulations
                .is_some_and(|m| used + used_now + sims + batch > m)
            {
                return (done, Stop::SimulationBudget);
            }
            if settings
                .max_seconds
                .is_some_and(|m| start.elapsed().as_secs_f64() > m)
            {
                return (done, Stop::TimeBudget);
            }
            let cands: Vec<Candidate> = (next..next + batch)
                .map(|j| draw_candidate(problem.priors, proposal.as_ref(), settings.seed, t, j))
                .collect();
            let thetas: Vec<Vec<f64>> = cands.iter().map(|c| c.theta.clone()).collect();
            let Some(results) = batches.evaluate(t, next, &thetas) else {
                return (done, Stop::Pending);
            };
            next += batch;
            for (c, stats) in cands.into_iter().zip(results) {
                sims += 1;
                let Some(stats) = stats else {
                    refused += 1;
                    continue;
                };
                if accepted.len() == settings.particles {
                    continue;
                }
                let (ds, d) = distances(problem.targets, &stats);
                if accepts(settings.kernel, d, eps, c.u) {
                    accepted.push(Particle {
                        theta: c.theta,
                        weight: 1.0,
                        stats: stats.iter().map(|s| s.0).collect(),
                        distances: ds,
                        distance: d,
                    });
                }
            }
            progress(accepted.len(), settings.particles, eps);
        }
        if let Some(p) = &proposal {
            p.weigh(&mut accepted, problem.priors);
        } else {
            let w = 1.0 / accepted.len() as f64;
            accepted.iter_mut().for_each(|p| p.weight = w);
        }
        used_now += sims;
        let g = Generation {
            index: t,
            epsilon: eps,
            particles: accepted,
            simulations: sims,
            refused,
            wall_seconds: gen_start.elapsed().as_secs_f64(),
        };
        finished(&g);
        done.push(g);
    }
}

/// Why the run stops after these generations, if it does.
fn after_generation(done: &[Generation], s: &AbcSettings) -> Option<Stop> {
    let last = done.last()?;
    if done.len() >= s.max_generations {
        Some(Stop::Generations)
    } else if last.index > 0 && last.epsilon <= s.eps_min {
        Some(Stop::Converged)
    } else if last.index > 0 && last.acceptance_rate() < s.min_acceptance {
        Some(Stop::LowAcceptance)
    } else {
        None
    }
}

/// The next tolerance: the weighted median of the generation's distances, never above
/// the generation's own tolerance and, for the Gaussian kernel, at most `ε/√2` (its
/// accepted distances spread beyond ε, so their median alone would stall; halving the
/// temperature ε² each generation is pyABC's `ExpDecayFixedRatioScheme` with α = 0.5);
/// never below the floor.
fn next_epsilon(g: &Generation, s: &AbcSettings) -> f64 {
    let d: Vec<f64> = g.particles.iter().map(|p| p.distance).collect();
    let w: Vec<f64> = g.particles.iter().map(|p| p.weight).collect();
    let cap = match s.kernel {
        Kernel::Uniform => g.epsilon,
        Kernel::Gaussian => g.epsilon * std::f64::consts::FRAC_1_SQRT_2,
    };
    weighted_quantile(&d, &w, 0.5).min(cap).max(s.eps_min)
}

/// Candidates to simulate next: the particles still wanted over the acceptance rate seen so
/// far, between 16 and four times the population (a function of counts only).
fn batch_size(n: usize, accepted: usize, sims: u64) -> u64 {
    let want = (n - accepted) as f64;
    let rate = if sims == 0 {
        1.0
    } else {
        (accepted as f64 / sims as f64).max(0.01)
    };
    ((want / rate).ceil() as u64).clamp(16, 4 * n as u64)
}

/// The kernel's acceptance of a candidate at distance `d` with uniform draw `u`.
fn accepts(kernel: Kernel, d: f64, eps: f64, u: f64) -> bool {
    if !d.is_finite() {
        return false;
    }
    if eps.is_infinite() {
        return true;
    }
    match kernel {
        Kernel::Uniform => d <= eps,
        Kernel::Gaussian => eps > 0.0 && u < (-0.5 * (d / eps).powi(2)).exp(),
    }
}

/// The previous generation as a proposal: ancestors by weight, moved by the kernel.
struct Proposal {
    work: Vec<Vec<f64>>,
    cum: Vec<f64>,
    weights: Vec<f64>,
    kernel: Perturbation,
}

impl Proposal {
    fn new(g: &Generation, priors: &[Bounded]) -> Proposal {
        let work: Vec<Vec<f64>> = g
            .particles
            .iter()
            .map(|p| to_work_point(&p.theta, priors.iter().map(|b| b.prior)))
            .collect();
        let weights: Vec<f64> = g.particles.iter().map(|p| p.weight).collect();
        let mut c = 0.0;
        let cum = weights
            .iter()
            .map(|w| {
                c += w;
                c
            })
            .collect();
        let kernel = Perturbation::new(&work, &weights);
        Proposal {
            work,
            cum,
            weights,
            kernel,
        }
    }

    fn ancestor(&self, u: f64) -> usize {
        let total = self.cum.last().copied().unwrap_or(1.0);
        self.cum
            .partition_point(|c| *c < u * total)
            .min(self.work.len() - 1)
    }

    /// Importance weights `π(θ)/Σⱼ wⱼ K(θ|θⱼ)`, normalised.
    fn weigh(&self, ps: &mut [Particle], priors: &[Bounded]) {
        let weights: Vec<f64> = ps
            .par_iter()
            .map(|p| {
                let z = to_work_point(&p.theta, priors.iter().map(|b| b.prior));
                let prior: f64 = z
                    .iter()
                    .zip(priors)
                    .map(|(v, b)| b.density_work(*v))
                    .product();
                let q: f64 = self
                    .work
                    .iter()
                    .zip(&self.weights)
                    .map(|(zj, wj)| wj * self.kernel.density(&z, zj))
                    .sum();
                if q > 0.0 { prior / q } else { 0.0 }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let n = ps.len() as f64;
        for (p, w) in ps.iter_mut().zip(weights) {
            p.weight = if total > 0.0 { w / total } else { 1.0 / n };
        }
    }
}

/// Candidate `j` of generation `t`: from the prior in generation 0, else an ancestor moved
/// by the kernel until it lands in the prior's support (at most 1,000 tries, then the
/// ancestor itself).
fn draw_candidate(
    priors: &[Bounded],
    proposal: Option<&Proposal>,
    seed: u64,
    t: usize,
    j: u64,
) -> Candidate {
    let mut rng = candidate_rng(seed, t, j);
    let u = rng.random::<f64>();
    let theta = match proposal {
        None => priors.iter().map(|b| b.from_unit(rng.random())).collect(),
        Some(p) => {
            let a = p.ancestor(rng.random());
            let inside = |z: &[f64]| z.iter().zip(priors).all(|(v, b)| b.density_work(*v) > 0.0);
            let z = (0..1000)
                .map(|_| p.kernel.sample(&p.work[a], &mut rng))
                .find(|z| inside(z))
                .unwrap_or_else(|| p.work[a].clone());
            z.iter()
                .zip(priors)
                .map(|(v, b)| b.prior.from_work(*v))
                .collect()
        }
    };
    Candidate { theta, u }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::prior::Prior;

    fn settings(n: usize, kernel: Kernel) -> AbcSettings {
        AbcSettings {
            particles: n,
            max_generations: 12,
            kernel,
            eps_min: kernel.natural_floor(),
            min_acceptance: 0.005,
            max_simulations: None,
            max_seconds: None,
            seed: 7,
        }
    }

    fn weighted_mean_sd(g: &Generation, k: usize) -> (f64, f64) {
        let m: f64 = g.particles.iter().map(|p| p.weight * p.theta[k]).sum();
        let v: f64 = g
            .particles
            .iter()
            .map(|p| p.weight * (p.theta[k] - m).powi(2))
            .sum();
        (m, v.sqrt())
    }

    fn run(
        problem: &Problem<'_, impl Fn(&[f64]) -> Option<Vec<(f64, f64)>> + Sync>,
        s: &AbcSettings,
    ) -> Vec<Generation> {
        abc_smc(
            problem,
            s,
            Vec::new(),
            &mut |_, _, _| {},
            &mut |_| {},
            &|| false,
        )
        .0
    }

    /// Conjugate normal model: θ ~ N(0, 2²) prior, observation y = θ + e, e ~ N(0, 1), seen
    /// y = 1.5 (the simulator returns θ itself; the target's standard error is the noise).
    /// The posterior is N(1.5·4/5, √(4/5)) = N(1.2, 0.894). The Gaussian kernel at ε = 1 is
    /// that likelihood, so ABC-SMC samples this posterior. Second parameter: uniform(0, 1)
    /// that the target ignores, whose posterior must stay the prior (sd 1/√12 = 0.289).
    /// Tolerances: with ESS ≳ 300 the weighted mean's standard error is about
    /// 0.894/√300 = 0.052 and the sd's about 0.894/√600 = 0.037; 4 of them each.
    #[test]
    fn the_gaussian_kernel_recovers_a_conjugate_posterior_and_leaves_an_ignored_parameter_at_its_prior()
     {
        let priors = [
            Bounded::full(Prior::Normal(0.0, 2.0)),
            Bounded::full(Prior::Uniform(0.0, 1.0)),
        ];
        let targets = [Target::Value(1.5, 1.0)];
        let sim = |th: &[f64]| Some(vec![(th[0], 0.0)]);
        let problem = Problem {
            priors: &priors,
            targets: &targets,
            simulate: &sim,
        };
        let gens = run(&problem, &settings(600, Kernel::Gaussian));
        let last = gens.last().expect("a generation");
        assert_eq!(last.epsilon, 1.0, "reaches the floor: {gens:?}");
        assert!(last.ess() > 300.0, "ess {}", last.ess());
        let (m, sd) = weighted_mean_sd(last, 0);
        assert!((m - 1.2).abs() < 4.0 * 0.052, "mean {m}");
        assert!((sd - 0.894).abs() < 4.0 * 0.037, "sd {sd}");
        let (m2, sd2) = weighted_mean_sd(last, 1);
        assert!(
            (m2 - 0.5).abs() < 4.0 * 0.289 / 300f64.sqrt(),
            "ignored mean {m2}"
        );
        assert!(
            (sd2 - 0.289).abs() < 4.0 * 0.289 / 600f64.sqrt(),
            "ignored sd {sd2}"
        );
    }

    /// A range target with the uniform kernel: θ ~ U(0, 10), statistic θ², range [4, 9].
    /// ε reaches 0 and every particle lies in [2, 3]; the posterior is flat there, so its
    /// median is 2.5 within 4 standard errors of a median of U(2, 3) with ESS ≥ 200
    /// (sd 0.289 · 1.25/√200).
    #[test]
    fn the_uniform_kernel_reaches_zero_on_ranges() {
        let priors = [Bounded::full(Prior::Uniform(0.0, 10.0))];
        let targets = [Target::Range(4.0, 9.0)];
        let sim = |th: &[f64]| Some(vec![(th[0] * th[0], 0.0)]);
        let problem = Problem {
            priors: &priors,
            targets: &targets,
            simulate: &sim,
        };
        let gens = run(&problem, &settings(400, Kernel::Uniform));
        let last = gens.last().expect("a generation");
        assert_eq!(last.epsilon, 0.0);
        assert!(
            last.particles
                .iter()
                .all(|p| (2.0..=3.0).contains(&p.theta[0]))
        );
        let x: Vec<f64> = last.particles.iter().map(|p| p.theta[0]).collect();
        let w: Vec<f64> = last.particles.iter().map(|p| p.weight).collect();
        assert!(last.ess() >= 200.0);
        let med = weighted_quantile(&x, &w, 0.5);
        assert!(
            (med - 2.5).abs() < 4.0 * 0.289 * 1.25 / 200f64.sqrt(),
            "{med}"
        );
    }

    #[test]
    fn a_run_resumed_from_a_generation_continues_as_an_uninterrupted_one() {
        let priors = [
            Bounded::full(Prior::Uniform(-5.0, 5.0)),
            Bounded::full(Prior::LogUniform(0.1, 10.0)),
        ];
        let targets = [Target::Value(1.0, 0.2), Target::Range(1.0, 2.0)];
        let sim = |th: &[f64]| Some(vec![(th[0] + 0.1 * th[1], 0.0), (th[1], 0.0)]);
        let problem = Problem {
            priors: &priors,
            targets: &targets,
            simulate: &sim,
        };
        let mut s = settings(100, Kernel::Gaussian);
        s.max_generations = 4;
        let whole = run(&problem, &s);
        let mut part = s.clone();
        part.max_generations = 2;
        let first = run(&problem, &part);
        let (rest, _) = abc_smc(&problem, &s, first, &mut |_, _, _| {}, &mut |_| {}, &|| {
            false
        });
        let strip = |g: &[Generation]| -> Vec<Vec<Particle>> {
            g.iter().map(|g| g.particles.clone()).collect()
        };
        assert_eq!(strip(&whole), strip(&rest));
    }

    /// A run cut into rounds of 1 to 4 shards, each round merged by a replay that
    /// simulates nothing, ends with the single run's generations (the simulations counted
    /// the same), whatever the shard count.
    #[test]
    fn rounds_of_shards_replay_into_the_single_run() {
        let priors = [
            Bounded::full(Prior::Uniform(-5.0, 5.0)),
            Bounded::full(Prior::LogUniform(0.1, 10.0)),
        ];
        let targets = [Target::Value(1.0, 0.2), Target::Range(1.0, 2.0)];
        let sim =
            |th: &[f64]| (th[1] < 9.0).then(|| vec![(th[0] + 0.1 * th[1], 0.0), (th[1], 0.0)]);
        let problem = Problem {
            priors: &priors,
            targets: &targets,
            simulate: &sim,
        };
        let mut s = settings(40, Kernel::Gaussian);
        s.max_generations = 4;
        let strip = |g: &[Generation]| -> Vec<(Vec<Particle>, u64, u64, u64)> {
            g.iter()
                .map(|g| {
                    (
                        g.particles.clone(),
                        g.simulations,
                        g.refused,
                        g.epsilon.to_bits(),
                    )
                })
                .collect()
        };
        let (whole, why) = abc_smc(
            &problem,
            &s,
            Vec::new(),
            &mut |_, _, _| {},
            &mut |_| {},
            &|| false,
        );
        for n in 1..=4u32 {
            let mut known = std::collections::BTreeMap::new();
            let mut rounds = 0;
            let (merged, stop) = loop {
                rounds += 1;
                assert!(rounds < 100, "{n} shards: no end");
                let mut new = Vec::new();
                for index in 0..n {
                    let mut r = Rounds {
                        known: &known,
                        simulate: Some(&sim),
                        shard: Some(crate::shard::Shard { index, count: n }),
                        new: Vec::new(),
                    };
                    abc_smc_with(
                        &problem,
                        &s,
                        Vec::new(),
                        &mut r,
                        &mut |_, _, _| {},
                        &mut |_| {},
                        &|| false,
                    );
                    new.extend(r.new);
                }
                known.extend(new.into_iter().map(|(t, j, st)| ((t, j), st)));
                let mut merge: Rounds<'_, fn(&[f64]) -> Stats> = Rounds {
                    known: &known,
                    simulate: None,
                    shard: None,
                    new: Vec::new(),
                };
                let (g, stop) = abc_smc_with(
                    &problem,
                    &s,
                    Vec::new(),
                    &mut merge,
                    &mut |_, _, _| {},
                    &mut |_| {},
                    &|| false,
                );
                if stop != Stop::Pending {
                    break (g, stop);
                }
            };
            assert_eq!(stop, why);
            assert_eq!(strip(&merged), strip(&whole), "{n} shards");
        }
    }

    #[test]
    fn the_simulation_budget_stops_before_it_is_exceeded() {
        let priors = [Bounded::full(Prior::Uniform(0.0, 1.0))];
        let targets = [Target::Value(0.5, 0.01)];
        let sim = |th: &[f64]| Some(vec![(th[0], 0.0)]);
        let problem = Problem {
            priors: &priors,
            targets: &targets,
            simulate: &sim,
        };
        let mut s = settings(50, Kernel::Gaussian);
        s.max_simulations = Some(300);
        let (gens, stop) = abc_smc(
            &problem,
            &s,
            Vec::new(),
            &mut |_, _, _| {},
            &mut |_| {},
            &|| false,
        );
        assert_eq!(stop, Stop::SimulationBudget);
        assert!(gens.iter().map(|g| g.simulations).sum::<u64>() <= 300);
    }
}
