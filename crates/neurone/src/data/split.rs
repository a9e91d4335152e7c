//! Splitting samples into training, validation and test sets, and into folds for
//! cross-validation, at random from a seeded [`Rng`] — optionally stratified, so that each part
//! keeps the class proportions of the whole.

use rand::seq::SliceRandom;

use super::class_of_rows;
use crate::check::check_unit_interval;
use crate::{Dataset, Error, Rng, Scalar};

/// The fractions of the samples set aside for validation and for testing; training gets the rest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SplitFractions {
    /// Fraction for validation, in [0, 1); 0 means no validation set.
    pub validation: f64,
    /// Fraction for testing, in [0, 1); 0 means no test set.
    pub test: f64,
}

/// Sample indices of each part of a split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitIndices {
    /// Indices of the training samples.
    pub train: Vec<usize>,
    /// Indices of the validation samples (empty when its fraction is 0).
    pub validation: Vec<usize>,
    /// Indices of the test samples (empty when its fraction is 0).
    pub test: Vec<usize>,
}

/// A dataset split into its parts; a part whose fraction is 0 is `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Splits<S> {
    /// The samples to train on.
    pub train: Dataset<S>,
    /// The samples to watch during training (early stopping, model choice).
    pub validation: Option<Dataset<S>>,
    /// The samples to report the final score on.
    pub test: Option<Dataset<S>>,
}

/// One fold of k-fold cross-validation: train on `train`, score on `validation`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Indices of the samples to train on (all the other folds).
    pub train: Vec<usize>,
    /// Indices of this fold's samples.
    pub validation: Vec<usize>,
}

/// Splits `dataset` at random into training, validation and test sets, stratified by class
/// when `stratify` is true (the targets must then be one-hot rows, or a single 0/1 column).
///
/// Each part gets `round(fraction × samples)` samples; stratified, every class contributes in
/// proportion to its size. A part with a positive fraction that would be empty is an error,
/// and so is an empty training set.
///
/// ```
/// use neurone::data::{SplitFractions, split};
/// let iris = neurone::datasets::iris::<f32>().dataset;
/// let fractions = SplitFractions { validation: 0.2, test: 0.2 };
/// let parts = split(&iris, fractions, true, &mut neurone::seeded_rng(7))?;
/// assert_eq!(parts.train.len(), 90);
/// assert_eq!(parts.validation.unwrap().len(), 30);
/// assert_eq!(parts.test.unwrap().len(), 30);
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn split<S: Scalar>(
    dataset: &Dataset<S>,
    fractions: SplitFractions,
    stratify: bool,
    rng: &mut Rng,
) -> Result<Splits<S>, Error> {
    split_owned(dataset.clone(), fractions, stratify, rng)
}

/// [`split`], moving the samples into their parts rather than copying them: a large dataset
/// (MNIST's 188 MB of pixels) is held once. The parts and their order are those of [`split`].
pub fn split_owned<S: Scalar>(
    mut dataset: Dataset<S>,
    fractions: SplitFractions,
    stratify: bool,
    rng: &mut Rng,
) -> Result<Splits<S>, Error> {
    let classes = if stratify { Some(class_of_rows(dataset.targets())?) } else { None };
    let indices = split_indices(dataset.len(), fractions, classes.as_deref(), rng)?;
    dataset.reorder(&[indices.train.as_slice(), &indices.validation, &indices.test].concat())?;
    let test = dataset.split_off(indices.train.len() + indices.validation.len());
    let validation = dataset.split_off(indices.train.len());
    let part = |part: Dataset<S>| (!part.is_empty()).then_some(part);
    Ok(Splits { train: dataset, validation: part(validation), test: part(test) })
}

