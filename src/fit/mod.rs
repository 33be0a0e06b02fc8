//! Repeat-purchase models fitted to an order log, and their holdout forecasts.
//!
//! A researcher starts from an order history, not from parameters: "here are two years of
//! orders; what are `r`, `α`, `a`, `b`, how sure are we, and how well does the fit forecast
//! the next months?". This module answers that for the two standard buy-till-you-die
//! models, by maximum likelihood on each customer's recency–frequency summary
//! `(x, t_x, T)`: `x` repeat transactions in the calibration period, the last at `t_x`
//! after the first purchase, `T` the time from the first purchase to the end of the
//! calibration period.
//!
//! - [`bgnbd`]: BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
//!   *Marketing Science* 24(2), eq. 6 for the likelihood, eq. 9 for `E[X(t)]`, eq. 10 for
//!   the conditional expectation): while alive a customer buys as a Poisson process of
//!   rate `λ ~ Gamma(r, α)` and drops out after each repeat purchase with `p ~ Beta(a, b)`.
//! - [`paretonbd`]: Pareto/NBD (Schmittlein, Morrison & Colombo 1987; the likelihood in
//!   the form of Fader & Hardie 2005, "A note on deriving the Pareto/NBD model and related
//!   expressions", eqs. 22–24): the same purchase process, and an exponential lifetime of
//!   rate `μ ~ Gamma(s, β)`.
//! - [`gammagamma`]: the Gamma-Gamma model of order value (Fader, Hardie & Lee 2005, "RFM
//!   and CLV: using iso-value curves", *Journal of Marketing Research* 42(4); Fader &
//!   Hardie 2013, "The Gamma-Gamma model of monetary value").
//!
//! Time units: `α` and `β` are rates' scale parameters and carry the time unit (`α` in
//! weeks is `α` in days divided by 7); `r`, `s`, `a` and `b` are unitless. The fit runs in
//! the unit chosen ([`TimeUnit`]), the scenario block is written in days.
//!
//! The pieces are pure: [`log`] turns rows into merged daily transactions and summaries,
//! [`mle`] maximises a log-likelihood (Nelder–Mead on the log-parameters, then the
//! Hessian for standard errors), [`holdout`] compares forecasts with the holdout period,
//! [`simulate`] draws synthetic logs with known parameters. Reading files, writing outputs
//! and drawing plots belong to the command line.

pub mod bgnbd;
pub mod gammagamma;
pub mod holdout;
pub mod log;
pub mod mle;
pub mod paretonbd;
pub mod simulate;
pub mod special;

/// Why a log cannot be fitted.
#[derive(Debug, thiserror::Error)]
pub enum FitError {
    /// A row of the log cannot be read; the message names the file, the row and the column.
    #[error("{0}")]
    Log(String),
    /// The periods asked for do not fit the log.
    #[error("{0}")]
    Period(String),
    /// The data cannot identify the model.
    #[error("{0}")]
    Data(String),
}

/// The time unit of a fit: `α`, `β` and the times `t_x`, `T` are in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Days (promosim's unit).
    Day,
    /// Weeks of 7 days (the literature's usual unit).
    Week,
}

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }

    /// The unit's name.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "days",
            TimeUnit::Week => "weeks",
        }
    }
}

/// One customer's calibration-period summary, times in the fit's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rfm {
    /// Repeat transactions in the calibration period.
    pub x: u32,
    /// Time of the last transaction after the first (0 when `x = 0`).
    pub t_x: f64,
    /// Time from the first transaction to the end of the calibration period.
    pub t: f64,
}

/// `Σ_c [by_x(x_c) + each(c)]` over the customers, `by_x` (the factors of a likelihood
/// that depend on the frequency `x` only, such as `ln Γ(r+x)`) computed once per distinct
/// `x`.
fn sum_over_customers(data: &[Rfm], by_x: impl Fn(f64) -> f64, each: impl Fn(&Rfm) -> f64) -> f64 {
    let mut cache: Vec<f64> = Vec::new();
    let mut sum = 0.0;
    for c in data {
        let x = c.x as usize;
        if cache.len() <= x {
            cache.resize(x + 1, f64::NAN);
        }
        if cache[x].is_nan() {
            cache[x] = by_x(x as f64);
        }
        sum += cache[x] + each(c);
    }
    sum
}

