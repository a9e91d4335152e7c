//! `neurone cv`: k-fold cross-validation of an experiment on its training data, the test split
//! left untouched.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use neurone::Metric;
use neurone::io::{run_files, write_atomic};
use neurone::model_selection::{CrossValidationResult, DEFAULT_FOLDS, KFold};
use serde_json::json;

use crate::cross_validation::Plan;
use crate::error::CliError;
use crate::plots::{FoldCurves, fold_curves};
use crate::run_flags::RunFlags;

/// Arguments of `neurone cv`.
#[derive(clap::Args)]
#[command(
    mut_arg("seed", |arg| arg.help("Overrides the experiment's seed (which draws the test split, the folds and the \
        weights)")),
    mut_arg("out", |arg| arg.help("Output folder [default: runs/NAME-cv, NAME being the experiment's name, or \
        runs/NAME-cv-2, … when it exists]. A folder that holds files is refused unless --overwrite is given")),
    mut_arg("no_plots", |arg| arg.help("Writes no plots (cv_curves.png and .svg), only the CSV, JSON and TOML files"))
)]
pub struct CvArgs {
    /// The experiment file (see docs/config.md).
    config: PathBuf,
    /// The number of folds.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_FOLDS)]
    folds: usize,
    /// Repeats the k-fold with new shuffles (repeated k-fold).
    #[arg(long, value_name = "R", default_value_t = KFold::default().repeats)]
    repeats: usize,
    #[command(flatten)]
    run: RunFlags,
}

pub fn run(args: &CvArgs) -> Result<(), CliError> {
    let experiment = args.run.experiment(&args.config)?;
    let folds = KFold { folds: args.folds, repeats: args.repeats, seed: experiment.seed };
    let plan = Plan::new(experiment, folds, !args.run.quiet)?;
    // Locked while the folds train.
    let folder = args.run.folder(&format!("{}-cv", plan.experiment.name))?;
    let out = folder.path().to_path_buf();

    let mut result = CrossValidationResult::default();
    for index in 0..plan.folds.len() {
        let fold = plan.fold(index)?;
        if !args.run.quiet {
            eprintln!("fold {}/{}: {}", index + 1, plan.folds.len(), scores_line(&fold.scores));
        }
        result.folds.push(fold);
    }
    let report = Report { plan: &plan, result: &result, folds: args.folds };
    report.write(&out, !args.run.no_plots)?;
    if !args.run.quiet {
        print!("{}", report.table());
        print_line!("→ {}", out.display());
    }
    Ok(())
}

/// `r2 0.8123  mse 1.2e7`
fn scores_line(scores: &[(Metric, f64)]) -> String {
    scores.iter().map(|(metric, score)| format!("{metric} {score:.4}")).collect::<Vec<_>>().join("  ")
}

/// A finished cross-validation and what it ran on.
struct Report<'a> {
    plan: &'a Plan,
    result: &'a CrossValidationResult,
    /// Folds per repeat.
    folds: usize,
}

