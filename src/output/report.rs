//! `report.html`: one self-contained page a planner can send.
//!
//! The page holds the scenario and candidates in plain words, the recommendation and the
//! ranking, the summary table with 95% intervals, the paired differences, the plots (PNG,
//! base64-embedded), the mechanisms' KPIs and cost breakdown, and the exact command,
//! version and seed that reproduce it. It loads nothing from the network and runs no
//! script. It carries no timestamp, so the same run gives the same bytes.

use super::format::{Markup, by_magnitude, escape, percent, percent_or_dash};
use super::plots::{Plot, display, metric_title};
use super::table::{INCREMENTAL_HEADLINE, paired_headline};
use super::{RunOutputs, union_metrics};
use crate::compare::{Comparison, Objective, PairedMetric};
use crate::dist::DistSpec;
use crate::kpi::{Cost, Unit};
use crate::results::{CORE_METRICS, CandidateResult, MetricSummary, Waterfall, wilson};
use std::fmt::Write;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    escape(s, Markup::Html)
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// A number for people: a few significant digits, thousands unseparated, a true minus.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x < 0.0 {
        return format!("−{}", num(-x));
    }
    by_magnitude(x, &[(1000.0, 0), (100.0, 1), (10.0, 2), (1.0, 3)], 4)
}

/// A metric's number scaled for display (rates in %) and its unit suffix.
fn scaled(metric: &str, x: f64, cur: &str) -> (String, String) {
    let (_, scale) = display(metric, cur);
    let unit = if scale == 100.0 {
        "%".to_string()
    } else if crate::mechanisms::describe(metric).is_some_and(|k| k.unit == Unit::Money) {
        format!(" {}", esc(cur))
    } else {
        String::new()
    };
    (num(x * scale), unit)
}

/// A metric's value with its unit, scaled for display (rates in %).
fn value(metric: &str, x: f64, cur: &str) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let (v, unit) = scaled(metric, x, cur);
    format!("{v}{unit}")
}

/// An interval with the unit written once: `41.08 to 41.56 CNY`.
fn interval(metric: &str, lo: f64, hi: f64, cur: &str) -> String {
    if lo.is_finite() && hi.is_finite() {
        let (a, unit) = scaled(metric, lo, cur);
        let (b, _) = scaled(metric, hi, cur);
        format!("{a} to {b}{unit}")
    } else {
        "–".into()
    }
}

fn dist_words(d: &DistSpec) -> String {
    match d {
        DistSpec::Fixed { value } => format!("{value:.0}"),
        DistSpec::Uniform { min, max } => format!("{min:.0} to {max:.0}"),
        DistSpec::Normal { mean, .. } | DistSpec::Gamma { mean, .. } => {
            format!("about {mean:.0} on average")
        }
        DistSpec::LogNormal { median, .. } => format!("a median of {median:.0}"),
        other => format!("{other:?}"),
    }
}

