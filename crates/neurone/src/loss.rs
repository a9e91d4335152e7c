//! Loss functions J: the value, and the output delta δ(L) = ∂J/∂z(L) that starts backpropagation.
//!
//! Scaling: every loss is **summed over a sample's outputs and averaged over the batch**. For
//! mean squared error this is the course's `J = ½‖a − y‖²` averaged over the n samples of the
//! batch, so ∂J/∂a = (a − y)/n. (PyTorch's `MSELoss` averages `(a − y)²` over samples *and*
//! outputs, without the ½: for one output its gradient is twice ours.)
//!
//! With per-sample weights wᵢ (scikit-learn's `sample_weight`), the batch's loss is the weighted
//! mean `Σ wᵢ Jᵢ / Σ wᵢ`, so a weight of 2 counts as the sample repeated; without them, wᵢ = 1.

use std::fmt;
use std::str::FromStr;

use crate::{Activation, Error, Scalar};

/// The quantity training minimises.
///
/// ```
/// use neurone::Loss;
/// assert_eq!("mse".parse::<Loss>().unwrap(), Loss::MeanSquaredError);
/// assert_eq!("huber(2)".parse::<Loss>().unwrap(), Loss::Huber { delta: 2.0 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loss {
    /// J = ½‖a − y‖², the course's loss for regression.
    MeanSquaredError,
    /// J = ‖a − y‖₁, robust to outliers.
    MeanAbsoluteError,
    /// J = Σᵢ ½rᵢ² where |rᵢ| ≤ δ, δ(|rᵢ| − ½δ) beyond, with r = a − y: quadratic near the target,
    /// linear far from it.
    Huber {
        /// Where the quadratic part turns linear (1 by default, as in PyTorch).
        delta: f64,
    },
    /// J = −Σᵢ [yᵢ ln aᵢ + (1 − yᵢ) ln(1 − aᵢ)], on a sigmoid output, computed from z for stability.
    BinaryCrossEntropy,
    /// J = −Σᵢ yᵢ ln aᵢ on a softmax output (from z with log-sum-exp where aᵢ underflows).
    CategoricalCrossEntropy,
    /// Half the Poisson deviance, J = Σᵢ yᵢ ln(yᵢ/aᵢ) − yᵢ + aᵢ, on an exp output a = eᶻ (the
    /// log link), for counts y ≥ 0; scikit-learn's `poisson` loss. From z: eᶻ − y z + y ln y − y.
    Poisson,
}

impl Loss {
    /// Every loss, Huber with its default δ: what the gradient checks go through, so that a new
    /// one is checked without anyone listing it again. (A unit test below fails to compile
    /// until a new variant is placed.)
    pub const ALL: [Loss; 6] = [
        Self::MeanSquaredError,
        Self::MeanAbsoluteError,
        Self::Huber { delta: 1.0 },
        Self::BinaryCrossEntropy,
        Self::CategoricalCrossEntropy,
        Self::Poisson,
    ];

    /// Checks that the output layer's activation suits this loss: binary cross-entropy needs a
    /// sigmoid output, categorical cross-entropy a softmax output.
    pub fn check_output(self, activation: Activation) -> Result<(), Error> {
        let needed = match self {
            Self::BinaryCrossEntropy => Activation::Sigmoid,
            Self::CategoricalCrossEntropy => Activation::Softmax,
            Self::Poisson => Activation::Exp,
            _ => return Ok(()),
        };
        if activation == needed {
            Ok(())
        } else {
            Err(Error::invalid(
                "loss",
                format!("{self} needs a {needed} output layer, but the output activation is {activation}"),
            ))
        }
    }

    /// J averaged over the batch, or its weighted mean `Σ wᵢ Jᵢ / Σ wᵢ` with one weight per
    /// sample (0 when every weight is 0: such a batch teaches nothing). `z` and `a` are the output
    /// layer's values before and after its activation, `y` the targets; each holds one row of
    /// `width` values per sample.
    pub fn value<S: Scalar>(self, z: &[S], a: &[S], y: &[S], width: usize, weights: Option<&[S]>) -> f64 {
        let Some(weights) = weights else {
            return self.total(z, a, y, width) / (a.len() / width) as f64;
        };
        let rows = z.chunks_exact(width).zip(a.chunks_exact(width)).zip(y.chunks_exact(width));
        let weighted: f64 = rows.zip(weights).map(|(((z, a), y), w)| w.to_f64() * self.total(z, a, y, width)).sum();
        let weight_sum = weight_sum(weights);
        if weight_sum > 0.0 { weighted / weight_sum } else { 0.0 }
    }

