//! A dataset: inputs and targets, one sample per row, with optional names for their columns.

use crate::{Error, Matrix, Scalar};

/// Samples as rows: `inputs` (n × features) and `targets` (n × outputs).
///
/// Optionally it knows the name of each input column (`feature_names`) and, for
/// classification with one-hot targets, the name of each target column (`class_names`).
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
}

impl<S: Scalar> Dataset<S> {
    /// Pairs inputs with targets; both must have one row per sample.
    pub fn new(inputs: Matrix<S>, targets: Matrix<S>) -> Result<Self, Error> {
        if inputs.rows() != targets.rows() {
            return Err(Error::Shape(format!("{} input rows but {} target rows", inputs.rows(), targets.rows())));
        }
        Ok(Self { inputs, targets, feature_names: None, class_names: None })
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
        }
    }

    /// The same samples in another scalar type.
    pub fn cast<T: Scalar>(&self) -> Dataset<T> {
        Dataset {
            inputs: self.inputs.cast(),
            targets: self.targets.cast(),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
        }
    }
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
    fn replacing_inputs_keeps_names_only_at_the_same_width() {
        let data = three_samples().with_feature_names(["x", "y"]).unwrap();
        let scaled = data.clone().with_inputs(Matrix::zeros(3, 2)).unwrap();
        assert_eq!(scaled.feature_names().unwrap(), ["x", "y"]);
        assert!(data.clone().with_inputs(Matrix::zeros(3, 1)).unwrap().feature_names().is_none());
        assert!(data.with_inputs(Matrix::zeros(2, 2)).is_err());
    }
}
