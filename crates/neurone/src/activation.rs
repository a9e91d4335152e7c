//! Activation functions σ: the value `a = σ(z)` and the derivative `σ'(z)`.

use std::fmt;
use std::str::FromStr;

use crate::kernels::for_each_piece;
use crate::{Error, Scalar};

/// √(2/π), for the tanh form of GELU.
const GELU_SCALE: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the tanh form of GELU.
const GELU_CUBIC: f64 = 0.044_715;

/// The non-linearity σ applied after a dense layer's affine map: `a = σ(z)`.
///
/// All but [`Activation::Softmax`] act on each value separately; softmax normalises each
/// sample's row so that it sums to one.
///
/// ```
/// use neurone::Activation;
/// let relu: Activation = "relu".parse().unwrap();
/// assert_eq!(relu, Activation::Relu);
/// assert_eq!("leaky_relu(0.1)".parse::<Activation>().unwrap(), Activation::LeakyRelu { slope: 0.1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// σ(z) = z, for regression outputs.
    Identity,
    /// σ(z) = 1 / (1 + e⁻ᶻ).
    Sigmoid,
    /// σ(z) = tanh z.
    Tanh,
    /// σ(z) = max(z, 0).
    Relu,
    /// σ(z) = z for z > 0, `slope`·z otherwise.
    LeakyRelu {
        /// The slope for negative inputs (0.01 by default, as in PyTorch).
        slope: f64,
    },
    /// σ(z) = z for z > 0, α(eᶻ − 1) otherwise.
    Elu {
        /// The saturation value −α for very negative inputs (1 by default).
        alpha: f64,
    },
    /// σ(z) = ln(1 + eᶻ), a smooth ReLU.
    Softplus,
    /// GELU in its tanh approximation (PyTorch's `approximate="tanh"`):
    /// σ(z) = ½ z (1 + tanh(√(2/π) (z + 0.044715 z³))).
    Gelu,
    /// σ(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ over each sample's row, for class probabilities.
    Softmax,
    /// σ(z) = eᶻ, the inverse of the log link: positive outputs for counts and rates, paired
    /// with the Poisson loss.
    Exp,
}

impl Activation {
    /// Every activation, the parameterised ones with their default parameter: what the gradient
    /// checks and property tests go through, so that a new one is checked without anyone
    /// listing it again. (A unit test below fails to compile until a new variant is placed.)
    pub const ALL: [Activation; 10] = [
        Self::Identity,
        Self::Sigmoid,
        Self::Tanh,
        Self::Relu,
        Self::LeakyRelu { slope: 0.01 },
        Self::Elu { alpha: 1.0 },
        Self::Softplus,
        Self::Gelu,
        Self::Softmax,
        Self::Exp,
    ];

    /// True for the ReLU family (ReLU, leaky ReLU, ELU, softplus, GELU), which He initialisation suits.
    pub fn is_relu_like(self) -> bool {
        matches!(self, Self::Relu | Self::LeakyRelu { .. } | Self::Elu { .. } | Self::Softplus | Self::Gelu)
    }

    /// a = σ(z) for a batch whose rows are `width` values long, written into `a`: in one pass
    /// for ReLU (the common hidden layer), else as a copy then [`Self::apply_in_place`].
    pub(crate) fn apply<S: Scalar>(self, z: &[S], a: &mut [S], width: usize) {
        if self == Self::Relu {
            for_each_piece(
                (z, a),
                #[inline(always)]
                |(z, a): (&[S], &mut [S])| a.iter_mut().zip(z).for_each(|(a, &z)| *a = Self::Relu.value(z)),
            );
        } else {
            a.copy_from_slice(z);
            self.apply_in_place(a, width);
        }
    }

    /// a = σ(z) for one sample's row, written to inline into a pass over the sample: the common
    /// activations' loop there, the others through [`Self::apply`] (the same bits either way).
    #[inline(always)]
    pub(crate) fn apply_to_row<S: Scalar>(self, z: &[S], a: &mut [S]) {
        match self {
            Self::Identity => a.copy_from_slice(z),
            Self::Tanh => a.iter_mut().zip(z).for_each(|(a, &z)| *a = Self::Tanh.value(z)),
            Self::Relu => a.iter_mut().zip(z).for_each(|(a, &z)| *a = Self::Relu.value(z)),
            _ => self.apply(z, a, z.len()),
        }
    }

