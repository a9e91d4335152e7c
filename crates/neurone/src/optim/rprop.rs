//! iRprop−: a step size per weight, driven by the sign of the full-batch gradient alone.

use serde::{Deserialize, Serialize};

use super::OptimizerState;
use super::slots::{SlotBuffers, export_buffers, import_buffers};
use crate::check::{check_non_negative, check_positive};
use crate::layer::ParameterMut;
use crate::{Error, Scalar};

/// Resilient backpropagation in the iRprop− variant (Igel & Hüsken, 2000), FANN's default
/// training algorithm and PyTorch's `torch.optim.Rprop`: each weight has its own step Δ, which
/// grows while the gradient keeps its sign and shrinks when it flips. Only the sign of the
/// gradient is used, so there is no learning rate to tune; it needs the full-batch gradient
/// (minibatch noise flips the signs), so the [`Trainer`](crate::Trainer) takes one step per
/// epoch on the whole training set.
///
/// For each weight w with gradient g = ∂J/∂w and the g⁻ kept from the step before (0 at first):
///
/// ```text
/// g⁻ g > 0:  Δ ← min(η⁺ Δ, Δmax)
/// g⁻ g < 0:  Δ ← max(η⁻ Δ, Δmin),  g ← 0      (no move this step, and no sign to compare next)
/// w ← w − sign(g) Δ
/// g⁻ ← g
/// ```
///
/// ```
/// use neurone::optim::{Rprop, RpropSettings};
/// use neurone::layer::ParameterMut;
///
/// let mut rprop = Rprop::<f64>::new(RpropSettings::default())?;
/// let mut weights = [1.0, 1.0];
/// for gradient in [[2.0, -3.0], [0.5, 4.0]] {
///     let mut gradient = gradient;
///     rprop.update(0, ParameterMut { name: "weight", regularised: true, value: &mut weights, gradient: &mut gradient });
/// }
/// // The first weight kept its sign: 1 − 0.1 − 0.12; the second flipped, and stayed.
/// assert_eq!(weights, [1.0 - 0.1 - 0.12, 1.1]);
/// # Ok::<(), neurone::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Rprop<S = f32> {
    settings: RpropSettings,
    step_sizes: SlotBuffers<S>,
    previous_gradients: SlotBuffers<S>,
    steps: u64,
}

/// What a user chooses for [`Rprop`]; the `rprop` kind of
/// [`OptimizerSpec`](crate::spec::OptimizerSpec). The defaults are Igel & Hüsken's (and
/// FANN's): η⁺ = 1.2, η⁻ = 0.5, Δ₀ = 0.1, Δ ∈ [10⁻⁶, 50]. PyTorch starts from Δ₀ = 0.01 (its
/// `lr`), with the same factors and bounds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RpropSettings {
    /// Δ₀, every weight's first step, in [min_step, max_step]. Default 0.1.
    pub initial_step: f64,
    /// η⁺ > 1, the step's growth while the gradient keeps its sign. Default 1.2.
    pub increase_factor: f64,
    /// η⁻ in (0, 1), the step's shrinking when the gradient changes sign. Default 0.5.
    pub decrease_factor: f64,
    /// Δmin ≥ 0, the smallest step. Default 10⁻⁶.
    pub min_step: f64,
    /// Δmax, the largest step. Default 50.
    pub max_step: f64,
}

impl Default for RpropSettings {
    fn default() -> Self {
        Self { initial_step: 0.1, increase_factor: 1.2, decrease_factor: 0.5, min_step: 1e-6, max_step: 50.0 }
    }
}

impl RpropSettings {
    /// Checks every setting, naming the one at fault.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.increase_factor > 1.0 && self.increase_factor.is_finite()) {
            return Err(Error::invalid(
                "increase_factor",
                format!("must be greater than 1, got {}", self.increase_factor),
            ));
        }
        if !(self.decrease_factor > 0.0 && self.decrease_factor < 1.0) {
            return Err(Error::invalid("decrease_factor", format!("must be in (0, 1), got {}", self.decrease_factor)));
        }
        check_non_negative("min_step", self.min_step)?;
        check_positive("max_step", self.max_step)?;
        if !(self.min_step..=self.max_step).contains(&self.initial_step) {
            return Err(Error::invalid(
                "initial_step",
                format!(
                    "must be in [min_step, max_step] = [{}, {}], got {}",
                    self.min_step, self.max_step, self.initial_step
                ),
            ));
        }
        Ok(())
    }
}

