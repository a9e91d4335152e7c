//! An experiment made ready for k-fold cross-validation: every sample but the test split's, its
//! folds, and what each fold trains. Shared by `neurone cv` and `neurone search`.

use neurone::data::{Fold, MissingValues};
use neurone::model_selection::{CrossValidation, CrossValidationResult, KFold, StratifiedKFold};
use neurone::{Dataset, Error, seeded_rng};

use crate::config::{Experiment, Scaling};
use crate::error::CliError;
use crate::setup::{RawData, Task};

/// An experiment ready to cross-validate.
pub struct Plan {
    /// The experiment, its task's defaults resolved.
    pub experiment: Experiment,
    /// The samples the folds share out: the training and validation splits together (the
    /// folds take the validation split's place), before any scaling.
    pub data: Dataset<f32>,
    pub folds: Vec<Fold>,
    pub cross_validation: CrossValidation,
}

impl Plan {
    /// Loads the data of `experiment` (with the same seed, the same test split is left out as
    /// `neurone train` leaves out) and draws its folds, stratified when the experiment's splits
    /// are.
    pub fn new(mut experiment: Experiment, folds: KFold, show_progress: bool) -> Result<Self, CliError> {
        let mut without_validation = experiment.clone();
        let data_config = &mut without_validation.data;
        if data_config.validation.is_some() {
            data_config.validation = Some(0.0);
        }
        if data_config.validation_samples.is_some() {
            data_config.validation_samples = Some(0);
        }
        let mut rng = seeded_rng(experiment.seed);
        let mut raw = RawData::<f32>::load(&without_validation, &mut rng, show_progress)
            .map_err(|error| experiment.usage_error(error))?;
        // A validation set in its own file joins the samples the folds share out.
        if let Some(validation) = raw.validation.take() {
            raw.train = joined(raw.train, validation)?;
        }
        experiment.resolve_task(raw.task.kind(), raw.train.targets().cols());
        let classification = matches!(raw.task, Task::Classification { .. });
        let folds = match experiment.data.stratify.unwrap_or(false) && classification {
            true => StratifiedKFold(folds).split_dataset(&raw.train),
            false => folds.split(raw.train.len()),
        }
        .map_err(option_error)?;
        let cross_validation = CrossValidation {
            network: experiment.model.clone(),
            training: experiment.train.clone(),
            task: raw.task.kind(),
            impute: raw.schema.clone().filter(|_| experiment.data.missing == Some(MissingValues::Impute)),
            scale_inputs: experiment.data.scale_inputs.and_then(Scaling::kind),
            scale_targets: experiment.data.scale_target.filter(|_| !classification).and_then(Scaling::kind),
            seed: experiment.seed,
        };
        Ok(Plan { experiment, data: raw.train, folds, cross_validation })
    }

    /// Trains and scores fold `index`; errors in the specs are placed in the experiment file.
    pub fn fold(&self, index: usize) -> Result<neurone::model_selection::FoldResult, CliError> {
        self.cross_validation.fold(&self.data, &self.folds, index).map_err(|error| self.usage_error(error))
    }

    /// Trains and scores every fold, in order.
    pub fn run(&self) -> Result<CrossValidationResult, CliError> {
        let folds = (0..self.folds.len()).map(|index| self.fold(index)).collect::<Result<_, _>>()?;
        Ok(CrossValidationResult { folds })
    }

    /// The library names the specs `network` and `training`; the experiment file, `model` and
    /// `train`.
    fn usage_error(&self, error: Error) -> CliError {
        match error {
            Error::InvalidParameter { parameter, reason } => {
                let parameter = match parameter.split_once('.') {
                    Some(("network", key)) => format!("model.{key}"),
                    Some(("training", key)) => format!("train.{key}"),
                    _ => parameter,
                };
                self.experiment.usage_error(Error::InvalidParameter { parameter, reason })
            }
            other => CliError::from(other),
        }
    }
}

/// The samples of `first`, then those of `second` (the same columns).
fn joined(first: Dataset<f32>, second: Dataset<f32>) -> Result<Dataset<f32>, CliError> {
    let stack = |a: &neurone::Matrix<f32>, b: &neurone::Matrix<f32>| {
        neurone::Matrix::new(a.rows() + b.rows(), a.cols(), [a.as_slice(), b.as_slice()].concat())
    };
    let mut data = Dataset::new(stack(first.inputs(), second.inputs())?, stack(first.targets(), second.targets())?)?;
    if let Some(names) = first.feature_names() {
        data = data.with_feature_names(names.iter().cloned())?;
    }
    if let Some(names) = first.class_names() {
        data = data.with_class_names(names.iter().cloned())?;
    }
    Ok(data)
}

/// `--folds 1: need 2 ≤ folds ≤ samples …`: the folds and repeats are command-line options.
fn option_error(error: Error) -> CliError {
    match error {
        Error::InvalidParameter { parameter, reason } => CliError::Usage(format!("--{parameter}: {reason}")),
        other => CliError::from(other),
    }
}