    /// J summed over the samples of `z`, `a` and `y` (whole rows of `width` values).
    fn total<S: Scalar>(self, z: &[S], a: &[S], y: &[S], width: usize) -> f64 {
        let pairs = || a.iter().zip(y).map(|(&a, &y)| (a.to_f64(), y.to_f64()));
        match self {
            Self::MeanSquaredError => pairs().map(|(a, y)| 0.5 * (a - y) * (a - y)).sum(),
            Self::MeanAbsoluteError => pairs().map(|(a, y)| (a - y).abs()).sum(),
            Self::Huber { delta } => pairs().map(|(a, y)| huber((a - y).abs(), delta)).sum(),
            // −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = max(z, 0) − z y + ln(1 + e^−|z|).
            Self::BinaryCrossEntropy => z
                .iter()
                .zip(y)
                .map(|(&z, &y)| {
                    let (z, y) = (z.to_f64(), y.to_f64());
                    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
                })
                .sum(),
            // e^z − y z + y ln y − y, with y ln y = 0 at y = 0: a = e^z is never taken to a
            // logarithm, so J stays finite wherever a does.
            Self::Poisson => z
                .iter()
                .zip(y)
                .map(|(&z, &y)| {
                    let (z, y) = (z.to_f64(), y.to_f64());
                    let y_ln_y = if y > 0.0 { y * y.ln() } else { 0.0 };
                    z.exp() - y * z + y_ln_y - y
                })
                .sum(),
            // −Σ yᵢ ln aᵢ with a = softmax(z), the output layer's: one logarithm per class
            // present, in the network's precision (as a is). Where aᵢ has underflowed (a
            // confident mistake), ln softmax(z)ᵢ = zᵢ − log-sum-exp(z) from the logits instead,
            // which stays finite.
            Self::CategoricalCrossEntropy => {
                let mut total = 0.0;
                let rows = z.chunks_exact(width).zip(a.chunks_exact(width)).zip(y.chunks_exact(width));
                for ((logits, a), y) in rows {
                    for ((&z, &a), &y) in logits.iter().zip(a).zip(y).filter(|(_, y)| **y != S::ZERO) {
                        total += y.to_f64()
                            * if a.to_f64() >= SMALLEST_PROBABILITY {
                                -a.ln().to_f64()
                            } else {
                                log_sum_exp(logits) - z.to_f64()
                            };
                    }
                }
                total
            }
        }
    }

    /// Writes δ(L) = ∂J/∂z(L) for the batch into `delta`: `∂J/∂a ⊙ σ'(z)`, except for the fused
    /// pairs (sigmoid, binary cross-entropy), (softmax, categorical cross-entropy) and (exp,
    /// Poisson: ∂J/∂a = 1 − y/a and σ'(z) = a) whose derivatives cancel to `δ(L) = a − y`. Averaging over the batch divides by n; with
    /// `weights`, sample i's row is scaled by wᵢ / Σ w instead.
    ///
    /// Assumes the pairing passed [`Loss::check_output`].
    pub fn output_delta<S: Scalar>(
        self,
        activation: Activation,
        (z, a, y): (&[S], &[S], &[S]),
        delta: &mut [S],
        width: usize,
        weights: Option<&[S]>,
    ) {
        let huber_delta = match self {
            Self::Huber { delta } => S::from_f64(delta),
            _ => S::ZERO,
        };
        let gradient = |a: S, y: S| {
            let residual = a - y;
            match self {
                Self::MeanSquaredError | Self::BinaryCrossEntropy | Self::CategoricalCrossEntropy | Self::Poisson => {
                    residual
                }
                Self::MeanAbsoluteError => sign(residual),
                Self::Huber { .. } => residual.max(-huber_delta).min(huber_delta),
            }
        };
        if let Some(weights) = weights {
            let weight_sum = weight_sum(weights);
            let rows = delta.chunks_exact_mut(width).zip(a.chunks_exact(width)).zip(y.chunks_exact(width));
            for (((delta, a), y), &w) in rows.zip(weights) {
                let scale = if weight_sum > 0.0 { S::from_f64(w.to_f64() / weight_sum) } else { S::ZERO };
                for ((delta, &a), &y) in delta.iter_mut().zip(a).zip(y) {
                    *delta = gradient(a, y) * scale;
                }
            }
        } else {
            let inverse_n = S::ONE / S::from_f64((a.len() / width) as f64);
            for ((delta, &a), &y) in delta.iter_mut().zip(a).zip(y) {
                *delta = gradient(a, y) * inverse_n;
            }
        }
        if !matches!(self, Self::BinaryCrossEntropy | Self::CategoricalCrossEntropy | Self::Poisson) {
            activation.backprop_in_place(z, a, delta, width);
        }
    }
}

