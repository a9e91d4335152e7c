//! The course's regression example: y = sin x on [0, 2π].

use std::f64::consts::TAU;

use rand::RngExt;

use crate::{Dataset, Matrix, Rng, Scalar};

/// `samples` points with x drawn uniformly from [0, 2π] and y = sin x.
///
/// ```
/// let data = neurone::datasets::sine::<f32>(500, &mut neurone::seeded_rng(0));
/// assert_eq!(data.len(), 500);
/// ```
pub fn sine<S: Scalar>(samples: usize, rng: &mut Rng) -> Dataset<S> {
    let x: Vec<f64> = (0..samples).map(|_| rng.random_range(0.0..=TAU)).collect();
    from_x(&x)
}

/// `points` evenly spaced x from 0 to 2π inclusive, with y = sin x: the grid a fit is judged on.
pub fn sine_grid<S: Scalar>(points: usize) -> Dataset<S> {
    let step = if points > 1 { TAU / (points - 1) as f64 } else { 0.0 };
    let x: Vec<f64> = (0..points).map(|i| i as f64 * step).collect();
    from_x(&x)
}

fn from_x<S: Scalar>(x: &[f64]) -> Dataset<S> {
    let inputs: Vec<S> = x.iter().map(|&x| S::from_f64(x)).collect();
    let targets: Vec<S> = x.iter().map(|&x| S::from_f64(x.sin())).collect();
    Dataset::new(Matrix::column(&inputs), Matrix::column(&targets)).expect("one target per input")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded_rng;

    #[test]
    fn samples_lie_on_the_curve_within_the_interval() {
        let data = sine::<f64>(200, &mut seeded_rng(5));
        for (x, y) in data.inputs().as_slice().iter().zip(data.targets().as_slice()) {
            assert!((0.0..=TAU).contains(x));
            assert_eq!(*y, x.sin());
        }
    }

    #[test]
    fn grid_spans_zero_to_two_pi() {
        let grid = sine_grid::<f64>(1000);
        assert_eq!(grid.len(), 1000);
        assert_eq!(grid.inputs()[(0, 0)], 0.0);
        assert!((grid.inputs()[(999, 0)] - TAU).abs() < 1e-12);
    }
}
