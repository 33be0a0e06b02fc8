//! Distribution specifications as written in scenario files, and validated samplers.
//!
//! A scenario writes a distribution as an inline table, e.g.
//! `followers = { dist = "lognormal", median = 8000, sigma = 1.5 }`. The spec is data; it is
//! turned into a [`Dist`] through the distribution's own constructor ([`DistSpec::build`]), so
//! parameters are validated and the support is checked against what the quantity allows
//! (a group size must be positive, a rate must lie in `[0, 1]`).
//!
//! | `dist` | parameters | mean |
//! |---|---|---|
//! | `fixed` | `value` | `value` |
//! | `uniform` | `min`, `max` | `(min+max)/2` |
//! | `normal` | `mean`, `sd` | `mean` (only for unbounded quantities) |
//! | `lognormal` | `median`, `sigma` (of the log) | `median·exp(sigma²/2)` |
//! | `gamma` | `mean`, `shape` | `mean` |
//! | `beta` | `mean`, `concentration` (= α+β) | `mean` |
//! | `pareto` | `scale` (minimum), `shape` (tail index) | `scale·shape/(shape-1)` |

use rand::Rng;
use rand_distr::Distribution;
use serde::{Deserialize, Serialize};

/// A distribution as written in a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    tag = "dist",
    rename_all = "lowercase",
    deny_unknown_fields,
    expecting = "a distribution table such as `{ dist = \"fixed\", value = 30 }` or `{ dist = \"uniform\", min = 200, max = 500 }`"
)]
pub enum DistSpec {
    /// Always `value`.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with `mean` and standard deviation `sd`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Log-normal with the given median and log-scale `sigma`.
    LogNormal {
        /// Median (`exp(mu)`).
        median: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Gamma with the given mean and shape.
    Gamma {
        /// Mean (`shape · scale`).
        mean: f64,
        /// Shape parameter.
        shape: f64,
    },
    /// Beta with the given mean and concentration `α + β`.
    Beta {
        /// Mean `α / (α + β)`.
        mean: f64,
        /// Concentration `α + β`.
        concentration: f64,
    },
    /// Pareto (type I) with minimum `scale` and tail index `shape`.
    Pareto {
        /// Minimum value.
        scale: f64,
        /// Tail index.
        shape: f64,
    },
}

/// What values a quantity may take; checked against a distribution's support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Any real number.
    Real,
    /// `>= 0`.
    NonNegative,
    /// `> 0`.
    Positive,
    /// `[0, 1]`.
    UnitInterval,
}

impl Support {
    fn describe(self) -> &'static str {
        match self {
            Support::Real => "any real value",
            Support::NonNegative => "values >= 0",
            Support::Positive => "values > 0",
            Support::UnitInterval => "values in [0, 1]",
        }
    }
    fn contains(self, x: f64) -> bool {
        match self {
            Support::Real => x.is_finite(),
            Support::NonNegative => x >= 0.0 && x.is_finite(),
            Support::Positive => x > 0.0 && x.is_finite(),
            Support::UnitInterval => (0.0..=1.0).contains(&x),
        }
    }
}

/// A validated, ready-to-sample distribution.
#[derive(Debug, Clone)]
pub enum Dist {
    /// A constant.
    Fixed(f64),
    /// Uniform.
    Uniform(rand_distr::Uniform<f64>, f64),
    /// Normal.
    Normal(rand_distr::Normal<f64>),
    /// Log-normal.
    LogNormal(rand_distr::LogNormal<f64>, f64),
    /// Gamma.
    Gamma(rand_distr::Gamma<f64>, f64),
    /// Beta.
    Beta(rand_distr::Beta<f64>, f64),
    /// Pareto.
    Pareto(rand_distr::Pareto<f64>, f64),
}

impl DistSpec {
    /// Shorthand for a Beta spec.
    pub fn beta(mean: f64, concentration: f64) -> Self {
        DistSpec::Beta {
            mean,
            concentration,
        }
    }

