//! `promosim calibrate --method abc|history|optimise`: parameters inferred from a targets
//! file, written as a run folder.
//!
//! The command reads the targets and the priors, checks that every scenario accepts the
//! priors' bounds, then runs history-matching waves (if any), ABC-SMC or the optimiser
//! ([`crate::calibration`]), each parameter point simulated on the scenarios' fixed seeds.
//! Every finished wave and generation is saved in the output folder's work folder; the
//! same command run again after an interruption continues from there. The outputs are
//! written together at the end ([`crate::output::unit`]).
//!
//! With `--shard I/N` ABC-SMC runs in rounds (`super::rounds`): the shard replays the run
//! from the simulations earlier rounds left in the work folder, simulates its part of the
//! next batch, leaves it there and claims nothing; `promosim merge OUT` replays without
//! simulating and either finishes or asks for another round (exit 3).

use super::CliError;
use super::args::{CalibrateArgs, InferenceArg, KernelArg};
use super::jobs::{Signals, progress_bar};
use super::rounds;
use crate::baseline::Fnv64;
use crate::calibration::abc::{self, AbcSettings, Generation, Kernel, Stop};
use crate::calibration::history::{self, Wave, WaveSettings};
use crate::calibration::optimise::{Optimum, optimise};
use crate::calibration::posterior::{self, Marginal};
use crate::calibration::prior::Bounded;
use crate::calibration::{Evaluator, Fact, FactResult, FieldFacts, Param, Target};
use crate::output::posterior as out;
use crate::output::unit::{OutputUnit, work_dir_of};
use crate::output::{probe_dir, write_atomic};
use crate::scenario::{ScenarioError, load_file, set_path};
use crate::shard::Shard;
use serde::{Deserialize, Serialize};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// What a calibration has finished: saved after every wave and generation.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    fingerprint: String,
    waves: Vec<Wave>,
    /// The priors' boxes after the waves (set once the waves are done).
    narrowed: Option<Vec<(f64, f64)>>,
    generations: Vec<Generation>,
}

const STATE_FILE: &str = "calibration-state.json";

