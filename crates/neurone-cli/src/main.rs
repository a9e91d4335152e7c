//! `neurone`: train multi-layer perceptrons from TOML experiment files.

mod config;
mod output;
mod train;

use std::path::PathBuf;
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
}

#[derive(Subcommand)]
enum Command {
    /// Run the experiment described by a TOML file and write its results to a folder.
    #[command(after_help = "Examples:\n  neurone train examples/sine.toml\n  \
                            neurone train examples/sine.toml --seed 7 --out runs/sine-seed7\n  \
                            neurone train examples/sine.toml --set train.epochs=500 --set model.layers=[32,32]")]
    Train(train::TrainArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Where a run writes its results unless told otherwise: `runs/<experiment name>`.
fn default_output_folder(name: &str) -> PathBuf {
    PathBuf::from("runs").join(name)
}
