//! JUnit XML for CI systems: one `<testsuite>` per scenario, one `<testcase>` for the
//! scenario's fingerprint and one per (candidate, metric); failing rows carry a `<failure>`
//! with the message and the numbers.

use super::check::{CheckReport, Mode, Row, ScenarioReport, Status};
use crate::output::format::{self, Markup};

/// Escapes text for XML content and attribute values (control characters XML 1.0 does not
/// allow become U+FFFD).
pub fn escape(s: &str) -> String {
    format::escape(s, Markup::Xml)
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string())
        .unwrap_or_else(|| "undefined".into())
}

fn row_details(r: &Row) -> String {
    let side = |s: &Option<super::check::Side>| match s {
        Some(s) => format!("mean {} (sd {}, n {})", opt(s.mean), opt(s.sd), s.n),
        None => "absent".into(),
    };
    let mut d = format!(
        "baseline: {}\nnow: {}\ndifference: {}",
        side(&r.baseline),
        side(&r.now),
        opt(r.difference)
    );
    if let Some([lo, hi]) = r.interval {
        d.push_str(&format!("\ninterval: [{lo}, {hi}]"));
    }
    if let Some(p) = r.p_value {
        d.push_str(&format!("\np-value: {p:e}"));
    }
    if let Some(m) = &r.min_effect {
        d.push_str(&format!("\nminimum effect: {m}"));
    }
    d
}

fn suite(s: &ScenarioReport, out: &mut String) {
    let suite_name = escape(&s.scenario);
    let failures = s.rows.iter().filter(|r| r.failed).count()
        + usize::from(s.status == Status::ScenarioChanged);
    out.push_str(&format!(
        "  <testsuite name=\"{suite_name}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        s.rows.len() + 1
    ));
    out.push_str("    <properties>\n");
    for (k, v) in [
        ("scenario_file", s.scenario_file.clone()),
        ("baseline_file", s.baseline_file.clone()),
        (
            "mode",
            match s.mode {
                Mode::Exact => "exact".to_string(),
                Mode::Statistical => "statistical".to_string(),
            },
        ),
        ("seed", s.seed.to_string()),
        ("baseline_seed", s.baseline_seed.to_string()),
        ("trials", s.trials.to_string()),
        ("baseline_trials", s.baseline_trials.to_string()),
    ] {
        out.push_str(&format!(
            "      <property name=\"{k}\" value=\"{}\"/>\n",
            escape(&v)
        ));
    }
    out.push_str("    </properties>\n");
    // The fingerprint: fails when the scenario changed and that was not allowed.
    out.push_str(&format!(
        "    <testcase classname=\"{suite_name}\" name=\"scenario fingerprint\""
    ));
    if s.status == Status::ScenarioChanged {
        let keys: Vec<String> = s
            .changed_keys
            .iter()
            .map(|k| {
                format!(
                    "{}: {} -> {}",
                    k.key,
                    k.baseline.as_deref().unwrap_or("(absent)"),
                    k.now.as_deref().unwrap_or("(absent)")
                )
            })
            .collect();
        out.push_str(&format!(
            ">\n      <failure type=\"scenario_changed\" message=\"scenario changed since baseline ({} {} -> {})\">{}</failure>\n    </testcase>\n",
            keys.len(),
            if keys.len() == 1 { "key" } else { "keys" },
            escape(&s.fingerprint),
            escape(&keys.join("\n"))
        ));
    } else {
        out.push_str("/>\n");
    }
    for r in &s.rows {
        out.push_str(&format!(
            "    <testcase classname=\"{suite_name}.{}\" name=\"{}\"",
            escape(&r.candidate),
            escape(&r.metric)
        ));
        if r.failed {
            let message = format!("{}: {}", r.verdict.label(), r.message);
            out.push_str(&format!(
                ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                r.verdict.key(),
                escape(&message),
                escape(&row_details(r))
            ));
        } else {
            out.push_str("/>\n");
        }
    }
    out.push_str("  </testsuite>\n");
}

/// The JUnit XML document of a check.
pub fn render(report: &CheckReport) -> String {
    let tests: usize = report.scenarios.iter().map(|s| s.rows.len() + 1).sum();
    let failures: usize = report
        .scenarios
        .iter()
        .map(|s| {
            s.rows.iter().filter(|r| r.failed).count()
                + usize::from(s.status == Status::ScenarioChanged)
        })
        .sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"promosim baseline check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    for s in &report.scenarios {
        suite(s, &mut out);
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}"
        );
    }
}
