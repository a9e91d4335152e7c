//! `neurone._engine.Engine`: one estimator's network, in f32 or f64, with the calls the Python
//! layer makes. Descriptions arrive as JSON in the library's spec types; arrays as C-contiguous
//! numpy arrays of the engine's dtype.

use neurone::data::{Column, ColumnKind, CsvSchema, Preprocessing};
use neurone::io::Model;
use neurone::spec::{NetworkSpec, TrainingSpec};
use neurone::{Dataset, Error, Network};
use numpy::PyReadonlyArray2;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::arrays::{Float, Inputs, to_array, to_matrix, to_vector};
use crate::errors::{invalid_description, to_python};
use crate::interrupt::run_interruptible;
use crate::state::{FitRequest, State, task};

/// A network and its training state, in the precision chosen at creation.
#[pyclass(module = "neurone._engine")]
pub struct Engine {
    typed: Typed,
}

/// The same state in either precision.
enum Typed {
    F32(State<f32>),
    F64(State<f64>),
}

/// Runs `$body` with `$state` bound to the engine's state, whatever its precision; `$S` names
/// the scalar type in the body.
macro_rules! with_state {
    ($engine:expr, $state:ident, $S:ident => $body:expr) => {
        match $engine {
            Typed::F32($state) => {
                #[allow(dead_code)]
                type $S = f32;
                $body
            }
            Typed::F64($state) => {
                #[allow(dead_code)]
                type $S = f64;
                $body
            }
        }
    };
}

/// The network and training descriptions of an estimator, resolved for its task and width.
fn specs(network: &str, training: &str, task_name: &str, outputs: usize) -> PyResult<(NetworkSpec, TrainingSpec)> {
    let task = task(task_name).map_err(to_python)?;
    let mut network: NetworkSpec = from_json(network)?;
    let mut training: TrainingSpec = from_json(training)?;
    network.resolve(task, outputs);
    training.resolve(task, outputs);
    network.validate().map_err(to_python)?;
    training.validate().map_err(to_python)?;
    Ok((network, training))
}

/// A spec type from JSON; a refusal names the key at fault (`batch_size: invalid type …`).
fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> PyResult<T> {
    let deserializer = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(deserializer).map_err(invalid_description)
}