    /// a = σ(z), computed in place over a batch whose rows are `width` values long.
    pub fn apply_in_place<S: Scalar>(self, values: &mut [S], width: usize) {
        match self {
            Self::Identity => {}
            Self::Softmax => softmax_rows(values, width),
            // The common activations get a loop each, with `self` known inside, so that it
            // compiles to straight SIMD code rather than a `match` per value.
            Self::Tanh => {
                // tanh's rational approximation is worth 8-lane registers and both cores.
                for_each_piece(
                    values,
                    #[inline(always)]
                    |values: &mut [S]| values.iter_mut().for_each(|value| *value = Self::Tanh.value(*value)),
                );
            }
            Self::Relu => values.iter_mut().for_each(|value| *value = Self::Relu.value(*value)),
            _ => values.iter_mut().for_each(|value| *value = self.value(*value)),
        }
    }

    /// [`Self::backprop_in_place`] for one sample's row, written to inline into a pass over the
    /// sample as [`Self::apply_to_row`] is.
    #[inline(always)]
    pub(crate) fn backprop_row<S: Scalar>(self, z: &[S], a: &[S], gradient: &mut [S]) {
        match self {
            Self::Identity => {}
            Self::Tanh => backprop_elementwise(Self::Tanh, z, a, gradient),
            Self::Relu => backprop_elementwise(Self::Relu, z, a, gradient),
            _ => self.backprop_in_place(z, a, gradient, z.len()),
        }
    }

    /// Turns `gradient`, holding ∂J/∂a on entry, into δ = ∂J/∂z: `∂J/∂a ⊙ σ'(z)` element-wise,
    /// or for softmax the Jacobian product `δᵢ = aᵢ (gᵢ − Σⱼ gⱼ aⱼ)` row by row.
    pub fn backprop_in_place<S: Scalar>(self, z: &[S], a: &[S], gradient: &mut [S], width: usize) {
        match self {
            Self::Identity => {}
            Self::Softmax => {
                for (g, a) in gradient.chunks_exact_mut(width).zip(a.chunks_exact(width)) {
                    let g_dot_a: S = g.iter().zip(a).map(|(&g, &a)| g * a).sum();
                    g.iter_mut().zip(a).for_each(|(g, &a)| *g = a * (*g - g_dot_a));
                }
            }
            Self::Tanh => backprop_elementwise(Self::Tanh, z, a, gradient),
            // ReLU's passes are most of a small network's element-wise work: 8-lane registers.
            Self::Relu => for_each_piece(
                (z, a, gradient),
                #[inline(always)]
                |(z, a, gradient): (&[S], &[S], &mut [S])| backprop_elementwise(Self::Relu, z, a, gradient),
            ),
            _ => backprop_elementwise(self, z, a, gradient),
        }
    }

    /// σ(z) for one value of an element-wise activation.
    #[inline(always)]
    fn value<S: Scalar>(self, z: S) -> S {
        let zero = S::ZERO;
        match self {
            Self::Identity => z,
            Self::Sigmoid => sigmoid(z),
            Self::Tanh => z.tanh(),
            Self::Relu => z.max(zero),
            Self::LeakyRelu { slope } => {
                if z > zero {
                    z
                } else {
                    S::from_f64(slope) * z
                }
            }
            Self::Elu { alpha } => {
                if z > zero {
                    z
                } else {
                    S::from_f64(alpha) * (z.exp() - S::ONE)
                }
            }
            // ln(1 + eᶻ) = max(z, 0) + ln(1 + e^−|z|), which never overflows.
            Self::Softplus => z.max(zero) + (-z.abs()).exp().ln_1p(),
            Self::Gelu => {
                let u = S::from_f64(GELU_SCALE) * (z + S::from_f64(GELU_CUBIC) * z * z * z);
                S::from_f64(0.5) * z * (S::ONE + u.tanh())
            }
            Self::Exp => z.exp(),
            Self::Softmax => unreachable!("softmax is applied row by row"),
        }
    }

    /// σ'(z) for one value of an element-wise activation, given also a = σ(z) where that is cheaper.
    #[inline(always)]
    fn derivative<S: Scalar>(self, z: S, a: S) -> S {
        let (zero, one) = (S::ZERO, S::ONE);
        match self {
            Self::Identity => one,
            Self::Sigmoid => a * (one - a),
            Self::Tanh => one - a * a,
            Self::Relu => {
                if z > zero {
                    one
                } else {
                    zero
                }
            }
            Self::LeakyRelu { slope } => {
                if z > zero {
                    one
                } else {
                    S::from_f64(slope)
                }
            }
            // α(eᶻ − 1) differentiates to αeᶻ = a + α.
            Self::Elu { alpha } => {
                if z > zero {
                    one
                } else {
                    a + S::from_f64(alpha)
                }
            }
            Self::Softplus => sigmoid(z),
            Self::Gelu => {
                let (scale, cubic) = (S::from_f64(GELU_SCALE), S::from_f64(GELU_CUBIC));
                let t = (scale * (z + cubic * z * z * z)).tanh();
                let du_dz = scale * (one + S::from_f64(3.0) * cubic * z * z);
                S::from_f64(0.5) * (one + t) + S::from_f64(0.5) * z * (one - t * t) * du_dz
            }
            Self::Exp => a,
            Self::Softmax => unreachable!("softmax is differentiated row by row"),
        }
    }
}

