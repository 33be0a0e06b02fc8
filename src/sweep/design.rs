//! Design points: the parameters a sweep moves, their ranges, and the points of the unit
//! cube a design visits, mapped onto the ranges.
//!
//! A parameter is written `KEY=LO..HI[:STEPS][:log]`: any scenario key (the `--set` syntax,
//! arrays of tables included), its range, the number of grid steps and whether values are
//! spread on a log scale. A unit coordinate `u ∈ [0, 1]` maps to `LO + u·(HI − LO)`, or to
//! `LO·(HI/LO)^u` on a log scale; an integer parameter (a count) is rounded to the nearest
//! integer.
//!
//! Designs:
//! - **grid**: the full factorial of every parameter's steps (its `:STEPS`, else
//!   `--points`), ends included, first parameter slowest;
//! - **lhs**: Latin hypercube sampling (McKay, Beckman & Conover 1979): each parameter's
//!   range cut into `N` equal strata, one point in each, the strata paired across
//!   parameters by independent random permutations;
//! - **sobol**: the first `N` points of an Owen-scrambled Sobol sequence (Sobol 1967;
//!   scrambling by Owen 1995, in Burley's hash-based form, Burley 2020, from the
//!   `sobol_burley` crate), which fills the cube more evenly than independent draws.
//!
//! Every design is a pure function of its arguments and seed.

use rand::RngExt;
use rand::seq::SliceRandom;

/// The most points a Sobol design or Saltelli sample may draw per dimension
/// (`sobol_burley`'s sequence length, 2^16).
pub const MAX_SOBOL_POINTS: usize = 1 << 16;

/// The most dimensions of `sobol_burley`'s sequence.
pub const MAX_SOBOL_DIMENSIONS: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// A parameter moved by a sweep or a sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The scenario key, as `--set` takes it.
    pub key: String,
    /// Lower end of the range.
    pub lo: f64,
    /// Upper end of the range.
    pub hi: f64,
    /// Grid steps (`None`: the design's default).
    pub steps: Option<usize>,
    /// Values spread on a log scale.
    pub log: bool,
    /// Values rounded to integers (a count).
    pub integer: bool,
}

