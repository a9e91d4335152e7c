//! `neurone search`: hyperparameter search, each candidate scored by k-fold cross-validation
//! on the training data; the best is refitted on the whole training split and tested once.

mod candidates;

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use neurone::Metric;
use neurone::io::write_atomic;
use neurone::model_selection::{DEFAULT_FOLDS, KFold};

use crate::config::Experiment;
use crate::cross_validation::Plan;
use crate::cv::format_score;
use crate::error::CliError;
use candidates::Candidate;

/// Arguments of `neurone search`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("candidates").required(true).args(["grid", "random"])))]
pub struct SearchArgs {
    /// The experiment file (see docs/config.md).
    config: PathBuf,
    /// Tries every value of KEY, any key `--set` accepts, e.g. `--grid train.l2=[0,1e-4]`;
    /// repeated, every combination.
    #[arg(long, value_name = "KEY=[V1,V2,…]", conflicts_with = "random")]
    grid: Vec<String>,
    /// Tries N candidates drawn from the `--space` distributions (from the seed).
    #[arg(long, value_name = "N", requires = "space")]
    random: Option<usize>,
    /// Where `--random` draws KEY from: `log_uniform(a,b)`, `uniform(a,b)` or `choice([v1,v2])`
    /// (repeatable).
    #[arg(long, value_name = "KEY=DISTRIBUTION", requires = "random")]
    space: Vec<String>,
    /// The number of folds each candidate is scored on.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_FOLDS)]
    folds: usize,
    /// Repeats each candidate's k-fold with new shuffles (repeated k-fold).
    #[arg(long, value_name = "R", default_value_t = KFold::default().repeats)]
    repeats: usize,
    /// Candidates trained at once, each on one thread [default: the number of cores]. The
    /// results are the same, bit for bit, whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Output folder [default: runs/NAME-search, NAME being the experiment's name].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overrides the experiment's seed (which draws the test split, the folds, the weights and
    /// the random candidates).
    #[arg(long)]
    seed: Option<u64>,
    /// Overrides a value of the experiment file for every candidate (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// Writes no plots for the refitted best candidate.
    #[arg(long)]
    no_plots: bool,
    /// Prints only errors.
    #[arg(long, short)]
    quiet: bool,
}

/// A candidate's cross-validated score.
struct Scored {
    /// Its experiment, its task's defaults resolved.
    experiment: Experiment,
    mean: f64,
    std: f64,
    /// Training time of its folds, in seconds.
    seconds: f64,
    /// Why it has no score (training diverged), if it has none.
    failure: Option<String>,
}

