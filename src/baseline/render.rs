//! The check report as a text table for people: one section per scenario, one row per
//! metric that matters, aligned columns.

use super::check::{EXACT_RULE, Mode, Row, STATISTICAL_RULE, ScenarioReport, Status};
use crate::output::format::align;
use serde::Serialize;

/// The result of a whole `baseline check`, as written by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// promosim version.
    pub promosim_version: String,
    /// Mode.
    pub mode: Mode,
    /// The comparison rule.
    pub rule: &'static str,
    /// `pass`, `regression` or `scenario_changed` (the latter when any scenario changed).
    pub status: Status,
    /// The process exit code: 0 pass, 1 otherwise.
    pub exit_code: u8,
    /// One report per scenario.
    pub scenarios: Vec<ScenarioReport>,
}

impl CheckReport {
    /// Gathers scenario reports.
    pub fn new(mode: Mode, scenarios: Vec<ScenarioReport>) -> Self {
        let status = if scenarios
            .iter()
            .any(|s| s.status == Status::ScenarioChanged)
        {
            Status::ScenarioChanged
        } else if scenarios.iter().any(|s| s.status == Status::Regression) {
            Status::Regression
        } else {
            Status::Pass
        };
        CheckReport {
            promosim_version: env!("CARGO_PKG_VERSION").to_string(),
            mode,
            rule: match mode {
                Mode::Exact => EXACT_RULE,
                Mode::Statistical => STATISTICAL_RULE,
            },
            status,
            exit_code: u8::from(status != Status::Pass),
            scenarios,
        }
    }

    /// Pretty JSON with a trailing newline; undefined numbers are `null`.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut v = serde_json::to_vec_pretty(self)?;
        v.push(b'\n');
        Ok(v)
    }
}

pub(super) fn fmt_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.1e}")
    }
}

/// A number with about six significant digits (full precision in exact mode).
fn num(x: Option<f64>, exact: bool) -> String {
    match x {
        None => "–".into(),
        Some(x) if exact => format!("{x}"),
        Some(x) => sig(x, false),
    }
}

fn sig(x: f64, signed: bool) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let sign = if signed && x >= 0.0 { "+" } else { "" };
    let a = x.abs();
    if a == 0.0 {
        return format!("{sign}0");
    }
    let mag = a.log10().floor() as i32;
    if (-4..7).contains(&mag) {
        let decimals = (5 - mag).max(0) as usize;
        format!("{sign}{x:.decimals$}")
    } else {
        format!("{sign}{x:.5e}")
    }
}

fn percent(level: f64) -> String {
    let s = format!("{:.4}", level * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// Renders a scenario's report as text: a heading, reasons and notes, then one table per
/// candidate (metric, baseline, now, difference, interval, verdict, details). With
/// `failures_only`, rows that hold are left out.
pub fn render(r: &ScenarioReport, failures_only: bool) -> String {
    let exact = r.mode == Mode::Exact;
    let mut out = format!(
        "== {} ({}) vs {}: {}\n",
        r.scenario,
        r.scenario_file,
        r.baseline_file,
        r.status.label()
    );
    match r.mode {
        Mode::Exact => out.push_str(&format!(
            "   mode exact: seed {}, {} trials; baseline seed {}, {} trials\n",
            r.seed, r.trials, r.baseline_seed, r.baseline_trials
        )),
        Mode::Statistical => out.push_str(&format!(
            "   mode statistical: Welch t, Bonferroni over {} tested metrics, family-wise α = {}, intervals {}; seed {} vs baseline {}, {} vs {} trials\n",
            r.tests,
            r.alpha.unwrap_or(f64::NAN),
            r.interval_level.map(percent).unwrap_or_default(),
            r.seed,
            r.baseline_seed,
            r.trials,
            r.baseline_trials
        )),
    }
    for reason in &r.reasons {
        out.push_str(&format!("   FAIL: {reason}\n"));
    }
    for note in &r.notes {
        out.push_str(&format!("   note: {note}\n"));
    }
    if !r.changed_keys.is_empty() {
        out.push_str("   changed keys of the resolved scenario:\n");
        for k in &r.changed_keys {
            out.push_str(&format!(
                "     {}: {} → {}\n",
                k.key,
                k.baseline.as_deref().unwrap_or("(absent)"),
                k.now.as_deref().unwrap_or("(absent)")
            ));
        }
    }
    let header = [
        "metric".to_string(),
        "baseline".into(),
        "now".into(),
        "difference".into(),
        match r.interval_level {
            Some(l) => format!("{} interval", percent(l)),
            None => "interval".into(),
        },
        "verdict".into(),
        "details".into(),
    ];
    let candidates: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for row in &r.rows {
            if !v.contains(&row.candidate.as_str()) {
                v.push(&row.candidate);
            }
        }
        v
    };
    for c in candidates {
        let rows: Vec<&Row> = r
            .rows
            .iter()
            .filter(|x| x.candidate == c && (!failures_only || x.failed))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut table = vec![header.to_vec()];
        for x in rows {
            let rel = x
                .relative_difference
                .filter(|d| d.is_finite() && *d != 0.0)
                .map(|d| format!(" ({:+.2}%)", d * 100.0))
                .unwrap_or_default();
            table.push(vec![
                x.metric.clone(),
                num(x.baseline.as_ref().and_then(|s| s.mean), exact),
                num(x.now.as_ref().and_then(|s| s.mean), exact),
                match x.difference {
                    Some(d) if exact => format!("{d}"),
                    Some(d) => format!("{}{rel}", sig(d, true)),
                    None => "–".into(),
                },
                x.interval
                    .map(|[lo, hi]| format!("[{}, {}]", sig(lo, true), sig(hi, true)))
                    .unwrap_or_else(|| "–".into()),
                x.verdict.label().to_string(),
                x.message.clone(),
            ]);
        }
        if exact {
            // No intervals in exact mode.
            for r in &mut table {
                r.remove(4);
            }
        }
        out.push_str(&format!("candidate {c}\n"));
        // The metric, the verdict and the details are text (left-aligned), the numbers
        // between them right-aligned.
        let text_from = if exact { 4 } else { 5 };
        out.push_str(&align(&table, |j| j == 0 || j >= text_from, false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format() {
        assert_eq!(sig(0.0123456789, false), "0.0123457");
        assert_eq!(sig(-1234.5678, true), "-1234.57");
        assert_eq!(sig(3.0, true), "+3.00000");
        assert_eq!(sig(1.5e9, false), "1.50000e9");
        assert_eq!(percent(0.9995), "99.95%");
        assert_eq!(percent(0.95), "95%");
    }
}
