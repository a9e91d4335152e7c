//! Minibatches: each epoch a fresh order of the samples, cut into batches gathered into buffers
//! allocated once, so no epoch copies the whole dataset (nor makes sparse samples dense but a
//! batch at a time).

use std::ops::ControlFlow;

use rand::seq::SliceRandom;

use crate::data::{DatasetView, copy_row};
use crate::{Error, Rng, Scalar};

/// One minibatch: `rows` samples stored one after the other.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a, S> {
    /// The inputs, `rows` × features.
    pub inputs: &'a [S],
    /// The targets, `rows` × outputs.
    pub targets: &'a [S],
    /// The samples' weights, if the dataset has them.
    pub weights: Option<&'a [S]>,
    /// The number of samples.
    pub rows: usize,
}

/// Cuts a dataset (or a [`DatasetView`] of samples held elsewhere) into minibatches, epoch
/// after epoch.
///
/// ```
/// use std::ops::ControlFlow;
/// use neurone::{Matrix, Dataset, train::Batches, seeded_rng};
/// let data = Dataset::new(Matrix::column(&[1.0f32, 2.0, 3.0, 4.0, 5.0]), Matrix::column(&[0.0; 5]))?;
/// let mut batches = Batches::new(&data, 2, true);
/// let mut sizes = Vec::new();
/// batches.for_each_batch(&mut seeded_rng(0), |batch| {
///     sizes.push(batch.rows);
///     assert_eq!(batch.inputs.len(), batch.rows);
///     assert!(batch.weights.is_none()); // the samples are not weighted
///     Ok(ControlFlow::<()>::Continue(()))
/// })?;
/// assert_eq!(sizes, [2, 2, 1]); // the last, partial batch is used, not dropped
///
/// // A step can end the epoch, saying why: the batches after it are not gathered.
/// let mut steps = 0;
/// let ended = batches.for_each_batch(&mut seeded_rng(0), |_| {
///     steps += 1;
///     Ok(if steps == 2 { ControlFlow::Break("stop requested") } else { ControlFlow::Continue(()) })
/// })?;
/// assert_eq!((ended, steps), (ControlFlow::Break("stop requested"), 2));
/// # Ok::<(), neurone::Error>(())
/// ```
pub struct Batches<'data, S> {
    data: DatasetView<'data, S>,
    batch_size: usize,
    shuffle: bool,
    order: Vec<usize>,
    inputs: Vec<S>,
    targets: Vec<S>,
    weights: Vec<S>,
    /// Every sample's inputs made dense, for the full-batch solvers on sparse rows (made on
    /// their first step, kept for the next).
    whole_inputs: Vec<S>,
}

impl<'data, S: Scalar> Batches<'data, S> {
    /// Batches of `batch_size` samples (all of them when larger), in a new random order each
    /// epoch if `shuffle`, else in the dataset's order.
    pub fn new(data: impl Into<DatasetView<'data, S>>, batch_size: usize, shuffle: bool) -> Self {
        let data = data.into();
        let batch_size = batch_size.clamp(1, data.len().max(1));
        // Shuffled samples, or sparse ones, are gathered into buffers; dense samples in order
        // are read where they are.
        let gathered = shuffle || data.inputs().is_none();
        let buffer = |width: usize| vec![S::ZERO; if gathered { batch_size * width } else { 0 }];
        Self {
            data,
            batch_size,
            shuffle,
            order: (0..data.len()).collect(),
            inputs: buffer(data.input_width()),
            targets: buffer(data.target_width()),
            weights: buffer(if data.sample_weights().is_some() { 1 } else { 0 }),
            whole_inputs: Vec::new(),
        }
    }

    /// The whole dataset.
    pub fn data(&self) -> DatasetView<'data, S> {
        self.data
    }

    /// Every sample as one batch, in the dataset's order: what a full-batch solver steps on.
    /// Sparse inputs are made dense for it (once, kept for the next epochs).
    pub fn whole(&mut self) -> Batch<'_, S> {
        let data = self.data;
        let inputs = match data.inputs() {
            Some(inputs) => inputs,
            None => {
                if self.whole_inputs.is_empty() {
                    self.whole_inputs = vec![S::ZERO; data.len() * data.input_width()];
                    for (index, row) in self.whole_inputs.chunks_exact_mut(data.input_width()).enumerate() {
                        data.write_input_row(index, row);
                    }
                }
                &self.whole_inputs
            }
        };
        Batch { inputs, targets: data.targets(), weights: data.sample_weights(), rows: data.len() }
    }

    /// One epoch: calls `step` with each batch. Stops at the first error, or at the first step that breaks, and returns its
    /// reason; `Continue` when every batch was stepped.
    pub fn for_each_batch<B>(
        &mut self,
        rng: &mut Rng,
        mut step: impl FnMut(Batch<'_, S>) -> Result<ControlFlow<B>, Error>,
    ) -> Result<ControlFlow<B>, Error> {
        let data = self.data;
        let (y, w) = (data.targets(), data.sample_weights());
        let (input_width, target_width) = (data.input_width(), data.target_width());
        if self.shuffle {
            // Each epoch's order depends on the generator alone (not on the previous order), so
            // a checkpoint needs to keep only the generator to resume exactly.
            self.order.iter_mut().enumerate().for_each(|(position, index)| *index = position);
            self.order.shuffle(rng);
        }
        for (batch, indices) in self.order.chunks(self.batch_size).enumerate() {
            let rows = indices.len();
            let flow = match data.inputs().filter(|_| !self.shuffle) {
                Some(x) => {
                    // In order, a batch of dense samples is a contiguous block of the dataset: no
                    // copy needed.
                    let first = batch * self.batch_size;
                    let inputs = &x[first * input_width..(first + rows) * input_width];
                    let targets = &y[first * target_width..(first + rows) * target_width];
                    step(Batch { inputs, targets, weights: w.map(|w| &w[first..first + rows]), rows })?
                }
                None => {
                    let slots =
                        self.inputs.chunks_exact_mut(input_width).zip(self.targets.chunks_exact_mut(target_width));
                    for ((inputs, targets), &index) in slots.zip(indices) {
                        data.write_input_row(index, inputs);
                        copy_row(targets, data.target_row(index));
                    }
                    if let Some(w) = w {
                        self.weights.iter_mut().zip(indices).for_each(|(weight, &index)| *weight = w[index]);
                    }
                    let (inputs, targets) = (&self.inputs[..rows * input_width], &self.targets[..rows * target_width]);
                    step(Batch { inputs, targets, weights: w.map(|_| &self.weights[..rows]), rows })?
                }
            };
            if flow.is_break() {
                return Ok(flow);
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}
