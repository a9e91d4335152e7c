//! `neurone export --c/--rust`: the library's code export, with the samples an int8 export is
//! calibrated and measured on.

use std::path::{Path, PathBuf};

use neurone::data::{EncodedRows, MissingValues};
use neurone::datasets::{self, MnistPart};
use neurone::{Dataset, Matrix, Model, Scalar, seeded_rng};

use crate::config::Experiment;
use crate::error::CliError;
use crate::setup::{Pending, RawData};

/// What to write, as `neurone export` was asked.
pub struct CodeTargets<'a> {
    pub c: Option<&'a Path>,
    pub rust: Option<&'a Path>,
    pub name: Option<&'a str>,
    pub int8: bool,
    pub calibration: Option<&'a Path>,
}

/// Writes the C header and/or Rust module of the model at `path`; in int8, reports the
/// accuracy or R² of the float model and of the int8 code on the samples it was measured on.
pub fn write<S: Scalar>(model: &Model<S>, path: &Path, targets: &CodeTargets) -> Result<(), CliError> {
    let name = targets.name.map_or_else(|| model.export_name(), str::to_string);
    let mut export = model.code_export(&name)?;
    if targets.int8 {
        let Samples { calibration, test } = samples(model, path, targets.calibration)?;
        export = export.quantise(&calibration)?;
        if let Some((test, origin)) = test {
            let scores = export.compare(model, test.inputs(), test.targets())?;
            eprintln!("int8 on {origin}: {} {:.4} (float32 {:.4})", scores.metric, scores.code, scores.model);
        }
    }
    let summary = format!(
        "{}; {} bytes of constants, {} bytes of scratch",
        export.describe(),
        export.weight_bytes(),
        export.scratch_bytes()
    );
    if let Some(file) = targets.c {
        export.write_c(file)?;
        eprintln!("wrote {}: {summary}", file.display());
    }
    if let Some(file) = targets.rust {
        export.write_rust(file)?;
        eprintln!("wrote {}: {summary}", file.display());
    }
    Ok(())
}

/// The inputs int8 is calibrated on, and the samples it is measured on with what they are.
struct Samples {
    calibration: Matrix<f32>,
    test: Option<(Dataset<f32>, String)>,
}

/// `--calibration`'s file (for both), else the training and test splits of the run folder's
/// `config.toml`.
fn samples<S: Scalar>(model: &Model<S>, path: &Path, calibration: Option<&Path>) -> Result<Samples, CliError> {
    if let Some(file) = calibration {
        let schema = model.preprocessing.schema.as_ref().ok_or_else(|| {
            CliError::Usage(format!("{}: the model has no CSV schema to read --calibration with", path.display()))
        })?;
        let missing = if model.preprocessing.imputer.is_some() { MissingValues::Impute } else { MissingValues::Error };
        let rows: EncodedRows<f32> = schema.encode_file_with(file, missing)?;
        let origin = format!("{} ({} rows)", file.display(), rows.inputs.rows());
        let test = rows.targets.map(|targets| Dataset::new(rows.inputs.clone(), targets)).transpose()?;
        return Ok(Samples { test: test.map(|test| (test, origin)), calibration: rows.inputs });
    }
    let config: PathBuf = path.with_file_name("config.toml");
    if !config.exists() {
        return Err(CliError::Usage(format!(
            "{}: --int8 needs calibration samples: no config.toml beside the model to find its training data; \
             give --calibration CSV",
            path.display()
        )));
    }
    let experiment = Experiment::load(&config, &[]).map_err(CliError::Usage)?;
    // The same seed draws the same split as the training did.
    let raw = RawData::<f32>::load(&experiment, &mut seeded_rng(experiment.seed), false)
        .map_err(|error| experiment.usage_error(error))?;
    let test = match raw.test {
        Some(Pending::Held(test)) => Some((test, "the test set")),
        Some(Pending::MnistTest(source)) => {
            Some((datasets::mnist_part(&source, MnistPart::Test)?, "the MNIST test set"))
        }
        None => None,
    };
    let test = test.map(|(test, name)| {
        let origin = format!("{name} ({} samples)", test.len());
        (test, origin)
    });
    Ok(Samples { calibration: raw.train.inputs().clone(), test })
}
