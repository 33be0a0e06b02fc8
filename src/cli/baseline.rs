//! `promosim baseline record | check | update`: recorded forecasts for CI.

use super::CliError;
use super::args::{BaselineCommand, CheckArgs, RecordOpts};
use crate::baseline::check::{Mode, Status};
use crate::baseline::commands::{self, CheckRequest, RecordRequest};
use crate::baseline::junit;
use crate::baseline::render::render;
use crate::output::{probe_file, write_atomic};
use std::path::{Path, PathBuf};

/// The library's request, and whether to be quiet.
fn record_request(scenarios: Vec<PathBuf>, o: RecordOpts) -> (RecordRequest, bool) {
    (
        RecordRequest {
            scenarios,
            dir: o.dir,
            trials: o.trials,
            seed: o.seed,
            overrides: o.set,
            threads: o.threads,
        },
        o.quiet,
    )
}

/// Runs a `baseline` subcommand.
pub(super) fn baseline(cmd: BaselineCommand) -> Result<(), CliError> {
    let progress = |quiet: bool| {
        move |m: &str| {
            if !quiet {
                eprintln!("{m}");
            }
        }
    };
    match cmd {
        BaselineCommand::Record(a) => {
            let (req, quiet) = record_request(a.scenarios, a.opts);
            for r in commands::record_new(&req, &mut progress(quiet))? {
                println!("recorded {}", r.summary());
            }
            Ok(())
        }
        BaselineCommand::Update(a) => {
            let (req, quiet) = record_request(a.scenarios, a.opts);
            for r in commands::update(&req, &mut progress(quiet))? {
                println!("updated {}", r.summary());
            }
            Ok(())
        }
        BaselineCommand::Check(a) => check(a),
    }
}

/// `baseline check`: re-runs, compares, writes the JSON and JUnit reports, and fails on
/// any regression or changed scenario.
fn check(a: CheckArgs) -> Result<(), CliError> {
    for path in a.json.iter().chain(&a.junit) {
        probe_file(path)?;
    }
    let req = CheckRequest {
        scenarios: a.scenarios,
        dir: a.dir,
        mode: a.mode.into(),
        config: a.config,
        alpha: a.alpha,
        min_effects: a.min_effect,
        seed: a.seed,
        trials: a.trials,
        overrides: a.set,
        threads: a.threads,
        allow_changed_scenario: a.allow_changed_scenario,
    };
    let quiet = a.quiet;
    let failures_only = a.failures_only;
    let report = commands::check(
        &req,
        &mut |m: &str| {
            if !quiet {
                eprintln!("{m}");
            }
        },
        &mut |r| print!("{}", render(r, failures_only)),
    )?;
    let write = |path: &Path, bytes: &[u8]| write_atomic(path, bytes).map_err(CliError::from);
    if let Some(p) = &a.json {
        let bytes = report
            .to_json()
            .map_err(|e| anyhow::anyhow!("cannot serialise the report: {e}"))?;
        write(p, &bytes)?;
    }
    if let Some(p) = &a.junit {
        write(p, junit::render(&report).as_bytes())?;
    }
    let count = |s: Status| report.scenarios.iter().filter(|r| r.status == s).count();
    let (pass, regressed, changed) = (
        count(Status::Pass),
        count(Status::Regression),
        count(Status::ScenarioChanged),
    );
    println!(
        "baseline check ({}): {pass} passed, {regressed} regressed, {changed} changed since baseline",
        match req.mode {
            Mode::Exact => "exact",
            Mode::Statistical => "statistical",
        }
    );
    if report.status == Status::Pass {
        Ok(())
    } else {
        Err(CliError::CheckFailed(format!(
            "baseline check failed: {regressed} scenario(s) regressed, {changed} changed since baseline"
        )))
    }
}
