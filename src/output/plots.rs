//! Plots of a run, drawn with plotters into PNG (bitmap) and SVG.
//!
//! - `plot_distributions`: the distribution of each headline metric across trials, one
//!   histogram per candidate on a shared axis;
//! - `plot_boxes`: side-by-side box plots of the same metrics (box 25–75%, median line,
//!   whiskers 5–95%, dot at the mean);
//! - `plot_fan`: fan chart of cumulative first buyers and orders over the horizon (median,
//!   50% and 90% bands per candidate across trials);
//! - `plot_paired` (two or more candidates): the distribution of the paired differences of
//!   the objective's per-trial metric, one panel per pair, with zero marked;
//! - `plot_contributions` (with contributions): each candidate's waterfall of the
//!   mechanisms' Shapley shares of the incremental first buyers, with 95% intervals.
//!
//! Text is drawn with DejaVu Sans embedded in the binary (`assets/fonts`), so nothing
//! depends on the fonts installed on the machine. Drawing is deterministic: the same run
//! gives the same bytes.

use super::RunInfo;
use super::format::{by_magnitude, percent};
use crate::compare::{Comparison, defined_pairs, paired};
use crate::kpi::Unit;
use crate::results::{CandidateResult, DailyBand, Waterfall, band};
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// One rendered figure.
#[derive(Debug, Clone)]
pub struct Plot {
    /// File stem, e.g. `plot_fan` (written as `.png` and `.svg`).
    pub name: String,
    /// Title in plain words.
    pub title: String,
    /// How to read it.
    pub caption: String,
    /// PNG bytes.
    pub png: Vec<u8>,
    /// SVG text.
    pub svg: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Headline metrics drawn in the distribution and box plots when the run has the
/// no-campaign world: effects over it, and the repurchase rate.
pub const PLOTTED: &[&str] = &[
    "inc_first_buyers",
    "inc_gross_margin",
    "inc_roi",
    "repurchase_rate",
];

/// Headline metrics drawn without the no-campaign world: the campaign world's totals.
pub const PLOTTED_TOTALS: &[&str] = &[
    "conversion_rate",
    "cost_per_buyer",
    "total_roi",
    "repurchase_rate",
];

/// The metrics drawn for these candidates.
fn plotted(cands: &[CandidateResult]) -> &'static [&'static str] {
    if cands.iter().all(|c| c.has_increment()) {
        PLOTTED
    } else {
        PLOTTED_TOTALS
    }
}

/// Tableau 10: distinguishable, colour-blind-aware colours, one per candidate.
const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(89, 161, 79),
    RGBColor(225, 87, 89),
    RGBColor(176, 122, 161),
    RGBColor(118, 183, 178),
    RGBColor(237, 201, 72),
    RGBColor(156, 117, 95),
    RGBColor(255, 157, 167),
    RGBColor(186, 176, 172),
];

