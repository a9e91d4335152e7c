//! The figures a run draws, as PNG and SVG: learning curves, a 1-D fit, predicted against
//! actual values, a confusion matrix, a decision boundary, and the folds' validation curves
//! of a cross-validation.
//!
//! Each figure is a plain function of plain data (slices and names, no configuration types)
//! that writes `NAME.png` and `NAME.svg` into a folder, atomically. Text is drawn with a font
//! embedded in the binary, so nothing depends on the fonts installed on the machine.

mod colour_bar;
mod confusion_matrix;
mod decision_boundary;
mod fit_1d;
mod fold_curves;
mod learning_curves;
mod line;
mod predicted_vs_actual;
mod render;
mod run;
mod style;

pub use confusion_matrix::{ConfusionCounts, confusion_matrix};
pub use decision_boundary::{DecisionBoundary, Grid, decision_boundary, grid_centres};
pub use fit_1d::{Fit1d, fit_1d};
pub use fold_curves::{FoldCurves, fold_curves};
pub use learning_curves::{LearningCurves, learning_curves};
pub use predicted_vs_actual::{PredictedVsActual, predicted_vs_actual};
pub use render::PlotError;
pub use run::write_run_plots;

#[cfg(test)]
mod tests;
