//! `promosim sweep` and `promosim sensitivity`: the scenario run at many points, every
//! point on the same trials, then reduced by [`crate::sweep`].
//!
//! Each point is the scenario loaded with the `--set` overrides, then the point's
//! parameter values as overrides of the same form, so a parameter is any scenario key and
//! each point is validated like a scenario file. The points run as the candidates of one
//! work folder ([`crate::work`]): each point's trials are saved as they finish, and a
//! rerun of the same command into the same output folder skips the points already saved
//! (`--fresh` starts again). The output folder is written as a unit
//! ([`crate::output::unit`]).

use super::CliError;
use super::args::{DesignArg, ExploreOpts, MethodArg, SensitivityArgs, SweepArgs};
use super::jobs::{Ran, run_work, unit_error, work_error};
use super::shards::{Mode, Resume, finish_shard, open_work};
use crate::engine::{Arms, Plan};
use crate::limits::{MAX_POINTS, MAX_THREADS};
use crate::lineup::{file_safe, shell_quote};
use crate::output::plots::sweep as sweep_plots;
use crate::output::unit::OutputUnit;
use crate::output::{OutputError, probe_dir, write_atomic};
use crate::results::{MetricSummary, metric_names, summarize_metric};
use crate::scenario::{Scenario, load_file};
use crate::shard::Split;
use crate::sweep::PointValues;
use crate::sweep::design::{self, Design, Param, value_text};
use crate::sweep::response::{Basis, ResponsePoint, response_curve};
use crate::sweep::sensitivity::{
    Interval, MorrisIndices, SobolIndices, morris_indices, morris_trajectories, noise_share,
    ranking, saltelli, sobol_indices,
};
use crate::work::{Manifest, Work};
use std::path::{Path, PathBuf};

/// Trials per row of a sensitivity analysis unless `--trials` says otherwise.
pub const SENSITIVITY_TRIALS: u32 = 20;

/// The metrics shown in the terminal and the plots, when the points have them.
const HEADLINE: &[&str] = &[
    "inc_first_buyers",
    "icpa",
    "inc_roi",
    "first_buyers",
    "conversion_rate",
    "cost",
];

/// Runs `promosim sweep`.
pub(super) fn sweep(a: &SweepArgs) -> Result<(), CliError> {
    let o = &a.opts;
    let base = load_base(&a.scenario, o, None)?;
    let (params, rows) = match &a.design_file {
        Some(file) => read_design_file(file, &base)?,
        None => {
            let params = parse_params(&o.params, &base)?;
            let design = match a.design {
                DesignArg::Grid => Design::Grid,
                DesignArg::Lhs => Design::Lhs,
                DesignArg::Sobol => Design::Sobol,
            };
            let units = design::unit_points(design, &params, a.points, base.seed, MAX_POINTS)
                .map_err(|e| CliError::Usage(format!("--design {}: {e}", design_name(design))))?;
            let rows = to_values(&params, &units);
            (params, rows)
        }
    };
    let dir = out_dir(o, &base, "sweep");
    let Some(Done { values, pending }) =
        run_points(&a.scenario, o, &base, &params, &rows, &dir, "sweep")?
    else {
        return Ok(());
    };
    let values = &values;
    let basis = if o.totals_only {
        Basis::Totals
    } else {
        Basis::Incremental
    };
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("sweep.csv".into(), sweep_csv(&params, &rows, values)?),
        (
            "sweep_summary.csv".into(),
            summary_csv(&params, &rows, values)?,
        ),
    ];
    // A design file is a path through the parameter space: its response curve follows
    // the first column.
    let path = a.design_file.is_some();
    let curve = (params.len() == 1 || path).then(|| curve_of(&rows, values, basis));
    if let Some(c) = &curve {
        files.push((
            "response.csv".into(),
            response_csv(&params, &rows, c, basis)?,
        ));
    }
    if !o.no_plots {
        let plots = sweep_plots::sweep_figures(&params, &rows, values, &base.currency, path)
            .map_err(|e| CliError::Other(anyhow::anyhow!(e)))?;
        files.extend(plot_files(plots));
    }
    let (written, stats) = pending.finish(&files)?;
    println!(
        "scenario {} | {} points × {} trials (same trials at every point) | seed {} | money in {}",
        base.name,
        rows.len(),
        base.trials,
        base.seed,
        base.currency
    );
    match &curve {
        Some(c) => print!("{}", render_curve(&params, &rows, c, basis, &base.currency)),
        None => print!("{}", render_points(&params, &rows, values)),
    }
    report_written(o, &stats, &dir, &written);
    Ok(())
}

