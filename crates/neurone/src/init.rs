//! Weight initialisers: how `W` and `b` are drawn before training.

use std::fmt;
use std::str::FromStr;

use rand::RngExt;
use rand_distr::{Distribution, Normal};

use crate::{Activation, Error, Rng, Scalar};

/// How a parameter tensor is filled before training. `fan_in` and `fan_out` are the layer's
/// input and output widths.
///
/// ```
/// use neurone::{Activation, Init};
/// assert_eq!(Init::default_for(Activation::Relu), Init::HeUniform);
/// assert_eq!(Init::default_for(Activation::Tanh), Init::XavierUniform);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// Glorot & Bengio (2010): U(−l, l) with l = √(6 / (fan_in + fan_out)).
    XavierUniform,
    /// Glorot & Bengio (2010): N(0, 2 / (fan_in + fan_out)).
    XavierNormal,
    /// He et al. (2015): U(−l, l) with l = √(6 / fan_in).
    HeUniform,
    /// He et al. (2015): N(0, 2 / fan_in).
    HeNormal,
    /// LeCun (1998): N(0, 1 / fan_in), suited to SELU-like activations.
    LecunNormal,
    /// N(0, σ²) with a fixed standard deviation σ whatever the layer's size (PyTorch's
    /// `nn.init.normal_`): the naive choice the scaled initialisers above improve on.
    Normal(f64),
    /// All zeros (the default for biases).
    Zeros,
    /// Every value set to the given constant.
    Constant(f64),
}

impl Init {
    /// The usual choice for weights feeding `activation`: He for the ReLU family (keeps the
    /// variance of `a` constant through layers that zero half their inputs), Xavier otherwise.
    pub fn default_for(activation: Activation) -> Self {
        if activation.is_relu_like() { Self::HeUniform } else { Self::XavierUniform }
    }

    /// Fills `values` for a layer with the given fan-in and fan-out, drawing from `rng`.
    pub fn fill<S: Scalar>(self, values: &mut [S], fan_in: usize, fan_out: usize, rng: &mut Rng) {
        let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
        let uniform = |limit: f64, values: &mut [S], rng: &mut Rng| {
            values.iter_mut().for_each(|v| *v = S::from_f64(rng.random_range(-limit..=limit)));
        };
        let normal = |std_dev: f64, values: &mut [S], rng: &mut Rng| {
            let distribution = Normal::new(0.0, std_dev).expect("a finite, positive standard deviation");
            values.iter_mut().for_each(|v| *v = S::from_f64(distribution.sample(rng)));
        };
        match self {
            Self::XavierUniform => uniform((6.0 / (fan_in + fan_out)).sqrt(), values, rng),
            Self::XavierNormal => normal((2.0 / (fan_in + fan_out)).sqrt(), values, rng),
            Self::HeUniform => uniform((6.0 / fan_in).sqrt(), values, rng),
            Self::HeNormal => normal((2.0 / fan_in).sqrt(), values, rng),
            Self::LecunNormal => normal((1.0 / fan_in).sqrt(), values, rng),
            Self::Normal(std_dev) => normal(std_dev, values, rng),
            Self::Zeros => values.fill(S::ZERO),
            Self::Constant(value) => values.fill(S::from_f64(value)),
        }
    }
}

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::XavierUniform => f.write_str("xavier_uniform"),
            Self::XavierNormal => f.write_str("xavier_normal"),
            Self::HeUniform => f.write_str("he_uniform"),
            Self::HeNormal => f.write_str("he_normal"),
            Self::LecunNormal => f.write_str("lecun_normal"),
            Self::Normal(std_dev) => write!(f, "normal({std_dev})"),
            Self::Zeros => f.write_str("zeros"),
            Self::Constant(value) => write!(f, "constant({value})"),
        }
    }
}

impl FromStr for Init {
    type Err = Error;

    /// Parses a name as printed by `Display`; `glorot_*` and `kaiming_*` are accepted as synonyms.
    fn from_str(text: &str) -> Result<Self, Error> {
        let (name, argument) = crate::parse::name_and_argument("init", text)?;
        let init = match (name, argument) {
            ("xavier_uniform" | "glorot_uniform", None) => Self::XavierUniform,
            ("xavier_normal" | "glorot_normal", None) => Self::XavierNormal,
            ("he_uniform" | "kaiming_uniform", None) => Self::HeUniform,
            ("he_normal" | "kaiming_normal", None) => Self::HeNormal,
            ("lecun_normal", None) => Self::LecunNormal,
            ("normal", Some(std_dev)) if std_dev > 0.0 && std_dev.is_finite() => Self::Normal(std_dev),
            ("zeros", None) => Self::Zeros,
            ("constant", Some(value)) => Self::Constant(value),
            _ => {
                return Err(Error::invalid(
                    "init",
                    format!(
                        "unknown initialiser `{text}`; expected one of xavier_uniform, xavier_normal, \
                         he_uniform, he_normal, lecun_normal, normal(std_dev > 0), zeros, constant(value)"
                    ),
                ));
            }
        };
        Ok(init)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeded_rng;

    fn moments(init: Init, fan_in: usize, fan_out: usize) -> (f64, f64, f64) {
        let mut values = vec![0.0f64; 100_000];
        init.fill(&mut values, fan_in, fan_out, &mut seeded_rng(7));
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let max = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        (mean, variance, max)
    }

    #[test]
    fn variances_match_the_published_formulas() {
        // (initialiser, fan_in, fan_out, expected variance)
        let cases = [
            (Init::XavierUniform, 30, 10, 2.0 / 40.0),
            (Init::XavierNormal, 30, 10, 2.0 / 40.0),
            (Init::HeUniform, 50, 10, 2.0 / 50.0),
            (Init::HeNormal, 50, 10, 2.0 / 50.0),
            (Init::LecunNormal, 25, 10, 1.0 / 25.0),
            (Init::Normal(2.0), 25, 10, 4.0),
            (Init::Normal(2.0), 500, 300, 4.0),
        ];
        for (init, fan_in, fan_out, expected) in cases {
            let (mean, variance, _) = moments(init, fan_in, fan_out);
            assert!(mean.abs() < 0.01 * expected.sqrt() * 5.0, "{init}: mean {mean}");
            assert!((variance / expected - 1.0).abs() < 0.02, "{init}: variance {variance}, expected {expected}");
        }
    }

    #[test]
    fn uniform_initialisers_respect_their_limit() {
        let (_, _, max) = moments(Init::XavierUniform, 30, 10);
        assert!(max <= (6.0f64 / 40.0).sqrt());
        let (_, _, max) = moments(Init::HeUniform, 24, 10);
        assert!(max <= (6.0f64 / 24.0).sqrt());
    }

    #[test]
    fn constants_and_names() {
        let mut values = [1.0f32; 3];
        Init::Constant(0.5).fill(&mut values, 1, 1, &mut seeded_rng(0));
        assert_eq!(values, [0.5; 3]);
        Init::Zeros.fill(&mut values, 1, 1, &mut seeded_rng(0));
        assert_eq!(values, [0.0; 3]);
        for init in [
            Init::XavierUniform,
            Init::XavierNormal,
            Init::HeUniform,
            Init::HeNormal,
            Init::LecunNormal,
            Init::Normal(0.5),
            Init::Zeros,
            Init::Constant(0.1),
        ] {
            assert_eq!(init.to_string().parse::<Init>().unwrap(), init);
        }
        assert!("orthogonal".parse::<Init>().is_err());
        assert!("normal(0)".parse::<Init>().is_err(), "a standard deviation must be positive");
        assert!("normal".parse::<Init>().is_err());
    }
}
