//! The field's figures as data: the types of a [`Fact`] and the loading of
//! `calibration/field.toml`, the file that lists them.
//!
//! The file sits in `calibration/` beside the `scenarios/` folder whose files its arms
//! name, so [`facts_path`] finds it from the scenarios folder the way the arms find their
//! scenarios. Every key is checked on load: unknown keys, a statistic without the second
//! arm or metric it needs, an empty or inverted target, a duplicate id, an unknown section
//! or a scenario missing from the folder are reported together, each naming the file, its
//! line, the key path and what is allowed.
//!
//! ```toml
//! [[fact]]
//! id = "rp_task_link_clicks"
//! section = "2.4"
//! figure = "task-linked packets: link click-through 6× a plain announcement"
//! statistic = "ratio"
//! metric = "rp_link_clicks"
//! target = { min = 5.0, max = 7.0 }
//! arm = { scenario = "red_packets_plain.toml", set = ['mechanisms.red_packets.link="task"'] }
//! against = { scenario = "red_packets_plain.toml", set = ['mechanisms.red_packets.link="announcement"'] }
//! ```

use super::prior::{PRIOR_FORMS, Prior};
use crate::scenario::{Problem, ScenarioError};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Where the facts file lies, relative to the folder that holds the scenarios folder.
pub const FACTS_FILE: &str = "calibration/field.toml";

/// The sections of `docs/field-figures.md` a fact may cite.
pub const SECTIONS: &[&str] = &["1", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8"];

/// Where a statistic's simulated value must lie.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Inside `[lo, hi]`.
    Range(f64, f64),
    /// At least this.
    AtLeast(f64),
    /// At most this.
    AtMost(f64),
    /// An observed value with its standard error: holds within two standard errors.
    Value(f64, f64),
}

impl Target {
    /// True when `x` satisfies the target.
    pub fn holds(self, x: f64) -> bool {
        match self {
            Target::Range(lo, hi) => x >= lo && x <= hi,
            Target::AtLeast(b) => x >= b,
            Target::AtMost(b) => x <= b,
            Target::Value(v, se) => (x - v).abs() <= 2.0 * se,
        }
    }

    /// How far `x` misses the target, in the target's own scale: 0 inside a range or on
    /// the right side of a bound; outside, the miss over the range's half-width or the
    /// bound's size (at least 0.01); for a value with a standard error,
    /// `|x − v| / √(se² + se_sim²)`, where `se_sim` is the simulated statistic's own
    /// standard error (the difference of two noisy means has both variances). Infinite
    /// for a value that is not finite.
    pub fn distance(self, x: f64, se_sim: f64) -> f64 {
        if !x.is_finite() {
            return f64::INFINITY;
        }
        match self {
            Target::Range(lo, hi) => (lo - x).max(x - hi).max(0.0) / (0.5 * (hi - lo)),
            Target::AtLeast(b) => (b - x).max(0.0) / b.abs().max(0.01),
            Target::AtMost(b) => (x - b).max(0.0) / b.abs().max(0.01),
            Target::Value(v, se) => (x - v).abs() / (se * se + se_sim * se_sim).sqrt(),
        }
    }

    /// The implausibility of a simulated statistic `x` whose own standard error (the
    /// simulator's noise at these trials) is `se_model`: the miss outside a range or bound
    /// over the model's standard error, or `|x − v| / √(se² + se_model²)` for a value
    /// (Craig et al. 1997; Vernon, Goldstein & Bower 2010, Bayesian Anal. 5(4):619–669).
    pub fn implausibility(self, x: f64, se_model: f64) -> f64 {
        if !x.is_finite() {
            return f64::INFINITY;
        }
        let miss = match self {
            Target::Range(lo, hi) => (lo - x).max(x - hi).max(0.0),
            Target::AtLeast(b) => (b - x).max(0.0),
            Target::AtMost(b) => (x - b).max(0.0),
            Target::Value(v, se) => return (x - v).abs() / (se * se + se_model * se_model).sqrt(),
        };
        if miss == 0.0 {
            0.0
        } else if se_model > 0.0 {
            miss / se_model
        } else {
            f64::INFINITY
        }
    }

