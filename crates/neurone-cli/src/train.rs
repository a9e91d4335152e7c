//! `neurone train`: run an experiment and write its outputs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use neurone::metrics::{RegressionMetrics, regression_metrics};
use neurone::{Dataset, History, Init, Matrix, Network, Sgd, Trainer, datasets, io::write_atomic, seeded_rng};

use crate::config::{DatasetName, Experiment, OptimizerName};

/// Arguments of `neurone train`.
#[derive(clap::Args)]
pub struct TrainArgs {
    /// The experiment file (see docs/config.md).
    config: PathBuf,
    /// Output folder [default: runs/NAME, NAME being the experiment's name].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overrides the experiment's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Prints only errors.
    #[arg(long, short)]
    quiet: bool,
}

/// The data of one run: what it trains on, validates on, and is judged on.
struct Data {
    train: Dataset<f32>,
    validation: Option<Dataset<f32>>,
    test: Dataset<f32>,
}

pub fn run(args: &TrainArgs) -> Result<(), String> {
    let mut experiment = Experiment::load(&args.config)?;
    if let Some(seed) = args.seed {
        experiment.seed = seed;
    }
    let out = args.out.clone().unwrap_or_else(|| crate::default_output_folder(&experiment.name));
    // Create the folder first, so that a bad path fails now rather than after training; if the
    // run then fails, remove it again (only if we made it and it is still empty).
    let created = !out.exists();
    std::fs::create_dir_all(&out).map_err(|error| format!("{}: {error}", out.display()))?;
    let result = train_and_write(args, &experiment, &out);
    if result.is_err() && created {
        let _ = std::fs::remove_dir(&out);
    }
    result
}

fn train_and_write(args: &TrainArgs, experiment: &Experiment, out: &Path) -> Result<(), String> {
    let at_config = |error: neurone::Error| format!("{}: {error}", args.config.display());
    let mut rng = seeded_rng(experiment.seed);
    let data = load_data(experiment, &mut rng);
    let mut network = build_network(experiment, &data.train, &mut rng).map_err(at_config)?;
    let log = |line: &str| {
        if !args.quiet {
            println!("{line}");
        }
    };
    log(&format!("{}\n", network.summary()));

    let train = &experiment.train;
    let optimizer = match train.optimizer {
        OptimizerName::Sgd => Sgd::new(train.learning_rate).map_err(at_config)?,
    };
    let (epochs, log_every) = (train.epochs, train.log_every);
    let started = Instant::now();
    let mut trainer =
        Trainer::new(optimizer).epochs(epochs).batch_size(train.batch_size).shuffle(train.shuffle).on_epoch(|record| {
            if record.epoch % log_every == 0 || record.epoch == 1 || record.epoch == epochs {
                let validation = record.validation_loss.map_or(String::new(), |loss| format!("  val_loss {loss:.4e}"));
                let (train_loss, seconds) = (record.train_loss, record.elapsed_seconds);
                log(&format!(
                    "epoch {:>6}/{epochs}  train_loss {train_loss:.4e}{validation}  {seconds:.2}s",
                    record.epoch
                ));
            }
        });
    let history =
        trainer.fit(&mut network, &data.train, data.validation.as_ref(), &mut rng).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();

    let predictions = network.predict(data.test.inputs()).map_err(|e| e.to_string())?;
    let metrics = regression_metrics(&predictions, data.test.targets()).map_err(|e| e.to_string())?;
    write_outputs(out, experiment, &history, &data.test, &predictions, &metrics, seconds)?;
    log(&format!(
        "\ntest grid: mse {:.3e}  rmse {:.3e}  mae {:.3e}  r2 {:.6}\nwrote {}",
        metrics.mse,
        metrics.rmse,
        metrics.mae,
        metrics.r2,
        out.display()
    ));
    Ok(())
}

fn load_data(experiment: &Experiment, rng: &mut neurone::Rng) -> Data {
    let data = &experiment.data;
    match data.dataset {
        DatasetName::Sine => Data {
            train: datasets::sine(data.samples, rng),
            validation: (data.validation_samples > 0).then(|| datasets::sine(data.validation_samples, rng)),
            test: datasets::sine_grid(data.grid_points),
        },
    }
}

fn build_network(
    experiment: &Experiment,
    train: &Dataset<f32>,
    rng: &mut neurone::Rng,
) -> Result<Network, neurone::Error> {
    let model = &experiment.model;
    let layer_init = |activation| model.init.unwrap_or_else(|| Init::default_for(activation));
    let mut builder = Network::builder(train.inputs().cols());
    for &width in &model.layers {
        builder = builder.dense_with_init(width, model.activation, layer_init(model.activation), Init::Zeros);
    }
    let output = model.output_activation;
    builder = builder.dense_with_init(train.targets().cols(), output, layer_init(output), Init::Zeros);
    builder.loss(experiment.train.loss).build(rng)
}

/// Writes config.toml, history.csv, predictions.csv and metrics.json, each atomically.
fn write_outputs(
    out: &Path,
    experiment: &Experiment,
    history: &History,
    test: &Dataset<f32>,
    predictions: &Matrix<f32>,
    metrics: &RegressionMetrics,
    seconds: f64,
) -> Result<(), String> {
    let write =
        |name: &str, contents: String| write_atomic(&out.join(name), contents.as_bytes()).map_err(|e| e.to_string());
    write("config.toml", experiment.to_toml())?;

    let mut csv = String::from("epoch,train_loss,val_loss,learning_rate,elapsed_seconds\n");
    for record in &history.epochs {
        let validation = record.validation_loss.map_or(String::new(), |loss| loss.to_string());
        let _ = writeln!(
            csv,
            "{},{},{validation},{},{}",
            record.epoch, record.train_loss, record.learning_rate, record.elapsed_seconds
        );
    }
    write("history.csv", csv)?;

    let mut csv = String::from("x,y_true,y_pred\n");
    for ((x, y), prediction) in test.inputs().iter_rows().zip(test.targets().iter_rows()).zip(predictions.iter_rows()) {
        let _ = writeln!(csv, "{},{},{}", x[0], y[0], prediction[0]);
    }
    write("predictions.csv", csv)?;

    let last = history.last();
    let json = serde_json::json!({
        "mse": metrics.mse,
        "rmse": metrics.rmse,
        "mae": metrics.mae,
        "r2": metrics.r2,
        "evaluated_on": format!("grid of {} points", test.len()),
        "final_train_loss": last.map(|r| r.train_loss),
        "final_val_loss": last.and_then(|r| r.validation_loss),
        "epochs": history.epochs.len(),
        "seconds": seconds,
    });
    write("metrics.json", format!("{json:#}\n"))
}
