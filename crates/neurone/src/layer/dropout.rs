//! Inverted dropout: in training, each value is kept with probability 1 − p and scaled by
//! 1/(1 − p), so that evaluation needs no rescaling; in evaluation it is the identity.

use rand::RngExt;

use crate::check::check_unit_interval;
use crate::{Error, Mode, Rng, Scalar};

/// A dropout layer over `features` values per sample.
#[derive(Clone, Debug)]
pub struct Dropout<S> {
    features: usize,
    probability: f64,
    /// Per value of the current batch: 0 if dropped, 1/(1 − p) if kept (1 in evaluation).
    mask: Vec<S>,
    output: Vec<S>,
    /// ∂J/∂output written by the layer above.
    delta: Vec<S>,
    rows: usize,
}

impl<S: Scalar> Dropout<S> {
    /// Drops each of `features` values with probability `probability` ∈ [0, 1) in training.
    pub fn new(features: usize, probability: f64) -> Result<Self, Error> {
        check_unit_interval("dropout", probability)?;
        Ok(Self { features, probability, mask: Vec::new(), output: Vec::new(), delta: Vec::new(), rows: 0 })
    }

    /// The probability p of dropping a value in training.
    pub fn probability(&self) -> f64 {
        self.probability
    }

    /// Width of the input and output.
    pub fn outputs(&self) -> usize {
        self.features
    }

    /// The current batch's mask: 0 for dropped values, 1/(1 − p) for kept ones.
    pub fn mask(&self) -> &[S] {
        &self.mask[..self.rows * self.features]
    }

    pub(crate) fn forward(&mut self, input: &[S], rows: usize, mode: Mode, rng: &mut Rng) {
        self.rows = rows;
        let n = rows * self.features;
        if self.mask.len() < n {
            self.mask.resize(n, S::ZERO);
            self.output.resize(n, S::ZERO);
            self.delta.resize(n, S::ZERO);
        }
        let mask = &mut self.mask[..n];
        if mode == Mode::Train && self.probability > 0.0 {
            let kept = S::from_f64(1.0 / (1.0 - self.probability));
            mask.iter_mut().for_each(|m| *m = if rng.random::<f64>() < self.probability { S::ZERO } else { kept });
        } else {
            mask.fill(S::ONE);
        }
        for ((out, &x), &m) in self.output[..n].iter_mut().zip(input).zip(mask.iter()) {
            *out = x * m;
        }
    }

    /// Evaluation mode: the identity.
    pub(crate) fn infer(&self, input: &[S], rows: usize, output: &mut [S]) {
        let n = rows * self.features;
        output[..n].copy_from_slice(&input[..n]);
    }

    pub(crate) fn output(&self) -> &[S] {
        &self.output[..self.rows * self.features]
    }

    pub(crate) fn output_and_delta_mut(&mut self) -> (&[S], &mut [S]) {
        let n = self.rows * self.features;
        (&self.output[..n], &mut self.delta[..n])
    }

    /// Gradients flow through kept values only: ∂J/∂x = ∂J/∂output ⊙ mask.
    pub(crate) fn backward(&mut self, input_gradient: Option<&mut [S]>) {
        if let Some(input_gradient) = input_gradient {
            let n = self.rows * self.features;
            for ((g, &d), &m) in input_gradient.iter_mut().zip(&self.delta[..n]).zip(&self.mask[..n]) {
                *g = d * m;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded_rng;

    #[test]
    fn probability_must_be_in_zero_one() {
        assert!(Dropout::<f32>::new(3, 1.0).is_err());
        assert!(Dropout::<f32>::new(3, -0.1).is_err());
        assert!(Dropout::<f32>::new(3, 0.0).is_ok());
    }

    #[test]
    fn evaluation_is_the_identity() {
        let mut dropout = Dropout::<f64>::new(4, 0.5).unwrap();
        let input = [1.0, -2.0, 3.0, 4.0];
        dropout.forward(&input, 1, Mode::Eval, &mut seeded_rng(0));
        assert_eq!(dropout.output(), &input);
        let mut output = [0.0; 4];
        dropout.infer(&input, 1, &mut output);
        assert_eq!(output, input);
    }

    #[test]
    fn training_keeps_the_right_fraction_and_preserves_the_mean() {
        let p = 0.3;
        let (rows, features) = (1000, 100);
        let mut dropout = Dropout::<f64>::new(features, p).unwrap();
        let input = vec![2.0; rows * features];
        dropout.forward(&input, rows, Mode::Train, &mut seeded_rng(1));
        let n = (rows * features) as f64;
        let kept = dropout.mask().iter().filter(|&&m| m > 0.0).count() as f64 / n;
        // 100 000 Bernoulli draws: the standard error of the kept fraction is about 0.0015.
        assert!((kept - (1.0 - p)).abs() < 0.01, "kept fraction {kept}");
        let mean = dropout.output().iter().sum::<f64>() / n;
        assert!((mean - 2.0).abs() < 0.03, "mean {mean} (inverted dropout keeps it at 2)");
        assert!(dropout.output().iter().all(|&v| v == 0.0 || (v - 2.0 / (1.0 - p)).abs() < 1e-12));
    }

    #[test]
    fn gradients_flow_only_through_kept_units() {
        let mut dropout = Dropout::<f64>::new(50, 0.5).unwrap();
        dropout.forward(&[1.0; 50], 1, Mode::Train, &mut seeded_rng(2));
        let (_, delta) = dropout.output_and_delta_mut();
        delta.fill(1.0);
        let mut input_gradient = [f64::NAN; 50];
        dropout.backward(Some(&mut input_gradient));
        for (g, m) in input_gradient.iter().zip(dropout.mask()) {
            assert_eq!(*g, *m, "gradient is the mask: 0 where dropped, 2 where kept");
        }
        assert!(dropout.mask().contains(&0.0) && dropout.mask().contains(&2.0));
    }
}