    /// Squared shortfall, relative to the target's scale, plus a light pull toward the
    /// middle of a range.
    pub fn loss(self, x: f64) -> f64 {
        if !x.is_finite() {
            return 100.0;
        }
        match self {
            Target::Range(lo, hi) => {
                let w = hi - lo;
                let mid = 0.5 * (lo + hi);
                let pull = 0.25 * ((x - mid) / w).powi(2);
                if x < lo {
                    ((lo - x) / w).powi(2) + pull
                } else if x > hi {
                    ((x - hi) / w).powi(2) + pull
                } else {
                    pull
                }
            }
            Target::AtLeast(b) => {
                if x >= b {
                    0.0
                } else {
                    ((b - x) / b.abs().max(0.01)).powi(2) + 0.05
                }
            }
            Target::AtMost(b) => {
                if x <= b {
                    0.0
                } else {
                    ((x - b) / b.abs().max(0.01)).powi(2) + 0.05
                }
            }
            Target::Value(v, se) => 0.25 * ((x - v) / se).powi(2),
        }
    }

    /// The target in words.
    pub fn describe(self) -> String {
        match self {
            Target::Range(lo, hi) => format!("{lo} – {hi}"),
            Target::AtLeast(b) => format!("≥ {b}"),
            Target::AtMost(b) => format!("≤ {b}"),
            Target::Value(v, se) => format!("{v} ± {se} (se)"),
        }
    }
}

/// One scenario run: a scenario file and overrides.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arm {
    /// File name in the scenarios folder.
    pub scenario: String,
    /// `key=value` overrides, as `--set` takes them.
    #[serde(default, rename = "set")]
    pub overrides: Vec<String>,
    /// A candidate of the scenario (its `[[candidate]]` name); the base scenario when
    /// absent.
    #[serde(default)]
    pub candidate: Option<String>,
}

/// How a fact's statistic is computed from one or two arms.
#[derive(Debug, Clone, PartialEq)]
pub enum Statistic {
    /// Mean of a metric in one arm.
    Mean(Arm, String),
    /// Ratio of the means of a metric in two arms (same seed).
    Ratio(Arm, Arm, String),
    /// Ratio of the means of two metrics of one arm.
    MetricRatio(Arm, String, String),
    /// Difference of the means of a metric in two arms (same seed).
    Difference(Arm, Arm, String),
    /// The `q`-quantile of a metric across one arm's trials.
    Quantile(Arm, String, f64),
}

/// Whose behaviour a fact's metric counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// Members of the chat groups.
    Members,
    /// Buyers outside the chat groups (the open market).
    Outsiders,
    /// Every simulated buyer.
    All,
}

impl Population {
    /// The population a core metric counts, for the metrics that name one (a mechanism's
    /// KPI counts whom its own definition says).
    pub fn of_metric(metric: &str) -> Option<Population> {
        match metric {
            "member_conversion" | "inc_member_conversion" => Some(Population::Members),
            "outsider_conversion" => Some(Population::Outsiders),
            "first_buyers" | "conversion_rate" | "inc_first_buyers" | "inc_conversion"
            | "repurchase_rate" | "orders" | "revenue" => Some(Population::All),
            _ => None,
        }
    }

    /// Its name in facts files and tables.
    pub fn name(self) -> &'static str {
        match self {
            Population::Members => "members",
            Population::Outsiders => "outsiders",
            Population::All => "all",
        }
    }
}

/// What a fact's statistic reads: a level of the campaign world, an effect over the
/// same world without the mechanism, or a comparison of two configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// A level (a total, a share or a ratio of two totals) in one world.
    Total,
    /// The difference or ratio against the same scenario with the mechanism off.
    Effect,
    /// The difference or ratio of two configurations of the mechanism.
    Comparison,
}

