//! The update the next step makes, for the equations panel: the library's own step (its
//! optimizer with the moments it has accumulated, the penalty, η as scheduled) taken on a copy
//! of the training, on the batch the training takes next, with the numbers before and after.

use serde::Serialize;

use neurone::spec::OptimizerSpec;
use neurone::{Checkpoint, Error, Mode, Network, Rng, Stretch};

use super::least_squares::{self, LeastSquaresStep};
use super::setup::Setup;

/// One step of the training's optimizer, as the library takes it.
#[derive(Serialize)]
pub struct StepTrace {
    /// The optimizer and its settings: `{"kind": "adam", "beta1": 0.9, …}`.
    pub optimizer: OptimizerSpec,
    /// t, the step's number (from 1).
    pub number: u64,
    /// η for this step (the full-batch methods have none: 1).
    pub learning_rate: f64,
    /// How many points the gradient is averaged over: the next batch of the epoch's shuffled
    /// order, or all the training points for a full-batch method.
    pub batch: usize,
    /// The next batch's training points (their indices), in the order the step takes them;
    /// empty for a full-batch method, which takes them all.
    pub samples: Vec<usize>,
    /// Whether the method steps on the whole training set (iRprop−, Levenberg–Marquardt).
    pub full_batch: bool,
    /// J averaged over the batch, before the step.
    pub loss: f64,
    /// The penalty's coefficients: J + l1 Σ|W| + ½ l2 Σ W².
    pub l1: f64,
    /// See [`StepTrace::l1`].
    pub l2: f64,
    /// The optimizer's state that belongs to no tensor (Levenberg–Marquardt's damping μ), after.
    pub scalars: Vec<(String, f64)>,
    /// Each dense layer's part, from input to output.
    pub layers: Vec<LayerStep>,
    /// Levenberg–Marquardt's system, with J's rows for the traced point and the ones after it.
    pub least_squares: Option<LeastSquaresStep>,
}

/// One dense layer's part of [`StepTrace`]; tensors are `outputs × inputs`, row-major.
#[derive(Serialize)]
pub struct LayerStep {
    /// ∂J/∂W(l) averaged over the batch: the data's part, without the penalty.
    pub gradient: Vec<f32>,
    /// The gradient the update used, the penalty's l1 sign(W) + l2 W added (the minibatch
    /// methods; the full-batch ones weigh the penalty in their own way).
    pub penalised: Option<Vec<f32>>,
    /// The optimizer's buffers for W(l), named as in checkpoints (`exp_avg`, `momentum_buffer`,
    /// `step_size`…), and for Adam and AdamW the bias-corrected `exp_avg_hat` = m / (1 − β1ᵗ) and
    /// `exp_avg_sq_hat` = v / (1 − β2ᵗ).
    pub buffers: Vec<Buffer>,
    /// W(l) after the step.
    pub weights: Vec<f32>,
    /// b(l) after the step.
    pub bias: Vec<f32>,
}

/// One of the optimizer's buffers for a tensor, before and after the step.
#[derive(Serialize)]
pub struct Buffer {
    /// Its name in checkpoints, without the slot: `exp_avg`.
    pub name: String,
    /// Before the step (`None` before the tensor's first update: zeros, or Δ₀ for iRprop−).
    pub before: Option<Vec<f64>>,
    /// After the step.
    pub after: Vec<f64>,
}

