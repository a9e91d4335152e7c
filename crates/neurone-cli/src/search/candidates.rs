//! The candidates of a search as the command line gives them, each a list of `KEY=VALUE`
//! settings applied like `--set` on top of the experiment file; the library's
//! [`grid`](neurone::model_selection::grid) and [`random`](neurone::model_selection::random)
//! combine or draw them. A grid (`--grid KEY=[v1,v2]`) gives every combination; a random
//! search (`--random N --space KEY=DISTRIBUTION`) draws N of them.

use neurone::Error;
use neurone::model_selection::{self, Distribution, Sample};

/// One candidate: its settings, as `--set` would take them, in the order the keys were given.
pub type Candidate = Vec<String>;

/// Every combination of the grid's values, the first key's varying slowest.
///
/// ```text
/// --grid model.layers=[[16],[32,32]] --grid train.l2=[0,1e-4]
/// ```
pub fn grid(assignments: &[String]) -> Result<Vec<Candidate>, String> {
    let axes: Vec<(String, Vec<String>)> = assignments
        .iter()
        .map(|assignment| {
            let bad = |reason: &str| format!("--grid {assignment}: {reason}");
            let (key, text) = assignment.split_once('=').ok_or_else(|| bad("expected KEY=[v1,v2,…]"))?;
            let values = list(text).ok_or_else(|| bad("expected a list of values, e.g. [0.01, 0.1]"))?;
            if values.is_empty() {
                return Err(bad("the list is empty"));
            }
            Ok((key.trim().to_owned(), values))
        })
        .collect::<Result<_, String>>()?;
    let settings =
        |candidate: Vec<(String, String)>| candidate.into_iter().map(|(key, value)| format!("{key}={value}"));
    Ok(model_selection::grid(&axes).into_iter().map(|candidate| settings(candidate).collect()).collect())
}

/// `count` candidates drawn from `spaces` (`KEY=log_uniform(a,b)`, `KEY=uniform(a,b)`,
/// `KEY=choice([v1,v2])`) with a generator seeded by `seed`.
pub fn random(count: usize, spaces: &[String], seed: u64) -> Result<Vec<Candidate>, String> {
    let spaces: Vec<(String, Distribution<String>)> = spaces
        .iter()
        .map(|assignment| {
            let bad = |reason: &str| format!("--space {assignment}: {reason}");
            let (key, text) = assignment.split_once('=').ok_or_else(|| bad("expected KEY=DISTRIBUTION"))?;
            let distribution = distribution(text.trim()).map_err(|reason| bad(&reason))?;
            Ok((key.trim().to_owned(), distribution))
        })
        .collect::<Result<_, String>>()?;
    if spaces.is_empty() {
        return Err("--random needs at least one --space KEY=DISTRIBUTION".into());
    }
    let setting = |(key, sample): (String, Sample<'_, String>)| match sample {
        // Debug prints the shortest text that reads back as the same f64, as a float.
        Sample::Number(value) => format!("{key}={value:?}"),
        Sample::Choice(value) => format!("{key}={value}"),
    };
    Ok(model_selection::random(count, &spaces, seed)
        .into_iter()
        .map(|candidate| candidate.into_iter().map(setting).collect())
        .collect())
}

/// `log_uniform(a, b)`, `uniform(a, b)` or `choice([v1, v2])`.
fn distribution(text: &str) -> Result<Distribution<String>, String> {
    let expected = "expected log_uniform(a, b), uniform(a, b) or choice([v1, v2, …])";
    let (name, arguments) = text.split_once('(').ok_or(expected)?;
    let arguments = arguments.strip_suffix(')').ok_or(expected)?.trim();
    let reason = |error: Error| match error {
        Error::InvalidParameter { reason, .. } => reason,
        other => other.to_string(),
    };
    let bounds = || -> Result<(f64, f64), String> {
        let (low, high) = arguments.split_once(',').ok_or("expected two bounds, e.g. (1e-4, 1e-1)")?;
        let number = |text: &str| text.trim().parse::<f64>().map_err(|_| format!("`{}` is not a number", text.trim()));
        Ok((number(low)?, number(high)?))
    };
    match name.trim() {
        "uniform" => bounds().and_then(|(low, high)| Distribution::uniform(low, high).map_err(reason)),
        "log_uniform" => bounds().and_then(|(low, high)| Distribution::log_uniform(low, high).map_err(reason)),
        "choice" => {
            let values = list(arguments).ok_or("expected a list of values, e.g. choice([relu, tanh])")?;
            Distribution::choice(values).map_err(reason)
        }
        _ => Err(expected.into()),
    }
}