    /// The parameters by name, in the order of the module's table.
    fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            DistSpec::Fixed { value } => vec![("value", value)],
            DistSpec::Uniform { min, max } => vec![("min", min), ("max", max)],
            DistSpec::Normal { mean, sd } => vec![("mean", mean), ("sd", sd)],
            DistSpec::LogNormal { median, sigma } => vec![("median", median), ("sigma", sigma)],
            DistSpec::Gamma { mean, shape } => vec![("mean", mean), ("shape", shape)],
            DistSpec::Beta {
                mean,
                concentration,
            } => vec![("mean", mean), ("concentration", concentration)],
            DistSpec::Pareto { scale, shape } => vec![("scale", scale), ("shape", shape)],
        }
    }

    /// Builds the sampler, checking parameters and that the support fits `support`.
    /// The error says what was found and what is allowed.
    pub fn build(&self, support: Support) -> Result<Dist, String> {
        if let Some((name, v)) = self.params().into_iter().find(|(_, v)| !v.is_finite()) {
            return Err(format!("`{name}` must be a finite number, found {v}"));
        }
        let bad_support = |kind: &str| {
            format!(
                "a `{kind}` distribution can produce values outside what this quantity allows ({})",
                support.describe()
            )
        };
        // A law on positive values: the quantity must be allowed to exceed 1, the first
        // parameter must be > 0 and the second > 0 (>= 0 when `zero_ok`).
        let positive_law = |kind: &str, (a, x): (&str, f64), (b, y): (&str, f64), zero_ok: bool| {
            if support == Support::UnitInterval {
                return Err(bad_support(kind));
            }
            let (y_ok, bound) = if zero_ok {
                (y >= 0.0, ">=")
            } else {
                (y > 0.0, ">")
            };
            if x <= 0.0 || !y_ok {
                return Err(format!(
                    "{kind} needs {a} > 0 and {b} {bound} 0, found {a} = {x}, {b} = {y}"
                ));
            }
            Ok(())
        };
        match *self {
            DistSpec::Fixed { value } => {
                if !support.contains(value) {
                    return Err(format!(
                        "fixed value {value} is out of range: allowed {}",
                        support.describe()
                    ));
                }
                Ok(Dist::Fixed(value))
            }
            DistSpec::Uniform { min, max } => {
                if min > max {
                    return Err(format!(
                        "uniform needs min <= max, found min = {min}, max = {max}"
                    ));
                }
                if !support.contains(min) || !support.contains(max) {
                    return Err(format!(
                        "uniform [{min}, {max}] is out of range: allowed {}",
                        support.describe()
                    ));
                }
                if min == max {
                    return Ok(Dist::Fixed(min));
                }
                let u = rand_distr::Uniform::new_inclusive(min, max).map_err(|e| e.to_string())?;
                Ok(Dist::Uniform(u, 0.5 * (min + max)))
            }
            DistSpec::Normal { mean, sd } => {
                if support != Support::Real {
                    return Err(bad_support("normal"));
                }
                if sd < 0.0 {
                    return Err(format!("normal needs sd >= 0, found {sd}"));
                }
                rand_distr::Normal::new(mean, sd)
                    .map(Dist::Normal)
                    .map_err(|e| e.to_string())
            }
            DistSpec::LogNormal { median, sigma } => {
                positive_law("lognormal", ("median", median), ("sigma", sigma), true)?;
                let d =
                    rand_distr::LogNormal::new(median.ln(), sigma).map_err(|e| e.to_string())?;
                Ok(Dist::LogNormal(d, median * (0.5 * sigma * sigma).exp()))
            }
            DistSpec::Gamma { mean, shape } => {
                positive_law("gamma", ("mean", mean), ("shape", shape), false)?;
                let d = rand_distr::Gamma::new(shape, mean / shape).map_err(|e| e.to_string())?;
                Ok(Dist::Gamma(d, mean))
            }
            DistSpec::Beta {
                mean,
                concentration,
            } => {
                if !(mean > 0.0 && mean < 1.0) || concentration <= 0.0 {
                    return Err(format!(
                        "beta needs 0 < mean < 1 and concentration > 0, found mean = {mean}, concentration = {concentration}"
                    ));
                }
                let d = rand_distr::Beta::new(mean * concentration, (1.0 - mean) * concentration)
                    .map_err(|e| e.to_string())?;
                Ok(Dist::Beta(d, mean))
            }
            DistSpec::Pareto { scale, shape } => {
                positive_law("pareto", ("scale", scale), ("shape", shape), false)?;
                let d = rand_distr::Pareto::new(scale, shape).map_err(|e| e.to_string())?;
                let mean = if shape > 1.0 {
                    scale * shape / (shape - 1.0)
                } else {
                    f64::INFINITY
                };
                Ok(Dist::Pareto(d, mean))
            }
        }
    }
}

