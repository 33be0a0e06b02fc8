//! Plots of sweeps and sensitivity analyses.
//!
//! - `plot_sweep` (one parameter): each headline metric against the parameter, the mean
//!   across trials as a line, the 95% interval of the mean as a dark band and the 5–95%
//!   range of the trials as a light one;
//! - `plot_heatmap` (two parameters): each headline metric's mean over the two parameters,
//!   one cell per grid point (one dot per point for other designs), coloured from light
//!   (low) to dark (high), the value written in each cell of a grid;
//! - `plot_sensitivity`: per headline metric, each parameter's indices as bars with their
//!   95% intervals as whiskers.

use super::{
    Draw, FONT, LABEL, Plot, TITLE_SIZE, category_chart, color, decimals, display, err, mesh,
    metric_title, names_under, numeric_chart, panel_chart, polyline, register_font, span, tick,
    tick_d, zero_line,
};
use crate::results::{quantile_sorted, summarize};
use crate::sweep::sensitivity::Interval;
use crate::sweep::{Param, PointValues};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The metrics plotted, when the points have them: the buyers (incremental, else
/// totals), the cost and the cost per buyer.
const PLOTTED: &[&[&str]] = &[
    &["inc_first_buyers", "first_buyers"],
    &["cost"],
    &["icpa", "cost_per_buyer"],
    &["inc_roi", "total_roi"],
];

/// The metrics of `v` that are plotted.
fn plotted(v: &PointValues) -> Vec<(usize, &'static str)> {
    PLOTTED
        .iter()
        .filter_map(|alts| alts.iter().find_map(|m| Some((v.column(m)?, *m))))
        .collect()
}

/// Room for the tick labels of the x and y axes and the right margin of a panel.
const ROOM: (u32, u32, u32) = (50, 95, 20);

/// Renders `f` into a [`Plot`] with the embedded font.
fn render<F: Draw>(f: &F, name: &str, title: String, caption: String) -> Result<Plot, String> {
    register_font()?;
    super::render(f, name, title, caption)
}

/// The size of a figure of `n` panels in two columns (one when alone), each row `height`
/// pixels high under the title.
fn panels_size(n: usize, height: u32) -> (u32, u32) {
    let rows = if n == 1 { 1 } else { n.div_ceil(2) };
    (1400, 90 + height * rows as u32)
}

/// Splits `root` under a title into panels of two columns.
fn panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    n: usize,
) -> Result<Vec<DrawingArea<DB, Shift>>, String> {
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, (FONT, TITLE_SIZE)).map_err(err)?;
    let cols = if n == 1 { 1 } else { 2 };
    let rows = n.div_ceil(cols).max(1);
    Ok(root.split_evenly((rows, cols)))
}

/// The figures of a sweep: `plot_sweep` for one parameter or a path (`path`: the points
/// of a design file, drawn along its first column), `plot_heatmap` for two parameters,
/// none beyond.
pub fn sweep_figures(
    params: &[Param],
    rows: &[Vec<f64>],
    v: &PointValues,
    currency: &str,
    path: bool,
) -> Result<Vec<Plot>, String> {
    let metrics = plotted(v);
    if metrics.is_empty() {
        return Ok(Vec::new());
    }
    let trials = v.values.first().map_or(0, Vec::len);
    match params.len() {
        _ if path => {
            let f = Curves::new(&params[0], rows, v, &metrics, currency);
            Ok(vec![render(
                &f,
                "plot_sweep",
                format!("Response to {}", params[0].key),
                format!(
                    "Each metric against {}: mean across the {trials} trials of each point (line), 95% interval of the mean (dark band) and 5–95% of the trials (light band); every point runs the same trials.",
                    params[0].key
                ),
            )?])
        }
        1 => sweep_figures(params, rows, v, currency, true),
        2 => {
            let f = Heat::new(params, rows, v, &metrics, currency);
            Ok(vec![render(
                &f,
                "plot_heatmap",
                format!("{} × {}", params[0].key, params[1].key),
                format!(
                    "Each metric's mean across the {trials} trials of each point over {} (x) and {} (y), light low, dark high.",
                    params[0].key, params[1].key
                ),
            )?])
        }
        _ => Ok(Vec::new()),
    }
}

