//! The plots of a finished `neurone train` run, drawn from what the run holds.

use std::path::Path;

use neurone::Matrix;
use neurone::data::predicted_class;

use super::{
    ConfusionCounts, DecisionBoundary, Fit1d, Grid, LearningCurves, PlotError, PredictedVsActual, confusion_matrix,
    decision_boundary, fit_1d, grid_centres, learning_curves, predicted_vs_actual,
};
use crate::output::{Run, TestMetrics};
use crate::setup::Task;

/// Cells per side of the decision-boundary grid: fine enough for a smooth boundary, and
/// predicted as one 40 000-row matrix in a few milliseconds.
const BOUNDARY_RESOLUTION: usize = 200;

/// Writes every plot that fits the run into `folder`: always the learning curves; for
/// regression, predicted against actual values and, with one input, the fit; for
/// classification, the confusion matrix and, with two inputs, the decision boundary.
pub fn write_run_plots(run: &Run, folder: &Path) -> Result<(), PlotError> {
    // Each figure is drawn and encoded independently: the learning curves on a thread of their
    // own, alongside the others.
    std::thread::scope(|scope| {
        let curves = scope.spawn(|| write_learning_curves(run, folder));
        let others = write_task_plots(run, folder);
        curves.join().expect("drawing the learning curves panicked")?;
        others
    })
}

/// The plots that depend on the task.
fn write_task_plots(run: &Run, folder: &Path) -> Result<(), PlotError> {
    let data = run.data;
    match (&data.task, run.metrics) {
        (Task::Regression, _) => write_regression_plots(run, folder)?,
        (Task::Classification { classes }, TestMetrics::Classification(metrics)) => {
            let counts = ConfusionCounts {
                counts: &metrics.confusion.counts,
                class_names: classes,
                samples_name: &run.test.name,
            };
            confusion_matrix(folder, &counts)?;
            if data.train.inputs().cols() == 2 {
                write_decision_boundary(run, classes, folder)?;
            }
        }
        (Task::Classification { .. }, TestMetrics::Regression(_)) => unreachable!("metrics follow the task"),
    }
    Ok(())
}

/// Predicted against actual values, and with one input the fit over the test samples.
fn write_regression_plots(run: &Run, folder: &Path) -> Result<(), PlotError> {
    let data = run.data;
    let error = |name: &str, error: neurone::Error| PlotError::new(folder.join(format!("{name}.png")), error);
    let target_name = match &data.preprocessing.schema {
        Some(schema) => schema.target.name.clone(),
        None => "y".to_owned(),
    };
    let predictions =
        data.preprocessing.outputs_to_original(run.outputs).map_err(|e| error("predicted_vs_actual", e))?;
    let (actual, predicted) = (first_column(run.test.raw().targets()), first_column(&predictions));
    let pairs = PredictedVsActual {
        actual: &actual,
        predicted: &predicted,
        target_name: &target_name,
        samples_name: &run.test.name,
    };
    predicted_vs_actual(folder, &pairs)?;
    if data.train.inputs().cols() == 1 {
        let train_x = match &data.preprocessing.input_scaler {
            Some(scaler) => scaler.inverse_transform(data.train.inputs()).map_err(|e| error("fit", e))?,
            None => data.train.inputs().clone(),
        };
        let train_y = data.preprocessing.outputs_to_original(data.train.targets()).map_err(|e| error("fit", e))?;
        let x_label = input_names(run).into_iter().next().unwrap_or_else(|| "x".to_owned());
        let fit = Fit1d {
            train_x: &first_column(&train_x),
            train_y: &first_column(&train_y),
            grid_x: &first_column(run.test.raw().inputs()),
            target_y: &actual,
            predicted_y: &predicted,
            x_label: &x_label,
            y_label: &target_name,
        };
        fit_1d(folder, "fit", &fit)?;
    }
    Ok(())
}

