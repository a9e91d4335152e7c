//! `neurone`: train multi-layer perceptrons from TOML experiment files.

/// Prints a line of results on standard output, as `println!` does, except when the reader has
/// gone (`neurone datasets | head -1`): `println!` would panic, where a Unix tool ends quietly.
macro_rules! print_line {
    ($($arg:tt)*) => {
        $crate::print_line(format_args!($($arg)*))
    };
}

mod code_export;
mod config;
mod cross_validation;
mod cv;
mod datasets;
mod error;
mod inspect;
mod model_commands;
mod output;
mod plots;
mod progress;
mod run_flags;
mod run_folder;
mod search;
mod setup;
mod train;
mod ui;

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "neurone",
    version,
    about = "Multi-layer perceptrons from first principles: train, evaluate, predict."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Threads for large matrix products and long element-wise loops [default: the number of
    /// cores]. Results are the same, bit for bit, whatever the number.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the experiment described by a TOML file and write its results to a folder.
    #[command(after_help = "Examples:\n  neurone train examples/sine.toml\n  \
                            neurone train examples/sine.toml --seed 7 --out runs/sine-seed7\n  \
                            neurone train examples/sine.toml --set train.epochs=500 --set model.layers=[32,32]\n  \
                            neurone train examples/mnist.toml --checkpoint-every 1\n  \
                            neurone train --resume runs/mnist --set train.epochs=30")]
    Train(train::TrainArgs),
    /// Cross-validate an experiment: K models on folds of its training data, the test split untouched.
    #[command(after_help = "Examples:\n  neurone cv examples/insurance.toml\n  \
                            neurone cv examples/iris.toml --folds 10 --repeats 3 --set train.epochs=100")]
    Cv(cv::CvArgs),
    /// Search hyperparameters: every candidate scored by k-fold cross-validation, the best
    /// refitted on the whole training split and tested once.
    #[command(
        after_help = "Examples:\n  neurone search examples/insurance.toml --grid model.layers=[[16],[32,32]] --grid train.l2=[0,1e-4,1e-3]\n  \
                            neurone search examples/iris.toml --random 20 --space train.learning_rate=log_uniform(1e-3,1e-1) \\\n      \
                            --space model.activation=choice([relu,tanh])"
    )]
    Search(search::SearchArgs),
    /// Print the layer table and parameter count of an experiment's network.
    #[command(after_help = "Example:\n  neurone summary examples/sine.toml --set model.layers=[64,64]")]
    Summary(inspect::ConfigArgs),
    /// Check the experiment's backpropagation against finite differences (in f64).
    #[command(after_help = "Example:\n  neurone gradcheck examples/sine.toml --set model.activation=gelu")]
    Gradcheck(inspect::ConfigArgs),
    /// Predict with a trained model, one row per input row (CSV in, CSV out).
    #[command(
        after_help = "Examples:\n  neurone predict runs/iris/model.safetensors flowers.csv --out predicted.csv\n  \
                            cat rows.csv | neurone predict runs/insurance/model.safetensors -"
    )]
    Predict(model_commands::PredictArgs),
    /// Measure a trained model on a CSV file that holds the target column.
    #[command(after_help = "Example:\n  neurone eval runs/iris/model.safetensors --data iris.csv")]
    Eval(model_commands::EvalArgs),
    /// Export a trained model as ONNX, or as a C99 header or no_std Rust module (float32 or int8).
    #[command(after_help = "Examples:\n  neurone export runs/mnist/model.safetensors --onnx mnist.onnx\n  \
                            neurone export runs/iris/model.safetensors --c iris.h --rust iris.rs --int8")]
    Export(model_commands::ExportArgs),
    /// List the built-in datasets, where each is stored, and whether it is present.
    Datasets,
    /// Serve the playground and the runs page to a browser on this machine.
    #[command(after_help = "Examples:\n  neurone ui\n  neurone ui --runs runs --port 8080")]
    Ui(ui::UiArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    neurone::set_threads(cli.threads.map_or(cores, usize::from));
    let result = neurone::instruction_set().map_err(|error| error::CliError::Usage(error.to_string()));
    let result = result.and_then(|_| match cli.command {
        Command::Train(args) => train::run(&args),
        Command::Cv(args) => cv::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Summary(args) => inspect::summary(&args),
        Command::Gradcheck(args) => inspect::gradcheck(&args),
        Command::Predict(args) => model_commands::predict(&args),
        Command::Eval(args) => model_commands::eval(&args),
        Command::Export(args) => model_commands::export(&args),
        Command::Datasets => datasets::list(),
        Command::Ui(args) => ui::run(&args),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// What `print_line!` calls.
fn print_line(line: std::fmt::Arguments) {
    write_stdout(format!("{line}\n").as_bytes());
}

/// Writes results on standard output. A closed pipe ends the process at once with success, as the
/// default SIGPIPE action would (Rust ignores that signal); any other failure to write is reported.
fn write_stdout(bytes: &[u8]) {
    if let Err(error) = std::io::stdout().lock().write_all(bytes) {
        if error.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: standard output: {error}");
        std::process::exit(1);
    }
}