impl Reads {
    /// In words, for tables.
    pub fn words(self) -> &'static str {
        match self {
            Reads::Total => "total",
            Reads::Effect => "effect over no mechanism",
            Reads::Comparison => "comparison",
        }
    }
}

/// A figure of the field and how the model is checked against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// Short identifier.
    pub id: String,
    /// The section of `docs/field-figures.md` the figure comes from, e.g. `2.4`; empty for
    /// a researcher's own observation.
    pub section: String,
    /// The figure, as the field states it.
    pub figure: String,
    /// Whose behaviour the figure counts.
    pub population: Population,
    /// The statistic.
    pub statistic: Statistic,
    /// Where it must lie.
    pub target: Target,
}

impl Fact {
    /// The figure prefixed with its section, as tables print it: `2.4: …`.
    pub fn label(&self) -> String {
        if self.section.is_empty() {
            self.figure.clone()
        } else {
            format!("{}: {}", self.section, self.figure)
        }
    }

    /// What the statistic reads: an arm against the same scenario with nothing but
    /// mechanisms switched off (`enabled=false` overrides) is an effect.
    pub fn reads(&self) -> Reads {
        let (a, b) = match &self.statistic {
            Statistic::Mean(..) | Statistic::MetricRatio(..) | Statistic::Quantile(..) => {
                return Reads::Total;
            }
            Statistic::Ratio(a, b, _) | Statistic::Difference(a, b, _) => (a, b),
        };
        let extra: Vec<&String> = b
            .overrides
            .iter()
            .filter(|s| !a.overrides.contains(s))
            .collect();
        let switches_off = |s: &&String| s.ends_with(".enabled=false");
        let keeps_arm = a.overrides.iter().all(|s| b.overrides.contains(s));
        if a.scenario == b.scenario
            && keeps_arm
            && !extra.is_empty()
            && extra.iter().all(switches_off)
        {
            Reads::Effect
        } else {
            Reads::Comparison
        }
    }
}

/// The facts of one file: asserted ones and ones only reported.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldFacts {
    /// The file they were read from.
    pub path: PathBuf,
    /// Facts the defaults must reproduce (`[[fact]]`).
    pub asserted: Vec<Fact>,
    /// Figures evaluated and printed but not asserted (`[[reported]]`): each conflicts with
    /// other figures of its section in this model.
    pub reported: Vec<Fact>,
    /// The folder the arms' scenarios are read from, when the loader resolved it.
    pub scenarios: Option<PathBuf>,
    /// Parameters to calibrate with their priors (`[params]`), in the file's order.
    pub params: Vec<Param>,
}

/// A calibrated parameter: a scenario key and its prior.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Key path, as `--set` takes it; keys under `mechanisms.X` apply only to scenarios
    /// with mechanism X.
    pub key: String,
    /// Its prior.
    pub prior: Prior,
}

impl Param {
    /// Parses `key.path=prior`, as `--param` takes it.
    pub fn parse(text: &str) -> Result<Param, String> {
        let (key, prior) = text.split_once('=').ok_or_else(|| {
            format!("`{text}` is not of the form KEY.PATH=PRIOR; a prior is one of {PRIOR_FORMS}")
        })?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("`{text}`: the key is empty"));
        }
        Ok(Param {
            key: key.to_string(),
            prior: Prior::parse(prior)?,
        })
    }
}

impl FieldFacts {
    /// The asserted and the reported facts whose id starts with one of `prefixes` (all of
    /// them when `prefixes` is empty).
    pub fn select(&self, prefixes: &[String]) -> (Vec<Fact>, Vec<Fact>) {
        let pick = |f: &&Fact| prefixes.is_empty() || prefixes.iter().any(|p| f.id.starts_with(p));
        (
            self.asserted.iter().filter(pick).cloned().collect(),
            self.reported.iter().filter(pick).cloned().collect(),
        )
    }
}