/// One metric's curve: per point in increasing order of the parameter, the parameter's
/// value, the mean, the interval of the mean and the 5% and 95% quantiles (display scale).
struct Curve {
    title: String,
    y_desc: String,
    points: Vec<[f64; 6]>,
}

/// `plot_sweep`.
struct Curves {
    x_desc: String,
    curves: Vec<Curve>,
}

impl Curves {
    fn new(
        p: &Param,
        rows: &[Vec<f64>],
        v: &PointValues,
        metrics: &[(usize, &str)],
        currency: &str,
    ) -> Curves {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| rows[a][0].total_cmp(&rows[b][0]));
        let curves = metrics
            .iter()
            .map(|&(m, name)| {
                let (y_desc, scale) = display(name, currency);
                let trials = v.trials(m);
                let points = order
                    .iter()
                    .filter_map(|&k| {
                        let s = summarize(name, &trials[k]);
                        let mut xs: Vec<f64> = trials[k]
                            .iter()
                            .copied()
                            .filter(|x| x.is_finite())
                            .collect();
                        xs.sort_by(f64::total_cmp);
                        let ci = |x: f64| if x.is_finite() { x } else { s.mean };
                        s.mean.is_finite().then(|| {
                            [
                                rows[k][0],
                                s.mean * scale,
                                ci(s.ci95_low) * scale,
                                ci(s.ci95_high) * scale,
                                quantile_sorted(&xs, 0.05) * scale,
                                quantile_sorted(&xs, 0.95) * scale,
                            ]
                        })
                    })
                    .collect();
                Curve {
                    title: metric_title(name),
                    y_desc,
                    points,
                }
            })
            .collect();
        Curves {
            x_desc: p.key.clone(),
            curves,
        }
    }
}

impl Draw for Curves {
    fn size(&self) -> (u32, u32) {
        panels_size(self.curves.len(), 460)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let areas = panels(root, "Response curves", self.curves.len())?;
        for (c, area) in self.curves.iter().zip(&areas) {
            if c.points.is_empty() {
                continue;
            }
            let (x0, x1) = span(c.points.iter().map(|p| p[0]), 0.02);
            let (y0, y1) = span(c.points.iter().flat_map(|p| [p[4], p[5]]), 0.05);
            let mut chart = numeric_chart(
                area,
                &c.title,
                ROOM,
                (&self.x_desc, &c.y_desc),
                (x0, x1),
                (y0, y1),
            )?;
            let col = color(0);
            let band = |lo: usize, hi: usize| {
                let mut pts: Vec<(f64, f64)> = c.points.iter().map(|p| (p[0], p[hi])).collect();
                pts.extend(c.points.iter().rev().map(|p| (p[0], p[lo])));
                pts
            };
            chart
                .draw_series([
                    Polygon::new(band(4, 5), col.mix(0.14).filled()),
                    Polygon::new(band(2, 3), col.mix(0.40).filled()),
                ])
                .map_err(err)?;
            polyline(
                &mut chart,
                c.points.iter().map(|p| (p[0], p[1])).collect(),
                col.stroke_width(3),
            )?;
            chart
                .draw_series(
                    c.points
                        .iter()
                        .map(|p| Circle::new((p[0], p[1]), 5, col.filled())),
                )
                .map_err(err)?;
        }
        Ok(())
    }
}

/// `plot_heatmap`: per metric, the points' means over two parameters.
struct Heat {
    keys: [String; 2],
    /// The distinct values of each parameter, when the points form their full grid.
    grid: Option<[Vec<f64>; 2]>,
    rows: Vec<[f64; 2]>,
    /// Per metric: title and the point means (display scale).
    maps: Vec<(String, Vec<f64>)>,
}

