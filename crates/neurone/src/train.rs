//! The training loop: epochs of shuffled minibatches, validation, and the history of losses.

use std::time::Instant;

use rand::seq::SliceRandom;

use crate::network::Mode;
use crate::{Dataset, Error, Network, Optimizer, Rng, Scalar};

/// The losses of one epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss over the epoch's minibatches (weighted by their sizes), measured
    /// before each step, as Keras and scikit-learn report it.
    pub train_loss: f64,
    /// Loss on the validation set after the epoch, in evaluation mode.
    pub validation_loss: Option<f64>,
    /// The learning rate used during the epoch.
    pub learning_rate: f64,
    /// Seconds since training started, at the end of the epoch.
    pub elapsed_seconds: f64,
}

/// Every epoch's record, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// One record per epoch.
    pub epochs: Vec<EpochRecord>,
}

impl History {
    /// The last epoch's record, if any epoch ran.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }
}

/// Trains a network by minibatch gradient descent.
///
/// Each epoch visits every training sample once, in a fresh random order (unless shuffling is
/// off), in batches of `batch_size`; the last batch holds what remains (it is used, not
/// dropped). `batch_size = 1` is online learning, a batch size of at least the number of
/// samples is full-batch gradient descent.
///
/// ```
/// use neurone::{Activation, Network, Sgd, Trainer, datasets, seeded_rng};
///
/// let mut rng = seeded_rng(42);
/// let train = datasets::sine(500, &mut rng);
/// let mut network: Network = Network::builder(1)
///     .dense(16, Activation::Tanh)
///     .dense(16, Activation::Tanh)
///     .dense(1, Activation::Identity)
///     .build(&mut rng)?;
/// let mut trainer = Trainer::new(Sgd::new(0.05)?).epochs(20).batch_size(16);
/// let history = trainer.fit(&mut network, &train, None, &mut rng)?;
/// assert!(history.last().unwrap().train_loss < history.epochs[0].train_loss);
/// # Ok::<(), neurone::Error>(())
/// ```
pub struct Trainer<'callback, O> {
    optimizer: O,
    epochs: usize,
    batch_size: usize,
    shuffle: bool,
    on_epoch: Option<EpochCallback<'callback>>,
}

/// A function called after every epoch with its record.
type EpochCallback<'callback> = Box<dyn FnMut(&EpochRecord) + 'callback>;

impl<'callback, O> Trainer<'callback, O> {
    /// A trainer using `optimizer`, for 200 epochs (scikit-learn's `max_iter`) of batches of
    /// 32 samples (Keras' default), shuffled every epoch.
    pub fn new(optimizer: O) -> Self {
        Self { optimizer, epochs: 200, batch_size: 32, shuffle: true, on_epoch: None }
    }

    /// Number of passes over the training data.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Number of samples per gradient step.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Whether to visit the samples in a new random order each epoch (the default).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// Calls `callback` after every epoch with its record (e.g. to print progress).
    pub fn on_epoch(mut self, callback: impl FnMut(&EpochRecord) + 'callback) -> Self {
        self.on_epoch = Some(Box::new(callback));
        self
    }

    /// The optimizer, with whatever state it has accumulated.
    pub fn optimizer(&self) -> &O {
        &self.optimizer
    }