/// Runs the inference `method` on the targets of `a`.
pub(super) fn infer(
    a: &CalibrateArgs,
    method: InferenceArg,
    file: FieldFacts,
) -> Result<(), CliError> {
    let dir = file
        .scenarios
        .clone()
        .unwrap_or_else(|| a.scenarios.clone());
    let (facts, _) = file.select(&a.facts);
    if facts.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no target to calibrate to (--facts {:?})",
            file.path.display(),
            a.facts
        )));
    }
    let params = merge_params(&file, &a.params, &a.only_params)?;
    let keys: Vec<String> = params.iter().map(|p| p.key.clone()).collect();
    let priors: Vec<_> = params.iter().map(|p| p.prior).collect();
    check_priors(&dir, &facts, &params)?;
    let targets: Vec<Target> = facts.iter().map(|f| f.target).collect();
    let kernel = match a.kernel {
        Some(KernelArg::Uniform) => Kernel::Uniform,
        Some(KernelArg::Gaussian) => Kernel::Gaussian,
        None if targets.iter().any(|t| matches!(t, Target::Value(..))) => Kernel::Gaussian,
        None => Kernel::Uniform,
    };
    let waves = a.history_waves.unwrap_or(match method {
        InferenceArg::History => 3,
        _ => 0,
    });
    let wave_settings = WaveSettings {
        points: a.history_points.unwrap_or(2 * a.particles),
        waves,
        cutoff: a.cutoff,
        seed: a.seed,
    };
    let settings = AbcSettings {
        particles: a.particles,
        max_generations: a.generations,
        kernel,
        eps_min: a.eps_min.unwrap_or(kernel.natural_floor()),
        min_acceptance: a.min_acceptance,
        max_simulations: a.max_simulations,
        max_seconds: a.max_seconds,
        seed: a.seed,
    };
    let stem = file
        .path
        .file_stem()
        .map_or("targets".into(), |s| s.to_string_lossy().into_owned());
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("out").join(format!("calibrate-{stem}")));
    let shard = match &a.shard {
        Some(text) => Some(
            Shard::parse(text, |v| std::env::var(v).ok())
                .map_err(|e| CliError::Usage(format!("--shard {e}")))?,
        ),
        None => None,
    };
    if (shard.is_some() || a.merge) && (method != InferenceArg::Abc || waves > 0) {
        return Err(CliError::Usage(
            "--shard cuts ABC-SMC generations into rounds: give --method abc without history-matching waves".into(),
        ));
    }
    if shard.is_some() && a.max_seconds.is_some() {
        return Err(CliError::Usage(
            "--max-seconds is a budget of one process; with --shard give --max-simulations".into(),
        ));
    }
    probe_dir(&out_dir)?;
    // Shards of a round run side by side: they leave their simulations in the work folder
    // and claim nothing; the merge, or a run without --shard, claims the folder.
    let unit = match shard {
        None => Some(OutputUnit::claim(&out_dir).map_err(|e| CliError::Usage(e.to_string()))?),
        Some(_) => None,
    };
    let work_dir = match &unit {
        Some(u) => u.work_dir().to_path_buf(),
        None => work_dir_of(&out_dir).map_err(|e| CliError::Usage(e.to_string()))?,
    };
    let fingerprint = fingerprint(a, method, &file, &facts, &params, &dir, kernel)?;
    let state_path = work_dir.join(STATE_FILE);
    let mut state = read_state(&state_path, &fingerprint, a.quiet || shard.is_some());
    let known = rounds::read(&work_dir, &fingerprint, shard.is_some() || a.merge)?;
    let signals = Signals::install()?;
    let stop = || signals.stop.load(Ordering::Relaxed);
    let trials_per_point = arm_count(&facts) * u64::from(a.trials);

    let evaluate = |theta: &[f64], seed: Option<u64>| -> Result<Vec<FactResult>, ScenarioError> {
        let mut knobs: Vec<(String, f64)> = keys.iter().cloned().zip(theta.to_vec()).collect();
        if let Some(s) = seed {
            knobs.push(("seed".into(), s as f64));
        }
        Evaluator::new(&dir, a.trials, &knobs).all(&facts)
    };
    // A pilot at the priors' medians: a target that cannot be computed is an error here,
    // not a silently refused particle later.
    let median: Vec<f64> = priors.iter().map(|p| p.from_unit(0.5)).collect();
    evaluate(&median, None)?;
    let with_se = |theta: &[f64]| -> Option<Vec<(f64, f64)>> {
        evaluate(theta, None)
            .ok()
            .map(|r| r.iter().map(|f| (f.value, f.se())).collect())
    };
    let save = |s: &State| -> Result<(), CliError> {
        std::fs::create_dir_all(&work_dir)
            .map_err(|e| anyhow::anyhow!("{}: {e}", work_dir.display()))?;
        let json = serde_json::to_vec(s).map_err(|e| anyhow::anyhow!("state: {e}"))?;
        write_atomic(&state_path, &json)?;
        Ok(())
    };
    let show = !a.quiet && std::io::stderr().is_terminal();
    let mut costs = Vec::new();

    // History matching.
    let full: Vec<Bounded> = priors.iter().map(|p| Bounded::full(*p)).collect();
    let bounded: Vec<Bounded> = match &state.narrowed {
        Some(b) => full
            .iter()
            .zip(b)
            .map(|(f, (lo, hi))| f.prior.narrowed(*lo, *hi))
            .collect(),
        None if waves > 0 => {
            let started = Instant::now();
            let bar = progress_bar(show, waves as u64, "waves")?;
            let (w, narrowed) = history::history_match(
                &full,
                &targets,
                &with_se,
                wave_settings,
                &mut |_| bar.inc(1),
                &stop,
            );
            bar.finish_and_clear();
            let sims: u64 = w.iter().map(|w| w.points.len() as u64).sum();
            costs.push(out::Cost {
                method: "history matching",
                simulations: sims,
                trials: sims * trials_per_point,
                seconds: started.elapsed().as_secs_f64(),
            });
            if stop() {
                return Err(interrupted(&signals, &out_dir, &state_path));
            }
            report_waves(&w, &keys, a.cutoff, a.quiet);
            state.waves = w;
            state.narrowed = Some(narrowed.iter().map(|b| (b.lo, b.hi)).collect());
            save(&state)?;
            narrowed
        }
        None => full.clone(),
    };

    // ABC-SMC.
    let mut stop_reason = None;
    if method == InferenceArg::Abc {
        let started = Instant::now();
        let before: u64 = state.generations.iter().map(|g| g.simulations).sum();
        let bar = progress_bar(show, a.particles as u64, "particles")?;
        let problem = abc::Problem {
            priors: &bounded,
            targets: &targets,
            simulate: &with_se,
        };
        let done = std::mem::take(&mut state.generations);
        let resumed = done.len();
        let mut saved: Result<(), CliError> = Ok(());
        let mut batches = abc::Rounds {
            known: &known,
            simulate: (!a.merge).then_some(&with_se),
            shard,
            new: Vec::new(),
        };
        let (gens, why) = abc::abc_smc_with(
            &problem,
            &settings,
            done,
            &mut batches,
            &mut |acc, _, eps| {
                if acc == 0 {
                    bar.reset();
                    bar.set_message(format!("ε {eps:.4}"));
                }
                bar.set_position(acc as u64);
            },
            &mut |g| {
                bar.println(format!(
                    "generation {}: ε {:.4}, acceptance {:.1}%, ESS {:.0}, {} simulations, {:.1} s",
                    g.index,
                    g.epsilon,
                    100.0 * g.acceptance_rate(),
                    g.ess(),
                    g.simulations,
                    g.wall_seconds
                ));
                state.generations.push(g.clone());
                if saved.is_ok() && shard.is_none() {
                    saved = save(&state);
                }
            },
            &stop,
        );
        bar.finish_and_clear();
        saved?;
        state.generations = gens;
        if why == Stop::Interrupted {
            return Err(interrupted(&signals, &out_dir, &state_path));
        }
        if let Some(s) = shard {
            return rounds::finish_shard(
                &work_dir,
                &fingerprint,
                s,
                &batches.new,
                why,
                &out_dir,
                a.quiet,
            );
        }
        if why == Stop::Pending {
            return Err(rounds::pending(&state.generations, known.len(), &out_dir));
        }
        if !a.quiet && resumed > 0 {
            eprintln!("continued from {resumed} finished generation(s) in the work folder");
        }
        let sims: u64 = state.generations.iter().map(|g| g.simulations).sum::<u64>() - before;
        costs.push(out::Cost {
            method: "ABC-SMC",
            simulations: sims,
            trials: sims * trials_per_point,
            seconds: started.elapsed().as_secs_f64(),
        });
        stop_reason = Some(why);
        if state.generations.is_empty() {
            return Err(CliError::Usage(format!(
                "the budget ends before the first generation ({}); raise --max-simulations or --max-seconds",
                why.words()
            )));
        }
    }
    let last = state.generations.last();
    let marginals = last.map(|g| posterior::marginals(g, &keys, &priors));

    // The optimiser, from the posterior median or the (narrowed) prior median.
    let optimum: Option<Optimum> = if method == InferenceArg::Optimise {
        let started = Instant::now();
        let start: Vec<f64> = match &marginals {
            Some(m) => m.iter().map(Marginal::median).collect(),
            None => bounded.iter().map(|b| b.from_unit(0.5)).collect(),
        };
        let o = optimise(&bounded, &targets, &with_se, &start, a.max_iterations)
            .map_err(|e| anyhow::anyhow!("optimiser: {e}"))?;
        costs.push(out::Cost {
            method: "Nelder-Mead",
            simulations: o.simulations,
            trials: o.simulations * trials_per_point,
            seconds: started.elapsed().as_secs_f64(),
        });
        Some(o)
    } else {
        None
    };

    // The posterior predictive check: parameters drawn from the posterior, each simulated
    // with its own seed (fresh random numbers).
    let predictive = match last {
        Some(g) if a.predictive > 0 => {
            let started = Instant::now();
            let idx = posterior::resample(g, a.predictive, a.seed);
            let bar = progress_bar(show, idx.len() as u64, "predictive draws")?;
            let draws: Vec<Option<Vec<f64>>> = {
                use rayon::prelude::*;
                idx.par_iter()
                    .enumerate()
                    .map(|(k, &i)| {
                        let seed = crate::rng::mix(a.seed, 0x5052_4544_0000 + k as u64)
                            & ((1u64 << 52) - 1);
                        let r = evaluate(&g.particles[i].theta, Some(seed))
                            .ok()
                            .map(|r| r.iter().map(|f| f.value).collect());
                        bar.inc(1);
                        r
                    })
                    .collect()
            };
            bar.finish_and_clear();
            costs.push(out::Cost {
                method: "posterior predictive",
                simulations: idx.len() as u64,
                trials: idx.len() as u64 * trials_per_point,
                seconds: started.elapsed().as_secs_f64(),
            });
            facts
                .iter()
                .enumerate()
                .map(|(t, f)| out::Predictive {
                    fact: f.clone(),
                    draws: draws
                        .iter()
                        .map(|d| d.as_ref().map_or(f64::NAN, |d| d[t]))
                        .collect(),
                })
                .collect()
        }
        _ => Vec::new(),
    };

    // The point written into the scenarios: the optimum, else the posterior median, else
    // the middle of the narrowed box.
    let point: Vec<f64> = match (&optimum, &marginals) {
        (Some(o), _) => o.theta.clone(),
        (None, Some(m)) => m.iter().map(Marginal::median).collect(),
        (None, None) => bounded.iter().map(|b| b.from_unit(0.5)).collect(),
    };
    let at_point = evaluate(&point, None)?;

    // Outputs (a shard has returned after its round).
    let Some(unit) = unit else {
        return Ok(());
    };
    let staging = unit.staging();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(g) = last {
        files.push((
            "particles.csv".into(),
            out::particles_csv(&state.generations, &keys, &facts).into_bytes(),
        ));
        files.push((
            "generations.csv".into(),
            out::generations_csv(&state.generations).into_bytes(),
        ));
        let m = marginals.as_deref().unwrap_or_default();
        files.push(("posterior.csv".into(), out::posterior_csv(m).into_bytes()));
        files.push((
            "correlation.csv".into(),
            out::correlation_csv(&keys, &posterior::correlation(g, &priors)).into_bytes(),
        ));
        files.push((
            "posterior_pairs.png".into(),
            out::pairs_png(g, &keys, m).map_err(|e| anyhow::anyhow!(e))?,
        ));
        files.push((
            "epsilon.png".into(),
            out::epsilon_png(&state.generations).map_err(|e| anyhow::anyhow!(e))?,
        ));
    }
    if !predictive.is_empty() {
        files.push((
            "predictive.csv".into(),
            out::predictive_csv(&predictive).into_bytes(),
        ));
        files.push((
            "predictive.png".into(),
            out::predictive_png(&predictive).map_err(|e| anyhow::anyhow!(e))?,
        ));
    }
    if !state.waves.is_empty() {
        files.push((
            "waves.csv".into(),
            out::waves_csv(&state.waves, &keys, a.cutoff).into_bytes(),
        ));
    }
    if let Some(o) = &optimum {
        files.push(("optimum.csv".into(), optimum_csv(&keys, o).into_bytes()));
    }
    files.push((
        "targets.csv".into(),
        point_csv(&at_point, a.trials).into_bytes(),
    ));
    files.push(("cost.csv".into(), out::cost_csv(&costs).into_bytes()));
    let what = if optimum.is_some() {
        "the optimum"
    } else if marginals.is_some() {
        "the posterior medians"
    } else {
        "the middle of the non-implausible box"
    };
    for (name, text) in calibrated_scenarios(&dir, &facts, &keys, &point, what, &file.path)? {
        files.push((name, text.into_bytes()));
    }
    for (name, bytes) in &files {
        write_atomic(&staging.join(name), bytes)?;
    }
    unit.commit()?;
    let _ = std::fs::remove_dir_all(unit.work_dir());
    let out_path = unit.out().to_path_buf();
    drop(unit);

    // Summary on stdout.
    println!(
        "calibrated {} parameter(s) to {} target(s) of {} | {} trials per scenario run | seed {}",
        keys.len(),
        facts.len(),
        file.path.display(),
        a.trials,
        a.seed
    );
    if let Some(why) = stop_reason {
        println!(
            "ABC-SMC: {} generations, kernel {:?}, stopped: {}",
            state.generations.len(),
            kernel,
            why.words()
        );
    }
    if let Some(m) = &marginals {
        println!("\n{}", marginal_table(m));
    }
    if let Some(o) = &optimum {
        println!(
            "optimum after {} simulations: distance {:.4}",
            o.simulations, o.distance
        );
        for (k, x) in keys.iter().zip(&o.theta) {
            println!("  {k} = {x}");
        }
    }
    println!(
        "\nTargets at {what} ({} trials per run, on the scenarios' seeds):\n\n{}",
        a.trials,
        crate::calibration::markdown_table(&at_point)
    );
    for c in &costs {
        println!(
            "{}: {} simulations ({} trials), {:.1} s",
            c.method, c.simulations, c.trials, c.seconds
        );
    }
    println!("outputs in {}", out_path.display());
    Ok(())
}

