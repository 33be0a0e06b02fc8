//! The JSON Schema of scenario files, generated from the configuration types.
//!
//! TOML editors that read JSON Schemas (taplo, and the Even Better TOML extension built on
//! it) offer completion, inline documentation and checks while a scenario is typed. A
//! scenario names the schema on its first line with taplo's directive, the path relative to
//! the scenario file:
//!
//! ```toml
//! #:schema ../schema/scenario.schema.json
//! ```
//!
//! The schema is JSON Schema draft-07 (the widest editor support). It follows the
//! deserialiser: unknown keys are rejected (`additionalProperties: false`), enumerations list
//! their spellings, defaults and doc comments are carried as `default` and `description`.
//! Ranges between values (e.g. `min <= max`) are left to [`super::validate()`], which runs
//! when a scenario is loaded. TOML has no null, so optional keys are described by their
//! value's schema alone (absent means unset).
//!
//! The repository ships the output as `schema/scenario.schema.json`; `promosim schema`
//! prints it.

use super::Scenario;
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use serde_json::{Map, Value};

/// The scenario schema as pretty JSON ending in a newline; the same text on every call and
/// build (object keys sorted).
pub fn json() -> String {
    let mut text = serde_json::to_string_pretty(&value()).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// The scenario schema as a JSON value with every object's keys sorted.
pub fn value() -> Value {
    // `NoNull` runs first so that draft-07's own transforms (e.g. moving the siblings of a
    // `$ref` beside an `allOf`) see its result.
    let generator = SchemaSettings::draft07()
        .with(|s| s.transforms.insert(0, Box::new(NoNull)))
        .into_generator();
    let schema = generator.into_root_schema_for::<Scenario>();
    sorted(schema.to_value())
}

/// Removes `null` from the types a value may take: TOML has no null, an unset optional
/// key is simply absent.
#[derive(Debug, Clone)]
struct NoNull;

impl Transform for NoNull {
    fn transform(&mut self, schema: &mut schemars::Schema) {
        if let Some(obj) = schema.as_object_mut() {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(options)) = obj.get_mut(key) {
                    options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                    if options.len() == 1 {
                        let Some(Value::Object(only)) = options.pop() else {
                            continue;
                        };
                        obj.remove(key);
                        for (k, v) in only {
                            obj.entry(k).or_insert(v);
                        }
                    }
                }
            }
        }
        transform_subschemas(self, schema);
    }
}

/// `v` with every object's keys in sorted order, whatever map `serde_json` was built with.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_draft07_and_rejects_unknown_top_level_keys() {
        let v = value();
        assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(v["additionalProperties"], false);
        assert_eq!(v["required"], serde_json::json!(["product", "population"]));
    }

    #[test]
    fn the_same_text_on_every_call() {
        assert_eq!(json(), json());
    }

    #[test]
    fn no_null_anywhere() {
        assert!(!json().contains("\"null\""));
    }
}
