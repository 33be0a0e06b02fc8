//! Reading scenario files: TOML parsing, `key.path = value` overrides, errors with locations.

use super::{Scenario, validate};
use crate::limits::{MAX_SCENARIO_BYTES, read_input};
use std::fmt;
use std::path::Path;

/// One thing wrong with a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Key path, e.g. `mechanisms.blogger_reviews.bloggers` (empty for syntax errors at the top).
    pub path: String,
    /// 1-based line and column in the file, when known.
    pub location: Option<(usize, usize)>,
    /// What was found and what is allowed.
    pub message: String,
}

/// Everything wrong with one scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The file (or a label such as `<override>`).
    pub file: String,
    /// The problems, in file order where known.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some((l, c)) = p.location {
                write!(f, ":{l}:{c}")?;
            }
            if p.path.is_empty() {
                write!(f, ": {}", p.message)?;
            } else {
                write!(f, ": `{}`: {}", p.path, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    fn single(file: &str, path: String, location: Option<(usize, usize)>, message: String) -> Self {
        ScenarioError {
            file: file.to_string(),
            problems: vec![Problem {
                path,
                location,
                message,
            }],
        }
    }
}

/// Reads, overrides, parses and validates a scenario file.
///
/// The file must be a regular file of at most [`MAX_SCENARIO_BYTES`]: a folder, a FIFO or a
/// device is refused before it is opened, and a larger file before it is read.
///
/// `overrides` are `key.path=value` strings whose value is TOML (`0.5`, `"text"`, `true`,
/// `{ dist = "fixed", value = 3 }`); an override naming a key the format does not have is
/// rejected with the key named. When the scenario has no `name`, the file's stem is used.
pub fn load_file(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let label = path.display().to_string();
    let text = read_input(path, MAX_SCENARIO_BYTES).map_err(|e| {
        ScenarioError::single(
            &label,
            String::new(),
            None,
            format!("cannot read the file: {e}"),
        )
    })?;
    let mut s = load_str(&text, &label, overrides)?;
    if s.name.is_empty() {
        s.name = path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
    }
    Ok(s)
}

/// Parses and validates scenario text; `label` names it in errors.
pub fn load_str(text: &str, label: &str, overrides: &[String]) -> Result<Scenario, ScenarioError> {
    let scenario = if overrides.is_empty() {
        parse(text, label)?
    } else {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| toml_error(label, text, &e))?;
        for o in overrides {
            apply_override(&mut table, o).map_err(|m| {
                ScenarioError::single(label, override_key(o), None, format!("override `{o}`: {m}"))
            })?;
        }
        let merged = toml::to_string(&table).map_err(|e| {
            ScenarioError::single(
                label,
                String::new(),
                None,
                format!("cannot re-serialise: {e}"),
            )
        })?;
        // Locations refer to the merged text, which the user never saw: a key an override
        // set is named as such, any other is located in the file as written.
        parse(&merged, label).map_err(|mut e| {
            for p in &mut e.problems {
                if set_by_override(&p.path, overrides) {
                    p.location = None;
                    p.message.push_str(" (set by an override)");
                } else {
                    p.location = locate(text, &p.path);
                }
            }
            e
        })?
    };
    let problems = validate(&scenario);
    if problems.is_empty() {
        check_candidates(&scenario, text, label)?;
        Ok(scenario)
    } else {
        // A key set by an override is named as such; any other key is where the file
        // has it (overrides do not move the file's lines).
        let mut problems: Vec<Problem> = problems
            .into_iter()
            .map(|(path, mut message)| {
                let overridden = set_by_override(&path, overrides);
                if overridden {
                    message.push_str(" (set by an override)");
                }
                Problem {
                    location: if overridden {
                        None
                    } else {
                        locate(text, &path)
                    },
                    path,
                    message,
                }
            })
            .collect();
        // File order; problems without a location (defaults, overrides) last.
        problems.sort_by_key(|p| p.location.unwrap_or((usize::MAX, 0)));
        Err(ScenarioError {
            file: label.to_string(),
            problems,
        })
    }
}

/// Whether an override sets `path` or a table holding it.
fn set_by_override(path: &str, overrides: &[String]) -> bool {
    overrides.iter().any(|o| {
        let key = override_key(o);
        path == key
            || path
                .strip_prefix(key.as_str())
                .is_some_and(|r| r.starts_with(['.', '[']))
    })
}

