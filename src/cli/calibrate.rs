//! `promosim calibrate`: the field's figures checked against the shipped scenarios, or the
//! calibrated defaults searched again.

use super::CliError;
use super::args::CalibrateArgs;
use crate::calibration::{
    self, Evaluator, KNOBS, Knob, Step, field_facts, load_targets, loss, markdown_table,
};
use crate::limits::{MAX_CALIBRATION_ROUNDS, MAX_TRIALS};
use crate::output::{probe_file, write_atomic};

/// Current default values of the calibrated parameters.
fn knob_defaults() -> Vec<f64> {
    KNOBS
        .iter()
        .map(|k| calibration::default_value(k.key).unwrap_or(0.5 * (k.lo + k.hi)))
        .collect()
}

/// `--trials`, `--search-trials` and `--rounds` within their limits ([`crate::limits`]).
fn check_counts(a: &CalibrateArgs) -> Result<(), CliError> {
    for (option, t) in [("--trials", a.trials), ("--search-trials", a.search_trials)] {
        if t == 0 || t > MAX_TRIALS {
            return Err(CliError::Usage(format!(
                "{option} {t}: allowed 1 to {MAX_TRIALS} trials"
            )));
        }
    }
    if a.rounds == 0 || a.rounds > MAX_CALIBRATION_ROUNDS {
        return Err(CliError::Usage(format!(
            "--rounds {}: allowed 1 to {MAX_CALIBRATION_ROUNDS} rounds",
            a.rounds
        )));
    }
    Ok(())
}

/// The inference options within their limits.
fn check_inference(a: &CalibrateArgs) -> Result<(), CliError> {
    let bad = |m: String| Err(CliError::Usage(m));
    if a.method.is_some() && a.search {
        return bad("--search and --method are two different searches; give one".into());
    }
    if !(2..=100_000).contains(&a.particles) {
        return bad(format!("--particles {}: allowed 2 to 100000", a.particles));
    }
    if !(1..=1_000).contains(&a.generations) {
        return bad(format!(
            "--generations {}: allowed 1 to 1000",
            a.generations
        ));
    }
    if a.eps_min.is_some_and(|e| !(e >= 0.0 && e.is_finite())) {
        return bad("--eps-min: allowed a finite number ≥ 0".into());
    }
    if !(0.0..1.0).contains(&a.min_acceptance) {
        return bad(format!(
            "--min-acceptance {}: allowed 0 ≤ x < 1",
            a.min_acceptance
        ));
    }
    if a.history_points
        .is_some_and(|p| !(2..=1_000_000).contains(&p))
    {
        return bad("--history-points: allowed 2 to 1000000".into());
    }
    if a.history_waves.is_some_and(|w| w > 100) {
        return bad("--history-waves: allowed 0 to 100".into());
    }
    if !(a.cutoff > 0.0 && a.cutoff.is_finite()) {
        return bad("--cutoff: allowed a finite number > 0".into());
    }
    if a.max_seconds.is_some_and(|s| !(s > 0.0 && s.is_finite())) {
        return bad("--max-seconds: allowed a finite number > 0".into());
    }
    if a.predictive > 100_000 {
        return bad("--predictive: allowed 0 to 100000".into());
    }
    if a.method.is_none() && !a.params.is_empty() {
        return bad("--param needs --method abc, history or optimise".into());
    }
    Ok(())
}

/// Checks the facts, after a search of new defaults with `--search`, and prints (or
/// writes) the fact table.
pub(super) fn calibrate(a: &CalibrateArgs) -> Result<(), CliError> {
    check_counts(a)?;
    check_inference(a)?;
    if let Some(path) = &a.write {
        probe_file(path)?;
    }
    let file = match &a.targets {
        Some(path) => load_targets(path)?,
        None => field_facts(&a.scenarios)?,
    };
    if let Some(method) = a.method {
        return match a.threads {
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| anyhow::anyhow!("threads: {e}"))?
                .install(|| super::infer::infer(a, method, file)),
            None => super::infer::infer(a, method, file),
        };
    }
    let scenarios = file
        .scenarios
        .clone()
        .unwrap_or_else(|| a.scenarios.clone());
    let (facts, reported) = file.select(&a.facts);
    if facts.is_empty() && reported.is_empty() {
        return Err(CliError::Usage(format!(
            "--facts {:?} matches no fact; fact ids start with rp_, qa_, votes_, proofs_ or levers_",
            a.facts
        )));
    }
    let defaults = knob_defaults();
    let (knobs, start): (Vec<Knob>, Vec<f64>) = KNOBS
        .iter()
        .zip(&defaults)
        .filter(|(k, _)| a.knobs.is_empty() || a.knobs.iter().any(|t| k.key.contains(t.as_str())))
        .map(|(k, v)| (*k, *v))
        .unzip();
    let settings: Vec<(String, f64)> = if a.search {
        let mut observe = |s: &Step| {
            let v: Vec<String> = s
                .knobs
                .iter()
                .map(|(k, x)| format!("{}={x:.4}", k.rsplit('.').next().unwrap_or(k)))
                .collect();
            eprintln!(
                "{} loss {:.4}  {}",
                if s.improved { "*" } else { " " },
                s.loss,
                v.join(" ")
            );
        };
        let (best, _) = calibration::calibrate(
            &scenarios,
            &facts,
            &knobs,
            &start,
            a.search_trials,
            a.rounds,
            &mut observe,
        )?;
        println!("calibrated values (write them into the defaults):");
        for (k, v) in &best {
            println!("  {k} = {v:.4}");
        }
        best
    } else {
        Vec::new()
    };
    let mut ev = Evaluator::new(&scenarios, a.trials, &settings);
    let results = ev.all(&facts)?;
    let others = ev.all(&reported)?;
    let mut table = markdown_table(&results);
    if !others.is_empty() {
        table.push_str("\nReported, not asserted (see the notes on conflicts):\n\n");
        table.push_str(&markdown_table(&others));
    }
    println!(
        "\n{} trials per scenario; loss {:.4}\n\n{table}",
        a.trials,
        loss(&results)
    );
    if let Some(path) = &a.write {
        write_atomic(path, table.as_bytes())?;
    }
    Ok(())
}
