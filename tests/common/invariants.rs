//! Invariants every trial and every summary must satisfy, whatever the scenario: the
//! fuzzer (`tests/fuzz.rs`) checks them on mutated scenarios, the property tests
//! (`tests/properties.rs`) on random valid ones.
//!
//! ## The rule for undefined values
//! A metric value is NaN (written as an empty cell, `null` in JSON) only where its
//! definition divides by zero (`promosim::results::ratio`): the rules below name that
//! denominator for each core and incremental metric, so a NaN anywhere else, and an
//! infinite value anywhere, is a finding. A mechanism's KPI may be undefined where its
//! own ratio is (a share of zero events); its counts and cost items never are. Every
//! defined value of a metric declared a share lies in [0, 1], an indicator is 0 or 1, a
//! count or a cost is at least 0.
//!
//! The checks return the broken invariants as text (empty: all hold), so a caller can
//! print them with the input that broke them.

use promosim::kpi::{Cost, Unit};
use promosim::results::{CandidateResult, MetricSummary, TrialResult};

/// How a core or incremental metric may be undefined.
enum Defined {
    /// Always a finite number.
    Always,
    /// Undefined exactly when the named denominator is 0.
    Unless(&'static str),
    /// Defined exactly when the campaign has a cost and an increment of first buyers
    /// (`icpa`).
    WithCostAndIncrement,
}

/// The undefined-value rule of a core or incremental metric; `None` for a KPI.
fn rule(metric: &str) -> Option<Defined> {
    Some(match metric {
        "population" | "first_buyers" | "repeat_buyers" | "orders" | "revenue" | "cost" => {
            Defined::Always
        }
        "conversion_rate" | "inc_conversion" => Defined::Unless("population"),
        "repurchase_rate" | "cost_per_buyer" | "clv" => Defined::Unless("first_buyers"),
        "total_roi" | "iroas" | "inc_roi" | "payback" => Defined::Unless("cost"),
        "inc_first_buyers" | "inc_repeat_buyers" | "inc_orders" | "inc_revenue"
        | "inc_gross_margin" => Defined::Always,
        "icpa" => Defined::WithCostAndIncrement,
        _ => return None,
    })
}

/// The broken value rules of one trial's metric values `values` (named `names`, the
/// candidate's metric names).
pub fn check_values(names: &[String], values: &[f64]) -> Vec<String> {
    let mut out = Vec::new();
    if names.len() != values.len() {
        out.push(format!(
            "{} metric names but {} values",
            names.len(),
            values.len()
        ));
        return out;
    }
    let get = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .map(|k| values[k])
            .unwrap_or(f64::NAN)
    };
    for (name, &v) in names.iter().zip(values) {
        if v.is_infinite() {
            out.push(format!("{name} = {v}: infinite"));
            continue;
        }
        let defined = match rule(name) {
            Some(Defined::Always) => true,
            Some(Defined::Unless(denominator)) => get(denominator) != 0.0,
            Some(Defined::WithCostAndIncrement) => {
                get("cost") > 0.0 && get("inc_first_buyers") > 0.0
            }
            None => {
                let Some(k) = promosim::mechanisms::describe(name) else {
                    out.push(format!("{name}: no descriptor"));
                    continue;
                };
                // Counts and costs are tallies: always defined.
                let tally =
                    name.contains("_attributed_") || matches!(k.cost, Cost::Item | Cost::PartOf(_));
                if !tally {
                    if !v.is_nan() {
                        check_unit(name, k.unit, v, &mut out);
                    }
                    continue;
                }
                true
            }
        };
        if defined == v.is_nan() {
            out.push(format!(
                "{name} = {v}: {} by its rule",
                if defined { "defined" } else { "undefined" }
            ));
        }
        if let (false, Some(k)) = (v.is_nan(), promosim::mechanisms::describe(name)) {
            check_unit(name, k.unit, v, &mut out);
        }
    }
    out
}