/// Σ wᵢ, in f64.
fn weight_sum<S: Scalar>(weights: &[S]) -> f64 {
    weights.iter().map(|w| w.to_f64()).sum()
}

/// Huber's function of an absolute residual.
fn huber(residual: f64, delta: f64) -> f64 {
    if residual <= delta { 0.5 * residual * residual } else { delta * (residual - 0.5 * delta) }
}

/// −1, 0 or 1 (0 at 0, the subgradient PyTorch uses for |x|).
fn sign<S: Scalar>(value: S) -> S {
    if value > S::ZERO {
        S::ONE
    } else if value < S::ZERO {
        -S::ONE
    } else {
        S::ZERO
    }
}

/// Below this, a probability computed in `f32` has lost digits to underflow (it is near
/// `f32::MIN_POSITIVE`), and its logarithm is taken from the logits instead.
const SMALLEST_PROBABILITY: f64 = 1e-30;

/// ln Σ e^zᵢ, shifted by the maximum so that nothing overflows.
fn log_sum_exp<S: Scalar>(z: &[S]) -> f64 {
    let max = z.iter().map(|z| z.to_f64()).fold(f64::NEG_INFINITY, f64::max);
    max + z.iter().map(|&z| (z.to_f64() - max).exp()).sum::<f64>().ln()
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MeanSquaredError => f.write_str("mse"),
            Self::MeanAbsoluteError => f.write_str("mae"),
            Self::Huber { delta } => write!(f, "huber({delta})"),
            Self::BinaryCrossEntropy => f.write_str("binary_cross_entropy"),
            Self::CategoricalCrossEntropy => f.write_str("cross_entropy"),
            Self::Poisson => f.write_str("poisson"),
        }
    }
}

impl FromStr for Loss {
    type Err = Error;

