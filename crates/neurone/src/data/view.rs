//! A borrowed dataset: the samples training reads, in memory it does not own.

use super::dataset::check_sample_weights;
use super::sparse::SparseRows;
use crate::{Dataset, Error, Scalar};

/// Training samples as borrowed row-major slices: `inputs` (n × input width, dense or
/// [`SparseRows`]), `targets` (n × target width) and optionally a weight per sample — what
/// [`Trainer::fit`] reads.
///
/// A [`Dataset`] lends one (`DatasetView::from(&dataset)`); so can memory the library does not
/// own, such as a numpy array, which is then trained on without being copied, or a scipy sparse
/// matrix, whose rows are made dense a batch at a time.
///
/// ```
/// use neurone::{Activation, Network, Sgd, Trainer, seeded_rng};
/// use neurone::data::DatasetView;
/// let (inputs, targets) = ([0.0f32, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], [0.0f32, 1.0, 1.0, 0.0]);
/// let xor = DatasetView::new(&inputs, 2, &targets, 1)?;
/// assert_eq!((xor.len(), xor.inputs()), (4, Some(&inputs[..])));
/// let mut network = Network::builder(2).dense(4, Activation::Tanh).dense(1, Activation::Sigmoid).build(&mut seeded_rng(1))?;
/// Trainer::new(Sgd::default()).epochs(5).fit(&mut network, xor, None, &mut seeded_rng(2))?;
/// # Ok::<(), neurone::Error>(())
/// ```
///
/// [`Trainer::fit`]: crate::Trainer::fit
#[derive(Clone, Copy, Debug)]
pub struct DatasetView<'a, S> {
    inputs: Inputs<'a, S>,
    targets: &'a [S],
    sample_weights: Option<&'a [S]>,
    rows: usize,
    input_width: usize,
    target_width: usize,
}

/// Input rows as a view or a minibatch holds them: row-major values, or sparse rows, which
/// a network's first dense layer reads from their stored values.
#[derive(Clone, Copy, Debug)]
pub enum Inputs<'a, S> {
    /// Every input, row after row.
    Dense(&'a [S]),
    /// Rows in compressed sparse form.
    Sparse(SparseRows<'a, S>),
}

impl<'a, S: Scalar> DatasetView<'a, S> {
    /// Rows of `input_width` inputs paired with rows of `target_width` targets; both slices
    /// must hold the same number of whole rows.
    pub fn new(inputs: &'a [S], input_width: usize, targets: &'a [S], target_width: usize) -> Result<Self, Error> {
        let rows = |values: &[S], width: usize, what: &str| match values.len().checked_rem(width) {
            Some(0) => Ok(values.len() / width),
            _ => Err(Error::Shape(format!("{} {what} values do not make rows of {width}", values.len()))),
        };
        let rows_of_inputs = rows(inputs, input_width, "input")?;
        let rows_of_targets = rows(targets, target_width, "target")?;
        if rows_of_inputs != rows_of_targets {
            return Err(Error::Shape(format!("{rows_of_inputs} input rows but {rows_of_targets} target rows")));
        }
        Ok(Self {
            inputs: Inputs::Dense(inputs),
            targets,
            sample_weights: None,
            rows: rows_of_inputs,
            input_width,
            target_width,
        })
    }

    /// Sparse input rows paired with rows of `target_width` targets, as many.
    pub fn sparse(inputs: SparseRows<'a, S>, targets: &'a [S], target_width: usize) -> Result<Self, Error> {
        let rows = inputs.len();
        if targets.len() != rows * target_width {
            return Err(Error::Shape(format!(
                "{rows} sparse input rows but {} target values for rows of {target_width}",
                targets.len()
            )));
        }
        let input_width = inputs.width();
        Ok(Self { inputs: Inputs::Sparse(inputs), targets, sample_weights: None, rows, input_width, target_width })
    }

    /// Weighs each sample's loss: one finite, non-negative weight per sample, not all zero.
    pub fn with_sample_weights(mut self, weights: &'a [S]) -> Result<Self, Error> {
        check_sample_weights(weights, self.rows)?;
        self.sample_weights = Some(weights);
        Ok(self)
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Number of input columns.
    pub fn input_width(&self) -> usize {
        self.input_width
    }

    /// Number of target columns.
    pub fn target_width(&self) -> usize {
        self.target_width
    }

    /// Every input, row after row, when they are held dense (`None` for sparse rows).
    pub fn inputs(&self) -> Option<&'a [S]> {
        match self.inputs {
            Inputs::Dense(values) => Some(values),
            Inputs::Sparse(_) => None,
        }
    }

    /// The inputs, dense or sparse.
    pub fn input_rows(&self) -> Inputs<'a, S> {
        self.inputs
    }

    /// The sparse input rows (`None` for dense inputs).
    pub fn sparse_inputs(&self) -> Option<SparseRows<'a, S>> {
        match self.inputs {
            Inputs::Dense(_) => None,
            Inputs::Sparse(rows) => Some(rows),
        }
    }

    /// Every target, row after row.
    pub fn targets(&self) -> &'a [S] {
        self.targets
    }

    /// Writes the inputs of sample `index` into `row` (`input_width` values).
    pub fn write_input_row(&self, index: usize, row: &mut [S]) {
        match self.inputs {
            Inputs::Dense(values) => copy_row(row, &values[index * self.input_width..][..self.input_width]),
            Inputs::Sparse(rows) => rows.write_row(index, row),
        }
    }

    /// The targets of sample `index`.
    pub fn target_row(&self, index: usize) -> &'a [S] {
        &self.targets[index * self.target_width..][..self.target_width]
    }

    /// The weight of each sample, if the samples are weighted.
    pub fn sample_weights(&self) -> Option<&'a [S]> {
        self.sample_weights
    }
}