/// The indices behind [`split`]: `count` samples, stratified by `classes` (one class index per
/// sample) when given. Each part comes out shuffled.
pub fn split_indices(
    count: usize,
    fractions: SplitFractions,
    classes: Option<&[usize]>,
    rng: &mut Rng,
) -> Result<SplitIndices, Error> {
    let SplitFractions { validation, test } = fractions;
    check_unit_interval("validation", validation)?;
    check_unit_interval("test", test)?;
    if validation + test >= 1.0 {
        return Err(Error::invalid("test", format!("validation {validation} + test {test} leaves no training data")));
    }
    let groups = shuffled_groups(count, classes, rng)?;
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    let test_counts = apportion(&sizes, test);
    let validation_counts = apportion(&sizes, validation);

    let mut parts = SplitIndices { train: Vec::new(), validation: Vec::new(), test: Vec::new() };
    for ((group, test_count), validation_count) in groups.iter().zip(test_counts).zip(validation_counts) {
        let validation_count = validation_count.min(group.len() - test_count);
        let (test_part, rest) = group.split_at(test_count);
        let (validation_part, train_part) = rest.split_at(validation_count);
        parts.test.extend_from_slice(test_part);
        parts.validation.extend_from_slice(validation_part);
        parts.train.extend_from_slice(train_part);
    }
    for (name, fraction, part) in [("validation", validation, &parts.validation), ("test", test, &parts.test)] {
        if fraction > 0.0 && part.is_empty() {
            return Err(Error::invalid(name, format!("{fraction} of {count} samples is less than one sample")));
        }
    }
    if parts.train.is_empty() {
        return Err(Error::invalid("test", format!("no training sample is left out of {count}")));
    }
    // Stratification lists the parts class by class; shuffling mixes the classes again.
    parts.train.shuffle(rng);
    parts.validation.shuffle(rng);
    parts.test.shuffle(rng);
    Ok(parts)
}

/// The indices of `folds`-fold cross-validation over `count` samples, stratified by `classes`
/// when given: every sample is in exactly one fold's validation set, and fold sizes differ by
/// at most one. Stratified, each class is dealt round the folds in turn, so a class with fewer
/// samples than folds is missing from some folds.
///
/// ```
/// let folds = neurone::data::k_fold(10, 3, None, &mut neurone::seeded_rng(1))?;
/// let sizes: Vec<usize> = folds.iter().map(|fold| fold.validation.len()).collect();
/// assert_eq!(sizes, [4, 3, 3]);
/// assert!(folds.iter().all(|fold| fold.train.len() + fold.validation.len() == 10));
/// # Ok::<(), neurone::Error>(())
/// ```
pub fn k_fold(count: usize, folds: usize, classes: Option<&[usize]>, rng: &mut Rng) -> Result<Vec<Fold>, Error> {
    if folds < 2 || folds > count {
        return Err(Error::invalid("folds", format!("{folds} folds of {count} samples: need 2 ≤ folds ≤ samples")));
    }
    let dealt: Vec<usize> = shuffled_groups(count, classes, rng)?.concat();
    Ok((0..folds)
        .map(|fold| {
            let (validation, train) =
                dealt.iter().enumerate().partition::<Vec<_>, _>(|(position, _)| position % folds == fold);
            Fold {
                train: train.into_iter().map(|(_, &index)| index).collect(),
                validation: validation.into_iter().map(|(_, &index)| index).collect(),
            }
        })
        .collect())
}

/// The sample indices grouped by class (one group when not stratified), each group shuffled.
fn shuffled_groups(count: usize, classes: Option<&[usize]>, rng: &mut Rng) -> Result<Vec<Vec<usize>>, Error> {
    let mut groups = match classes {
        None => vec![(0..count).collect()],
        Some(classes) if classes.len() != count => {
            return Err(Error::Shape(format!("{} class labels for {count} samples", classes.len())));
        }
        Some(classes) => {
            let mut groups = vec![Vec::new(); classes.iter().max().map_or(0, |&class| class + 1)];
            for (index, &class) in classes.iter().enumerate() {
                groups[class].push(index);
            }
            groups.retain(|group| !group.is_empty());
            groups
        }
    };
    for group in &mut groups {
        group.shuffle(rng);
    }
    Ok(groups)
}