impl Heat {
    fn new(
        params: &[Param],
        rows: &[Vec<f64>],
        v: &PointValues,
        metrics: &[(usize, &str)],
        currency: &str,
    ) -> Heat {
        let distinct = |k: usize| {
            let mut xs: Vec<f64> = rows.iter().map(|r| r[k]).collect();
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            xs
        };
        let (gx, gy) = (distinct(0), distinct(1));
        let grid = (gx.len() * gy.len() == rows.len()).then_some([gx, gy]);
        let maps = metrics
            .iter()
            .map(|&(m, name)| {
                let (desc, scale) = display(name, currency);
                let means = v.means(m).into_iter().map(|x| x * scale).collect();
                (desc, means)
            })
            .collect();
        Heat {
            keys: [params[0].key.clone(), params[1].key.clone()],
            grid,
            rows: rows.iter().map(|r| [r[0], r[1]]).collect(),
            maps,
        }
    }
}

/// The colour of `t ∈ [0, 1]`: from a light yellow (0) to a dark blue (1).
fn shade(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (a, b) = ([255.0, 247.0, 188.0], [8.0, 48.0, 107.0]);
    let c = |i: usize| (a[i] + t * (b[i] - a[i])).round() as u8;
    RGBColor(c(0), c(1), c(2))
}

impl Draw for Heat {
    fn size(&self) -> (u32, u32) {
        panels_size(self.maps.len(), 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let areas = panels(root, "Heat maps", self.maps.len())?;
        for ((title, means), area) in self.maps.iter().zip(&areas) {
            let (lo, hi) = span(means.iter().copied().filter(|x| x.is_finite()), 0.0);
            let t = |x: f64| (x - lo) / (hi - lo);
            let caption = format!("{title}: {} (light) to {} (dark)", tick(lo), tick(hi));
            match &self.grid {
                Some([gx, gy]) => {
                    let (nx, ny) = (gx.len() as f64, gy.len() as f64);
                    let mut chart = panel_chart(area, &caption, ROOM, 0.0..nx, 0.0..ny)?;
                    let (dx, dy) = (
                        decimals(gx[0], *gx.last().unwrap_or(&gx[0]), gx.len()),
                        decimals(gy[0], *gy.last().unwrap_or(&gy[0]), gy.len()),
                    );
                    let at = |g: &[f64], v: f64, d: usize| {
                        let i = (v - 0.5).round().max(0.0) as usize;
                        g.get(i).map_or(String::new(), |x| tick_d(*x, d))
                    };
                    mesh(&mut chart)
                        .disable_mesh()
                        .x_desc(self.keys[0].as_str())
                        .y_desc(self.keys[1].as_str())
                        .x_labels(gx.len() * 2 + 1)
                        .y_labels(gy.len() * 2 + 1)
                        .x_label_formatter(&|x| {
                            if (x.fract() - 0.5).abs() < 1e-9 {
                                at(gx, *x, dx)
                            } else {
                                String::new()
                            }
                        })
                        .y_label_formatter(&|y| {
                            if (y.fract() - 0.5).abs() < 1e-9 {
                                at(gy, *y, dy)
                            } else {
                                String::new()
                            }
                        })
                        .draw()
                        .map_err(err)?;
                    let label = TextStyle::from((FONT, LABEL).into_font())
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    for (r, m) in self.rows.iter().zip(means) {
                        let i = gx.iter().position(|x| *x == r[0]).unwrap_or(0) as f64;
                        let j = gy.iter().position(|y| *y == r[1]).unwrap_or(0) as f64;
                        chart
                            .draw_series([Rectangle::new(
                                [(i, j), (i + 1.0, j + 1.0)],
                                shade(t(*m)).filled(),
                            )])
                            .map_err(err)?;
                        let ink = if t(*m) > 0.5 { WHITE } else { BLACK };
                        chart
                            .draw_series([Text::new(
                                tick(*m),
                                (i + 0.5, j + 0.5),
                                label.clone().color(&ink),
                            )])
                            .map_err(err)?;
                    }
                }
                None => {
                    let (x0, x1) = span(self.rows.iter().map(|r| r[0]), 0.03);
                    let (y0, y1) = span(self.rows.iter().map(|r| r[1]), 0.03);
                    let mut chart = numeric_chart(
                        area,
                        &caption,
                        ROOM,
                        (&self.keys[0], &self.keys[1]),
                        (x0, x1),
                        (y0, y1),
                    )?;
                    chart
                        .draw_series(
                            self.rows
                                .iter()
                                .zip(means)
                                .map(|(r, m)| Circle::new((r[0], r[1]), 9, shade(t(*m)).filled())),
                        )
                        .map_err(err)?;
                }
            }
        }
        Ok(())
    }
}

/// One metric's panel of the sensitivity bar chart.
#[derive(Debug, Clone)]
pub struct BarPanel {
    /// Panel title.
    pub title: String,
    /// Parameter names.
    pub labels: Vec<String>,
    /// Named series of one interval per parameter (e.g. S1 and ST).
    pub series: Vec<(String, Vec<Interval>)>,
}

/// `plot_sensitivity`: the bar chart of `panels`, `method` in words under the title.
pub fn index_bars(panels: &[BarPanel], method: &str) -> Result<Plot, String> {
    render(
        &Bars(panels),
        "plot_sensitivity",
        "Sensitivity".into(),
        format!(
            "Per metric, each parameter's indices (bars) with their 95% intervals (whiskers). {method}."
        ),
    )
}

struct Bars<'a>(&'a [BarPanel]);

