//! Special functions the likelihoods need, in logarithms so that no intermediate overflows.
//!
//! - [`ln_hyp2f1`]: `ln 2F1(a, b; c; z)` for `a, b, c > 0` and `0 <= z < 1` by its power
//!   series `Σ_k (a)_k (b)_k / ((c)_k k!) z^k`. Every term is positive, so there is no
//!   cancellation; the running sum is rescaled when it grows past `1e250`, so values far
//!   beyond `f64` (e.g. `(1 − z)^{−b}` for `b` in the hundreds) keep their logarithm. The
//!   series stops once the terms decrease and the next one is below `1e-17` of the sum
//!   (the tail of a series whose term ratio is below `ρ < 1` is at most `term·ρ/(1 − ρ)`,
//!   so the stop also requires that bound to be negligible).
//! - [`log_add_exp`] and [`log_sub_exp`]: `ln(e^x + e^y)` and `ln(e^x − e^y)` without
//!   leaving the logarithm.

pub use statrs::function::gamma::ln_gamma;

/// Largest number of series terms before [`ln_hyp2f1`] gives up (returns NaN).
pub const MAX_SERIES_TERMS: u32 = 2_000_000;

/// `ln 2F1(a, b; c; z)` for `a, b, c > 0` and `0 <= z < 1` (NaN outside, or when the series
/// has not converged in [`MAX_SERIES_TERMS`] terms).
pub fn ln_hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && c > 0.0 && (0.0..1.0).contains(&z)) {
        return f64::NAN;
    }
    if z == 0.0 {
        return 0.0;
    }
    const BIG: f64 = 1e250;
    let (mut term, mut sum, mut scale) = (1.0f64, 1.0f64, 0.0f64);
    for k in 0..MAX_SERIES_TERMS {
        let k = k as f64;
        let ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        term *= ratio;
        sum += term;
        if sum > BIG {
            sum /= BIG;
            term /= BIG;
            scale += BIG.ln();
        }
        if ratio < 1.0 && term * ratio / (1.0 - ratio) <= 1e-17 * sum {
            return sum.ln() + scale;
        }
    }
    f64::NAN
}

/// `ln(e^x + e^y)`, exact when either is `−∞`.
pub fn log_add_exp(x: f64, y: f64) -> f64 {
    let (hi, lo) = if x >= y { (x, y) } else { (y, x) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

/// `ln(e^x − e^y)` for `y <= x` (`−∞` when they are equal).
pub fn log_sub_exp(x: f64, y: f64) -> f64 {
    if y == f64::NEG_INFINITY {
        x
    } else {
        x + (-(y - x).exp_m1()).ln()
    }
}

/// `(1 − (u/(u+t))^k) / k`, which tends to `ln((u+t)/u)` as `k → 0`: the factor of the
/// Pareto/NBD expectations (`k = s − 1`), continuous through `s = 1`.
pub fn one_minus_power_over(u: f64, t: f64, k: f64) -> f64 {
    let l = (u / (u + t)).ln();
    if k.abs() < 1e-12 {
        -l
    } else {
        -(k * l).exp_m1() / k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed forms: `2F1(1, 1; 2; z) = −ln(1 − z)/z`, `2F1(a, b; b; z) = (1 − z)^{−a}`
    /// (here far past `f64`: only the logarithm exists), and `2F1(1/2, 1; 3/2; z²) =
    /// atanh(z)/z`; agreement to 1e-13 relative is a few ulps of each term's rounding over
    /// the terms summed.
    #[test]
    fn hypergeometric_closed_forms() {
        for z in [0.0f64, 1e-6, 0.1, 0.5, 0.9, 0.999] {
            let exact = if z == 0.0 { 1.0 } else { -(-z).ln_1p() / z };
            let got = ln_hyp2f1(1.0, 1.0, 2.0, z).exp();
            assert!((got - exact).abs() < 1e-13 * exact, "{z}: {got} {exact}");
            let y = z.sqrt();
            if y > 0.0 {
                let exact = y.atanh() / y;
                let got = ln_hyp2f1(0.5, 1.0, 1.5, z).exp();
                assert!((got - exact).abs() < 1e-12 * exact, "{z}: {got} {exact}");
            }
        }
        let (a, z) = (800.0, 0.9);
        let exact = -a * (1.0f64 - z).ln();
        let got = ln_hyp2f1(a, 3.0, 3.0, z);
        assert!((got - exact).abs() < 1e-11 * exact, "{got} {exact}");
        assert!(ln_hyp2f1(1.0, 1.0, 2.0, 1.0).is_nan());
        assert!(ln_hyp2f1(-1.0, 1.0, 2.0, 0.5).is_nan());
    }

    #[test]
    fn log_sums() {
        assert!((log_add_exp(1.0, 2.0) - (1f64.exp() + 2f64.exp()).ln()).abs() < 1e-15);
        assert_eq!(log_add_exp(f64::NEG_INFINITY, 3.0), 3.0);
        assert!((log_add_exp(-1000.0, -1001.0) - (-1000.0 + (-1f64).exp().ln_1p())).abs() < 1e-12);
        assert!((log_sub_exp(2.0, 1.0) - (2f64.exp() - 1f64.exp()).ln()).abs() < 1e-14);
        assert_eq!(log_sub_exp(1.0, 1.0), f64::NEG_INFINITY);
        assert!((one_minus_power_over(3.0, 2.0, 0.0) - (5.0f64 / 3.0).ln()).abs() < 1e-15);
        let k = 0.5;
        let direct = (1.0 - (3.0f64 / 5.0).powf(k)) / k;
        assert!((one_minus_power_over(3.0, 2.0, k) - direct).abs() < 1e-15);
    }
}
