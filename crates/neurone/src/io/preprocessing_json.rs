//! The `preprocessing` metadata of a model file: [`Preprocessing`] as JSON.
//!
//! ```json
//! {"schema": {"features": [{"name": "age", "kind": "numeric"},
//!                          {"name": "smoker", "kind": "categorical", "categories": ["no", "yes"]}],
//!             "target": {"name": "charges", "kind": "numeric"}},
//!  "imputer": {"fills": [39.2, 1.0, 0.0]},
//!  "input_scaler": {"kind": "standard", "offsets": [39.2, 0.8, 0.2], "scales": [14.0, 0.4, 0.4]},
//!  "target_scaler": {"kind": "standard", "offsets": [13270.4], "scales": [12105.5]},
//!  "feature_names": ["age", "smoker=no", "smoker=yes"],
//!  "class_names": null}
//! ```
//!
//! `imputer` (the value of each encoded input where it is missing) is written only when the
//! model imputes, so files of models that do not, and files written before it existed, read
//! and write as they did.
//!
//! Mirror structs rather than serde derives on the data types: the file format stays put when
//! the library's types change, and every value read is checked before it becomes one of them.

use serde::{Deserialize, Serialize};

use crate::data::{Column, ColumnKind, CsvSchema, Imputer, Preprocessing, Scaler, ScalerKind};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PreprocessingJson {
    schema: Option<SchemaJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    imputer: Option<ImputerJson>,
    input_scaler: Option<ScalerJson>,
    target_scaler: Option<ScalerJson>,
    feature_names: Option<Vec<String>>,
    class_names: Option<Vec<String>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaJson {
    features: Vec<ColumnJson>,
    target: ColumnJson,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnJson {
    name: String,
    kind: KindJson,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindJson {
    Numeric,
    Categorical,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImputerJson {
    fills: Vec<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScalerJson {
    kind: ScalerKindJson,
    offsets: Vec<f64>,
    scales: Vec<f64>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ScalerKindJson {
    Standard,
    MinMax,
}

impl From<&Preprocessing> for PreprocessingJson {
    fn from(preprocessing: &Preprocessing) -> Self {
        let column = |column: &Column| match &column.kind {
            ColumnKind::Numeric => ColumnJson { name: column.name.clone(), kind: KindJson::Numeric, categories: None },
            ColumnKind::Categorical { categories } => ColumnJson {
                name: column.name.clone(),
                kind: KindJson::Categorical,
                categories: Some(categories.clone()),
            },
        };
        let scaler = |scaler: &Scaler| ScalerJson {
            kind: match scaler.kind {
                ScalerKind::Standard => ScalerKindJson::Standard,
                ScalerKind::MinMax => ScalerKindJson::MinMax,
            },
            offsets: scaler.offsets.clone(),
            scales: scaler.scales.clone(),
        };
        Self {
            schema: preprocessing.schema.as_ref().map(|schema| SchemaJson {
                features: schema.features.iter().map(column).collect(),
                target: column(&schema.target),
            }),
            imputer: preprocessing.imputer.as_ref().map(|imputer| ImputerJson { fills: imputer.fills.clone() }),
            input_scaler: preprocessing.input_scaler.as_ref().map(scaler),
            target_scaler: preprocessing.target_scaler.as_ref().map(scaler),
            feature_names: preprocessing.feature_names.clone(),
            class_names: preprocessing.class_names.clone(),
        }
    }
}

impl PreprocessingJson {
    /// The preprocessing this JSON describes, or what is wrong with it.
    pub(crate) fn into_preprocessing(self) -> Result<Preprocessing, String> {
        let schema = match self.schema {
            None => None,
            Some(schema) => {
                let features = schema.features.into_iter().map(column).collect::<Result<_, _>>()?;
                Some(CsvSchema { features, target: column(schema.target)? })
            }
        };
        if let Some(json) = &self.imputer
            && json.fills.iter().any(|fill| !fill.is_finite())
        {
            return Err("imputer: fills must be finite".into());
        }
        Ok(Preprocessing {
            schema,
            imputer: self.imputer.map(|json| Imputer { fills: json.fills }),
            input_scaler: self.input_scaler.map(|json| scaler("input_scaler", json)).transpose()?,
            target_scaler: self.target_scaler.map(|json| scaler("target_scaler", json)).transpose()?,
            feature_names: self.feature_names,
            class_names: self.class_names,
        })
    }
}

fn column(json: ColumnJson) -> Result<Column, String> {
    let kind = match (json.kind, json.categories) {
        (KindJson::Numeric, None) => ColumnKind::Numeric,
        (KindJson::Categorical, Some(categories)) => {
            // Encoding looks categories up by binary search: they must be sorted and distinct.
            if let Some(pair) = categories.windows(2).find(|pair| pair[0] >= pair[1]) {
                return Err(format!(
                    "column `{}`: categories must be sorted and distinct, but `{}` comes before `{}`",
                    json.name, pair[0], pair[1]
                ));
            }
            if categories.is_empty() {
                return Err(format!("column `{}`: a categorical column needs at least one category", json.name));
            }
            ColumnKind::Categorical { categories }
        }
        (KindJson::Numeric, Some(_)) => {
            return Err(format!("column `{}`: a numeric column has no categories", json.name));
        }
        (KindJson::Categorical, None) => return Err(format!("column `{}`: categories are missing", json.name)),
    };
    Ok(Column { name: json.name, kind })
}

fn scaler(what: &str, json: ScalerJson) -> Result<Scaler, String> {
    if json.offsets.len() != json.scales.len() {
        return Err(format!("{what}: {} offsets but {} scales", json.offsets.len(), json.scales.len()));
    }
    if json.offsets.iter().any(|offset| !offset.is_finite()) {
        return Err(format!("{what}: offsets must be finite"));
    }
    if json.scales.iter().any(|scale| !(scale.is_finite() && *scale > 0.0)) {
        return Err(format!("{what}: scales must be positive and finite"));
    }
    let kind = match json.kind {
        ScalerKindJson::Standard => ScalerKind::Standard,
        ScalerKindJson::MinMax => ScalerKind::MinMax,
    };
    Ok(Scaler { kind, offsets: json.offsets, scales: json.scales })
}

/// Checks that the preprocessing fits a network of `inputs` inputs and `outputs` outputs.
pub(crate) fn check_widths(preprocessing: &Preprocessing, inputs: usize, outputs: usize) -> Result<(), String> {
    let mismatch = |what: &str, width: usize, side: &str, expected: usize| {
        if width == expected {
            Ok(())
        } else {
            Err(format!("{what} has width {width}, but the network has {expected} {side}"))
        }
    };
    if let Some(scaler) = &preprocessing.input_scaler {
        mismatch("input_scaler", scaler.width(), "inputs", inputs)?;
    }
    if let Some(imputer) = &preprocessing.imputer {
        mismatch("imputer", imputer.width(), "inputs", inputs)?;
    }
    if let Some(scaler) = &preprocessing.target_scaler {
        mismatch("target_scaler", scaler.width(), "outputs", outputs)?;
    }
    if let Some(names) = &preprocessing.feature_names {
        mismatch("feature_names", names.len(), "inputs", inputs)?;
    }
    if let Some(names) = &preprocessing.class_names {
        // A single sigmoid output names its two classes: the one below ½, then the one above.
        let binary = outputs == 1 && names.len() == 2;
        if !binary {
            mismatch("class_names", names.len(), "outputs", outputs)?;
        }
    }
    if let Some(schema) = &preprocessing.schema {
        mismatch("schema (features)", schema.input_width(), "inputs", inputs)?;
        mismatch("schema (target)", schema.target.width(), "outputs", outputs)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Preprocessing, String> {
        serde_json::from_str::<PreprocessingJson>(json).map_err(|error| error.to_string())?.into_preprocessing()
    }

    #[test]
    fn round_trips_every_field() {
        let preprocessing = Preprocessing {
            schema: Some(CsvSchema {
                features: vec![
                    Column { name: "age".into(), kind: ColumnKind::Numeric },
                    Column {
                        name: "smoker".into(),
                        kind: ColumnKind::Categorical { categories: vec!["no".into(), "yes".into()] },
                    },
                ],
                target: Column { name: "charges".into(), kind: ColumnKind::Numeric },
            }),
            imputer: Some(Imputer { fills: vec![39.25, 1.0, 0.0] }),
            input_scaler: Some(Scaler {
                kind: ScalerKind::MinMax,
                offsets: vec![18.0, 0.0, 0.0],
                scales: vec![46.0, 1.0, 1.0],
            }),
            target_scaler: Some(Scaler {
                kind: ScalerKind::Standard,
                offsets: vec![0.1 + 0.2],
                scales: vec![1.0 / 3.0],
            }),
            feature_names: Some(vec!["age".into(), "smoker=no".into(), "smoker=yes".into()]),
            class_names: None,
        };
        let json = serde_json::to_string(&PreprocessingJson::from(&preprocessing)).unwrap();
        assert!(json.contains(r#"{"name":"smoker","kind":"categorical","categories":["no","yes"]}"#), "{json}");
        assert!(json.contains(r#""kind":"min_max""#), "{json}");
        assert!(json.contains(r#""imputer":{"fills":[39.25,1.0,0.0]}"#), "{json}");
        // float_roundtrip: every f64 comes back with the same bits.
        assert_eq!(parse(&json).unwrap(), preprocessing);
        assert_eq!(check_widths(&preprocessing, 3, 1), Ok(()));
        assert_eq!(
            check_widths(&preprocessing, 4, 1),
            Err("input_scaler has width 3, but the network has 4 inputs".into())
        );
    }

    #[test]
    fn malformed_values_are_rejected() {
        let none = r#""input_scaler":null,"target_scaler":null,"feature_names":null,"class_names":null"#;
        let error = parse(&format!(
            r#"{{"schema":{{"features":[{{"name":"c","kind":"categorical","categories":["b","a"]}}],"target":{{"name":"t","kind":"numeric"}}}},{none}}}"#
        ))
        .unwrap_err();
        assert!(error.contains("column `c`: categories must be sorted and distinct"), "{error}");
        let error = parse(r#"{"schema":null,"input_scaler":{"kind":"standard","offsets":[0],"scales":[0]},"target_scaler":null,"feature_names":null,"class_names":null}"#).unwrap_err();
        assert_eq!(error, "input_scaler: scales must be positive and finite");
        let error = parse(r#"{"schema":null,"input_scaler":{"kind":"robust","offsets":[0],"scales":[1]},"target_scaler":null,"feature_names":null,"class_names":null}"#).unwrap_err();
        assert!(error.contains("unknown variant `robust`"), "{error}");
    }

    #[test]
    fn the_imputer_is_written_only_when_there_is_one() {
        let json = serde_json::to_string(&PreprocessingJson::from(&Preprocessing::default())).unwrap();
        assert!(!json.contains("imputer"), "{json}");
        let mut preprocessing = parse(&json).unwrap();
        assert_eq!(preprocessing.imputer, None);
        preprocessing.imputer = Some(Imputer { fills: vec![1.0, 2.0] });
        assert_eq!(check_widths(&preprocessing, 3, 1), Err("imputer has width 2, but the network has 3 inputs".into()));
        let error = parse(
            r#"{"schema":null,"imputer":{"fills":[1e999]},"input_scaler":null,"target_scaler":null,"feature_names":null,"class_names":null}"#,
        );
        assert!(error.is_err());
    }
}
