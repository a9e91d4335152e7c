//! Saving and restoring the history of [`Lbfgs`] through an [`OptimizerState`].

use super::{Lbfgs, dot};
use crate::Error;
use crate::optim::OptimizerState;

impl Lbfgs {
    /// The iteration's state for checkpoints: the pairs oldest first as `parameter_change.<k>`
    /// and `gradient_change.<k>`, and the iteration count as `step`. The learning rate is
    /// stored as 1 (L-BFGS has none).
    pub fn state(&self) -> OptimizerState {
        let mut tensors = Vec::with_capacity(2 * self.pairs);
        for index in 0..self.pairs {
            let (s, y) = self.history(index).expect("index < pairs");
            tensors.push((format!("parameter_change.{index}"), s.to_vec()));
            tensors.push((format!("gradient_change.{index}"), y.to_vec()));
        }
        OptimizerState { optimizer: "lbfgs".into(), step: self.iterations, learning_rate: 1.0, tensors }
    }

    /// Restores a state returned by [`Lbfgs::state`]. Fails, changing nothing, unless it comes
    /// from L-BFGS and holds complete pairs of finite values with yᵀs > 0, at most m of them,
    /// all of the length of the parameters (if a step has already fixed it).
    pub fn load_state(&mut self, state: &OptimizerState) -> Result<(), Error> {
        let invalid = |reason: String| Error::invalid("optimizer state", reason);
        state.expect_optimizer("lbfgs")?;
        let pairs = state.tensors.len() / 2;
        if pairs > self.settings.history_size {
            return Err(invalid(format!(
                "holds {pairs} pairs, more than the history size {}",
                self.settings.history_size
            )));
        }
        let mut dimension = (self.dimension > 0).then_some(self.dimension);
        for (position, (name, values)) in state.tensors.iter().enumerate() {
            let stem = if position % 2 == 0 { "parameter_change" } else { "gradient_change" };
            let expected = format!("{stem}.{}", position / 2);
            if *name != expected || position / 2 >= pairs {
                return Err(invalid(format!("unexpected tensor `{name}` where `{expected}` was expected")));
            }
            if values.iter().any(|value| !value.is_finite()) {
                return Err(invalid(format!("tensor `{name}` holds non-finite values")));
            }
            match dimension {
                Some(length) if length != values.len() => {
                    return Err(invalid(format!(
                        "tensor `{name}` has {} values where {length} were expected",
                        values.len()
                    )));
                }
                _ => dimension = Some(values.len()),
            }
        }
        for pair in state.tensors.chunks(2) {
            if dot(&pair[0].1, &pair[1].1) <= 0.0 {
                return Err(invalid(format!("pair {} has yᵀs ≤ 0", pair[0].0)));
            }
        }
        if let Some(dimension) = dimension {
            self.allocate(dimension)?;
        }
        for (index, pair) in state.tensors.chunks(2).enumerate() {
            let range = index * self.dimension..(index + 1) * self.dimension;
            self.parameter_changes[range.clone()].copy_from_slice(&pair[0].1);
            self.gradient_changes[range].copy_from_slice(&pair[1].1);
            self.curvatures[index] = 1.0 / dot(&pair[0].1, &pair[1].1);
        }
        (self.oldest, self.pairs, self.iterations, self.evaluated) = (0, pairs, state.step, false);
        Ok(())
    }
}