/// Runs `promosim sensitivity`.
pub(super) fn sensitivity(a: &SensitivityArgs) -> Result<(), CliError> {
    let o = &a.opts;
    let base = load_base(&a.scenario, o, Some(SENSITIVITY_TRIALS))?;
    let params = parse_params(&o.params, &base)?;
    let d = params.len();
    if a.samples < 2 {
        return Err(CliError::Usage(format!(
            "--samples {}: allowed at least 2 (intervals need two samples)",
            a.samples
        )));
    }
    if !(1..=100_000).contains(&a.resamples) {
        return Err(CliError::Usage(format!(
            "--resamples {}: allowed 1 to 100000",
            a.resamples
        )));
    }
    let units = match a.method {
        MethodArg::Sobol => saltelli(a.samples, d, base.seed)
            .map_err(|e| CliError::Usage(format!("--samples {}: {e}", a.samples)))?,
        MethodArg::Morris => morris_trajectories(a.samples, d, base.seed),
    };
    if units.len() > MAX_POINTS {
        return Err(CliError::Usage(format!(
            "--samples {} with {d} parameters makes {} rows: allowed at most {MAX_POINTS}",
            a.samples,
            units.len()
        )));
    }
    let rows = to_values(&params, &units);
    let dir = out_dir(o, &base, "sensitivity");
    let Some(Done { values, pending }) =
        run_points(&a.scenario, o, &base, &params, &rows, &dir, "sensitivity")?
    else {
        return Ok(());
    };
    let values = &values;
    let mut results = Vec::new();
    for (m, metric) in values.metrics.iter().enumerate() {
        let y = values.means(m);
        let noise = noise_share(&values.trials(m));
        let found = match a.method {
            MethodArg::Sobol => sobol_indices(&y, d, a.resamples, base.seed).map(Found::Sobol),
            MethodArg::Morris => {
                morris_indices(&units, &y, d, a.resamples, base.seed).map(Found::Morris)
            }
        };
        results.push(MetricIndices {
            metric: metric.clone(),
            noise,
            found,
        });
    }
    let (name, table) = match a.method {
        MethodArg::Sobol => ("sensitivity.csv", sobol_csv(&params, &results)?),
        MethodArg::Morris => ("morris.csv", morris_csv(&params, &results)?),
    };
    let mut files = vec![
        (name.to_string(), table),
        ("design.csv".into(), design_csv(&params, &rows, a.method)?),
    ];
    if !o.no_plots {
        let panels: Vec<sweep_plots::BarPanel> = headline(&values.metrics)
            .into_iter()
            .filter_map(|m| results.iter().find(|r| r.metric == m))
            .filter_map(|r| bar_panel(&params, r))
            .collect();
        if !panels.is_empty() {
            let plot = sweep_plots::index_bars(&panels, method_words(a.method))
                .map_err(|e| CliError::Other(anyhow::anyhow!(e)))?;
            files.extend(plot_files(vec![plot]));
        }
    }
    let (written, stats) = pending.finish(&files)?;
    println!(
        "scenario {} | {} | {} rows × {} trials (common random numbers per row, trials averaged) | seed {}",
        base.name,
        method_words(a.method),
        rows.len(),
        base.trials,
        base.seed
    );
    print!("{}", render_indices(&params, &results, &values.metrics));
    report_written(o, &stats, &dir, &written);
    Ok(())
}

/// The estimator in words.
fn method_words(m: MethodArg) -> &'static str {
    match m {
        MethodArg::Sobol => {
            "Sobol indices: Saltelli sampling (scrambled Sobol), S1 by Saltelli 2010, ST by Jansen 1999, percentile-bootstrap 95% intervals"
        }
        MethodArg::Morris => {
            "Morris elementary effects (4 levels): mu* (Campolongo 2007) with percentile-bootstrap 95% interval, mu, sigma"
        }
    }
}