/// The file's parameters, then `--param` ones (replacing a file's parameter of the same
/// key), kept when their key starts with one of `only` (all kept when `only` is empty).
fn merge_params(
    file: &FieldFacts,
    extra: &[String],
    only: &[String],
) -> Result<Vec<Param>, CliError> {
    let mut params = file.params.clone();
    for text in extra {
        let p = Param::parse(text).map_err(|e| CliError::Usage(format!("--param {e}")))?;
        match params.iter_mut().find(|q| q.key == p.key) {
            Some(q) => *q = p,
            None => params.push(p),
        }
    }
    params.retain(|p| only.is_empty() || only.iter().any(|o| p.key.starts_with(o.as_str())));
    if params.is_empty() {
        return Err(CliError::Usage(format!(
            "no parameter to calibrate{}: give --param KEY.PATH=PRIOR or a [params] table in {}",
            if only.is_empty() {
                String::new()
            } else {
                format!(" (--only-params {})", only.join(", "))
            },
            file.path.display()
        )));
    }
    Ok(params)
}

/// Every scenario a target reads must accept each parameter at its prior's bounds (the
/// mean of a normal prior), so a prior wider than a key allows is an error before running.
fn check_priors(dir: &Path, facts: &[Fact], params: &[Param]) -> Result<(), CliError> {
    let scenarios = scenarios_of(facts);
    for p in params {
        let at: Vec<f64> = match p.prior {
            crate::calibration::prior::Prior::Normal(mu, _) => vec![mu],
            other => {
                let (lo, hi) = other.bounds();
                vec![lo, hi]
            }
        };
        let mut applies = false;
        for s in &scenarios {
            let path = dir.join(s);
            let plain = load_file(&path, &[])?;
            if !crate::calibration::knob_applies(&p.key, &plain.mechanisms) {
                continue;
            }
            applies = true;
            for x in &at {
                load_file(&path, &[format!("{}={x}", p.key)]).map_err(|e| {
                    CliError::Usage(format!(
                        "--param {}={}: the scenario refuses {x}:\n{e}",
                        p.key, p.prior
                    ))
                })?;
            }
        }
        if !applies {
            eprintln!(
                "note: no target's scenario has the mechanism of `{}`; the targets cannot inform it",
                p.key
            );
        }
    }
    Ok(())
}