/// Inputs and targets as a dataset (one copy): the validation samples.
fn dataset<S: Float>(x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<Dataset<S>> {
    Dataset::new(to_matrix::<S>(x)?, to_matrix::<S>(y)?).map_err(to_python)
}

/// Trains `state`, off the GIL and interruptible; prints scikit-learn's progress lines when
/// `verbose`. Returns the history's [`Curves`] and whether Ctrl-C stopped it.
fn fit_state<S: Float>(
    py: Python<'_>,
    state: &mut State<S>,
    training: &TrainingSpec,
    data: [Option<&Bound<'_, PyAny>>; 5],
    warm: bool,
    restart_schedule: bool,
    verbose: bool,
) -> PyResult<(Curves, bool)> {
    let [Some(x), Some(y), sample_weight, x_validation, y_validation] = data else {
        unreachable!("x and y are required")
    };
    // The training samples are read in place, where numpy (or scipy) holds them.
    let (x, y): (Inputs<'_, S>, PyReadonlyArray2<'_, S>) = (Inputs::extract(x)?, y.extract()?);
    let weights = sample_weight.map(to_vector::<S>).transpose()?;
    let mut train = x.view(&y)?;
    if let Some(weights) = &weights {
        train = train.with_sample_weights(weights).map_err(to_python)?;
    }
    let validation = match (x_validation, y_validation) {
        (Some(x), Some(y)) => Some(dataset::<S>(x, y)?),
        _ => None,
    };
    let request = FitRequest { training, train, validation, warm, restart_schedule };
    let (history, interrupted) = run_interruptible(py, |stop| {
        state.fit(request, stop, |record| {
            if verbose {
                Python::attach(|py| print_progress(py, record));
            }
        })
    });
    let history = history.map_err(to_python)?;
    Ok((Curves::of(&history), interrupted))
}

/// What the estimator's fitted attributes take from a history, handed to Python as lists (a
/// JSON round trip of every epoch's record cost a tenth of a small fit).
#[derive(IntoPyObject)]
pub struct Curves {
    /// J + the L2 penalty, epoch by epoch: scikit-learn's `loss_curve_`.
    loss: Vec<f64>,
    /// The first validation metric of the epochs that have one.
    validation_scores: Vec<f64>,
    validation_loss: Vec<Option<f64>>,
    /// The learning rate each epoch trained at (scikit-learn keeps the last one only, in
    /// `_optimizer.learning_rate`).
    learning_rate: Vec<f64>,
    /// Stopped by early stopping, convergence or a divergence after the best epoch rather than
    /// by the number of epochs.
    stopped: bool,
    /// The solver converged (L-BFGS reached its tolerances).
    converged: bool,
    /// L-BFGS stopped, not converged, after its loss evaluations went past `max_evaluations`.
    out_of_evaluations: bool,
}

impl Curves {
    fn of(history: &neurone::History) -> Self {
        let epochs = &history.epochs;
        Curves {
            loss: epochs.iter().map(|record| record.train_loss + record.penalty).collect(),
            validation_scores: epochs
                .iter()
                .filter_map(|record| record.validation_metrics.first().map(|&(_, score)| score))
                .collect(),
            validation_loss: epochs.iter().map(|record| record.validation_loss).collect(),
            learning_rate: epochs.iter().map(|record| record.learning_rate).collect(),
            // A divergence ended with early stopping's best weights is a stop too (no
            // ConvergenceWarning), as in scikit-learn.
            stopped: history.stopped_early || history.converged || history.diverged_at.is_some(),
            converged: history.converged,
            out_of_evaluations: history.out_of_evaluations,
        }
    }
}

/// scikit-learn's `Iteration N, loss = …` line (its loss includes the L2 penalty), and the
/// validation score when there is one; printed with Python's `print` so notebooks show it.
fn print_progress(py: Python<'_>, record: &neurone::EpochRecord) {
    let mut line = format!("Iteration {}, loss = {:.8}", record.epoch, record.train_loss + record.penalty);
    if let Some(&(_, score)) = record.validation_metrics.first() {
        line.push_str(&format!("\nValidation score: {score:.6}"));
    }
    if let Ok(print) = py.import("builtins").and_then(|builtins| builtins.getattr("print")) {
        let _ = print.call1((line,));
    }
}

/// A dense layer's weights (out × in) and bias (1 × out), as numpy arrays.
type DenseArrays<'py> = (Bound<'py, PyAny>, Bound<'py, PyAny>);

/// The dense layers' weights and biases, in order.
fn dense_weights<'py, S: Float>(py: Python<'py>, network: &Network<S>) -> Vec<DenseArrays<'py>> {
    let matrix = |values: &[S], rows, cols| {
        let matrix = neurone::Matrix::new(rows, cols, values.to_vec()).expect("sized by the layer");
        to_array(py, matrix).into_any()
    };
    let mut weights = Vec::new();
    let mut inputs = network.inputs();
    for layer in network.layers() {
        if let Some(dense) = layer.as_dense() {
            let outputs = layer.outputs();
            weights.push((matrix(dense.weights(), outputs, inputs), matrix(dense.bias(), 1, outputs)));
            inputs = outputs;
        }
    }
    weights
}

/// A model file's bytes as a state of precision `S`, if it holds `S` weights.
fn model_state<S: Float>(model: &[u8], checkpoint: Option<&[u8]>, seed: u64) -> Result<State<S>, Error> {
    let model = Model::<S>::from_bytes(model, "pickled model")?;
    let checkpoint =
        checkpoint.map(|bytes| neurone::Checkpoint::<S>::from_bytes(bytes, "pickled checkpoint")).transpose()?;
    Ok(State::restored(model, checkpoint, seed))
}

#[pymethods]
impl Engine {
    /// A new network described by `network` and `training` (JSON of `NetworkSpec` and
    /// `TrainingSpec`) for `task` ("classification" or "regression"), `inputs` → `outputs`,
    /// its weights drawn from `seed`, in `dtype` ("float32" or "float64").
    #[new]
    #[pyo3(signature = (network, training, task, inputs, outputs, dtype, seed))]
    fn new(
        network: &str,
        training: &str,
        task: &str,
        inputs: usize,
        outputs: usize,
        dtype: Option<&str>,
        seed: u64,
    ) -> PyResult<Self> {
        let (network, training) = specs(network, training, task, outputs)?;
        // The library's networks are f32 unless asked otherwise.
        let typed = match dtype.unwrap_or("float32") {
            "float32" => Typed::F32(State::new(&network, &training, inputs, outputs, seed).map_err(to_python)?),
            "float64" => Typed::F64(State::new(&network, &training, inputs, outputs, seed).map_err(to_python)?),
            _ => {
                return Err(to_python(Error::invalid(
                    "dtype",
                    format!("expected float32 or float64, got `{}`", dtype.unwrap_or_default()),
                )));
            }
        };
        Ok(Self { typed })
    }

