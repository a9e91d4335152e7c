//! A dataset: inputs and targets, one sample per row, with optional names for their columns.

use crate::{Error, Matrix, Scalar};

/// Samples as rows: `inputs` (n × features) and `targets` (n × outputs).
///
/// Optionally it knows the name of each input column (`feature_names`), for classification
/// with one-hot targets the name of each target column (`class_names`), and a weight per sample
/// for the training loss (`sample_weights`: a weight of 2 counts as the sample repeated).
///
/// ```
/// use neurone::{Dataset, Matrix};
/// let inputs = Matrix::from_rows(&[[5.1f32, 3.5], [6.2, 2.9], [7.7, 3.0]])?;
/// let targets = Matrix::from_rows(&[[1.0f32, 0.0], [0.0, 1.0], [0.0, 1.0]])?;
/// let data = Dataset::new(inputs, targets)?
///     .with_feature_names(["sepal_length", "sepal_width"])?
///     .with_class_names(["setosa", "versicolor"])?;
/// let first_and_last = data.subset(&[0, 2])?;
/// assert_eq!(first_and_last.len(), 2);
/// assert_eq!(first_and_last.class_names().unwrap()[1], "versicolor");
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<S> {
    inputs: Matrix<S>,
    targets: Matrix<S>,
    feature_names: Option<Vec<String>>,
    class_names: Option<Vec<String>>,
    /// One weight per sample (n × 1), if the samples are weighted.
    sample_weights: Option<Matrix<S>>,
}

impl<S: Scalar> Dataset<S> {
    /// Pairs inputs with targets; both must have one row per sample.
    pub fn new(inputs: Matrix<S>, targets: Matrix<S>) -> Result<Self, Error> {
        if inputs.rows() != targets.rows() {
            return Err(Error::Shape(format!("{} input rows but {} target rows", inputs.rows(), targets.rows())));
        }
        Ok(Self { inputs, targets, feature_names: None, class_names: None, sample_weights: None })
    }

    /// Names the input columns, one name per column.
    pub fn with_feature_names<N: Into<String>>(mut self, names: impl IntoIterator<Item = N>) -> Result<Self, Error> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.len() != self.inputs.cols() {
            return Err(Error::Shape(format!(
                "{} feature names for {} input columns",
                names.len(),
                self.inputs.cols()
            )));
        }
        self.feature_names = Some(names);
        Ok(self)
    }

    /// Names the classes of a classification dataset, one name per (one-hot) target column.
    pub fn with_class_names<N: Into<String>>(mut self, names: impl IntoIterator<Item = N>) -> Result<Self, Error> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.len() != self.targets.cols() {
            return Err(Error::Shape(format!(
                "{} class names for {} target columns",
                names.len(),
                self.targets.cols()
            )));
        }
        self.class_names = Some(names);
        Ok(self)
    }

    /// Weighs each sample's loss: one finite, non-negative weight per sample, not all zero.
    pub fn with_sample_weights(mut self, weights: &[S]) -> Result<Self, Error> {
        check_sample_weights(weights, self.len())?;
        self.sample_weights = Some(Matrix::column(weights));
        Ok(self)
    }

    /// The weight of each sample, if the samples are weighted.
    pub fn sample_weights(&self) -> Option<&[S]> {
        self.sample_weights.as_ref().map(Matrix::as_slice)
    }

    /// Replaces the inputs (e.g. by their scaled values), keeping the names when the width is unchanged.
    pub fn with_inputs(mut self, inputs: Matrix<S>) -> Result<Self, Error> {
        if inputs.rows() != self.len() {
            return Err(Error::Shape(format!("{} input rows for {} samples", inputs.rows(), self.len())));
        }
        if inputs.cols() != self.inputs.cols() {
            self.feature_names = None;
        }
        self.inputs = inputs;
        Ok(self)
    }

    /// Replaces the targets (e.g. by their scaled values), keeping the names when the width is unchanged.
    pub fn with_targets(mut self, targets: Matrix<S>) -> Result<Self, Error> {
        if targets.rows() != self.len() {
            return Err(Error::Shape(format!("{} target rows for {} samples", targets.rows(), self.len())));
        }
        if targets.cols() != self.targets.cols() {
            self.class_names = None;
        }
        self.targets = targets;
        Ok(self)
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.inputs.rows()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The inputs, n × features.
    pub fn inputs(&self) -> &Matrix<S> {
        &self.inputs
    }

    /// The targets, n × outputs.
    pub fn targets(&self) -> &Matrix<S> {
        &self.targets
    }

    /// The name of each input column, if known.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.feature_names.as_deref()
    }

    /// The name of each class (one per target column), if this is a named classification dataset.
    pub fn class_names(&self) -> Option<&[String]> {
        self.class_names.as_deref()
    }

    /// The samples at `indices`, in that order (an index may repeat), with the same names.
    pub fn subset(&self, indices: &[usize]) -> Result<Self, Error> {
        if let Some(&index) = indices.iter().find(|&&index| index >= self.len()) {
            return Err(Error::invalid(
                "indices",
                format!("index {index} is out of a dataset of {} samples", self.len()),
            ));
        }
        Ok(Self {
            inputs: self.inputs.select_rows(indices),
            targets: self.targets.select_rows(indices),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
            sample_weights: self.sample_weights.as_ref().map(|weights| weights.select_rows(indices)),
        })
    }

    /// Puts sample `order[i]` at position `i`, in place; `order` must hold each index once.
    pub fn reorder(&mut self, order: &[usize]) -> Result<(), Error> {
        let mut seen = vec![false; self.len()];
        let is_permutation = order.len() == self.len()
            && order.iter().all(|&index| index < seen.len() && !std::mem::replace(&mut seen[index], true));
        if !is_permutation {
            return Err(Error::invalid("order", format!("not an order of the {} samples", self.len())));
        }
        self.inputs.permute_rows(order);
        self.targets.permute_rows(order);
        if let Some(weights) = self.sample_weights.as_mut() {
            weights.permute_rows(order);
        }
        Ok(())
    }

    /// Moves the samples from `at` on into a new dataset with the same names; this one keeps
    /// the first `at`.
    pub fn split_off(&mut self, at: usize) -> Dataset<S> {
        let at = at.min(self.len());
        Dataset {
            inputs: self.inputs.split_off_rows(at),
            targets: self.targets.split_off_rows(at),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
            sample_weights: self.sample_weights.as_mut().map(|weights| weights.split_off_rows(at)),
        }
    }

    /// The same samples in another scalar type.
    pub fn cast<T: Scalar>(&self) -> Dataset<T> {
        Dataset {
            inputs: self.inputs.cast(),
            targets: self.targets.cast(),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
            sample_weights: self.sample_weights.as_ref().map(Matrix::cast),
        }
    }
}