/// `gradient ← gradient ⊙ σ'(z)` for an element-wise activation. Called with a constant
/// `activation` for the common ones, so that the `match` in `derivative` folds away.
#[inline(always)]
fn backprop_elementwise<S: Scalar>(activation: Activation, z: &[S], a: &[S], gradient: &mut [S]) {
    for ((g, &z), &a) in gradient.iter_mut().zip(z).zip(a) {
        *g *= activation.derivative(z, a);
    }
}

/// The logistic function, written so that e^−|z| never overflows.
pub(crate) fn sigmoid<S: Scalar>(z: S) -> S {
    if z >= S::ZERO {
        S::ONE / (S::ONE + (-z).exp())
    } else {
        let e = z.exp();
        e / (S::ONE + e)
    }
}

/// Softmax of each row of `width` values, shifted by the row's maximum so that no exponential
/// overflows. The exponentials are taken over the whole batch at once: rows of a few classes
/// would leave 8-lane registers mostly empty.
fn softmax_rows<S: Scalar>(values: &mut [S], width: usize) {
    for row in values.chunks_exact_mut(width) {
        let max = row.iter().copied().fold(row[0], S::max);
        row.iter_mut().for_each(|value| *value -= max);
    }
    for_each_piece(
        &mut *values,
        #[inline(always)]
        |values: &mut [S]| values.iter_mut().for_each(|value| *value = value.exp()),
    );
    for row in values.chunks_exact_mut(width) {
        let sum = row.iter().fold(S::ZERO, |sum, &value| sum + value);
        row.iter_mut().for_each(|value| *value /= sum);
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Identity => f.write_str("identity"),
            Self::Sigmoid => f.write_str("sigmoid"),
            Self::Tanh => f.write_str("tanh"),
            Self::Relu => f.write_str("relu"),
            Self::LeakyRelu { slope } => write!(f, "leaky_relu({slope})"),
            Self::Elu { alpha } => write!(f, "elu({alpha})"),
            Self::Softplus => f.write_str("softplus"),
            Self::Gelu => f.write_str("gelu"),
            Self::Softmax => f.write_str("softmax"),
            Self::Exp => f.write_str("exp"),
        }
    }
}

impl FromStr for Activation {
    type Err = Error;

