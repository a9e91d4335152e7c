//! The folds of k-fold cross-validation, shuffled from a seed, optionally stratified by class
//! and repeated.

use crate::check::check_at_least;
use crate::data::{Fold, class_of_rows, k_fold};
use crate::{Dataset, Error, Scalar, seeded_rng};

/// The number of folds when none is given: 5, as scikit-learn's `cv=5`.
pub const DEFAULT_FOLDS: usize = 5;

/// k-fold cross-validation: the samples are shuffled and dealt into `folds` parts; each fold
/// validates on one part and trains on the others. Repeated `repeats` times, each repeat with a
/// new shuffle (scikit-learn's `RepeatedKFold`).
///
/// ```
/// use neurone::model_selection::KFold;
/// let folds = KFold::new(4).repeats(2).seed(1).split(10)?;
/// assert_eq!(folds.len(), 8);
/// assert!(folds.iter().all(|fold| fold.train.len() + fold.validation.len() == 10));
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KFold {
    /// Parts the samples are dealt into, at least 2 and at most the number of samples.
    pub folds: usize,
    /// How many times the whole k-fold is drawn again, at least 1.
    pub repeats: usize,
    /// Seeds the shuffles: the same seed gives the same folds.
    pub seed: u64,
}

impl Default for KFold {
    fn default() -> Self {
        Self { folds: DEFAULT_FOLDS, repeats: 1, seed: 42 }
    }
}

impl KFold {
    /// `folds`-fold cross-validation, once, from seed 42.
    pub fn new(folds: usize) -> Self {
        Self { folds, ..Self::default() }
    }

    /// Repeats the k-fold this many times with new shuffles.
    pub fn repeats(self, repeats: usize) -> Self {
        Self { repeats, ..self }
    }

    /// Seeds the shuffles.
    pub fn seed(self, seed: u64) -> Self {
        Self { seed, ..self }
    }

    /// The folds of `count` samples: `folds × repeats` of them, repeat after repeat. Within a
    /// repeat, every sample is validated on exactly once and fold sizes differ by at most one.
    pub fn split(&self, count: usize) -> Result<Vec<Fold>, Error> {
        self.draw(count, None)
    }

    /// The folds, shuffled the same way but dealt class by class (see [`StratifiedKFold`]).
    fn draw(&self, count: usize, classes: Option<&[usize]>) -> Result<Vec<Fold>, Error> {
        check_at_least("repeats", self.repeats, 1)?;
        let mut rng = seeded_rng(self.seed);
        let mut folds = Vec::with_capacity(self.folds * self.repeats);
        for _ in 0..self.repeats {
            folds.extend(k_fold(count, self.folds, classes, &mut rng)?);
        }
        Ok(folds)
    }
}

/// [`KFold`] that keeps each class's proportion in every fold: each class is shuffled and
/// dealt round the folds in turn, so a class of n samples has ⌊n/k⌋ or ⌈n/k⌉ in each fold
/// (scikit-learn's `StratifiedKFold`).
///
/// ```
/// use neurone::model_selection::StratifiedKFold;
/// let classes = [0, 0, 0, 0, 0, 0, 1, 1, 1];
/// for fold in StratifiedKFold::new(3).split(&classes)? {
///     let ones = fold.validation.iter().filter(|&&sample| classes[sample] == 1).count();
///     assert_eq!((fold.validation.len(), ones), (3, 1));
/// }
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StratifiedKFold(pub KFold);

impl StratifiedKFold {
    /// Stratified `folds`-fold cross-validation, once, from seed 42.
    pub fn new(folds: usize) -> Self {
        Self(KFold::new(folds))
    }

    /// Repeats the k-fold this many times with new shuffles.
    pub fn repeats(self, repeats: usize) -> Self {
        Self(self.0.repeats(repeats))
    }

    /// Seeds the shuffles.
    pub fn seed(self, seed: u64) -> Self {
        Self(self.0.seed(seed))
    }

    /// The folds of samples whose classes are `classes` (one class index per sample).
    pub fn split(&self, classes: &[usize]) -> Result<Vec<Fold>, Error> {
        self.0.draw(classes.len(), Some(classes))
    }

    /// The folds of a classification dataset (one-hot targets, or a single 0/1 column).
    pub fn split_dataset<S: Scalar>(&self, dataset: &Dataset<S>) -> Result<Vec<Fold>, Error> {
        self.split(&class_of_rows(dataset.targets())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut indices: Vec<usize>) -> Vec<usize> {
        indices.sort_unstable();
        indices
    }

    #[test]
    fn each_repeat_partitions_the_samples_exactly() {
        let folds = KFold::new(4).repeats(3).seed(5).split(23).unwrap();
        assert_eq!(folds.len(), 12);
        for repeat in folds.chunks(4) {
            let validated = sorted(repeat.iter().flat_map(|fold| fold.validation.clone()).collect());
            assert_eq!(validated, (0..23).collect::<Vec<_>>(), "each sample validated once per repeat");
            let mut sizes: Vec<usize> = repeat.iter().map(|fold| fold.validation.len()).collect();
            sizes.sort_unstable();
            assert_eq!(sizes, [5, 6, 6, 6]);
            for fold in repeat {
                let all = sorted([fold.train.clone(), fold.validation.clone()].concat());
                assert_eq!(all, (0..23).collect::<Vec<_>>(), "train and validation are complements");
            }
        }
        assert_ne!(folds[0], folds[4], "a repeat is shuffled anew");
    }

    #[test]
    fn the_same_seed_gives_the_same_folds() {
        let folds = |seed| KFold::new(5).repeats(2).seed(seed).split(50).unwrap();
        assert_eq!(folds(3), folds(3));
        assert_ne!(folds(3), folds(4));
    }

    #[test]
    fn stratified_folds_keep_class_proportions() {
        // 40 of class 0, 20 of class 1, 10 of class 2 over 5 folds: 8, 4 and 2 in each.
        let classes: Vec<usize> = [vec![0; 40], vec![1; 20], vec![2; 10]].concat();
        for fold in StratifiedKFold::new(5).repeats(2).seed(9).split(&classes).unwrap() {
            let count = |class| fold.validation.iter().filter(|&&sample| classes[sample] == class).count();
            assert_eq!((count(0), count(1), count(2)), (8, 4, 2));
        }
    }

    #[test]
    fn impossible_folds_name_the_setting() {
        let error = KFold::new(1).split(10).unwrap_err().to_string();
        assert_eq!(error, "invalid folds: 1 folds of 10 samples: need 2 ≤ folds ≤ samples");
        let error = KFold::new(5).repeats(0).split(10).unwrap_err().to_string();
        assert_eq!(error, "invalid repeats: must be at least 1, got 0");
    }
}
