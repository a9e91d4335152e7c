//! Training progress on stderr: a bar when stderr is a terminal, a line every few epochs when it
//! is not (logs, CI), nothing with `--quiet`.

use std::fmt::Write as _;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use neurone::EpochRecord;

/// Where progress goes.
pub enum Progress {
    /// A bar with epoch, ETA and the latest losses.
    Bar(ProgressBar),
    /// A line on the first epoch, every `every` epochs and on the last.
    Lines { every: usize, epochs: usize },
    /// Nothing.
    Quiet,
}

impl Progress {
    /// The right kind for this run.
    pub fn new(quiet: bool, epochs: usize, every: usize) -> Self {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            let style = ProgressStyle::with_template("{bar:30.cyan/blue} epoch {pos}/{len}  ETA {eta}  {msg}")
                .expect("a valid template")
                .progress_chars("█▉▊▋▌▍▎▏ ");
            Progress::Bar(ProgressBar::new(epochs as u64).with_style(style))
        } else {
            Progress::Lines { every, epochs }
        }
    }

    /// Reports a finished epoch.
    pub fn epoch(&self, record: &EpochRecord) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(record.epoch as u64);
                bar.set_message(losses(record));
            }
            Progress::Lines { every, epochs } => {
                if record.epoch.is_multiple_of(*every) || record.epoch == 1 || record.epoch == *epochs {
                    eprintln!("epoch {:>6}/{epochs}  {}  {:.2}s", record.epoch, losses(record), record.elapsed_seconds);
                }
            }
            Progress::Quiet => {}
        }
    }

    /// Prints a line of log (above the bar, if there is one).
    pub fn log(&self, line: &str) {
        match self {
            Progress::Bar(bar) => bar.println(line),
            Progress::Lines { .. } => eprintln!("{line}"),
            Progress::Quiet => {}
        }
    }

    /// Leaves the finished bar on screen.
    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish();
        }
    }
}

/// `train_loss 1.2345e-3  val_loss 1.3e-3  val_r2 0.9912`
fn losses(record: &EpochRecord) -> String {
    let mut text = format!("train_loss {:.4e}", record.train_loss);
    if let Some(loss) = record.validation_loss {
        let _ = write!(text, "  val_loss {loss:.4e}");
    }
    for (metric, value) in &record.validation_metrics {
        let _ = write!(text, "  val_{metric} {value:.4}");
    }
    text
}