fn design_name(d: Design) -> &'static str {
    match d {
        Design::Grid => "grid",
        Design::Lhs => "lhs",
        Design::Sobol => "sobol",
    }
}

/// The scenario with `--set`, `--trials` (or `default_trials`) and `--seed` applied.
fn load_base(
    file: &Path,
    o: &ExploreOpts,
    default_trials: Option<u32>,
) -> Result<Scenario, CliError> {
    if let Some(t) = o.threads.filter(|t| *t == 0 || *t > MAX_THREADS) {
        return Err(CliError::Usage(format!(
            "--threads {t}: allowed 1 to {MAX_THREADS} threads"
        )));
    }
    Ok(load_file(file, &base_overrides(o, default_trials))?)
}

/// The overrides every point starts from: `--set`, then trials and seed.
fn base_overrides(o: &ExploreOpts, default_trials: Option<u32>) -> Vec<String> {
    let mut all = o.set.clone();
    all.extend(o.trials.or(default_trials).map(|t| format!("trials={t}")));
    all.extend(o.seed.map(|s| format!("seed={s}")));
    all
}

/// Parses `--param` values, marking the keys whose value in `base` is an integer.
fn parse_params(texts: &[String], base: &Scenario) -> Result<Vec<Param>, CliError> {
    if texts.is_empty() {
        return Err(CliError::Usage(
            "no --param: give at least one KEY=LO..HI (e.g. --param mechanisms.red_packets.total=10..60)"
                .into(),
        ));
    }
    let resolved = resolved_table(base);
    let mut params: Vec<Param> = Vec::new();
    for t in texts {
        let mut p = Param::parse(t).map_err(|e| CliError::Usage(format!("--param {e}")))?;
        if params.iter().any(|q| q.key == p.key) {
            return Err(CliError::Usage(format!(
                "--param {t}: the key {} is given twice; allowed once per key",
                p.key
            )));
        }
        p.integer = is_integer_key(&resolved, &p.key);
        params.push(p);
    }
    Ok(params)
}

/// The resolved scenario as a TOML table (empty if it does not parse back).
fn resolved_table(base: &Scenario) -> toml::Table {
    base.to_toml().parse::<toml::Table>().unwrap_or_default()
}

/// Whether `key` (the `--set` path syntax) holds an integer in `table`.
fn is_integer_key(table: &toml::Table, key: &str) -> bool {
    let mut cur: Option<&toml::Value> = None;
    for (i, part) in key.split('.').enumerate() {
        let (name, index) = match part.strip_suffix(']').and_then(|p| p.split_once('[')) {
            Some((n, k)) => (n, k.parse::<usize>().ok()),
            None => (part, None),
        };
        let found = if i == 0 {
            table.get(name)
        } else {
            cur.and_then(|v| v.as_table()).and_then(|t| t.get(name))
        };
        cur = match index {
            Some(k) => found.and_then(|v| v.as_array()).and_then(|a| a.get(k)),
            None => found,
        };
    }
    matches!(cur, Some(toml::Value::Integer(_)))
}

/// The parameter values of unit-cube points.
fn to_values(params: &[Param], units: &[Vec<f64>]) -> Vec<Vec<f64>> {
    units
        .iter()
        .map(|u| params.iter().zip(u).map(|(p, x)| p.at(*x)).collect())
        .collect()
}

