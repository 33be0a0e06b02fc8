//! Candidate campaigns: one shared base scenario plus `[[candidate]]` entries that override
//! values by key path.
//!
//! ```toml
//! # ... the base scenario: product, population, behaviour, mechanisms ...
//!
//! [[candidate]]
//! name = "plain"
//! description = "The base as written."
//!
//! [[candidate]]
//! name = "designed"
//! description = "Task-linked drops with stage-2 packets."
//! set = { "mechanisms.red_packets.link" = "task", "mechanisms.red_packets.stage2" = { total = 25.0, packets = 10 } }
//!
//! [[candidate]]
//! name = "designed_push"
//! extends = "designed"             # start from "designed"'s overrides
//! set = { "mechanisms.red_packets.followup" = { coupon = 10.0 } }
//! ```
//!
//! Each key of `set` is a key path, exactly as with `--set KEY=VALUE`, and its value replaces
//! the base's value at that path (a table value replaces the whole table). A candidate is
//! resolved by applying its `extends` chain's overrides, then its own, to the resolved base,
//! then parsing strictly (unknown keys rejected) and validating like any scenario. The run
//! settings that make trials pairable (`trials`, `seed`, `horizon_days`, `currency`) are
//! shared and cannot be overridden per candidate.

use super::load::set_path;
use super::{Scenario, validate};
use serde::{Deserialize, Serialize};

/// One candidate campaign as written in a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// Name shown in tables, plots and `trials.csv` (unique within the file).
    pub name: String,
    /// What the candidate is, in plain words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Another candidate (listed earlier) whose overrides apply first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Overrides: key path → TOML value.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, serde_json::Value>")]
    pub set: toml::Table,
}

/// A candidate turned into a complete scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedCandidate {
    /// Candidate name.
    pub name: String,
    /// Description in plain words.
    pub description: String,
    /// The candidate whose overrides it starts from, if any.
    pub extends: Option<String>,
    /// Overrides relative to the base, in the order applied (inherited ones first):
    /// key path and value as TOML.
    pub changes: Vec<(String, String)>,
    /// The complete scenario of this candidate (no `[[candidate]]` entries of its own).
    pub scenario: Scenario,
}

/// Top-level keys shared by every candidate: a paired comparison needs the same trials,
/// seed, horizon and currency.
pub const SHARED_KEYS: &[&str] = &[
    "name",
    "description",
    "trials",
    "seed",
    "horizon_days",
    "currency",
    "candidate",
];

/// One thing wrong with a candidate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CandidateIssue {
    /// Index of the candidate in the file.
    pub index: usize,
    /// The `set` key responsible, when one is (used to locate the problem in the file).
    pub set_key: Option<String>,
    /// Key path of the problem (`mechanisms.red_packets.total`), or `candidate[i].name`.
    pub path: String,
    /// What was found and what is allowed.
    pub message: String,
}

/// The candidates of a validated scenario, resolved into complete scenarios.
///
/// Without `[[candidate]]` entries the result is one candidate named `base`: the scenario
/// itself. Problems name the candidate and the key; see [`crate::scenario::load_str`] for
/// the version with file locations.
pub fn resolve_candidates(base: &Scenario) -> Result<Vec<ResolvedCandidate>, Vec<String>> {
    resolve(base).map_err(|issues| {
        issues
            .into_iter()
            .map(|i| format!("`{}`: {}", i.path, i.message))
            .collect()
    })
}

