//! Settings of the statistical check: the family-wise false-alarm rate and each metric's
//! minimum effect, from `<dir>/promosim-baseline.toml` and the command line.
//!
//! ```toml
//! # baselines/promosim-baseline.toml
//! alpha = 0.01              # family-wise false-alarm rate per scenario, in (0, 0.5]
//!
//! [min_effect]              # shifts smaller than this never fail the check
//! default = "1%"            # every metric not listed: relative to the baseline mean...
//! conversion_rate = "2%"
//! revenue = 500.0           # ...or absolute, in the metric's unit
//! ```
//!
//! On the command line, `--alpha A` and `--min-effect METRIC=VALUE` (repeatable, `default`
//! for every metric) override the file.

use super::BaselineError;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// Default family-wise false-alarm rate.
pub const DEFAULT_ALPHA: f64 = 0.01;

/// The smallest shift of a metric that counts as a regression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MinEffect {
    /// A share of the baseline mean's magnitude (`0.02` is written `2%`).
    Relative(f64),
    /// In the metric's own unit.
    Absolute(f64),
}

impl Default for MinEffect {
    fn default() -> Self {
        MinEffect::Absolute(0.0)
    }
}

impl MinEffect {
    /// Parses `2%` (relative) or `0.005` (absolute); neither may be negative.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let (num, rel) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (t, false),
        };
        let x: f64 = num.parse().map_err(|_| {
            format!("found `{s}`, expected a relative effect such as `2%` or an absolute one such as `0.005`")
        })?;
        if !x.is_finite() || x < 0.0 {
            return Err(format!(
                "found `{s}`, a minimum effect must be finite and ≥ 0"
            ));
        }
        Ok(if rel {
            MinEffect::Relative(x / 100.0)
        } else {
            MinEffect::Absolute(x)
        })
    }

    /// The threshold in the metric's unit for a baseline mean.
    pub fn threshold(&self, base_mean: f64) -> f64 {
        match *self {
            MinEffect::Relative(r) => r * base_mean.abs(),
            MinEffect::Absolute(a) => a,
        }
    }
}

impl fmt::Display for MinEffect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MinEffect::Relative(r) => write!(f, "{}%", r * 100.0),
            MinEffect::Absolute(a) => write!(f, "{a}"),
        }
    }
}

/// Resolved settings of the statistical check.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Family-wise false-alarm rate per scenario.
    pub alpha: f64,
    /// Minimum effect of metrics not listed in `min_effect`.
    pub default_min_effect: MinEffect,
    /// Per-metric minimum effects, with where each was set (for error messages).
    pub min_effect: BTreeMap<String, (MinEffect, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            alpha: DEFAULT_ALPHA,
            default_min_effect: MinEffect::default(),
            min_effect: BTreeMap::new(),
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    alpha: Option<f64>,
    #[serde(default)]
    min_effect: BTreeMap<String, toml::Value>,
}

fn check_alpha(a: f64) -> Result<f64, String> {
    if a.is_finite() && a > 0.0 && a <= 0.5 {
        Ok(a)
    } else {
        Err(format!("found {a}, allowed: a rate in (0, 0.5], e.g. 0.01"))
    }
}

