//! Classification metrics: accuracy, confusion matrix, precision, recall, F1 and log-loss.

use crate::data::{class_of_rows, predicted_class};
use crate::{Error, Matrix, Scalar};

/// Probabilities are clipped to [ε, 1 − ε] before their logarithm, so that a confident wrong
/// prediction costs a large but finite loss (scikit-learn's classic `log_loss` default).
pub const LOG_LOSS_EPSILON: f64 = 1e-15;

/// Counts of samples by actual class (rows) and predicted class (columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// `counts[actual][predicted]`: how many samples of class `actual` were predicted as `predicted`.
    pub counts: Vec<Vec<usize>>,
}

impl ConfusionMatrix {
    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.counts.len()
    }

    /// Number of samples of class `class` (its row's sum).
    pub fn actual(&self, class: usize) -> usize {
        self.counts[class].iter().sum()
    }

    /// Number of samples predicted as `class` (its column's sum).
    pub fn predicted(&self, class: usize) -> usize {
        self.counts.iter().map(|row| row[class]).sum()
    }

    /// Number of samples predicted right (the diagonal's sum).
    pub fn correct(&self) -> usize {
        (0..self.classes()).map(|class| self.counts[class][class]).sum()
    }

    /// Number of samples.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }
}

/// Precision, recall and F1 of one class, treated as "this class" against all the others.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassMetrics {
    /// Of the samples predicted as this class, the fraction that are (0 if none is predicted).
    pub precision: f64,
    /// Of the samples of this class, the fraction predicted as such (0 if there are none).
    pub recall: f64,
    /// The harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Number of samples of this class.
    pub support: usize,
}

/// The usual classification metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationMetrics {
    /// Fraction of samples whose most probable class is the right one.
    pub accuracy: f64,
    /// Mean of −ln(probability of the right class), probabilities clipped by [`LOG_LOSS_EPSILON`].
    pub log_loss: f64,
    /// Counts by actual and predicted class.
    pub confusion: ConfusionMatrix,
    /// Precision, recall and F1 of each class, in class order.
    pub per_class: Vec<ClassMetrics>,
    /// The unweighted mean of the classes' precisions (every class counts, even one absent).
    pub macro_precision: f64,
    /// The unweighted mean of the classes' recalls.
    pub macro_recall: f64,
    /// The unweighted mean of the classes' F1 scores (scikit-learn's `f1_score(average="macro")`).
    pub macro_f1: f64,
}

/// Compares predicted class probabilities (one row per sample, e.g. a softmax output) with
/// one-hot targets of the same shape. The predicted class is the most probable (the first
/// on a tie). A single column is a binary problem: the probability of class 1 against 0/1
/// targets, predicted as 1 from 0.5 up.
///
/// ```
/// use neurone::{Matrix, metrics::classification_metrics};
/// let probabilities = Matrix::from_rows(&[[0.8f64, 0.2], [0.4, 0.6], [0.7, 0.3]])?;
/// let targets = Matrix::from_rows(&[[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])?;
/// let metrics = classification_metrics(&probabilities, &targets)?;
/// assert_eq!(metrics.accuracy, 2.0 / 3.0);
/// assert_eq!(metrics.confusion.counts, [[1, 0], [1, 1]]);
/// assert_eq!(metrics.per_class[1].recall, 0.5);
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn classification_metrics<S: Scalar>(
    probabilities: &Matrix<S>,
    targets: &Matrix<S>,
) -> Result<ClassificationMetrics, Error> {
    let confusion = confusion_matrix(probabilities, targets)?;
    let per_class: Vec<ClassMetrics> = (0..confusion.classes()).map(|class| class_metrics(&confusion, class)).collect();
    let mean = |value: fn(&ClassMetrics) -> f64| per_class.iter().map(value).sum::<f64>() / per_class.len() as f64;
    Ok(ClassificationMetrics {
        accuracy: confusion.correct() as f64 / confusion.total() as f64,
        log_loss: log_loss(probabilities, targets)?,
        macro_precision: mean(|class| class.precision),
        macro_recall: mean(|class| class.recall),
        macro_f1: mean(|class| class.f1),
        confusion,
        per_class,
    })
}

/// The fraction of samples whose most probable class is the target's; see [`classification_metrics`].
pub fn accuracy<S: Scalar>(probabilities: &Matrix<S>, targets: &Matrix<S>) -> Result<f64, Error> {
    let confusion = confusion_matrix(probabilities, targets)?;
    Ok(confusion.correct() as f64 / confusion.total() as f64)
}

/// Counts samples by actual and predicted class; see [`classification_metrics`].
pub fn confusion_matrix<S: Scalar>(probabilities: &Matrix<S>, targets: &Matrix<S>) -> Result<ConfusionMatrix, Error> {
    check_probabilities(probabilities, targets)?;
    let actual = class_of_rows(targets)?;
    let classes = targets.cols().max(2);
    let mut counts = vec![vec![0; classes]; classes];
    for (row, &actual) in probabilities.iter_rows().zip(&actual) {
        counts[actual][predicted_class(row)] += 1;
    }
    Ok(ConfusionMatrix { counts })
}

/// Mean cross-entropy −ln p(right class), with p clipped to [ε, 1 − ε] ([`LOG_LOSS_EPSILON`]).
/// Rows are taken as they are, not renormalised.
pub fn log_loss<S: Scalar>(probabilities: &Matrix<S>, targets: &Matrix<S>) -> Result<f64, Error> {
    check_probabilities(probabilities, targets)?;
    let actual = class_of_rows(targets)?;
    let total: f64 = probabilities
        .iter_rows()
        .zip(&actual)
        .map(|(row, &class)| {
            let p = match row {
                [p_one] if class == 1 => p_one.to_f64(),
                [p_one] => 1.0 - p_one.to_f64(),
                _ => row[class].to_f64(),
            };
            -p.clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON).ln()
        })
        .sum();
    Ok(total / actual.len() as f64)
}