fn arms_of(f: &Fact) -> Vec<crate::calibration::Arm> {
    use crate::calibration::Statistic::*;
    match &f.statistic {
        Mean(a, _) | MetricRatio(a, _, _) | Quantile(a, _, _) => vec![a.clone()],
        Ratio(a, b, _) | Difference(a, b, _) => vec![a.clone(), b.clone()],
    }
}

/// The distinct scenario files the targets read, in name order.
fn scenarios_of(facts: &[Fact]) -> Vec<String> {
    let mut scenarios: Vec<String> = facts.iter().flat_map(arms_of).map(|a| a.scenario).collect();
    scenarios.sort();
    scenarios.dedup();
    scenarios
}

/// Distinct arms run per parameter point.
fn arm_count(facts: &[Fact]) -> u64 {
    let mut arms: Vec<_> = facts.iter().flat_map(arms_of).collect();
    arms.sort_by(|a, b| {
        (&a.scenario, &a.overrides, &a.candidate).cmp(&(&b.scenario, &b.overrides, &b.candidate))
    });
    arms.dedup();
    arms.len() as u64
}

/// What the saved state depends on: promosim's version, the targets file, every scenario
/// it reads, the parameters and every setting that shapes the generations. Stopping rules
/// (generation limit, minimum acceptance, budgets) are left out: a run continued with a
/// higher limit extends the generations it has.
fn fingerprint(
    a: &CalibrateArgs,
    method: InferenceArg,
    file: &FieldFacts,
    facts: &[Fact],
    params: &[Param],
    dir: &Path,
    kernel: Kernel,
) -> Result<String, CliError> {
    let mut h = Fnv64::default();
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    let read =
        |p: &Path| std::fs::read(p).map_err(|e| CliError::Usage(format!("{}: {e}", p.display())));
    h.write(&read(&file.path)?);
    let scenarios = scenarios_of(facts);
    for s in scenarios {
        h.write(&read(&dir.join(s))?);
    }
    for p in params {
        h.write(format!("{}={}\n", p.key, p.prior).as_bytes());
    }
    h.write(
        format!(
            "{method:?} {kernel:?} {:?} {} {} {} {:?} {:?} {:?} {:?}",
            a.facts,
            a.trials,
            a.seed,
            a.particles,
            a.eps_min,
            a.history_waves,
            a.history_points,
            a.cutoff.to_bits()
        )
        .as_bytes(),
    );
    Ok(h.label())
}