/// The next step of the training that stands at `checkpoint` (at its start, `network` and
/// `rng`), taken on a copy by the trainer the setup describes, on the batch it takes next; for
/// Levenberg–Marquardt, with its system and the rows of J of training point `sample` and the
/// ones after it.
pub fn next_step(
    network: &Network<f32>,
    checkpoint: Option<&Checkpoint<f32>>,
    rng: &Rng,
    setup: &Setup,
    sample: usize,
) -> Result<StepTrace, Error> {
    let spec = &setup.request.training;
    let train = &setup.train;
    let full_batch = spec.optimizer.is_full_batch();
    let mut trainer = spec.trainer::<f32>()?.keep_records(1);
    let (samples, subset) = if full_batch {
        (Vec::new(), None)
    } else {
        let samples = trainer.next_batch(checkpoint, rng, train.len());
        let subset = train.subset(&samples)?;
        (samples, Some(subset))
    };
    let batch = subset.as_ref().unwrap_or(train);
    // From the checkpoint's network, which holds the dropout generator the training goes on with:
    // the data's gradient and the step draw the same masks.
    let start = checkpoint.map_or(network, |checkpoint| &checkpoint.network);
    let mut data_pass = start.clone();
    data_pass.forward(batch.inputs(), Mode::Train)?;
    let loss = data_pass.backward(batch.inputs(), batch.targets())?;
    let mut stepped = start.clone();
    let (test, mut rng) = (Some(&setup.test), rng.clone());
    let after = trainer.continue_for(&mut stepped, checkpoint.cloned(), Stretch::Steps(1), train, test, &mut rng)?;

    let state = |checkpoint: &Checkpoint<f32>, name: &str| {
        checkpoint.solver.tensors.iter().find(|(tensor, _)| tensor == name).map(|(_, values)| values.clone())
    };
    let slots: Vec<(usize, &str)> = start.parameters().map(|(layer, parameter)| (layer, parameter.name)).collect();
    let mut scalars = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for (tensor, values) in &after.solver.tensors {
        match tensor.rsplit_once('.') {
            Some((name, _)) if !names.contains(&name) => names.push(name),
            Some(_) => {}
            None => scalars.extend(values.first().map(|&value| (tensor.clone(), value))),
        }
    }
    let t = after.solver.step;
    let betas = match spec.optimizer {
        OptimizerSpec::Adam(settings) => Some((settings.beta1, settings.beta2)),
        OptimizerSpec::Adamw(settings) => Some((settings.beta1, settings.beta2)),
        _ => None,
    };
    let mut layers = Vec::new();
    let dense_layers = start.layers().iter().zip(stepped.layers()).zip(data_pass.layers()).enumerate();
    for (index, ((before, stepped), data)) in dense_layers {
        let (Some(_), Some(stepped), Some(data)) = (before.as_dense(), stepped.as_dense(), data.as_dense()) else {
            continue;
        };
        let slot = slots.iter().position(|&(layer, name)| layer == index && name == "weight").expect("a dense weight");
        let mut buffers: Vec<Buffer> = names
            .iter()
            .filter_map(|name| {
                let tensor = format!("{name}.{slot}");
                let after = state(&after, &tensor)?;
                Some(Buffer { name: (*name).to_owned(), before: checkpoint.and_then(|c| state(c, &tensor)), after })
            })
            .collect();
        if let Some(betas) = betas {
            let hats: Vec<Buffer> = buffers.iter().filter_map(|buffer| bias_corrected(buffer, betas, t)).collect();
            buffers.extend(hats);
        }
        layers.push(LayerStep {
            gradient: data.weight_gradient().to_vec(),
            penalised: (!full_batch).then(|| stepped.weight_gradient().to_vec()),
            buffers,
            weights: stepped.weights().to_vec(),
            bias: stepped.bias().to_vec(),
        });
    }
    Ok(StepTrace {
        optimizer: spec.optimizer,
        number: t,
        learning_rate: after.solver.learning_rate,
        batch: batch.len(),
        samples,
        full_batch,
        loss,
        l1: spec.l1,
        l2: spec.l2,
        scalars,
        layers,
        least_squares: match spec.optimizer {
            OptimizerSpec::LevenbergMarquardt(settings) => {
                least_squares::next_step(start, checkpoint, settings, train, spec.l2, sample)?
            }
            _ => None,
        },
    })
}

