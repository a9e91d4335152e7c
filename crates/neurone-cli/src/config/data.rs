//! `[data]`: which dataset, how it is split, and how it is scaled. Settings that do not apply
//! to the chosen dataset are errors; those left out get the dataset's defaults, written out in
//! the run's `config.toml`.

use std::path::PathBuf;

use neurone::Error;
use neurone::check::{check_at_least, check_unit_interval};
use neurone::data::MissingValues;
use serde::{Deserialize, Serialize};

/// Which data to learn from.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    pub dataset: DatasetName,
    /// `csv`: the file to read (relative to the current directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// `csv`: the column to predict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `csv`: columns to treat as categories even if they hold numbers (the target among
    /// them makes a classification of its values, e.g. labels 0, 1, 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical: Option<Vec<String>>,
    /// `csv`: a test set in its own file, with the same columns (instead of a `test` fraction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_path: Option<PathBuf>,
    /// `csv`: a validation set in its own file, with the same columns (instead of a
    /// `validation` fraction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_path: Option<PathBuf>,
    /// `csv`: what to do with missing values (empty fields, `NA`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingValues>,
    /// `sine`: training samples drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// `sine`: validation samples drawn independently (0 for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_samples: Option<usize>,
    /// `sine`: points of the evenly spaced grid the fit is judged on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_points: Option<usize>,
    /// `iris`, `insurance`, `mnist`, `csv`: train on only this many samples of the training
    /// split, a random subset (validation and test sets are left as they are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_samples: Option<usize>,
    /// Fraction of the samples held out for validation (of the training set, for MNIST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<f64>,
    /// Fraction of the samples held out for the final test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<f64>,
    /// Keep each class's proportion in every split (classification only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stratify: Option<bool>,
    /// Scaling of the inputs, fitted on the training split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_inputs: Option<Scaling>,
    /// Scaling of a regression target, fitted on the training split; predictions and metrics
    /// are in the original units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_target: Option<Scaling>,
}

/// The built-in datasets, and CSV files.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DatasetName {
    /// y = sin x with x uniform on [0, 2π] (the course's regression example).
    #[default]
    Sine,
    /// The four points of exclusive or.
    Xor,
    /// Fisher's iris flowers: 4 measurements, 3 species.
    Iris,
    /// Medical insurance charges from age, sex, BMI, children, smoking and region.
    Insurance,
    /// Handwritten digits, 28×28 pixels.
    Mnist,
    /// Any CSV file with a header row, given `path` and `target`.
    Csv,
}

/// How a set of columns is scaled.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// Left as they are.
    None,
    /// Zero mean, unit variance.
    Standard,
    /// Into [0, 1].
    MinMax,
}

impl Scaling {
    /// The library's scaler for this choice; none for `none`.
    pub fn kind(self) -> Option<neurone::data::ScalerKind> {
        match self {
            Scaling::None => None,
            Scaling::Standard => Some(neurone::data::ScalerKind::Standard),
            Scaling::MinMax => Some(neurone::data::ScalerKind::MinMax),
        }
    }
}

/// `sine`'s defaults (docs/config.md): training samples, validation samples, grid points.
const SINE_SAMPLES: usize = 500;
const SINE_VALIDATION_SAMPLES: usize = 200;
const SINE_GRID_POINTS: usize = 1000;

/// The datasets a key applies to.
const CSV: &[DatasetName] = &[DatasetName::Csv];
const SINE: &[DatasetName] = &[DatasetName::Sine];
const SPLIT: &[DatasetName] = &[DatasetName::Iris, DatasetName::Insurance, DatasetName::Mnist, DatasetName::Csv];
const TEST_SPLIT: &[DatasetName] = &[DatasetName::Iris, DatasetName::Insurance, DatasetName::Csv];
const SCALED_INPUTS: &[DatasetName] =
    &[DatasetName::Sine, DatasetName::Iris, DatasetName::Insurance, DatasetName::Mnist, DatasetName::Csv];
