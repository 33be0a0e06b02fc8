//! The summary table printed to the terminal.

use super::CandidateResult;

fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        format!("{x:.3e}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
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
                if s.ci95_low.is_finite() {
                    format!("[{}, {}]", fmt(s.ci95_low), fmt(s.ci95_high))
                } else {
                    "–".into()
                },
            ]);
        }
        let mut widths = [0usize; 7];
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r.iter()) {
                *w = (*w).max(cell.chars().count());
            }
        }
        if cands.len() > 1 || c.name != "base" {
            out.push_str(&format!("candidate: {}\n", c.name));
        }
        for (k, r) in rows.iter().enumerate() {
            let mut line = String::new();
            for (j, cell) in r.iter().enumerate() {
                let pad = widths[j] - cell.chars().count();
                if j == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if k == 0 {
                let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                out.push_str(&"-".repeat(total));
                out.push('\n');
            }
        }
    }
    out
}