impl Settings {
    /// Reads a settings file (see the module docs); errors name the file and the key.
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let bad = |m: String| BaselineError::file(path, m);
        let text = crate::limits::read_input(path, crate::limits::MAX_SCENARIO_BYTES)
            .map_err(|e| bad(format!("cannot read: {e}")))?;
        let de = toml::Deserializer::parse(&text)
            .map_err(|e| bad(format!("malformed TOML: {}", e.message().trim())))?;
        let raw: RawSettings = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            bad(format!(
                "`{key}`: {} (allowed keys: `alpha`, `[min_effect]`)",
                e.into_inner().message().trim()
            ))
        })?;
        let mut s = Settings::default();
        if let Some(a) = raw.alpha {
            s.alpha = check_alpha(a).map_err(|m| bad(format!("`alpha`: {m}")))?;
        }
        for (metric, v) in raw.min_effect {
            let e = match &v {
                toml::Value::String(t) => MinEffect::parse(t),
                toml::Value::Float(x) => MinEffect::parse(&x.to_string()),
                toml::Value::Integer(x) => MinEffect::parse(&x.to_string()),
                other => Err(format!(
                    "found {other}, expected a relative effect such as \"2%\" or an absolute number"
                )),
            }
            .map_err(|m| bad(format!("`min_effect.{metric}`: {m}")))?;
            s.set(
                &metric,
                e,
                format!("{} `min_effect.{metric}`", path.display()),
            );
        }
        Ok(s)
    }

    fn set(&mut self, metric: &str, e: MinEffect, origin: String) {
        if metric == "default" {
            self.default_min_effect = e;
        } else {
            self.min_effect.insert(metric.to_string(), (e, origin));
        }
    }

    /// Applies `--alpha` and `--min-effect METRIC=VALUE` arguments over the file's values.
    pub fn apply_args(
        &mut self,
        alpha: Option<f64>,
        min_effects: &[String],
    ) -> Result<(), BaselineError> {
        if let Some(a) = alpha {
            self.alpha =
                check_alpha(a).map_err(|m| BaselineError::Usage(format!("--alpha: {m}")))?;
        }
        for arg in min_effects {
            let (metric, value) = arg.split_once('=').ok_or_else(|| {
                BaselineError::Usage(format!(
                    "--min-effect `{arg}`: expected METRIC=VALUE, e.g. conversion_rate=2% or revenue=500"
                ))
            })?;
            let metric = metric.trim();
            let e = MinEffect::parse(value)
                .map_err(|m| BaselineError::Usage(format!("--min-effect `{arg}`: {m}")))?;
            self.set(metric, e, format!("--min-effect `{arg}`"));
        }
        Ok(())
    }

    /// The minimum effect of a metric.
    pub fn min_effect_of(&self, metric: &str) -> MinEffect {
        self.min_effect
            .get(metric)
            .map(|(e, _)| *e)
            .unwrap_or(self.default_min_effect)
    }

    /// Refuses minimum effects for metrics that are neither known to promosim nor produced
    /// by the scenarios being checked (`extra`).
    pub fn check_metrics(&self, extra: &BTreeSet<String>) -> Result<(), BaselineError> {
        let known = known_metrics(extra);
        for (metric, (_, origin)) in &self.min_effect {
            if !known.contains(metric) {
                return Err(BaselineError::Usage(format!(
                    "{origin}: unknown metric `{metric}`; allowed: `default`, {}",
                    known
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        Ok(())
    }
}

/// Every metric name promosim can produce ([`crate::mechanisms::all_metrics`]), plus
/// `extra`.
pub fn known_metrics(extra: &BTreeSet<String>) -> BTreeSet<String> {
    crate::mechanisms::all_metrics()
        .map(|k| k.name.to_string())
        .chain(extra.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_effects_parse() {
        assert_eq!(MinEffect::parse("2%"), Ok(MinEffect::Relative(0.02)));
        assert_eq!(MinEffect::parse(" 0.5 "), Ok(MinEffect::Absolute(0.5)));
        assert!(MinEffect::parse("-1").is_err());
        assert!(MinEffect::parse("abc").is_err());
        assert!(MinEffect::parse("nan%").is_err());
        assert_eq!(MinEffect::Relative(0.1).threshold(-50.0), 5.0);
        assert_eq!(MinEffect::Relative(0.025).to_string(), "2.5%");
    }

    #[test]
    fn file_and_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        std::fs::write(
            &p,
            "alpha = 0.05\n[min_effect]\ndefault = \"1%\"\nrevenue = 500\ncost_per_buyer = 2.5\n",
        )
        .unwrap();
        let mut s = Settings::load(&p).unwrap();
        assert_eq!(s.alpha, 0.05);
        assert_eq!(s.min_effect_of("orders"), MinEffect::Relative(0.01));
        assert_eq!(s.min_effect_of("revenue"), MinEffect::Absolute(500.0));
        s.apply_args(Some(0.02), &["revenue=3%".into()]).unwrap();
        assert_eq!(s.alpha, 0.02);
        assert_eq!(s.min_effect_of("revenue"), MinEffect::Relative(0.03));
        assert!(s.check_metrics(&BTreeSet::new()).is_ok());
        s.apply_args(None, &["revnue=1".into()]).unwrap();
        let e = s.check_metrics(&BTreeSet::new()).unwrap_err().to_string();
        assert!(
            e.contains("unknown metric `revnue`") && e.contains("`revenue`"),
            "{e}"
        );
        assert!(s.apply_args(Some(0.0), &[]).is_err());
        assert!(s.apply_args(None, &["revenue".into()]).is_err());
    }

    #[test]
    fn bad_files_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.toml");
        for (text, key) in [
            ("alpha = 2.0\n", "`alpha`"),
            ("[min_effect]\nrevenue = \"lots\"\n", "`min_effect.revenue`"),
            ("[min_effect]\nrevenue = true\n", "`min_effect.revenue`"),
            ("alpah = 0.1\n", "alpah"),
        ] {
            std::fs::write(&p, text).unwrap();
            let e = Settings::load(&p).unwrap_err().to_string();
            assert!(e.contains("s.toml") && e.contains(key), "{text}: {e}");
        }
        std::fs::write(&p, "[min_effect]\nnot_a_metric = 1\n").unwrap();
        let e = Settings::load(&p)
            .unwrap()
            .check_metrics(&BTreeSet::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml") && e.contains("min_effect.not_a_metric"),
            "{e}"
        );
    }
}