const SCALED_TARGET: &[DatasetName] = &[DatasetName::Sine, DatasetName::Insurance, DatasetName::Csv];

impl DataConfig {
    /// Every key of the section but `dataset`, once: its name, whether the file gives it, and
    /// the datasets it applies to.
    fn keys(&self) -> [(&'static str, bool, &'static [DatasetName]); 15] {
        [
            ("path", self.path.is_some(), CSV),
            ("target", self.target.is_some(), CSV),
            ("categorical", self.categorical.is_some(), CSV),
            ("test_path", self.test_path.is_some(), CSV),
            ("validation_path", self.validation_path.is_some(), CSV),
            ("missing", self.missing.is_some(), CSV),
            ("samples", self.samples.is_some(), SINE),
            ("validation_samples", self.validation_samples.is_some(), SINE),
            ("grid_points", self.grid_points.is_some(), SINE),
            ("train_samples", self.train_samples.is_some(), SPLIT),
            ("validation", self.validation.is_some(), SPLIT),
            ("test", self.test.is_some(), TEST_SPLIT),
            ("stratify", self.stratify.is_some(), TEST_SPLIT),
            ("scale_inputs", self.scale_inputs.is_some(), SCALED_INPUTS),
            ("scale_target", self.scale_target.is_some(), SCALED_TARGET),
        ]
    }

    /// `sine`'s training samples, validation samples and grid points, as given or by default.
    pub fn sine_sizes(&self) -> (usize, usize, usize) {
        (
            self.samples.unwrap_or(SINE_SAMPLES),
            self.validation_samples.unwrap_or(SINE_VALIDATION_SAMPLES),
            self.grid_points.unwrap_or(SINE_GRID_POINTS),
        )
    }