/// A design file's parameters and rows: a header of keys (a first column `point`
/// ignored), one row of numbers per point.
fn read_design_file(file: &Path, base: &Scenario) -> Result<(Vec<Param>, Vec<Vec<f64>>), CliError> {
    let bad = |m: String| CliError::Usage(format!("--design-file {}: {m}", file.display()));
    let text = std::fs::read_to_string(file).map_err(|e| bad(format!("cannot read it ({e})")))?;
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("no header row ({e})")))?
        .iter()
        .map(str::to_string)
        .collect();
    let skip = usize::from(header.first().map(String::as_str) == Some("point"));
    let keys = &header[skip..];
    if keys.is_empty() || keys.iter().any(String::is_empty) {
        return Err(bad(
            "the header must name a scenario key per column (a first column `point` is ignored)"
                .into(),
        ));
    }
    let resolved = resolved_table(base);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
        if record.len() != header.len() {
            return Err(bad(format!(
                "line {line} has {} fields, the header {}",
                record.len(),
                header.len()
            )));
        }
        let row = record
            .iter()
            .skip(skip)
            .zip(keys)
            .map(|(cell, key)| {
                cell.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        bad(format!(
                            "line {line}, column {key}: `{cell}` is not a finite number"
                        ))
                    })
            })
            .collect::<Result<Vec<f64>, CliError>>()?;
        rows.push(row);
    }
    if rows.is_empty() || rows.len() > MAX_POINTS {
        return Err(bad(format!(
            "{} points: allowed 1 to {MAX_POINTS}",
            rows.len()
        )));
    }
    let params = keys
        .iter()
        .enumerate()
        .map(|(k, key)| {
            let lo = rows.iter().map(|r| r[k]).fold(f64::INFINITY, f64::min);
            let hi = rows.iter().map(|r| r[k]).fold(f64::NEG_INFINITY, f64::max);
            Param {
                key: key.clone(),
                lo,
                hi,
                steps: None,
                log: false,
                integer: is_integer_key(&resolved, key),
            }
        })
        .collect();
    Ok((params, rows))
}

/// The output folder: `--out`, else `output/<scenario>-<what>`.
fn out_dir(o: &ExploreOpts, base: &Scenario, what: &str) -> PathBuf {
    o.out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("{}-{what}", file_safe(&base.name))))
}

/// Points run and read back.
struct Done {
    values: PointValues,
    pending: Pending,
}

/// The output folder still claimed, with what ran.
struct Pending {
    unit: OutputUnit,
    work: Work,
    stats: Ran,
}

impl Pending {
    /// Writes `files` into the staging folder, swaps it in and removes the work folder.
    fn finish(self, files: &[(String, Vec<u8>)]) -> Result<(Vec<String>, Ran), CliError> {
        for (name, bytes) in files {
            write_atomic(&self.unit.staging().join(name), bytes)?;
        }
        self.unit.commit()?;
        self.work.remove()?;
        Ok((files.iter().map(|(n, _)| n.clone()).collect(), self.stats))
    }
}

/// Runs every point (`rows[k]`: the values of `params`) on the base's trials and seed in
/// the work folder of `dir`, and reads their metric values back in point order; with
/// `--shard`, runs the shard's part and writes it to `dir` instead (`None`).
fn run_points(
    file: &Path,
    o: &ExploreOpts,
    base: &Scenario,
    params: &[Param],
    rows: &[Vec<f64>],
    dir: &Path,
    command: &str,
) -> Result<Option<Done>, CliError> {
    let default_trials = (command == "sensitivity").then_some(SENSITIVITY_TRIALS);
    let start = base_overrides(o, default_trials);
    let mut plans = Vec::with_capacity(rows.len());
    for (k, row) in rows.iter().enumerate() {
        let mut overrides = o.set.clone();
        overrides.extend(params.iter().zip(row).map(|(p, x)| p.assignment(*x)));
        overrides.extend(start[o.set.len()..].iter().cloned());
        let s = load_file(file, &overrides).map_err(|e| {
            let at: Vec<String> = params
                .iter()
                .zip(row)
                .map(|(p, x)| format!("{}={}", p.key, value_text(*x, p.integer)))
                .collect();
            CliError::Usage(format!("point {k} ({}): {e}", at.join(", ")))
        })?;
        plans.push(Plan::new(&s).map_err(|e| CliError::Other(e.into()))?);
    }
    let arms = if o.totals_only {
        Arms::CAMPAIGN_ONLY
    } else {
        Arms::default()
    };
    let metrics = |p: &Plan| metric_names(!o.totals_only, &p.kpi_names());
    let first = metrics(&plans[0]);
    if let Some(k) = plans.iter().position(|p| metrics(p) != first) {
        return Err(CliError::Usage(format!(
            "point {k} reports other metrics than point 0 (a parameter switches a mechanism on or off): keep every point's mechanisms the same"
        )));
    }
    let names: Vec<String> = (0..rows.len()).map(|k| format!("p{k:06}")).collect();
    let entries: Vec<(&str, &Plan)> = names.iter().map(String::as_str).zip(&plans).collect();
    probe_dir(dir)?;
    let mode = Mode::of(o.shard.as_deref(), o.merge.as_ref(), o.out.as_deref())?;
    let unit = OutputUnit::claim(dir).map_err(unit_error)?;
    let manifest = Manifest::of(&entries, base.seed, base.trials, arms);
    let resume = if o.fresh { Resume::No } else { Resume::IfSame };
    let (mut work, note) = open_work(&unit, manifest, mode, Split::Points, resume)?;
    // Resuming is the default here: say so only when there was something to resume or
    // to discard.
    if !note.is_empty() && !o.quiet && !note.starts_with("nothing to resume") {
        eprintln!("{note}");
    }
    let total = work.trials_wanted();
    let continue_with = format!(
        "Continue by running the same command again with --out {}",
        shell_quote(&dir.display().to_string())
    );
    let plan_refs: Vec<&Plan> = plans.iter().collect();
    let stats = run_work(
        &mut work,
        total,
        o.quiet,
        dir,
        &continue_with,
        |w, stop, done| crate::work::run_plans(&plan_refs, w, o.threads, arms, stop, done),
    )?;
    if let Mode::Shard(s) = mode {
        finish_shard(unit, work, s, Split::Points, o.quiet)?;
        return Ok(None);
    }
    let mut values = Vec::with_capacity(rows.len());
    for c in 0..rows.len() {
        values.push(crate::work::values_of(&work, c).map_err(work_error)?);
    }
    Ok(Some(Done {
        values: PointValues {
            metrics: first,
            values,
        },
        pending: Pending { unit, work, stats },
    }))
}