    /// Trains `network` on `train`, measuring the loss on `validation` after each epoch.
    ///
    /// Fails before any step if a setting or a shape is wrong, and stops with
    /// [`Error::Diverged`] as soon as the loss becomes NaN or infinite.
    pub fn fit<S: Scalar>(
        &mut self,
        network: &mut Network<S>,
        train: &Dataset<S>,
        validation: Option<&Dataset<S>>,
        rng: &mut Rng,
    ) -> Result<History, Error>
    where
        O: Optimizer<S>,
    {
        self.check(network, train, validation)?;
        let (inputs, outputs) = (network.inputs(), network.outputs());
        let samples = train.len();
        let batch_size = self.batch_size.min(samples);
        let mut order: Vec<usize> = (0..samples).collect();
        // Gathered minibatches, allocated once: the step itself allocates nothing.
        let mut batch_inputs = vec![S::ZERO; batch_size * inputs];
        let mut batch_targets = vec![S::ZERO; batch_size * outputs];
        let start = Instant::now();
        let mut history = History::default();

        for epoch in 1..=self.epochs {
            if self.shuffle {
                order.shuffle(rng);
            }
            let learning_rate = self.optimizer.learning_rate();
            let mut loss_sum = 0.0;
            for (batch, indices) in order.chunks(batch_size).enumerate() {
                let rows = indices.len();
                let (x, y) = if self.shuffle {
                    gather(train, indices, &mut batch_inputs, &mut batch_targets);
                    (&batch_inputs[..rows * inputs], &batch_targets[..rows * outputs])
                } else {
                    // In order, a batch is a contiguous block of the dataset: no copy needed.
                    let first = batch * batch_size;
                    let x = &train.inputs().as_slice()[first * inputs..(first + rows) * inputs];
                    let y = &train.targets().as_slice()[first * outputs..(first + rows) * outputs];
                    (x, y)
                };
                network.forward_rows(x, rows, Mode::Train);
                let loss = network.backward_rows(x, y);
                if !loss.is_finite() {
                    return Err(Error::Diverged { epoch, loss });
                }
                network.update(&mut self.optimizer);
                loss_sum += loss * rows as f64;
            }
            let validation_loss = match validation {
                Some(data) => Some(network.evaluate(data.inputs(), data.targets())?),
                None => None,
            };
            if let Some(loss) = validation_loss.filter(|loss| !loss.is_finite()) {
                return Err(Error::Diverged { epoch, loss });
            }
            let record = EpochRecord {
                epoch,
                train_loss: loss_sum / samples as f64,
                validation_loss,
                learning_rate,
                elapsed_seconds: start.elapsed().as_secs_f64(),
            };
            if let Some(callback) = self.on_epoch.as_mut() {
                callback(&record);
            }
            history.epochs.push(record);
        }
        Ok(history)
    }

    fn check<S: Scalar>(
        &self,
        network: &Network<S>,
        train: &Dataset<S>,
        validation: Option<&Dataset<S>>,
    ) -> Result<(), Error> {
        if self.epochs == 0 {
            return Err(Error::invalid("epochs", "must be at least 1"));
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch_size", "must be at least 1"));
        }
        if train.is_empty() {
            return Err(Error::invalid("training data", "has no samples"));
        }
        for (name, data) in [("training", Some(train)), ("validation", validation)] {
            let Some(data) = data else { continue };
            let (inputs, targets) = (data.inputs().cols(), data.targets().cols());
            if inputs != network.inputs() || targets != network.outputs() {
                return Err(Error::Shape(format!(
                    "the {name} data has {inputs} input and {targets} target columns, the network takes {} and gives {}",
                    network.inputs(),
                    network.outputs()
                )));
            }
        }
        if validation.is_some_and(Dataset::is_empty) {
            return Err(Error::invalid("validation data", "has no samples"));
        }
        Ok(())
    }
}