/// The check of [`Dataset::with_sample_weights`], shared with [`super::DatasetView`]'s.
pub(crate) fn check_sample_weights<S: Scalar>(weights: &[S], samples: usize) -> Result<(), Error> {
    let invalid = |message: String| Err(Error::invalid("sample_weight", message));
    if weights.len() != samples {
        return invalid(format!("{} weights for {samples} samples", weights.len()));
    }
    if let Some((row, w)) = weights.iter().enumerate().find(|(_, w)| !w.to_f64().is_finite() || w.to_f64() < 0.0) {
        return invalid(format!("must be finite and non-negative, got {} at sample {row}", w.to_f64()));
    }
    if weights.iter().all(|w| w.to_f64() == 0.0) {
        return invalid("the weights are all zero".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_samples() -> Dataset<f64> {
        let inputs = Matrix::from_rows(&[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]).unwrap();
        let targets = Matrix::from_rows(&[[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]).unwrap();
        Dataset::new(inputs, targets).unwrap()
    }

    #[test]
    fn rows_must_agree() {
        let error = Dataset::new(Matrix::<f32>::zeros(3, 2), Matrix::zeros(2, 1)).unwrap_err();
        assert_eq!(error.to_string(), "shape mismatch: 3 input rows but 2 target rows");
    }

    #[test]
    fn names_must_match_the_widths() {
        let error = three_samples().with_feature_names(["a"]).unwrap_err();
        assert!(error.to_string().contains("1 feature names for 2 input columns"), "{error}");
        let error = three_samples().with_class_names(["a", "b", "c"]).unwrap_err();
        assert!(error.to_string().contains("3 class names for 2 target columns"), "{error}");
    }

    #[test]
    fn subset_keeps_order_and_names() {
        let data = three_samples().with_feature_names(["x", "y"]).unwrap().with_class_names(["no", "yes"]).unwrap();
        let subset = data.subset(&[2, 0, 2]).unwrap();
        assert_eq!(subset.inputs().as_slice(), &[3.0, 30.0, 1.0, 10.0, 3.0, 30.0]);
        assert_eq!(subset.targets().as_slice(), &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        assert_eq!(subset.feature_names().unwrap(), ["x", "y"]);
        assert_eq!(subset.class_names().unwrap(), ["no", "yes"]);
        assert_eq!(subset.cast::<f32>().feature_names().unwrap(), ["x", "y"]);
    }

    #[test]
    fn subset_rejects_an_index_out_of_range() {
        let error = three_samples().subset(&[0, 3]).unwrap_err();
        assert!(error.to_string().contains("index 3 is out of a dataset of 3 samples"), "{error}");
    }

    #[test]
    fn sample_weights_follow_their_samples() {
        let mut data = three_samples().with_sample_weights(&[1.0, 2.0, 0.0]).unwrap();
        assert_eq!(data.subset(&[2, 1]).unwrap().sample_weights().unwrap(), [0.0, 2.0]);
        data.reorder(&[1, 2, 0]).unwrap();
        assert_eq!(data.sample_weights().unwrap(), [2.0, 0.0, 1.0]);
        let rest = data.split_off(1);
        assert_eq!(
            (data.sample_weights().unwrap(), rest.sample_weights().unwrap()),
            ([2.0].as_slice(), [0.0, 1.0].as_slice())
        );
        assert_eq!(rest.cast::<f32>().sample_weights().unwrap(), [0.0f32, 1.0]);
    }

    #[test]
    fn bad_sample_weights_are_errors_naming_the_parameter() {
        for (weights, message) in [
            (vec![1.0, 2.0], "invalid sample_weight: 2 weights for 3 samples"),
            (vec![1.0, -1.0, 1.0], "invalid sample_weight: must be finite and non-negative, got -1 at sample 1"),
            (vec![f64::NAN, 1.0, 1.0], "invalid sample_weight: must be finite and non-negative, got NaN at sample 0"),
            (vec![0.0; 3], "invalid sample_weight: the weights are all zero"),
        ] {
            assert_eq!(three_samples().with_sample_weights(&weights).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn replacing_inputs_keeps_names_only_at_the_same_width() {
        let data = three_samples().with_feature_names(["x", "y"]).unwrap();
        let scaled = data.clone().with_inputs(Matrix::zeros(3, 2)).unwrap();
        assert_eq!(scaled.feature_names().unwrap(), ["x", "y"]);
        assert!(data.clone().with_inputs(Matrix::zeros(3, 1)).unwrap().feature_names().is_none());
        assert!(data.with_inputs(Matrix::zeros(2, 2)).is_err());
    }
}
