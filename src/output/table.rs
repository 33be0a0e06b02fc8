//! The summary table printed to the terminal.

use super::format::{align, by_magnitude, percent_or_dash};
use crate::compare::Objective;
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

/// What the campaign buys over doing nothing, in the order the tables show it: effects
/// over the no-campaign world on the same trials, and the campaign's cost.
pub(crate) const INCREMENTAL_HEADLINE: &[&str] = &[
    "inc_first_buyers",
    "inc_conversion",
    "inc_repeat_buyers",
    "inc_gross_margin",
    "cost",
    "icpa",
    "inc_roi",
    "payback",
];

/// The campaign world's totals (organic buyers included), in the order the tables show
/// them.
pub(crate) const TOTALS: &[&str] = &[
    "first_buyers",
    "conversion_rate",
    "repurchase_rate",
    "orders",
    "revenue",
    "cost",
    "cost_per_buyer",
    "total_roi",
    "clv",
];

/// The metrics compared pair by pair in comparison tables and the report: the
/// incremental headline when the run has the no-campaign world, the totals otherwise.
pub(crate) fn paired_headline(incremental: bool) -> &'static [&'static str] {
    if incremental {
        &[
            "inc_first_buyers",
            "inc_gross_margin",
            "cost",
            "inc_roi",
            "payback",
            "repurchase_rate",
        ]
    } else {
        &[
            "conversion_rate",
            "repurchase_rate",
            "cost",
            "cost_per_buyer",
            "total_roi",
        ]
    }
}

/// Renders one aligned table per candidate: metric, mean, sd, p05, p50, p95, 95% CI of the
/// mean. Without `all`, the incremental headline, the totals, and per mechanism its
/// attributed buyers and orders with a count of its other KPIs; with `all`, every KPI,
/// grouped under its mechanism.
pub fn render_table(cands: &[CandidateResult], all: bool) -> String {
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
    let mut hidden = 0;
    for c in cands {
        if cands.len() > 1 || c.name != "base" {
            out.push_str(&format!("candidate: {}\n", c.name));
        }
        let mut rows: Vec<Vec<String>> = vec![header.map(String::from).to_vec()];
        let incremental = c.has_increment();
        if incremental {
            section(
                &mut rows,
                "what the campaign buys over doing nothing (same trials, campaign off)",
            );
            for m in INCREMENTAL_HEADLINE {
                rows.extend(headline_row(c, m));
            }
        }
        section(
            &mut rows,
            "totals in the campaign world (organic buyers included)",
        );
        for m in TOTALS.iter().filter(|m| !(incremental && **m == "cost")) {
            rows.extend(c.summary_of(m).map(summary_row));
        }
        for key in &c.mechanisms {
            let Some(e) = crate::mechanisms::entry(key) else {
                continue;
            };
            let shown: Vec<&str> = e
                .attributed
                .iter()
                .chain(e.kpis.iter().filter(|_| all))
                .map(|k| k.name)
                .collect();
            let more = if all { 0 } else { e.kpis.len() };
            hidden += more;
            section(
                &mut rows,
                &if more > 0 {
                    format!("{} ({more} more KPIs with --all)", e.label)
                } else {
                    e.label.to_string()
                },
            );
            for m in shown {
                rows.extend(c.summary_of(m).map(summary_row));
            }
        }
        out.push_str(&align_with_sections(&rows));
        if incremental {
            out.push_str("icpa: mean cost / mean incremental first buyers (ratio of means, delta-method CI); its sd and quantiles are the per-trial ratio's, where defined. payback: share of trials whose incremental gross margin exceeds the cost (Wilson CI).\n");
        }
    }
    if hidden > 0 {
        out.push_str(&format!(
            "{hidden} mechanism KPIs not shown: --all prints every one (all are in summary.csv)\n"
        ));
    }
    out
}

/// A heading line between the rows of a table.
const SECTION: &str = "\u{0}";

/// A section heading row (a single cell marked [`SECTION`]; printed as its own line, not
/// aligned).
fn section(rows: &mut Vec<Vec<String>>, title: &str) {
    rows.push(vec![SECTION.to_string(), title.to_string()]);
}