pub fn run(args: &SearchArgs) -> Result<(), CliError> {
    let mut base = Experiment::load(&args.config, &args.overrides).map_err(CliError::Usage)?;
    let seed = args.seed.unwrap_or(base.seed);
    base.seed = seed;
    let (option, candidates) = match args.random {
        Some(0) => return Err(CliError::Usage("--random 0: draw at least one candidate".into())),
        Some(count) => ("--space", candidates::random(count, &args.space, seed)),
        None => ("--grid", candidates::grid(&args.grid)),
    };
    let candidates = candidates.map_err(CliError::Usage)?;
    // Every candidate is read first, so that a bad value stops the search before any training.
    let experiments = candidates
        .iter()
        .map(|candidate| {
            let overrides = [args.overrides.clone(), candidate.clone()].concat();
            let mut experiment = Experiment::load(&args.config, &overrides)
                .map_err(|message| CliError::Usage(as_given(message, candidate, option)))?;
            experiment.seed = seed;
            Ok(experiment)
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    let folds = KFold { folds: args.folds, repeats: args.repeats, seed };
    // The base experiment's data is loaded once here (downloaded if missing, before the jobs
    // start), and names the score: the first validation metric.
    let base = Plan::new(base, folds, !args.quiet)?;
    let metric = base.cross_validation.training.metrics.as_ref().and_then(|metrics| metrics.first().copied());
    let metric = metric.unwrap_or(Metric::R2);
    let out =
        args.out.clone().unwrap_or_else(|| crate::default_output_folder(&format!("{}-search", base.experiment.name)));
    std::fs::create_dir_all(&out).map_err(|error| CliError::Usage(format!("{}: {error}", out.display())))?;

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = args.jobs.map_or(cores, usize::from).clamp(1, experiments.len());
    let threads = neurone::threads();
    if jobs > 1 {
        neurone::set_threads(1);
    }
    let started = Instant::now();
    let scored = score_all(&experiments, folds, metric, jobs, args.quiet);
    neurone::set_threads(threads);
    let scored = scored?;
    let seconds = started.elapsed().as_secs_f64();

    let table = Table { candidates: &candidates, scored: &scored, metric, folds: folds.folds * folds.repeats };
    let best = table.ranking()[0];
    write_atomic(&out.join("search.csv"), table.csv().as_bytes())?;
    let header = format!(
        "# The best of {} candidates by mean validation {metric} over {} folds: {}\n",
        candidates.len(),
        table.folds,
        candidates[best].join(" ")
    );
    write_atomic(&out.join("best.toml"), (header + &scored[best].experiment.to_toml()).as_bytes())?;
    if !args.quiet {
        print!("{}", table.text());
        println!(
            "{} candidates × {} folds in {seconds:.1}s with {jobs} jobs → {}",
            candidates.len(),
            table.folds,
            out.display()
        );
        println!(
            "best: {} ({metric} {} ± {})",
            candidates[best].join(" "),
            format_score(scored[best].mean),
            format_score(scored[best].std)
        );
        println!("refitting the best on the whole training split; the test split is used once:");
    }
    let refit = out.join("best");
    std::fs::create_dir_all(&refit).map_err(|error| CliError::Failure(format!("{}: {error}", refit.display())))?;
    let experiment = scored[best].experiment.clone();
    crate::train::train_and_write(&args.config, experiment, None, &refit, args.quiet, !args.no_plots)
}

/// The message of a candidate's bad value names the option that gave it (`--grid KEY=VALUE`),
/// where reading the experiment says `--set`.
fn as_given(message: String, candidate: &Candidate, option: &str) -> String {
    candidate
        .iter()
        .fold(message, |message, setting| message.replace(&format!("--set {setting}"), &format!("{option} {setting}")))
}

/// Scores every experiment on `jobs` threads, each candidate taken by the next free job; the
/// results are in candidate order whatever the order they finish in. A usage error stops the
/// search (the first candidate's in order, so that the message does not depend on `jobs`).
fn score_all(
    experiments: &[Experiment],
    folds: KFold,
    metric: Metric,
    jobs: usize,
    quiet: bool,
) -> Result<Vec<Scored>, CliError> {
    let progress = Reporter::new(quiet, experiments.len());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Vec<Mutex<Option<Result<Scored, CliError>>>> = experiments.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(experiment) = experiments.get(index) else { break };
                    let result = score(experiment, folds, metric);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    progress.finished(index, &result, metric);
                    *results[index].lock().expect("no job panics holding it") = Some(result);
                }
            });
        }
    });
    progress.finish();
    let mut scored = Vec::with_capacity(experiments.len());
    for result in results {
        match result.into_inner().expect("no job panics holding it") {
            Some(result) => scored.push(result?),
            None => break,
        }
    }
    Ok(scored)
}

/// One candidate's cross-validation. Divergence is a result (the candidate has no score), not
/// the end of the search.
fn score(experiment: &Experiment, folds: KFold, metric: Metric) -> Result<Scored, CliError> {
    let started = Instant::now();
    let plan = Plan::new(experiment.clone(), folds, false)?;
    match plan.run() {
        Ok(result) => Ok(Scored {
            mean: result.mean(metric).unwrap_or(f64::NAN),
            std: result.std(metric).unwrap_or(f64::NAN),
            seconds: result.seconds(),
            failure: None,
            experiment: plan.experiment,
        }),
        Err(CliError::Failure(message)) => Ok(Scored {
            mean: f64::NAN,
            std: f64::NAN,
            seconds: started.elapsed().as_secs_f64(),
            failure: Some(message),
            experiment: plan.experiment,
        }),
        Err(other) => Err(other),
    }
}

/// Progress on stderr: a bar with ETA on a terminal, a line per candidate otherwise.
enum Reporter {
    Bar(ProgressBar),
    Lines(usize),
    Quiet,
}