impl Param {
    /// Parses `KEY=LO..HI[:STEPS][:log]`; the error says what is allowed. Whether the
    /// parameter is an integer is left to the caller ([`Param::integer`] is false).
    pub fn parse(text: &str) -> Result<Param, String> {
        let form = "allowed KEY=LO..HI, KEY=LO..HI:STEPS, KEY=LO..HI:log or KEY=LO..HI:STEPS:log";
        let (key, spec) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}`: no `=`; {form}"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("`{text}`: empty key; {form}"));
        }
        let mut parts = spec.split(':');
        let range = parts.next().unwrap_or_default();
        let (lo, hi) = range
            .split_once("..")
            .ok_or_else(|| format!("`{text}`: the range `{range}` has no `..`; {form}"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("`{text}`: `{s}` is not a finite number; {form}"))
        };
        let (lo, hi) = (number(lo)?, number(hi)?);
        if lo >= hi {
            return Err(format!(
                "`{text}`: the range {lo}..{hi} is empty; allowed LO < HI"
            ));
        }
        let mut p = Param {
            key: key.to_string(),
            lo,
            hi,
            steps: None,
            log: false,
            integer: false,
        };
        for part in parts {
            match part.trim() {
                "log" if !p.log => p.log = true,
                s => match s.parse::<usize>() {
                    Ok(k) if (1..=10_000).contains(&k) && p.steps.is_none() => p.steps = Some(k),
                    _ => {
                        return Err(format!(
                            "`{text}`: `{s}` is neither a number of steps (1 to 10000) nor `log`; {form}"
                        ));
                    }
                },
            }
        }
        if p.log && lo <= 0.0 {
            return Err(format!("`{text}`: a log scale needs LO > 0 (got {lo})"));
        }
        Ok(p)
    }

    /// The value at unit coordinate `u ∈ [0, 1]`.
    pub fn at(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let x = if self.log {
            (self.lo.ln() + u * (self.hi.ln() - self.lo.ln())).exp()
        } else {
            self.lo + u * (self.hi - self.lo)
        };
        let x = x.clamp(self.lo, self.hi);
        if self.integer { x.round() } else { x }
    }

    /// The `--set` override giving the key value `x` (an integer parameter is written
    /// without a decimal point, a real one always with one, as TOML tells them apart).
    pub fn assignment(&self, x: f64) -> String {
        format!("{}={}", self.key, value_text(x, self.integer))
    }
}

/// `x` as a TOML number: an integer, or a float that reads back to the same bits.
pub fn value_text(x: f64, integer: bool) -> String {
    if integer {
        format!("{}", x.round() as i64)
    } else {
        // `{:?}` writes the shortest text that round-trips, always with a `.` or an
        // exponent, which TOML reads as a float.
        format!("{x:?}")
    }
}

/// How design points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Full factorial grid.
    Grid,
    /// Latin hypercube.
    Lhs,
    /// Owen-scrambled Sobol sequence.
    Sobol,
}

/// The points of `design` in the unit cube, one row per point, one column per parameter:
/// `points` per axis for a grid (unless a parameter gives its own steps), `points` in all
/// otherwise. Fails when the design would be empty or too large (`max` points).
pub fn unit_points(
    design: Design,
    params: &[Param],
    points: usize,
    seed: u64,
    max: usize,
) -> Result<Vec<Vec<f64>>, String> {
    if params.is_empty() {
        return Err("no parameter: give at least one --param KEY=LO..HI".into());
    }
    match design {
        Design::Grid => {
            let steps: Vec<usize> = params.iter().map(|p| p.steps.unwrap_or(points)).collect();
            let total = steps
                .iter()
                .try_fold(1usize, |n, &k| n.checked_mul(k))
                .filter(|&n| (1..=max).contains(&n))
                .ok_or_else(|| {
                    format!(
                        "the grid has {} points: allowed 1 to {max}; change --points or a parameter's :STEPS",
                        steps.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" × ")
                    )
                })?;
            Ok(grid(&steps, total))
        }
        Design::Lhs | Design::Sobol => {
            if points == 0 || points > max {
                return Err(format!("--points {points}: allowed 1 to {max}"));
            }
            if design == Design::Lhs {
                Ok(latin_hypercube(points, params.len(), seed))
            } else {
                sobol(points, params.len(), seed)
            }
        }
    }
}

/// The full factorial of `steps` per axis (`total` points), first axis slowest.
fn grid(steps: &[usize], total: usize) -> Vec<Vec<f64>> {
    (0..total)
        .map(|mut i| {
            let mut row = vec![0.0; steps.len()];
            for (d, &k) in steps.iter().enumerate().rev() {
                let j = i % k;
                i /= k;
                row[d] = if k == 1 {
                    0.0
                } else {
                    j as f64 / (k - 1) as f64
                };
            }
            row
        })
        .collect()
}

/// `n` Latin-hypercube points in `d` dimensions: point `i`'s coordinate in dimension `k`
/// is `(π_k(i) + U) / n`, `π_k` a random permutation, `U ~ U(0, 1)`.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = crate::rng::stream_rng(seed, DESIGN_STREAM);
    let mut rows = vec![vec![0.0; d]; n];
    let mut perm: Vec<usize> = (0..n).collect();
    for k in 0..d {
        perm.shuffle(&mut rng);
        for (i, row) in rows.iter_mut().enumerate() {
            row[k] = (perm[i] as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    rows
}

/// The stream the designs draw from (apart from the trials' streams).
const DESIGN_STREAM: u64 = 0x5157_4545_5000;

/// The first `n` points of the Owen-scrambled Sobol sequence in `d` dimensions, scrambled
/// by `seed`; fails beyond the sequence's length or dimensions.
pub fn sobol(n: usize, d: usize, seed: u64) -> Result<Vec<Vec<f64>>, String> {
    if n > MAX_SOBOL_POINTS || d > MAX_SOBOL_DIMENSIONS {
        return Err(format!(
            "a scrambled Sobol design of {n} points in {d} dimensions: allowed at most {MAX_SOBOL_POINTS} points and {MAX_SOBOL_DIMENSIONS} dimensions"
        ));
    }
    let s = sobol_seed(seed);
    Ok((0..n as u32)
        .map(|i| {
            (0..d as u32)
                // The sequence's f32 values sit on a 2^-24 lattice; mapped to the cell's
                // centre so no coordinate is exactly 0.
                .map(|k| f64::from(sobol_burley::sample(i, k, s)) + 0.5 / 16_777_216.0)
                .collect()
        })
        .collect())
}

/// The 32-bit scrambling seed of a 64-bit seed.
pub fn sobol_seed(seed: u64) -> u32 {
    let h = crate::rng::splitmix64(seed);
    (h ^ (h >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_parse_and_map() {
        let p = Param::parse("mechanisms.red_packets.total=10..60:6").unwrap();
        assert_eq!((p.lo, p.hi, p.steps, p.log), (10.0, 60.0, Some(6), false));
        assert_eq!(p.at(0.5), 35.0);
        let q = Param::parse("behaviour.organic.bass_p=0.0001..0.01:log").unwrap();
        assert!(q.log && (q.at(0.5) - 0.001).abs() < 1e-15);
        let r = Param::parse("a[0].b=1..4:4:log").unwrap();
        assert_eq!((r.key.as_str(), r.steps, r.log), ("a[0].b", Some(4), true));
        for bad in [
            "x",
            "x=1",
            "x=2..1",
            "x=0..1:log",
            "x=1..2:zero",
            "=1..2",
            "x=a..2",
        ] {
            assert!(Param::parse(bad).is_err(), "{bad}");
        }
        let n = Param {
            integer: true,
            ..Param::parse("mechanisms.red_packets.packets=5..20").unwrap()
        };
        assert_eq!(n.assignment(n.at(0.3)), "mechanisms.red_packets.packets=10");
        assert_eq!(p.assignment(35.0), "mechanisms.red_packets.total=35.0");
    }

    #[test]
    fn a_grid_is_the_full_factorial() {
        let a = Param::parse("a=0..1:3").unwrap();
        let b = Param::parse("b=0..1").unwrap();
        let g = unit_points(Design::Grid, &[a, b], 2, 0, 100).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0.0, 0.0]);
        assert_eq!(g[1], vec![0.0, 1.0]);
        assert_eq!(g[5], vec![1.0, 1.0]);
        let one = [Param::parse("a=0..1").unwrap()];
        assert!(unit_points(Design::Grid, &one, 0, 0, 100).is_err());
        assert!(unit_points(Design::Lhs, &one, 0, 0, 100).is_err());
        assert!(
            unit_points(
                Design::Grid,
                &[Param::parse("a=0..1").unwrap()],
                101,
                0,
                100
            )
            .is_err()
        );
    }

    #[test]
    fn a_latin_hypercube_puts_one_point_in_every_stratum() {
        let n = 17;
        let rows = latin_hypercube(n, 3, 9);
        for k in 0..3 {
            let mut strata: Vec<usize> = rows.iter().map(|r| (r[k] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(rows, latin_hypercube(n, 3, 9));
        assert_ne!(rows, latin_hypercube(n, 3, 10));
    }

    #[test]
    fn a_scrambled_sobol_design_is_balanced() {
        // The first 2^k points of a scrambled Sobol sequence put exactly one point in each
        // of the 2^k strata of every single dimension (a (0, k, 1)-net per dimension).
        let rows = sobol(64, 5, 3).unwrap();
        for k in 0..5 {
            let mut strata: Vec<usize> = rows.iter().map(|r| (r[k] * 64.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..64).collect::<Vec<_>>());
        }
        assert!(sobol(MAX_SOBOL_POINTS + 1, 2, 0).is_err());
    }
}
