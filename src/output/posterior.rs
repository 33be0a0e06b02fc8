//! The files of a calibration run: particles, generations, waves, the posterior summary,
//! correlations, the predictive check, the cost per method, and their plots.
//!
//! Every function turns results into bytes; the command writes them into its staging
//! folder. Numbers are written with Rust's shortest round-trip formatting, so a value read
//! back is the value computed.

use super::plots::{FONT, encode_png, err, register_font};
use crate::calibration::abc::Generation;
use crate::calibration::facts::{Fact, Target};
use crate::calibration::history::Wave;
use crate::calibration::posterior::Marginal;
use plotters::prelude::*;

/// One target's posterior predictive distribution: its statistic simulated at parameters
/// drawn from the posterior, each with fresh random numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    /// The target.
    pub fact: Fact,
    /// The simulated statistics, one per draw.
    pub draws: Vec<f64>,
}

impl Predictive {
    /// Quantile `q` of the draws (type 7).
    pub fn quantile(&self, q: f64) -> f64 {
        let mut x: Vec<f64> = self
            .draws
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        if x.is_empty() {
            return f64::NAN;
        }
        x.sort_by(f64::total_cmp);
        let h = (x.len() - 1) as f64 * q;
        let i = h.floor() as usize;
        x[i] + (h - h.floor()) * (x[(i + 1).min(x.len() - 1)] - x[i])
    }

    /// Share of draws that satisfy the target.
    pub fn share_holding(&self) -> f64 {
        let n = self.draws.len().max(1) as f64;
        self.draws
            .iter()
            .filter(|x| self.fact.target.holds(**x))
            .count() as f64
            / n
    }
}

/// What each method cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Method name.
    pub method: &'static str,
    /// Parameter points simulated.
    pub simulations: u64,
    /// Trials run (points × arms × trials per arm).
    pub trials: u64,
    /// Wall-clock seconds in this process (a resumed run counts only its own).
    pub seconds: f64,
}

fn csv_field(s: &str) -> String {
    let s = super::csv::text_cell(s);
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `particles.csv`: every generation's particles with their weights, parameters, each
/// target's statistic and distance.
pub fn particles_csv(gens: &[Generation], keys: &[String], facts: &[Fact]) -> String {
    let mut s = String::from("generation,particle,weight");
    for k in keys {
        s.push(',');
        s.push_str(&csv_field(k));
    }
    s.push_str(",distance");
    for f in facts {
        s.push_str(&format!(",stat_{0},dist_{0}", f.id));
    }
    s.push('\n');
    for g in gens {
        for (i, p) in g.particles.iter().enumerate() {
            s.push_str(&format!("{},{},{}", g.index, i, p.weight));
            for x in &p.theta {
                s.push_str(&format!(",{x}"));
            }
            s.push_str(&format!(",{}", p.distance));
            for (x, d) in p.stats.iter().zip(&p.distances) {
                s.push_str(&format!(",{x},{d}"));
            }
            s.push('\n');
        }
    }
    s
}

/// `generations.csv`: tolerance, acceptance, effective sample size, simulations, time.
pub fn generations_csv(gens: &[Generation]) -> String {
    let mut s = String::from(
        "generation,epsilon,particles,simulations,refused,acceptance_rate,ess,wall_seconds,cumulative_simulations\n",
    );
    let mut cum = 0;
    for g in gens {
        cum += g.simulations;
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{:.3},{}\n",
            g.index,
            g.epsilon,
            g.particles.len(),
            g.simulations,
            g.refused,
            g.acceptance_rate(),
            g.ess(),
            g.wall_seconds,
            cum
        ));
    }
    s
}

/// `waves.csv`: per history-matching wave and parameter, the box sampled and the box left.
pub fn waves_csv(waves: &[Wave], keys: &[String], cutoff: f64) -> String {
    let mut s = String::from(
        "wave,points,non_implausible,share,parameter,sampled_lo,sampled_hi,narrowed_lo,narrowed_hi\n",
    );
    for w in waves {
        let kept = w.kept(cutoff);
        for (k, key) in keys.iter().enumerate() {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                w.index,
                w.points.len(),
                kept,
                kept as f64 / w.points.len().max(1) as f64,
                csv_field(key),
                w.sampled[k].0,
                w.sampled[k].1,
                w.narrowed[k].0,
                w.narrowed[k].1
            ));
        }
    }
    s
}

/// `posterior.csv`: each parameter's prior, median, 50% and 90% credible intervals and how
/// much the targets narrowed it.
pub fn posterior_csv(m: &[Marginal]) -> String {
    let mut s = String::from(
        "parameter,prior,mean,median,q05,q25,q75,q95,width_ratio_90,poorly_identified\n",
    );
    for p in m {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&p.key),
            csv_field(&p.prior.to_string()),
            p.mean,
            p.q[2],
            p.q[0],
            p.q[1],
            p.q[3],
            p.q[4],
            p.width_ratio,
            p.poorly_identified()
        ));
    }
    s
}

