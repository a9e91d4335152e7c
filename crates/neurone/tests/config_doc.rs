//! `docs/config.md` documents every key of `[model]` and `[train]` with its default: these tests
//! read its tables and compare them with the spec types, so that the page cannot drift from
//! the code. A key documented but not accepted, accepted but not documented, or documented
//! with another default fails.

use std::path::Path;

use neurone::EarlyStopping;
use neurone::optim::Schedule;
use neurone::spec::{NetworkSpec, OptimizerSpec, TrainingSpec};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The rows of the table under `heading`: its cells, without the header and separator rows.
fn table(heading: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/config.md");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find(&format!("{heading}\n")).unwrap_or_else(|| panic!("no heading {heading}"));
    let rows: Vec<Vec<String>> = text[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .map(|line| line.trim_matches('|').split(" | ").map(|cell| cell.trim().to_owned()).collect())
        .collect();
    rows[2..].to_vec()
}

/// The text between the first pair of backticks of `cell`.
fn quoted(cell: &str) -> Option<&str> {
    cell.split('`').nth(1)
}

/// The keys `T` accepts, read from serde's answer to an unknown one.
fn accepted_keys<T: DeserializeOwned + std::fmt::Debug>(mut object: Value) -> Vec<String> {
    object.as_object_mut().unwrap().insert("no_such_key".into(), json!(1));
    let error = serde_json::from_value::<T>(object).unwrap_err().to_string();
    let expected = error.split("expected").nth(1).unwrap_or_else(|| panic!("{error}"));
    let mut keys: Vec<String> = expected.split('`').skip(1).step_by(2).map(str::to_owned).collect();
    keys.retain(|key| key != "kind");
    keys.sort();
    keys
}

/// Whether a documented default (TOML text) is the value the spec serialises; a tagged table
/// `{ kind = "sgd" }` stands for that kind with its own defaults.
fn same_value(documented: &str, actual: &Value) -> bool {
    if let Some(kind) = documented.strip_prefix("{ kind = ").and_then(|rest| rest.strip_suffix(" }")) {
        return same_value(kind, &actual["kind"]);
    }
    let Ok(documented) = serde_json::from_str::<Value>(documented) else { return false };
    match (documented.as_f64(), actual.as_f64()) {
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-12 * b.abs(),
        _ => documented == *actual,
    }
}

/// Checks a `| key | default | meaning |` table against the default of a spec type.
fn check_key_table<T: DeserializeOwned + serde::Serialize + std::fmt::Debug>(heading: &str, default: &T, base: Value) {
    let defaults = serde_json::to_value(default).unwrap();
    let mut documented = Vec::new();
    for row in table(heading) {
        let key = quoted(&row[0]).unwrap().to_owned();
        let written = &row[1];
        match quoted(written) {
            // A literal default: the spec's must be the same.
            Some(value) if written.starts_with('`') => {
                let actual = defaults.get(&key).unwrap_or_else(|| panic!("{heading} {key}: no default in the spec"));
                assert!(same_value(value, actual), "{heading} {key}: documented {value}, the spec has {actual}");
            }
            // "(required)", "none", "per task"…: the spec leaves it unset.
            _ => assert!(defaults.get(&key).is_none_or(Value::is_null), "{heading} {key}: documented {written}"),
        }
        documented.push(key);
    }
    documented.sort();
    assert_eq!(documented, accepted_keys::<T>(base), "{heading}: the keys documented and the keys accepted");
}

/// Checks a `| kind | settings | … |` table: each kind's settings, written `key = default` or
/// `key` (no default), against the spec `T` deserialised from `{ kind }` alone.
fn check_kind_table<T: DeserializeOwned + serde::Serialize + std::fmt::Debug>(
    heading: &str,
    required: &[(&str, Value)],
) {
    for row in table(heading) {
        let kind = quoted(&row[0]).unwrap();
        let mut object = json!({ "kind": kind });
        for (key, value) in required.iter().filter(|(key, _)| row[1].contains(&format!("`{key}`"))) {
            object[key] = value.clone();
        }
        let spec: T = serde_json::from_value(object.clone()).unwrap_or_else(|error| panic!("{kind}: {error}"));
        let defaults = serde_json::to_value(&spec).unwrap();
        let mut documented = Vec::new();
        for setting in row[1].split('`').skip(1).step_by(2) {
            let (key, value) = setting.split_once(" = ").map_or((setting, None), |(key, value)| (key, Some(value)));
            if let Some(value) = value {
                let actual = &defaults[key];
                assert!(same_value(value, actual), "{heading} {kind} {key}: documented {value}, the spec has {actual}");
            }
            documented.push(key.to_owned());
        }
        documented.sort();
        let accepted = if documented.is_empty() { Vec::new() } else { accepted_keys::<T>(object) };
        assert_eq!(documented, accepted, "{heading} {kind}: the settings documented and those accepted");
    }
}

#[test]
fn the_model_table_is_the_network_spec() {
    check_key_table("## `[model]`", &NetworkSpec::default(), json!({}));
}

#[test]
fn the_train_table_is_the_training_spec() {
    check_key_table("## `[train]`", &TrainingSpec::default(), json!({}));
}

#[test]
fn the_optimizer_table_is_the_optimizer_spec() {
    check_kind_table::<OptimizerSpec>("### `[train.optimizer]`", &[]);
}

#[test]
fn the_schedule_table_is_the_schedule() {
    check_kind_table::<Schedule>("### `[train.schedule]`", &[("step_size", json!(5)), ("gamma", json!(0.5))]);
}

#[test]
fn the_early_stopping_table_is_early_stopping() {
    let default = EarlyStopping::new(neurone::Monitor::ValidationLoss);
    let mut defaults = serde_json::to_value(&default).unwrap();
    defaults["monitor"] = Value::Null; // required: no default
    let rows = table("### `[train.early_stopping]`");
    for row in &rows {
        let key = quoted(&row[0]).unwrap();
        match quoted(&row[1]).filter(|_| row[1].starts_with('`')) {
            Some(value) => assert!(same_value(value, &defaults[key]), "early_stopping {key}: documented {value}"),
            None => assert!(defaults[key].is_null(), "early_stopping {key}"),
        }
    }
    let mut documented: Vec<String> = rows.iter().map(|row| quoted(&row[0]).unwrap().to_owned()).collect();
    documented.sort();
    assert_eq!(documented, accepted_keys::<EarlyStopping>(json!({ "monitor": "val_loss" })));
}