impl Draw for Bars<'_> {
    fn size(&self) -> (u32, u32) {
        panels_size(self.0.len(), 500)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let areas = panels(root, "Sensitivity", self.0.len())?;
        for (p, area) in self.0.iter().zip(&areas) {
            let (lo, hi) = span(
                p.series
                    .iter()
                    .flat_map(|(_, s)| s.iter().flat_map(|i| [i.low, i.high, i.value, 0.0]))
                    .filter(|x| x.is_finite()),
                0.05,
            );
            let k = p.labels.len();
            let mut chart = category_chart(area, &p.title, "index", k, (lo, hi))?;
            let n = p.series.len() as f64;
            let width = 0.8 / n;
            for (s, (name, series)) in p.series.iter().enumerate() {
                let col = color(s);
                let left = |i: usize| i as f64 - 0.4 + s as f64 * width;
                chart
                    .draw_series(series.iter().enumerate().map(|(i, v)| {
                        let top = if v.value.is_finite() { v.value } else { 0.0 };
                        Rectangle::new(
                            [(left(i), 0.0), (left(i) + width * 0.9, top)],
                            col.mix(0.7).filled(),
                        )
                    }))
                    .map_err(err)?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 6), (x + 14, y + 6)], col.filled())
                    });
                for (i, v) in series.iter().enumerate() {
                    if v.low.is_finite() && v.high.is_finite() {
                        let x = left(i) + width * 0.45;
                        polyline(
                            &mut chart,
                            vec![(x, v.low), (x, v.high)],
                            BLACK.stroke_width(2),
                        )?;
                    }
                }
            }
            zero_line(&mut chart, k)?;
            chart
                .configure_series_labels()
                .label_font((FONT, LABEL))
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(err)?;
            let short: Vec<String> = p
                .labels
                .iter()
                .map(|l| l.rsplit('.').next().unwrap_or(l).to_string())
                .collect();
            names_under(area, &chart, short.iter().map(String::as_str), lo)?;
        }
        Ok(())
    }
}
