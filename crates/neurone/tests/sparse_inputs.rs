//! Training on sparse input rows (scipy's CSR) gives the bits of training on the same rows
//! dense, for every way the trainer reads samples: shuffled minibatches, minibatches in order,
//! and the full-batch solvers' whole training set.

use neurone::data::{DatasetView, SparseRows};
use neurone::spec::OptimizerSpec;
use neurone::{Activation, Network, Rng, Scalar, seeded_rng};
use rand::RngExt;

/// 60 rows of 40 inputs, about 1 in 10 non-zero, in CSR form and dense; two classes as targets.
struct Data {
    values: Vec<f64>,
    columns: Vec<usize>,
    row_starts: Vec<usize>,
    dense: Vec<f64>,
    targets: Vec<f64>,
}

const ROWS: usize = 60;
const WIDTH: usize = 40;

fn data(rng: &mut Rng) -> Data {
    let (mut values, mut columns, mut row_starts, mut dense) = (vec![], vec![], vec![0], vec![0.0; ROWS * WIDTH]);
    let mut targets = Vec::new();
    for row in 0..ROWS {
        for column in 0..WIDTH {
            if rng.random_bool(0.1) {
                let value: f64 = rng.random_range(0.0..1.0);
                values.push(value);
                columns.push(column);
                dense[row * WIDTH + column] = value;
            }
        }
        row_starts.push(values.len());
        targets.push(f64::from(dense[row * WIDTH..][..WIDTH / 2].iter().sum::<f64>() > 0.3));
    }
    Data { values, columns, row_starts, dense, targets }
}

/// The network's parameters after `epochs` epochs of `optimizer` on the rows, dense or sparse.
fn trained<S: Scalar>(data: &Data, optimizer: &str, batch_size: usize, shuffle: bool, sparse: bool) -> Vec<f64> {
    let cast = |values: &[f64]| values.iter().map(|&v| S::from_f64(v)).collect::<Vec<S>>();
    let (values, dense, targets) = (cast(&data.values), cast(&data.dense), cast(&data.targets));
    let view = if sparse {
        let rows = SparseRows::new(&values, &data.columns, &data.row_starts, WIDTH).unwrap();
        DatasetView::sparse(rows, &targets, 1).unwrap()
    } else {
        DatasetView::new(&dense, WIDTH, &targets, 1).unwrap()
    };
    let mut network: Network<S> = Network::builder(WIDTH)
        .dense(8, Activation::Relu)
        .dense(1, Activation::Sigmoid)
        .build(&mut seeded_rng(4))
        .unwrap();
    let spec: OptimizerSpec = serde_json::from_str(optimizer).unwrap();
    let mut trainer =
        spec.trainer(spec.default_learning_rate()).unwrap().epochs(5).batch_size(batch_size).shuffle(shuffle);
    trainer.fit(&mut network, view, None, &mut seeded_rng(5)).unwrap();
    network.parameters().flat_map(|(_, parameter)| parameter.value.to_vec()).map(|w| w.to_f64()).collect()
}

fn same_bits<S: Scalar>(data: &Data, optimizer: &str, batch_size: usize, shuffle: bool) {
    let dense = trained::<S>(data, optimizer, batch_size, shuffle, false);
    let sparse = trained::<S>(data, optimizer, batch_size, shuffle, true);
    let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&dense), bits(&sparse), "{optimizer}, batches of {batch_size}, shuffled {shuffle}");
    let initial = trained::<S>(data, optimizer, batch_size, shuffle, false);
    assert_eq!(bits(&initial), bits(&dense), "training is deterministic");
}

