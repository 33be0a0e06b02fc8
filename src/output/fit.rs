//! Outputs of `promosim fit repurchase`: `fit.csv` and `fit.json` (the model comparison),
//! `holdout.csv` (conditional expectations by calibration frequency), `tracking.csv` and
//! `tracking.png`/`.svg` (weekly cumulative repeat transactions, actual against forecast),
//! `repurchase.toml` (the scenario block, in days) and the terminal tables.

use super::plots::{FONT, color, encode_png, register_font};
use crate::fit::TimeUnit;
use crate::fit::holdout::Holdout;
use crate::fit::log::{OrderLog, Split, format_day};
use crate::fit::mle::Estimate;
use plotters::prelude::*;
use serde_json::json;
use std::fmt::Write as _;

/// The files `fit repurchase` writes into its output folder.
pub const FILES: [&str; 8] = [
    "fit.csv",
    "fit.json",
    "holdout.csv",
    "tracking.csv",
    "tracking.png",
    "tracking.svg",
    "repurchase.toml",
    "scenario.fitted.toml",
];

/// One fitted model in the report.
#[derive(Debug, Clone, Copy)]
pub struct ModelFit<'a> {
    /// Key, as in scenarios (`"bgnbd"`, `"paretonbd"`, `"gammagamma"`).
    pub key: &'static str,
    /// Display name.
    pub label: &'static str,
    /// The estimate.
    pub estimate: &'a Estimate,
}

/// Everything the outputs of a fit show.
#[derive(Debug, Clone)]
pub struct FitReport<'a> {
    /// The log's file name.
    pub source: String,
    /// The fit's time unit.
    pub unit: TimeUnit,
    /// The log.
    pub log: &'a OrderLog,
    /// Its calibration and holdout periods.
    pub split: &'a Split,
    /// The purchase models (BG/NBD, Pareto/NBD).
    pub models: Vec<ModelFit<'a>>,
    /// Gamma-Gamma, with amounts.
    pub value: Option<ModelFit<'a>>,
    /// The holdout comparison, when there is a holdout period.
    pub holdout: Option<&'a Holdout>,
    /// Index in `models` of the model written into the scenario block.
    pub chosen: usize,
    /// Why that model: `"lowest AIC"` or `"--model"`.
    pub reason: &'static str,
}

/// The unit of parameter `name` of a model (`α` and `β` carry the time unit).
fn param_unit(model: &str, name: &str, unit: TimeUnit) -> &'static str {
    match (model, name) {
        ("gammagamma", "gamma") => "currency",
        (_, "alpha" | "beta") => unit.name(),
        _ => "",
    }
}

/// The value of `v` for parameter `name` in days.
fn in_days(name: &str, v: f64, unit: TimeUnit) -> f64 {
    if matches!(name, "alpha" | "beta") {
        v * unit.days()
    } else {
        v
    }
}

