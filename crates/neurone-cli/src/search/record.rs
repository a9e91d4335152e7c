//! The record of a search's finished candidates, rewritten atomically as each one finishes, from
//! which `neurone search --resume DIR` continues an interrupted search.

use std::path::PathBuf;

use neurone::io::write_atomic;
use serde::{Deserialize, Serialize};

use super::candidates::Candidate;
use crate::error::CliError;

/// The record's file in the search's folder (successive halving keeps one per round,
/// `search-record-round1.json`…).
pub const RECORD_FILE: &str = "search-record.json";

/// A candidate's cross-validated score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// The mean score over the folds; none when training diverged (JSON has no NaN).
    pub mean: Option<f64>,
    /// Its standard deviation over the folds.
    pub std: Option<f64>,
    /// Training time of its folds, in seconds.
    pub seconds: f64,
    /// Why it has no score (training diverged), if it has none.
    pub failure: Option<String>,
}

/// What the search is (its candidates and folds, to check that a resumed search is the same
/// one) and the score of every candidate finished so far.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub folds: usize,
    pub repeats: usize,
    pub seed: u64,
    pub candidates: Vec<Candidate>,
    /// One entry per candidate, in candidate order: its score once it has finished.
    pub scores: Vec<Option<Scored>>,
    #[serde(skip)]
    path: PathBuf,
}

impl Record {
    /// A record of nothing finished yet, kept at `path`.
    pub fn new(path: PathBuf, folds: usize, repeats: usize, seed: u64, candidates: Vec<Candidate>) -> Self {
        let scores = vec![None; candidates.len()];
        Record { folds, repeats, seed, candidates, scores, path }
    }

    /// The record kept where `expected` would be, which must be of the search `expected`
    /// describes (the same candidates, folds and seed).
    pub fn resume(expected: Record) -> Result<Self, CliError> {
        let path = expected.path.clone();
        let text = std::fs::read_to_string(&path).map_err(|error| {
            CliError::Usage(format!(
                "{}: {error} (a search keeps its record there as candidates finish)",
                path.display()
            ))
        })?;
        let mut record: Record = serde_json::from_str(&text)
            .map_err(|error| CliError::Usage(format!("{}: not a search record: {error}", path.display())))?;
        let same = (record.folds, record.repeats, record.seed, &record.candidates)
            == (expected.folds, expected.repeats, expected.seed, &expected.candidates);
        if !same || record.scores.len() != record.candidates.len() {
            return Err(CliError::Usage(format!(
                "{}: this search had other candidates, folds or seed: give the options of the interrupted search again",
                path.display()
            )));
        }
        record.path = path;
        Ok(record)
    }

    /// Records candidate `index`'s score and rewrites the file.
    pub fn finish(&mut self, index: usize, scored: Scored) -> Result<(), CliError> {
        self.scores[index] = Some(scored);
        let text = serde_json::to_string_pretty(self).expect("plain JSON") + "\n";
        write_atomic(&self.path, text.as_bytes())?;
        Ok(())
    }

    /// How many candidates have finished.
    pub fn finished(&self) -> usize {
        self.scores.iter().flatten().count()
    }
}
