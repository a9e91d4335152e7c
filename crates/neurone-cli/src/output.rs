//! A run's output folder: config.toml, history.csv, predictions.csv and metrics.json.

use std::fmt::Write as _;
use std::path::Path;

use neurone::data::predicted_class;
use neurone::io::{run_files, write_atomic};
use neurone::metrics::{ClassificationMetrics, RegressionMetrics, classification_metrics, regression_metrics};
use neurone::{EpochRecord, Error, History, Matrix, Metric, Model, Network};
use serde_json::json;

use crate::config::Experiment;
use crate::setup::{Data, Task, TestSet};

/// The final metrics on the test samples, in the targets' original units.
pub enum TestMetrics {
    Regression(RegressionMetrics),
    Classification(ClassificationMetrics),
}

impl TestMetrics {
    /// Measures `outputs` (the network's, in scaled units) against the raw test targets.
    pub fn measure(data: &Data<f32>, test: &TestSet<f32>, outputs: &Matrix<f32>) -> Result<Self, Error> {
        let predictions = data.preprocessing.outputs_to_original(outputs)?;
        Self::compare(&predictions, test.raw().targets(), data.task != Task::Regression)
    }

    /// Compares predictions in the targets' units (probabilities for a classifier) with targets.
    pub fn compare(predictions: &Matrix<f32>, targets: &Matrix<f32>, classification: bool) -> Result<Self, Error> {
        Ok(if classification {
            TestMetrics::Classification(classification_metrics(predictions, targets)?)
        } else {
            TestMetrics::Regression(regression_metrics(predictions, targets)?)
        })
    }

    /// The metrics as JSON; `classes` names the confusion matrix's rows and the per-class scores.
    pub fn json(&self, classes: Option<&[String]>) -> serde_json::Value {
        match self {
            TestMetrics::Regression(m) => json!({ "mse": m.mse, "rmse": m.rmse, "mae": m.mae, "r2": m.r2 }),
            TestMetrics::Classification(m) => {
                let names: Vec<String> = match classes {
                    Some(classes) => classes.to_vec(),
                    None => (0..m.per_class.len()).map(|class| class.to_string()).collect(),
                };
                let per_class: serde_json::Map<String, serde_json::Value> = names
                    .iter()
                    .zip(&m.per_class)
                    .map(|(name, c)| {
                        let scores =
                            json!({ "precision": c.precision, "recall": c.recall, "f1": c.f1, "support": c.support });
                        (name.clone(), scores)
                    })
                    .collect();
                json!({
                    "accuracy": m.accuracy,
                    "log_loss": m.log_loss,
                    "macro_precision": m.macro_precision,
                    "macro_recall": m.macro_recall,
                    "macro_f1": m.macro_f1,
                    "classes": names,
                    "confusion_matrix": m.confusion.counts,
                    "per_class": per_class,
                })
            }
        }
    }

    /// One line for the terminal.
    pub fn summary(&self) -> String {
        match self {
            TestMetrics::Regression(m) => {
                format!("mse {:.4e}  rmse {:.4e}  mae {:.4e}  r2 {:.4}", m.mse, m.rmse, m.mae, m.r2)
            }
            TestMetrics::Classification(m) => {
                format!("accuracy {:.4}  log_loss {:.4}  macro_f1 {:.4}", m.accuracy, m.log_loss, m.macro_f1)
            }
        }
    }
}

/// Everything a finished run writes.
pub struct Run<'a> {
    pub experiment: &'a Experiment,
    pub history: &'a History,
    pub data: &'a Data<f32>,
    /// The samples the metrics are measured on.
    pub test: &'a TestSet<f32>,
    /// The network's outputs on the test samples (scaled units).
    pub outputs: &'a Matrix<f32>,
    pub metrics: &'a TestMetrics,
    pub seconds: f64,
    /// The trained network: saved as the model, and drawn (the decision boundary).
    pub network: &'a Network<f32>,
    /// Whether to draw the plots (`--no-plots` turns them off).
    pub plots: bool,
}

