//! A dataset: inputs and targets, one sample per row.

use crate::{Error, Matrix, Scalar};

/// Samples as rows: `inputs` (n × features) and `targets` (n × outputs).
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<S> {
    inputs: Matrix<S>,
    targets: Matrix<S>,
}

impl<S: Scalar> Dataset<S> {
    /// Pairs inputs with targets; both must have one row per sample.
    pub fn new(inputs: Matrix<S>, targets: Matrix<S>) -> Result<Self, Error> {
        if inputs.rows() != targets.rows() {
            return Err(Error::Shape(format!("{} input rows but {} target rows", inputs.rows(), targets.rows())));
        }
        Ok(Self { inputs, targets })
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

    /// The same samples in another scalar type.
    pub fn cast<T: Scalar>(&self) -> Dataset<T> {
        Dataset { inputs: self.inputs.cast(), targets: self.targets.cast() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_must_agree() {
        let error = Dataset::new(Matrix::<f32>::zeros(3, 2), Matrix::zeros(2, 1)).unwrap_err();
        assert_eq!(error.to_string(), "shape mismatch: 3 input rows but 2 target rows");
    }
}