impl Dist {
    /// Draws one value.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform(d, _) => d.sample(rng),
            Dist::Normal(d) => d.sample(rng),
            Dist::LogNormal(d, _) => d.sample(rng),
            Dist::Gamma(d, _) => d.sample(rng),
            Dist::Beta(d, _) => d.sample(rng),
            Dist::Pareto(d, _) => d.sample(rng),
        }
    }

    /// The distribution's mean (infinite for a Pareto with shape <= 1).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Normal(d) => d.mean(),
            Dist::Uniform(_, m)
            | Dist::LogNormal(_, m)
            | Dist::Gamma(_, m)
            | Dist::Beta(_, m)
            | Dist::Pareto(_, m) => *m,
        }
    }

    /// True when the distribution always returns the same value.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }
}

/// A Gamma(`shape`, `scale`) sampler for per-agent heterogeneity, fast for `shape <= 1`.
///
/// - `shape = 1/2`: `scale · Z² / 2`, `Z ~ N(0, 1)` (Gamma(1/2, 2) is the chi-square law
///   with one degree of freedom): one ziggurat normal, no transcendental function. Shape
///   1/2 is the usual heterogeneity shape (BG/NBD's default `r`, the issue-7 benchmark).
/// - other `shape < 1`: the standard boost `X = Y · U^{1/shape}`, `Y ~ Gamma(shape + 1)`,
///   with `U^{1/shape}` drawn as `exp(−E / shape)`, `E ~ Exp(1)` (ziggurat), the same law
///   (`−ln U ~ Exp(1)`) for an `exp` instead of `rand_distr`'s `powf`.
/// - `shape >= 1`: `rand_distr::Gamma` (Marsaglia–Tsang).
#[derive(Debug, Clone, Copy)]
pub struct GammaSampler {
    method: GammaMethod,
}

#[derive(Debug, Clone, Copy)]
enum GammaMethod {
    /// `half_scale · Z²`.
    ChiSquare1 { half_scale: f64 },
    /// `Y · exp(−E · inv_shape)`, `Y ~ Gamma(shape + 1, scale)`.
    Boost {
        y: rand_distr::Gamma<f64>,
        inv_shape: f64,
    },
    /// Marsaglia–Tsang.
    Direct(rand_distr::Gamma<f64>),
}

impl GammaSampler {
    /// A sampler of Gamma(`shape`, `scale`) (mean `shape · scale`); both must be finite and
    /// positive.
    pub fn new(shape: f64, scale: f64) -> Result<Self, String> {
        if !(shape > 0.0 && shape.is_finite()) {
            return Err(format!("gamma shape {shape} must be finite and > 0"));
        }
        if !(scale > 0.0 && scale.is_finite()) {
            return Err(format!("gamma scale {scale} must be finite and > 0"));
        }
        let gamma = |k: f64| rand_distr::Gamma::new(k, scale).map_err(|e| e.to_string());
        let method = if shape == 0.5 {
            GammaMethod::ChiSquare1 {
                half_scale: scale / 2.0,
            }
        } else if shape < 1.0 {
            GammaMethod::Boost {
                y: gamma(shape + 1.0)?,
                inv_shape: 1.0 / shape,
            }
        } else {
            GammaMethod::Direct(gamma(shape)?)
        };
        Ok(GammaSampler { method })
    }

