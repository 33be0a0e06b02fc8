//! `promosim fit repurchase`: an order log in, the models' fits, the holdout comparison
//! and the scenario block out; `promosim fit simulate-log`: a synthetic log out.

use super::CliError;
use super::args::{FitArgs, FitModelArg, SimModelArg, SimulateLogArgs};
use crate::fit::gammagamma::{GammaGamma, Spend};
use crate::fit::holdout::{self, Fitted};
use crate::fit::log::{LogFormat, format_day, parse_date, read_log, split};
use crate::fit::simulate::{LogSpec, Truth, simulate};
use crate::fit::{self, FitError, TimeUnit, bgnbd::BgNbd, paretonbd::ParetoNbd};
use crate::output::fit::{FitReport, ModelFit, scenario_with_block};
use crate::output::unit::{OutputUnit, UnitError};
use crate::output::{OutputError, probe_dir, write_atomic};
use std::path::{Path, PathBuf};

impl From<FitError> for CliError {
    /// A log that cannot be read or fitted is bad input (exit 2).
    fn from(e: FitError) -> Self {
        CliError::Usage(e.to_string())
    }
}

fn unit_error(e: UnitError) -> CliError {
    match e {
        UnitError::Foreign { .. } | UnitError::Unnamed(_) => CliError::Usage(e.to_string()),
        UnitError::Busy { .. } | UnitError::Io(_) => CliError::Other(anyhow::anyhow!("{e}")),
    }
}

/// A date option in the log's format.
fn date_option(option: &str, text: &str, format: &str) -> Result<i64, CliError> {
    parse_date(text, format).ok_or_else(|| {
        CliError::Usage(format!(
            "{option} {text:?} is not a date in the format {format} (--date-format)"
        ))
    })
}

/// Fits, compares and writes the outputs.
pub(super) fn repurchase(a: &FitArgs) -> Result<(), CliError> {
    let source = a.log.file_name().map_or_else(
        || a.log.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let format = LogFormat {
        customer: a.customer_column.clone(),
        date: a.date_column.clone(),
        amount: a.amount_column.clone(),
        no_amount: a.no_amount,
        date_format: a.date_format.clone(),
    };
    crate::fit::log::check_date_format(&a.date_format)?;
    let cal_end = date_option("--calibration-end", &a.calibration_end, &a.date_format)?;
    let hold_end = a
        .holdout_end
        .as_deref()
        .map(|h| date_option("--holdout-end", h, &a.date_format))
        .transpose()?;
    let base = match &a.into {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| {
            CliError::Usage(format!("{}: cannot read the scenario: {e}", p.display()))
        })?),
        None => None,
    };
    let text = crate::limits::read_input(&a.log, crate::limits::MAX_LOG_BYTES)
        .map_err(|e| CliError::Usage(format!("{}: cannot read the log: {e}", a.log.display())))?;
    let log = read_log(text.as_bytes(), &a.log.display().to_string(), &format)?;
    let split = split(&log, cal_end, hold_end)?;
    let unit = TimeUnit::from(a.unit);
    let data = split.rfm(unit);
    let bg = fit::fit_bgnbd(&data)?;
    let pnbd = fit::fit_paretonbd(&data)?;
    let value = if log.has_amounts {
        let spend: Vec<Spend> = split
            .customers
            .iter()
            .filter_map(|c| c.repeat_value.map(|mean| Spend { x: c.rfm.x, mean }))
            .collect();
        Some(fit::fit_gammagamma(&spend)?)
    } else {
        None
    };
    let (chosen, reason) = match a.model {
        FitModelArg::Bgnbd => (0, "--model"),
        FitModelArg::Paretonbd => (1, "--model"),
        FitModelArg::Best => (if pnbd.aic() < bg.aic() { 1 } else { 0 }, "lowest AIC"),
    };
    let fitted = [
        Fitted::BgNbd(BgNbd::from_slice(&bg.values)),
        Fitted::ParetoNbd(ParetoNbd::from_slice(&pnbd.values)),
    ];
    let hold = (split.holdout_days() > 0).then(|| holdout::compare(&split, unit, &fitted));
    let report = FitReport {
        source: source.clone(),
        unit,
        log: &log,
        split: &split,
        models: vec![
            ModelFit {
                key: "bgnbd",
                label: "BG/NBD",
                estimate: &bg,
            },
            ModelFit {
                key: "paretonbd",
                label: "Pareto/NBD",
                estimate: &pnbd,
            },
        ],
        value: value.as_ref().map(|e| ModelFit {
            key: "gammagamma",
            label: "Gamma-Gamma",
            estimate: e,
        }),
        holdout: hold.as_ref(),
        chosen,
        reason,
    };
    let fitted_scenario = match (&base, &a.into) {
        (Some(text), Some(path)) => Some(fitted_scenario(&report, text, path, a.order_value)?),
        _ => None,
    };
    let dir = a.out.clone().unwrap_or_else(|| {
        let stem = a
            .log
            .file_stem()
            .map_or("log".into(), |s| s.to_string_lossy());
        PathBuf::from("output").join(format!("fit-{stem}"))
    });
    probe_dir(&dir)?;
    let unit_dir = OutputUnit::claim(&dir).map_err(unit_error)?;
    let stage = unit_dir.staging();
    let put = |name: &str, bytes: &[u8]| write_atomic(&stage.join(name), bytes);
    put("fit.csv", report.fit_csv().as_bytes())?;
    put("fit.json", report.fit_json().as_bytes())?;
    put("repurchase.toml", report.repurchase_toml().as_bytes())?;
    if let Some(h) = &hold {
        put("holdout.csv", report.holdout_csv(h).as_bytes())?;
        put("tracking.csv", report.tracking_csv(h).as_bytes())?;
        let (png, svg) = report
            .tracking_plot(h)
            .map_err(|e| CliError::Other(anyhow::anyhow!("{e}")))?;
        put("tracking.png", &png)?;
        put("tracking.svg", svg.as_bytes())?;
    }
    if let Some(text) = &fitted_scenario {
        put("scenario.fitted.toml", text.as_bytes())?;
    }
    unit_dir.commit()?;
    if !a.quiet {
        println!("{}", report.comparison_table());
        if let Some(h) = &hold {
            println!("{}", report.holdout_table(h));
        }
        if log.merged() > 0 {
            println!(
                "{} order rows, {} transactions ({} same-day orders merged).",
                log.rows,
                log.transactions.len(),
                log.merged()
            );
        }
        println!("Wrote {}", dir.display());
    }
    Ok(())
}