    /// Rejects settings out of range or that do not apply to the dataset, and fills in its
    /// defaults. Errors name the key within the section (`samples`).
    pub fn resolve(&mut self) -> Result<(), Error> {
        for (key, value, minimum) in [
            ("samples", self.samples, 1),
            ("grid_points", self.grid_points, 2),
            ("train_samples", self.train_samples, 1),
        ] {
            if let Some(value) = value {
                check_at_least(key, value, minimum)?;
            }
        }
        for (key, value) in [("validation", self.validation), ("test", self.test)] {
            if let Some(value) = value {
                check_unit_interval(key, value)?;
            }
        }
        use DatasetName::*;
        let dataset = self.dataset;
        if let Some((key, _, _)) =
            self.keys().into_iter().find(|(_, given, datasets)| *given && !datasets.contains(&dataset))
        {
            let name = serde_json::to_value(dataset).expect("a plain enum").as_str().unwrap_or_default().to_owned();
            return Err(Error::invalid(key, format!("does not apply to the {name} dataset")));
        }
        if dataset == Csv && (self.path.is_none() || self.target.is_none()) {
            return Err(Error::invalid("dataset", "csv needs data.path and data.target"));
        }
        // A split held in its own file takes the place of its fraction.
        for (file_key, file, fraction_key, fraction) in [
            ("test_path", &self.test_path, "test", &mut self.test),
            ("validation_path", &self.validation_path, "validation", &mut self.validation),
        ] {
            if file.is_some() {
                if fraction.is_some_and(|fraction| fraction > 0.0) {
                    return Err(Error::invalid(
                        fraction_key,
                        format!("{file_key} gives the {fraction_key} set: leave the fraction out"),
                    ));
                }
                *fraction = Some(0.0);
            }
        }
        if dataset == Csv {
            self.missing.get_or_insert(MissingValues::Error);
        }
        let (validation, test) = match dataset {
            Iris => (0.0, 0.2),
            Insurance | Csv => (0.1, 0.2),
            Mnist => (0.1, 0.0),
            Sine | Xor => (0.0, 0.0),
        };
        if SPLIT.contains(&dataset) {
            self.validation.get_or_insert(validation);
        }
        if TEST_SPLIT.contains(&dataset) {
            self.test.get_or_insert(test);
            self.stratify.get_or_insert(true);
        }
        if dataset == Sine {
            self.samples.get_or_insert(SINE_SAMPLES);
            self.validation_samples.get_or_insert(SINE_VALIDATION_SAMPLES);
            self.grid_points.get_or_insert(SINE_GRID_POINTS);
        }
        let (inputs, target) = match dataset {
            Sine => (Scaling::None, Scaling::None),
            Mnist | Xor => (Scaling::None, Scaling::None),
            Iris | Insurance | Csv => (Scaling::Standard, Scaling::Standard),
        };
        if SCALED_INPUTS.contains(&dataset) {
            self.scale_inputs.get_or_insert(inputs);
        }
        if SCALED_TARGET.contains(&dataset) {
            self.scale_target.get_or_insert(target);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(dataset: DatasetName) -> DataConfig {
        let mut data = DataConfig { dataset, ..DataConfig::default() };
        if dataset == DatasetName::Csv {
            (data.path, data.target) = (Some("x.csv".into()), Some("y".into()));
        }
        data.resolve().unwrap();
        data
    }

    #[test]
    fn each_dataset_gets_its_defaults() {
        let iris = resolved(DatasetName::Iris);
        assert_eq!((iris.validation, iris.test, iris.stratify), (Some(0.0), Some(0.2), Some(true)));
        assert_eq!(iris.scale_inputs, Some(Scaling::Standard));
        assert_eq!(iris.scale_target, None, "a classification target is never scaled");
        let sine = resolved(DatasetName::Sine);
        assert_eq!((sine.samples, sine.grid_points, sine.scale_inputs), (Some(500), Some(1000), Some(Scaling::None)));
        let mnist = resolved(DatasetName::Mnist);
        assert_eq!((mnist.validation, mnist.test), (Some(0.1), None));
        let xor = resolved(DatasetName::Xor);
        assert_eq!(xor, DataConfig { dataset: DatasetName::Xor, ..DataConfig::default() });
    }

    #[test]
    fn settings_of_other_datasets_are_errors() {
        let mut data = DataConfig { dataset: DatasetName::Iris, samples: Some(10), ..DataConfig::default() };
        assert_eq!(data.resolve().unwrap_err().to_string(), "invalid samples: does not apply to the iris dataset");
        let mut data = DataConfig { dataset: DatasetName::Csv, ..DataConfig::default() };
        assert_eq!(data.resolve().unwrap_err().to_string(), "invalid dataset: csv needs data.path and data.target");
        let mut data = DataConfig { dataset: DatasetName::Sine, grid_points: Some(1), ..DataConfig::default() };
        assert_eq!(data.resolve().unwrap_err().to_string(), "invalid grid_points: must be at least 2, got 1");
        let mut data = DataConfig { dataset: DatasetName::Sine, train_samples: Some(10), ..DataConfig::default() };
        assert_eq!(
            data.resolve().unwrap_err().to_string(),
            "invalid train_samples: does not apply to the sine dataset"
        );
        let mut data = DataConfig { dataset: DatasetName::Mnist, train_samples: Some(10), ..DataConfig::default() };
        assert!(data.resolve().is_ok());
        let mut data =
            DataConfig { dataset: DatasetName::Iris, missing: Some(MissingValues::Impute), ..DataConfig::default() };
        assert_eq!(data.resolve().unwrap_err().to_string(), "invalid missing: does not apply to the iris dataset");
    }

    #[test]
    fn a_split_in_its_own_file_replaces_its_fraction() {
        let mut data = resolved(DatasetName::Csv);
        assert_eq!(data.missing, Some(MissingValues::Error));
        data.test = None;
        data.test_path = Some("test.csv".into());
        data.resolve().unwrap();
        assert_eq!((data.test, data.validation), (Some(0.0), Some(0.1)));
        data.validation = Some(0.2);
        data.validation_path = Some("validation.csv".into());
        let error = data.resolve().unwrap_err().to_string();
        assert_eq!(error, "invalid validation: validation_path gives the validation set: leave the fraction out");
    }
}