/// The values of a list as `--set` reads them: a TOML array (`[0.01, 0.1]`, `[[16], [32, 32]]`,
/// `["relu", "tanh"]`), or plain words between brackets (`[relu, tanh]`). Each value comes
/// back as TOML text.
fn list(text: &str) -> Option<Vec<String>> {
    let text = text.trim();
    if let Ok(mut table) = toml::from_str::<toml::Table>(&format!("value = {text}"))
        && let Some(toml::Value::Array(values)) = table.remove("value")
    {
        return Some(values.iter().map(ToString::to_string).collect());
    }
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    if inner.contains(['[', ']']) {
        return None;
    }
    Some(inner.split(',').map(str::trim).filter(|word| !word.is_empty()).map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn a_grid_gives_every_combination_first_key_slowest() {
        let candidates =
            grid(&strings(&["model.layers=[[16], [32, 32]]", "train.l2=[0, 1e-4]", "model.activation=[relu,tanh]"]))
                .unwrap();
        assert_eq!(candidates.len(), 8);
        assert_eq!(candidates[0], strings(&["model.layers=[16]", "train.l2=0", "model.activation=relu"]));
        assert_eq!(candidates[1], strings(&["model.layers=[16]", "train.l2=0", "model.activation=tanh"]));
        assert_eq!(candidates[7], strings(&["model.layers=[32, 32]", "train.l2=0.0001", "model.activation=tanh"]));
    }

    #[test]
    fn malformed_grids_name_the_option() {
        assert_eq!(grid(&strings(&["train.l2"])).unwrap_err(), "--grid train.l2: expected KEY=[v1,v2,…]");
        assert_eq!(
            grid(&strings(&["train.l2=0.1"])).unwrap_err(),
            "--grid train.l2=0.1: expected a list of values, e.g. [0.01, 0.1]"
        );
        assert_eq!(grid(&strings(&["train.l2=[]"])).unwrap_err(), "--grid train.l2=[]: the list is empty");
    }

    #[test]
    fn random_candidates_are_drawn_from_the_seed_within_their_space() {
        let spaces = strings(&["train.learning_rate=log_uniform(1e-4, 1e-1)", "model.layers=choice([[16], [32, 32]])"]);
        let candidates = random(20, &spaces, 7).unwrap();
        assert_eq!(candidates, random(20, &spaces, 7).unwrap());
        assert_ne!(candidates, random(20, &spaces, 8).unwrap());
        for candidate in &candidates {
            let rate: f64 = candidate[0].strip_prefix("train.learning_rate=").unwrap().parse().unwrap();
            assert!((1e-4..1e-1).contains(&rate), "{rate}");
            assert!(
                ["model.layers=[16]", "model.layers=[32, 32]"].contains(&candidate[1].as_str()),
                "{}",
                candidate[1]
            );
        }
    }

    #[test]
    fn bad_spaces_get_one_line_naming_the_option() {
        let error = |space: &str| random(1, &strings(&[space]), 1).unwrap_err();
        assert_eq!(
            error("train.l2=log_uniform(0, 1)"),
            "--space train.l2=log_uniform(0, 1): a log-uniform distribution needs 0 < low, got 0"
        );
        assert_eq!(error("train.l2=uniform(1, x)"), "--space train.l2=uniform(1, x): `x` is not a number");
        assert_eq!(
            error("train.l2=normal(0, 1)"),
            "--space train.l2=normal(0, 1): expected log_uniform(a, b), uniform(a, b) or choice([v1, v2, …])"
        );
        assert_eq!(
            error("train.l2=uniform(2, 1)"),
            "--space train.l2=uniform(2, 1): needs finite bounds with low < high, got (2, 1)"
        );
        assert_eq!(random(1, &[], 1).unwrap_err(), "--random needs at least one --space KEY=DISTRIBUTION");
    }
}
