//! `neurone train`: run an experiment and write its outputs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use neurone::Checkpoint;
use neurone::io::run_files::{self, CHECKPOINT as CHECKPOINT_FILE};
use neurone::io::write_atomic;

use crate::config::Experiment;
use crate::error::CliError;
use crate::output::{self, TestMetrics};
use crate::progress::Progress;
use crate::run_flags::RunFlags;
use crate::run_folder::RunFolder;
use crate::setup::Prepared;

/// Arguments of `neurone train`.
#[derive(clap::Args)]
#[command(
    mut_arg("seed", |arg| arg.help("Overrides the experiment's seed (which draws the data, the split, the weights, \
        the shuffles and dropout)").conflicts_with("resume")),
    mut_arg("out", |arg| arg.help("Output folder [default: runs/NAME, NAME being the experiment's name, or \
        runs/NAME-2, runs/NAME-3, … when it exists; with --resume, the folder resumed]. A folder that holds files \
        is refused unless --overwrite is given")),
    mut_arg("no_plots", |arg| arg.help("Writes no plots (PNG and SVG), only the CSV and JSON files"))
)]
pub struct TrainArgs {
    /// The experiment file (see docs/config.md).
    #[arg(required_unless_present = "resume")]
    config: Option<PathBuf>,
    /// Saves a checkpoint (OUT/checkpoint.safetensors, replaced each time) every N epochs, the
    /// same as `--set train.checkpoint_every=N`.
    #[arg(long, value_name = "N")]
    checkpoint_every: Option<usize>,
    /// Continues the run in DIR from its last checkpoint, with the configuration it saved
    /// (DIR/config.toml, changed by any --set, e.g. `--set train.epochs=100` to train longer).
    #[arg(long, value_name = "DIR", conflicts_with = "config")]
    resume: Option<PathBuf>,
    #[command(flatten)]
    run: RunFlags,
}

pub fn run(args: &TrainArgs) -> Result<(), CliError> {
    let (config, checkpoint) = match (&args.config, &args.resume) {
        (Some(config), None) => (config.clone(), None),
        (None, Some(folder)) => {
            let path = folder.join(CHECKPOINT_FILE);
            if !path.exists() {
                let reason = "no checkpoint to resume from (a run saves one with --checkpoint-every N)";
                return Err(CliError::Usage(format!("{}: {reason}", path.display())));
            }
            let checkpoint = Checkpoint::load(&path)?;
            (folder.join(run_files::CONFIG), Some(checkpoint))
        }
        _ => return Err(CliError::Usage("give an experiment file or --resume DIR, not both".into())),
    };
    let mut experiment = args.run.experiment(&config)?;
    if let Some(every) = args.checkpoint_every {
        experiment.train.checkpoint_every = Some(every);
        experiment.train.validate().map_err(|error| CliError::Usage(format!("--checkpoint-every: {error}")))?;
    }
    // Take the folder first, so that a bad or busy path fails now rather than after training;
    // if the run then fails, a folder it made is removed again, unless it holds a checkpoint.
    let folder = match (&args.run.out, &args.resume) {
        (Some(out), _) => RunFolder::named(out, args.run.overwrite || args.resume.as_ref() == Some(out))?,
        (None, Some(resumed)) => RunFolder::named(resumed, true)?,
        (None, None) => RunFolder::numbered(&experiment.name)?,
    };
    let result = train_and_write(&config, experiment, checkpoint, folder.path(), args.run.quiet, !args.run.no_plots);
    if matches!(result, Err(CliError::Usage(_) | CliError::Failure(_))) {
        let resumable = folder.path().join(CHECKPOINT_FILE).exists();
        folder.discard(resumable);
    }
    result
}

