//! Maximum likelihood for positive parameters: Nelder–Mead (argmin) on the logarithms of
//! the parameters, restarted from its best point until a restart no longer improves the
//! log-likelihood (a standard guard against a simplex that collapsed early), then the
//! Hessian of the log-likelihood in the log-parameters by central differences.
//!
//! Standard errors: the covariance of the log-parameters is the inverse of the observed
//! information `−H`; a parameter's standard error is `θ · SE(ln θ)` (delta method) and its
//! 95% interval `θ · exp(±1.96 · SE(ln θ))`, which stays positive. Working in logarithms
//! is also why the Hessian is well conditioned whatever the time unit (`α` in days is
//! seven times `α` in weeks, the same in log-space up to a shift).
//!
//! Why Nelder–Mead: it needs no gradient (the Pareto/NBD gradient involves derivatives of
//! `2F1` in its parameters) and tolerates a likelihood that is not finite in places (mapped
//! to a large cost), the reason CLVTools users switch to it for Pareto/NBD.

use argmin::core::{CostFunction, Error, Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::neldermead::NelderMead;

/// The fit of one model.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Estimate {
    /// Parameter names.
    pub names: Vec<&'static str>,
    /// Maximum likelihood estimates.
    pub values: Vec<f64>,
    /// Standard errors (NaN when the Hessian is not negative definite).
    pub se: Vec<f64>,
    /// Lower ends of the 95% intervals.
    pub lo: Vec<f64>,
    /// Upper ends of the 95% intervals.
    pub hi: Vec<f64>,
    /// Log-likelihood at the estimates.
    pub loglik: f64,
    /// Observations (customers).
    pub n: usize,
    /// Whether Nelder–Mead converged and the Hessian is negative definite.
    pub converged: bool,
    /// Likelihood evaluations by the optimiser.
    pub evaluations: u64,
}

impl Estimate {
    /// Akaike's criterion `2k − 2 ln L`.
    pub fn aic(&self) -> f64 {
        2.0 * self.values.len() as f64 - 2.0 * self.loglik
    }

    /// Schwarz's criterion `k ln n − 2 ln L`.
    pub fn bic(&self) -> f64 {
        self.values.len() as f64 * (self.n as f64).ln() - 2.0 * self.loglik
    }

    /// The estimate of parameter `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        let i = self.names.iter().position(|n| *n == name)?;
        Some(self.values[i])
    }

    /// Whether the 95% interval of parameter `i` contains `v`.
    pub fn covers(&self, i: usize, v: f64) -> bool {
        self.lo[i] <= v && v <= self.hi[i]
    }
}

/// Cost given to parameters where the log-likelihood is not finite.
const NOT_FINITE: f64 = 1e300;

struct Negated<'a, F: Fn(&[f64]) -> f64> {
    ll: &'a F,
}

impl<F: Fn(&[f64]) -> f64> CostFunction for Negated<'_, F> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, theta: &Self::Param) -> Result<f64, Error> {
        let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        let v = -(self.ll)(&p);
        Ok(if v.is_finite() { v } else { NOT_FINITE })
    }
}

/// One Nelder–Mead run from `start` (log-parameters) with initial steps `step`: the best
/// point, its cost, whether it converged and the iterations.
fn nelder_mead<F: Fn(&[f64]) -> f64>(
    ll: &F,
    start: &[f64],
    step: f64,
) -> Result<(Vec<f64>, f64, bool, u64), Error> {
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut v = start.to_vec();
        v[i] += step;
        simplex.push(v);
    }
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-10)?;
    let res = Executor::new(Negated { ll }, solver)
        .configure(|s| s.max_iters(20_000))
        .run()?;
    let state = res.state();
    let converged = matches!(
        state.get_termination_status(),
        TerminationStatus::Terminated(TerminationReason::SolverConverged)
    );
    let best = state
        .get_best_param()
        .cloned()
        .unwrap_or_else(|| start.to_vec());
    Ok((best, state.get_best_cost(), converged, state.get_iter()))
}