/// The scenario at `path` with the fitted block, checked by loading it.
fn fitted_scenario(
    report: &FitReport<'_>,
    text: &str,
    path: &Path,
    order_value: bool,
) -> Result<String, CliError> {
    let label = path.display().to_string();
    let value = if order_value {
        Some(report.order_value().ok_or_else(|| {
            CliError::Usage(
                "--order-value needs amounts in the log and a Gamma-Gamma fit with q > 2 (a finite variance)"
                    .into(),
            )
        })?)
    } else {
        None
    };
    let s = report.split;
    let header = format!(
        "# {label} with behaviour.repurchase fitted by `promosim fit repurchase` to {}\n\
         # (calibration {} to {}; times in days).\n",
        report.source,
        format_day(s.start),
        format_day(s.calibration_end)
    );
    let out = scenario_with_block(text, &label, &header, &report.block(), value)
        .map_err(CliError::Usage)?;
    crate::scenario::load_str(&out, &label, &[]).map_err(|e| {
        CliError::Usage(format!(
            "the fitted block does not make a valid scenario of {label}: {e}"
        ))
    })?;
    Ok(out)
}

/// Writes a synthetic order log.
pub(super) fn simulate_log(a: &SimulateLogArgs) -> Result<(), CliError> {
    let start = parse_date(&a.start, "%Y-%m-%d").ok_or_else(|| {
        CliError::Usage(format!("--start {:?} is not a date (YYYY-MM-DD)", a.start))
    })?;
    if a.customers == 0 || a.customers > crate::limits::MAX_SIMULATED_CUSTOMERS {
        return Err(CliError::Usage(format!(
            "--customers {}: allowed 1 to {}",
            a.customers,
            crate::limits::MAX_SIMULATED_CUSTOMERS
        )));
    }
    if a.cohort_days == 0 || a.cohort_days > a.days {
        return Err(CliError::Usage(format!(
            "--cohort-days {}: allowed 1 to --days ({})",
            a.cohort_days, a.days
        )));
    }
    let truth = match a.model {
        SimModelArg::Bgnbd => Truth::BgNbd(BgNbd {
            r: a.r,
            alpha: a.alpha,
            a: a.a,
            b: a.b,
        }),
        SimModelArg::Paretonbd => Truth::ParetoNbd(ParetoNbd {
            r: a.r,
            alpha: a.alpha,
            s: a.s,
            beta: a.beta,
        }),
    };
    let value = (a.value[0] > 0.0).then(|| GammaGamma::from_slice(&a.value));
    let log = simulate(&LogSpec {
        truth,
        customers: a.customers,
        cohort_days: a.cohort_days,
        days: a.days,
        start,
        value,
        seed: a.seed,
    })
    .map_err(CliError::Usage)?;
    let mut text = String::from(if value.is_some() {
        "customer_id,date,amount\n"
    } else {
        "customer_id,date\n"
    });
    // In date order, as a shop's export would be.
    let mut rows = log.transactions.clone();
    rows.sort_by_key(|o| (o.day, o.customer));
    for o in &rows {
        text.push_str(&log.ids[o.customer as usize]);
        text.push(',');
        text.push_str(&format_day(o.day));
        if let Some(v) = o.amount {
            text.push_str(&format!(",{v:.2}"));
        }
        text.push('\n');
    }
    write_atomic(&a.out, text.as_bytes()).map_err(|e: OutputError| CliError::from(e))?;
    eprintln!(
        "Wrote {}: {} customers, {} orders",
        a.out.display(),
        a.customers,
        rows.len()
    );
    Ok(())
}
