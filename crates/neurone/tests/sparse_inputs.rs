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