/// Prints what ran and what was written (unless `--quiet`).
fn report_written(o: &ExploreOpts, done: &Ran, dir: &Path, written: &[String]) {
    if o.quiet {
        return;
    }
    eprintln!(
        "{} trials in {:.2} s{}; wrote {}: {}",
        done.ran,
        done.elapsed,
        if done.resumed > 0 {
            format!(" ({} done before)", done.resumed)
        } else {
            String::new()
        },
        dir.display(),
        written.join(", ")
    );
}

/// A number as written in the CSV files: empty when undefined, `inf`/`-inf` when
/// unbounded.
fn cell(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x}")
    }
}

fn csv_error(what: &'static str) -> impl Fn(::csv::Error) -> CliError {
    move |e| {
        OutputError::Serialise {
            what,
            message: e.to_string(),
        }
        .into()
    }
}

fn finish_csv(w: ::csv::Writer<Vec<u8>>, what: &'static str) -> Result<Vec<u8>, CliError> {
    w.into_inner().map_err(|e| {
        OutputError::Serialise {
            what,
            message: e.to_string(),
        }
        .into()
    })
}

/// The parameter values of a row as CSV cells.
fn value_cells<'a>(params: &'a [Param], row: &'a [f64]) -> impl Iterator<Item = String> + 'a {
    params
        .iter()
        .zip(row)
        .map(|(p, x)| value_text(*x, p.integer))
}

/// `sweep.csv`: one row per (point, trial): the parameter values and every metric.
fn sweep_csv(params: &[Param], rows: &[Vec<f64>], v: &PointValues) -> Result<Vec<u8>, CliError> {
    let e = csv_error("sweep.csv");
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(params.iter().map(|p| p.key.clone()));
    header.push("trial".into());
    header.extend(v.metrics.iter().cloned());
    w.write_record(&header).map_err(&e)?;
    for (k, (row, trials)) in rows.iter().zip(&v.values).enumerate() {
        for (t, values) in trials.iter().enumerate() {
            let mut r = vec![k.to_string()];
            r.extend(value_cells(params, row));
            r.push(t.to_string());
            r.extend(values.iter().map(|x| cell(*x)));
            w.write_record(&r).map_err(&e)?;
        }
    }
    finish_csv(w, "sweep.csv")
}

/// The summaries of every metric at point `k`.
fn point_summaries(v: &PointValues, k: usize) -> Vec<MetricSummary> {
    v.metrics
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let xs: Vec<f64> = v.values[k].iter().map(|t| t[m]).collect();
            summarize_metric(name, &xs)
        })
        .collect()
}

