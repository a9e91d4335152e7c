//! Successive halving, as scikit-learn's `HalvingGridSearchCV` and `HalvingRandomSearchCV`
//! (with their defaults `factor = 3`, `min_resources = "exhaust"`): every candidate is scored
//! on a small budget of a resource (epochs, or training rows), the best third goes on with
//! three times the budget, and so on, the last round spending the whole budget.

use std::str::FromStr;

use super::{Scored, ranking};
use crate::{Error, Metric};

/// Each round keeps one candidate in `FACTOR` and gives each `FACTOR` times the resource.
pub const FACTOR: usize = 3;

/// What a round's budget is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HalvingResource {
    /// Training epochs: the candidates train for fewer epochs in the early rounds.
    Epochs,
    /// Training rows: the candidates are cross-validated on a random subset of the training
    /// rows in the early rounds.
    Rows,
}

impl HalvingResource {
    /// Both resources, in the order a help text lists them.
    pub const ALL: [HalvingResource; 2] = [HalvingResource::Epochs, HalvingResource::Rows];

    /// Its name: `epochs` or `rows`.
    pub fn name(self) -> &'static str {
        match self {
            HalvingResource::Epochs => "epochs",
            HalvingResource::Rows => "rows",
        }
    }

    /// The least budget a round may give: one epoch, or two rows for each fold.
    pub fn minimum(self, folds: usize) -> usize {
        match self {
            HalvingResource::Epochs => 1,
            HalvingResource::Rows => 2 * folds,
        }
    }
}

impl FromStr for HalvingResource {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|resource| resource.name() == text)
            .ok_or_else(|| Error::invalid("resource", format!("`{text}`: expected epochs or rows")))
    }
}

/// The budget of each round for `candidates` candidates and a whole budget of `maximum`: as
/// many rounds as it takes to come down to fewer than `FACTOR` candidates (1 + ⌊log₃ n⌋), unless
/// the budget cannot shrink that often above `minimum`; the last round gets `maximum`, each
/// round before it a third of the next.
pub fn budgets(candidates: usize, maximum: usize, minimum: usize) -> Vec<usize> {
    let needed = 1 + log_floor(candidates.max(1));
    let possible = 1 + log_floor((maximum / minimum.max(1)).max(1));
    let rounds = needed.min(possible);
    (0..rounds).map(|round| maximum / FACTOR.pow((rounds - 1 - round) as u32)).collect()
}

/// How many of `candidates` go on to the next round: a third, rounded up.
pub fn survivors(candidates: usize) -> usize {
    candidates.div_ceil(FACTOR)
}

/// ⌊log₃ n⌋ for n ≥ 1.
fn log_floor(mut n: usize) -> usize {
    let mut log = 0;
    while n >= FACTOR {
        n /= FACTOR;
        log += 1;
    }
    log
}

/// The last round (from 1) a candidate reached in successive halving, and its budget there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    /// The round, from 1.
    pub round: usize,
    /// The candidate's budget in that round.
    pub budget: usize,
}

/// What successive halving gave each candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Halved {
    /// Each candidate's score in the last round it reached, with its fit time summed over its
    /// rounds.
    pub scores: Vec<Scored>,
    /// The last round each candidate reached.
    pub reached: Vec<Reached>,
}

/// Successive halving of `candidates` candidates over `budgets`: `score_round(round, budget,
/// alive)` scores the candidates still in (their indices, from 0; rounds from 0) with that
/// budget, and the best third of them by `metric` go on to the next round.
pub fn successive_halving<E>(
    candidates: usize,
    budgets: &[usize],
    metric: Metric,
    mut score_round: impl FnMut(usize, usize, &[usize]) -> Result<Vec<Scored>, E>,
) -> Result<Halved, E> {
    let mut alive: Vec<usize> = (0..candidates).collect();
    let mut last: Vec<Option<Scored>> = vec![None; candidates];
    let mut reached = vec![Reached::default(); candidates];
    for (round, &budget) in budgets.iter().enumerate() {
        let scores = score_round(round, budget, &alive)?;
        let order = ranking(&scores, metric, None);
        for (&index, scored) in alive.iter().zip(scores) {
            let seconds = last[index].as_ref().map_or(0.0, |previous| previous.seconds);
            last[index] = Some(Scored { seconds: seconds + scored.seconds, ..scored });
            reached[index] = Reached { round: round + 1, budget };
        }
        alive = order.into_iter().take(survivors(alive.len())).map(|position| alive[position]).collect();
    }
    let scores = last.into_iter().map(|scored| scored.unwrap_or_default()).collect();
    Ok(Halved { scores, reached })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_triple_up_to_the_whole_and_candidates_shrink_by_thirds() {
        // 18 candidates: 18 → 6 → 2, on 55, 166 and 500 epochs.
        assert_eq!(budgets(18, 500, 1), [55, 166, 500]);
        assert_eq!((survivors(18), survivors(6)), (6, 2));
        assert_eq!(budgets(27, 81, 1), [3, 9, 27, 81]);
        assert_eq!(budgets(2, 500, 1), [500], "fewer than three candidates: one round");
        // The budget cannot shrink below the minimum: fewer rounds.
        assert_eq!(budgets(81, 90, 10), [10, 30, 90]);
        assert_eq!(budgets(81, 12, 10), [12]);
        assert_eq!((survivors(1), survivors(4)), (1, 2));
        assert_eq!(HalvingResource::Rows.minimum(5), 10);
        assert_eq!("rows".parse::<HalvingResource>().unwrap(), HalvingResource::Rows);
        assert!("hours".parse::<HalvingResource>().is_err());
    }

    #[test]
    fn each_round_keeps_the_best_third_and_sums_their_fit_times() {
        // Candidate i scores i (R², higher is better) whatever the budget, in one second.
        let mut rounds = Vec::new();
        let halved = successive_halving::<()>(9, &[1, 3, 9], Metric::R2, |round, budget, alive| {
            rounds.push((round, budget, alive.to_vec()));
            Ok(alive
                .iter()
                .map(|&index| Scored { mean: Some(index as f64), std: Some(0.0), seconds: 1.0, failure: None })
                .collect())
        })
        .unwrap();
        assert_eq!(rounds[1], (1, 3, vec![8, 7, 6]), "the best first");
        assert_eq!(rounds[2], (2, 9, vec![8]));
        assert_eq!(halved.reached[8], Reached { round: 3, budget: 9 });
        assert_eq!(halved.reached[0], Reached { round: 1, budget: 1 });
        assert_eq!((halved.scores[8].seconds, halved.scores[7].seconds, halved.scores[0].seconds), (3.0, 2.0, 1.0));
    }
}