impl FitReport<'_> {
    fn all(&self) -> impl Iterator<Item = &ModelFit<'_>> {
        self.models.iter().chain(self.value.iter())
    }

    /// `fit.csv`: one row per model and parameter.
    pub fn fit_csv(&self) -> String {
        let mut s = String::from(
            "model,parameter,unit,estimate,se,ci_low,ci_high,estimate_days,loglik,aic,bic,converged,customers\n",
        );
        for m in self.all() {
            let e = m.estimate;
            for (i, name) in e.names.iter().enumerate() {
                let unit = param_unit(m.key, name, self.unit);
                let days = if m.key == "gammagamma" {
                    e.values[i]
                } else {
                    in_days(name, e.values[i], self.unit)
                };
                let _ = writeln!(
                    s,
                    "{},{name},{unit},{},{},{},{},{days},{},{},{},{},{}",
                    m.key,
                    e.values[i],
                    e.se[i],
                    e.lo[i],
                    e.hi[i],
                    e.loglik,
                    e.aic(),
                    e.bic(),
                    e.converged,
                    e.n
                );
            }
        }
        s
    }

    /// `fit.json`: the data, the periods, every model and the holdout summary.
    pub fn fit_json(&self) -> String {
        let model = |m: &ModelFit<'_>| {
            let e = m.estimate;
            let params: serde_json::Map<String, serde_json::Value> = e
                .names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    (
                        n.to_string(),
                        json!({
                            "estimate": e.values[i],
                            "se": e.se[i],
                            "ci95": [e.lo[i], e.hi[i]],
                            "unit": param_unit(m.key, n, self.unit),
                        }),
                    )
                })
                .collect();
            json!({
                "model": m.key,
                "parameters": params,
                "loglik": e.loglik,
                "aic": e.aic(),
                "bic": e.bic(),
                "converged": e.converged,
                "observations": e.n,
            })
        };
        let s = self.split;
        let v = json!({
            "source": self.source,
            "time_unit": self.unit.name(),
            "order_rows": self.log.rows,
            "transactions": self.log.transactions.len(),
            "same_day_orders_merged": self.log.merged(),
            "customers": s.customers.len(),
            "repeat_buyers": s.repeat_buyers(),
            "calibration": { "start": format_day(s.start), "end": format_day(s.calibration_end) },
            "holdout": s.holdout_end.map(|h| json!({
                "end": format_day(h),
                "days": s.holdout_days(),
                "newcomers_left_out": s.holdout_newcomers,
            })),
            "models": self.models.iter().map(model).collect::<Vec<_>>(),
            "order_value": self.value.as_ref().map(model),
            "scenario_model": self.models[self.chosen].key,
            "scenario_model_reason": self.reason,
            "holdout_forecast": self.holdout.map(|h| json!({
                "actual": h.actual,
                "models": h.models,
                "by_frequency": h.by_frequency,
            })),
        });
        let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The model comparison as a terminal table.
    pub fn comparison_table(&self) -> String {
        let s = self.split;
        let mut t = format!(
            "{}: {} customers ({} with a repeat purchase), calibration {} to {}, times in {}\n\n",
            self.source,
            s.customers.len(),
            s.repeat_buyers(),
            format_day(s.start),
            format_day(s.calibration_end),
            self.unit.name()
        );
        let _ = writeln!(
            t,
            "{:<11} {:<9} {:>10} {:>9}  {:<22} {:>11} {:>10} {:>10}  converged",
            "model", "parameter", "estimate", "SE", "95% interval", "log-lik", "AIC", "BIC"
        );
        for m in self.all() {
            let e = m.estimate;
            for (i, name) in e.names.iter().enumerate() {
                let interval = format!("[{}, {}]", num(e.lo[i]), num(e.hi[i]));
                if i == 0 {
                    let _ = writeln!(
                        t,
                        "{:<11} {:<9} {:>10} {:>9}  {:<22} {:>11.2} {:>10.2} {:>10.2}  {}",
                        m.label,
                        name,
                        num(e.values[i]),
                        num(e.se[i]),
                        interval,
                        e.loglik,
                        e.aic(),
                        e.bic(),
                        if e.converged { "yes" } else { "NO" }
                    );
                } else {
                    let _ = writeln!(
                        t,
                        "{:<11} {:<9} {:>10} {:>9}  {}",
                        "",
                        name,
                        num(e.values[i]),
                        num(e.se[i]),
                        interval
                    );
                }
            }
        }
        let chosen = &self.models[self.chosen];
        let _ = writeln!(
            t,
            "\nScenario block: {} ({}), alpha{} converted to days.",
            chosen.label,
            self.reason,
            if chosen.key == "paretonbd" {
                " and beta"
            } else {
                ""
            }
        );
        t
    }

    /// `holdout.csv`: customers by calibration frequency, mean actual and forecast.
    pub fn holdout_csv(&self, h: &Holdout) -> String {
        let mut s = String::from("frequency,customers,actual");
        for m in &self.models {
            let _ = write!(s, ",{}", m.key);
        }
        s.push('\n');
        for r in &h.by_frequency {
            let _ = write!(s, "{},{},{}", r.frequency, r.customers, r.actual);
            for f in &r.forecast {
                let _ = write!(s, ",{f}");
            }
            s.push('\n');
        }
        s
    }

    /// `tracking.csv`: weekly cumulative repeat transactions.
    pub fn tracking_csv(&self, h: &Holdout) -> String {
        let mut s = String::from("week,date,actual");
        for m in &self.models {
            let _ = write!(s, ",{}", m.key);
        }
        s.push('\n');
        for p in &h.tracking {
            let _ = write!(s, "{},{},{}", p.week, format_day(p.day), p.actual);
            for f in &p.forecast {
                let _ = write!(s, ",{f}");
            }
            s.push('\n');
        }
        s
    }

    /// The holdout comparison as a terminal table.
    pub fn holdout_table(&self, h: &Holdout) -> String {
        let s = self.split;
        let mut t = format!(
            "Holdout {} to {} ({} days), the {} customers of the calibration cohort\n\n",
            format_day(s.calibration_end + 1),
            s.holdout_end.map(format_day).unwrap_or_default(),
            h.days,
            h.customers
        );
        let _ = write!(t, "{:<24} {:>10}", "", "actual");
        for m in &self.models {
            let _ = write!(t, " {:>11}", m.label);
        }
        t.push('\n');
        let _ = write!(t, "{:<24} {:>10.0}", "repeat transactions", h.actual);
        for m in &h.models {
            let _ = write!(t, " {:>11.1}", m.forecast);
        }
        t.push('\n');
        let _ = write!(t, "{:<24} {:>10}", "MAE per customer", "");
        for m in &h.models {
            let _ = write!(t, " {:>11.3}", m.mae);
        }
        t.push('\n');
        let _ = write!(t, "{:<24} {:>10}", "RMSE per customer", "");
        for m in &h.models {
            let _ = write!(t, " {:>11.3}", m.rmse);
        }
        let _ = write!(
            t,
            "\n\nMean holdout transactions by calibration repeat transactions\n{:<10} {:>9} {:>10}",
            "frequency", "customers", "actual"
        );
        for m in &self.models {
            let _ = write!(t, " {:>11}", m.label);
        }
        t.push('\n');
        for r in &h.by_frequency {
            let _ = write!(
                t,
                "{:<10} {:>9} {:>10.3}",
                r.frequency, r.customers, r.actual
            );
            for f in &r.forecast {
                let _ = write!(t, " {:>11.3}", f);
            }
            t.push('\n');
        }
        t
    }

    /// `repurchase.toml`: the chosen model's block in days, with comments saying the unit
    /// and the source; with amounts, the Gamma-Gamma order value as a comment.
    pub fn repurchase_toml(&self) -> String {
        let m = &self.models[self.chosen];
        let s = self.split;
        let mut t = format!(
            "# behaviour.repurchase fitted by `promosim fit repurchase` to {} ({} customers,\n\
             # calibration {} to {}): {}, {}.\n\
             # Time unit: days, promosim's unit. The fit ran in {}; alpha{} converted to days\n\
             # (multiplied by {}); the shapes do not depend on the unit.\n",
            self.source,
            s.customers.len(),
            format_day(s.start),
            format_day(s.calibration_end),
            m.label,
            self.reason,
            self.unit.name(),
            if m.key == "paretonbd" {
                " and beta"
            } else {
                ""
            },
            self.unit.days()
        );
        t.push_str("[behaviour.repurchase]\n");
        for (k, v) in self.block() {
            let _ = writeln!(t, "{k} = {}", value_text(&v));
        }
        if let Some((mean, shape)) = self.order_value() {
            let _ = write!(
                t,
                "\n# Order value (Gamma-Gamma): mean {mean:.2}. A gamma with the same mean and variance\n\
                 # per order (the per-customer correlation is not kept), for [product]:\n\
                 # order_value = {{ dist = \"gamma\", mean = {mean:.4}, shape = {shape:.4} }}\n"
            );
        }
        t
    }

    /// The scenario keys of the chosen model, in days.
    pub fn block(&self) -> Vec<(&'static str, toml::Value)> {
        let m = &self.models[self.chosen];
        let e = m.estimate;
        let mut keys = vec![("model", toml::Value::String(m.key.into()))];
        for (i, name) in e.names.iter().enumerate() {
            keys.push((
                name,
                toml::Value::Float(round6(in_days(name, e.values[i], self.unit))),
            ));
        }
        keys
    }

    /// Gamma-Gamma's population mean order value and the shape of the gamma with its mean
    /// and variance (`None` without amounts, or when the variance is infinite, `q <= 2`).
    pub fn order_value(&self) -> Option<(f64, f64)> {
        let e = self.value?.estimate;
        let g = crate::fit::gammagamma::GammaGamma::from_slice(&e.values);
        let (mean, var) = (g.mean_value(), g.value_variance());
        (mean.is_finite() && var.is_finite() && var > 0.0).then(|| (mean, mean * mean / var))
    }

    /// The tracking plot as PNG bytes and SVG text.
    pub fn tracking_plot(&self, h: &Holdout) -> Result<(Vec<u8>, String), String> {
        register_font()?;
        let (w, hgt) = (1100u32, 600u32);
        let mut rgb = vec![255u8; (w * hgt * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (w, hgt)).into_drawing_area();
            self.draw_tracking(&root, h)?;
            root.present().map_err(|e| e.to_string())?;
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, hgt)).into_drawing_area();
            self.draw_tracking(&root, h)?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok((encode_png(&rgb, w, hgt)?, svg))
    }

    fn draw_tracking<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
        h: &Holdout,
    ) -> Result<(), String> {
        let err =
            |e: DrawingAreaErrorKind<DB::ErrorType>| format!("cannot draw the tracking plot: {e}");
        root.fill(&WHITE).map_err(err)?;
        let weeks = h.tracking.len() as f64;
        let top = h
            .tracking
            .iter()
            .flat_map(|p| std::iter::once(p.actual).chain(p.forecast.iter().copied()))
            .filter(|v| v.is_finite())
            .fold(1.0, f64::max)
            * 1.05;
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Cumulative repeat transactions: actual and forecast",
                (FONT, 22),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..weeks, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("weeks since the log's first order")
            .y_desc("repeat transactions (cumulative)")
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()
            .map_err(err)?;
        let cal_week = (self.split.calibration_end - self.split.start + 1) as f64 / 7.0;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(cal_week, 0.0), (cal_week, top)],
                RGBColor(200, 60, 60).stroke_width(2),
            )))
            .map_err(err)?
            .label("calibration end")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 20, y)],
                    RGBColor(200, 60, 60).stroke_width(2),
                )
            });
        let actual: Vec<(f64, f64)> = h
            .tracking
            .iter()
            .map(|p| (p.week as f64, p.actual))
            .collect();
        chart
            .draw_series(LineSeries::new(actual, BLACK.stroke_width(3)))
            .map_err(err)?
            .label("actual")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(3)));
        for (i, m) in self.models.iter().enumerate() {
            let col = color(i);
            let pts: Vec<(f64, f64)> = h
                .tracking
                .iter()
                .filter(|p| p.forecast[i].is_finite())
                .map(|p| (p.week as f64, p.forecast[i]))
                .collect();
            chart
                .draw_series(LineSeries::new(pts, col.stroke_width(2)))
                .map_err(err)?
                .label(m.label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, 15))
            .draw()
            .map_err(err)?;
        Ok(())
    }
}