/// Trains `experiment` (read from `config`), from `checkpoint` if given, and writes its outputs
/// into `out`: progress and the test metrics unless `quiet`, the plots if `plots`.
pub fn train_and_write(
    config: &Path,
    experiment: Experiment,
    checkpoint: Option<Checkpoint<f32>>,
    out: &Path,
    quiet: bool,
    plots: bool,
) -> Result<(), CliError> {
    let at_config = |error: neurone::Error| CliError::from(error).in_file(config);
    // The same seed and configuration give the same data split and scaling as the run that
    // took the checkpoint; the checkpoint then brings its network and generators.
    let Prepared { experiment, mut data, mut network, mut rng, .. } = Prepared::new(experiment, !quiet)?;
    let experiment = &experiment;
    if let Some(checkpoint) = &checkpoint
        && checkpoint.network.summary() != network.summary()
    {
        return Err(CliError::Usage(format!(
            "{}: the checkpoint's network is not the one the configuration describes (was `model` changed?)",
            out.join(CHECKPOINT_FILE).display()
        )));
    }
    let mut trainer = experiment.train.trainer().map_err(|error| experiment.usage_error(error.within("train")))?;
    // Held only while training: freed, with the optimizer's state, before the outputs are made.
    let validation = data.validation.take();
    trainer.validate(&network, &data.train, validation.as_ref()).map_err(at_config)?;
    // Said once every check has passed, so that a refused run names no folder.
    if !quiet {
        eprintln!("writing to {}", out.display());
    }
    let checkpoint_path = out.join(CHECKPOINT_FILE);
    let fresh = output::LiveHistory::is_fresh(out);
    if let Some(every) = experiment.train.checkpoint_every {
        // The configuration goes first, so that `--resume` finds it beside the checkpoint.
        write_atomic(&out.join(run_files::CONFIG), experiment.to_toml().as_bytes())?;
        let path = checkpoint_path.clone();
        trainer = trainer.checkpoint_every(every, move |checkpoint| checkpoint.save(&path));
    }

    // Logs and progress go to stderr, results to stdout.
    let progress = Progress::new(quiet, experiment.train.epochs, experiment.train.log_every);
    progress.log(&format!("{}\n", network.summary()));
    let started = Instant::now();
    let resumed = checkpoint.as_ref().map_or(&[][..], |checkpoint| &checkpoint.history.epochs[..]);
    let keep_config = experiment.train.checkpoint_every.is_some();
    let mut live = output::LiveHistory::start(out, fresh, experiment, keep_config, resumed)?;
    let mut trainer = trainer.stop_when(stop_on_ctrl_c("stopping after the current batch")).on_epoch(|record| {
        progress.epoch(record);
        live.epoch(record);
    });
    // A resumed run goes on to the configuration's number of epochs.
    let more = experiment.train.epochs.saturating_sub(checkpoint.as_ref().map_or(0, |checkpoint| checkpoint.epoch));
    let history = trainer
        .continue_for(&mut network, checkpoint, more, &data.train, validation.as_ref(), &mut rng)
        .map(|end| end.history);
    drop((trainer, validation));
    progress.finish();
    let history = history?;
    let seconds = started.elapsed().as_secs_f64();
    if history.stopped_early {
        let best = history.best_epoch.unwrap_or_default();
        progress.log(&format!("early stopping after epoch {}; best epoch {best}", history.epochs.len()));
    }
    if let Some(epoch) = history.diverged_at {
        let best = history.best_epoch.unwrap_or_default();
        progress.log(&format!("training diverged at epoch {epoch}; kept the weights of the best epoch, {best}"));
    }

    let test = data.test_set()?;
    let outputs = network.predict(test.samples.inputs())?;
    let metrics = TestMetrics::measure(&data, &test, &outputs)?;
    let run = output::Run {
        experiment,
        history: &history,
        data: &data,
        test: &test,
        outputs: &outputs,
        metrics: &metrics,
        seconds,
        network: &network,
        plots,
    };
    run.write(out)?;
    live.finish();
    if !quiet {
        let epochs = history.epochs.len();
        print_line!("{}: {}  ({epochs} epochs, {seconds:.2}s) → {}", test.name, metrics.summary(), out.display());
    }
    if history.interrupted {
        let epochs = history.epochs.len();
        let resume = if checkpoint_path.exists() {
            format!("; `neurone train --resume {}` continues from the last checkpoint", out.display())
        } else {
            String::new()
        };
        return Err(CliError::Interrupted(format!(
            "interrupted in epoch {}; results so far written to {}{resume}",
            epochs.max(1),
            out.display()
        )));
    }
    Ok(())
}

/// A flag that the first Ctrl-C sets, so that the work stops at the next clean point (`stopping`
/// says which) and the results so far are written; a second Ctrl-C ends the process at once.
pub fn stop_on_ctrl_c(stopping: &'static str) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let installed = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\n{stopping} (Ctrl-C again to abort)");
    });
    // Without a handler (one is already installed), Ctrl-C keeps its default effect.
    drop(installed);
    stop
}
