//! The flags of every command that runs an experiment (`train`, `cv`, `search`), declared once.
//! Each command words the help of the flags whose effect is its own (what the seed draws, which
//! files `--no-plots` leaves out, the default folder) with `#[command(mut_arg(…))]`.

use std::path::{Path, PathBuf};

use crate::config::Experiment;
use crate::error::CliError;
use crate::run_folder::RunFolder;

/// `--seed`, `--set`, `--out`, `--overwrite`, `--no-plots`, `--quiet`.
#[derive(clap::Args)]
pub struct RunFlags {
    /// Overrides the experiment's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Overrides a value of the experiment file, e.g. `--set train.epochs=50` or
    /// `--set model.layers=[64,32]` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Output folder.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Lets --out name a folder that already holds files (another run's), and write over them.
    #[arg(long, requires = "out")]
    pub overwrite: bool,
    /// Writes no plots (PNG and SVG).
    #[arg(long)]
    pub no_plots: bool,
    /// Prints only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

impl RunFlags {
    /// The experiment in `config` with the `--set` overrides and the `--seed` applied.
    pub fn experiment(&self, config: &Path) -> Result<Experiment, CliError> {
        let mut experiment = Experiment::load(config, &self.overrides).map_err(CliError::Usage)?;
        if let Some(seed) = self.seed {
            experiment.seed = seed;
        }
        Ok(experiment)
    }

    /// The `--out` folder, or else a new numbered `runs/NAME` (see [`RunFolder`]), locked.
    pub fn folder(&self, name: &str) -> Result<RunFolder, CliError> {
        match &self.out {
            Some(out) => RunFolder::named(out, self.overwrite),
            None => RunFolder::numbered(name),
        }
    }
}