impl<S: Scalar> Rprop<S> {
    /// iRprop− with `settings`, checked.
    pub fn new(settings: RpropSettings) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self {
            settings,
            step_sizes: SlotBuffers::new("step_size"),
            previous_gradients: SlotBuffers::new("previous_gradient"),
            steps: 0,
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &RpropSettings {
        &self.settings
    }

    /// The steps Δ of tensor `slot`, once it has been updated.
    pub fn step_sizes(&self, slot: usize) -> Option<&[S]> {
        self.step_sizes.slot(slot)
    }

    /// Moves tensor `slot` by one iRprop− step from its full-batch gradient. Call it for every
    /// tensor, then [`Rprop::finish_step`].
    pub fn update(&mut self, slot: usize, parameter: ParameterMut<'_, S>) {
        let settings = &self.settings;
        let (increase, decrease) = (S::from_f64(settings.increase_factor), S::from_f64(settings.decrease_factor));
        let (min_step, max_step) = (S::from_f64(settings.min_step), S::from_f64(settings.max_step));
        let length = parameter.value.len();
        let step_sizes = self.step_sizes.get(slot, length, S::from_f64(settings.initial_step));
        let previous_gradients = self.previous_gradients.get(slot, length, S::ZERO);
        let weights = parameter.value.iter_mut().zip(parameter.gradient.iter());
        for ((w, &g), (step, previous)) in weights.zip(step_sizes.iter_mut().zip(previous_gradients.iter_mut())) {
            let product = *previous * g;
            let g = if product > S::ZERO {
                *step = (*step * increase).min(max_step);
                g
            } else if product < S::ZERO {
                // The last step jumped over a minimum: a smaller step, and no move now.
                *step = (*step * decrease).max(min_step);
                S::ZERO
            } else {
                g
            };
            // w ← w − sign(g) Δ
            if g > S::ZERO {
                *w -= *step;
            } else if g < S::ZERO {
                *w += *step;
            }
            *previous = g;
        }
    }

    /// Counts the step that [`Rprop::update`] applied to every tensor.
    pub fn finish_step(&mut self) {
        self.steps += 1;
    }

    /// The steps Δ and last gradients of every tensor, for checkpoints, as `step_size.<slot>`
    /// and `previous_gradient.<slot>`. Rprop has no learning rate: 1 is stored.
    pub fn state(&self) -> OptimizerState {
        OptimizerState {
            optimizer: "rprop".into(),
            step: self.steps,
            learning_rate: 1.0,
            tensors: export_buffers(&[&self.step_sizes, &self.previous_gradients]),
        }
    }

    /// Restores a state returned by [`Rprop::state`]: all of it, or nothing if any part is wrong.
    pub fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        state.expect_optimizer("rprop")?;
        import_buffers(&state.tensors, "rprop", &mut [&mut self.step_sizes, &mut self.previous_gradients])?;
        self.steps = state.step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(rprop: &mut Rprop<f64>, weights: &mut [f64], gradient: &[f64]) {
        let mut gradient = gradient.to_vec();
        rprop.update(0, ParameterMut { name: "weight", regularised: true, value: weights, gradient: &mut gradient });
        rprop.finish_step();
    }

    #[test]
    fn sign_keep_and_sign_change_follow_the_hand_derived_values() {
        let mut rprop = Rprop::new(RpropSettings::default()).unwrap();
        let mut w = [0.0, 0.0, 0.0];
        // Step 1: no previous gradient, every step is Δ₀ = 0.1 against the gradient's sign (a
        // zero gradient does not move).
        step(&mut rprop, &mut w, &[3.0, -2.0, 0.0]);
        assert_eq!(w, [-0.1, 0.1, 0.0]);
        // Step 2: w₀ keeps its sign (Δ = 0.1·1.2 = 0.12), w₁ flips (Δ = 0.1·0.5 = 0.05, no move).
        step(&mut rprop, &mut w, &[1.0, 5.0, -1.0]);
        assert_eq!(w, [-0.1 - 0.1 * 1.2, 0.1, 0.1]);
        assert_eq!(rprop.step_sizes(0).unwrap(), [0.1 * 1.2, 0.1 * 0.5, 0.1]);
        // Step 3: after a flip the gradient was forgotten (g⁻ = 0), so w₁ moves by its shrunk
        // Δ = 0.05 without changing it, whatever the sign; w₀ grows again: 0.12·1.2 = 0.144.
        step(&mut rprop, &mut w, &[1.0, 5.0, -1.0]);
        assert_eq!(w, [-0.1 - 0.1 * 1.2 - 0.1 * 1.2 * 1.2, 0.1 - 0.1 * 0.5, 0.1 + 0.1 * 1.2]);
        assert_eq!(rprop.step_sizes(0).unwrap(), [0.1 * 1.2 * 1.2, 0.1 * 0.5, 0.1 * 1.2]);
    }

    #[test]
    fn steps_stay_within_their_bounds() {
        let settings = RpropSettings { initial_step: 0.5, min_step: 0.2, max_step: 0.6, ..Default::default() };
        let mut rprop = Rprop::new(settings).unwrap();
        let mut w = [0.0, 0.0];
        for gradient in [[1.0, 1.0], [1.0, -1.0], [1.0, 1.0], [1.0, -1.0]] {
            step(&mut rprop, &mut w, &gradient);
        }
        // Δ₀: 0.5 → min(0.6, 0.6) → 0.6 → 0.6; Δ₁: 0.5 → 0.25 → (no compare) 0.25 → 0.2 (floor).
        assert_eq!(rprop.step_sizes(0).unwrap(), [0.6, 0.2]);
        assert_eq!(w, [-0.5 - 0.6 - 0.6 - 0.6, -0.5 - 0.25]);
    }

    #[test]
    fn its_state_round_trips_and_continues_identically() {
        let gradients = [[1.0, -2.0], [0.5, 2.0], [1.5, 3.0], [-1.0, 3.0]];
        let mut straight = Rprop::new(RpropSettings::default()).unwrap();
        let mut w = [0.0, 0.0];
        for gradient in &gradients[..2] {
            step(&mut straight, &mut w, gradient);
        }
        let state = straight.state();
        assert_eq!(state.step, 2);
        let mut resumed = Rprop::new(RpropSettings::default()).unwrap();
        resumed.load_state(&state).unwrap();
        assert_eq!(resumed, straight);
        let mut v = w;
        for gradient in &gradients[2..] {
            step(&mut straight, &mut w, gradient);
            step(&mut resumed, &mut v, gradient);
        }
        assert_eq!(v, w);
        let mut adam_state = state;
        adam_state.optimizer = "adam".into();
        assert!(resumed.load_state(&adam_state).unwrap_err().to_string().contains("saved by `adam`"));
    }

    #[test]
    fn bad_settings_are_refused_naming_the_setting() {
        let error = |settings: RpropSettings| settings.validate().unwrap_err().to_string();
        let defaults = RpropSettings::default();
        assert_eq!(
            error(RpropSettings { increase_factor: 1.0, ..defaults }),
            "invalid increase_factor: must be greater than 1, got 1"
        );
        assert_eq!(
            error(RpropSettings { decrease_factor: 1.5, ..defaults }),
            "invalid decrease_factor: must be in (0, 1), got 1.5"
        );
        assert_eq!(
            error(RpropSettings { initial_step: 60.0, ..defaults }),
            "invalid initial_step: must be in [min_step, max_step] = [0.000001, 50], got 60"
        );
        assert!(error(RpropSettings { min_step: -1.0, ..defaults }).starts_with("invalid min_step"));
    }
}
