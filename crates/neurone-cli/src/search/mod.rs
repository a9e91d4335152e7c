//! `neurone search`: hyperparameter search, each candidate scored by k-fold cross-validation
//! on the training data; the best is refitted on the whole training split and tested once.

mod candidates;

use clap::builder::TypedValueParser as _;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use neurone::Metric;
use neurone::io::write_atomic;
use neurone::model_selection::search::{
    HalvingResource, RECORD_FILE, Reached, Scored, SearchRecord, budgets, ranking, round_record_file, score_pending,
    successive_halving,
};
use neurone::model_selection::{DEFAULT_FOLDS, KFold};

use crate::config::Experiment;
use crate::cross_validation::Plan;
use crate::cv::format_score;
use crate::error::CliError;
use crate::run_flags::RunFlags;
use crate::run_folder::RunFolder;
use candidates::Candidate;

/// Arguments of `neurone search`.
#[derive(clap::Args)]
#[command(
    group(clap::ArgGroup::new("candidates").required(true).args(["grid", "random"])),
    mut_arg("seed", |arg| arg.help("Overrides the experiment's seed (which draws the test split, the folds, the \
        weights and the random candidates)")),
    mut_arg("overrides", |arg| arg.help("Overrides a value of the experiment file for every candidate (repeatable)")),
    mut_arg("out", |arg| arg.help("Output folder [default: runs/NAME-search, NAME being the experiment's name, or \
        runs/NAME-search-2, … when it exists]. A folder that holds files is refused unless --overwrite is given")),
    mut_arg("no_plots", |arg| arg.help("Writes no plots for the refitted best candidate (best/), only its CSV and \
        JSON files"))
)]
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
    /// Successive halving: every candidate on a ninth (say) of the epochs or training rows, the
    /// best third on three times as much, and so on up to the whole (as scikit-learn's
    /// HalvingGridSearchCV, factor 3). RESOURCE is `epochs` (train.epochs) or `rows`
    /// (data.train_samples, a random subset of the training rows).
    #[arg(long, value_name = "RESOURCE", value_parser = halving_resource())]
    halving: Option<HalvingResource>,
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
    /// Continues the interrupted search in DIR, keeping its finished candidates (give the
    /// same options again).
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    resume: Option<PathBuf>,
    #[command(flatten)]
    run: RunFlags,
}