impl Reporter {
    fn new(quiet: bool, candidates: usize) -> Self {
        if quiet {
            Reporter::Quiet
        } else if std::io::stderr().is_terminal() {
            let style = ProgressStyle::with_template("{bar:30.cyan/blue} candidate {pos}/{len}  ETA {eta}")
                .expect("a valid template")
                .progress_chars("█▉▊▋▌▍▎▏ ");
            Reporter::Bar(ProgressBar::new(candidates as u64).with_style(style))
        } else {
            Reporter::Lines(candidates)
        }
    }

    fn finished(&self, index: usize, result: &Result<Scored, CliError>, metric: Metric) {
        match (self, result) {
            (Reporter::Bar(bar), _) => bar.inc(1),
            (Reporter::Lines(count), Ok(scored)) => {
                eprintln!(
                    "candidate {}/{count}: {metric} {} ± {}",
                    index + 1,
                    format_score(scored.mean),
                    format_score(scored.std)
                );
            }
            _ => {}
        }
    }

    fn finish(&self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// The candidates and their scores, in candidate order.
struct Table<'a> {
    candidates: &'a [Candidate],
    scored: &'a [Scored],
    metric: Metric,
    /// Folds per candidate (all repeats).
    folds: usize,
}

impl Table<'_> {
    /// Candidate indices from best to worst: by mean score (descending for R² and accuracy,
    /// ascending for errors), those without a score last, ties in candidate order.
    fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.scored.len()).collect();
        let key = |index: usize| {
            let mean = self.scored[index].mean;
            let signed = if self.metric.higher_is_better() { -mean } else { mean };
            (mean.is_nan(), if mean.is_nan() { 0.0 } else { signed })
        };
        order.sort_by(|&a, &b| {
            let ((nan_a, a_value), (nan_b, b_value)) = (key(a), key(b));
            nan_a.cmp(&nan_b).then(a_value.total_cmp(&b_value)).then(a.cmp(&b))
        });
        order
    }

    fn ranks(&self) -> Vec<usize> {
        let mut ranks = vec![0; self.scored.len()];
        for (rank, index) in self.ranking().into_iter().enumerate() {
            ranks[index] = rank + 1;
        }
        ranks
    }

    fn keys(&self) -> Vec<&str> {
        self.candidates
            .first()
            .map(|candidate| candidate.iter().map(|setting| key_of(setting)).collect())
            .unwrap_or_default()
    }

    /// `candidate,KEY…,mean_METRIC,std_METRIC,rank,note,fit_seconds`: fit time last, the only
    /// column that changes from run to run.
    fn csv(&self) -> String {
        let metric = self.metric;
        let mut text = String::from("candidate");
        self.keys().iter().for_each(|key| write!(text, ",{}", csv_field(key)).expect("a String"));
        writeln!(text, ",mean_{metric},std_{metric},rank,note,fit_seconds").expect("a String");
        for ((index, candidate), rank) in self.candidates.iter().enumerate().zip(self.ranks()) {
            let scored = &self.scored[index];
            write!(text, "{}", index + 1).expect("a String");
            candidate.iter().for_each(|setting| write!(text, ",{}", csv_field(value_of(setting))).expect("a String"));
            let note = scored.failure.as_deref().map(csv_field).unwrap_or_default();
            writeln!(text, ",{},{},{rank},{note},{:.3}", scored.mean, scored.std, scored.seconds).expect("a String");
        }
        text
    }

    /// The candidates as a table for the terminal, best first.
    fn text(&self) -> String {
        let mut text = format!("rank  {:>12}  {:>12}  seconds  settings\n", format!("mean {}", self.metric), "std");
        for (rank, index) in self.ranking().into_iter().enumerate() {
            let scored = &self.scored[index];
            let settings = self.candidates[index].join(" ");
            let note = scored.failure.as_ref().map(|_| "  (diverged)").unwrap_or_default();
            writeln!(
                text,
                "{:>4}  {:>12}  {:>12}  {:>7.2}  {settings}{note}",
                rank + 1,
                format_score(scored.mean),
                format_score(scored.std),
                scored.seconds
            )
            .expect("a String");
        }
        text
    }
}

fn key_of(setting: &str) -> &str {
    setting.split_once('=').map_or(setting, |(key, _)| key.trim())
}

fn value_of(setting: &str) -> &str {
    setting.split_once('=').map_or("", |(_, value)| value.trim())
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}