/// `sweep_summary.csv`: one row per (point, metric): mean, sd, quantiles and the 95%
/// interval of the mean across the point's trials.
fn summary_csv(params: &[Param], rows: &[Vec<f64>], v: &PointValues) -> Result<Vec<u8>, CliError> {
    let e = csv_error("sweep_summary.csv");
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(params.iter().map(|p| p.key.clone()));
    header.extend(["metric".to_string(), "n".to_string()]);
    header.extend(MetricSummary::NUMBERS.iter().map(|s| s.to_string()));
    w.write_record(&header).map_err(&e)?;
    for (k, row) in rows.iter().enumerate() {
        for s in point_summaries(v, k) {
            let mut r = vec![k.to_string()];
            r.extend(value_cells(params, row));
            r.extend([s.metric.clone(), s.n.to_string()]);
            r.extend(s.numbers().iter().map(|x| cell(*x)));
            w.write_record(&r).map_err(&e)?;
        }
    }
    finish_csv(w, "sweep_summary.csv")
}

/// The response curve of a one-parameter sweep.
fn curve_of(rows: &[Vec<f64>], v: &PointValues, basis: Basis) -> Vec<ResponsePoint> {
    let (Some(c), Some(b)) = (v.column("cost"), v.column(basis.metric())) else {
        return Vec::new();
    };
    let (cost, buyers) = (v.trials(c), v.trials(b));
    let points: Vec<(usize, f64, Vec<f64>, Vec<f64>)> = rows
        .iter()
        .enumerate()
        .map(|(k, r)| (k, r[0], cost[k].clone(), buyers[k].clone()))
        .collect();
    response_curve(&points)
}

/// `response.csv`: per point in increasing order of the parameter, the buyers and cost
/// with their intervals, and the marginal cost per buyer from the previous point.
fn response_csv(
    params: &[Param],
    rows: &[Vec<f64>],
    curve: &[ResponsePoint],
    basis: Basis,
) -> Result<Vec<u8>, CliError> {
    let e = csv_error("response.csv");
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point"];
    header.extend(params.iter().map(|p| p.key.as_str()));
    header.extend([
        "buyers",
        "buyers_mean",
        "buyers_ci95_low",
        "buyers_ci95_high",
        "cost_mean",
        "cost_ci95_low",
        "cost_ci95_high",
        "marginal_cost_per_buyer",
        "marginal_ci95_low",
        "marginal_ci95_high",
    ]);
    w.write_record(&header).map_err(&e)?;
    for r in curve {
        let m = r
            .marginal
            .map_or([f64::NAN; 3], |m| [m.value, m.low, m.high]);
        let mut row = vec![r.point.to_string()];
        row.extend(value_cells(params, &rows[r.point]));
        row.push(basis.metric().to_string());
        row.extend(
            [
                r.buyers.value,
                r.buyers.low,
                r.buyers.high,
                r.cost.value,
                r.cost.low,
                r.cost.high,
            ]
            .iter()
            .chain(&m)
            .map(|x| cell(*x)),
        );
        w.write_record(&row).map_err(&e)?;
    }
    finish_csv(w, "response.csv")
}

/// A number for the terminal: 4 significant digits, `∞` when unbounded, `–` undefined.
fn short(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        }
    } else if x == 0.0 {
        "0".into()
    } else {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

/// Right-aligned columns of text rows.
fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The response curve as a terminal table.
fn render_curve(
    params: &[Param],
    points: &[Vec<f64>],
    curve: &[ResponsePoint],
    basis: Basis,
    currency: &str,
) -> String {
    let mut head: Vec<String> = params.iter().map(|p| p.key.clone()).collect();
    head.extend([
        format!("{} (95% CI)", basis.metric()),
        format!("cost {currency} (95% CI)"),
        format!("marginal {currency} per buyer (95% CI)"),
    ]);
    let mut rows = vec![head];
    let ci = |v: f64, l: f64, h: f64| {
        if v.is_nan() {
            "–".to_string()
        } else {
            format!("{} [{}, {}]", short(v), short(l), short(h))
        }
    };
    for r in curve {
        let mut row: Vec<String> = value_cells(params, &points[r.point]).collect();
        row.extend([
            ci(r.buyers.value, r.buyers.low, r.buyers.high),
            ci(r.cost.value, r.cost.low, r.cost.high),
            r.marginal
                .map_or("–".into(), |m| ci(m.value, m.low, m.high)),
        ]);
        rows.push(row);
    }
    format!(
        "buyers: {}; marginal cost: Δcost / Δbuyers from the previous point, paired by trial (ratio of means, delta-method interval)\n{}",
        basis.words(),
        columns(&rows)
    )
}

/// The headline metrics the points have, in [`HEADLINE`] order.
fn headline(metrics: &[String]) -> Vec<&'static str> {
    HEADLINE
        .iter()
        .copied()
        .filter(|h| metrics.iter().any(|m| m == h))
        .collect()
}

