//! The preprocessing fitted on the training split and applied to everything else: one-hot
//! encoding of CSV columns, filling in missing inputs, input scaling, target scaling, class names. It belongs to the model:
//! predictions on new data go through the same steps.

use super::{CsvSchema, Dataset, Imputer, Scaler, ScalerKind};
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
    /// The values missing (NaN) inputs are filled in with, before scaling.
    pub imputer: Option<Imputer>,
    /// Scaling of the (encoded, filled in) inputs.
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
            imputer: None,
            input_scaler: inputs.map(|kind| Scaler::fit(kind, train.inputs())).transpose()?,
            target_scaler: targets
                .filter(|_| !classification)
                .map(|kind| Scaler::fit(kind, train.targets()))
                .transpose()?,
            feature_names: train.feature_names().map(<[String]>::to_vec),
            class_names: train.class_names().map(<[String]>::to_vec),
        })
    }

    /// Fits an [`Imputer`] of the missing inputs (NaN) of `train`, encoded with `schema`, then
    /// the scalers on the filled-in inputs (as a scikit-learn pipeline of `SimpleImputer` and
    /// `StandardScaler`); records the schema.
    pub fn fit_with_imputer<S: Scalar>(
        train: &Dataset<S>,
        schema: &CsvSchema,
        inputs: Option<ScalerKind>,
        targets: Option<ScalerKind>,
    ) -> Result<Self, Error> {
        let imputer = Imputer::fit(schema, train.inputs())?;
        let filled = train.clone().with_inputs(imputer.transform(train.inputs())?)?;
        let preprocessing = Self::fit(&filled, inputs, targets)?.with_schema(schema.clone());
        Ok(Self { imputer: Some(imputer), ..preprocessing })
    }

    /// Records the CSV schema the data came through.
    pub fn with_schema(mut self, schema: CsvSchema) -> Self {
        self.schema = Some(schema);
        self
    }

    /// The dataset as the network sees it: inputs and targets scaled. Taken by value, so that
    /// without scalers nothing is copied.
    pub fn apply<S: Scalar>(&self, mut dataset: Dataset<S>) -> Result<Dataset<S>, Error> {
        if self.changes_inputs() {
            let inputs = self.inputs(dataset.inputs())?;
            dataset = dataset.with_inputs(inputs)?;
        }
        if let Some(scaler) = &self.target_scaler {
            let targets = scaler.transform(dataset.targets())?;
            dataset = dataset.with_targets(targets)?;
        }
        Ok(dataset)
    }

    /// Whether [`Preprocessing::apply`] changes anything: an imputer, a scaler of the inputs or
    /// of the targets.
    pub fn scales(&self) -> bool {
        self.imputer.is_some() || self.input_scaler.is_some() || self.target_scaler.is_some()
    }

    /// Whether [`Preprocessing::inputs`] changes the inputs: an imputer or a scaler of them.
    pub fn changes_inputs(&self) -> bool {
        self.imputer.is_some() || self.input_scaler.is_some()
    }

    /// Raw (encoded) inputs as the network sees them: missing ones filled in, then scaled.
    pub fn inputs<S: Scalar>(&self, inputs: &Matrix<S>) -> Result<Matrix<S>, Error> {
        let filled = self.imputer.as_ref().map(|imputer| imputer.transform(inputs)).transpose()?;
        let inputs = filled.as_ref().unwrap_or(inputs);
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
    fn the_imputer_fills_in_before_the_scaler_is_fitted_and_applied() {
        use crate::data::{Column, ColumnKind};
        let numeric = |name: &str| Column { name: name.into(), kind: ColumnKind::Numeric };
        let schema = CsvSchema { features: vec![numeric("x")], target: numeric("y") };
        let train = Dataset::new(Matrix::column(&[1.0f64, f64::NAN, 3.0]), Matrix::column(&[0.0, 1.0, 2.0])).unwrap();
        let preprocessing = Preprocessing::fit_with_imputer(&train, &schema, Some(ScalerKind::MinMax), None).unwrap();
        assert_eq!(preprocessing.imputer.as_ref().unwrap().fills, [2.0]);
        assert_eq!(preprocessing.schema, Some(schema));
        // The filled-in 2 is the middle of [1, 3], whatever the data the preprocessing is applied to.
        assert_eq!(preprocessing.apply(train).unwrap().inputs().as_slice(), &[0.0, 0.5, 1.0]);
        let new = Matrix::column(&[f64::NAN, 3.0]);
        assert_eq!(preprocessing.inputs(&new).unwrap().as_slice(), &[0.5, 1.0]);
    }

    #[test]
    fn without_scalers_everything_passes_through() {
        let train = Dataset::new(Matrix::column(&[1.0f32, 3.0]), Matrix::column(&[5.0, 6.0])).unwrap();
        let preprocessing = Preprocessing::fit(&train, None, None).unwrap();
        assert_eq!(preprocessing.apply(train.clone()).unwrap(), train);
        assert_eq!(preprocessing.outputs_to_original(train.targets()).unwrap(), *train.targets());
    }
}