fn override_key(o: &str) -> String {
    o.split_once('=')
        .map(|(k, _)| k.trim().to_string())
        .unwrap_or_default()
}

/// Resolves every candidate once so that a bad one is reported at load time, naming the
/// file, the candidate and the key, located at the override that caused it.
fn check_candidates(s: &Scenario, text: &str, label: &str) -> Result<(), ScenarioError> {
    let Err(issues) = super::candidates::resolve(s) else {
        return Ok(());
    };
    let problems = issues
        .into_iter()
        .map(|i| {
            let location = match &i.set_key {
                Some(k) => locate_candidate_key(text, i.index, k),
                None => None,
            }
            .or_else(|| {
                locate(text, &i.path)
                    .filter(|_| i.path.starts_with("candidate["))
                    .or_else(|| locate(text, &format!("candidate[{}]", i.index)))
            });
            Problem {
                path: i.path,
                location,
                message: i.message,
            }
        })
        .collect();
    Err(ScenarioError {
        file: label.to_string(),
        problems,
    })
}

/// Line and column of key `key` in `candidate[index].set` (a key path written in quotes).
fn locate_candidate_key(text: &str, index: usize, key: &str) -> Option<(usize, usize)> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).ok()?;
    let (_, cands) = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "candidate")?;
    let DeValue::Array(items) = cands.get_ref() else {
        return None;
    };
    let DeValue::Table(cand) = items.get(index)?.get_ref() else {
        return None;
    };
    let (_, set) = cand.iter().find(|(k, _)| k.get_ref().as_ref() == "set")?;
    let DeValue::Table(set) = set.get_ref() else {
        return None;
    };
    let (k, _) = set.iter().find(|(k, _)| k.get_ref().as_ref() == key)?;
    Some(line_col(text, k.span().start))
}

/// Deserialises a TOML table strictly; on failure returns the key path and the message.
pub(crate) fn parse_table(table: &toml::Table) -> Result<Scenario, (String, String)> {
    let text =
        toml::to_string(table).map_err(|e| (String::new(), format!("cannot re-serialise: {e}")))?;
    let de = toml::Deserializer::parse(&text)
        .map_err(|e| (String::new(), clean_message(e.message())))?;
    let mut s = serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        (path, clean_message(e.into_inner().message()))
    })?;
    resolve_class_defaults(&mut s, table);
    Ok(s)
}

/// Sets the BG/NBD parameters that the scenario as written (`written`) leaves out of
/// `behaviour.repurchase` to the values of the product's purchase cycle
/// (`product.repurchase_class`); a key written there keeps its value.
fn resolve_class_defaults(s: &mut Scenario, written: &toml::Table) {
    let repurchase = written
        .get("behaviour")
        .and_then(|b| b.get("repurchase"))
        .and_then(toml::Value::as_table);
    s.product
        .repurchase_class
        .fill(&mut s.behaviour.repurchase, |key| {
            repurchase.is_some_and(|t| t.contains_key(key))
        });
}

fn parse(text: &str, label: &str) -> Result<Scenario, ScenarioError> {
    let de = toml::Deserializer::parse(text).map_err(|e| toml_error(label, text, &e))?;
    let mut s = serde_path_to_error::deserialize::<_, Scenario>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." { String::new() } else { path };
        let location = inner
            .span()
            .map(|s| line_col(text, s.start))
            .or_else(|| locate(text, &path));
        ScenarioError::single(label, path, location, clean_message(inner.message()))
    })?;
    let written: toml::Table = toml::from_str(text).map_err(|e| toml_error(label, text, &e))?;
    resolve_class_defaults(&mut s, &written);
    Ok(s)
}

fn toml_error(label: &str, text: &str, e: &toml::de::Error) -> ScenarioError {
    let location = e.span().map(|s| line_col(text, s.start));
    ScenarioError::single(
        label,
        String::new(),
        location,
        format!("malformed TOML: {}", clean_message(e.message())),
    )
}

