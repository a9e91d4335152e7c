//! Successive halving, as scikit-learn's `HalvingGridSearchCV` and `HalvingRandomSearchCV`
//! (with their defaults `factor = 3`, `min_resources = "exhaust"`): every candidate is scored
//! on a small budget of a resource (epochs, or training rows), the best third goes on with
//! three times the budget, and so on, the last round spending the experiment's whole budget.

/// Each round keeps one candidate in `FACTOR` and gives each `FACTOR` times the resource.
pub const FACTOR: usize = 3;

/// What a round's budget is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Resource {
    /// `train.epochs`: the candidates train for fewer epochs in the early rounds.
    Epochs,
    /// `data.train_samples`: the candidates are cross-validated on a random subset of the
    /// training rows in the early rounds.
    Rows,
}

impl Resource {
    /// The `--set` setting that gives a candidate `amount` of the resource.
    pub fn setting(self, amount: usize) -> String {
        match self {
            Resource::Epochs => format!("train.epochs={amount}"),
            Resource::Rows => format!("data.train_samples={amount}"),
        }
    }

    /// The column of `search.csv` that holds a candidate's last budget.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Epochs => "epochs",
            Resource::Rows => "rows",
        }
    }

    /// The least budget a round may give: one epoch, or two rows for each fold.
    pub fn minimum(self, folds: usize) -> usize {
        match self {
            Resource::Epochs => 1,
            Resource::Rows => 2 * folds,
        }
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
    }

    #[test]
    fn each_resource_has_its_setting() {
        assert_eq!(Resource::Epochs.setting(55), "train.epochs=55");
        assert_eq!(Resource::Rows.setting(120), "data.train_samples=120");
        assert_eq!(Resource::Rows.minimum(5), 10);
    }
}
