//! From an experiment file to data, preprocessing and an untrained network.

use std::borrow::Cow;

use neurone::data::{
    Column, ColumnKind, CsvData, CsvOptions, CsvSchema, MissingCount, MissingValues, Preprocessing, SplitFractions,
    read_csv, split_owned,
};
use neurone::datasets::{self, DataSource, DownloadEvent, MnistPart};
use neurone::memory::MemoryNeed;
use neurone::{Activation, Dataset, Error, Network, Rng, Scalar, seeded_rng};

use crate::config::{DataConfig, DatasetName, Experiment, Scaling};
use crate::error::CliError;

/// An experiment ready to train: its data loaded and scaled, its defaults resolved for the
/// task, its untrained network, and the generator that goes on to shuffle and drop out.
pub struct Prepared<S: Scalar> {
    pub experiment: Experiment,
    pub data: Data<S>,
    pub network: Network<S>,
    pub rng: Rng,
    /// What the network and its training hold in memory, checked against what is available.
    pub memory: MemoryNeed,
}

impl<S: Scalar> Prepared<S> {
    /// Loads the data of `experiment`, resolves the defaults that depend
    /// on it, and builds the network, all drawn from the experiment's seed in that order: the
    /// same seed gives the same split, scaling and weights.
    pub fn new(mut experiment: Experiment, show_progress: bool) -> Result<Self, CliError> {
        let mut rng = seeded_rng(experiment.seed);
        let data = Data::load(&experiment, &mut rng, show_progress).map_err(|error| experiment.usage_error(error))?;
        let outputs = data.train.targets().cols();
        experiment.resolve_task(data.task.kind(), outputs);
        // The loss is chosen in [train]: its fit with the output layer is reported there.
        let output = experiment.model.output_activation.unwrap_or(Activation::Identity);
        experiment.train.loss().check_output(output).map_err(|error| experiment.usage_error(error.within("train")))?;
        // Before the network is built: a typo in a width must not become a failed allocation.
        let (inputs, samples) = (data.train.inputs().cols(), data.train.len());
        let memory = experiment
            .train
            .check_memory(&experiment.model, inputs, outputs, samples, size_of::<S>())
            .map_err(|error| experiment.usage_error(error))?;
        let network = experiment
            .model
            .build(data.train.inputs().cols(), outputs, experiment.train.loss(), &mut rng)
            .map_err(|error| experiment.usage_error(error.within("model")))?;
        Ok(Prepared { experiment, data, network, rng, memory })
    }
}

/// What the network learns to do, as the data says.
#[derive(Clone, Debug, PartialEq)]
pub enum Task {
    /// Predict numbers.
    Regression,
    /// Predict one of `classes`: one-hot targets, or a single 0/1 target for two classes.
    Classification { classes: Vec<String> },
}

impl Task {
    /// The library's kind of task, which decides the default output, loss and metric.
    pub fn kind(&self) -> neurone::spec::Task {
        match self {
            Task::Regression => neurone::spec::Task::Regression,
            Task::Classification { .. } => neurone::spec::Task::Classification,
        }
    }
}

/// The data of one run, scaled as the network sees it, with what it takes to report in the
/// original units.
pub struct Data<S> {
    pub train: Dataset<S>,
    pub validation: Option<Dataset<S>>,
    test: Pending<TestSet<S>>,
    pub preprocessing: Preprocessing,
    pub task: Task,
}

/// The samples the final metrics are measured on.
#[derive(Clone)]
pub struct TestSet<S> {
    /// Scaled as the network sees them.
    pub samples: Dataset<S>,
    /// The same samples before preprocessing (original units), when the preprocessing scales
    /// them (else `samples` is them: see [`TestSet::raw`]).
    unscaled: Option<Dataset<S>>,
    /// What they are, for reports: e.g. "test split (30 samples)".
    pub name: String,
}

impl<S> TestSet<S> {
    /// The test samples before preprocessing (original units).
    pub fn raw(&self) -> &Dataset<S> {
        self.unscaled.as_ref().unwrap_or(&self.samples)
    }
}

/// Samples held in memory, or a file read only when they are used: MNIST's test images are
/// not held while the network trains (its 31 MB beside the 188 MB of training images).
pub enum Pending<T> {
    Held(T),
    MnistTest(DataSource),
}

/// The data of one run as read or generated and split, before any preprocessing.
pub struct RawData<S> {
    pub train: Dataset<S>,
    pub validation: Option<Dataset<S>>,
    pub test: Option<Pending<Dataset<S>>>,
    /// How the CSV columns became inputs and targets, for data read from a CSV file.
    pub schema: Option<CsvSchema>,
    pub task: Task,
}