/// Adam's m̂ = m / (1 − β1ᵗ) of its first moment `exp_avg`, or v̂ = v / (1 − β2ᵗ) of its second
/// `exp_avg_sq`, named with `_hat`; `None` for another buffer.
fn bias_corrected(buffer: &Buffer, (beta1, beta2): (f64, f64), t: u64) -> Option<Buffer> {
    let beta = match buffer.name.as_str() {
        "exp_avg" => beta1,
        "exp_avg_sq" => beta2,
        _ => return None,
    };
    let correction = 1.0 - beta.powf(t.max(1) as f64);
    let after = buffer.after.iter().map(|value| value / correction).collect();
    Some(Buffer { name: format!("{}_hat", buffer.name), before: None, after })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::setup::PlaygroundRequest;
    use neurone::{Dataset, seeded_rng};

    /// A problem's setup with `network` and `training` (JSON), trained `more` epochs or steps
    /// as the playground trains it: the network, where training stands, and the run's generator.
    fn trained(
        problem: &str,
        network: &str,
        training: &str,
        more: impl Into<Stretch>,
    ) -> (Setup, Network<f32>, Checkpoint<f32>, Rng) {
        let json = format!(
            r#"{{ "problem": "{problem}", "train_ratio": 0.5, "samples": 120, "seed": 3, "features": ["x1", "x2"],
                "network": {network}, "training": {training} }}"#
        );
        let setup = serde_json::from_str::<PlaygroundRequest>(&json).unwrap().prepare().unwrap();
        let mut rng = seeded_rng(9);
        let mut network = setup.request.network.build::<f32>(2, 1, setup.request.training.loss(), &mut rng).unwrap();
        let mut trainer = setup.request.training.trainer::<f32>().unwrap();
        let checkpoint = trainer.continue_for(&mut network, None, more, &setup.train, None, &mut rng).unwrap();
        (setup, network, checkpoint, rng)
    }

    fn close(what: &str, expected: f64, actual: f64) {
        assert!(
            (expected - actual).abs() <= 2e-5 * (1.0 + expected.abs()),
            "{what}: expected {expected}, got {actual}"
        );
    }

    /// The buffer `name` of `layer`, before (zeros before the first update) and after.
    fn buffer<'a>(layer: &'a LayerStep, name: &str) -> (Vec<f64>, &'a [f64]) {
        let buffer = layer.buffers.iter().find(|buffer| buffer.name == name).unwrap_or_else(|| panic!("no {name}"));
        (buffer.before.clone().unwrap_or_else(|| vec![0.0; buffer.after.len()]), &buffer.after)
    }

    #[test]
    fn the_step_shown_is_the_optimizer_s_rule_applied_to_the_batch_mean_and_the_penalty() {
        let optimizers = [
            r#"{ "kind": "sgd" }"#,
            r#"{ "kind": "sgd", "momentum": 0.9 }"#,
            r#"{ "kind": "adam" }"#,
            r#"{ "kind": "adamw", "weight_decay": 0.1 }"#,
            r#"{ "kind": "rmsprop" }"#,
            r#"{ "kind": "adagrad" }"#,
        ];
        for optimizer in optimizers {
            for (network, penalty) in [
                (r#"{ "layers": [4, 3] }"#, ""),
                (r#"{ "layers": [4, 3], "dropout": 0.3 }"#, r#", "l1": 0.01, "l2": 0.02"#),
            ] {
                let training =
                    format!(r#"{{ "optimizer": {optimizer}, "learning_rate": 0.03, "batch_size": 8 {penalty} }}"#);
                let (setup, network, checkpoint, rng) = trained("circle", network, &training, 3);
                let step = next_step(&network, Some(&checkpoint), &rng, &setup, 0).unwrap();
                let what = format!("{optimizer}{penalty}");
                assert_eq!((step.batch, step.full_batch, step.learning_rate), (8, false, 0.03), "{what}");
                assert_eq!(step.number, 3 * 60usize.div_ceil(8) as u64 + 1, "{what}: t counts every step so far");
                let dense: Vec<_> = network.layers().iter().filter_map(|layer| layer.as_dense()).collect();
                for (l, (layer, before)) in step.layers.iter().zip(&dense).enumerate() {
                    let penalised = layer.penalised.as_ref().unwrap();
                    for (k, &w) in before.weights().iter().enumerate() {
                        let (w, g) = (f64::from(w), f64::from(penalised[k]));
                        let sign = if w > 0.0 {
                            1.0
                        } else if w < 0.0 {
                            -1.0
                        } else {
                            0.0
                        };
                        close(
                            &format!("{what}: layer {l}, g {k}"),
                            f64::from(layer.gradient[k]) + step.l1 * sign + step.l2 * w,
                            g,
                        );
                        let at = |name: &str| {
                            let (before, after) = buffer(layer, name);
                            (before[k], after[k])
                        };
                        let eta = step.learning_rate;
                        let expected = match setup.request.training.optimizer {
                            OptimizerSpec::Sgd(settings) if settings.momentum == 0.0 => w - eta * g,
                            OptimizerSpec::Sgd(settings) => {
                                let (before, v) = at("momentum_buffer");
                                close(&what, settings.momentum * before + g, v);
                                w - eta * v
                            }
                            OptimizerSpec::Adam(_) | OptimizerSpec::Adamw(_) => {
                                let (beta1, beta2, decay) = match setup.request.training.optimizer {
                                    OptimizerSpec::Adamw(s) => (s.beta1, s.beta2, s.weight_decay),
                                    OptimizerSpec::Adam(s) => (s.beta1, s.beta2, 0.0),
                                    _ => unreachable!(),
                                };
                                let ((m0, m), (v0, v)) = (at("exp_avg"), at("exp_avg_sq"));
                                close(&what, beta1 * m0 + (1.0 - beta1) * g, m);
                                close(&what, beta2 * v0 + (1.0 - beta2) * g * g, v);
                                let t = step.number as f64;
                                let (m_hat, v_hat) = (at("exp_avg_hat").1, at("exp_avg_sq_hat").1);
                                close(&what, m / (1.0 - beta1.powf(t)), m_hat);
                                close(&what, v / (1.0 - beta2.powf(t)), v_hat);
                                w * (1.0 - eta * decay) - eta * m_hat / (v_hat.sqrt() + 1e-8)
                            }
                            OptimizerSpec::Rmsprop(settings) => {
                                let (v0, v) = at("square_avg");
                                close(&what, settings.alpha * v0 + (1.0 - settings.alpha) * g * g, v);
                                w - eta * g / (v.sqrt() + settings.epsilon)
                            }
                            OptimizerSpec::Adagrad(settings) => {
                                let (sum0, sum) = at("sum");
                                close(&what, sum0 + g * g, sum);
                                w - eta * g / (sum.sqrt() + settings.epsilon)
                            }
                            _ => unreachable!(),
                        };
                        close(&format!("{what}: layer {l}, w {k}"), expected, f64::from(layer.weights[k]));
                    }
                }
            }
        }
    }

    #[test]
    fn the_gradient_shown_is_the_mean_of_the_next_batch_s_points_gradients() {
        // 60 training points in batches of 7: two epochs and 3 steps stand at 21 of the third.
        let (setup, network, checkpoint, rng) =
            trained("xor", r#"{ "layers": [3] }"#, r#"{ "batch_size": 7 }"#, Stretch::Steps(2 * 9 + 3));
        let step = next_step(&network, Some(&checkpoint), &rng, &setup, 0).unwrap();
        let epoch = checkpoint.epoch_in_progress.as_ref().unwrap();
        assert_eq!((checkpoint.epoch, epoch.samples, step.batch), (2, 21, 7));
        assert_eq!(step.samples, epoch.order[21..28], "the epoch's shuffled order, where it stands");
        let mut sum = vec![0.0f64; step.layers[0].gradient.len()];
        for &sample in &step.samples {
            let alone =
                Dataset::new(setup.train.inputs().select_rows(&[sample]), setup.train.targets().select_rows(&[sample]))
                    .unwrap();
            let mut pass = network.clone();
            pass.forward(alone.inputs(), Mode::Train).unwrap();
            pass.backward(alone.inputs(), alone.targets()).unwrap();
            let gradient = pass.layers()[0].as_dense().unwrap().weight_gradient();
            sum.iter_mut().zip(gradient).for_each(|(sum, &g)| *sum += f64::from(g));
        }
        for (k, (&mean, sum)) in step.layers[0].gradient.iter().zip(sum).enumerate() {
            close(&format!("∂J/∂W(1) {k}"), sum / 7.0, f64::from(mean));
        }
    }

    #[test]
    fn the_step_shown_is_the_one_the_training_takes_next_mid_epoch_and_across_an_epoch_s_end() {
        // 60 training points in batches of 7: steps 1 to 11 cross the first epoch's end (its
        // 9th step is a batch of 4); each step shown is the weights the training then has.
        for optimizer in [r#"{ "kind": "sgd" }"#, r#"{ "kind": "adam" }"#] {
            let training = format!(r#"{{ "optimizer": {optimizer}, "batch_size": 7, "learning_rate": 0.1 }}"#);
            let (setup, mut network, checkpoint, mut rng) =
                trained("circle", r#"{ "layers": [3], "dropout": 0.2 }"#, &training, Stretch::Steps(0));
            let mut checkpoint = Some(checkpoint);
            for step_number in 1..=11 {
                let shown = next_step(&network, checkpoint.as_ref(), &rng, &setup, 0).unwrap();
                assert_eq!(shown.batch, if step_number == 9 { 4 } else { 7 }, "{optimizer} step {step_number}");
                let mut trainer = setup.request.training.trainer::<f32>().unwrap();
                let (train, test) = (&setup.train, Some(&setup.test));
                let end = trainer.continue_for(&mut network, checkpoint, Stretch::Steps(1), train, test, &mut rng);
                checkpoint = Some(end.unwrap());
                let dense = network.layers().iter().filter_map(|layer| layer.as_dense());
                for (layer, (shown, taken)) in shown.layers.iter().zip(dense).enumerate() {
                    assert_eq!(shown.weights, taken.weights(), "{optimizer} step {step_number}, W({})", layer + 1);
                }
            }
        }
    }

    #[test]
    fn the_full_batch_methods_step_on_every_point() {
        let (setup, network, checkpoint, rng) =
            trained("circle", r#"{ "layers": [3] }"#, r#"{ "optimizer": { "kind": "rprop" } }"#, 2);
        let step = next_step(&network, Some(&checkpoint), &rng, &setup, 0).unwrap();
        assert_eq!((step.batch, step.full_batch, step.number), (60, true, 3));
        // iRprop−: each weight moves by its step Δ against its gradient's sign, or stays where the sign flipped.
        let layer = &step.layers[0];
        let (_, sizes) = buffer(layer, "step_size");
        let before = network.layers()[0].as_dense().unwrap().weights();
        let mut moved = 0;
        for (k, &w) in before.iter().enumerate() {
            let change = f64::from(layer.weights[k]) - f64::from(w);
            if change != 0.0 {
                close("Δ", sizes[k], change.abs());
                assert_eq!(change.signum(), -f64::from(layer.gradient[k]).signum(), "weight {k}");
                moved += 1;
            }
        }
        assert!(moved > 0);

        let (setup, network, checkpoint, rng) =
            trained("plane", r#"{ "layers": [3] }"#, r#"{ "optimizer": { "kind": "levenberg_marquardt" } }"#, 2);
        let step = next_step(&network, Some(&checkpoint), &rng, &setup, 0).unwrap();
        assert_eq!(step.scalars.len(), 1, "the damping μ");
        assert!(step.scalars[0].1 > 0.0 && step.batch == 60);
        assert_ne!(step.layers[0].weights, network.layers()[0].as_dense().unwrap().weights());
    }
}