/// Each point's headline means as a terminal table.
fn render_points(params: &[Param], rows: &[Vec<f64>], v: &PointValues) -> String {
    let shown = headline(&v.metrics);
    let mut head: Vec<String> = vec!["point".into()];
    head.extend(params.iter().map(|p| p.key.clone()));
    head.extend(shown.iter().map(|m| format!("{m} mean")));
    let means: Vec<Vec<f64>> = shown
        .iter()
        .filter_map(|m| v.column(m))
        .map(|c| v.means(c))
        .collect();
    let mut table = vec![head];
    for (k, row) in rows.iter().enumerate() {
        let mut r = vec![k.to_string()];
        r.extend(value_cells(params, row));
        r.extend(means.iter().map(|m| short(m[k])));
        table.push(r);
    }
    columns(&table)
}

/// The indices of one metric.
enum Found {
    Sobol(SobolIndices),
    Morris(MorrisIndices),
}

/// One metric's indices and noise share (`found` is `None` when the metric does not vary
/// or is undefined).
struct MetricIndices {
    metric: String,
    noise: f64,
    found: Option<Found>,
}

/// `sensitivity.csv`: per metric, the parameters ranked by total index.
fn sobol_csv(params: &[Param], results: &[MetricIndices]) -> Result<Vec<u8>, CliError> {
    let e = csv_error("sensitivity.csv");
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "metric",
        "rank",
        "param",
        "s1",
        "s1_low",
        "s1_high",
        "st",
        "st_low",
        "st_high",
        "n",
        "noise_share",
    ])
    .map_err(&e)?;
    for r in results {
        let Some(Found::Sobol(s)) = &r.found else {
            continue;
        };
        let st: Vec<f64> = s.total.iter().map(|i| i.value).collect();
        for (rank, i) in ranking(&st).into_iter().enumerate() {
            let mut row = vec![
                r.metric.clone(),
                (rank + 1).to_string(),
                params[i].key.clone(),
            ];
            row.extend(interval_cells(s.first[i]));
            row.extend(interval_cells(s.total[i]));
            row.extend([s.n.to_string(), cell(r.noise)]);
            w.write_record(&row).map_err(&e)?;
        }
    }
    finish_csv(w, "sensitivity.csv")
}

fn interval_cells(i: Interval) -> [String; 3] {
    [cell(i.value), cell(i.low), cell(i.high)]
}

/// `morris.csv`: per metric, the parameters ranked by μ*.
fn morris_csv(params: &[Param], results: &[MetricIndices]) -> Result<Vec<u8>, CliError> {
    let e = csv_error("morris.csv");
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "metric",
        "rank",
        "param",
        "mu_star",
        "mu_star_low",
        "mu_star_high",
        "mu",
        "sigma",
        "trajectories",
        "noise_share",
    ])
    .map_err(&e)?;
    for r in results {
        let Some(Found::Morris(m)) = &r.found else {
            continue;
        };
        let key: Vec<f64> = m.mu_star.iter().map(|i| i.value).collect();
        for (rank, i) in ranking(&key).into_iter().enumerate() {
            let mut row = vec![
                r.metric.clone(),
                (rank + 1).to_string(),
                params[i].key.clone(),
            ];
            row.extend(interval_cells(m.mu_star[i]));
            row.extend([
                cell(m.mu[i]),
                cell(m.sigma[i]),
                m.trajectories.to_string(),
                cell(r.noise),
            ]);
            w.write_record(&row).map_err(&e)?;
        }
    }
    finish_csv(w, "morris.csv")
}