impl<S: Scalar> RawData<S> {
    /// Generates or reads the experiment's data and splits it, drawing from `rng`.
    pub fn load(experiment: &Experiment, rng: &mut Rng, show_progress: bool) -> Result<Self, Error> {
        let config = &experiment.data;
        let (splits, missing) = match config.dataset {
            DatasetName::Sine => (sine(config, rng), MissingCount::default()),
            DatasetName::Xor => (xor(), MissingCount::default()),
            DatasetName::Iris => split_csv(datasets::iris(), config, rng)?,
            DatasetName::Insurance => split_csv(datasets::insurance(&data_source(show_progress)?)?, config, rng)?,
            DatasetName::Csv => {
                let path = config.path.as_deref().expect("resolved: csv has a path");
                let target = config.target.as_deref().expect("resolved: csv has a target");
                let options = CsvOptions::new(target)
                    .categorical(config.categorical.iter().flatten())
                    .missing(config.missing.unwrap_or_default());
                split_csv(read_csv(path, &options)?, config, rng)?
            }
            DatasetName::Mnist => (mnist(config, show_progress, rng)?, MissingCount::default()),
        };
        let Splits { train, validation, test, schema } = splits;
        let train = training_subset(train, config.train_samples)?;
        let task = match (train.class_names(), config.dataset) {
            (Some(classes), _) => Task::Classification { classes: classes.to_vec() },
            (None, DatasetName::Xor) => Task::Classification { classes: vec!["0".into(), "1".into()] },
            (None, _) => Task::Regression,
        };
        if show_progress {
            report_missing(missing);
        }
        Ok(RawData { train, validation, test, schema, task })
    }
}

/// The sets of a run as read or generated and split, before any subset or preprocessing.
struct Splits<S> {
    train: Dataset<S>,
    validation: Option<Dataset<S>>,
    test: Option<Pending<Dataset<S>>>,
    schema: Option<CsvSchema>,
}

/// The validation and test fractions of `[data]` (none where they do not apply).
fn fractions(config: &DataConfig) -> SplitFractions {
    SplitFractions { validation: config.validation.unwrap_or(0.0), test: config.test.unwrap_or(0.0) }
}

/// The sine's training and validation samples, drawn from `rng`, and the grid it is tested on.
fn sine<S: Scalar>(config: &DataConfig, rng: &mut Rng) -> Splits<S> {
    let (samples, validation_samples, grid_points) = config.sine_sizes();
    let train = datasets::sine(samples, rng);
    let validation = (validation_samples > 0).then(|| datasets::sine(validation_samples, rng));
    let test = Some(Pending::Held(datasets::sine_grid(grid_points)));
    Splits { train, validation, test, schema: None }
}

/// The four points of XOR, trained, validated and tested on.
fn xor<S: Scalar>() -> Splits<S> {
    Splits {
        train: datasets::xor(),
        validation: Some(datasets::xor()),
        test: Some(Pending::Held(datasets::xor())),
        schema: None,
    }
}

/// A CSV file's samples split by `[data]`'s fractions (drawing from `rng`), the sets given in
/// their own files read with its schema, and the missing values met in all of them.
fn split_csv<S: Scalar>(
    csv: CsvData<S>,
    config: &DataConfig,
    rng: &mut Rng,
) -> Result<(Splits<S>, MissingCount), Error> {
    single_class_check(&csv).map_err(|error| error.within("data"))?;
    let stratify = config.stratify.unwrap_or(false) && csv.schema.is_classification();
    let parts = split_owned(csv.dataset, fractions(config), stratify, rng).map_err(|error| error.within("data"))?;
    let policy = config.missing.unwrap_or_default();
    let (test_file, test_missing) = read_with_schema(&csv.schema, config.test_path.as_deref(), policy)?;
    let (validation_file, validation_missing) =
        read_with_schema(&csv.schema, config.validation_path.as_deref(), policy)?;
    let splits = Splits {
        train: parts.train,
        validation: validation_file.or(parts.validation),
        test: test_file.or(parts.test).map(Pending::Held),
        schema: Some(csv.schema),
    };
    Ok((splits, csv.missing + test_missing + validation_missing))
}

/// MNIST's training images split for validation (drawing from `rng`); its test images are
/// checked now and read after training, so that a run never fails at its end for want of them.
fn mnist<S: Scalar>(config: &DataConfig, show_progress: bool, rng: &mut Rng) -> Result<Splits<S>, Error> {
    let source = data_source(show_progress)?;
    let train = datasets::mnist_part(&source, MnistPart::Train)?;
    datasets::check_mnist_part(&source, MnistPart::Test)?;
    let fractions = fractions(config);
    // Moved, not copied: MNIST's pixels are held once.
    let stratify = config.stratify.unwrap_or(false) || fractions.validation > 0.0;
    let parts = split_owned(train, fractions, stratify, rng).map_err(|error| error.within("data"))?;
    Ok(Splits {
        train: parts.train,
        validation: parts.validation,
        test: Some(Pending::MnistTest(source)),
        schema: None,
    })
}