    /// Parses a name as printed by `Display` (or its long form); `huber` takes an optional δ.
    fn from_str(text: &str) -> Result<Self, Error> {
        let (name, argument) = crate::parse::name_and_argument("loss", text)?;
        let loss = match name {
            "mse" | "mean_squared_error" => Self::MeanSquaredError,
            "mae" | "mean_absolute_error" => Self::MeanAbsoluteError,
            "huber" => Self::Huber { delta: argument.unwrap_or(1.0) },
            "bce" | "binary_cross_entropy" => Self::BinaryCrossEntropy,
            "cross_entropy" | "categorical_cross_entropy" => Self::CategoricalCrossEntropy,
            "poisson" => Self::Poisson,
            _ => {
                return Err(Error::invalid(
                    "loss",
                    format!(
                        "unknown loss `{text}`; expected one of mse, mae, huber, binary_cross_entropy, cross_entropy, poisson"
                    ),
                ));
            }
        };
        match (loss, argument) {
            (Self::Huber { delta }, _) if delta <= 0.0 => {
                Err(Error::invalid("loss", format!("huber's δ must be positive, got {delta}")))
            }
            (Self::Huber { .. }, _) | (_, None) => Ok(loss),
            (_, Some(_)) => Err(Error::invalid("loss", format!("`{name}` takes no parameter"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_holds_every_loss_once_in_order() {
        // Exhaustive: a new loss does not compile here until it has the next position, which
        // `Loss::ALL` must then hold.
        let position = |loss: Loss| match loss {
            Loss::MeanSquaredError => 0,
            Loss::MeanAbsoluteError => 1,
            Loss::Huber { .. } => 2,
            Loss::BinaryCrossEntropy => 3,
            Loss::CategoricalCrossEntropy => 4,
            Loss::Poisson => 5,
        };
        assert!(Loss::ALL.into_iter().map(position).eq(0..6));
        assert_eq!("huber".parse::<Loss>().unwrap(), Loss::ALL[2], "Huber at its default δ");
    }

    fn value(loss: Loss, z: &[f64], a: &[f64], y: &[f64], width: usize) -> f64 {
        loss.value(z, a, y, width, None)
    }

    #[test]
    fn values_match_hand_computed_ones() {
        // Two samples, two outputs each: residuals (1, −2) and (0.5, 3).
        let a = [1.0, 0.0, 2.5, 4.0];
        let y = [0.0, 2.0, 2.0, 1.0];
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(value(Loss::MeanSquaredError, &a, &a, &y, 2), (0.5 * (1.0 + 4.0) + 0.5 * (0.25 + 9.0)) / 2.0));
        assert!(close(value(Loss::MeanAbsoluteError, &a, &a, &y, 2), (3.0 + 3.5) / 2.0));
        let huber = (0.5 + (2.0 - 0.5)) + (0.125 + (3.0 - 0.5));
        assert!(close(value(Loss::Huber { delta: 1.0 }, &a, &a, &y, 2), huber / 2.0));
    }

    #[test]
    fn cross_entropies_match_their_definitions() {
        let z = [0.3, -1.2, 2.0];
        let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
        let y = [1.0, 0.0, 1.0];
        let expected: f64 =
            z.iter().zip(&y).map(|(&z, &y)| -(y * sigmoid(z).ln() + (1.0 - y) * (1.0 - sigmoid(z)).ln())).sum();
        assert!((value(Loss::BinaryCrossEntropy, &z, &[0.0; 3], &y, 1) - expected / 3.0).abs() < 1e-12);

        let total: f64 = z.iter().map(|z| z.exp()).sum();
        let one_hot = [0.0, 0.0, 1.0];
        let expected = -(2.0f64.exp() / total).ln();
        let mut a = z;
        Activation::Softmax.apply_in_place(&mut a, 3);
        assert!((value(Loss::CategoricalCrossEntropy, &z, &a, &one_hot, 3) - expected).abs() < 1e-12);
        // From the logits alone where the probabilities are zero (underflowed), the same J.
        assert!((value(Loss::CategoricalCrossEntropy, &z, &[0.0; 3], &one_hot, 3) - expected).abs() < 1e-12);
    }

    #[test]
    fn poisson_is_half_the_deviance_of_scikit_learn() {
        // scikit-learn's poisson_loss: mean over samples of xlogy(y, y/a) − y + a.
        let z: [f64; 3] = [0.5, -1.0, 2.0];
        let y = [1.0, 0.0, 3.0];
        let expected: f64 = z
            .iter()
            .zip(&y)
            .map(|(&z, &y): (&f64, &f64)| {
                let a = z.exp();
                (if y > 0.0 { y * (y / a).ln() } else { 0.0 }) - y + a
            })
            .sum();
        let a = z.map(f64::exp);
        assert!((value(Loss::Poisson, &z, &a, &y, 1) - expected / 3.0).abs() < 1e-12);
        assert!(Loss::Poisson.check_output(Activation::Identity).is_err());
        assert!(Loss::Poisson.check_output(Activation::Exp).is_ok());
    }

    #[test]
    fn cross_entropy_in_f32_is_within_rounding_of_its_f64_value() {
        let z = [0.3f32, -1.2, 2.0, 4.0, -3.0, 0.5];
        let y = [0.0f32, 1.0, 0.0, 0.0, 0.0, 1.0];
        let mut a = z;
        Activation::Softmax.apply_in_place(&mut a, 3);
        let z64 = z.map(f64::from);
        let mut a64 = z64;
        Activation::Softmax.apply_in_place(&mut a64, 3);
        let exact = Loss::CategoricalCrossEntropy.value(&z64, &a64, &y.map(f64::from), 3, None);
        let rounded = Loss::CategoricalCrossEntropy.value(&z, &a, &y, 3, None);
        assert!((rounded - exact).abs() < 1e-6 * exact, "{rounded} vs {exact}");
    }

    #[test]
    fn cross_entropies_stay_finite_on_extreme_logits() {
        assert!(value(Loss::BinaryCrossEntropy, &[1000.0, -1000.0], &[0.0; 2], &[0.0, 1.0], 1).is_finite());
        let ce = value(Loss::CategoricalCrossEntropy, &[1000.0, -1000.0], &[0.0; 2], &[0.0, 1.0], 2);
        assert!((ce - 2000.0).abs() < 1e-9, "{ce}");
    }

    #[test]
    fn fused_output_delta_is_p_minus_y_over_n() {
        let z = [0.1, 0.2, 0.7, 0.0, 0.0, 0.0];
        let mut a = z;
        Activation::Softmax.apply_in_place(&mut a, 3);
        let y = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0];
        let mut delta = [0.0; 6];
        Loss::CategoricalCrossEntropy.output_delta(Activation::Softmax, (&z, &a, &y), &mut delta, 3, None);
        for i in 0..6 {
            assert!((delta[i] - (a[i] - y[i]) / 2.0).abs() < 1e-15);
        }
    }

    /// J of a batch of logits `z` through `activation`, with `weights`.
    fn weighted_value(loss: Loss, activation: Activation, z: &[f64], y: &[f64], width: usize, weights: &[f64]) -> f64 {
        let mut a = z.to_vec();
        activation.apply_in_place(&mut a, width);
        loss.value(z, &a, y, width, Some(weights))
    }

    #[test]
    fn weighted_output_delta_matches_finite_differences() {
        // Three samples of two outputs, one weighted 0 and one 2.5: δ(L) against central
        // differences of the weighted J, in f64, for every loss and a suitable output.
        let z = [0.3, -1.2, 2.0, 0.4, -0.7, 0.9];
        let y = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
        let weights = [1.0, 0.0, 2.5];
        for (loss, activation) in [
            (Loss::MeanSquaredError, Activation::Tanh),
            (Loss::MeanAbsoluteError, Activation::Identity),
            (Loss::Huber { delta: 0.5 }, Activation::Identity),
            (Loss::BinaryCrossEntropy, Activation::Sigmoid),
            (Loss::CategoricalCrossEntropy, Activation::Softmax),
            (Loss::Poisson, Activation::Exp),
        ] {
            let mut a = z.to_vec();
            activation.apply_in_place(&mut a, 2);
            let mut delta = [0.0; 6];
            loss.output_delta(activation, (&z, &a, &y), &mut delta, 2, Some(&weights));
            for i in 0..z.len() {
                let h = 1e-6;
                let (mut up, mut down) = (z, z);
                (up[i], down[i]) = (z[i] + h, z[i] - h);
                let numeric = (weighted_value(loss, activation, &up, &y, 2, &weights)
                    - weighted_value(loss, activation, &down, &y, 2, &weights))
                    / (2.0 * h);
                assert!((numeric - delta[i]).abs() < 1e-8, "{loss} at {i}: {numeric} vs {}", delta[i]);
            }
            assert!(delta[2..4].iter().all(|&d| d == 0.0), "{loss}: a sample of weight 0 has no gradient");
        }
    }

    #[test]
    fn a_weight_of_two_counts_as_the_sample_repeated() {
        let (z, y) = ([0.3, -1.2, 2.0], [1.0, 0.0, 0.5]);
        let (repeated_z, repeated_y) = ([0.3, -1.2, -1.2, 2.0], [1.0, 0.0, 0.0, 0.5]);
        for loss in [Loss::MeanSquaredError, Loss::MeanAbsoluteError, Loss::BinaryCrossEntropy] {
            let weighted = loss.value(&z, &z, &y, 1, Some(&[1.0, 2.0, 1.0]));
            let repeated = loss.value(&repeated_z, &repeated_z, &repeated_y, 1, None);
            assert!((weighted - repeated).abs() < 1e-12, "{loss}: {weighted} vs {repeated}");
            let unit = loss.value(&z, &z, &y, 1, Some(&[1.0; 3]));
            assert!((unit - loss.value(&z, &z, &y, 1, None)).abs() < 1e-12, "{loss}: weights of 1 are no weights");
        }
        // A batch whose weights are all zero teaches nothing: J = 0 and δ(L) = 0, not NaN.
        let mut delta = [1.0; 3];
        Loss::MeanSquaredError.output_delta(Activation::Identity, (&z, &z, &y), &mut delta, 1, Some(&[0.0; 3]));
        assert_eq!((Loss::MeanSquaredError.value(&z, &z, &y, 1, Some(&[0.0; 3])), delta), (0.0, [0.0; 3]));
    }

    #[test]
    fn mismatched_output_activations_are_rejected() {
        let error = Loss::CategoricalCrossEntropy.check_output(Activation::Sigmoid).unwrap_err();
        assert!(error.to_string().contains("needs a softmax output layer"), "{error}");
        assert!(Loss::BinaryCrossEntropy.check_output(Activation::Tanh).is_err());
        assert!(Loss::MeanSquaredError.check_output(Activation::Softmax).is_ok());
    }

    #[test]
    fn names_round_trip_and_bad_ones_are_errors() {
        for loss in [
            Loss::MeanSquaredError,
            Loss::MeanAbsoluteError,
            Loss::Huber { delta: 0.5 },
            Loss::BinaryCrossEntropy,
            Loss::CategoricalCrossEntropy,
            Loss::Poisson,
        ] {
            assert_eq!(loss.to_string().parse::<Loss>().unwrap(), loss);
        }
        assert!("huber(-1)".parse::<Loss>().is_err());
        assert!("mse(2)".parse::<Loss>().is_err());
        assert!("hinge".parse::<Loss>().unwrap_err().to_string().contains("unknown loss `hinge`"));
    }
}
