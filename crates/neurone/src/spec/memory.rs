//! What the network and training a spec describes will hold in memory, computed from the
//! spec alone, so that it is known before anything of that size is allocated.

use super::{NetworkSpec, OptimizerSpec, TrainingSpec};
use crate::Error;
use crate::memory::MemoryNeed;

impl TrainingSpec {
    /// The memory of training `network` (with `inputs` values in, `outputs` out, elements of
    /// `scalar_bytes` bytes) on `samples` samples, in batches of `batch_size` (at most
    /// `samples`; all of them for the full-batch optimizers).
    pub fn memory_need(
        &self,
        network: &NetworkSpec,
        inputs: usize,
        outputs: usize,
        samples: usize,
        scalar_bytes: usize,
    ) -> MemoryNeed {
        let size = |count: u64| count.saturating_mul(scalar_bytes as u64);
        let mut widths = vec![inputs];
        widths.extend(&network.layers);
        widths.push(outputs);
        let hidden = &widths[1..widths.len() - 1];
        let trainable = widths.windows(2).fold(0u64, |sum, pair| {
            sum.saturating_add((pair[0] as u64).saturating_mul(pair[1] as u64)).saturating_add(pair[1] as u64)
        });
        let hidden_units = hidden.iter().fold(0u64, |sum, &width| sum.saturating_add(width as u64));
        // Batch normalisation learns γ and β and keeps running means and variances.
        let (normalised_parameters, running_statistics) =
            if network.batch_norm { (2 * hidden_units, 2 * hidden_units) } else { (0, 0) };
        let trainable = trainable.saturating_add(normalised_parameters);

        let batch =
            if self.optimizer.is_full_batch() { samples } else { self.batch_size.clamp(1, samples.max(1)) } as u64;
        // Per unit of each layer and sample: z, a and delta; a dropout mask and its output; the
        // normalised values, their output and their gradient.
        let per_hidden_unit = 3 + if network.dropout > 0.0 { 2 } else { 0 } + if network.batch_norm { 3 } else { 0 };
        let units = hidden_units.saturating_mul(per_hidden_unit).saturating_add(3 * outputs as u64);
        let batch_itself = (inputs as u64).saturating_add(outputs as u64);
        MemoryNeed {
            // The trainer keeps a copy of the last good weights, to roll back on divergence.
            parameters: size(trainable.saturating_add(running_statistics).saturating_mul(2)),
            gradients: size(trainable),
            optimizer_state: match self.optimizer {
                // In f64 whatever the network's precision: J (a row per sample and output), JᵀJ
                // and its factor, and a few vectors of residuals and parameters.
                OptimizerSpec::LevenbergMarquardt(_) => {
                    let residuals = (samples as u64).saturating_mul(outputs as u64);
                    let jacobian = residuals.saturating_mul(trainable);
                    let matrices = trainable.saturating_mul(trainable).saturating_mul(2);
                    let vectors = trainable.saturating_mul(5).saturating_add(residuals.saturating_mul(3));
                    jacobian.saturating_add(matrices).saturating_add(vectors).saturating_mul(8)
                }
                _ => size(trainable.saturating_mul(self.optimizer.buffers_per_parameter())),
            },
            activations: size(batch.saturating_mul(units.saturating_add(batch_itself))),
        }
    }

    /// Refuses a network and training that cannot fit in the memory available (see
    /// [`MemoryNeed::check_fits`]), naming `layers` when the network's size makes most of the
    /// need and `batch_size` when the activations do.
    pub fn check_memory(
        &self,
        network: &NetworkSpec,
        inputs: usize,
        outputs: usize,
        samples: usize,
        scalar_bytes: usize,
    ) -> Result<MemoryNeed, Error> {
        let need = self.memory_need(network, inputs, outputs, samples, scalar_bytes);
        let key = if need.activations > need.total() / 2 { "train.batch_size" } else { "model.layers" };
        need.check_fits(key)?;
        Ok(need)
    }
}

impl OptimizerSpec {
    /// The buffers the optimizer keeps per trainable parameter.
    fn buffers_per_parameter(&self) -> u64 {
        match self {
            OptimizerSpec::Sgd(settings) => u64::from(settings.momentum > 0.0),
            OptimizerSpec::Rmsprop(settings) => 1 + u64::from(settings.momentum > 0.0) + u64::from(settings.centered),
            OptimizerSpec::Adagrad(_) => 1,
            OptimizerSpec::Adam(_) | OptimizerSpec::Adamw(_) => 2,
            // The history of steps and gradient changes, the direction, and the line search's
            // trial point and gradient.
            OptimizerSpec::Lbfgs(settings) => 2 * settings.history_size as u64 + 4,
            // Each weight's step and last gradient.
            OptimizerSpec::Rprop(_) => 2,
            // Counted in bytes by `memory_need`.
            OptimizerSpec::LevenbergMarquardt(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_need_counts_each_part_of_a_network_and_its_training() {
        // 2 → 3 → 1: 2·3 + 3 + 3·1 + 1 = 13 parameters; Adam keeps two moments of each.
        let network = NetworkSpec { layers: vec![3], ..Default::default() };
        let training =
            TrainingSpec { optimizer: OptimizerSpec::Adam(Default::default()), batch_size: 10, ..Default::default() };
        let need = training.memory_need(&network, 2, 1, 4, 4);
        assert_eq!(need.parameters, 2 * 13 * 4);
        assert_eq!(need.gradients, 13 * 4);
        assert_eq!(need.optimizer_state, 2 * 13 * 4);
        // Batches of 4 (the samples there are): z, a, δ of 3 + 1 units, and the batch's 2 + 1 values.
        assert_eq!(need.activations, 4 * (3 * 3 + 3 + 3) * 4);
    }

    #[test]
    fn a_typo_in_a_layer_width_is_refused_naming_the_layers() {
        if crate::memory::available_memory().is_none() {
            return;
        }
        let network = NetworkSpec { layers: vec![200_000, 200_000], ..Default::default() };
        let error = TrainingSpec::default().check_memory(&network, 2, 1, 4, 4).unwrap_err().to_string();
        assert!(error.contains("model.layers") && error.contains("480.0 GB"), "{error}");
    }
}