/// Shares `round(fraction × total)` among groups in proportion to their sizes, by largest
/// remainder (ties to the earlier group), so the parts add up exactly.
fn apportion(sizes: &[usize], fraction: f64) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    let wanted = (total as f64 * fraction).round() as usize;
    let quotas: Vec<f64> = sizes.iter().map(|&size| size as f64 * fraction).collect();
    let mut counts: Vec<usize> = quotas.iter().map(|quota| quota.floor() as usize).collect();
    let mut by_remainder: Vec<usize> = (0..sizes.len()).collect();
    by_remainder.sort_by(|&a, &b| (quotas[b] - quotas[b].floor()).total_cmp(&(quotas[a] - quotas[a].floor())));
    let missing = wanted.saturating_sub(counts.iter().sum());
    for &group in by_remainder.iter().take(missing) {
        counts[group] = (counts[group] + 1).min(sizes[group]);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Matrix, seeded_rng};

    fn fractions(validation: f64, test: f64) -> SplitFractions {
        SplitFractions { validation, test }
    }

    fn sorted(mut indices: Vec<usize>) -> Vec<usize> {
        indices.sort_unstable();
        indices
    }

    #[test]
    fn parts_are_disjoint_cover_everything_and_have_the_rounded_sizes() {
        let parts = split_indices(10, fractions(0.25, 0.2), None, &mut seeded_rng(3)).unwrap();
        assert_eq!((parts.train.len(), parts.validation.len(), parts.test.len()), (5, 3, 2)); // 2.5 → 3, 1.5 → 2
        let all = sorted([parts.train, parts.validation, parts.test].concat());
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn the_same_seed_gives_the_same_split() {
        let a = split_indices(50, fractions(0.2, 0.2), None, &mut seeded_rng(9)).unwrap();
        let b = split_indices(50, fractions(0.2, 0.2), None, &mut seeded_rng(9)).unwrap();
        let c = split_indices(50, fractions(0.2, 0.2), None, &mut seeded_rng(10)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn stratified_parts_keep_class_proportions() {
        // 8 of class 0, 4 of class 1: a quarter for test is 2 of class 0 and 1 of class 1.
        let classes = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
        let parts = split_indices(12, fractions(0.25, 0.25), Some(&classes), &mut seeded_rng(1)).unwrap();
        for part in [&parts.train, &parts.validation, &parts.test] {
            let ones = part.iter().filter(|&&index| classes[index] == 1).count();
            assert_eq!((part.len() - ones, ones), if part.len() == 6 { (4, 2) } else { (2, 1) });
        }
    }

    #[test]
    fn largest_remainders_make_the_total_exact() {
        // 0.3 of [5, 5, 5] = 1.5 each, total round(4.5) = 5 (round half away from zero): 2, 2, 1.
        assert_eq!(apportion(&[5, 5, 5], 0.3), [2, 2, 1]);
        assert_eq!(apportion(&[7, 3], 0.0), [0, 0]);
    }

    #[test]
    fn invalid_fractions_and_empty_parts_are_errors() {
        let message = |v, t| split_indices(10, fractions(v, t), None, &mut seeded_rng(0)).unwrap_err().to_string();
        assert_eq!(message(-0.1, 0.2), "invalid validation: must be in [0, 1), got -0.1");
        assert_eq!(message(0.2, f64::NAN), "invalid test: must be in [0, 1), got NaN");
        assert_eq!(message(0.5, 0.5), "invalid test: validation 0.5 + test 0.5 leaves no training data");
        assert_eq!(message(0.01, 0.2), "invalid validation: 0.01 of 10 samples is less than one sample");
    }

    #[test]
    fn zero_fractions_give_no_parts() {
        let data = Dataset::new(Matrix::<f32>::zeros(4, 1), Matrix::zeros(4, 1)).unwrap();
        let parts = split(&data, fractions(0.0, 0.0), false, &mut seeded_rng(0)).unwrap();
        assert_eq!(parts.train.len(), 4);
        assert!(parts.validation.is_none() && parts.test.is_none());
    }

    #[test]
    fn k_fold_covers_each_sample_once() {
        let folds = k_fold(7, 3, None, &mut seeded_rng(2)).unwrap();
        assert_eq!(sorted(folds.iter().flat_map(|fold| fold.validation.clone()).collect()), (0..7).collect::<Vec<_>>());
        for fold in &folds {
            assert_eq!(sorted([fold.train.clone(), fold.validation.clone()].concat()), (0..7).collect::<Vec<_>>());
        }
        assert!(k_fold(3, 4, None, &mut seeded_rng(2)).is_err());
        assert!(k_fold(3, 1, None, &mut seeded_rng(2)).is_err());
    }

    #[test]
    fn stratified_k_fold_deals_each_class_evenly() {
        let classes = [0, 0, 0, 0, 0, 0, 1, 1, 1];
        for fold in k_fold(9, 3, Some(&classes), &mut seeded_rng(4)).unwrap() {
            let ones = fold.validation.iter().filter(|&&index| classes[index] == 1).count();
            assert_eq!((fold.validation.len(), ones), (3, 1));
        }
    }
}