/// The saved state when it belongs to this calibration, else a fresh one.
fn read_state(path: &Path, fingerprint: &str, quiet: bool) -> State {
    let fresh = State {
        fingerprint: fingerprint.to_string(),
        ..State::default()
    };
    let Ok(bytes) = std::fs::read(path) else {
        return fresh;
    };
    match serde_json::from_slice::<State>(&bytes) {
        Ok(s) if s.fingerprint == fingerprint => {
            if !quiet {
                eprintln!(
                    "resuming: {} wave(s) and {} generation(s) finished in {}",
                    s.waves.len(),
                    s.generations.len(),
                    path.display()
                );
            }
            s
        }
        _ => {
            if !quiet {
                eprintln!(
                    "note: {} belongs to another calibration (targets, scenarios or settings differ); starting afresh",
                    path.display()
                );
            }
            fresh
        }
    }
}

fn interrupted(signals: &Signals, out: &Path, state: &Path) -> CliError {
    CliError::Interrupted {
        signal: signals.number(),
        message: format!(
            "interrupted by {}: finished waves and generations saved in {}; the output folder {} is unchanged. Run the same command again to continue.",
            signals.name(),
            state.display(),
            out.display()
        ),
    }
}

fn report_waves(waves: &[Wave], keys: &[String], cutoff: f64, quiet: bool) {
    if quiet {
        return;
    }
    for w in waves {
        let kept = w.kept(cutoff);
        eprintln!(
            "history matching wave {}: {kept} of {} points non-implausible (I ≤ {cutoff})",
            w.index,
            w.points.len()
        );
    }
    if let Some(w) = waves.last() {
        for (k, (lo, hi)) in keys.iter().zip(&w.narrowed) {
            eprintln!("  {k}: [{lo:.5}, {hi:.5}]");
        }
        if w.kept(cutoff) == 0 {
            eprintln!(
                "  no point of the last wave is non-implausible: the targets may not be reachable within the priors"
            );
        }
    }
}