/// Fewest customers with a repeat transaction in the calibration period for a fit.
pub const MIN_REPEAT_BUYERS: usize = 20;

/// Starting values from the data: the mean rate matched (`r = 1`, `α = mean T / mean x`
/// when some buyer repeats), the rest at 1; in the log-space where the optimiser works,
/// the fit is insensitive to them.
fn start(data: &[Rfm]) -> (f64, f64) {
    let n = data.len().max(1) as f64;
    let mx = data.iter().map(|c| c.x as f64).sum::<f64>() / n;
    let mt = data.iter().map(|c| c.t).sum::<f64>() / n;
    let alpha = if mx > 0.0 && mt > 0.0 { mt / mx } else { 1.0 };
    (1.0, alpha.clamp(1e-3, 1e6))
}

/// Checks there are enough repeat buyers to identify the purchase models.
pub fn check_repeat_buyers(data: &[Rfm]) -> Result<(), FitError> {
    let repeaters = data.iter().filter(|c| c.x > 0).count();
    if repeaters < MIN_REPEAT_BUYERS {
        return Err(FitError::Data(format!(
            "only {repeaters} of {} customers made a repeat purchase in the calibration period; at least {MIN_REPEAT_BUYERS} are needed to fit the repurchase models (choose a later --calibration-end, or a longer log)",
            data.len()
        )));
    }
    Ok(())
}

/// BG/NBD by maximum likelihood.
pub fn fit_bgnbd(data: &[Rfm]) -> Result<mle::Estimate, FitError> {
    check_repeat_buyers(data)?;
    let (r, alpha) = start(data);
    mle::maximise(
        &bgnbd::NAMES,
        |p| bgnbd::BgNbd::from_slice(p).log_likelihood(data),
        &[r, alpha, 1.0, 1.0],
        data.len(),
    )
    .map_err(|e| FitError::Data(format!("BG/NBD: {e}")))
}

/// Pareto/NBD by maximum likelihood.
pub fn fit_paretonbd(data: &[Rfm]) -> Result<mle::Estimate, FitError> {
    check_repeat_buyers(data)?;
    let (r, alpha) = start(data);
    let mt = data.iter().map(|c| c.t).sum::<f64>() / data.len().max(1) as f64;
    mle::maximise(
        &paretonbd::NAMES,
        |p| paretonbd::ParetoNbd::from_slice(p).log_likelihood(data),
        &[r, alpha, 1.0, mt.max(1e-3)],
        data.len(),
    )
    .map_err(|e| FitError::Data(format!("Pareto/NBD: {e}")))
}

/// Gamma-Gamma by maximum likelihood, from the repeat buyers' mean order values (zero
/// means are left out: the model's values are positive).
pub fn fit_gammagamma(spend: &[gammagamma::Spend]) -> Result<mle::Estimate, FitError> {
    let spend: Vec<gammagamma::Spend> = spend.iter().copied().filter(|s| s.mean > 0.0).collect();
    if spend.len() < MIN_REPEAT_BUYERS {
        return Err(FitError::Data(format!(
            "only {} repeat buyers with a positive order value; at least {MIN_REPEAT_BUYERS} are needed to fit Gamma-Gamma",
            spend.len()
        )));
    }
    let mean = spend.iter().map(|s| s.mean).sum::<f64>() / spend.len() as f64;
    mle::maximise(
        &gammagamma::NAMES,
        |v| gammagamma::GammaGamma::from_slice(v).log_likelihood(&spend),
        &[1.0, 2.0, mean.max(1e-6)],
        spend.len(),
    )
    .map_err(|e| FitError::Data(format!("Gamma-Gamma: {e}")))
}