/// Maximises `ll` over positive parameters from `start`; `n` observations (for BIC).
pub fn maximise<F: Fn(&[f64]) -> f64>(
    names: &[&'static str],
    ll: F,
    start: &[f64],
    n: usize,
) -> Result<Estimate, String> {
    let mut theta: Vec<f64> = start.iter().map(|v| v.ln()).collect();
    let mut cost = f64::INFINITY;
    let mut converged = false;
    let mut evaluations = 0;
    for (round, step) in [0.7, 0.2, 0.05, 0.05, 0.05].into_iter().enumerate() {
        let (best, c, conv, iters) =
            nelder_mead(&ll, &theta, step).map_err(|e| format!("the optimiser failed: {e}"))?;
        evaluations += iters;
        let gain = cost - c;
        if c <= cost {
            theta = best;
            cost = c;
        }
        converged = conv;
        if round >= 1 && gain.abs() < 1e-9 {
            break;
        }
    }
    if cost >= NOT_FINITE {
        return Err("the log-likelihood is not finite anywhere the optimiser looked".into());
    }
    let f = |t: &[f64]| ll(&t.iter().map(|v| v.exp()).collect::<Vec<_>>());
    let h = hessian(&f, &theta, 1e-3);
    let neg: Vec<Vec<f64>> = h
        .iter()
        .map(|row| row.iter().map(|v| -v).collect())
        .collect();
    let cov = invert(&neg);
    let k = theta.len();
    let values: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
    let se_log: Vec<f64> = (0..k)
        .map(|i| match &cov {
            Some(c) if c[i][i] > 0.0 => c[i][i].sqrt(),
            _ => f64::NAN,
        })
        .collect();
    let definite = cov.is_some() && se_log.iter().all(|s| s.is_finite());
    Ok(Estimate {
        names: names.to_vec(),
        se: (0..k).map(|i| values[i] * se_log[i]).collect(),
        lo: (0..k)
            .map(|i| values[i] * (-1.96 * se_log[i]).exp())
            .collect(),
        hi: (0..k)
            .map(|i| values[i] * (1.96 * se_log[i]).exp())
            .collect(),
        values,
        loglik: -cost,
        n,
        converged: converged && definite,
        evaluations,
    })
}

/// The Hessian of `f` at `x` by central differences of step `h`.
#[allow(clippy::needless_range_loop)] // matrix indices read as the formulas
pub fn hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<Vec<f64>> {
    let k = x.len();
    let at = |d: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, s) in d {
            y[i] += s;
        }
        f(&y)
    };
    let f0 = f(x);
    let mut m = vec![vec![0.0; k]; k];
    for i in 0..k {
        m[i][i] = (at(&[(i, h)]) - 2.0 * f0 + at(&[(i, -h)])) / (h * h);
        for j in 0..i {
            let v = (at(&[(i, h), (j, h)]) - at(&[(i, h), (j, -h)]) - at(&[(i, -h), (j, h)])
                + at(&[(i, -h), (j, -h)]))
                / (4.0 * h * h);
            m[i][j] = v;
            m[j][i] = v;
        }
    }
    m
}

/// The inverse of a symmetric positive definite matrix by Cholesky, or `None` when it is
/// not positive definite (or not finite).
#[allow(clippy::needless_range_loop)] // matrix indices read as the formulas
pub fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = (0..j).map(|m| l[i][m] * l[j][m]).sum();
            if i == j {
                let d = a[i][i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    // Columns of L⁻¹, then A⁻¹ = L⁻ᵀ L⁻¹.
    let mut li = vec![vec![0.0; k]; k];
    for c in 0..k {
        for i in c..k {
            let s: f64 = (c..i).map(|m| l[i][m] * li[m][c]).sum();
            li[i][c] = (if i == c { 1.0 } else { 0.0 } - s) / l[i][i];
        }
    }
    let mut inv = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..k {
            inv[i][j] = (i.max(j)..k).map(|m| li[m][i] * li[m][j]).sum();
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A normal sample's mean and standard deviation by maximum likelihood: the estimates
    /// are the sample's (to the optimiser's tolerance), and the standard errors are the
    /// textbook ones, `σ/√n` for the mean and `σ/√(2n)` for σ (exact for the observed
    /// information at the maximum; 1e-3 relative is the finite-difference error).
    #[test]
    fn normal_sample() {
        let xs: Vec<f64> = (0..500)
            .map(|i| 5.0 + ((i * 37 % 101) as f64 - 50.0) / 20.0)
            .collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        let ll = |p: &[f64]| {
            xs.iter()
                .map(|x| -0.5 * ((x - p[0]) / p[1]).powi(2) - p[1].ln())
                .sum::<f64>()
        };
        let e = maximise(&["mu", "sigma"], ll, &[1.0, 1.0], xs.len()).unwrap();
        assert!(e.converged);
        assert!((e.values[0] - mean).abs() < 1e-6, "{:?}", e.values);
        assert!((e.values[1] - sd).abs() < 1e-6, "{:?}", e.values);
        assert!((e.se[0] / (sd / n.sqrt()) - 1.0).abs() < 1e-3, "{:?}", e.se);
        assert!(
            (e.se[1] / (sd / (2.0 * n).sqrt()) - 1.0).abs() < 1e-3,
            "{:?}",
            e.se
        );
        assert!(e.lo[0] < mean && mean < e.hi[0]);
    }

    #[test]
    fn inverse_of_a_known_matrix() {
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let inv = invert(&a).unwrap();
        let want = [[3.0 / 8.0, -2.0 / 8.0], [-2.0 / 8.0, 4.0 / 8.0]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inv[i][j] - want[i][j]).abs() < 1e-14);
            }
        }
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
    }
}
