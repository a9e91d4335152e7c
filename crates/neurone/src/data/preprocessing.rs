//! The preprocessing fitted on the training split and applied to everything else: one-hot
//! encoding of CSV columns, input scaling, target scaling, class names. It belongs to the model:
//! predictions on new data go through the same steps.

use super::{CsvSchema, Dataset, Scaler, ScalerKind};
use crate::{Error, Matrix, Scalar};

/// Everything done to raw data before the network sees it, and undone to its outputs.
///
/// ```
/// use neurone::{Matrix, data::{Dataset, Preprocessing, ScalerKind}};
/// let train = Dataset::new(Matrix::column(&[1.0f64, 3.0]), Matrix::column(&[100.0, 300.0]))?;
/// let preprocessing = Preprocessing::fit(&train, Some(ScalerKind::Standard), Some(ScalerKind::Standard))?;
/// let scaled = preprocessing.apply(train.clone())?;
/// assert_eq!(scaled.inputs().as_slice(), &[-1.0, 1.0]);
/// assert_eq!(scaled.targets().as_slice(), &[-1.0, 1.0]);
/// // Network outputs in scaled units come back in the targets' units.
/// let outputs = Matrix::column(&[0.5]);
/// assert_eq!(preprocessing.outputs_to_original(&outputs)?.as_slice(), &[250.0]);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preprocessing {
    /// How CSV columns became inputs and targets (none for generated datasets).
    pub schema: Option<CsvSchema>,
    /// Scaling of the (encoded) inputs.
    pub input_scaler: Option<Scaler>,
    /// Scaling of regression targets; network outputs are mapped back through its inverse.
    pub target_scaler: Option<Scaler>,
    /// Names of the input columns the network sees, in order (one per one-hot category).
    pub feature_names: Option<Vec<String>>,
    /// Class names of a classifier, in output order; for a single sigmoid output, the two
    /// classes below and above ½.
    pub class_names: Option<Vec<String>>,
}

impl Preprocessing {
    /// Fits the scalers on the training split; classification targets (those with class
    /// names) are never scaled.
    pub fn fit<S: Scalar>(
        train: &Dataset<S>,
        inputs: Option<ScalerKind>,
        targets: Option<ScalerKind>,
    ) -> Result<Self, Error> {
        let classification = train.class_names().is_some();
        Ok(Self {
            schema: None,
            input_scaler: inputs.map(|kind| Scaler::fit(kind, train.inputs())).transpose()?,
            target_scaler: targets
                .filter(|_| !classification)
                .map(|kind| Scaler::fit(kind, train.targets()))
                .transpose()?,
            feature_names: train.feature_names().map(<[String]>::to_vec),
            class_names: train.class_names().map(<[String]>::to_vec),
        })
    }

    /// Records the CSV schema the data came through.
    pub fn with_schema(mut self, schema: CsvSchema) -> Self {
        self.schema = Some(schema);
        self
    }

    /// The dataset as the network sees it: inputs and targets scaled. Taken by value, so that
    /// without scalers nothing is copied.
    pub fn apply<S: Scalar>(&self, mut dataset: Dataset<S>) -> Result<Dataset<S>, Error> {
        if let Some(scaler) = &self.input_scaler {
            let inputs = scaler.transform(dataset.inputs())?;
            dataset = dataset.with_inputs(inputs)?;
        }
        if let Some(scaler) = &self.target_scaler {
            let targets = scaler.transform(dataset.targets())?;
            dataset = dataset.with_targets(targets)?;
        }
        Ok(dataset)
    }

    /// Whether [`Preprocessing::apply`] changes anything: a scaler of the inputs or the targets.
    pub fn scales(&self) -> bool {
        self.input_scaler.is_some() || self.target_scaler.is_some()
    }

    /// Raw (encoded) inputs as the network sees them.
    pub fn inputs<S: Scalar>(&self, inputs: &Matrix<S>) -> Result<Matrix<S>, Error> {
        match &self.input_scaler {
            Some(scaler) => scaler.transform(inputs),
            None => Ok(inputs.clone()),
        }
    }

    /// Network outputs in the targets' original units.
    pub fn outputs_to_original<S: Scalar>(&self, outputs: &Matrix<S>) -> Result<Matrix<S>, Error> {
        match &self.target_scaler {
            Some(scaler) => scaler.inverse_transform(outputs),
            None => Ok(outputs.clone()),
        }
    }

    /// True for a classifier (its outputs are class probabilities).
    pub fn is_classification(&self) -> bool {
        self.class_names.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_targets_are_never_scaled() {
        let train = Dataset::new(Matrix::column(&[1.0f64, 3.0]), Matrix::from_rows(&[[1.0, 0.0], [0.0, 1.0]]).unwrap())
            .unwrap()
            .with_class_names(["a", "b"])
            .unwrap();
        let preprocessing = Preprocessing::fit(&train, Some(ScalerKind::MinMax), Some(ScalerKind::Standard)).unwrap();
        assert!(preprocessing.target_scaler.is_none());
        assert!(preprocessing.is_classification());
        let applied = preprocessing.apply(train.clone()).unwrap();
        assert_eq!(applied.targets(), train.targets());
        assert_eq!(applied.inputs().as_slice(), &[0.0, 1.0]);
        assert_eq!(applied.class_names(), Some(&["a".to_string(), "b".to_string()][..]));
    }

    #[test]
    fn without_scalers_everything_passes_through() {
        let train = Dataset::new(Matrix::column(&[1.0f32, 3.0]), Matrix::column(&[5.0, 6.0])).unwrap();
        let preprocessing = Preprocessing::fit(&train, None, None).unwrap();
        assert_eq!(preprocessing.apply(train.clone()).unwrap(), train);
        assert_eq!(preprocessing.outputs_to_original(train.targets()).unwrap(), *train.targets());
    }
}