fn check_probabilities<S: Scalar>(probabilities: &Matrix<S>, targets: &Matrix<S>) -> Result<(), Error> {
    if probabilities.shape() != targets.shape() || targets.rows() == 0 || targets.cols() == 0 {
        return Err(Error::Shape(format!(
            "cannot compare {}×{} probabilities with {}×{} targets",
            probabilities.rows(),
            probabilities.cols(),
            targets.rows(),
            targets.cols()
        )));
    }
    if let Some(index) = probabilities.as_slice().iter().position(|p| !p.is_finite()) {
        return Err(Error::invalid(
            "probabilities",
            format!("row {} holds a non-finite value", index / probabilities.cols()),
        ));
    }
    Ok(())
}

fn class_metrics(confusion: &ConfusionMatrix, class: usize) -> ClassMetrics {
    let hits = confusion.counts[class][class] as f64;
    let ratio = |part: f64, whole: usize| if whole == 0 { 0.0 } else { part / whole as f64 };
    let precision = ratio(hits, confusion.predicted(class));
    let recall = ratio(hits, confusion.actual(class));
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    ClassMetrics { precision, recall, f1, support: confusion.actual(class) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn three_classes_by_hand() {
        // Actual 0, 1, 2, 2, 1; predicted 0, 2, 2, 0, 1.
        let probabilities = Matrix::from_rows(&[
            [0.7f64, 0.2, 0.1],
            [0.1, 0.3, 0.6],
            [0.2, 0.2, 0.6],
            [0.5, 0.1, 0.4],
            [0.1, 0.8, 0.1],
        ])
        .unwrap();
        let targets = Matrix::from_rows(&[
            [1.0f64, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0],
        ])
        .unwrap();
        let m = classification_metrics(&probabilities, &targets).unwrap();
        assert_eq!(m.accuracy, 0.6);
        assert_eq!(m.confusion.counts, [[1, 0, 0], [0, 1, 1], [1, 0, 1]]);
        // Class 0: P = 1/2, R = 1, F1 = 2/3. Class 1: P = 1, R = 1/2, F1 = 2/3. Class 2: 1/2, 1/2, 1/2.
        let expected = [(0.5, 1.0, 2.0 / 3.0, 1), (1.0, 0.5, 2.0 / 3.0, 2), (0.5, 0.5, 0.5, 2)];
        for (class, (precision, recall, f1, support)) in m.per_class.iter().zip(expected) {
            assert!(
                close(class.precision, precision) && close(class.recall, recall) && close(class.f1, f1),
                "{class:?}"
            );
            assert_eq!(class.support, support);
        }
        assert!(close(m.macro_precision, 2.0 / 3.0));
        assert!(close(m.macro_recall, 2.0 / 3.0));
        assert!(close(m.macro_f1, 11.0 / 18.0));
        let expected_loss = -(0.7f64.ln() + 0.3f64.ln() + 0.6f64.ln() + 0.4f64.ln() + 0.8f64.ln()) / 5.0;
        assert!(close(m.log_loss, expected_loss));
    }

    #[test]
    fn one_column_is_binary() {
        let probabilities = Matrix::column(&[0.9f32, 0.2, 0.6]);
        let targets = Matrix::column(&[1.0f32, 0.0, 0.0]);
        let m = classification_metrics(&probabilities, &targets).unwrap();
        assert_eq!(m.confusion.counts, [[1, 1], [0, 1]]);
        assert!(close(m.accuracy, 2.0 / 3.0));
        let expected_loss = -(0.9f32.ln() as f64 + 0.8f32.ln() as f64 + 0.4f32.ln() as f64) / 3.0;
        assert!((m.log_loss - expected_loss).abs() < 1e-6);
    }

    #[test]
    fn log_loss_clips_certain_mistakes_and_an_absent_class_scores_zero() {
        let targets = Matrix::from_rows(&[[1.0f64, 0.0, 0.0]]).unwrap();
        let wrong = Matrix::from_rows(&[[0.0f64, 1.0, 0.0]]).unwrap();
        assert!(close(log_loss(&wrong, &targets).unwrap(), -(1e-15f64).ln()));
        assert!(close(log_loss(&targets, &targets).unwrap(), -(1.0 - 1e-15f64).ln()));
        let m = classification_metrics(&wrong, &targets).unwrap();
        assert_eq!(m.per_class[2], ClassMetrics { precision: 0.0, recall: 0.0, f1: 0.0, support: 0 });
        assert_eq!(accuracy(&wrong, &targets).unwrap(), 0.0);
    }

    #[test]
    fn ties_go_to_the_first_class_and_bad_input_is_an_error() {
        let tie = Matrix::from_rows(&[[0.5f64, 0.5]]).unwrap();
        let targets = Matrix::from_rows(&[[1.0f64, 0.0]]).unwrap();
        assert_eq!(accuracy(&tie, &targets).unwrap(), 1.0);
        let nan = Matrix::from_rows(&[[f64::NAN, 0.5]]).unwrap();
        assert_eq!(
            accuracy(&nan, &targets).unwrap_err().to_string(),
            "invalid probabilities: row 0 holds a non-finite value"
        );
        assert!(accuracy(&Matrix::column(&[0.5f64]), &targets).is_err());
        let soft_targets = Matrix::from_rows(&[[0.5f64, 0.5]]).unwrap();
        assert!(accuracy(&tie, &soft_targets).is_err());
    }
}
