//! Cross-validation: one network per fold, trained from the spec types on the fold's training
//! part and scored on its held-out part.

use std::time::Instant;

use crate::data::{CsvSchema, Fold, Preprocessing, ScalerKind};
use crate::spec::{NetworkSpec, Task, TrainingSpec};
use crate::{Activation, Dataset, Error, History, Metric, Scalar, seeded_rng};

/// What to cross-validate: a network, its training, the task they are resolved for, and the
/// imputation and scaling each fold fits on its own training part (so that no statistic of the held-out part
/// leaks into the model that is scored on it).
#[derive(Clone, Debug, PartialEq)]
pub struct CrossValidation {
    /// The network, as [`NetworkSpec::build`] makes it.
    pub network: NetworkSpec,
    /// Its training; the scores are its metrics (by default the task's).
    pub training: TrainingSpec,
    /// Regression or classification: the defaults the specs leave to the task.
    pub task: Task,
    /// The columns of the data when its missing inputs (NaN) are to be filled in, by an
    /// [`Imputer`](crate::data::Imputer) fitted on each fold's training part. Default none.
    pub impute: Option<CsvSchema>,
    /// Scaling of the inputs, fitted on each fold's training part. Default none.
    pub scale_inputs: Option<ScalerKind>,
    /// Scaling of a regression target, fitted the same way; scores are in the original units.
    /// Default none.
    pub scale_targets: Option<ScalerKind>,
    /// Seeds each fold's weights, shuffling and dropout (fold i draws from stream i of this
    /// seed, so a fold's result does not depend on which folds ran before it). Default 42.
    pub seed: u64,
}

/// What one fold gave.
#[derive(Clone, Debug, PartialEq)]
pub struct FoldResult {
    /// The fold's index, from 0.
    pub fold: usize,
    /// The training's metrics on the held-out part, with the weights training ended with, in
    /// the targets' original units.
    pub scores: Vec<(Metric, f64)>,
    /// The training history, the held-out part standing for the validation set.
    pub history: History,
    /// Seconds spent training (the only figure that changes from run to run).
    pub seconds: f64,
}

impl FoldResult {
    /// The fold's score for `metric`, if it was measured.
    pub fn score(&self, metric: Metric) -> Option<f64> {
        self.scores.iter().find(|(measured, _)| *measured == metric).map(|&(_, value)| value)
    }
}

/// Every fold's result, in fold order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrossValidationResult {
    /// One result per fold.
    pub folds: Vec<FoldResult>,
}

impl CrossValidationResult {
    /// The metrics every fold was scored on, in the training's order.
    pub fn metrics(&self) -> Vec<Metric> {
        self.folds.first().map(|fold| fold.scores.iter().map(|&(metric, _)| metric).collect()).unwrap_or_default()
    }

    /// The mean of `metric` over the folds.
    pub fn mean(&self, metric: Metric) -> Option<f64> {
        let scores = self.scores(metric)?;
        Some(scores.iter().sum::<f64>() / scores.len() as f64)
    }

    /// The standard deviation of `metric` over the folds, dividing by the number of folds (as
    /// scikit-learn's `std_test_score`).
    pub fn std(&self, metric: Metric) -> Option<f64> {
        let scores = self.scores(metric)?;
        let mean = self.mean(metric)?;
        Some((scores.iter().map(|score| (score - mean).powi(2)).sum::<f64>() / scores.len() as f64).sqrt())
    }

    /// The total training time of the folds, in seconds.
    pub fn seconds(&self) -> f64 {
        self.folds.iter().map(|fold| fold.seconds).sum()
    }

    fn scores(&self, metric: Metric) -> Option<Vec<f64>> {
        if self.folds.is_empty() {
            return None;
        }
        self.folds.iter().map(|fold| fold.score(metric)).collect()
    }
}

impl CrossValidation {
    /// Cross-validation of `network` trained by `training` for `task`, without scaling, from
    /// seed 42.
    pub fn new(network: NetworkSpec, training: TrainingSpec, task: Task) -> Self {
        Self { network, training, task, impute: None, scale_inputs: None, scale_targets: None, seed: 42 }
    }

    /// Trains and scores one network per fold of `data`, in order.
    pub fn cross_validate<S: Scalar>(&self, data: &Dataset<S>, folds: &[Fold]) -> Result<CrossValidationResult, Error> {
        let folds = (0..folds.len()).map(|index| self.fold(data, folds, index)).collect::<Result<_, _>>()?;
        Ok(CrossValidationResult { folds })
    }