/// `design.csv`: every row run, with its role in the design.
fn design_csv(params: &[Param], rows: &[Vec<f64>], method: MethodArg) -> Result<Vec<u8>, CliError> {
    let e = csv_error("design.csv");
    let d = params.len();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["row".to_string(), "sample".into(), "role".into()];
    header.extend(params.iter().map(|p| p.key.clone()));
    w.write_record(&header).map_err(&e)?;
    for (k, row) in rows.iter().enumerate() {
        let (sample, role) = match method {
            MethodArg::Sobol => {
                let j = k % (d + 2);
                let role = match j {
                    0 => "A".to_string(),
                    j if j == d + 1 => "B".to_string(),
                    j => format!("AB_{}", params[j - 1].key),
                };
                (k / (d + 2), role)
            }
            MethodArg::Morris => (k / (d + 1), format!("step {}", k % (d + 1))),
        };
        let mut r = vec![k.to_string(), sample.to_string(), role];
        r.extend(value_cells(params, row));
        w.write_record(&r).map_err(&e)?;
    }
    finish_csv(w, "design.csv")
}

/// The terminal table of the headline metrics' ranked indices.
fn render_indices(params: &[Param], results: &[MetricIndices], metrics: &[String]) -> String {
    let mut out = String::new();
    let ci = |i: Interval| format!("{} [{}, {}]", short(i.value), short(i.low), short(i.high));
    for m in headline(metrics) {
        let Some(r) = results.iter().find(|r| r.metric == m) else {
            continue;
        };
        out.push_str(&format!("\n{m} (noise share {})\n", short(r.noise)));
        let table = match &r.found {
            None => {
                out.push_str("  does not vary over the design: no indices\n");
                continue;
            }
            Some(Found::Sobol(s)) => {
                let st: Vec<f64> = s.total.iter().map(|i| i.value).collect();
                let mut t = vec![vec![
                    "rank".into(),
                    "param".into(),
                    "S1 (95% CI)".into(),
                    "ST (95% CI)".into(),
                ]];
                for (rank, i) in ranking(&st).into_iter().enumerate() {
                    t.push(vec![
                        (rank + 1).to_string(),
                        params[i].key.clone(),
                        ci(s.first[i]),
                        ci(s.total[i]),
                    ]);
                }
                t
            }
            Some(Found::Morris(mo)) => {
                let key: Vec<f64> = mo.mu_star.iter().map(|i| i.value).collect();
                let mut t = vec![vec![
                    "rank".into(),
                    "param".into(),
                    "mu* (95% CI)".into(),
                    "mu".into(),
                    "sigma".into(),
                ]];
                for (rank, i) in ranking(&key).into_iter().enumerate() {
                    t.push(vec![
                        (rank + 1).to_string(),
                        params[i].key.clone(),
                        ci(mo.mu_star[i]),
                        short(mo.mu[i]),
                        short(mo.sigma[i]),
                    ]);
                }
                t
            }
        };
        out.push_str(&columns(&table));
    }
    out
}

/// A bar-chart panel of one metric's indices.
fn bar_panel(params: &[Param], r: &MetricIndices) -> Option<sweep_plots::BarPanel> {
    let title = format!(
        "{} (noise share {})",
        crate::output::plots::metric_title(&r.metric),
        short(r.noise)
    );
    let labels = params.iter().map(|p| p.key.clone()).collect();
    match r.found.as_ref()? {
        Found::Sobol(s) => Some(sweep_plots::BarPanel {
            title,
            labels,
            series: vec![
                ("first order S1".into(), s.first.clone()),
                ("total ST".into(), s.total.clone()),
            ],
        }),
        Found::Morris(m) => Some(sweep_plots::BarPanel {
            title,
            labels,
            series: vec![("mu*".into(), m.mu_star.clone())],
        }),
    }
}

/// The PNG and SVG files of plots.
fn plot_files(plots: Vec<crate::output::plots::Plot>) -> Vec<(String, Vec<u8>)> {
    plots
        .into_iter()
        .flat_map(|p| {
            [
                (format!("{}.png", p.name), p.png),
                (format!("{}.svg", p.name), p.svg.into_bytes()),
            ]
        })
        .collect()
}
