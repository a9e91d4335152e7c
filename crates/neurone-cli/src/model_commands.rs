//! The commands that use a trained model file: `predict`, `eval` and `export`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use neurone::data::{CsvSchema, EncodedRows, MissingValues, predicted_class};
use neurone::{Matrix, Model, io::write_atomic};

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
pub struct ExportArgs {
    /// A model written by `neurone train`.
    model: PathBuf,
    /// The ONNX file to write (opset 13; preprocessing folded into the graph).
    #[arg(long)]
    onnx: PathBuf,
}

/// A model, the schema its inputs are read with, and what missing inputs are to it: left for
/// its imputer to fill in, or errors.
fn load(path: &Path) -> Result<(Model, CsvSchema, MissingValues), CliError> {
    let model = Model::<f32>::load(path)?;
    let schema = model.preprocessing.schema.clone().ok_or_else(|| {
        CliError::Usage(format!("{}: the model has no CSV schema to read inputs with", path.display()))
    })?;
    let missing = if model.preprocessing.imputer.is_some() { MissingValues::Impute } else { MissingValues::Error };
    Ok((model, schema, missing))
}

/// Predictions in the original units (regression) or class names with probabilities.
pub fn predict(args: &PredictArgs) -> Result<(), CliError> {
    let (model, schema, missing) = load(&args.model)?;
    let rows: EncodedRows<f32> = if args.input == "-" {
        schema.encode_reader_with(std::io::stdin().lock(), "<stdin>", missing)?
    } else {
        schema.encode_file_with(&args.input, missing)?
    };
    let predictions = model.predict(&rows.inputs)?;
    let csv = predictions_csv(&model, &schema, &predictions);
    if args.out == "-" {
        std::io::stdout()
            .lock()
            .write_all(csv.as_bytes())
            .map_err(|error| CliError::Failure(format!("standard output: {error}")))
    } else {
        Ok(write_atomic(Path::new(&args.out), csv.as_bytes())?)
    }
}

/// One row per input row: the target's predicted value, or the predicted class and each class's
/// probability.
fn predictions_csv(model: &Model, schema: &CsvSchema, predictions: &Matrix<f32>) -> String {
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
                let values: Vec<String> = row.iter().map(f32::to_string).collect();
                csv.push_str(&format!("{}\n", values.join(",")));
            }
        }
    }
    csv
}

/// Prints the model's metrics on a CSV file holding the target column, as JSON.
pub fn eval(args: &EvalArgs) -> Result<(), CliError> {
    let (model, schema, missing) = load(&args.model)?;
    let rows: EncodedRows<f32> = schema.encode_file_with(&args.data, missing)?;
    let targets = rows.targets.ok_or_else(|| {
        CliError::Usage(format!("{}: no `{}` column to evaluate against", args.data.display(), schema.target.name))
    })?;
    let predictions = model.predict(&rows.inputs)?;
    let classes = model.preprocessing.class_names.as_deref();
    let metrics = TestMetrics::compare(&predictions, &targets, classes.is_some())?;
    let mut json = metrics.json(classes);
    if let Some(json) = json.as_object_mut() {
        json.insert("evaluated_on".into(), format!("{} ({} rows)", args.data.display(), targets.rows()).into());
    }
    println!("{json:#}");
    Ok(())
}

/// Writes the model as an ONNX graph.
pub fn export(args: &ExportArgs) -> Result<(), CliError> {
    let model = Model::<f32>::load(&args.model)?;
    model.export_onnx(&args.onnx)?;
    eprintln!("wrote {}", args.onnx.display());
    Ok(())
}
