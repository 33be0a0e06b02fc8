//! Priors of calibrated parameters: what a researcher believes about a parameter before
//! the targets are seen.
//!
//! ## Model
//! A parameter is a scenario key (any key `--set` takes) with one of three priors:
//! - `uniform(lo, hi)`: flat on `[lo, hi]`;
//! - `loguniform(lo, hi)`: flat in `ln x` on `[lo, hi]`, `0 < lo < hi`, for scale
//!   parameters whose order of magnitude is unknown (click rates, patience);
//! - `normal(mu, sd)`: a measured value with its standard error; values the scenario's own
//!   checks refuse have zero prior mass, so the prior is the normal truncated to what the
//!   key allows.
//!
//! The samplers move particles in a *working space*: the value itself for `uniform` and
//! `normal`, its logarithm for `loguniform`. There every prior's density is a plain
//! uniform or normal density, which keeps the ABC-SMC importance weights and the Gaussian
//! perturbation kernel simple (Beaumont et al. 2009, Biometrika 96(4):983–990).
//!
//! Each prior also maps the unit interval onto itself through its quantile function
//! ([`Prior::from_unit`]): Latin-hypercube and optimiser coordinates live in `[0, 1]^d`.

use std::fmt;

/// A prior distribution of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    /// Flat on `[lo, hi]`.
    Uniform(f64, f64),
    /// Flat in the logarithm on `[lo, hi]`, `0 < lo`.
    LogUniform(f64, f64),
    /// Normal with mean and standard deviation.
    Normal(f64, f64),
}

/// What a prior may be written as, for error messages.
pub const PRIOR_FORMS: &str = "uniform(lo, hi), loguniform(lo, hi) with 0 < lo, or normal(mean, sd) with sd > 0; finite numbers, lo < hi";

impl Prior {
    /// Parses `uniform(lo, hi)`, `loguniform(lo, hi)` or `normal(mu, sd)`.
    pub fn parse(text: &str) -> Result<Prior, String> {
        let bad = || format!("`{text}` is not a prior; allowed: {PRIOR_FORMS}");
        let t = text.trim();
        let (name, rest) = t.split_once('(').ok_or_else(bad)?;
        let args = rest.strip_suffix(')').ok_or_else(bad)?;
        let nums: Vec<f64> = args
            .split(',')
            .map(|a| a.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        let [a, b] = nums[..] else { return Err(bad()) };
        if !a.is_finite() || !b.is_finite() {
            return Err(bad());
        }
        let prior = match name.trim() {
            "uniform" if a < b => Prior::Uniform(a, b),
            "loguniform" if 0.0 < a && a < b => Prior::LogUniform(a, b),
            "normal" if b > 0.0 => Prior::Normal(a, b),
            _ => return Err(bad()),
        };
        Ok(prior)
    }

    /// The working-space coordinate of a value (see the module documentation).
    pub fn to_work(self, x: f64) -> f64 {
        match self {
            Prior::LogUniform(..) => x.ln(),
            _ => x,
        }
    }

    /// The value of a working-space coordinate.
    pub fn from_work(self, z: f64) -> f64 {
        match self {
            Prior::LogUniform(..) => z.exp(),
            _ => z,
        }
    }

    /// The prior density in working space, up to a constant factor; zero outside the
    /// support.
    pub fn density_work(self, z: f64) -> f64 {
        match self {
            Prior::Uniform(lo, hi) => f64::from(z >= lo && z <= hi),
            Prior::LogUniform(lo, hi) => f64::from(z >= lo.ln() && z <= hi.ln()),
            Prior::Normal(mu, sd) => (-0.5 * ((z - mu) / sd).powi(2)).exp(),
        }
    }

    /// The value at prior probability `u` (the quantile function), `u` in `(0, 1)`.
    pub fn from_unit(self, u: f64) -> f64 {
        let u = u.clamp(1e-12, 1.0 - 1e-12);
        match self {
            Prior::Uniform(lo, hi) => lo + u * (hi - lo),
            Prior::LogUniform(lo, hi) => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
            Prior::Normal(mu, sd) => mu + sd * std_normal_quantile(u),
        }
    }

    /// The prior probability below `x` (the distribution function).
    pub fn to_unit(self, x: f64) -> f64 {
        match self {
            Prior::Uniform(lo, hi) => ((x - lo) / (hi - lo)).clamp(0.0, 1.0),
            Prior::LogUniform(lo, hi) => {
                ((x.max(lo).ln() - lo.ln()) / (hi.ln() - lo.ln())).clamp(0.0, 1.0)
            }
            Prior::Normal(mu, sd) => std_normal_cdf((x - mu) / sd),
        }
    }

    /// The prior's `[lo, hi]` box: the support of a bounded prior, `mean ± 4 sd` of a
    /// normal one.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Prior::Uniform(lo, hi) | Prior::LogUniform(lo, hi) => (lo, hi),
            Prior::Normal(mu, sd) => (mu - 4.0 * sd, mu + 4.0 * sd),
        }
    }

    /// The prior restricted to `[lo, hi]` (inside its support): the narrowed prior a
    /// history-matching wave leaves. A normal prior keeps its shape and gets the bounds
    /// through [`Bounded`].
    pub fn narrowed(self, lo: f64, hi: f64) -> Bounded {
        Bounded {
            prior: self,
            lo,
            hi,
        }
    }
}

