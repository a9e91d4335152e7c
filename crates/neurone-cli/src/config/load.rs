//! Reading an experiment file: TOML errors with their position, suggestions for misspelt keys,
//! and `--set key=value` overrides.

use std::path::{Path, PathBuf};

use neurone::Error;
use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::Experiment;
use crate::error::CliError;

/// Where an experiment was read from, so that an error found later (once the data is loaded)
/// still points at the line that caused it.
#[derive(Clone, Debug, Default)]
pub(super) struct Origin {
    path: PathBuf,
    text: String,
    overrides: Vec<String>,
}

impl Experiment {
    /// The usage error for a library error: placed at the key it names, in the file or the
    /// `--set` that gave it, like the errors found on reading.
    pub fn usage_error(&self, error: Error) -> CliError {
        let Origin { path, text, overrides } = &self.origin;
        match error {
            Error::InvalidParameter { .. } => {
                CliError::Usage(format!("{}{}", path.display(), locate(&error, text, overrides)))
            }
            other => CliError::from(other),
        }
    }

    /// Reads an experiment file and applies `--set key=value` overrides. Errors read
    /// `FILE:LINE:COLUMN: message`, or `FILE with --set KEY=VALUE: message` for a value given
    /// on the command line.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
        let origin = Origin { path: path.to_owned(), text, overrides: overrides.to_vec() };
        let experiment = if overrides.is_empty() {
            Self::parse(&origin.text).map_err(|error| format!("{}:{error}", path.display()))?
        } else {
            let text = &origin.text;
            let file: toml::Table =
                toml::from_str(text).map_err(|error| format!("{}:{}", path.display(), describe(&error, text)))?;
            // The file with the first `count` assignments applied, read as an experiment.
            let with_overrides = |count: usize| -> Result<Result<Experiment, toml::de::Error>, String> {
                let mut table = file.clone();
                for assignment in &overrides[..count] {
                    apply(&mut table, assignment)?;
                }
                Ok(Experiment::deserialize(toml::Value::Table(table)))
            };
            with_overrides(overrides.len())?
                .map_err(|error| {
                    // serde's message names no key: the assignment that first breaks it does.
                    let culprit = (1..=overrides.len())
                        .find(|&count| with_overrides(count).is_ok_and(|read| read.is_err()))
                        .map_or(String::new(), |count| format!(" {}", overrides[count - 1]));
                    format!("{} with --set{culprit}: {}", path.display(), with_suggestion(error.message()))
                })?
                .resolve()
                .map_err(|error| format!("{}{}", path.display(), locate(&error, text, overrides)))?
        };
        Ok(Experiment { origin, ..experiment })
    }

    /// Parses an experiment from TOML text. Errors read `LINE:COLUMN: message`.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str::<Experiment>(text)
            .map_err(|error| describe(&error, text))?
            .resolve()
            .map_err(|error| locate(&error, text, &[]).trim_start_matches(':').to_owned())
    }
}

/// Where the key a library error names (`train.optimizer.beta2`, `model.layers[1]`) was set,
/// after the file's name: `:LINE:COLUMN: reason` in the file, ` with --set KEY=VALUE: reason`
/// on the command line, or `: invalid KEY: reason` when the file leaves it to its default.
fn locate(error: &Error, text: &str, overrides: &[String]) -> String {
    let Error::InvalidParameter { parameter, reason } = error else { return format!(": {error}") };
    let overridden =
        |assignment: &&String| assignment.split_once('=').is_some_and(|(key, _)| parameter.starts_with(key.trim()));
    if let Some(assignment) = overrides.iter().find(overridden) {
        return format!(" with --set {assignment}: {reason}");
    }
    match offset_of(text, parameter) {
        Some(offset) => {
            let (line, column) = line_and_column(text, offset);
            format!(":{line}:{column}: {reason}")
        }
        None => format!(": {error}"),
    }
}

/// The byte offset in `text` of the value at `key` (dotted names with `[index]`es), if the
/// text sets it.
fn offset_of(text: &str, key: &str) -> Option<usize> {
    let document = DeTable::parse(text).ok()?;
    let mut table = Some(document.get_ref());
    let mut offset = None;
    for part in key.split('.') {
        let (name, indices) = part.split_once('[').unwrap_or((part, ""));
        let entry = table?.get(name)?;
        offset = Some(entry.span().start);
        let mut value = entry.get_ref();
        for index in indices.split('[').filter_map(|index| index.trim_end_matches(']').parse::<usize>().ok()) {
            let DeValue::Array(array) = value else { return None };
            let element = array.get(index)?;
            offset = Some(element.span().start);
            value = element.get_ref();
        }
        table = match value {
            DeValue::Table(inner) => Some(inner),
            _ => None,
        };
    }
    offset
}

