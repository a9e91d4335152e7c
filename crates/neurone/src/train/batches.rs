//! Minibatches: each epoch a fresh order of the samples, cut into batches gathered into buffers
//! allocated once, so no epoch copies the whole dataset. Sparse samples stay sparse (the first
//! dense layer reads their stored values), unless asked to be made dense a batch at a time. An
//! epoch may pause between two batches and resume where it stood (its order and position kept
//! in an [`EpochInProgress`]).

use std::ops::ControlFlow;

use rand::seq::SliceRandom;

use crate::data::{DatasetView, Inputs, SparseBuffers, copy_row};
use crate::{Error, Rng, Scalar};

/// An epoch paused between two steps (by [`Stretch::Steps`](super::Stretch::Steps)): what
/// resuming it needs to step on the batches an uninterrupted epoch would, and to report its loss
/// with the same bits.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochInProgress {
    /// The epoch's order of the training samples (their indices), drawn at its start.
    pub order: Vec<usize>,
    /// How many samples of `order` were stepped on: the next batch starts there (cut to the
    /// batch size in use then, so a batch size changed mid-epoch takes up the same order).
    pub samples: usize,
    /// The sum of the stepped batches' mean losses, each times its batch's size: the epoch's
    /// mean J so far is `loss_sum / samples`.
    pub loss_sum: f64,
}

