//! Metrics measured on the validation set during training.

use std::fmt;
use std::str::FromStr;

use crate::data::predicted_class;
use crate::metrics::regression_metrics;
use crate::{Error, Matrix, Scalar};

/// A validation metric recorded in the history and usable for early stopping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Fraction of samples whose largest output is the target's class (one-hot targets; for a
    /// single sigmoid output, the output rounded at ½).
    Accuracy,
    /// Coefficient of determination.
    R2,
    /// Mean squared error (without the loss's ½).
    Mse,
    /// Mean absolute error.
    Mae,
}

impl Metric {
    /// True for accuracy and R², where larger is better.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::R2)
    }

    /// The metric for predictions against targets of the same shape.
    pub fn measure<S: Scalar>(self, predictions: &Matrix<S>, targets: &Matrix<S>) -> Result<f64, Error> {
        match self {
            Metric::Accuracy => Ok(accuracy(predictions, targets)),
            Metric::R2 => Ok(regression_metrics(predictions, targets)?.r2),
            Metric::Mse => Ok(regression_metrics(predictions, targets)?.mse),
            Metric::Mae => Ok(regression_metrics(predictions, targets)?.mae),
        }
    }
}

/// Fraction of rows where the prediction picks the target's class. It takes the rows as they
/// are, where [`metrics::accuracy`](crate::metrics::accuracy) refuses non-finite outputs: a
/// diverging epoch's NaN outputs are for the divergence check to report.
fn accuracy<S: Scalar>(predictions: &Matrix<S>, targets: &Matrix<S>) -> f64 {
    let correct = predictions
        .iter_rows()
        .zip(targets.iter_rows())
        .filter(|(prediction, target)| predicted_class(prediction) == predicted_class(target))
        .count();
    correct as f64 / targets.rows().max(1) as f64
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Metric::Accuracy => "accuracy",
            Metric::R2 => "r2",
            Metric::Mse => "mse",
            Metric::Mae => "mae",
        })
    }
}

impl FromStr for Metric {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text {
            "accuracy" => Ok(Metric::Accuracy),
            "r2" => Ok(Metric::R2),
            "mse" => Ok(Metric::Mse),
            "mae" => Ok(Metric::Mae),
            _ => Err(Error::invalid("metric", format!("unknown metric `{text}`; expected accuracy, r2, mse or mae"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_compares_argmax_or_the_rounded_sigmoid() {
        let predictions = Matrix::from_rows(&[[0.1f64, 0.7, 0.2], [0.5, 0.3, 0.2]]).unwrap();
        let targets = Matrix::from_rows(&[[0.0f64, 1.0, 0.0], [0.0, 0.0, 1.0]]).unwrap();
        assert_eq!(Metric::Accuracy.measure(&predictions, &targets).unwrap(), 0.5);
        let probabilities = Matrix::column(&[0.2f64, 0.6, 0.9]);
        let labels = Matrix::column(&[0.0, 0.0, 1.0]);
        assert!((Metric::Accuracy.measure(&probabilities, &labels).unwrap() - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn names_round_trip() {
        for metric in [Metric::Accuracy, Metric::R2, Metric::Mse, Metric::Mae] {
            assert_eq!(metric.to_string().parse::<Metric>().unwrap(), metric);
        }
        assert!("f1".parse::<Metric>().is_err());
    }
}