impl Run<'_> {
    /// Writes every file into `out`, each atomically. The plots take longer than all the other
    /// files together, so they are drawn on a second thread meanwhile.
    pub fn write(&self, out: &Path) -> Result<(), Error> {
        std::thread::scope(|scope| {
            let plots = self.plots.then(|| scope.spawn(|| crate::plots::write_run_plots(self, out)));
            let files = self.write_files(out);
            let plots = plots.map(|thread| thread.join().expect("drawing the plots panicked"));
            files?;
            plots.transpose()?;
            Ok(())
        })
    }

    /// Every file but the plots; the model, the largest, first, so that a disk too full for it
    /// fails the run before any other file of a previous run is replaced.
    fn write_files(&self, out: &Path) -> Result<(), Error> {
        let write = |name: &str, contents: String| write_atomic(&out.join(name), contents.as_bytes());
        self.model().save(out.join(run_files::MODEL))?;
        write(run_files::CONFIG, self.experiment.to_toml())?;
        write(run_files::HISTORY, self.history_csv())?;
        write(run_files::PREDICTIONS, self.predictions_csv()?)?;
        write(run_files::METRICS, self.metrics_json())?;
        Ok(())
    }

    /// The network with its preprocessing and a summary of how it was trained.
    fn model(&self) -> Model {
        let last = self.history.last();
        let training = json!({
            "experiment": self.experiment.name,
            "seed": self.experiment.seed,
            "epochs": self.history.epochs.len(),
            "best_epoch": self.history.best_epoch,
            "final_train_loss": last.map(|r| r.train_loss),
            "final_val_loss": last.and_then(|r| r.validation_loss),
            "evaluated_on": self.test.name,
            "seconds": self.seconds,
        });
        Model::new(self.network.clone(), self.data.preprocessing.clone()).with_training(training)
    }

    fn history_csv(&self) -> String {
        history_csv(self.experiment.train.metrics.as_deref().unwrap_or_default(), &self.history.epochs)
    }

    fn predictions_csv(&self) -> Result<String, Error> {
        let (raw, outputs) = (self.test.raw(), self.outputs);
        let mut csv = String::new();
        match &self.data.task {
            Task::Regression => {
                let predictions = self.data.preprocessing.outputs_to_original(outputs)?;
                let with_x = raw.inputs().cols() == 1;
                csv.push_str(if with_x { "x,y_true,y_pred\n" } else { "y_true,y_pred\n" });
                let rows = raw.inputs().iter_rows().zip(raw.targets().iter_rows()).zip(predictions.iter_rows());
                for ((x, y), prediction) in rows {
                    if with_x {
                        let _ = write!(csv, "{},", x[0]);
                    }
                    let _ = writeln!(csv, "{},{}", y[0], prediction[0]);
                }
            }
            Task::Classification { classes } => {
                csv.push_str("true,predicted");
                let probability_names: &[String] = if outputs.cols() == 1 { &classes[1..] } else { classes };
                probability_names.iter().for_each(|name| {
                    let _ = write!(csv, ",p_{name}");
                });
                csv.push('\n');
                for (target, output) in raw.targets().iter_rows().zip(outputs.iter_rows()) {
                    let (actual, predicted) = (predicted_class(target), predicted_class(output));
                    let _ = write!(csv, "{},{}", classes[actual], classes[predicted]);
                    output.iter().for_each(|p| {
                        let _ = write!(csv, ",{p}");
                    });
                    csv.push('\n');
                }
            }
        }
        Ok(csv)
    }

    fn metrics_json(&self) -> String {
        let classes = match &self.data.task {
            Task::Classification { classes } => Some(classes.as_slice()),
            Task::Regression => None,
        };
        let mut json = self.metrics.json(classes);
        let last = self.history.last();
        let extra = json!({
            "evaluated_on": self.test.name,
            "final_train_loss": last.map(|r| r.train_loss),
            "final_val_loss": last.and_then(|r| r.validation_loss),
            "best_epoch": self.history.best_epoch,
            "stopped_early": self.history.stopped_early,
            "converged": self.history.converged,
            "interrupted": self.history.interrupted,
            "epochs": self.history.epochs.len(),
            "seconds": self.seconds,
            // The run's peak so far: loading, training and measuring (not the plots drawn meanwhile).
            "peak_memory_bytes": neurone::memory::peak_resident_memory(),
        });
        if let (Some(json), serde_json::Value::Object(extra)) = (json.as_object_mut(), extra) {
            json.extend(extra);
            // Only a run that diverged says where (a null would read as a non-finite value).
            if let Some(epoch) = self.history.diverged_at {
                json.insert("diverged_at".into(), epoch.into());
            }
        }
        format!("{json:#}\n")
    }
}