fn write_learning_curves(run: &Run, folder: &Path) -> Result<(), PlotError> {
    let epochs = &run.history.epochs;
    let train_loss: Vec<f64> = epochs.iter().map(|record| record.train_loss).collect();
    let validation_loss: Option<Vec<f64>> = epochs.iter().map(|record| record.validation_loss).collect();
    // The first metric measured, as the terminal shows it.
    let metric = epochs.first().and_then(|record| record.validation_metrics.first()).map(|&(metric, _)| metric);
    let metric_values: Option<Vec<f64>> =
        metric.and_then(|metric| epochs.iter().map(|record| record.validation_metric(metric)).collect());
    let metric_name = metric.map(|metric| metric.to_string()).unwrap_or_default();
    let loss_name = run.experiment.train.loss.map(|loss| loss.to_string()).unwrap_or_else(|| "loss".to_owned());
    let curves = LearningCurves {
        train_loss: &train_loss,
        validation_loss: validation_loss.as_deref().filter(|losses| !losses.is_empty()),
        metric: metric_values.as_deref().map(|values| (metric_name.as_str(), values)),
        best_epoch: run.history.best_epoch,
        loss_name: &loss_name,
    };
    learning_curves(folder, &curves)
}

/// The plane around the training points coloured by the network's predictions over a grid,
/// with the training points (in original units) on top.
fn write_decision_boundary(run: &Run, classes: &[String], folder: &Path) -> Result<(), PlotError> {
    let data = run.data;
    let error = |error: neurone::Error| PlotError::new(folder.join("decision_boundary.png"), error);
    let points = match &data.preprocessing.input_scaler {
        Some(scaler) => scaler.inverse_transform(data.train.inputs()).map_err(error)?,
        None => data.train.inputs().clone(),
    };
    let (points_x, points_y) = (column(&points, 0), column(&points, 1));
    let point_classes: Vec<usize> = data.train.targets().iter_rows().map(predicted_class).collect();
    let range = |values: &[f64]| {
        let (low, high) = values.iter().fold((f64::MAX, f64::MIN), |(low, high), &v| (low.min(v), high.max(v)));
        let margin = if high > low { 0.25 * (high - low) } else { 1.0 };
        (low - margin, high + margin)
    };
    let grid = Grid {
        x_range: range(&points_x),
        y_range: range(&points_y),
        columns: BOUNDARY_RESOLUTION,
        rows: BOUNDARY_RESOLUTION,
    };
    // The whole grid as one matrix: one forward pass, not one per point.
    let centres: Vec<f32> = grid_centres(&grid).into_iter().flatten().map(|value| value as f32).collect();
    let centres = Matrix::new(centres.len() / 2, 2, centres).map_err(error)?;
    let outputs = run.network.predict(&data.preprocessing.inputs(&centres).map_err(error)?).map_err(error)?;
    let outputs: Vec<f64> = outputs.as_slice().iter().map(|&value| f64::from(value)).collect();
    let names = input_names(run);
    let boundary = DecisionBoundary {
        grid,
        outputs: &outputs,
        points_x: &points_x,
        points_y: &points_y,
        point_classes: &point_classes,
        class_names: classes,
        x_label: names.first().map_or("x1", String::as_str),
        y_label: names.get(1).map_or("x2", String::as_str),
    };
    decision_boundary(folder, &boundary)
}

/// The names of the network's inputs, when the data has them.
fn input_names(run: &Run) -> Vec<String> {
    run.data
        .preprocessing
        .feature_names
        .clone()
        .or_else(|| run.data.train.feature_names().map(<[String]>::to_vec))
        .unwrap_or_default()
}

fn column(matrix: &Matrix<f32>, index: usize) -> Vec<f64> {
    matrix.iter_rows().map(|row| f64::from(row[index])).collect()
}

fn first_column(matrix: &Matrix<f32>) -> Vec<f64> {
    column(matrix, 0)
}

impl From<PlotError> for neurone::Error {
    /// A plot that cannot be written is a failed file write, like any other output.
    fn from(error: PlotError) -> Self {
        neurone::Error::Io { path: error.path, source: std::io::Error::other(error.message) }
    }
}