/// The facts file that belongs to a scenarios folder: [`FACTS_FILE`] under the folder's
/// parent (`scenarios` → `calibration/field.toml`).
pub fn facts_path(scenarios: &Path) -> PathBuf {
    match scenarios.file_name() {
        Some(_) => scenarios.parent().unwrap_or(Path::new("")).join(FACTS_FILE),
        None => scenarios.join("..").join(FACTS_FILE),
    }
}

/// Reads and checks the facts file that belongs to the scenarios folder `scenarios`
/// (see [`facts_path`]); every arm's scenario must exist in that folder.
pub fn field_facts(scenarios: &Path) -> Result<FieldFacts, ScenarioError> {
    load_facts(&facts_path(scenarios), Some(scenarios))
}

/// Reads and checks a facts file; with `scenarios`, every arm's scenario must exist there.
pub fn load_facts(path: &Path, scenarios: Option<&Path>) -> Result<FieldFacts, ScenarioError> {
    let text = read_facts(path)?;
    let mut facts = parse_facts(&text, &path.display().to_string(), scenarios)?;
    facts.path = path.to_path_buf();
    facts.scenarios = scenarios.map(Path::to_path_buf);
    Ok(facts)
}

/// Reads and checks a targets file on its own: the arms' scenarios are read from the
/// folder its `scenarios` key names, relative to the file (the file's own folder when
/// absent), and every one must exist there.
pub fn load_targets(path: &Path) -> Result<FieldFacts, ScenarioError> {
    let text = read_facts(path)?;
    let folder = toml::from_str::<toml::Table>(&text)
        .ok()
        .and_then(|t| {
            t.get("scenarios")
                .and_then(|v| v.as_str())
                .map(String::from)
        })
        .unwrap_or_else(|| ".".into());
    let dir = path.parent().unwrap_or(Path::new("")).join(folder);
    let mut facts = parse_facts(&text, &path.display().to_string(), Some(&dir))?;
    facts.path = path.to_path_buf();
    facts.scenarios = Some(dir);
    Ok(facts)
}

fn read_facts(path: &Path) -> Result<String, ScenarioError> {
    let label = path.display().to_string();
    crate::limits::read_input(path, crate::limits::MAX_SCENARIO_BYTES).map_err(|e| ScenarioError {
        file: label.clone(),
        problems: vec![problem(
            String::new(),
            None,
            format!("cannot read the facts file: {e}"),
        )],
    })
}

/// Parses and checks facts text; `label` names it in errors. With `scenarios`, every arm's
/// scenario must exist in that folder.
pub fn parse_facts(
    text: &str,
    label: &str,
    scenarios: Option<&Path>,
) -> Result<FieldFacts, ScenarioError> {
    let error = |problems| ScenarioError {
        file: label.to_string(),
        problems,
    };
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let at = e.span().map(|s| line_col(text, s.start));
        error(vec![problem(
            String::new(),
            at,
            format!("malformed TOML: {}", clean(e.message())),
        )])
    })?;
    let file: FileSpec = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let inner = e.into_inner();
        let at = inner.span().map(|s| line_col(text, s.start));
        error(vec![problem(path, at, clean(inner.message()))])
    })?;
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    let mut convert = |kind: &str, specs: Vec<FactSpec>| -> Vec<Fact> {
        let mut out = Vec::new();
        for (i, spec) in specs.into_iter().enumerate() {
            let mut found = Vec::new();
            let fact = spec.check(scenarios, &mut ids, &mut found);
            problems.extend(found.into_iter().map(|(key, message)| {
                let at = locate(text, kind, i, key);
                problem(format!("{kind}[{i}].{key}"), at, message)
            }));
            out.extend(fact);
        }
        out
    };
    let mut asserted = convert("fact", file.fact);
    asserted.extend(convert("target", file.target));
    let reported = convert("reported", file.reported);
    let params = match file.params {
        Some(table) => check_params(text, &table, &mut problems),
        None => Vec::new(),
    };
    if asserted.is_empty() && problems.is_empty() {
        problems.push(problem(
            "fact".into(),
            None,
            "no `[[fact]]` or `[[target]]` entry: the file must list at least one".into(),
        ));
    }
    if problems.is_empty() {
        Ok(FieldFacts {
            path: PathBuf::from(label),
            asserted,
            reported,
            scenarios: None,
            params,
        })
    } else {
        Err(error(problems))
    }
}

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    /// Checked by [`load_targets`], which reads it first.
    #[serde(default)]
    #[allow(dead_code)]
    scenarios: Option<String>,
    #[serde(default)]
    params: Option<toml::Table>,
    #[serde(default)]
    target: Vec<FactSpec>,
    #[serde(default)]
    fact: Vec<FactSpec>,
    #[serde(default)]
    reported: Vec<FactSpec>,
}