    /// One draw.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.method {
            GammaMethod::ChiSquare1 { half_scale } => {
                let z: f64 = rand_distr::StandardNormal.sample(rng);
                half_scale * z * z
            }
            GammaMethod::Boost { y, inv_shape } => {
                let y = y.sample(rng);
                let e: f64 = rand_distr::Exp1.sample(rng);
                y * (-e * inv_shape).exp()
            }
            GammaMethod::Direct(g) => g.sample(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SimRng, stream_rng};

    #[test]
    fn unknown_field_in_dist_is_rejected() {
        let r: Result<DistSpec, _> = toml::from_str("dist = \"beta\"\nmean = 0.5\nconc = 3\n");
        assert!(r.is_err());
        let ok: DistSpec =
            toml::from_str("dist = \"beta\"\nmean = 0.5\nconcentration = 3\n").unwrap();
        assert_eq!(ok, DistSpec::beta(0.5, 3.0));
    }

    #[test]
    fn support_is_checked() {
        assert!(
            DistSpec::Normal { mean: 1.0, sd: 1.0 }
                .build(Support::Positive)
                .is_err()
        );
        assert!(
            DistSpec::Fixed { value: 1.5 }
                .build(Support::UnitInterval)
                .is_err()
        );
        assert!(
            DistSpec::Uniform { min: 3.0, max: 2.0 }
                .build(Support::Real)
                .is_err()
        );
        assert!(
            DistSpec::beta(1.2, 3.0)
                .build(Support::UnitInterval)
                .is_err()
        );
        assert!(
            DistSpec::beta(0.2, 3.0)
                .build(Support::UnitInterval)
                .is_ok()
        );
    }

    /// Sample means agree with the stated means within 5 standard errors
    /// (SE = sd/sqrt(n) estimated from the sample; fixed seed, so this cannot flake).
    #[test]
    fn sample_means_match() {
        let specs = [
            DistSpec::Uniform { min: 2.0, max: 6.0 },
            DistSpec::LogNormal {
                median: 100.0,
                sigma: 0.5,
            },
            DistSpec::Gamma {
                mean: 0.02,
                shape: 0.5,
            },
            DistSpec::beta(0.3, 5.0),
            DistSpec::Pareto {
                scale: 1.0,
                shape: 3.0,
            },
        ];
        let mut rng: SimRng = stream_rng(1, 1);
        for s in specs {
            let d = s.build(Support::NonNegative).unwrap();
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
            let se = (v / n as f64).sqrt();
            assert!(
                (m - d.mean()).abs() < 5.0 * se,
                "{s:?}: {m} vs {}",
                d.mean()
            );
        }
    }

    #[test]
    fn fast_gamma_has_the_gamma_moments() {
        use crate::rng::stream_rng;
        for (shape, scale) in [(0.5, 2.0), (0.7, 1.0), (0.2, 1.0), (2.5, 0.4)] {
            let g = super::GammaSampler::new(shape, scale).unwrap();
            let mut rng = stream_rng(9, 1);
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| g.sample(&mut rng)).collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
            // Mean shape·scale, variance shape·scale²; the mean's SE is √(v/n).
            let (em, ev) = (shape * scale, shape * scale * scale);
            assert!(
                (m - em).abs() < 4.0 * (ev / n as f64).sqrt(),
                "{shape}: mean {m}"
            );
            assert!((v - ev).abs() / ev < 0.05, "{shape}: variance {v} vs {ev}");
            assert!(xs.iter().all(|&x| x >= 0.0));
        }
        assert!(super::GammaSampler::new(0.0, 1.0).is_err());
    }
}
