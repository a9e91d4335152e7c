//! Which optimizer, with which settings.

use serde::{Deserialize, Serialize};

use crate::optim::{
    AdagradSettings, AdamSettings, AdamWSettings, LbfgsSettings, LevenbergMarquardt, LevenbergMarquardtSettings,
    RmsPropSettings, Rprop, RpropSettings, SgdSettings,
};
use crate::{Adagrad, Adam, AdamW, Error, Lbfgs, RmsProp, Scalar, Sgd, Trainer};

/// The optimizer and its settings, tagged by `kind`: `{ "kind": "adam", "beta2": 0.99 }`. Each
/// kind's settings and defaults are those of its type in [`optim`](crate::optim) (PyTorch's).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerSpec {
    /// Gradient descent, with optional (Nesterov) momentum: [`Sgd`].
    Sgd(SgdSettings),
    /// η scaled by a running average of squared gradients: [`RmsProp`].
    Rmsprop(RmsPropSettings),
    /// η scaled by the sum of all past squared gradients: [`Adagrad`].
    Adagrad(AdagradSettings),
    /// Adam with bias correction: [`Adam`].
    Adam(AdamSettings),
    /// Adam with decoupled weight decay on the weights: [`AdamW`].
    Adamw(AdamWSettings),
    /// Full-batch L-BFGS, one iteration per epoch (scikit-learn's default solver): [`Lbfgs`].
    Lbfgs(LbfgsSettings),
    /// Full-batch iRprop−, one step per epoch (FANN's default): [`Rprop`].
    Rprop(RpropSettings),
    /// Full-batch Levenberg–Marquardt for mean squared error, one step per epoch (MATLAB's
    /// default for small networks): [`LevenbergMarquardt`].
    LevenbergMarquardt(LevenbergMarquardtSettings),
}

impl Default for OptimizerSpec {
    /// Plain gradient descent, as in the course.
    fn default() -> Self {
        OptimizerSpec::Sgd(SgdSettings::default())
    }
}

impl OptimizerSpec {
    /// The learning rate used when none is given: PyTorch's for each kind (SGD has none there;
    /// 0.01 is Keras').
    pub fn default_learning_rate(&self) -> f64 {
        match self {
            OptimizerSpec::Sgd(_) => SgdSettings::LEARNING_RATE,
            OptimizerSpec::Rmsprop(_) => RmsPropSettings::LEARNING_RATE,
            OptimizerSpec::Adagrad(_) => AdagradSettings::LEARNING_RATE,
            OptimizerSpec::Adam(_) => AdamSettings::LEARNING_RATE,
            OptimizerSpec::Adamw(_) => AdamWSettings::LEARNING_RATE,
            OptimizerSpec::Lbfgs(_) => LbfgsSettings::LEARNING_RATE,
            // None: each step is chosen by the method; 1 is reported, as for L-BFGS.
            OptimizerSpec::Rprop(_) | OptimizerSpec::LevenbergMarquardt(_) => 1.0,
        }
    }

    /// Whether η applies: to every kind but the full-batch ones, which pick each step
    /// themselves and take one per epoch.
    pub fn has_learning_rate(&self) -> bool {
        !self.is_full_batch()
    }

    /// True for the kinds that take one step per epoch on the whole training set, whatever the
    /// batch size.
    pub fn is_full_batch(&self) -> bool {
        matches!(self, OptimizerSpec::Lbfgs(_) | OptimizerSpec::Rprop(_) | OptimizerSpec::LevenbergMarquardt(_))
    }

    /// Checks the settings, naming the one at fault (`beta2`).
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            OptimizerSpec::Sgd(settings) => settings.validate(),
            OptimizerSpec::Rmsprop(settings) => settings.validate(),
            OptimizerSpec::Adagrad(settings) => settings.validate(),
            OptimizerSpec::Adam(settings) => settings.validate(),
            OptimizerSpec::Adamw(settings) => settings.validate(),
            OptimizerSpec::Lbfgs(settings) => settings.validate(),
            OptimizerSpec::Rprop(settings) => settings.validate(),
            OptimizerSpec::LevenbergMarquardt(settings) => settings.validate(),
        }
    }

    /// A trainer driven by this optimizer at `learning_rate`, with the trainer's defaults.
    pub fn trainer<'a, S: Scalar>(&self, learning_rate: f64) -> Result<Trainer<'a, S>, Error> {
        let trainer = match *self {
            OptimizerSpec::Sgd(settings) => Trainer::new(Sgd::new(settings)?),
            OptimizerSpec::Rmsprop(settings) => Trainer::new(RmsProp::new(settings)?),
            OptimizerSpec::Adagrad(settings) => Trainer::new(Adagrad::new(settings)?),
            OptimizerSpec::Adam(settings) => Trainer::new(Adam::new(settings)?),
            OptimizerSpec::Adamw(settings) => Trainer::new(AdamW::new(settings)?),
            OptimizerSpec::Lbfgs(settings) => Trainer::lbfgs(Lbfgs::with_settings(settings)?),
            OptimizerSpec::Rprop(settings) => Trainer::with_solver(Rprop::new(settings)?),
            OptimizerSpec::LevenbergMarquardt(settings) => {
                Trainer::with_solver(LevenbergMarquardt::with_settings(settings)?)
            }
        };
        Ok(trainer.learning_rate(learning_rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_alone_gets_its_defaults_and_unknown_settings_are_refused() {
        let adam: OptimizerSpec = serde_json::from_str(r#"{ "kind": "adam" }"#).unwrap();
        assert_eq!(adam, OptimizerSpec::Adam(AdamSettings::default()));
        assert_eq!(adam.default_learning_rate(), 1e-3);
        let error = serde_json::from_str::<OptimizerSpec>(r#"{ "kind": "adam", "beta3": 1 }"#).unwrap_err();
        assert!(error.to_string().starts_with("unknown field `beta3`"), "{error}");
        let written = serde_json::to_string(&OptimizerSpec::default()).unwrap();
        assert_eq!(written, r#"{"kind":"sgd","momentum":0.0,"nesterov":false}"#);
    }
}