    /// Parses a name as printed by `Display`; `leaky_relu` and `elu` take an optional
    /// parameter in parentheses.
    fn from_str(text: &str) -> Result<Self, Error> {
        let (name, argument) = crate::parse::name_and_argument("activation", text)?;
        let activation = match name {
            "identity" | "linear" => Self::Identity,
            "sigmoid" | "logistic" => Self::Sigmoid,
            "tanh" => Self::Tanh,
            "relu" => Self::Relu,
            "leaky_relu" => Self::LeakyRelu { slope: argument.unwrap_or(0.01) },
            "elu" => Self::Elu { alpha: argument.unwrap_or(1.0) },
            "softplus" => Self::Softplus,
            "gelu" => Self::Gelu,
            "softmax" => Self::Softmax,
            "exp" => Self::Exp,
            _ => {
                return Err(Error::invalid(
                    "activation",
                    format!(
                        "unknown activation `{text}`; expected one of identity, sigmoid, tanh, relu, \
                         leaky_relu, elu, softplus, gelu, softmax, exp"
                    ),
                ));
            }
        };
        let takes_argument = matches!(activation, Self::LeakyRelu { .. } | Self::Elu { .. });
        if argument.is_some() && !takes_argument {
            return Err(Error::invalid("activation", format!("`{name}` takes no parameter")));
        }
        Ok(activation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_holds_every_activation_once_in_order() {
        // Exhaustive: a new activation does not compile here until it has the next position,
        // which `Activation::ALL` must then hold.
        let position = |activation: Activation| match activation {
            Activation::Identity => 0,
            Activation::Sigmoid => 1,
            Activation::Tanh => 2,
            Activation::Relu => 3,
            Activation::LeakyRelu { .. } => 4,
            Activation::Elu { .. } => 5,
            Activation::Softplus => 6,
            Activation::Gelu => 7,
            Activation::Softmax => 8,
            Activation::Exp => 9,
        };
        assert!(Activation::ALL.into_iter().map(position).eq(0..10));
        let defaults = ["leaky_relu", "elu"].map(|name| name.parse::<Activation>().unwrap());
        assert_eq!(defaults, [Activation::ALL[4], Activation::ALL[5]], "the parameterised ones at their defaults");
    }

    fn apply(activation: Activation, z: &[f64]) -> Vec<f64> {
        let mut a = z.to_vec();
        activation.apply_in_place(&mut a, z.len());
        a
    }

    #[test]
    fn values_match_hand_computed_ones() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(apply(Activation::Sigmoid, &[0.0])[0], 0.5));
        assert!(close(apply(Activation::Sigmoid, &[2.0])[0], 1.0 / (1.0 + (-2.0f64).exp())));
        assert!(close(apply(Activation::Tanh, &[0.5])[0], 0.5f64.tanh()));
        assert_eq!(apply(Activation::Relu, &[-2.0, 3.0]), [0.0, 3.0]);
        assert_eq!(apply(Activation::LeakyRelu { slope: 0.1 }, &[-2.0, 3.0]), [-0.2, 3.0]);
        assert!(close(apply(Activation::Elu { alpha: 0.7 }, &[-1.0])[0], 0.7 * ((-1.0f64).exp() - 1.0)));
        assert!(close(apply(Activation::Softplus, &[1.0])[0], (1.0 + 1.0f64.exp()).ln()));
        // GELU(1) in the tanh approximation, from PyTorch's documented formula.
        let u = (2.0 / std::f64::consts::PI).sqrt() * (1.0 + 0.044715);
        assert!(close(apply(Activation::Gelu, &[1.0])[0], 0.5 * (1.0 + u.tanh())));
        let softmax = apply(Activation::Softmax, &[1.0, 2.0, 3.0]);
        let total: f64 = [1.0f64, 2.0, 3.0].iter().map(|z| z.exp()).sum();
        assert!(close(softmax[2], 3.0f64.exp() / total));
    }

    #[test]
    fn extreme_inputs_stay_finite() {
        // All but exp, whose output is unbounded by design (e¹⁰⁰⁰ overflows, as in every library).
        for activation in Activation::ALL.into_iter().filter(|&activation| activation != Activation::Exp) {
            let a = apply(activation, &[-1000.0, 0.0, 1000.0]);
            assert!(a.iter().all(|v| v.is_finite()), "{activation}: {a:?}");
        }
        assert_eq!(apply(Activation::Exp, &[-1000.0, 0.0, 700.0])[..2], [0.0, 1.0]);
        assert_eq!(apply(Activation::Softmax, &[1000.0, 0.0, -1000.0])[0], 1.0);
    }

    #[test]
    fn derivatives_match_central_differences() {
        let h = 1e-6;
        for activation in Activation::ALL {
            let z = [-1.3, -0.4, 0.2, 0.9, 2.1];
            let a = apply(activation, &z);
            // Differentiate J = Σ wᵢ aᵢ with uneven weights, so softmax's Jacobian is exercised.
            let weights = [0.3, -1.1, 0.8, 0.5, -0.2];
            let mut delta = weights.to_vec();
            activation.backprop_in_place(&z, &a, &mut delta, z.len());
            for i in 0..z.len() {
                let objective = |shift: f64| {
                    let mut zs = z;
                    zs[i] += shift;
                    apply(activation, &zs).iter().zip(&weights).map(|(a, w)| a * w).sum::<f64>()
                };
                let numeric = (objective(h) - objective(-h)) / (2.0 * h);
                assert!((numeric - delta[i]).abs() < 1e-8, "{activation} at z={}: {numeric} vs {}", z[i], delta[i]);
            }
        }
    }

    #[test]
    fn names_round_trip_through_display_and_parse() {
        for activation in Activation::ALL {
            assert_eq!(activation.to_string().parse::<Activation>().unwrap(), activation);
        }
    }

    #[test]
    fn unknown_names_and_stray_parameters_are_errors() {
        let error = "sigmoidd".parse::<Activation>().unwrap_err().to_string();
        assert!(error.contains("unknown activation `sigmoidd`"), "{error}");
        let error = "tanh(2)".parse::<Activation>().unwrap_err().to_string();
        assert!(error.contains("takes no parameter"), "{error}");
    }
}