pub fn run(args: &SearchArgs) -> Result<(), CliError> {
    let base = args.run.experiment(&args.config)?;
    let seed = base.seed;
    let (option, candidates) = match args.random {
        Some(0) => return Err(CliError::Usage("--random 0: draw at least one candidate".into())),
        Some(count) => ("--space", candidates::random(count, &args.space, seed)),
        None => ("--grid", candidates::grid(&args.grid)),
    };
    let candidates = candidates.map_err(CliError::Usage)?;
    // Every candidate is read first, so that a bad value stops the search before any training.
    let experiments = load_all(args, &candidates, option, seed)?;
    if let Some(resource) = args.halving {
        let key = key_of(&budget_setting(resource, 0)).to_owned();
        if candidates.iter().flatten().any(|setting| key_of(setting) == key) {
            let reason = format!("{key} is the budget that halving sets: it cannot be searched too");
            return Err(CliError::Usage(format!("--halving {}: {reason}", resource.name())));
        }
    }
    let folds = KFold { folds: args.folds, repeats: args.repeats, seed };
    // The base experiment's data is loaded once here (downloaded if missing, before the jobs
    // start), and names the score: the first validation metric.
    let base = Plan::new(base, folds, !args.run.quiet)?;
    let metric = base.cross_validation.training.metrics.as_ref().and_then(|metrics| metrics.first().copied());
    let metric = metric.unwrap_or(Metric::R2);
    // Locked while the candidates train.
    let folder = match &args.resume {
        Some(resumed) => RunFolder::named(resumed, true)?,
        None => args.run.folder(&format!("{}-search", base.experiment.name))?,
    };
    let out = folder.path().to_path_buf();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = args.jobs.map_or(cores, usize::from);
    let started = Instant::now();
    let interrupted = crate::train::stop_on_ctrl_c("stopping once the running candidates finish");
    // One round of candidates scored and recorded in `file`, or the message of an interruption.
    let round = |settings: &[Candidate], experiments: &[Experiment], file: &str| -> Result<Vec<Scored>, CliError> {
        let new_record = SearchRecord::new(out.join(file), (folds.folds, folds.repeats, seed), settings.to_vec());
        // A halving search interrupted between rounds has no record of the next one yet.
        let mut record = match &args.resume {
            Some(_) if new_record.path().exists() || args.halving.is_none() => SearchRecord::resume(new_record)?,
            _ => new_record,
        };
        let progress = Reporter::new(args.run.quiet, settings.len(), record.finished());
        let score = |index: usize| score(&experiments[index], folds, metric);
        let finished = |index: usize, scored: &Scored| progress.finished(index, scored, metric);
        let scored = score_pending(&mut record, jobs, &interrupted, score, finished);
        progress.finish();
        scored?;
        record.complete().ok_or_else(|| {
            CliError::Interrupted(format!(
                "interrupted: {} of {} candidates finished, kept in {}; the same command with --resume {} continues",
                record.finished(),
                settings.len(),
                record.path().display(),
                out.display()
            ))
        })
    };
    let (scored, rounds) = match args.halving {
        None => (round(&candidates, &experiments, RECORD_FILE)?, None),
        Some(resource) => {
            let maximum = match resource {
                HalvingResource::Epochs => base.experiment.train.epochs,
                HalvingResource::Rows => base.data.len(),
            };
            let budgets = budgets(candidates.len(), maximum, resource.minimum(folds.folds));
            let halved = successive_halving(candidates.len(), &budgets, metric, |number, budget, alive| {
                let settings: Vec<Candidate> = alive
                    .iter()
                    .map(|&index| [candidates[index].clone(), vec![budget_setting(resource, budget)]].concat())
                    .collect();
                round(&settings, &load_all(args, &settings, option, seed)?, &round_record_file(number + 1))
            })?;
            (halved.scores, Some((resource, halved.reached)))
        }
    };
    let seconds = started.elapsed().as_secs_f64();

    let table = Table { candidates: &candidates, scored: &scored, metric, folds: folds.folds * folds.repeats, rounds };
    let best = table.ranking()[0];
    write_atomic(&out.join("search.csv"), table.csv().as_bytes())?;
    let header = format!(
        "# The best of {} candidates by mean validation {metric} over {} folds: {}\n",
        candidates.len(),
        table.folds,
        candidates[best].join(" ")
    );
    // The best experiment with its task's defaults written out, as cross-validation resolved them.
    let best_experiment = Plan::new(experiments[best].clone(), folds, false)?.experiment;
    write_atomic(&out.join("best.toml"), (header + &best_experiment.to_toml()).as_bytes())?;
    if !args.run.quiet {
        print!("{}", table.text());
        let jobs = jobs.clamp(1, candidates.len());
        print_line!(
            "{} candidates × {} folds in {seconds:.1}s with {jobs} jobs → {}",
            candidates.len(),
            table.folds,
            out.display()
        );
        print_line!(
            "best: {} ({metric} {} ± {})",
            candidates[best].join(" "),
            format_score(number(scored[best].mean)),
            format_score(number(scored[best].std))
        );
        print_line!("refitting the best on the whole training split; the test split is used once:");
    }
    if interrupted.load(std::sync::atomic::Ordering::Relaxed) {
        let reason = "interrupted before the refit: every candidate is scored";
        return Err(CliError::Interrupted(format!(
            "{reason}; `neurone train {}` refits the best",
            out.join("best.toml").display()
        )));
    }
    let refit = out.join("best");
    std::fs::create_dir_all(&refit).map_err(|error| CliError::Failure(format!("{}: {error}", refit.display())))?;
    crate::train::train_and_write(&args.config, best_experiment, None, &refit, args.run.quiet, !args.run.no_plots)
}

/// The `--set` setting that gives a candidate `amount` of the halving resource.
fn budget_setting(resource: HalvingResource, amount: usize) -> String {
    match resource {
        HalvingResource::Epochs => format!("train.epochs={amount}"),
        HalvingResource::Rows => format!("data.train_samples={amount}"),
    }
}

/// Every candidate's experiment, read before any is trained, so that a bad value stops the
/// search first.
fn load_all(args: &SearchArgs, candidates: &[Candidate], option: &str, seed: u64) -> Result<Vec<Experiment>, CliError> {
    candidates
        .iter()
        .map(|candidate| {
            let overrides = [args.run.overrides.clone(), candidate.clone()].concat();
            let mut experiment = Experiment::load(&args.config, &overrides)
                .map_err(|message| CliError::Usage(as_given(message, candidate, option)))?;
            experiment.seed = seed;
            Ok(experiment)
        })
        .collect()
}

/// The message of a candidate's bad value names the option that gave it (`--grid KEY=VALUE`),
/// where reading the experiment says `--set`.
fn as_given(message: String, candidate: &Candidate, option: &str) -> String {
    candidate
        .iter()
        .fold(message, |message, setting| message.replace(&format!("--set {setting}"), &format!("{option} {setting}")))
}

