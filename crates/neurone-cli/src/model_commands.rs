//! The commands that use a trained model file: `predict`, `eval` and `export`.

use std::path::{Path, PathBuf};

use neurone::data::{CsvSchema, EncodedRows, MissingValues, predicted_class};
use neurone::{Matrix, Model, Scalar, io::write_atomic};

use crate::code_export::CodeTargets;
use crate::error::CliError;
use crate::output::TestMetrics;

/// Arguments of `neurone predict`.
#[derive(clap::Args)]
pub struct PredictArgs {
    /// A model written by `neurone train` (`runs/NAME/model.safetensors`).
    model: PathBuf,
    /// CSV file with the model's input columns and a header row; `-` reads standard input.
    input: String,
    /// Where to write the predictions; `-` (the default) is standard output.
    #[arg(long, default_value = "-")]
    out: String,
}

/// Arguments of `neurone eval`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// A model written by `neurone train`.
    model: PathBuf,
    /// CSV file with the model's input columns and its target column.
    #[arg(long)]
    data: PathBuf,
}

/// Arguments of `neurone export`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("format").required(true).multiple(true)))]
pub struct ExportArgs {
    /// A model written by `neurone train`.
    model: PathBuf,
    /// The ONNX file to write (opset 13; preprocessing folded into the graph).
    #[arg(long, group = "format")]
    onnx: Option<PathBuf>,
    /// A C99 header to write: `NAME_predict`, `NAME_INPUTS`, `NAME_OUTPUTS` (docs/export.md).
    #[arg(long, value_name = "FILE.h", group = "format")]
    c: Option<PathBuf>,
    /// A no_std Rust module to write: `predict`, `INPUTS`, `OUTPUTS`.
    #[arg(long, value_name = "FILE.rs", group = "format")]
    rust: Option<PathBuf>,
    /// The C prefix [default: the experiment's name].
    #[arg(long)]
    name: Option<String>,
    /// Quantise the C and Rust code to int8, calibrated on the training split of the run
    /// folder's config.toml, or on --calibration.
    #[arg(long)]
    int8: bool,
    /// A CSV file of samples to calibrate int8 on (and measure, if it holds the target).
    #[arg(long, value_name = "CSV", requires = "int8")]
    calibration: Option<PathBuf>,
}

/// Runs `f32_command` or `f64_command` on the model at `path`, whichever precision its file
/// holds (a Python estimator fitted on float64 data saves float64 weights).
fn in_its_precision<R>(
    path: &Path,
    f32_command: impl FnOnce(Model<f32>) -> Result<R, CliError>,
    f64_command: impl FnOnce(Model<f64>) -> Result<R, CliError>,
) -> Result<R, CliError> {
    match Model::<f32>::load(path) {
        Ok(model) => f32_command(model),
        Err(f32_error) => match Model::<f64>::load(path) {
            Ok(model) => f64_command(model),
            Err(_) => Err(f32_error.into()),
        },
    }
}

/// The schema a model's inputs are read with, and what missing inputs are to it: left for its
/// imputer to fill in, or errors.
fn schema_of<S: Scalar>(model: &Model<S>, path: &Path) -> Result<(CsvSchema, MissingValues), CliError> {
    let schema = model.preprocessing.schema.clone().ok_or_else(|| {
        CliError::Usage(format!("{}: the model has no CSV schema to read inputs with", path.display()))
    })?;
    let missing = if model.preprocessing.imputer.is_some() { MissingValues::Impute } else { MissingValues::Error };
    Ok((schema, missing))
}

/// Predictions in the original units (regression) or class names with probabilities.
pub fn predict(args: &PredictArgs) -> Result<(), CliError> {
    in_its_precision(&args.model, |model| predict_with(&model, args), |model| predict_with(&model, args))
}