/// `correlation.csv`: the posterior correlation matrix.
pub fn correlation_csv(keys: &[String], c: &[f64]) -> String {
    let d = keys.len();
    let mut s = String::from("parameter");
    for k in keys {
        s.push(',');
        s.push_str(&csv_field(k));
    }
    s.push('\n');
    for (a, k) in keys.iter().enumerate() {
        s.push_str(&csv_field(k));
        for b in 0..d {
            s.push_str(&format!(",{}", c[a * d + b]));
        }
        s.push('\n');
    }
    s
}

/// `predictive.csv`: each target's posterior predictive quantiles against its target.
pub fn predictive_csv(p: &[Predictive]) -> String {
    let mut s = String::from(
        "target,population,statistic_reads,target_value,draws,q05,q25,median,q75,q95,share_holding\n",
    );
    for t in p {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&t.fact.id),
            t.fact.population.name(),
            csv_field(t.fact.reads().words()),
            csv_field(&t.fact.target.describe()),
            t.draws.len(),
            t.quantile(0.05),
            t.quantile(0.25),
            t.quantile(0.5),
            t.quantile(0.75),
            t.quantile(0.95),
            t.share_holding()
        ));
    }
    s
}

/// `cost.csv`: simulations, trials and time per method.
pub fn cost_csv(c: &[Cost]) -> String {
    let mut s = String::from("method,simulations,trials,wall_seconds\n");
    for m in c {
        s.push_str(&format!(
            "{},{},{},{:.3}\n",
            m.method, m.simulations, m.trials, m.seconds
        ));
    }
    s
}

/// A target's statistic on a common scale: 0 at a range's centre and ±1 at its ends, the
/// number of standard errors from an observed value, a bound's relative margin.
pub fn normalised(t: Target, x: f64) -> f64 {
    match t {
        Target::Range(lo, hi) => (x - 0.5 * (lo + hi)) / (0.5 * (hi - lo)),
        Target::Value(v, se) => (x - v) / se,
        Target::AtLeast(b) | Target::AtMost(b) => (x - b) / b.abs().max(0.01),
    }
}

fn png(
    w: u32,
    h: u32,
    draw: impl Fn(&DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    register_font()?;
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(err)?;
    }
    encode_png(&rgb, w, h)
}

/// `epsilon.png`: the tolerance and the acceptance rate by generation.
pub fn epsilon_png(gens: &[Generation]) -> Result<Vec<u8>, String> {
    let pts: Vec<(f64, f64)> = gens
        .iter()
        .filter(|g| g.epsilon.is_finite())
        .map(|g| (g.index as f64, g.epsilon))
        .collect();
    let acc: Vec<(f64, f64)> = gens
        .iter()
        .map(|g| (g.index as f64, g.acceptance_rate()))
        .collect();
    let ymax = pts.iter().map(|p| p.1).fold(1e-9, f64::max) * 1.1;
    let xmax = gens.len().max(2) as f64 - 0.5;
    png(900, 500, |root| {
        let (left, right) = root.split_horizontally(450);
        let mut c = ChartBuilder::on(&left)
            .caption("Tolerance ε by generation", (FONT, 20))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(-0.5..xmax, 0.0..ymax)
            .map_err(err)?;
        c.configure_mesh()
            .x_desc("generation")
            .y_desc("ε")
            .draw()
            .map_err(err)?;
        c.draw_series(LineSeries::new(pts.clone(), BLUE.stroke_width(2)))
            .map_err(err)?;
        c.draw_series(pts.iter().map(|p| Circle::new(*p, 4, BLUE.filled())))
            .map_err(err)?;
        let mut a = ChartBuilder::on(&right)
            .caption("Acceptance rate", (FONT, 20))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(-0.5..xmax, 0.0..1.05)
            .map_err(err)?;
        a.configure_mesh()
            .x_desc("generation")
            .draw()
            .map_err(err)?;
        a.draw_series(LineSeries::new(acc.clone(), RED.stroke_width(2)))
            .map_err(err)?;
        Ok(())
    })
}