/// How a statistic is named in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatisticKind {
    Mean,
    Ratio,
    MetricRatio,
    Difference,
    Quantile,
}

/// A target as written: `min`, `max` or both.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSpec {
    min: Option<f64>,
    max: Option<f64>,
    value: Option<f64>,
    se: Option<f64>,
}

/// One `[[fact]]` or `[[reported]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactSpec {
    id: String,
    #[serde(default)]
    section: Option<String>,
    figure: String,
    #[serde(default)]
    population: Option<Population>,
    statistic: StatisticKind,
    metric: String,
    #[serde(default)]
    over: Option<String>,
    #[serde(default)]
    q: Option<f64>,
    target: TargetSpec,
    arm: Arm,
    #[serde(default)]
    against: Option<Arm>,
}

impl FactSpec {
    /// The fact, or `(key, message)` problems. Destructures the entry so that a new key
    /// cannot be left unchecked.
    fn check(
        self,
        scenarios: Option<&Path>,
        ids: &mut HashSet<String>,
        out: &mut Vec<(&'static str, String)>,
    ) -> Option<Fact> {
        let FactSpec {
            id,
            section,
            figure,
            population,
            statistic,
            metric,
            over,
            q,
            target,
            arm,
            against,
        } = self;
        let section = section.unwrap_or_default();
        let before = out.len();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            out.push((
                "id",
                format!("`{id}`: an id is lowercase letters, digits and `_`"),
            ));
        } else if !ids.insert(id.clone()) {
            out.push((
                "id",
                format!("`{id}` is used by another fact; ids are unique"),
            ));
        }
        if !section.is_empty() && !SECTIONS.contains(&section.as_str()) {
            out.push((
                "section",
                format!(
                    "`{section}` is not a section of docs/field-figures.md; allowed: {}",
                    SECTIONS.join(", ")
                ),
            ));
        }
        if figure.trim().is_empty() {
            out.push((
                "figure",
                "empty: state the figure as the field gives it".into(),
            ));
        }
        if metric.trim().is_empty() {
            out.push((
                "metric",
                "empty: name a metric of the scenario's results".into(),
            ));
        }
        match (population, Population::of_metric(&metric)) {
            (None, _) => out.push((
                "population",
                "missing: name whose behaviour the figure counts: \"members\", \"outsiders\" or \"all\"".into(),
            )),
            (Some(p), Some(counted)) if p != counted => out.push((
                "population",
                format!(
                    "`{}` counts {}, not {}: use the metric of the figure's population (member_conversion, outsider_conversion or conversion_rate)",
                    metric,
                    counted.name(),
                    p.name()
                ),
            )),
            _ => {}
        }
        let two_arms = matches!(statistic, StatisticKind::Ratio | StatisticKind::Difference);
        match (&against, two_arms) {
            (None, true) => out.push((
                "against",
                format!(
                    "missing: statistic `{}` compares `arm` with `against`",
                    statistic.name()
                ),
            )),
            (Some(_), false) => out.push((
                "against",
                format!(
                    "not used by statistic `{}`; only `ratio` and `difference` take a second arm",
                    statistic.name()
                ),
            )),
            _ => {}
        }
        match (&over, statistic) {
            (None, StatisticKind::MetricRatio) => out.push((
                "over",
                "missing: statistic `metric_ratio` divides `metric` by the metric `over`".into(),
            )),
            (Some(_), s) if s != StatisticKind::MetricRatio => out.push((
                "over",
                format!(
                    "not used by statistic `{}`; only `metric_ratio` takes it",
                    s.name()
                ),
            )),
            _ => {}
        }
        match (q, statistic) {
            (None, StatisticKind::Quantile) => out.push((
                "q",
                "missing: statistic `quantile` takes the probability `q`, 0 < q < 1".into(),
            )),
            (Some(q), StatisticKind::Quantile) if !(q > 0.0 && q < 1.0) => out.push((
                "q",
                format!("{q} is not a probability strictly between 0 and 1"),
            )),
            (Some(_), s) if s != StatisticKind::Quantile => out.push((
                "q",
                format!(
                    "not used by statistic `{}`; only `quantile` takes it",
                    s.name()
                ),
            )),
            _ => {}
        }
        let target = target.check(out);
        for (key, a) in [("arm", Some(&arm)), ("against", against.as_ref())] {
            if let Some(a) = a {
                check_arm(key, a, scenarios, out);
            }
        }
        if out.len() > before {
            return None;
        }
        let statistic = match (statistic, against, over) {
            (StatisticKind::Mean, _, _) => Statistic::Mean(arm, metric),
            (StatisticKind::Ratio, Some(b), _) => Statistic::Ratio(arm, b, metric),
            (StatisticKind::Difference, Some(b), _) => Statistic::Difference(arm, b, metric),
            (StatisticKind::MetricRatio, _, Some(o)) => Statistic::MetricRatio(arm, metric, o),
            (StatisticKind::Quantile, _, _) => Statistic::Quantile(arm, metric, q?),
            _ => return None,
        };
        Some(Fact {
            id,
            section,
            figure,
            population: population?,
            statistic,
            target: target?,
        })
    }
}