/// A defined value of a metric declared in `unit` lies in the unit's range.
fn check_unit(name: &str, unit: Unit, v: f64, out: &mut Vec<String>) {
    let incremental = name.starts_with("inc_");
    let ok = match unit {
        // An increment of a share (`inc_conversion`) is a difference of two shares.
        Unit::Share if incremental => (-1.0..=1.0).contains(&v),
        Unit::Share => (0.0..=1.0).contains(&v),
        Unit::Indicator => v == 0.0 || v == 1.0,
        // A lifetime value is a margin: negative when the unit cost exceeds the price.
        Unit::Money if name == "clv" => true,
        // Increments of counts and money may be negative; tallies may not.
        Unit::Count | Unit::Money | Unit::Minutes | Unit::Seconds if !incremental => v >= 0.0,
        _ => true,
    };
    if !ok {
        out.push(format!("{name} = {v}: outside the range of a {unit:?}"));
    }
}

/// The broken rules of a summary: `n` counts the defined values; with none every number
/// is undefined, with one the mean and quantiles are defined, with two or more every
/// number is.
pub fn check_summary(s: &MetricSummary, column: &[f64]) -> Vec<String> {
    let mut out = Vec::new();
    let n = column.iter().filter(|v| !v.is_nan()).count();
    if s.n != n {
        out.push(format!("{}: n = {} but {n} defined values", s.metric, s.n));
    }
    let numbers = s.numbers();
    for (name, x) in MetricSummary::NUMBERS.iter().zip(numbers) {
        let must = match n {
            0 => false,
            1 => matches!(*name, "mean" | "p05" | "p50" | "p95"),
            _ => true,
        };
        if x.is_infinite() || (n == 0 && !x.is_nan()) || (must && !x.is_finite()) {
            out.push(format!(
                "{}: {name} = {x} with {n} defined values",
                s.metric
            ));
        }
    }
    out
}

/// Every value and summary rule of a candidate's results.
pub fn check_candidate(c: &CandidateResult) -> Vec<String> {
    let mut out = Vec::new();
    c.for_each_row(|t, row| {
        let row = &row[..c.metrics.len().min(row.len())];
        out.extend(
            check_values(&c.metrics, row)
                .into_iter()
                .map(|p| format!("{} trial {t}: {p}", c.name)),
        );
    });
    if c.summary.len() != c.metrics.len() {
        out.push(format!(
            "{}: {} summaries for {} metrics",
            c.name,
            c.summary.len(),
            c.metrics.len()
        ));
    }
    for (k, s) in c.summary.iter().enumerate() {
        let column = c.column(&c.metrics[k]).unwrap_or_default();
        out.extend(check_summary(s, &column));
    }
    out
}

/// The counting invariants of one trial: first buyers at most the population, repeat
/// buyers at most the first buyers, orders at least the first buyers, costs at least 0,
/// the same bounds in the no-campaign world, and cumulative daily series that never fall
/// and end at the totals.
pub fn check_counts(t: &TrialResult) -> Vec<String> {
    let mut out = Vec::new();
    let mut worlds = vec![("campaign", &t.campaign)];
    if let Some(none) = &t.no_campaign {
        worlds.push(("no campaign", none));
    }
    for (w, o) in worlds {
        if o.first_buyers > t.population {
            out.push(format!(
                "{w}: {} first buyers > population {}",
                o.first_buyers, t.population
            ));
        }
        if o.repeat_buyers > o.first_buyers {
            out.push(format!(
                "{w}: {} repeat buyers > {} first buyers",
                o.repeat_buyers, o.first_buyers
            ));
        }
        if o.orders < o.first_buyers {
            out.push(format!(
                "{w}: {} orders < {} first buyers",
                o.orders, o.first_buyers
            ));
        }
        if !(o.cost >= 0.0 && o.cost.is_finite()) {
            out.push(format!("{w}: cost {}", o.cost));
        }
        if !(o.revenue >= 0.0 && o.revenue.is_finite()) {
            out.push(format!("{w}: revenue {}", o.revenue));
        }
    }
    for (name, series, total) in [
        (
            "daily first buyers",
            &t.daily_first_buyers,
            t.campaign.first_buyers,
        ),
        ("daily orders", &t.daily_orders, t.campaign.orders),
    ] {
        if series.windows(2).any(|w| w[1] < w[0]) {
            out.push(format!("{name} fall: {series:?}"));
        }
        if series.last().is_some_and(|&l| l != total) {
            out.push(format!("{name} end at {:?}, total {total}", series.last()));
        }
    }
    for (k, a) in t.attributed.iter().enumerate() {
        if a.first_buyers > t.campaign.first_buyers || a.orders > t.campaign.orders {
            out.push(format!(
                "mechanism {k}: attributed {a:?} above the campaign's totals"
            ));
        }
    }
    out
}