/// The first `count` samples of the training split (it comes out shuffled: a random subset),
/// or all of them.
fn training_subset<S: Scalar>(train: Dataset<S>, count: Option<usize>) -> Result<Dataset<S>, Error> {
    match count {
        Some(count) if count > train.len() => {
            let reason = format!("{count} is more than the {} samples of the training split", train.len());
            Err(Error::invalid("data.train_samples", reason))
        }
        Some(count) => train.subset(&(0..count).collect::<Vec<_>>()),
        None => Ok(train),
    }
}

/// A test or validation set in its own file, if `path` names one, encoded with the training
/// file's schema; it must hold the target column.
fn read_with_schema<S: Scalar>(
    schema: &CsvSchema,
    path: Option<&std::path::Path>,
    missing: MissingValues,
) -> Result<(Option<Dataset<S>>, MissingCount), Error> {
    let Some(path) = path else { return Ok((None, MissingCount::default())) };
    let rows = schema.encode_file_with::<S>(path, missing)?;
    let targets = rows.targets.ok_or_else(|| {
        Error::data(path, format!("no target column `{}`: a test or validation file needs it", schema.target.name))
    })?;
    let mut dataset = Dataset::new(rows.inputs, targets)?.with_feature_names(schema.input_names())?;
    if let Some(classes) = schema.classes() {
        dataset = dataset.with_class_names(classes.iter().cloned())?;
    }
    Ok((Some(dataset), rows.missing))
}

/// One line on stderr when missing values were dropped or are to be filled in.
fn report_missing(missing: MissingCount) {
    if missing.dropped_rows > 0 {
        eprintln!("missing values: {} rows with a missing value left out", missing.dropped_rows);
    }
    if missing.missing_values > 0 {
        eprintln!(
            "missing values: {} filled in (the training split's mean, or most frequent category, of each column)",
            missing.missing_values
        );
    }
}

impl<S: Scalar> Data<S> {
    /// Generates or reads the experiment's data, splits it (drawing from `rng`), fits the
    /// preprocessing on the training split and applies it everywhere.
    pub fn load(experiment: &Experiment, rng: &mut Rng, show_progress: bool) -> Result<Self, Error> {
        let config = &experiment.data;
        let RawData { train, validation, test, schema, task } = RawData::load(experiment, rng, show_progress)?;
        let test = match (test, &validation) {
            (Some(Pending::Held(test)), _) => {
                let name = match (config.dataset, &config.test_path) {
                    (DatasetName::Sine, _) => format!("grid of {} points over [0, 2π]", test.len()),
                    (DatasetName::Xor, _) => "the four points".to_owned(),
                    (_, Some(path)) => format!("test file {} ({} samples)", path.display(), test.len()),
                    _ => format!("test split ({} samples)", test.len()),
                };
                Pending::Held((test, name))
            }
            (Some(Pending::MnistTest(source)), _) => Pending::MnistTest(source),
            (None, Some(validation)) => {
                Pending::Held((validation.clone(), format!("validation split ({} samples)", validation.len())))
            }
            (None, None) => {
                Pending::Held((train.clone(), format!("training set ({} samples): no test split", train.len())))
            }
        };

        let target_scaling = if task == Task::Regression { config.scale_target.and_then(Scaling::kind) } else { None };
        let input_scaling = config.scale_inputs.and_then(Scaling::kind);
        let mut preprocessing = match (&schema, config.missing) {
            (Some(schema), Some(MissingValues::Impute)) => {
                Preprocessing::fit_with_imputer(&train, schema, input_scaling, target_scaling)
                    .map_err(|error| error.within("data"))?
            }
            _ => Preprocessing::fit(&train, input_scaling, target_scaling)?,
        };
        // Every model gets a schema, so that `neurone predict` and `eval` read any CSV the same way.
        preprocessing.schema =
            Some(schema.unwrap_or_else(|| generated_schema(config.dataset, &task, train.inputs().cols())));
        if let Task::Classification { classes } = &task {
            preprocessing.class_names = Some(classes.clone());
        }
        let test = match test {
            Pending::Held((samples, name)) => Pending::Held(TestSet::new(samples, name, &preprocessing)?),
            Pending::MnistTest(source) => Pending::MnistTest(source),
        };
        Ok(Data {
            train: preprocessing.apply(train)?,
            validation: validation.map(|data| preprocessing.apply(data)).transpose()?,
            test,
            preprocessing,
            task,
        })
    }