/// `history.csv`: one row per epoch of `records`, with a column per validation metric; an
/// empty cell where a value was not measured.
pub fn history_csv(metrics: &[Metric], records: &[EpochRecord]) -> String {
    let mut csv = String::from("epoch,train_loss,val_loss,penalty,learning_rate,elapsed_seconds");
    metrics.iter().for_each(|metric| {
        let _ = write!(csv, ",val_{metric}");
    });
    csv.push('\n');
    for record in records {
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

/// `history.csv` rewritten (atomically) as epochs finish, at most once a second, with
/// `config.toml` written first, so that a run in progress can be followed (`neurone ui`). Only
/// in a folder that holds neither file yet: an earlier run's files are never replaced by a
/// partial history. A run that fails before its results are written removes both again (the
/// configuration stays beside a checkpoint, for `--resume`): nothing half-written is left.
pub struct LiveHistory {
    folder: std::path::PathBuf,
    metrics: Vec<Metric>,
    records: Vec<EpochRecord>,
    written: Option<std::time::Instant>,
    active: bool,
    keep_config: bool,
    finished: bool,
}

impl LiveHistory {
    /// Whether `folder` holds neither `config.toml` nor `history.csv`.
    pub fn is_fresh(folder: &Path) -> bool {
        !folder.join(run_files::CONFIG).exists() && !folder.join(run_files::HISTORY).exists()
    }

    /// Starts the history of `experiment` in `folder` (after the `resumed` epochs), writing its
    /// configuration when the folder was `fresh`.
    pub fn start(
        folder: &Path,
        fresh: bool,
        experiment: &Experiment,
        keep_config: bool,
        resumed: &[EpochRecord],
    ) -> Result<Self, Error> {
        if fresh {
            write_atomic(&folder.join(run_files::CONFIG), experiment.to_toml().as_bytes())?;
        }
        Ok(Self {
            folder: folder.to_path_buf(),
            metrics: experiment.train.metrics.clone().unwrap_or_default(),
            records: resumed.to_vec(),
            written: None,
            active: fresh,
            keep_config,
            finished: false,
        })
    }

    /// Adds the epoch, and writes the file if a second has passed since the last write (the
    /// first epoch is written at once). A failed write is left for the final one to report.
    pub fn epoch(&mut self, record: &EpochRecord) {
        self.records.push(record.clone());
        if self.active && self.written.is_none_or(|written| written.elapsed().as_secs_f64() >= 1.0) {
            let _ = write_atomic(
                &self.folder.join(run_files::HISTORY),
                history_csv(&self.metrics, &self.records).as_bytes(),
            );
            self.written = Some(std::time::Instant::now());
        }
    }

    /// The run's results are written: its files stay.
    pub fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for LiveHistory {
    fn drop(&mut self) {
        if self.active && !self.finished {
            let _ = std::fs::remove_file(self.folder.join(run_files::HISTORY));
            if !self.keep_config {
                let _ = std::fs::remove_file(self.folder.join(run_files::CONFIG));
            }
        }
    }
}
