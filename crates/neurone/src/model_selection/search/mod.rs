//! Hyperparameter search: candidates from a grid or drawn at random ([`grid`], [`random`]),
//! each scored by cross-validation on `jobs` threads ([`score_pending`]), ranked
//! ([`ranking`]), optionally by successive halving ([`successive_halving`]); a record
//! ([`SearchRecord`]) kept as candidates finish lets an interrupted search continue.
//!
//! How a candidate becomes a network and its training is the front end's: it gives a closure
//! that scores candidate `i` (the command line reads its experiment file with the candidate's
//! settings and cross-validates it).

mod candidates;
mod halving;
mod jobs;
mod record;

use serde::{Deserialize, Serialize};

use crate::Metric;

pub use candidates::{grid, random};
pub use halving::{FACTOR, Halved, HalvingResource, Reached, budgets, successive_halving, survivors};
pub use jobs::score_pending;
pub use record::{RECORD_FILE, SearchRecord, round_record_file};

/// A candidate's cross-validated score.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

/// Candidate indices from best to worst: with successive halving (`rounds`, the round each
/// candidate reached), those of later rounds first; then by mean score (descending for R² and
/// accuracy, ascending for errors), those without a score last, ties in candidate order.
pub fn ranking(scores: &[Scored], metric: Metric, rounds: Option<&[Reached]>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    let key = |index: usize| {
        let mean = scores[index].mean.unwrap_or(f64::NAN);
        let signed = if metric.higher_is_better() { -mean } else { mean };
        let round = rounds.map_or(0, |reached| reached[index].round);
        (std::cmp::Reverse(round), mean.is_nan(), if mean.is_nan() { 0.0 } else { signed })
    };
    order.sort_by(|&a, &b| {
        let ((round_a, nan_a, a_value), (round_b, nan_b, b_value)) = (key(a), key(b));
        round_a.cmp(&round_b).then(nan_a.cmp(&nan_b)).then(a_value.total_cmp(&b_value)).then(a.cmp(&b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(mean: Option<f64>) -> Scored {
        Scored { mean, ..Scored::default() }
    }

    #[test]
    fn the_ranking_follows_the_metric_puts_failures_last_and_later_rounds_first() {
        let scores = [scored(Some(0.5)), scored(None), scored(Some(0.9)), scored(Some(0.5))];
        assert_eq!(ranking(&scores, Metric::R2, None), [2, 0, 3, 1]);
        assert_eq!(ranking(&scores, Metric::Mse, None), [0, 3, 2, 1]);
        let reached = [1, 1, 1, 2].map(|round| Reached { round, budget: 0 });
        assert_eq!(ranking(&scores, Metric::R2, Some(&reached)), [3, 2, 0, 1]);
    }
}