fn clean_message(m: &str) -> String {
    m.trim().replace('\n', " ")
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Finds the line and column of a key path (`a.b.c` or `a.b[2].c`) in the original text,
/// falling back to the nearest ancestor present (a default value has no place in the file).
fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    use toml::de::{DeTable, DeValue};
    let root = DeTable::parse(text).ok()?;
    let segments: Vec<&str> = path
        .split(['.', '[', ']'])
        .filter(|s| !s.is_empty())
        .collect();
    let mut table = root.get_ref();
    let mut found = None;
    let mut iter = segments.iter().peekable();
    while let Some(seg) = iter.next() {
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *seg) else {
            break;
        };
        found = Some(k.span().start);
        let mut value = v;
        // Step into array elements when the next segment is an index.
        while let (DeValue::Array(a), Some(idx)) = (
            value.get_ref(),
            iter.peek().and_then(|s| s.parse::<usize>().ok()),
        ) {
            iter.next();
            match a.get(idx) {
                Some(item) => {
                    found = Some(item.span().start);
                    value = item;
                }
                None => break,
            }
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    found.map(|o| line_col(text, o))
}

/// Applies one `key.path=value` override to a parsed TOML table.
///
/// The value is parsed as a TOML value; a bare word that is not valid TOML is taken as a
/// string, so `--set product.category=home` works. Intermediate tables are created when
/// absent (a default table such as `behaviour.organic` may be absent from the file); whether
/// the key exists in the format is decided by the strict parse that follows.
pub fn apply_override(table: &mut toml::Table, assignment: &str) -> Result<(), String> {
    let (key, raw) = assignment
        .split_once('=')
        .ok_or_else(|| "expected KEY.PATH=VALUE".to_string())?;
    let key = key.trim();
    let raw = raw.trim();
    if key.is_empty() {
        return Err("empty key".into());
    }
    let value: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => t.remove("v").ok_or_else(|| "no value".to_string())?,
        Err(_) => toml::Value::String(raw.to_string()),
    };
    set_path(table, key, value)
}