fn marginal_table(m: &[Marginal]) -> String {
    let mut s = String::from(
        "| parameter | prior | median | 50% interval | 90% interval | 90% width / prior's | identified |\n|---|---|---|---|---|---|---|\n",
    );
    for p in m {
        s.push_str(&format!(
            "| `{}` | {} | {:.4} | [{:.4}, {:.4}] | [{:.4}, {:.4}] | {:.2} | {} |\n",
            p.key,
            p.prior,
            p.median(),
            p.q[1],
            p.q[3],
            p.q[0],
            p.q[4],
            p.width_ratio,
            if p.poorly_identified() {
                "poorly"
            } else {
                "yes"
            }
        ));
    }
    s
}

fn optimum_csv(keys: &[String], o: &Optimum) -> String {
    let mut s = String::from("parameter,value\n");
    for (k, x) in keys.iter().zip(&o.theta) {
        s.push_str(&format!("{k},{x}\n"));
    }
    s.push_str(&format!(
        "distance,{}\nsimulations,{}\niterations,{}\n",
        o.distance, o.simulations, o.iterations
    ));
    s
}

/// `targets.csv`: each target at the calibrated point with its 95% interval.
fn point_csv(results: &[FactResult], trials: u32) -> String {
    let mut s = String::from(
        "target,population,statistic_reads,target_value,simulated,ci95_lo,ci95_hi,trials,holds\n",
    );
    for r in results {
        s.push_str(&format!(
            "{},{},{},\"{}\",{},{},{},{trials},{}\n",
            r.fact.id,
            r.fact.population.name(),
            r.fact.reads().words(),
            r.fact.target.describe(),
            r.value,
            r.ci95.0,
            r.ci95.1,
            r.holds()
        ));
    }
    s
}