/// `posterior_pairs.png`: weighted marginal histograms on the diagonal, the particles of
/// each pair of parameters below it (at most 8 parameters drawn).
pub fn pairs_png(g: &Generation, keys: &[String], m: &[Marginal]) -> Result<Vec<u8>, String> {
    let d = keys.len().min(8);
    let cell = 260u32;
    let size = cell * d as u32;
    png(size.max(300), size.max(300), |root| {
        let cells = root.split_evenly((d, d));
        for a in 0..d {
            for b in 0..d {
                let area = &cells[a * d + b];
                let range = |k: usize| {
                    let (lo, hi) = g
                        .particles
                        .iter()
                        .map(|p| p.theta[k])
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
                            (l.min(x), h.max(x))
                        });
                    let pad = 0.05 * (hi - lo);
                    if hi > lo {
                        (lo - pad, hi + pad)
                    } else {
                        (lo - 0.5, lo + 0.5)
                    }
                };
                let (xl, xh) = range(b);
                if a == b {
                    let bins = 20usize;
                    let mut h = vec![0.0; bins];
                    for p in &g.particles {
                        let i = (((p.theta[b] - xl) / (xh - xl)) * bins as f64) as usize;
                        h[i.min(bins - 1)] += p.weight;
                    }
                    let top = h.iter().copied().fold(1e-9, f64::max) * 1.1;
                    let mut c = ChartBuilder::on(area)
                        .caption(short(&keys[b]), (FONT, 13))
                        .margin(6)
                        .x_label_area_size(22)
                        .y_label_area_size(10)
                        .build_cartesian_2d(xl..xh, 0.0..top)
                        .map_err(err)?;
                    c.configure_mesh()
                        .disable_y_mesh()
                        .y_labels(0)
                        .x_labels(4)
                        .label_style((FONT, 11))
                        .draw()
                        .map_err(err)?;
                    let w = (xh - xl) / bins as f64;
                    c.draw_series(h.iter().enumerate().map(|(i, v)| {
                        let x0 = xl + i as f64 * w;
                        Rectangle::new([(x0, 0.0), (x0 + w, *v)], BLUE.mix(0.5).filled())
                    }))
                    .map_err(err)?;
                    let med = m[b].median();
                    c.draw_series(std::iter::once(PathElement::new(
                        vec![(med, 0.0), (med, top)],
                        RED.stroke_width(2),
                    )))
                    .map_err(err)?;
                } else if a > b {
                    let (yl, yh) = range(a);
                    let mut c = ChartBuilder::on(area)
                        .margin(6)
                        .x_label_area_size(22)
                        .y_label_area_size(40)
                        .build_cartesian_2d(xl..xh, yl..yh)
                        .map_err(err)?;
                    c.configure_mesh()
                        .x_labels(4)
                        .y_labels(4)
                        .label_style((FONT, 11))
                        .draw()
                        .map_err(err)?;
                    let wmax = g.particles.iter().map(|p| p.weight).fold(1e-12, f64::max);
                    c.draw_series(g.particles.iter().map(|p| {
                        let alpha = (0.15 + 0.85 * p.weight / wmax).min(1.0);
                        Circle::new((p.theta[b], p.theta[a]), 2, BLUE.mix(alpha).filled())
                    }))
                    .map_err(err)?;
                }
            }
        }
        Ok(())
    })
}

fn short(key: &str) -> String {
    let parts: Vec<&str> = key.rsplitn(3, '.').collect();
    match parts.as_slice() {
        [a, b, ..] => format!("{b}.{a}"),
        _ => key.to_string(),
    }
}

/// `predictive.png`: each target's posterior predictive 5–95% and 25–75% ranges and median
/// on the normalised scale of [`normalised`], the target's allowed band shaded.
pub fn predictive_png(p: &[Predictive]) -> Result<Vec<u8>, String> {
    let n = p.len().max(1);
    let h = (80 + 26 * n) as u32;
    let rows: Vec<(f64, f64, f64, f64, f64)> = p
        .iter()
        .map(|t| {
            let f = |q| normalised(t.fact.target, t.quantile(q));
            (f(0.05), f(0.25), f(0.5), f(0.75), f(0.95))
        })
        .collect();
    let lim = rows
        .iter()
        .flat_map(|r| [r.0, r.4])
        .filter(|v| v.is_finite())
        .fold(3.0f64, |m, v| m.max(v.abs()))
        .min(50.0)
        * 1.05;
    png(1000, h.max(200), |root| {
        let mut c = ChartBuilder::on(root)
            .caption(
                "Posterior predictive check (0 = target centre, ±1 = range ends, or standard errors)",
                (FONT, 17),
            )
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(230)
            .build_cartesian_2d(-lim..lim, -0.5..(n as f64 - 0.5))
            .map_err(err)?;
        let labels: Vec<String> = p.iter().map(|t| t.fact.id.clone()).collect();
        c.configure_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .label_style((FONT, 12))
            .disable_y_mesh()
            .draw()
            .map_err(err)?;
        for (i, t) in p.iter().enumerate() {
            let y = i as f64;
            let (lo, hi) = match t.fact.target {
                Target::Range(..) => (-1.0, 1.0),
                Target::Value(..) => (-2.0, 2.0),
                Target::AtLeast(_) => (0.0, lim),
                Target::AtMost(_) => (-lim, 0.0),
            };
            c.draw_series(std::iter::once(Rectangle::new(
                [(lo, y - 0.4), (hi, y + 0.4)],
                GREEN.mix(0.2).filled(),
            )))
            .map_err(err)?;
            let r = rows[i];
            let cl = |v: f64| v.clamp(-lim, lim);
            c.draw_series(std::iter::once(PathElement::new(
                vec![(cl(r.0), y), (cl(r.4), y)],
                BLACK.stroke_width(1),
            )))
            .map_err(err)?;
            c.draw_series(std::iter::once(PathElement::new(
                vec![(cl(r.1), y), (cl(r.3), y)],
                BLUE.stroke_width(5),
            )))
            .map_err(err)?;
            c.draw_series(std::iter::once(Circle::new((cl(r.2), y), 4, RED.filled())))
                .map_err(err)?;
        }
        Ok(())
    })
}