/// Sets the value at key path `key` (`a.b.c`) of a TOML table, replacing what was there and
/// creating absent intermediate tables; fails when an intermediate key holds a non-table.
pub fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    if key.is_empty() {
        return Err("empty key".into());
    }
    let parts: Vec<&str> = key.split('.').collect();
    let mut cur = table;
    for (i, part) in parts.iter().enumerate() {
        // `name[k]` addresses element k of an array of tables (e.g. `program[0].topic`).
        let (name, index) = match part.strip_suffix(']').and_then(|p| p.split_once('[')) {
            Some((n, k)) => (
                n,
                Some(
                    k.parse::<usize>()
                        .map_err(|_| format!("malformed index in `{key}`: `[{k}]`"))?,
                ),
            ),
            None => (*part, None),
        };
        if name.is_empty() {
            return Err(format!("malformed key `{key}`"));
        }
        let last = i + 1 == parts.len();
        let here = parts[..=i].join(".");
        let Some(k) = index else {
            if last {
                cur.insert(name.to_string(), value);
                return Ok(());
            }
            let entry = cur
                .entry(name.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            cur = match entry {
                toml::Value::Table(t) => t,
                _ => return Err(format!("`{here}` is not a table")),
            };
            continue;
        };
        let Some(toml::Value::Array(items)) = cur.get_mut(name) else {
            return Err(format!(
                "`{here}`: `{name}` is not an array in the scenario"
            ));
        };
        let len = items.len();
        let item = items.get_mut(k).ok_or_else(|| {
            format!(
                "`{here}`: index {k} is out of range: allowed 0 to {}",
                len.saturating_sub(1)
            )
        })?;
        if last {
            *item = value;
            return Ok(());
        }
        cur = match item {
            toml::Value::Table(t) => t,
            _ => return Err(format!("`{here}` is not a table")),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: &str =
        "name = \"t\"\n[product]\nprice = 10.0\nunit_cost = 4.0\n[population]\nbuyers = 100\n";

    #[test]
    fn override_reaches_into_arrays_of_tables() {
        let mut t: toml::Table = toml::from_str("[[a]]\nx = 1\n[[a]]\nx = 2\n").unwrap();
        apply_override(&mut t, "a[1].x=5").unwrap();
        assert_eq!(t["a"][1]["x"].as_integer(), Some(5));
        let e = apply_override(&mut t, "a[2].x=5").unwrap_err();
        assert!(e.contains("index 2 is out of range"), "{e}");
    }

    #[test]
    fn minimal_scenario_loads_with_defaults() {
        let s = load_str(MIN, "t.toml", &[]).unwrap();
        assert_eq!(s.horizon_days, 90);
        assert_eq!(s.population.buyers, 100);
    }

    #[test]
    fn unknown_key_is_named_with_location() {
        let text = MIN.replace("buyers = 100", "buyers = 100\nbuyerz = 3");
        let e = load_str(&text, "t.toml", &[]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("buyerz"), "{msg}");
        assert!(msg.contains("t.toml:7"), "{msg}");
    }

    #[test]
    fn out_of_range_is_located() {
        let text = MIN.replace("unit_cost = 4.0", "unit_cost = 4.0\ndefect_rate = 1.5");
        let e = load_str(&text, "t.toml", &[]).unwrap_err();
        let p = &e.problems[0];
        assert_eq!(p.path, "product.defect_rate");
        assert_eq!(p.location, Some((5, 1)));
        assert!(p.message.contains("1.5"), "{}", p.message);
    }

    #[test]
    fn overrides_apply_and_unknown_override_is_rejected() {
        let s = load_str(MIN, "t.toml", &["behaviour.organic.bass_p=0.01".into()]).unwrap();
        assert_eq!(s.behaviour.organic.bass_p, 0.01);
        let e = load_str(MIN, "t.toml", &["behaviour.organic.bass_x=0.01".into()]).unwrap_err();
        assert!(e.to_string().contains("bass_x"), "{e}");
        let s = load_str(MIN, "t.toml", &["product.category=home".into()]).unwrap();
        assert_eq!(s.product.category, "home");
    }

    #[test]
    fn product_class_sets_the_repurchase_keys_left_out() {
        use crate::scenario::RepurchaseClass;
        let durable = RepurchaseClass::Durable.bgnbd();
        let text = MIN.replace(
            "unit_cost = 4.0",
            "unit_cost = 4.0\nrepurchase_class = \"durable\"",
        );
        let s = load_str(&text, "t.toml", &[]).unwrap();
        let r = &s.behaviour.repurchase;
        assert_eq!(
            (r.r, r.alpha, r.a, r.b),
            (durable.r, durable.alpha, durable.a, durable.b)
        );
        // An explicit key overrides its class value, in the file or by an override.
        let s = load_str(
            &format!("{text}[behaviour.repurchase]\nalpha = 50.0\n"),
            "t.toml",
            &["behaviour.repurchase.b=9.0".into()],
        )
        .unwrap();
        let r = &s.behaviour.repurchase;
        assert_eq!((r.r, r.alpha, r.a, r.b), (durable.r, 50.0, durable.a, 9.0));
        // An override can change the class; without one the default class applies.
        let s = load_str(
            MIN,
            "t.toml",
            &["product.repurchase_class=consumable".into()],
        )
        .unwrap();
        assert_eq!(
            s.behaviour.repurchase.alpha,
            RepurchaseClass::Consumable.bgnbd().alpha
        );
        let s = load_str(MIN, "t.toml", &[]).unwrap();
        assert_eq!(s.product.repurchase_class, RepurchaseClass::Cdnow);
        assert_eq!(s.behaviour.repurchase.r, RepurchaseClass::Cdnow.bgnbd().r);
        // The resolved text carries the values, and reloads to the same scenario.
        let again = load_str(&s.to_toml(), "t.toml", &[]).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn unknown_class_names_the_key_and_the_allowed_ones() {
        let text = MIN.replace(
            "unit_cost = 4.0",
            "unit_cost = 4.0\nrepurchase_class = \"fmcg\"",
        );
        let e = load_str(&text, "t.toml", &[]).unwrap_err().to_string();
        assert!(e.contains("product.repurchase_class"), "{e}");
        for name in ["consumable", "semi_durable", "durable", "cdnow"] {
            assert!(e.contains(name), "{e}");
        }
    }

    #[test]
    fn malformed_toml_has_line() {
        let e = load_str("name = \"x\"\n[product\nprice = 1\n", "bad.toml", &[]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("bad.toml:2:") && msg.contains("malformed TOML"),
            "{msg}"
        );
    }
}