    /// The test samples: those held, or (MNIST's) read from their file now, once training no
    /// longer needs the memory.
    pub fn test_set(&self) -> Result<Cow<'_, TestSet<S>>, Error> {
        match &self.test {
            Pending::Held(test) => Ok(Cow::Borrowed(test)),
            Pending::MnistTest(source) => {
                let samples = datasets::mnist_part(source, MnistPart::Test)?;
                let name = format!("MNIST test set ({} images)", samples.len());
                Ok(Cow::Owned(TestSet::new(samples, name, &self.preprocessing)?))
            }
        }
    }
}

impl<S: Scalar> TestSet<S> {
    /// The samples `raw` named `name`, scaled by `preprocessing`.
    fn new(raw: Dataset<S>, name: String, preprocessing: &Preprocessing) -> Result<Self, Error> {
        let unscaled = preprocessing.scales().then(|| raw.clone());
        Ok(TestSet { samples: preprocessing.apply(raw)?, unscaled, name })
    }
}

/// A classification target needs two classes at least: with one, there is nothing to learn and
/// a single output unit would stand for two classes that are not there.
fn single_class_check<S>(csv: &neurone::data::CsvData<S>) -> Result<(), Error> {
    match csv.schema.classes() {
        Some([only]) => Err(Error::invalid(
            "target",
            format!(
                "every row of `{}` has the same class `{only}`: classification needs at least two classes",
                csv.schema.target.name
            ),
        )),
        _ => Ok(()),
    }
}

/// The columns of a CSV file for a dataset that does not come from one: `x` and `y` for the sine,
/// `x1`, `x2` and `xor` for XOR, `pixel0`…`pixel783` and `label` for MNIST.
fn generated_schema(dataset: DatasetName, task: &Task, inputs: usize) -> CsvSchema {
    let numeric = |name: &str| Column { name: name.to_owned(), kind: ColumnKind::Numeric };
    let (features, target): (Vec<Column>, Column) = match dataset {
        DatasetName::Sine => (vec![numeric("x")], numeric("y")),
        DatasetName::Xor => (vec![numeric("x1"), numeric("x2")], numeric("xor")),
        _ => {
            let features = (0..inputs).map(|i| numeric(&format!("pixel{i}"))).collect();
            let target = match task {
                Task::Classification { classes } => {
                    Column { name: "label".into(), kind: ColumnKind::Categorical { categories: classes.clone() } }
                }
                Task::Regression => numeric("target"),
            };
            (features, target)
        }
    };
    CsvSchema { features, target }
}

/// The data folder (`NEURONE_DATA`, else the per-user cache), downloading what is missing with
/// progress on stderr.
fn data_source(show_progress: bool) -> Result<DataSource, Error> {
    let source = DataSource::from_env()?;
    if !show_progress {
        return Ok(source);
    }
    Ok(source.on_progress(|event| match event {
        DownloadEvent::Started { url, path } => eprintln!("downloading {url} to {}", path.display()),
        DownloadEvent::Progress { received, total: Some(total), .. } => {
            eprint!("\r  {:.1} / {:.1} MB", *received as f64 / 1e6, *total as f64 / 1e6);
        }
        DownloadEvent::Progress { received, total: None, .. } => eprint!("\r  {:.1} MB", *received as f64 / 1e6),
        DownloadEvent::Finished { .. } => eprintln!("\n  verified and stored"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iris(extra: &str) -> Result<Data<f32>, Error> {
        // Unscaled, so that rows can be compared: the scaler is fitted on the subset.
        let text = format!("name = \"t\"\n[data]\ndataset = \"iris\"\ntest = 0.2\nscale_inputs = \"none\"\n{extra}");
        let experiment = Experiment::parse(&text).unwrap();
        Data::load(&experiment, &mut neurone::seeded_rng(3), false)
    }

    #[test]
    fn train_samples_keeps_a_random_subset_of_the_training_split_only() {
        let all = iris("").unwrap();
        let few = iris("train_samples = 20").unwrap();
        assert_eq!((all.train.len(), few.train.len()), (120, 20));
        assert_eq!(few.test_set().unwrap().samples.len(), 30, "the test set is left as it is");
        // The subset is drawn from the same split: its rows are among the full training set's.
        let rows: Vec<&[f32]> = all.train.inputs().iter_rows().collect();
        assert!(few.train.inputs().iter_rows().all(|row| rows.contains(&row)));
        let error = iris("train_samples = 121").err().unwrap().to_string();
        assert!(error.contains("121 is more than the 120 samples of the training split"), "{error}");
    }
}