/// One minibatch: `rows` samples stored one after the other.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a, S> {
    /// The inputs, `rows` × features, dense or sparse.
    pub inputs: Inputs<'a, S>,
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
/// use neurone::{Matrix, Dataset, data::Inputs, train::Batches, seeded_rng};
/// let data = Dataset::new(Matrix::column(&[1.0f32, 2.0, 3.0, 4.0, 5.0]), Matrix::column(&[0.0; 5]))?;
/// let mut batches = Batches::new(&data, 2, true);
/// let mut sizes = Vec::new();
/// batches.for_each_batch(&mut seeded_rng(0), |batch| {
///     sizes.push(batch.rows);
///     assert!(matches!(batch.inputs, Inputs::Dense(inputs) if inputs.len() == batch.rows));
///     assert!(batch.weights.is_none()); // the samples are not weighted
///     Ok(ControlFlow::<(), f64>::Continue(1.0)) // the batch's mean loss
/// })?;
/// assert_eq!(sizes, [2, 2, 1]); // the last, partial batch is used, not dropped
///
/// // Limited to 2 steps, an epoch pauses after its second batch; the next call goes on with it.
/// batches.limit_steps(Some(2));
/// let mut rows = Vec::new();
/// batches.for_each_batch(&mut seeded_rng(0), |batch| { rows.push(batch.rows); Ok(ControlFlow::<(), f64>::Continue(0.5)) })?;
/// assert_eq!((rows.len(), batches.paused().map(|epoch| epoch.samples)), (2, Some(4)));
/// assert!(batches.is_paused());
/// batches.limit_steps(None);
/// batches.for_each_batch(&mut seeded_rng(0), |batch| { rows.push(batch.rows); Ok(ControlFlow::<(), f64>::Continue(0.5)) })?;
/// assert_eq!((rows, batches.paused(), batches.mean_loss()), (vec![2, 2, 1], None, 0.5));
///
/// // A step can end the epoch, saying why: the batches after it are not gathered.
/// let mut steps = 0;
/// let ended = batches.for_each_batch(&mut seeded_rng(0), |_| {
///     steps += 1;
///     Ok(if steps == 2 { ControlFlow::Break("stop requested") } else { ControlFlow::Continue(0.0) })
/// })?;
/// assert_eq!((ended, steps), (ControlFlow::Break("stop requested"), 2));
/// # Ok::<(), neurone::Error>(())
/// ```
pub struct Batches<'data, S> {
    data: DatasetView<'data, S>,
    batch_size: usize,
    shuffle: bool,
    order: Vec<usize>,
    /// Samples of the current epoch stepped on so far, and the sum of their losses (see
    /// [`EpochInProgress`]).
    position: usize,
    loss_sum: f64,
    /// True when the current epoch paused before its end: the next call goes on with it.
    paused: bool,
    /// Steps still allowed before pausing (`None`: no limit).
    steps_left: Option<u64>,
    /// Whether sparse samples are made dense (for a network whose first layer is not dense).
    sparse_made_dense: bool,
    inputs: Vec<S>,
    sparse_inputs: SparseBuffers<S>,
    targets: Vec<S>,
    weights: Vec<S>,
    /// Every sample's inputs made dense, for the full-batch solvers on sparse rows made dense
    /// (made on their first step, kept for the next).
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
        let sparse_rows = data.sparse_inputs();
        let sparse = sparse_rows.is_some();
        let gathered = shuffle || sparse;
        let buffer = |width: usize| vec![S::ZERO; if gathered { batch_size * width } else { 0 }];
        Self {
            data,
            batch_size,
            shuffle,
            order: (0..data.len()).collect(),
            position: 0,
            loss_sum: 0.0,
            paused: false,
            steps_left: None,
            sparse_made_dense: false,
            inputs: if sparse { Vec::new() } else { buffer(data.input_width()) },
            sparse_inputs: sparse_rows
                .map_or_else(SparseBuffers::default, |x| SparseBuffers::for_rows_of(x, batch_size)),
            targets: buffer(data.target_width()),
            weights: buffer(if data.sample_weights().is_some() { 1 } else { 0 }),
            whole_inputs: Vec::new(),
        }
    }

    /// The whole dataset.
    pub fn data(&self) -> DatasetView<'data, S> {
        self.data
    }

    /// Makes sparse samples dense, a batch at a time, for a network whose first layer reads
    /// dense rows only (one that is not dense).
    pub fn make_sparse_rows_dense(&mut self) {
        if self.data.sparse_inputs().is_some() && !self.sparse_made_dense {
            self.sparse_made_dense = true;
            self.inputs = vec![S::ZERO; self.batch_size * self.data.input_width()];
            self.sparse_inputs = SparseBuffers::default();
        }
    }

    /// Goes on with an epoch paused by [`Batches::limit_steps`]: its order and position, for the
    /// next [`Batches::for_each_batch`] to take up instead of drawing a new order. Fails if the
    /// order is not one of this data's samples.
    pub fn resume(&mut self, epoch: EpochInProgress) -> Result<(), Error> {
        let mut seen = vec![false; self.data.len()];
        let visits_each_once = epoch.order.len() == seen.len()
            && epoch.order.iter().all(|&index| index < seen.len() && !std::mem::replace(&mut seen[index], true));
        if !visits_each_once || epoch.samples > seen.len() {
            let reason = format!("is not an epoch over the {} training samples", seen.len());
            return Err(Error::invalid("epoch in progress", reason));
        }
        if !self.shuffle && epoch.order.iter().enumerate().any(|(position, &index)| position != index) {
            return Err(Error::invalid("shuffle", "is off, but the epoch in progress was shuffled"));
        }
        (self.order, self.position, self.loss_sum, self.paused) = (epoch.order, epoch.samples, epoch.loss_sum, true);
        Ok(())
    }

    /// Pauses the epoch after `steps` more steps (each batch a step, and each call of
    /// [`Batches::whole`]); `None` lifts the limit.
    pub fn limit_steps(&mut self, steps: Option<u64>) {
        self.steps_left = steps;
    }

    /// The steps still allowed by [`Batches::limit_steps`] (`None`: no limit).
    pub fn steps_left(&self) -> Option<u64> {
        self.steps_left
    }

    /// Whether the epoch paused before its end ([`Batches::paused`] without copying its order).
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// The epoch paused before its end by the step limit, if it did: what resuming it needs.
    pub fn paused(&self) -> Option<EpochInProgress> {
        self.paused.then(|| EpochInProgress {
            order: self.order.clone(),
            samples: self.position,
            loss_sum: self.loss_sum,
        })
    }

    /// The mean loss of the samples of the epoch stepped on so far (all of them once it ended),
    /// as a minibatch epoch reports it (0 before any).
    pub fn mean_loss(&self) -> f64 {
        self.loss_sum / self.position.max(1) as f64
    }

    /// Counts a step against the limit; false when none is left (the epoch pauses).
    fn take_step(&mut self) -> bool {
        match &mut self.steps_left {
            Some(0) => false,
            Some(left) => {
                *left -= 1;
                true
            }
            None => true,
        }
    }

    /// Every sample as one batch, in the dataset's order: what a full-batch solver steps on
    /// (one step of the limit). Sparse samples stay sparse, unless they are made dense
    /// ([`Batches::make_sparse_rows_dense`]: once, kept for the next epochs).
    pub fn whole(&mut self) -> Batch<'_, S> {
        self.take_step();
        let data = self.data;
        let inputs = match data.input_rows() {
            Inputs::Sparse(_) if self.sparse_made_dense => {
                if self.whole_inputs.is_empty() {
                    self.whole_inputs = vec![S::ZERO; data.len() * data.input_width()];
                    for (index, row) in self.whole_inputs.chunks_exact_mut(data.input_width()).enumerate() {
                        data.write_input_row(index, row);
                    }
                }
                Inputs::Dense(&self.whole_inputs)
            }
            inputs => inputs,
        };
        Batch { inputs, targets: data.targets(), weights: data.sample_weights(), rows: data.len() }
    }

    /// One epoch, or what is left of a paused one: calls `step` with each batch, and adds each
    /// stepped batch's mean loss (the `Continue` value), times its size, to the epoch's sum
    /// ([`Batches::mean_loss`]). Stops at the first error, or at the first step that breaks, and
    /// returns its reason (that batch counts as not stepped); `Continue` when every batch was
    /// stepped, or when the step limit paused the epoch ([`Batches::paused`] then says where).
    pub fn for_each_batch<B>(
        &mut self,
        rng: &mut Rng,
        mut step: impl FnMut(Batch<'_, S>) -> Result<ControlFlow<B, f64>, Error>,
    ) -> Result<ControlFlow<B>, Error> {
        let data = self.data;
        let (y, w) = (data.targets(), data.sample_weights());
        let (input_width, target_width) = (data.input_width(), data.target_width());
        if !std::mem::replace(&mut self.paused, false) {
            if self.shuffle {
                shuffle(&mut self.order, rng);
            }
            (self.position, self.loss_sum) = (0, 0.0);
        }
        while self.position < data.len() {
            if !self.take_step() {
                self.paused = true;
                break;
            }
            let first = self.position;
            let indices = &self.order[first..(first + self.batch_size).min(data.len())];
            let rows = indices.len();
            let flow = match data.input_rows() {
                Inputs::Dense(x) if !self.shuffle => {
                    // In order, a batch of dense samples is a contiguous block of the dataset: no
                    // copy needed.
                    let inputs = Inputs::Dense(&x[first * input_width..(first + rows) * input_width]);
                    let targets = &y[first * target_width..(first + rows) * target_width];
                    step(Batch { inputs, targets, weights: w.map(|w| &w[first..first + rows]), rows })?
                }
                input_rows => {
                    for (targets, &index) in self.targets.chunks_exact_mut(target_width).zip(indices) {
                        copy_row(targets, data.target_row(index));
                    }
                    if let Some(w) = w {
                        self.weights.iter_mut().zip(indices).for_each(|(weight, &index)| *weight = w[index]);
                    }
                    let inputs = match input_rows {
                        Inputs::Sparse(x) if !self.sparse_made_dense => {
                            Inputs::Sparse(x.gather(indices, &mut self.sparse_inputs))
                        }
                        _ => {
                            for (inputs, &index) in self.inputs.chunks_exact_mut(input_width).zip(indices) {
                                data.write_input_row(index, inputs);
                            }
                            Inputs::Dense(&self.inputs[..rows * input_width])
                        }
                    };
                    let targets = &self.targets[..rows * target_width];
                    step(Batch { inputs, targets, weights: w.map(|_| &self.weights[..rows]), rows })?
                }
            };
            match flow {
                ControlFlow::Continue(loss) => {
                    self.loss_sum += loss * rows as f64;
                    self.position += rows;
                }
                ControlFlow::Break(reason) => return Ok(ControlFlow::Break(reason)),
            }
        }
        Ok(ControlFlow::Continue(()))
    }
}

/// A new epoch's order of the samples: `order` (whatever it held) becomes a shuffle of
/// `0..order.len()` drawn by `rng`.
pub(super) fn shuffle(order: &mut [usize], rng: &mut Rng) {
    // Each epoch's order depends on the generator alone (not on the previous order), so a
    // checkpoint needs to keep only the generator to resume exactly.
    order.iter_mut().enumerate().for_each(|(position, index)| *index = position);
    order.shuffle(rng);
}
