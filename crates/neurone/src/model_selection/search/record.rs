//! The record of a search's finished candidates, rewritten atomically as each one finishes, from
//! which an interrupted search continues (`neurone search --resume DIR`).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Scored;
use crate::Error;
use crate::io::write_atomic;

/// The record's file in the search's folder; successive halving keeps one per round
/// ([`round_record_file`]).
pub const RECORD_FILE: &str = "search-record.json";

/// The record file of round `round` (from 1) of successive halving:
/// `search-record-round1.json`, ….
pub fn round_record_file(round: usize) -> String {
    format!("search-record-round{round}.json")
}

/// What the search is (its candidates and folds, to check that a resumed search is the same
/// one) and the score of every candidate finished so far. `C` is how the front end writes a
/// candidate (the command line: its `--set` settings).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchRecord<C> {
    /// Folds per repeat of each candidate's k-fold.
    pub folds: usize,
    /// Repeats of the k-fold.
    pub repeats: usize,
    /// The seed of the folds, the weights and any random candidates.
    pub seed: u64,
    /// The candidates, in order.
    pub candidates: Vec<C>,
    /// One entry per candidate, in candidate order: its score once it has finished.
    pub scores: Vec<Option<Scored>>,
    #[serde(skip)]
    path: PathBuf,
}

impl<C: Serialize + DeserializeOwned + PartialEq> SearchRecord<C> {
    /// A record of nothing finished yet, kept at `path`.
    pub fn new(path: PathBuf, (folds, repeats, seed): (usize, usize, u64), candidates: Vec<C>) -> Self {
        let scores = (0..candidates.len()).map(|_| None).collect();
        SearchRecord { folds, repeats, seed, candidates, scores, path }
    }

    /// The record kept where `expected` would be, which must be of the search `expected`
    /// describes (the same candidates, folds and seed).
    pub fn resume(expected: Self) -> Result<Self, Error> {
        let path = expected.path;
        let invalid = |reason: String| Error::Data { path: path.clone(), line: None, column: None, reason };
        let text = std::fs::read_to_string(&path)
            .map_err(|error| invalid(format!("{error} (a search keeps its record there as candidates finish)")))?;
        let mut record: Self =
            serde_json::from_str(&text).map_err(|error| invalid(format!("not a search record: {error}")))?;
        let same = (record.folds, record.repeats, record.seed, &record.candidates)
            == (expected.folds, expected.repeats, expected.seed, &expected.candidates);
        if !same || record.scores.len() != record.candidates.len() {
            let reason =
                "this search had other candidates, folds or seed: give the options of the interrupted search again";
            return Err(invalid(reason.into()));
        }
        record.path = path;
        Ok(record)
    }

    /// Records candidate `index`'s score and rewrites the file.
    pub fn finish(&mut self, index: usize, scored: Scored) -> Result<(), Error> {
        self.scores[index] = Some(scored);
        let text = serde_json::to_string_pretty(self).expect("plain JSON") + "\n";
        write_atomic(&self.path, text.as_bytes())
    }

    /// How many candidates have finished.
    pub fn finished(&self) -> usize {
        self.scores.iter().flatten().count()
    }

    /// Where it is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every candidate's score, or none while some have not finished.
    pub fn complete(&self) -> Option<Vec<Scored>> {
        self.scores.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_resumes_only_the_same_search_and_keeps_its_scores() {
        let folder = std::env::temp_dir().join(format!("neurone-record-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(RECORD_FILE);
        let new =
            |candidates: [&str; 2]| SearchRecord::new(path.clone(), (3, 1, 7), candidates.map(String::from).to_vec());
        let missing = SearchRecord::resume(new(["a", "b"])).unwrap_err().to_string();
        assert!(missing.contains("a search keeps its record there"), "{missing}");
        let mut record = new(["a", "b"]);
        let scored = Scored { mean: Some(0.5), std: Some(0.1), seconds: 2.0, failure: None };
        record.finish(1, scored.clone()).unwrap();
        let resumed = SearchRecord::resume(new(["a", "b"])).unwrap();
        assert_eq!((resumed.finished(), &resumed.scores[1]), (1, &Some(scored)));
        assert_eq!(resumed.complete(), None);
        let other = SearchRecord::resume(new(["a", "c"])).unwrap_err().to_string();
        assert!(
            other.ends_with(
                "this search had other candidates, folds or seed: give the options of the interrupted search again"
            ),
            "{other}"
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