/// Copies the samples at `indices` into the front of the batch buffers.
fn gather<S: Scalar>(data: &Dataset<S>, indices: &[usize], inputs: &mut [S], targets: &mut [S]) {
    let (x, y) = (data.inputs(), data.targets());
    for (position, &index) in indices.iter().enumerate() {
        inputs[position * x.cols()..(position + 1) * x.cols()].copy_from_slice(x.row(index));
        targets[position * y.cols()..(position + 1) * y.cols()].copy_from_slice(y.row(index));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Matrix, Sgd, datasets, seeded_rng};

    fn network(seed: u64) -> Network<f64> {
        Network::builder(1)
            .dense(8, Activation::Tanh)
            .dense(1, Activation::Identity)
            .build(&mut seeded_rng(seed))
            .unwrap()
    }

    fn train(seed: u64, batch_size: usize, epochs: usize) -> (Network<f64>, History) {
        let mut rng = seeded_rng(seed);
        let data = datasets::sine(50, &mut rng);
        let mut network = network(seed);
        let mut trainer = Trainer::new(Sgd::new(0.05).unwrap()).epochs(epochs).batch_size(batch_size);
        let history = trainer.fit(&mut network, &data, Some(&data), &mut rng).unwrap();
        (network, history)
    }

    fn weights(network: &Network<f64>) -> Vec<u64> {
        network.layers().iter().flat_map(|l| l.weights().iter().chain(l.bias())).map(|w| w.to_bits()).collect()
    }

    #[test]
    fn online_minibatch_and_full_batch_all_reduce_the_loss() {
        for batch_size in [1, 7, 50, 1000] {
            let (_, history) = train(1, batch_size, 30);
            let (first, last) = (&history.epochs[0], history.last().unwrap());
            assert_eq!(history.epochs.len(), 30);
            assert!(last.train_loss < first.train_loss, "batch {batch_size}: {first:?} → {last:?}");
            assert!(last.validation_loss.unwrap() < first.validation_loss.unwrap());
        }
    }

    #[test]
    fn one_full_batch_step_is_one_gradient_descent_step() {
        let mut rng = seeded_rng(2);
        let data = datasets::sine::<f64>(10, &mut rng);
        let mut by_trainer = network(2);
        let mut by_hand = by_trainer.clone();
        let mut trainer = Trainer::new(Sgd::new(0.1).unwrap()).epochs(1).batch_size(10);
        trainer.fit(&mut by_trainer, &data, None, &mut rng).unwrap();
        // The same step written out: W ← W − η ∂J/∂W over the (reordered, same) whole batch.
        by_hand.compute_gradients(data.inputs(), data.targets()).unwrap();
        by_hand.update(&mut Sgd::new(0.1).unwrap());
        for (a, b) in weights(&by_trainer).iter().zip(weights(&by_hand)) {
            let (a, b) = (f64::from_bits(*a), f64::from_bits(b));
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn the_last_partial_batch_is_used() {
        // 50 samples in batches of 20: 20, 20 and 10. Count the steps through the callback-free
        // trick of an optimizer that counts its calls.
        struct Counting(usize);
        impl Optimizer<f64> for Counting {
            fn begin_step(&mut self) {
                self.0 += 1;
            }
            fn update(&mut self, _: usize, _: crate::layer::Tensor<'_, f64>) {}
            fn learning_rate(&self) -> f64 {
                0.0
            }
            fn set_learning_rate(&mut self, _: f64) {}
            fn state(&self) -> crate::optim::OptimizerState {
                crate::optim::OptimizerState::default()
            }
            fn load_state(&mut self, _: &crate::optim::OptimizerState) -> Result<(), Error> {
                Ok(())
            }
        }
        let mut rng = seeded_rng(3);
        let data = datasets::sine(50, &mut rng);
        let mut trainer = Trainer::new(Counting(0)).epochs(2).batch_size(20);
        trainer.fit(&mut network(3), &data, None, &mut rng).unwrap();
        assert_eq!(trainer.optimizer().0, 6);
    }

    #[test]
    fn same_seed_gives_identical_bits_and_another_seed_does_not() {
        let (a, history_a) = train(7, 16, 5);
        let (b, history_b) = train(7, 16, 5);
        let (c, _) = train(8, 16, 5);
        assert_eq!(weights(&a), weights(&b));
        let losses = |h: &History| h.epochs.iter().map(|r| r.train_loss.to_bits()).collect::<Vec<_>>();
        assert_eq!(losses(&history_a), losses(&history_b));
        assert_ne!(weights(&a), weights(&c));
    }

    #[test]
    fn unshuffled_training_is_deterministic_and_learns() {
        let mut rng = seeded_rng(4);
        let data = datasets::sine(40, &mut rng);
        let mut network = network(4);
        let mut trainer = Trainer::new(Sgd::new(0.05).unwrap()).epochs(20).batch_size(8).shuffle(false);
        let history = trainer.fit(&mut network, &data, None, &mut rng).unwrap();
        assert!(history.last().unwrap().train_loss < history.epochs[0].train_loss);
    }

    #[test]
    fn divergence_is_an_error_naming_the_epoch() {
        let mut rng = seeded_rng(5);
        let x = Matrix::column(&[1e3, -1e3, 5e2]);
        let data = Dataset::new(x.clone(), x).unwrap();
        let mut network = network(5);
        let mut trainer = Trainer::new(Sgd::new(1e6).unwrap()).epochs(50).batch_size(3);
        let error = trainer.fit(&mut network, &data, None, &mut rng).unwrap_err();
        assert!(matches!(error, Error::Diverged { .. }), "{error}");
        assert!(error.to_string().contains("try a smaller learning rate"), "{error}");
    }

    #[test]
    fn bad_settings_and_shapes_are_errors() {
        let mut rng = seeded_rng(6);
        let data = datasets::sine::<f64>(10, &mut rng);
        let mut net = network(6);
        let error = Trainer::new(Sgd::new(0.1).unwrap()).epochs(0).fit(&mut net, &data, None, &mut rng).unwrap_err();
        assert_eq!(error.to_string(), "invalid epochs: must be at least 1");
        let error =
            Trainer::new(Sgd::new(0.1).unwrap()).batch_size(0).fit(&mut net, &data, None, &mut rng).unwrap_err();
        assert_eq!(error.to_string(), "invalid batch_size: must be at least 1");
        let wide = Dataset::new(Matrix::zeros(4, 2), Matrix::zeros(4, 1)).unwrap();
        let error = Trainer::new(Sgd::new(0.1).unwrap()).fit(&mut net, &wide, None, &mut rng).unwrap_err();
        assert!(error.to_string().contains("training data has 2 input and 1 target columns"), "{error}");
    }
}