    /// Trains and scores the network of fold `index` alone: the same result as that fold's in
    /// [`CrossValidation::cross_validate`], so that folds may run in any order or in parallel.
    /// Errors in the specs name their key under `network.` or `training.`.
    pub fn fold<S: Scalar>(&self, data: &Dataset<S>, folds: &[Fold], index: usize) -> Result<FoldResult, Error> {
        let fold = folds
            .get(index)
            .ok_or_else(|| Error::invalid("fold", format!("fold {index} of {} folds does not exist", folds.len())))?;
        let (train, held_out) = (data.subset(&fold.train)?, data.subset(&fold.validation)?);
        let outputs = data.targets().cols();
        let (mut network_spec, mut training) = (self.network.clone(), self.training.clone());
        network_spec.resolve(self.task, outputs);
        training.resolve(self.task, outputs);
        let output = network_spec.output_activation.unwrap_or(Activation::Identity);
        training.loss().check_output(output).map_err(|error| error.within("training"))?;

        let preprocessing = match &self.impute {
            Some(schema) => Preprocessing::fit_with_imputer(&train, schema, self.scale_inputs, self.scale_targets)?,
            None => Preprocessing::fit(&train, self.scale_inputs, self.scale_targets)?,
        };
        let (train, scaled_held_out) = (preprocessing.apply(train)?, preprocessing.apply(held_out.clone())?);
        let mut rng = seeded_rng(self.seed);
        rng.set_stream(index as u64);
        let mut network = network_spec
            .build::<S>(train.inputs().cols(), outputs, training.loss(), &mut rng)
            .map_err(|error| error.within("network"))?;
        let mut trainer = training.trainer::<S>().map_err(|error| error.within("training"))?;
        let started = Instant::now();
        let history = trainer.fit(&mut network, &train, Some(&scaled_held_out), &mut rng)?;
        let seconds = started.elapsed().as_secs_f64();

        let predictions = preprocessing.outputs_to_original(&network.predict(scaled_held_out.inputs())?)?;
        let scores = training
            .metrics
            .iter()
            .flatten()
            .map(|&metric| Ok((metric, metric.measure(&predictions, held_out.targets())?)))
            .collect::<Result<_, Error>>()?;
        Ok(FoldResult { fold: index, scores, history, seconds })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_selection::KFold;

    fn sine_cv() -> (CrossValidation, Dataset<f32>, Vec<Fold>) {
        let data = crate::datasets::sine(60, &mut seeded_rng(1));
        let training = TrainingSpec {
            epochs: 5,
            metrics: Some(vec![Metric::R2, Metric::Mse]),
            learning_rate: Some(0.05),
            ..TrainingSpec::default()
        };
        let mut cv =
            CrossValidation::new(NetworkSpec { layers: vec![8], ..NetworkSpec::default() }, training, Task::Regression);
        cv.scale_targets = Some(ScalerKind::Standard);
        let folds = KFold::new(3).seed(2).split(data.len()).unwrap();
        (cv, data, folds)
    }

    #[test]
    fn missing_inputs_are_imputed_per_fold_or_are_an_error() {
        use crate::data::{Column, ColumnKind, CsvSchema};
        let (mut cv, data, folds) = sine_cv();
        let inputs: Vec<f32> =
            data.inputs().as_slice().iter().enumerate().map(|(i, &x)| if i % 6 == 0 { f32::NAN } else { x }).collect();
        let inputs = crate::Matrix::new(data.len(), 1, inputs).unwrap();
        let data = data.with_inputs(inputs).unwrap();
        assert!(cv.cross_validate(&data, &folds).is_err(), "NaN inputs without an imputer");
        let numeric = |name: &str| Column { name: name.into(), kind: ColumnKind::Numeric };
        cv.impute = Some(CsvSchema { features: vec![numeric("x")], target: numeric("y") });
        let result = cv.cross_validate(&data, &folds).unwrap();
        assert!(result.scores(Metric::R2).unwrap().iter().all(|r2| r2.is_finite()));
    }

    #[test]
    fn each_fold_is_scored_on_its_held_out_samples_in_original_units() {
        let (cv, data, folds) = sine_cv();
        let result = cv.cross_validate(&data, &folds).unwrap();
        assert_eq!(result.folds.len(), 3);
        assert_eq!(result.metrics(), [Metric::R2, Metric::Mse]);
        for (index, fold) in result.folds.iter().enumerate() {
            assert_eq!(fold.fold, index);
            assert_eq!(fold.history.epochs.len(), 5);
            let held_out = data.subset(&folds[index].validation).unwrap();
            assert_eq!(fold.history.epochs[0].validation_metrics.len(), 2, "the held-out part validates");
            // R² is the same in scaled and original units; the MSE is not, and is the original's.
            let r2 = fold.score(Metric::R2).unwrap();
            let mse = fold.score(Metric::Mse).unwrap();
            let targets: Vec<f64> = held_out.targets().as_slice().iter().map(|&y| f64::from(y)).collect();
            let mean = targets.iter().sum::<f64>() / targets.len() as f64;
            let variance = targets.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / targets.len() as f64;
            assert!((r2 - (1.0 - mse / variance)).abs() < 1e-4, "r2 {r2}, mse {mse}, variance {variance}");
        }
        let mean = result.mean(Metric::R2).unwrap();
        let scores: Vec<f64> = result.folds.iter().map(|fold| fold.score(Metric::R2).unwrap()).collect();
        assert!((mean - scores.iter().sum::<f64>() / 3.0).abs() < 1e-12);
        assert!(result.std(Metric::R2).unwrap() > 0.0);
        assert_eq!(result.mean(Metric::Accuracy), None, "not measured");
    }

    #[test]
    fn a_fold_alone_gives_the_same_bits_as_in_the_whole_run() {
        let (cv, data, folds) = sine_cv();
        let whole = cv.cross_validate(&data, &folds).unwrap();
        let last = cv.fold(&data, &folds, 2).unwrap();
        assert_eq!(last.scores, whole.folds[2].scores);
        assert_eq!(last.history.epochs[4].train_loss, whole.folds[2].history.epochs[4].train_loss);
        let again = cv.cross_validate(&data, &folds).unwrap();
        assert_eq!(
            again.folds.iter().map(|f| f.scores.clone()).collect::<Vec<_>>(),
            whole.folds.iter().map(|f| f.scores.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn errors_name_the_spec_key() {
        let (mut cv, data, folds) = sine_cv();
        cv.network.layers = vec![0];
        assert_eq!(
            cv.fold(&data, &folds, 0).unwrap_err().to_string(),
            "invalid network.layers[0]: must be at least 1, got 0"
        );
        let (mut cv, ..) = sine_cv();
        cv.training.epochs = 0;
        assert_eq!(
            cv.fold(&data, &folds, 0).unwrap_err().to_string(),
            "invalid training.epochs: must be at least 1, got 0"
        );
        assert!(cv.fold(&data, &folds, 3).unwrap_err().to_string().contains("fold 3 of 3 folds does not exist"));
    }
}
