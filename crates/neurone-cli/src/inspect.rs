//! `neurone summary` and `neurone gradcheck`: look at an experiment's network without training it.

use std::path::PathBuf;

use neurone::{Dataset, Model, gradient_check};

use crate::config::Experiment;
use crate::error::CliError;
use crate::setup::Prepared;

/// Arguments shared by the commands that read an experiment file.
#[derive(clap::Args)]
pub struct ConfigArgs {
    /// The experiment file (see docs/config.md); for `summary`, also a model file
    /// (`.safetensors`).
    config: PathBuf,
    /// Overrides a value of the experiment file (repeatable), as for `neurone train`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

/// Prints the layer table and parameter count of a model file's network, or of the network an
/// experiment file describes.
pub fn summary(args: &ConfigArgs) -> Result<(), CliError> {
    // Anything but an experiment file is read as a model, whose loader says what a wrong file is.
    if args.config.extension().is_none_or(|extension| extension != "toml") {
        let model = Model::<f32>::load(&args.config)?;
        print_line!("{}", model.network.summary());
        if let Some(schema) = &model.preprocessing.schema {
            let features: Vec<&str> = schema.features.iter().map(|column| column.name.as_str()).collect();
            print_line!("inputs: {}  →  target: {}", features.join(", "), schema.target.name);
        }
        if let Some(classes) = &model.preprocessing.class_names {
            print_line!("classes: {}", classes.join(", "));
        }
        if !model.training.is_null() {
            print_line!("training: {}", model.training);
        }
        return Ok(());
    }
    let experiment = Experiment::load(&args.config, &args.overrides).map_err(CliError::Usage)?;
    let prepared = Prepared::<f32>::new(experiment, true)?;
    print_line!("{}", prepared.network.summary());
    let batch_size = prepared.experiment.train.batch_size;
    print_line!("memory: {} (batches of {batch_size})", prepared.memory);
    Ok(())
}

/// Checks backpropagation against finite differences, in f64, on a few training samples, and
/// prints the worst relative error of each parameter tensor. Fails above 1e-6.
pub fn gradcheck(args: &ConfigArgs) -> Result<(), CliError> {
    const SAMPLES: usize = 8;
    const TOLERANCE: f64 = 1e-6;
    let experiment = Experiment::load(&args.config, &args.overrides).map_err(CliError::Usage)?;
    let Prepared { data, network, .. } = Prepared::<f64>::new(experiment, true)?;
    let rows: Vec<usize> = (0..data.train.len().min(SAMPLES)).collect();
    let batch = Dataset::new(data.train.inputs().select_rows(&rows), data.train.targets().select_rows(&rows))?;
    let report = gradient_check(&network, batch.inputs(), batch.targets())?;
    print!("{report}");
    let worst = report.max_relative_error();
    if worst > TOLERANCE {
        return Err(CliError::Failure(format!(
            "gradient check failed: worst relative error {worst:.3e} exceeds {TOLERANCE:e}"
        )));
    }
    print_line!("gradient check passed: worst relative error {worst:.3e} (≤ {TOLERANCE:e}) on {} samples", rows.len());
    Ok(())
}
