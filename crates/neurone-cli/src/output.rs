//! A run's output folder: config.toml, history.csv, predictions.csv and metrics.json.

use std::fmt::Write as _;
use std::path::Path;

use neurone::metrics::RegressionMetrics;
use neurone::{Dataset, History, Matrix, io::write_atomic};

use crate::config::Experiment;

/// Everything a finished run writes.
pub struct Run<'a> {
    pub experiment: &'a Experiment,
    pub history: &'a History,
    pub test: &'a Dataset<f32>,
    pub predictions: &'a Matrix<f32>,
    pub metrics: &'a RegressionMetrics,
    pub seconds: f64,
}

impl Run<'_> {
    /// Writes every file into `out`, each atomically.
    pub fn write(&self, out: &Path) -> Result<(), neurone::Error> {
        let write = |name: &str, contents: String| write_atomic(&out.join(name), contents.as_bytes());
        write("config.toml", self.experiment.to_toml())?;
        write("history.csv", self.history_csv())?;
        write("predictions.csv", self.predictions_csv())?;
        write("metrics.json", self.metrics_json())
    }

    /// One row per epoch; an empty cell where a value was not measured.
    fn history_csv(&self) -> String {
        let metrics = &self.experiment.train.metrics;
        let mut csv = String::from("epoch,train_loss,val_loss,penalty,learning_rate,elapsed_seconds");
        metrics.iter().for_each(|metric| {
            let _ = write!(csv, ",val_{metric}");
        });
        csv.push('\n');
        for record in &self.history.epochs {
            let validation = record.validation_loss.map_or(String::new(), |loss| loss.to_string());
            let _ = write!(
                csv,
                "{},{},{validation},{},{},{}",
                record.epoch, record.train_loss, record.penalty, record.learning_rate, record.elapsed_seconds
            );
            for &metric in metrics {
                let _ = write!(csv, ",{}", record.validation_metric(metric).map_or(String::new(), |v| v.to_string()));
            }
            csv.push('\n');
        }
        csv
    }

    /// `x,y_true,y_pred` for each test point.
    fn predictions_csv(&self) -> String {
        let mut csv = String::from("x,y_true,y_pred\n");
        let rows =
            self.test.inputs().iter_rows().zip(self.test.targets().iter_rows()).zip(self.predictions.iter_rows());
        for ((x, y), prediction) in rows {
            let _ = writeln!(csv, "{},{},{}", x[0], y[0], prediction[0]);
        }
        csv
    }

    fn metrics_json(&self) -> String {
        let (metrics, last) = (self.metrics, self.history.last());
        let json = serde_json::json!({
            "mse": metrics.mse,
            "rmse": metrics.rmse,
            "mae": metrics.mae,
            "r2": metrics.r2,
            "evaluated_on": format!("grid of {} points", self.test.len()),
            "final_train_loss": last.map(|r| r.train_loss),
            "final_val_loss": last.and_then(|r| r.validation_loss),
            "best_epoch": self.history.best_epoch,
            "stopped_early": self.history.stopped_early,
            "epochs": self.history.epochs.len(),
            "seconds": self.seconds,
        });
        format!("{json:#}\n")
    }
}
