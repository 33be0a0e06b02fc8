//! The summary table printed to the terminal.

use super::format::{align, by_magnitude, percent_or_dash};
use crate::results::CandidateResult;

fn fmt(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x.abs() >= 1e6 {
        format!("{x:.3e}")
    } else {
        by_magnitude(x, &[(100.0, 1), (1.0, 3)], 4)
    }
}

/// Renders an aligned table: metric, mean, sd, p05, p50, p95, 95% CI of the mean.
pub fn render_table(cands: &[CandidateResult]) -> String {
    let mut out = String::new();
    let header = [
        "metric",
        "mean",
        "sd",
        "p05",
        "p50",
        "p95",
        "95% CI of mean",
    ];
    for c in cands {
        let mut rows: Vec<[String; 7]> = vec![header.map(String::from)];
        for s in &c.summary {
            rows.push([
                s.metric.clone(),
                fmt(s.mean),
                fmt(s.sd),
                fmt(s.p05),
                fmt(s.p50),
                fmt(s.p95),
                interval(s.ci95_low, s.ci95_high),
            ]);
        }
        if cands.len() > 1 || c.name != "base" {
            out.push_str(&format!("candidate: {}\n", c.name));
        }
        out.push_str(&align_rows(&rows));
    }
    out
}

/// Aligns rows of cells: the first column left, the others right, a rule under the header.
fn align_rows<R: AsRef<[String]>>(rows: &[R]) -> String {
    align(rows, |j| j == 0, true)
}

fn interval(lo: f64, hi: f64) -> String {
    if lo.is_finite() && hi.is_finite() {
        format!("[{}, {}]", fmt(lo), fmt(hi))
    } else {
        "–".into()
    }
}

/// Headline metrics shown in comparison tables and the report (the plots show [`super::plots::PLOTTED`]).
pub(crate) const HEADLINE: &[&str] = &["conversion_rate", "repurchase_rate", "cpa", "roi", "cost"];

/// Renders the ranking and the paired differences of the headline metrics.
pub fn render_comparison(cmp: &crate::compare::Comparison) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "ranking by {} (`{}`, {} is better){}\n",
        cmp.objective.label(),
        cmp.objective_metric(),
        if cmp.higher_is_better() {
            "higher"
        } else {
            "lower"
        },
        match (cmp.constraints.max_cost, cmp.constraints.min_conversion) {
            (None, None) => String::new(),
            (b, c) => {
                let mut v = Vec::new();
                if let Some(b) = b {
                    v.push(format!("budget {b} at the 95th percentile of cost"));
                }
                if let Some(c) = c {
                    v.push(format!("mean conversion at least {c}"));
                }
                format!("; constraints: {}", v.join(", "))
            }
        }
    ));
    let mut rows = vec![
        [
            "rank",
            "candidate",
            "mean",
            "95% CI",
            "vs next: difference",
            "95% CI",
            "P(better)",
            "verdict",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in &cmp.ranking {
        let (d, ci, p, verdict) = match &r.vs_next {
            Some(m) => (
                fmt(m.diff.mean),
                interval(m.diff.ci95_low, m.diff.ci95_high),
                percent_or_dash(m.p_a_beats_b()),
                match r.clearly_better_than_next(cmp.higher_is_better()) {
                    Some(true) => "better than next".to_string(),
                    _ => "within noise of next".to_string(),
                },
            ),
            None => ("".into(), "".into(), "".into(), "".into()),
        };
        let verdict = if r.feasible {
            verdict
        } else {
            format!("fails: {}", r.violations.join("; "))
        };
        rows.push(vec![
            r.rank.to_string(),
            r.candidate.clone(),
            fmt(r.objective.mean),
            interval(r.objective.ci95_low, r.objective.ci95_high),
            d,
            ci,
            p,
            verdict,
        ]);
    }
    out.push_str(&align_rows(&rows));
    out.push_str("\npaired differences A − B over the same trials (common random numbers)\n");
    let mut rows = vec![
        [
            "A - B",
            "metric",
            "mean difference",
            "95% CI",
            "P(A better)",
            "P(B better)",
            "P(equal)",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in &cmp.pairs {
        for m in HEADLINE {
            if let Some(pm) = p.metric(m) {
                rows.push(vec![
                    format!("{} - {}", p.a, p.b),
                    m.to_string(),
                    fmt(pm.diff.mean),
                    interval(pm.diff.ci95_low, pm.diff.ci95_high),
                    percent_or_dash(pm.p_a_beats_b()),
                    percent_or_dash(pm.p_b_beats_a()),
                    percent_or_dash(Some(pm.equal)),
                ]);
            }
        }
    }
    out.push_str(&align_rows(&rows));
    out
}
