//! The candidates of a search: every combination of a grid's values (as scikit-learn's
//! `ParameterGrid`), or draws from distributions (as its `ParameterSampler`).

use crate::model_selection::{Distribution, Sample};
use crate::seeded_rng;

/// Every combination of the values of `axes` (each a key and its values), the first key's
/// varying slowest; each candidate lists its keys in the order of `axes`.
///
/// ```
/// use neurone::model_selection::grid;
///
/// let axes = [("l2".to_owned(), vec![0.0, 1e-4]), ("learning_rate".to_owned(), vec![0.1, 0.01])];
/// let candidates = grid(&axes);
/// assert_eq!(candidates.len(), 4);
/// assert_eq!(candidates[1], [("l2".to_owned(), 0.0), ("learning_rate".to_owned(), 0.01)]);
/// ```
pub fn grid<V: Clone>(axes: &[(String, Vec<V>)]) -> Vec<Vec<(String, V)>> {
    let mut candidates = vec![Vec::new()];
    for (key, values) in axes {
        candidates = candidates
            .iter()
            .flat_map(|candidate| {
                values.iter().map(move |value| [candidate.clone(), vec![(key.clone(), value.clone())]].concat())
            })
            .collect();
    }
    candidates
}

/// `count` candidates, each drawing from every distribution of `spaces` in turn, with a
/// generator seeded by `seed`: the same seed draws the same candidates.
pub fn random<V>(count: usize, spaces: &[(String, Distribution<V>)], seed: u64) -> Vec<Vec<(String, Sample<'_, V>)>> {
    let mut rng = seeded_rng(seed);
    (0..count)
        .map(|_| spaces.iter().map(|(key, distribution)| (key.clone(), distribution.sample(&mut rng))).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_gives_every_combination_first_key_slowest() {
        let axes = [("a".to_owned(), vec![1, 2]), ("b".to_owned(), vec![3, 4]), ("c".to_owned(), vec![5, 6])];
        let candidates = grid(&axes);
        let values: Vec<Vec<i32>> =
            candidates.iter().map(|candidate| candidate.iter().map(|(_, value)| *value).collect()).collect();
        assert_eq!(values[0], [1, 3, 5]);
        assert_eq!(values[1], [1, 3, 6]);
        assert_eq!(values[7], [2, 4, 6]);
        assert_eq!(values.len(), 8);
        assert!(candidates.iter().all(|candidate| candidate[0].0 == "a" && candidate[2].0 == "c"));
        assert_eq!(grid::<i32>(&[]), [Vec::new()], "no axis: one candidate, the base");
    }

    #[test]
    fn random_candidates_are_drawn_from_the_seed_within_their_space() {
        let spaces = [
            ("rate".to_owned(), Distribution::log_uniform(1e-4, 1e-1).unwrap()),
            ("layers".to_owned(), Distribution::choice(vec![16, 32]).unwrap()),
        ];
        let draw = |seed| format!("{:?}", random(20, &spaces, seed));
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        for candidate in random(20, &spaces, 7) {
            assert!(matches!(candidate[0].1, Sample::Number(rate) if (1e-4..1e-1).contains(&rate)));
            assert!(matches!(candidate[1].1, Sample::Choice(16 | 32)));
        }
    }
}