pub(crate) fn resolve(base: &Scenario) -> Result<Vec<ResolvedCandidate>, Vec<CandidateIssue>> {
    let mut plain = base.clone();
    plain.candidates.clear();
    if base.candidates.is_empty() {
        return Ok(vec![ResolvedCandidate {
            name: "base".into(),
            description: String::new(),
            extends: None,
            changes: Vec::new(),
            scenario: plain,
        }]);
    }
    let base_table = toml::Table::try_from(&plain).map_err(|e| {
        vec![CandidateIssue {
            index: 0,
            set_key: None,
            path: String::new(),
            message: format!("cannot serialise the base scenario: {e}"),
        }]
    })?;
    let mut issues = Vec::new();
    let mut out: Vec<ResolvedCandidate> = Vec::new();
    for (i, c) in base.candidates.iter().enumerate() {
        let issue = |path: String, set_key: Option<String>, message: String| CandidateIssue {
            index: i,
            set_key,
            path,
            message,
        };
        let who = format!("candidate \"{}\"", c.name);
        let name = c.name.trim();
        if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 40 {
            issues.push(issue(
                format!("candidate[{i}].name"),
                None,
                format!(
                    "{:?} is not allowed: a candidate needs a name of 1 to 40 printable characters",
                    c.name
                ),
            ));
            continue;
        }
        if base.candidates[..i].iter().any(|o| o.name == c.name) {
            issues.push(issue(
                format!("candidate[{i}].name"),
                None,
                format!("{who} is listed twice: candidate names must be unique within a scenario"),
            ));
            continue;
        }
        // The chain of overrides: ancestors first.
        let mut changes: Vec<(String, toml::Value)> = Vec::new();
        if let Some(parent) = &c.extends {
            match out.iter().find(|o| &o.name == parent) {
                Some(p) => {
                    for (k, v) in &p.changes {
                        // Parent values were checked; re-parse their TOML text.
                        if let Ok(mut t) = toml::from_str::<toml::Table>(&format!("v = {v}"))
                            && let Some(v) = t.remove("v")
                        {
                            changes.push((k.clone(), v));
                        }
                    }
                }
                None => {
                    issues.push(issue(
                        format!("candidate[{i}].extends"),
                        None,
                        format!(
                            "{who} extends \"{parent}\", which is not a valid candidate listed before it; allowed: {}",
                            allowed_names(&out)
                        ),
                    ));
                    continue;
                }
            }
        }
        let mut own_ok = true;
        for (key, value) in &c.set {
            let first = key.split('.').next().unwrap_or_default();
            let refused = if SHARED_KEYS.contains(&first) {
                Some(format!(
                    "{who} cannot override `{first}`: trials, seed, horizon_days and currency are shared by every candidate so that trials pair up (set them at the top of the file); name and description are the candidate's own keys"
                ))
            } else if key == "product.repurchase_class" {
                Some(format!(
                    "{who} cannot override `{key}`: the base's BG/NBD parameters are already resolved from its class, so they would not follow; set `behaviour.repurchase.r`, `alpha`, `a` and `b` in the candidate instead, or compare products in separate scenarios"
                ))
            } else if !key.contains('.') && value.is_table() {
                Some(format!(
                    "{who} would replace the whole `{key}` table: write each key path in quotes, e.g. `set = {{ \"mechanisms.red_packets.total\" = 50 }}` (an unquoted dotted key makes nested tables)"
                ))
            } else {
                None
            };
            if let Some(message) = refused {
                issues.push(issue(key.clone(), Some(key.clone()), message));
                own_ok = false;
            } else {
                // Later keys replace earlier ones at the same path.
                changes.retain(|(k, _)| k != key);
                changes.push((key.clone(), value.clone()));
            }
        }
        if !own_ok {
            continue;
        }
        let own_keys: Vec<&String> = c.set.keys().collect();
        let responsible = |path: &str| -> Option<String> {
            // The longest override key that is `path` or one of its ancestors; else the first
            // one below `path` (an unknown key is reported at its parent table).
            let descends = |a: &str, b: &str| {
                a == b || a.starts_with(&format!("{b}.")) || a.starts_with(&format!("{b}["))
            };
            own_keys
                .iter()
                .filter(|k| descends(path, k))
                .max_by_key(|k| k.len())
                .or_else(|| {
                    own_keys
                        .iter()
                        .find(|k| !path.is_empty() && descends(k, path))
                })
                .map(|k| k.to_string())
        };
        let blame = |path: &str, message: &str| -> (Option<String>, String) {
            let key = responsible(path);
            let message = match &key {
                Some(k) if k != path => format!("{who}: {message} (override `{k}`)"),
                _ => format!("{who}: {message}"),
            };
            (key, message)
        };
        let mut table = base_table.clone();
        let mut failed = false;
        for (k, v) in &changes {
            if let Err(m) = set_path(&mut table, k, v.clone()) {
                let (key, message) = blame(k, &m);
                issues.push(issue(k.clone(), key, message));
                failed = true;
            }
        }
        if failed {
            continue;
        }
        let scenario = match super::load::parse_table(&table) {
            Ok(s) => s,
            Err((path, message)) => {
                let (key, message) = blame(&path, &message);
                issues.push(issue(path, key, message));
                continue;
            }
        };
        let problems = validate(&scenario);
        if !problems.is_empty() {
            for (path, message) in problems {
                let (key, message) = blame(&path, &message);
                issues.push(issue(path, key, message));
            }
            continue;
        }
        out.push(ResolvedCandidate {
            name: c.name.clone(),
            description: c.description.clone(),
            extends: c.extends.clone(),
            changes: changes
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect(),
            scenario,
        });
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(issues)
    }
}

fn allowed_names(out: &[ResolvedCandidate]) -> String {
    if out.is_empty() {
        "none (it is the first valid candidate)".into()
    } else {
        out.iter()
            .map(|o| format!("\"{}\"", o.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