/// One candidate's cross-validation. Divergence is a result (the candidate has no score), not
/// the end of the search.
fn score(experiment: &Experiment, folds: KFold, metric: Metric) -> Result<Scored, CliError> {
    let started = Instant::now();
    match Plan::new(experiment.clone(), folds, false)?.run() {
        Ok(result) => {
            Ok(Scored { mean: result.mean(metric), std: result.std(metric), seconds: result.seconds(), failure: None })
        }
        Err(CliError::Failure(message)) => {
            Ok(Scored { mean: None, std: None, seconds: started.elapsed().as_secs_f64(), failure: Some(message) })
        }
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
    /// Progress over `candidates`, of which `finished` were before this run.
    fn new(quiet: bool, candidates: usize, finished: usize) -> Self {
        if quiet {
            Reporter::Quiet
        } else if std::io::stderr().is_terminal() {
            let style = ProgressStyle::with_template("{bar:30.cyan/blue} candidate {pos}/{len}  ETA {eta}")
                .expect("a valid template")
                .progress_chars("█▉▊▋▌▍▎▏ ");
            Reporter::Bar(ProgressBar::new(candidates as u64).with_style(style).with_position(finished as u64))
        } else {
            Reporter::Lines(candidates)
        }
    }

    fn finished(&self, index: usize, scored: &Scored, metric: Metric) {
        match self {
            Reporter::Bar(bar) => bar.inc(1),
            Reporter::Lines(count) => {
                let (mean, std) = (number(scored.mean), number(scored.std));
                eprintln!("candidate {}/{count}: {metric} {} ± {}", index + 1, format_score(mean), format_score(std));
            }
            Reporter::Quiet => {}
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
    /// With successive halving, what the budget was counted in and the round (from 1) and
    /// budget each candidate reached.
    rounds: Option<(HalvingResource, Vec<Reached>)>,
}

impl Table<'_> {
    /// Candidate indices from best to worst (see [`ranking`]).
    fn ranking(&self) -> Vec<usize> {
        ranking(self.scored, self.metric, self.rounds.as_ref().map(|(_, reached)| reached.as_slice()))
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
        if let Some((resource, _)) = &self.rounds {
            write!(text, ",round,{}", resource.name()).expect("a String");
        }
        self.keys().iter().for_each(|key| write!(text, ",{}", csv_field(key)).expect("a String"));
        writeln!(text, ",mean_{metric},std_{metric},rank,note,fit_seconds").expect("a String");
        for ((index, candidate), rank) in self.candidates.iter().enumerate().zip(self.ranks()) {
            let scored = &self.scored[index];
            write!(text, "{}", index + 1).expect("a String");
            if let Some((_, reached)) = &self.rounds {
                write!(text, ",{},{}", reached[index].round, reached[index].budget).expect("a String");
            }
            candidate.iter().for_each(|setting| write!(text, ",{}", csv_field(value_of(setting))).expect("a String"));
            let note = scored.failure.as_deref().map(csv_field).unwrap_or_default();
            writeln!(text, ",{},{},{rank},{note},{:.3}", number(scored.mean), number(scored.std), scored.seconds)
                .expect("a String");
        }
        text
    }

    /// The candidates as a table for the terminal, best first.
    fn text(&self) -> String {
        let mut text = format!("rank  {:>12}  {:>12}  seconds  settings\n", format!("mean {}", self.metric), "std");
        for (rank, index) in self.ranking().into_iter().enumerate() {
            let scored = &self.scored[index];
            let settings = self.candidates[index].join(" ");
            let mut note = scored.failure.as_ref().map(|_| "  (diverged)".to_owned()).unwrap_or_default();
            if let Some((resource, reached)) = &self.rounds {
                let Reached { round, budget } = reached[index];
                write!(note, "  [round {round}: {budget} {}]", resource.name()).expect("a String");
            }
            writeln!(
                text,
                "{:>4}  {:>12}  {:>12}  {:>7.2}  {settings}{note}",
                rank + 1,
                format_score(number(scored.mean)),
                format_score(number(scored.std)),
                scored.seconds
            )
            .expect("a String");
        }
        text
    }
}

/// A score, NaN when there is none.
fn number(score: Option<f64>) -> f64 {
    score.unwrap_or(f64::NAN)
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

/// `--halving epochs|rows`, read by the library's names.
fn halving_resource() -> impl clap::builder::TypedValueParser<Value = HalvingResource> {
    clap::builder::PossibleValuesParser::new(HalvingResource::ALL.map(HalvingResource::name))
        .try_map(|name| name.parse::<HalvingResource>())
}
