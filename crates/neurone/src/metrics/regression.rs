//! Regression metrics: how far predictions are from the targets, in the targets' units.

use crate::{Error, Matrix, Scalar};

/// The usual regression metrics, over every output of every sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegressionMetrics {
    /// Mean squared error: the plain mean of (prediction − target)², without the loss's ½.
    pub mse: f64,
    /// Root mean squared error, √mse, in the targets' units.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Coefficient of determination 1 − SS_res / SS_tot, averaged over outputs (scikit-learn's
    /// `r2_score`); an output whose target is constant scores 1 if predicted exactly, else 0.
    pub r2: f64,
}

/// Compares predictions with targets of the same shape.
///
/// ```
/// use neurone::{Matrix, metrics::regression_metrics};
/// let predicted = Matrix::column(&[1.0f64, 2.0, 3.0]);
/// let actual = Matrix::column(&[0.0, 2.0, 4.0]);
/// let metrics = regression_metrics(&predicted, &actual).unwrap();
/// assert_eq!(metrics.mse, 2.0 / 3.0);
/// assert_eq!(metrics.r2, 1.0 - 2.0 / 8.0);
/// ```
pub fn regression_metrics<S: Scalar>(predictions: &Matrix<S>, targets: &Matrix<S>) -> Result<RegressionMetrics, Error> {
    if predictions.shape() != targets.shape() || targets.rows() == 0 {
        return Err(Error::Shape(format!(
            "cannot compare {}×{} predictions with {}×{} targets",
            predictions.rows(),
            predictions.cols(),
            targets.rows(),
            targets.cols()
        )));
    }
    let count = targets.as_slice().len() as f64;
    let residuals = || predictions.as_slice().iter().zip(targets.as_slice()).map(|(p, t)| p.to_f64() - t.to_f64());
    let mse = residuals().map(|r| r * r).sum::<f64>() / count;
    let mae = residuals().map(f64::abs).sum::<f64>() / count;
    let outputs = targets.cols();
    let r2 = (0..outputs).map(|j| r2_of_column(predictions, targets, j)).sum::<f64>() / outputs as f64;
    Ok(RegressionMetrics { mse, rmse: mse.sqrt(), mae, r2 })
}

fn r2_of_column<S: Scalar>(predictions: &Matrix<S>, targets: &Matrix<S>, column: usize) -> f64 {
    let rows = targets.rows();
    let target = |i: usize| targets[(i, column)].to_f64();
    let mean = (0..rows).map(target).sum::<f64>() / rows as f64;
    let total: f64 = (0..rows).map(|i| (target(i) - mean).powi(2)).sum();
    let residual: f64 = (0..rows).map(|i| (predictions[(i, column)].to_f64() - target(i)).powi(2)).sum();
    match (total == 0.0, residual == 0.0) {
        (false, _) => 1.0 - residual / total,
        (true, true) => 1.0,
        (true, false) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() {
        let predicted = Matrix::column(&[2.0f64, 0.0, 4.0, 4.0]);
        let actual = Matrix::column(&[1.0, 1.0, 3.0, 5.0]);
        let m = regression_metrics(&predicted, &actual).unwrap();
        assert_eq!(m.mse, 1.0);
        assert_eq!(m.rmse, 1.0);
        assert_eq!(m.mae, 1.0);
        // mean 2.5, SS_tot = 2.25 + 2.25 + 0.25 + 6.25 = 11
        assert!((m.r2 - (1.0 - 4.0 / 11.0)).abs() < 1e-15);
    }

    #[test]
    fn constant_targets_and_shape_errors() {
        let constant = Matrix::column(&[1.0f32, 1.0]);
        assert_eq!(regression_metrics(&constant, &constant).unwrap().r2, 1.0);
        assert_eq!(regression_metrics(&Matrix::column(&[0.0, 1.0]), &constant).unwrap().r2, 0.0);
        assert!(regression_metrics(&Matrix::column(&[1.0f32]), &constant).is_err());
    }
}