impl<'a, S: Scalar> From<&'a Dataset<S>> for DatasetView<'a, S> {
    fn from(data: &'a Dataset<S>) -> Self {
        let (inputs, targets) = (data.inputs(), data.targets());
        Self {
            inputs: Inputs::Dense(inputs.as_slice()),
            targets: targets.as_slice(),
            sample_weights: data.sample_weights(),
            rows: data.len(),
            input_width: inputs.cols(),
            target_width: targets.cols(),
        }
    }
}

/// `to.copy_from_slice(from)`, value by value for a row of a few values: a call to memcpy for
/// each (a batch of 150 four-input rows made 300 an epoch) cost more than the copy.
pub(crate) fn copy_row<S: Copy>(to: &mut [S], from: &[S]) {
    if to.len() <= 8 {
        for (to, &from) in to.iter_mut().zip(from) {
            *to = from;
        }
    } else {
        to.copy_from_slice(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;

    #[test]
    fn a_view_reads_the_rows_of_the_slices_it_borrows() {
        let (inputs, targets) = ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [7.0, 8.0]);
        let view = DatasetView::new(&inputs, 3, &targets, 1).unwrap();
        assert_eq!((view.len(), view.input_width(), view.target_width()), (2, 3, 1));
        let mut row = [0.0; 3];
        view.write_input_row(1, &mut row);
        assert_eq!((row, view.target_row(1)), ([4.0, 5.0, 6.0], &[8.0][..]));
        assert!(std::ptr::eq(view.inputs().unwrap(), &inputs[..]), "borrowed, not copied");
    }

    #[test]
    fn a_view_refuses_slices_that_do_not_make_the_same_whole_rows() {
        let message = |result: Result<DatasetView<'_, f64>, Error>| result.unwrap_err().to_string();
        assert!(message(DatasetView::new(&[1.0; 5], 2, &[0.0; 2], 1)).contains("5 input values do not make rows of 2"));
        assert!(message(DatasetView::new(&[1.0; 4], 2, &[0.0; 3], 1)).contains("2 input rows but 3 target rows"));
        assert!(message(DatasetView::new(&[1.0; 4], 0, &[0.0; 2], 1)).contains("rows of 0"));
        let view = DatasetView::new(&[1.0; 4], 2, &[0.0; 2], 1).unwrap();
        assert!(view.with_sample_weights(&[1.0]).unwrap_err().to_string().contains("1 weights for 2 samples"));
        assert!(view.with_sample_weights(&[0.0, 0.0]).unwrap_err().to_string().contains("all zero"));
    }

    #[test]
    fn a_sparse_view_writes_its_rows_dense_and_needs_as_many_target_rows() {
        // [[0, 2], [3, 0], [0, 0]]
        let rows = SparseRows::new(&[2.0, 3.0], &[1, 0], &[0, 1, 2, 2], 2).unwrap();
        let view = DatasetView::sparse(rows, &[1.0, 0.0, 1.0], 1).unwrap();
        assert_eq!((view.len(), view.input_width(), view.inputs()), (3, 2, None));
        let mut row = [9.0; 2];
        view.write_input_row(1, &mut row);
        assert_eq!(row, [3.0, 0.0]);
        let refused = DatasetView::sparse(rows, &[1.0, 0.0], 1).unwrap_err().to_string();
        assert!(refused.contains("3 sparse input rows but 2 target values"), "{refused}");
    }

    #[test]
    fn a_dataset_lends_a_view_of_its_own_values() {
        let data = Dataset::new(Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0]]).unwrap(), Matrix::column(&[5.0, 6.0]))
            .unwrap()
            .with_sample_weights(&[1.0, 2.0])
            .unwrap();
        let view = DatasetView::from(&data);
        assert_eq!((view.len(), view.target_row(0)), (2, &[5.0][..]));
        assert_eq!(view.sample_weights(), Some(&[1.0, 2.0][..]));
        assert!(std::ptr::eq(view.inputs().unwrap(), data.inputs().as_slice()));
    }
}