/// Keys of `behaviour.repurchase` that belong to one repurchase model or another; the
/// fitted block replaces them all.
const MODEL_KEYS: [&str; 10] = [
    "model",
    "r",
    "alpha",
    "a",
    "b",
    "s",
    "beta",
    "daily_probability",
    "daily_probability_shape",
    "daily_dropout",
];

/// A scenario with the fitted block in place of its `behaviour.repurchase` model keys
/// (`clv_days` kept) and, with `order_value`, its `product.order_value` set; the rest of
/// the file, comments included, as it was. The keys are replaced in the text under the
/// table's header (or a new table is added at the end); when the scenario writes the
/// table another way (inline, dotted keys) and the text edit does not give the fitted
/// values, the file is re-serialised from its parsed form instead, without comments.
pub fn scenario_with_block(
    base: &str,
    label: &str,
    header: &str,
    block: &[(&'static str, toml::Value)],
    order_value: Option<(f64, f64)>,
) -> Result<String, String> {
    let doc: toml::Table = base
        .parse()
        .map_err(|e| format!("{label}: not a TOML scenario: {e}"))?;
    let value = order_value.map(|(mean, shape)| {
        let mut d = toml::Table::new();
        d.insert("dist".into(), toml::Value::String("gamma".into()));
        d.insert("mean".into(), toml::Value::Float(round6(mean)));
        d.insert("shape".into(), toml::Value::Float(round6(shape)));
        d
    });
    let mut text = replace_keys(base, "behaviour.repurchase", &MODEL_KEYS, block);
    if let Some(d) = &value {
        let v = [("order_value", toml::Value::Table(d.clone()))];
        text = replace_keys(&text, "product", &["order_value"], &v);
    }
    let wanted = |t: &toml::Table| {
        let rep = t
            .get("behaviour")
            .and_then(|b| b.get("repurchase"))
            .and_then(|r| r.as_table());
        let rep_ok = rep.is_some_and(|r| {
            block.iter().all(|(k, v)| r.get(*k) == Some(v))
                && r.keys()
                    .all(|k| !MODEL_KEYS.contains(&k.as_str()) || block.iter().any(|(b, _)| b == k))
        });
        let value_ok = value.as_ref().is_none_or(|d| {
            t.get("product")
                .and_then(|p| p.get("order_value"))
                .and_then(|v| v.as_table())
                == Some(d)
        });
        rep_ok && value_ok
    };
    if text.parse::<toml::Table>().is_ok_and(|t| wanted(&t)) {
        return Ok(format!("{header}{text}"));
    }
    let mut doc = doc;
    let table = |t: &mut toml::Table, key: &str| -> Result<toml::Table, String> {
        match t.remove(key) {
            None => Ok(toml::Table::new()),
            Some(toml::Value::Table(x)) => Ok(x),
            Some(_) => Err(format!("{label}: `{key}` is not a table")),
        }
    };
    let mut behaviour = table(&mut doc, "behaviour")?;
    let mut rep = table(&mut behaviour, "repurchase")?;
    for k in MODEL_KEYS {
        rep.remove(k);
    }
    for (k, v) in block {
        rep.insert((*k).into(), v.clone());
    }
    behaviour.insert("repurchase".into(), toml::Value::Table(rep));
    doc.insert("behaviour".into(), toml::Value::Table(behaviour));
    if let Some(d) = value {
        let mut product = table(&mut doc, "product")?;
        product.insert("order_value".into(), toml::Value::Table(d));
        doc.insert("product".into(), toml::Value::Table(product));
    }
    let body = toml::to_string(&doc).map_err(|e| format!("{label}: cannot write: {e}"))?;
    Ok(format!("{header}{body}"))
}

/// `text` with the lines of table `[name]` that set one of `drop` removed and `keys`
/// written right under its header; the table is added at the end when it has no header.
fn replace_keys(text: &str, name: &str, drop: &[&str], keys: &[(&str, toml::Value)]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| l.trim_start().starts_with('[');
    let is_ours = |l: &str| {
        let t = l.trim();
        t.strip_prefix('[')
            .and_then(|t| t.split(']').next())
            .is_some_and(|h| h.trim() == name)
            && !t.starts_with("[[")
    };
    let block: String = keys
        .iter()
        .map(|(k, v)| format!("{k} = {}\n", value_text(v)))
        .collect();
    let Some(at) = lines.iter().position(|l| is_ours(l)) else {
        let mut out = text.trim_end().to_string();
        out.push_str(&format!("\n\n[{name}]\n{block}"));
        return out;
    };
    let mut out = String::new();
    for l in &lines[..=at] {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&block);
    let mut in_table = true;
    for l in &lines[at + 1..] {
        if header(l) {
            in_table = false;
        }
        let key = l.split('=').next().unwrap_or("").trim();
        if in_table && l.contains('=') && drop.contains(&key) {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// `v` to 6 significant digits (the standard errors are far wider).
fn round6(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 5 - v.abs().log10().floor() as i32;
    let m = 10f64.powi(digits);
    (v * m).round() / m
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Float(f) => format!("{f:?}"),
        toml::Value::Table(t) => {
            let inner: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", value_text(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// A number with 4 significant digits, in plain notation up to 1e7.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-4..1e7).contains(&a) {
        format!("{v:.3e}")
    } else {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_numbers() {
        assert_eq!(round6(30.898123456), 30.8981);
        assert_eq!(round6(0.000243456789), 0.000243457);
        assert_eq!(num(0.24312), "0.2431");
        assert_eq!(num(1234.567), "1235");
        assert_eq!(num(f64::NAN), "n/a");
    }

    /// The fitted block replaces the repurchase keys, keeps `clv_days`, and leaves the
    /// rest of the scenario as it was.
    #[test]
    fn block_replaces_the_repurchase_keys() {
        let base = "name = \"x\"\n[product]\nprice = 10.0\nunit_cost = 4.0\n[behaviour.repurchase]\nmodel = \"daily\"\ndaily_probability = 0.01\nclv_days = 200.0\n";
        let block = vec![
            ("model", toml::Value::String("bgnbd".into())),
            ("r", toml::Value::Float(0.5)),
        ];
        let out =
            scenario_with_block(base, "s.toml", "# fitted\n", &block, Some((12.0, 3.0))).unwrap();
        let t: toml::Table = out.parse().unwrap();
        let rep = &t["behaviour"]["repurchase"];
        assert_eq!(rep["model"].as_str(), Some("bgnbd"));
        assert_eq!(rep["clv_days"].as_float(), Some(200.0));
        assert!(rep.get("daily_probability").is_none());
        assert_eq!(t["product"]["price"].as_float(), Some(10.0));
        assert_eq!(t["product"]["order_value"]["shape"].as_float(), Some(3.0));
        assert!(out.starts_with("# fitted\n"));
        // Inline tables cannot take the text edit: the parsed form is written instead.
        let inline = "[product]\nprice = 10.0\nunit_cost = 4.0\n[behaviour]\nrepurchase = { r = 0.3, clv_days = 100.0 }\n";
        let out = scenario_with_block(inline, "s.toml", "", &block, None).unwrap();
        let t: toml::Table = out.parse().unwrap();
        assert_eq!(t["behaviour"]["repurchase"]["r"].as_float(), Some(0.5));
        assert_eq!(
            t["behaviour"]["repurchase"]["clv_days"].as_float(),
            Some(100.0)
        );
    }

    /// The text edit keeps the scenario's comments and order, and adds the table when the
    /// scenario has none.
    #[test]
    fn block_keeps_comments() {
        let base = "# top\nname = \"x\"  # the name\n[product]\nprice = 10.0\nunit_cost = 4.0\n";
        let block = vec![
            ("model", toml::Value::String("bgnbd".into())),
            ("r", toml::Value::Float(0.5)),
        ];
        let out = scenario_with_block(base, "s.toml", "", &block, Some((12.0, 3.0))).unwrap();
        assert!(
            out.starts_with("# top\nname = \"x\"  # the name\n[product]\norder_value = "),
            "{out}"
        );
        assert!(
            out.ends_with("[behaviour.repurchase]\nmodel = \"bgnbd\"\nr = 0.5\n"),
            "{out}"
        );
    }
}
