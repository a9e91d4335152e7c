//! Metrics: how good predictions are — in the units of the targets for regression, and as
//! accuracy, confusion matrix, precision, recall, F1 and log-loss for classification.

mod classification;
mod regression;

pub use classification::{
    ClassMetrics, ClassificationMetrics, ConfusionMatrix, LOG_LOSS_EPSILON, accuracy, classification_metrics,
    confusion_matrix, log_loss,
};
pub use regression::{RegressionMetrics, regression_metrics};