impl fmt::Display for Prior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prior::Uniform(a, b) => write!(f, "uniform({a}, {b})"),
            Prior::LogUniform(a, b) => write!(f, "loguniform({a}, {b})"),
            Prior::Normal(a, b) => write!(f, "normal({a}, {b})"),
        }
    }
}

/// The working-space coordinates of a parameter point under its priors.
pub fn to_work_point(theta: &[f64], priors: impl IntoIterator<Item = Prior>) -> Vec<f64> {
    theta
        .iter()
        .zip(priors)
        .map(|(x, p)| p.to_work(*x))
        .collect()
}

/// A prior truncated to a box `[lo, hi]` of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounded {
    /// The prior.
    pub prior: Prior,
    /// Lowest value allowed.
    pub lo: f64,
    /// Highest value allowed.
    pub hi: f64,
}

impl Bounded {
    /// The prior on its own box ([`Prior::bounds`]) for bounded priors, unbounded for a
    /// normal one.
    pub fn full(prior: Prior) -> Bounded {
        let (lo, hi) = match prior {
            Prior::Normal(..) => (f64::NEG_INFINITY, f64::INFINITY),
            p => p.bounds(),
        };
        Bounded { prior, lo, hi }
    }

    /// The density in working space, zero outside the box.
    pub fn density_work(&self, z: f64) -> f64 {
        let x = self.prior.from_work(z);
        if x < self.lo || x > self.hi {
            0.0
        } else {
            self.prior.density_work(z)
        }
    }

    /// The value at probability `u` of the truncated prior.
    pub fn from_unit(&self, u: f64) -> f64 {
        let (a, b) = (self.prior.to_unit(self.lo), self.prior.to_unit(self.hi));
        self.prior
            .from_unit(a + u * (b - a))
            .clamp(self.lo, self.hi)
    }

    /// The probability below `x` under the truncated prior.
    pub fn to_unit(&self, x: f64) -> f64 {
        let (a, b) = (self.prior.to_unit(self.lo), self.prior.to_unit(self.hi));
        if b <= a {
            return 0.5;
        }
        ((self.prior.to_unit(x) - a) / (b - a)).clamp(0.0, 1.0)
    }
}

/// The standard normal distribution function.
pub fn std_normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile function.
pub fn std_normal_quantile(u: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priors_parse_and_refuse_what_is_not_one() {
        assert_eq!(Prior::parse("uniform(1, 2)"), Ok(Prior::Uniform(1.0, 2.0)));
        assert_eq!(
            Prior::parse(" loguniform(0.01,0.1) "),
            Ok(Prior::LogUniform(0.01, 0.1))
        );
        assert_eq!(
            Prior::parse("normal(-1, 0.5)"),
            Ok(Prior::Normal(-1.0, 0.5))
        );
        for bad in [
            "uniform(2, 1)",
            "loguniform(0, 1)",
            "normal(0, 0)",
            "uniform(1)",
            "beta(1, 2)",
            "uniform(1, inf)",
            "1.5",
        ] {
            let e = Prior::parse(bad).expect_err(bad);
            assert!(e.contains("allowed: uniform(lo, hi)"), "{e}");
        }
    }

    #[test]
    fn the_unit_map_inverts_the_distribution_function() {
        for p in [
            Prior::Uniform(-2.0, 3.0),
            Prior::LogUniform(0.001, 0.5),
            Prior::Normal(1.0, 2.0),
        ] {
            for u in [0.01, 0.25, 0.5, 0.9] {
                let x = p.from_unit(u);
                assert!((p.to_unit(x) - u).abs() < 1e-9, "{p} at {u}");
            }
        }
        // The median of loguniform(0.01, 1) is the geometric mean 0.1.
        assert!((Prior::LogUniform(0.01, 1.0).from_unit(0.5) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_truncated_prior_stays_in_its_box() {
        let b = Prior::Normal(0.0, 1.0).narrowed(-0.5, 2.0);
        for u in [0.0, 0.3, 1.0] {
            let x = b.from_unit(u);
            assert!((-0.5..=2.0).contains(&x));
            assert!((b.to_unit(x) - u).abs() < 1e-9);
        }
        assert_eq!(b.density_work(-0.6), 0.0);
        assert!(b.density_work(0.0) > 0.0);
    }
}