    /// Trains on `x` (an array, or a CSR matrix's `(data, indices, indptr, n_features)`), `y`, each sample's loss weighed by `sample_weight` if given (and measures
    /// `x_validation`, `y_validation` each epoch) as `training` describes; `warm` goes on from the
    /// last fit, with the learning rate back at η₀ if `restart_schedule`. Returns the history's
    /// curves (a dict) and whether Ctrl-C interrupted it.
    #[pyo3(signature = (training, task, x, y, sample_weight=None, x_validation=None, y_validation=None, warm=false, restart_schedule=false, verbose=false))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        &mut self,
        py: Python<'_>,
        training: &str,
        task: &str,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        sample_weight: Option<&Bound<'_, PyAny>>,
        x_validation: Option<&Bound<'_, PyAny>>,
        y_validation: Option<&Bound<'_, PyAny>>,
        warm: bool,
        restart_schedule: bool,
        verbose: bool,
    ) -> PyResult<(Curves, bool)> {
        let data = [Some(x), Some(y), sample_weight, x_validation, y_validation];
        with_state!(&mut self.typed, state, S => {
            let outputs = state.model.network.outputs();
            let (_, training) = specs("{}", training, task, outputs)?;
            fit_state::<S>(py, state, &training, data, warm, restart_schedule, verbose)
        })
    }

    /// The network's outputs for `x` (probabilities for a classifier), with the GIL released:
    /// `x` an array, or CSR rows as `fit` takes them, read sparse.
    fn predict<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        with_state!(&self.typed, state, S => {
            let sparse = Inputs::<S>::extract(x)?;
            let outputs = match sparse.sparse_rows()? {
                Some(rows) => py.detach(|| state.model.predict_sparse(rows)),
                None => {
                    let inputs = to_matrix::<S>(x)?;
                    py.detach(|| state.model.predict(&inputs))
                }
            };
            Ok(to_array(py, outputs.map_err(to_python)?).into_any())
        })
    }

    /// The dense layers' `(weights, bias)`, weights shaped out × in, bias 1 × out.
    fn weights<'py>(&self, py: Python<'py>) -> Vec<DenseArrays<'py>> {
        with_state!(&self.typed, state, S => dense_weights::<S>(py, &state.model.network))
    }

    /// "float32" or "float64".
    #[getter]
    fn dtype(&self) -> &'static str {
        match self.typed {
            Typed::F32(_) => "float32",
            Typed::F64(_) => "float64",
        }
    }

    /// The output layer's activation, by the library's name (`softmax`, `sigmoid`, `identity`,
    /// `exp`).
    fn output_activation(&self) -> String {
        with_state!(&self.typed, state, S => {
            let layers = state.model.network.layers();
            let output = layers.iter().rev().find_map(|layer| layer.as_dense()).expect("a network ends with a dense layer");
            output.activation().to_string()
        })
    }

    /// The network's layers, described as the library prints them (`dense relu`, `dropout(0.5)`).
    fn layers(&self) -> Vec<String> {
        with_state!(&self.typed, state, S => {
            state.model.network.layers().iter().map(|layer| layer.describe()).collect()
        })
    }

    /// Writes the model file (the CLI's format) with the class and feature names given and
    /// the training description as its record. A model of one target column (one regression
    /// output, or one output per class) also gets the CSV schema `neurone predict` reads rows with: the
    /// features by name (scikit-learn's `x0`, `x1`, … when unnamed), the target as `y`.
    #[pyo3(signature = (path, class_names=None, feature_names=None, training=None))]
    fn save(
        &mut self,
        path: &str,
        class_names: Option<Vec<String>>,
        feature_names: Option<Vec<String>>,
        training: Option<&str>,
    ) -> PyResult<()> {
        let record: serde_json::Value = match training {
            Some(json) => serde_json::from_str(json).map_err(|error| PyValueError::new_err(error.to_string()))?,
            None => serde_json::Value::Null,
        };
        with_state!(&mut self.typed, state, S => {
            let network = &state.model.network;
            let names = feature_names.unwrap_or_else(|| (0..network.inputs()).map(|index| format!("x{index}")).collect());
            let target = match &class_names {
                Some(classes) => ColumnKind::Categorical { categories: classes.clone() },
                None => ColumnKind::Numeric,
            };
            // A schema's target is one column: one number, or one-hot classes (a single sigmoid
            // output for two classes has none).
            let one_column = class_names.as_ref().map_or(1, Vec::len) == network.outputs();
            let schema = one_column.then(|| CsvSchema {
                features: names.iter().map(|name| Column { name: name.clone(), kind: ColumnKind::Numeric }).collect(),
                target: Column { name: "y".into(), kind: target },
            });
            let preprocessing = Preprocessing { schema, class_names, feature_names: Some(names), ..state.model.preprocessing.clone() };
            let model = Model::new(network.clone(), preprocessing).with_training(record);
            model.save(path).map_err(to_python)
        })
    }

    /// Writes the network as a C99 header (`c`) or a `no_std` Rust module, by the library's code
    /// export (as `neurone export`): in float32, or in int8 calibrated on the rows of
    /// `calibration`; `name` prefixes the C names.
    #[pyo3(signature = (path, c, name, calibration=None, class_names=None, feature_names=None))]
    fn export_code(
        &self,
        path: &str,
        c: bool,
        name: &str,
        calibration: Option<&Bound<'_, PyAny>>,
        class_names: Option<Vec<String>>,
        feature_names: Option<Vec<String>>,
    ) -> PyResult<()> {
        with_state!(&self.typed, state, S => {
            let preprocessing = Preprocessing { class_names, feature_names, ..state.model.preprocessing.clone() };
            let model = Model::new(state.model.network.clone(), preprocessing);
            let mut export = model.code_export(name).map_err(to_python)?;
            if let Some(x) = calibration {
                export = export.quantise(&to_matrix::<S>(x)?.cast::<f32>()).map_err(to_python)?;
            }
            if c { export.write_c(path) } else { export.write_rust(path) }.map_err(to_python)
        })
    }

    /// Reads a model file (written by `save` or by `neurone train`), in the precision it holds;
    /// `seed` drives any further training.
    #[staticmethod]
    fn load(path: &str, seed: u64) -> PyResult<Self> {
        let bytes = std::fs::read(path).map_err(|source| to_python(Error::Io { path: path.into(), source }))?;
        let typed = match Model::<f32>::from_bytes(&bytes, path) {
            Ok(model) => Typed::F32(State::loaded(model, seed)),
            Err(f32_error) => match Model::<f64>::from_bytes(&bytes, path) {
                Ok(model) => Typed::F64(State::loaded(model, seed)),
                Err(_) => return Err(to_python(f32_error)),
            },
        };
        Ok(Self { typed })
    }

    /// What a loaded model says about itself, as JSON: widths, class and feature names,
    /// whether it scales its inputs, and its training record.
    fn describe(&self) -> String {
        with_state!(&self.typed, state, S => {
            let model = &state.model;
            serde_json::json!({
                "inputs": model.network.inputs(),
                "outputs": model.network.outputs(),
                "layers": model.network.layers().iter().map(|layer| layer.describe()).collect::<Vec<_>>(),
                "class_names": model.preprocessing.class_names,
                "feature_names": model.preprocessing.feature_names,
                "classification": model.preprocessing.is_classification(),
                "training": model.training,
            })
            .to_string()
        })
    }

    /// Pickling: the model file's bytes and the checkpoint's, restored by `from_bytes`.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let (model, checkpoint) = with_state!(&self.typed, state, S => {
            let model = state.model.to_bytes().map_err(to_python)?;
            let checkpoint = state.checkpoint().map(|checkpoint| checkpoint.to_bytes()).transpose().map_err(to_python)?;
            (model, checkpoint)
        });
        let constructor = py.get_type::<Engine>().getattr("from_bytes")?;
        let checkpoint = checkpoint.map(|bytes| PyBytes::new(py, &bytes));
        let arguments = (self.dtype(), PyBytes::new(py, &model), checkpoint);
        PyTuple::new(py, [constructor, arguments.into_pyobject(py)?.into_any()])
    }

    /// The engine `__reduce__` described.
    #[staticmethod]
    #[pyo3(signature = (dtype, model, checkpoint=None))]
    fn from_bytes(dtype: &str, model: &[u8], checkpoint: Option<&[u8]>) -> PyResult<Self> {
        let typed = match dtype {
            "float32" => Typed::F32(model_state(model, checkpoint, 0).map_err(to_python)?),
            _ => Typed::F64(model_state(model, checkpoint, 0).map_err(to_python)?),
        };
        Ok(Self { typed })
    }
}