pub(crate) const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The colour of candidate `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub(crate) fn register_font() -> Result<(), String> {
    static ONCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *ONCE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err("the embedded font cannot be read".into())
    }
}

/// Axis label and display scale of a metric (rates and ROI are shown in %).
pub fn display(metric: &str, currency: &str) -> (String, f64) {
    match metric {
        "conversion_rate" => ("conversion rate (% of buyers simulated)".into(), 100.0),
        "repurchase_rate" => ("repurchase rate (% of first buyers)".into(), 100.0),
        "cost_per_buyer" => (
            format!("cost per first buyer, organic included ({currency})"),
            1.0,
        ),
        "total_roi" => (
            "ROI on all gross margin ((margin − cost) / cost, %)".into(),
            100.0,
        ),
        "inc_first_buyers" => ("incremental first buyers (over no campaign)".into(), 1.0),
        "inc_conversion" => ("incremental conversion (points, %)".into(), 100.0),
        "inc_repeat_buyers" => ("incremental repeat buyers".into(), 1.0),
        "inc_gross_margin" => (format!("incremental gross margin ({currency})"), 1.0),
        "icpa" => (
            format!("cost per incremental first buyer ({currency})"),
            1.0,
        ),
        "inc_roi" => (
            "incremental ROI ((inc. margin − cost) / cost, %)".into(),
            100.0,
        ),
        "payback" => ("probability of paying back (%)".into(), 100.0),
        "cost" => (format!("campaign cost ({currency})"), 1.0),
        "revenue" => (format!("revenue ({currency})"), 1.0),
        "clv" => (format!("lifetime value ({currency} per first buyer)"), 1.0),
        "first_buyers" => ("first buyers".into(), 1.0),
        "orders" => ("orders".into(), 1.0),
        m => match crate::mechanisms::describe(m).map(|k| k.unit) {
            Some(Unit::Share | Unit::Indicator) => (format!("{} (%)", m.replace('_', " ")), 100.0),
            Some(Unit::Money) => (format!("{} ({currency})", m.replace('_', " ")), 1.0),
            _ => (m.replace('_', " "), 1.0),
        },
    }
}

/// A short name of a metric in plain words.
pub fn metric_title(metric: &str) -> String {
    match metric {
        "conversion_rate" => "Conversion rate".into(),
        "repurchase_rate" => "Repurchase rate".into(),
        "cost_per_buyer" => "Cost per first buyer (organic included)".into(),
        "total_roi" => "ROI on all gross margin".into(),
        "inc_first_buyers" => "Incremental first buyers".into(),
        "inc_gross_margin" => "Incremental gross margin".into(),
        "icpa" => "Incremental cost per acquisition".into(),
        "inc_roi" => "Incremental ROI".into(),
        "payback" => "Probability of paying back".into(),
        m => {
            let s = m.replace('_', " ");
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

/// Renders every plot of a run.
pub fn render_all(
    info: &RunInfo,
    cands: &[CandidateResult],
    cmp: Option<&Comparison>,
) -> Result<Vec<Plot>, String> {
    register_font()?;
    let cur = info.currency.as_str();
    let mut figures = vec![Figure::Distributions, Figure::Boxes, Figure::Fan];
    if let Some(c) = cmp
        && cands.len() > 1
    {
        figures.push(Figure::Paired(paired_panels(cands, c)));
    }
    let waterfalls: Vec<(usize, Waterfall)> = cands
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((i, c.contributions.as_ref()?.waterfall.clone())))
        .collect();
    if !waterfalls.is_empty() {
        figures.push(Figure::Waterfall(waterfalls));
    }
    figures
        .into_iter()
        .map(|f| {
            let (w, h) = f.size();
            let mut rgb = vec![255u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                f.draw(&root, cands, cur)?;
                root.present().map_err(err)?;
            }
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                f.draw(&root, cands, cur)?;
                root.present().map_err(err)?;
            }
            let (name, title, caption) = f.describe(cands, cmp, cur);
            Ok(Plot {
                name: name.into(),
                title,
                caption,
                png: encode_png(&rgb, w, h)?,
                svg,
                width: w,
                height: h,
            })
        })
        .collect()
}

pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw a plot: {e}")
}

/// One panel of the paired-difference figure.
#[derive(Debug, Clone)]
struct PairPanel {
    a: usize,
    b: usize,
    metric: String,
    diffs: Vec<f64>,
    mean: f64,
    ci: (f64, f64),
    p_a_better: Option<f64>,
}

/// Pairs shown: all of them up to six; otherwise each candidate against the next in the
/// ranking. A is the better-ranked candidate of the pair.
fn paired_panels(cands: &[CandidateResult], cmp: &Comparison) -> Vec<PairPanel> {
    let pos = |name: &str| cands.iter().position(|c| c.name == name);
    let order: Vec<usize> = cmp
        .ranking
        .iter()
        .filter_map(|r| pos(&r.candidate))
        .collect();
    let mut pairs = Vec::new();
    if order.len() * (order.len() - 1) / 2 <= 6 {
        for i in 0..order.len() {
            for j in i + 1..order.len() {
                pairs.push((order[i], order[j]));
            }
        }
    } else {
        for w in order.windows(2) {
            pairs.push((w[0], w[1]));
        }
    }
    let metric = cmp.objective.per_trial_metric();
    pairs
        .into_iter()
        .filter_map(|(a, b)| {
            let (xa, xb) = (cands[a].column(metric)?, cands[b].column(metric)?);
            let d: Vec<f64> = defined_pairs(&xa, &xb).map(|(x, y)| x - y).collect();
            let pm = paired(metric, &xa, &xb);
            Some(PairPanel {
                a,
                b,
                metric: metric.to_string(),
                diffs: d,
                mean: pm.diff.mean,
                ci: (pm.diff.ci95_low, pm.diff.ci95_high),
                p_a_better: pm.p_a_beats_b(),
            })
        })
        .collect()
}

enum Figure {
    Distributions,
    Boxes,
    Fan,
    Paired(Vec<PairPanel>),
    /// Each candidate's contribution waterfall (candidate index and its waterfall).
    Waterfall(Vec<(usize, Waterfall)>),
}

const TITLE_SIZE: u32 = 30;
const PANEL_TITLE: u32 = 22;
const LABEL: u32 = 18;
const TICK: u32 = 16;

impl Figure {
    fn size(&self) -> (u32, u32) {
        match self {
            Figure::Distributions | Figure::Boxes => (1400, 980),
            Figure::Fan => (1400, 620),
            Figure::Paired(p) => {
                let rows = if p.len() <= 2 {
                    p.len()
                } else {
                    p.len().div_ceil(2)
                };
                (1400, 90 + 430 * rows.max(1) as u32)
            }
            Figure::Waterfall(w) => (1400, 90 + 520 * w.len().max(1) as u32),
        }
    }

    fn describe(
        &self,
        cands: &[CandidateResult],
        cmp: Option<&Comparison>,
        cur: &str,
    ) -> (&'static str, String, String) {
        let trials = cands.first().map(|c| c.trial_count()).unwrap_or(0);
        match self {
            Figure::Distributions => (
                "plot_distributions",
                "Distribution of the headline metrics".into(),
                format!(
                    "Share of the {trials} trials falling in each bin, one outline per candidate on a shared axis. Money in {cur}."
                ),
            ),
            Figure::Boxes => (
                "plot_boxes",
                "Headline metrics side by side".into(),
                "Box: middle 50% of trials (25th to 75th percentile); line: median; whiskers: 5th to 95th percentile; white dot: mean.".into(),
            ),
            Figure::Fan => (
                "plot_fan",
                "Cumulative first buyers and orders over the horizon".into(),
                "Line: median across trials; dark band: middle 50% of trials; light band: middle 90%.".into(),
            ),
            Figure::Waterfall(w) => (
                "plot_contributions",
                "Each mechanism's contribution".into(),
                format!(
                    "Bars: each mechanism's Shapley share of the incremental first buyers (mean over the {trials} trials; the shares add up to the campaign's increment, the last bar); whiskers: 95% interval of the mean{}.",
                    if w.iter().all(|(_, w)| w.exact) {
                        ""
                    } else {
                        ", the sampled orders' error included"
                    }
                ),
            ),
            Figure::Paired(_) => {
                let m = cmp.map_or("inc_first_buyers", |c| c.objective.per_trial_metric());
                (
                    "plot_paired",
                    format!("Paired differences in {}", metric_title(m).to_lowercase()),
                    format!(
                        "For each pair, the difference A − B in each of the {trials} trials (same market, common random numbers). The black line marks zero; the dashed line the mean difference."
                    ),
                )
            }
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        cands: &[CandidateResult],
        cur: &str,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let root = root.margin(12, 6, 6, 6);
        let (title, legend) = match self {
            Figure::Distributions => ("How the headline metrics vary across trials", true),
            Figure::Boxes => ("Headline metrics by candidate", false),
            Figure::Fan => (
                "Cumulative first buyers and orders (median, 50% and 90% bands)",
                true,
            ),
            Figure::Paired(_) => ("Paired differences between candidates (same trials)", false),
            Figure::Waterfall(_) => (
                "What each mechanism adds: incremental first buyers (Shapley values)",
                false,
            ),
        };
        let area = root.titled(title, (FONT, TITLE_SIZE)).map_err(err)?;
        let body = if legend {
            legend_row(&area, cands)?;
            area.margin(36, 0, 0, 0)
        } else {
            area
        };
        match self {
            Figure::Distributions => {
                for (panel, metric) in body.split_evenly((2, 2)).iter().zip(plotted(cands)) {
                    Panel::new(panel, cands, cur).histogram(metric)?;
                }
            }
            Figure::Boxes => {
                for (panel, metric) in body.split_evenly((2, 2)).iter().zip(plotted(cands)) {
                    Panel::new(panel, cands, cur).boxes(metric)?;
                }
            }
            Figure::Fan => {
                let panels = body.split_evenly((1, 2));
                Panel::new(&panels[0], cands, cur).fan(
                    "First buyers",
                    "cumulative first buyers",
                    |c| &c.daily_first_buyers,
                )?;
                Panel::new(&panels[1], cands, cur)
                    .fan("Orders", "cumulative orders", |c| &c.daily_orders)?;
            }
            Figure::Paired(pairs) => {
                if pairs.is_empty() {
                    return Ok(());
                }
                let cols = if pairs.len() <= 2 { 1 } else { 2 };
                let rows = pairs.len().div_ceil(cols);
                for (panel, p) in body.split_evenly((rows, cols)).iter().zip(pairs) {
                    Panel::new(panel, cands, cur).paired(p)?;
                }
            }
            Figure::Waterfall(w) => {
                for (panel, (i, w)) in body.split_evenly((w.len(), 1)).iter().zip(w) {
                    Panel::new(panel, cands, cur).waterfall(*i, w)?;
                }
            }
        }
        Ok(())
    }
}

/// A row of coloured squares and candidate names under the title.
fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    cands: &[CandidateResult],
) -> Result<(), String> {
    let style = TextStyle::from((FONT, LABEL).into_font()).color(&BLACK);
    let widths: Vec<i32> = cands
        .iter()
        .map(|c| {
            area.estimate_text_size(&c.name, &style)
                .map(|(w, _)| w as i32)
                .unwrap_or(8 * c.name.len() as i32)
                + 56
        })
        .collect();
    let total: i32 = widths.iter().sum();
    let (w, _) = area.dim_in_pixel();
    let mut x = ((w as i32 - total) / 2).max(10);
    for (i, c) in cands.iter().enumerate() {
        area.draw(&Rectangle::new(
            [(x, 8), (x + 22, 28)],
            color(i).mix(0.6).filled(),
        ))
        .map_err(err)?;
        area.draw(&Rectangle::new(
            [(x, 8), (x + 22, 28)],
            color(i).stroke_width(2),
        ))
        .map_err(err)?;
        area.draw_text(&c.name, &style, (x + 30, 9)).map_err(err)?;
        x += widths[i];
    }
    Ok(())
}

fn finite_scaled(c: &CandidateResult, metric: &str, scale: f64) -> Vec<f64> {
    c.column(metric)
        .unwrap_or_default()
        .into_iter()
        .filter(|x| x.is_finite())
        .map(|x| x * scale)
        .collect()
}

/// A padded `[lo, hi]` covering `values` (never empty).
fn span(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let w = hi - lo;
    if w <= 1e-12 * lo.abs().max(1.0) {
        let d = if lo == 0.0 { 1.0 } else { 0.05 * lo.abs() };
        return (lo - d, hi + d);
    }
    (lo - pad * w, hi + pad * w)
}

/// Decimals for tick labels of an axis spanning `lo..hi` with about `n` ticks: enough to
/// tell neighbouring ticks apart, no more.
fn decimals(lo: f64, hi: f64, n: usize) -> usize {
    let step = (hi - lo).abs() / n.max(1) as f64;
    if !(step > 0.0 && step.is_finite()) {
        return 2;
    }
    (-step.log10().floor()).clamp(0.0, 6.0) as usize
}

/// Tick label with `d` decimals (`-0` shown as `0`).
fn tick_d(x: f64, d: usize) -> String {
    let s = format!("{x:.d$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        format!("{:.d$}", 0.0)
    } else {
        s
    }
}

/// A number with a few significant digits (legends, titles).
fn tick(x: f64) -> String {
    by_magnitude(x, &[(100.0, 0), (10.0, 1), (1.0, 2)], 3)
}

/// A panel's chart on numeric axes.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Builds a panel's chart: its caption, the room for the tick labels of the x and y axes,
/// the margin on the right, and the ranges of the axes.
fn panel_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    (x_label_area, y_label_area, margin_right): (u32, u32, u32),
    x: Range<f64>,
    y: Range<f64>,
) -> Result<Chart<'a, DB>, String> {
    ChartBuilder::on(area)
        .caption(caption, (FONT, PANEL_TITLE))
        .x_label_area_size(x_label_area)
        .y_label_area_size(y_label_area)
        .margin_right(margin_right)
        .build_cartesian_2d(x, y)
        .map_err(err)
}

/// The mesh style every panel shares (axis descriptions and tick labels in the embedded
/// font, no light grid lines); the caller adds the axes' own settings and draws it.
fn mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut Chart<'a, DB>,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut mesh = chart.configure_mesh();
    mesh.axis_desc_style((FONT, LABEL))
        .label_style((FONT, TICK))
        .light_line_style(WHITE.mix(0.0));
    mesh
}

/// Draws one line through `pts`.
fn polyline<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    pts: Vec<(f64, f64)>,
    style: ShapeStyle,
) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(PathElement::new(pts, style)))
        .map_err(err)?;
    Ok(())
}

/// A histogram chart: `x_desc` on `lo..hi`, the share of trials (%) from 0 to `top` (at
/// least 1), its mesh drawn.
fn share_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    x_desc: &str,
    (lo, hi): (f64, f64),
    top: f64,
) -> Result<Chart<'a, DB>, String> {
    let top = top.max(1.0);
    let (xd, yd) = (decimals(lo, hi, 7), decimals(0.0, top, 6));
    let mut chart = panel_chart(area, caption, (50, 70, 15), lo..hi, 0.0..top)?;
    mesh(&mut chart)
        .x_desc(x_desc)
        .y_desc("trials (%)")
        .x_labels(7)
        .y_labels(6)
        .x_label_formatter(&|x| tick_d(*x, xd))
        .y_label_formatter(&|y| tick_d(*y, yd))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// A chart of `k` categories side by side on the x axis (no x ticks: [`names_under`]
/// labels them) and `y_desc` on `lo..hi`, its mesh drawn.
fn category_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    y_desc: &str,
    k: usize,
    (lo, hi): (f64, f64),
) -> Result<Chart<'a, DB>, String> {
    let yd = decimals(lo, hi, 6);
    let mut chart = panel_chart(area, caption, (40, 80, 15), -0.5..(k as f64 - 0.5), lo..hi)?;
    mesh(&mut chart)
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(y_desc)
        .y_labels(6)
        .y_label_formatter(&|y| tick_d(*y, yd))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// Writes `names` under categories 0, 1, … of a [`category_chart`], outside the plotting
/// area.
fn names_under<'n, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<'_, DB>,
    names: impl Iterator<Item = &'n str>,
    lo: f64,
) -> Result<(), String> {
    let base = area.get_base_pixel();
    let style = TextStyle::from((FONT, LABEL).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, name) in names.enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, lo));
        area.draw_text(name, &style, (px - base.0, py - base.1 + 10))
            .map_err(err)?;
    }
    Ok(())
}

/// Equal-width histogram bins over `lo..hi`: about `2√n` of them for `n` values, 8 to 40.
struct Bins {
    lo: f64,
    width: f64,
    count: usize,
}

impl Bins {
    fn new((lo, hi): (f64, f64), n: usize) -> Self {
        let count = ((2.0 * (n as f64).sqrt()).round() as usize).clamp(8, 40);
        Bins {
            lo,
            width: (hi - lo) / count as f64,
            count,
        }
    }

    /// Left edge of bin `k`.
    fn start(&self, k: usize) -> f64 {
        self.lo + k as f64 * self.width
    }

    /// The share of `values` in each bin, in percent (a value at the upper end falls in the
    /// last bin).
    fn shares(&self, values: &[f64]) -> Vec<f64> {
        let mut counts = vec![0usize; self.count];
        for x in values {
            let k = (((x - self.lo) / self.width).floor() as usize).min(self.count - 1);
            counts[k] += 1;
        }
        let n = values.len() as f64;
        counts.iter().map(|&c| 100.0 * c as f64 / n).collect()
    }

    /// One bar per non-empty bin.
    fn bars<'s>(
        &'s self,
        shares: &'s [f64],
        style: ShapeStyle,
    ) -> impl Iterator<Item = Rectangle<(f64, f64)>> + 's {
        shares
            .iter()
            .enumerate()
            .filter(|(_, y)| **y > 0.0)
            .map(move |(k, y)| {
                let x0 = self.start(k);
                Rectangle::new([(x0, 0.0), (x0 + self.width, *y)], style)
            })
    }
}

/// One panel of a figure: the area inside the panel's margins, the candidates drawn, and
/// the currency of money metrics.
struct Panel<'a, DB: DrawingBackend> {
    area: DrawingArea<DB, Shift>,
    cands: &'a [CandidateResult],
    cur: &'a str,
}

impl<'a, DB: DrawingBackend> Panel<'a, DB> {
    fn new(area: &DrawingArea<DB, Shift>, cands: &'a [CandidateResult], cur: &'a str) -> Self {
        Panel {
            area: area.margin(10, 10, 10, 20),
            cands,
            cur,
        }
    }

    /// Says `what` in the middle of the panel, in place of a chart.
    fn no_data(&self, what: &str) -> Result<(), String> {
        let (w, h) = self.area.dim_in_pixel();
        let style = TextStyle::from((FONT, LABEL).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        self.area
            .draw_text(what, &style, (w as i32 / 2, h as i32 / 2))
            .map_err(err)
    }

    /// Says that `metric` is undefined in every trial, in place of a chart.
    fn undefined_everywhere(&self, metric: &str) -> Result<(), String> {
        self.no_data(&format!(
            "{}: undefined in every trial",
            metric_title(metric)
        ))
    }
    /// Candidate `i`'s contribution waterfall: one floating bar per mechanism from the
    /// running total to the running total plus its Shapley share, then the total, each
    /// with its 95% interval.
    fn waterfall(&self, i: usize, w: &Waterfall) -> Result<(), String> {
        let Panel { area, cands, .. } = self;
        let mut bars = Vec::with_capacity(w.steps.len() + 1);
        let mut run = 0.0;
        for s in &w.steps {
            let m = &s.first_buyers;
            bars.push((run, run + m.mean, m.ci95_high - m.mean, s.mechanism.clone()));
            run += m.mean;
        }
        let t = &w.total;
        bars.push((0.0, t.mean, t.ci95_high - t.mean, "total".to_string()));
        let ends = bars.iter().flat_map(|&(a, b, h, _)| {
            let h = if h.is_finite() { h } else { 0.0 };
            [a, b - h, b + h]
        });
        let (lo, hi) = span(ends.chain([0.0]), 0.08);
        let k = bars.len();
        let mut chart = category_chart(
            area,
            &cands[i].name,
            "incremental first buyers",
            k,
            (lo, hi),
        )?;
        polyline(
            &mut chart,
            vec![(-0.5, 0.0), (k as f64 - 0.5, 0.0)],
            BLACK.stroke_width(1),
        )?;
        let half = 0.32;
        for (j, (a, b, h, _)) in bars.iter().enumerate() {
            let x = j as f64;
            let c = if j + 1 == k {
                color(i)
            } else if b >= a {
                color(2)
            } else {
                color(3)
            };
            chart
                .draw_series([
                    Rectangle::new([(x - half, *a), (x + half, *b)], c.mix(0.55).filled()),
                    Rectangle::new([(x - half, *a), (x + half, *b)], c.stroke_width(2)),
                ])
                .map_err(err)?;
            if h.is_finite() && *h > 0.0 {
                chart
                    .draw_series([
                        PathElement::new(vec![(x, b - h), (x, b + h)], BLACK.stroke_width(2)),
                        PathElement::new(
                            vec![(x - half / 3.0, b + h), (x + half / 3.0, b + h)],
                            BLACK.stroke_width(2),
                        ),
                        PathElement::new(
                            vec![(x - half / 3.0, b - h), (x + half / 3.0, b - h)],
                            BLACK.stroke_width(2),
                        ),
                    ])
                    .map_err(err)?;
            }
            if j + 1 < k {
                // The connector to the next bar's start.
                polyline(
                    &mut chart,
                    vec![(x + half, *b), (x + 1.0 - half, *b)],
                    BLACK.mix(0.5).stroke_width(1),
                )?;
            }
        }
        names_under(area, &chart, bars.iter().map(|b| b.3.as_str()), lo)?;
        let base = area.get_base_pixel();
        for (j, (_, b, _, _)) in bars.iter().enumerate() {
            let v = TextStyle::from((FONT, TICK).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            let (qx, qy) = chart.backend_coord(&(j as f64 + half + 0.02, *b));
            let d = if j + 1 == k { *b } else { b - bars[j].0 };
            area.draw_text(&tick(d), &v, (qx - base.0, qy - base.1))
                .map_err(err)?;
        }
        Ok(())
    }

    /// The distribution of `metric` across trials, one outlined histogram per candidate.
    fn histogram(&self, metric: &str) -> Result<(), String> {
        let Panel { area, cands, cur } = self;
        let (label, scale) = display(metric, cur);
        let series: Vec<(usize, Vec<f64>)> = cands
            .iter()
            .enumerate()
            .map(|(i, c)| (i, finite_scaled(c, metric, scale)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        if series.is_empty() {
            return self.undefined_everywhere(metric);
        }
        let (lo, hi) = span(series.iter().flat_map(|(_, v)| v.iter().copied()), 0.02);
        let n_max = series.iter().map(|(_, v)| v.len()).max().unwrap_or(1);
        let bins = Bins::new((lo, hi), n_max);
        let shares: Vec<(usize, Vec<f64>)> =
            series.iter().map(|(i, v)| (*i, bins.shares(v))).collect();
        let top = shares
            .iter()
            .flat_map(|(_, s)| s.iter().copied())
            .fold(0.0, f64::max)
            * 1.1;
        let mut chart = share_chart(area, &metric_title(metric), &label, (lo, hi), top)?;
        for (i, s) in &shares {
            let c = color(*i);
            chart
                .draw_series(bins.bars(s, c.mix(0.22).filled()))
                .map_err(err)?;
            // Step outline.
            let mut pts = vec![(lo, 0.0)];
            for (k, y) in s.iter().enumerate() {
                let x0 = bins.start(k);
                pts.push((x0, *y));
                pts.push((x0 + bins.width, *y));
            }
            pts.push((hi, 0.0));
            polyline(&mut chart, pts, c.stroke_width(2))?;
        }
        Ok(())
    }

    /// Box plots of `metric`, one per candidate, with the candidates' names under them.
    fn boxes(&self, metric: &str) -> Result<(), String> {
        let Panel { area, cands, cur } = self;
        let (label, scale) = display(metric, cur);
        let stats: Vec<Option<[f64; 6]>> = cands
            .iter()
            .map(|c| {
                let mut v = finite_scaled(c, metric, scale);
                if v.is_empty() {
                    return None;
                }
                let (mean, [p05, p25, p50, p75, p95]) = band(&mut v);
                Some([p05, p25, p50, p75, p95, mean])
            })
            .collect();
        if stats.iter().all(Option::is_none) {
            return self.undefined_everywhere(metric);
        }
        let (lo, hi) = span(stats.iter().flatten().flat_map(|s| s.iter().copied()), 0.08);
        let k = cands.len();
        let mut chart = category_chart(area, &metric_title(metric), &label, k, (lo, hi))?;
        let half = 0.28;
        for (i, s) in stats.iter().enumerate() {
            let Some([p05, p25, p50, p75, p95, mean]) = *s else {
                continue;
            };
            let x = i as f64;
            let c = color(i);
            chart
                .draw_series([
                    Rectangle::new([(x - half, p25), (x + half, p75)], c.mix(0.35).filled()),
                    Rectangle::new([(x - half, p25), (x + half, p75)], c.stroke_width(2)),
                ])
                .map_err(err)?;
            chart
                .draw_series([
                    PathElement::new(
                        vec![(x - half, p50), (x + half, p50)],
                        BLACK.stroke_width(3),
                    ),
                    PathElement::new(vec![(x, p75), (x, p95)], c.stroke_width(2)),
                    PathElement::new(vec![(x, p25), (x, p05)], c.stroke_width(2)),
                    PathElement::new(
                        vec![(x - half / 2.0, p95), (x + half / 2.0, p95)],
                        c.stroke_width(2),
                    ),
                    PathElement::new(
                        vec![(x - half / 2.0, p05), (x + half / 2.0, p05)],
                        c.stroke_width(2),
                    ),
                ])
                .map_err(err)?;
            chart
                .draw_series([
                    Circle::new((x, mean), 6, WHITE.filled()),
                    Circle::new((x, mean), 6, BLACK.stroke_width(2)),
                ])
                .map_err(err)?;
        }
        names_under(area, &chart, cands.iter().map(|c| c.name.as_str()), lo)
    }

    /// A fan chart of the daily series `pick` selects: bands of every candidate, then the
    /// medians on top.
    fn fan(
        &self,
        title: &str,
        ylabel: &str,
        pick: impl Fn(&CandidateResult) -> &Vec<DailyBand>,
    ) -> Result<(), String> {
        let Panel { area, cands, .. } = self;
        let days = cands.iter().map(|c| pick(c).len()).max().unwrap_or(0);
        if days == 0 {
            return self.no_data("no days simulated");
        }
        let top = cands
            .iter()
            .flat_map(|c| pick(c).iter().map(|b| b.p95))
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.05;
        let mut chart = panel_chart(area, title, (50, 80, 20), 0.0..days as f64, 0.0..top)?;
        mesh(&mut chart)
            .x_desc("days since the campaign started")
            .y_desc(ylabel)
            .x_labels(10)
            .y_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()
            .map_err(err)?;
        // Bands first (all candidates), then the medians on top.
        for (i, c) in cands.iter().enumerate() {
            let b = pick(c);
            let col = color(i);
            let band = |lo: fn(&DailyBand) -> f64, hi: fn(&DailyBand) -> f64| {
                let mut pts: Vec<(f64, f64)> = vec![(0.0, 0.0)];
                pts.extend(b.iter().map(|d| (d.day as f64 + 1.0, hi(d))));
                pts.extend(b.iter().rev().map(|d| (d.day as f64 + 1.0, lo(d))));
                pts
            };
            chart
                .draw_series([
                    Polygon::new(band(|d| d.p05, |d| d.p95), col.mix(0.14).filled()),
                    Polygon::new(band(|d| d.p25, |d| d.p75), col.mix(0.30).filled()),
                ])
                .map_err(err)?;
        }
        for (i, c) in cands.iter().enumerate() {
            let col = color(i);
            let mut pts = vec![(0.0, 0.0)];
            pts.extend(pick(c).iter().map(|d| (d.day as f64 + 1.0, d.p50)));
            polyline(&mut chart, pts, col.stroke_width(3))?;
        }
        Ok(())
    }

    /// The histogram of a pair's paired differences, with zero and the mean marked.
    fn paired(&self, p: &PairPanel) -> Result<(), String> {
        let Panel { area, cands, cur } = self;
        let (label, scale) = display(&p.metric, cur);
        let d: Vec<f64> = p.diffs.iter().map(|x| x * scale).collect();
        let (an, bn) = (&cands[p.a].name, &cands[p.b].name);
        let title = match p.p_a_better {
            Some(pb) if pb.is_finite() => {
                format!("{an} − {bn}: {an} better in {} of trials", percent(pb))
            }
            _ => format!("{an} − {bn}"),
        };
        if d.is_empty() {
            return self.no_data(&format!("{title}: no trial where both are defined"));
        }
        let (mut lo, mut hi) = span(d.iter().copied(), 0.05);
        lo = lo.min(-0.05 * (hi - lo));
        hi = hi.max(0.05 * (hi - lo));
        let bins = Bins::new((lo, hi), d.len());
        let shares = bins.shares(&d);
        // Headroom for the legend.
        let top = shares.iter().copied().fold(0.0, f64::max) * 1.5;
        let x_desc = format!("difference A − B in {label}");
        let mut chart = share_chart(area, &title, &x_desc, (lo, hi), top)?;
        let c = color(p.a);
        chart
            .draw_series(bins.bars(&shares, c.mix(0.45).filled()))
            .map_err(err)?;
        let ymax = top.max(1.0);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, ymax)],
                BLACK.stroke_width(2),
            )))
            .map_err(err)?
            .label("zero: no difference")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
        let m = p.mean * scale;
        let ci = if p.ci.0.is_finite() {
            format!(
                "mean {} [95% CI {}, {}]",
                tick(m),
                tick(p.ci.0 * scale),
                tick(p.ci.1 * scale)
            )
        } else {
            format!("mean {}", tick(m))
        };
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(m, 0.0), (m, ymax)],
                8,
                6,
                c.stroke_width(3),
            )))
            .map_err(err)?
            .label(ci)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
        chart
            .configure_series_labels()
            .label_font((FONT, TICK))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_never_collapses() {
        assert_eq!(span([3.0, 3.0].into_iter(), 0.1), (2.85, 3.15));
        assert_eq!(span([0.0].into_iter(), 0.1), (-1.0, 1.0));
        assert_eq!(span(std::iter::empty(), 0.1), (0.0, 1.0));
    }

    #[test]
    fn the_embedded_font_loads() {
        register_font().unwrap();
    }
}