impl Report<'_> {
    /// Writes `config.toml`, `cv.csv`, `cv.json` and, with `plots`, `cv_curves.png`/`.svg`.
    fn write(&self, out: &Path, plots: bool) -> Result<(), CliError> {
        write_atomic(&out.join(run_files::CONFIG), self.plan.experiment.to_toml().as_bytes())?;
        write_atomic(&out.join("cv.csv"), self.csv().as_bytes())?;
        let json = serde_json::to_string_pretty(&self.json()).expect("plain JSON") + "\n";
        write_atomic(&out.join("cv.json"), json.as_bytes())?;
        if plots {
            let losses: Vec<Vec<f64>> = self.curves(|record| record.validation_loss.unwrap_or(f64::NAN));
            let metric = self.result.metrics().first().copied();
            let metric_curves: Vec<Vec<f64>> = match metric {
                Some(metric) => self.curves(|record| record.validation_metric(metric).unwrap_or(f64::NAN)),
                None => Vec::new(),
            };
            let name = metric.map(|metric| metric.to_string()).unwrap_or_default();
            let loss_name = self.plan.cross_validation.training.loss().to_string();
            let curves = FoldCurves {
                validation_loss: losses.iter().map(Vec::as_slice).collect(),
                metric: metric.map(|_| (name.as_str(), metric_curves.iter().map(Vec::as_slice).collect())),
                loss_name: &loss_name,
            };
            fold_curves(out, &curves).map_err(|error| CliError::Failure(error.to_string()))?;
        }
        Ok(())
    }

    fn curves(&self, value: impl Fn(&neurone::EpochRecord) -> f64) -> Vec<Vec<f64>> {
        self.result.folds.iter().map(|fold| fold.history.epochs.iter().map(&value).collect()).collect()
    }

    /// (repeat, fold) of result `index`, both from 1.
    fn position(&self, index: usize) -> (usize, usize) {
        (index / self.folds + 1, index % self.folds + 1)
    }

    /// `repeat,fold,train_samples,validation_samples,<metrics>,epochs,best_epoch,seconds`.
    fn csv(&self) -> String {
        let metrics = self.result.metrics();
        let mut text = String::from("repeat,fold,train_samples,validation_samples");
        metrics.iter().for_each(|metric| write!(text, ",{metric}").expect("a String"));
        text.push_str(",epochs,best_epoch,seconds\n");
        for (index, fold) in self.result.folds.iter().enumerate() {
            let (repeat, number) = self.position(index);
            let samples = &self.plan.folds[index];
            write!(text, "{repeat},{number},{},{}", samples.train.len(), samples.validation.len()).expect("a String");
            fold.scores.iter().for_each(|(_, score)| write!(text, ",{score}").expect("a String"));
            let best = fold.history.best_epoch.map(|epoch| epoch.to_string()).unwrap_or_default();
            writeln!(text, ",{},{best},{:.3}", fold.history.epochs.len(), fold.seconds).expect("a String");
        }
        text
    }

    fn json(&self) -> serde_json::Value {
        let metrics: serde_json::Map<String, serde_json::Value> = self
            .result
            .metrics()
            .into_iter()
            .map(|metric| {
                let folds: Vec<f64> = self.result.folds.iter().filter_map(|fold| fold.score(metric)).collect();
                let summary =
                    json!({ "mean": self.result.mean(metric), "std": self.result.std(metric), "folds": folds });
                (metric.to_string(), summary)
            })
            .collect();
        let per_fold: Vec<serde_json::Value> = self
            .result
            .folds
            .iter()
            .enumerate()
            .map(|(index, fold)| {
                let (repeat, number) = self.position(index);
                let scores: serde_json::Map<String, serde_json::Value> =
                    fold.scores.iter().map(|(metric, score)| (metric.to_string(), json!(score))).collect();
                json!({
                    "repeat": repeat,
                    "fold": number,
                    "train_samples": self.plan.folds[index].train.len(),
                    "validation_samples": self.plan.folds[index].validation.len(),
                    "scores": scores,
                    "epochs": fold.history.epochs.len(),
                    "best_epoch": fold.history.best_epoch,
                    "stopped_early": fold.history.stopped_early,
                    "seconds": fold.seconds,
                })
            })
            .collect();
        json!({
            "folds": self.folds,
            "repeats": self.result.folds.len() / self.folds.max(1),
            "samples": self.plan.data.len(),
            "metrics": metrics,
            "per_fold": per_fold,
            "seconds": self.result.seconds(),
        })
    }

    /// The per-fold table and a last line of mean ± standard deviation.
    fn table(&self) -> String {
        let metrics = self.result.metrics();
        let mut text = String::from("repeat  fold");
        metrics.iter().for_each(|metric| write!(text, "  {:>12}", metric.to_string()).expect("a String"));
        text.push_str("  epochs  seconds\n");
        for (index, fold) in self.result.folds.iter().enumerate() {
            let (repeat, number) = self.position(index);
            write!(text, "{repeat:>6}  {number:>4}").expect("a String");
            fold.scores.iter().for_each(|(_, score)| write!(text, "  {:>12}", format_score(*score)).expect("a String"));
            writeln!(text, "  {:>6}  {:>7.2}", fold.history.epochs.len(), fold.seconds).expect("a String");
        }
        let summary: Vec<String> = metrics
            .iter()
            .map(|&metric| {
                let (mean, std) =
                    (self.result.mean(metric).unwrap_or(f64::NAN), self.result.std(metric).unwrap_or(f64::NAN));
                format!("{metric} {} ± {}", format_score(mean), format_score(std))
            })
            .collect();
        writeln!(text, "{} folds of {} samples: {}", self.result.folds.len(), self.plan.data.len(), summary.join("  "))
            .expect("a String");
        text
    }
}

/// Four decimals for scores near 1 (R², accuracy), scientific notation for errors in units.
pub fn format_score(score: f64) -> String {
    if score.abs() < 1e4 && (score == 0.0 || score.abs() >= 1e-3) {
        format!("{score:.4}")
    } else {
        format!("{score:.4e}")
    }
}