impl StatisticKind {
    fn name(self) -> &'static str {
        match self {
            StatisticKind::Mean => "mean",
            StatisticKind::Ratio => "ratio",
            StatisticKind::MetricRatio => "metric_ratio",
            StatisticKind::Difference => "difference",
            StatisticKind::Quantile => "quantile",
        }
    }
}

impl TargetSpec {
    fn check(self, out: &mut Vec<(&'static str, String)>) -> Option<Target> {
        let TargetSpec {
            min,
            max,
            value,
            se,
        } = self;
        let allowed = "allowed: { min = X, max = Y } with X < Y, { min = X }, { max = Y } or { value = V, se = S } with S > 0, finite numbers";
        if [min, max, value, se]
            .iter()
            .any(|x| x.is_some_and(|x| !x.is_finite()))
        {
            out.push(("target", format!("not a finite number; {allowed}")));
            return None;
        }
        match (value, se) {
            (None, None) => {}
            (Some(v), Some(s)) if s > 0.0 && min.is_none() && max.is_none() => {
                return Some(Target::Value(v, s));
            }
            _ => {
                out.push((
                    "target",
                    format!(
                        "`value` and `se` go together, without min or max, and se > 0; {allowed}"
                    ),
                ));
                return None;
            }
        }
        match (min, max) {
            (Some(lo), Some(hi)) if lo < hi => Some(Target::Range(lo, hi)),
            (Some(lo), None) => Some(Target::AtLeast(lo)),
            (None, Some(hi)) => Some(Target::AtMost(hi)),
            (Some(lo), Some(hi)) => {
                out.push((
                    "target",
                    format!("min {lo} is not below max {hi}; {allowed}"),
                ));
                None
            }
            (None, None) => {
                out.push(("target", format!("neither min nor max; {allowed}")));
                None
            }
        }
    }
}

fn check_arm(
    key: &'static str,
    a: &Arm,
    scenarios: Option<&Path>,
    out: &mut Vec<(&'static str, String)>,
) {
    if let Some(dir) = scenarios {
        let path = dir.join(&a.scenario);
        if a.scenario.is_empty() || !path.is_file() {
            out.push((
                key,
                format!(
                    "scenario `{}` is not a file of {}: name a scenario file of that folder",
                    a.scenario,
                    dir.display()
                ),
            ));
        }
    }
    for o in &a.overrides {
        if o.split_once('=').is_none_or(|(k, _)| k.trim().is_empty()) {
            out.push((
                key,
                format!("override `{o}` is not of the form `key.path=value`"),
            ));
        }
    }
}

/// The `[params]` table: each leaf a prior, nested tables joined into dotted keys, so
/// `behaviour.channels.link = "uniform(-6, 0)"` and `"behaviour.channels.link" = ...`
/// are the same parameter.
fn check_params(text: &str, table: &toml::Table, problems: &mut Vec<Problem>) -> Vec<Param> {
    fn walk(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
        for (k, v) in t {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(inner) => walk(&key, inner, out),
                other => out.push((key, other.clone())),
            }
        }
    }
    let mut leaves = Vec::new();
    walk("", table, &mut leaves);
    let at = text
        .lines()
        .position(|l| l.trim() == "[params]")
        .map(|i| (i + 1, 1));
    let mut params = Vec::new();
    for (key, value) in leaves {
        let parsed = match value.as_str() {
            Some(p) => Prior::parse(p),
            None => Err(format!(
                "{value} is not a prior written as a string; allowed: {PRIOR_FORMS}"
            )),
        };
        match parsed {
            Ok(prior) => params.push(Param { key, prior }),
            Err(m) => problems.push(problem(format!("params.{key}"), at, m)),
        }
    }
    params
}

fn problem(path: String, location: Option<(usize, usize)>, message: String) -> Problem {
    Problem {
        path,
        location,
        message,
    }
}

fn clean(m: &str) -> String {
    m.trim().replace('\n', " ")
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Line of `key` in the `index`-th `[[kind]]` entry (or of the entry's header when the key
/// is not written there), column 1.
fn locate(text: &str, kind: &str, index: usize, key: &str) -> Option<(usize, usize)> {
    let header = format!("[[{kind}]]");
    let sub = format!("[{kind}.{key}]");
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(index)?
        .0;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with("[["))
        .map_or(lines.len(), |p| start + 1 + p);
    let at = lines[start..end]
        .iter()
        .position(|l| {
            let l = l.trim_start();
            l.trim() == sub
                || l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(start, |p| start + p);
    Some((at + 1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[fact]]
id = "a"
section = "2.4"
figure = "conversion 3–5%"
population = "all"
statistic = "mean"
metric = "conversion_rate"
target = { min = 0.03, max = 0.05 }
arm = { scenario = "x.toml" }
"#;

    fn err(text: &str) -> String {
        parse_facts(text, "field.toml", None)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parses_a_fact() {
        let f = parse_facts(ONE, "field.toml", None).unwrap();
        assert_eq!(f.asserted.len(), 1);
        assert!(f.reported.is_empty());
        let a = &f.asserted[0];
        assert_eq!(a.label(), "2.4: conversion 3–5%");
        assert_eq!(a.population, Population::All);
        assert_eq!(a.reads(), Reads::Total);
        assert_eq!(a.target, Target::Range(0.03, 0.05));
        assert_eq!(
            a.statistic,
            Statistic::Mean(
                Arm {
                    scenario: "x.toml".into(),
                    overrides: vec![],
                    candidate: None,
                },
                "conversion_rate".into()
            )
        );
    }

    #[test]
    fn unknown_keys_are_named_with_their_place() {
        let e = err(&ONE.replace("metric =", "metrik ="));
        assert!(e.starts_with("field.toml:"), "{e}");
        assert!(e.contains("fact[0]") && e.contains("metrik"), "{e}");
    }

    #[test]
    fn statistics_need_their_pieces() {
        let e = err(&ONE.replace("\"mean\"", "\"ratio\""));
        assert!(e.contains("`fact[0].against`: missing"), "{e}");
        let e = err(&ONE.replace("\"mean\"", "\"metric_ratio\""));
        assert!(e.contains("`fact[0].over`: missing"), "{e}");
        let e = err(&ONE.replace("statistic = \"mean\"", "statistic = \"median\""));
        assert!(e.contains("median") && e.contains("metric_ratio"), "{e}");
    }

    #[test]
    fn targets_sections_and_ids_are_checked() {
        let e = err(&ONE.replace("min = 0.03, max = 0.05", "min = 0.05, max = 0.03"));
        assert!(
            e.contains("field.toml:9:1: `fact[0].target`: min 0.05"),
            "{e}"
        );
        let e = err(&ONE.replace("{ min = 0.03, max = 0.05 }", "{}"));
        assert!(e.contains("neither min nor max"), "{e}");
        let e = err(&ONE.replace("\"2.4\"", "\"9.9\""));
        assert!(e.contains("`fact[0].section`") && e.contains("2.8"), "{e}");
        let e = err(&format!("{ONE}{}", ONE.replace("2.4", "2.5")));
        assert!(
            e.contains("`fact[1].id`: `a` is used by another fact"),
            "{e}"
        );
        let e = err(&ONE.replace("population = \"all\"", "population = \"visitors\""));
        assert!(e.contains("visitors") && e.contains("outsiders"), "{e}");
    }

    #[test]
    fn every_fact_names_its_population_and_the_metric_agrees() {
        let e = err(&ONE.replace("population = \"all\"\n", ""));
        assert!(e.contains("population") && e.contains("missing"), "{e}");
        let e = err(&ONE.replace("\"all\"", "\"members\""));
        assert!(
            e.contains("`conversion_rate` counts all, not members"),
            "{e}"
        );
        let ok = ONE
            .replace("\"all\"", "\"members\"")
            .replace("conversion_rate", "member_conversion");
        assert!(parse_facts(&ok, "field.toml", None).is_ok());
    }

    #[test]
    fn an_arm_against_itself_with_mechanisms_off_reads_as_an_effect() {
        let two = |against: &str| {
            let text =
                ONE.replace("\"mean\"", "\"difference\"") + &format!("against = {against}\n");
            parse_facts(&text, "field.toml", None).unwrap().asserted[0].reads()
        };
        let off = r#"{ scenario = "x.toml", set = ["mechanisms.votes.enabled=false"] }"#;
        assert_eq!(two(off), Reads::Effect);
        let other = r#"{ scenario = "x.toml", set = ["mechanisms.votes.link=\"none\""] }"#;
        assert_eq!(two(other), Reads::Comparison);
        assert_eq!(two(r#"{ scenario = "y.toml" }"#), Reads::Comparison);
    }

    #[test]
    fn scenarios_must_exist_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let e = parse_facts(ONE, "field.toml", Some(dir.path())).unwrap_err();
        assert!(
            e.to_string().contains("`fact[0].arm`: scenario `x.toml`"),
            "{e}"
        );
        std::fs::write(dir.path().join("x.toml"), "").unwrap();
        assert!(parse_facts(ONE, "field.toml", Some(dir.path())).is_ok());
    }

    #[test]
    fn the_shipped_facts_load() {
        let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let f = field_facts(&scenarios).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((f.asserted.len(), f.reported.len()), (49, 3));
        assert!(f.asserted.iter().all(|x| x.section.starts_with("2.")));
    }

    #[test]
    fn the_file_sits_beside_the_scenarios_folder() {
        assert_eq!(
            facts_path(Path::new("scenarios")),
            Path::new("calibration/field.toml")
        );
        assert_eq!(
            facts_path(Path::new("/repo/scenarios/")),
            Path::new("/repo/calibration/field.toml")
        );
        assert_eq!(
            facts_path(Path::new(".")),
            Path::new("./../calibration/field.toml")
        );
    }
}