#[test]
fn sparse_rows_train_to_the_bits_of_the_same_rows_dense() {
    let data = data(&mut seeded_rng(3));
    for (optimizer, batch_size, shuffle) in [
        (r#"{ "kind": "adam" }"#, 16, true),
        (r#"{ "kind": "sgd", "momentum": 0.9 }"#, 7, false),
        (r#"{ "kind": "lbfgs" }"#, 200, true),
        (r#"{ "kind": "rprop" }"#, 200, false),
    ] {
        same_bits::<f32>(&data, optimizer, batch_size, shuffle);
        same_bits::<f64>(&data, optimizer, batch_size, shuffle);
    }
}

/// Rows of `width` inputs with about one in ten stored, TF-IDF-like values (some of them tiny, so
/// that products round to zero), as CSR and dense.
fn wide_rows(rows: usize, width: usize, rng: &mut Rng) -> (Vec<f64>, Vec<usize>, Vec<usize>, Vec<f64>) {
    let (mut values, mut columns, mut row_starts, mut dense) = (vec![], vec![], vec![0], vec![0.0; rows * width]);
    for row in 0..rows {
        for column in 0..width {
            if rng.random_bool(0.1) {
                let value: f64 = if rng.random_bool(0.05) { -1e-40 } else { rng.random_range(-1.0..1.0) };
                values.push(value);
                columns.push(column);
                dense[row * width + column] = value;
            }
        }
        row_starts.push(values.len());
    }
    (values, columns, row_starts, dense)
}

/// How [`wide_training`] trains: the optimizer, batch size, rows, the first hidden layer's width,
/// input dropout (a first layer that is not dense), and rows stored with their columns reversed
/// (not canonical).
struct WideCase {
    optimizer: &'static str,
    batch_size: usize,
    rows: usize,
    hidden: usize,
    input_dropout: bool,
    reversed: bool,
}

/// The parameters after three epochs on wide rows (300 inputs: two depth slices of the first
/// layer's product), dense or sparse, with values small enough for some products to round to
/// zero.
fn wide_training<S: Scalar>(case: &WideCase, sparse: bool) -> Vec<u64> {
    let cast = |values: &[f64]| values.iter().map(|&v| S::from_f64(v)).collect::<Vec<S>>();
    let width = 300;
    let (values, mut columns, row_starts, dense) = wide_rows(case.rows, width, &mut seeded_rng(11));
    let (mut values, dense) = (cast(&values), cast(&dense));
    if case.reversed {
        for row in row_starts.windows(2) {
            values[row[0]..row[1]].reverse();
            columns[row[0]..row[1]].reverse();
        }
    }
    let targets: Vec<S> = (0..case.rows * 2).map(|i| S::from_f64((i as f64 * 0.7).sin())).collect();
    let view = if sparse {
        let rows = SparseRows::new(&values, &columns, &row_starts, width).unwrap();
        DatasetView::sparse(rows, &targets, 2).unwrap()
    } else {
        DatasetView::new(&dense, width, &targets, 2).unwrap()
    };
    let builder = Network::builder(width);
    let builder = if case.input_dropout { builder.dropout(0.1) } else { builder };
    let mut network: Network<S> =
        builder.dense(case.hidden, Activation::Tanh).dense(2, Activation::Identity).build(&mut seeded_rng(12)).unwrap();
    let spec: OptimizerSpec = serde_json::from_str(case.optimizer).unwrap();
    let trainer = spec.trainer(spec.default_learning_rate()).unwrap().epochs(3).batch_size(case.batch_size);
    trainer.shuffle(case.batch_size < case.rows).fit(&mut network, view, None, &mut seeded_rng(13)).unwrap();
    network.parameters().flat_map(|(_, parameter)| parameter.value.to_vec()).map(|w| w.to_f64().to_bits()).collect()
}

/// Training on wide sparse rows, read from their stored values by the first layer, gives the
/// bits of the same rows dense: minibatches (the last one of a single row), the full-batch
/// solvers over several slices of rows, and the paths that make rows dense a slice at a time
/// (a first layer of one unit, rows not canonical, input dropout).
#[test]
fn wide_sparse_rows_train_to_the_bits_of_the_same_rows_dense() {
    let case = |optimizer, batch_size, rows, hidden| WideCase {
        optimizer,
        batch_size,
        rows,
        hidden,
        input_dropout: false,
        reversed: false,
    };
    let cases = [
        case(r#"{ "kind": "adam" }"#, 64, 530, 12),
        case(r#"{ "kind": "sgd", "momentum": 0.9 }"#, 529, 530, 12),
        case(r#"{ "kind": "lbfgs" }"#, 530, 530, 12),
        case(r#"{ "kind": "rprop" }"#, 530, 530, 1),
        case(r#"{ "kind": "levenberg_marquardt" }"#, 300, 300, 3),
        WideCase { reversed: true, ..case(r#"{ "kind": "lbfgs" }"#, 530, 530, 12) },
        WideCase { input_dropout: true, ..case(r#"{ "kind": "adam" }"#, 32, 100, 12) },
    ];
    for case in &cases {
        let name = format!("{}, batches of {}, {} hidden", case.optimizer, case.batch_size, case.hidden);
        assert_eq!(wide_training::<f32>(case, true), wide_training::<f32>(case, false), "f32 {name}");
        assert_eq!(wide_training::<f64>(case, true), wide_training::<f64>(case, false), "f64 {name}");
    }
}

/// Batches of sparse samples stay sparse, the full-batch solvers' whole set included (never made
/// dense at once), unless a first layer that reads dense rows only asks for them dense.
#[test]
fn batches_of_sparse_samples_hold_their_rows_sparse() {
    use neurone::data::Inputs;
    use neurone::train::Batches;
    use std::ops::ControlFlow;
    let (values, columns, row_starts, dense) = wide_rows(25, 30, &mut seeded_rng(14));
    let rows = SparseRows::new(&values, &columns, &row_starts, 30).unwrap();
    let targets = vec![0.0; 25];
    let view = DatasetView::sparse(rows, &targets, 1).unwrap();
    let mut batches = Batches::new(view, 10, true);
    assert!(matches!(batches.whole().inputs, Inputs::Sparse(whole) if whole.len() == 25));
    let mut seen = Vec::new();
    let ended = batches
        .for_each_batch(&mut seeded_rng(15), |batch| {
            let Inputs::Sparse(x) = batch.inputs else { panic!("a sparse batch was made dense") };
            for index in 0..batch.rows {
                let mut row = vec![f64::NAN; 30];
                x.write_row(index, &mut row);
                seen.push(row);
            }
            Ok(ControlFlow::<(), f64>::Continue(0.0))
        })
        .unwrap();
    assert_eq!(ended, ControlFlow::Continue(()));
    // Each sample once, in the epoch's shuffled order.
    let mut want: Vec<Vec<f64>> = dense.chunks(30).map(<[f64]>::to_vec).collect();
    let sorted = |rows: &mut Vec<Vec<f64>>| rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_ne!(seen, want, "shuffled");
    sorted(&mut seen);
    sorted(&mut want);
    assert_eq!(seen, want);
    batches.make_sparse_rows_dense();
    assert!(matches!(batches.whole().inputs, Inputs::Dense(whole) if whole == dense));
}

/// Predictions from sparse rows have the bits of predictions from the same rows dense: the
/// first layer's product from the stored values alone (one depth slice or two, one row or many
/// chunks of rows), and the paths that make the rows dense instead (weights that are not
/// finite, a first layer of one output, rows whose columns are not sorted).
#[test]
fn sparse_rows_predict_the_bits_of_the_same_rows_dense() {
    fn check<S: Scalar>(width: usize, rows: usize, hidden: usize, poison: bool) {
        let cast = |values: &[f64]| values.iter().map(|&v| S::from_f64(v)).collect::<Vec<S>>();
        let (values, columns, row_starts, dense) = wide_rows(rows, width, &mut seeded_rng(7));
        let (values, dense) = (cast(&values), cast(&dense));
        let mut network: Network<S> = Network::builder(width)
            .dense(hidden, Activation::Relu)
            .dense(3, Activation::Softmax)
            .build(&mut seeded_rng(8))
            .unwrap();
        if poison {
            network.layers_mut()[0].as_dense_mut().unwrap().weights_mut()[5] = S::from_f64(f64::INFINITY);
        }
        let sparse = SparseRows::new(&values, &columns, &row_starts, width).unwrap();
        let got = network.predict_sparse(sparse).unwrap();
        let want = network.predict(&neurone::Matrix::new(rows, width, dense).unwrap()).unwrap();
        let bits = |values: &[S]| values.iter().map(|v| v.to_f64().to_bits()).collect::<Vec<_>>();
        let case = format!("{} {rows}×{width}, {hidden} hidden, poisoned {poison}", S::NAME);
        assert_eq!(bits(got.as_slice()), bits(want.as_slice()), "{case}");
    }
    for (width, rows, hidden, poison) in
        [(300, 40, 16, false), (700, 1, 9, false), (600, 530, 12, false), (300, 20, 1, false), (300, 20, 16, true)]
    {
        check::<f32>(width, rows, hidden, poison);
        check::<f64>(width, rows, hidden, poison);
    }
    // Unsorted columns are made dense: the product's depth order is theirs.
    let network: Network = Network::builder(3)
        .dense(4, Activation::Tanh)
        .dense(2, Activation::Identity)
        .build(&mut seeded_rng(1))
        .unwrap();
    let unsorted = SparseRows::new(&[3.0, 1.0], &[2, 0], &[0, 2], 3).unwrap();
    let dense = neurone::Matrix::from_rows(&[[1.0, 0.0, 3.0]]).unwrap();
    assert_eq!(network.predict_sparse(unsorted).unwrap(), network.predict(&dense).unwrap());
    let narrow = SparseRows::new(&[1.0], &[0], &[0, 1], 2).unwrap();
    assert!(
        network
            .predict_sparse(narrow)
            .unwrap_err()
            .to_string()
            .contains("the inputs have 2 columns, the network takes 3")
    );
}

/// A model whose preprocessing scales its inputs predicts sparse rows as the same rows dense:
/// they are made dense (a chunk at a time) to be scaled.
#[test]
fn a_model_that_scales_its_inputs_predicts_sparse_rows_as_dense_ones() {
    use neurone::data::{Preprocessing, ScalerKind};
    let (values, columns, row_starts, dense) = wide_rows(300, 50, &mut seeded_rng(9));
    let targets = neurone::Matrix::column(&vec![0.5; 300]);
    let inputs = neurone::Matrix::new(300, 50, dense).unwrap();
    let train = neurone::Dataset::new(inputs.clone(), targets).unwrap();
    let preprocessing = Preprocessing::fit(&train, Some(ScalerKind::Standard), Some(ScalerKind::MinMax)).unwrap();
    let network = Network::builder(50)
        .dense(6, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build(&mut seeded_rng(2))
        .unwrap();
    let model = neurone::io::Model::new(network, preprocessing);
    let sparse = SparseRows::new(&values, &columns, &row_starts, 50).unwrap();
    assert_eq!(model.predict_sparse(sparse).unwrap(), model.predict(&inputs).unwrap());
}