fn predict_with<S: Scalar>(model: &Model<S>, args: &PredictArgs) -> Result<(), CliError> {
    let (schema, missing) = schema_of(model, &args.model)?;
    let rows: EncodedRows<S> = if args.input == "-" {
        schema.encode_reader_with(std::io::stdin().lock(), "<stdin>", missing)?
    } else {
        schema.encode_file_with(&args.input, missing)?
    };
    let predictions = model.predict(&rows.inputs)?;
    let csv = predictions_csv(model, &schema, &predictions);
    if args.out == "-" {
        crate::write_stdout(csv.as_bytes());
        Ok(())
    } else {
        Ok(write_atomic(Path::new(&args.out), csv.as_bytes())?)
    }
}

/// One row per input row: the target's predicted value, or the predicted class and each class's
/// probability.
fn predictions_csv<S: Scalar>(model: &Model<S>, schema: &CsvSchema, predictions: &Matrix<S>) -> String {
    let target = &schema.target.name;
    let mut csv = String::new();
    match &model.preprocessing.class_names {
        Some(classes) => {
            let probabilities: &[String] = if predictions.cols() == 1 { &classes[1..] } else { classes };
            csv.push_str(target);
            probabilities.iter().for_each(|name| csv.push_str(&format!(",p_{name}")));
            csv.push('\n');
            for row in predictions.iter_rows() {
                csv.push_str(&classes[predicted_class(row)]);
                row.iter().for_each(|p| csv.push_str(&format!(",{p}")));
                csv.push('\n');
            }
        }
        None => {
            csv.push_str(&format!("{target}\n"));
            for row in predictions.iter_rows() {
                let values: Vec<String> = row.iter().map(S::to_string).collect();
                csv.push_str(&format!("{}\n", values.join(",")));
            }
        }
    }
    csv
}

/// Prints the model's metrics on a CSV file holding the target column, as JSON.
pub fn eval(args: &EvalArgs) -> Result<(), CliError> {
    in_its_precision(&args.model, |model| eval_with(&model, args), |model| eval_with(&model, args))
}

fn eval_with<S: Scalar>(model: &Model<S>, args: &EvalArgs) -> Result<(), CliError> {
    let (schema, missing) = schema_of(model, &args.model)?;
    let rows: EncodedRows<S> = schema.encode_file_with(&args.data, missing)?;
    let targets = rows.targets.ok_or_else(|| {
        CliError::Usage(format!("{}: no `{}` column to evaluate against", args.data.display(), schema.target.name))
    })?;
    let predictions = model.predict(&rows.inputs)?;
    let classes = model.preprocessing.class_names.as_deref();
    let metrics = TestMetrics::compare(&predictions.cast(), &targets.cast(), classes.is_some())?;
    let mut json = metrics.json(classes);
    if let Some(json) = json.as_object_mut() {
        json.insert("evaluated_on".into(), format!("{} ({} rows)", args.data.display(), targets.rows()).into());
    }
    print_line!("{json:#}");
    Ok(())
}

/// Writes the model as an ONNX graph, C header or Rust module.
pub fn export(args: &ExportArgs) -> Result<(), CliError> {
    if args.int8 && args.c.is_none() && args.rust.is_none() {
        return Err(CliError::Usage("--int8 quantises --c and --rust code; ONNX stays in float".into()));
    }
    let targets = CodeTargets {
        c: args.c.as_deref(),
        rust: args.rust.as_deref(),
        name: args.name.as_deref(),
        int8: args.int8,
        calibration: args.calibration.as_deref(),
    };
    in_its_precision(
        &args.model,
        |model| export_with(&model, args, &targets),
        |model| export_with(&model, args, &targets),
    )
}

fn export_with<S: Scalar>(model: &Model<S>, args: &ExportArgs, targets: &CodeTargets) -> Result<(), CliError> {
    if let Some(onnx) = &args.onnx {
        model.export_onnx(onnx)?;
        eprintln!("wrote {}", onnx.display());
    }
    crate::code_export::write(model, &args.model, targets)
}