/// Aligns the rows that are not section headings, and prints each heading on its own
/// line where it stands.
fn align_with_sections(rows: &[Vec<String>]) -> String {
    let is_section = |r: &Vec<String>| r.first().is_some_and(|c| c == SECTION);
    let cells: Vec<&Vec<String>> = rows.iter().filter(|r| !is_section(r)).collect();
    let aligned = align_rows(&cells);
    let mut lines = aligned.lines();
    let mut out = String::new();
    // The header and its rule.
    for line in lines.by_ref().take(2) {
        out.push_str(line);
        out.push('\n');
    }
    for r in rows.iter().skip(1) {
        let line = if is_section(r) {
            format!("{}:", r[1])
        } else {
            lines.next().unwrap_or_default().to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A metric's row from its summary.
fn summary_row(s: &crate::results::MetricSummary) -> Vec<String> {
    vec![
        s.metric.clone(),
        fmt(s.mean),
        fmt(s.sd),
        fmt(s.p05),
        fmt(s.p50),
        fmt(s.p95),
        interval(s.ci95_low, s.ci95_high),
    ]
}

/// A headline row: the summary's, except that the incremental cost per acquisition shows
/// the ratio of means and its interval.
fn headline_row(c: &CandidateResult, metric: &str) -> Option<Vec<String>> {
    let mut row = summary_row(c.summary_of(metric)?);
    if metric == "icpa" {
        let e = Objective::Icpa.estimate(c);
        row[0] = "icpa (ratio of means)".into();
        row[1] = fmt(e.value);
        row[6] = interval(e.low, e.high);
    }
    Some(row)
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

/// Renders the ranking and the paired differences of the headline metrics.
pub fn render_comparison(cmp: &crate::compare::Comparison) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "ranking by {} (`{}`, {}; {} is better){}\n",
        cmp.objective.label(),
        cmp.objective_metric(),
        cmp.objective.method().words(),
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
            "estimate",
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
            Some(g) => (
                fmt(g.difference.value),
                interval(g.difference.low, g.difference.high),
                percent_or_dash(g.p_better),
                if g.clearly_better(cmp.higher_is_better()) {
                    "better than next".to_string()
                } else {
                    "within noise of next".to_string()
                },
            ),
            None => ("".into(), "".into(), "".into(), "".into()),
        };
        let mut verdict = if r.feasible {
            verdict
        } else {
            format!("fails: {}", r.violations.join("; "))
        };
        if !r.notes.is_empty() {
            verdict = format!("{verdict} ({})", r.notes.join("; "))
                .trim_start()
                .to_string();
        }
        rows.push(vec![
            r.rank.to_string(),
            r.candidate.clone(),
            fmt(r.objective.value),
            interval(r.objective.low, r.objective.high),
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
    let incremental = cmp.has_increment();
    for p in &cmp.pairs {
        for m in paired_headline(incremental) {
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

/// Renders each candidate's contribution waterfall (runs with contributions): per
/// mechanism its Shapley share of the incremental first buyers, its leave-one-out
/// increment, its cost and its incremental cost per acquisition, then the total.
pub fn render_contributions(cands: &[CandidateResult]) -> String {
    let mut out = String::new();
    for c in cands {
        let Some(w) = c.contributions.as_ref().map(|r| &r.waterfall) else {
            continue;
        };
        out.push_str(&format!(
            "\neach mechanism's contribution to the incremental first buyers{} ({} Shapley values, {:.0} worlds per trial)\n",
            if cands.len() > 1 || c.name != "base" {
                format!(" of {}", c.name)
            } else {
                String::new()
            },
            if w.exact { "exact" } else { "sampled" },
            w.worlds
        ));
        let mut rows = vec![
            [
                "mechanism",
                "shapley",
                "95% CI",
                "order se",
                "leave-one-out",
                "95% CI",
                "cost",
                "icpa",
                "95% CI",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for s in &w.steps {
            rows.push(vec![
                s.mechanism.clone(),
                fmt(s.first_buyers.mean),
                interval(s.first_buyers.ci95_low, s.first_buyers.ci95_high),
                fmt(s.order_se),
                fmt(s.leave_one_out.mean),
                interval(s.leave_one_out.ci95_low, s.leave_one_out.ci95_high),
                fmt(s.cost.mean),
                fmt(s.icpa.value),
                interval(s.icpa.low, s.icpa.high),
            ]);
        }
        rows.push(vec![
            "total increment".into(),
            fmt(w.total.mean),
            interval(w.total.ci95_low, w.total.ci95_high),
        ]);
        out.push_str(&align_rows(&rows));
    }
    out
}