/// A mechanism in words, as its registry entry labels it.
fn mechanism_words(key: &str) -> &str {
    crate::mechanisms::entry(key).map_or(key, |e| e.label)
}

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: #1d2430; line-height: 1.45; }
h1 { font-size: 1.9em; margin: 0.2em 0; }
h2 { font-size: 1.35em; margin-top: 1.8em; border-bottom: 2px solid #e3e7ee; padding-bottom: 4px; }
.lead { font-size: 1.12em; color: #3b4656; }
.verdict { background: #eef5ee; border-left: 6px solid #59a14f; padding: 12px 18px; font-size: 1.08em; }
.verdict.unsure { background: #fdf6e7; border-left-color: #edc948; }
table { border-collapse: collapse; margin: 10px 0 6px; font-size: 0.95em; }
th, td { border-bottom: 1px solid #e3e7ee; padding: 6px 8px; text-align: right; vertical-align: top; white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text, td.name { text-align: left; }
td.text, th.text { white-space: normal; min-width: 120px; }
.wide { overflow-x: auto; }
th { background: #f5f7fa; }
td.text { max-width: 420px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
figure { margin: 18px 0 28px; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e7ee; }
figcaption { color: #4a5566; font-size: 0.95em; margin-top: 4px; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: #f5f7fa; padding: 12px; overflow-x: auto; }
.small { color: #5a6576; font-size: 0.9em; }
.bad { color: #b03a2e; }
"#;

fn swatch(i: usize) -> String {
    let c = super::plots::color(i);
    format!(
        "<span class=\"swatch\" style=\"background: rgb({}, {}, {})\"></span>",
        c.0, c.1, c.2
    )
}

/// Renders the report page.
pub fn render(out: &RunOutputs<'_>, plots: &[Plot]) -> String {
    let info = out.info;
    let cands = out.candidates;
    let cur = info.currency.as_str();
    let base = out.base;
    let mut h = String::new();
    let title = if cands.len() > 1 {
        format!("Which campaign to run: {}", base.name)
    } else {
        format!("Campaign forecast: {}", base.name)
    };
    let title = esc(&title);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    if !base.description.is_empty() {
        let _ = writeln!(h, "<p class=\"lead\">{}</p>", esc(&base.description));
    }
    if let Some(partial) = &info.partial {
        let _ = writeln!(
            h,
            "<p><strong>Not the whole run.</strong> {}: every figure below covers these trials only.</p>",
            esc(partial)
        );
    }

    // Recommendation.
    if let Some(cmp) = out.comparison {
        verdict(&mut h, cmp, cands, cur);
    }

    // The market and the candidates.
    let p = &base.product;
    let pop = &base.population;
    let mut market = format!(
        "The product is <b>{}</b> at {} {} per order (cost of goods {} {}, category “{}”). ",
        esc(&p.name),
        num(p.price),
        esc(cur),
        num(p.unit_cost),
        esc(cur),
        esc(&p.category)
    );
    let mut who = Vec::new();
    if pop.groups.count > 0 {
        who.push(format!(
            "{} chat groups of {} members each",
            pop.groups.count,
            dist_words(&pop.groups.size)
        ));
    }
    if pop.buyers > 0 {
        who.push(format!("{} buyers outside chat groups", pop.buyers));
    }
    if !who.is_empty() {
        let _ = write!(market, "The market simulated is {}. ", who.join(" and "));
    }
    let several = cands.len() > 1;
    let _ = write!(
        market,
        "{} simulated over {} days, {} times (trials) with master seed {}",
        if several {
            "Each campaign is"
        } else {
            "The campaign is"
        },
        info.horizon_days,
        info.trials,
        info.seed
    );
    market.push_str(if several {
        "; trial <i>i</i> of every candidate meets the same market (common random numbers), so the candidates are compared trial by trial."
    } else {
        "."
    });
    let _ = write!(
        h,
        "<h2 id=\"market\">The market and the {}</h2>\n<p>{market}</p>\n",
        if several { "candidates" } else { "campaign" }
    );
    h.push_str("<div class=\"wide\"><table>\n<tr><th>candidate</th><th class=\"text\">what it is</th><th class=\"text\">mechanisms</th><th class=\"text\">changes from the base scenario</th></tr>\n");
    for (i, c) in cands.iter().enumerate() {
        // A candidate extending another lists only what it adds.
        let parent = c
            .extends
            .as_ref()
            .and_then(|p| cands.iter().find(|o| &o.name == p));
        let own: Vec<&(String, String)> = c
            .changes
            .iter()
            .filter(|kv| parent.is_none_or(|p| !p.changes.contains(kv)))
            .collect();
        let mut changes = match parent {
            Some(p) => format!("everything in <b>{}</b>, plus:<br>", esc(&p.name)),
            None => String::new(),
        };
        if own.is_empty() {
            changes.push_str("none");
        } else {
            changes.push_str(
                &own.iter()
                    .map(|(k, v)| format!("<code>{} = {}</code>", esc(k), esc(v)))
                    .collect::<Vec<_>>()
                    .join("<br>"),
            );
        }
        let mechs = if c.mechanisms.is_empty() {
            "none (organic demand only)".to_string()
        } else {
            c.mechanisms
                .iter()
                .map(|m| mechanism_words(m))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{}{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
            swatch(i),
            esc(&c.name),
            if c.description.is_empty() && !several {
                "the scenario as written".to_string()
            } else {
                esc(&c.description)
            },
            esc(&mechs),
            changes
        );
    }
    h.push_str("</table></div>\n");

    // What each candidate buys over doing nothing, and what each mechanism adds.
    buys(&mut h, cands, cur);
    contributions(&mut h, cands, cur);

    // Ranking.
    if let Some(cmp) = out.comparison {
        ranking(&mut h, cmp, cands, cur);
    }

    // Summary table.
    summary_table(&mut h, cands, cur);

    // Paired differences.
    if let Some(cmp) = out.comparison {
        pairs_table(&mut h, cmp, cur);
    }

    // Plots.
    h.push_str("<h2 id=\"plots\">Plots</h2>\n");
    for p in plots {
        let (name, title, caption) = (esc(&p.name), esc(&p.title), esc(&p.caption));
        let _ = write!(
            h,
            "<figure id=\"{name}\">\n<img src=\"data:image/png;base64,{}\" width=\"{}\" height=\"{}\" alt=\"{title}\">\n<figcaption><b>{title}.</b> {caption} (Also written as <code>{name}.png</code> and <code>{name}.svg</code>.)</figcaption>\n</figure>\n",
            base64(&p.png),
            p.width,
            p.height,
        );
    }

    // Mechanisms.
    mechanisms(&mut h, cands, cur);

    // Reproduce.
    let _ = write!(
        h,
        "<h2 id=\"reproduce\">Reproduce this report</h2>\n<p>promosim {} · scenario <code>{}</code> · seed {} · {} trials · {} days · money in {}.</p>\n<pre>{}</pre>\n<p class=\"small\">The same command, version and seed give the same numbers on any machine and thread count.</p>\n",
        esc(&info.version),
        esc(&info.scenario_file),
        info.seed,
        info.trials,
        info.horizon_days,
        esc(cur),
        esc(&info.command)
    );
    for (name, text) in out.resolved {
        let _ = write!(
            h,
            "<details><summary>Resolved scenario: <code>{}</code> (every default filled in)</summary>\n<pre>{}</pre>\n</details>\n",
            esc(name),
            esc(text)
        );
    }
    h.push_str("<h2 id=\"estimators\">How to read the numbers</h2>\n<p class=\"small\">Each figure is a mean across trials; “95% CI” is the 95% confidence interval of that mean, mean ± t(0.975, n − 1)·sd/√n. “5%–95% of trials” is the range between the 5th and 95th percentiles (type-7 quantiles), where a single run of the campaign is likely to land. A paired difference A − B is computed trial by trial on the same market; its interval is the Student-t interval of the mean paired difference, and “better in x% of trials” counts the trials in which A did better than B (ties counted apart). Undefined values (e.g. a cost per acquisition with no buyer) are left out.</p>\n</body>\n</html>\n");
    h
}

fn verdict(h: &mut String, cmp: &Comparison, cands: &[CandidateResult], cur: &str) {
    let metric = cmp.objective_metric();
    let Some(best) = cmp.ranking.first() else {
        return;
    };
    let dir = if cmp.higher_is_better() {
        "highest"
    } else {
        "lowest"
    };
    let mut text;
    let mut sure = true;
    if !best.feasible {
        sure = false;
        text = format!(
            "No candidate meets every constraint. The closest is <b>{}</b>: {}.",
            esc(&best.candidate),
            esc(&best.violations.join("; "))
        );
    } else {
        let o = &best.objective;
        text = format!(
            "Run <b>{}</b>. It has the {dir} {}: {} (95% CI {}; {}).",
            esc(&best.candidate),
            esc(cmp.objective.label()),
            value(metric, o.value, cur),
            interval(metric, o.low, o.high, cur),
            o.method.words()
        );
        if !best.notes.is_empty() {
            sure = false;
            let _ = write!(text, " Note: {}.", esc(&best.notes.join("; ")));
        }
        if let (Some(g), Some(next)) = (&best.vs_next, &best.next) {
            let d = g.difference;
            let word = if d.value < 0.0 { "lower" } else { "higher" };
            let _ = write!(
                text,
                " Against the runner-up, <b>{}</b>, it is {} {word} (95% CI of the paired difference {}",
                esc(next),
                value(metric, d.value.abs(), cur),
                interval(metric, d.low, d.high, cur),
            );
            if let Some(p) = g.p_better {
                let _ = write!(
                    text,
                    "; better in {} of the {} paired trials",
                    percent_or_dash(Some(p)),
                    d.n
                );
            }
            text.push_str(").");
            if g.clearly_better(cmp.higher_is_better()) {
                text.push_str(" The interval excludes zero: the ranking is not an accident of the trials drawn.");
            } else {
                sure = false;
                text.push_str(" The interval includes zero: the two cannot be told apart with these trials; run more trials or choose on other grounds.");
            }
        }
        if let Some(c) = cands.iter().find(|c| c.name == best.candidate) {
            let (words, pays) = buys_words(c, cur);
            text.push(' ');
            text.push_str(&words);
            sure &= pays;
        }
    }
    let _ = writeln!(
        h,
        "<h2 id=\"recommendation\">Recommendation</h2>\n<p class=\"verdict{}\">{text}</p>",
        if sure { "" } else { " unsure" }
    );
}

/// What candidate `c` buys over doing nothing, in words, and whether it pays back in most
/// trials (without the no-campaign world: its totals, and `true`).
fn buys_words(c: &CandidateResult, cur: &str) -> (String, bool) {
    let s = |m: &str| c.summary_of(m);
    let (Some(fb), Some(conv), Some(gm), Some(cost), Some(roi)) = (
        s("inc_first_buyers"),
        s("inc_conversion"),
        s("inc_gross_margin"),
        s("cost"),
        s("inc_roi"),
    ) else {
        return match (s("conversion_rate"), s("cost")) {
            (Some(conv), Some(cost)) => (
                format!(
                    "Expect a conversion of {} of the market (5%–95% of trials: {}), organic buyers included, for a campaign cost of {}.",
                    value("conversion_rate", conv.mean, cur),
                    interval("conversion_rate", conv.p05, conv.p95, cur),
                    value("cost", cost.mean, cur)
                ),
                true,
            ),
            _ => (String::new(), true),
        };
    };
    let payback = c.column("payback").map(|v| wilson(&v));
    let mut t = format!(
        "Over doing nothing, on the same markets, it adds {} first buyers (95% CI {}), {} percentage points of conversion, and {} of gross margin (95% CI {}) for a campaign cost of {}: an incremental ROI of {} (95% CI {})",
        num(fb.mean),
        interval("inc_first_buyers", fb.ci95_low, fb.ci95_high, cur),
        num(100.0 * conv.mean),
        value("inc_gross_margin", gm.mean, cur),
        interval("inc_gross_margin", gm.ci95_low, gm.ci95_high, cur),
        value("cost", cost.mean, cur),
        value("inc_roi", roi.mean, cur),
        interval("inc_roi", roi.ci95_low, roi.ci95_high, cur),
    );
    let mut pays = true;
    match payback {
        Some(p) if p.is_defined() => {
            let _ = write!(
                t,
                ", and it pays back in {} of trials (95% CI {}).",
                percent(p.value),
                interval("payback", p.low, p.high, cur)
            );
            if p.value < 0.5 {
                pays = false;
                t.push_str(" <b>It loses money in most trials</b>: the margin it adds is worth less than it costs.");
            }
        }
        _ => t.push_str(" (it costs nothing, so it cannot fail to pay back)."),
    }
    (t, pays)
}

/// The section every report with the no-campaign world has: what each candidate buys
/// over doing nothing, with intervals and the range of trials.
fn buys(h: &mut String, cands: &[CandidateResult], cur: &str) {
    if !cands.iter().any(|c| c.has_increment()) {
        return;
    }
    h.push_str("<h2 id=\"buys\">What the campaign buys over doing nothing</h2>\n<p>Each trial is run twice on the same random numbers: with the campaign, and with every mechanism off. The figures below are the differences (effects over the no-campaign world), for the whole market simulated (group members and outsiders). The incremental cost per acquisition is the mean cost over the mean incremental first buyers; the payback probability is the share of trials whose incremental gross margin exceeds the cost (Wilson interval).</p>\n");
    if let [c] = cands {
        let _ = writeln!(h, "<p class=\"verdict\">{}</p>", buys_words(c, cur).0);
    }
    h.push_str("<div class=\"wide\"><table>\n<tr><th>effect over doing nothing</th>");
    for (i, c) in cands.iter().enumerate() {
        let _ = write!(h, "<th>{}{}</th>", swatch(i), esc(&c.name));
    }
    h.push_str("</tr>\n");
    for m in INCREMENTAL_HEADLINE {
        let _ = write!(h, "<tr><td class=\"text\">{}</td>", esc(&display(m, cur).0));
        for c in cands {
            match c.summary_of(m) {
                Some(_) if *m == "icpa" => {
                    let e = Objective::Icpa.estimate(c);
                    let _ = write!(
                        h,
                        "<td><b>{}</b><br><span class=\"small\">CI {}<br>ratio of means</span></td>",
                        value(m, e.value, cur),
                        interval(m, e.low, e.high, cur)
                    );
                }
                Some(s) => {
                    let _ = write!(h, "<td>{}</td>", cell(m, s, cur));
                }
                None => h.push_str("<td>–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

/// Each mechanism's contribution to the increment (runs with contributions).
fn contributions(h: &mut String, cands: &[CandidateResult], cur: &str) {
    let all: Vec<(&CandidateResult, Waterfall)> = cands
        .iter()
        .filter_map(|c| Some((c, c.contributions.as_ref()?.waterfall.clone())))
        .collect();
    if all.is_empty() {
        return;
    }
    h.push_str("<h2 id=\"contributions\">What each mechanism adds</h2>\n<p>Each trial was also run with subsets of the mechanisms on. A mechanism's <b>Shapley value</b> is its increment averaged over every order in which the mechanisms could be added; the values add up to the campaign's increment in every trial, so they split it without double counting. <b>Leave one out</b> is what the campaign loses without the mechanism; these need not add up (they exceed the Shapley values where mechanisms reinforce each other). A mechanism's incremental cost per acquisition is its cost over its Shapley share of the incremental first buyers (ratio of means, delta-method interval). The plot <i>Each mechanism's contribution</i> shows the same as a waterfall.</p>\n");
    for (c, w) in all {
        let _ = write!(
            h,
            "<p><b>{}</b>: {} Shapley values, {:.0} worlds simulated per trial.</p>\n<div class=\"wide\"><table>\n<tr><th class=\"text\">mechanism</th><th>incremental first buyers (Shapley)</th><th>leave one out</th><th>cost</th><th>incremental cost per acquisition</th></tr>\n",
            esc(&c.name),
            if w.exact { "exact" } else { "sampled" },
            w.worlds
        );
        for s in &w.steps {
            let fb = &s.first_buyers;
            let lo = &s.leave_one_out;
            let _ = writeln!(
                h,
                "<tr><td class=\"text\">{}</td><td>{}<br><span class=\"small\">CI {}</span></td><td>{}<br><span class=\"small\">CI {}</span></td><td>{}</td><td>{}<br><span class=\"small\">CI {}</span></td></tr>",
                esc(mechanism_words(&s.mechanism)),
                num(fb.mean),
                interval("inc_first_buyers", fb.ci95_low, fb.ci95_high, cur),
                num(lo.mean),
                interval("inc_first_buyers", lo.ci95_low, lo.ci95_high, cur),
                value("cost", s.cost.mean, cur),
                value("icpa", s.icpa.value, cur),
                interval("icpa", s.icpa.low, s.icpa.high, cur),
            );
        }
        let t = &w.total;
        let _ = writeln!(
            h,
            "<tr><td class=\"text\"><b>the campaign</b></td><td><b>{}</b><br><span class=\"small\">CI {}</span></td><td></td><td></td><td></td></tr>\n</table></div>",
            num(t.mean),
            interval("inc_first_buyers", t.ci95_low, t.ci95_high, cur),
        );
    }
}

fn ranking(h: &mut String, cmp: &Comparison, cands: &[CandidateResult], cur: &str) {
    let metric = cmp.objective_metric();
    let mut cons = Vec::new();
    if let Some(b) = cmp.constraints.max_cost {
        cons.push(format!(
            "campaign cost within {} in at least 95% of trials",
            value("cost", b, cur)
        ));
    }
    if let Some(c) = cmp.constraints.min_conversion {
        cons.push(format!(
            "mean conversion at least {}",
            value("conversion_rate", c, cur)
        ));
    }
    let _ = write!(
        h,
        "<h2 id=\"ranking\">Ranking</h2>\n<p>By {} (<code>{}</code>, {}; {} is better){}. Each row compares the candidate with the next one down on the same trials: the paired difference (this − next), its 95% interval, the share of trials in which this one did better (for figures defined per trial), and whether the interval excludes zero (“clearly better”) or not (“within noise”).</p>\n",
        esc(cmp.objective.label()),
        esc(metric),
        cmp.objective.method().words(),
        if cmp.higher_is_better() {
            "higher"
        } else {
            "lower"
        },
        if cons.is_empty() {
            String::new()
        } else {
            format!("; constraints: {}", cons.join(", "))
        }
    );
    h.push_str("<div class=\"wide\"><table>\n<tr><th>rank</th><th class=\"text\">candidate</th><th>estimate</th><th>95% CI</th><th>vs next</th><th>95% CI</th><th>better in</th><th class=\"text\">verdict</th></tr>\n");
    for r in &cmp.ranking {
        let i = cands
            .iter()
            .position(|c| c.name == r.candidate)
            .unwrap_or(0);
        let (d, ci, p) = match &r.vs_next {
            Some(g) => (
                signed(metric, g.difference.value, cur),
                interval(metric, g.difference.low, g.difference.high, cur),
                percent_or_dash(g.p_better),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        let mut verdict = if !r.feasible {
            format!(
                "<span class=\"bad\">fails: {}</span>",
                esc(&r.violations.join("; "))
            )
        } else {
            match (r.clearly_better_than_next(cmp.higher_is_better()), &r.next) {
                (Some(true), Some(_)) => "clearly better".to_string(),
                (Some(false), Some(_)) => "within noise".to_string(),
                _ => String::new(),
            }
        };
        for n in &r.notes {
            let _ = write!(verdict, "<br><span class=\"small\">{}</span>", esc(n));
        }
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"name\">{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
            r.rank,
            swatch(i),
            esc(&r.candidate),
            value(metric, r.objective.value, cur),
            interval(metric, r.objective.low, r.objective.high, cur),
            d,
            ci,
            p,
            verdict
        );
    }
    h.push_str("</table></div>\n");
}

fn signed(metric: &str, x: f64, cur: &str) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let v = value(metric, x.abs(), cur);
    if x > 0.0 {
        format!("+{v}")
    } else if x < 0.0 {
        format!("−{v}")
    } else {
        v
    }
}

/// Rows of the summary table: the core metrics, conversion first, without the buyers
/// simulated and the repeat buyers (the rates say what matters of them).
fn summary_metrics() -> impl Iterator<Item = &'static str> {
    std::iter::once("conversion_rate").chain(
        CORE_METRICS
            .iter()
            .copied()
            .filter(|m| !matches!(*m, "population" | "conversion_rate" | "repeat_buyers")),
    )
}

fn summary_table(h: &mut String, cands: &[CandidateResult], cur: &str) {
    let _ = write!(
        h,
        "<h2 id=\"summary\">Summary</h2>\n<p>Mean per trial, its 95% confidence interval, and the range of 90% of trials (5th to 95th percentile).</p>\n<div class=\"wide\"><table>\n<tr><th>metric</th>"
    );
    for (i, c) in cands.iter().enumerate() {
        let _ = write!(h, "<th>{}{}</th>", swatch(i), esc(&c.name));
    }
    h.push_str("</tr>\n");
    for m in summary_metrics() {
        let _ = write!(h, "<tr><td class=\"text\">{}</td>", esc(&display(m, cur).0));
        for c in cands {
            match c.summary_of(m) {
                Some(s) => {
                    let _ = write!(h, "<td>{}</td>", cell(m, s, cur));
                }
                None => h.push_str("<td>–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

fn cell(m: &str, s: &MetricSummary, cur: &str) -> String {
    format!(
        "<b>{}</b><br><span class=\"small\">CI {}<br>90% of trials: {}</span>",
        value(m, s.mean, cur),
        interval(m, s.ci95_low, s.ci95_high, cur),
        interval(m, s.p05, s.p95, cur)
    )
}

fn pairs_table(h: &mut String, cmp: &Comparison, cur: &str) {
    h.push_str("<h2 id=\"pairs\">Paired differences</h2>\n<p>For each pair A − B: the mean difference per trial on the same market, its 95% confidence interval, and the share of trials in which each did better.</p>\n<div class=\"wide\"><table>\n<tr><th>A − B</th><th class=\"text\">metric</th><th>mean difference</th><th>95% CI</th><th>A better in</th><th>B better in</th><th>equal in</th></tr>\n");
    let incremental = cmp.has_increment();
    for p in &cmp.pairs {
        for m in paired_headline(incremental) {
            let Some(pm) = p.metric(m) else { continue };
            pair_row(h, &p.a, &p.b, pm, cur);
        }
    }
    h.push_str("</table></div>\n");
}

fn pair_row(h: &mut String, a: &str, b: &str, pm: &PairedMetric, cur: &str) {
    let m = pm.metric.as_str();
    let _ = writeln!(
        h,
        "<tr><td>{} − {}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        esc(a),
        esc(b),
        esc(&metric_title(m)),
        signed(m, pm.diff.mean, cur),
        interval(m, pm.diff.ci95_low, pm.diff.ci95_high, cur),
        percent_or_dash(pm.p_a_beats_b()),
        percent_or_dash(pm.p_b_beats_a()),
        percent_or_dash(Some(pm.equal))
    );
}

/// ` (12%)`, or ` (<1%)` for a small positive share.
fn share_of(v: f64, total: f64) -> String {
    let p = 100.0 * v / total;
    if p > 0.0 && p < 0.5 {
        " (<1%)".into()
    } else {
        format!(" ({p:.0}%)")
    }
}

fn mechanisms(h: &mut String, cands: &[CandidateResult], cur: &str) {
    let names = union_metrics(cands);
    let kpis: Vec<&String> = names
        .iter()
        .filter(|n| {
            !CORE_METRICS.contains(&n.as_str())
                && !crate::kpi::INCREMENTAL.iter().any(|k| k.name == n.as_str())
        })
        .collect();
    h.push_str("<h2 id=\"mechanisms\">Mechanisms: costs and KPIs</h2>\n");
    // Cost breakdown.
    let costs: Vec<&&String> = kpis
        .iter()
        .filter(|k| crate::mechanisms::describe(k).is_some_and(|d| d.cost == Cost::Item))
        .collect();
    h.push_str("<p>Campaign cost per trial (mean): each mechanism's items of the campaign cost (as the mechanism reports them; the items never overlap) and their share of the total campaign cost.</p>\n<div class=\"wide\"><table>\n<tr><th>cost item</th>");
    for (i, c) in cands.iter().enumerate() {
        let _ = write!(h, "<th>{}{}</th>", swatch(i), esc(&c.name));
    }
    h.push_str("</tr>\n");
    let mean = |c: &CandidateResult, m: &str| c.summary_of(m).map(|s| s.mean);
    for k in &costs {
        let _ = write!(h, "<tr><td><code>{}</code></td>", esc(k));
        for c in cands {
            match (mean(c, k), mean(c, "cost")) {
                (Some(v), Some(t)) if v.is_finite() => {
                    let share = if t > 0.0 {
                        share_of(v, t)
                    } else {
                        String::new()
                    };
                    let _ = write!(h, "<td>{}{share}</td>", value("cost", v, cur));
                }
                _ => h.push_str("<td>–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    // Cost booked outside the mechanisms' own cost KPIs (e.g. coupons redeemed at checkout).
    let other: Vec<Option<f64>> = cands
        .iter()
        .map(|c| {
            let total = mean(c, "cost")?;
            let parts: f64 = costs
                .iter()
                .filter_map(|k| mean(c, k))
                .filter(|v| v.is_finite())
                .sum();
            Some(total - parts)
        })
        .collect();
    if other.iter().flatten().any(|v| *v > 1e-9 * (1.0 + v.abs())) {
        h.push_str("<tr><td class=\"text\">other (booked outside the mechanisms' cost KPIs, e.g. coupons redeemed)</td>");
        for (c, v) in cands.iter().zip(&other) {
            match (v, mean(c, "cost")) {
                // Some cost KPIs count costs not booked as campaign cost (e.g. review
                // labour): then nothing is left to attribute.
                (Some(v), Some(t)) if *v > 0.0 => {
                    let share = if t > 0.0 {
                        share_of(*v, t)
                    } else {
                        String::new()
                    };
                    let _ = write!(h, "<td>{}{share}</td>", value("cost", *v, cur));
                }
                _ => h.push_str("<td>–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    for (label, m) in [
        ("total campaign cost", "cost"),
        (
            "cost per first buyer, organic buyers included",
            "cost_per_buyer",
        ),
        ("revenue", "revenue"),
    ] {
        let _ = write!(h, "<tr><td><b>{label}</b></td>");
        for c in cands {
            let _ = write!(
                h,
                "<td><b>{}</b></td>",
                mean(c, m).map(|v| value(m, v, cur)).unwrap_or("–".into())
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
    if kpis.is_empty() {
        h.push_str("<p>No mechanism runs in any candidate.</p>\n");
        return;
    }
    h.push_str("<p>Each mechanism's KPIs: mean per trial and its 95% confidence interval (– where the candidate does not run the mechanism or the KPI is undefined).</p>\n<div class=\"wide\"><table>\n<tr><th>KPI</th>");
    for (i, c) in cands.iter().enumerate() {
        let _ = write!(h, "<th>{}{}</th>", swatch(i), esc(&c.name));
    }
    h.push_str("</tr>\n");
    for k in &kpis {
        let _ = write!(h, "<tr><td><code>{}</code></td>", esc(k));
        for c in cands {
            match c.summary_of(k) {
                Some(s) if s.mean.is_finite() => {
                    let _ = write!(
                        h,
                        "<td>{}<br><span class=\"small\">{}</span></td>",
                        num(s.mean),
                        if s.ci95_low.is_finite() && s.ci95_low != s.ci95_high {
                            format!("{} to {}", num(s.ci95_low), num(s.ci95_high))
                        } else {
                            String::new()
                        }
                    );
                }
                _ => h.push_str("<td>–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }
}