/// `LINE:COLUMN: message` for a TOML error in `text`.
fn describe(error: &toml::de::Error, text: &str) -> String {
    let message = with_suggestion(error.message().trim_end());
    match error.span() {
        Some(span) => {
            let (line, column) = line_and_column(text, span.start);
            format!("{line}:{column}: {message}")
        }
        None => format!(" {message}"),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |last| last.chars().count()) + 1;
    (line, column)
}

/// serde says "unknown field `lerning_rate`, expected one of `learning_rate`, …"; add
/// "did you mean `learning_rate`?" when one valid key is close to the misspelt one.
fn with_suggestion(message: &str) -> String {
    let quoted = |text: &str| -> Vec<String> { text.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let Some(rest) = message.strip_prefix("unknown field ").or_else(|| message.strip_prefix("unknown variant ")) else {
        return message.to_owned();
    };
    let names = quoted(rest);
    let Some((unknown, valid)) = names.split_first() else { return message.to_owned() };
    let nearest = valid.iter().map(|name| (edit_distance(unknown, name), name)).min();
    match nearest {
        Some((distance, name)) if distance <= unknown.len().max(3) / 3 + 1 => {
            format!("{message}; did you mean `{name}`?")
        }
        _ => message.to_owned(),
    }
}

/// Levenshtein distance between two words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Applies `section.key=value`: the value is read as TOML (`50`, `[64, 32]`, `true`, `"relu"`),
/// or taken as a string when it is not valid TOML (`relu`).
fn apply(table: &mut toml::Table, assignment: &str) -> Result<(), String> {
    let bad = |reason: &str| format!("--set {assignment}: {reason}");
    let (path, text) = assignment.split_once('=').ok_or_else(|| bad("expected key=value"))?;
    let keys: Vec<&str> = path.trim().split('.').collect();
    if keys.iter().any(|key| key.is_empty()) {
        return Err(bad("the key has an empty part"));
    }
    let value = toml::from_str::<toml::Table>(&format!("value = {text}"))
        .ok()
        .and_then(|mut parsed| parsed.remove("value"))
        .unwrap_or_else(|| toml::Value::String(text.trim().to_owned()));
    let (last, sections) = keys.split_last().expect("split always yields a part");
    let mut current = table;
    for section in sections {
        let entry = current.entry(section.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = entry.as_table_mut().ok_or_else(|| bad(&format!("`{section}` is not a section")))?;
    }
    current.insert(last.to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_keys_get_the_nearest_valid_one() {
        let error =
            Experiment::parse("name = \"t\"\n[data]\ndataset = \"sine\"\n[train]\nlerning_rate = 0.1\n").unwrap_err();
        assert!(error.ends_with("did you mean `learning_rate`?"), "{error}");
        let error = Experiment::parse("name = \"t\"\n[data]\ndataset = \"sin\"\n").unwrap_err();
        assert!(error.ends_with("did you mean `sine`?"), "{error}");
        let error = Experiment::parse("name = \"t\"\n[data]\ndataset = \"sine\"\n[train]\nzzz = 1\n").unwrap_err();
        assert!(!error.contains("did you mean"), "nothing close to zzz: {error}");
    }

    #[test]
    fn overrides_replace_and_add_values() {
        let mut table: toml::Table = toml::from_str("name = \"t\"\n[train]\nepochs = 5\n").unwrap();
        apply(&mut table, "train.epochs=50").unwrap();
        apply(&mut table, "model.layers=[64, 32]").unwrap();
        apply(&mut table, "model.activation=relu").unwrap();
        apply(&mut table, "data.dataset=\"sine\"").unwrap();
        let experiment = Experiment::deserialize(toml::Value::Table(table)).unwrap();
        assert_eq!(experiment.train.epochs, 50);
        assert_eq!(experiment.model.layers, [64, 32]);
        assert_eq!(experiment.model.activation, neurone::Activation::Relu);
    }

    #[test]
    fn malformed_overrides_are_errors() {
        let mut table: toml::Table = toml::from_str("name = \"t\"\n").unwrap();
        assert_eq!(apply(&mut table, "train.epochs").unwrap_err(), "--set train.epochs: expected key=value");
        assert!(apply(&mut table, "name.x=1").unwrap_err().contains("`name` is not a section"));
        assert!(apply(&mut table, "train..x=1").is_err());
    }
}
