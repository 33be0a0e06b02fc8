//! CSV exporters.
//!
//! Text cells (candidate names, which come from scenario files) are neutralised against
//! spreadsheet formula injection, following the OWASP advice on CSV injection: a cell that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a single
//! quote in front (`'=HYPERLINK(…)`), so a spreadsheet shows it as text instead of running
//! it. Numbers are written as they are (a negative number stays a number).

use super::{OutputError, num, union_metrics};
use crate::compare::Comparison;
use crate::results::{CandidateResult, DailyBand, Estimator, MetricSummary};

/// A text cell as written: with a `'` in front when a spreadsheet would read it as a
/// formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return).
pub(crate) fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn finish(w: ::csv::Writer<Vec<u8>>, what: &'static str) -> Result<Vec<u8>, OutputError> {
    w.into_inner().map_err(|e| OutputError::Serialise {
        what,
        message: e.to_string(),
    })
}

fn ser(what: &'static str) -> impl Fn(::csv::Error) -> OutputError {
    move |e| OutputError::Serialise {
        what,
        message: e.to_string(),
    }
}

/// `trials.csv`: one row per (candidate, trial), written to `to` row by row. The columns
/// are the union of every candidate's metrics; a metric a candidate does not report is
/// left empty.
pub fn trials(cands: &[CandidateResult], to: &mut dyn std::io::Write) -> Result<(), OutputError> {
    let mut w = ::csv::Writer::from_writer(to);
    let e = ser("trials.csv");
    let names = union_metrics(cands);
    if !cands.is_empty() {
        let mut header = vec!["candidate".to_string(), "trial".to_string()];
        header.extend(names.iter().cloned());
        w.write_record(&header).map_err(&e)?;
    }
    for c in cands {
        let idx: Vec<Option<usize>> = names
            .iter()
            .map(|n| c.metrics.iter().position(|m| m == n))
            .collect();
        c.try_for_each_row(|t, values| {
            let mut row = vec![text_cell(&c.name), t.to_string()];
            row.extend(
                idx.iter()
                    .map(|k| k.map(|k| num(values[k])).unwrap_or_default()),
            );
            w.write_record(&row).map_err(&e)
        })?;
    }
    w.flush().map_err(|e| OutputError::Serialise {
        what: "trials.csv",
        message: e.to_string(),
    })
}

/// A record: the leading text fields, then the numbers (empty when undefined).
fn record<const N: usize>(lead: [String; 3], numbers: [f64; N]) -> Vec<String> {
    lead.into_iter().chain(numbers.map(num)).collect()
}

/// A header: the leading column names, then the names of the numbers.
fn header<const N: usize>(
    lead: [&'static str; 3],
    numbers: [&'static str; N],
) -> Vec<&'static str> {
    lead.into_iter().chain(numbers).collect()
}

fn summary_row(candidate: &str, s: &MetricSummary) -> Vec<String> {
    record(
        [text_cell(candidate), text_cell(&s.metric), s.n.to_string()],
        s.numbers(),
    )
}

/// `summary.csv`: one row per (candidate, metric); with a comparison, then one row per
/// (pair, metric) whose candidate is `A - B` and whose statistics are those of the paired
/// differences `A_i − B_i`.
pub fn summary(
    cands: &[CandidateResult],
    comparison: Option<&Comparison>,
) -> Result<Vec<u8>, OutputError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let e = ser("summary.csv");
    w.write_record(header(["candidate", "metric", "n"], MetricSummary::NUMBERS))
        .map_err(&e)?;
    for c in cands {
        for s in &c.summary {
            w.write_record(summary_row(&c.name, s)).map_err(&e)?;
        }
    }
    if let Some(cmp) = comparison {
        for p in &cmp.pairs {
            let label = format!("{} - {}", p.a, p.b);
            for m in &p.metrics {
                w.write_record(summary_row(&label, &m.diff)).map_err(&e)?;
            }
        }
    }
    finish(w, "summary.csv")
}

/// `daily.csv`: cumulative first buyers and orders per day, mean and quantiles.
pub fn daily(cands: &[CandidateResult]) -> Result<Vec<u8>, OutputError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let e = ser("daily.csv");
    w.write_record(header(["candidate", "series", "day"], DailyBand::NUMBERS))
        .map_err(&e)?;
    for c in cands {
        for (series, bands) in [
            ("first_buyers", &c.daily_first_buyers),
            ("orders", &c.daily_orders),
        ] {
            for b in bands.iter() {
                let lead = [text_cell(&c.name), series.to_string(), b.day.to_string()];
                w.write_record(record(lead, b.numbers())).map_err(&e)?;
            }
        }
    }
    finish(w, "daily.csv")
}

/// `contributions.csv` (only for runs with contributions): one row per (candidate,
/// mechanism, estimator, outcome) with the summary of the per-trial contributions and
/// `order_se`, the standard error the sampled orders add to the mean (0 when exact); then
/// per mechanism a row with outcome `icpa`: the ratio of means of its Shapley cost and
/// first buyers in `mean` with its delta-method interval (no spread or quantiles).
pub fn contributions(cands: &[CandidateResult]) -> Result<Option<Vec<u8>>, OutputError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let e = ser("contributions.csv");
    let mut any = false;
    for c in cands {
        let Some(r) = &c.contributions else {
            continue;
        };
        if !any {
            let mut h = vec!["candidate", "mechanism", "estimator", "outcome", "n"];
            h.extend(MetricSummary::NUMBERS);
            h.push("order_se");
            w.write_record(h).map_err(&e)?;
            any = true;
        }
        for r in &r.summaries {
            let mut row = vec![
                text_cell(&c.name),
                r.mechanism.clone(),
                r.estimator.key().to_string(),
                r.outcome.to_string(),
                r.summary.n.to_string(),
            ];
            row.extend(r.summary.numbers().map(num));
            row.push(num(r.order_se));
            w.write_record(&row).map_err(&e)?;
        }
        for (key, r) in c.mechanisms.iter().zip(&r.icpa) {
            let mut row = vec![
                text_cell(&c.name),
                key.clone(),
                Estimator::Shapley.key().to_string(),
                "icpa".to_string(),
                r.n.to_string(),
            ];
            row.extend(
                [
                    r.value,
                    f64::NAN,
                    f64::NAN,
                    f64::NAN,
                    f64::NAN,
                    r.low,
                    r.high,
                    f64::NAN,
                ]
                .map(num),
            );
            w.write_record(&row).map_err(&e)?;
        }
    }
    if !any {
        return Ok(None);
    }
    finish(w, "contributions.csv").map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_cells_are_neutralised() {
        for (raw, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("plain", "plain"),
            ("a - b", "a - b"),
            ("", ""),
        ] {
            assert_eq!(text_cell(raw), written, "{raw:?}");
        }
    }
}