/// Each scenario the targets read, with the calibrated values written in:
/// `calibrated_<stem>.toml`, ready for `promosim run`.
fn calibrated_scenarios(
    dir: &Path,
    facts: &[Fact],
    keys: &[String],
    point: &[f64],
    what: &str,
    targets: &Path,
) -> Result<Vec<(String, String)>, CliError> {
    let scenarios = scenarios_of(facts);
    let mut out = Vec::new();
    for s in scenarios {
        let path = dir.join(&s);
        let plain = load_file(&path, &[])?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        let mut table: toml::Table = toml::from_str(&text)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        let mut written = Vec::new();
        for (k, x) in keys.iter().zip(point) {
            if crate::calibration::knob_applies(k, &plain.mechanisms) {
                set_path(&mut table, k, toml::Value::Float(*x))
                    .map_err(|e| CliError::Usage(format!("{}: {k}: {e}", path.display())))?;
                written.push(format!("#   {k} = {x}"));
            }
        }
        let body = toml::to_string(&table).map_err(|e| anyhow::anyhow!("{e}"))?;
        let stem = Path::new(&s)
            .file_stem()
            .map_or("scenario".into(), |x| x.to_string_lossy().into_owned());
        let header = format!(
            "# {s} with {what} of `promosim calibrate` (targets {}) written in:\n{}\n# Every other value as in the original file.\n",
            targets.display(),
            written.join("\n")
        );
        out.push((format!("calibrated_{stem}.toml"), format!("{header}{body}")));
    }
    Ok(out)
}
